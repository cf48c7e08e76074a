/* A rundown document as the bytes of its file: what a save writes.
 *
 * Two-space indentation, keys in the order they were given, each cue on one compact line (a
 * show of a hundred cues stays readable in a text editor and in a diff), a trailing newline.
 * Pure: no I/O. */
#ifndef SC_DOC_DUMP_H
#define SC_DOC_DUMP_H

#include <jansson.h>
#include <stddef.h>

/* Malloc'd, NUL-terminated; *len (may be NULL) is its length. NULL only when doc is not an object.
 */
char *sc_doc_dump(const json_t *doc, size_t *len);

#endif
