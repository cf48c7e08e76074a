/* The engine: the show state machine wired to the cue clock, the outputs and the as-run log. */
#ifndef SC_ENGINE_H
#define SC_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "command.h"
#include "model.h"
#include "show.h"

/* Creates the engine for a linked rundown, taking ownership of it. Its cue
 * packets are encoded here, once, before show time. */
sc_engine_t *sc_engine_new(sc_app_t *app, rd_rundown_t *rundown);

/* Stops the engine's timer (closing it); the clock must be stopped and its
 * reports drained (sc_engine_on_reports) before sc_engine_free. */
void sc_engine_close(sc_engine_t *e);
void sc_engine_free(sc_engine_t *e);

/* Runs a show command (go, back, goto, skip, hold, resume, add, fire, panic,
 * rehearsal). */
void sc_engine_command(sc_engine_t *e, const sc_command_t *cmd, sc_result_t *r);

/* Swaps in a new linked rundown (reload), taking ownership of it. The
 * running item is kept by id with its actual start, added and held time;
 * cues already fired in its run are not fired again. A rundown that no longer
 * has the running item is refused (r gets the error; the caller frees it). */
bool sc_engine_replace(sc_engine_t *e, rd_rundown_t *rundown, sc_result_t *r);

/* Drains the cue clock's reports: logs every cue, feeds the show. */
void sc_engine_on_reports(sc_engine_t *e);

/* A queued send (websocket) finished. */
void sc_engine_output_done(sc_engine_t *e, int output, uint64_t key, int err, int64_t sent_mono);

const rd_rundown_t *sc_engine_rundown(const sc_engine_t *e);
const rd_show_t *sc_engine_show(const sc_engine_t *e);

/* Adds the show's part of the state ("show", "current", "next", "cues" and,
 * with_items, "items") to obj, times as wall-clock milliseconds. */
void sc_engine_state(sc_engine_t *e, json_t *obj, bool with_items);

/* The "items" array serialized (borrowed), rebuilt when progress changed or
 * once a second: a long rundown then costs a push almost nothing. */
const char *sc_engine_items_text(sc_engine_t *e, size_t *len);

/* The rundown as JSON for GET /api/rundown (plan included). */
json_t *sc_engine_rundown_json(sc_engine_t *e);

/* Replays one journal record onto the show (a resume, before
 * sc_engine_resumed): rd_show_apply_event, nothing fired or logged. */
void sc_engine_replay(sc_engine_t *e, const rd_show_record_t *rec);

/* After a resume replayed the show: the daemon was last alive at alive_until
 * (show time), so hard starts since then happen at their times; the show
 * catches up to now (cues whose time passed are logged missed) and the clock
 * is armed. */
void sc_engine_resumed(sc_engine_t *e, int64_t alive_until);

/* How many cues are armed on the clock (for shutdown and tests). */
size_t sc_engine_armed(const sc_engine_t *e);

#endif
