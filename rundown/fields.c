/* Internal helpers the rundown and config parsers share. */
#include "fields.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

rd_path_t rd__path_key(const char *base, const char *key)
{
    rd_path_t p;
    if (base[0])
        snprintf(p.s, sizeof p.s, "%s.%s", base, key);
    else
        snprintf(p.s, sizeof p.s, "%s", key);
    return p;
}

rd_path_t rd__path_index(const char *base, size_t index)
{
    rd_path_t p;
    snprintf(p.s, sizeof p.s, "%s[%zu]", base, index);
    return p;
}

/* Levenshtein distance, capped: returns cap + 1 as soon as it is exceeded. */
static size_t distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return cap + 1;
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = (a[i - 1] == b[j - 1]) ? 0 : 1;
            size_t v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            cur[j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (row_min > cap)
            return cap + 1;
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

const char *rd__suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t len = strlen(word);
    /* Allow one edit in short words, two from 5 letters, three from 9. */
    size_t cap = len < 5 ? 1 : len < 9 ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = strcasecmp(word, candidates[i]) == 0 ? 0 : distance(word, candidates[i], cap);
        if (d <= cap && d < best_d) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

void rd__check_fields(const json_t *obj, const char *path, const char *const *known, rd_diags_t *d)
{
    size_t nknown = 0;
    while (known[nknown])
        nknown++;
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *)obj, key, value) {
        (void)value;
        size_t i;
        for (i = 0; i < nknown; i++)
            if (strcmp(key, known[i]) == 0)
                break;
        if (i < nknown)
            continue;
        rd_path_t p = rd__path_key(path, key);
        const char *hint = rd__suggest(key, known, nknown);
        if (hint)
            rd_diag_add(d, RD_ERROR, p.s, "unknown field \"%s\" (did you mean \"%s\"?)", key, hint);
        else
            rd_diag_add(d, RD_ERROR, p.s, "unknown field \"%s\"", key);
    }
}

const char *rd__json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

const char *rd__get_string(const json_t *obj, const char *key, const char *path, bool required,
                           rd_diags_t *d)
{
    json_t *v = json_object_get(obj, key);
    rd_path_t p = rd__path_key(path, key);
    if (!v) {
        if (required)
            rd_diag_add(d, RD_ERROR, p.s, "missing (required)");
        return NULL;
    }
    if (!json_is_string(v)) {
        rd_diag_add(d, RD_ERROR, p.s, "must be a string, not %s", rd__json_kind(v));
        return NULL;
    }
    return json_string_value(v);
}

bool rd__duration_value(const json_t *v, const char *path, int fps, int64_t *out, rd_diags_t *d)
{
    char err[256];
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0) {
            rd_diag_add(d, RD_ERROR, path, "%lld: a duration cannot be negative", (long long)n);
            return false;
        }
        if (n > RD_MAX_SPAN_NS / RD_NS_PER_S) {
            rd_diag_add(d, RD_ERROR, path, "%lld seconds is longer than 7 days", (long long)n);
            return false;
        }
        *out = (int64_t)n * RD_NS_PER_S;
        return true;
    }
    if (json_is_real(v)) {
        rd_diag_add(d, RD_ERROR, path,
                    "write fractional times as a string, e.g. \"1.5s\" (a JSON number is "
                    "whole seconds)");
        return false;
    }
    if (!json_is_string(v)) {
        rd_diag_add(d, RD_ERROR, path, "must be a duration string such as \"1:30\", not %s",
                    rd__json_kind(v));
        return false;
    }
    if (!rd_parse_duration(json_string_value(v), fps, out, err, sizeof err)) {
        rd_diag_add(d, RD_ERROR, path, "%s", err);
        return false;
    }
    return true;
}

bool rd__get_duration(const json_t *obj, const char *key, const char *path, int fps, bool *present,
                      int64_t *out, rd_diags_t *d)
{
    json_t *v = json_object_get(obj, key);
    *present = v != NULL;
    if (!v)
        return false;
    rd_path_t p = rd__path_key(path, key);
    return rd__duration_value(v, p.s, fps, out, d);
}

bool rd__valid_id(const char *id, const char *what, const char *path, rd_diags_t *d)
{
    size_t n = strlen(id);
    if (n == 0) {
        rd_diag_add(d, RD_ERROR, path, "the %s cannot be empty", what);
        return false;
    }
    if (n > 64) {
        rd_diag_add(d, RD_ERROR, path, "the %s can be at most 64 bytes long", what);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c <= ' ' || c == 0x7f || c == '"' || c == '\\') {
            rd_diag_add(d, RD_ERROR, path,
                        "%s \"%s\" has a space, quote or control character; use letters, "
                        "digits, '-', '_' or '.'",
                        what, id);
            return false;
        }
    }
    return true;
}

json_t *rd__load_object(const char *buf, size_t len, const char *what, rd_diags_t *d)
{
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    if (i == len) {
        rd_diag_add(d, RD_ERROR, "", "the file is empty; a %s is a JSON object", what);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rd_diag_add_at(d, RD_ERROR, jerr.line > 0 ? jerr.line : 1,
                       jerr.column > 0 ? jerr.column : 1, "not valid JSON: %s", jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        rd_diag_add(d, RD_ERROR, "", "a %s is a JSON object, not %s", what, rd__json_kind(root));
        json_decref(root);
        return NULL;
    }
    return root;
}
