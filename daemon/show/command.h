/* Commands: the one table of names and argument types that every door (websocket, HTTP, OSC) uses.
 */
#ifndef SC_COMMAND_H
#define SC_COMMAND_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "errors.h"

typedef enum {
    SC_CMD_GO = 0,
    SC_CMD_BACK,
    SC_CMD_GOTO,
    SC_CMD_SKIP,
    SC_CMD_HOLD,
    SC_CMD_RESUME,
    SC_CMD_ADD,
    SC_CMD_FIRE,
    SC_CMD_PANIC,
    SC_CMD_MESSAGE,
    SC_CMD_CLEAR_MESSAGE,
    SC_CMD_REHEARSAL,
    SC_CMD_RELOAD,
    SC_CMD_JOURNAL_ACK, /* the producer has read what a damaged journal left uncertain */
    SC_CMD_COUNT
} sc_cmd_id_t;

typedef enum {
    SC_DOOR_WS = 0,
    SC_DOOR_HTTP = 1,
    SC_DOOR_OSC = 2,
    SC_DOOR_SIGNAL = 3, /* SIGHUP asks for a reload */
    SC_DOOR_FILE = 4,   /* the rundown file changed on disk */
} sc_door_t;

const char *sc_door_name(sc_door_t door);

#define SC_ID_MAX 64
#define SC_TEXT_MAX 256

/* A command decoded from any door, with where it came from. */
typedef struct {
    sc_cmd_id_t id;
    char item[SC_ID_MAX + 1];   /* goto, skip */
    char cue[SC_ID_MAX + 1];    /* fire */
    int64_t add_ns;             /* add */
    bool on;                    /* skip (default true), rehearsal */
    char text[SC_TEXT_MAX + 1]; /* message */
    char color[16];             /* message: "" or a colour name or #rrggbb */
    int64_t duration_ns;        /* message: clears itself after this; 0 = stays */
    sc_door_t door;
    char source[64]; /* "127.0.0.1:54321", or "signal" */
} sc_command_t;

/* The result of decoding or running a command: an error has a wire error
 * (errors.h: its code, "unknown_command", "bad_argument", ..., and its HTTP
 * status) and a sentence. */
typedef struct {
    bool ok;
    sc_err_t err;     /* SC_ERR_OK when ok */
    const char *code; /* sc_err_code(err), static; NULL when ok */
    char message[256];
} sc_result_t;

void sc_result_ok(sc_result_t *r);
void sc_result_error(sc_result_t *r, sc_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The command named `name`, or -1. */
int sc_command_lookup(const char *name);
const char *sc_command_name(sc_cmd_id_t id);

/* Decodes named arguments (the JSON object of a websocket message or an
 * HTTP body; other members, such as "cmd" and "id", are ignored). On error
 * fills r and returns false. */
bool sc_command_from_json(const char *name, const json_t *args, sc_command_t *c, sc_result_t *r);

/* A positional argument, as OSC carries them. */
typedef enum { SC_VAL_INT, SC_VAL_REAL, SC_VAL_STRING, SC_VAL_BOOL } sc_val_kind_t;
typedef struct {
    sc_val_kind_t kind;
    int64_t i;
    double d;
    const char *s; /* borrowed */
    bool b;
} sc_value_t;

/* Decodes positional arguments in the table's order. */
bool sc_command_from_values(const char *name, const sc_value_t *v, int n, sc_command_t *c,
                            sc_result_t *r);

/* A one-line summary of the command's arguments for the as-run log, e.g.
 * {"item":"weather"}; a new JSON object. */
json_t *sc_command_args_json(const sc_command_t *c);

#endif
