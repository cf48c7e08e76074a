/* The rundown file's layout, written by hand around jansson: jansson indents every level or
 * none, and a cue is easiest to read (and to diff) as one line. */
#include "doc_dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 15 significant digits: 0.1 stays 0.1 (jansson's default of 17 writes 0.10000000000000001). */
#define SC_DUMP_FLAGS (JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

static void indent(FILE *f, int depth)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", f);
}

/* An array or object holding only scalars: one line, as a human writes ["a", "b"]. */
static int flat(const json_t *v)
{
    size_t i;
    const char *k;
    json_t *c;
    if (json_is_array(v)) {
        json_array_foreach (v, i, c)
            if (json_is_object(c) || json_is_array(c))
                return 0;
        return 1;
    }
    if (json_is_object(v)) {
        json_object_foreach ((json_t *)v, k, c)
            if (json_is_object(c) || json_is_array(c))
                return 0;
        return 1;
    }
    return 1;
}

/* key: the member this value is ("cues" lays out a line per cue); NULL in an array. */
static void dump(FILE *f, const json_t *v, int depth, const char *key)
{
    size_t i;
    const char *k;
    json_t *c;
    int one_line_members = key && strcmp(key, "cues") == 0;
    /* An object in an array (an item) or the document itself always gets a line per member. */
    if (flat(v) && !one_line_members && (key || !json_is_object(v))) {
        json_dumpf(v, f, SC_DUMP_FLAGS);
        return;
    }
    if (json_is_array(v)) {
        fputs("[\n", f);
        json_array_foreach (v, i, c) {
            indent(f, depth + 1);
            if (one_line_members)
                json_dumpf(c, f, SC_DUMP_FLAGS);
            else
                dump(f, c, depth + 1, NULL);
            fputs(i + 1 < json_array_size(v) ? ",\n" : "\n", f);
        }
        indent(f, depth);
        fputc(']', f);
        return;
    }
    fputs("{\n", f);
    size_t n = json_object_size(v), at = 0;
    json_object_foreach ((json_t *)v, k, c) {
        indent(f, depth + 1);
        json_t *name = json_string(k);
        json_dumpf(name, f, SC_DUMP_FLAGS);
        json_decref(name);
        fputs(": ", f);
        dump(f, c, depth + 1, k);
        fputs(++at < n ? ",\n" : "\n", f);
    }
    indent(f, depth);
    fputc('}', f);
}

char *sc_doc_dump(const json_t *doc, size_t *len)
{
    if (!json_is_object(doc))
        return NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        abort(); /* out of memory: as rd_x* do */
    dump(f, doc, 0, NULL);
    fputc('\n', f);
    fclose(f);
    if (len)
        *len = n;
    return buf;
}
