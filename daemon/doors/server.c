/* The web server: the lws context on our loop, its mounts and protocols, the state broadcast,
 * shutdown. */
#include "server_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "header_gate.h"
#include "show/refusals.h"
#include "targets/target.h"
#include "xalloc.h"

/* 431s are logged once per address every 2 s; the rest in one line. */
static void oversized_summary(void *ctx, const sc_refusal_summary_t *sum)
{
    (void)ctx;
    char words[200];
    sc_refusals_describe(sum, "requests with oversized headers", words, sizeof words);
    sc_warn("http: %s", words);
}

static const struct lws_protocol_vhost_options mime_map = {NULL, NULL, ".map", "application/json"};
static const struct lws_protocol_vhost_options mime_webmanifest = {&mime_map, NULL, ".webmanifest",
                                                                   "application/manifest+json"};

sc_server_t *sc__server_of(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

void sc__peer(struct lws *wsi, char *buf, size_t len)
{
    sc__peer_of_fd((int)lws_get_socket_fd(lws_get_network_wsi(wsi)), buf, len);
}

void sc__peer_of_fd(int fd, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char ip[INET6_ADDRSTRLEN + 2] = "?";
    int port = 0;
    if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
            port = ntohs(a->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            port = ntohs(a->sin6_port);
            if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
                /* An IPv4 client of a "::" listener: the same key as over IPv4. */
                inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], ip, sizeof ip);
            } else {
                char v6[INET6_ADDRSTRLEN];
                inet_ntop(AF_INET6, &a->sin6_addr, v6, sizeof v6);
                snprintf(ip, sizeof ip, "[%.*s]", (int)sizeof ip - 3, v6);
            }
        }
    }
    /* "192.0.2.7:5000" or "[2001:db8::7]:5000": sc_source_address strips the port. */
    snprintf(buf, len, "%s:%d", ip, port);
}

sc_server_t *sc_server_start(const sc_server_env_t *env, const char *host, int port,
                             const char *web_root, char *err, size_t errlen)
{
    sc_server_t *s = rd_xcalloc(1, sizeof *s);
    s->env = env;
    snprintf(s->web_root, sizeof s->web_root, "%s", web_root);

    /* protocols[0] takes websocket upgrades that name no subprotocol; the
     * target kinds that connect through lws add theirs after ours. */
    const struct lws_protocols *kinds[8];
    size_t nkinds = sc_target_lws_protocols(kinds, sizeof kinds / sizeof kinds[0]);
    s->protocols = rd_xcalloc(2 + nkinds + 1, sizeof *s->protocols);
    s->protocols[0] = (struct lws_protocols){
        "showcaller", sc__ws_callback, sizeof(sc__session_t), 4096, 0, NULL, 1 << 20};
    s->protocols[1] = (struct lws_protocols){
        "showcaller-api", sc__http_callback, sizeof(sc__http_req_t), 0, 0, NULL, 0};
    for (size_t i = 0; i < nkinds; i++)
        s->protocols[2 + i] = *kinds[i];

    s->mount_api = (struct lws_http_mount){.mountpoint = "/api",
                                           .origin = "showcaller-api",
                                           .protocol = "showcaller-api",
                                           .origin_protocol = LWSMPRO_CALLBACK,
                                           .mountpoint_len = 4};
    /* Each page's folder serves web_root with its page as the default:
     * /stage/ is stage.html, /editor/ editor.html; "/" is the index. */
    static const struct {
        const char *mountpoint, *def;
    } pages[SC_SERVER_PAGES] = {{"/stage", "stage.html"},
                                {"/producer", "producer.html"},
                                {"/editor", "editor.html"},
                                {"/print", "print.html"},
                                {"/", "index.html"}};
    const struct lws_http_mount *next = &s->mount_api;
    for (size_t i = 0; i < SC_SERVER_PAGES; i++) {
        s->mount_pages[i] =
            (struct lws_http_mount){.mount_next = next,
                                    .mountpoint = pages[i].mountpoint,
                                    .origin = s->web_root,
                                    .def = pages[i].def,
                                    .origin_protocol = LWSMPRO_FILE,
                                    .mountpoint_len = (unsigned char)strlen(pages[i].mountpoint),
                                    .extra_mimetypes = &mime_webmanifest};
        next = &s->mount_pages[i];
    }
    /* Ping a quiet websocket after 10 s; drop it if nothing came back in 20 s. */
    s->retry.secs_since_valid_ping = 10;
    s->retry.secs_since_valid_hangup = 20;

    lws_set_log_level(LLL_ERR, NULL);
    void *foreign_loops[1] = {env->loop};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
                   LWS_SERVER_OPTION_VALIDATE_UTF8 |
                   LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE;
    if (!strchr(host, ':'))
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.foreign_loops = foreign_loops;
    info.user = s;
    info.port = port;
    /* lws binds "iface" by name or address; 0.0.0.0 means every address. */
    info.iface = strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 ? NULL : host;
    info.protocols = s->protocols;
    info.mounts = &s->mount_pages[SC_SERVER_PAGES - 1];
    info.retry_and_idle_policy = &s->retry;
    info.vhost_name = "showcaller";
    /* Room for any header the gate let through (header_gate.h): raw bytes
     * are more than what lws keeps of them. */
    info.max_http_header_data = SC_HTTP_MAX_HEADER + 1024;
    /* http.tls: HTTPS and WSS only, on the same address; a plain request
     * fails its handshake. run.c has checked both files (tls.c), and a file
     * lws cannot load makes lws_create_vhost() fail below: never plain HTTP
     * by accident. The paths are borrowed from the config for the server's
     * life. */
    const rd_tls_t *tls = &env->config->http_tls;
    if (tls->cert) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = tls->cert;
        info.ssl_private_key_filepath = tls->key;
        /* Only HTTP/1.1 over TLS, as without it: otherwise lws offers h2 by
         * ALPN and browsers would reach the API and the websocket through
         * its HTTP/2 code paths, which this daemon is not tested on. */
        info.alpn = "http/1.1";
    }
    s->ctx = lws_create_context(&info);
    if (!s->ctx) {
        snprintf(err, errlen,
                 "cannot create the web server (is libwebsockets-evlib-uv installed?)");
        free(s->protocols);
        free(s);
        return NULL;
    }
    s->vhost = lws_create_vhost(s->ctx, &info);
    if (!s->vhost) {
        if (tls->cert)
            snprintf(err, errlen,
                     "cannot listen with TLS on %s:%d (in use, or not an address of this "
                     "machine), or libwebsockets refused %s or %s",
                     host, port, tls->cert, tls->key);
        else
            snprintf(err, errlen,
                     "cannot listen on %s:%d (in use, or not an address of this machine)", host,
                     port);
        /* A context on a foreign loop is destroyed in two phases. */
        lws_context_destroy(s->ctx);
        uv_run(env->loop, UV_RUN_DEFAULT);
        lws_context_destroy(s->ctx);
        free(s->protocols);
        free(s);
        return NULL;
    }
    uv_timer_init(env->loop, &s->grace);
    s->grace.data = s;
    s->grace_open = true;
    s->oversized = sc_refusals_new(env->loop, SC_REFUSALS_INTERVAL_NS, SC_REFUSALS_TOLD,
                                   oversized_summary, NULL);
    return s;
}

struct lws_context *sc_server_context(sc_server_t *s)
{
    return s && !s->shutting_down ? s->ctx : NULL;
}

size_t sc_server_clients(const sc_server_t *s)
{
    return (size_t)s->sessions.count;
}

void sc_server_push_state(sc_server_t *s, const char *json, size_t len)
{
    if (s->shutting_down)
        return;
    unsigned char *buf = rd_xcalloc(LWS_PRE + len + 1, 1);
    memcpy(buf + LWS_PRE, json, len);
    /* lws keeps no pointer into the old frame after lws_write returns. */
    free(s->frame);
    s->frame = buf;
    s->frame_len = len;
    s->frame_seq++;
    lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&s->sessions))
    {
        sc__session_t *ss = lws_container_of(d, sc__session_t, list);
        if (!ss->killing && ss->view_ok && s->frame_seq - ss->sent_seq > SC_WS_MAX_LAG)
            sc__session_kill(s, ss, "not reading its state updates");
    }
    lws_end_foreach_dll_safe(d, d1);
    lws_callback_on_writable_all_protocol(s->ctx, &s->protocols[0]);
}

void sc_server_notify_control(sc_server_t *s, const char *json, size_t len)
{
    lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&s->sessions))
    {
        sc__session_t *ss = lws_container_of(d, sc__session_t, list);
        if (ss->control_ok && !ss->killing)
            sc__session_send(s, ss, json, len);
    }
    lws_end_foreach_dll_safe(d, d1);
}

bool sc__session_send(sc_server_t *s, sc__session_t *ss, const char *json, size_t len)
{
    if (ss->killing)
        return false;
    if (ss->out_count >= SC_WS_MAX_QUEUED) {
        sc__session_kill(s, ss, "not reading its replies");
        return false;
    }
    sc__out_msg_t *m = rd_xcalloc(1, sizeof *m + LWS_PRE + len + 1);
    m->len = len;
    memcpy(m->buf + LWS_PRE, json, len);
    if (ss->out_tail)
        ss->out_tail->next = m;
    else
        ss->out_head = m;
    ss->out_tail = m;
    ss->out_count++;
    lws_callback_on_writable(ss->wsi);
    return true;
}

void sc__session_kill(sc_server_t *s, sc__session_t *ss, const char *why)
{
    if (ss->killing)
        return;
    ss->killing = true;
    sc_warn("websocket client %s dropped: %s", ss->source, why);
    /* shutdown() makes a blocked write fail at once, so lws closes now
     * instead of waiting out its flush timeout. */
    int fd = (int)lws_get_socket_fd(ss->wsi);
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
    lws_set_timeout(ss->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
    lws_cancel_service(s->ctx);
}

/* ---- Shutdown -------------------------------------------------------------- */

static void grace_cb(uv_timer_t *t)
{
    sc_server_t *s = t->data;
    void (*done)(void *) = s->done;
    s->done = NULL;
    if (done)
        done(s->done_ctx);
}

void sc__server_sessions_gone(sc_server_t *s)
{
    /* From a timer, not from inside the lws callback that noticed it. */
    if (s->done && s->grace_open)
        uv_timer_start(&s->grace, grace_cb, 0, 0);
}

void sc_server_begin_shutdown(sc_server_t *s, void (*done)(void *ctx), void *ctx)
{
    s->shutting_down = true;
    s->done = done;
    s->done_ctx = ctx;
    lws_start_foreach_dll_safe(struct lws_dll2 *, d, d1, lws_dll2_get_head(&s->sessions))
    {
        sc__session_t *ss = lws_container_of(d, sc__session_t, list);
        if (!ss->killing && ss->out_head) {
            /* Replies still queued (those sc_ack_flush just released): they
             * go out first, then WRITEABLE closes it with 1001; the grace
             * timer below bounds the wait. */
            lws_callback_on_writable(ss->wsi);
        } else if (!ss->killing) {
            ss->killing = true;
            static const char why[] = "server shutdown";
            lws_close_reason(ss->wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)why,
                             sizeof why - 1);
            lws_set_timeout(ss->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
        }
    }
    lws_end_foreach_dll_safe(d, d1);
    lws_cancel_service(s->ctx);
    uv_timer_start(&s->grace, grace_cb, s->sessions.count ? 300 : 0, 0);
}

/* Phase 1 inside the loop (closes every wsi and lws's handles), then phase 2
 * after uv_run has returned (frees the context). */
void sc_server_destroy(sc_server_t *s)
{
    sc__header_gate_close_all(s);
    sc_refusals_free(s->oversized);
    s->oversized = NULL;
    if (s->grace_open) {
        uv_timer_stop(&s->grace);
        uv_close((uv_handle_t *)&s->grace, NULL);
        s->grace_open = false;
    }
    lws_context_destroy(s->ctx);
    if (s->destroyed_once)
        s->ctx = NULL;
    s->destroyed_once = true;
}

void sc_server_free(sc_server_t *s)
{
    free(s->frame);
    free(s->protocols);
    free(s);
}
