/* The show's state machine: GO, follow, hard starts, holds, jumps, and which cues may still fire.
 */
#include "show.h"

#include <stdlib.h>
#include <string.h>

#include "cue_timing.h"
#include "xalloc.h"

const char *rd_show_strerror(rd_show_err_t err)
{
    switch (err) {
    case RD_SHOW_OK:
        return "ok";
    case RD_SHOW_ERR_UNKNOWN_ITEM:
        return "no item has that id";
    case RD_SHOW_ERR_UNKNOWN_CUE:
        return "no cue has that id";
    case RD_SHOW_ERR_ENDED:
        return "the show has ended";
    case RD_SHOW_ERR_NOTHING_NEXT:
        return "there is no item left to GO to";
    case RD_SHOW_ERR_NOTHING_BACK:
        return "there is no GO to undo";
    case RD_SHOW_ERR_NOT_RUNNING:
        return "no item is running";
    case RD_SHOW_ERR_NOT_HOLDING:
        return "the show is not on hold";
    case RD_SHOW_ERR_ALREADY_HOLDING:
        return "the show is already on hold";
    case RD_SHOW_ERR_ITEM_RUNNING:
        return "that item is running; GO past it instead";
    case RD_SHOW_ERR_NEGATIVE:
        return "that would make the item shorter than nothing";
    case RD_SHOW_ERR_IN_PREROLL:
        return "the running item is still in its pre-roll; GO again once it has started";
    case RD_SHOW_ERR_RUNNING_REMOVED:
        return "the new rundown lacks the running item; keep it until it has ended";
    }
    return "error";
}

const char *rd_cause_name(rd_cause_t cause)
{
    switch (cause) {
    case RD_BY_GO:
        return "go";
    case RD_BY_FOLLOW:
        return "follow";
    case RD_BY_HARD_START:
        return "hard_start";
    case RD_BY_GOTO:
        return "goto";
    case RD_BY_BACK:
        return "back";
    case RD_BY_SKIP:
        return "skip";
    }
    return "?";
}

bool rd_cause_parse(const char *name, rd_cause_t *out)
{
    for (int c = RD_BY_GO; c <= RD_BY_SKIP; c++) {
        if (name && strcmp(name, rd_cause_name((rd_cause_t)c)) == 0) {
            *out = (rd_cause_t)c;
            return true;
        }
    }
    return false;
}

static void emit(rd_show_t *s, rd_show_ev_kind_t kind, int item, int64_t at, rd_cause_t cause)
{
    if (!s->on_event)
        return;
    rd_show_event_t ev = {kind, item, at, cause};
    s->on_event(s->event_ctx, &ev);
}

void rd_show_open(rd_show_t *s, const rd_rundown_t *r, const rd_config_t *c, int64_t now_ns,
                  rd_show_event_fn on_event, void *ctx)
{
    memset(s, 0, sizeof *s);
    s->rundown = r;
    s->config = c;
    rd_plan_compute(r, &s->plan, NULL);
    s->state = RD_SHOW_IDLE;
    s->current = -1;
    s->previous = -1;
    s->watch_from_ns = now_ns;
    s->on_event = on_event;
    s->event_ctx = ctx;
    s->items = rd_xcalloc(r->nitems, sizeof *s->items);
    for (size_t i = 0; i < r->nitems; i++)
        s->items[i].accounted = rd_xcalloc(r->items[i].ncues, sizeof(uint32_t));
}

void rd_show_close(rd_show_t *s)
{
    for (size_t i = 0; s->items && i < s->rundown->nitems; i++)
        free(s->items[i].accounted);
    free(s->items);
    rd_plan_free(&s->plan);
    memset(s, 0, sizeof *s);
}

int rd_show_next(const rd_show_t *s)
{
    for (size_t i = (size_t)(s->current + 1); i < s->rundown->nitems; i++)
        if (s->items[i].p.state == RD_ITEM_PENDING)
            return (int)i;
    return -1;
}

rd_item_clock_t rd_show_clock(const rd_show_t *s)
{
    const rd_item_progress_t *p = &s->items[s->current].p;
    rd_item_clock_t clk = {p->actual_start_ns, p->added_ns, p->held_ns};
    return clk;
}

/* The clock with the hold in progress counted up to now. */
static rd_item_clock_t clock_at(const rd_show_t *s, int64_t now_ns)
{
    rd_item_clock_t clk = rd_show_clock(s);
    if (s->state == RD_SHOW_HOLDING && now_ns > s->hold_since_ns)
        clk.held_ns += now_ns - s->hold_since_ns;
    return clk;
}

int64_t rd_show_current_end(const rd_show_t *s, int64_t now_ns)
{
    rd_item_clock_t clk = clock_at(s, now_ns);
    return rd_item_end_ns(&s->rundown->items[s->current], &clk);
}

bool rd_show_in_panic(const rd_show_t *s)
{
    return s->automation_off && !s->suspended && s->state != RD_SHOW_ENDED;
}

bool rd_show_is_running(const rd_show_t *s)
{
    return s->current >= 0 && (s->state == RD_SHOW_RUNNING || s->state == RD_SHOW_HOLDING);
}

/* Ends the running item at `at`. Only a normal end (GO, follow, hard start)
 * lets its end+ cues fire afterwards. */
static void end_current(rd_show_t *s, int64_t at, rd_cause_t cause)
{
    if (!rd_show_is_running(s))
        return;
    rd_show_item_t *it = &s->items[s->current];
    if (s->state == RD_SHOW_HOLDING && at > s->hold_since_ns)
        it->p.held_ns += at - s->hold_since_ns;
    it->p.state = RD_ITEM_DONE;
    it->p.actual_end_ns = at;
    it->tail_live = cause == RD_BY_GO || cause == RD_BY_FOLLOW || cause == RD_BY_HARD_START;
    s->previous = s->current;
    s->state = RD_SHOW_IDLE;
    emit(s, RD_SHOW_EV_ITEM_END, s->current, at, cause);
}

static void start_item(rd_show_t *s, int i, int64_t start, rd_cause_t cause)
{
    rd_show_item_t *it = &s->items[i];
    it->run++; /* marks of earlier runs no longer match; pre-roll marks for this one do */
    memset(&it->p, 0, sizeof it->p);
    it->p.state = RD_ITEM_RUNNING;
    it->p.actual_start_ns = start;
    it->tail_live = false;
    it->manual_skip = false;
    s->current = i;
    s->state = RD_SHOW_RUNNING;
    s->no_follow = false;
    s->automation_off = false;
    s->suspended = false;
    emit(s, RD_SHOW_EV_ITEM_START, i, start, cause);
}

static void skip_item(rd_show_t *s, int i, int64_t at, rd_cause_t cause)
{
    s->items[i].p.state = RD_ITEM_SKIPPED;
    emit(s, RD_SHOW_EV_ITEM_SKIPPED, i, at, cause);
}

/* An item that `back` took off the air is pending again, as if never run. */
static void unstart(rd_show_t *s, int i)
{
    memset(&s->items[i].p, 0, sizeof s->items[i].p);
    s->items[i].tail_live = false;
}

/* `back`: item i runs again from its old start, and follows no further by
 * itself. */
static void restore(rd_show_t *s, int i)
{
    rd_show_item_t *it = &s->items[i];
    it->p.state = RD_ITEM_RUNNING;
    it->p.actual_end_ns = 0;
    it->tail_live = false;
    s->current = i;
    s->previous = -1;
    s->state = RD_SHOW_RUNNING;
    s->no_follow = true;
    s->automation_off = false;
    s->suspended = false;
    emit(s, RD_SHOW_EV_ITEM_RESTORED, i, it->p.actual_start_ns, RD_BY_BACK);
}

/* A jump back to item i: what follows it runs again, except what was skipped
 * by hand. */
static void rewind_after(rd_show_t *s, int i)
{
    for (size_t k = (size_t)i + 1; k < s->rundown->nitems; k++) {
        rd_show_item_t *it = &s->items[k];
        if (it->p.state == RD_ITEM_DONE || (it->p.state == RD_ITEM_SKIPPED && !it->manual_skip))
            unstart(s, (int)k);
    }
}

rd_show_err_t rd_show_go(rd_show_t *s, int64_t now_ns)
{
    if (s->state == RD_SHOW_ENDED)
        return RD_SHOW_ERR_ENDED;
    /* A second GO while the item is still rolling in would end it before it
     * began: refuse it (the pre-roll cues are already out). */
    if (rd_show_is_running(s) && s->items[s->current].p.actual_start_ns > now_ns)
        return RD_SHOW_ERR_IN_PREROLL;
    int next = rd_show_next(s);
    if (next < 0) {
        if (!rd_show_is_running(s))
            return RD_SHOW_ERR_NOTHING_NEXT;
        end_current(s, now_ns, RD_BY_GO);
        s->state = RD_SHOW_ENDED;
        emit(s, RD_SHOW_EV_ENDED, -1, now_ns, RD_BY_GO);
        return RD_SHOW_OK;
    }
    int64_t start = rd_go_start_ns(&s->rundown->items[next], s->config, now_ns);
    end_current(s, start, RD_BY_GO);
    start_item(s, next, start, RD_BY_GO);
    return RD_SHOW_OK;
}

rd_show_err_t rd_show_back(rd_show_t *s, int64_t now_ns)
{
    if (s->previous < 0)
        return RD_SHOW_ERR_NOTHING_BACK;
    int prev = s->previous;
    if (rd_show_is_running(s)) {
        int cur = s->current;
        end_current(s, now_ns, RD_BY_BACK);
        unstart(s, cur);
    }
    restore(s, prev);
    s->watch_from_ns = now_ns;
    return RD_SHOW_OK;
}

rd_show_err_t rd_show_goto(rd_show_t *s, int item, int64_t now_ns)
{
    if (item < 0 || (size_t)item >= s->rundown->nitems)
        return RD_SHOW_ERR_UNKNOWN_ITEM;
    int from = s->current;
    int64_t start = rd_go_start_ns(&s->rundown->items[item], s->config, now_ns);
    end_current(s, start, RD_BY_GOTO);
    if (item > from) {
        /* The items jumped over are skipped: none of their cues fire. */
        for (int k = from + 1; k < item; k++)
            if (s->items[k].p.state == RD_ITEM_PENDING)
                skip_item(s, k, now_ns, RD_BY_GOTO);
    } else {
        rewind_after(s, item);
    }
    start_item(s, item, start, RD_BY_GOTO);
    s->watch_from_ns = now_ns;
    return RD_SHOW_OK;
}

rd_show_err_t rd_show_skip(rd_show_t *s, int item, bool skip)
{
    if (item < 0 || (size_t)item >= s->rundown->nitems)
        return RD_SHOW_ERR_UNKNOWN_ITEM;
    rd_show_item_t *it = &s->items[item];
    if (skip && item == s->current && rd_show_is_running(s))
        return RD_SHOW_ERR_ITEM_RUNNING;
    if (skip && it->p.state == RD_ITEM_PENDING) {
        it->manual_skip = true;
        skip_item(s, item, 0, RD_BY_SKIP);
    } else if (skip && it->p.state == RD_ITEM_SKIPPED) {
        it->manual_skip = true;
    } else if (!skip && it->p.state == RD_ITEM_SKIPPED) {
        it->p.state = RD_ITEM_PENDING;
        it->manual_skip = false;
    }
    return RD_SHOW_OK;
}

rd_show_err_t rd_show_hold(rd_show_t *s, int64_t now_ns)
{
    if (s->state == RD_SHOW_HOLDING)
        return RD_SHOW_ERR_ALREADY_HOLDING;
    if (s->state != RD_SHOW_RUNNING)
        return RD_SHOW_ERR_NOT_RUNNING;
    s->state = RD_SHOW_HOLDING;
    s->hold_since_ns = now_ns;
    return RD_SHOW_OK;
}

rd_show_err_t rd_show_resume(rd_show_t *s, int64_t now_ns)
{
    if (s->state != RD_SHOW_HOLDING)
        return RD_SHOW_ERR_NOT_HOLDING;
    rd_show_item_t *it = &s->items[s->current];
    if (now_ns > s->hold_since_ns)
        it->p.held_ns += now_ns - s->hold_since_ns;
    s->state = RD_SHOW_RUNNING;
    s->automation_off = false;
    s->suspended = false;
    s->watch_from_ns = now_ns > s->watch_from_ns ? now_ns : s->watch_from_ns;
    return RD_SHOW_OK;
}

rd_show_err_t rd_show_add(rd_show_t *s, int64_t delta_ns, int64_t now_ns)
{
    (void)now_ns;
    if (!rd_show_is_running(s))
        return RD_SHOW_ERR_NOT_RUNNING;
    rd_show_item_t *it = &s->items[s->current];
    if (s->rundown->items[s->current].duration_ns + it->p.added_ns + delta_ns < 0)
        return RD_SHOW_ERR_NEGATIVE;
    it->p.added_ns += delta_ns;
    return RD_SHOW_OK;
}

rd_show_err_t rd_show_panic(rd_show_t *s, int64_t now_ns)
{
    for (size_t i = 0; i < s->rundown->nitems; i++)
        s->items[i].tail_live = false;
    if (rd_show_is_running(s)) {
        rd_show_item_t *it = &s->items[s->current];
        for (size_t j = 0; j < s->rundown->items[s->current].ncues; j++)
            it->accounted[j] = it->run;
        if (s->state == RD_SHOW_RUNNING) {
            s->state = RD_SHOW_HOLDING;
            s->hold_since_ns = now_ns;
        }
    }
    s->automation_off = true;
    s->suspended = false;
    return RD_SHOW_OK;
}

void rd_show_suspend(rd_show_t *s, int64_t now_ns)
{
    if (s->state == RD_SHOW_RUNNING) {
        s->state = RD_SHOW_HOLDING;
        s->hold_since_ns = now_ns;
    }
    if (s->state != RD_SHOW_ENDED) {
        s->automation_off = true;
        s->suspended = true;
    }
}

/* Whether hard starts run by themselves now. */
static bool hard_starts_live(const rd_show_t *s)
{
    return !s->rehearsal && !s->automation_off;
}

/* The first pending hard-start item after the current one whose time has not
 * slipped by unseen, or -1. */
static int next_hard(const rd_show_t *s, int after)
{
    if (!hard_starts_live(s))
        return -1;
    int best = -1;
    for (size_t i = (size_t)(after + 1); i < s->rundown->nitems; i++) {
        const rd_item_t *it = &s->rundown->items[i];
        if (it->start != RD_START_TIME || s->items[i].p.state != RD_ITEM_PENDING ||
            it->start_tod_ns < s->watch_from_ns)
            continue;
        if (best < 0 || it->start_tod_ns < s->rundown->items[best].start_tod_ns)
            best = (int)i;
    }
    return best;
}

/* When the running item hands over to a follow item by itself, or INT64_MAX. */
static int64_t follow_time(const rd_show_t *s, int64_t now_ns)
{
    if (s->state != RD_SHOW_RUNNING || s->no_follow || s->automation_off || s->current < 0)
        return INT64_MAX;
    int next = rd_show_next(s);
    if (next < 0 || s->rundown->items[next].start != RD_START_FOLLOW)
        return INT64_MAX;
    return rd_show_current_end(s, now_ns);
}

int64_t rd_show_tick(rd_show_t *s, int64_t now_ns)
{
    for (;;) {
        if (s->state == RD_SHOW_ENDED)
            return INT64_MAX;
        int64_t t_follow = follow_time(s, now_ns);
        int hard = next_hard(s, s->current);
        int64_t t_hard = hard >= 0 ? s->rundown->items[hard].start_tod_ns : INT64_MAX;
        if (t_hard <= now_ns && t_hard <= t_follow) {
            /* A hard start cuts whatever runs and skips what it passes over. */
            end_current(s, t_hard, RD_BY_HARD_START);
            for (int k = s->current + 1; k < hard; k++)
                if (s->items[k].p.state == RD_ITEM_PENDING)
                    skip_item(s, k, t_hard, RD_BY_HARD_START);
            start_item(s, hard, t_hard, RD_BY_HARD_START);
            s->watch_from_ns = t_hard;
            continue;
        }
        if (t_follow <= now_ns) {
            int next = rd_show_next(s);
            end_current(s, t_follow, RD_BY_FOLLOW);
            start_item(s, next, t_follow, RD_BY_FOLLOW);
            continue;
        }
        if (now_ns > s->watch_from_ns)
            s->watch_from_ns = now_ns;
        return t_follow < t_hard ? t_follow : t_hard;
    }
}

/* ---- Which cues may still fire ------------------------------------------ */

typedef struct {
    rd_armed_cue_t *out;
    size_t cap;
    size_t n;
} cue_list_t;

static void list_add(cue_list_t *l, const rd_armed_cue_t *c)
{
    if (l->n < l->cap)
        l->out[l->n] = *c;
    l->n++;
}

/* Lists the unaccounted cues of item i for a run starting at clk, leaving out
 * those a later hard start will cut (send at or after `cut_at`). */
static void list_item(const rd_show_t *s, cue_list_t *l, int i, uint32_t run,
                      const rd_item_clock_t *clk, bool paused, int64_t cut_at)
{
    const rd_item_t *it = &s->rundown->items[i];
    const rd_show_item_t *si = &s->items[i];
    for (size_t j = 0; j < it->ncues; j++) {
        if (si->accounted[j] == run)
            continue;
        const rd_cue_t *c = &it->cues[j];
        rd_armed_cue_t a = {i, (int)j, run, INT64_MAX, INT64_MAX};
        if (!paused) {
            a.due_ns = rd_cue_due_ns(it, c, clk);
            a.send_ns = a.due_ns - rd_cue_latency_ns(c, s->config);
            if (a.send_ns >= cut_at)
                continue;
        }
        list_add(l, &a);
    }
}

static int cmp_armed(const void *a, const void *b)
{
    const rd_armed_cue_t *x = a, *y = b;
    if (x->send_ns != y->send_ns)
        return x->send_ns < y->send_ns ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return x->cue < y->cue ? -1 : x->cue > y->cue;
}

size_t rd_show_pending_cues(const rd_show_t *s, rd_armed_cue_t *out, size_t cap)
{
    cue_list_t l = {out, cap, 0};
    const rd_rundown_t *r = s->rundown;

    /* The end+ cues of items that ended normally. */
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_show_item_t *si = &s->items[i];
        if (!si->tail_live)
            continue;
        for (size_t j = 0; j < r->items[i].ncues; j++) {
            const rd_cue_t *c = &r->items[i].cues[j];
            if (si->accounted[j] == si->run || c->anchor != RD_FROM_END || c->offset_ns <= 0)
                continue;
            rd_armed_cue_t a = {(int)i, (int)j, si->run, si->p.actual_end_ns + c->offset_ns, 0};
            a.send_ns = a.due_ns - rd_cue_latency_ns(c, s->config);
            list_add(&l, &a);
        }
    }

    /* The running item, then every item whose start is known: a follow chain
     * from it, hard starts and the chains after them. */
    bool known = false, paused = false;
    int64_t t = 0;
    int from = 0;
    if (rd_show_is_running(s) && !s->automation_off) {
        int hard = next_hard(s, s->current);
        int64_t cut = hard >= 0 ? r->items[hard].start_tod_ns : INT64_MAX;
        rd_item_clock_t clk = rd_show_clock(s);
        paused = s->state == RD_SHOW_HOLDING;
        list_item(s, &l, s->current, s->items[s->current].run, &clk, paused, cut);
        known = !s->no_follow;
        t = rd_item_end_ns(&r->items[s->current], &clk);
        from = s->current + 1;
    } else if (s->current >= 0) {
        from = s->current + 1;
    }
    if (s->automation_off)
        from = (int)r->nitems;
    /* cut[i]: the earliest live hard start after item i, computed once from
     * the end so that long rundowns stay linear. */
    int64_t *cut_after = rd_xcalloc(r->nitems + 1, sizeof *cut_after);
    cut_after[r->nitems] = INT64_MAX;
    for (size_t k = r->nitems; k-- > 0;) {
        cut_after[k] = cut_after[k + 1];
        if (k + 1 < r->nitems) {
            const rd_item_t *nx = &r->items[k + 1];
            if (hard_starts_live(s) && nx->start == RD_START_TIME &&
                s->items[k + 1].p.state == RD_ITEM_PENDING &&
                nx->start_tod_ns >= s->watch_from_ns && nx->start_tod_ns < cut_after[k])
                cut_after[k] = nx->start_tod_ns;
        }
    }
    for (int i = from; i < (int)r->nitems; i++) {
        const rd_item_t *it = &r->items[i];
        if (s->items[i].p.state != RD_ITEM_PENDING)
            continue;
        if (it->start == RD_START_TIME && hard_starts_live(s) &&
            it->start_tod_ns >= s->watch_from_ns) {
            known = true;
            paused = false;
            t = it->start_tod_ns;
        } else if (it->start != RD_START_FOLLOW) {
            known = false;
        }
        if (!known)
            continue;
        rd_item_clock_t clk = {t, 0, 0};
        list_item(s, &l, i, s->items[i].run + 1, &clk, paused, cut_after[i]);
        t += it->duration_ns;
    }
    free(cut_after);
    if (l.n <= cap)
        qsort(out, l.n, sizeof *out, cmp_armed);
    return l.n;
}

bool rd_show_account(rd_show_t *s, int item, int cue, uint32_t run)
{
    if (item < 0 || (size_t)item >= s->rundown->nitems || cue < 0 ||
        (size_t)cue >= s->rundown->items[item].ncues)
        return false;
    rd_show_item_t *it = &s->items[item];
    bool upcoming = it->p.state == RD_ITEM_PENDING && run == it->run + 1;
    if ((run != it->run && !upcoming) || it->accounted[cue] == run)
        return false;
    it->accounted[cue] = run;
    return true;
}

void rd_show_project(const rd_show_t *s, int64_t now_ns, rd_projection_t *out)
{
    size_t n = s->rundown->nitems;
    rd_item_progress_t *progress = rd_xcalloc(n, sizeof *progress);
    for (size_t i = 0; i < n; i++)
        progress[i] = s->items[i].p;
    if (s->current >= 0 && s->state == RD_SHOW_HOLDING && now_ns > s->hold_since_ns)
        progress[s->current].held_ns += now_ns - s->hold_since_ns;
    rd_project(s->rundown, &s->plan, progress, now_ns, out);
    free(progress);
}

/* ---- Replay and reload ---------------------------------------------------- */

void rd_show_apply_event(rd_show_t *s, const rd_show_record_t *rec)
{
    int i = rec->item;
    bool item = i >= 0 && (size_t)i < s->rundown->nitems;
    /* Replay repeats what the log already holds: no events. */
    rd_show_event_fn on_event = s->on_event;
    s->on_event = NULL;
    switch (rec->kind) {
    case RD_REC_ITEM_START:
        if (!item)
            break;
        /* A goto that jumped back rewound what follows, as rd_show_goto does;
         * the items a goto or hard start jumped over have records of their own. */
        if (rec->cause == RD_BY_GOTO && s->current >= 0 && i <= s->current)
            rewind_after(s, i);
        start_item(s, i, rec->at_ns, rec->cause);
        break;
    case RD_REC_ITEM_END:
        if (!item || s->current != i || !rd_show_is_running(s))
            break;
        end_current(s, rec->at_ns, rec->cause);
        if (rec->cause == RD_BY_BACK)
            unstart(s, i);
        break;
    case RD_REC_ITEM_SKIPPED:
        if (!item || s->items[i].p.state != RD_ITEM_PENDING)
            break;
        if (rec->cause == RD_BY_SKIP)
            s->items[i].manual_skip = true;
        skip_item(s, i, rec->at_ns, rec->cause);
        break;
    case RD_REC_ITEM_RESTORED:
        if (item)
            restore(s, i);
        break;
    case RD_REC_SHOW_ENDED:
        s->state = RD_SHOW_ENDED;
        break;
    case RD_REC_HOLD:
        rd_show_hold(s, rec->at_ns);
        break;
    case RD_REC_RESUME:
        rd_show_resume(s, rec->at_ns);
        break;
    case RD_REC_ADD:
        rd_show_add(s, rec->add_ns, rec->at_ns);
        break;
    case RD_REC_PANIC:
        rd_show_panic(s, rec->at_ns);
        break;
    case RD_REC_REHEARSAL:
        s->rehearsal = rec->on;
        break;
    case RD_REC_SKIP:
        if (item)
            rd_show_skip(s, i, rec->on);
        break;
    case RD_REC_CUE_DONE:
        if (item && rec->cue >= 0 && (size_t)rec->cue < s->rundown->items[i].ncues) {
            /* The record says the run it counted for. An old log does not: a
             * cue logged before its item's start record is then taken for
             * its pre-roll, accounted to the run about to start. */
            rd_show_item_t *it = &s->items[i];
            it->accounted[rec->cue] = rec->run                         ? rec->run
                                      : it->p.state == RD_ITEM_PENDING ? it->run + 1
                                                                       : it->run;
        }
        break;
    }
    s->on_event = on_event;
}

void rd_show_replayed(rd_show_t *s, int64_t alive_until_ns)
{
    if (alive_until_ns < s->watch_from_ns)
        s->watch_from_ns = alive_until_ns;
}

rd_show_err_t rd_show_can_carry(const rd_show_t *from, const rd_rundown_t *nr)
{
    if (from->current >= 0 && rd_show_is_running(from) &&
        rd_rundown_find_item(nr, from->rundown->items[from->current].id) < 0)
        return RD_SHOW_ERR_RUNNING_REMOVED;
    return RD_SHOW_OK;
}

rd_show_err_t rd_show_carry(rd_show_t *to, const rd_show_t *from)
{
    const rd_rundown_t *nr = to->rundown, *orr = from->rundown;
    int cur = -1;
    if (rd_show_can_carry(from, nr) != RD_SHOW_OK)
        return RD_SHOW_ERR_RUNNING_REMOVED;
    if (from->current >= 0) {
        cur = rd_rundown_find_item(nr, orr->items[from->current].id);
        /* Idle or ended at an item that is gone: the place is the last item
         * before it that survives, so GO goes on from there, not the top. */
        for (int k = from->current - 1; cur < 0 && k >= 0; k--)
            cur = rd_rundown_find_item(nr, orr->items[k].id);
    }
    for (size_t i = 0; i < orr->nitems; i++) {
        int j = rd_rundown_find_item(nr, orr->items[i].id);
        if (j < 0)
            continue;
        rd_show_item_t *dst = &to->items[j];
        const rd_show_item_t *src = &from->items[i];
        dst->p = src->p;
        dst->run = src->run;
        dst->tail_live = src->tail_live;
        dst->manual_skip = src->manual_skip;
        const rd_item_t *oi = &orr->items[i], *ni = &nr->items[j];
        for (size_t a = 0; a < oi->ncues; a++)
            for (size_t b = 0; b < ni->ncues; b++)
                if (strcmp(oi->cues[a].id, ni->cues[b].id) == 0)
                    dst->accounted[b] = src->accounted[a];
    }
    to->state = from->state;
    to->current = cur;
    to->previous = -1;
    to->hold_since_ns = from->hold_since_ns;
    to->rehearsal = from->rehearsal;
    to->no_follow = from->no_follow;
    to->automation_off = from->automation_off;
    to->suspended = from->suspended;
    to->watch_from_ns = from->watch_from_ns;
    return RD_SHOW_OK;
}
