/* The OSC door: /showcaller/<cmd> over UDP, rate limited per sender, answered, on the loop. */
#ifndef SC_OSC_IN_H
#define SC_OSC_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "journal/ack.h"
#include "show/command.h"

typedef struct sc_osc_in sc_osc_in_t;

/* The most feedback subscribers at once. */
#define SC_OSC_MAX_SUBSCRIBERS 32

/* Called on the loop for each decoded command; the owner runs it and fills
 * result, which is sent back to the sender. `allowed` is false when the
 * sender's address is not in the allow list: the owner must refuse it (and
 * log it) without touching the show. result arrives pre-filled: ok when
 * allowed, "unauthorized" when not. cmd and result are borrowed for the call.
 * Returns the seq of the command's as-run record, 0 when nothing was
 * logged: a logged command's reply waits in the ack queue for the record
 * (journal/ack.h). */
typedef uint64_t (*sc_osc_dispatch_fn)(void *ctx, const sc_command_t *cmd, bool allowed,
                                       sc_result_t *result);

/* Binds a UDP socket to host:port (host: a numeric IPv4/IPv6 address or a
 * name; NULL or "" means 0.0.0.0; port 0 picks a free port) and watches it
 * on loop. allow holds IP address strings; they are copied.
 * commands_per_second (at least 1) limits each sender address, with bursts
 * of twice that (rate_limit.h): every message under /showcaller/ takes a
 * token, and one without is refused "rate_limited" and never reaches
 * dispatch. A refusal (rate limited or unauthorized) is answered once per
 * sender every 2 s, at most 16 in 2 s from all senders; the others are
 * counted (stats.unanswered) and summarised in the log. The replies to logged commands wait in acks (borrowed; NULL:
 * every reply goes at once); replies to messages that ran nothing (refused,
 * rate limited, subscriptions) go at once. Returns NULL and a sentence in err
 * when the address cannot be bound or an argument is wrong; dispatch is never
 * called then. */
sc_osc_in_t *sc_osc_in_start(uv_loop_t *loop, const char *host, int port, const char *const *allow,
                             size_t nallow, int commands_per_second, sc_osc_dispatch_fn dispatch,
                             void *ctx, sc_ack_queue_t *acks, char *err, size_t errlen);

/* The bound port. */
int sc_osc_in_port(const sc_osc_in_t *o);

/* Sends /showcaller/running (s state, s item id, s title, f remaining
 * seconds, negative when over, s next item id) to every subscriber. NULL
 * strings go out as "". */
void sc_osc_in_feedback(sc_osc_in_t *o, const char *state, const char *item_id, const char *title,
                        double remaining_s, const char *next_id);

/* What the door has seen since it started. */
typedef struct {
    uint64_t commands;     /* messages under /showcaller/ */
    uint64_t rate_limited; /* of those, refused for their sender's rate */
    uint64_t unanswered;   /* refusals not answered: the sender had one in the interval */
    uint64_t ignored;      /* messages outside /showcaller/ */
    uint64_t malformed;    /* datagrams dropped unanswered (sc_osc_decode refused them) */
    uint64_t send_failed;  /* replies and feedback the socket refused */
    uint64_t not_durable;  /* replies to logged commands sent before their record was on disk */
    size_t subscribers;
} sc_osc_in_stats_t;

void sc_osc_in_stats(const sc_osc_in_t *o, sc_osc_in_stats_t *out);

/* Stops receiving at once; replies still held are dropped (flush the ack
 * queue first); closes the poll handle, frees o in its close callback, then
 * calls done(ctx) (done may be NULL). o must not be used after this call. */
void sc_osc_in_close(sc_osc_in_t *o, void (*done)(void *ctx), void *ctx);

#endif
