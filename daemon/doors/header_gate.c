/* The header gate: a first request header over the limit gets a 431 (see header_gate.h). */
#include "header_gate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock/cue_clock.h"
#include "log.h"
#include "show/errors.h"
#include "show/refusals.h"
#include "xalloc.h"

/* Connections in the gate at once; more go to lws directly. */
#define GATE_MAX 64
/* A header that has not ended by then is dropped (lws's own wait is 5 s). */
#define HEADER_MS 10000
/* After a 431: what is read and dropped at most, and for how long. */
#define DRAIN_BYTES (16 * 1024 * 1024)
#define DRAIN_MS 5000

typedef struct gated {
    lws_dll2_t list; /* in sc_server_t.gated */
    sc_server_t *s;
    uv_poll_t poll;
    uv_timer_t timer;
    int fd;
    bool draining;    /* the 431 is out; reading to the end */
    int open_handles; /* 2 until closing; freed at 0 */
    size_t drained;   /* bytes read and dropped after the 431 */
} gated_t;

static void handle_closed(uv_handle_t *h)
{
    gated_t *g = h->data;
    if (--g->open_handles > 0)
        return;
    if (g->fd >= 0)
        close(g->fd);
    free(g);
}

/* Leaves the gate; fd_kept: the descriptor is lws's now, not ours to close. */
static void leave(gated_t *g, bool fd_kept)
{
    if (uv_is_closing((uv_handle_t *)&g->poll))
        return;
    /* Stopped at once (uv_close stops the watcher now), so lws may watch
     * the same descriptor before our handles have finished closing. */
    uv_close((uv_handle_t *)&g->poll, handle_closed);
    uv_close((uv_handle_t *)&g->timer, handle_closed);
    lws_dll2_remove(&g->list);
    if (fd_kept)
        g->fd = -1;
}

/* Does the header end (a blank line) within buf[0..len)? */
static bool header_ends(const char *buf, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
            return true;
    return false;
}

static void on_timeout(uv_timer_t *t)
{
    leave(t->data, false);
}

/* The header is over the limit: the 431, a FIN, and the rest is drained. */
static void refuse(gated_t *g)
{
    sc_server_t *s = g->s;
    char peer[64];
    sc__peer_of_fd(g->fd, peer, sizeof peer);
    if (sc_refusals_tell(s->oversized, peer, sc_mono_ns()))
        sc_warn("http: %s sent a request header over %d bytes; answered 431", peer,
                SC_HTTP_MAX_HEADER);
    char words[80], head[200];
    snprintf(words, sizeof words, "the request's header is larger than %d bytes",
             SC_HTTP_MAX_HEADER);
    json_t *o = sc__error_body(SC_ERR_HEADER_TOO_LARGE, words);
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int blen = body ? (int)strlen(body) : 0;
    int hlen = snprintf(head, sizeof head,
                        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                        "Content-Type: application/json\r\nContent-Length: %d\r\n"
                        "Connection: close\r\n\r\n",
                        blen);
    /* A few hundred bytes on a new connection: the socket buffer takes them
     * at once, or the client is not worth waiting for. */
    bool sent = body && send(g->fd, head, (size_t)hlen, MSG_DONTWAIT | MSG_NOSIGNAL) == hlen &&
                send(g->fd, body, (size_t)blen, MSG_DONTWAIT | MSG_NOSIGNAL) == blen;
    free(body);
    if (!sent) {
        leave(g, false);
        return;
    }
    shutdown(g->fd, SHUT_WR);
    int one = 1;
    setsockopt(g->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
    g->draining = true;
    uv_timer_start(&g->timer, on_timeout, DRAIN_MS, 0);
}

static void on_readable(uv_poll_t *p, int status, int events)
{
    (void)events;
    gated_t *g = p->data;
    if (status < 0) {
        leave(g, false);
        return;
    }
    if (g->draining) {
        char sink[16384];
        for (int i = 0; i < 16; i++) {
            ssize_t n = recv(g->fd, sink, sizeof sink, MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                return; /* more later; the poll wakes us */
            g->drained += n > 0 ? (size_t)n : 0;
            if (n <= 0 || g->drained > DRAIN_BYTES) {
                leave(g, false); /* the client closed, or has had enough */
                return;
            }
        }
        return; /* 16 reads this wake-up: the rest of the loop runs first */
    }
    /* Peeked, not read: lws reads the request itself once it has the
     * socket (a request handed over in a buffer, with its body, makes lws
     * 4.1 spin). SO_RCVLOWAT keeps the level-triggered poll quiet until
     * more than what was peeked has come. Each wake-up peeks the whole
     * header again, so nothing of it is kept between them. */
    char buf[SC_HTTP_MAX_HEADER];
    ssize_t n = recv(g->fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        leave(g, false); /* gone before its header ended */
        return;
    }
    if (header_ends(buf, (size_t)n)) {
        sc_server_t *s = g->s;
        int fd = g->fd, one = 1;
        setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
        leave(g, true);
        /* lws owns fd from here, also when it fails (it closes it). */
        if (!lws_adopt_socket_vhost(s->vhost, fd))
            sc_warn("http: libwebsockets could not take a connection back from the gate");
        return;
    }
    if ((size_t)n == sizeof buf) {
        refuse(g);
        return;
    }
    int more = n + 1;
    setsockopt(g->fd, SOL_SOCKET, SO_RCVLOWAT, &more, sizeof more);
}

bool sc__header_gate_take(sc_server_t *s, int fd)
{
    if (s->env->config->http_tls.cert || s->shutting_down || s->gated.count >= GATE_MAX ||
        !s->vhost)
        return false;
    int mine = dup(fd);
    if (mine < 0)
        return false;
    gated_t *g = rd_xcalloc(1, sizeof *g);
    g->s = s;
    g->fd = mine;
    if (uv_poll_init(s->env->loop, &g->poll, mine) != 0) {
        close(mine);
        free(g);
        return false;
    }
    uv_timer_init(s->env->loop, &g->timer);
    g->poll.data = g->timer.data = g;
    g->open_handles = 2;
    lws_dll2_add_tail(&g->list, &s->gated);
    uv_poll_start(&g->poll, UV_READABLE, on_readable);
    uv_timer_start(&g->timer, on_timeout, HEADER_MS, 0);
    return true;
}

void sc__header_gate_close_all(sc_server_t *s)
{
    lws_start_foreach_dll_safe(struct lws_dll2 *, p, p1, lws_dll2_get_head(&s->gated))
    {
        leave(lws_container_of(p, gated_t, list), false);
    }
    lws_end_foreach_dll_safe(p, p1);
}
