/* Internal helpers the rundown and config parsers share: JSON paths, typed fields, hints. */
#ifndef RD_FIELDS_H
#define RD_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "timefmt.h"

/* JSON paths are built in fixed buffers; a path longer than this is cut,
 * which only shortens a message. */
#define RD_PATH_MAX 256

typedef struct {
    char s[RD_PATH_MAX];
} rd_path_t;

/* base.key, or key when base is empty. */
rd_path_t rd__path_key(const char *base, const char *key);
/* base[index]. */
rd_path_t rd__path_index(const char *base, size_t index);

/* Reports every key of obj that is not in known (a NULL-terminated list),
 * with a "did you mean" hint for near misses. */
void rd__check_fields(const json_t *obj, const char *path, const char *const *known, rd_diags_t *d);

/* The closest of the candidates to word, or NULL when none is close enough
 * to be a plausible typo. Borrowed from candidates. */
const char *rd__suggest(const char *word, const char *const *candidates, size_t n);

/* Short description of a JSON value's type for messages: "a string", "null". */
const char *rd__json_kind(const json_t *v);

/* A string field. Returns the borrowed string, or NULL when the field is
 * absent (an error if required) or not a string (always an error). */
const char *rd__get_string(const json_t *obj, const char *key, const char *path, bool required,
                           rd_diags_t *d);

/* A duration field, written as a string or a whole number of seconds.
 * Returns true and sets *out when present and valid; *present tells whether
 * the field was there at all. Errors are reported to d. */
bool rd__get_duration(const json_t *obj, const char *key, const char *path, int fps, bool *present,
                      int64_t *out, rd_diags_t *d);

/* A duration given as a JSON value (string or whole seconds). */
bool rd__duration_value(const json_t *v, const char *path, int fps, int64_t *out, rd_diags_t *d);

/* Checks an id or name: non-empty, printable, no spaces, at most 64 bytes.
 * `what` names it in messages ("id", "target name"). */
bool rd__valid_id(const char *id, const char *what, const char *path, rd_diags_t *d);

/* Decodes a whole JSON document that must be an object. Syntax errors are
 * reported with line and column; `what` names the document for messages
 * ("rundown", "config"). Returns a new reference, or NULL after reporting. */
json_t *rd__load_object(const char *buf, size_t len, const char *what, rd_diags_t *d);

#endif
