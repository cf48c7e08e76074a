/* HTTP/1.1 responses read from a byte stream: status, the body's first bytes, keep-alive or not. */
#ifndef SC_HTTP_RESPONSE_H
#define SC_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first bytes of a body kept for the answer. */
#define SC_HTTP_BODY_KEPT 256

typedef struct {
    int status;                       /* 200 */
    char body[SC_HTTP_BODY_KEPT + 1]; /* its first bytes, NUL-ended */
    size_t body_len;                  /* of body[] */
    bool close;                       /* the device closes the connection after it */
} sc_http_response_t;

typedef enum {
    SC_HTTP_STATUS_LINE = 0,
    SC_HTTP_HEADERS,
    SC_HTTP_BODY,        /* Content-Length bytes */
    SC_HTTP_CHUNK_SIZE,  /* a chunk's size line */
    SC_HTTP_CHUNK_DATA,  /* its bytes */
    SC_HTTP_CHUNK_END,   /* the CRLF after them */
    SC_HTTP_TRAILERS,    /* after the last chunk, to the empty line */
    SC_HTTP_UNTIL_CLOSE, /* neither: the body ends when the connection does */
} sc_http_stage_t;

typedef struct {
    sc_http_stage_t stage;
    sc_http_response_t r;
    uint64_t left; /* body or chunk bytes still to come */
    bool chunked, has_length;
    bool head; /* the request was HEAD-like: no body whatever the headers say */
    char line[1024];
    size_t line_len;
} sc_http_parser_t;

void sc_http_parser_reset(sc_http_parser_t *p);

/* Reads n bytes; calls done for each whole response (1xx ones are skipped).
 * Returns false on a malformed response (drop the connection). */
bool sc_http_parser_feed(sc_http_parser_t *p, const char *buf, size_t n,
                         void (*done)(void *ctx, const sc_http_response_t *r), void *ctx);

/* The connection ended: a response whose body runs to the close is whole
 * now (done is called); true when one was. */
bool sc_http_parser_eof(sc_http_parser_t *p, void (*done)(void *ctx, const sc_http_response_t *r),
                        void *ctx);

/* Mid-response (some of it came). */
bool sc_http_parser_busy(const sc_http_parser_t *p);

#endif
