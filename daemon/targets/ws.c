/* Websocket targets: an lws client connection per target, reconnected with backoff; the loop writes
 * cues. With "answer": "message" the device's next message answers the oldest cue. The client
 * itself (sc_wsc_*) also carries OBS targets (obs.c). */
#include "ws_client.h"

#include <uv.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/cue_clock.h"
#include "xalloc.h"

static void try_connect(sc_wsc_t *w);

static void retry_cb(uv_timer_t *h)
{
    try_connect(h->data);
}

static void schedule_retry(sc_wsc_t *w)
{
    if (w->closing)
        return;
    uv_timer_start(&w->retry, retry_cb, sc_backoff_next(&w->backoff), 0);
}

static void pop(sc_wsc_t *w)
{
    free(w->q[w->head].buf);
    w->q[w->head].buf = NULL;
    w->head = (w->head + 1) % SC_WSC_QUEUE;
    w->n--;
}

/* Everything queued fails, and nothing sent will be answered: the
 * connection is gone. */
static void connection_gone(sc_wsc_t *w, int err, const char *why)
{
    while (w->n > 0) {
        uint64_t key = w->q[w->head].key;
        pop(w);
        if (key)
            sc_target_done(w->o, key, err, 0);
    }
    char detail[192];
    snprintf(detail, sizeof detail, "no answer: the connection ended (%s)", why);
    sc_awaiting_answer_all(&w->waits, SC_ANSWER_ERROR, detail);
    w->ready = false;
    w->established = false;
    w->rx_len = 0;
}

static void try_connect(sc_wsc_t *w)
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
    i.path = t->path ? t->path : "/";
    snprintf(w->host_header, sizeof w->host_header, "%s:%d", t->host, t->port);
    i.host = w->host_header;
    i.origin = w->host_header;
    i.protocol = NULL;
    i.local_protocol_name = w->o->ops->lws_protocol->name;
    i.opaque_user_data = w;
    /* No i.pwsi: lws would write through it after we may have freed w. */
    w->down_why[0] = '\0';
    sc_target_set_state(w->o, SC_TARGET_CONNECTING, NULL);
    w->wsi = lws_client_connect_via_info(&i);
    if (!w->wsi) {
        sc_target_set_state(w->o, SC_TARGET_DOWN, "cannot connect");
        schedule_retry(w);
    }
    /* A connect scheduled from outside lws needs lws's timers re-armed. */
    lws_cancel_service(ctx);
}

void sc_wsc_ready(sc_wsc_t *w)
{
    w->ready = true;
    sc_backoff_reset(&w->backoff);
    sc_target_set_state(w->o, SC_TARGET_CONNECTED, NULL);
    if (w->n && w->wsi)
        lws_callback_on_writable(w->wsi);
}

void sc_wsc_fail(sc_wsc_t *w, const char *why)
{
    snprintf(w->down_why, sizeof w->down_why, "%s", why);
    if (w->wsi) {
        lws_close_reason(w->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, NULL, 0);
        lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
}

/* A message, whole: the dialect's, or a plain device's answer. */
static void on_message(sc_wsc_t *w, const char *text, size_t len)
{
    if (w->d && w->d->message) {
        w->d->message(w, text, len);
        return;
    }
    if (w->o->conf->answer != RD_ANSWER_MESSAGE)
        return; /* a device with no answer protocol: read and dropped */
    char detail[257];
    size_t n = len < sizeof detail - 1 ? len : sizeof detail - 1;
    memcpy(detail, text, n);
    detail[n] = '\0';
    sc_awaiting_answer_oldest(&w->waits, SC_ANSWER_OK, detail);
}

static void on_receive(sc_wsc_t *w, struct lws *wsi, const char *in, size_t len)
{
    if (!w->rx)
        w->rx = rd_xcalloc(SC_WSC_RX_MAX + 1, 1);
    size_t room = SC_WSC_RX_MAX - w->rx_len;
    size_t take = len < room ? len : room;
    memcpy(w->rx + w->rx_len, in, take);
    w->rx_len += take;
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
        return;
    w->rx[w->rx_len] = '\0';
    size_t n = w->rx_len;
    w->rx_len = 0;
    on_message(w, w->rx, n);
}

/* What the device said as it closed, for the screens. */
static void peer_close(sc_wsc_t *w, const unsigned char *in, size_t len)
{
    int code = len >= 2 ? (in[0] << 8) | in[1] : 0;
    char reason[128];
    size_t rn = len > 2 ? len - 2 : 0;
    if (rn >= sizeof reason)
        rn = sizeof reason - 1;
    memcpy(reason, in + 2 * (len >= 2), rn);
    reason[rn] = '\0';
    if (w->d && w->d->closed_by_device)
        w->d->closed_by_device(w, code, reason, w->down_why, sizeof w->down_why);
    else
        snprintf(w->down_why, sizeof w->down_why, "closed by the device (%d%s%s)", code,
                 rn ? ": " : "", reason);
}

int sc_wsc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    sc_wsc_t *w = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!w)
            break;
        w->wsi = NULL;
        connection_gone(w, ENOTCONN, in ? (const char *)in : "connection failed");
        sc_target_set_state(w->o, SC_TARGET_DOWN, in ? (const char *)in : "connection failed");
        schedule_retry(w);
        break;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!w)
            break;
        w->rx_len = 0;
        w->established = true;
        if (!w->d || !w->d->established || w->d->established(w))
            sc_wsc_ready(w);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
        if (!w || w->n == 0 || w->closing)
            break;
        sc_wsc_queued_t *q = &w->q[w->head];
        if (q->key && !w->ready)
            break; /* a cue waits for the dialect's handshake */
        int64_t sent = sc_mono_ns();
        int n = lws_write(wsi, q->buf + LWS_PRE, q->len, LWS_WRITE_TEXT);
        uint64_t key = q->key;
        bool ok = n >= (int)q->len;
        pop(w);
        if (key) {
            if (ok && sc_target_awaits(w->o))
                sc_awaiting_push(&w->waits, key, sent);
            sc_target_done(w->o, key, ok ? 0 : EIO, sent);
        }
        if (!ok)
            return -1;
        if (w->n)
            lws_callback_on_writable(wsi);
        break;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (w)
            on_receive(w, wsi, in, len);
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (w)
            peer_close(w, in, len);
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!w)
            break;
        w->wsi = NULL;
        {
            const char *why = w->down_why[0] ? w->down_why : "closed by the device";
            connection_gone(w, ENOTCONN, why);
            if (!w->closing) {
                sc_target_set_state(w->o, SC_TARGET_DOWN, why);
                schedule_retry(w);
            }
        }
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int sc_wsc_open(sc_target_t *o, const sc_wsc_dialect_t *d)
{
    sc_wsc_t *w = rd_xcalloc(1, sizeof *w);
    w->o = o;
    w->d = d;
    sc_backoff_reset(&w->backoff);
    o->impl = w;
    uv_timer_init(o->env->loop, &w->retry);
    w->retry.data = w;
    sc_awaiting_init(&w->waits, o);
    w->open_parts = 2;
    try_connect(w);
    return 0;
}

static bool enqueue(sc_wsc_t *w, uint64_t key, uint8_t *buf, size_t len)
{
    if (w->n == SC_WSC_QUEUE) {
        free(buf);
        return false;
    }
    sc_wsc_queued_t *q = &w->q[(w->head + w->n) % SC_WSC_QUEUE];
    q->key = key;
    q->len = len;
    q->buf = buf;
    w->n++;
    if (w->wsi)
        lws_callback_on_writable(w->wsi);
    return true;
}

static uint8_t *copy_for_lws(const void *bytes, size_t len)
{
    uint8_t *buf = rd_xcalloc(LWS_PRE + len + 1, 1);
    memcpy(buf + LWS_PRE, bytes, len);
    return buf;
}

bool sc_wsc_write(sc_wsc_t *w, const char *text, size_t len)
{
    /* Ahead of any cue: the handshake comes first. */
    if (w->n == SC_WSC_QUEUE)
        return false;
    w->head = (w->head + SC_WSC_QUEUE - 1) % SC_WSC_QUEUE;
    w->q[w->head] = (sc_wsc_queued_t){0, copy_for_lws(text, len), len};
    w->n++;
    if (w->wsi)
        lws_callback_on_writable(w->wsi);
    return true;
}

int sc_wsc_send(sc_target_t *o, uint64_t key, const uint8_t *bytes, size_t len, int64_t *sent_mono)
{
    (void)sent_mono;
    sc_wsc_t *w = o->impl;
    if (!w || !w->wsi || !w->ready)
        return ENOTCONN;
    size_t n = len;
    uint8_t *buf =
        w->d && w->d->frame ? w->d->frame(w, key, bytes, len, &n) : copy_for_lws(bytes, len);
    if (!enqueue(w, key, buf, n))
        return ENOBUFS;
    return EINPROGRESS;
}

static void part_closed(sc_wsc_t *w)
{
    if (--w->open_parts > 0)
        return;
    w->o->closed = true;
    w->o->impl = NULL;
    for (size_t i = 0; i < SC_WSC_QUEUE; i++)
        free(w->q[i].buf);
    free(w->rx);
    free(w->dialect_state);
    free(w);
}

static void on_timer_closed(uv_handle_t *h)
{
    part_closed(h->data);
}

static void on_waits_closed(sc_target_t *o)
{
    part_closed(o->impl);
}

/* A connected device is told we are going (close 1001) before lws drops the
 * connection; callbacks after this see no user data. */
void sc_wsc_close(sc_target_t *o)
{
    sc_wsc_t *w = o->impl;
    if (!w) {
        o->closed = true;
        return;
    }
    w->closing = true;
    sc_awaiting_close(&w->waits, on_waits_closed); /* the show has stopped: nothing is answered */
    if (w->wsi) {
        struct lws *wsi = w->wsi;
        w->wsi = NULL;
        lws_set_opaque_user_data(wsi, NULL);
        if (w->established) {
            /* The close frame goes now: the lws context is destroyed in this
             * same turn of the loop, so no writeable callback would come
             * for lws_close_reason's usual path. lws 4.1 keeps the close
             * opcode private (LWS_WRITE_CLOSE, 4, "handled by
             * lws_close_reason()"); lws_write still frames and masks it. */
            static const char why[] = "showcallerd stopping";
            uint8_t frame[LWS_PRE + 2 + sizeof why];
            frame[LWS_PRE] = LWS_CLOSE_STATUS_GOINGAWAY >> 8;
            frame[LWS_PRE + 1] = LWS_CLOSE_STATUS_GOINGAWAY & 0xff;
            memcpy(frame + LWS_PRE + 2, why, sizeof why - 1);
            lws_write(wsi, frame + LWS_PRE, 2 + sizeof why - 1, (enum lws_write_protocol)4);
        }
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
    }
    uv_timer_stop(&w->retry);
    uv_close((uv_handle_t *)&w->retry, on_timer_closed);
}

/* ---- The plain websocket kind ---------------------------------------------------- */

#define PROTOCOL "showcaller-target"

/* The web server lists it among its protocols (sc_target_lws_protocols). */
static const struct lws_protocols ws_protocol = {PROTOCOL, sc_wsc_callback, 0, 4096, 0, NULL, 0};

static int ws_open(sc_target_t *o)
{
    return sc_wsc_open(o, NULL);
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
    .send = sc_wsc_send,
    .close = sc_wsc_close,
};
