/* Loading rundown and config files from disk into the model. */
#ifndef SC_LOAD_H
#define SC_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "model.h"

/* Files larger than this are refused before parsing. */
#define SC_MAX_FILE_BYTES (16 * 1024 * 1024)

/* Reads a whole regular file (at most SC_MAX_FILE_BYTES), NUL-terminated.
 * Returns a buffer the caller frees, or NULL after adding an error to d. */
char *sc_load_file(const char *path, size_t *len, rd_diags_t *d);

/* Reads and parses a rundown file. Findings go to d under the path as
 * given. Returns true on success. The caller frees *r with rd_rundown_free()
 * whatever the result (after an error it holds what could be read). */
bool sc_load_rundown(const char *path, rd_rundown_t *r, rd_diags_t *d);

/* Reads and parses a config file on top of the defaults. On success the
 * caller frees *c with rd_config_free(); after an error *c is zeroed. */
bool sc_load_config(const char *path, rd_config_t *c, rd_diags_t *d);

#endif
