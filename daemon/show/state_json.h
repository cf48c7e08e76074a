/* The state document: what every screen is pushed, GET /api/state and GET /api/rundown, built in
 * one place. */
#ifndef SC_STATE_JSON_H
#define SC_STATE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "clock/timebase.h"
#include "dispatch.h"
#include "engine.h"
#include "targets/target.h"

typedef struct sc_state_doc sc_state_doc_t;

/* Where the state comes from; borrowed for the document's life. */
typedef struct {
    const sc_engine_t *engine;
    const sc_dispatch_t *dispatch; /* the stage message */
    const sc_target_t *targets;
    size_t ntargets;
    const sc_timebase_t *tb;
    bool has_date;          /* the rundown gives its date (then screens see how far it is) */
    const rd_shift_t *demo; /* --demo: how the rundown was moved; NULL otherwise */
    /* How many screens are connected (the web server's count); may be NULL. */
    size_t (*clients)(void *ctx);
    /* The number of the rundown version on air (data_dir/versions); may be NULL. */
    uint64_t (*version)(void *ctx);
    void *ctx;
} sc_state_env_t;

/* env is copied. */
sc_state_doc_t *sc_state_new(const sc_state_env_t *env);
void sc_state_free(sc_state_doc_t *d);

/* The state as the README's "State pushed to screens" shows it, times as
 * wall-clock milliseconds at the time of the call; a new reference. Each
 * call takes the next "seq". Without "items" when with_items is false. */
json_t *sc_state_json(sc_state_doc_t *d, bool with_items);

/* The same, serialized for a push (caller frees). The long "items" array is
 * kept serialized between pushes and rebuilt when progress changed or once a
 * second (projections drift slowly), so a push of a long rundown costs
 * little more than its head. */
char *sc_state_text(sc_state_doc_t *d, size_t *len);

/* The rundown for GET /api/rundown: items with their planned times,
 * back-times and cues; a new reference. */
json_t *sc_state_rundown_json(sc_state_doc_t *d);

/* What /showcaller/running tells OSC subscribers. Strings are borrowed
 * until the show next changes; "" when none. */
typedef struct {
    const char *state; /* "idle", "running", "holding", "ended" */
    const char *item_id, *title;
    double remaining_s; /* the running item's; negative when over; 0 when none */
    const char *next_id;
} sc_state_running_t;

void sc_state_running(const sc_state_doc_t *d, sc_state_running_t *out);

#endif
