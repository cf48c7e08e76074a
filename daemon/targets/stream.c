/* A device's TCP connection, kept up by the loop: a lost one is retried at once, then with backoff;
 * TLS (https:// targets) through OpenSSL memory BIOs, so nothing ever blocks the loop. */
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
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
        SSL_CTX_free(s->tls_ctx);
        s->tls_ctx = NULL;
        if (s->cb->closed)
            s->cb->closed(s);
        return;
    }
    if (h == (uv_handle_t *)&s->tcp && !s->closing)
        uv_timer_start(&s->retry, retry_cb, sc_backoff_next(&s->backoff), 0);
}

static void close_tcp(sc_stream_t *s)
{
    s->tcp_up = false;
    if (s->ssl) {
        SSL_free(s->ssl); /* and its two memory BIOs */
        s->ssl = NULL;
    }
    s->tls_up = false;
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

static int raw_write(sc_stream_t *s, const char *buf, size_t n);
static void became_connected(sc_stream_t *s);

/* What OpenSSL has for the wire goes out. */
static void tls_flush(sc_stream_t *s)
{
    char out[4096];
    int n;
    while (s->ssl && BIO_ctrl_pending(s->wbio) > 0 && (n = BIO_read(s->wbio, out, sizeof out)) > 0)
        if (raw_write(s, out, (size_t)n) != 0)
            return;
}

/* Why the handshake failed, in words an engineer can act on. */
static void tls_failed(sc_stream_t *s)
{
    char why[200];
    long v = SSL_get_verify_result(s->ssl);
    unsigned long e = ERR_get_error();
    if (v != X509_V_OK)
        snprintf(why, sizeof why, "TLS: the device's certificate: %s",
                 X509_verify_cert_error_string(v));
    else if (e)
        snprintf(why, sizeof why, "TLS: %s", ERR_reason_error_string(e));
    else
        snprintf(why, sizeof why, "TLS: the handshake failed");
    ERR_clear_error();
    lost(s, why);
}

/* Bytes from the device through TLS: the handshake's, then the
 * application's. */
static void tls_read(sc_stream_t *s, const char *buf, size_t n)
{
    BIO_write(s->rbio, buf, (int)n);
    if (!s->tls_up) {
        int rc = SSL_do_handshake(s->ssl);
        if (rc != 1) {
            int e = SSL_get_error(s->ssl, rc);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                tls_failed(s);
                return;
            }
            tls_flush(s);
            return;
        }
        s->tls_up = true;
        tls_flush(s);
        became_connected(s);
    }
    char plain[4096];
    while (s->ssl) {
        int r = SSL_read(s->ssl, plain, sizeof plain);
        if (r > 0) {
            if (s->cb->data)
                s->cb->data(s, plain, (size_t)r);
            continue;
        }
        int e = SSL_get_error(s->ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN)
            lost(s, "closed by the device");
        else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
            tls_failed(s);
        break;
    }
    tls_flush(s);
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    sc_stream_t *s = st->data;
    if (n > 0 && s->ssl)
        tls_read(s, buf->base, (size_t)n);
    else if (n > 0 && s->cb->data)
        s->cb->data(s, buf->base, (size_t)n);
    else if (n < 0 && s->tcp_up)
        lost(s, n == UV_EOF ? "closed by the device" : uv_strerror((int)n));
}

/* Starts TLS on the new connection: SNI and the name (or address) the
 * certificate must carry. */
static bool tls_start(sc_stream_t *s)
{
    s->ssl = SSL_new(s->tls_ctx);
    if (!s->ssl)
        return false;
    s->rbio = BIO_new(BIO_s_mem());
    s->wbio = BIO_new(BIO_s_mem());
    SSL_set_bio(s->ssl, s->rbio, s->wbio);
    const char *host = s->o->conf->host;
    unsigned char addr[16];
    bool ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    if (ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl), host);
    } else {
        SSL_set_tlsext_host_name(s->ssl, host);
        SSL_set1_host(s->ssl, host);
    }
    SSL_set_connect_state(s->ssl);
    SSL_do_handshake(s->ssl);
    tls_flush(s);
    return true;
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
    s->tcp_up = true;
    s->queued = 0;
    uv_read_start((uv_stream_t *)&s->tcp, alloc_cb, read_cb);
    if (s->tls_ctx) {
        if (!tls_start(s))
            lost(s, "TLS: cannot start");
        return; /* connected once the handshake is done */
    }
    became_connected(s);
}

static void became_connected(sc_stream_t *s)
{
    sc_backoff_reset(&s->backoff);
    s->connected = true;
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

/* The TLS settings of every connection of an https:// target: TLS 1.2 or
 * later, the device's certificate checked against the target's "ca" file
 * or the system's CAs. NULL with why set when the CA file cannot be read. */
static SSL_CTX *tls_context(const rd_target_t *t, char *why, size_t cap)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (!c) {
        snprintf(why, cap, "TLS: cannot start");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    if (t->ca ? SSL_CTX_load_verify_locations(c, t->ca, NULL) != 1
              : SSL_CTX_set_default_verify_paths(c) != 1) {
        snprintf(why, cap, "TLS: cannot read the CA file %s", t->ca ? t->ca : "(the system's)");
        ERR_clear_error();
        SSL_CTX_free(c);
        return NULL;
    }
    return c;
}

int sc_stream_open(sc_stream_t *s, sc_target_t *o, const sc_stream_cb_t *cb, void *ctx)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    s->cb = cb;
    s->ctx = ctx;
    sc_backoff_reset(&s->backoff);
    if (o->conf->tls) {
        char why[200];
        s->tls_ctx = tls_context(o->conf, why, sizeof why);
        if (!s->tls_ctx) {
            s->closing = true;
            sc_target_set_state(o, SC_TARGET_DOWN, why);
            return EINVAL;
        }
    }
    unsigned int len;
    if (sc__connect_socket(o->conf->host, o->conf->port, SOCK_STREAM, &s->addr, &len) < 0) {
        int e = errno;
        s->closing = true;
        SSL_CTX_free(s->tls_ctx);
        s->tls_ctx = NULL;
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
    if (status < 0 && status != UV_ECANCELED && s->tcp_up)
        lost(s, uv_strerror(status));
}

int sc_stream_write(sc_stream_t *s, const char *buf, size_t n)
{
    if (!s->connected)
        return ENOTCONN;
    if (!s->ssl)
        return raw_write(s, buf, n);
    if (s->queued > MAX_QUEUED)
        return ENOBUFS;
    if (SSL_write(s->ssl, buf, (int)n) != (int)n) {
        tls_failed(s);
        return ENOTCONN;
    }
    tls_flush(s);
    return s->connected ? 0 : ENOTCONN;
}

/* Bytes for the socket as they are (TLS records, or plain text). */
static int raw_write(sc_stream_t *s, const char *buf, size_t n)
{
    if (!s->tcp_up)
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
    if (s->connected || s->tcp_up) {
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
