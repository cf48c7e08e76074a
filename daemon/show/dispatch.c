/* The dispatcher: every command from every door runs here, is checked, logged, and changes the
 * show. */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/cue_clock.h"
#include "clock/timebase.h"
#include "journal/asrun_record.h"
#include "log.h"
#include "xalloc.h"

struct sc_dispatch {
    sc_dispatch_env_t env;
    sc_message_t message;
    int64_t last_go_mono; /* for go_guard; 0 = none yet */
    uv_timer_t expire;    /* a timed message clears itself */
    bool has_timer;
};

sc_dispatch_t *sc_dispatch_new(const sc_dispatch_env_t *env)
{
    sc_dispatch_t *d = rd_xcalloc(1, sizeof *d);
    d->env = *env;
    if (env->loop) {
        uv_timer_init(env->loop, &d->expire);
        d->expire.data = d;
        d->has_timer = true;
    }
    return d;
}

void sc_dispatch_close(sc_dispatch_t *d)
{
    if (d && d->has_timer) {
        uv_timer_stop(&d->expire);
        uv_close((uv_handle_t *)&d->expire, NULL);
        d->has_timer = false;
    }
}

void sc_dispatch_free(sc_dispatch_t *d)
{
    free(d);
}

static void changed(sc_dispatch_t *d)
{
    if (d->env.changed)
        d->env.changed(d->env.ctx);
}

/* A timed message's time is up: it goes from every screen. Not a command,
 * so not logged: a resume sees from the message's record when it ends. */
static void expired(uv_timer_t *t)
{
    sc_dispatch_t *d = t->data;
    memset(&d->message, 0, sizeof d->message);
    sc_info("the stage message cleared itself");
    changed(d);
}

const sc_message_t *sc_dispatch_message(const sc_dispatch_t *d)
{
    return &d->message;
}

void sc_dispatch_set_message(sc_dispatch_t *d, const char *text, const char *color,
                             int64_t since_ms, int64_t until_ms)
{
    snprintf(d->message.text, sizeof d->message.text, "%s", text ? text : "");
    snprintf(d->message.color, sizeof d->message.color, "%s", color ? color : "");
    d->message.since_ms = since_ms;
    d->message.until_ms = text && text[0] ? until_ms : 0;
    if (!d->has_timer)
        return;
    uv_timer_stop(&d->expire);
    if (d->message.until_ms) {
        int64_t left = d->message.until_ms - sc_wall_ns() / 1000000;
        uv_timer_start(&d->expire, expired, left > 0 ? (uint64_t)left : 0, 0);
    }
}

static uint64_t log_command(sc_dispatch_t *d, const sc_command_t *cmd, const sc_result_t *r)
{
    if (!d->env.record)
        return 0;
    json_t *rec =
        sc_record_command(sc_wall_ns(), sc_engine_rehearsal(d->env.engine),
                          sc_command_name(cmd->id), sc_command_args_json(cmd),
                          sc_door_name(cmd->door), cmd->source, r->ok, r->code, r->message);
    return d->env.record(d->env.ctx, rec);
}

uint64_t sc_dispatch_run(sc_dispatch_t *d, const sc_command_t *cmd, bool allowed, sc_result_t *r)
{
    sc_result_ok(r);
    if (!allowed) {
        if (cmd->door == SC_DOOR_OSC)
            sc_result_error(r, SC_ERR_UNAUTHORIZED, "OSC control is accepted only from osc.allow");
        else
            sc_result_error(r, SC_ERR_UNAUTHORIZED, "control needs the control token");
        uint64_t seq = log_command(d, cmd, r);
        sc_warn("refused %s from %s %s: %s", sc_command_name(cmd->id), sc_door_name(cmd->door),
                cmd->source, r->message);
        return seq;
    }
    switch (cmd->id) {
    case SC_CMD_GO: {
        /* The double-tap that ruins shows: a second GO too soon is refused. */
        int64_t now = sc_mono_ns();
        int64_t since = now - d->last_go_mono;
        if (d->last_go_mono && since < d->env.config->go_guard_ns) {
            sc_result_error(r, SC_ERR_GO_GUARD,
                            "GO refused: %.3f s after the previous GO (go_guard is %.3f s)",
                            (double)since / 1e9, (double)d->env.config->go_guard_ns / 1e9);
            break;
        }
        sc_engine_command(d->env.engine, cmd, r);
        if (r->ok)
            d->last_go_mono = now;
        break;
    }
    case SC_CMD_MESSAGE: {
        int64_t now_ms = sc_wall_ns() / 1000000;
        sc_dispatch_set_message(d, cmd->text, cmd->color, now_ms,
                                cmd->duration_ns ? now_ms + cmd->duration_ns / 1000000 : 0);
        break;
    }
    case SC_CMD_CLEAR_MESSAGE:
        sc_dispatch_set_message(d, "", "", 0, 0);
        break;
    case SC_CMD_RELOAD:
        if (d->env.reload)
            d->env.reload(d->env.ctx, r);
        else
            sc_result_error(r, SC_ERR_BAD_COMMAND, "reload is not possible here");
        break;
    default:
        sc_engine_command(d->env.engine, cmd, r);
        break;
    }
    uint64_t seq = log_command(d, cmd, r);
    if (!r->ok)
        sc_info("%s from %s %s: %s (%s)", sc_command_name(cmd->id), sc_door_name(cmd->door),
                cmd->source, r->message, r->code);
    changed(d);
    return seq;
}
