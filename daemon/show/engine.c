/* The engine: keeps the cue clock armed with exactly the cues the show says may still fire, and
 * logs what happened. */
#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cue_timing.h"
#include "journal/asrun_record.h"
#include "log.h"
#include "plan.h"
#include "xalloc.h"

/* Cues are handed to the cue clock only when due within this horizon; a
 * timer re-syncs before the next one comes within it. The clock's heap then
 * holds the next ten seconds of the show, not the whole show, however long
 * the rundown (its capacity, 8192 in run.c, bounds the cues due within one
 * horizon: 819 a second). The loop would have to stall for the 5 s between
 * the re-sync and the cue for a cue to be armed late. */
#define ARM_HORIZON_NS (10 * 1000000000LL)
#define ARM_RESYNC_NS (5 * 1000000000LL) /* re-sync when the next is this close */

/* A rundown with its cues encoded for the wire. Armed cues point into its
 * packets, so a replaced generation lives until its last armed cue reports. */
typedef struct gen {
    rd_rundown_t rundown;
    uint8_t **bytes; /* per cue, by flat index */
    size_t *len;
    size_t *first_cue; /* per item: flat index of its first cue */
    size_t ncues;
    size_t armed; /* armed cues that point into this generation */
    struct gen *next_retired;
} gen_t;

typedef struct {
    uint64_t key;
    gen_t *gen;   /* the rundown item and cue index into */
    gen_t *owner; /* the generation whose packet the clock holds (kept alive for it) */
    int item, cue;
    uint32_t run;
    int64_t send_mono; /* as armed; INT64_MAX when parked */
    int output;
    bool by_loop;   /* the loop sends it when the clock wakes it (websocket) */
    bool canceling; /* a cancel was ordered */
    bool missed;    /* ... because its time passed, not because it was dropped */
    bool sending;   /* handed to an output that completes later */
    bool replaced;  /* canceled because a reload re-arms it from the new rundown */
} armed_t;

/* A cue sent to a device that answers, until its answer comes. */
typedef struct {
    uint64_t key; /* 0: free */
    uint64_t seq; /* its cue record */
    int64_t sent_mono;
    int target;
    char cue[SC_ID_MAX + 1], item[SC_ID_MAX + 1];
} awaiting_t;

struct sc_engine {
    sc_engine_env_t env;
    gen_t *gen;
    gen_t *retired;
    rd_show_t show;
    armed_t *armed;
    size_t narmed, armed_cap;
    uint64_t next_key;
    rd_armed_cue_t *pending;
    size_t pending_cap;
    uv_timer_t tick;
    uv_timer_t horizon; /* re-syncs when the next unarmed cue nears the horizon */
    bool closing;
    int64_t cmd_show_now; /* the time the current command or tick runs at */
    sc_recent_cue_t recent[SC_ENGINE_RECENT_CUES];
    size_t nrecent;
    awaiting_t *awaiting; /* a ring of SC_ENGINE_ANSWERS_KEPT, the oldest overwritten; made
                           * at the first cue to a kind that answers */
    size_t awaiting_next;
    uint64_t rundown_rev;    /* counts reloads: screens refetch /api/rundown when it moves */
    uint64_t progress_rev;   /* counts changes to the items' progress */
    rd_show_event_t *events; /* show events not logged yet */
    size_t nevents, events_cap;
    uint8_t **panic_bytes; /* per target, NULL when none */
    size_t *panic_len;
    sc_uncertain_t unc; /* what a damaged journal left unproven */
};

/* ---- Encoding ------------------------------------------------------------ */

/* A payload as target t's kind puts it on the wire. */
static bool encode(const sc_engine_t *e, const rd_payload_t *p, int target, uint8_t **out,
                   size_t *len)
{
    *out = NULL;
    *len = 0;
    if (target < 0 || (size_t)target >= e->env.ntargets)
        return false;
    const sc_target_t *t = &e->env.targets[target];
    return t->ops->encode(p, t->conf, out, len);
}

static gen_t *gen_new(const sc_engine_t *e, rd_rundown_t *r)
{
    gen_t *g = rd_xcalloc(1, sizeof *g);
    g->rundown = *r;
    memset(r, 0, sizeof *r);
    g->first_cue = rd_xcalloc(g->rundown.nitems + 1, sizeof *g->first_cue);
    for (size_t i = 0; i < g->rundown.nitems; i++) {
        g->first_cue[i] = g->ncues;
        g->ncues += g->rundown.items[i].ncues;
    }
    g->bytes = rd_xcalloc(g->ncues + 1, sizeof *g->bytes);
    g->len = rd_xcalloc(g->ncues + 1, sizeof *g->len);
    for (size_t i = 0; i < g->rundown.nitems; i++) {
        const rd_item_t *it = &g->rundown.items[i];
        for (size_t j = 0; j < it->ncues; j++) {
            const rd_cue_t *c = &it->cues[j];
            size_t k = g->first_cue[i] + j;
            if (!encode(e, &c->payload, c->target_index, &g->bytes[k], &g->len[k]))
                sc_error("cue %s cannot be encoded", c->id);
        }
    }
    return g;
}

static void gen_free(gen_t *g)
{
    for (size_t k = 0; k < g->ncues; k++)
        free(g->bytes[k]);
    free(g->bytes);
    free(g->len);
    free(g->first_cue);
    rd_rundown_free(&g->rundown);
    free(g);
}

/* ---- Logging ------------------------------------------------------------- */

static void changed(sc_engine_t *e)
{
    if (e->env.changed)
        e->env.changed(e->env.ctx);
}

static uint64_t append(sc_engine_t *e, json_t *r)
{
    if (e->env.record)
        return e->env.record(e->env.ctx, r);
    json_decref(r);
    return 0;
}

static int64_t show_to_wall_ns(sc_engine_t *e, int64_t show_ns)
{
    return sc_mono_to_wall_ns(e->env.tb, sc_show_to_mono(e->env.tb, show_ns));
}

static json_t *show_event_record(sc_engine_t *e, const rd_show_event_t *ev)
{
    const rd_item_t *it = ev->item >= 0 ? &e->gen->rundown.items[ev->item] : NULL;
    int64_t planned = 0;
    if (it && !e->show.plan.relative) {
        const rd_plan_item_t *p = &e->show.plan.items[ev->item];
        planned = show_to_wall_ns(e, ev->kind == RD_SHOW_EV_ITEM_END ? p->end_ns : p->start_ns);
    }
    return sc_record_show_event(sc_wall_ns(), e->show.rehearsal, ev, it, planned,
                                show_to_wall_ns(e, ev->at_ns));
}

static void log_show_event(sc_engine_t *e, const rd_show_event_t *ev)
{
    append(e, show_event_record(e, ev));
}

/* A show event the engine worked out from the journal rather than saw. */
static void log_inferred(sc_engine_t *e, const rd_show_event_t *ev)
{
    json_t *rec = show_event_record(e, ev);
    json_object_set_new(rec, "inferred", json_true());
    append(e, rec);
}

/* Show events are queued while a command runs and logged after its cues
 * have gone out: the as-run record of a GO never delays the GO's cue. */
static void on_show_event(void *ctx, const rd_show_event_t *ev)
{
    sc_engine_t *e = ctx;
    e->progress_rev++;
    if (e->nevents == e->events_cap) {
        e->events_cap = e->events_cap ? e->events_cap * 2 : 16;
        e->events = rd_xrealloc(e->events, e->events_cap * sizeof *e->events);
    }
    e->events[e->nevents++] = *ev;
}

static void flush_events(sc_engine_t *e)
{
    for (size_t i = 0; i < e->nevents; i++)
        log_show_event(e, &e->events[i]);
    e->nevents = 0;
}

static void remember(sc_engine_t *e, const sc_recent_cue_t *c)
{
    if (e->nrecent == SC_ENGINE_RECENT_CUES) {
        memmove(&e->recent[0], &e->recent[1], (SC_ENGINE_RECENT_CUES - 1) * sizeof e->recent[0]);
        e->nrecent--;
    }
    e->recent[e->nrecent++] = *c;
}

/* A cue sent to a device that answers: kept until its answer comes (or the
 * ring moves past it). */
static void await_answer(sc_engine_t *e, uint64_t key, uint64_t seq, int64_t sent_mono, int target,
                         const char *cue, const char *item)
{
    if (!e->awaiting)
        e->awaiting = rd_xcalloc(SC_ENGINE_ANSWERS_KEPT, sizeof *e->awaiting);
    awaiting_t *w = &e->awaiting[e->awaiting_next];
    e->awaiting_next = (e->awaiting_next + 1) % SC_ENGINE_ANSWERS_KEPT;
    w->key = key;
    w->seq = seq;
    w->sent_mono = sent_mono;
    w->target = target;
    snprintf(w->cue, sizeof w->cue, "%s", cue);
    snprintf(w->item, sizeof w->item, "%s", item);
}

/* Logs one cue's outcome. deadline and sent are monotonic; sent 0 = none. */
/* run: the item's run the cue counts for, 0 for one fired by hand. */
static void log_cue(sc_engine_t *e, gen_t *g, int item, int cue, int target, uint64_t key,
                    uint32_t run, int64_t deadline, int64_t sent, const char *outcome, int err)
{
    const rd_item_t *it = &g->rundown.items[item];
    const rd_cue_t *c = &it->cues[cue];
    const sc_target_t *t = target >= 0 ? &e->env.targets[target] : NULL;
    bool scheduled = deadline && deadline != INT64_MAX;
    sc_record_cue_t rc = {
        .cue = c->id,
        .item = it->id,
        .target = c->target,
        .protocol = t ? rd_target_kind_name(t->conf->kind) : "?",
        .scheduled_wall_ns = scheduled ? sc_mono_to_wall_ns(e->env.tb, deadline) : 0,
        .sent_wall_ns = sent ? sc_mono_to_wall_ns(e->env.tb, sent) : 0,
        .lateness_ns = sent - deadline,
        .outcome = outcome,
        .err = err,
        .run = run,
    };
    uint64_t seq = append(e, sc_record_cue(sc_wall_ns(), e->show.rehearsal, &rc));

    const sc_target_t *out_t = target >= 0 ? &e->env.targets[target] : NULL;
    sc_recent_cue_t r = {.has_sent = sent != 0, .outcome = outcome, .seq = seq, .answer_us = -1};
    r.awaits = out_t && sent && key && strcmp(outcome, "sent") == 0 && sc_target_awaits(out_t);
    snprintf(r.cue, sizeof r.cue, "%s", c->id);
    snprintf(r.item, sizeof r.item, "%s", it->id);
    snprintf(r.target, sizeof r.target, "%s", c->target);
    r.scheduled_ms = rc.scheduled_wall_ns / 1000000;
    r.sent_ms = rc.sent_wall_ns / 1000000;
    r.lateness_us = sent && deadline ? (sent - deadline) / 1000 : 0;
    remember(e, &r);
    if (target >= 0) {
        sc_target_t *tt = &e->env.targets[target];
        if (strcmp(outcome, "sent") == 0) {
            tt->sent++;
            if (sc_target_awaits(tt) && key)
                await_answer(e, key, seq, sent, target, c->id, it->id);
        } else if (strcmp(outcome, "failed") == 0) {
            tt->failed++;
        }
    }
}

/* ---- Armed cues ---------------------------------------------------------- */

static armed_t *armed_by_key(sc_engine_t *e, uint64_t key)
{
    for (size_t i = 0; i < e->narmed; i++)
        if (e->armed[i].key == key)
            return &e->armed[i];
    return NULL;
}

static void armed_remove(sc_engine_t *e, armed_t *a)
{
    gen_t *g = a->owner;
    g->armed--;
    *a = e->armed[--e->narmed];
    /* A retired generation goes once nothing points into it. */
    if (g != e->gen && g->armed == 0) {
        for (gen_t **p = &e->retired; *p; p = &(*p)->next_retired) {
            if (*p == g) {
                *p = g->next_retired;
                gen_free(g);
                break;
            }
        }
    }
}

static int cue_output(const sc_engine_t *e, const gen_t *g, int item, int cue)
{
    int t = g->rundown.items[item].cues[cue].target_index;
    return t >= 0 && (size_t)t < e->env.ntargets ? t : -1;
}

/* Sends a cue from the loop now. Returns true when the outcome is known (and
 * logged); false when the output completes it later. */
static bool send_now(sc_engine_t *e, gen_t *g, int item, int cue, uint32_t run, uint64_t key,
                     int64_t deadline)
{
    int out = cue_output(e, g, item, cue);
    size_t k = g->first_cue[item] + (size_t)cue;
    int64_t sent = 0;
    int err = ENOTCONN;
    if (out >= 0 && g->bytes[k]) {
        sc_target_t *t = &e->env.targets[out];
        err = t->ops->send(t, key, g->bytes[k], g->len[k], &sent);
        if (err == EINPROGRESS)
            return false;
    }
    log_cue(e, g, item, cue, out, key, run, deadline, err ? 0 : sent, err ? "failed" : "sent", err);
    return true;
}

/* Room for one more armed entry (not yet counted in narmed). */
static armed_t *armed_slot(sc_engine_t *e)
{
    if (e->narmed == e->armed_cap) {
        e->armed_cap = e->armed_cap ? e->armed_cap * 2 : 64;
        e->armed = rd_xrealloc(e->armed, e->armed_cap * sizeof *e->armed);
    }
    return &e->armed[e->narmed];
}

/* A cue handed to an output that completes later (websocket): tracked as
 * armed and sending, so that its completion is logged. */
static void track_sending(sc_engine_t *e, uint64_t key, int item, int cue, uint32_t run,
                          int64_t send_mono)
{
    *armed_slot(e) = (armed_t){.key = key,
                               .gen = e->gen,
                               .owner = e->gen,
                               .item = item,
                               .cue = cue,
                               .run = run,
                               .send_mono = send_mono,
                               .output = cue_output(e, e->gen, item, cue),
                               .by_loop = true,
                               .sending = true};
    e->narmed++;
    e->gen->armed++;
}

static uint64_t arm(sc_engine_t *e, const rd_armed_cue_t *p, int64_t send_mono, uint64_t order)
{
    armed_slot(e);
    gen_t *g = e->gen;
    int out = cue_output(e, g, p->item, p->cue);
    armed_t *a = &e->armed[e->narmed];
    memset(a, 0, sizeof *a);
    a->key = ++e->next_key;
    a->gen = g;
    a->owner = g;
    a->item = p->item;
    a->cue = p->cue;
    a->run = p->run;
    a->send_mono = send_mono;
    a->output = out;
    a->by_loop = out < 0 || !e->env.targets[out].ops->clock_sends;
    size_t k = g->first_cue[p->item] + (size_t)p->cue;
    sc_cue_t c = {a->key, order,       send_mono, a->by_loop ? SC_CUE_WAKE : SC_CUE_SEND,
                  out,    g->bytes[k], g->len[k]};
    if (!sc_clock_arm(e->env.clock, &c)) {
        sc_error("cue clock queue full: cue %s not armed",
                 g->rundown.items[p->item].cues[p->cue].id);
        return 0;
    }
    g->armed++;
    e->narmed++;
    return a->key;
}

static void cancel(sc_engine_t *e, armed_t *a, bool missed)
{
    if (a->canceling || a->sending)
        return;
    a->canceling = true;
    a->missed = missed;
    sc_clock_cancel(e->env.clock, a->key);
}

static void sync_cues(sc_engine_t *e);

static void horizon_cb(uv_timer_t *t)
{
    sc_engine_t *e = t->data;
    if (e->closing)
        return;
    e->cmd_show_now = sc_show_now(e->env.tb);
    sync_cues(e);
}

/* Wakes sync_cues when the earliest cue left unarmed is ARM_RESYNC_NS away. */
static void schedule_horizon(sc_engine_t *e, int64_t next_unarmed, int64_t now_mono)
{
    if (e->closing || next_unarmed == INT64_MAX) {
        uv_timer_stop(&e->horizon);
        return;
    }
    int64_t wait = next_unarmed - ARM_RESYNC_NS - now_mono;
    uv_timer_start(&e->horizon, horizon_cb, wait <= 0 ? 0 : (uint64_t)(wait / 1000000), 0);
}

/* Fills e->pending with every cue the show says may still fire (room for
 * the rundown's cue count always suffices); returns how many. */
static size_t list_pending(sc_engine_t *e)
{
    size_t total = e->gen->ncues + 1;
    if (e->pending_cap < total) {
        e->pending_cap = total;
        e->pending = rd_xrealloc(e->pending, total * sizeof *e->pending);
    }
    return rd_show_pending_cues(&e->show, e->pending, e->pending_cap);
}

/* Makes the armed set match what the show says may still fire: every cue
 * due within ARM_HORIZON_NS is armed, later ones wait for the horizon timer. */
static void sync_cues(sc_engine_t *e)
{
    size_t n = list_pending(e);
    bool *seen = rd_xcalloc(e->narmed + 1, sizeof *seen);
    size_t narmed_before = e->narmed;
    /* Armed cues by flat cue index, so matching stays linear in big shows. */
    long *by_cue = rd_xcalloc(e->gen->ncues + 1, sizeof *by_cue);
    for (size_t k = 0; k <= e->gen->ncues; k++)
        by_cue[k] = -1;
    for (size_t k = 0; k < narmed_before; k++) {
        const armed_t *x = &e->armed[k];
        if (x->gen != e->gen)
            continue;
        size_t flat = e->gen->first_cue[x->item] + (size_t)x->cue;
        if (by_cue[flat] < 0 || e->armed[by_cue[flat]].canceling)
            by_cue[flat] = (long)k;
    }
    int64_t cmd_now = e->cmd_show_now;
    bool immediate = false;
    int64_t now_mono = sc_mono_ns();
    int64_t next_unarmed = INT64_MAX; /* the earliest cue left beyond the horizon */

    for (size_t i = 0; i < n; i++) {
        const rd_armed_cue_t *p = &e->pending[i];
        int64_t send_mono = sc_show_to_mono(e->env.tb, p->send_ns);
        armed_t *a = NULL;
        long k = by_cue[e->gen->first_cue[p->item] + (size_t)p->cue];
        if (k >= 0 && e->armed[k].run == p->run) {
            a = &e->armed[k];
            seen[k] = true;
        }
        if (a) {
            if (a->canceling || a->sending || a->send_mono == send_mono)
                continue;
            if (p->send_ns != INT64_MAX && p->send_ns < cmd_now) {
                cancel(e, a, true);
            } else {
                a->send_mono = send_mono;
                sc_clock_reschedule(e->env.clock, a->key, send_mono);
            }
            continue;
        }
        if (p->send_ns != INT64_MAX && p->send_ns < cmd_now) {
            /* Its time passed before it could be armed: never fired late. */
            log_cue(e, e->gen, p->item, p->cue, cue_output(e, e->gen, p->item, p->cue), 0, p->run,
                    send_mono, 0, "missed", 0);
            rd_show_account(&e->show, p->item, p->cue, p->run);
            continue;
        }
        if (p->send_ns != INT64_MAX && send_mono <= sc_mono_ns()) {
            /* Due at this very command (a GO's first pre-roll): sent from
             * here, without a hop to the clock thread. */
            uint64_t key = ++e->next_key;
            if (send_now(e, e->gen, p->item, p->cue, p->run, key, send_mono)) {
                rd_show_account(&e->show, p->item, p->cue, p->run);
            } else {
                track_sending(e, key, p->item, p->cue, p->run, send_mono);
            }
            immediate = true;
            continue;
        }
        if (p->send_ns == INT64_MAX)
            continue; /* no time yet (waits for a GO, or held): armed once it has one */
        if (send_mono - now_mono > ARM_HORIZON_NS) {
            if (send_mono < next_unarmed)
                next_unarmed = send_mono;
            continue;
        }
        arm(e, p, send_mono, i);
    }
    schedule_horizon(e, next_unarmed, now_mono);
    for (size_t k = 0; k < narmed_before; k++)
        if (!seen[k])
            cancel(e, &e->armed[k], false);
    free(seen);
    free(by_cue);
    flush_events(e);
    if (immediate)
        changed(e);
}

/* ---- Automatic transitions ---------------------------------------------- */

static void schedule_tick(sc_engine_t *e, int64_t next_show);

static void tick_cb(uv_timer_t *t)
{
    sc_engine_t *e = t->data;
    if (e->closing)
        return;
    e->cmd_show_now = sc_show_now(e->env.tb);
    int64_t next = rd_show_tick(&e->show, e->cmd_show_now);
    sync_cues(e);
    schedule_tick(e, next);
    changed(e);
}

static void schedule_tick(sc_engine_t *e, int64_t next_show)
{
    if (e->closing)
        return;
    if (next_show == INT64_MAX) {
        uv_timer_stop(&e->tick);
        return;
    }
    int64_t wait = next_show - sc_show_now(e->env.tb);
    uint64_t ms = wait <= 0 ? 0 : (uint64_t)((wait + 999999) / 1000000);
    uv_timer_start(&e->tick, tick_cb, ms, 0);
}

/* ---- Public -------------------------------------------------------------- */

sc_engine_t *sc_engine_new(const sc_engine_env_t *env, rd_rundown_t *rundown)
{
    sc_engine_t *e = rd_xcalloc(1, sizeof *e);
    e->env = *env;
    e->gen = gen_new(e, rundown);
    uv_timer_init(env->loop, &e->tick);
    e->tick.data = e;
    uv_timer_init(env->loop, &e->horizon);
    e->horizon.data = e;
    e->panic_bytes = rd_xcalloc(env->ntargets + 1, sizeof *e->panic_bytes);
    e->panic_len = rd_xcalloc(env->ntargets + 1, sizeof *e->panic_len);
    for (size_t i = 0; i < env->ntargets; i++) {
        const rd_payload_t *panic = &env->targets[i].conf->panic;
        if (panic->kind != RD_PAYLOAD_NONE)
            encode(e, panic, (int)i, &e->panic_bytes[i], &e->panic_len[i]);
    }
    int64_t now = sc_show_now(env->tb);
    rd_show_open(&e->show, &e->gen->rundown, env->config, now, on_show_event, e);
    e->cmd_show_now = now;
    schedule_tick(e, rd_show_tick(&e->show, now));
    sync_cues(e);
    return e;
}

void sc_engine_close(sc_engine_t *e)
{
    e->closing = true;
    uv_timer_stop(&e->tick);
    uv_close((uv_handle_t *)&e->tick, NULL);
    uv_timer_stop(&e->horizon);
    uv_close((uv_handle_t *)&e->horizon, NULL);
}

void sc_engine_free(sc_engine_t *e)
{
    rd_show_close(&e->show);
    gen_free(e->gen);
    while (e->retired) {
        gen_t *g = e->retired;
        e->retired = g->next_retired;
        gen_free(g);
    }
    for (size_t i = 0; i < e->env.ntargets; i++)
        free(e->panic_bytes[i]);
    free(e->panic_bytes);
    free(e->panic_len);
    free(e->armed);
    free(e->pending);
    free(e->events);
    free(e->awaiting);
    free(e);
}

const rd_rundown_t *sc_engine_rundown(const sc_engine_t *e)
{
    return &e->gen->rundown;
}

const rd_show_t *sc_engine_show(const sc_engine_t *e)
{
    return &e->show;
}

bool sc_engine_rehearsal(const sc_engine_t *e)
{
    return e->show.rehearsal;
}

uint64_t sc_engine_rundown_rev(const sc_engine_t *e)
{
    return e->rundown_rev;
}

uint64_t sc_engine_progress_rev(const sc_engine_t *e)
{
    return e->progress_rev;
}

const sc_recent_cue_t *sc_engine_recent(const sc_engine_t *e, size_t *n)
{
    *n = e->nrecent;
    return e->recent;
}

void sc_engine_replay(sc_engine_t *e, const rd_show_record_t *rec)
{
    rd_show_apply_event(&e->show, rec);
}

void sc_engine_replay_cue(sc_engine_t *e, const char *target, const sc_recent_cue_t *c)
{
    remember(e, c);
    for (size_t i = 0; i < e->env.ntargets; i++) {
        sc_target_t *t = &e->env.targets[i];
        if (strcmp(t->conf->name, target) != 0)
            continue;
        if (strcmp(c->outcome, "sent") == 0)
            t->sent++;
        else if (strcmp(c->outcome, "failed") == 0)
            t->failed++;
    }
}

void sc_engine_resumed(sc_engine_t *e, int64_t alive_until)
{
    int64_t now = sc_show_now(e->env.tb);
    rd_show_replayed(&e->show, alive_until);
    e->progress_rev++;
    e->cmd_show_now = now;
    /* What the fresh show armed and the resumed one does not want is
     * withdrawn silently: it was never part of this show's history. */
    for (size_t k = 0; k < e->narmed; k++)
        e->armed[k].replaced = true;
    schedule_tick(e, rd_show_tick(&e->show, now));
    sync_cues(e);
    for (size_t k = 0; k < e->narmed; k++)
        if (!e->armed[k].canceling)
            e->armed[k].replaced = false;
    changed(e);
}

/* ---- A damaged journal ---------------------------------------------------- */

static void uncertain_item(sc_engine_t *e, int item, const char *why)
{
    sc_uncertain_t *u = &e->unc;
    const char *id = e->gen->rundown.items[item].id;
    for (size_t i = 0; i < u->nitems; i++)
        if (strcmp(u->items[i].id, id) == 0)
            return;
    if (u->nitems == SC_UNCERTAIN_KEEP) {
        u->more++;
        return;
    }
    snprintf(u->items[u->nitems].id, sizeof u->items[0].id, "%s", id);
    snprintf(u->items[u->nitems].why, sizeof u->items[0].why, "%s", why);
    u->nitems++;
}

/* Starts item i at `at` (show time) as its cue records say it started:
 * ends the running one there first. Both are logged, "inferred". */
static void infer_start(sc_engine_t *e, int i, int64_t at)
{
    rd_show_t *s = &e->show;
    if (rd_show_is_running(s)) {
        rd_show_record_t end = {
            .kind = RD_REC_ITEM_END, .item = s->current, .at_ns = at, .cause = RD_BY_GO};
        rd_show_event_t ev = {RD_SHOW_EV_ITEM_END, s->current, at, RD_BY_GO};
        rd_show_apply_event(s, &end);
        log_inferred(e, &ev);
    }
    rd_show_record_t start = {.kind = RD_REC_ITEM_START, .item = i, .at_ns = at, .cause = RD_BY_GO};
    rd_show_apply_event(s, &start);
    rd_show_event_t ev = {RD_SHOW_EV_ITEM_START, i, at, RD_BY_GO};
    log_inferred(e, &ev);
    char when[16], why[120];
    rd_format_clock(at, when, sizeof when);
    snprintf(why, sizeof why, "its start record is lost; its cues show it on air from %s", when);
    uncertain_item(e, i, why);
}

void sc_engine_uncertain(sc_engine_t *e, const sc_resume_result_t *res, int64_t alive_until)
{
    sc_uncertain_t *u = &e->unc;
    memset(u, 0, sizeof *u);
    u->active = true;
    for (size_t i = 0; i < res->ndamage; i++) {
        char words[240];
        sc_damage_describe(&res->damage[i], words, sizeof words);
        if (u->ndamage < sizeof u->damage / sizeof u->damage[0])
            snprintf(u->damage[u->ndamage++], sizeof u->damage[0], "%s", words);
        json_t *rec = sc_record_daemon(sc_wall_ns(), e->show.rehearsal, "journal_damaged", words);
        const sc_damage_t *d = &res->damage[i];
        json_object_set_new(rec, "damage", json_string(sc_damage_kind_name(d->kind)));
        json_object_set_new(rec, "after_seq", json_integer((json_int_t)d->after_seq));
        json_object_set_new(rec, "before_seq",
                            d->before_seq ? json_integer((json_int_t)d->before_seq) : json_null());
        json_object_set_new(rec, "offset", json_integer((json_int_t)d->offset));
        json_object_set_new(rec, "bytes", json_integer((json_int_t)d->bytes));
        append(e, rec);
    }
    rd_show_t *s = &e->show;
    const rd_rundown_t *r = &e->gen->rundown;
    /* Starts the damage hid, shown by the cues that followed them. */
    for (size_t i = 0; res->evidence_run && i < r->nitems; i++) {
        int item = (int)i;
        if (res->evidence_run[i] <= s->items[i].run)
            continue;
        if (item > s->current && res->evidence_run[i] == s->items[i].run + 1 &&
            res->evidence_start_ns[i] && res->evidence_start_ns[i] <= alive_until)
            infer_start(e, item, res->evidence_start_ns[i]);
        else
            uncertain_item(e, item, "its cues went out but its start is not in the journal");
    }
    if (!res->resumed && res->ndamage)
        for (size_t i = 0; i < r->nitems; i++)
            uncertain_item(e, (int)i, "the journal lost what happened: this item may have run");
    else if (rd_show_is_running(s))
        uncertain_item(e, s->current, "on air when the journal was damaged");
    /* Cues that were due while the daemon was alive and have no record may
     * have gone out: never again. */
    size_t n = list_pending(e);
    for (size_t k = 0; k < n; k++) {
        const rd_armed_cue_t *p = &e->pending[k];
        if (p->due_ns == INT64_MAX || p->due_ns > alive_until)
            continue;
        const rd_item_t *it = &r->items[p->item];
        const rd_cue_t *c = &it->cues[p->cue];
        int target = cue_output(e, e->gen, p->item, p->cue);
        int64_t deadline = sc_show_to_mono(e->env.tb, p->due_ns);
        sc_record_cue_t rc = {
            .cue = c->id,
            .item = it->id,
            .target = c->target,
            .protocol = target >= 0 ? rd_target_kind_name(e->env.targets[target].conf->kind) : "?",
            .scheduled_wall_ns = sc_mono_to_wall_ns(e->env.tb, deadline),
            .outcome = "missed",
            .run = p->run,
        };
        json_t *rec = sc_record_cue(sc_wall_ns(), s->rehearsal, &rc);
        json_object_set_new(rec, "error",
                            json_string("uncertain: due before the crash, and the journal is "
                                        "damaged where its record would be; it may have gone "
                                        "out, so it never fires again"));
        uint64_t seq = append(e, rec);
        sc_recent_cue_t rcue = {.outcome = "missed", .seq = seq, .answer_us = -1};
        snprintf(rcue.cue, sizeof rcue.cue, "%s", c->id);
        snprintf(rcue.item, sizeof rcue.item, "%s", it->id);
        snprintf(rcue.target, sizeof rcue.target, "%s", c->target);
        rcue.scheduled_ms = rc.scheduled_wall_ns / 1000000;
        remember(e, &rcue);
        rd_show_account(s, p->item, p->cue, p->run);
        if (u->ncues < SC_UNCERTAIN_KEEP) {
            snprintf(u->cues[u->ncues].id, sizeof u->cues[0].id, "%s", c->id);
            snprintf(u->cues[u->ncues].item, sizeof u->cues[0].item, "%s", it->id);
            u->ncues++;
        } else {
            u->more++;
        }
    }
    rd_show_suspend(s, sc_show_now(e->env.tb));
    e->progress_rev++;
    changed(e);
}

const sc_uncertain_t *sc_engine_uncertainty(const sc_engine_t *e)
{
    return &e->unc;
}

size_t sc_engine_armed(const sc_engine_t *e)
{
    return e->narmed;
}

static void fire(sc_engine_t *e, const char *id, sc_result_t *r)
{
    int item;
    const rd_cue_t *c = rd_rundown_find_cue(&e->gen->rundown, id, &item);
    if (!c) {
        sc_result_error(r, SC_ERR_UNKNOWN_CUE, "no cue has the id \"%s\"", id);
        return;
    }
    int cue = (int)(c - e->gen->rundown.items[item].cues);
    uint64_t key = ++e->next_key;
    int64_t now = sc_mono_ns();
    if (!send_now(e, e->gen, item, cue, 0, key, now))
        track_sending(e, key, item, cue, 0, now);
}

static void panic(sc_engine_t *e)
{
    rd_show_panic(&e->show, e->cmd_show_now);
    sync_cues(e);
    for (size_t i = 0; i < e->env.ntargets; i++) {
        if (!e->panic_bytes[i])
            continue;
        sc_target_t *t = &e->env.targets[i];
        int64_t sent;
        int err = t->ops->send(t, ++e->next_key, e->panic_bytes[i], e->panic_len[i], &sent);
        json_t *rec = sc_record_daemon(sc_wall_ns(), e->show.rehearsal, "panic_message",
                                       err && err != EINPROGRESS ? strerror(err) : "sent");
        json_object_set_new(rec, "target", json_string(t->conf->name));
        append(e, rec);
    }
}

void sc_engine_command(sc_engine_t *e, const sc_command_t *cmd, sc_result_t *r)
{
    sc_result_ok(r);
    e->cmd_show_now = sc_show_now(e->env.tb);
    int64_t now = e->cmd_show_now;
    rd_show_tick(&e->show, now);
    rd_show_err_t err = RD_SHOW_OK;
    int item;
    if (e->unc.active && (cmd->id == SC_CMD_GO || cmd->id == SC_CMD_BACK ||
                          cmd->id == SC_CMD_GOTO || cmd->id == SC_CMD_RESUME)) {
        sc_result_error(r, SC_ERR_JOURNAL_UNCERTAIN,
                        "the journal is damaged where the show was, so its position is not "
                        "proven: read what is uncertain on the producer page, then acknowledge "
                        "(journal_ack) before %s",
                        sc_command_name(cmd->id));
        return;
    }
    switch (cmd->id) {
    case SC_CMD_JOURNAL_ACK:
        if (!e->unc.active) {
            sc_result_error(r, SC_ERR_BAD_COMMAND,
                            "nothing in the journal waits to be acknowledged");
            return;
        }
        /* The lists stay for the screens, marked acknowledged. */
        e->unc.active = false;
        changed(e);
        return;
    case SC_CMD_GO:
        err = rd_show_go(&e->show, now);
        break;
    case SC_CMD_BACK:
        err = rd_show_back(&e->show, now);
        break;
    case SC_CMD_GOTO:
    case SC_CMD_SKIP:
        item = rd_rundown_find_item(&e->gen->rundown, cmd->item);
        if (item < 0) {
            sc_result_error(r, SC_ERR_UNKNOWN_ITEM, "no item has the id \"%s\"", cmd->item);
            return;
        }
        err = cmd->id == SC_CMD_GOTO ? rd_show_goto(&e->show, item, now)
                                     : rd_show_skip(&e->show, item, cmd->on);
        break;
    case SC_CMD_HOLD:
        err = rd_show_hold(&e->show, now);
        break;
    case SC_CMD_RESUME:
        err = rd_show_resume(&e->show, now);
        break;
    case SC_CMD_ADD:
        err = rd_show_add(&e->show, cmd->add_ns, now);
        break;
    case SC_CMD_FIRE:
        fire(e, cmd->cue, r);
        changed(e);
        return;
    case SC_CMD_PANIC:
        panic(e);
        break;
    case SC_CMD_REHEARSAL:
        e->show.rehearsal = cmd->on;
        break;
    default:
        sc_result_error(r, SC_ERR_BAD_COMMAND, "%s is not a show command",
                        sc_command_name(cmd->id));
        return;
    }
    if (err != RD_SHOW_OK) {
        sc_result_error(r, sc_err_from_show(err), "%s", rd_show_strerror(err));
        return;
    }
    e->progress_rev++;
    schedule_tick(e, rd_show_tick(&e->show, now));
    sync_cues(e);
    changed(e);
}

void sc_engine_on_reports(sc_engine_t *e)
{
    sc_report_t reps[64];
    size_t n;
    bool any = false;
    while ((n = sc_clock_poll(e->env.clock, reps, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            const sc_report_t *rep = &reps[i];
            if (rep->kind == SC_REPORT_SOCKET) {
                if (rep->target >= 0 && (size_t)rep->target < e->env.ntargets) {
                    sc_target_t *t = &e->env.targets[rep->target];
                    if (t->ops->socket_released)
                        t->ops->socket_released(t, rep->old_fd);
                }
                continue;
            }
            armed_t *a = armed_by_key(e, rep->key);
            if (!a)
                continue;
            any = true;
            switch (rep->kind) {
            case SC_REPORT_SENT:
            case SC_REPORT_FAILED:
                if (rep->kind == SC_REPORT_FAILED && rep->err == ENOBUFS)
                    sc_error("cue clock full: cue %s not sent (more cues due within 10 s "
                             "than it holds)",
                             a->gen->rundown.items[a->item].cues[a->cue].id);
                if (rep->kind == SC_REPORT_FAILED && a->output >= 0) {
                    sc_target_t *t = &e->env.targets[a->output];
                    if (t->ops->clock_send_failed)
                        t->ops->clock_send_failed(t, rep->err);
                }
                log_cue(e, a->gen, a->item, a->cue, a->output, a->key, a->run, rep->deadline_ns,
                        rep->kind == SC_REPORT_SENT ? rep->sent_ns : 0,
                        rep->kind == SC_REPORT_SENT ? "sent" : "failed", rep->err);
                if (a->gen == e->gen)
                    rd_show_account(&e->show, a->item, a->cue, a->run);
                armed_remove(e, a);
                break;
            case SC_REPORT_CANCELLED:
                if (!a->replaced)
                    log_cue(e, a->gen, a->item, a->cue, a->output, 0, a->run, a->send_mono, 0,
                            a->missed ? "missed" : "skipped", 0);
                /* A missed cue is done with; a skipped one may come back
                 * (back restores an item whose cues were still to come). */
                if (a->missed && a->gen == e->gen)
                    rd_show_account(&e->show, a->item, a->cue, a->run);
                armed_remove(e, a);
                break;
            case SC_REPORT_WOKE:
                if (e->closing) {
                    armed_remove(e, a);
                    break;
                }
                if (send_now(e, a->gen, a->item, a->cue, a->run, a->key, rep->deadline_ns)) {
                    if (a->gen == e->gen)
                        rd_show_account(&e->show, a->item, a->cue, a->run);
                    armed_remove(e, a);
                } else {
                    a->sending = true;
                    a->send_mono = rep->deadline_ns;
                }
                break;
            default:
                break;
            }
        }
    }
    if (any)
        changed(e);
}

void sc_engine_target_done(sc_engine_t *e, sc_target_t *t, uint64_t key, int err, int64_t sent_mono)
{
    (void)t;
    armed_t *a = armed_by_key(e, key);
    if (!a)
        return;
    log_cue(e, a->gen, a->item, a->cue, a->output, key, a->run, a->send_mono, err ? 0 : sent_mono,
            err ? "failed" : "sent", err);
    if (a->gen == e->gen && a->run)
        rd_show_account(&e->show, a->item, a->cue, a->run);
    armed_remove(e, a);
    changed(e);
}

/* The cue log's entry for the cue whose record has seq; NULL when it has
 * left the log. */
static sc_recent_cue_t *recent_by_seq(sc_engine_t *e, uint64_t seq)
{
    for (size_t i = e->nrecent; seq && i-- > 0;)
        if (e->recent[i].seq == seq)
            return &e->recent[i];
    return NULL;
}

static void recent_answer(sc_recent_cue_t *r, const char *answer, int64_t answer_us,
                          int64_t answered_ms, const char *detail)
{
    r->awaits = false;
    r->answer = answer;
    r->answer_us = answer_us;
    r->answered_ms = answered_ms;
    snprintf(r->answer_detail, sizeof r->answer_detail, "%s", detail ? detail : "");
}

void sc_engine_target_answer(sc_engine_t *e, sc_target_t *t, uint64_t key, const sc_answer_t *a)
{
    awaiting_t *w = NULL;
    for (size_t i = 0; e->awaiting && i < SC_ENGINE_ANSWERS_KEPT && !w; i++)
        if (e->awaiting[i].key == key && key && e->awaiting[i].target == t->index)
            w = &e->awaiting[i];
    int64_t rtt = w && a->at_mono >= w->sent_mono ? a->at_mono - w->sent_mono : -1;
    int64_t answered = sc_mono_to_wall_ns(e->env.tb, a->at_mono);
    sc_record_answer_t ra = {
        .cue = w ? w->cue : NULL,
        .item = w ? w->item : NULL,
        .target = t->conf->name,
        .cue_seq = w ? w->seq : 0,
        .answer = sc_answer_name(a->kind),
        .answer_ns = rtt,
        .detail = a->detail,
        .answered_wall_ns = answered,
    };
    append(e, sc_record_answer(sc_wall_ns(), e->show.rehearsal, &ra));
    sc_target_note_answer(t, a, w ? w->cue : NULL, rtt, answered / 1000000);
    sc_recent_cue_t *r = w ? recent_by_seq(e, w->seq) : NULL;
    if (r)
        recent_answer(r, sc_answer_name(a->kind), rtt >= 0 ? rtt / 1000 : -1, answered / 1000000,
                      a->detail);
    if (w)
        w->key = 0; /* one answer per cue */
    changed(e);
}

void sc_engine_replay_answer(sc_engine_t *e, uint64_t cue_seq, const char *answer,
                             int64_t answer_us, int64_t answered_ms, const char *detail)
{
    sc_recent_cue_t *r = recent_by_seq(e, cue_seq);
    if (r)
        recent_answer(r, answer, answer_us, answered_ms, detail);
}

/* ---- Reload -------------------------------------------------------------- */

bool sc_engine_replace(sc_engine_t *e, rd_rundown_t *rundown, sc_result_t *r)
{
    gen_t *oldgen = e->gen;
    gen_t *g = gen_new(e, rundown);
    int64_t now = sc_show_now(e->env.tb);
    rd_show_t next;
    rd_show_open(&next, &g->rundown, e->env.config, now, on_show_event, e);
    if (rd_show_carry(&next, &e->show) != RD_SHOW_OK) {
        sc_result_error(r, SC_ERR_RUNNING_ITEM_REMOVED,
                        "the new rundown has no item \"%s\", which is running; keep it until it "
                        "has ended",
                        oldgen->rundown.items[e->show.current].id);
        rd_show_close(&next);
        gen_free(g); /* the rundown it took; the caller's is empty now */
        return false;
    }
    e->gen = g;

    /* A cue armed on the clock whose packet is unchanged stays armed, moved
     * to the new rundown's indices: cancelling and re-arming it could fire it
     * twice if it is due while the orders cross. A changed cue is cancelled
     * and armed anew. A cue already handed to its target (sending) is moved
     * whatever its packet: it has left, and the new show must see it as in
     * flight, not as due (it would be logged missed, then sent). */
    for (size_t k = 0; k < e->narmed; k++) {
        armed_t *a = &e->armed[k];
        if (a->canceling || a->gen != oldgen)
            continue;
        const rd_cue_t *oc = &oldgen->rundown.items[a->item].cues[a->cue];
        int ni;
        const rd_cue_t *nc = rd_rundown_find_cue(&e->gen->rundown, oc->id, &ni);
        size_t ok = oldgen->first_cue[a->item] + (size_t)a->cue;
        if (nc && strcmp(e->gen->rundown.items[ni].id, oldgen->rundown.items[a->item].id) == 0) {
            int nj = (int)(nc - e->gen->rundown.items[ni].cues);
            size_t nk = e->gen->first_cue[ni] + (size_t)nj;
            if (a->sending) {
                a->gen = e->gen;
                a->item = ni;
                a->cue = nj;
                continue;
            }
            if (oldgen->len[ok] == e->gen->len[nk] && oldgen->bytes[ok] && e->gen->bytes[nk] &&
                memcmp(oldgen->bytes[ok], e->gen->bytes[nk], oldgen->len[ok]) == 0 &&
                nc->target_index == oc->target_index) {
                a->gen = e->gen;
                a->item = ni;
                a->cue = nj;
                continue;
            }
        }
        if (a->sending)
            continue; /* its cue is gone from the rundown: it reports on the old one */
        a->replaced = true;
        cancel(e, a, false);
    }
    /* The old show's arrays go now; the old generation when its cues report. */
    rd_show_close(&e->show);
    e->show = next;
    oldgen->next_retired = e->retired;
    e->retired = oldgen;
    if (oldgen->armed == 0) {
        e->retired = oldgen->next_retired;
        gen_free(oldgen);
    }
    e->rundown_rev++;
    e->progress_rev++;
    e->cmd_show_now = now;
    schedule_tick(e, rd_show_tick(&e->show, now));
    sync_cues(e);
    changed(e);
    sc_result_ok(r);
    return true;
}
