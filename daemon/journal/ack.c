/* Acknowledgements: replies held in one queue, in order, until the as-run log has them on disk. */
#include "ack.h"

#include <stdio.h>
#include <stdlib.h>

#include "clock/cue_clock.h"
#include "xalloc.h"

struct sc_ack_queue {
    uv_timer_t timer;
    sc_ack_source_t src;
    bool has_src;
    bool flushing; /* stopping: nothing waits any more */
    sc_ack_entry_t *head, *tail;
    size_t count;
    size_t nfull; /* entries marked full, to go at the next turn */
};

sc_ack_queue_t *sc_ack_queue_new(uv_loop_t *loop, const sc_ack_source_t *src)
{
    sc_ack_queue_t *q = rd_xcalloc(1, sizeof *q);
    if (src) {
        q->src = *src;
        q->has_src = true;
    }
    uv_timer_init(loop, &q->timer);
    q->timer.data = q;
    return q;
}

static void closed(uv_handle_t *h)
{
    free(h->data);
}

static void unlink_entry(sc_ack_queue_t *q, sc_ack_entry_t *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        q->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        q->tail = e->prev;
    e->prev = e->next = NULL;
    q->count--;
    if (e->full)
        q->nfull--;
    else
        e->owner->held--;
}

void sc_ack_queue_close(sc_ack_queue_t *q)
{
    while (q->head) {
        sc_ack_entry_t *e = q->head;
        unlink_entry(q, e);
        e->release(e, SC_ACK_DROPPED, NULL);
    }
    uv_timer_stop(&q->timer);
    uv_close((uv_handle_t *)&q->timer, closed);
}

static bool durable(const sc_ack_queue_t *q, uint64_t seq)
{
    return !q->has_src || q->src.is_durable(q->src.ctx, seq);
}

/* Why a reply goes out not durable, for people. */
typedef enum { LATE, FULL, STOPPING } why_t;

static void warning_for(const sc_ack_queue_t *q, why_t why, char *buf, size_t len)
{
    int err = q->has_src && q->src.last_error ? q->src.last_error(q->src.ctx) : 0;
    switch (why) {
    case STOPPING:
        snprintf(buf, len,
                 "done, but the daemon is stopping before its as-run record was on disk; it "
                 "will be written on the way out if the disk allows");
        break;
    case FULL:
        snprintf(buf, len,
                 "done, but too many replies are waiting for the as-run log to hold this one");
        break;
    case LATE:
        snprintf(buf, len,
                 "done, but its as-run record was not on disk after %d ms%s%s; the log keeps "
                 "trying",
                 SC_ACK_MAX_WAIT_MS, err ? ": " : "", err ? uv_strerror(err) : "");
        break;
    }
}

/* Where the reply at the front stands now. */
static sc_ack_t check(const sc_ack_queue_t *q, const sc_ack_entry_t *e, int64_t now, why_t *why)
{
    if (durable(q, e->seq))
        return SC_ACK_DURABLE;
    if (q->flushing) {
        *why = STOPPING;
        return SC_ACK_OVERDUE;
    }
    if (now - e->parked_mono >= (int64_t)SC_ACK_MAX_WAIT_MS * 1000000) {
        *why = LATE;
        return SC_ACK_OVERDUE;
    }
    return SC_ACK_WAIT;
}

/* Releases from the front what may go, in order; the timer runs while
 * anything is held. */
static void release_due(sc_ack_queue_t *q)
{
    /* An owner's oldest replies that its newer ones pushed out go first:
     * they were ahead of everything that owner still has waiting. */
    while (q->nfull) {
        sc_ack_entry_t *e = q->head;
        while (e && !e->full)
            e = e->next;
        if (!e)
            break;
        char full[SC_ACK_WARNING_MAX];
        warning_for(q, FULL, full, sizeof full);
        unlink_entry(q, e);
        e->release(e, SC_ACK_OVERDUE, full);
    }
    int64_t now = sc_mono_ns();
    while (q->head) {
        sc_ack_entry_t *e = q->head;
        why_t why = LATE;
        sc_ack_t state = check(q, e, now, &why);
        if (state == SC_ACK_WAIT)
            break;
        char warning[SC_ACK_WARNING_MAX];
        if (state == SC_ACK_OVERDUE)
            warning_for(q, why, warning, sizeof warning);
        unlink_entry(q, e);
        e->release(e, state, state == SC_ACK_OVERDUE ? warning : NULL);
    }
    if (!q->head)
        uv_timer_stop(&q->timer);
}

static void tick(uv_timer_t *t)
{
    release_due(t->data);
}

uint64_t sc_ack_seq(const sc_ack_queue_t *q)
{
    return q->has_src ? q->src.last_seq(q->src.ctx) : 0;
}

sc_ack_t sc_ack_hold(sc_ack_queue_t *q, sc_ack_entry_t *e, sc_ack_owner_t *owner, uint64_t seq,
                     sc_ack_release_fn release, char *warning, size_t wlen)
{
    e->seq = seq;
    e->parked_mono = sc_mono_ns();
    e->owner = owner;
    e->release = release;
    e->prev = e->next = NULL;
    e->full = false;
    if (warning && wlen)
        warning[0] = '\0';
    /* With nothing ahead of it, a reply on disk goes at once. */
    if (!q->head) {
        why_t why = LATE;
        sc_ack_t state = check(q, e, e->parked_mono, &why);
        if (state != SC_ACK_WAIT) {
            if (state == SC_ACK_OVERDUE)
                warning_for(q, why, warning, wlen);
            return state;
        }
    }
    if (owner->held >= SC_ACK_MAX_HELD) {
        /* Room for this one: the owner's oldest goes out next, not durable,
         * so its replies still come back in order. */
        sc_ack_entry_t *old = q->head;
        while (old->owner != owner || old->full)
            old = old->next;
        old->full = true;
        owner->held--;
        q->nfull++;
    }
    e->prev = q->tail;
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
    q->count++;
    owner->held++;
    /* Something ahead of it may be due already (or pushed out): look at the
     * loop's next turn, then every SC_ACK_TICK_MS for the deadline. */
    uv_timer_start(&q->timer, tick, 0, SC_ACK_TICK_MS);
    return SC_ACK_WAIT;
}

void sc_ack_cancel_owner(sc_ack_queue_t *q, sc_ack_owner_t *owner)
{
    for (sc_ack_entry_t *e = q->head, *next; e; e = next) {
        next = e->next;
        if (e->owner != owner)
            continue;
        unlink_entry(q, e);
        e->release(e, SC_ACK_DROPPED, NULL);
    }
    if (q->head) /* what waited behind them may go now */
        uv_timer_start(&q->timer, tick, 0, SC_ACK_TICK_MS);
    else
        uv_timer_stop(&q->timer);
}

void sc_ack_on_durable(void *q, uint64_t seq)
{
    (void)seq;
    release_due(q);
}

void sc_ack_flush(sc_ack_queue_t *q)
{
    q->flushing = true;
    release_due(q);
}

size_t sc_ack_held(const sc_ack_queue_t *q)
{
    return q->count;
}
