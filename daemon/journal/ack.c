/* Acknowledgements: a reply to a command waits until every as-run record the command caused is
 * on disk. */
#include "ack.h"

#include <stdio.h>

#include "asrun.h"
#include "doors/osc_in.h"
#include "doors/server.h"

static bool seq_durable(void *ctx, uint64_t seq)
{
    const sc_app_t *app = ctx;
    return !app->asrun || sc_asrun_is_durable(app->asrun, seq);
}

/* Asks every door to release what is due; stops the deadline timer when
 * nothing is held any more. */
static void release(sc_app_t *app)
{
    if (app->shutting_down)
        return;
    size_t held = 0;
    if (app->server)
        held += sc_server_release_acks(app->server);
    if (app->osc_in) {
        char warning[200];
        sc_ack_warning(app, warning, sizeof warning);
        int64_t overdue_before =
            app->acks_flushing ? INT64_MAX : sc_mono_ns() - (int64_t)SC_ACK_MAX_WAIT_MS * 1000000;
        held += sc_osc_in_release_acks(app->osc_in, seq_durable, app, overdue_before, warning);
    }
    if (held == 0)
        uv_timer_stop(&app->ack_timer);
}

void sc_ack_on_durable(void *ctx, uint64_t seq)
{
    (void)seq;
    release(ctx);
}

static void tick(uv_timer_t *t)
{
    release(t->data);
}

void sc_ack_init(sc_app_t *app)
{
    uv_timer_init(&app->loop, &app->ack_timer);
    app->ack_timer.data = app;
}

void sc_ack_close(sc_app_t *app)
{
    if (app->asrun)
        sc_asrun_on_durable(app->asrun, NULL, NULL);
    uv_timer_stop(&app->ack_timer);
    uv_close((uv_handle_t *)&app->ack_timer, NULL);
}

uint64_t sc_ack_seq(const sc_app_t *app)
{
    return app->asrun ? sc_asrun_last_seq(app->asrun) : 0;
}

sc_ack_t sc_ack_check(const sc_app_t *app, uint64_t seq, int64_t parked_mono)
{
    if (!app->asrun || sc_asrun_is_durable(app->asrun, seq))
        return SC_ACK_DURABLE;
    if (app->acks_flushing)
        return SC_ACK_OVERDUE;
    if (sc_mono_ns() - parked_mono >= (int64_t)SC_ACK_MAX_WAIT_MS * 1000000)
        return SC_ACK_OVERDUE;
    return SC_ACK_WAIT;
}

void sc_ack_flush(sc_app_t *app)
{
    app->acks_flushing = true;
    release(app);
}

void sc_ack_parked(sc_app_t *app)
{
    if (!uv_is_active((uv_handle_t *)&app->ack_timer))
        uv_timer_start(&app->ack_timer, tick, SC_ACK_TICK_MS, SC_ACK_TICK_MS);
}

void sc_ack_warning(const sc_app_t *app, char *buf, size_t len)
{
    int err = app->asrun ? sc_asrun_last_error(app->asrun) : 0;
    if (app->acks_flushing)
        snprintf(buf, len,
                 "done, but the daemon is stopping before its as-run record was on disk; it "
                 "will be written on the way out if the disk allows");
    else
        snprintf(buf, len,
                 "done, but its as-run record was not on disk after %d ms%s%s; the log keeps "
                 "trying",
                 SC_ACK_MAX_WAIT_MS, err ? ": " : "", err ? uv_strerror(err) : "");
}

void sc_ack_annotate(const sc_app_t *app, json_t *reply, sc_ack_t state)
{
    json_object_set_new(reply, "durable", json_boolean(state == SC_ACK_DURABLE));
    if (state == SC_ACK_OVERDUE) {
        char warning[200];
        sc_ack_warning(app, warning, sizeof warning);
        json_object_set_new(reply, "warning", json_string(warning));
    }
}
