/* A spreadsheet's CSV as a rundown document (the format: README "Importing a spreadsheet",
 * sample config/sample-show.csv). Pure: no I/O.
 *
 * RFC 4180 (quoted fields, "" inside quotes, newlines inside quotes), a UTF-8 BOM skipped,
 * ',' or ';' as the separator (whichever the header row uses), CRLF, LF or CR line ends.
 * Show-level lines before the header ("title,Evening News", "date,2026-12-04",
 * "on_air,18:00:00", "off_air,18:30:00", "fps,25") set the show's fields. The header row is
 * the first row with a "title" cell that is not a show line; it names the columns: id, title,
 * duration, start, warn, critical, notes, script, and per cue N: "cue N target", "cue N at",
 * "cue N message", "cue N label", "cue N id". Each later row that is not blank is an item;
 * empty cells are left out, items without an id get one made from their title. */
#ifndef SC_IMPORT_CSV_H
#define SC_IMPORT_CSV_H

#include <jansson.h>
#include <stddef.h>

#include "diag.h"
#include "model.h"

/* A new rundown document, or NULL with at least one error in d. Errors and warnings carry the
 * file's line (1-based, of the row's first line) and the CSV column (1-based); every row is
 * checked, not only up to the first error. config (borrowed, may be NULL) says each target's
 * kind, so a cue's message becomes the payload that kind takes (without a config every cue
 * is OSC); with a config an unknown target is an error. */
json_t *sc_import_csv(const char *buf, size_t len, const rd_config_t *config, rd_diags_t *d);

/* The payload (the value of the cue's "osc", "ws", "obs", "http" or "tcp" member) a cue
 * message cell stands for, for a target whose messages are of that kind:
 *   osc   "/address [,TYPES] [arg ...]": numbers as numbers, true/false/null, "quoted" or
 *         bare strings, [arrays] for 'm' and 'b'; or the payload as a JSON object
 *   ws    text that is JSON is that JSON value, any other text is sent as it is
 *   obs   "RequestType" or "RequestType {data}"; any other text (or "scene: NAME") is a
 *         scene name for SetCurrentProgramScene
 *   http  "[METHOD] /path [body]" (a JSON body as JSON, else text); or the payload as a
 *         JSON object
 *   tcp   the line
 * A new reference, or NULL with a message for a person in err. *warn (may be NULL) is set to
 * a warning worth showing (a ws text that looks like broken JSON), else "". Shared by the
 * importer and the exporter (which checks that what it writes reads back the same). */
json_t *sc__csv_cue_payload(const char *text, rd_payload_kind_t kind, char *err, size_t errlen,
                            char *warn, size_t warnlen);

/* The message cell for a payload of that kind: the short form above when it reads back as
 * the same payload, else the JSON form (osc, http), "scene: NAME" (an OBS scene whose name
 * would read as a request) or a JSON string (a ws text that is itself JSON). Malloc'd; NULL
 * only for a payload the rundown format would refuse. */
char *sc__csv_cue_text(const json_t *payload, rd_payload_kind_t kind);

#endif
