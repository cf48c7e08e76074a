/* Loading rundown and config files from disk into the model. */
#ifndef SC_LOAD_H
#define SC_LOAD_H

#include <stdbool.h>

#include "diag.h"
#include "model.h"

/* Files larger than this are refused before parsing. */
#define SC_MAX_FILE_BYTES (16 * 1024 * 1024)

/* Reads and parses a rundown file. Findings go to d under the path as
 * given. Returns true on success; the caller then frees *r. */
bool sc_load_rundown(const char *path, rd_rundown_t *r, rd_diags_t *d);

/* Reads and parses a config file on top of the defaults. */
bool sc_load_config(const char *path, rd_config_t *c, rd_diags_t *d);

#endif
