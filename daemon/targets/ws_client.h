/* The websocket client under websocket and OBS targets: one lws connection per target, kept up,
 * cues queued for lws's writeable turn, and a dialect for what rides on top. */
#ifndef SC_WS_CLIENT_H
#define SC_WS_CLIENT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "awaiting.h"
#include "backoff.h"
#include "target.h"

typedef struct sc_wsc sc_wsc_t;

/* What a protocol on top of plain websocket adds (obs-websocket); every
 * member may be NULL. */
typedef struct {
    /* The upgrade is done. True: cues may go now. False: the dialect has its
     * own handshake and calls sc_wsc_ready when it is done. */
    bool (*established)(sc_wsc_t *w);
    /* One whole text message from the device (at most SC_WSC_RX_MAX bytes;
     * longer ones arrive cut). */
    void (*message)(sc_wsc_t *w, const char *text, size_t len);
    /* A cue's wire message: its pre-encoded bytes wrapped for this send
     * (obs: the request's envelope with its requestId), into out (LWS_PRE
     * bytes of room first, owned by the caller); NULL uses them as they are. */
    uint8_t *(*frame)(sc_wsc_t *w, uint64_t key, const uint8_t *bytes, size_t len, size_t *out_len);
    /* The device closed with code and reason: the words for the screens. */
    void (*closed_by_device)(sc_wsc_t *w, int code, const char *reason, char *why, size_t cap);
} sc_wsc_dialect_t;

#define SC_WSC_QUEUE 64
#define SC_WSC_RX_MAX 65536

typedef struct {
    uint64_t key; /* 0: the dialect's own message, reported to nobody */
    uint8_t *buf; /* LWS_PRE + len: client frames are masked in place, so each has its copy */
    size_t len;
} sc_wsc_queued_t;

struct sc_wsc {
    sc_target_t *o;
    const sc_wsc_dialect_t *d;
    void *dialect_state; /* the dialect's */
    struct lws *wsi;
    uv_timer_t retry;
    sc_backoff_t backoff;
    sc_awaiting_t waits; /* sends awaiting answers (sc_target_awaits) */
    bool established;    /* the websocket is up (its dialect may still be shaking hands) */
    bool ready;          /* cues may go */
    bool closing;
    int open_parts;
    char host_header[300];
    char down_why[160]; /* set by the dialect before the connection ends */
    sc_wsc_queued_t q[SC_WSC_QUEUE];
    size_t head, n;
    char *rx; /* a message being assembled */
    size_t rx_len;
};

/* The lws callback every websocket-based kind's protocol uses. */
int sc_wsc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len);

/* The kind's open, send and close, with its dialect (NULL for plain). */
int sc_wsc_open(sc_target_t *o, const sc_wsc_dialect_t *d);
int sc_wsc_send(sc_target_t *o, uint64_t key, const uint8_t *bytes, size_t len, int64_t *sent_mono);
void sc_wsc_close(sc_target_t *o);

/* The dialect's own message (a handshake step), queued before any cue. */
bool sc_wsc_write(sc_wsc_t *w, const char *text, size_t len);

/* The dialect's handshake is done: cues may go. */
void sc_wsc_ready(sc_wsc_t *w);

/* Drops the connection with the words for the screens; it is retried. */
void sc_wsc_fail(sc_wsc_t *w, const char *why);

#endif
