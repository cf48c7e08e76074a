/* An Ontime project file (db.json) as a rundown document: what carries over is in the README
 * ("Importing from Ontime"). Pure: no I/O. */
#ifndef SC_IMPORT_ONTIME_H
#define SC_IMPORT_ONTIME_H

#include <jansson.h>
#include <stddef.h>

#include "diag.h"

/* A new rundown document, or NULL with at least one error in d (JSON paths into the project
 * file, or line:column when it is not JSON). What does not carry over is a warning. */
json_t *sc_import_ontime(const char *buf, size_t len, rd_diags_t *d);

#endif
