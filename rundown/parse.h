/* Parsing rundown and config files from memory into the model, reporting every error. */
#ifndef RD_PARSE_H
#define RD_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "model.h"

#define RD_RUNDOWN_FORMAT "showcaller-rundown/1"

/* Parses a rundown held in buf (len bytes, need not be NUL-terminated).
 * Findings go to d, which the caller owns; set d->file to the file's name
 * first. Returns true when there was no error (warnings do not count). The
 * caller frees *out with rd_rundown_free() whatever the result: after an
 * error it holds what could be read, which is good for rd_rundown_link()'s
 * further findings and nothing else. No I/O: the caller reads the file. */
bool rd_rundown_parse(const char *buf, size_t len, rd_rundown_t *out, rd_diags_t *d);

/* An item id made from a title as the parser makes missing ones: "Cold open"
 * -> "cold-open" (lowercase ASCII letters and digits, runs of anything else
 * one dash, at most 40 bytes; "" for a title with no letter or digit).
 * Caller frees. */
char *rd_id_slug(const char *title);

/* Parses a config the same way, on top of rd_config_defaults(). After an
 * error *out is freed and zeroed: a half-read config links nothing. */
bool rd_config_parse(const char *buf, size_t len, rd_config_t *out, rd_diags_t *d);

/* Resolves every cue's target against the config: reports unknown targets
 * (with a "did you mean") and payloads the target cannot carry, and sets
 * each cue's target_index. Returns true when every cue resolved. */
bool rd_rundown_link(rd_rundown_t *r, const rd_config_t *c, rd_diags_t *d);

#endif
