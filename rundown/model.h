/* The show's model: a rundown of items and cues, and the config with its targets. */
#ifndef RD_MODEL_H
#define RD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timefmt.h"

/* ---- Payloads ---------------------------------------------------------- */

/* One OSC argument. tag is the OSC type tag character. */
typedef struct {
    char tag; /* i h f d s S c T F N I m b */
    union {
        int32_t i;
        int64_t h;
        float f;
        double d;
        char *s;      /* s, S: owned, NUL-terminated */
        uint32_t c;   /* c: the character */
        uint8_t m[4]; /* m: MIDI port, status, data1, data2 */
        struct {
            uint8_t *data; /* owned */
            size_t len;
        } b;
    } v;
} rd_osc_arg_t;

typedef struct {
    char *address;      /* owned, starts with '/' */
    char *types;        /* owned: one tag per argument, without the leading ',' */
    rd_osc_arg_t *args; /* owned array of strlen(types) */
    size_t nargs;
} rd_osc_msg_t;

typedef enum {
    RD_PAYLOAD_NONE = 0,
    RD_PAYLOAD_OSC = 1,
    RD_PAYLOAD_WS = 2,
    RD_PAYLOAD_OBS = 3,
    RD_PAYLOAD_HTTP = 4,
    RD_PAYLOAD_TCP = 5,
} rd_payload_kind_t;

/* An obs-websocket v5 request. */
typedef struct {
    char *request; /* owned: the requestType */
    char *data;    /* owned: requestData as compact JSON, or NULL */
} rd_obs_request_t;

/* An HTTP request; the target's URL gives the host and a base path. */
typedef struct {
    char *method;   /* owned: "GET", "POST" or "PUT" */
    char *path;     /* owned: starts with '/', may carry a query */
    char **headers; /* owned array of owned "Name: value" lines */
    size_t nheaders;
    char *body;               /* owned, or NULL for none */
    const char *content_type; /* static: the body's type when the headers give none, or NULL */
} rd_http_request_t;

/* What a cue (or a target's panic) sends. */
typedef struct {
    rd_payload_kind_t kind;
    rd_osc_msg_t osc;       /* when kind == RD_PAYLOAD_OSC */
    char *ws_text;          /* RD_PAYLOAD_WS: owned, the exact text frame;
                             * RD_PAYLOAD_TCP: owned, the line without its end */
    rd_obs_request_t obs;   /* when kind == RD_PAYLOAD_OBS */
    rd_http_request_t http; /* when kind == RD_PAYLOAD_HTTP */
} rd_payload_t;

/* ---- Rundown ----------------------------------------------------------- */

typedef enum {
    RD_START_GO = 0,     /* waits for the operator's GO */
    RD_START_FOLLOW = 1, /* starts at the previous item's planned end */
    RD_START_TIME = 2,   /* starts at a time of day */
} rd_start_rule_t;

typedef struct {
    char *id; /* owned; given or generated, unique in the rundown */
    bool id_generated;
    char *label; /* owned, may be NULL */
    rd_anchor_t anchor;
    int64_t offset_ns; /* from the item's start or planned end; may be negative */
    char *target;      /* owned: the target's name */
    int target_index;  /* into rd_config_t.targets once linked, else -1 */
    rd_payload_t payload;
} rd_cue_t;

typedef struct {
    char *id; /* owned; given or generated, unique in the rundown */
    bool id_generated;
    char *title;  /* owned */
    char *notes;  /* owned, may be NULL */
    char *script; /* owned, may be NULL */
    rd_start_rule_t start;
    int64_t start_tod_ns; /* RD_START_TIME: ns after midnight of the show's date,
                           * plus a day when earlier than on_air */
    int64_t duration_ns;
    int64_t warn_ns;     /* remaining time at which the countdown warns; 0 = none */
    int64_t critical_ns; /* remaining time at which it turns critical; 0 = none */
    bool has_warn;       /* the item gave "warn" (else linking takes the config's default) */
    bool has_critical;   /* ... and "critical" */
    rd_cue_t *cues;      /* owned array */
    size_t ncues;
} rd_item_t;

typedef struct {
    char *title; /* owned */
    bool has_date;
    int year, month, day;
    bool has_on_air;
    bool on_air_implied; /* no on_air given: taken from the first item's hard start */
    int64_t on_air_ns;   /* ns after midnight of the show's date */
    bool has_off_air;
    int64_t off_air_ns; /* ns after midnight; plus a day when earlier than on_air */
    int fps;
    rd_item_t *items; /* owned array */
    size_t nitems;
} rd_rundown_t;

/* ---- Config ------------------------------------------------------------ */

typedef enum {
    RD_TARGET_OSC_UDP = 0,
    RD_TARGET_OSC_TCP = 1,
    RD_TARGET_WS = 2,
    RD_TARGET_OBS = 3,
    RD_TARGET_HTTP = 4,
    RD_TARGET_TCP = 5,
    RD_TARGET_HTTPS = 6,
} rd_target_kind_t;

/* What a target's device sends back, for kinds where it is a choice. */
typedef enum {
    RD_ANSWER_NONE = 0,    /* nothing is awaited */
    RD_ANSWER_LINE = 1,    /* tcp: the next line is the oldest cue's answer */
    RD_ANSWER_MESSAGE = 2, /* ws: the next message is the oldest cue's answer */
    RD_ANSWER_ALWAYS = 3,  /* obs, http: the protocol answers every request */
} rd_answer_mode_t;

typedef enum {
    RD_FRAMING_LENGTH = 0, /* OSC 1.0 TCP: int32 big-endian length prefix */
    RD_FRAMING_SLIP = 1,   /* OSC 1.1 TCP: SLIP (RFC 1055) double-END framing */
} rd_framing_t;

typedef struct {
    char *name; /* owned */
    char *url;  /* owned, as written */
    rd_target_kind_t kind;
    char *host; /* owned */
    int port;
    char *path; /* owned: "/" for websocket targets without a path; NULL for OSC */
    int64_t latency_ns;
    rd_framing_t framing;
    rd_payload_t panic;      /* kind RD_PAYLOAD_NONE when there is none */
    rd_answer_mode_t answer; /* what the device answers (the kind's default or "answer") */
    int64_t timeout_ns;      /* how long an answer may take (default 1 s) */
    char *password;          /* owned, obs only: NULL for none */
    char *eol;               /* owned, tcp only: what ends each line sent ("\r\n") */
    bool tls;                /* https: the connection is TLS */
    char *ca; /* owned, https only: a PEM file of the CAs to trust; NULL: the system's */
} rd_target_t;

typedef struct {
    char *host; /* owned: an IPv4 or IPv6 address, or "0.0.0.0" */
    int port;
} rd_listen_t;

/* HTTPS and WSS for the web server (http.tls). The paths are kept as
 * written: like data_dir, a relative one is taken from the daemon's working
 * directory. The library only parses them; the daemon reads the files. */
typedef struct {
    char *cert; /* owned: the PEM certificate (or chain); NULL when TLS is off */
    char *key;  /* owned: the PEM private key; NULL when TLS is off */
} rd_tls_t;

typedef struct {
    rd_listen_t http;
    rd_tls_t http_tls; /* both NULL: plain HTTP and ws:// */
    rd_listen_t osc;
    char **osc_allow; /* owned array of owned address strings */
    size_t nosc_allow;
    char *data_dir; /* owned */
    int64_t go_guard_ns;
    int64_t default_warn_ns;     /* defaults.warn: for items that give none; 0 = none */
    int64_t default_critical_ns; /* defaults.critical */
    bool realtime;               /* run the cue clock with SCHED_FIFO when permitted */
    int max_clients;             /* websocket clients at once */
    int max_message_bytes;       /* the largest websocket message a client may send */
    int commands_per_second;     /* per websocket client and per HTTP/OSC address, burst 2x */
    char *control_token;         /* owned, NULL when none is configured */
    char *view_token;            /* owned, NULL when none is configured */
    rd_target_t *targets;        /* owned array */
    size_t ntargets;
} rd_config_t;

/* Frees everything the struct owns and zeroes it. Safe on a zeroed struct. */
void rd_rundown_free(rd_rundown_t *r);
void rd_config_free(rd_config_t *c);
void rd_payload_free(rd_payload_t *p);

/* The config's defaults, before a file is read. */
void rd_config_defaults(rd_config_t *c);

/* Index of the item or target with this id or name, or -1. */
int rd_rundown_find_item(const rd_rundown_t *r, const char *id);
int rd_config_find_target(const rd_config_t *c, const char *name);

/* Finds a cue by id; returns it (borrowed) and sets *item_index, or NULL. */
const rd_cue_t *rd_rundown_find_cue(const rd_rundown_t *r, const char *id, int *item_index);

const char *rd_start_rule_name(rd_start_rule_t rule);

/* A move of a whole rundown in time: to another date, and every time of day
 * (on_air, off_air, hard starts) by delta_ns. The demo runs this way, so its
 * first hard start comes a couple of minutes after start-up on any day. */
typedef struct {
    int year, month, day;                /* the new date */
    int from_year, from_month, from_day; /* the rundown's own; 0 when it had none */
    int64_t delta_ns;
} rd_shift_t;

/* Moves r (parsed, not yet linked or planned) as s says. */
void rd_rundown_shift(rd_rundown_t *r, const rd_shift_t *s);

/* The delta that puts r's first time (on_air, else its first hard start) at
 * target_tod_ns; 0 when r has no time of day. */
int64_t rd_rundown_shift_to(const rd_rundown_t *r, int64_t target_tod_ns);
const char *rd_target_kind_name(rd_target_kind_t kind);

#endif
