/* Resume after a crash or restart: the show's position rebuilt from the as-run log. */
#ifndef SC_RESUME_H
#define SC_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"

/* A hash of the rundown file's bytes: a resume needs the same rundown. */
uint64_t sc_resume_hash(const char *path);

/* Replays the as-run records of earlier runs of the same rundown (matched by
 * hash in their "start" records) onto the engine's fresh show: items done,
 * running (with their actual start, added and held time), skipped; cues
 * already sent or missed; hold, panic, rehearsal, the stage message. Then
 * the show catches up to now: follow and hard starts that came while the
 * daemon was down happen at their true times, and every cue whose time
 * passed is logged as missed, never fired. Returns whether it resumed; why
 * says what happened either way. */
bool sc_resume(sc_app_t *app, sc_engine_t *e, uint64_t hash, char *why, size_t len);

#endif
