/* The dispatcher: every command from every door runs here, is checked, logged, and changes the
 * show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "journal/asrun.h"
#include "journal/asrun_record.h"
#include "engine.h"
#include "load.h"
#include "log.h"
#include "doors/osc_in.h"
#include "parse.h"
#include "journal/resume.h"
#include "doors/server.h"

static uint64_t log_command(sc_app_t *app, const sc_command_t *cmd, const sc_result_t *r)
{
    if (!app->asrun)
        return 0;
    json_t *rec = sc_app_record(app, "command");
    json_object_set_new(rec, "cmd", json_string(sc_command_name(cmd->id)));
    json_object_set_new(rec, "args", sc_command_args_json(cmd));
    json_object_set_new(rec, "door", json_string(sc_door_name(cmd->door)));
    json_object_set_new(rec, "source", json_string(cmd->source));
    json_object_set_new(rec, "ok", json_boolean(r->ok));
    json_object_set_new(rec, "error", r->ok ? json_null() : sc_error_json(r->code, r->message));
    return sc_asrun_append(app->asrun, rec);
}

uint64_t sc_app_dispatch(sc_app_t *app, const sc_command_t *cmd, bool allowed, sc_result_t *r)
{
    sc_result_ok(r);
    if (!allowed) {
        if (cmd->door == SC_DOOR_OSC)
            sc_result_error(r, "unauthorized", "OSC control is accepted only from osc.allow");
        else
            sc_result_error(r, "unauthorized", "control needs the control token");
        uint64_t seq = log_command(app, cmd, r);
        sc_warn("refused %s from %s %s: %s", sc_command_name(cmd->id), sc_door_name(cmd->door),
                cmd->source, r->message);
        return seq;
    }
    switch (cmd->id) {
    case SC_CMD_GO: {
        /* The double-tap that ruins shows: a second GO too soon is refused. */
        int64_t now = sc_mono_ns();
        int64_t since = now - app->last_go_mono;
        if (app->last_go_mono && since < app->config.go_guard_ns) {
            sc_result_error(r, "go_guard",
                            "GO refused: %.3f s after the previous GO (go_guard is %.3f s)",
                            (double)since / 1e9, (double)app->config.go_guard_ns / 1e9);
            break;
        }
        sc_engine_command(app->engine, cmd, r);
        if (r->ok)
            app->last_go_mono = now;
        break;
    }
    case SC_CMD_MESSAGE:
        snprintf(app->message, sizeof app->message, "%s", cmd->text);
        snprintf(app->message_color, sizeof app->message_color, "%s", cmd->color);
        app->message_since_ms = sc_wall_ns() / 1000000;
        break;
    case SC_CMD_CLEAR_MESSAGE:
        app->message[0] = '\0';
        app->message_color[0] = '\0';
        break;
    case SC_CMD_REHEARSAL:
        app->rehearsal = cmd->on;
        sc_engine_command(app->engine, cmd, r);
        break;
    case SC_CMD_RELOAD:
        sc_app_reload(app, r);
        break;
    default:
        sc_engine_command(app->engine, cmd, r);
        break;
    }
    uint64_t seq = log_command(app, cmd, r);
    if (!r->ok)
        sc_info("%s from %s %s: %s (%s)", sc_command_name(cmd->id), sc_door_name(cmd->door),
                cmd->source, r->message, r->code);
    sc_app_changed(app);
    return seq;
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether two configs differ in what only a restart can change: the
 * listening addresses and TLS, the data directory, the targets, the limits
 * and realtime. */
static bool needs_restart(const rd_config_t *a, const rd_config_t *b)
{
    if (strcmp(a->http.host, b->http.host) || a->http.port != b->http.port ||
        strcmp(a->osc.host, b->osc.host) || a->osc.port != b->osc.port ||
        strcmp(a->data_dir, b->data_dir) || a->ntargets != b->ntargets ||
        a->nosc_allow != b->nosc_allow || a->max_clients != b->max_clients ||
        a->max_message_bytes != b->max_message_bytes ||
        a->commands_per_second != b->commands_per_second || a->realtime != b->realtime ||
        !same_str(a->http_tls.cert, b->http_tls.cert) ||
        !same_str(a->http_tls.key, b->http_tls.key))
        return true;
    for (size_t i = 0; i < a->nosc_allow; i++)
        if (strcmp(a->osc_allow[i], b->osc_allow[i]))
            return true;
    for (size_t i = 0; i < a->ntargets; i++) {
        const rd_target_t *x = &a->targets[i], *y = &b->targets[i];
        if (strcmp(x->name, y->name) || strcmp(x->url, y->url) || x->latency_ns != y->latency_ns ||
            x->framing != y->framing)
            return true;
    }
    return false;
}

/* Applies a re-read config: what can change live (go_guard, tokens) changes
 * now; the rest is reported as needing a restart. */
static void apply_config(sc_app_t *app, const rd_config_t *next)
{
    app->config.go_guard_ns = next->go_guard_ns;
    if (next->control_token) {
        free(app->control_token);
        app->control_token = strdup(next->control_token);
    }
    free(app->view_token);
    app->view_token = next->view_token ? strdup(next->view_token) : NULL;
    if (needs_restart(&app->config, next))
        sc_warn("reload: %s changes listening addresses, http.tls, data_dir, osc.allow, targets, "
                "limits or realtime; those take effect at the next start",
                app->opts.config_path);
}

void sc_app_reload(sc_app_t *app, sc_result_t *r)
{
    rd_diags_t d = {0};
    rd_rundown_t next;
    rd_config_t next_config = {0};
    bool config_ok =
        !app->opts.config_path || sc_load_config(app->opts.config_path, &next_config, &d);
    bool ok = sc_load_rundown(app->opts.rundown_path, &next, &d) && config_ok;
    d.file = app->opts.rundown_path;
    ok = rd_rundown_link(&next, &app->config, &d) && ok;
    if (!ok) {
        /* The running show stays; the producer sees every error. */
        json_t *errors = json_array();
        for (size_t i = 0; i < d.count; i++) {
            char *line = rd_diag_format(&d.items[i]);
            if (d.items[i].severity == RD_ERROR) {
                sc_error("reload: %s", line);
                json_array_append_new(errors, json_string(line));
            }
            free(line);
        }
        sc_result_error(r, "reload_failed", "%zu error%s in %s%s%s; the show continues unchanged",
                        d.errors, d.errors == 1 ? "" : "s", app->opts.rundown_path,
                        config_ok ? "" : " or ", config_ok ? "" : app->opts.config_path);
        json_t *note = json_object();
        json_object_set_new(note, "type", json_string("reload_failed"));
        json_object_set_new(note, "errors", errors);
        char *text = json_dumps(note, JSON_COMPACT);
        if (app->server && text)
            sc_server_notify_control(app->server, text, strlen(text));
        free(text);
        json_decref(note);
        rd_rundown_free(&next);
        rd_config_free(&next_config);
        rd_diags_free(&d);
        return;
    }
    rd_diags_free(&d);
    if (!sc_engine_replace(app->engine, &next, r)) {
        rd_rundown_free(&next);
        rd_config_free(&next_config);
        return;
    }
    if (app->opts.config_path)
        apply_config(app, &next_config);
    rd_config_free(&next_config);
    /* A resume after a restart must know the rundown changed here. */
    if (app->asrun) {
        char hash[32];
        snprintf(hash, sizeof hash, "%016llx",
                 (unsigned long long)sc_resume_hash(app->opts.rundown_path));
        json_t *rec = sc_app_daemon_record(app, "reload", app->opts.rundown_path);
        json_object_set_new(rec, "rundown_hash", json_string(hash));
        sc_asrun_append(app->asrun, rec);
    }
    sc_info("reloaded %s", app->opts.rundown_path);
}
