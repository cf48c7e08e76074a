/* OSC input: one datagram's bytes to the commands it carries, with no socket and no loop. */
#ifndef SC_OSC_DECODE_H
#define SC_OSC_DECODE_H

#include <stddef.h>

#include "show/command.h"

#define SC_OSC_PREFIX "/showcaller/"
#define SC_OSC_PREFIX_LEN (sizeof SC_OSC_PREFIX - 1)

/* The most messages one datagram may carry, bundles included. A bundle of
 * more is dropped whole: the door answers every message, and an answer each
 * for thousands of tiny elements would turn one datagram into a flood. */
#define SC_OSC_MAX_MESSAGES 32
/* How deep bundles may nest; the outermost is depth 1. */
#define SC_OSC_MAX_DEPTH 8
/* More positional arguments than any command takes; beyond it we do not look. */
#define SC_OSC_MAX_ARGS 8

/* Why a datagram was dropped whole, before any of its messages was looked at. */
typedef enum {
    SC_OSC_OK = 0,
    SC_OSC_ERR_NOT_OSC,  /* neither a bundle nor an address starting with '/' */
    SC_OSC_ERR_BUNDLE,   /* a bundle without a time tag, or an element that does not fit */
    SC_OSC_ERR_DEPTH,    /* bundles nested deeper than SC_OSC_MAX_DEPTH */
    SC_OSC_ERR_TOO_MANY, /* more than SC_OSC_MAX_MESSAGES messages */
    SC_OSC_ERR_NOMEM,
} sc_osc_err_t;

/* A sentence for the log; never NULL. */
const char *sc_osc_strerror(sc_osc_err_t err);

typedef enum {
    SC_OSC_COMMAND,     /* cmd holds a decoded command; result is ok */
    SC_OSC_SUBSCRIBE,   /* /showcaller/subscribe without arguments; result is ok */
    SC_OSC_UNSUBSCRIBE, /* /showcaller/unsubscribe without arguments; result is ok */
    SC_OSC_REFUSED,     /* under /showcaller/ but not a command: result says why */
    SC_OSC_OTHER,       /* an address outside /showcaller/: not ours, not read past it */
} sc_osc_kind_t;

/* One message of a datagram, as its sender should be answered. */
typedef struct {
    sc_osc_kind_t kind;
    const char *address; /* the whole OSC address; borrowed from the datagram */
    const char *name;    /* address after /showcaller/; "" for SC_OSC_OTHER */
    sc_command_t cmd;    /* SC_OSC_COMMAND: door SC_DOOR_OSC, source as given */
    sc_result_t result;
} sc_osc_msg_t;

/* Called once per message, in the datagram's order. m is the callee's to
 * change (the door fills result from the dispatcher) until it returns. */
typedef void (*sc_osc_msg_fn)(void *ctx, sc_osc_msg_t *m);

/* Decodes one datagram: an OSC message, or a bundle of messages and bundles.
 * liblo deserialises each message under /showcaller/; the command table
 * decodes its arguments. First the whole datagram is walked: when its frame
 * is broken (see sc_osc_err_t) the error is returned and on_msg is never
 * called, so a damaged bundle runs none of its commands. Otherwise on_msg is
 * called for every message, and a message liblo cannot read (bad type tags,
 * arguments short of their tags) is SC_OSC_REFUSED with "bad_argument", so
 * its sender learns why. Bundle time tags are not honoured: commands act
 * when they arrive. source ("127.0.0.1:54321") is copied into each command;
 * data is only read. */
sc_osc_err_t sc_osc_decode(const void *data, size_t len, const char *source, sc_osc_msg_fn on_msg,
                           void *ctx);

#endif
