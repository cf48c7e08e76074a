/* OSC encoding: big-endian fields padded to 4 bytes, and the two TCP framings. */
#include "osc_encode.h"

#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "xalloc.h"

#define SLIP_END 0xC0
#define SLIP_ESC 0xDB
#define SLIP_ESC_END 0xDC
#define SLIP_ESC_ESC 0xDD

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow;
} writer_t;

static void put(writer_t *w, const void *p, size_t n)
{
    if (w->overflow || w->len + n > w->cap) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put_u32(writer_t *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 4);
}

static void put_u64(writer_t *w, uint64_t v)
{
    put_u32(w, (uint32_t)(v >> 32));
    put_u32(w, (uint32_t)v);
}

static void pad(writer_t *w)
{
    static const uint8_t zeros[4] = {0};
    size_t rem = w->len % 4;
    if (rem)
        put(w, zeros, 4 - rem);
}

/* An OSC string: the bytes, a NUL, then NULs up to a multiple of 4. */
static void put_string(writer_t *w, const char *s)
{
    put(w, s, strlen(s) + 1);
    pad(w);
}

size_t sc_osc_encode(const rd_osc_msg_t *msg, uint8_t *buf, size_t cap)
{
    writer_t w = {buf, cap, 0, 0};
    put_string(&w, msg->address);
    uint8_t comma = ',';
    put(&w, &comma, 1);
    put_string(&w, msg->types);
    for (size_t i = 0; i < msg->nargs; i++) {
        const rd_osc_arg_t *a = &msg->args[i];
        switch (a->tag) {
        case 'i':
            put_u32(&w, (uint32_t)a->v.i);
            break;
        case 'h':
            put_u64(&w, (uint64_t)a->v.h);
            break;
        case 'f': {
            uint32_t u;
            memcpy(&u, &a->v.f, 4);
            put_u32(&w, u);
            break;
        }
        case 'd': {
            uint64_t u;
            memcpy(&u, &a->v.d, 8);
            put_u64(&w, u);
            break;
        }
        case 's':
        case 'S':
            put_string(&w, a->v.s);
            break;
        case 'c':
            put_u32(&w, a->v.c);
            break;
        case 'm':
            put(&w, a->v.m, 4);
            break;
        case 'b':
            put_u32(&w, (uint32_t)a->v.b.len);
            put(&w, a->v.b.data, a->v.b.len);
            pad(&w);
            break;
        default: /* T F N I carry no data */
            break;
        }
    }
    return w.overflow ? 0 : w.len;
}

size_t sc_osc_frame_max(rd_framing_t framing, size_t len)
{
    return framing == RD_FRAMING_SLIP ? 2 * len + 2 : len + 4;
}

size_t sc_osc_frame(rd_framing_t framing, const uint8_t *packet, size_t len, uint8_t *out,
                    size_t cap)
{
    writer_t w = {out, cap, 0, 0};
    if (framing == RD_FRAMING_LENGTH) {
        put_u32(&w, (uint32_t)len);
        put(&w, packet, len);
        return w.overflow ? 0 : w.len;
    }
    static const uint8_t end = SLIP_END, esc_end[2] = {SLIP_ESC, SLIP_ESC_END},
                         esc_esc[2] = {SLIP_ESC, SLIP_ESC_ESC};
    put(&w, &end, 1);
    for (size_t i = 0; i < len; i++) {
        if (packet[i] == SLIP_END)
            put(&w, esc_end, 2);
        else if (packet[i] == SLIP_ESC)
            put(&w, esc_esc, 2);
        else
            put(&w, &packet[i], 1);
    }
    put(&w, &end, 1);
    return w.overflow ? 0 : w.len;
}

bool sc_osc_encode_payload(const rd_payload_t *p, bool stream, rd_framing_t framing, uint8_t **out,
                           size_t *len)
{
    *out = NULL;
    *len = 0;
    if (p->kind != RD_PAYLOAD_OSC)
        return false;
    size_t n = rd_osc_encoded_size(&p->osc);
    uint8_t *raw = rd_xcalloc(n, 1);
    if (sc_osc_encode(&p->osc, raw, n) != n) {
        free(raw);
        return false;
    }
    if (!stream) {
        *out = raw;
        *len = n;
        return true;
    }
    size_t cap = sc_osc_frame_max(framing, n);
    uint8_t *framed = rd_xcalloc(cap, 1);
    *len = sc_osc_frame(framing, raw, n, framed, cap);
    free(raw);
    if (*len == 0) {
        free(framed);
        return false;
    }
    *out = framed;
    return true;
}
