/* Cue payloads: the "osc" and "ws" objects of cues and target panics. */
#ifndef RD_PAYLOAD_H
#define RD_PAYLOAD_H

#include <jansson.h>
#include <stdbool.h>

#include "diag.h"
#include "model.h"

/* The largest OSC message a payload may encode to, so that it fits one UDP
 * datagram on any network. */
#define RD_OSC_MAX_BYTES 65000

/* The largest websocket text a payload may carry. */
#define RD_WS_MAX_BYTES 65536

/* Parses the "osc" or "ws" member of parent (exactly one must be present)
 * into *out, which the caller frees with rd_payload_free() whatever the
 * result. Every problem is reported to d under path. Returns true when the
 * payload is valid. */
bool rd__parse_payload(const json_t *parent, const char *path, rd_payload_t *out, rd_diags_t *d);

/* Bytes the OSC message takes on the wire (without TCP framing). */
size_t rd_osc_encoded_size(const rd_osc_msg_t *msg);

#endif
