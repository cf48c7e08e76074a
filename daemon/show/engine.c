/* The engine: keeps the cue clock armed with exactly the cues the show says may still fire, and
 * logs what happened. */
#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal/asrun.h"
#include "cue_timing.h"
#include "log.h"
#include "targets/osc_encode.h"
#include "payload.h"
#include "plan.h"
#include "xalloc.h"

#define RECENT_CUES 20

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

typedef struct {
    char cue[SC_ID_MAX + 1], item[SC_ID_MAX + 1], target[SC_ID_MAX + 1];
    int64_t scheduled_ms, sent_ms;
    int64_t lateness_us;
    bool has_sent;
    const char *outcome;
} recent_t;

struct sc_engine {
    sc_app_t *app;
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
    recent_t recent[RECENT_CUES];
    size_t nrecent;
    uint64_t rundown_rev;    /* counts reloads: screens refetch /api/rundown when it moves */
    uint64_t progress_rev;   /* counts changes to the items' progress */
    rd_show_event_t *events; /* show events not logged yet */
    size_t nevents, events_cap;
    char *items_text; /* the "items" array serialized, reused between pushes */
    size_t items_len;
    uint64_t items_rev;
    int64_t items_built_mono;
    uint8_t **panic_bytes; /* per output, NULL when none */
    size_t *panic_len;
};

/* ---- Encoding ------------------------------------------------------------ */

static bool encode_payload(const rd_payload_t *p, const rd_target_t *t, uint8_t **out, size_t *len)
{
    if (p->kind == RD_PAYLOAD_WS) {
        *len = strlen(p->ws_text);
        *out = (uint8_t *)rd_xstrdup(p->ws_text);
        return true;
    }
    if (p->kind != RD_PAYLOAD_OSC)
        return false;
    size_t n = rd_osc_encoded_size(&p->osc);
    uint8_t *raw = rd_xcalloc(n, 1);
    if (sc_osc_encode(&p->osc, raw, n) != n) {
        free(raw);
        return false;
    }
    if (t && t->kind == RD_TARGET_OSC_TCP) {
        size_t cap = sc_osc_frame_max(t->framing, n);
        uint8_t *framed = rd_xcalloc(cap, 1);
        *len = sc_osc_frame(t->framing, raw, n, framed, cap);
        free(raw);
        *out = framed;
        return *len > 0;
    }
    *out = raw;
    *len = n;
    return true;
}

static gen_t *gen_new(sc_app_t *app, rd_rundown_t *r)
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
            const rd_target_t *t =
                c->target_index >= 0 ? &app->config.targets[c->target_index] : NULL;
            size_t k = g->first_cue[i] + j;
            if (!encode_payload(&c->payload, t, &g->bytes[k], &g->len[k]))
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

static json_t *iso(int64_t wall_ns)
{
    char buf[40];
    sc_iso8601(wall_ns, buf, sizeof buf);
    return json_string(buf);
}

static json_t *record(sc_engine_t *e, const char *kind)
{
    return sc_app_record(e->app, kind);
}

static void append(sc_engine_t *e, json_t *r)
{
    if (e->app->asrun)
        sc_asrun_append(e->app->asrun, r);
    else
        json_decref(r);
}

static int64_t show_to_wall_ns(sc_engine_t *e, int64_t show_ns)
{
    return sc_mono_to_wall_ns(&e->app->tb, sc_show_to_mono(&e->app->tb, show_ns));
}

static void log_show_event(sc_engine_t *e, const rd_show_event_t *ev)
{
    static const char *kinds[] = {"item_start", "item_end", "item_skipped", "item_restored",
                                  "show_ended"};
    json_t *r = record(e, ev->kind == RD_SHOW_EV_ENDED ? "daemon" : kinds[ev->kind]);
    if (ev->item >= 0) {
        const rd_item_t *it = &e->gen->rundown.items[ev->item];
        const rd_plan_item_t *p = &e->show.plan.items[ev->item];
        json_object_set_new(r, "item", json_string(it->id));
        json_object_set_new(r, "title", json_string(it->title));
        if (ev->kind == RD_SHOW_EV_ITEM_START || ev->kind == RD_SHOW_EV_ITEM_RESTORED)
            json_object_set_new(r, "planned",
                                e->show.plan.relative ? json_null()
                                                      : iso(show_to_wall_ns(e, p->start_ns)));
        if (ev->kind == RD_SHOW_EV_ITEM_END)
            json_object_set_new(r, "planned",
                                e->show.plan.relative ? json_null()
                                                      : iso(show_to_wall_ns(e, p->end_ns)));
        if (ev->kind != RD_SHOW_EV_ITEM_SKIPPED)
            json_object_set_new(r, "actual", iso(show_to_wall_ns(e, ev->at_ns)));
    } else {
        json_object_set_new(r, "event", json_string("show_ended"));
        json_object_set_new(r, "message", json_string("the show has ended"));
    }
    json_object_set_new(r, "cause", json_string(rd_cause_name(ev->cause)));
    append(e, r);
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

static void remember(sc_engine_t *e, const recent_t *c)
{
    if (e->nrecent == RECENT_CUES) {
        memmove(&e->recent[0], &e->recent[1], (RECENT_CUES - 1) * sizeof e->recent[0]);
        e->nrecent--;
    }
    e->recent[e->nrecent++] = *c;
}

/* Logs one cue's outcome. deadline and sent are monotonic; sent 0 = none. */
static void log_cue(sc_engine_t *e, gen_t *g, int item, int cue, int output, int64_t deadline,
                    int64_t sent, const char *outcome, int err)
{
    const rd_item_t *it = &g->rundown.items[item];
    const rd_cue_t *c = &it->cues[cue];
    const rd_target_t *t = output >= 0 ? &e->app->config.targets[output] : NULL;
    json_t *r = record(e, "cue");
    json_object_set_new(r, "cue", json_string(c->id));
    json_object_set_new(r, "item", json_string(it->id));
    json_object_set_new(r, "target", json_string(c->target));
    json_object_set_new(r, "protocol", json_string(t ? rd_target_kind_name(t->kind) : "?"));
    json_object_set_new(r, "scheduled",
                        deadline && deadline != INT64_MAX
                            ? iso(sc_mono_to_wall_ns(&e->app->tb, deadline))
                            : json_null());
    json_object_set_new(r, "sent", sent ? iso(sc_mono_to_wall_ns(&e->app->tb, sent)) : json_null());
    json_object_set_new(r, "lateness_us",
                        sent && deadline ? json_integer((sent - deadline) / 1000) : json_null());
    json_object_set_new(r, "outcome", json_string(outcome));
    json_object_set_new(r, "error", err ? json_string(strerror(err)) : json_null());
    json_object_set_new(r, "answer", json_null());
    append(e, r);

    recent_t rc = {{0}, {0}, {0}, 0, 0, 0, sent != 0, outcome};
    snprintf(rc.cue, sizeof rc.cue, "%s", c->id);
    snprintf(rc.item, sizeof rc.item, "%s", it->id);
    snprintf(rc.target, sizeof rc.target, "%s", c->target);
    rc.scheduled_ms =
        deadline && deadline != INT64_MAX ? sc_mono_to_wall_ns(&e->app->tb, deadline) / 1000000 : 0;
    rc.sent_ms = sent ? sc_mono_to_wall_ns(&e->app->tb, sent) / 1000000 : 0;
    rc.lateness_us = sent && deadline ? (sent - deadline) / 1000 : 0;
    remember(e, &rc);
    if (output >= 0) {
        if (strcmp(outcome, "sent") == 0)
            e->app->outputs[output].sent++;
        else if (strcmp(outcome, "failed") == 0)
            e->app->outputs[output].failed++;
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
    return t >= 0 && (size_t)t < e->app->noutputs ? t : -1;
}

/* Sends a cue from the loop now. Returns true when the outcome is known (and
 * logged); false when the output completes it later. */
static bool send_now(sc_engine_t *e, gen_t *g, int item, int cue, uint64_t key, int64_t deadline)
{
    int out = cue_output(e, g, item, cue);
    size_t k = g->first_cue[item] + (size_t)cue;
    int64_t sent = 0;
    int err = ENOTCONN;
    if (out >= 0 && g->bytes[k]) {
        sc_output_t *o = &e->app->outputs[out];
        err = o->ops->send(o, key, g->bytes[k], g->len[k], &sent);
        if (err == EINPROGRESS)
            return false;
    }
    log_cue(e, g, item, cue, out, deadline, err ? 0 : sent, err ? "failed" : "sent", err);
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
    a->by_loop = out < 0 || !e->app->outputs[out].ops->clock_sends;
    size_t k = g->first_cue[p->item] + (size_t)p->cue;
    sc_cue_t c = {a->key, order,       send_mono, a->by_loop ? SC_CUE_WAKE : SC_CUE_SEND,
                  out,    g->bytes[k], g->len[k]};
    if (!sc_clock_arm(e->app->clock, &c)) {
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
    sc_clock_cancel(e->app->clock, a->key);
}

static void sync_cues(sc_engine_t *e);

static void horizon_cb(uv_timer_t *t)
{
    sc_engine_t *e = t->data;
    if (e->closing)
        return;
    e->cmd_show_now = sc_show_now(&e->app->tb);
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

/* Makes the armed set match what the show says may still fire: every cue
 * due within ARM_HORIZON_NS is armed, later ones wait for the horizon timer. */
static void sync_cues(sc_engine_t *e)
{
    size_t total = e->gen->ncues + 1;
    if (e->pending_cap < total) {
        e->pending_cap = total;
        e->pending = rd_xrealloc(e->pending, total * sizeof *e->pending);
    }
    size_t n = rd_show_pending_cues(&e->show, e->pending, e->pending_cap);
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
        int64_t send_mono = sc_show_to_mono(&e->app->tb, p->send_ns);
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
                sc_clock_reschedule(e->app->clock, a->key, send_mono);
            }
            continue;
        }
        if (p->send_ns != INT64_MAX && p->send_ns < cmd_now) {
            /* Its time passed before it could be armed: never fired late. */
            log_cue(e, e->gen, p->item, p->cue, cue_output(e, e->gen, p->item, p->cue), send_mono,
                    0, "missed", 0);
            rd_show_account(&e->show, p->item, p->cue, p->run);
            continue;
        }
        if (p->send_ns != INT64_MAX && send_mono <= sc_mono_ns()) {
            /* Due at this very command (a GO's first pre-roll): sent from
             * here, without a hop to the clock thread. */
            uint64_t key = ++e->next_key;
            if (send_now(e, e->gen, p->item, p->cue, key, send_mono)) {
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
        sc_app_changed(e->app);
}

/* ---- Automatic transitions ---------------------------------------------- */

static void schedule_tick(sc_engine_t *e, int64_t next_show);

static void tick_cb(uv_timer_t *t)
{
    sc_engine_t *e = t->data;
    if (e->closing)
        return;
    e->cmd_show_now = sc_show_now(&e->app->tb);
    int64_t next = rd_show_tick(&e->show, e->cmd_show_now);
    sync_cues(e);
    schedule_tick(e, next);
    sc_app_changed(e->app);
}

static void schedule_tick(sc_engine_t *e, int64_t next_show)
{
    if (e->closing)
        return;
    if (next_show == INT64_MAX) {
        uv_timer_stop(&e->tick);
        return;
    }
    int64_t wait = next_show - sc_show_now(&e->app->tb);
    uint64_t ms = wait <= 0 ? 0 : (uint64_t)((wait + 999999) / 1000000);
    uv_timer_start(&e->tick, tick_cb, ms, 0);
}

/* ---- Public -------------------------------------------------------------- */

sc_engine_t *sc_engine_new(sc_app_t *app, rd_rundown_t *rundown)
{
    sc_engine_t *e = rd_xcalloc(1, sizeof *e);
    e->app = app;
    e->gen = gen_new(app, rundown);
    uv_timer_init(&app->loop, &e->tick);
    e->tick.data = e;
    uv_timer_init(&app->loop, &e->horizon);
    e->horizon.data = e;
    e->panic_bytes = rd_xcalloc(app->noutputs + 1, sizeof *e->panic_bytes);
    e->panic_len = rd_xcalloc(app->noutputs + 1, sizeof *e->panic_len);
    for (size_t i = 0; i < app->noutputs; i++) {
        const rd_target_t *t = &app->config.targets[i];
        if (t->panic.kind != RD_PAYLOAD_NONE)
            encode_payload(&t->panic, t, &e->panic_bytes[i], &e->panic_len[i]);
    }
    int64_t now = sc_show_now(&app->tb);
    rd_show_open(&e->show, &e->gen->rundown, &app->config, now, on_show_event, e);
    e->show.rehearsal = app->rehearsal;
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
    for (size_t i = 0; i < e->app->noutputs; i++)
        free(e->panic_bytes[i]);
    free(e->panic_bytes);
    free(e->panic_len);
    free(e->armed);
    free(e->pending);
    free(e->items_text);
    free(e->events);
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

void sc_engine_replay(sc_engine_t *e, const rd_show_record_t *rec)
{
    rd_show_apply_event(&e->show, rec);
}

void sc_engine_resumed(sc_engine_t *e, int64_t alive_until)
{
    int64_t now = sc_show_now(&e->app->tb);
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
    sc_app_changed(e->app);
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
        sc_result_error(r, "unknown_cue", "no cue has the id \"%s\"", id);
        return;
    }
    int cue = (int)(c - e->gen->rundown.items[item].cues);
    uint64_t key = ++e->next_key;
    int64_t now = sc_mono_ns();
    if (!send_now(e, e->gen, item, cue, key, now))
        track_sending(e, key, item, cue, 0, now);
}

static void panic(sc_engine_t *e)
{
    rd_show_panic(&e->show, e->cmd_show_now);
    sync_cues(e);
    for (size_t i = 0; i < e->app->noutputs; i++) {
        if (!e->panic_bytes[i])
            continue;
        sc_output_t *o = &e->app->outputs[i];
        int64_t sent;
        int err = o->ops->send(o, ++e->next_key, e->panic_bytes[i], e->panic_len[i], &sent);
        json_t *rec = sc_app_daemon_record(e->app, "panic_message",
                                           err && err != EINPROGRESS ? strerror(err) : "sent");
        json_object_set_new(rec, "target", json_string(o->target->name));
        append(e, rec);
    }
}

void sc_engine_command(sc_engine_t *e, const sc_command_t *cmd, sc_result_t *r)
{
    sc_result_ok(r);
    e->cmd_show_now = sc_show_now(&e->app->tb);
    int64_t now = e->cmd_show_now;
    rd_show_tick(&e->show, now);
    rd_show_err_t err = RD_SHOW_OK;
    int item;
    switch (cmd->id) {
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
            sc_result_error(r, "unknown_item", "no item has the id \"%s\"", cmd->item);
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
        sc_app_changed(e->app);
        return;
    case SC_CMD_PANIC:
        panic(e);
        break;
    case SC_CMD_REHEARSAL:
        e->show.rehearsal = cmd->on;
        break;
    default:
        sc_result_error(r, "bad_command", "%s is not a show command", sc_command_name(cmd->id));
        return;
    }
    if (err != RD_SHOW_OK) {
        sc_result_error(r, rd_show_err_code(err), "%s", rd_show_strerror(err));
        return;
    }
    e->progress_rev++;
    schedule_tick(e, rd_show_tick(&e->show, now));
    sync_cues(e);
    sc_app_changed(e->app);
}

void sc_engine_on_reports(sc_engine_t *e)
{
    sc_report_t reps[64];
    size_t n;
    bool changed = false;
    while ((n = sc_clock_poll(e->app->clock, reps, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            const sc_report_t *rep = &reps[i];
            if (rep->kind == SC_REPORT_SOCKET) {
                if (rep->target >= 0 && (size_t)rep->target < e->app->noutputs) {
                    sc_output_t *o = &e->app->outputs[rep->target];
                    if (o->ops->socket_released)
                        o->ops->socket_released(o, rep->old_fd);
                }
                continue;
            }
            armed_t *a = armed_by_key(e, rep->key);
            if (!a)
                continue;
            changed = true;
            switch (rep->kind) {
            case SC_REPORT_SENT:
            case SC_REPORT_FAILED:
                if (rep->kind == SC_REPORT_FAILED && rep->err == ENOBUFS)
                    sc_error("cue clock full: cue %s not sent (more cues due within 10 s "
                             "than it holds)",
                             a->gen->rundown.items[a->item].cues[a->cue].id);
                if (rep->kind == SC_REPORT_FAILED && a->output >= 0) {
                    sc_output_t *o = &e->app->outputs[a->output];
                    if (o->ops->clock_send_failed)
                        o->ops->clock_send_failed(o, rep->err);
                }
                log_cue(e, a->gen, a->item, a->cue, a->output, rep->deadline_ns,
                        rep->kind == SC_REPORT_SENT ? rep->sent_ns : 0,
                        rep->kind == SC_REPORT_SENT ? "sent" : "failed", rep->err);
                if (a->gen == e->gen)
                    rd_show_account(&e->show, a->item, a->cue, a->run);
                armed_remove(e, a);
                break;
            case SC_REPORT_CANCELLED:
                if (!a->replaced)
                    log_cue(e, a->gen, a->item, a->cue, a->output, a->send_mono, 0,
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
                if (send_now(e, a->gen, a->item, a->cue, a->key, rep->deadline_ns)) {
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
    if (changed)
        sc_app_changed(e->app);
}

void sc_engine_output_done(sc_engine_t *e, int output, uint64_t key, int err, int64_t sent_mono)
{
    (void)output;
    armed_t *a = armed_by_key(e, key);
    if (!a)
        return;
    log_cue(e, a->gen, a->item, a->cue, a->output, a->send_mono, err ? 0 : sent_mono,
            err ? "failed" : "sent", err);
    if (a->gen == e->gen && a->run)
        rd_show_account(&e->show, a->item, a->cue, a->run);
    armed_remove(e, a);
    sc_app_changed(e->app);
}

/* ---- Reload -------------------------------------------------------------- */

bool sc_engine_replace(sc_engine_t *e, rd_rundown_t *rundown, sc_result_t *r)
{
    gen_t *oldgen = e->gen;
    gen_t *g = gen_new(e->app, rundown);
    int64_t now = sc_show_now(&e->app->tb);
    rd_show_t next;
    rd_show_open(&next, &g->rundown, &e->app->config, now, on_show_event, e);
    if (rd_show_carry(&next, &e->show) != RD_SHOW_OK) {
        sc_result_error(r, "running_item_removed",
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
     * and armed anew. */
    for (size_t k = 0; k < e->narmed; k++) {
        armed_t *a = &e->armed[k];
        if (a->canceling || a->sending || a->gen != oldgen)
            continue;
        const rd_cue_t *oc = &oldgen->rundown.items[a->item].cues[a->cue];
        int ni;
        const rd_cue_t *nc = rd_rundown_find_cue(&e->gen->rundown, oc->id, &ni);
        size_t ok = oldgen->first_cue[a->item] + (size_t)a->cue;
        if (nc && strcmp(e->gen->rundown.items[ni].id, oldgen->rundown.items[a->item].id) == 0) {
            int nj = (int)(nc - e->gen->rundown.items[ni].cues);
            size_t nk = e->gen->first_cue[ni] + (size_t)nj;
            if (oldgen->len[ok] == e->gen->len[nk] && oldgen->bytes[ok] && e->gen->bytes[nk] &&
                memcmp(oldgen->bytes[ok], e->gen->bytes[nk], oldgen->len[ok]) == 0 &&
                nc->target_index == oc->target_index) {
                a->gen = e->gen;
                a->item = ni;
                a->cue = nj;
                continue;
            }
        }
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
    sc_app_changed(e->app);
    sc_result_ok(r);
    return true;
}

/* ---- State --------------------------------------------------------------- */

static json_t *ms_or_null(sc_engine_t *e, bool has, int64_t show_ns)
{
    return has ? json_integer(sc_show_to_wall_ms(&e->app->tb, show_ns)) : json_null();
}

static const char *state_name(rd_show_state_t s)
{
    static const char *names[] = {"idle", "running", "holding", "ended"};
    return names[s];
}

static const char *item_state_name(rd_item_state_t s)
{
    static const char *names[] = {"pending", "running", "done", "skipped"};
    return names[s];
}

static json_t *item_ref(sc_engine_t *e, int i)
{
    const rd_item_t *it = &e->gen->rundown.items[i];
    json_t *o = json_object();
    json_object_set_new(o, "index", json_integer(i));
    json_object_set_new(o, "id", json_string(it->id));
    json_object_set_new(o, "title", json_string(it->title));
    json_object_set_new(o, "duration_ms", json_integer(it->duration_ns / RD_NS_PER_MS));
    json_object_set_new(o, "start_rule", json_string(rd_start_rule_name(it->start)));
    return o;
}

/* Every item's progress and projection. */
static json_t *items_json(sc_engine_t *e, const rd_projection_t *pr)
{
    const rd_show_t *s = &e->show;
    const rd_rundown_t *r = &e->gen->rundown;
    const rd_projection_t proj = *pr;
    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_show_item_t *si = &s->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(r->items[i].id));
        json_object_set_new(o, "state", json_string(item_state_name(si->p.state)));
        bool started = si->p.state == RD_ITEM_RUNNING || si->p.state == RD_ITEM_DONE;
        json_object_set_new(o, "actual_start", ms_or_null(e, started, si->p.actual_start_ns));
        json_object_set_new(o, "actual_end",
                            ms_or_null(e, si->p.state == RD_ITEM_DONE, si->p.actual_end_ns));
        json_object_set_new(o, "projected_start", ms_or_null(e, true, proj.item_start_ns[i]));
        json_object_set_new(o, "projected_end", ms_or_null(e, true, proj.item_end_ns[i]));
        bool late = r->items[i].start == RD_START_TIME && si->p.state == RD_ITEM_PENDING &&
                    r->items[i].start_tod_ns < s->watch_from_ns;
        json_object_set_new(o, "late", json_boolean(late));
        json_array_append_new(items, o);
    }
    return items;
}

const char *sc_engine_items_text(sc_engine_t *e, size_t *len)
{
    /* Projections drift only slowly; progress changes rebuild at once. */
    int64_t now = sc_mono_ns();
    if (!e->items_text || e->items_rev != e->progress_rev ||
        now - e->items_built_mono >= 1000000000) {
        rd_projection_t proj;
        rd_show_project(&e->show, sc_show_now(&e->app->tb), &proj);
        json_t *items = items_json(e, &proj);
        rd_projection_free(&proj);
        free(e->items_text);
        e->items_text = json_dumps(items, JSON_COMPACT);
        json_decref(items);
        e->items_len = e->items_text ? strlen(e->items_text) : 0;
        e->items_rev = e->progress_rev;
        e->items_built_mono = now;
    }
    *len = e->items_len;
    return e->items_text ? e->items_text : "[]";
}

void sc_engine_state(sc_engine_t *e, json_t *obj, bool with_items)
{
    rd_show_t *s = &e->show;
    const rd_rundown_t *r = &e->gen->rundown;
    int64_t now = sc_show_now(&e->app->tb);
    rd_projection_t proj;
    rd_show_project(s, now, &proj);

    json_t *show = json_object();
    json_object_set_new(show, "title", json_string(r->title));
    json_object_set_new(show, "rundown_rev", json_integer((json_int_t)e->rundown_rev));
    /* Times of day in the rundown are the daemon's local time. */
    time_t now_s = time(NULL);
    struct tm lt;
    localtime_r(&now_s, &lt);
    json_object_set_new(show, "utc_offset_min", json_integer(lt.tm_gmtoff / 60));
    json_object_set_new(show, "state", json_string(state_name(s->state)));
    json_object_set_new(show, "rehearsal", json_boolean(s->rehearsal));
    json_object_set_new(show, "on_air", ms_or_null(e, r->has_on_air, r->on_air_ns));
    json_object_set_new(show, "off_air", ms_or_null(e, r->has_off_air, r->off_air_ns));
    json_object_set_new(show, "planned_end", ms_or_null(e, !s->plan.relative, s->plan.end_ns));
    json_object_set_new(show, "projected_end", ms_or_null(e, true, proj.end_ns));
    json_object_set_new(show, "over_under_ms", json_integer(proj.over_under_ns / RD_NS_PER_MS));
    json_object_set_new(show, "backtime_ms",
                        r->has_off_air ? json_integer((r->off_air_ns - proj.end_ns) / RD_NS_PER_MS)
                                       : json_null());
    json_object_set_new(obj, "show", show);

    bool running = s->current >= 0 && (s->state == RD_SHOW_RUNNING || s->state == RD_SHOW_HOLDING);
    if (running) {
        const rd_item_t *it = &r->items[s->current];
        const rd_show_item_t *si = &s->items[s->current];
        json_t *cur = item_ref(e, s->current);
        json_object_set_new(cur, "started_at",
                            json_integer(sc_show_to_wall_ms(&e->app->tb, si->p.actual_start_ns)));
        json_object_set_new(
            cur, "ends_at",
            json_integer(sc_show_to_wall_ms(&e->app->tb, rd_show_current_end(s, now))));
        json_object_set_new(cur, "added_ms", json_integer(si->p.added_ns / RD_NS_PER_MS));
        int64_t held = si->p.held_ns;
        if (s->state == RD_SHOW_HOLDING)
            held += now - s->hold_since_ns;
        json_object_set_new(cur, "held_ms", json_integer(held / RD_NS_PER_MS));
        json_object_set_new(cur, "holding", json_boolean(s->state == RD_SHOW_HOLDING));
        json_object_set_new(cur, "hold_since",
                            s->state == RD_SHOW_HOLDING ? ms_or_null(e, true, s->hold_since_ns)
                                                        : json_null());
        json_object_set_new(cur, "warn_ms", json_integer(it->warn_ns / RD_NS_PER_MS));
        json_object_set_new(cur, "critical_ms", json_integer(it->critical_ns / RD_NS_PER_MS));
        json_object_set_new(cur, "notes", it->notes ? json_string(it->notes) : json_null());
        json_object_set_new(cur, "script", it->script ? json_string(it->script) : json_null());
        json_object_set_new(obj, "current", cur);
    } else {
        json_object_set_new(obj, "current", json_null());
    }

    int next = rd_show_next(s);
    if (next >= 0 && s->state != RD_SHOW_ENDED) {
        json_t *nx = item_ref(e, next);
        json_object_set_new(
            nx, "starts_at",
            json_integer(sc_show_to_wall_ms(&e->app->tb, proj.item_start_ns[next])));
        json_object_set_new(obj, "next", nx);
    } else {
        json_object_set_new(obj, "next", json_null());
    }

    if (with_items)
        json_object_set_new(obj, "items", items_json(e, &proj));

    json_t *cues = json_array();
    for (size_t i = e->nrecent; i-- > 0;) {
        const recent_t *c = &e->recent[i];
        json_t *o = json_object();
        json_object_set_new(o, "cue", json_string(c->cue));
        json_object_set_new(o, "item", json_string(c->item));
        json_object_set_new(o, "target", json_string(c->target));
        json_object_set_new(o, "scheduled",
                            c->scheduled_ms ? json_integer(c->scheduled_ms) : json_null());
        json_object_set_new(o, "sent", c->has_sent ? json_integer(c->sent_ms) : json_null());
        json_object_set_new(o, "lateness_us",
                            c->has_sent ? json_integer(c->lateness_us) : json_null());
        json_object_set_new(o, "outcome", json_string(c->outcome));
        json_array_append_new(cues, o);
    }
    json_object_set_new(obj, "cues", cues);
    rd_projection_free(&proj);
}

json_t *sc_engine_rundown_json(sc_engine_t *e)
{
    const rd_rundown_t *r = &e->gen->rundown;
    const rd_plan_t *plan = &e->show.plan;
    json_t *o = json_object();
    json_object_set_new(o, "title", json_string(r->title));
    json_object_set_new(o, "rev", json_integer((json_int_t)e->rundown_rev));
    json_object_set_new(o, "fps", json_integer(r->fps));
    json_object_set_new(o, "relative", json_boolean(plan->relative));
    json_object_set_new(o, "on_air", ms_or_null(e, r->has_on_air, r->on_air_ns));
    json_object_set_new(o, "off_air", ms_or_null(e, r->has_off_air, r->off_air_ns));
    json_object_set_new(o, "planned_end", ms_or_null(e, !plan->relative, plan->end_ns));
    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_item_t *it = &r->items[i];
        const rd_plan_item_t *p = &plan->items[i];
        json_t *io = item_ref(e, (int)i);
        json_object_set_new(io, "planned_start", ms_or_null(e, !plan->relative, p->start_ns));
        json_object_set_new(io, "planned_offset_ms",
                            json_integer((p->start_ns - plan->start_ns) / RD_NS_PER_MS));
        json_object_set_new(io, "hard_start",
                            it->start == RD_START_TIME ? ms_or_null(e, true, it->start_tod_ns)
                                                       : json_null());
        json_object_set_new(io, "back_time", ms_or_null(e, p->has_backtime, p->backtime_ns));
        json_object_set_new(io, "warn_ms", json_integer(it->warn_ns / RD_NS_PER_MS));
        json_object_set_new(io, "critical_ms", json_integer(it->critical_ns / RD_NS_PER_MS));
        json_object_set_new(io, "notes", it->notes ? json_string(it->notes) : json_null());
        json_object_set_new(io, "script", it->script ? json_string(it->script) : json_null());
        json_t *cues = json_array();
        for (size_t j = 0; j < it->ncues; j++) {
            const rd_cue_t *c = &it->cues[j];
            json_t *co = json_object();
            json_object_set_new(co, "id", json_string(c->id));
            json_object_set_new(co, "label", c->label ? json_string(c->label) : json_null());
            json_object_set_new(co, "target", json_string(c->target));
            json_object_set_new(co, "anchor",
                                json_string(c->anchor == RD_FROM_END ? "end" : "start"));
            json_object_set_new(co, "offset_ms", json_integer(c->offset_ns / RD_NS_PER_MS));
            json_array_append_new(cues, co);
        }
        json_object_set_new(io, "cues", cues);
        json_array_append_new(items, io);
    }
    json_object_set_new(o, "items", items);
    return o;
}
