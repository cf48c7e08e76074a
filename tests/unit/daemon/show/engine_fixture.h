/* A test fixture for the show's daemon parts: a real engine and cue clock, one fake target. */
#ifndef UNIT_ENGINE_FIXTURE_H
#define UNIT_ENGINE_FIXTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "clock/cue_clock.h"
#include "clock/timebase.h"
#include "model.h"
#include "show/dispatch.h"
#include "show/engine.h"
#include "show/state_json.h"
#include "targets/target.h"

#define EF_MS(x) ((int64_t)(x)*1000000)
#define EF_SEC(x) ((int64_t)(x)*1000000000)

/* The one config every test here uses: the target "sw" is an OSC/UDP target
 * to the config, but the fixture gives it a fake kind, so nothing leaves the
 * machine. */
#define EF_CONFIG "{'targets': {'sw': {'url': 'osc.udp://127.0.0.1:9'}}}"

/* A cue for the target "sw" whose OSC address is the cue's id, so the fake
 * kind's bytes tell the cues apart. */
#define EF_CUE(id, at)                                                                             \
    "{'id': '" id "', 'at': '" at "', 'target': 'sw', 'osc': {'address': '/" id "'}}"

/* One message the fake kind was asked to send. */
typedef struct {
    uint64_t key;
    char bytes[64]; /* NUL-terminated */
    size_t len;
} ef_send_t;

typedef struct {
    uv_loop_t loop;
    sc_cue_clock_t *clock;
    rd_config_t config;
    sc_timebase_t tb;
    sc_target_env_t target_env;
    sc_target_t targets[1];
    sc_engine_t *engine;
    sc_dispatch_t *dispatch; /* NULL until ef_dispatch */
    sc_state_doc_t *state;   /* NULL until ef_state */
    json_t *records;         /* every as-run record, in order; record i has seq i + 1 */
    int changed;             /* calls of the engine's `changed` */
    int dispatch_changed;    /* calls of the dispatcher's `changed` */
    ef_send_t sends[64];     /* what the fake kind sent, in order */
    size_t nsends;
    int sends_err; /* what the fake kind's send returns: EINPROGRESS unless a test sets it */
    void *user;    /* a test's own state, for its callbacks */
} ef_t;

/* Loads the rundown (fixture.h's fx_load: head and items single-quoted)
 * against config (EF_CONFIG when NULL), and starts a clock and an engine on
 * it. Returns false, printing why, when the rundown does not load. */
bool ef_open(ef_t *f, const char *head, const char *items, const char *config);

/* Adds a dispatcher (record and changed wired to the fixture; reload may be
 * NULL) and returns it. */
sc_dispatch_t *ef_dispatch(ef_t *f, void (*reload)(void *ctx, sc_result_t *r));

/* Adds a state document over the engine and the dispatcher (ef_dispatch
 * first); clients may be NULL. */
sc_state_doc_t *ef_state(ef_t *f, size_t (*clients)(void *ctx));

/* Tears down in the daemon's order: engine timers, clock stop, reports
 * drained, engine, clock, target, loop. Returns uv_loop_close's result: 0
 * when every handle was closed. */
int ef_close(ef_t *f);

/* A linked rundown of the items against the fixture's config, for
 * sc_engine_replace; false when it does not load. */
bool ef_rundown(const char *items, rd_rundown_t *out);

/* Runs an engine command. item is the item for goto and skip, or the cue for
 * fire; may be NULL. */
sc_result_t ef_command(ef_t *f, sc_cmd_id_t id, const char *item);

/* The record with seq `seq` (borrowed), or NULL. */
json_t *ef_record(const ef_t *f, uint64_t seq);
/* How many records there are. */
size_t ef_nrecords(const ef_t *f);
/* The last record of this kind (borrowed), or NULL. */
json_t *ef_last(const ef_t *f, const char *kind);
/* How many records are of this kind. */
size_t ef_count(const ef_t *f, const char *kind);
/* A string member of a JSON object; NULL when it is not a string. */
const char *ef_str(const json_t *o, const char *key);
/* Member of a JSON object's member: rec["error"]["code"] as ef_str2(rec, "error", "code"). */
const char *ef_str2(const json_t *o, const char *key, const char *sub);

/* The fake kind's send callback's log. */
const ef_send_t *ef_last_send(const ef_t *f);

#endif
