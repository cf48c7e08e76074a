/* The daemon's life: the wiring of every part, start-up in order, one loop, and shutdown in
 * libwebsockets' documented order. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock/cue_clock.h"
#include "clock/timebase.h"
#include "doors/auth.h"
#include "doors/osc_in.h"
#include "doors/server.h"
#include "edit.h"
#include "journal/ack.h"
#include "journal/asrun.h"
#include "journal/asrun_record.h"
#include "journal/lock.h"
#include "journal/resume.h"
#include "load.h"
#include "log.h"
#include "parse.h"
#include "reload.h"
#include "show/dispatch.h"
#include "show/engine.h"
#include "show/state_json.h"
#include "targets/target.h"
#include "tls.h"
#include "watch.h"
#include "xalloc.h"

/* Everything the loop owns. Only this file sees it: every part gets its own
 * small environment (callbacks and borrowed pointers) instead, and the
 * functions here forward between them. */
typedef struct {
    uv_loop_t loop;
    sc_options_t opts;
    rd_config_t config; /* owned */
    sc_timebase_t tb;
    sc_tokens_t tokens; /* owned */
    rd_shift_t demo;    /* --demo: how the rundown was moved (and every reload with it) */

    sc_cue_clock_t *clock;
    uv_async_t clock_async; /* the clock's reports wake the loop */
    sc_target_env_t target_env;
    sc_target_t *targets; /* one per config target, same index */
    size_t ntargets;
    sc_engine_t *engine;
    sc_dispatch_t *dispatch;
    sc_state_doc_t *state;
    sc_asrun_t *asrun;
    sc_lock_t *lock;          /* data_dir's, held for the process's life */
    sc_lock_info_t lock_prev; /* what the lock file said when this daemon started */
    char journal_name[64];    /* the as-run file's name in data_dir */
    sc_ack_queue_t *acks;
    sc_osc_in_t *osc_in;
    sc_server_env_t server_env;
    sc_server_t *server;
    sc_watch_t *watch;
    sc_edit_t *edit; /* the editing API and the versions */

    uv_signal_t sigterm, sigint, sighup;
    uv_timer_t heartbeat; /* state push at least once a second, clock-step check */
    uv_timer_t push;      /* coalesces state pushes */
    bool push_pending;
    int64_t last_push_mono;

    bool shutting_down;
} sc_app_t;

/* ---- The journal ------------------------------------------------------------- */

static uint64_t journal_record(void *ctx, json_t *rec)
{
    sc_app_t *app = ctx;
    /* Each item start names the version on air, for the as-run report. */
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    if (app->edit && kind && strcmp(kind, "item_start") == 0)
        json_object_set_new(rec, "version", json_integer((json_int_t)sc_edit_on_air(app->edit)));
    if (app->asrun)
        return sc_asrun_append(app->asrun, rec);
    json_decref(rec);
    return 0;
}

static bool rehearsal(const sc_app_t *app)
{
    return app->engine && sc_engine_rehearsal(app->engine);
}

/* A "daemon" record of the process itself. */
static json_t *daemon_record(const sc_app_t *app, const char *event, const char *message)
{
    return sc_record_daemon(sc_wall_ns(), rehearsal(app), event, message);
}

/* The ack queue's view of the as-run log. */
static uint64_t ack_last_seq(void *ctx)
{
    return sc_asrun_last_seq(ctx);
}

static bool ack_is_durable(void *ctx, uint64_t seq)
{
    return sc_asrun_is_durable(ctx, seq);
}

static int ack_last_error(void *ctx)
{
    return sc_asrun_last_error(ctx);
}

/* After each fsync batch: the replies waiting for it go out, and the lock
 * file says how far the journal is durable (journal/lock.h). */
static void on_durable(void *ctx, uint64_t seq)
{
    sc_app_t *app = ctx;
    if (app->acks)
        sc_ack_on_durable(app->acks, seq);
    char alive[40];
    sc_iso8601(sc_wall_ns(), alive, sizeof alive);
    sc_lock_note(app->lock, app->journal_name, seq, alive);
}

/* ---- State push -------------------------------------------------------------- */

static void push_cb(uv_timer_t *t)
{
    sc_app_t *app = t->data;
    app->push_pending = false;
    if (app->shutting_down || !app->server || !app->state)
        return;
    app->last_push_mono = sc_mono_ns();
    /* Nobody watching: nothing to serialize (the heartbeat comes back). */
    if (sc_server_clients(app->server) > 0) {
        size_t len = 0;
        char *text = sc_state_text(app->state, &len);
        if (text)
            sc_server_push_state(app->server, text, len);
        free(text);
    }
    /* Companion and Stream Deck get the running item by OSC. */
    if (app->osc_in) {
        sc_state_running_t r;
        sc_state_running(app->state, &r);
        sc_osc_in_feedback(app->osc_in, r.state, r.item_id, r.title, r.remaining_s, r.next_id);
    }
}

/* A change is pushed at once, but never more than once per PUSH_MIN_GAP:
 * a burst of cue reports then costs the loop one serialization, and the
 * writes to 200 screens cannot crowd out the cues and commands. */
#define PUSH_MIN_GAP_MS 20

static void changed(void *ctx)
{
    sc_app_t *app = ctx;
    if (app->push_pending || app->shutting_down)
        return;
    app->push_pending = true;
    int64_t since_ms = (sc_mono_ns() - app->last_push_mono) / 1000000;
    uint64_t wait = since_ms >= PUSH_MIN_GAP_MS ? 0 : (uint64_t)(PUSH_MIN_GAP_MS - since_ms);
    uv_timer_start(&app->push, push_cb, wait, 0);
}

static void heartbeat_cb(uv_timer_t *t)
{
    sc_app_t *app = t->data;
    int64_t step = sc_timebase_check_step(&app->tb);
    if (step) {
        sc_warn("the wall clock stepped by %+.3f s; the show keeps its monotonic time",
                (double)step / 1e9);
        char msg[128];
        snprintf(msg, sizeof msg, "wall clock stepped by %+.3f s", (double)step / 1e9);
        journal_record(app, daemon_record(app, "clock_step", msg));
    }
    changed(app);
}

/* ---- Between the parts --------------------------------------------------------- */

static void clock_async_cb(uv_async_t *a)
{
    sc_app_t *app = a->data;
    if (app->engine)
        sc_engine_on_reports(app->engine);
}

static void clock_notify(void *ctx)
{
    uv_async_send(ctx);
}

static struct lws_context *target_lws(void *ctx)
{
    sc_app_t *app = ctx;
    return app->server ? sc_server_context(app->server) : NULL;
}

static void target_done(void *ctx, sc_target_t *t, uint64_t key, int err, int64_t sent_mono)
{
    sc_app_t *app = ctx;
    if (app->engine)
        sc_engine_target_done(app->engine, t, key, err, sent_mono);
}

static void target_answer(void *ctx, sc_target_t *t, uint64_t key, const sc_answer_t *a)
{
    sc_app_t *app = ctx;
    if (app->engine)
        sc_engine_target_answer(app->engine, t, key, a);
}

static void target_changed(void *ctx, sc_target_t *t)
{
    (void)t;
    changed(ctx);
}

static size_t screens(void *ctx)
{
    sc_app_t *app = ctx;
    return app->server ? sc_server_clients(app->server) : 0;
}

/* The OSC door's commands go to the dispatcher like every door's. */
static uint64_t osc_dispatch(void *ctx, const sc_command_t *cmd, bool allowed, sc_result_t *r)
{
    sc_app_t *app = ctx;
    return sc_dispatch_run(app->dispatch, cmd, allowed, r);
}

/* ---- The rundown ---------------------------------------------------------------- */

/* What a resume matches a run by: the file's bytes, and with --demo how far
 * it was moved (each demo start moves it anew, so it starts from the top). */
static uint64_t rundown_hash(const sc_app_t *app)
{
    uint64_t h = sc_resume_hash(app->opts.rundown_path);
    if (app->opts.demo)
        h ^= ((uint64_t)app->demo.delta_ns | 1) * 0x9E3779B97F4A7C15ull;
    return h;
}

/* --demo: the rundown moves to today, its first time of day (on_air, else
 * its first hard start) on the whole minute at least two minutes from now. */
static void demo_shift(sc_app_t *app, rd_rundown_t *r)
{
    rd_shift_t *s = &app->demo;
    int64_t tod;
    sc_local_today(&s->year, &s->month, &s->day, &tod);
    if (r->has_date) {
        s->from_year = r->year;
        s->from_month = r->month;
        s->from_day = r->day;
    }
    int64_t target = (tod + 2 * RD_NS_PER_MIN + RD_NS_PER_MIN - 1) / RD_NS_PER_MIN * RD_NS_PER_MIN;
    s->delta_ns = rd_rundown_shift_to(r, target);
    rd_rundown_shift(r, s);
    char at[32];
    rd_format_clock(target, at, sizeof at);
    sc_info("demo: %s is moved to today, %04d-%02d-%02d, its first time at %s (by %+.0f min); "
            "each start of the demo begins from the top",
            app->opts.rundown_path, s->year, s->month, s->day, at,
            (double)s->delta_ns / (double)RD_NS_PER_MIN);
}

/* ---- Reload ------------------------------------------------------------------- */

/* What can change live (go_guard, tokens) changes now; the rest is reported
 * as needing a restart. */
static void apply_config(sc_app_t *app, const rd_config_t *next)
{
    app->config.go_guard_ns = next->go_guard_ns;
    if (next->control_token) {
        free(app->tokens.control);
        app->tokens.control = rd_xstrdup(next->control_token);
    }
    free(app->tokens.view);
    app->tokens.view = next->view_token ? rd_xstrdup(next->view_token) : NULL;
    if (sc_reload_needs_restart(&app->config, next))
        sc_warn("reload: %s changes listening addresses, http.tls, data_dir, osc.allow, targets, "
                "limits or realtime; those take effect at the next start",
                app->opts.config_path);
}

/* `reload`, SIGHUP and live edits: both files again; a file with errors
 * leaves the show untouched and the errors go to the log and to control
 * clients. */
static void reload(void *ctx, sc_result_t *r)
{
    sc_app_t *app = ctx;
    sc_reload_t next;
    json_t *errors = NULL;
    if (!sc_reload_read(app->opts.rundown_path, app->opts.config_path, &app->config,
                        app->opts.demo ? &app->demo : NULL, &next, &errors, r)) {
        json_t *note = json_object();
        json_object_set_new(note, "type", json_string("reload_failed"));
        json_object_set_new(note, "errors", errors);
        char *text = json_dumps(note, JSON_COMPACT);
        if (app->server && text)
            sc_server_notify_control(app->server, text, strlen(text));
        free(text);
        json_decref(note);
        return;
    }
    if (!sc_engine_replace(app->engine, &next.rundown, r)) {
        sc_reload_free(&next);
        return;
    }
    if (next.has_config)
        apply_config(app, &next.config);
    sc_reload_free(&next);
    /* A resume after a restart must know the rundown changed here. */
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)rundown_hash(app));
    json_t *rec = daemon_record(app, "reload", app->opts.rundown_path);
    json_object_set_new(rec, "rundown_hash", json_string(hash));
    journal_record(app, rec);
    sc_info("reloaded %s", app->opts.rundown_path);
}

/* Reloads as if the producer had asked: SIGHUP and live edits. */
static void edit_reload(void *ctx, sc_door_t door, const char *source, sc_result_t *r);

static void reload_from(sc_app_t *app, sc_door_t door, const char *source)
{
    sc_result_t r;
    edit_reload(app, door, source, &r);
}

/* The editor's reload: the same command, with its result. */
static void edit_reload(void *ctx, sc_door_t door, const char *source, sc_result_t *r)
{
    sc_app_t *app = ctx;
    if (app->shutting_down) { /* a save that ends during shutdown stays in the file */
        sc_result_error(r, SC_ERR_SHUTTING_DOWN, "the daemon is stopping");
        return;
    }
    sc_command_t c;
    memset(&c, 0, sizeof c);
    c.id = SC_CMD_RELOAD;
    c.door = door;
    snprintf(c.source, sizeof c.source, "%.60s", source);
    sc_dispatch_run(app->dispatch, &c, true, r);
}

static sc_edit_answer_t edit_request(void *ctx, const sc_edit_request_t *req)
{
    sc_app_t *app = ctx;
    return sc_edit_handle(app->edit, req);
}

static uint64_t version_on_air(void *ctx)
{
    sc_app_t *app = ctx;
    return app->edit ? sc_edit_on_air(app->edit) : 0;
}

/* A file edit: through the versions, which reload it unless it is a save of
 * the editor's own. */
static void file_changed(void *ctx)
{
    sc_app_t *app = ctx;
    if (!app->shutting_down)
        sc_edit_file_changed(app->edit);
}

/* ---- Shutdown ---------------------------------------------------------------- */

static void noop_done(void *ctx)
{
    (void)ctx;
}

/* Stage 2: everything closes inside the loop; uv_run returns when done. */
static void finish_shutdown(void *ctx)
{
    sc_app_t *app = ctx;
    if (app->engine)
        sc_engine_close(app->engine);
    sc_dispatch_close(app->dispatch);
    if (app->clock) {
        sc_clock_stop(app->clock);
        /* What was still armed comes back cancelled: the show is stopping. */
        sc_report_t reps[64];
        while (sc_clock_poll(app->clock, reps, 64) > 0)
            ;
    }
    journal_record(app, daemon_record(app, "stop", "showcallerd stopped"));
    for (size_t i = 0; i < app->ntargets; i++)
        if (app->targets[i].ops)
            app->targets[i].ops->close(&app->targets[i]);
    if (app->osc_in)
        sc_osc_in_close(app->osc_in, noop_done, NULL);
    /* The queue goes before lws closes its connections: the doors must not
     * reach it from their close callbacks (the flush emptied it). */
    if (app->asrun)
        sc_asrun_on_durable(app->asrun, NULL, NULL);
    app->server_env.acks = NULL;
    if (app->acks)
        sc_ack_queue_close(app->acks);
    app->acks = NULL;
    if (app->asrun)
        sc_asrun_close(app->asrun, noop_done, NULL);
    if (app->server)
        sc_server_destroy(app->server); /* lws phase 1 */
    uv_close((uv_handle_t *)&app->clock_async, NULL);
    uv_timer_stop(&app->heartbeat);
    uv_close((uv_handle_t *)&app->heartbeat, NULL);
    uv_timer_stop(&app->push);
    uv_close((uv_handle_t *)&app->push, NULL);
    uv_signal_stop(&app->sigterm);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    uv_signal_stop(&app->sigint);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_signal_stop(&app->sighup);
    uv_close((uv_handle_t *)&app->sighup, NULL);
    if (app->watch) {
        sc_watch_close(app->watch);
        app->watch = NULL;
    }
}

static void begin_shutdown(sc_app_t *app, const char *why)
{
    if (app->shutting_down)
        return;
    sc_info("stopping (%s)", why);
    if (app->acks)
        sc_ack_flush(app->acks); /* replies waiting for the as-run log go out first */
    app->shutting_down = true;
    uv_timer_stop(&app->heartbeat);
    if (app->server)
        sc_server_begin_shutdown(app->server, finish_shutdown, app);
    else
        finish_shutdown(app);
}

static void signal_cb(uv_signal_t *h, int signum)
{
    sc_app_t *app = h->data;
    if (signum == SIGHUP) {
        reload_from(app, SC_DOOR_SIGNAL, "SIGHUP");
        return;
    }
    begin_shutdown(app, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void walk_cb(uv_handle_t *h, void *arg)
{
    (void)arg;
    sc_error("left open at exit: a uv %s handle", uv_handle_type_name(uv_handle_get_type(h)));
}

/* ---- Resume ------------------------------------------------------------------ */

/* A record of the show being resumed: the show's go to the engine, the stage
 * message to the dispatcher. */
static void resume_record(void *ctx, const sc_record_t *rec)
{
    sc_app_t *app = ctx;
    if (rec->cue.present) {
        /* The cue log and the target counters come back too. */
        static const char *const outcomes[] = {"sent", "failed", "skipped", "missed"};
        sc_recent_cue_t c = {.outcome = "?"};
        for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
            if (strcmp(rec->cue.outcome, outcomes[i]) == 0)
                c.outcome = outcomes[i];
        snprintf(c.cue, sizeof c.cue, "%s", rec->cue.cue);
        snprintf(c.item, sizeof c.item, "%s", rec->cue.item);
        snprintf(c.target, sizeof c.target, "%s", rec->cue.target);
        c.scheduled_ms = rec->cue.scheduled_wall_ns / 1000000;
        c.sent_ms = rec->cue.sent_wall_ns / 1000000;
        c.has_sent = rec->cue.sent_wall_ns != 0;
        c.lateness_us = c.has_sent ? rec->cue.lateness_us : 0;
        c.seq = rec->cue.seq;
        c.answer_us = -1;
        sc_engine_replay_cue(app->engine, rec->cue.target, &c);
    }
    if (rec->answer.present) {
        static const char *const answers[] = {"ok", "error", "timeout"};
        for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
            if (strcmp(rec->answer.answer, answers[i]) == 0)
                sc_engine_replay_answer(app->engine, rec->answer.cue_seq, answers[i],
                                        rec->answer.answer_us,
                                        rec->answer.answered_wall_ns / 1000000, rec->answer.detail);
    }
    switch (rec->kind) {
    case SC_REC_SHOW:
        sc_engine_replay(app->engine, &rec->show);
        break;
    case SC_REC_MESSAGE:
        sc_dispatch_set_message(app->dispatch, rec->text, rec->color, rec->wall_ns / 1000000,
                                rec->duration_ns ? (rec->wall_ns + rec->duration_ns) / 1000000 : 0);
        break;
    case SC_REC_CLEAR_MESSAGE:
        sc_dispatch_set_message(app->dispatch, "", "", 0, 0);
        break;
    default:
        break;
    }
}

/* Says at start-up what is wrong with the journal, whether or not it
 * touches the show. */
static void log_damage(const sc_app_t *app, const sc_scan_t *scan, const sc_damage_t *lost)
{
    for (size_t i = 0; i < scan->ndamage + (lost ? 1 : 0); i++) {
        char words[240];
        sc_damage_describe(i < scan->ndamage ? &scan->damage[i] : lost, words, sizeof words);
        sc_warn("as-run log %s: %s", sc_asrun_path(app->asrun), words);
    }
    if (scan->damage_more)
        sc_warn("as-run log %s: %" PRIu64 " more damaged ranges", sc_asrun_path(app->asrun),
                scan->damage_more);
}

/* Resumes where an earlier run of the same rundown left the show
 * (journal/resume.h); a damaged journal makes it fail safe
 * (sc_engine_uncertain). */
static bool resume(sc_app_t *app, uint64_t hash, char *why, size_t len)
{
    /* Records the lock file says were durable that the journal lacks: the
     * file was truncated, emptied or replaced. Their seqs are never given
     * out again. */
    const sc_scan_t *scan = sc_asrun_scan(app->asrun);
    bool same_file = strcmp(app->lock_prev.journal, app->journal_name) == 0;
    sc_damage_t lost = {.kind = SC_DAMAGE_LOST,
                        .after_seq = scan->last_seq,
                        .before_seq = app->lock_prev.seq,
                        .offset = scan->size};
    bool has_lost = same_file && app->lock_prev.seq > scan->last_seq;
    if (has_lost)
        sc_asrun_skip_to(app->asrun, app->lock_prev.seq);
    log_damage(app, scan, has_lost ? &lost : NULL);

    int fd = open(sc_asrun_path(app->asrun), O_RDONLY | O_CLOEXEC);
    sc_resume_result_t res;
    bool ok = sc_resume_replay(fd, has_lost ? &lost : NULL, hash, sc_engine_rundown(app->engine),
                               app->tb.midnight_wall_ns, resume_record, app, &res);
    if (fd >= 0)
        close(fd);
    int64_t alive = res.last_wall_ns;
    int64_t lock_alive = same_file ? sc_record_parse_iso(app->lock_prev.alive) : 0;
    if (lock_alive > alive)
        alive = lock_alive;
    alive -= app->tb.midnight_wall_ns;
    if (res.uncertain)
        sc_engine_uncertain(app->engine, &res, alive);
    sc_resume_result_free(&res);
    const char *held = res.uncertain ? "; the journal is damaged where the show was, so the show "
                                       "holds until the producer acknowledges (journal_ack)"
                                     : "";
    if (!ok) {
        snprintf(why, len, "%s%s", res.why, held);
        return false;
    }
    /* Hard starts that came while the daemon was down happened at their
     * time; their cues were missed, not fired late. */
    sc_engine_resumed(app->engine, alive);
    const rd_show_t *after = sc_engine_show(app->engine);
    snprintf(why, len, "%s: %s%s%s", res.why,
             after->current >= 0 ? sc_engine_rundown(app->engine)->items[after->current].id
                                 : "nothing",
             rd_show_is_running(after) ? " is running" : " ran last", held);
    return true;
}

/* ---- Start-up ---------------------------------------------------------------- */

/* The config (defaults, then the file, then the command line) and the
 * rundown linked to it; every finding goes to stderr. */
static bool load_all(sc_app_t *app, rd_rundown_t *r)
{
    rd_diags_t d = {0};
    bool ok = true;
    if (app->opts.config_path)
        ok = sc_load_config(app->opts.config_path, &app->config, &d);
    else
        rd_config_defaults(&app->config);
    if (ok) {
        /* The command line wins over the file. */
        const struct {
            const char *value;
            rd_listen_t *dst;
            const char *name;
        } listens[] = {{app->opts.http_listen, &app->config.http, "--http"},
                       {app->opts.osc_listen, &app->config.osc, "--osc"}};
        for (size_t i = 0; i < 2; i++) {
            if (!listens[i].value)
                continue;
            const char *colon = strrchr(listens[i].value, ':');
            int port = colon ? atoi(colon + 1) : 0;
            if (!colon || port < 0 || port > 65535 || !colon[1]) {
                fprintf(stderr, "showcallerd: %s %s: write HOST:PORT\n", listens[i].name,
                        listens[i].value);
                ok = false;
                continue;
            }
            free(listens[i].dst->host);
            listens[i].dst->host =
                rd_xstrndup(listens[i].value, (size_t)(colon - listens[i].value));
            listens[i].dst->port = port;
        }
        if (app->opts.data_dir) {
            free(app->config.data_dir);
            app->config.data_dir = rd_xstrdup(app->opts.data_dir);
        }
        /* A bad certificate or key stops start-up here, by name; the daemon
         * never falls back to plain HTTP. */
        d.file = app->opts.config_path;
        ok = sc_tls_check(&app->config.http_tls, &d) && ok;
    }
    bool rok = sc_load_rundown(app->opts.rundown_path, r, &d);
    if (rok && app->opts.demo)
        demo_shift(app, r);
    d.file = app->opts.rundown_path;
    if (ok && !rd_rundown_link(r, &app->config, &d))
        rok = false;
    for (size_t i = 0; i < d.count; i++) {
        char *line = rd_diag_format(&d.items[i]);
        fprintf(stderr, "%s\n", line);
        free(line);
    }
    rd_diags_free(&d);
    return ok && rok;
}

static void log_config(const sc_app_t *app)
{
    const rd_config_t *c = &app->config;
    sc_info("config: %s; http %s:%d; osc %s:%d; data_dir %s; go_guard %.3f s; %zu target%s; "
            "view token %s",
            app->opts.config_path ? app->opts.config_path : "(defaults)", c->http.host,
            c->http.port, c->osc.host, c->osc.port, c->data_dir, (double)c->go_guard_ns / 1e9,
            c->ntargets, c->ntargets == 1 ? "" : "s", app->tokens.view ? "set" : "none");
    if (c->http_tls.cert)
        sc_info("http: TLS only (https://, wss://), cert %s, key %s", c->http_tls.cert,
                c->http_tls.key);
    for (size_t i = 0; i < c->ntargets; i++)
        sc_info("target %s: %s, latency %.3f ms", c->targets[i].name, c->targets[i].url,
                (double)c->targets[i].latency_ns / 1e6);
}

/* Frees what start-up made before the loop ran anything. */
static void free_early(sc_app_t *app, rd_rundown_t *rundown)
{
    sc_lock_release(app->lock);
    rd_rundown_free(rundown);
    free(app->tokens.control);
    free(app->tokens.view);
    rd_config_free(&app->config);
    free(app);
}

/* The targets, the engine, the dispatcher and the state document, wired to
 * each other through run.c. Returns false with err filled when a target's
 * kind has no implementation here. */
static bool wire_show(sc_app_t *app, rd_rundown_t *rundown, char *err, size_t errlen)
{
    app->target_env = (sc_target_env_t){.loop = &app->loop,
                                        .clock = app->clock,
                                        .lws_context = target_lws,
                                        .done = target_done,
                                        .answer = target_answer,
                                        .changed = target_changed,
                                        .ctx = app};
    app->ntargets = app->config.ntargets;
    app->targets = rd_xcalloc(app->ntargets + 1, sizeof *app->targets);
    for (size_t i = 0; i < app->ntargets; i++) {
        const rd_target_t *conf = &app->config.targets[i];
        if (!sc_target_init(&app->targets[i], conf, (int)i, &app->target_env)) {
            snprintf(err, errlen, "target %s: this daemon cannot send to %s targets", conf->name,
                     rd_target_kind_name(conf->kind));
            return false;
        }
    }
    sc_engine_env_t engine = {.loop = &app->loop,
                              .clock = app->clock,
                              .tb = &app->tb,
                              .config = &app->config,
                              .targets = app->targets,
                              .ntargets = app->ntargets,
                              .record = journal_record,
                              .changed = changed,
                              .ctx = app};
    app->engine = sc_engine_new(&engine, rundown);
    sc_dispatch_env_t dispatch = {.loop = &app->loop,
                                  .engine = app->engine,
                                  .config = &app->config,
                                  .record = journal_record,
                                  .reload = reload,
                                  .changed = changed,
                                  .ctx = app};
    app->dispatch = sc_dispatch_new(&dispatch);
    sc_state_env_t state = {.engine = app->engine,
                            .dispatch = app->dispatch,
                            .targets = app->targets,
                            .ntargets = app->ntargets,
                            .tb = &app->tb,
                            .has_date = sc_engine_rundown(app->engine)->has_date,
                            .demo = app->opts.demo ? &app->demo : NULL,
                            .clients = screens,
                            .version = version_on_air,
                            .ctx = app};
    app->state = sc_state_new(&state);
    app->server_env.dispatch = app->dispatch;
    app->server_env.acks = app->acks;
    app->server_env.state = app->state;
    app->server_env.asrun = app->asrun;
    /* The engine before the targets open: a websocket target may report at once. */
    for (size_t i = 0; i < app->ntargets; i++)
        app->targets[i].ops->open(&app->targets[i]);
    return true;
}

int sc_run(const sc_options_t *opts)
{
    int64_t t_start = sc_mono_ns();
    sc_app_t *app = rd_xcalloc(1, sizeof *app);
    app->opts = *opts;
    if (!app->opts.web_root)
        app->opts.web_root = "clients/web";
    rd_rundown_t rundown = {0};
    char err[256] = "";
    int rc = 1;

    if (!load_all(app, &rundown)) {
        free_early(app, &rundown);
        return 1;
    }
    bool generated = false;
    mkdir(app->config.data_dir, 0755);
    /* One daemon per data_dir, before anything in it is touched. */
    char started_iso[40];
    sc_iso8601(sc_wall_ns(), started_iso, sizeof started_iso);
    app->lock = sc_lock_take(app->config.data_dir, started_iso, &app->lock_prev, err, sizeof err);
    if (!app->lock) {
        fprintf(stderr, "showcallerd: %s\n", err);
        free_early(app, &rundown);
        return 1;
    }
    if (app->lock_prev.present)
        sc_info("data_dir lock taken (the last holder, pid %ld started %s, is gone)",
                app->lock_prev.pid, app->lock_prev.started);
    app->tokens.control = sc_auth_control_token(app->config.control_token, app->config.data_dir,
                                                &generated, err, sizeof err);
    if (!app->tokens.control) {
        fprintf(stderr, "showcallerd: %s\n", err);
        free_early(app, &rundown);
        return 1;
    }
    if (app->config.view_token)
        app->tokens.view = rd_xstrdup(app->config.view_token);
    log_config(app);

    uv_loop_init(&app->loop);
    sc_timebase_init(&app->tb, &rundown);
    /* A show on another day is not an error (a rehearsal of tomorrow's), but
     * its times of day are on that day: say so, never a silent +137 hours. */
    int days = sc_timebase_days_from_today(&app->tb);
    if (rundown.has_date && !app->opts.demo && days != 0)
        sc_warn("the rundown is dated %04d-%02d-%02d, %d day%s %s: its times of day are on that "
                "date, so on_air and the hard starts are %s",
                rundown.year, rundown.month, rundown.day, days < 0 ? -days : days,
                days == 1 || days == -1 ? "" : "s", days < 0 ? "ago" : "from today",
                days < 0 ? "long past" : "days away");
    /* The web server first, while the loop holds nothing else: if it cannot
     * listen, it tears itself down by running the loop until lws's handles
     * have closed. The rest of its environment is filled in by wire_show,
     * before the loop runs. */
    app->server_env = (sc_server_env_t){.loop = &app->loop,
                                        .config = &app->config,
                                        .tokens = &app->tokens,
                                        .changed = changed,
                                        .ctx = app};
    app->server = sc_server_start(&app->server_env, app->config.http.host, app->config.http.port,
                                  app->opts.web_root, err, sizeof err);
    if (!app->server) {
        fprintf(stderr, "showcallerd: %s\n", err);
        uv_loop_close(&app->loop);
        free_early(app, &rundown);
        return 1;
    }
    uv_timer_init(&app->loop, &app->heartbeat);
    app->heartbeat.data = app;
    uv_timer_init(&app->loop, &app->push);
    app->push.data = app;
    uv_async_init(&app->loop, &app->clock_async, clock_async_cb);
    app->clock_async.data = app;
    uv_signal_init(&app->loop, &app->sigterm);
    uv_signal_init(&app->loop, &app->sigint);
    uv_signal_init(&app->loop, &app->sighup);
    app->sigterm.data = app->sigint.data = app->sighup.data = app;

    /* The as-run log, named by the show's date, and the queue where replies
     * wait for it. */
    snprintf(app->journal_name, sizeof app->journal_name, "asrun-%04d-%02d-%02d.jsonl",
             app->tb.year, app->tb.month, app->tb.day);
    int uverr = 0;
    app->asrun = sc_asrun_open(&app->loop, app->config.data_dir, app->journal_name, &uverr);
    if (!app->asrun) {
        snprintf(err, sizeof err, "cannot open the as-run log in %s: %s", app->config.data_dir,
                 uv_strerror(uverr));
        goto fail;
    }
    sc_ack_source_t src = {ack_last_seq, ack_is_durable, ack_last_error, app->asrun};
    app->acks = sc_ack_queue_new(&app->loop, &src);
    sc_asrun_on_durable(app->asrun, on_durable, app);

    bool realtime = opts->realtime || app->config.realtime;
    sc_clock_options_t copts = {.capacity = 8192,
                                .realtime = realtime,
                                .notify = clock_notify,
                                .notify_ctx = &app->clock_async};
    int cerr = 0;
    app->clock = sc_clock_start(&copts, &cerr);
    if (!app->clock) {
        snprintf(err, sizeof err, "cannot start the cue clock: %s", strerror(cerr));
        goto fail;
    }
    sc_clock_stats_t cst;
    sc_clock_stats(app->clock, &cst);
    sc_info("cue clock: SCHED_FIFO %s",
            !realtime      ? "off (ask with \"realtime\": true or --realtime)"
            : cst.realtime ? "granted"
                           : "asked for but not permitted here; a normal thread");

    if (!wire_show(app, &rundown, err, sizeof err))
        goto fail;
    sc_edit_env_t edit = {.loop = &app->loop,
                          .config = &app->config,
                          .engine = app->engine,
                          .tb = &app->tb,
                          .demo = app->opts.demo ? &app->demo : NULL,
                          .rundown_path = app->opts.rundown_path,
                          .data_dir = app->config.data_dir,
                          .reload = edit_reload,
                          .changed = changed,
                          .ctx = app};
    app->edit = sc_edit_new(&edit, err, sizeof err);
    if (!app->edit)
        goto fail;
    app->server_env.edit = edit_request;

    app->osc_in = sc_osc_in_start(&app->loop, app->config.osc.host, app->config.osc.port,
                                  (const char *const *)app->config.osc_allow,
                                  app->config.nosc_allow, app->config.commands_per_second,
                                  osc_dispatch, app, app->acks, err, sizeof err);
    if (!app->osc_in)
        goto fail_running;

    uv_signal_start(&app->sigterm, signal_cb, SIGTERM);
    uv_signal_start(&app->sigint, signal_cb, SIGINT);
    uv_signal_start(&app->sighup, signal_cb, SIGHUP);
    uv_timer_start(&app->heartbeat, heartbeat_cb, 1000, 1000);
    app->watch = sc_watch_start(&app->loop, app->opts.rundown_path, file_changed, app);

    /* With http.tls the server speaks only HTTPS, so only those URLs work. */
    const char *scheme = app->config.http_tls.cert ? "https" : "http";
    char url_host[128];
    snprintf(url_host, sizeof url_host, "%s",
             strcmp(app->config.http.host, "0.0.0.0") == 0 ? "127.0.0.1" : app->config.http.host);
    /* Resume where an earlier run of the same rundown left the show. */
    uint64_t hash = rundown_hash(app);
    char why[512];
    bool resumed = resume(app, hash, why, sizeof why);
    sc_info("%s", why);
    char hash_text[32];
    snprintf(hash_text, sizeof hash_text, "%016llx", (unsigned long long)hash);
    json_t *start = daemon_record(app, "start", resumed ? why : "showcallerd started");
    json_object_set_new(start, "rundown", json_string(app->opts.rundown_path));
    json_object_set_new(start, "rundown_hash", json_string(hash_text));
    json_object_set_new(start, "resumed", json_boolean(resumed));
    journal_record(app, start);
    sc_info("ready in %.1f ms: %s, %zu items", (double)(sc_mono_ns() - t_start) / 1e6,
            sc_engine_rundown(app->engine)->title, sc_engine_rundown(app->engine)->nitems);
    printf("showcallerd is running.\n"
           "  producer: %s://%s:%d/producer/?token=%s\n"
           "  editor:   %s://%s:%d/editor/?token=%s\n"
           "  stage:    %s://%s:%d/stage/\n"
           "  control token: %s%s\n"
           "  OSC commands: udp %s:%d (/showcaller/go ...)\n",
           scheme, url_host, app->config.http.port, app->tokens.control, scheme, url_host,
           app->config.http.port, app->tokens.control, scheme, url_host, app->config.http.port,
           app->tokens.control, generated ? " (generated, kept in data_dir/control_token)" : "",
           app->config.osc.host, app->config.osc.port);
    fflush(stdout);
    changed(app);
    rc = 0;
    goto run;

fail_running:
    fprintf(stderr, "showcallerd: %s\n", err);
    begin_shutdown(app, "start-up failed");
    rc = 1;
run:
    uv_run(&app->loop, UV_RUN_DEFAULT);
    if (app->server)
        sc_server_destroy(app->server); /* lws phase 2, outside the loop */
    uv_run(&app->loop, UV_RUN_DEFAULT);
    goto cleanup;

fail:
    fprintf(stderr, "showcallerd: %s\n", err);
    rc = 1;
    if (app->clock) {
        sc_clock_stop(app->clock);
        sc_report_t reps[64];
        while (sc_clock_poll(app->clock, reps, 64) > 0)
            ;
    }
    if (app->engine)
        sc_engine_close(app->engine);
    if (app->asrun)
        sc_asrun_on_durable(app->asrun, NULL, NULL);
    app->server_env.acks = NULL;
    if (app->acks)
        sc_ack_queue_close(app->acks);
    app->acks = NULL;
    if (app->asrun)
        sc_asrun_close(app->asrun, noop_done, NULL);
    uv_close((uv_handle_t *)&app->clock_async, NULL);
    uv_close((uv_handle_t *)&app->heartbeat, NULL);
    uv_close((uv_handle_t *)&app->push, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sighup, NULL);
    sc_server_destroy(app->server);
    uv_run(&app->loop, UV_RUN_DEFAULT);
    sc_server_destroy(app->server);
    rd_rundown_free(&rundown);

cleanup:
    sc_edit_free(app->edit);
    sc_state_free(app->state);
    sc_dispatch_free(app->dispatch);
    if (app->engine)
        sc_engine_free(app->engine);
    if (app->clock)
        sc_clock_free(app->clock);
    if (app->asrun)
        sc_asrun_free(app->asrun);
    sc_lock_release(app->lock);
    if (app->server)
        sc_server_free(app->server);
    for (size_t i = 0; app->targets && i < app->ntargets; i++)
        sc_target_free_stats(&app->targets[i]);
    free(app->targets);
    int closed = uv_loop_close(&app->loop);
    if (closed != 0) {
        uv_walk(&app->loop, walk_cb, NULL);
        sc_error("uv_loop_close: %s", uv_strerror(closed));
        rc = rc ? rc : 3;
    } else {
        sc_info("stopped cleanly");
    }
    free(app->tokens.control);
    free(app->tokens.view);
    rd_config_free(&app->config);
    free(app);
    return rc;
}
