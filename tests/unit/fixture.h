/* Test fixtures every unit test may share: rundowns and configs written inline. */
#ifndef UNIT_FIXTURE_H
#define UNIT_FIXTURE_H

#include <stdbool.h>

#include "model.h"

/* s with every single quote turned into a double quote (JSON in C strings
 * reads better that way); caller frees. */
char *fx_dq(const char *s);

/* Parses the rundown {'format': 'showcaller-rundown/1', 'title': 'T', HEAD
 * 'items': [ITEMS]} written with single quotes; head holds top-level fields
 * with a trailing comma, or "". With config (single quotes too, NULL for
 * none) it also parses the config into *c and links the rundown to it. On
 * failure prints every finding as a TAP comment and returns false; the
 * caller frees *r (and *c) either way with fx_unload. */
bool fx_load(const char *head, const char *items, const char *config, rd_rundown_t *r,
             rd_config_t *c);

/* Frees what fx_load filled; c may be NULL. */
void fx_unload(rd_rundown_t *r, rd_config_t *c);

#endif
