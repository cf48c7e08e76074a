/* Cue targets: one small interface for every kind of device (OSC over UDP or TCP, websocket, OBS,
 * HTTP, TCP text lines). */
#ifndef SC_TARGET_H
#define SC_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "clock/cue_clock.h"
#include "model.h"

typedef struct sc_target sc_target_t;
struct lws_context;
struct lws_protocols;

typedef enum {
    SC_TARGET_READY = 0,      /* connectionless: sends go out (OSC/UDP) */
    SC_TARGET_CONNECTING = 1, /* trying to connect */
    SC_TARGET_CONNECTED = 2,  /* connected */
    SC_TARGET_DOWN = 3,       /* not connected; retrying after a pause */
} sc_target_state_t;

const char *sc_target_state_name(sc_target_state_t s);

/* A device's answer to a cue, for kinds whose protocol has one. */
typedef enum {
    SC_ANSWER_OK = 0,      /* the device took it */
    SC_ANSWER_ERROR = 1,   /* the device refused it */
    SC_ANSWER_TIMEOUT = 2, /* no answer in the kind's time */
} sc_answer_kind_t;

const char *sc_answer_name(sc_answer_kind_t kind);

typedef struct {
    sc_answer_kind_t kind;
    int64_t at_mono;    /* when it came (or the wait ended) */
    const char *detail; /* borrowed for the call, may be NULL: the device's words */
    int64_t sent_mono;  /* when the message left, as the kind saw it; 0: unknown */
} sc_answer_t;

/* The answers a target has had since the daemon started, for screens. */
#define SC_RTT_BUCKETS 1056
typedef struct {
    uint64_t count[3]; /* by sc_answer_kind_t */
    bool has_last;
    sc_answer_kind_t last_kind;
    char last_detail[160];
    char last_cue[65];
    int64_t last_wall_ms;
    uint32_t
        *rtt; /* SC_RTT_BUCKETS counts of send-to-answer times (ok and error); NULL: none yet */
    uint64_t nrtt;
} sc_answer_stats_t;

/* What every target gets from the daemon (run.c fills it and owns it; each
 * target borrows it). A target never calls anything above it by name: it
 * reports through these. */
typedef struct {
    uv_loop_t *loop;
    sc_cue_clock_t *clock;
    /* The lws context, for kinds that connect through libwebsockets; NULL
     * while the daemon stops. */
    struct lws_context *(*lws_context)(void *ctx);
    /* A send that returned EINPROGRESS has completed (err 0: sent at sent_mono). */
    void (*done)(void *ctx, sc_target_t *t, uint64_t key, int err, int64_t sent_mono);
    /* The device answered the cue sent with key. */
    void (*answer)(void *ctx, sc_target_t *t, uint64_t key, const sc_answer_t *a);
    /* The target's state changed (screens show it). */
    void (*changed)(void *ctx, sc_target_t *t);
    void *ctx;
} sc_target_env_t;

/* One kind of target: everything the daemon needs of it, in its own file,
 * listed once in target.c's table. */
typedef struct {
    rd_target_kind_t kind;
    /* true: the cue clock thread sends this kind's cues from its socket;
     * false: the clock wakes the loop at the deadline and the loop sends. */
    bool clock_sends;
    /* The device answers each message (sc_target_answer) whatever the
     * config says; else the target's "answer" decides (sc_target_awaits). */
    bool answers;
    /* Its lws client protocol, for kinds that connect through libwebsockets
     * (the web server lists it); NULL otherwise. */
    const struct lws_protocols *lws_protocol;
    /* Encodes a payload (a cue's or the panic's) for the wire, once, before
     * show time: *out (caller frees) and *len. False when it cannot. */
    bool (*encode)(const rd_payload_t *p, const rd_target_t *conf, uint8_t **out, size_t *len);
    /* Starts the target (connects, creates sockets). Returns 0 or an errno;
     * a connection that fails later is retried by the target itself. */
    int (*open)(sc_target_t *t);
    /* Sends one message from the loop thread now: immediate cues, `fire`,
     * panic messages, and the cues of kinds the clock does not send.
     * Returns 0 when sent (and sets *sent_mono), EINPROGRESS when queued
     * (sc_target_done follows with the key), or an errno. */
    int (*send)(sc_target_t *t, uint64_t key, const uint8_t *bytes, size_t len, int64_t *sent_mono);
    /* Starts closing; sets t->closed when every handle is closed. */
    void (*close)(sc_target_t *t);
    /* The clock no longer uses fd (after sc_clock_set_socket); may be NULL. */
    void (*socket_released)(sc_target_t *t, int fd);
    /* A cue the clock sent on this target failed with err; may be NULL. */
    void (*clock_send_failed)(sc_target_t *t, int err);
} sc_target_ops_t;

struct sc_target {
    const sc_target_ops_t *ops;
    const rd_target_t *conf;    /* borrowed from the config */
    int index;                  /* the target's index in the config and the clock */
    const sc_target_env_t *env; /* borrowed */
    sc_target_state_t state;
    char last_error[128];
    int fd;      /* the socket the cue clock sends on, or -1 */
    bool closed; /* close has finished */
    uint64_t sent, failed;
    sc_answer_stats_t answers;
    void *impl; /* owned by the kind's file */
};

/* Its device answers what it is sent: the engine ties each answer to its cue. */
bool sc_target_awaits(const sc_target_t *t);

/* Counts an answer for the screens: its kind, the cue it answered (NULL:
 * none known), the time from send to answer (negative: unknown) and when it
 * came (wall ms). */
void sc_target_note_answer(sc_target_t *t, const sc_answer_t *a, const char *cue, int64_t rtt_ns,
                           int64_t wall_ms);

/* The send-to-answer time (us) below which the fraction p of answers came
 * (0 < p <= 1); -1 when there are none. Bucketed: within about 3%. */
int64_t sc_target_rtt_us(const sc_target_t *t, double p);

/* Frees what the target's counters hold. */
void sc_target_free_stats(sc_target_t *t);

/* The kind's operations, from the one table of kinds (target.c); NULL for a
 * kind it lacks. */
const sc_target_ops_t *sc_target_ops_for(rd_target_kind_t kind);

/* The lws client protocols of the kinds that connect through libwebsockets,
 * for the web server's protocol list: writes up to cap, returns how many. */
size_t sc_target_lws_protocols(const struct lws_protocols **out, size_t cap);

/* Sets up t for config target conf (index in the config); ops from its kind.
 * Returns false when no kind in the table has conf's kind. */
bool sc_target_init(sc_target_t *t, const rd_target_t *conf, int index, const sc_target_env_t *env);

/* Sets the state and the error text, logs what an engineer needs, and tells
 * the environment. */
void sc_target_set_state(sc_target_t *t, sc_target_state_t s, const char *error);

/* Completion of a queued send (EINPROGRESS), reported to the environment. */
void sc_target_done(sc_target_t *t, uint64_t key, int err, int64_t sent_mono);

/* The device's answer to the message sent with key. */
void sc_target_answer(sc_target_t *t, uint64_t key, const sc_answer_t *a);

/* Resolves host:port into *addr; for SOCK_DGRAM also creates and connects a
 * non-blocking socket and returns it (else returns 0). Returns -1 with errno
 * set on failure. Name resolution blocks: targets call it when they open,
 * at start-up. */
struct sockaddr_storage;
int sc__connect_socket(const char *host, int port, int type, struct sockaddr_storage *addr,
                       unsigned int *addrlen);

/* The kinds (one file each). */
extern const sc_target_ops_t sc_target_osc_udp;
extern const sc_target_ops_t sc_target_osc_tcp;
extern const sc_target_ops_t sc_target_ws;
extern const sc_target_ops_t sc_target_obs;
extern const sc_target_ops_t sc_target_http;
extern const sc_target_ops_t sc_target_https;
extern const sc_target_ops_t sc_target_tcp;

#endif
