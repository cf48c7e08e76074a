/* HTTP and HTTPS targets: one keep-alive connection per device, requests written at their deadline
 * and pipelined, each answered by its response (2xx ok) or by the target's timeout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awaiting.h"
#include "clock/cue_clock.h"
#include "http_response.h"
#include "stream.h"
#include "xalloc.h"

typedef struct {
    sc_target_t *o;
    sc_stream_t s;
    sc_awaiting_t waits;
    sc_http_parser_t parser;
    int open_parts; /* stream, waits: each closes on its own */
} http_t;

/* "HTTP 404: Not here", control characters as spaces. */
static void detail_of(const sc_http_response_t *r, char *out, size_t cap)
{
    int n = snprintf(out, cap, "HTTP %d%s", r->status, r->body_len ? ": " : "");
    for (size_t i = 0; i < r->body_len && n >= 0 && (size_t)n + 1 < cap; i++) {
        unsigned char c = (unsigned char)r->body[i];
        out[n++] = c < ' ' || c == 0x7f ? ' ' : (char)c;
    }
    if (n >= 0 && (size_t)n < cap)
        out[n] = '\0';
    for (size_t l = strlen(out); l > 0 && out[l - 1] == ' '; l--)
        out[l - 1] = '\0';
}

static void on_response(void *ctx, const sc_http_response_t *r)
{
    http_t *h = ctx;
    char detail[SC_HTTP_BODY_KEPT + 32];
    detail_of(r, detail, sizeof detail);
    sc_awaiting_answer_oldest(
        &h->waits, r->status >= 200 && r->status < 300 ? SC_ANSWER_OK : SC_ANSWER_ERROR, detail);
}

static void on_connected(sc_stream_t *s)
{
    http_t *h = s->ctx;
    sc_http_parser_reset(&h->parser);
}

/* A request that waited for the connection has gone (or never will). */
static void on_sent(sc_stream_t *s, uint64_t key, int err, int64_t sent_mono)
{
    http_t *h = s->ctx;
    if (!err)
        sc_awaiting_push(&h->waits, key, sent_mono);
    sc_target_done(h->o, key, err, sent_mono);
}

static void on_data(sc_stream_t *s, const char *buf, size_t n)
{
    http_t *h = s->ctx;
    if (!sc_http_parser_feed(&h->parser, buf, n, on_response, h)) {
        sc_awaiting_answer_oldest(&h->waits, SC_ANSWER_ERROR, "the device's answer is not HTTP");
        sc_stream_drop(&h->s, "the device's answer is not HTTP");
    }
}

/* The connection went: a response that ran to the close is whole; the
 * requests still in flight have no answer coming. They are not sent again:
 * the device may have acted on them, and a cue never fires twice. */
static void on_lost(sc_stream_t *s, const char *why)
{
    http_t *h = s->ctx;
    sc_http_parser_eof(&h->parser, on_response, h);
    sc_http_parser_reset(&h->parser);
    char detail[192];
    snprintf(detail, sizeof detail, "no answer: the connection ended (%s)", why);
    sc_awaiting_answer_all(&h->waits, SC_ANSWER_ERROR, detail);
}

static void part_closed(http_t *h)
{
    if (--h->open_parts > 0)
        return;
    h->o->closed = true;
    h->o->impl = NULL;
    free(h);
}

static void on_stream_closed(sc_stream_t *s)
{
    part_closed(s->ctx);
}

static void on_waits_closed(sc_target_t *o)
{
    part_closed(o->impl);
}

/* A response overdue: the ones behind it on this connection can no longer
 * be told apart from it, so the connection starts again. */
static void on_timed_out(sc_target_t *o)
{
    http_t *h = o->impl;
    sc_stream_drop(&h->s, "the device did not answer in time");
}

static const sc_stream_cb_t stream_cb = {.connected = on_connected,
                                         .data = on_data,
                                         .lost = on_lost,
                                         .closed = on_stream_closed,
                                         .sent = on_sent};

static int http_open(sc_target_t *o)
{
    http_t *h = rd_xcalloc(1, sizeof *h);
    h->o = o;
    o->impl = h;
    int err = sc_stream_open(&h->s, o, &stream_cb, h);
    if (err) {
        free(h);
        o->impl = NULL;
        o->closed = true;
        return err;
    }
    sc_awaiting_init(&h->waits, o);
    h->waits.timed_out = on_timed_out;
    h->open_parts = 2;
    return 0;
}

static int http_send(sc_target_t *o, uint64_t key, const uint8_t *bytes, size_t len,
                     int64_t *sent_mono)
{
    http_t *h = o->impl;
    if (!h)
        return ENOTCONN;
    /* Down (a device that closed its idle connection, say): it connects now
     * and the request goes when it is up (on_sent), or fails after the
     * target's timeout. */
    int err = sc_stream_send(&h->s, key, (const char *)bytes, len, sent_mono);
    if (!err)
        sc_awaiting_push(&h->waits, key, *sent_mono);
    return err;
}

static void http_close(sc_target_t *o)
{
    http_t *h = o->impl;
    if (!h) {
        o->closed = true;
        return;
    }
    sc_awaiting_close(&h->waits, on_waits_closed);
    sc_stream_close(&h->s);
}

static void add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = rd_xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

static void adds(char **buf, size_t *len, size_t *cap, const char *s)
{
    add(buf, len, cap, s, strlen(s));
}

/* The whole request, once, before show time: the request line (the URL's
 * base path, then the cue's), Host, our headers, the cue's, the body. */
static bool http_encode(const rd_payload_t *p, const rd_target_t *conf, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (p->kind != RD_PAYLOAD_HTTP)
        return false;
    const rd_http_request_t *r = &p->http;
    char *b = NULL;
    size_t n = 0, cap = 0;
    char line[512];
    adds(&b, &n, &cap, r->method);
    adds(&b, &n, &cap, " ");
    size_t base = conf->path ? strlen(conf->path) : 0;
    while (base > 0 && conf->path[base - 1] == '/')
        base--; /* "/" and "/base/" join "/x" as "/x" and "/base/x" */
    if (base)
        add(&b, &n, &cap, conf->path, base);
    adds(&b, &n, &cap, r->path);
    bool v6 = strchr(conf->host, ':') != NULL;
    snprintf(line, sizeof line, " HTTP/1.1\r\nHost: %s%s%s:%d\r\nUser-Agent: showcallerd\r\n",
             v6 ? "[" : "", conf->host, v6 ? "]" : "", conf->port);
    adds(&b, &n, &cap, line);
    for (size_t i = 0; i < r->nheaders; i++) {
        adds(&b, &n, &cap, r->headers[i]);
        adds(&b, &n, &cap, "\r\n");
    }
    if (r->body && r->content_type) {
        snprintf(line, sizeof line, "Content-Type: %s\r\n", r->content_type);
        adds(&b, &n, &cap, line);
    }
    if (r->body || strcmp(r->method, "GET") != 0) {
        snprintf(line, sizeof line, "Content-Length: %zu\r\n", r->body ? strlen(r->body) : 0);
        adds(&b, &n, &cap, line);
    }
    adds(&b, &n, &cap, "\r\n");
    if (r->body)
        adds(&b, &n, &cap, r->body);
    *out = (uint8_t *)b;
    *len = n;
    return true;
}

const sc_target_ops_t sc_target_http = {
    .kind = RD_TARGET_HTTP,
    .clock_sends = false,
    .answers = true,
    .encode = http_encode,
    .open = http_open,
    .send = http_send,
    .close = http_close,
};

/* https://: the same requests and answers over TLS (stream.c). */
const sc_target_ops_t sc_target_https = {
    .kind = RD_TARGET_HTTPS,
    .clock_sends = false,
    .answers = true,
    .encode = http_encode,
    .open = http_open,
    .send = http_send,
    .close = http_close,
};
