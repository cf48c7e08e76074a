/* The dispatcher: the one place every command from every door runs, is checked and is logged. */
#ifndef SC_DISPATCH_H
#define SC_DISPATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "command.h"
#include "engine.h"
#include "model.h"

typedef struct sc_dispatch sc_dispatch_t;

/* What the dispatcher works with; borrowed for its life. */
typedef struct {
    uv_loop_t *loop; /* a timed stage message clears itself on it */
    sc_engine_t *engine;
    const rd_config_t *config; /* go_guard (a reload may change it) */
    /* The journal, as the engine's (sc_engine_env_t.record). */
    uint64_t (*record)(void *ctx, json_t *rec);
    /* `reload`: re-reads the files and swaps them in (the process does it). */
    void (*reload)(void *ctx, sc_result_t *r);
    /* Something screens show changed. */
    void (*changed)(void *ctx);
    void *ctx;
} sc_dispatch_env_t;

/* The stage message screens show. */
typedef struct {
    char text[SC_TEXT_MAX + 1]; /* "" for none */
    char color[16];
    int64_t since_ms; /* wall-clock ms */
    int64_t until_ms; /* wall-clock ms when it clears itself; 0: it stays */
} sc_message_t;

/* env is copied. */
sc_dispatch_t *sc_dispatch_new(const sc_dispatch_env_t *env);
/* Closes its timer (inside the loop); free after the loop has run. */
void sc_dispatch_close(sc_dispatch_t *d);
void sc_dispatch_free(sc_dispatch_t *d);

/* Runs a command from any door. `allowed` is false when the door refused the
 * caller (bad token, address not allowed): the show is untouched, the
 * refusal is logged (once per source every 2 s, at most 16 in 2 s from all
 * sources; the rest are summarised in one "refusals" record: refusals.h; a
 * refusal only counted returns 0). Returns the seq of the command's as-run record (0 when
 * there is no log); the reply waits for it to be durable (journal/ack.h). */
uint64_t sc_dispatch_run(sc_dispatch_t *d, const sc_command_t *cmd, bool allowed, sc_result_t *r);

/* A refusal a door made before any command ran (a websocket `auth` with a
 * wrong token): logged as a failed command `what` (no arguments: a token is
 * never written down), rate limited as above. Returns the record's seq, 0
 * when only counted. */
uint64_t sc_dispatch_refused(sc_dispatch_t *d, sc_door_t door, const char *source,
                             const char *what, const sc_result_t *r);

const sc_message_t *sc_dispatch_message(const sc_dispatch_t *d);

/* Sets the message as a resume found it (text "" clears it); until_ms 0:
 * it stays, else it clears itself then (at once when that has passed). */
void sc_dispatch_set_message(sc_dispatch_t *d, const char *text, const char *color,
                             int64_t since_ms, int64_t until_ms);

#endif
