/* The HTTP door, /api: POST /api/<cmd> to control, GET state, rundown and the as-run log to read.
 */
#include "server_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "journal/ack.h"
#include "journal/asrun.h"
#include "journal/asrun_record.h"
#include "show/engine.h"
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

static int reply_error(struct lws *wsi, unsigned int status, const char *code, const char *message)
{
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_false());
    json_object_set_new(o, "error", sc_error_json(code, message));
    return reply_json(wsi, status, o);
}

/* The HTTP status for a command's error code. */
static unsigned int status_for(const char *code)
{
    if (!code)
        return 200;
    if (strcmp(code, "unauthorized") == 0)
        return 401;
    if (strcmp(code, "unknown_command") == 0 || strcmp(code, "unknown_item") == 0 ||
        strcmp(code, "unknown_cue") == 0)
        return 404;
    if (strcmp(code, "bad_argument") == 0 || strcmp(code, "missing_argument") == 0 ||
        strcmp(code, "bad_json") == 0)
        return 400;
    if (strcmp(code, "go_guard") == 0)
        return 429;
    return 409; /* the show's state does not allow it */
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

static bool can_view(sc_server_t *s, struct lws *wsi)
{
    if (!s->app->view_token)
        return true;
    char tok[256];
    return presented(wsi, tok, sizeof tok) && (sc__token_equal(tok, s->app->view_token) ||
                                               sc__token_equal(tok, s->app->control_token));
}

static bool can_control(sc_server_t *s, struct lws *wsi)
{
    char tok[256];
    return presented(wsi, tok, sizeof tok) && sc__token_equal(tok, s->app->control_token);
}

static int get(sc_server_t *s, struct lws *wsi, const char *path)
{
    if (!can_view(s, wsi))
        return reply_error(wsi, 401, "unauthorized", "viewing needs the view token");
    if (strcmp(path, "/state") == 0) {
        json_t *st = sc_app_state_json(s->app, true);
        return reply_json(wsi, 200, st);
    }
    if (strcmp(path, "/rundown") == 0)
        return reply_json(wsi, 200, sc_engine_rundown_json(s->app->engine));
    if (strcmp(path, "/asrun") == 0 || strcmp(path, "/asrun.csv") == 0) {
        bool csv = path[6] == '.';
        size_t len = 0;
        char *text =
            csv ? sc_asrun_csv_text(s->app->asrun, &len) : sc_asrun_json_text(s->app->asrun, &len);
        int rc = sc__http_reply(wsi, 200, csv ? "text/csv; charset=utf-8" : "application/json",
                                text, len);
        free(text);
        return rc;
    }
    return reply_error(wsi, 404, "not_found", "no such API path");
}

/* Finishes a command's reply with what the as-run log says of it. */
static char *finish_reply(sc_server_t *s, json_t *o, sc_ack_t state)
{
    sc_ack_annotate(s->app, o, state);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

size_t sc__http_release_acks(sc_server_t *s)
{
    size_t held = 0;
    lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&s->http_held))
    {
        sc__http_req_t *req = lws_container_of(d, sc__http_req_t, held_list);
        sc_ack_t state = sc_ack_check(s->app, req->held_seq, req->held_mono);
        if (state == SC_ACK_WAIT) {
            held++;
        } else {
            lws_dll2_remove(&req->held_list);
            req->ready = finish_reply(s, req->held_reply, state);
            req->held_reply = NULL;
            lws_callback_on_writable(req->wsi); /* the reply goes out in HTTP_WRITEABLE */
        }
    }
    lws_end_foreach_dll_safe(d, d1);
    return held;
}

/* Frees what a request holds; it may be in the held list. */
static void forget_request(sc__http_req_t *req)
{
    free(req->body);
    req->body = NULL;
    if (!lws_dll2_is_detached(&req->held_list))
        lws_dll2_remove(&req->held_list);
    json_decref(req->held_reply);
    req->held_reply = NULL;
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
        return reply_error(wsi, 503, "shutting_down", "the daemon is stopping");
    sc_result_t r;
    json_t *args = NULL;
    if (req->body_len > 0) {
        json_error_t jerr;
        args = json_loadb(req->body, req->body_len, 0, &jerr);
        if (!args || !json_is_object(args)) {
            json_decref(args);
            free(req->body);
            req->body = NULL;
            return reply_error(wsi, 400, "bad_json", "the body must be a JSON object");
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
        return reply_error(wsi, status_for(r.code), r.code, r.message);
    uint64_t seq = sc_app_dispatch(s->app, &c, req->authorized, &r);

    /* The reply carries the command's as-run seq and waits until the log has
     * it on disk (ack.h). */
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_boolean(r.ok));
    if (!r.ok)
        json_object_set_new(o, "error", sc_error_json(r.code, r.message));
    if (seq)
        json_object_set_new(o, "seq", json_integer((json_int_t)seq));
    req->held_status = r.ok ? 200 : status_for(r.code);
    req->held_seq = sc_ack_seq(s->app);
    req->held_mono = sc_mono_ns();
    sc_ack_t state = sc_ack_check(s->app, req->held_seq, req->held_mono);
    if (state != SC_ACK_WAIT) {
        char *text = finish_reply(s, o, state);
        int rc = sc__http_reply(wsi, req->held_status, "application/json", text, strlen(text));
        free(text);
        return rc;
    }
    req->wsi = wsi;
    req->held_reply = o;
    lws_dll2_add_tail(&req->held_list, &s->http_held);
    sc_ack_parked(s->app);
    return 0;
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
            return reply_error(wsi, 503, "shutting_down", "the daemon is stopping");
        if (method == LWSHUMETH_GET)
            return get(s, wsi, path);
        if (method != LWSHUMETH_POST)
            return reply_error(wsi, 405, "method_not_allowed", "use GET or POST");
        if (path[0] != '/' || strlen(path + 1) >= sizeof req->cmd || strchr(path + 1, '/'))
            return reply_error(wsi, 404, "unknown_command", "POST /api/<command>");
        snprintf(req->cmd, sizeof req->cmd, "%s", path + 1);
        req->authorized = can_control(s, wsi);
        /* Requests with the control token and without it count apart, so a
         * stranger behind the producer's address (NAT, a proxy) cannot use
         * up the producer's commands. */
        char peer[64], ip[SC_RATE_KEY_MAX - 2], key[SC_RATE_KEY_MAX];
        sc__peer(wsi, peer, sizeof peer);
        sc_rate_key_of(peer, ip, sizeof ip);
        snprintf(key, sizeof key, "%c %s", req->authorized ? 'c' : '-', ip);
        if (!sc_rate_take(&s->http_rate, key, s->app->config.commands_per_second, sc_mono_ns())) {
            char msg[96];
            snprintf(msg, sizeof msg, "more than %d commands a second from %s",
                     s->app->config.commands_per_second, ip);
            reply_error(wsi, 429, "rate_limited", msg);
            return -1; /* a body that may follow is not read */
        }
        char cl[32];
        long clen =
            lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 ? atol(cl) : -1;
        if (clen < 0) {
            /* lws 4.1 does not de-chunk request bodies. */
            reply_error(wsi, 411, "length_required", "send a Content-Length");
            return -1;
        }
        if (clen > SC_HTTP_MAX_BODY) {
            reply_error(wsi, 413, "too_large", "the body is larger than 16 KiB");
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
        if (req->body_len + len > SC_HTTP_MAX_BODY)
            return -1;
        if (!req->body)
            req->body = rd_xcalloc(SC_HTTP_MAX_BODY + 1, 1);
        memcpy(req->body + req->body_len, in, len);
        req->body_len += len;
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        /* run_command frees the body before replying: the reply completes
         * the transaction, and lws frees *req with it. */
        return run_command(s, wsi, req);
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
            forget_request(req);
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}
