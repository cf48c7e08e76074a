/* Acknowledgements: one queue where every door's replies wait until the as-run records their
 * commands caused are on disk. */
#ifndef SC_ACK_H
#define SC_ACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* A reply to a command is held until the fsync of the last as-run record
 * appended by the time its command ran: the command record itself, and every
 * show transition and cue record it caused. A producer who saw "ok" can rely
 * on the log and on crash recovery knowing about it. The wait is one fsync,
 * about a millisecond on an SSD; cues never wait for it, they leave first.
 *
 * One queue for every door, in the order the commands ran, released from the
 * front: a client's replies to its commands come back in their order, whatever
 * door it uses (a door answers at once what ran nothing, such as a pong or a
 * bad_json; the OSC door holds those too behind its held replies). Releases
 * happen only from the queue's timer, the log's fsync callback and the
 * flush, never from inside a call a door makes. One policy for all:
 *   - durable: the reply says so ("durable": true on the websocket and HTTP,
 *     a plain reply on OSC);
 *   - overdue: when the disk does not answer within SC_ACK_MAX_WAIT_MS, when
 *     an owner (a websocket client, the OSC door) already has SC_ACK_MAX_HELD
 *     replies waiting (its oldest goes, to make room), or when the daemon
 *     stops, the reply goes out anyway, saying the command did take effect
 *     but its record is not on disk yet, with a warning that says why
 *     ("durable": false and "warning" on the websocket and HTTP; code
 *     "not_durable" with the warning as its message on OSC). The log keeps
 *     trying, in order. */
#define SC_ACK_MAX_WAIT_MS 1000
#define SC_ACK_TICK_MS 100   /* while replies are held: how often to check the deadline */
#define SC_ACK_MAX_HELD 1024 /* replies held at once for one owner */
#define SC_ACK_WARNING_MAX 200

typedef enum {
    SC_ACK_WAIT = 0,    /* held: not on disk yet */
    SC_ACK_DURABLE = 1, /* on disk */
    SC_ACK_OVERDUE = 2, /* goes out not durable, with a warning */
    SC_ACK_DROPPED = 3, /* its owner went away (sc_ack_cancel_owner): send nothing */
} sc_ack_t;

typedef struct sc_ack_entry sc_ack_entry_t;

/* Whose replies they are: a websocket client, an HTTP request, the OSC
 * door. The door embeds one; the queue counts its held replies in it. */
typedef struct {
    size_t held;
} sc_ack_owner_t;

/* Called once for a held reply: state DURABLE, OVERDUE (with warning) or
 * DROPPED (warning NULL). The entry has left the queue: the door sends the
 * reply (or not) and frees what it allocated. */
typedef void (*sc_ack_release_fn)(sc_ack_entry_t *e, sc_ack_t state, const char *warning);

/* A door embeds one in each reply it holds. */
struct sc_ack_entry {
    sc_ack_entry_t *prev, *next; /* the queue's */
    uint64_t seq;                /* the as-run seq it waits for */
    int64_t parked_mono;         /* when it was held */
    sc_ack_owner_t *owner;       /* whose it is (sc_ack_cancel_owner) */
    sc_ack_release_fn release;
    bool full; /* pushed out by its owner's newer replies: goes next turn */
};

/* Where durability comes from: the as-run log, or a test's stand-in. */
typedef struct {
    uint64_t (*last_seq)(void *ctx);             /* the last seq appended */
    bool (*is_durable)(void *ctx, uint64_t seq); /* on disk (and its fsync did not fail) */
    int (*last_error)(void *ctx);                /* the log's last error (uv code), 0 for none */
    void *ctx;
} sc_ack_source_t;

typedef struct sc_ack_queue sc_ack_queue_t;

/* The queue and its deadline timer on loop. src NULL: there is no log, and
 * every reply is durable at once. src is copied. */
sc_ack_queue_t *sc_ack_queue_new(uv_loop_t *loop, const sc_ack_source_t *src);

/* Closes the timer; q is freed in its close callback (inside the loop).
 * Held replies are dropped: flush first. */
void sc_ack_queue_close(sc_ack_queue_t *q);

/* The seq a reply to the command that has just run waits for: the last
 * record appended (0 with no log). */
uint64_t sc_ack_seq(const sc_ack_queue_t *q);

/* A reply that must wait for record seq (0: for nothing but the replies held
 * before it). Returns DURABLE or OVERDUE (warning filled) when it may go
 * now, in order: the door sends it at once. Returns WAIT when the queue
 * holds it: release(e, ...) follows exactly once, later, never from inside
 * this call. Nothing else is released from inside it either: what is due
 * ahead of it, and the owner's oldest when it has SC_ACK_MAX_HELD, go at the
 * loop's next turn. (A door's release may close a client, and the door
 * calling this may be in that client's callback.) */
sc_ack_t sc_ack_hold(sc_ack_queue_t *q, sc_ack_entry_t *e, sc_ack_owner_t *owner, uint64_t seq,
                     sc_ack_release_fn release, char *warning, size_t wlen);

/* The owner went away: its held replies are released DROPPED now (and only
 * those: what waited behind them goes at the loop's next turn). */
void sc_ack_cancel_owner(sc_ack_queue_t *q, sc_ack_owner_t *owner);

/* The as-run log's fsync callback (sc_asrun_on_durable, ctx = q): releases
 * what is due. */
void sc_ack_on_durable(void *q, uint64_t seq);

/* At shutdown, before the doors close: every held reply goes out now, those
 * not on disk yet as OVERDUE; later replies go out at once the same way. */
void sc_ack_flush(sc_ack_queue_t *q);

/* Replies held now, all owners together. */
size_t sc_ack_held(const sc_ack_queue_t *q);

#endif
