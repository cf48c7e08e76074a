/* A TCP connection to a device, kept up: connect, reconnect with backoff, write without blocking.
 */
#ifndef SC_STREAM_H
#define SC_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <uv.h>

#include "backoff.h"
#include "target.h"

typedef struct sc_stream sc_stream_t;

/* What the kind hears of its connection (all from the loop). */
typedef struct {
    void (*connected)(sc_stream_t *s);
    void (*data)(sc_stream_t *s, const char *buf, size_t n);
    /* The connection is gone (why: for the screens); a new one follows. */
    void (*lost)(sc_stream_t *s, const char *why);
    /* After sc_stream_close: every handle is closed. */
    void (*closed)(sc_stream_t *s);
    /* A message sc_stream_send queued while the connection was down has
     * gone out at sent_mono (err 0) or never will (err). */
    void (*sent)(sc_stream_t *s, uint64_t key, int err, int64_t sent_mono);
} sc_stream_cb_t;

/* Messages waiting for the connection to come up. */
#define SC_STREAM_PENDING 64
typedef struct {
    uint64_t key;
    char *bytes;
    size_t len;
} sc_stream_pending_t;

struct sc_stream {
    sc_target_t *o;
    const sc_stream_cb_t *cb;
    void *ctx; /* the kind's */
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_timer_t retry;
    struct sockaddr_storage addr;
    bool tcp_open;  /* tcp handle initialised and not yet closed */
    bool tcp_up;    /* the TCP connection is up (TLS may still be shaking hands) */
    bool connected; /* writes go out */
    bool closing;
    int handles;   /* ours not yet closed */
    size_t queued; /* bytes uv_write still holds */
    sc_backoff_t backoff;
    struct ssl_ctx_st *tls_ctx; /* https:// targets: the TLS settings; NULL: plain TCP */
    struct ssl_st *ssl;         /* this connection's TLS */
    struct bio_st *rbio, *wbio; /* its memory BIOs: from the socket, to the socket */
    bool tls_up;                /* the handshake is done */
    uv_timer_t connect_wait;    /* the pending messages' patience: the target's timeout */
    sc_stream_pending_t pend[SC_STREAM_PENDING];
    size_t phead, pn;
    char rx[4096];
};

/* Resolves the target's host (blocking: at start-up) and connects. 0 or an
 * errno (the target is then down for good and s is closed). */
int sc_stream_open(sc_stream_t *s, sc_target_t *o, const sc_stream_cb_t *cb, void *ctx);

/* Writes n bytes now (what the socket does not take at once is queued and
 * follows). 0, ENOTCONN, or ENOBUFS when over 1 MiB is already queued. */
int sc_stream_write(sc_stream_t *s, const char *buf, size_t n);

/* A message (a cue's) now: 0 with *sent_mono when written; when the
 * connection is down, EINPROGRESS: it is queued, a connection is tried at
 * once, and cb->sent reports it (sent when the connection comes up, or
 * failed after the target's timeout). Else an errno. */
int sc_stream_send(sc_stream_t *s, uint64_t key, const char *buf, size_t n, int64_t *sent_mono);

/* Drops the connection, or the attempt to make one (a protocol error, a
 * device that stopped answering): lost() follows, then a new connection. */
void sc_stream_drop(sc_stream_t *s, const char *why);

/* Closes for good; cb->closed when done. */
void sc_stream_close(sc_stream_t *s);

#endif
