/* TCP text targets (CasparCG AMCP, HyperDeck, any line protocol): a kept-up connection, each cue
 * one line written at its deadline; with "answer": "line" the device's next answer is the oldest
 * cue's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awaiting.h"
#include "clock/cue_clock.h"
#include "line_answer.h"
#include "log.h"
#include "stream.h"
#include "xalloc.h"

typedef struct {
    sc_target_t *o;
    sc_stream_t s;
    sc_awaiting_t waits;
    sc_lines_t lines;
    uint64_t unasked; /* answers that came with no cue waiting */
    int open_parts;
} tcp_text_t;

/* A whole answer from the device: the oldest waiting cue's, or, when none
 * waits (a greeting, a notification), logged and tied to nothing. */
static void on_answer(void *ctx, const char *text, sc_answer_kind_t kind)
{
    tcp_text_t *t = ctx;
    if (t->o->conf->answer == RD_ANSWER_LINE && sc_awaiting_answer_oldest(&t->waits, kind, text))
        return;
    /* The first ones in full, then one in a hundred: a chatty device does
     * not fill the log. */
    if (++t->unasked <= 20 || t->unasked % 100 == 0)
        sc_info("target %s said (unasked%s): %s", t->o->conf->name,
                t->unasked > 20 ? ", one in 100 logged" : "", text);
}

static void on_connected(sc_stream_t *s)
{
    tcp_text_t *t = s->ctx;
    sc_lines_reset(&t->lines);
}

static void on_data(sc_stream_t *s, const char *buf, size_t n)
{
    tcp_text_t *t = s->ctx;
    sc_lines_feed(&t->lines, buf, n, on_answer, t);
}

/* A line that waited for the connection has gone (or never will). */
static void on_sent(sc_stream_t *s, uint64_t key, int err, int64_t sent_mono)
{
    tcp_text_t *t = s->ctx;
    if (!err && t->o->conf->answer == RD_ANSWER_LINE)
        sc_awaiting_push(&t->waits, key, sent_mono);
    sc_target_done(t->o, key, err, sent_mono);
}

/* An answer overdue: a line protocol has no request ids, so a late answer
 * would be taken for the next cue's. The connection starts again instead
 * (what comes late is read on the old one and dropped); the next cue waits
 * for the new one. */
static void on_timed_out(sc_target_t *o)
{
    tcp_text_t *t = o->impl;
    sc_stream_drop(&t->s, "the device did not answer in time");
}

static void on_lost(sc_stream_t *s, const char *why)
{
    tcp_text_t *t = s->ctx;
    char detail[192];
    snprintf(detail, sizeof detail, "no answer: the connection ended (%s)", why);
    sc_awaiting_answer_all(&t->waits, SC_ANSWER_ERROR, detail);
}

static void part_closed(tcp_text_t *t)
{
    if (--t->open_parts > 0)
        return;
    t->o->closed = true;
    t->o->impl = NULL;
    free(t);
}

static void on_stream_closed(sc_stream_t *s)
{
    part_closed(s->ctx);
}

static void on_waits_closed(sc_target_t *o)
{
    part_closed(o->impl);
}

static const sc_stream_cb_t stream_cb = {.connected = on_connected,
                                         .data = on_data,
                                         .lost = on_lost,
                                         .closed = on_stream_closed,
                                         .sent = on_sent};

static int tcp_text_open(sc_target_t *o)
{
    tcp_text_t *t = rd_xcalloc(1, sizeof *t);
    t->o = o;
    o->impl = t;
    int err = sc_stream_open(&t->s, o, &stream_cb, t);
    if (err) {
        free(t);
        o->impl = NULL;
        o->closed = true;
        return err;
    }
    sc_awaiting_init(&t->waits, o);
    t->waits.timed_out = on_timed_out;
    t->open_parts = 2;
    return 0;
}

static int tcp_text_send(sc_target_t *o, uint64_t key, const uint8_t *bytes, size_t len,
                         int64_t *sent_mono)
{
    tcp_text_t *t = o->impl;
    if (!t)
        return ENOTCONN;
    int err = sc_stream_send(&t->s, key, (const char *)bytes, len, sent_mono);
    if (!err && o->conf->answer == RD_ANSWER_LINE)
        sc_awaiting_push(&t->waits, key, *sent_mono);
    return err;
}

static void tcp_text_close(sc_target_t *o)
{
    tcp_text_t *t = o->impl;
    if (!t) {
        o->closed = true;
        return;
    }
    sc_awaiting_close(&t->waits, on_waits_closed);
    sc_stream_close(&t->s);
}

/* The line and the target's end of line. */
static bool tcp_text_encode(const rd_payload_t *p, const rd_target_t *conf, uint8_t **out,
                            size_t *len)
{
    *out = NULL;
    *len = 0;
    if (p->kind != RD_PAYLOAD_TCP || !p->ws_text)
        return false;
    char *s = rd_xasprintf("%s%s", p->ws_text, conf->eol ? conf->eol : "\r\n");
    *out = (uint8_t *)s;
    *len = strlen(s);
    return true;
}

const sc_target_ops_t sc_target_tcp = {
    .kind = RD_TARGET_TCP,
    .clock_sends = false,
    .encode = tcp_text_encode,
    .open = tcp_text_open,
    .send = tcp_text_send,
    .close = tcp_text_close,
};
