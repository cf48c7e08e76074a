/* Tests for daemon/targets/http_response.c: HTTP/1.1 responses as devices write them. */
#include <stdio.h>
#include <string.h>

#include "targets/http_response.h"
#include "unit.h"

typedef struct {
    sc_http_response_t r[4];
    int n;
} seen_t;

static void done(void *ctx, const sc_http_response_t *r)
{
    seen_t *s = ctx;
    if (s->n < 4)
        s->r[s->n] = *r;
    s->n++;
}

/* Fed one byte at a time, as the slowest network would deliver it. */
static bool feed_bytewise(sc_http_parser_t *p, const char *text, seen_t *s)
{
    for (size_t i = 0; text[i]; i++)
        if (!sc_http_parser_feed(p, text + i, 1, done, s))
            return false;
    return true;
}

TEST(http_response_length_keep_alive_and_pipelined)
{
    sc_http_parser_t p;
    sc_http_parser_reset(&p);
    seen_t s = {0};
    const char *two =
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Type: text/plain\r\n\r\nOK done"
        "HTTP/1.1 404 Not Found\r\ncontent-length: 8\r\n\r\nNot here";
    ASSERT_TRUE(sc_http_parser_feed(&p, two, strlen(two), done, &s));
    ASSERT_EQ(s.n, 2);
    ASSERT_EQ(s.r[0].status, 200);
    ASSERT_STR_EQ(s.r[0].body, "OK done");
    ASSERT_FALSE(s.r[0].close);
    ASSERT_EQ(s.r[1].status, 404);
    ASSERT_STR_EQ(s.r[1].body, "Not here");
    ASSERT_FALSE(sc_http_parser_busy(&p));
}

TEST(http_response_chunked_bytewise_with_trailers)
{
    sc_http_parser_t p;
    sc_http_parser_reset(&p);
    seen_t s = {0};
    ASSERT_TRUE(
        feed_bytewise(&p,
                      "HTTP/1.1 100 Continue\r\n\r\n"
                      "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n"
                      "Connection: close\r\n\r\n4\r\nboom\r\n3;x=y\r\n!!!\r\n0\r\nX-T: 1\r\n\r\n",
                      &s));
    ASSERT_EQ(s.n, 1); /* the 100 is not an answer */
    ASSERT_EQ(s.r[0].status, 500);
    ASSERT_STR_EQ(s.r[0].body, "boom!!!");
    ASSERT_TRUE(s.r[0].close);
}

/* A body longer than what is kept is read whole (the next response still
 * parses) and only its first SC_HTTP_BODY_KEPT bytes kept. */
TEST(http_response_long_body_is_cut_and_skipped)
{
    sc_http_parser_t p;
    sc_http_parser_reset(&p);
    seen_t s = {0};
    char big[2000];
    int n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    memset(big + n, 'x', 1000);
    big[n + 1000] = '\0';
    ASSERT_TRUE(sc_http_parser_feed(&p, big, strlen(big), done, &s));
    const char *next = "HTTP/1.1 204 No Content\r\n\r\n";
    ASSERT_TRUE(sc_http_parser_feed(&p, next, strlen(next), done, &s));
    ASSERT_EQ(s.n, 2);
    ASSERT_EQ(s.r[0].body_len, SC_HTTP_BODY_KEPT);
    ASSERT_EQ(s.r[1].status, 204);
}

/* HTTP/1.0 without a length: the body runs to the close. */
TEST(http_response_until_close_and_malformed)
{
    sc_http_parser_t p;
    sc_http_parser_reset(&p);
    seen_t s = {0};
    const char *r = "HTTP/1.0 200 OK\r\n\r\nhello";
    ASSERT_TRUE(sc_http_parser_feed(&p, r, strlen(r), done, &s));
    ASSERT_EQ(s.n, 0);
    ASSERT_TRUE(sc_http_parser_busy(&p));
    ASSERT_TRUE(sc_http_parser_eof(&p, done, &s));
    ASSERT_EQ(s.n, 1);
    ASSERT_STR_EQ(s.r[0].body, "hello");
    ASSERT_TRUE(s.r[0].close);
    ASSERT_FALSE(sc_http_parser_eof(&p, done, &s));

    sc_http_parser_reset(&p);
    ASSERT_FALSE(sc_http_parser_feed(&p, "SSH-2.0-OpenSSH\r\n", 17, done, &s));
    sc_http_parser_reset(&p);
    ASSERT_FALSE(sc_http_parser_feed(&p, "HTTP/1.1 200 OK\r\nno colon\r\n", 28, done, &s));
}
