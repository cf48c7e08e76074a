/* Wire errors: the one table of error codes every door sends, with their HTTP status. */
#ifndef SC_ERRORS_H
#define SC_ERRORS_H

#include "show.h"

/* Every error a door can answer with. The code is what the wire says
 * ({"code": "unknown_item", ...}, the OSC reply's code); the HTTP status is
 * what POST /api/<cmd> answers with it. A new error is one row in errors.c. */
typedef enum {
    SC_ERR_OK = 0,
    /* The request itself. */
    SC_ERR_BAD_JSON,
    SC_ERR_BAD_ARGUMENT,
    SC_ERR_MISSING_ARGUMENT,
    SC_ERR_UNKNOWN_COMMAND,
    SC_ERR_UNAUTHORIZED,
    SC_ERR_RATE_LIMITED,
    SC_ERR_NOT_FOUND,
    SC_ERR_METHOD_NOT_ALLOWED,
    SC_ERR_LENGTH_REQUIRED,
    SC_ERR_TOO_LARGE,
    SC_ERR_HEADER_TOO_LARGE,
    SC_ERR_TOO_MANY_CLIENTS,
    SC_ERR_TOO_MANY_SUBSCRIBERS,
    SC_ERR_SHUTTING_DOWN,
    /* What the show said. */
    SC_ERR_UNKNOWN_ITEM,
    SC_ERR_UNKNOWN_CUE,
    SC_ERR_GO_GUARD,
    SC_ERR_SHOW_ENDED,
    SC_ERR_NOTHING_NEXT,
    SC_ERR_NOTHING_BACK,
    SC_ERR_NOT_RUNNING,
    SC_ERR_NOT_HOLDING,
    SC_ERR_ALREADY_HOLDING,
    SC_ERR_ITEM_RUNNING,
    SC_ERR_NEGATIVE_DURATION,
    SC_ERR_IN_PREROLL,
    SC_ERR_RELOAD_FAILED,
    SC_ERR_RUNNING_ITEM_REMOVED,
    SC_ERR_BAD_COMMAND,
    SC_ERR_JOURNAL_UNCERTAIN, /* a damaged journal left the position unproven: journal_ack first */
    /* The editing API (edit.h). */
    SC_ERR_CONFLICT,
    SC_ERR_INVALID_RUNDOWN,
    SC_ERR_SAVE_IN_PROGRESS,
    SC_ERR_WRITE_FAILED,
    SC_ERR_IMPORT_FAILED,
    SC_ERR_UNKNOWN_VERSION,
    /* Not an error: an OSC reply's code when the command ran but its as-run
     * record is not on disk yet (the websocket and HTTP say "durable": false). */
    SC_ERR_NOT_DURABLE,
    SC_ERR_COUNT
} sc_err_t;

/* "unknown_item"; "ok" for SC_ERR_OK. */
const char *sc_err_code(sc_err_t err);

/* The HTTP status of a reply with this error (200 for SC_ERR_OK). */
unsigned sc_err_http_status(sc_err_t err);

/* The wire error of a refusal of the show's state machine. */
sc_err_t sc_err_from_show(rd_show_err_t err);

#endif
