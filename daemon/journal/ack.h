/* Acknowledgements: a reply to a command waits until every as-run record the command caused is
 * on disk. */
#ifndef SC_ACK_H
#define SC_ACK_H

#include <jansson.h>
#include <stdint.h>

#include "app.h"

/* A reply is held until the fsync of the last as-run record appended by the
 * time its command ran: the command record itself, and every show transition
 * and cue record it caused. A producer who saw "ok" can rely on the log and on
 * crash recovery knowing about it (issue 5: "recorded durably before it is
 * acknowledged"). The wait is one fsync, about a millisecond on an SSD; cues
 * never wait for it, they leave first.
 *
 * If the disk stops answering, replies do not wait for ever: after
 * SC_ACK_MAX_WAIT_MS they go out with "durable": false and a warning, since
 * the command did take effect. Each door keeps its own held replies (so a
 * client that goes away takes its replies with it) and releases them when
 * sc_server_release_acks / sc_osc_in_release_acks ask. */
#define SC_ACK_MAX_WAIT_MS 1000
#define SC_ACK_TICK_MS 100 /* while replies are held: how often to check the deadline */

typedef enum {
    SC_ACK_WAIT,    /* not yet on disk */
    SC_ACK_DURABLE, /* on disk: reply with "durable": true */
    SC_ACK_OVERDUE, /* waited SC_ACK_MAX_WAIT_MS: reply with "durable": false */
} sc_ack_t;

/* The timer behind the deadline; with the loop's other handles. */
void sc_ack_init(sc_app_t *app);

/* The as-run log's fsync callback (sc_asrun_on_durable, ctx = app). */
void sc_ack_on_durable(void *ctx, uint64_t seq);

/* Stops and closes the timer (inside the loop, at shutdown). */
void sc_ack_close(sc_app_t *app);

/* The seq a reply to the command that just ran must wait for: the last as-run
 * record appended. 0 when there is no log (nothing to wait for). */
uint64_t sc_ack_seq(const sc_app_t *app);

/* Where a reply held since parked_mono for seq stands now. */
sc_ack_t sc_ack_check(const sc_app_t *app, uint64_t seq, int64_t parked_mono);

/* At shutdown, before the doors close: every held reply goes out now, those
 * not yet on disk with "durable": false. */
void sc_ack_flush(sc_app_t *app);

/* A door held a reply: look again at the next fsync or within SC_ACK_TICK_MS. */
void sc_ack_parked(sc_app_t *app);

/* The "warning" of an overdue reply (static text plus the log's last error). */
void sc_ack_warning(const sc_app_t *app, char *buf, size_t len);

/* Marks a JSON reply released in `state`: "durable", and for an overdue one
 * the "warning" (the websocket and HTTP doors). */
void sc_ack_annotate(const sc_app_t *app, json_t *reply, sc_ack_t state);

#endif
