/* OSC input: one datagram's bytes to the commands it carries, with no socket and no loop. */
#include "osc_decode.h"

#include <lo/lo.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A message found in the frame. */
typedef struct {
    const char *address;
    lo_message msg; /* NULL outside /showcaller/, or when liblo could not read it */
    int lo_error;   /* liblo's reason, when it could not */
} entry_t;

typedef struct {
    entry_t e[SC_OSC_MAX_MESSAGES];
    int n;
} frame_t;

const char *sc_osc_strerror(sc_osc_err_t err)
{
    switch (err) {
    case SC_OSC_OK:
        return "ok";
    case SC_OSC_ERR_NOT_OSC:
        return "not an OSC message or bundle";
    case SC_OSC_ERR_BUNDLE:
        return "a bundle without a time tag, or with an element that does not fit it";
    case SC_OSC_ERR_DEPTH:
        return "bundles nested too deep";
    case SC_OSC_ERR_TOO_MANY:
        return "too many messages in one datagram";
    case SC_OSC_ERR_NOMEM:
        return "out of memory";
    }
    return "unknown error";
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The size of the OSC string at p (its bytes, the NUL and NULs up to a
 * multiple of four), or 0 when it does not fit in len. liblo is as strict. */
static size_t string_size(const unsigned char *p, size_t len)
{
    const unsigned char *nul = memchr(p, 0, len);
    if (!nul)
        return 0;
    size_t used = (size_t)(nul - p);
    size_t size = (used / 4 + 1) * 4;
    if (size > len)
        return 0;
    for (size_t i = used; i < size; i++)
        if (p[i] != 0)
            return 0;
    return size;
}

/* Splits a datagram (or a bundle element) into messages, depth-first, in
 * order. Only messages under /showcaller/ go to liblo: the rest are not ours. */
static sc_osc_err_t walk(frame_t *f, const unsigned char *p, size_t len, int depth)
{
    if (len >= 8 && memcmp(p, "#bundle", 8) == 0) {
        if (depth >= SC_OSC_MAX_DEPTH)
            return SC_OSC_ERR_DEPTH;
        if (len < 16)
            return SC_OSC_ERR_BUNDLE;
        /* "#bundle\0", the time tag, then elements: a big-endian size and that
         * many bytes, a multiple of four. */
        size_t off = 16;
        while (off < len) {
            if (len - off < 4)
                return SC_OSC_ERR_BUNDLE;
            uint32_t size = be32(p + off);
            off += 4;
            if (size == 0 || size % 4 != 0 || size > len - off)
                return SC_OSC_ERR_BUNDLE;
            sc_osc_err_t err = walk(f, p + off, size, depth + 1);
            if (err != SC_OSC_OK)
                return err;
            off += size;
        }
        return SC_OSC_OK;
    }
    if (len == 0 || p[0] != '/' || string_size(p, len) == 0)
        return SC_OSC_ERR_NOT_OSC;
    if (f->n == SC_OSC_MAX_MESSAGES)
        return SC_OSC_ERR_TOO_MANY;
    entry_t *e = &f->e[f->n++];
    e->address = (const char *)p;
    e->msg = NULL;
    e->lo_error = 0;
    if (strncmp(e->address, SC_OSC_PREFIX, SC_OSC_PREFIX_LEN) != 0)
        return SC_OSC_OK;
    /* liblo copies what it keeps and only reads data; its prototype is not const. */
    int res = 0;
    e->msg = lo_message_deserialise((void *)p, len, &res);
    if (!e->msg) {
        if (res == LO_EALLOC)
            return SC_OSC_ERR_NOMEM;
        e->lo_error = res;
    }
    return SC_OSC_OK;
}

/* Why liblo could not read a message, for its sender. */
static const char *lo_reason(int res)
{
    switch (res) {
    case LO_ENOTYPE:
        return "it has no type tag string";
    case LO_EINVALIDTYPE:
        return "its type tag string is not terminated and padded";
    case LO_EBADTYPE:
        return "its type tag string does not start with ','";
    case LO_EINVALIDARG:
        return "an argument has an unknown type tag or is cut short";
    case LO_ESIZE:
        return "its arguments do not fill it exactly";
    default:
        return "liblo cannot read it";
    }
}

/* One OSC argument as a value for the command table; false for a type the
 * table has no kind for. Arguments sit 4-byte aligned in liblo's copy, and
 * lo_arg wants 8: read them with memcpy, not through the union. a is NULL
 * for the types without data (T, F, N, I). */
static bool to_value(char type, const lo_arg *a, sc_value_t *v)
{
    int32_t i32;
    float f32;
    switch (type) {
    case LO_INT32:
        v->kind = SC_VAL_INT;
        memcpy(&i32, a, sizeof i32);
        v->i = i32;
        return true;
    case LO_INT64:
        v->kind = SC_VAL_INT;
        memcpy(&v->i, a, sizeof v->i);
        return true;
    case LO_FLOAT:
        v->kind = SC_VAL_REAL;
        memcpy(&f32, a, sizeof f32);
        v->d = f32;
        return true;
    case LO_DOUBLE:
        v->kind = SC_VAL_REAL;
        memcpy(&v->d, a, sizeof v->d);
        return true;
    case LO_STRING:
    case LO_SYMBOL:
        /* liblo has checked the terminator; the table checks the length. */
        v->kind = SC_VAL_STRING;
        v->s = (const char *)a;
        return true;
    case LO_TRUE:
    case LO_FALSE:
        v->kind = SC_VAL_BOOL;
        v->b = type == LO_TRUE;
        return true;
    default:
        return false;
    }
}

/* Decides what a message is and how its sender is to be answered. */
static void classify(const entry_t *e, const char *source, sc_osc_msg_t *m)
{
    memset(m, 0, sizeof *m);
    m->address = e->address;
    sc_result_ok(&m->result);
    if (strncmp(e->address, SC_OSC_PREFIX, SC_OSC_PREFIX_LEN) != 0) {
        m->kind = SC_OSC_OTHER;
        m->name = "";
        return;
    }
    const char *name = m->name = e->address + SC_OSC_PREFIX_LEN;
    m->kind = SC_OSC_REFUSED;
    bool sub = strcmp(name, "subscribe") == 0, unsub = strcmp(name, "unsubscribe") == 0;
    if (!sub && !unsub && sc_command_lookup(name) < 0) {
        sc_result_error(&m->result, SC_ERR_UNKNOWN_COMMAND, "\"%.64s\" is not a command", name);
        return;
    }
    if (!e->msg) {
        sc_result_error(&m->result, SC_ERR_BAD_ARGUMENT, "%s: the message cannot be read: %s", name,
                        lo_reason(e->lo_error));
        return;
    }
    const char *types = lo_message_get_types(e->msg);
    int argc = lo_message_get_argc(e->msg);
    if (sub || unsub) {
        /* Feedback, not a command: the door keeps the subscribers. */
        if (argc > 0) {
            sc_result_error(&m->result, SC_ERR_BAD_ARGUMENT, "%s takes no arguments, not %d", name,
                            argc);
            return;
        }
        m->kind = sub ? SC_OSC_SUBSCRIBE : SC_OSC_UNSUBSCRIBE;
        return;
    }
    if (argc > SC_OSC_MAX_ARGS) {
        sc_result_error(&m->result, SC_ERR_BAD_ARGUMENT, "%s: too many arguments (%d)", name, argc);
        return;
    }
    lo_arg **argv = argc > 0 ? lo_message_get_argv(e->msg) : NULL;
    sc_value_t v[SC_OSC_MAX_ARGS];
    memset(v, 0, sizeof v);
    for (int i = 0; i < argc; i++) {
        if (!to_value(types[i], argv[i], &v[i])) {
            sc_result_error(&m->result, SC_ERR_BAD_ARGUMENT,
                            "%s: argument %d has OSC type '%c'; use i, h, f, d, s, S, T or F", name,
                            i + 1, types[i]);
            return;
        }
    }
    m->cmd.door = SC_DOOR_OSC;
    snprintf(m->cmd.source, sizeof m->cmd.source, "%s", source);
    if (sc_command_from_values(name, v, argc, &m->cmd, &m->result))
        m->kind = SC_OSC_COMMAND;
}

sc_osc_err_t sc_osc_decode(const void *data, size_t len, const char *source, sc_osc_msg_fn on_msg,
                           void *ctx)
{
    frame_t f;
    f.n = 0;
    sc_osc_err_t err = walk(&f, data, len, 0);
    if (err == SC_OSC_OK) {
        sc_osc_msg_t m;
        for (int i = 0; i < f.n; i++) {
            classify(&f.e[i], source, &m);
            on_msg(ctx, &m);
        }
    }
    for (int i = 0; i < f.n; i++)
        if (f.e[i].msg)
            lo_message_free(f.e[i].msg);
    return err;
}
