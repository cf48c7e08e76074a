/* Commands: the table of names and arguments, and decoding from named (JSON) or positional (OSC)
 * form. */
#include "command.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef enum {
    ARG_ITEM,    /* an item id */
    ARG_CUE,     /* a cue id */
    ARG_SECONDS, /* a number of seconds, may be negative */
    ARG_BOOL,
    ARG_TEXT,     /* up to SC_TEXT_MAX bytes */
    ARG_COLOR,    /* a colour name or #rrggbb; "" for none */
    ARG_DURATION, /* a number of seconds above 0, up to a day */
} arg_type_t;

typedef struct {
    const char *name;
    arg_type_t type;
    bool required;
} arg_spec_t;

typedef struct {
    const char *name;
    arg_spec_t args[3];
    int nargs;
} cmd_spec_t;

/* The one table. Order matches sc_cmd_id_t. */
static const cmd_spec_t table[SC_CMD_COUNT] = {
    [SC_CMD_GO] = {"go", {{0}}, 0},
    [SC_CMD_BACK] = {"back", {{0}}, 0},
    [SC_CMD_GOTO] = {"goto", {{"item", ARG_ITEM, true}}, 1},
    [SC_CMD_SKIP] = {"skip", {{"item", ARG_ITEM, true}, {"on", ARG_BOOL, false}}, 2},
    [SC_CMD_HOLD] = {"hold", {{0}}, 0},
    [SC_CMD_RESUME] = {"resume", {{0}}, 0},
    [SC_CMD_ADD] = {"add", {{"seconds", ARG_SECONDS, true}}, 1},
    [SC_CMD_FIRE] = {"fire", {{"cue", ARG_CUE, true}}, 1},
    [SC_CMD_PANIC] = {"panic", {{0}}, 0},
    [SC_CMD_MESSAGE] = {"message",
                        {{"text", ARG_TEXT, true},
                         {"color", ARG_COLOR, false},
                         {"seconds", ARG_DURATION, false}},
                        3},
    [SC_CMD_CLEAR_MESSAGE] = {"clear_message", {{0}}, 0},
    [SC_CMD_REHEARSAL] = {"rehearsal", {{"on", ARG_BOOL, true}}, 1},
    [SC_CMD_RELOAD] = {"reload", {{0}}, 0},
    [SC_CMD_JOURNAL_ACK] = {"journal_ack", {{0}}, 0},
};

/* Time that can be added at once: a day either way. */
#define MAX_ADD_SECONDS 86400.0

const char *sc_door_name(sc_door_t door)
{
    switch (door) {
    case SC_DOOR_WS:
        return "ws";
    case SC_DOOR_HTTP:
        return "http";
    case SC_DOOR_OSC:
        return "osc";
    case SC_DOOR_SIGNAL:
        return "signal";
    case SC_DOOR_FILE:
        return "file";
    }
    return "?";
}

void sc_result_ok(sc_result_t *r)
{
    r->ok = true;
    r->err = SC_ERR_OK;
    r->code = NULL;
    r->message[0] = '\0';
}

void sc_result_error(sc_result_t *r, sc_err_t err, const char *fmt, ...)
{
    r->ok = false;
    r->err = err;
    r->code = sc_err_code(err);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
}

int sc_command_lookup(const char *name)
{
    for (int i = 0; i < SC_CMD_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

const char *sc_command_name(sc_cmd_id_t id)
{
    return id < SC_CMD_COUNT ? table[id].name : "?";
}

static const char *type_name(arg_type_t t)
{
    switch (t) {
    case ARG_ITEM:
        return "an item id (string)";
    case ARG_CUE:
        return "a cue id (string)";
    case ARG_SECONDS:
        return "a number of seconds";
    case ARG_BOOL:
        return "true or false";
    case ARG_TEXT:
        return "a string";
    case ARG_COLOR:
        return "a colour name or #rrggbb";
    case ARG_DURATION:
        return "a number of seconds above 0";
    }
    return "a value";
}

static bool valid_color(const char *s)
{
    if (s[0] == '#') {
        if (strlen(s) != 7)
            return false;
        for (int i = 1; i < 7; i++)
            if (!strchr("0123456789abcdefABCDEF", s[i]))
                return false;
        return true;
    }
    size_t n = strlen(s);
    if (n == 0 || n > 15)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] >= 'a' && s[i] <= 'z'))
            return false;
    return true;
}

/* OSC strings arrive as raw bytes; everything we keep must be UTF-8. */
static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80             ? 0
                : (*p & 0xE0) == 0xC0 ? 1
                : (*p & 0xF0) == 0xE0 ? 2
                : (*p & 0xF8) == 0xF0 ? 3
                                      : -1;
        if (n < 0 || (n == 1 && *p < 0xC2))
            return false;
        p++;
        for (int k = 0; k < n; k++, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* Stores one decoded value into the command. The value arrives as the
 * door's type; each check is made once, here. */
static bool store(const cmd_spec_t *spec, const arg_spec_t *a, const sc_value_t *v, sc_command_t *c,
                  sc_result_t *r)
{
    switch (a->type) {
    case ARG_ITEM:
    case ARG_CUE:
    case ARG_TEXT:
    case ARG_COLOR: {
        if (v->kind != SC_VAL_STRING)
            break;
        size_t max = a->type == ARG_TEXT ? SC_TEXT_MAX : a->type == ARG_COLOR ? 15 : SC_ID_MAX;
        if (strlen(v->s) > max) {
            sc_result_error(r, SC_ERR_BAD_ARGUMENT, "%s: \"%s\" is longer than %zu bytes",
                            spec->name, a->name, max);
            return false;
        }
        if (!valid_utf8(v->s)) {
            sc_result_error(r, SC_ERR_BAD_ARGUMENT, "%s: \"%s\" is not valid UTF-8", spec->name,
                            a->name);
            return false;
        }
        if (a->type == ARG_COLOR && v->s[0] && !valid_color(v->s)) {
            sc_result_error(r, SC_ERR_BAD_ARGUMENT, "%s: \"%s\" must be %s", spec->name, a->name,
                            type_name(a->type));
            return false;
        }
        char *dst = a->type == ARG_ITEM   ? c->item
                    : a->type == ARG_CUE  ? c->cue
                    : a->type == ARG_TEXT ? c->text
                                          : c->color;
        memcpy(dst, v->s, strlen(v->s) + 1);
        return true;
    }
    case ARG_SECONDS: {
        double s;
        if (v->kind == SC_VAL_INT)
            s = (double)v->i;
        else if (v->kind == SC_VAL_REAL)
            s = v->d;
        else
            break;
        if (!isfinite(s) || fabs(s) > MAX_ADD_SECONDS) {
            sc_result_error(r, SC_ERR_BAD_ARGUMENT, "%s: \"%s\" must be between -86400 and 86400",
                            spec->name, a->name);
            return false;
        }
        c->add_ns = (int64_t)llround(s * 1e9);
        return true;
    }
    case ARG_DURATION: {
        double s;
        if (v->kind == SC_VAL_INT)
            s = (double)v->i;
        else if (v->kind == SC_VAL_REAL)
            s = v->d;
        else
            break;
        if (!isfinite(s) || s <= 0 || s > MAX_ADD_SECONDS) {
            sc_result_error(r, SC_ERR_BAD_ARGUMENT,
                            "%s: \"%s\" must be more than 0 and at most 86400", spec->name,
                            a->name);
            return false;
        }
        c->duration_ns = (int64_t)llround(s * 1e9);
        return true;
    }
    case ARG_BOOL:
        if (v->kind == SC_VAL_BOOL) {
            c->on = v->b;
            return true;
        }
        /* OSC peers often send 0/1 for a switch. */
        if (v->kind == SC_VAL_INT && (v->i == 0 || v->i == 1)) {
            c->on = v->i == 1;
            return true;
        }
        break;
    }
    sc_result_error(r, SC_ERR_BAD_ARGUMENT, "%s: \"%s\" must be %s", spec->name, a->name,
                    type_name(a->type));
    return false;
}

static const cmd_spec_t *begin(const char *name, sc_command_t *c, sc_result_t *r)
{
    int id = sc_command_lookup(name);
    if (id < 0) {
        sc_result_error(r, SC_ERR_UNKNOWN_COMMAND, "\"%.64s\" is not a command", name);
        return NULL;
    }
    sc_door_t door = c->door;
    char source[sizeof c->source];
    memcpy(source, c->source, sizeof source);
    memset(c, 0, sizeof *c);
    c->door = door;
    memcpy(c->source, source, sizeof source);
    c->id = (sc_cmd_id_t)id;
    c->on = true;
    sc_result_ok(r);
    return &table[id];
}

bool sc_command_from_json(const char *name, const json_t *args, sc_command_t *c, sc_result_t *r)
{
    const cmd_spec_t *spec = begin(name, c, r);
    if (!spec)
        return false;
    for (int i = 0; i < spec->nargs; i++) {
        const arg_spec_t *a = &spec->args[i];
        json_t *j = args ? json_object_get(args, a->name) : NULL;
        if (!j || json_is_null(j)) {
            if (a->required) {
                sc_result_error(r, SC_ERR_MISSING_ARGUMENT, "%s needs \"%s\" (%s)", spec->name,
                                a->name, type_name(a->type));
                return false;
            }
            continue;
        }
        sc_value_t v = {0};
        if (json_is_integer(j)) {
            v.kind = SC_VAL_INT;
            v.i = json_integer_value(j);
        } else if (json_is_real(j)) {
            v.kind = SC_VAL_REAL;
            v.d = json_real_value(j);
        } else if (json_is_string(j)) {
            v.kind = SC_VAL_STRING;
            v.s = json_string_value(j);
        } else if (json_is_boolean(j)) {
            v.kind = SC_VAL_BOOL;
            v.b = json_is_true(j);
        } else {
            sc_result_error(r, SC_ERR_BAD_ARGUMENT, "%s: \"%s\" must be %s", spec->name, a->name,
                            type_name(a->type));
            return false;
        }
        if (!store(spec, a, &v, c, r))
            return false;
    }
    return true;
}

bool sc_command_from_values(const char *name, const sc_value_t *v, int n, sc_command_t *c,
                            sc_result_t *r)
{
    const cmd_spec_t *spec = begin(name, c, r);
    if (!spec)
        return false;
    if (n > spec->nargs) {
        sc_result_error(r, SC_ERR_BAD_ARGUMENT, "%s takes at most %d argument%s, not %d",
                        spec->name, spec->nargs, spec->nargs == 1 ? "" : "s", n);
        return false;
    }
    for (int i = 0; i < spec->nargs; i++) {
        const arg_spec_t *a = &spec->args[i];
        if (i >= n) {
            if (a->required) {
                sc_result_error(r, SC_ERR_MISSING_ARGUMENT, "%s needs \"%s\" (%s)", spec->name,
                                a->name, type_name(a->type));
                return false;
            }
            continue;
        }
        if (!store(spec, a, &v[i], c, r))
            return false;
    }
    return true;
}

json_t *sc_command_args_json(const sc_command_t *c)
{
    json_t *o = json_object();
    const cmd_spec_t *spec = &table[c->id];
    for (int i = 0; i < spec->nargs; i++) {
        const arg_spec_t *a = &spec->args[i];
        switch (a->type) {
        case ARG_ITEM:
            json_object_set_new(o, a->name, json_string(c->item));
            break;
        case ARG_CUE:
            json_object_set_new(o, a->name, json_string(c->cue));
            break;
        case ARG_SECONDS:
            json_object_set_new(o, a->name, json_real((double)c->add_ns / 1e9));
            break;
        case ARG_BOOL:
            json_object_set_new(o, a->name, json_boolean(c->on));
            break;
        case ARG_TEXT:
            json_object_set_new(o, a->name, json_string(c->text));
            break;
        case ARG_COLOR:
            if (c->color[0])
                json_object_set_new(o, a->name, json_string(c->color));
            break;
        case ARG_DURATION:
            if (c->duration_ns)
                json_object_set_new(o, a->name, json_real((double)c->duration_ns / 1e9));
            break;
        }
    }
    return o;
}
