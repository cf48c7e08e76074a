/* The rundown parser: JSON text to rd_rundown_t, with every mistake reported by its JSON path. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "parse.h"
#include "payload.h"
#include "xalloc.h"

static const char *const top_fields[] = {"format",  "title", "date",  "on_air",
                                         "off_air", "fps",   "items", NULL};
static const char *const item_fields[] = {"id",       "title", "start",  "duration", "warn",
                                          "critical", "notes", "script", "cues",     NULL};
/* With the payload keys (payload.c) after them. */
static const char *const cue_fields[] = {"id", "at", "target", "label", NULL};

static char *dup_or_null(const char *s)
{
    return s ? rd_xstrdup(s) : NULL;
}

static void parse_cue(const json_t *o, const char *path, int fps, rd_cue_t *c, rd_diags_t *d)
{
    c->target_index = -1;
    if (!json_is_object(o)) {
        rd_diag_add(d, RD_ERROR, path, "a cue is an object, not %s", rd__json_kind(o));
        return;
    }
    const char *fields[sizeof cue_fields / sizeof cue_fields[0] + RD_PAYLOAD_KINDS_MAX];
    rd__payload_fields(cue_fields, fields, sizeof fields / sizeof fields[0]);
    rd__check_fields(o, path, fields, d);

    const char *id = rd__get_string(o, "id", path, false, d);
    rd_path_t id_path = rd__path_key(path, "id");
    if (id && rd__valid_id(id, "id", id_path.s, d))
        c->id = rd_xstrdup(id);
    c->label = dup_or_null(rd__get_string(o, "label", path, false, d));

    json_t *at = json_object_get(o, "at");
    rd_path_t at_path = rd__path_key(path, "at");
    if (at && json_is_integer(at) && json_integer_value(at) == 0) {
        c->offset_ns = 0;
    } else if (at && json_is_string(at)) {
        char err[256];
        if (!rd_parse_offset(json_string_value(at), fps, &c->anchor, &c->offset_ns, err,
                             sizeof err))
            rd_diag_add(d, RD_ERROR, at_path.s, "%s", err);
    } else if (at) {
        rd_diag_add(d, RD_ERROR, at_path.s,
                    "must be a string such as \"0\", \"5s\", \"-2s\" or \"end-3s\", not %s",
                    rd__json_kind(at));
    }

    const char *target = rd__get_string(o, "target", path, true, d);
    rd_path_t target_path = rd__path_key(path, "target");
    if (target && !target[0])
        rd_diag_add(d, RD_ERROR, target_path.s, "cannot be empty");
    else if (target)
        c->target = rd_xstrdup(target);

    rd__parse_payload(o, path, &c->payload, d);
}

static void parse_start(const json_t *o, const char *path, int fps, rd_item_t *it, rd_diags_t *d)
{
    const char *start = rd__get_string(o, "start", path, false, d);
    if (!start)
        return;
    rd_path_t p = rd__path_key(path, "start");
    if (strcmp(start, "go") == 0) {
        it->start = RD_START_GO;
    } else if (strcmp(start, "follow") == 0) {
        it->start = RD_START_FOLLOW;
    } else if (isdigit((unsigned char)start[0])) {
        char err[256];
        if (rd_parse_time_of_day(start, fps, &it->start_tod_ns, err, sizeof err))
            it->start = RD_START_TIME;
        else
            rd_diag_add(d, RD_ERROR, p.s, "%s", err);
    } else {
        static const char *const rules[] = {"go", "follow"};
        const char *hint = rd__suggest(start, rules, 2);
        if (hint)
            rd_diag_add(d, RD_ERROR, p.s, "\"%s\" is not a start rule (did you mean \"%s\"?)",
                        start, hint);
        else
            rd_diag_add(d, RD_ERROR, p.s,
                        "\"%s\" is not a start rule (write \"go\", \"follow\" or a time of day "
                        "such as \"18:15:00\")",
                        start);
    }
}

static void parse_item(const json_t *o, const char *path, int fps, rd_item_t *it, rd_diags_t *d)
{
    if (!json_is_object(o)) {
        rd_diag_add(d, RD_ERROR, path, "an item is an object, not %s", rd__json_kind(o));
        it->title = rd_xstrdup("");
        return;
    }
    rd__check_fields(o, path, item_fields, d);

    const char *id = rd__get_string(o, "id", path, false, d);
    rd_path_t id_path = rd__path_key(path, "id");
    if (id && rd__valid_id(id, "id", id_path.s, d))
        it->id = rd_xstrdup(id);

    const char *title = rd__get_string(o, "title", path, true, d);
    rd_path_t title_path = rd__path_key(path, "title");
    if (title && !title[0])
        rd_diag_add(d, RD_ERROR, title_path.s, "cannot be empty");
    it->title = rd_xstrdup(title ? title : "");
    it->notes = dup_or_null(rd__get_string(o, "notes", path, false, d));
    it->script = dup_or_null(rd__get_string(o, "script", path, false, d));

    parse_start(o, path, fps, it, d);

    bool present;
    bool dur_ok = rd__get_duration(o, "duration", path, fps, &present, &it->duration_ns, d);
    if (!present) {
        rd_path_t p = rd__path_key(path, "duration");
        rd_diag_add(d, RD_ERROR, p.s,
                    "missing: every item needs a planned duration (e.g. "
                    "\"1:30\"; \"0\" for an open-ended item)");
    }
    bool warn_ok = rd__get_duration(o, "warn", path, fps, &it->has_warn, &it->warn_ns, d);
    bool crit_ok =
        rd__get_duration(o, "critical", path, fps, &it->has_critical, &it->critical_ns, d);
    char a[32], b[32];
    if (dur_ok && warn_ok && it->duration_ns > 0 && it->warn_ns > it->duration_ns) {
        rd_path_t p = rd__path_key(path, "warn");
        rd_format_duration(it->warn_ns, a, sizeof a);
        rd_format_duration(it->duration_ns, b, sizeof b);
        rd_diag_add(d, RD_WARNING, p.s, "warns at %s remaining, but the item is only %s long", a,
                    b);
    }
    if (warn_ok && crit_ok && it->critical_ns > it->warn_ns) {
        rd_path_t p = rd__path_key(path, "critical");
        rd_format_duration(it->critical_ns, a, sizeof a);
        rd_format_duration(it->warn_ns, b, sizeof b);
        rd_diag_add(d, RD_WARNING, p.s,
                    "critical at %s remaining comes before warn at %s remaining", a, b);
    }

    json_t *cues = json_object_get(o, "cues");
    rd_path_t cues_path = rd__path_key(path, "cues");
    if (cues && !json_is_array(cues)) {
        rd_diag_add(d, RD_ERROR, cues_path.s, "must be an array, not %s", rd__json_kind(cues));
        return;
    }
    if (!cues)
        return;
    it->ncues = json_array_size(cues);
    it->cues = rd_xcalloc(it->ncues, sizeof *it->cues);
    for (size_t j = 0; j < it->ncues; j++) {
        rd_path_t cp = rd__path_index(cues_path.s, j);
        parse_cue(json_array_get(cues, j), cp.s, fps, &it->cues[j], d);
        rd_cue_t *c = &it->cues[j];
        /* A start-relative cue past the planned end fires during whatever comes next. */
        if (dur_ok && c->anchor == RD_FROM_START && it->duration_ns > 0 &&
            c->offset_ns > it->duration_ns) {
            rd_path_t ap = rd__path_key(cp.s, "at");
            rd_format_duration(c->offset_ns - it->duration_ns, a, sizeof a);
            rd_diag_add(d, RD_WARNING, ap.s,
                        "fires %s after the item's planned end (write end+... if that is meant)",
                        a);
        }
    }
}

/* "Cold open" -> "cold-open": a readable id that survives reordering. */
char *rd_id_slug(const char *title)
{
    char buf[41];
    size_t n = 0;
    bool dash = false;
    for (const unsigned char *p = (const unsigned char *)title; *p && n < 40; p++) {
        if (isalnum(*p) && *p < 0x80) {
            if (dash && n > 0)
                buf[n++] = '-';
            if (n < 40)
                buf[n++] = (char)tolower(*p);
            dash = false;
        } else {
            dash = true;
        }
    }
    buf[n] = '\0';
    return rd_xstrdup(buf);
}

/* Ids are unique across items and cues. Reports duplicates among the ids the
 * file gives, then generates the missing ones so that they collide with none.
 * The set is a hash table, so a rundown of thousands of cues loads in
 * linear time. */
typedef struct {
    const char **ids; /* borrowed from the model */
    char **paths;     /* owned: where each id was given */
    size_t n, cap;
    size_t *slots; /* open addressing: index + 1, 0 for empty */
    size_t nslots; /* a power of two, at least twice n */
} id_set_t;

static size_t hash(const char *s)
{
    size_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static int id_find(const id_set_t *s, const char *id)
{
    if (!s->nslots)
        return -1;
    for (size_t k = hash(id) & (s->nslots - 1);; k = (k + 1) & (s->nslots - 1)) {
        if (!s->slots[k])
            return -1;
        if (strcmp(s->ids[s->slots[k] - 1], id) == 0)
            return (int)(s->slots[k] - 1);
    }
}

static void id_insert_slot(id_set_t *s, size_t index)
{
    size_t k = hash(s->ids[index]) & (s->nslots - 1);
    while (s->slots[k])
        k = (k + 1) & (s->nslots - 1);
    s->slots[k] = index + 1;
}

static void id_add(id_set_t *s, const char *id, const char *path)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->ids = rd_xrealloc(s->ids, s->cap * sizeof *s->ids);
        s->paths = rd_xrealloc(s->paths, s->cap * sizeof *s->paths);
    }
    s->ids[s->n] = id;
    s->paths[s->n] = rd_xstrdup(path);
    s->n++;
    if (s->n * 2 > s->nslots) {
        free(s->slots);
        s->nslots = s->nslots ? s->nslots * 2 : 128;
        s->slots = rd_xcalloc(s->nslots, sizeof *s->slots);
        for (size_t i = 0; i < s->n; i++)
            id_insert_slot(s, i);
    } else {
        id_insert_slot(s, s->n - 1);
    }
}

static void id_set_free(id_set_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->paths[i]);
    free(s->ids);
    free(s->paths);
    free(s->slots);
}

static void check_given_id(id_set_t *set, const char *id, const char *path, rd_diags_t *d)
{
    int prev = id_find(set, id);
    if (prev >= 0)
        rd_diag_add(d, RD_ERROR, path, "duplicate id \"%s\" (first used at %s)", id,
                    set->paths[prev]);
    else
        id_add(set, id, path);
}

static char *unique_id(id_set_t *set, const char *base)
{
    char *id = rd_xstrdup(base);
    for (int k = 2; id_find(set, id) >= 0; k++) {
        free(id);
        id = rd_xasprintf("%s-%d", base, k);
    }
    return id;
}

static void assign_ids(rd_rundown_t *r, rd_diags_t *d)
{
    id_set_t set = {0};
    for (size_t i = 0; i < r->nitems; i++) {
        rd_item_t *it = &r->items[i];
        rd_path_t ip = rd__path_index("items", i);
        if (it->id) {
            rd_path_t p = rd__path_key(ip.s, "id");
            check_given_id(&set, it->id, p.s, d);
        }
        for (size_t j = 0; j < it->ncues; j++) {
            if (!it->cues[j].id)
                continue;
            rd_path_t cp = rd__path_index(rd__path_key(ip.s, "cues").s, j);
            rd_path_t p = rd__path_key(cp.s, "id");
            check_given_id(&set, it->cues[j].id, p.s, d);
        }
    }
    for (size_t i = 0; i < r->nitems; i++) {
        rd_item_t *it = &r->items[i];
        if (!it->id) {
            char *base = rd_id_slug(it->title);
            if (!base[0]) {
                free(base);
                base = rd_xasprintf("item-%zu", i + 1);
            }
            it->id = unique_id(&set, base);
            it->id_generated = true;
            free(base);
            id_add(&set, it->id, "(generated)");
        }
    }
    for (size_t i = 0; i < r->nitems; i++) {
        rd_item_t *it = &r->items[i];
        for (size_t j = 0; j < it->ncues; j++) {
            if (it->cues[j].id)
                continue;
            char *base = rd_xasprintf("%s.%zu", it->id, j + 1);
            it->cues[j].id = unique_id(&set, base);
            it->cues[j].id_generated = true;
            free(base);
            id_add(&set, it->cues[j].id, "(generated)");
        }
    }
    id_set_free(&set);
}

/* A top-level time of day such as on_air; *has tells whether it was valid. */
static void top_time_of_day(const json_t *root, const char *key, int fps, bool *has, int64_t *ns,
                            rd_diags_t *d)
{
    char err[256];
    const char *s = rd__get_string(root, key, "", false, d);
    if (!s)
        return;
    if (rd_parse_time_of_day(s, fps, ns, err, sizeof err))
        *has = true;
    else
        rd_diag_add(d, RD_ERROR, key, "%s", err);
}

static void parse_times(const json_t *root, int fps, rd_rundown_t *r, rd_diags_t *d)
{
    char err[256];
    const char *date = rd__get_string(root, "date", "", false, d);
    if (date) {
        if (rd_parse_date(date, &r->year, &r->month, &r->day, err, sizeof err))
            r->has_date = true;
        else
            rd_diag_add(d, RD_ERROR, "date", "%s", err);
    }
    top_time_of_day(root, "on_air", fps, &r->has_on_air, &r->on_air_ns, d);
    top_time_of_day(root, "off_air", fps, &r->has_off_air, &r->off_air_ns, d);
}

/* Without on_air, a first item with a hard start sets the show's start; then
 * every time of day earlier than on_air belongs to the next day. A show with
 * neither is planned relative to its first GO, and cannot have hard starts. */
static void normalize_days(rd_rundown_t *r, rd_diags_t *d)
{
    if (!r->has_on_air && r->items[0].start == RD_START_TIME) {
        r->has_on_air = true;
        r->on_air_implied = true;
        r->on_air_ns = r->items[0].start_tod_ns;
    }
    if (!r->has_on_air) {
        for (size_t i = 0; i < r->nitems; i++) {
            if (r->items[i].start == RD_START_TIME) {
                rd_path_t p = rd__path_index("items", i);
                rd_diag_add(d, RD_ERROR, "on_air",
                            "missing: %s starts at a time of day, so the show needs an on_air "
                            "time",
                            p.s);
                return;
            }
        }
        return;
    }
    if (r->has_off_air && r->off_air_ns <= r->on_air_ns)
        r->off_air_ns += RD_NS_PER_DAY;
    for (size_t i = 0; i < r->nitems; i++) {
        rd_item_t *it = &r->items[i];
        if (it->start == RD_START_TIME && it->start_tod_ns < r->on_air_ns)
            it->start_tod_ns += RD_NS_PER_DAY;
    }
}

static int parse_fps(const json_t *root, rd_diags_t *d)
{
    json_t *v = json_object_get(root, "fps");
    if (!v)
        return 25;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > RD_MAX_FPS) {
        rd_diag_add(d, RD_ERROR, "fps", "must be a whole number of frames per second from 1 to %d",
                    RD_MAX_FPS);
        return 25;
    }
    return (int)json_integer_value(v);
}

bool rd_rundown_parse(const char *buf, size_t len, rd_rundown_t *out, rd_diags_t *d)
{
    memset(out, 0, sizeof *out);
    size_t before = d->errors;
    json_t *root = rd__load_object(buf, len, "rundown", d);
    if (!root)
        return false;

    rd__check_fields(root, "", top_fields, d);
    const char *format = rd__get_string(root, "format", "", false, d);
    if (!json_object_get(root, "format"))
        rd_diag_add(d, RD_ERROR, "format", "missing: write \"format\": \"%s\"", RD_RUNDOWN_FORMAT);
    else if (format && strcmp(format, RD_RUNDOWN_FORMAT) != 0)
        rd_diag_add(d, RD_ERROR, "format", "\"%s\" is not a format this version reads (\"%s\")",
                    format, RD_RUNDOWN_FORMAT);

    const char *title = rd__get_string(root, "title", "", true, d);
    out->title = rd_xstrdup(title ? title : "");
    out->fps = parse_fps(root, d);
    parse_times(root, out->fps, out, d);

    json_t *items = json_object_get(root, "items");
    if (!items) {
        rd_diag_add(d, RD_ERROR, "items", "missing: a rundown needs at least one item");
    } else if (!json_is_array(items)) {
        rd_diag_add(d, RD_ERROR, "items", "must be an array, not %s", rd__json_kind(items));
    } else if (json_array_size(items) == 0) {
        rd_diag_add(d, RD_ERROR, "items", "the rundown has no items");
    } else {
        out->nitems = json_array_size(items);
        out->items = rd_xcalloc(out->nitems, sizeof *out->items);
        for (size_t i = 0; i < out->nitems; i++) {
            rd_path_t p = rd__path_index("items", i);
            parse_item(json_array_get(items, i), p.s, out->fps, &out->items[i], d);
        }
        normalize_days(out, d);
        if (out->items[0].start == RD_START_FOLLOW)
            rd_diag_add(d, RD_ERROR, "items[0].start",
                        "the first item has nothing to follow (write \"go\" or a time of day)");
        assign_ids(out, d);
    }
    json_decref(root);
    return d->errors == before;
}
