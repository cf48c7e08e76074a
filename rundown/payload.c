/* Cue payloads: OSC messages with typed arguments, websocket texts, obs-websocket and HTTP
 * requests, text lines. */
#include "payload.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fields.h"
#include "xalloc.h"

static const char *const osc_fields[] = {"address", "types", "args", NULL};
static const char OSC_TAGS[] = "ihfdsScTFNImb";

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

size_t rd_osc_encoded_size(const rd_osc_msg_t *msg)
{
    size_t n = pad4(strlen(msg->address) + 1) + pad4(strlen(msg->types) + 2);
    for (size_t i = 0; i < msg->nargs; i++) {
        const rd_osc_arg_t *a = &msg->args[i];
        switch (a->tag) {
        case 'i':
        case 'f':
        case 'c':
        case 'm':
            n += 4;
            break;
        case 'h':
        case 'd':
            n += 8;
            break;
        case 's':
        case 'S':
            n += pad4(strlen(a->v.s) + 1);
            break;
        case 'b':
            n += 4 + pad4(a->v.b.len);
            break;
        default: /* T F N I carry no data */
            break;
        }
    }
    return n;
}

static bool valid_address(const char *addr, const char *path, rd_diags_t *d)
{
    if (addr[0] != '/') {
        rd_diag_add(d, RD_ERROR, path, "OSC address \"%s\" must start with '/'", addr);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == '#' || *p == ',') {
            rd_diag_add(d, RD_ERROR, path,
                        "OSC address \"%s\" may contain only printable ASCII without spaces, "
                        "'#' or ','",
                        addr);
            return false;
        }
    }
    return true;
}

/* The tag a JSON value gets when the cue gives no "types". */
static char infer_tag(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER: {
        json_int_t n = json_integer_value(v);
        return (n >= INT32_MIN && n <= INT32_MAX) ? 'i' : 'h';
    }
    case JSON_REAL:
        return 'f';
    case JSON_STRING:
        return 's';
    case JSON_TRUE:
        return 'T';
    case JSON_FALSE:
        return 'F';
    case JSON_NULL:
        return 'N';
    default:
        return 0;
    }
}

static bool byte_array(const json_t *v, size_t want, uint8_t *out, size_t *len)
{
    if (!json_is_array(v) || (want && json_array_size(v) != want))
        return false;
    size_t i;
    json_t *e;
    json_array_foreach (v, i, e) {
        if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > 255)
            return false;
        if (out)
            out[i] = (uint8_t)json_integer_value(e);
    }
    if (len)
        *len = json_array_size(v);
    return true;
}

/* Converts one JSON value to an argument of the given tag. */
static bool convert_arg(char tag, const json_t *v, const char *path, rd_osc_arg_t *a, rd_diags_t *d)
{
    a->tag = tag;
    switch (tag) {
    case 'i':
        if (json_is_integer(v) && json_integer_value(v) >= INT32_MIN &&
            json_integer_value(v) <= INT32_MAX) {
            a->v.i = (int32_t)json_integer_value(v);
            return true;
        }
        if (json_is_integer(v)) {
            rd_diag_add(d, RD_ERROR, path,
                        "type tag 'i' is a 32-bit integer; %lld does not fit (use 'h')",
                        (long long)json_integer_value(v));
            return false;
        }
        break;
    case 'h':
        if (json_is_integer(v)) {
            a->v.h = json_integer_value(v);
            return true;
        }
        break;
    case 'f':
        if (json_is_number(v)) {
            a->v.f = (float)json_number_value(v);
            return true;
        }
        break;
    case 'd':
        if (json_is_number(v)) {
            a->v.d = json_number_value(v);
            return true;
        }
        break;
    case 's':
    case 'S':
        if (json_is_string(v)) {
            a->v.s = rd_xstrdup(json_string_value(v));
            return true;
        }
        break;
    case 'c':
        if (json_is_string(v) && json_string_length(v) == 1 &&
            (unsigned char)json_string_value(v)[0] < 0x80) {
            a->v.c = (unsigned char)json_string_value(v)[0];
            return true;
        }
        if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 255) {
            a->v.c = (uint32_t)json_integer_value(v);
            return true;
        }
        rd_diag_add(d, RD_ERROR, path,
                    "type tag 'c' needs one ASCII character or a number 0-255, not %s",
                    rd__json_kind(v));
        return false;
    case 'T':
        if (json_is_true(v))
            return true;
        break;
    case 'F':
        if (json_is_false(v))
            return true;
        break;
    case 'N':
    case 'I':
        if (json_is_null(v))
            return true;
        break;
    case 'm':
        if (byte_array(v, 4, a->v.m, NULL))
            return true;
        rd_diag_add(d, RD_ERROR, path,
                    "type tag 'm' needs an array of 4 numbers 0-255 (port, status, data1, "
                    "data2)");
        return false;
    case 'b': {
        size_t len;
        if (byte_array(v, 0, NULL, &len)) {
            a->v.b.data = rd_xcalloc(len ? len : 1, 1);
            a->v.b.len = len;
            byte_array(v, 0, a->v.b.data, NULL);
            return true;
        }
        rd_diag_add(d, RD_ERROR, path, "type tag 'b' needs an array of byte values 0-255");
        a->tag = 'N'; /* nothing was allocated */
        return false;
    }
    }
    static const struct {
        char tag;
        const char *needs;
    } needs[] = {{'i', "an integer"}, {'h', "an integer"}, {'f', "a number"}, {'d', "a number"},
                 {'s', "a string"},   {'S', "a string"},   {'T', "true"},     {'F', "false"},
                 {'N', "null"},       {'I', "null"}};
    const char *what = "a different value";
    for (size_t k = 0; k < sizeof needs / sizeof needs[0]; k++)
        if (needs[k].tag == tag)
            what = needs[k].needs;
    rd_diag_add(d, RD_ERROR, path, "type tag '%c' needs %s, not %s", tag, what, rd__json_kind(v));
    a->tag = 'N';
    return false;
}

static bool parse_osc(const json_t *o, const char *path, rd_osc_msg_t *msg, rd_diags_t *d)
{
    size_t before = d->errors;
    if (!json_is_object(o)) {
        rd_diag_add(d, RD_ERROR, path, "must be an object with \"address\" and \"args\", not %s",
                    rd__json_kind(o));
        return false;
    }
    rd__check_fields(o, path, osc_fields, d);
    const char *addr = rd__get_string(o, "address", path, true, d);
    rd_path_t addr_path = rd__path_key(path, "address");
    if (addr && valid_address(addr, addr_path.s, d))
        msg->address = rd_xstrdup(addr);

    const char *types = rd__get_string(o, "types", path, false, d);
    rd_path_t types_path = rd__path_key(path, "types");
    if (types && types[0] == ',')
        types++;
    if (types) {
        for (const char *t = types; *t; t++) {
            if (!strchr(OSC_TAGS, *t)) {
                rd_diag_add(d, RD_ERROR, types_path.s,
                            "unknown OSC type tag '%c' (known: i h f d s S c T F N I m b)", *t);
                types = NULL;
                break;
            }
        }
    }

    json_t *args = json_object_get(o, "args");
    rd_path_t args_path = rd__path_key(path, "args");
    if (args && !json_is_array(args)) {
        rd_diag_add(d, RD_ERROR, args_path.s, "must be an array, not %s", rd__json_kind(args));
        args = NULL;
    }
    size_t nargs = args ? json_array_size(args) : 0;
    if (types && strlen(types) != nargs) {
        rd_diag_add(d, RD_ERROR, types_path.s, "\"%s\" has %zu type tag%s but args has %zu value%s",
                    types, strlen(types), strlen(types) == 1 ? "" : "s", nargs,
                    nargs == 1 ? "" : "s");
        return false;
    }
    if (!types && json_object_get(o, "types"))
        return false; /* already reported */

    msg->args = rd_xcalloc(nargs ? nargs : 1, sizeof *msg->args);
    msg->types = rd_xcalloc(nargs + 1, 1);
    for (size_t i = 0; i < nargs; i++) {
        json_t *v = json_array_get(args, i);
        rd_path_t ap = rd__path_index(args_path.s, i);
        char tag = types ? types[i] : infer_tag(v);
        if (!tag) {
            rd_diag_add(d, RD_ERROR, ap.s,
                        "%s cannot be an OSC argument without \"types\" (use 'm' or 'b')",
                        rd__json_kind(v));
            tag = 'N';
            msg->args[i].tag = 'N';
        } else {
            convert_arg(tag, v, ap.s, &msg->args[i], d);
        }
        msg->types[i] = msg->args[i].tag;
        msg->nargs = i + 1;
    }
    if (d->errors != before)
        return false;
    if (msg->address && rd_osc_encoded_size(msg) > RD_OSC_MAX_BYTES) {
        rd_diag_add(d, RD_ERROR, path, "the OSC message is %zu bytes; the limit is %d",
                    rd_osc_encoded_size(msg), RD_OSC_MAX_BYTES);
        return false;
    }
    return msg->address != NULL;
}

/* A websocket message: a string is sent as that text, any other JSON value
 * serialized compactly. */
static bool parse_ws(const json_t *ws, const char *path, rd_payload_t *out, rd_diags_t *d)
{
    if (json_is_string(ws))
        out->ws_text = rd_xstrdup(json_string_value(ws));
    else
        out->ws_text = json_dumps(ws, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!out->ws_text) {
        rd_diag_add(d, RD_ERROR, path, "cannot be serialized");
        return false;
    }
    if (strlen(out->ws_text) > RD_WS_MAX_BYTES) {
        rd_diag_add(d, RD_ERROR, path, "the message is %zu bytes; the limit is %d",
                    strlen(out->ws_text), RD_WS_MAX_BYTES);
        return false;
    }
    return true;
}

/* An obs-websocket request: {"request": "SetCurrentProgramScene", "data": {...}}. */
static bool parse_obs(const json_t *v, const char *path, rd_payload_t *out, rd_diags_t *d)
{
    static const char *const fields[] = {"request", "data", NULL};
    if (!json_is_object(v)) {
        rd_diag_add(d, RD_ERROR, path,
                    "must be an object like {\"request\": \"SetCurrentProgramScene\", \"data\": "
                    "{\"sceneName\": \"Cam 2\"}}, not %s",
                    rd__json_kind(v));
        return false;
    }
    rd__check_fields(v, path, fields, d);
    const char *req = rd__get_string(v, "request", path, true, d);
    if (!req)
        return false;
    rd_path_t rp = rd__path_key(path, "request");
    size_t n = strlen(req);
    bool ok = n > 0 && n <= 128;
    for (size_t i = 0; i < n && ok; i++)
        ok = isalnum((unsigned char)req[i]);
    if (!ok) {
        rd_diag_add(d, RD_ERROR, rp.s,
                    "\"%s\" is not an obs-websocket request type (letters and digits, like "
                    "\"SetCurrentProgramScene\")",
                    req);
        return false;
    }
    out->obs.request = rd_xstrdup(req);
    const json_t *data = json_object_get(v, "data");
    if (data && !json_is_null(data)) {
        rd_path_t dp = rd__path_key(path, "data");
        if (!json_is_object(data)) {
            rd_diag_add(d, RD_ERROR, dp.s, "the request's data is an object, not %s",
                        rd__json_kind(data));
            return false;
        }
        out->obs.data = json_dumps(data, JSON_COMPACT);
        if (!out->obs.data || strlen(out->obs.data) > RD_WS_MAX_BYTES) {
            rd_diag_add(d, RD_ERROR, dp.s, "the data is over %d bytes", RD_WS_MAX_BYTES);
            return false;
        }
    }
    return true;
}

/* Header names the daemon writes itself: a cue may not give them. */
static const char *const own_headers[] = {"host", "content-length", "connection",
                                          "transfer-encoding", NULL};

static bool http_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
            return false;
    return true;
}

static bool printable(const char *s, bool spaces)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f || (!spaces && *s == ' '))
            return false;
    return true;
}

static bool parse_headers(const json_t *h, const char *path, rd_http_request_t *r, rd_diags_t *d)
{
    if (!json_is_object(h)) {
        rd_diag_add(d, RD_ERROR, path, "headers are an object of names and strings, not %s",
                    rd__json_kind(h));
        return false;
    }
    r->headers = rd_xcalloc(json_object_size(h) + 1, sizeof *r->headers);
    const char *name;
    const json_t *val;
    bool ok = true;
    json_object_foreach ((json_t *)h, name, val) {
        rd_path_t p = rd__path_key(path, name);
        if (!http_token(name)) {
            rd_diag_add(d, RD_ERROR, p.s, "\"%s\" is not an HTTP header name", name);
            ok = false;
            continue;
        }
        for (size_t i = 0; own_headers[i]; i++) {
            if (strcasecmp(name, own_headers[i]) == 0) {
                rd_diag_add(d, RD_ERROR, p.s, "the daemon writes %s itself; leave it out", name);
                ok = false;
            }
        }
        if (!json_is_string(val) || !printable(json_string_value(val), true)) {
            rd_diag_add(d, RD_ERROR, p.s, "a header's value is a string without line breaks");
            ok = false;
            continue;
        }
        r->headers[r->nheaders++] = rd_xasprintf("%s: %s", name, json_string_value(val));
    }
    return ok;
}

static bool has_header(const rd_http_request_t *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nheaders; i++)
        if (strncasecmp(r->headers[i], name, n) == 0 && r->headers[i][n] == ':')
            return true;
    return false;
}

/* An HTTP request: {"method", "path", "headers", "body"}. */
static bool parse_http(const json_t *v, const char *path, rd_payload_t *out, rd_diags_t *d)
{
    static const char *const fields[] = {"method", "path", "headers", "body", NULL};
    static const char *const methods[] = {"GET", "POST", "PUT", NULL};
    if (!json_is_object(v)) {
        rd_diag_add(
            d, RD_ERROR, path,
            "must be an object like {\"method\": \"GET\", \"path\": \"/api/?Function=Cut\"}, "
            "not %s",
            rd__json_kind(v));
        return false;
    }
    rd__check_fields(v, path, fields, d);
    rd_http_request_t *r = &out->http;
    const char *method = rd__get_string(v, "method", path, false, d);
    if (json_object_get(v, "method") && !method)
        return false;
    r->method = rd_xstrdup(method ? method : "GET");
    bool known = false;
    for (size_t i = 0; methods[i]; i++)
        known |= strcmp(r->method, methods[i]) == 0;
    if (!known) {
        rd_path_t p = rd__path_key(path, "method");
        rd_diag_add(d, RD_ERROR, p.s,
                    "\"%s\" is not a method a cue sends (write \"GET\", \"POST\" "
                    "or \"PUT\")",
                    r->method);
        return false;
    }
    const char *rpath = rd__get_string(v, "path", path, true, d);
    if (!rpath)
        return false;
    rd_path_t pp = rd__path_key(path, "path");
    if (rpath[0] != '/' || !printable(rpath, false) || strlen(rpath) > 4096) {
        rd_diag_add(
            d, RD_ERROR, pp.s,
            "\"%s\" is not a request path (it starts with '/', has no spaces and is at most "
            "4096 bytes; escape a space as %%20)",
            rpath);
        return false;
    }
    r->path = rd_xstrdup(rpath);
    const json_t *h = json_object_get(v, "headers");
    if (h) {
        rd_path_t hp = rd__path_key(path, "headers");
        if (!parse_headers(h, hp.s, r, d))
            return false;
    }
    const json_t *body = json_object_get(v, "body");
    if (body && !json_is_null(body)) {
        rd_path_t bp = rd__path_key(path, "body");
        if (strcmp(r->method, "GET") == 0) {
            rd_diag_add(d, RD_ERROR, bp.s, "a GET sends no body; use \"POST\" or \"PUT\"");
            return false;
        }
        if (json_is_string(body)) {
            r->body = rd_xstrdup(json_string_value(body));
            r->content_type = "text/plain; charset=utf-8";
        } else {
            r->body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
            r->content_type = "application/json";
        }
        if (has_header(r, "content-type"))
            r->content_type = NULL;
        if (!r->body || strlen(r->body) > RD_WS_MAX_BYTES) {
            rd_diag_add(d, RD_ERROR, bp.s, "the body is over %d bytes", RD_WS_MAX_BYTES);
            return false;
        }
    }
    return true;
}

/* A text line: "PLAY 1-10 AMB"; the target's "eol" ends it on the wire. */
static bool parse_tcp(const json_t *v, const char *path, rd_payload_t *out, rd_diags_t *d)
{
    if (!json_is_string(v)) {
        rd_diag_add(d, RD_ERROR, path, "must be the line to send, like \"PLAY 1-10 AMB\", not %s",
                    rd__json_kind(v));
        return false;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > RD_WS_MAX_BYTES || strlen(s) != n || strpbrk(s, "\r\n")) {
        rd_diag_add(
            d, RD_ERROR, path,
            "the line is empty, too long or has a line break; the target's \"eol\" ends it");
        return false;
    }
    out->ws_text = rd_xstrdup(s);
    return true;
}

static bool parse_osc_payload(const json_t *v, const char *path, rd_payload_t *out, rd_diags_t *d)
{
    return parse_osc(v, path, &out->osc, d);
}

/* Every kind of message a cue (or a target's panic) may carry, by its key. */
static const struct {
    const char *key;
    rd_payload_kind_t kind;
    const char *article; /* "an" "osc" payload, "a" "ws" payload */
    bool (*parse)(const json_t *v, const char *path, rd_payload_t *out, rd_diags_t *d);
} payloads[] = {
    {"osc", RD_PAYLOAD_OSC, "an", parse_osc_payload}, {"ws", RD_PAYLOAD_WS, "a", parse_ws},
    {"obs", RD_PAYLOAD_OBS, "an", parse_obs},         {"http", RD_PAYLOAD_HTTP, "an", parse_http},
    {"tcp", RD_PAYLOAD_TCP, "a", parse_tcp},
};
#define NPAYLOADS (sizeof payloads / sizeof payloads[0])
_Static_assert(NPAYLOADS <= RD_PAYLOAD_KINDS_MAX, "raise RD_PAYLOAD_KINDS_MAX");

const char *rd_payload_key(rd_payload_kind_t kind)
{
    for (size_t i = 0; i < NPAYLOADS; i++)
        if (payloads[i].kind == kind)
            return payloads[i].key;
    return "?";
}

const char *rd__payload_phrase(rd_payload_kind_t kind)
{
    static char buf[NPAYLOADS][48];
    for (size_t i = 0; i < NPAYLOADS; i++) {
        if (payloads[i].kind == kind) {
            snprintf(buf[i], sizeof buf[i], "%s \"%s\" payload", payloads[i].article,
                     payloads[i].key);
            return buf[i];
        }
    }
    return "a payload";
}

void rd__payload_key_list(char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < NPAYLOADS; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s\"%s\"",
                 i == 0               ? ""
                 : i + 1 == NPAYLOADS ? " or "
                                      : ", ",
                 payloads[i].key);
    }
}

void rd__payload_fields(const char *const *base, const char **out, size_t cap)
{
    size_t n = 0;
    for (; base && base[n] && n + 1 < cap; n++)
        out[n] = base[n];
    for (size_t i = 0; i < NPAYLOADS && n + 1 < cap; i++)
        out[n++] = payloads[i].key;
    out[n] = NULL;
}

bool rd__parse_payload(const json_t *parent, const char *path, rd_payload_t *out, rd_diags_t *d)
{
    size_t found = NPAYLOADS;
    for (size_t i = 0; i < NPAYLOADS; i++) {
        if (!json_object_get(parent, payloads[i].key))
            continue;
        if (found < NPAYLOADS) {
            rd_diag_add(d, RD_ERROR, path, "has both \"%s\" and \"%s\"; a cue sends one message",
                        payloads[found].key, payloads[i].key);
            return false;
        }
        found = i;
    }
    if (found == NPAYLOADS) {
        char keys[128];
        rd__payload_key_list(keys, sizeof keys);
        rd_diag_add(d, RD_ERROR, path, "needs a payload: %s", keys);
        return false;
    }
    out->kind = payloads[found].kind;
    rd_path_t p = rd__path_key(path, payloads[found].key);
    return payloads[found].parse(json_object_get(parent, payloads[found].key), p.s, out, d);
}
