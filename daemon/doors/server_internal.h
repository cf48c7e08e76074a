/* Internals shared by the web server's files: server.c, ws_api.c and http_api.c. */
#ifndef SC_SERVER_INTERNAL_H
#define SC_SERVER_INTERNAL_H

#include <uv.h>
#include <libwebsockets.h>
#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>

#include "journal/ack.h"
#include "rate_limit.h"
#include "server.h"

/* Limits on what one client may make us hold. */
#define SC_WS_MAX_QUEUED 64 /* replies waiting for a client; more drops it */
#define SC_WS_MAX_LAG 64    /* state frames a client may fall behind */
#define SC_HTTP_MAX_BODY (16 * 1024)
/* A connection's first request header, request line and every header line
 * as sent; more is answered 431 (header_gate.h). */
#define SC_HTTP_MAX_HEADER 8192
/* A whole rundown (PUT /api/rundown, a draft to check, a file to import). */
#define SC_EDIT_MAX_BODY (8 * 1024 * 1024)
/* Edits (checks as the producer types, saves, imports) a second per address,
 * in bursts of twice that. */
#define SC_EDIT_PER_SECOND 20

/* The web client's pages: /stage, /producer, /editor, /print and "/". */
#define SC_SERVER_PAGES 5

/* A message waiting for one client (replies, pongs, notices). */
typedef struct sc__out_msg {
    struct sc__out_msg *next;
    size_t len;
    unsigned char buf[]; /* LWS_PRE + len */
} sc__out_msg_t;

typedef struct {
    lws_dll2_t list; /* in sc_server_t.sessions */
    struct lws *wsi;
    bool view_ok;
    bool control_ok;
    bool killing;
    bool established;
    char source[64];
    uint64_t sent_seq; /* the last state frame written */
    sc__out_msg_t *out_head, *out_tail;
    size_t out_count;
    sc_ack_owner_t acks; /* its replies waiting for the as-run log */
    sc_bucket_t bucket;  /* commands_per_second, per client */
    unsigned char *rx;   /* reassembly of one message */
    size_t rx_len;
    bool rx_too_big;
} sc__session_t;

/* One HTTP API request (lws frees it when the transaction completes). */
typedef struct {
    char cmd[32];
    bool authorized;
    bool refused_early; /* replied before the body; the rest is discarded */
    bool ran;           /* the command ran (it runs once per request) */
    char *body;
    size_t body_len, body_cap;
    /* An editing API request (server.h): its method and path, and its
     * answer while it is on its way (a save). */
    bool edit;
    char edit_method[8];
    char edit_path[48];
    struct sc_edit_reply *later;
    /* A reply held until its as-run record is durable (journal/ack.h): the
     * queue's entry is on the heap (http.c), never in this lws storage. */
    struct sc__http_held *held; /* its reply, while in the ack queue */
    unsigned held_status;
    char *ready; /* the released reply's text, written when writable */
} sc__http_req_t;

struct sc_server {
    const sc_server_env_t *env;
    struct lws_context *ctx;
    struct lws_vhost *vhost;
    struct lws_protocols *protocols; /* ours, then the target kinds', then the terminator */
    struct lws_http_mount mount_api, mount_pages[SC_SERVER_PAGES]; /* the last is "/" */
    lws_retry_bo_t retry;
    char web_root[1024];
    lws_dll2_owner_t sessions;
    sc_rate_table_t http_rate; /* commands_per_second per HTTP client address */
    /* The current state frame, serialized once and written to every client. */
    unsigned char *frame; /* LWS_PRE + frame_len */
    size_t frame_len;
    uint64_t frame_seq;
    bool shutting_down;
    bool destroyed_once;
    uv_timer_t grace;
    bool grace_open;
    struct sc_refusals *oversized; /* 431s logged once per address (show/refusals.h) */
    lws_dll2_owner_t gated;        /* connections in the header gate (header_gate.h) */
    void (*done)(void *ctx);
    void *done_ctx;
};

int sc__ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len);
int sc__http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len);

/* "IP:port" of the peer. */
void sc__peer(struct lws *wsi, char *buf, size_t len);
void sc__peer_of_fd(int fd, char *buf, size_t len);

/* Queues a message for one session and asks for a writable callback.
 * Returns false (and drops the client) when its queue is full. */
bool sc__session_send(sc_server_t *s, sc__session_t *ss, const char *json, size_t len);

/* Starts closing a session at once (a client that does not read). */
void sc__session_kill(sc_server_t *s, sc__session_t *ss, const char *why);

/* Writes a complete HTTP response with a body and completes the transaction;
 * returns what the callback must return. */
int sc__http_reply(struct lws *wsi, unsigned int status, const char *content_type, const char *body,
                   size_t len);

/* {"ok":false,"error":{"code","message"}}: the body of every error reply. */
json_t *sc__error_body(sc_err_t err, const char *message);

/* A reply with the wire error err (errors.h): sc__error_body at its HTTP
 * status. */
int sc__http_error(struct lws *wsi, sc_err_t err, const char *message);

/* During shutdown: the last websocket has closed, finish without waiting. */
void sc__server_sessions_gone(sc_server_t *s);

/* The server of a wsi. */
sc_server_t *sc__server_of(struct lws *wsi);

#endif
