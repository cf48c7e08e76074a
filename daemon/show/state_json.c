/* The state document: the show, the stage message, the targets and the screens, as JSON with
 * absolute wall-clock times. */
#include "state_json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "projection.h"
#include "xalloc.h"

struct sc_state_doc {
    sc_state_env_t env;
    uint64_t seq;
    char *items_text; /* the "items" array serialized, reused between pushes */
    size_t items_len;
    uint64_t items_rev;
    int64_t items_built_mono;
};

sc_state_doc_t *sc_state_new(const sc_state_env_t *env)
{
    sc_state_doc_t *d = rd_xcalloc(1, sizeof *d);
    d->env = *env;
    return d;
}

void sc_state_free(sc_state_doc_t *d)
{
    if (!d)
        return;
    free(d->items_text);
    free(d);
}

static json_t *ms_or_null(const sc_state_doc_t *d, bool has, int64_t show_ns)
{
    return has ? json_integer(sc_show_to_wall_ms(d->env.tb, show_ns)) : json_null();
}

/* The show's state as screens name it: a panic is a state of its own until
 * GO, goto, back or resume, whether or not an item was running. */
static const char *state_name(const rd_show_t *s)
{
    static const char *names[] = {"idle", "running", "holding", "ended"};
    return rd_show_in_panic(s) ? "panic" : names[s->state];
}

static const char *item_state_name(rd_item_state_t s)
{
    static const char *names[] = {"pending", "running", "done", "skipped"};
    return names[s];
}

static json_t *item_ref(const sc_state_doc_t *d, int i)
{
    const rd_item_t *it = &sc_engine_rundown(d->env.engine)->items[i];
    json_t *o = json_object();
    json_object_set_new(o, "index", json_integer(i));
    json_object_set_new(o, "id", json_string(it->id));
    json_object_set_new(o, "title", json_string(it->title));
    json_object_set_new(o, "duration_ms", json_integer(it->duration_ns / RD_NS_PER_MS));
    json_object_set_new(o, "start_rule", json_string(rd_start_rule_name(it->start)));
    return o;
}

/* Every item's progress and projection. */
static json_t *items_json(const sc_state_doc_t *d, const rd_projection_t *pr)
{
    const rd_show_t *s = sc_engine_show(d->env.engine);
    const rd_rundown_t *r = sc_engine_rundown(d->env.engine);
    const rd_projection_t proj = *pr;
    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_show_item_t *si = &s->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(r->items[i].id));
        json_object_set_new(o, "state", json_string(item_state_name(si->p.state)));
        bool started = si->p.state == RD_ITEM_RUNNING || si->p.state == RD_ITEM_DONE;
        json_object_set_new(o, "actual_start", ms_or_null(d, started, si->p.actual_start_ns));
        json_object_set_new(o, "actual_end",
                            ms_or_null(d, si->p.state == RD_ITEM_DONE, si->p.actual_end_ns));
        json_object_set_new(o, "projected_start", ms_or_null(d, true, proj.item_start_ns[i]));
        json_object_set_new(o, "projected_end", ms_or_null(d, true, proj.item_end_ns[i]));
        bool late = r->items[i].start == RD_START_TIME && si->p.state == RD_ITEM_PENDING &&
                    r->items[i].start_tod_ns < s->watch_from_ns;
        json_object_set_new(o, "late", json_boolean(late));
        json_array_append_new(items, o);
    }
    return items;
}

/* The "items" array serialized (borrowed), rebuilt when progress changed or
 * once a second. */
static const char *items_text(sc_state_doc_t *d, size_t *len)
{
    int64_t now = sc_mono_ns();
    uint64_t rev = sc_engine_progress_rev(d->env.engine);
    if (!d->items_text || d->items_rev != rev || now - d->items_built_mono >= 1000000000) {
        rd_projection_t proj;
        rd_show_project(sc_engine_show(d->env.engine), sc_show_now(d->env.tb), &proj);
        json_t *items = items_json(d, &proj);
        rd_projection_free(&proj);
        free(d->items_text);
        d->items_text = json_dumps(items, JSON_COMPACT);
        json_decref(items);
        d->items_len = d->items_text ? strlen(d->items_text) : 0;
        d->items_rev = rev;
        d->items_built_mono = now;
    }
    *len = d->items_text ? d->items_len : 2;
    return d->items_text ? d->items_text : "[]";
}

/* The show's part of the state: "show", "current", "next", "cues" and, with
 * items, "items". */
static void show_state(sc_state_doc_t *d, json_t *obj, bool with_items)
{
    const sc_engine_t *e = d->env.engine;
    const rd_show_t *s = sc_engine_show(e);
    const rd_rundown_t *r = sc_engine_rundown(e);
    int64_t now = sc_show_now(d->env.tb);
    rd_projection_t proj;
    rd_show_project(s, now, &proj);

    json_t *show = json_object();
    json_object_set_new(show, "title", json_string(r->title));
    json_object_set_new(show, "rundown_rev", json_integer((json_int_t)sc_engine_rundown_rev(e)));
    /* Times of day in the rundown are the daemon's local time. */
    time_t now_s = time(NULL);
    struct tm lt;
    localtime_r(&now_s, &lt);
    json_object_set_new(show, "utc_offset_min", json_integer(lt.tm_gmtoff / 60));
    json_object_set_new(show, "state", json_string(state_name(s)));
    json_object_set_new(show, "rehearsal", json_boolean(s->rehearsal));
    /* The show's day, and how far it is from today: a rundown of another day
     * is said so on the producer page, never shown as hours over. */
    char date[16];
    snprintf(date, sizeof date, "%04d-%02d-%02d", d->env.tb->year, d->env.tb->month,
             d->env.tb->day);
    json_object_set_new(show, "date", json_string(date));
    json_object_set_new(show, "days_from_today",
                        d->env.has_date ? json_integer(sc_timebase_days_from_today(d->env.tb))
                                        : json_null());
    if (d->env.demo) {
        json_t *demo = json_object();
        json_object_set_new(demo, "shifted_ms", json_integer(d->env.demo->delta_ns / RD_NS_PER_MS));
        if (d->env.demo->from_year) {
            snprintf(date, sizeof date, "%04d-%02d-%02d", d->env.demo->from_year,
                     d->env.demo->from_month, d->env.demo->from_day);
            json_object_set_new(demo, "from_date", json_string(date));
        } else {
            json_object_set_new(demo, "from_date", json_null());
        }
        json_object_set_new(show, "demo", demo);
    } else {
        json_object_set_new(show, "demo", json_null());
    }
    json_object_set_new(show, "on_air", ms_or_null(d, r->has_on_air, r->on_air_ns));
    json_object_set_new(show, "off_air", ms_or_null(d, r->has_off_air, r->off_air_ns));
    json_object_set_new(show, "planned_end", ms_or_null(d, !s->plan.relative, s->plan.end_ns));
    json_object_set_new(show, "projected_end", ms_or_null(d, true, proj.end_ns));
    json_object_set_new(show, "over_under_ms", json_integer(proj.over_under_ns / RD_NS_PER_MS));
    json_object_set_new(show, "backtime_ms",
                        r->has_off_air ? json_integer((r->off_air_ns - proj.end_ns) / RD_NS_PER_MS)
                                       : json_null());
    json_object_set_new(obj, "show", show);

    if (rd_show_is_running(s)) {
        const rd_item_t *it = &r->items[s->current];
        const rd_show_item_t *si = &s->items[s->current];
        json_t *cur = item_ref(d, s->current);
        json_object_set_new(cur, "started_at",
                            json_integer(sc_show_to_wall_ms(d->env.tb, si->p.actual_start_ns)));
        json_object_set_new(
            cur, "ends_at",
            json_integer(sc_show_to_wall_ms(d->env.tb, rd_show_current_end(s, now))));
        json_object_set_new(cur, "added_ms", json_integer(si->p.added_ns / RD_NS_PER_MS));
        int64_t held = si->p.held_ns;
        if (s->state == RD_SHOW_HOLDING)
            held += now - s->hold_since_ns;
        json_object_set_new(cur, "held_ms", json_integer(held / RD_NS_PER_MS));
        json_object_set_new(cur, "holding", json_boolean(s->state == RD_SHOW_HOLDING));
        json_object_set_new(cur, "hold_since",
                            s->state == RD_SHOW_HOLDING ? ms_or_null(d, true, s->hold_since_ns)
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
        json_t *nx = item_ref(d, next);
        json_object_set_new(nx, "starts_at",
                            json_integer(sc_show_to_wall_ms(d->env.tb, proj.item_start_ns[next])));
        json_object_set_new(obj, "next", nx);
    } else {
        json_object_set_new(obj, "next", json_null());
    }

    if (with_items)
        json_object_set_new(obj, "items", items_json(d, &proj));

    json_t *cues = json_array();
    size_t nrecent;
    const sc_recent_cue_t *recent = sc_engine_recent(e, &nrecent);
    for (size_t i = nrecent; i-- > 0;) {
        const sc_recent_cue_t *c = &recent[i];
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
        json_object_set_new(o, "awaits_answer", json_boolean(c->awaits));
        json_object_set_new(o, "answer", c->answer ? json_string(c->answer) : json_null());
        json_object_set_new(o, "answer_us",
                            c->answer && c->answer_us >= 0 ? json_integer(c->answer_us)
                                                           : json_null());
        json_object_set_new(o, "answered", c->answer ? json_integer(c->answered_ms) : json_null());
        json_object_set_new(o, "answer_detail",
                            c->answer && c->answer_detail[0] ? json_string(c->answer_detail)
                                                             : json_null());
        json_array_append_new(cues, o);
    }
    json_object_set_new(obj, "cues", cues);
    rd_projection_free(&proj);
}

json_t *sc_state_rundown_json(sc_state_doc_t *d)
{
    const rd_rundown_t *r = sc_engine_rundown(d->env.engine);
    const rd_plan_t *plan = &sc_engine_show(d->env.engine)->plan;
    json_t *o = json_object();
    json_object_set_new(o, "title", json_string(r->title));
    /* rev: what a save names as the version it was edited from (PUT /api/rundown). */
    uint64_t rev =
        d->env.version ? d->env.version(d->env.ctx) : sc_engine_rundown_rev(d->env.engine);
    json_object_set_new(o, "rev", json_integer((json_int_t)rev));
    json_object_set_new(o, "fps", json_integer(r->fps));
    json_object_set_new(o, "relative", json_boolean(plan->relative));
    json_object_set_new(o, "on_air", ms_or_null(d, r->has_on_air, r->on_air_ns));
    json_object_set_new(o, "off_air", ms_or_null(d, r->has_off_air, r->off_air_ns));
    json_object_set_new(o, "planned_end", ms_or_null(d, !plan->relative, plan->end_ns));
    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_item_t *it = &r->items[i];
        const rd_plan_item_t *p = &plan->items[i];
        json_t *io = item_ref(d, (int)i);
        json_object_set_new(io, "planned_start", ms_or_null(d, !plan->relative, p->start_ns));
        json_object_set_new(io, "planned_offset_ms",
                            json_integer((p->start_ns - plan->start_ns) / RD_NS_PER_MS));
        json_object_set_new(io, "hard_start",
                            it->start == RD_START_TIME ? ms_or_null(d, true, it->start_tod_ns)
                                                       : json_null());
        json_object_set_new(io, "back_time", ms_or_null(d, p->has_backtime, p->backtime_ns));
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

/* What a target's device has answered since the daemon started; null for a
 * target whose device does not answer. */
static void answers_json(json_t *t, const sc_target_t *o)
{
    if (!sc_target_awaits(o)) {
        json_object_set_new(t, "answers", json_null());
        json_object_set_new(t, "last_answer", json_null());
        json_object_set_new(t, "rtt_us", json_null());
        return;
    }
    const sc_answer_stats_t *s = &o->answers;
    json_object_set_new(t, "answers",
                        json_pack("{s:I, s:I, s:I}", "ok", (json_int_t)s->count[SC_ANSWER_OK],
                                  "error", (json_int_t)s->count[SC_ANSWER_ERROR], "timeout",
                                  (json_int_t)s->count[SC_ANSWER_TIMEOUT]));
    if (s->has_last) {
        json_t *l = json_object();
        json_object_set_new(l, "answer", json_string(sc_answer_name(s->last_kind)));
        json_object_set_new(l, "detail",
                            s->last_detail[0] ? json_string(s->last_detail) : json_null());
        json_object_set_new(l, "cue", s->last_cue[0] ? json_string(s->last_cue) : json_null());
        json_object_set_new(l, "at", json_integer(s->last_wall_ms));
        json_object_set_new(t, "last_answer", l);
    } else {
        json_object_set_new(t, "last_answer", json_null());
    }
    if (s->nrtt)
        json_object_set_new(
            t, "rtt_us",
            json_pack("{s:I, s:I, s:I}", "p50", (json_int_t)sc_target_rtt_us(o, 0.5), "p99",
                      (json_int_t)sc_target_rtt_us(o, 0.99), "n", (json_int_t)s->nrtt));
    else
        json_object_set_new(t, "rtt_us", json_null());
}

static json_t *targets_json(const sc_state_doc_t *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < d->env.ntargets; i++) {
        const sc_target_t *o = &d->env.targets[i];
        json_t *t = json_object();
        json_object_set_new(t, "name", json_string(o->conf->name));
        json_object_set_new(t, "kind", json_string(rd_target_kind_name(o->conf->kind)));
        json_object_set_new(t, "url", json_string(o->conf->url));
        json_object_set_new(t, "state", json_string(sc_target_state_name(o->state)));
        json_object_set_new(t, "error",
                            o->last_error[0] ? json_string(o->last_error) : json_null());
        json_object_set_new(t, "latency_ms", json_integer(o->conf->latency_ns / RD_NS_PER_MS));
        json_object_set_new(t, "sent", json_integer((json_int_t)o->sent));
        json_object_set_new(t, "failed", json_integer((json_int_t)o->failed));
        answers_json(t, o);
        json_array_append_new(arr, t);
    }
    return arr;
}

/* What a damaged journal left unproven (engine.h sc_uncertain_t), or null
 * when the journal is whole. */
static json_t *journal_json(const sc_state_doc_t *d)
{
    const sc_uncertain_t *u = sc_engine_uncertainty(d->env.engine);
    if (!u->active && !u->ndamage && !u->nitems)
        return json_null();
    json_t *j = json_object();
    json_object_set_new(j, "uncertain", json_boolean(u->active));
    json_t *dmg = json_array(), *items = json_array(), *cues = json_array();
    for (size_t i = 0; i < u->ndamage; i++)
        json_array_append_new(dmg, json_string(u->damage[i]));
    for (size_t i = 0; i < u->nitems; i++)
        json_array_append_new(
            items, json_pack("{s:s, s:s}", "id", u->items[i].id, "why", u->items[i].why));
    for (size_t i = 0; i < u->ncues; i++)
        json_array_append_new(
            cues, json_pack("{s:s, s:s}", "id", u->cues[i].id, "item", u->cues[i].item));
    json_object_set_new(j, "damage", dmg);
    json_object_set_new(j, "items", items);
    json_object_set_new(j, "cues", cues);
    json_object_set_new(j, "more", json_integer((json_int_t)u->more));
    return j;
}

/* Everything but the show's items. */
static json_t *head(sc_state_doc_t *d, bool with_items)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("state"));
    json_object_set_new(o, "seq", json_integer((json_int_t)++d->seq));
    json_object_set_new(o, "server_time", json_real((double)sc_wall_ns() / 1e6));
    show_state(d, o, with_items);
    const sc_message_t *m = sc_dispatch_message(d->env.dispatch);
    if (m->text[0]) {
        json_t *mo = json_object();
        json_object_set_new(mo, "text", json_string(m->text));
        json_object_set_new(mo, "color", m->color[0] ? json_string(m->color) : json_null());
        json_object_set_new(mo, "since", json_integer(m->since_ms));
        json_object_set_new(mo, "until", m->until_ms ? json_integer(m->until_ms) : json_null());
        json_object_set_new(o, "message", mo);
    } else {
        json_object_set_new(o, "message", json_null());
    }
    json_object_set_new(o, "journal", journal_json(d));
    json_object_set_new(o, "targets", targets_json(d));
    json_object_set_new(o, "clients",
                        json_integer(d->env.clients ? (json_int_t)d->env.clients(d->env.ctx) : 0));
    return o;
}

json_t *sc_state_json(sc_state_doc_t *d, bool with_items)
{
    return head(d, with_items);
}

char *sc_state_text(sc_state_doc_t *d, size_t *len)
{
    /* The head is built fresh; the long "items" array is spliced in from
     * the cache, as its last member. */
    json_t *st = head(d, false);
    char *h = json_dumps(st, JSON_COMPACT);
    json_decref(st);
    if (!h)
        return NULL;
    size_t hlen = strlen(h), ilen = 0;
    const char *items = items_text(d, &ilen);
    char *text = rd_xcalloc(hlen + ilen + 16, 1);
    memcpy(text, h, hlen - 1); /* without the closing brace */
    size_t n = hlen - 1;
    memcpy(text + n, ",\"items\":", 9);
    n += 9;
    memcpy(text + n, items, ilen);
    n += ilen;
    text[n++] = '}';
    free(h);
    *len = n;
    return text;
}

void sc_state_running(const sc_state_doc_t *d, sc_state_running_t *out)
{
    const rd_show_t *s = sc_engine_show(d->env.engine);
    const rd_rundown_t *r = sc_engine_rundown(d->env.engine);
    bool running = rd_show_is_running(s);
    int next = rd_show_next(s);
    out->state = state_name(s);
    out->item_id = running ? r->items[s->current].id : "";
    out->title = running ? r->items[s->current].title : "";
    out->remaining_s = 0;
    if (running) {
        int64_t now = sc_show_now(d->env.tb);
        out->remaining_s = (double)(rd_show_current_end(s, now) - now) / 1e9;
    }
    out->next_id = next >= 0 ? r->items[next].id : "";
}
