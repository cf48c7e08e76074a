/* Cue payloads: the "osc", "ws", "obs", "http" and "tcp" members of cues and target panics. */
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

/* The payload keys, one per kind of message (payload.c's table): "osc",
 * "ws", "obs", "http", "tcp". A new kind of message is a row there. */
#define RD_PAYLOAD_KINDS_MAX 8

/* The key of a payload kind ("osc"), or "?". */
const char *rd_payload_key(rd_payload_kind_t kind);

/* "an \"osc\" payload", for messages. */
const char *rd__payload_phrase(rd_payload_kind_t kind);

/* "\"osc\" or \"ws\"": every key, for messages. */
void rd__payload_key_list(char *buf, size_t len);

/* base (NULL-terminated, or NULL) followed by every payload key and NULL,
 * in out (cap entries), for rd__check_fields. */
void rd__payload_fields(const char *const *base, const char **out, size_t cap);

/* Parses the payload member of parent (exactly one must be present)
 * into *out, which the caller frees with rd_payload_free() whatever the
 * result. Every problem is reported to d under path. Returns true when the
 * payload is valid. */
bool rd__parse_payload(const json_t *parent, const char *path, rd_payload_t *out, rd_diags_t *d);

/* Bytes the OSC message takes on the wire (without TCP framing). */
size_t rd_osc_encoded_size(const rd_osc_msg_t *msg);

#endif
