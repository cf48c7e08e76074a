/* An Ontime project (db.json of Ontime 4, or the "rundown" array of Ontime 2 and 3) read into
 * a rundown document; what does not carry over is a warning at its JSON path.
 *
 * Ontime's own semantics decide the start rules: nothing starts by itself in showcaller
 * unless it did in Ontime. An event after one whose end action is "play-next" starts when
 * that one ends ("follow"); every other event waits for GO, planned at the previous item's
 * end as Ontime's "linkStart" plans it. The first event's timeStart is the show's on_air.
 * A scheduled start that does not meet the previous event's end (a gap or an overlap in
 * Ontime's schedule) is not carried, and says so. */
#include "import_ontime.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "timefmt.h"
#include "xalloc.h"

#define MS_PER_DAY (24LL * 3600 * 1000)

typedef struct {
    rd_diags_t *d;
    const json_t *custom_fields; /* Ontime 3 and 4: key -> {"label"} */
    const json_t *user_fields;   /* Ontime 2: "user0" -> label */
    json_t *items;
    char **ids;
    size_t nids, idcap;
    /* The previous carried event. */
    bool have_prev;
    long long prev_end_ms; /* its scheduled end, ms after midnight */
    bool prev_play_next;
    const char *prev_path;
    long long pending_delay_ms; /* Ontime delays since the previous carried event */
    size_t coloured;
    char *first_colour_path;
    long long on_air_ms;
    bool has_on_air;
} ctx_t;

static void warn(ctx_t *x, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(ctx_t *x, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = rd_xvasprintf(fmt, ap);
    va_end(ap);
    rd_diag_add(x->d, RD_WARNING, path, "%s", m);
    free(m);
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* A number of milliseconds (Ontime writes integers; a real is rounded); false when absent. */
static bool ms_of(const json_t *o, const char *key, long long *out)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_integer(v)) {
        *out = (long long)json_integer_value(v);
        return true;
    }
    if (json_is_real(v) && json_real_value(v) > -1e15 && json_real_value(v) < 1e15) {
        double r = json_real_value(v);
        *out = (long long)(r < 0 ? r - 0.5 : r + 0.5);
        return true;
    }
    return false;
}

static bool truthy(const json_t *v)
{
    return json_is_true(v) || (json_is_string(v) && json_string_length(v) > 0) ||
           (json_is_integer(v) && json_integer_value(v) != 0);
}

static char *duration_text(long long ms)
{
    char buf[48];
    rd_format_duration(ms * RD_NS_PER_MS, buf, sizeof buf);
    return rd_xstrdup(buf);
}

static char *clock_text(long long ms)
{
    ms %= MS_PER_DAY;
    if (ms < 0)
        ms += MS_PER_DAY;
    char buf[48];
    rd_format_clock(ms * RD_NS_PER_MS, buf, sizeof buf);
    return rd_xstrdup(buf);
}

static char *signed_text(long long ms)
{
    char buf[48];
    rd_format_signed(ms * RD_NS_PER_MS, buf, sizeof buf);
    return rd_xstrdup(buf);
}

static bool id_taken(const ctx_t *x, const char *id)
{
    for (size_t i = 0; i < x->nids; i++)
        if (strcmp(x->ids[i], id) == 0)
            return true;
    return false;
}

/* An Ontime cue ("SF1.01", "Act 2") as an id: letters, digits, '-', '_' and '.' kept, other
 * runs made one '-'; a title's slug when the cue gives nothing; unique. */
static char *make_id(ctx_t *x, const char *cue, const char *title, size_t index)
{
    char base[65];
    size_t n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        const unsigned char *s = (const unsigned char *)(pass == 0 ? cue : title);
        bool dash = false;
        for (; *s && n < 60; s++) {
            bool keep = *s < 0x80 && (isalnum(*s) || (pass == 0 && strchr("-_.", *s)));
            if (keep) {
                if (dash && n > 0)
                    base[n++] = '-';
                base[n++] = (char)(pass == 0 ? *s : tolower(*s));
                dash = false;
            } else {
                dash = true;
            }
        }
    }
    base[n] = '\0';
    char *id = n ? rd_xstrdup(base) : rd_xasprintf("event-%zu", index + 1);
    char *b = rd_xstrdup(id);
    for (int k = 2; id_taken(x, id); k++) {
        free(id);
        id = rd_xasprintf("%s-%d", b, k);
    }
    free(b);
    if (x->nids == x->idcap) {
        x->idcap = x->idcap ? x->idcap * 2 : 32;
        x->ids = rd_xrealloc(x->ids, x->idcap * sizeof *x->ids);
    }
    x->ids[x->nids++] = rd_xstrdup(id);
    return id;
}

typedef struct {
    char *s;
    size_t n;
} text_t;

static void add_line(text_t *t, const char *line)
{
    size_t n = strlen(line);
    t->s = rd_xrealloc(t->s, t->n + n + 2);
    if (t->n)
        t->s[t->n++] = '\n';
    memcpy(t->s + t->n, line, n + 1);
    t->n += n;
}

/* Custom fields as "Label: value" lines after the note. */
static void add_custom(ctx_t *x, const json_t *ev, text_t *notes)
{
    const char *key;
    const json_t *v;
    const json_t *custom = json_object_get(ev, "custom");
    json_object_foreach ((json_t *)custom, key, v) {
        const char *val = json_string_value(v);
        if (!val || !val[0])
            continue;
        const char *label = str(json_object_get(x->custom_fields, key), "label");
        char *line = rd_xasprintf("%s: %s", label[0] ? label : key, val);
        add_line(notes, line);
        free(line);
    }
    /* Ontime 2: subtitle, presenter and user0..user9. */
    static const char *const v2[][2] = {{"subtitle", "Subtitle"}, {"presenter", "Presenter"}};
    for (size_t k = 0; k < 2; k++) {
        const char *val = str(ev, v2[k][0]);
        if (val[0]) {
            char *line = rd_xasprintf("%s: %s", v2[k][1], val);
            add_line(notes, line);
            free(line);
        }
    }
    for (int u = 0; u < 10; u++) {
        char k[8];
        snprintf(k, sizeof k, "user%d", u);
        const char *val = str(ev, k);
        if (!val[0])
            continue;
        const char *label = json_string_value(json_object_get(x->user_fields, k));
        char *line = rd_xasprintf("%s: %s", label && label[0] ? label : k, val);
        add_line(notes, line);
        free(line);
    }
}

static void path_of(char *buf, size_t len, const char *base, const char *key)
{
    snprintf(buf, len, "%s.%s", base, key);
}

static void event(ctx_t *x, const json_t *ev, const char *path)
{
    char p[512];
    const char *title = str(ev, "title");
    const char *cue = str(ev, "cue");
    if (truthy(json_object_get(ev, "skip"))) {
        warn(x, path, "skipped event \"%s\" not carried (skip it live with the skip command)",
             title[0] ? title : cue);
        return;
    }
    size_t index = json_array_size(x->items);
    json_t *item = json_object();
    char *id = make_id(x, cue, title, index);
    json_object_set_new(item, "id", json_string(id));
    free(id);
    if (title[0]) {
        json_object_set_new(item, "title", json_string(title));
    } else if (cue[0]) {
        json_object_set_new(item, "title", json_string(cue));
    } else {
        char *t = rd_xasprintf("Event %zu", index + 1);
        path_of(p, sizeof p, path, "title");
        warn(x, p, "the event has no title or cue: it is called \"%s\"", t);
        json_object_set_new(item, "title", json_string(t));
        free(t);
    }

    long long start = 0, end = 0, dur = 0;
    bool has_start = ms_of(ev, "timeStart", &start);
    bool has_end = ms_of(ev, "timeEnd", &end);
    bool has_dur = ms_of(ev, "duration", &dur) && dur >= 0;
    if (!has_dur && has_start && has_end) {
        dur = end - start;
        if (dur < 0)
            dur += MS_PER_DAY; /* it ends after midnight */
        has_dur = true;
    }
    if (!has_dur) {
        path_of(p, sizeof p, path, "duration");
        rd_diag_add(x->d, RD_ERROR, p,
                    "missing: an event needs a duration (or timeStart and timeEnd), in ms");
        json_decref(item);
        return;
    }

    /* The start rule. */
    if (!x->have_prev) {
        if (has_start && !x->has_on_air) {
            x->has_on_air = true;
            x->on_air_ms = start;
        }
    } else if (x->prev_play_next) {
        json_object_set_new(item, "start", json_string("follow"));
    } else if (has_start && !truthy(json_object_get(ev, "linkStart")) &&
               ((start - x->prev_end_ms) % MS_PER_DAY + MS_PER_DAY) % MS_PER_DAY != 0) {
        long long gap = ((start - x->prev_end_ms) % MS_PER_DAY + MS_PER_DAY) % MS_PER_DAY;
        if (gap > MS_PER_DAY / 2)
            gap -= MS_PER_DAY; /* an overlap */
        char *at = clock_text(start), *prev = clock_text(x->prev_end_ms);
        char *g = duration_text(gap < 0 ? -gap : gap);
        path_of(p, sizeof p, path, "timeStart");
        warn(x, p,
             "scheduled start %s not carried (%s %s %s the previous event's end, %s): it waits "
             "for GO, planned right after the previous item (write a time of day in its start "
             "for a hard start)",
             at, gap > 0 ? "a gap of" : "an overlap of", g, gap > 0 ? "after" : "before", prev);
        free(at);
        free(prev);
        free(g);
    }
    char *dtext = duration_text(dur);
    json_object_set_new(item, "duration", json_string(dtext));
    free(dtext);

    long long w = 0, c = 0;
    bool has_w = ms_of(ev, "timeWarning", &w) && w > 0 && w < dur;
    bool has_c = ms_of(ev, "timeDanger", &c) && c > 0 && c < dur && (!has_w || c <= w);
    if (has_w) {
        char *t = duration_text(w);
        json_object_set_new(item, "warn", json_string(t));
        free(t);
    }
    if (has_c) {
        char *t = duration_text(c);
        json_object_set_new(item, "critical", json_string(t));
        free(t);
    }

    text_t notes = {0};
    if (str(ev, "note")[0])
        add_line(&notes, str(ev, "note"));
    add_custom(x, ev, &notes);
    if (x->pending_delay_ms) {
        char *s = signed_text(x->pending_delay_ms);
        char *line = rd_xasprintf("Ontime delay before this event: %s", s);
        add_line(&notes, line);
        free(line);
        free(s);
        x->pending_delay_ms = 0;
    }
    if (notes.s)
        json_object_set_new(item, "notes", json_string(notes.s));
    free(notes.s);

    /* What has no place in a rundown. */
    const char *timer = str(ev, "timerType");
    if (timer[0] && strcmp(timer, "count-down") != 0) {
        path_of(p, sizeof p, path, "timerType");
        warn(x, p, "timer type \"%s\" not carried (showcaller counts down)", timer);
    }
    if (truthy(json_object_get(ev, "countToEnd"))) {
        path_of(p, sizeof p, path, "countToEnd");
        warn(x, p, "count to end not carried (showcaller counts down the item's duration)");
    }
    if (truthy(json_object_get(ev, "flag"))) {
        path_of(p, sizeof p, path, "flag");
        warn(x, p, "flag not carried");
    }
    size_t ntrig = json_array_size(json_object_get(ev, "triggers"));
    if (ntrig) {
        path_of(p, sizeof p, path, "triggers");
        warn(x, p,
             "%zu automation trigger%s not carried (showcaller's cues go to the config's "
             "targets: add them as cues)",
             ntrig, ntrig == 1 ? "" : "s");
    }
    if (str(ev, "colour")[0]) {
        if (!x->coloured++) {
            path_of(p, sizeof p, path, "colour");
            x->first_colour_path = rd_xstrdup(p);
        }
    }

    json_array_append_new(x->items, item);
    x->have_prev = true;
    x->prev_end_ms = (has_start ? start : x->prev_end_ms) + dur;
    x->prev_play_next = strcmp(str(ev, "endAction"), "play-next") == 0;
}

static void entry(ctx_t *x, const json_t *e, const char *path)
{
    char p[512];
    if (!json_is_object(e)) {
        warn(x, path, "not an Ontime entry (an object); left out");
        return;
    }
    const char *type = str(e, "type");
    if (!type[0] || strcmp(type, "event") == 0) {
        event(x, e, path);
    } else if (strcmp(type, "delay") == 0) {
        long long ms = 0;
        ms_of(e, "duration", &ms);
        char *s = signed_text(ms);
        warn(x, path,
             "delay of %s not carried (showcaller adds time live; it is in the next "
             "item's notes)",
             s);
        free(s);
        x->pending_delay_ms += ms;
    } else if (strcmp(type, "block") == 0 || strcmp(type, "group") == 0) {
        size_t n = json_array_size(json_object_get(e, "entries"));
        if (n)
            warn(x, path, "group \"%s\" not carried (its %zu entr%s are, in order)",
                 str(e, "title"), n, n == 1 ? "y" : "ies");
        else
            warn(x, path, "%s \"%s\" not carried (a rundown has no groups)",
                 strcmp(type, "block") == 0 ? "block" : "group", str(e, "title"));
    } else if (strcmp(type, "milestone") == 0) {
        warn(x, path, "milestone \"%s\" not carried (it takes no time)", str(e, "title"));
    } else {
        path_of(p, sizeof p, path, "type");
        warn(x, p, "unknown entry type \"%s\"; left out", type);
    }
}

/* Ontime 4: rundowns.<id> with order (top level) and entries; a group's entries are its
 * children, in order. */
static void rundown_v4(ctx_t *x, const json_t *rd, const char *base)
{
    const json_t *entries = json_object_get(rd, "entries");
    const json_t *order = json_object_get(rd, "order");
    bool flat = false;
    if (!json_is_array(order)) {
        order = json_object_get(rd, "flatOrder");
        flat = true;
    }
    if (!json_is_object(entries) || !json_is_array(order)) {
        rd_diag_add(x->d, RD_ERROR, base,
                    "an Ontime rundown has \"entries\" (an object) and \"order\" (an array)");
        return;
    }
    size_t i;
    const json_t *id;
    json_array_foreach (order, i, id) {
        const char *k = json_string_value(id);
        const json_t *e = k ? json_object_get(entries, k) : NULL;
        if (!e) {
            char *p = rd_xasprintf("%s.order[%zu]", base, i);
            warn(x, p, "no entry with this id; left out");
            free(p);
            continue;
        }
        /* A flat order lists a group's children after it: they are reached as themselves. */
        char *p = rd_xasprintf("%s.entries.%s", base, k);
        entry(x, e, p);
        free(p);
        const json_t *children = json_object_get(e, "entries");
        if (flat || strcmp(str(e, "type"), "group") != 0 || !json_is_array(children))
            continue;
        size_t j;
        const json_t *cid;
        json_array_foreach (children, j, cid) {
            const char *ck = json_string_value(cid);
            const json_t *ce = ck ? json_object_get(entries, ck) : NULL;
            if (!ce) {
                char *q = rd_xasprintf("%s.entries.%s.entries[%zu]", base, k, j);
                warn(x, q, "no entry with this id; left out");
                free(q);
                continue;
            }
            char *q = rd_xasprintf("%s.entries.%s", base, ck);
            entry(x, ce, q);
            free(q);
        }
    }
}

json_t *sc_import_ontime(const char *buf, size_t len, rd_diags_t *d)
{
    size_t errors_before = d->errors;
    json_error_t e;
    json_t *root = json_loadb(buf, len, 0, &e);
    if (!root) {
        rd_diag_add_at(d, RD_ERROR, e.line > 0 ? e.line : 1, e.column > 0 ? e.column : 1,
                       "not valid JSON: %s", e.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        rd_diag_add(d, RD_ERROR, "",
                    "an Ontime project file (db.json) is a JSON object with \"rundowns\" or "
                    "\"rundown\"");
        json_decref(root);
        return NULL;
    }
    ctx_t x = {0};
    x.d = d;
    x.custom_fields = json_object_get(root, "customFields");
    x.user_fields = json_object_get(root, "userFields");
    x.items = json_array();

    const json_t *rundowns = json_object_get(root, "rundowns");
    const json_t *rundown = json_object_get(root, "rundown");
    const char *rundown_title = "";
    if (json_is_object(rundowns) && json_object_size(rundowns) > 0) {
        /* The rundown Ontime calls "default", else the first. */
        const char *pick = json_object_get(rundowns, "default") ? "default" : NULL;
        const char *key;
        const json_t *rd;
        json_object_foreach ((json_t *)rundowns, key, rd) {
            if (!pick)
                pick = key;
            if (strcmp(key, pick) != 0) {
                char *p = rd_xasprintf("rundowns.%s", key);
                warn(&x, p, "not carried: one rundown is imported (\"%s\")", pick);
                free(p);
            }
        }
        const json_t *chosen = json_object_get(rundowns, pick);
        char *base = rd_xasprintf("rundowns.%s", pick);
        if (json_is_object(chosen)) {
            rundown_title = str(chosen, "title");
            rundown_v4(&x, chosen, base);
        } else {
            rd_diag_add(d, RD_ERROR, base, "an Ontime rundown is an object");
        }
        free(base);
    } else if (json_is_array(rundown)) {
        size_t i;
        const json_t *en;
        json_array_foreach (rundown, i, en) {
            char p[64];
            snprintf(p, sizeof p, "rundown[%zu]", i);
            entry(&x, en, p);
        }
    } else {
        rd_diag_add(d, RD_ERROR, "",
                    "not an Ontime project: it has neither \"rundowns\" (Ontime 4) nor a "
                    "\"rundown\" array (Ontime 2 and 3)");
    }

    if (x.coloured)
        warn(&x, x.first_colour_path, "colours not carried (%zu event%s one)", x.coloured,
             x.coloured == 1 ? " has" : "s have");
    if (x.pending_delay_ms)
        warn(&x, "", "the last delay has no event after it; not carried");
    const json_t *project = json_object_get(root, "project");
    static const char *const dropped[] = {"description", "info", "backstageInfo", "publicInfo"};
    for (size_t k = 0; k < sizeof dropped / sizeof dropped[0]; k++) {
        if (str(project, dropped[k])[0]) {
            char p[64];
            snprintf(p, sizeof p, "project.%s", dropped[k]);
            warn(&x, p, "not carried (a rundown has a title only)");
        }
    }
    if (d->errors == errors_before && json_array_size(x.items) == 0)
        rd_diag_add(d, RD_ERROR, "", "no events to import (a rundown needs at least one item)");

    json_t *doc = NULL;
    if (d->errors == errors_before) {
        doc = json_object();
        json_object_set_new(doc, "format", json_string(RD_RUNDOWN_FORMAT));
        const char *title = str(project, "title");
        if (!title[0])
            title = rundown_title;
        if (!title[0])
            title = "Ontime show";
        json_object_set_new(doc, "title", json_string(title));
        if (x.has_on_air) {
            char *t = clock_text(x.on_air_ms);
            json_object_set_new(doc, "on_air", json_string(t));
            free(t);
        }
        json_object_set_new(doc, "items", x.items);
        x.items = NULL;
    }
    json_decref(x.items);
    for (size_t i = 0; i < x.nids; i++)
        free(x.ids[i]);
    free(x.ids);
    free(x.first_colour_path);
    json_decref(root);
    return doc;
}
