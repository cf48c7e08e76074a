/* Sends awaiting their device's answer: one queue per target, oldest first, each with a deadline.
 */
#ifndef SC_AWAITING_H
#define SC_AWAITING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "target.h"

/* At most this many sends wait at once on one target; one more answers the
 * oldest "timeout" at once (a device this far behind is not answering). */
#define SC_AWAITING_MAX 256

typedef struct {
    uint64_t key;      /* the send's key (the engine ties it to its cue) */
    int64_t sent_mono; /* when it left */
    int64_t due_mono;  /* when waiting ends: sent + the target's timeout */
} sc_wait_t;

/* A target's sends awaiting answers. Deadlines come in push order (one
 * timeout per target), so the timer always waits for the oldest. */
typedef struct {
    sc_target_t *o;
    uv_timer_t timer;
    sc_wait_t w[SC_AWAITING_MAX];
    size_t head, n;
    bool open;
    void (*closed)(sc_target_t *o);    /* after sc_awaiting_close */
    void (*timed_out)(sc_target_t *o); /* may be NULL: after sends were answered "timeout" */
} sc_awaiting_t;

/* Sets up q for target o on its loop. */
void sc_awaiting_init(sc_awaiting_t *q, sc_target_t *o);

/* A send that awaits its answer, sent at sent_mono. */
void sc_awaiting_push(sc_awaiting_t *q, uint64_t key, int64_t sent_mono);

/* How many are waiting. */
size_t sc_awaiting_count(const sc_awaiting_t *q);

/* Answers the oldest send (false when none waits). */
bool sc_awaiting_answer_oldest(sc_awaiting_t *q, sc_answer_kind_t kind, const char *detail);

/* Answers the send with key (false when it is not waiting: answered, timed
 * out, or never sent). */
bool sc_awaiting_answer_key(sc_awaiting_t *q, uint64_t key, sc_answer_kind_t kind,
                            const char *detail);

/* Answers every waiting send with kind and detail: the connection is gone
 * and no answer will come. */
void sc_awaiting_answer_all(sc_awaiting_t *q, sc_answer_kind_t kind, const char *detail);

/* Stops waiting (nothing more is answered) and closes the timer; calls
 * closed(o) from the loop once it is closed. */
void sc_awaiting_close(sc_awaiting_t *q, void (*closed)(sc_target_t *o));

#endif
