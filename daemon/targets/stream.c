/* A device's TCP connection, kept up by the loop: a lost one is retried at once, then with backoff.
 */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock/cue_clock.h"
#include "xalloc.h"

#define MAX_QUEUED (1024 * 1024)

static void try_connect(sc_stream_t *s);

static void retry_cb(uv_timer_t *h)
{
    try_connect(h->data);
}

static void on_handle_closed(uv_handle_t *h)
{
    sc_stream_t *s = h->data;
    if (h == (uv_handle_t *)&s->tcp)
        s->tcp_open = false;
    if (--s->handles == 0 && s->closing) {
        if (s->cb->closed)
            s->cb->closed(s);
        return;
    }
    if (h == (uv_handle_t *)&s->tcp && !s->closing)
        uv_timer_start(&s->retry, retry_cb, sc_backoff_next(&s->backoff), 0);
}

static void close_tcp(sc_stream_t *s)
{
    if (s->tcp_open && !uv_is_closing((uv_handle_t *)&s->tcp))
        uv_close((uv_handle_t *)&s->tcp, on_handle_closed);
}

/* Every queued message fails with err; reported unless the target is closing. */
static void fail_pending(sc_stream_t *s, int err)
{
    bool report = !s->closing;
    if (s->handles > 0 && !uv_is_closing((uv_handle_t *)&s->connect_wait))
        uv_timer_stop(&s->connect_wait);
    while (s->pn > 0) {
        sc_stream_pending_t p = s->pend[s->phead];
        s->phead = (s->phead + 1) % SC_STREAM_PENDING;
        s->pn--;
        free(p.bytes);
        if (report && s->cb->sent)
            s->cb->sent(s, p.key, err, 0);
    }
}

static void lost(sc_stream_t *s, const char *why)
{
    bool was = s->connected;
    s->connected = false;
    if (s->closing)
        return;
    /* A connection that worked and went (a device closing an idle
     * keep-alive) is retried at once; a refused one waits. */
    if (was)
        sc_backoff_at_once(&s->backoff);
    sc_target_set_state(s->o, SC_TARGET_DOWN, why);
    close_tcp(s);
    if (s->cb->lost)
        s->cb->lost(s, why);
    fail_pending(s, ENOTCONN);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    sc_stream_t *s = h->data;
    *buf = uv_buf_init(s->rx, sizeof s->rx);
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    sc_stream_t *s = st->data;
    if (n > 0 && s->cb->data)
        s->cb->data(s, buf->base, (size_t)n);
    else if (n < 0 && s->connected)
        lost(s, n == UV_EOF ? "closed by the device" : uv_strerror((int)n));
}

static void connect_cb(uv_connect_t *req, int status)
{
    sc_stream_t *s = req->data;
    if (s->closing || !s->tcp_open)
        return;
    if (status < 0) {
        sc_target_set_state(s->o, SC_TARGET_DOWN, uv_strerror(status));
        close_tcp(s);
        if (s->cb->lost)
            s->cb->lost(s, uv_strerror(status));
        fail_pending(s, -status);
        return;
    }
    uv_tcp_nodelay(&s->tcp, 1);
    sc_backoff_reset(&s->backoff);
    s->connected = true;
    s->queued = 0;
    uv_read_start((uv_stream_t *)&s->tcp, alloc_cb, read_cb);
    sc_target_set_state(s->o, SC_TARGET_CONNECTED, NULL);
    if (s->cb->connected)
        s->cb->connected(s);
    /* What waited for the connection goes first, in order. */
    uv_timer_stop(&s->connect_wait);
    while (s->pn > 0 && s->connected) {
        sc_stream_pending_t p = s->pend[s->phead];
        s->phead = (s->phead + 1) % SC_STREAM_PENDING;
        s->pn--;
        int64_t sent = sc_mono_ns();
        int err = sc_stream_write(s, p.bytes, p.len);
        free(p.bytes);
        if (s->cb->sent)
            s->cb->sent(s, p.key, err, sent);
    }
}

static void try_connect(sc_stream_t *s)
{
    if (s->closing || s->tcp_open)
        return;
    uv_tcp_init(s->o->env->loop, &s->tcp);
    s->tcp.data = s;
    s->tcp_open = true;
    s->handles++;
    s->connect.data = s;
    sc_target_set_state(s->o, SC_TARGET_CONNECTING, NULL);
    int rc = uv_tcp_connect(&s->connect, &s->tcp, (struct sockaddr *)&s->addr, connect_cb);
    if (rc < 0) {
        sc_target_set_state(s->o, SC_TARGET_DOWN, uv_strerror(rc));
        close_tcp(s);
    }
}

int sc_stream_open(sc_stream_t *s, sc_target_t *o, const sc_stream_cb_t *cb, void *ctx)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    s->cb = cb;
    s->ctx = ctx;
    sc_backoff_reset(&s->backoff);
    unsigned int len;
    if (sc__connect_socket(o->conf->host, o->conf->port, SOCK_STREAM, &s->addr, &len) < 0) {
        int e = errno;
        s->closing = true;
        sc_target_set_state(o, SC_TARGET_DOWN, "cannot resolve the host");
        return e;
    }
    uv_timer_init(o->env->loop, &s->retry);
    s->retry.data = s;
    uv_timer_init(o->env->loop, &s->connect_wait);
    s->connect_wait.data = s;
    s->handles = 2;
    try_connect(s);
    return 0;
}

typedef struct {
    uv_write_t req;
    sc_stream_t *s;
    size_t n;
    char bytes[];
} write_t;

static void write_cb(uv_write_t *req, int status)
{
    write_t *w = (write_t *)req;
    sc_stream_t *s = w->s;
    s->queued -= w->n;
    free(w);
    if (status < 0 && status != UV_ECANCELED && s->connected)
        lost(s, uv_strerror(status));
}

int sc_stream_write(sc_stream_t *s, const char *buf, size_t n)
{
    if (!s->connected)
        return ENOTCONN;
    if (s->queued > MAX_QUEUED)
        return ENOBUFS;
    size_t done = 0;
    if (s->queued == 0) {
        uv_buf_t b = uv_buf_init((char *)buf, (unsigned)n);
        int rc = uv_try_write((uv_stream_t *)&s->tcp, &b, 1);
        if (rc >= 0)
            done = (size_t)rc;
        else if (rc != UV_EAGAIN) {
            lost(s, uv_strerror(rc));
            return ENOTCONN;
        }
    }
    if (done == n)
        return 0;
    /* The rest follows in order: uv_write keeps a copy. */
    write_t *w = rd_xcalloc(1, sizeof *w + (n - done));
    w->s = s;
    w->n = n - done;
    memcpy(w->bytes, buf + done, n - done);
    uv_buf_t b = uv_buf_init(w->bytes, (unsigned)w->n);
    int rc = uv_write(&w->req, (uv_stream_t *)&s->tcp, &b, 1, write_cb);
    if (rc < 0) {
        free(w);
        lost(s, uv_strerror(rc));
        return ENOTCONN;
    }
    s->queued += w->n;
    return 0;
}

static void connect_wait_cb(uv_timer_t *t)
{
    sc_stream_t *s = t->data;
    fail_pending(s, ETIMEDOUT);
    sc_stream_drop(s, "cannot connect in time");
}

int sc_stream_send(sc_stream_t *s, uint64_t key, const char *buf, size_t n, int64_t *sent_mono)
{
    if (s->connected) {
        int64_t sent = sc_mono_ns();
        int err = sc_stream_write(s, buf, n);
        if (!err)
            *sent_mono = sent;
        return err;
    }
    if (s->closing || s->handles == 0)
        return ENOTCONN;
    if (s->pn == SC_STREAM_PENDING)
        return ENOBUFS;
    s->pend[(s->phead + s->pn) % SC_STREAM_PENDING] =
        (sc_stream_pending_t){key, rd_xstrndup(buf, n), n};
    if (s->pn++ == 0)
        uv_timer_start(&s->connect_wait, connect_wait_cb,
                       (uint64_t)((s->o->conf->timeout_ns + 999999) / 1000000), 0);
    /* Down and waiting to retry: a cue wants to go, so try now. */
    if (!s->tcp_open) {
        uv_timer_stop(&s->retry);
        try_connect(s);
    }
    return EINPROGRESS;
}

void sc_stream_drop(sc_stream_t *s, const char *why)
{
    if (s->connected) {
        lost(s, why);
    } else if (s->tcp_open && !s->closing) {
        sc_target_set_state(s->o, SC_TARGET_DOWN, why);
        close_tcp(s);
        if (s->cb->lost)
            s->cb->lost(s, why);
    }
}

void sc_stream_close(sc_stream_t *s)
{
    if (s->closing && s->handles == 0) {
        if (s->cb->closed)
            s->cb->closed(s);
        return;
    }
    s->closing = true;
    s->connected = false;
    fail_pending(s, ECANCELED);
    uv_timer_stop(&s->retry);
    uv_close((uv_handle_t *)&s->retry, on_handle_closed);
    uv_close((uv_handle_t *)&s->connect_wait, on_handle_closed);
    close_tcp(s);
}
