/* Resume after a crash or a restart: the show's position rebuilt from the as-run log of the same
 * rundown. */
#include "resume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asrun.h"
#include "show/engine.h"
#include "log.h"

uint64_t sc_resume_hash(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint64_t h = 14695981039346656037u;
    int c;
    while ((c = fgetc(f)) != EOF)
        h = (h ^ (uint64_t)(unsigned char)c) * 1099511628211u;
    fclose(f);
    return h;
}

/* "2026-11-27T17:00:00.000123Z" to wall-clock ns; 0 when it is not one. */
static int64_t parse_iso(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int us = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &us) != 7)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000000000 + (int64_t)us * 1000;
}

static const char *str(const json_t *r, const char *key)
{
    return json_string_value(json_object_get(r, key));
}

/* Replays one previous run's records onto a freshly opened show. */
typedef struct {
    sc_app_t *app;
    rd_show_t *show;
    const rd_rundown_t *rundown;
    int64_t last_wall;
    size_t applied;
} replay_t;

static int64_t show_ns(const replay_t *rp, const char *iso)
{
    return parse_iso(iso) - rp->app->tb.midnight_wall_ns;
}

static void replay_reset(replay_t *rp)
{
    rd_show_t *s = rp->show;
    for (size_t i = 0; i < rp->rundown->nitems; i++) {
        rd_show_item_t *it = &s->items[i];
        memset(&it->p, 0, sizeof it->p);
        it->run = 0;
        it->tail_live = it->manual_skip = false;
        memset(it->accounted, 0, rp->rundown->items[i].ncues * sizeof *it->accounted);
    }
    s->state = RD_SHOW_IDLE;
    s->current = s->previous = -1;
    s->no_follow = s->automation_off = false;
    s->rehearsal = false;
    rp->applied = 0;
}

static void replay_item(replay_t *rp, const json_t *r, const char *kind)
{
    rd_show_t *s = rp->show;
    int i = rd_rundown_find_item(rp->rundown, str(r, "item") ? str(r, "item") : "");
    if (i < 0)
        return;
    rd_show_item_t *it = &s->items[i];
    const char *cause = str(r, "cause") ? str(r, "cause") : "";
    if (strcmp(kind, "item_start") == 0) {
        it->run++;
        memset(&it->p, 0, sizeof it->p);
        it->p.state = RD_ITEM_RUNNING;
        it->p.actual_start_ns = show_ns(rp, str(r, "actual"));
        it->tail_live = false;
        s->current = i;
        s->state = RD_SHOW_RUNNING;
        s->no_follow = s->automation_off = false;
    } else if (strcmp(kind, "item_end") == 0) {
        if (s->state == RD_SHOW_HOLDING && s->current == i)
            it->p.held_ns += show_ns(rp, str(r, "actual")) - s->hold_since_ns;
        it->p.state = RD_ITEM_DONE;
        it->p.actual_end_ns = show_ns(rp, str(r, "actual"));
        it->tail_live =
            !strcmp(cause, "go") || !strcmp(cause, "follow") || !strcmp(cause, "hard_start");
        s->previous = i;
        s->state = RD_SHOW_IDLE;
    } else if (strcmp(kind, "item_skipped") == 0) {
        it->p.state = RD_ITEM_SKIPPED;
        it->manual_skip = strcmp(cause, "skip") == 0;
    } else if (strcmp(kind, "item_restored") == 0) {
        it->p.state = RD_ITEM_RUNNING;
        it->p.actual_end_ns = 0;
        it->tail_live = false;
        s->current = i;
        s->previous = -1;
        s->state = RD_SHOW_RUNNING;
        s->no_follow = true;
    }
}

static void replay_command(replay_t *rp, const json_t *r)
{
    if (!json_is_true(json_object_get(r, "ok")))
        return;
    rd_show_t *s = rp->show;
    const char *cmd = str(r, "cmd") ? str(r, "cmd") : "";
    const json_t *args = json_object_get(r, "args");
    int64_t at = show_ns(rp, str(r, "wall"));
    bool running = s->current >= 0 && (s->state == RD_SHOW_RUNNING || s->state == RD_SHOW_HOLDING);
    if (strcmp(cmd, "add") == 0 && running) {
        s->items[s->current].p.added_ns +=
            (int64_t)(json_number_value(json_object_get(args, "seconds")) * 1e9);
    } else if (strcmp(cmd, "hold") == 0 && running && s->state == RD_SHOW_RUNNING) {
        s->state = RD_SHOW_HOLDING;
        s->hold_since_ns = at;
    } else if (strcmp(cmd, "resume") == 0 && s->state == RD_SHOW_HOLDING && s->current >= 0) {
        s->items[s->current].p.held_ns += at - s->hold_since_ns;
        s->state = RD_SHOW_RUNNING;
        s->automation_off = false;
    } else if (strcmp(cmd, "panic") == 0) {
        for (size_t i = 0; i < rp->rundown->nitems; i++)
            s->items[i].tail_live = false;
        if (running) {
            rd_show_item_t *it = &s->items[s->current];
            for (size_t j = 0; j < rp->rundown->items[s->current].ncues; j++)
                it->accounted[j] = it->run;
            if (s->state == RD_SHOW_RUNNING) {
                s->state = RD_SHOW_HOLDING;
                s->hold_since_ns = at;
            }
        }
        s->automation_off = true;
    } else if (strcmp(cmd, "rehearsal") == 0) {
        s->rehearsal = json_is_true(json_object_get(args, "on"));
        rp->app->rehearsal = s->rehearsal;
    } else if (strcmp(cmd, "skip") == 0 && !json_is_true(json_object_get(args, "on"))) {
        int i = rd_rundown_find_item(rp->rundown, str(args, "item") ? str(args, "item") : "");
        if (i >= 0 && s->items[i].p.state == RD_ITEM_SKIPPED) {
            s->items[i].p.state = RD_ITEM_PENDING;
            s->items[i].manual_skip = false;
        }
    } else if (strcmp(cmd, "message") == 0) {
        snprintf(rp->app->message, sizeof rp->app->message, "%s",
                 str(args, "text") ? str(args, "text") : "");
        snprintf(rp->app->message_color, sizeof rp->app->message_color, "%s",
                 str(args, "color") ? str(args, "color") : "");
        rp->app->message_since_ms = parse_iso(str(r, "wall")) / 1000000;
    } else if (strcmp(cmd, "clear_message") == 0) {
        rp->app->message[0] = rp->app->message_color[0] = '\0';
    }
}

/* A cue that went out (or was missed) is never fired again in its run. */
static void replay_cue(replay_t *rp, const json_t *r)
{
    const char *outcome = str(r, "outcome") ? str(r, "outcome") : "";
    if (strcmp(outcome, "skipped") == 0)
        return;
    int item;
    const rd_cue_t *c = rd_rundown_find_cue(rp->rundown, str(r, "cue") ? str(r, "cue") : "", &item);
    if (!c)
        return;
    rd_show_item_t *it = &rp->show->items[item];
    uint32_t run = it->p.state == RD_ITEM_PENDING ? it->run + 1 : it->run;
    it->accounted[c - rp->rundown->items[item].cues] = run;
}

bool sc_resume(sc_app_t *app, sc_engine_t *e, uint64_t hash, char *why, size_t len)
{
    size_t n = 0;
    char *text = sc_asrun_json_text(app->asrun, &n);
    json_t *records = text ? json_loadb(text, n, 0, NULL) : NULL;
    free(text);
    if (!json_is_array(records)) {
        json_decref(records);
        snprintf(why, len, "no as-run log to resume from");
        return false;
    }
    rd_show_t *s = sc_engine_show_mut(e);
    replay_t rp = {app, s, sc_engine_rundown(e), 0, 0};
    char want[32], chain[32] = "";
    snprintf(want, sizeof want, "%016llx", (unsigned long long)hash);
    bool any_start = false;
    size_t i;
    json_t *r;
    json_array_foreach (records, i, r) {
        const char *kind = str(r, "kind") ? str(r, "kind") : "";
        const char *event = str(r, "event") ? str(r, "event") : "";
        const char *h = str(r, "rundown_hash") ? str(r, "rundown_hash") : "";
        if (strcmp(kind, "daemon") == 0 && strcmp(event, "start") == 0) {
            /* A start with another rundown than the one running began a new
             * show: forget what came before. */
            any_start = true;
            if (strcmp(h, chain) != 0)
                replay_reset(&rp);
            snprintf(chain, sizeof chain, "%s", h);
            continue;
        }
        if (strcmp(kind, "daemon") == 0 && strcmp(event, "reload") == 0) {
            /* The show went on across a reload, with the rundown it loaded. */
            snprintf(chain, sizeof chain, "%s", h);
            continue;
        }
        int64_t wall = parse_iso(str(r, "wall"));
        if (wall > rp.last_wall)
            rp.last_wall = wall;
        if (strncmp(kind, "item_", 5) == 0)
            replay_item(&rp, r, kind);
        else if (strcmp(kind, "command") == 0)
            replay_command(&rp, r);
        else if (strcmp(kind, "cue") == 0)
            replay_cue(&rp, r);
        else if (strcmp(kind, "daemon") == 0 && strcmp(event, "show_ended") == 0)
            s->state = RD_SHOW_ENDED;
        rp.applied++;
    }
    bool same = strcmp(chain, want) == 0;
    json_decref(records);
    if (!same || rp.applied == 0) {
        replay_reset(&rp);
        snprintf(why, len, "%s",
                 !any_start ? "no earlier run today"
                 : same     ? "the earlier run of this rundown did nothing yet"
                            : "the rundown changed since the last run: starting from the top");
        return false;
    }
    /* Hard starts that came while the daemon was down happened at their
     * time; their cues were missed, not fired late. */
    sc_engine_resumed(e, rp.last_wall - app->tb.midnight_wall_ns);
    const rd_show_t *after = sc_engine_show(e);
    snprintf(why, len, "resumed from %zu records: %s%s", rp.applied,
             after->current >= 0 ? sc_engine_rundown(e)->items[after->current].id : "nothing",
             after->current >= 0 &&
                     (after->state == RD_SHOW_RUNNING || after->state == RD_SHOW_HOLDING)
                 ? " is running"
                 : " ran last");
    return true;
}
