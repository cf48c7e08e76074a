/* Outputs: the registry of target kinds and what every kind shares. */
#include "target.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "show/engine.h"
#include "log.h"

const char *sc_out_state_name(sc_out_state_t s)
{
    switch (s) {
    case SC_OUT_READY:
        return "ready";
    case SC_OUT_CONNECTING:
        return "connecting";
    case SC_OUT_CONNECTED:
        return "connected";
    case SC_OUT_DOWN:
        return "down";
    }
    return "?";
}

const sc_output_ops_t *sc_output_ops_for(rd_target_kind_t kind)
{
    switch (kind) {
    case RD_TARGET_OSC_UDP:
        return &sc_out_osc_udp;
    case RD_TARGET_OSC_TCP:
        return &sc_out_osc_tcp;
    case RD_TARGET_WS:
        return &sc_out_ws;
    }
    return NULL;
}

void sc_output_set_state(sc_output_t *o, sc_out_state_t s, const char *error)
{
    /* Log what an engineer needs: connected, ready, or down with a new
     * reason; not every retry of a device that stays down. */
    bool news = (s == SC_OUT_CONNECTED || s == SC_OUT_READY) ? o->state != s
                : s == SC_OUT_DOWN ? (error && strcmp(error, o->last_error) != 0)
                                   : false;
    o->state = s;
    if (error)
        snprintf(o->last_error, sizeof o->last_error, "%s", error);
    else if (s == SC_OUT_CONNECTED || s == SC_OUT_READY)
        o->last_error[0] = '\0';
    if (news)
        sc_info("target %s (%s): %s%s%s", o->target->name, o->target->url, sc_out_state_name(s),
                error ? ": " : "", error ? error : "");
    sc_app_changed(o->app);
}

void sc_output_done(sc_output_t *o, uint64_t key, int err, int64_t sent_mono)
{
    if (o->app->engine)
        sc_engine_output_done(o->app->engine, o->index, key, err, sent_mono);
}
