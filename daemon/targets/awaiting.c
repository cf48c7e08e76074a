/* Sends awaiting their device's answer, answered in order, by key, or "timeout" at their deadline.
 */
#include "awaiting.h"

#include <string.h>

#include "clock/cue_clock.h"

static void answer(sc_awaiting_t *q, const sc_wait_t *w, sc_answer_kind_t kind, const char *detail)
{
    sc_answer_t a = {kind, sc_mono_ns(), detail, w->sent_mono};
    sc_target_answer(q->o, w->key, &a);
}

static void drop_oldest(sc_awaiting_t *q, sc_wait_t *out)
{
    *out = q->w[q->head];
    q->head = (q->head + 1) % SC_AWAITING_MAX;
    q->n--;
}

static void timer_cb(uv_timer_t *h);

/* Waits for the oldest deadline, or for nothing. */
static void rearm(sc_awaiting_t *q)
{
    if (!q->open)
        return;
    if (q->n == 0) {
        uv_timer_stop(&q->timer);
        return;
    }
    int64_t left = q->w[q->head].due_mono - sc_mono_ns();
    uint64_t ms = left <= 0 ? 0 : (uint64_t)((left + 999999) / 1000000);
    uv_timer_start(&q->timer, timer_cb, ms, 0);
}

static void timer_cb(uv_timer_t *h)
{
    sc_awaiting_t *q = h->data;
    int64_t now = sc_mono_ns();
    bool any = false;
    while (q->open && q->n > 0 && q->w[q->head].due_mono <= now) {
        sc_wait_t w;
        drop_oldest(q, &w);
        answer(q, &w, SC_ANSWER_TIMEOUT, "no answer in time");
        any = true;
    }
    rearm(q);
    if (any && q->open && q->timed_out)
        q->timed_out(q->o);
}

void sc_awaiting_init(sc_awaiting_t *q, sc_target_t *o)
{
    memset(q, 0, sizeof *q);
    q->o = o;
    uv_timer_init(o->env->loop, &q->timer);
    q->timer.data = q;
    q->open = true;
}

void sc_awaiting_push(sc_awaiting_t *q, uint64_t key, int64_t sent_mono)
{
    if (!q->open)
        return;
    if (q->n == SC_AWAITING_MAX) {
        sc_wait_t w;
        drop_oldest(q, &w);
        answer(q, &w, SC_ANSWER_TIMEOUT, "too many cues awaiting an answer");
    }
    q->w[(q->head + q->n) % SC_AWAITING_MAX] =
        (sc_wait_t){key, sent_mono, sent_mono + q->o->conf->timeout_ns};
    q->n++;
    if (q->n == 1)
        rearm(q);
}

size_t sc_awaiting_count(const sc_awaiting_t *q)
{
    return q->n;
}

bool sc_awaiting_answer_oldest(sc_awaiting_t *q, sc_answer_kind_t kind, const char *detail)
{
    if (!q->open || q->n == 0)
        return false;
    sc_wait_t w;
    drop_oldest(q, &w);
    answer(q, &w, kind, detail);
    rearm(q);
    return true;
}

bool sc_awaiting_answer_key(sc_awaiting_t *q, uint64_t key, sc_answer_kind_t kind,
                            const char *detail)
{
    for (size_t i = 0; q->open && i < q->n; i++) {
        size_t at = (q->head + i) % SC_AWAITING_MAX;
        if (q->w[at].key != key)
            continue;
        sc_wait_t w = q->w[at];
        /* Close the gap, keeping the order. */
        for (size_t j = i; j > 0; j--)
            q->w[(q->head + j) % SC_AWAITING_MAX] = q->w[(q->head + j - 1) % SC_AWAITING_MAX];
        q->head = (q->head + 1) % SC_AWAITING_MAX;
        q->n--;
        answer(q, &w, kind, detail);
        rearm(q);
        return true;
    }
    return false;
}

void sc_awaiting_answer_all(sc_awaiting_t *q, sc_answer_kind_t kind, const char *detail)
{
    while (q->open && q->n > 0) {
        sc_wait_t w;
        drop_oldest(q, &w);
        answer(q, &w, kind, detail);
    }
    rearm(q);
}

static void on_closed(uv_handle_t *h)
{
    sc_awaiting_t *q = h->data;
    if (q->closed)
        q->closed(q->o);
}

void sc_awaiting_close(sc_awaiting_t *q, void (*closed)(sc_target_t *o))
{
    q->open = false;
    q->n = 0;
    q->closed = closed;
    uv_timer_stop(&q->timer);
    uv_close((uv_handle_t *)&q->timer, on_closed);
}
