/* A rundown document as CSV in the format sc_import_csv reads (round-trips), CRLF line ends as
 * spreadsheets write them. Pure: no I/O. */
#ifndef SC_EXPORT_CSV_H
#define SC_EXPORT_CSV_H

#include <jansson.h>
#include <stddef.h>

/* Malloc'd, NUL-terminated; *len (may be NULL) its length. NULL when doc is not an object. */
char *sc_export_csv(const json_t *doc, size_t *len);

#endif
