/* The cue clock: the one real-time thread that sends pre-encoded OSC packets at their deadlines. */
#ifndef SC_CUE_CLOCK_H
#define SC_CUE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The cue clock shares nothing with the loop but two queues: orders go in
 * (a mutex-guarded ring plus an eventfd that wakes the thread), reports come
 * out (a ring plus a callback the owner wires to uv_async_send). It owns a
 * min-heap of cues with absolute CLOCK_MONOTONIC deadlines. It sleeps on an
 * absolute timerfd until a little before the earliest deadline (an adaptive
 * window), then spins to the deadline and sends. On its hot path it
 * allocates nothing and touches no JSON, no libwebsockets and no disk. */

typedef struct sc_cue_clock sc_cue_clock_t;

#define SC_CLOCK_MAX_TARGETS 64

typedef enum {
    SC_CUE_SEND = 0, /* send bytes to the target's socket */
    SC_CUE_WAKE = 1, /* send nothing: report at the deadline (websocket cues, timers) */
} sc_cue_kind_t;

/* A cue handed to the clock. The bytes stay owned by the caller until they
 * come back in the report that ends the cue (fired, failed or cancelled);
 * the clock only reads them. */
typedef struct {
    uint64_t key;        /* unique, chosen by the caller; never 0 */
    uint64_t order;      /* among equal deadlines, lower leaves first */
    int64_t deadline_ns; /* CLOCK_MONOTONIC */
    sc_cue_kind_t kind;
    int target; /* SC_CUE_SEND: index of the socket set with sc_clock_set_socket */
    const uint8_t *bytes;
    size_t len;
} sc_cue_t;

typedef enum {
    SC_REPORT_SENT = 0,      /* sent whole */
    SC_REPORT_FAILED = 1,    /* send failed: err holds errno (or EMSGSIZE for a short write) */
    SC_REPORT_CANCELLED = 2, /* cancelled before its deadline */
    SC_REPORT_WOKE = 3,      /* SC_CUE_WAKE reached its deadline */
    SC_REPORT_SOCKET = 4,    /* sc_clock_set_socket took effect; the old fd is free */
} sc_report_kind_t;

typedef struct {
    sc_report_kind_t kind;
    uint64_t key;
    int64_t deadline_ns;
    int64_t sent_ns; /* when send() was called (SENT, FAILED, WOKE) */
    int err;
    int target;           /* SOCKET: the target; otherwise the cue's */
    int old_fd;           /* SOCKET: the fd no longer used, or -1 */
    const uint8_t *bytes; /* given back to the owner */
} sc_report_t;

typedef struct {
    size_t capacity;       /* most cues armed at once */
    bool realtime;         /* try SCHED_FIFO for the thread */
    int64_t min_window_ns; /* floor of the adaptive early-wake window */
    /* Called from the clock thread after it queues reports: must only wake
     * the owner (uv_async_send). */
    void (*notify)(void *ctx);
    void *notify_ctx;
} sc_clock_options_t;

/* Starts the thread. Returns NULL and sets *err (errno) on failure. */
sc_cue_clock_t *sc_clock_start(const sc_clock_options_t *opts, int *err);

/* Stops and joins the thread. Cues still armed are reported CANCELLED (read
 * them with sc_clock_poll), then the clock is freed with sc_clock_free. */
void sc_clock_stop(sc_cue_clock_t *c);
void sc_clock_free(sc_cue_clock_t *c);

/* Orders. Each returns false when the order queue is full (it is sized for
 * capacity orders, so only a flood does that). They are applied in order. */
bool sc_clock_arm(sc_cue_clock_t *c, const sc_cue_t *cue);
bool sc_clock_cancel(sc_cue_clock_t *c, uint64_t key);
/* Moves a cue; INT64_MAX parks it (armed but paused). */
bool sc_clock_reschedule(sc_cue_clock_t *c, uint64_t key, int64_t deadline_ns);
/* Sets the socket of a target (fd -1 for none); the previous fd is reported
 * back with SC_REPORT_SOCKET once the clock no longer uses it. */
bool sc_clock_set_socket(sc_cue_clock_t *c, int target, int fd);

/* Takes up to max reports; returns how many. */
size_t sc_clock_poll(sc_cue_clock_t *c, sc_report_t *out, size_t max);

/* Figures for the benchmark and the log. */
typedef struct {
    bool realtime;     /* SCHED_FIFO was granted */
    int64_t window_ns; /* the current early-wake window */
    uint64_t sent, failed, cancelled, woke;
    int64_t worst_wake_late_ns; /* worst timerfd wake-up after its time */
} sc_clock_stats_t;

void sc_clock_stats(sc_cue_clock_t *c, sc_clock_stats_t *out);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t sc_mono_ns(void);

/* Sends one packet on a socket the way the clock does (no signal, no block).
 * Returns 0 or an errno. Safe from any thread: the loop uses it for the
 * immediate cues of a GO, so they take no hop between threads. */
int sc_clock_send_now(int fd, const uint8_t *bytes, size_t len);

#endif
