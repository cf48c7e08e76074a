/* OSC over TCP: a stream per target, framed by length prefix or SLIP, reconnected with backoff. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

#include "backoff.h"
#include "osc_encode.h"
#include "target.h"
#include "xalloc.h"

typedef struct {
    sc_target_t *o;
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_timer_t retry;
    struct sockaddr_storage addr;
    bool tcp_open;  /* tcp handle initialised and not yet closed */
    bool releasing; /* waiting for the clock to let go of the fd */
    bool closing;
    int handles_open; /* our uv handles not yet closed */
    sc_backoff_t backoff;
    char rx[512]; /* what the device sends is read and dropped */
} tcp_t;

static void try_connect(tcp_t *t);

static void retry_cb(uv_timer_t *h)
{
    try_connect(h->data);
}

static void on_handle_closed(uv_handle_t *h)
{
    tcp_t *t = h->data;
    if (h == (uv_handle_t *)&t->tcp)
        t->tcp_open = false;
    if (--t->handles_open == 0 && t->closing) {
        t->o->closed = true;
        t->o->impl = NULL;
        free(t);
        return;
    }
    if (h == (uv_handle_t *)&t->tcp && !t->closing) {
        uv_timer_start(&t->retry, retry_cb, sc_backoff_next(&t->backoff), 0);
    }
}

static void close_tcp(tcp_t *t)
{
    if (t->tcp_open && !uv_is_closing((uv_handle_t *)&t->tcp))
        uv_close((uv_handle_t *)&t->tcp, on_handle_closed);
}

/* The connection is gone: take the fd away from the clock first, then close. */
static void lost(tcp_t *t, const char *why)
{
    if (t->releasing)
        return;
    sc_target_set_state(t->o, SC_TARGET_DOWN, why);
    if (t->o->fd >= 0) {
        t->releasing = true;
        t->o->fd = -1;
        sc_clock_set_socket(t->o->env->clock, t->o->index, -1);
        return; /* socket_released closes it */
    }
    close_tcp(t);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    tcp_t *t = h->data;
    *buf = uv_buf_init(t->rx, sizeof t->rx);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    tcp_t *t = s->data;
    if (n < 0)
        lost(t, n == UV_EOF ? "closed by the device" : uv_strerror((int)n));
}

static void connect_cb(uv_connect_t *req, int status)
{
    tcp_t *t = req->data;
    if (t->closing)
        return;
    if (status < 0) {
        sc_target_set_state(t->o, SC_TARGET_DOWN, uv_strerror(status));
        close_tcp(t);
        return;
    }
    uv_os_fd_t fd;
    uv_fileno((uv_handle_t *)&t->tcp, &fd);
    uv_tcp_nodelay(&t->tcp, 1);
    sc_backoff_reset(&t->backoff);
    t->o->fd = fd;
    sc_clock_set_socket(t->o->env->clock, t->o->index, fd);
    uv_read_start((uv_stream_t *)&t->tcp, alloc_cb, read_cb);
    sc_target_set_state(t->o, SC_TARGET_CONNECTED, NULL);
}

static void try_connect(tcp_t *t)
{
    if (t->closing || t->tcp_open)
        return;
    uv_tcp_init(t->o->env->loop, &t->tcp);
    t->tcp.data = t;
    t->tcp_open = true;
    t->handles_open++;
    t->connect.data = t;
    sc_target_set_state(t->o, SC_TARGET_CONNECTING, NULL);
    int rc = uv_tcp_connect(&t->connect, &t->tcp, (struct sockaddr *)&t->addr, connect_cb);
    if (rc < 0) {
        sc_target_set_state(t->o, SC_TARGET_DOWN, uv_strerror(rc));
        close_tcp(t);
    }
}

static int tcp_open(sc_target_t *o)
{
    tcp_t *t = rd_xcalloc(1, sizeof *t);
    t->o = o;
    o->impl = t;
    sc_backoff_reset(&t->backoff);
    unsigned int len;
    if (sc__connect_socket(o->conf->host, o->conf->port, SOCK_STREAM, &t->addr, &len) < 0) {
        int e = errno;
        sc_target_set_state(o, SC_TARGET_DOWN, "cannot resolve the host");
        free(t);
        o->impl = NULL;
        o->closed = true;
        return e;
    }
    uv_timer_init(o->env->loop, &t->retry);
    t->retry.data = t;
    t->handles_open = 1;
    try_connect(t);
    return 0;
}

/* A short write leaves half a frame in the stream, and every later message
 * would be misread: drop the connection and start clean. EAGAIN wrote
 * nothing, so the stream is still whole. */
static void tcp_clock_send_failed(sc_target_t *o, int err)
{
    tcp_t *t = o->impl;
    if (t && err != EAGAIN && err != EWOULDBLOCK && err != ENOTCONN)
        lost(t, err == EMSGSIZE ? "short write: the device is not reading" : strerror(err));
}

static int tcp_send(sc_target_t *o, uint64_t key, const uint8_t *bytes, size_t len,
                    int64_t *sent_mono)
{
    (void)key;
    tcp_t *t = o->impl;
    if (!t || o->fd < 0)
        return ENOTCONN;
    *sent_mono = sc_mono_ns();
    int err = sc_clock_send_now(o->fd, bytes, len);
    if (err)
        tcp_clock_send_failed(o, err);
    return err;
}

static void tcp_socket_released(sc_target_t *o, int fd)
{
    (void)fd;
    tcp_t *t = o->impl;
    if (!t || !t->releasing)
        return;
    t->releasing = false;
    close_tcp(t);
}

static void tcp_close(sc_target_t *o)
{
    tcp_t *t = o->impl;
    if (!t) {
        o->closed = true;
        return;
    }
    t->closing = true;
    o->fd = -1;
    uv_timer_stop(&t->retry);
    uv_close((uv_handle_t *)&t->retry, on_handle_closed);
    close_tcp(t);
}

static bool tcp_encode(const rd_payload_t *p, const rd_target_t *conf, uint8_t **out, size_t *len)
{
    return sc_osc_encode_payload(p, true, conf->framing, out, len);
}

const sc_target_ops_t sc_target_osc_tcp = {
    .kind = RD_TARGET_OSC_TCP,
    .clock_sends = true,
    .encode = tcp_encode,
    .open = tcp_open,
    .send = tcp_send,
    .close = tcp_close,
    .socket_released = tcp_socket_released,
    .clock_send_failed = tcp_clock_send_failed,
};
