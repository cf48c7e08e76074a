/* HTTP/1.1 response parsing for HTTP targets: status line, headers, Content-Length, chunked, close.
 */
#include "http_response.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sc_http_parser_reset(sc_http_parser_t *p)
{
    memset(p, 0, sizeof *p);
}

static void start_next(sc_http_parser_t *p)
{
    p->stage = SC_HTTP_STATUS_LINE;
    memset(&p->r, 0, sizeof p->r);
    p->left = 0;
    p->chunked = p->has_length = false;
    p->line_len = 0;
}

static void keep_body(sc_http_parser_t *p, const char *b, size_t n)
{
    size_t room = SC_HTTP_BODY_KEPT - p->r.body_len;
    if (n > room)
        n = room;
    memcpy(p->r.body + p->r.body_len, b, n);
    p->r.body_len += n;
    p->r.body[p->r.body_len] = '\0';
}

static void finish(sc_http_parser_t *p, void (*done)(void *, const sc_http_response_t *), void *ctx)
{
    sc_http_response_t r = p->r;
    start_next(p);
    done(ctx, &r);
}

/* The headers ended: where does the body go? */
static bool headers_done(sc_http_parser_t *p, void (*done)(void *, const sc_http_response_t *),
                         void *ctx)
{
    int st = p->r.status;
    if (st >= 100 && st < 200) { /* 100 Continue and the like: the real one follows */
        start_next(p);
        return true;
    }
    if (p->head || st == 204 || st == 304) {
        finish(p, done, ctx);
        return true;
    }
    if (p->chunked) {
        p->stage = SC_HTTP_CHUNK_SIZE;
    } else if (p->has_length) {
        if (p->left == 0)
            finish(p, done, ctx);
        else
            p->stage = SC_HTTP_BODY;
    } else {
        p->r.close = true;
        p->stage = SC_HTTP_UNTIL_CLOSE;
    }
    return true;
}

/* s contains word, in any case. */
static bool contains(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; *s; s++)
        if (strncasecmp(s, word, n) == 0)
            return true;
    return false;
}

static bool header_line(sc_http_parser_t *p, char *l)
{
    char *colon = strchr(l, ':');
    if (!colon)
        return false;
    *colon = '\0';
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (strcasecmp(l, "content-length") == 0) {
        char *end;
        unsigned long long n = strtoull(v, &end, 10);
        if (end == v)
            return false;
        p->left = n;
        p->has_length = true;
    } else if (strcasecmp(l, "transfer-encoding") == 0) {
        p->chunked = contains(v, "chunked");
    } else if (strcasecmp(l, "connection") == 0) {
        if (contains(v, "close"))
            p->r.close = true;
    }
    return true;
}

/* One line of the head (status, a header, a chunk size, a trailer). */
static bool on_line(sc_http_parser_t *p, void (*done)(void *, const sc_http_response_t *),
                    void *ctx)
{
    char *l = p->line;
    switch (p->stage) {
    case SC_HTTP_STATUS_LINE: {
        if (l[0] == '\0')
            return true; /* a stray CRLF between responses */
        if (strncmp(l, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)l[7]) || l[8] != ' ')
            return false;
        int st = atoi(l + 9);
        if (st < 100 || st > 999)
            return false;
        p->r.status = st;
        if (l[7] == '0')
            p->r.close = true; /* HTTP/1.0 closes unless it says keep-alive */
        p->stage = SC_HTTP_HEADERS;
        return true;
    }
    case SC_HTTP_HEADERS:
        if (l[0] == '\0')
            return headers_done(p, done, ctx);
        if (strncasecmp(l, "connection:", 11) == 0 && contains(l, "keep-alive"))
            p->r.close = false;
        return header_line(p, l);
    case SC_HTTP_CHUNK_SIZE: {
        char *end;
        unsigned long long n = strtoull(l, &end, 16);
        if (end == l)
            return false;
        p->left = n;
        p->stage = n ? SC_HTTP_CHUNK_DATA : SC_HTTP_TRAILERS;
        return true;
    }
    case SC_HTTP_CHUNK_END:
        if (l[0] != '\0')
            return false;
        p->stage = SC_HTTP_CHUNK_SIZE;
        return true;
    case SC_HTTP_TRAILERS:
        if (l[0] == '\0')
            finish(p, done, ctx);
        return true;
    default:
        return false;
    }
}

bool sc_http_parser_feed(sc_http_parser_t *p, const char *buf, size_t n,
                         void (*done)(void *ctx, const sc_http_response_t *r), void *ctx)
{
    size_t i = 0;
    while (i < n) {
        if (p->stage == SC_HTTP_BODY || p->stage == SC_HTTP_CHUNK_DATA) {
            size_t take = n - i < p->left ? n - i : (size_t)p->left;
            keep_body(p, buf + i, take);
            p->left -= take;
            i += take;
            if (p->left == 0) {
                if (p->stage == SC_HTTP_BODY)
                    finish(p, done, ctx);
                else
                    p->stage = SC_HTTP_CHUNK_END;
            }
            continue;
        }
        if (p->stage == SC_HTTP_UNTIL_CLOSE) {
            keep_body(p, buf + i, n - i);
            return true;
        }
        char c = buf[i++];
        if (c == '\n') {
            if (p->line_len && p->line[p->line_len - 1] == '\r')
                p->line_len--;
            p->line[p->line_len] = '\0';
            p->line_len = 0;
            if (!on_line(p, done, ctx))
                return false;
            continue;
        }
        if (p->line_len + 1 >= sizeof p->line)
            return false; /* a head line over 1 KiB: not a device we can read */
        p->line[p->line_len++] = c;
    }
    return true;
}

bool sc_http_parser_eof(sc_http_parser_t *p, void (*done)(void *ctx, const sc_http_response_t *r),
                        void *ctx)
{
    if (p->stage != SC_HTTP_UNTIL_CLOSE)
        return false;
    finish(p, done, ctx);
    return true;
}

bool sc_http_parser_busy(const sc_http_parser_t *p)
{
    return p->stage != SC_HTTP_STATUS_LINE || p->line_len > 0;
}
