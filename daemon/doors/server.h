/* The web server: libwebsockets on our loop, serving the web client, the HTTP API and /ws. */
#ifndef SC_SERVER_H
#define SC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <uv.h>

#include "auth.h"
#include "journal/ack.h"
#include "journal/asrun.h"
#include "model.h"
#include "show/dispatch.h"
#include "show/state_json.h"

struct lws_context;
typedef struct sc_server sc_server_t;

/* The rundown's editing API (GET /api/rundown/source, POST /api/rundown/check,
 * PUT /api/rundown, /api/versions..., POST /api/import, GET /api/rundown.csv):
 * the door hands such a request to env->edit and sends what it answers. */
typedef struct sc_edit_reply sc_edit_reply_t;
typedef struct {
    const char *method; /* "GET", "POST" or "PUT" */
    const char *path;   /* under /api, e.g. "/versions/3/diff" */
    char to[24];        /* ?to= (a version), or "" */
    char format[16];    /* ?format= ("csv", "ontime"), or "" */
    const char *body;   /* the request's body, body_len bytes (not NUL-terminated) */
    size_t body_len;
    bool control;           /* the control token was presented */
    char source[64];        /* "IP:port" of the peer */
    sc_edit_reply_t *later; /* for an answer that comes later (a save) */
} sc_edit_request_t;

/* What env->edit answers: a status with a JSON body (taken), or a text body
 * (taken, with its type), or status 0: the answer comes later, through
 * sc_server_edit_reply(req->later, ...). */
typedef struct {
    unsigned status;
    json_t *json;
    char *text;
    size_t text_len;
    const char *content_type;
} sc_edit_answer_t;

/* Sends a later answer (status, JSON body taken) and frees the handle; when
 * the request has gone (the client left, the server stopped) it only frees. */
void sc_server_edit_reply(sc_edit_reply_t *later, unsigned status, json_t *body);

/* What the web doors work with. The server borrows the struct itself, so its
 * owner may fill the members after the start (the server must start first,
 * before the loop holds anything else); they must be set before the loop
 * runs. */
typedef struct {
    uv_loop_t *loop;
    const rd_config_t *config;  /* limits and http.tls */
    const sc_tokens_t *tokens;  /* the roles; a reload may change them */
    sc_dispatch_t *dispatch;    /* commands */
    sc_ack_queue_t *acks;       /* replies wait here for the as-run log */
    sc_state_doc_t *state;      /* GET /api/state, /api/rundown */
    const sc_asrun_t *asrun;    /* GET /api/asrun(.csv); NULL: empty */
    void (*changed)(void *ctx); /* the number of screens changed */
    /* The editing API; NULL: those paths are not found. Its request's
     * strings are the door's, valid during the call. */
    sc_edit_answer_t (*edit)(void *ctx, const sc_edit_request_t *req);
    void *ctx;
} sc_server_env_t;

/* Creates the lws context on env->loop (a foreign loop) and its vhost on
 * host:port, with the websocket target kinds' client protocols. Returns
 * NULL and writes why into err on failure (for example the port is taken). */
sc_server_t *sc_server_start(const sc_server_env_t *env, const char *host, int port,
                             const char *web_root, char *err, size_t errlen);

/* The lws context (websocket targets connect through it); NULL once the
 * server stops. */
struct lws_context *sc_server_context(sc_server_t *s);

/* Queues the state (serialized once) for every websocket client. */
void sc_server_push_state(sc_server_t *s, const char *json, size_t len);

/* Sends a JSON event (e.g. a reload error) to every control client. */
void sc_server_notify_control(sc_server_t *s, const char *json, size_t len);

size_t sc_server_clients(const sc_server_t *s);

/* Shutdown, stage 1: close websockets politely (1001). done() is called
 * from the loop when they have closed or after a short grace. */
void sc_server_begin_shutdown(sc_server_t *s, void (*done)(void *ctx), void *ctx);
/* Stage 2: lws_context_destroy inside the loop; call again (phase 2) after
 * uv_run returns, then free. */
void sc_server_destroy(sc_server_t *s);
void sc_server_free(sc_server_t *s);

#endif
