/* A rundown document written as the CSV sc_import_csv reads: show lines, a header, a row per
 * item with as many cue column groups as the item with most cues needs. */
#include "export_csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_csv.h"
#include "payload.h"
#include "xalloc.h"

typedef struct {
    char *s;
    size_t n, cap;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->cap) {
        o->cap = (o->n + n + 1) * 2;
        o->s = rd_xrealloc(o->s, o->cap);
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
    o->s[o->n] = '\0';
}

/* One cell: quoted when it holds a separator, a quote, a line break or edge spaces. */
static void cell(out_t *o, bool first, const char *s)
{
    if (!first)
        put(o, ",", 1);
    if (!s)
        return;
    size_t n = strlen(s);
    bool quote = strpbrk(s, ",;\"\r\n") != NULL ||
                 (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
    if (!quote) {
        put(o, s, n);
        return;
    }
    put(o, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            put(o, "\"\"", 2);
        else
            put(o, p, 1);
    }
    put(o, "\"", 1);
}

/* A field's value as its cell: strings as written, anything else as JSON. Malloc'd or NULL. */
static char *value_text(const json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return rd_xstrdup(json_string_value(v));
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void value_cell(out_t *o, bool first, const json_t *v)
{
    char *t = value_text(v);
    cell(o, first, t);
    free(t);
}

static void end_row(out_t *o)
{
    put(o, "\r\n", 2);
}

static const rd_payload_kind_t kinds[] = {RD_PAYLOAD_OSC, RD_PAYLOAD_WS, RD_PAYLOAD_OBS,
                                          RD_PAYLOAD_HTTP, RD_PAYLOAD_TCP};

/* The cue's message cell: the one payload member it has, in the form the importer reads
 * for a target of that kind. */
static char *message_text(const json_t *cue)
{
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const json_t *p = json_object_get(cue, rd_payload_key(kinds[k]));
        if (p)
            return sc__csv_cue_text(p, kinds[k]);
    }
    return NULL;
}

static const char *const show_fields[] = {"title", "date", "on_air", "off_air", "fps"};
static const char *const item_fields[] = {"id",   "title",    "start", "duration",
                                          "warn", "critical", "notes", "script"};
#define NSHOW (sizeof show_fields / sizeof show_fields[0])
#define NITEM (sizeof item_fields / sizeof item_fields[0])

char *sc_export_csv(const json_t *doc, size_t *len)
{
    if (!json_is_object(doc))
        return NULL;
    out_t o = {0};
    put(&o, "", 0);
    for (size_t k = 0; k < NSHOW; k++) {
        const json_t *v = json_object_get(doc, show_fields[k]);
        if (!v)
            continue;
        cell(&o, true, show_fields[k]);
        value_cell(&o, false, v);
        end_row(&o);
    }

    const json_t *items = json_object_get(doc, "items");
    size_t ncues = 0;
    bool cue_ids = false;
    size_t i, j;
    json_t *item, *cue;
    json_array_foreach (items, i, item) {
        const json_t *cues = json_object_get(item, "cues");
        if (json_array_size(cues) > ncues)
            ncues = json_array_size(cues);
        json_array_foreach (cues, j, cue)
            cue_ids |= json_object_get(cue, "id") != NULL;
    }

    for (size_t k = 0; k < NITEM; k++)
        cell(&o, k == 0, item_fields[k]);
    for (size_t n = 1; n <= ncues; n++) {
        char name[48];
        static const char *const parts[] = {"id", "target", "at", "message", "label"};
        for (size_t k = cue_ids ? 0 : 1; k < sizeof parts / sizeof parts[0]; k++) {
            snprintf(name, sizeof name, "cue %zu %s", n, parts[k]);
            cell(&o, false, name);
        }
    }
    end_row(&o);

    json_array_foreach (items, i, item) {
        for (size_t k = 0; k < NITEM; k++)
            value_cell(&o, k == 0, json_object_get(item, item_fields[k]));
        const json_t *cues = json_object_get(item, "cues");
        for (size_t n = 0; n < ncues; n++) {
            cue = json_array_get(cues, n);
            if (cue_ids)
                value_cell(&o, false, json_object_get(cue, "id"));
            value_cell(&o, false, json_object_get(cue, "target"));
            value_cell(&o, false, json_object_get(cue, "at"));
            char *m = cue ? message_text(cue) : NULL;
            cell(&o, false, m);
            free(m);
            value_cell(&o, false, json_object_get(cue, "label"));
        }
        end_row(&o);
    }
    if (len)
        *len = o.n;
    return o.s;
}
