/* The daemon's life: start-up in order, one loop, and shutdown in libwebsockets' documented order.
 */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "journal/ack.h"
#include "journal/asrun.h"
#include "journal/asrun_record.h"
#include "doors/auth.h"
#include "show/engine.h"
#include "load.h"
#include "log.h"
#include "doors/osc_in.h"
#include "parse.h"
#include "journal/resume.h"
#include "doors/server.h"
#include "tls.h"
#include "xalloc.h"

/* ---- State push ------------------------------------------------------------ */

static json_t *targets_json(sc_app_t *app)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < app->noutputs; i++) {
        const sc_output_t *o = &app->outputs[i];
        json_t *t = json_object();
        json_object_set_new(t, "name", json_string(o->target->name));
        json_object_set_new(t, "kind", json_string(rd_target_kind_name(o->target->kind)));
        json_object_set_new(t, "url", json_string(o->target->url));
        json_object_set_new(t, "state", json_string(sc_out_state_name(o->state)));
        json_object_set_new(t, "error",
                            o->last_error[0] ? json_string(o->last_error) : json_null());
        json_object_set_new(t, "latency_ms", json_integer(o->target->latency_ns / RD_NS_PER_MS));
        json_object_set_new(t, "sent", json_integer((json_int_t)o->sent));
        json_object_set_new(t, "failed", json_integer((json_int_t)o->failed));
        json_array_append_new(arr, t);
    }
    return arr;
}

json_t *sc_app_state_json(sc_app_t *app, bool with_items)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("state"));
    json_object_set_new(o, "seq", json_integer((json_int_t)++app->state_seq));
    json_object_set_new(o, "server_time", json_real((double)sc_wall_ns() / 1e6));
    if (app->engine)
        sc_engine_state(app->engine, o, with_items);
    if (app->message[0]) {
        json_t *m = json_object();
        json_object_set_new(m, "text", json_string(app->message));
        json_object_set_new(m, "color",
                            app->message_color[0] ? json_string(app->message_color) : json_null());
        json_object_set_new(m, "since", json_integer(app->message_since_ms));
        json_object_set_new(o, "message", m);
    } else {
        json_object_set_new(o, "message", json_null());
    }
    json_object_set_new(o, "targets", targets_json(app));
    json_object_set_new(o, "clients",
                        json_integer(app->server ? (json_int_t)sc_server_clients(app->server) : 0));
    return o;
}

static void push_cb(uv_timer_t *t)
{
    sc_app_t *app = t->data;
    app->push_pending = false;
    if (app->shutting_down || !app->server)
        return;
    app->last_push_mono = sc_mono_ns();
    /* Nobody watching: nothing to serialize (the heartbeat comes back). */
    bool screens = sc_server_clients(app->server) > 0;
    /* The head is built fresh; the long "items" array is spliced in from
     * the engine's cache. */
    json_t *st = screens ? sc_app_state_json(app, false) : NULL;
    char *head = st ? json_dumps(st, JSON_COMPACT) : NULL;
    json_decref(st);
    if (head) {
        size_t hlen = strlen(head), ilen = 0;
        const char *items = app->engine ? sc_engine_items_text(app->engine, &ilen) : "[]";
        if (!app->engine)
            ilen = 2;
        char *text = rd_xcalloc(hlen + ilen + 16, 1);
        memcpy(text, head, hlen - 1); /* without the closing brace */
        size_t n = hlen - 1;
        memcpy(text + n, ",\"items\":", 9);
        n += 9;
        memcpy(text + n, items, ilen);
        n += ilen;
        text[n++] = '}';
        sc_server_push_state(app->server, text, n);
        free(text);
        free(head);
    }
    /* Companion and Stream Deck get the running item by OSC. */
    if (app->osc_in && app->engine) {
        const rd_show_t *s = sc_engine_show(app->engine);
        const rd_rundown_t *r = sc_engine_rundown(app->engine);
        static const char *names[] = {"idle", "running", "holding", "ended"};
        bool running =
            s->current >= 0 && (s->state == RD_SHOW_RUNNING || s->state == RD_SHOW_HOLDING);
        int next = rd_show_next(s);
        double remaining = 0;
        if (running)
            remaining =
                (double)(rd_show_current_end(s, sc_show_now(&app->tb)) - sc_show_now(&app->tb)) /
                1e9;
        sc_osc_in_feedback(app->osc_in, names[s->state], running ? r->items[s->current].id : "",
                           running ? r->items[s->current].title : "", remaining,
                           next >= 0 ? r->items[next].id : "");
    }
}

/* A change is pushed at once, but never more than once per PUSH_MIN_GAP:
 * a burst of cue reports then costs the loop one serialization, and the
 * writes to 200 screens cannot crowd out the cues and commands. */
#define PUSH_MIN_GAP_MS 20

void sc_app_changed(sc_app_t *app)
{
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
        if (app->asrun) {
            char msg[128];
            snprintf(msg, sizeof msg, "wall clock stepped by %+.3f s", (double)step / 1e9);
            sc_asrun_append(app->asrun, sc_app_daemon_record(app, "clock_step", msg));
        }
    }
    sc_app_changed(app);
}

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

/* ---- Doors ------------------------------------------------------------------- */

/* The OSC door holds the reply while the command's records are not on disk
 * (ack.h). */
static uint64_t osc_dispatch(void *ctx, const sc_command_t *cmd, bool allowed, sc_result_t *r)
{
    sc_app_t *app = ctx;
    sc_app_dispatch(app, cmd, allowed, r);
    uint64_t wait = sc_ack_seq(app);
    if (sc_ack_check(app, wait, sc_mono_ns()) != SC_ACK_WAIT)
        return 0;
    sc_ack_parked(app);
    return wait;
}

/* ---- Shutdown ---------------------------------------------------------------- */

json_t *sc_app_record(const sc_app_t *app, const char *kind)
{
    char wall[40];
    sc_iso8601(sc_wall_ns(), wall, sizeof wall);
    json_t *rec = json_object();
    json_object_set_new(rec, "kind", json_string(kind));
    json_object_set_new(rec, "wall", json_string(wall));
    json_object_set_new(rec, "rehearsal", json_boolean(app->rehearsal));
    return rec;
}

json_t *sc_app_daemon_record(const sc_app_t *app, const char *event, const char *message)
{
    json_t *rec = sc_app_record(app, "daemon");
    json_object_set_new(rec, "event", json_string(event));
    json_object_set_new(rec, "message", json_string(message));
    return rec;
}

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
    if (app->clock) {
        sc_clock_stop(app->clock);
        /* What was still armed comes back cancelled: the show is stopping. */
        sc_report_t reps[64];
        while (sc_clock_poll(app->clock, reps, 64) > 0)
            ;
    }
    if (app->asrun)
        sc_asrun_append(app->asrun, sc_app_daemon_record(app, "stop", "showcallerd stopped"));
    for (size_t i = 0; i < app->noutputs; i++)
        if (app->outputs[i].ops)
            app->outputs[i].ops->close(&app->outputs[i]);
    if (app->osc_in)
        sc_osc_in_close(app->osc_in, noop_done, NULL);
    sc_ack_close(app);
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
    if (app->watching) {
        uv_fs_event_stop(&app->watch);
        uv_close((uv_handle_t *)&app->watch, NULL);
        uv_timer_stop(&app->watch_settle);
        uv_close((uv_handle_t *)&app->watch_settle, NULL);
        app->watching = false;
    }
}

static void begin_shutdown(sc_app_t *app, const char *why)
{
    if (app->shutting_down)
        return;
    sc_info("stopping (%s)", why);
    sc_ack_flush(app); /* replies waiting for the as-run log go out first */
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
        sc_command_t c;
        memset(&c, 0, sizeof c);
        c.id = SC_CMD_RELOAD;
        c.door = SC_DOOR_SIGNAL;
        snprintf(c.source, sizeof c.source, "SIGHUP");
        sc_result_t r;
        sc_app_dispatch(app, &c, true, &r);
        return;
    }
    begin_shutdown(app, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* ---- Live edits ---------------------------------------------------------------- */

/* Editors write a file in several steps (or replace it by rename): wait for
 * it to settle, then reload as if the producer had asked. A file that fails
 * validation leaves the show untouched, like any reload. */
static void watch_settled(uv_timer_t *t)
{
    sc_app_t *app = t->data;
    if (app->shutting_down)
        return;
    sc_command_t c;
    memset(&c, 0, sizeof c);
    c.id = SC_CMD_RELOAD;
    c.door = SC_DOOR_FILE;
    snprintf(c.source, sizeof c.source, "%.60s", app->opts.rundown_path);
    sc_result_t r;
    sc_app_dispatch(app, &c, true, &r);
}

static void watch_cb(uv_fs_event_t *h, const char *filename, int events, int status)
{
    (void)events;
    sc_app_t *app = h->data;
    const char *base = strrchr(app->opts.rundown_path, '/');
    base = base ? base + 1 : app->opts.rundown_path;
    if (status < 0 || !filename || strcmp(filename, base) != 0)
        return;
    uv_timer_start(&app->watch_settle, watch_settled, 200, 0);
}

/* Watches the directory, not the file: an editor that saves by rename
 * replaces the file we would be watching. */
static void start_watch(sc_app_t *app)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", app->opts.rundown_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    uv_fs_event_init(&app->loop, &app->watch);
    app->watch.data = app;
    uv_timer_init(&app->loop, &app->watch_settle);
    app->watch_settle.data = app;
    app->watching = true;
    int rc = uv_fs_event_start(&app->watch, watch_cb, dir, 0);
    if (rc < 0)
        sc_warn("cannot watch %s for edits: %s (SIGHUP or reload still work)", dir,
                uv_strerror(rc));
}

static void walk_cb(uv_handle_t *h, void *arg)
{
    (void)arg;
    sc_error("left open at exit: a uv %s handle", uv_handle_type_name(uv_handle_get_type(h)));
}

/* ---- Resume ------------------------------------------------------------------ */

/* A record of the show being resumed: the show's go to the engine, the stage
 * message stays here. */
static void resume_record(void *ctx, const sc_record_t *rec)
{
    sc_app_t *app = ctx;
    switch (rec->kind) {
    case SC_REC_SHOW:
        sc_engine_replay(app->engine, &rec->show);
        break;
    case SC_REC_MESSAGE:
        snprintf(app->message, sizeof app->message, "%s", rec->text);
        snprintf(app->message_color, sizeof app->message_color, "%s", rec->color);
        app->message_since_ms = rec->wall_ns / 1000000;
        break;
    case SC_REC_CLEAR_MESSAGE:
        app->message[0] = app->message_color[0] = '\0';
        break;
    default:
        break;
    }
}

/* Resumes where an earlier run of the same rundown left the show (journal/resume.h). */
static bool resume(sc_app_t *app, uint64_t hash, char *why, size_t len)
{
    size_t n = 0;
    char *text = sc_asrun_json_text(app->asrun, &n);
    sc_resume_result_t res;
    bool ok = sc_resume_replay(text, n, hash, sc_engine_rundown(app->engine),
                               app->tb.midnight_wall_ns, resume_record, app, &res);
    free(text);
    if (!ok) {
        snprintf(why, len, "%s", res.why);
        return false;
    }
    /* Hard starts that came while the daemon was down happened at their
     * time; their cues were missed, not fired late. */
    sc_engine_resumed(app->engine, res.last_wall_ns - app->tb.midnight_wall_ns);
    const rd_show_t *after = sc_engine_show(app->engine);
    app->rehearsal = after->rehearsal;
    snprintf(why, len, "%s: %s%s", res.why,
             after->current >= 0 ? sc_engine_rundown(app->engine)->items[after->current].id
                                 : "nothing",
             rd_show_is_running(after) ? " is running" : " ran last");
    return true;
}

/* ---- Start-up ---------------------------------------------------------------- */

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
            c->ntargets, c->ntargets == 1 ? "" : "s", app->view_token ? "set" : "none");
    if (c->http_tls.cert)
        sc_info("http: TLS only (https://, wss://), cert %s, key %s", c->http_tls.cert,
                c->http_tls.key);
    for (size_t i = 0; i < c->ntargets; i++)
        sc_info("target %s: %s, latency %.3f ms", c->targets[i].name, c->targets[i].url,
                (double)c->targets[i].latency_ns / 1e6);
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
        rd_rundown_free(&rundown);
        rd_config_free(&app->config);
        free(app);
        return 1;
    }
    bool generated = false;
    mkdir(app->config.data_dir, 0755);
    app->control_token = sc_auth_control_token(app->config.control_token, app->config.data_dir,
                                               &generated, err, sizeof err);
    if (!app->control_token) {
        fprintf(stderr, "showcallerd: %s\n", err);
        rd_rundown_free(&rundown);
        rd_config_free(&app->config);
        free(app);
        return 1;
    }
    if (app->config.view_token)
        app->view_token = rd_xstrdup(app->config.view_token);
    log_config(app);

    uv_loop_init(&app->loop);
    sc_timebase_init(&app->tb, &rundown);
    /* The web server first, while the loop holds nothing else: if it cannot
     * listen, it tears itself down by running the loop until lws's handles
     * have closed. */
    app->server = sc_server_start(app, app->config.http.host, app->config.http.port,
                                  app->opts.web_root, err, sizeof err);
    if (!app->server) {
        fprintf(stderr, "showcallerd: %s\n", err);
        uv_loop_close(&app->loop);
        rd_rundown_free(&rundown);
        free(app->control_token);
        free(app->view_token);
        rd_config_free(&app->config);
        free(app);
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
    sc_ack_init(app);

    /* The as-run log, named by the show's date. */
    char name[64];
    snprintf(name, sizeof name, "asrun-%04d-%02d-%02d.jsonl", app->tb.year, app->tb.month,
             app->tb.day);
    int uverr = 0;
    app->asrun = sc_asrun_open(&app->loop, app->config.data_dir, name, &uverr);
    if (!app->asrun) {
        snprintf(err, sizeof err, "cannot open the as-run log in %s: %s", app->config.data_dir,
                 uv_strerror(uverr));
        goto fail;
    }
    sc_asrun_on_durable(app->asrun, sc_ack_on_durable, app); /* replies wait for it (ack.h) */

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

    app->noutputs = app->config.ntargets;
    app->outputs = rd_xcalloc(app->noutputs + 1, sizeof *app->outputs);
    for (size_t i = 0; i < app->noutputs; i++) {
        sc_output_t *o = &app->outputs[i];
        o->app = app;
        o->target = &app->config.targets[i];
        o->index = (int)i;
        o->fd = -1;
        o->ops = sc_output_ops_for(o->target->kind);
    }
    /* The engine before the outputs: a websocket target may report at once. */
    app->engine = sc_engine_new(app, &rundown);
    for (size_t i = 0; i < app->noutputs; i++)
        app->outputs[i].ops->open(&app->outputs[i]);

    app->osc_in =
        sc_osc_in_start(&app->loop, app->config.osc.host, app->config.osc.port,
                        (const char *const *)app->config.osc_allow, app->config.nosc_allow,
                        app->config.commands_per_second, osc_dispatch, app, err, sizeof err);
    if (!app->osc_in)
        goto fail_running;

    uv_signal_start(&app->sigterm, signal_cb, SIGTERM);
    uv_signal_start(&app->sigint, signal_cb, SIGINT);
    uv_signal_start(&app->sighup, signal_cb, SIGHUP);
    uv_timer_start(&app->heartbeat, heartbeat_cb, 1000, 1000);
    start_watch(app);

    /* With http.tls the server speaks only HTTPS, so only those URLs work. */
    const char *scheme = app->config.http_tls.cert ? "https" : "http";
    char url_host[128];
    snprintf(url_host, sizeof url_host, "%s",
             strcmp(app->config.http.host, "0.0.0.0") == 0 ? "127.0.0.1" : app->config.http.host);
    /* Resume where an earlier run of the same rundown left the show. */
    uint64_t hash = sc_resume_hash(app->opts.rundown_path);
    char why[256];
    bool resumed = resume(app, hash, why, sizeof why);
    sc_info("%s", why);
    char hash_text[32];
    snprintf(hash_text, sizeof hash_text, "%016llx", (unsigned long long)hash);
    if (app->asrun) {
        json_t *start = sc_app_daemon_record(app, "start", resumed ? why : "showcallerd started");
        json_object_set_new(start, "rundown", json_string(app->opts.rundown_path));
        json_object_set_new(start, "rundown_hash", json_string(hash_text));
        json_object_set_new(start, "resumed", json_boolean(resumed));
        sc_asrun_append(app->asrun, start);
    }
    sc_info("ready in %.1f ms: %s, %zu items", (double)(sc_mono_ns() - t_start) / 1e6,
            sc_engine_rundown(app->engine)->title, sc_engine_rundown(app->engine)->nitems);
    printf("showcallerd is running.\n"
           "  producer: %s://%s:%d/producer/?token=%s\n"
           "  stage:    %s://%s:%d/stage/\n"
           "  control token: %s%s\n"
           "  OSC commands: udp %s:%d (/showcaller/go ...)\n",
           scheme, url_host, app->config.http.port, app->control_token, scheme, url_host,
           app->config.http.port, app->control_token,
           generated ? " (generated, kept in data_dir/control_token)" : "", app->config.osc.host,
           app->config.osc.port);
    fflush(stdout);
    sc_app_changed(app);
    rc = 0;
    goto run;

fail_running:
    app->exit_code = 1;
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
    sc_ack_close(app);
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
    if (app->engine)
        sc_engine_free(app->engine);
    if (app->clock)
        sc_clock_free(app->clock);
    if (app->asrun)
        sc_asrun_free(app->asrun);
    if (app->server)
        sc_server_free(app->server);
    free(app->outputs);
    int closed = uv_loop_close(&app->loop);
    if (closed != 0) {
        uv_walk(&app->loop, walk_cb, NULL);
        sc_error("uv_loop_close: %s", uv_strerror(closed));
        rc = rc ? rc : 3;
    } else {
        sc_info("stopped cleanly");
    }
    free(app->control_token);
    free(app->view_token);
    rd_config_free(&app->config);
    free(app);
    return rc;
}
