/* Items are matched by id. "moved" is decided on the items both sides hold: the longest run of
 * them that kept its order (a longest increasing subsequence, O(n log n), so a 5,000-item show
 * diffs at once) stays put, every other one moved. */
#include "doc_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

typedef struct {
    const char *id;
    const json_t *item;
    size_t index; /* in its own document */
    long other;   /* index in the other document, -1 when only one side has it */
} side_t;

static const char *item_id(const json_t *item)
{
    return json_string_value(json_object_get(item, "id"));
}

static const json_t *items_of(const json_t *doc)
{
    const json_t *a = json_object_get(doc, "items");
    return json_is_array(a) ? a : NULL;
}

/* Each item of a with the index of the item of the same id in b (-1: none). */
static side_t *index_items(const json_t *a, const json_t *b, size_t *n)
{
    *n = a ? json_array_size(a) : 0;
    side_t *s = rd_xcalloc(*n ? *n : 1, sizeof *s);
    size_t nb = b ? json_array_size(b) : 0;
    /* By id through a jansson object: no hand-rolled hash table. */
    json_t *where = json_object();
    for (size_t j = 0; j < nb; j++) {
        const char *id = item_id(json_array_get(b, j));
        if (id && !json_object_get(where, id))
            json_object_set_new(where, id, json_integer((json_int_t)j));
    }
    for (size_t i = 0; i < *n; i++) {
        s[i].item = json_array_get(a, i);
        s[i].id = item_id(s[i].item);
        s[i].index = i;
        json_t *j = s[i].id ? json_object_get(where, s[i].id) : NULL;
        s[i].other = j ? (long)json_integer_value(j) : -1;
    }
    json_decref(where);
    return s;
}

/* kept[i] = 1 for the items of `to` (in to's order) that are in the longest run keeping
 * from's order. */
static unsigned char *kept_order(const side_t *to, size_t n)
{
    unsigned char *kept = rd_xcalloc(n ? n : 1, 1);
    size_t *tail = rd_xcalloc(n ? n : 1, sizeof *tail); /* index into to of the run's last */
    long *prev = rd_xcalloc(n ? n : 1, sizeof *prev);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (to[i].other < 0)
            continue;
        size_t lo = 0, hi = len;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (to[tail[mid]].other < to[i].other)
                lo = mid + 1;
            else
                hi = mid;
        }
        prev[i] = lo ? (long)tail[lo - 1] : -1;
        tail[lo] = i;
        if (lo == len)
            len++;
    }
    for (long i = len ? (long)tail[len - 1] : -1; i >= 0; i = prev[i])
        kept[i] = 1;
    free(tail);
    free(prev);
    return kept;
}

static json_t *field_change(const char *field, const json_t *from, const json_t *to)
{
    return json_pack("{s:s, s:O, s:O}", "field", field, "from", from ? from : json_null(), "to",
                     to ? to : json_null());
}

/* Each member of from or to (to's order, then from's others) whose values differ. */
static json_t *field_changes(const json_t *from, const json_t *to, const char *skip)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)to, k, v) {
        if (skip && strcmp(k, skip) == 0)
            continue;
        json_t *was = json_object_get(from, k);
        if (!was || !json_equal(was, v))
            json_array_append_new(out, field_change(k, was, v));
    }
    json_object_foreach ((json_t *)from, k, v) {
        if (skip && strcmp(k, skip) == 0)
            continue;
        if (!json_object_get(to, k))
            json_array_append_new(out, field_change(k, v, NULL));
    }
    return out;
}

static json_t *item_entry(const json_t *item, const char *change, long from_index, long to_index)
{
    const char *title = json_string_value(json_object_get(item, "title"));
    json_t *id = json_object_get(item, "id");
    json_t *e = json_pack("{s:O, s:s?, s:s}", "id", id ? id : json_null(), "title", title, "change",
                          change);
    json_object_set_new(e, "from_index", from_index >= 0 ? json_integer(from_index) : json_null());
    json_object_set_new(e, "to_index", to_index >= 0 ? json_integer(to_index) : json_null());
    return e;
}

static char *summarise(const json_t *diff);

json_t *sc_doc_diff(const json_t *from, const json_t *to)
{
    const json_t *fa = items_of(from), *ta = items_of(to);
    size_t nf, nt;
    side_t *f = index_items(fa, ta, &nf);
    side_t *t = index_items(ta, fa, &nt);
    unsigned char *kept = kept_order(t, nt);
    json_t *items = json_array();
    for (size_t i = 0; i < nt; i++) {
        if (t[i].other < 0) {
            json_t *e = item_entry(t[i].item, "added", -1, (long)i);
            json_object_set_new(e, "fields", json_array());
            json_array_append_new(items, e);
            continue;
        }
        const json_t *was = f[t[i].other].item;
        json_t *fields = field_changes(was, t[i].item, NULL);
        if (kept[i] && json_array_size(fields) == 0) {
            json_decref(fields);
            continue;
        }
        json_t *e = item_entry(t[i].item, kept[i] ? "changed" : "moved", t[i].other, (long)i);
        json_object_set_new(e, "fields", fields);
        json_array_append_new(items, e);
    }
    for (size_t i = 0; i < nf; i++) {
        if (f[i].other >= 0)
            continue;
        json_t *e = item_entry(f[i].item, "removed", (long)i, -1);
        json_object_set_new(e, "fields", json_array());
        json_array_append_new(items, e);
    }
    free(kept);
    free(f);
    free(t);
    json_t *out = json_object();
    json_object_set_new(out, "show", field_changes(from, to, "items"));
    json_object_set_new(out, "items", items);
    char *s = summarise(out);
    json_object_set_new(out, "summary", json_string(s));
    free(s);
    return out;
}

/* A value as a producer reads it: strings bare, the rest as JSON, nothing as "none". */
static char *shown(const json_t *v)
{
    if (!v || json_is_null(v))
        return rd_xstrdup("none");
    if (json_is_string(v))
        return rd_xstrdup(json_string_value(v));
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    return s ? s : rd_xstrdup("?");
}

static int is_timing(const char *field)
{
    return strcmp(field, "duration") == 0 || strcmp(field, "start") == 0;
}

typedef struct {
    const char *verb;
    json_t *names;     /* the items' titles (or ids) */
    const json_t *one; /* with one retimed item: its timing change */
} group_t;

static void add_part(FILE *f, int *parts, const group_t *g)
{
    size_t n = json_array_size(g->names);
    if (!n)
        return;
    fprintf(f, "%s%s ", (*parts)++ ? "; " : "", g->verb);
    if (n > 3) {
        fprintf(f, "%zu items", n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\"%s\"", i ? ", " : "", json_string_value(json_array_get(g->names, i)));
    if (n == 1 && g->one) {
        char *a = shown(json_object_get(g->one, "from")), *b = shown(json_object_get(g->one, "to"));
        fprintf(f, " %s %s -> %s", json_string_value(json_object_get(g->one, "field")), a, b);
        free(a);
        free(b);
    }
}

static char *summarise(const json_t *diff)
{
    group_t g[5] = {{"added", json_array(), NULL},
                    {"removed", json_array(), NULL},
                    {"moved", json_array(), NULL},
                    {"retimed", json_array(), NULL},
                    {"edited", json_array(), NULL}};
    size_t i;
    json_t *e;
    json_array_foreach (json_object_get(diff, "items"), i, e) {
        const char *change = json_string_value(json_object_get(e, "change"));
        const char *name = json_string_value(json_object_get(e, "title"));
        if (!name)
            name = json_string_value(json_object_get(e, "id"));
        json_t *nm = json_string(name ? name : "(untitled)");
        int which = strcmp(change, "added") == 0 ? 0 : strcmp(change, "removed") == 0 ? 1 : -1;
        if (which >= 0) {
            json_array_append(g[which].names, nm);
        } else {
            if (strcmp(change, "moved") == 0)
                json_array_append(g[2].names, nm);
            /* retimed when duration or start changed, edited when anything else did */
            size_t j;
            json_t *fc;
            const json_t *timing = NULL;
            int other = 0, timings = 0;
            json_array_foreach (json_object_get(e, "fields"), j, fc) {
                if (is_timing(json_string_value(json_object_get(fc, "field")))) {
                    timing = fc;
                    timings++;
                } else {
                    other = 1;
                }
            }
            if (timing) {
                json_array_append(g[3].names, nm);
                g[3].one = timings == 1 ? timing : NULL;
            }
            if (other)
                json_array_append(g[4].names, nm);
        }
        json_decref(nm);
    }
    if (json_array_size(g[3].names) != 1)
        g[3].one = NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        abort();
    int parts = 0;
    for (int k = 0; k < 5; k++)
        add_part(f, &parts, &g[k]);
    const json_t *show = json_object_get(diff, "show");
    if (json_array_size(show)) {
        fprintf(f, "%sshow ", parts++ ? "; " : "");
        json_array_foreach (show, i, e)
            fprintf(f, "%s%s", i ? ", " : "", json_string_value(json_object_get(e, "field")));
        fputs(" changed", f);
    }
    if (!parts)
        fputs("no change", f);
    fclose(f);
    for (int k = 0; k < 5; k++)
        json_decref(g[k].names);
    return buf;
}

char *sc_doc_summary(const json_t *from, const json_t *to)
{
    if (!from) {
        size_t n = json_array_size(items_of(to));
        return rd_xasprintf("first version, %zu item%s", n, n == 1 ? "" : "s");
    }
    json_t *d = sc_doc_diff(from, to);
    char *s = rd_xstrdup(json_string_value(json_object_get(d, "summary")));
    json_decref(d);
    return s;
}
