/* The daemon's one application object: everything the loop owns, in one place. */
#ifndef SC_APP_H
#define SC_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "show/command.h"
#include "clock/cue_clock.h"
#include "model.h"
#include "targets/target.h"
#include "clock/timebase.h"

struct lws_context;
struct lws_vhost;
typedef struct sc_engine sc_engine_t;
typedef struct sc_asrun sc_asrun_t;
typedef struct sc_osc_in sc_osc_in_t;
typedef struct sc_server sc_server_t;

/* Start-up options from the command line, merged over the config file. */
typedef struct {
    const char *rundown_path;
    const char *config_path; /* NULL: defaults only */
    const char *http_listen; /* overrides http.listen */
    const char *osc_listen;  /* overrides osc.listen */
    const char *data_dir;    /* overrides data_dir */
    const char *web_root;    /* the web client's files; default clients/web */
    bool realtime;           /* SCHED_FIFO for the cue clock */
} sc_options_t;

struct sc_app {
    uv_loop_t loop;
    sc_options_t opts;
    rd_config_t config; /* owned */
    sc_timebase_t tb;
    char *control_token; /* owned: configured or generated */
    char *view_token;    /* owned, NULL when viewing is open */

    sc_cue_clock_t *clock;
    uv_async_t clock_async; /* the clock's reports wake the loop */
    sc_engine_t *engine;
    sc_asrun_t *asrun;
    sc_osc_in_t *osc_in;
    sc_server_t *server;
    sc_output_t *outputs; /* one per config target, same index */
    size_t noutputs;

    uv_signal_t sigterm, sigint, sighup;
    uv_timer_t heartbeat;    /* state push at least once a second, clock-step check */
    uv_timer_t push;         /* coalesces state pushes to one per loop iteration */
    uv_fs_event_t watch;     /* the rundown file's directory: edits reload the show */
    uv_timer_t watch_settle; /* waits for an editor to finish writing */
    uv_timer_t ack_timer;    /* while replies wait for the as-run log (ack.c) */
    bool watching;
    bool push_pending;
    int64_t last_push_mono;

    /* The stage message. */
    char message[SC_TEXT_MAX + 1];
    char message_color[16];
    int64_t message_since_ms;
    bool rehearsal;
    int64_t last_go_mono; /* for go_guard; 0 = none yet */

    bool shutting_down;
    bool acks_flushing; /* stopping: held replies go out now (ack.c) */
    int exit_code;
    uint64_t state_seq;
};

/* Something visible changed: push the state to every screen soon (once per
 * loop iteration at most). */
void sc_app_changed(sc_app_t *app);

/* Runs a command from any door. `allowed` is false when the door refused the
 * caller (bad token, address not allowed): the show is untouched, the
 * refusal is logged. Returns the seq of the command's as-run record (0 when
 * there is no log); the reply waits for it to be durable (ack.h). */
uint64_t sc_app_dispatch(sc_app_t *app, const sc_command_t *cmd, bool allowed, sc_result_t *result);

/* A new as-run record with the fields every record carries: "kind", "wall"
 * (now) and "rehearsal". The caller adds the rest and appends it. */
json_t *sc_app_record(const sc_app_t *app, const char *kind);

/* A "daemon" record with its "event" and "message". */
json_t *sc_app_daemon_record(const sc_app_t *app, const char *event, const char *message);

/* The current state as pushed to screens (a new JSON reference); without
 * "items" when with_items is false. */
json_t *sc_app_state_json(sc_app_t *app, bool with_items);

/* Re-reads the rundown file (and checks it against the config); a file with
 * errors leaves the show untouched and the errors go to the log and to
 * control clients. */
void sc_app_reload(sc_app_t *app, sc_result_t *r);

#endif
