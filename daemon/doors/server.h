/* The web server: libwebsockets on our loop, serving the web client, the HTTP API and /ws. */
#ifndef SC_SERVER_H
#define SC_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"

struct lws_context;
struct lws_protocols;

/* Creates the lws context on app->loop (a foreign loop) and its vhost on
 * the configured address. Returns NULL and writes why into err on failure
 * (for example the port is taken). */
sc_server_t *sc_server_start(sc_app_t *app, const char *host, int port, const char *web_root,
                             char *err, size_t errlen);

struct lws_context *sc_server_context(sc_server_t *s);

/* Serializes the state once and queues it for every websocket client. */
void sc_server_push_state(sc_server_t *s, const char *json, size_t len);

/* Sends a JSON event (e.g. a reload error) to every control client. */
void sc_server_notify_control(sc_server_t *s, const char *json, size_t len);

size_t sc_server_clients(const sc_server_t *s);

/* Sends the command replies (websocket and HTTP) whose as-run records are now
 * durable or whose wait is over (ack.h). Returns how many are still held. */
size_t sc_server_release_acks(sc_server_t *s);

/* Shutdown, stage 1: close websockets politely (1001). done() is called
 * from the loop when they have closed or after a short grace. */
void sc_server_begin_shutdown(sc_server_t *s, void (*done)(void *ctx), void *ctx);
/* Stage 2: lws_context_destroy inside the loop; call again (phase 2) after
 * uv_run returns, then free. */
void sc_server_destroy(sc_server_t *s);
void sc_server_free(sc_server_t *s);

/* The protocol the websocket targets connect with (defined in out_ws.c). */
extern const struct lws_protocols sc_out_ws_protocol;

#endif
