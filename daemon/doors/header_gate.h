/* The header gate: a new connection's first request header is read here,
 * before lws sees it, so that one over SC_HTTP_MAX_HEADER bytes is answered
 * "431 Request Header Fields Too Large" instead of a dropped connection.
 *
 * lws 4.1 cannot answer it itself: when its header buffer overflows it
 * closes the connection (after a shutdown) with no callback in between. So
 * the FILTER_NETWORK_CONNECTION callback gives us each accepted socket (a
 * duplicate; lws closes its own), we peek (MSG_PEEK: nothing is consumed)
 * until the blank line that ends the header is in the socket, and hand the
 * socket back to lws (lws_adopt_socket_vhost), which reads it as if it had
 * accepted it.
 * lws's own buffer is larger than the gate's limit, so it never overflows on
 * a first request. A header that does not end within the limit gets the 431
 * and a FIN; what the client still sends is read and dropped (bounded in
 * bytes and time) so that closing with unread input does not reset the
 * connection before the client has read the answer.
 *
 * Not gated: TLS connections (the bytes are lws's to decrypt), and more
 * than GATE_MAX connections at once (lws takes those directly). A later
 * request on a kept-alive connection is lws's alone: over lws's buffer it is
 * dropped, as before. */
#ifndef SC_HEADER_GATE_H
#define SC_HEADER_GATE_H

#include <stdbool.h>

#include "server_internal.h"

/* From FILTER_NETWORK_CONNECTION: true when the gate has taken a duplicate
 * of fd (lws must then close its own). */
bool sc__header_gate_take(sc_server_t *s, int fd);

/* Closes every connection still in the gate (the server is stopping). */
void sc__header_gate_close_all(sc_server_t *s);

#endif
