/* OBS targets: obs-websocket v5 over the websocket client. Hello, Identify (with the password's
 * challenge when OBS asks, rpcVersion 1, no events), then each cue is a Request whose
 * RequestResponse is its answer. */
#include "obs.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ws_client.h"
#include "xalloc.h"

#define PROTOCOL "showcaller-obs"
#define REQUEST_ID "sc-"

/* obs-websocket's opcodes (protocol v5). */
enum { OP_HELLO = 0, OP_IDENTIFY = 1, OP_IDENTIFIED = 2, OP_REQUEST = 6, OP_REQUEST_RESPONSE = 7 };

static void b64_sha256(const char *s, char *out, size_t cap)
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)s, strlen(s), d);
    unsigned char b[48];
    EVP_EncodeBlock(b, d, sizeof d);
    snprintf(out, cap, "%s", (const char *)b);
}

void sc_obs_auth(const char *password, const char *salt, const char *challenge, char *out,
                 size_t cap)
{
    char secret[64];
    char *a = rd_xasprintf("%s%s", password, salt);
    b64_sha256(a, secret, sizeof secret);
    free(a);
    char *b = rd_xasprintf("%s%s", secret, challenge);
    b64_sha256(b, out, cap);
    free(b);
}

/* The handshake waits for OBS's Hello. */
static bool obs_established(sc_wsc_t *w)
{
    (void)w;
    return false;
}

static void hello(sc_wsc_t *w, const json_t *d)
{
    const json_t *auth = json_object_get(d, "authentication");
    json_t *id = json_pack("{s:i, s:i}", "rpcVersion", 1, "eventSubscriptions", 0);
    if (auth) {
        const char *salt = json_string_value(json_object_get(auth, "salt"));
        const char *challenge = json_string_value(json_object_get(auth, "challenge"));
        if (!w->o->conf->password) {
            json_decref(id);
            sc_wsc_fail(w, "OBS asks for a password: give the target a \"password\"");
            return;
        }
        char secret[64];
        sc_obs_auth(w->o->conf->password, salt ? salt : "", challenge ? challenge : "", secret,
                    sizeof secret);
        json_object_set_new(id, "authentication", json_string(secret));
    }
    json_t *msg = json_pack("{s:i, s:o}", "op", OP_IDENTIFY, "d", id);
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (text)
        sc_wsc_write(w, text, strlen(text));
    free(text);
}

/* A RequestResponse: our requestId names the cue's key. */
static void response(sc_wsc_t *w, const json_t *d)
{
    const char *rid = json_string_value(json_object_get(d, "requestId"));
    if (!rid || strncmp(rid, REQUEST_ID, strlen(REQUEST_ID)) != 0)
        return;
    uint64_t key = strtoull(rid + strlen(REQUEST_ID), NULL, 10);
    const json_t *st = json_object_get(d, "requestStatus");
    bool ok = json_is_true(json_object_get(st, "result"));
    json_int_t code = json_integer_value(json_object_get(st, "code"));
    const char *comment = json_string_value(json_object_get(st, "comment"));
    char detail[256];
    snprintf(detail, sizeof detail, "%" JSON_INTEGER_FORMAT "%s%s", code, comment ? ": " : "",
             comment ? comment : "");
    sc_awaiting_answer_key(&w->waits, key, ok ? SC_ANSWER_OK : SC_ANSWER_ERROR, detail);
}

static void obs_message(sc_wsc_t *w, const char *text, size_t len)
{
    json_t *m = json_loadb(text, len, 0, NULL);
    const json_t *d = json_object_get(m, "d");
    switch (json_integer_value(json_object_get(m, "op"))) {
    case OP_HELLO:
        if (!w->ready)
            hello(w, d);
        break;
    case OP_IDENTIFIED:
        sc_info("target %s: OBS identified us (rpcVersion %" JSON_INTEGER_FORMAT ")",
                w->o->conf->name, json_integer_value(json_object_get(d, "negotiatedRpcVersion")));
        sc_wsc_ready(w);
        break;
    case OP_REQUEST_RESPONSE:
        response(w, d);
        break;
    default: /* events: we subscribe to none */
        break;
    }
    json_decref(m);
}

/* {"op":6,"d":{"requestId":"sc-KEY", + the cue's pre-encoded rest. */
static uint8_t *obs_frame(sc_wsc_t *w, uint64_t key, const uint8_t *bytes, size_t len,
                          size_t *out_len)
{
    (void)w;
    char head[64];
    int n = snprintf(head, sizeof head, "{\"op\":%d,\"d\":{\"requestId\":\"" REQUEST_ID "%llu\",",
                     OP_REQUEST, (unsigned long long)key);
    uint8_t *buf = rd_xcalloc(LWS_PRE + (size_t)n + len + 1, 1);
    memcpy(buf + LWS_PRE, head, (size_t)n);
    memcpy(buf + LWS_PRE + n, bytes, len);
    *out_len = (size_t)n + len;
    return buf;
}

/* obs-websocket's close codes (WebSocketCloseCode) in words. */
static void obs_closed(sc_wsc_t *w, int code, const char *reason, char *why, size_t cap)
{
    (void)w;
    const char *what = code == 4009   ? "OBS refused the password"
                       : code == 4010 ? "OBS does not speak rpcVersion 1"
                       : code == 4011 ? "OBS is shutting down"
                                      : "closed by OBS";
    snprintf(why, cap, "%s (%d%s%s)", what, code, reason[0] ? ": " : "", reason);
}

static const sc_wsc_dialect_t obs_dialect = {
    .established = obs_established,
    .message = obs_message,
    .frame = obs_frame,
    .closed_by_device = obs_closed,
};

static const struct lws_protocols obs_protocol = {PROTOCOL, sc_wsc_callback, 0, 4096, 0, NULL, 0};

static int obs_open(sc_target_t *o)
{
    return sc_wsc_open(o, &obs_dialect);
}

/* The request's type and data, once: the envelope and requestId go on at
 * each send (obs_frame). */
static bool obs_encode(const rd_payload_t *p, const rd_target_t *conf, uint8_t **out, size_t *len)
{
    (void)conf;
    *out = NULL;
    *len = 0;
    if (p->kind != RD_PAYLOAD_OBS || !p->obs.request)
        return false;
    json_t *type = json_string(p->obs.request);
    char *t = json_dumps(type, JSON_ENCODE_ANY);
    json_decref(type);
    char *s = rd_xasprintf("\"requestType\":%s%s%s}}", t, p->obs.data ? ",\"requestData\":" : "",
                           p->obs.data ? p->obs.data : "");
    free(t);
    *out = (uint8_t *)s;
    *len = strlen(s);
    return true;
}

const sc_target_ops_t sc_target_obs = {
    .kind = RD_TARGET_OBS,
    .clock_sends = false,
    .answers = true,
    .lws_protocol = &obs_protocol,
    .encode = obs_encode,
    .open = obs_open,
    .send = sc_wsc_send,
    .close = sc_wsc_close,
};
