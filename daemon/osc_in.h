/* The OSC door: /showcaller/<cmd> over UDP, decoded through the command table, on the loop. */
#ifndef SC_OSC_IN_H
#define SC_OSC_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "command.h"

typedef struct sc_osc_in sc_osc_in_t;

/* The most feedback subscribers at once. */
#define SC_OSC_MAX_SUBSCRIBERS 32

/* Called on the loop for each decoded command; the owner runs it and fills
 * result, which is sent back to the sender. `allowed` is false when the
 * sender's address is not in the allow list: the owner must refuse it (and
 * log it) without touching the show. result arrives pre-filled: ok when
 * allowed, "unauthorized" when not. cmd and result are borrowed for the call. */
typedef void (*sc_osc_dispatch_fn)(void *ctx, const sc_command_t *cmd, bool allowed,
                                   sc_result_t *result);

/* Binds a UDP socket to host:port (host: a numeric IPv4/IPv6 address or a
 * name; NULL or "" means 0.0.0.0; port 0 picks a free port) and watches it
 * on loop. allow holds IP address strings; they are copied. Returns NULL
 * and a sentence in err when the address cannot be bound or an allow entry
 * is not an address; dispatch is never called then. */
sc_osc_in_t *sc_osc_in_start(uv_loop_t *loop, const char *host, int port, const char *const *allow,
                             size_t nallow, sc_osc_dispatch_fn dispatch, void *ctx, char *err,
                             size_t errlen);

/* The bound port. */
int sc_osc_in_port(const sc_osc_in_t *o);

/* Sends /showcaller/running (s state, s item id, s title, f remaining
 * seconds, negative when over, s next item id) to every subscriber. NULL
 * strings go out as "". */
void sc_osc_in_feedback(sc_osc_in_t *o, const char *state, const char *item_id, const char *title,
                        double remaining_s, const char *next_id);

/* What the door has seen since it started. */
typedef struct {
    uint64_t commands;    /* messages under /showcaller/, answered */
    uint64_t ignored;     /* well-formed messages outside /showcaller/ */
    uint64_t malformed;   /* packets liblo rejected */
    uint64_t send_failed; /* replies and feedback the socket refused */
    size_t subscribers;
} sc_osc_in_stats_t;

void sc_osc_in_stats(const sc_osc_in_t *o, sc_osc_in_stats_t *out);

/* Stops receiving at once; closes the poll handle, frees the liblo server
 * and o in its close callback, then calls done(ctx) (done may be NULL).
 * o must not be used after this call. */
void sc_osc_in_close(sc_osc_in_t *o, void (*done)(void *ctx), void *ctx);

#endif
