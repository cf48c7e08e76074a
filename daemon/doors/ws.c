/* The websocket door, /ws: commands with replies, auth, clock-sync pings, and the state every
 * screen sees. */
#include "server_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal/asrun_record.h"
#include "log.h"
#include "header_gate.h"
#include "xalloc.h"

static void send_json(sc_server_t *s, sc__session_t *ss, json_t *o)
{
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (text) {
        sc__session_send(s, ss, text, strlen(text));
        free(text);
    }
}

static json_t *reply_obj(json_t *id, const sc_result_t *r)
{
    json_t *o = json_object();
    json_object_set(o, "reply", id ? id : json_null());
    json_object_set_new(o, "ok", json_boolean(r->ok));
    if (!r->ok)
        json_object_set_new(o, "error", sc_error_json(r->code, r->message));
    return o;
}

/* A reply to a message that ran no command (bad JSON, auth, rate limit):
 * nothing was logged, so nothing to wait for. */
static void reply(sc_server_t *s, sc__session_t *ss, json_t *id, const sc_result_t *r)
{
    send_json(s, ss, reply_obj(id, r));
}

/* A reply waiting in the ack queue for the as-run log. */
typedef struct {
    sc_ack_entry_t entry; /* first: the queue's entry is the reply's */
    sc_server_t *s;
    sc__session_t *ss;
    json_t *reply;
} held_t;

/* Marks a reply released in `state`: "durable", and for an overdue one the
 * "warning", then sends it. */
static void send_acked(sc_server_t *s, sc__session_t *ss, json_t *o, sc_ack_t state,
                       const char *warning)
{
    json_object_set_new(o, "durable", json_boolean(state == SC_ACK_DURABLE));
    if (state == SC_ACK_OVERDUE)
        json_object_set_new(o, "warning", json_string(warning));
    send_json(s, ss, o);
}

static void release(sc_ack_entry_t *e, sc_ack_t state, const char *warning)
{
    held_t *h = (held_t *)e;
    if (state == SC_ACK_DROPPED || h->ss->killing)
        json_decref(h->reply);
    else
        send_acked(h->s, h->ss, h->reply, state, warning);
    free(h);
}

/* The reply to a command that ran: it carries the command's as-run seq and
 * goes out once the log has it on disk (journal/ack.h), after every reply
 * held before it. */
static void reply_logged(sc_server_t *s, sc__session_t *ss, json_t *id, const sc_result_t *r,
                         uint64_t seq)
{
    if (ss->killing || !ss->established)
        return; /* dropped while its command ran (a reload notice overflowed it) */
    json_t *o = reply_obj(id, r);
    if (seq)
        json_object_set_new(o, "seq", json_integer((json_int_t)seq));
    held_t *h = rd_xcalloc(1, sizeof *h);
    h->s = s;
    h->ss = ss;
    h->reply = o;
    char warning[SC_ACK_WARNING_MAX];
    sc_ack_t state = sc_ack_hold(s->env->acks, &h->entry, &ss->acks, sc_ack_seq(s->env->acks),
                                 release, warning, sizeof warning);
    if (state == SC_ACK_WAIT)
        return;
    free(h);
    send_acked(s, ss, o, state, warning);
}

/* Which role a token grants: control, view, or none. Returns whether it matched. */
static bool apply_token(sc_server_t *s, sc__session_t *ss, const char *token)
{
    const sc_tokens_t *t = s->env->tokens;
    if (sc_auth_token_equal(token, t->control)) {
        ss->control_ok = ss->view_ok = true;
        return true;
    }
    if (t->view && sc_auth_token_equal(token, t->view)) {
        ss->view_ok = true;
        return true;
    }
    return false;
}

static json_t *hello(sc_server_t *s, sc__session_t *ss)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("hello"));
    json_object_set_new(o, "role",
                        json_string(ss->control_ok ? "control"
                                    : ss->view_ok  ? "view"
                                                   : "none"));
    json_object_set_new(o, "view_token_required", json_boolean(s->env->tokens->view != NULL));
    json_object_set_new(o, "server_time", json_real((double)sc_wall_ns() / 1e6));
    return o;
}

static void handle_message(sc_server_t *s, sc__session_t *ss, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *msg = json_loadb(text, len, 0, &jerr);
    sc_result_t r;
    if (!msg || !json_is_object(msg)) {
        sc_result_error(&r, SC_ERR_BAD_JSON, "not a JSON object: %s",
                        msg ? "wrong type" : jerr.text);
        reply(s, ss, NULL, &r);
        json_decref(msg);
        return;
    }
    json_t *id = json_object_get(msg, "id");
    const char *cmd = json_string_value(json_object_get(msg, "cmd"));
    if (!cmd) {
        sc_result_error(&r, SC_ERR_BAD_JSON, "a message needs \"cmd\" (a string)");
        reply(s, ss, id, &r);
    } else if (strcmp(cmd, "ping") == 0) {
        /* Clock sync: the page keeps the reply with the lowest round trip. */
        json_t *o = json_object();
        json_object_set_new(o, "type", json_string("pong"));
        json_t *t = json_object_get(msg, "t");
        json_object_set(o, "t", t ? t : json_null());
        json_object_set_new(o, "server_time", json_real((double)sc_wall_ns() / 1e6));
        send_json(s, ss, o);
    } else if (strcmp(cmd, "auth") == 0) {
        bool was_view = ss->view_ok;
        if (!apply_token(s, ss, json_string_value(json_object_get(msg, "token")))) {
            /* A refusal like any other: in the as-run log (rate limited).
             * The reply does not wait for the record: the hello that
             * follows it must not pass it. */
            sc_result_error(&r, SC_ERR_UNAUTHORIZED, "that token is not valid here");
            sc_dispatch_refused(s->env->dispatch, SC_DOOR_WS, ss->source, "auth", &r);
        } else {
            sc_result_ok(&r);
        }
        reply(s, ss, id, &r);
        send_json(s, ss, hello(s, ss));
        if (ss->view_ok && !was_view) {
            ss->sent_seq = s->frame_seq ? s->frame_seq - 1 : 0; /* as at ESTABLISHED */
            lws_callback_on_writable(ss->wsi);                  /* the state, at once */
        }
    } else if (!sc_bucket_take(&ss->bucket, s->env->config->commands_per_second, sc_mono_ns())) {
        sc_result_error(&r, SC_ERR_RATE_LIMITED, "more than %d commands a second from this client",
                        s->env->config->commands_per_second);
        reply(s, ss, id, &r);
    } else {
        sc_command_t c;
        memset(&c, 0, sizeof c);
        c.door = SC_DOOR_WS;
        snprintf(c.source, sizeof c.source, "%s", ss->source);
        if (sc_command_from_json(cmd, msg, &c, &r))
            reply_logged(s, ss, id, &r, sc_dispatch_run(s->env->dispatch, &c, ss->control_ok, &r));
        else
            reply(s, ss, id, &r);
    }
    json_decref(msg);
}

int sc__ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    sc__session_t *ss = user;
    sc_server_t *s = sc__server_of(wsi);
    char uri[128], token[160];

    switch (reason) {
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        /* Upgrades skip the mounts: only /ws is a websocket. */
        if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, "/ws") != 0) {
            sc__http_error(wsi, SC_ERR_NOT_FOUND, "the websocket is at /ws");
            return 1;
        }
        if (s->shutting_down)
            return -1;
        if ((int)s->sessions.count >= s->env->config->max_clients) {
            sc__http_error(wsi, SC_ERR_TOO_MANY_CLIENTS,
                           "the daemon has as many screens as limits.max_clients allows");
            return 1;
        }
        return 0;

    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
        /* Headers go away after ESTABLISHED: read the token and peer now. */
        sc__peer(wsi, ss->source, sizeof ss->source);
        const char *t = lws_get_urlarg_by_name(wsi, "token=", token, sizeof token);
        if (t && !apply_token(s, ss, t)) {
            /* The connection goes on with no role (it may view when viewing
             * is open); the wrong token is a refusal all the same. */
            sc_result_t r;
            sc_result_error(&r, SC_ERR_UNAUTHORIZED, "the URL's token is not valid here");
            sc_dispatch_refused(s->env->dispatch, SC_DOOR_WS, ss->source, "auth", &r);
        }
        if (!s->env->tokens->view)
            ss->view_ok = true;
        return 0;
    }

    case LWS_CALLBACK_ESTABLISHED:
        ss->wsi = wsi;
        ss->established = true;
        /* One frame behind: it gets the current state at once, and does not
         * count as lagging (a newcomer at 0 looked thousands of frames behind
         * and was dropped as a client that does not read). */
        ss->sent_seq = s->frame_seq ? s->frame_seq - 1 : 0;
        lws_dll2_add_tail(&ss->list, &s->sessions);
        send_json(s, ss, hello(s, ss));
        if (s->env->changed)
            s->env->changed(s->env->ctx);
        return 0;

    case LWS_CALLBACK_RECEIVE:
        if (ss->killing || s->shutting_down)
            return 0; /* stopping: its last replies go out, nothing new runs */
        if (lws_is_first_fragment(wsi)) {
            ss->rx_len = 0;
            ss->rx_too_big = false;
        }
        size_t max = (size_t)s->env->config->max_message_bytes;
        if (ss->rx_len + len + lws_remaining_packet_payload(wsi) > max) {
            static const char why[] = "message too large";
            lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)why,
                             sizeof why - 1);
            return -1;
        }
        /* No extension is negotiated, so a reserved bit is a protocol error
         * (RFC 6455 5.2); lws does not always refuse it by itself. */
        if (lws_get_reserved_bits(wsi)) {
            static const char why[] = "reserved bits set";
            lws_close_reason(wsi, LWS_CLOSE_STATUS_PROTOCOL_ERR, (unsigned char *)why,
                             sizeof why - 1);
            return -1;
        }
        if (lws_frame_is_binary(wsi)) {
            static const char why[] = "text frames only";
            lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, (unsigned char *)why,
                             sizeof why - 1);
            return -1;
        }
        if (!ss->rx)
            ss->rx = rd_xcalloc(max + 1, 1);
        memcpy(ss->rx + ss->rx_len, in, len);
        ss->rx_len += len;
        if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
            handle_message(s, ss, (const char *)ss->rx, ss->rx_len);
            ss->rx_len = 0;
        }
        return 0;

    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (ss->killing)
            return 0;
        if (s->shutting_down && !ss->out_head) {
            /* Its last replies are out (sc_server_begin_shutdown): now 1001. */
            static const char why[] = "server shutdown";
            lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)why, sizeof why - 1);
            return -1;
        }
        /* One write per callback: replies first, then the newest state. */
        if (ss->out_head) {
            sc__out_msg_t *m = ss->out_head;
            ss->out_head = m->next;
            if (!ss->out_head)
                ss->out_tail = NULL;
            ss->out_count--;
            int n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
            free(m);
            if (n < 0)
                return -1;
        } else if (ss->view_ok && s->frame && ss->sent_seq != s->frame_seq && !s->shutting_down) {
            /* The same buffer for every client: lws writes the frame header
             * into the LWS_PRE room and never changes the payload. */
            if (lws_write(wsi, s->frame + LWS_PRE, s->frame_len, LWS_WRITE_TEXT) < 0)
                return -1;
            ss->sent_seq = s->frame_seq;
        }
        if (ss->out_head || s->shutting_down ||
            (ss->view_ok && s->frame && ss->sent_seq != s->frame_seq))
            lws_callback_on_writable(wsi);
        return 0;

    case LWS_CALLBACK_CLOSED:
        /* Also called after a refused filter, when ESTABLISHED never came. */
        if (ss->established)
            lws_dll2_remove(&ss->list);
        while (ss->out_head) {
            sc__out_msg_t *m = ss->out_head;
            ss->out_head = m->next;
            free(m);
        }
        ss->out_tail = NULL;
        if (s->env->acks)
            sc_ack_cancel_owner(s->env->acks, &ss->acks);
        free(ss->rx);
        ss->rx = NULL;
        if (ss->established && !s->shutting_down && s->env->changed)
            s->env->changed(s->env->ctx);
        ss->established = false;
        if (s->shutting_down && s->sessions.count == 0)
            sc__server_sessions_gone(s);
        return 0;

    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        /* A new connection: its first request header is read by the gate,
         * which hands it back to lws (adopted) or answers it 431. Taken,
         * lws closes its copy of the descriptor: 1 says so. */
        return sc__header_gate_take(s, (int)(intptr_t)in) ? 1 : 0;

    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}
