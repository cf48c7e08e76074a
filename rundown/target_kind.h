/* The kinds of cue target: one descriptor per kind, the one place the library knows them. */
#ifndef RD_TARGET_KIND_H
#define RD_TARGET_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* What the config parser, the linker and --check need to know of a kind; the
 * daemon's half (how to encode and send) is its file in daemon/targets/. A
 * new kind is a value of rd_target_kind_t, one row in rd_target_kinds and
 * that file. */
typedef struct {
    rd_target_kind_t kind;
    const char *name;               /* "osc.udp": the as-run's protocol, the state's kind */
    const char *scheme;             /* "osc.udp://" */
    const char *url_form;           /* "osc.udp://HOST:PORT", for the "not a target URL" error */
    const char *example;            /* "osc.udp://127.0.0.1:9001", for a bad host or port */
    const char *noun;               /* "an OSC target", in errors */
    rd_payload_kind_t payload;      /* the message its cues and its panic carry */
    bool path;                      /* its URL may have a path ("/" when none is given) */
    int default_port;               /* when the URL gives none; 0: it must */
    bool framing;                   /* "framing" applies */
    rd_answer_mode_t answers;       /* what its device answers unless told ("answer") */
    rd_answer_mode_t answer_choice; /* what "answer" may ask for; RD_ANSWER_NONE: it cannot */
    bool password;                  /* "password" applies */
    bool eol;                       /* "eol" applies */
    bool tls;                       /* its connection is TLS; "ca" applies */
} rd_target_kind_info_t;

/* "line" or "message": the "answer" value that asks for mode; NULL for none. */
const char *rd_answer_mode_name(rd_answer_mode_t mode);

extern const rd_target_kind_info_t rd_target_kinds[];
extern const size_t rd_ntarget_kinds;

/* The descriptor of a kind; NULL only for a value outside the enum. */
const rd_target_kind_info_t *rd_target_kind_info(rd_target_kind_t kind);

#endif
