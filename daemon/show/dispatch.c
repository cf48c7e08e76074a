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
#include "refusals.h"
#include "xalloc.h"

struct sc_dispatch {
    sc_dispatch_env_t env;
    sc_message_t message;
    int64_t last_go_mono; /* for go_guard; 0 = none yet */
    uv_timer_t expire;    /* a timed message clears itself */
    bool has_timer;
    sc_refusals_t *refusals;
};

/* An interval in which refusals were only counted has ended: one line, one
 * record for all of them. */
static void refusals_summary(void *ctx, const sc_refusal_summary_t *s)
{
    sc_dispatch_t *d = ctx;
    char words[200];
    sc_refusals_describe(s, "refused", words, sizeof words);
    sc_warn("%s", words);
    if (!d->env.record)
        return;
    json_t *rec =
        sc_record_daemon(sc_wall_ns(), sc_engine_rehearsal(d->env.engine), "refusals", words);
    json_object_set_new(rec, "refused", json_integer((json_int_t)s->refused));
    json_object_set_new(rec, "told", json_integer((json_int_t)s->told));
    json_object_set_new(rec, "sources", json_integer((json_int_t)s->sources));
    json_object_set_new(rec, "more_sources", json_boolean(s->more_sources));
    json_object_set_new(rec, "interval_ms", json_integer((json_int_t)(s->interval_ns / 1000000)));
    d->env.record(d->env.ctx, rec);
}

sc_dispatch_t *sc_dispatch_new(const sc_dispatch_env_t *env)
{
    sc_dispatch_t *d = rd_xcalloc(1, sizeof *d);
    d->env = *env;
    if (env->loop) {
        uv_timer_init(env->loop, &d->expire);
        d->expire.data = d;
        d->has_timer = true;
    }
    /* Refusals are told in full (record and log line) once per source every
     * 2 s, at most 16 of them from all sources; the rest are counted and
     * summarised (refusals.h). */
    d->refusals =
        sc_refusals_new(env->loop, SC_REFUSALS_INTERVAL_NS, SC_REFUSALS_TOLD, refusals_summary, d);
    return d;
}

void sc_dispatch_close(sc_dispatch_t *d)
{
    if (d) {
        sc_refusals_free(d->refusals); /* the last summary, while the journal is open */
        d->refusals = NULL;
    }
    if (d && d->has_timer) {
        uv_timer_stop(&d->expire);
        uv_close((uv_handle_t *)&d->expire, NULL);
        d->has_timer = false;
    }
}

void sc_dispatch_free(sc_dispatch_t *d)
{
    if (d)
        sc_refusals_free(d->refusals); /* when never closed */
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

/* A refusal through the gate: told, its record (args owned; NULL for none)
 * and a log line, and the record's seq; only counted, 0. */
static uint64_t refusal(sc_dispatch_t *d, sc_door_t door, const char *source, const char *what,
                        json_t *args, const sc_result_t *r)
{
    if (!d->refusals || !sc_refusals_tell(d->refusals, source, sc_mono_ns())) {
        json_decref(args);
        return 0; /* counted, for the summary */
    }
    uint64_t seq = 0;
    if (d->env.record)
        seq = d->env.record(d->env.ctx,
                            sc_record_command(sc_wall_ns(), sc_engine_rehearsal(d->env.engine),
                                              what, args, sc_door_name(door), source, false,
                                              r->code, r->message));
    else
        json_decref(args);
    sc_warn("refused %s from %s %s: %s", what, sc_door_name(door), source, r->message);
    return seq;
}

uint64_t sc_dispatch_refused(sc_dispatch_t *d, sc_door_t door, const char *source, const char *what,
                             const sc_result_t *r)
{
    return refusal(d, door, source, what, NULL, r);
}

uint64_t sc_dispatch_run(sc_dispatch_t *d, const sc_command_t *cmd, bool allowed, sc_result_t *r)
{
    sc_result_ok(r);
    if (!allowed) {
        if (cmd->door == SC_DOOR_OSC)
            sc_result_error(r, SC_ERR_UNAUTHORIZED, "OSC control is accepted only from osc.allow");
        else
            sc_result_error(r, SC_ERR_UNAUTHORIZED, "control needs the control token");
        return refusal(d, cmd->door, cmd->source, sc_command_name(cmd->id),
                       sc_command_args_json(cmd), r);
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
