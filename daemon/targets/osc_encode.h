/* OSC encoding: a rundown OSC message to the bytes that go on the wire, done before show time. */
#ifndef SC_OSC_ENCODE_H
#define SC_OSC_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Encodes msg as an OSC 1.0 message into buf (cap bytes). Returns the
 * length, or 0 when it does not fit. Pure: no allocation. */
size_t sc_osc_encode(const rd_osc_msg_t *msg, uint8_t *buf, size_t cap);

/* Frames an encoded packet for a stream (OSC over TCP): a big-endian int32
 * length prefix (OSC 1.0, liblo and SuperCollider), or SLIP with an END byte
 * at both ends (OSC 1.1, osc.js and Pure Data). Returns the framed length,
 * or 0 when it does not fit in cap. */
size_t sc_osc_frame(rd_framing_t framing, const uint8_t *packet, size_t len, uint8_t *out,
                    size_t cap);

/* The largest framed size of a packet of len bytes (SLIP can double it). */
size_t sc_osc_frame_max(rd_framing_t framing, size_t len);

/* An "osc" payload as the wire carries it: the packet (stream false, for
 * UDP), or the packet framed (stream true, for TCP). *out is allocated (the
 * caller frees it). False for a payload that is not OSC or does not encode. */
bool sc_osc_encode_payload(const rd_payload_t *p, bool stream, rd_framing_t framing, uint8_t **out,
                           size_t *len);

#endif
