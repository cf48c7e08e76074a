/* Websocket targets: an lws client connection per target, reconnected with backoff; the loop writes
 * cues. */
#include <uv.h>
#include <libwebsockets.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "target.h"
#include "doors/server.h"
#include "xalloc.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 2000
#define QUEUE 64

typedef struct {
    uint64_t key;
    uint8_t *buf; /* LWS_PRE + len: client frames are masked in place, so each has its copy */
    size_t len;
} queued_t;

typedef struct {
    sc_output_t *o;
    struct lws *wsi;
    uv_timer_t retry;
    uint64_t backoff_ms;
    bool closing;
    char host_header[300];
    queued_t q[QUEUE];
    size_t head, n;
    uint64_t answers; /* messages the device sent back */
} ws_t;

static void try_connect(ws_t *w);

static void retry_cb(uv_timer_t *h)
{
    try_connect(h->data);
}

static void schedule_retry(ws_t *w)
{
    if (w->closing)
        return;
    uv_timer_start(&w->retry, retry_cb, w->backoff_ms, 0);
    w->backoff_ms = w->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : w->backoff_ms * 2;
}

/* Everything queued fails: the connection is gone. */
static void fail_queue(ws_t *w, int err)
{
    while (w->n > 0) {
        queued_t *q = &w->q[w->head];
        uint64_t key = q->key;
        free(q->buf);
        q->buf = NULL;
        w->head = (w->head + 1) % QUEUE;
        w->n--;
        sc_output_done(w->o, key, err, 0);
    }
}

static void try_connect(ws_t *w)
{
    if (w->closing || w->wsi)
        return;
    struct lws_context *ctx = sc_server_context(w->o->app->server);
    if (!ctx)
        return;
    const rd_target_t *t = w->o->target;
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = ctx;
    i.address = t->host;
    i.port = t->port;
    i.path = t->path;
    snprintf(w->host_header, sizeof w->host_header, "%s:%d", t->host, t->port);
    i.host = w->host_header;
    i.origin = w->host_header;
    i.protocol = NULL;
    i.local_protocol_name = sc_out_ws_protocol.name;
    i.opaque_user_data = w;
    /* No i.pwsi: lws would write through it after we may have freed w. */
    sc_output_set_state(w->o, SC_OUT_CONNECTING, NULL);
    w->wsi = lws_client_connect_via_info(&i);
    if (!w->wsi) {
        w->wsi = NULL;
        sc_output_set_state(w->o, SC_OUT_DOWN, "cannot connect");
        schedule_retry(w);
    }
    /* A connect scheduled from outside lws needs lws's timers re-armed. */
    lws_cancel_service(ctx);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    ws_t *w = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!w)
            break;
        w->wsi = NULL;
        fail_queue(w, ENOTCONN);
        sc_output_set_state(w->o, SC_OUT_DOWN, in ? (const char *)in : "connection failed");
        schedule_retry(w);
        break;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!w)
            break;
        w->backoff_ms = BACKOFF_MIN_MS;
        sc_output_set_state(w->o, SC_OUT_CONNECTED, NULL);
        if (w->n)
            lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
        if (!w || w->n == 0 || w->closing)
            break;
        queued_t *q = &w->q[w->head];
        int64_t sent = sc_mono_ns();
        int n = lws_write(wsi, q->buf + LWS_PRE, q->len, LWS_WRITE_TEXT);
        uint64_t key = q->key;
        free(q->buf);
        q->buf = NULL;
        w->head = (w->head + 1) % QUEUE;
        w->n--;
        sc_output_done(w->o, key, n < (int)q->len ? EIO : 0, sent);
        if (n < (int)q->len)
            return -1;
        if (w->n)
            lws_callback_on_writable(wsi);
        break;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (w)
            w->answers++;
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!w)
            break;
        w->wsi = NULL;
        fail_queue(w, ENOTCONN);
        if (!w->closing) {
            sc_output_set_state(w->o, SC_OUT_DOWN, "closed by the device");
            schedule_retry(w);
        }
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

const struct lws_protocols sc_out_ws_protocol = {
    "showcaller-target", callback, 0, 4096, 0, NULL, 0};

static int ws_open(sc_output_t *o)
{
    ws_t *w = rd_xcalloc(1, sizeof *w);
    w->o = o;
    w->backoff_ms = BACKOFF_MIN_MS;
    o->impl = w;
    uv_timer_init(&o->app->loop, &w->retry);
    w->retry.data = w;
    try_connect(w);
    return 0;
}

static int ws_send(sc_output_t *o, uint64_t key, const uint8_t *bytes, size_t len,
                   int64_t *sent_mono)
{
    (void)sent_mono;
    ws_t *w = o->impl;
    if (!w || !w->wsi || o->state != SC_OUT_CONNECTED)
        return ENOTCONN;
    if (w->n == QUEUE)
        return ENOBUFS;
    queued_t *q = &w->q[(w->head + w->n) % QUEUE];
    q->key = key;
    q->len = len;
    q->buf = rd_xcalloc(LWS_PRE + len + 1, 1);
    memcpy(q->buf + LWS_PRE, bytes, len);
    w->n++;
    lws_callback_on_writable(w->wsi);
    return EINPROGRESS;
}

static void on_timer_closed(uv_handle_t *h)
{
    ws_t *w = h->data;
    w->o->closed = true;
    w->o->impl = NULL;
    for (size_t i = 0; i < QUEUE; i++)
        free(w->q[i].buf);
    free(w);
}

/* The wsi itself is closed by lws_context_destroy; callbacks after this see
 * no user data. */
static void ws_close(sc_output_t *o)
{
    ws_t *w = o->impl;
    if (!w) {
        o->closed = true;
        return;
    }
    w->closing = true;
    if (w->wsi)
        lws_set_opaque_user_data(w->wsi, NULL);
    uv_timer_stop(&w->retry);
    uv_close((uv_handle_t *)&w->retry, on_timer_closed);
}

const sc_output_ops_t sc_out_ws = {"ws", false, ws_open, ws_send, ws_close, NULL, NULL};
