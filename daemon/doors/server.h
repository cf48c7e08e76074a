/* The web server: libwebsockets on our loop, serving the web client, the HTTP API and /ws. */
#ifndef SC_SERVER_H
#define SC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "auth.h"
#include "journal/ack.h"
#include "journal/asrun.h"
#include "model.h"
#include "show/dispatch.h"
#include "show/state_json.h"

struct lws_context;
typedef struct sc_server sc_server_t;

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
