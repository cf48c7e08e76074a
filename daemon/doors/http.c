/* The HTTP door, /api: POST /api/<cmd> to control, GET state, rundown and the as-run log to read,
 * and the editing API handed on to env->edit.
 */
#include "server_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "journal/asrun.h"
#include "journal/asrun_record.h"
#include "log.h"
#include "xalloc.h"

int sc__http_reply(struct lws *wsi, unsigned int status, const char *content_type, const char *body,
                   size_t len)
{
    size_t cap = LWS_PRE + LWS_RECOMMENDED_MIN_HEADER_SPACE + len;
    unsigned char *buf = rd_xcalloc(cap, 1);
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + cap - len;
    int rc = -1;
    if (lws_add_http_common_headers(wsi, status, content_type, (lws_filepos_t)len, &p, end) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                     (const unsigned char *)"no-store", 8, &p, end) ||
        lws_finalize_http_header(wsi, &p, end))
        goto out;
    memcpy(p, body, len);
    p += len;
    int n = lws_ptr_diff(p, start);
    if (lws_write(wsi, start, (size_t)n, LWS_WRITE_HTTP_FINAL) != n)
        goto out;
    rc = lws_http_transaction_completed(wsi) ? -1 : 0;
out:
    free(buf);
    return rc;
}

static int reply_json(struct lws *wsi, unsigned int status, json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int rc = sc__http_reply(wsi, status, "application/json", text, strlen(text));
    free(text);
    return rc;
}

json_t *sc__error_body(sc_err_t err, const char *message)
{
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_false());
    json_object_set_new(o, "error", sc_error_json(sc_err_code(err), message));
    return o;
}

int sc__http_error(struct lws *wsi, sc_err_t err, const char *message)
{
    return reply_json(wsi, sc_err_http_status(err), sc__error_body(err, message));
}

/* The token a request presents: "Authorization: Bearer X", else ?token=X. */
static bool presented(struct lws *wsi, char *buf, size_t len)
{
    char hdr[256];
    int n = lws_hdr_copy(wsi, hdr, sizeof hdr, WSI_TOKEN_HTTP_AUTHORIZATION);
    if (n > 7 && strncasecmp(hdr, "Bearer ", 7) == 0) {
        snprintf(buf, len, "%s", hdr + 7);
        return true;
    }
    const char *t = lws_get_urlarg_by_name(wsi, "token=", buf, (int)len);
    if (t && t != buf)
        memmove(buf, t, strlen(t) + 1);
    return t != NULL;
}

/* The role the request's token grants (auth.h). */
static sc_role_t role(sc_server_t *s, struct lws *wsi)
{
    char tok[256];
    return sc_auth_role(s->env->tokens, presented(wsi, tok, sizeof tok) ? tok : NULL);
}

/* ---- The editing API (server.h) ----------------------------------------------- */

struct sc_edit_reply {
    sc__http_req_t *req; /* NULL once the request has gone */
    struct lws *wsi;
};

void sc_server_edit_reply(sc_edit_reply_t *later, unsigned status, json_t *body)
{
    if (later->req) {
        sc__http_req_t *req = later->req;
        req->later = NULL;
        req->held_status = status;
        req->ready = json_dumps(body, JSON_COMPACT);
        lws_callback_on_writable(later->wsi); /* the reply goes out in HTTP_WRITEABLE */
    }
    json_decref(body);
    free(later);
}

/* Whether METHOD /api<path> belongs to the editing API. */
static bool is_edit_path(const char *method, const char *path)
{
    if (strcmp(method, "GET") == 0)
        return strcmp(path, "/rundown/source") == 0 || strcmp(path, "/rundown.csv") == 0 ||
               strcmp(path, "/versions") == 0 || strncmp(path, "/versions/", 10) == 0;
    if (strcmp(method, "POST") == 0)
        return strcmp(path, "/rundown/check") == 0 || strcmp(path, "/import") == 0;
    return strcmp(method, "PUT") == 0 && strcmp(path, "/rundown") == 0;
}

/* Hands an editing request, its body read, to env->edit and sends (or
 * waits for) the answer. */
static int run_edit(sc_server_t *s, struct lws *wsi, sc__http_req_t *req)
{
    if (req->ran)
        return 0;
    req->ran = true;
    if (s->shutting_down)
        return sc__http_error(wsi, SC_ERR_SHUTTING_DOWN, "the daemon is stopping");
    sc_edit_request_t er;
    memset(&er, 0, sizeof er);
    er.method = req->edit_method;
    er.path = req->edit_path;
    er.body = req->body ? req->body : "";
    er.body_len = req->body_len;
    er.control = role(s, wsi) == SC_ROLE_CONTROL;
    sc__peer(wsi, er.source, sizeof er.source);
    char arg[64];
    const char *v = lws_get_urlarg_by_name(wsi, "to=", arg, sizeof arg); /* points past "to=" */
    if (v)
        snprintf(er.to, sizeof er.to, "%.23s", v);
    v = lws_get_urlarg_by_name(wsi, "format=", arg, sizeof arg);
    if (v)
        snprintf(er.format, sizeof er.format, "%.15s", v);
    sc_edit_reply_t *later = rd_xcalloc(1, sizeof *later);
    later->req = req;
    later->wsi = wsi;
    er.later = later;
    sc_edit_answer_t a = s->env->edit(s->env->ctx, &er);
    free(req->body);
    req->body = NULL;
    req->body_len = req->body_cap = 0;
    if (a.status == 0) {
        req->later = later; /* sc_server_edit_reply sends it */
        return 0;
    }
    free(later);
    if (a.text) {
        int rc = sc__http_reply(wsi, a.status, a.content_type, a.text, a.text_len);
        free(a.text);
        return rc;
    }
    return reply_json(wsi, a.status, a.json);
}

/* Starts an editing request: who may, and how large a body. */
static int begin_edit(sc_server_t *s, struct lws *wsi, sc__http_req_t *req, const char *method,
                      const char *path)
{
    sc_role_t r = role(s, wsi);
    bool csv = strcmp(path, "/rundown.csv") == 0;
    if (csv ? r == SC_ROLE_NONE : r != SC_ROLE_CONTROL) {
        sc__http_error(wsi, SC_ERR_UNAUTHORIZED,
                       csv ? "viewing needs the view token" : "editing needs the control token");
        return -1; /* a body that may follow is not read */
    }
    req->edit = true;
    snprintf(req->edit_method, sizeof req->edit_method, "%s", method);
    snprintf(req->edit_path, sizeof req->edit_path, "%s", path);
    if (strcmp(method, "GET") == 0)
        return run_edit(s, wsi, req);
    /* Checks and saves come as the producer types: their own bucket, not the
     * commands'. */
    char peer[64], ip[SC_RATE_KEY_MAX - 2], key[SC_RATE_KEY_MAX];
    sc__peer(wsi, peer, sizeof peer);
    sc_source_address(peer, ip, sizeof ip);
    snprintf(key, sizeof key, "e %s", ip);
    if (!sc_rate_take(&s->http_rate, key, SC_EDIT_PER_SECOND, sc_mono_ns())) {
        sc__http_error(wsi, SC_ERR_RATE_LIMITED, "more than 20 edits a second from this address");
        return -1;
    }
    char cl[32];
    long clen = lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 ? atol(cl) : -1;
    if (clen < 0) {
        sc__http_error(wsi, SC_ERR_LENGTH_REQUIRED, "send a Content-Length");
        return -1;
    }
    if (clen > SC_EDIT_MAX_BODY) {
        sc__http_error(wsi, SC_ERR_TOO_LARGE, "the body is larger than 8 MiB");
        return -1;
    }
    if (clen == 0)
        return run_edit(s, wsi, req);
    return 0; /* the body follows */
}

static int get(sc_server_t *s, struct lws *wsi, const char *path)
{
    if (role(s, wsi) == SC_ROLE_NONE)
        return sc__http_error(wsi, SC_ERR_UNAUTHORIZED, "viewing needs the view token");
    if (strcmp(path, "/state") == 0)
        return reply_json(wsi, 200, sc_state_json(s->env->state, true));
    if (strcmp(path, "/rundown") == 0)
        return reply_json(wsi, 200, sc_state_rundown_json(s->env->state));
    if ((strcmp(path, "/asrun") == 0 || strcmp(path, "/asrun.csv") == 0) && s->env->asrun) {
        bool csv = path[6] == '.';
        size_t len = 0;
        char *text =
            csv ? sc_asrun_csv_text(s->env->asrun, &len) : sc_asrun_json_text(s->env->asrun, &len);
        int rc = sc__http_reply(wsi, 200, csv ? "text/csv; charset=utf-8" : "application/json",
                                text, len);
        free(text);
        return rc;
    }
    return sc__http_error(wsi, SC_ERR_NOT_FOUND, "no such API path");
}

/* A reply waiting in the ack queue: on the heap, not in lws's per-request
 * storage, and its own owner (a request has one reply); the request drops
 * it when it closes. */
typedef struct sc__http_held {
    sc_ack_entry_t entry; /* first */
    sc_ack_owner_t owner;
    sc__http_req_t *req;
    struct lws *wsi;
    json_t *reply;
} held_t;

/* A command's reply as the as-run log released it: "durable", and for an
 * overdue one the "warning". */
static char *finish_reply(json_t *o, sc_ack_t state, const char *warning)
{
    json_object_set_new(o, "durable", json_boolean(state == SC_ACK_DURABLE));
    if (state == SC_ACK_OVERDUE)
        json_object_set_new(o, "warning", json_string(warning));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static void release(sc_ack_entry_t *e, sc_ack_t state, const char *warning)
{
    held_t *h = (held_t *)e;
    h->req->held = NULL;
    if (state == SC_ACK_DROPPED) {
        json_decref(h->reply);
    } else {
        h->req->ready = finish_reply(h->reply, state, warning);
        lws_callback_on_writable(h->wsi); /* the reply goes out in HTTP_WRITEABLE */
    }
    free(h);
}

/* Frees what a request holds; its reply may be in the ack queue. */
static void forget_request(sc_server_t *s, sc__http_req_t *req)
{
    free(req->body);
    req->body = NULL;
    req->body_len = req->body_cap = 0;
    if (req->later)
        req->later->req = NULL; /* the save goes on; its answer has nowhere to go */
    req->later = NULL;
    if (req->held && s->env->acks)
        sc_ack_cancel_owner(s->env->acks, &req->held->owner);
    req->held = NULL;
    free(req->ready);
    req->ready = NULL;
}

static int run_command(sc_server_t *s, struct lws *wsi, sc__http_req_t *req)
{
    /* With "Content-Length: 0" lws still reports a body completion after
     * LWS_CALLBACK_HTTP ran the command; a held reply leaves the transaction
     * open, so that second call must not run it again. */
    if (req->ran)
        return 0;
    req->ran = true;
    if (s->shutting_down) /* a body that finished arriving during shutdown */
        return sc__http_error(wsi, SC_ERR_SHUTTING_DOWN, "the daemon is stopping");
    sc_result_t r;
    json_t *args = NULL;
    if (req->body_len > 0) {
        json_error_t jerr;
        args = json_loadb(req->body, req->body_len, 0, &jerr);
        if (!args || !json_is_object(args)) {
            json_decref(args);
            free(req->body);
            req->body = NULL;
            return sc__http_error(wsi, SC_ERR_BAD_JSON, "the body must be a JSON object");
        }
    }
    free(req->body);
    req->body = NULL;
    sc_command_t c;
    memset(&c, 0, sizeof c);
    c.door = SC_DOOR_HTTP;
    sc__peer(wsi, c.source, sizeof c.source);
    bool decoded = sc_command_from_json(req->cmd, args, &c, &r);
    json_decref(args);
    if (!decoded) /* nothing ran, nothing was logged */
        return sc__http_error(wsi, r.err, r.message);
    uint64_t seq = sc_dispatch_run(s->env->dispatch, &c, req->authorized, &r);

    /* The reply carries the command's as-run seq and waits until the log has
     * it on disk (ack.h). */
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_boolean(r.ok));
    if (!r.ok)
        json_object_set_new(o, "error", sc_error_json(r.code, r.message));
    if (seq)
        json_object_set_new(o, "seq", json_integer((json_int_t)seq));
    req->held_status = sc_err_http_status(r.err);
    held_t *h = rd_xcalloc(1, sizeof *h);
    h->req = req;
    h->wsi = wsi;
    h->reply = o;
    char warning[SC_ACK_WARNING_MAX];
    sc_ack_t state = sc_ack_hold(s->env->acks, &h->entry, &h->owner, sc_ack_seq(s->env->acks),
                                 release, warning, sizeof warning);
    if (state == SC_ACK_WAIT) {
        req->held = h;
        return 0;
    }
    free(h);
    char *text = finish_reply(o, state, warning);
    int rc = sc__http_reply(wsi, req->held_status, "application/json", text, strlen(text));
    free(text);
    return rc;
}

int sc__http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                      size_t len)
{
    sc__http_req_t *req = user;
    sc_server_t *s = sc__server_of(wsi);
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        const char *path = in ? (const char *)in : "/";
        char *uri = NULL;
        int ulen = 0;
        int method = lws_http_get_uri_and_method(wsi, &uri, &ulen);
        if (s->shutting_down)
            return sc__http_error(wsi, SC_ERR_SHUTTING_DOWN, "the daemon is stopping");
        const char *mname = method == LWSHUMETH_GET    ? "GET"
                            : method == LWSHUMETH_POST ? "POST"
                            : method == LWSHUMETH_PUT  ? "PUT"
                                                       : "";
        if (s->env->edit && strlen(path) < sizeof req->edit_path && is_edit_path(mname, path))
            return begin_edit(s, wsi, req, mname, path);
        if (method == LWSHUMETH_GET)
            return get(s, wsi, path);
        if (method != LWSHUMETH_POST)
            return sc__http_error(wsi, SC_ERR_METHOD_NOT_ALLOWED, "use GET or POST");
        if (path[0] != '/' || strlen(path + 1) >= sizeof req->cmd || strchr(path + 1, '/'))
            return sc__http_error(wsi, SC_ERR_UNKNOWN_COMMAND, "POST /api/<command>");
        snprintf(req->cmd, sizeof req->cmd, "%s", path + 1);
        req->authorized = role(s, wsi) == SC_ROLE_CONTROL;
        /* Requests with the control token and without it count apart, so a
         * stranger behind the producer's address (NAT, a proxy) cannot use
         * up the producer's commands. */
        char peer[64], ip[SC_RATE_KEY_MAX - 2], key[SC_RATE_KEY_MAX];
        sc__peer(wsi, peer, sizeof peer);
        sc_source_address(peer, ip, sizeof ip);
        snprintf(key, sizeof key, "%c %s", req->authorized ? 'c' : '-', ip);
        if (!sc_rate_take(&s->http_rate, key, s->env->config->commands_per_second, sc_mono_ns())) {
            char msg[96];
            snprintf(msg, sizeof msg, "more than %d commands a second from %s",
                     s->env->config->commands_per_second, ip);
            sc__http_error(wsi, SC_ERR_RATE_LIMITED, msg);
            return -1; /* a body that may follow is not read */
        }
        char cl[32];
        long clen =
            lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 ? atol(cl) : -1;
        if (clen < 0) {
            /* lws 4.1 does not de-chunk request bodies. */
            sc__http_error(wsi, SC_ERR_LENGTH_REQUIRED, "send a Content-Length");
            return -1;
        }
        if (clen > SC_HTTP_MAX_BODY) {
            sc__http_error(wsi, SC_ERR_TOO_LARGE, "the body is larger than 16 KiB");
            return -1;
        }
        if (clen == 0)
            return run_command(s, wsi, req);
        return 0; /* the body follows */
    }
    case LWS_CALLBACK_HTTP_BODY:
        /* lws may report an empty chunk (in == NULL); after a held reply the
         * request has run and any more body is not ours to keep. */
        if (len == 0 || req->ran)
            return 0;
        if (req->body_len + len > (req->edit ? SC_EDIT_MAX_BODY : SC_HTTP_MAX_BODY))
            return -1;
        if (req->body_len + len + 1 > req->body_cap) {
            size_t cap = req->body_cap ? req->body_cap : 4096;
            while (cap < req->body_len + len + 1)
                cap *= 2;
            req->body = rd_xrealloc(req->body, cap);
            req->body_cap = cap;
        }
        memcpy(req->body + req->body_len, in, len);
        req->body_len += len;
        req->body[req->body_len] = '\0';
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        /* run_command frees the body before replying: the reply completes
         * the transaction, and lws frees *req with it. */
        return req->edit ? run_edit(s, wsi, req) : run_command(s, wsi, req);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (req && req->ready) {
            char *text = req->ready;
            req->ready = NULL;
            int rc = sc__http_reply(wsi, req->held_status, "application/json", text, strlen(text));
            free(text);
            return rc;
        }
        break;
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (req)
            forget_request(s, req);
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}
