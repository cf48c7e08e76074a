/* What changed between two rundown documents, by item id: the versions' summary line and the
 * editor's diff view. Pure: no I/O.
 *
 *   {"summary": "2 added, 1 removed, 1 moved, 1 retimed: \"Intro\" 2:00 -> 2:30",
 *    "show":  [{"field": "title", "from": ..., "to": ...}],
 *    "items": [{"id", "title", "change": "added"|"removed"|"moved"|"changed",
 *               "from_index", "to_index", "fields": [{"field", "from", "to"}]}]}
 *
 * An item whose index changed only because others were added or removed before it is not
 * "moved"; one whose place among the items both documents hold changed is. "changed" lists
 * each top-level field of the item that differs (cues compare as one field). A field absent
 * on one side has null there. */
#ifndef SC_DOC_DIFF_H
#define SC_DOC_DIFF_H

#include <jansson.h>

/* New reference. from and to are rundown documents (objects with "items"); either may lack
 * items (treated as none). */
json_t *sc_doc_diff(const json_t *from, const json_t *to);

/* The one-line summary of sc_doc_diff (from NULL: "first version, N items"). Malloc'd. */
char *sc_doc_summary(const json_t *from, const json_t *to);

#endif
