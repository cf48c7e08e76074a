/* Outputs: one small interface for every kind of cue target (OSC over UDP or TCP, websocket). */
#ifndef SC_OUTPUT_H
#define SC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct sc_app sc_app_t;
typedef struct sc_output sc_output_t;

typedef enum {
    SC_OUT_READY = 0,      /* connectionless: sends go out (OSC/UDP) */
    SC_OUT_CONNECTING = 1, /* trying to connect */
    SC_OUT_CONNECTED = 2,  /* connected */
    SC_OUT_DOWN = 3,       /* not connected; retrying after a pause */
} sc_out_state_t;

const char *sc_out_state_name(sc_out_state_t s);

typedef struct {
    const char *kind; /* "osc.udp", "osc.tcp", "ws" */
    /* true: the cue clock thread sends this output's cues from its socket;
     * false: the clock wakes the loop at the deadline and the loop sends. */
    bool clock_sends;
    /* Starts the output (connects, creates sockets). Returns 0 or an errno;
     * a connection that fails later is retried by the output itself. */
    int (*open)(sc_output_t *o);
    /* Sends one message from the loop thread now: immediate cues, `fire`,
     * panic messages, and the cues of outputs the clock does not send.
     * Returns 0 when sent (and sets *sent_mono), EINPROGRESS when queued
     * (the output later calls sc_output_done with the key), or an errno. */
    int (*send)(sc_output_t *o, uint64_t key, const uint8_t *bytes, size_t len, int64_t *sent_mono);
    /* Starts closing; sets o->closed when every handle is closed. */
    void (*close)(sc_output_t *o);
    /* The clock no longer uses fd (after sc_clock_set_socket). */
    void (*socket_released)(sc_output_t *o, int fd);
    /* A cue the clock sent on this output failed with err (may be NULL). */
    void (*clock_send_failed)(sc_output_t *o, int err);
} sc_output_ops_t;

struct sc_output {
    const sc_output_ops_t *ops;
    const rd_target_t *target; /* borrowed from the app's config */
    int index;                 /* the target's index in the config and the clock */
    sc_app_t *app;
    sc_out_state_t state;
    char last_error[128];
    int fd;      /* the socket the cue clock sends on, or -1 */
    bool closed; /* close has finished */
    uint64_t sent, failed;
    void *impl; /* owned by the kind's file */
};

/* The operations for a target's kind. */
const sc_output_ops_t *sc_output_ops_for(rd_target_kind_t kind);

extern const sc_output_ops_t sc_out_osc_udp;
extern const sc_output_ops_t sc_out_osc_tcp;
extern const sc_output_ops_t sc_out_ws;

/* Sets the state and the error text, and tells the app (state push). */
void sc_output_set_state(sc_output_t *o, sc_out_state_t s, const char *error);

/* Completion of a queued send (EINPROGRESS), reported to the engine. */
void sc_output_done(sc_output_t *o, uint64_t key, int err, int64_t sent_mono);

/* Resolves host:port into *addr; for SOCK_DGRAM also creates and connects a
 * non-blocking socket and returns it (else returns 0). Returns -1 with errno
 * set on failure. Name resolution blocks: outputs call it when they open,
 * at start-up. */
struct sockaddr_storage;
int sc__connect_socket(const char *host, int port, int type, struct sockaddr_storage *addr,
                       unsigned int *addrlen);

#endif
