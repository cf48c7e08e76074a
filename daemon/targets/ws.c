/* Websocket targets: an lws client connection per target, reconnected with backoff; the loop writes
 * cues. */
#include <uv.h>
#include <libwebsockets.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "target.h"
#include "xalloc.h"

#define QUEUE 64
#define PROTOCOL "showcaller-target"

typedef struct {
    uint64_t key;
    uint8_t *buf; /* LWS_PRE + len: client frames are masked in place, so each has its copy */
    size_t len;
} queued_t;

typedef struct {
    sc_target_t *o;
    struct lws *wsi;
    uv_timer_t retry;
    sc_backoff_t backoff;
    bool closing;
    char host_header[300];
    queued_t q[QUEUE];
    size_t head, n;
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
    uv_timer_start(&w->retry, retry_cb, sc_backoff_next(&w->backoff), 0);
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
        sc_target_done(w->o, key, err, 0);
    }
}

static void try_connect(ws_t *w)
{
    if (w->closing || w->wsi)
        return;
    struct lws_context *ctx = w->o->env->lws_context(w->o->env->ctx);
    if (!ctx)
        return;
    const rd_target_t *t = w->o->conf;
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
    i.local_protocol_name = PROTOCOL;
    i.opaque_user_data = w;
    /* No i.pwsi: lws would write through it after we may have freed w. */
    sc_target_set_state(w->o, SC_TARGET_CONNECTING, NULL);
    w->wsi = lws_client_connect_via_info(&i);
    if (!w->wsi) {
        w->wsi = NULL;
        sc_target_set_state(w->o, SC_TARGET_DOWN, "cannot connect");
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
        sc_target_set_state(w->o, SC_TARGET_DOWN, in ? (const char *)in : "connection failed");
        schedule_retry(w);
        break;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!w)
            break;
        sc_backoff_reset(&w->backoff);
        sc_target_set_state(w->o, SC_TARGET_CONNECTED, NULL);
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
        sc_target_done(w->o, key, n < (int)q->len ? EIO : 0, sent);
        if (n < (int)q->len)
            return -1;
        if (w->n)
            lws_callback_on_writable(wsi);
        break;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
        /* A generic websocket device has no answer protocol: what it sends
         * is read and dropped (a kind with one reports sc_target_answer). */
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!w)
            break;
        w->wsi = NULL;
        fail_queue(w, ENOTCONN);
        if (!w->closing) {
            sc_target_set_state(w->o, SC_TARGET_DOWN, "closed by the device");
            schedule_retry(w);
        }
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* The web server lists it among its protocols (sc_target_lws_protocols). */
static const struct lws_protocols ws_protocol = {PROTOCOL, callback, 0, 4096, 0, NULL, 0};

static int ws_open(sc_target_t *o)
{
    ws_t *w = rd_xcalloc(1, sizeof *w);
    w->o = o;
    sc_backoff_reset(&w->backoff);
    o->impl = w;
    uv_timer_init(o->env->loop, &w->retry);
    w->retry.data = w;
    try_connect(w);
    return 0;
}

static int ws_send(sc_target_t *o, uint64_t key, const uint8_t *bytes, size_t len,
                   int64_t *sent_mono)
{
    (void)sent_mono;
    ws_t *w = o->impl;
    if (!w || !w->wsi || o->state != SC_TARGET_CONNECTED)
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
static void ws_close(sc_target_t *o)
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

/* A websocket message is the payload's text, as it is. */
static bool ws_encode(const rd_payload_t *p, const rd_target_t *conf, uint8_t **out, size_t *len)
{
    (void)conf;
    *out = NULL;
    *len = 0;
    if (p->kind != RD_PAYLOAD_WS)
        return false;
    *len = strlen(p->ws_text);
    *out = (uint8_t *)rd_xstrdup(p->ws_text);
    return true;
}

const sc_target_ops_t sc_target_ws = {
    .kind = RD_TARGET_WS,
    .clock_sends = false,
    .lws_protocol = &ws_protocol,
    .encode = ws_encode,
    .open = ws_open,
    .send = ws_send,
    .close = ws_close,
};
