/* The OSC door: a liblo server on our own UDP socket, watched with uv_poll, answering every
 * command.
 */
#include "osc_in.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <lo/lo.h>
#include <lo/lo_throw.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#define PREFIX "/showcaller/"
#define PREFIX_LEN (sizeof PREFIX - 1)

/* More positional arguments than any command takes; beyond it we do not look. */
#define MAX_ARGS 8
/* Replies echo at most this much of the command name, so an odd name cannot
 * make the answer bigger than the question. */
#define NAME_ECHO_MAX 64
/* Datagrams handled per wake-up, so a flood cannot hold the loop. The poll
 * is level-triggered: what is left wakes us again at once. */
#define MAX_PER_WAKE 64

/* An IP address in binary, IPv4-mapped IPv6 folded to IPv4, for comparing. */
typedef struct {
    int family; /* AF_INET or AF_INET6 */
    unsigned char bytes[16];
} ip_t;

/* A sender or subscriber: where to send, how to compare, how to print. */
typedef struct {
    struct sockaddr_storage addr;
    socklen_t len;
    ip_t ip;
    char key[64]; /* "127.0.0.1:54321" or "[::1]:54321"; fits sc_command_t.source */
} peer_t;

struct sc_osc_in {
    uv_poll_t poll;
    lo_server server;
    int fd; /* the socket liblo reads; we send replies from it too */
    int port;
    ip_t *allow;
    size_t nallow;
    sc_osc_dispatch_fn dispatch;
    void *ctx;
    peer_t subs[SC_OSC_MAX_SUBSCRIBERS];
    size_t nsubs;
    sc_osc_in_stats_t stats;
    bool closing;
    void (*done)(void *ctx);
    void *done_ctx;
};

/* Logs the first few of a kind of trouble, then only at powers of two, so a
 * flood of garbage cannot flood the log. */
static bool worth_logging(uint64_t n)
{
    return n <= 10 || (n & (n - 1)) == 0;
}

/* A copy of text fit for one log line: control and non-ASCII bytes become '?'. */
static const char *printable(const char *text, char *buf, size_t cap)
{
    size_t i = 0;
    for (; text[i] && i + 1 < cap; i++)
        buf[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
    buf[i] = '\0';
    return buf;
}

/* Parses a numeric address; "%scope" on IPv6 is accepted and dropped. */
static bool parse_ip(const char *text, ip_t *ip, struct in6_addr *v6, uint32_t *scope)
{
    memset(ip, 0, sizeof *ip);
    if (scope)
        *scope = 0;
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) == 1) {
        ip->family = AF_INET;
        memcpy(ip->bytes, &v4, 4);
        return true;
    }
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    if (strlen(text) >= sizeof buf)
        return false;
    strcpy(buf, text);
    char *pct = strchr(buf, '%');
    if (pct) {
        *pct = '\0';
        if (scope) {
            unsigned idx = if_nametoindex(pct + 1);
            *scope = idx ? idx : (uint32_t)strtoul(pct + 1, NULL, 10);
        }
    }
    struct in6_addr a6;
    if (inet_pton(AF_INET6, buf, &a6) != 1)
        return false;
    if (v6)
        *v6 = a6;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        ip->family = AF_INET;
        memcpy(ip->bytes, &a6.s6_addr[12], 4);
    } else {
        ip->family = AF_INET6;
        memcpy(ip->bytes, &a6, 16);
    }
    return true;
}

/* The sender of a message, from liblo's numeric host and port. */
static bool peer_from_source(lo_address src, peer_t *p)
{
    const char *host = src ? lo_address_get_hostname(src) : NULL;
    const char *port_text = src ? lo_address_get_port(src) : NULL;
    if (!host || !port_text)
        return false;
    char *end;
    long port = strtol(port_text, &end, 10);
    if (*end || port <= 0 || port > 65535)
        return false;
    memset(p, 0, sizeof *p);
    struct in6_addr a6;
    uint32_t scope;
    if (!parse_ip(host, &p->ip, &a6, &scope))
        return false;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&p->addr;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        sin->sin_addr = a4;
        p->len = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&p->addr;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        sin6->sin6_addr = a6;
        sin6->sin6_scope_id = scope;
        p->len = sizeof *sin6;
    }
    /* A dual-stack socket sees IPv4 senders as ::ffff:a.b.c.d; people and
     * the allow list know them as a.b.c.d. */
    if (p->ip.family == AF_INET) {
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, p->ip.bytes, text, sizeof text);
        snprintf(p->key, sizeof p->key, "%s:%ld", text, port);
    } else {
        snprintf(p->key, sizeof p->key, "[%s]:%ld", host, port);
    }
    return true;
}

static bool is_allowed(const sc_osc_in_t *o, const ip_t *ip)
{
    size_t n = ip->family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < o->nallow; i++)
        if (o->allow[i].family == ip->family && memcmp(o->allow[i].bytes, ip->bytes, n) == 0)
            return true;
    return false;
}

static void send_bytes(sc_osc_in_t *o, const void *buf, size_t len, const peer_t *to)
{
    /* The socket is non-blocking: a full send buffer drops the datagram,
     * as UDP may, rather than stalling the loop. */
    if (sendto(o->fd, buf, len, 0, (const struct sockaddr *)&to->addr, to->len) < 0) {
        o->stats.send_failed++;
        if (worth_logging(o->stats.send_failed))
            sc_warn("osc: cannot send to %s: %s (%llu send failures)", to->key, strerror(errno),
                    (unsigned long long)o->stats.send_failed);
    }
}

/* liblo encodes; we send from the door's own socket, so the answer comes from
 * the port the sender used. (lo_send_message_from would do the same for
 * IPv4, but Debian's liblo is built without IPv6 and cannot reach an IPv6
 * sender.) */
static void send_message(sc_osc_in_t *o, lo_message m, const char *path, const peer_t *to,
                         size_t nto)
{
    size_t len = 0;
    void *buf = lo_message_serialise(m, path, NULL, &len);
    if (!buf) {
        o->stats.send_failed += nto;
        return;
    }
    for (size_t i = 0; i < nto; i++)
        send_bytes(o, buf, len, &to[i]);
    free(buf);
}

static void reply(sc_osc_in_t *o, const peer_t *to, const char *name, const sc_result_t *r)
{
    char echo[NAME_ECHO_MAX + 1];
    snprintf(echo, sizeof echo, "%s", name);
    lo_message m = lo_message_new();
    if (!m) {
        o->stats.send_failed++;
        return;
    }
    lo_message_add_string(m, echo);
    lo_message_add_int32(m, r->ok ? 1 : 0);
    lo_message_add_string(m, r->ok || !r->code ? "" : r->code);
    lo_message_add_string(m, r->ok ? "" : r->message);
    send_message(o, m, PREFIX "reply", to, 1);
    lo_message_free(m);
}

static void unauthorized(sc_result_t *r, const peer_t *from)
{
    sc_result_error(r, "unauthorized",
                    "OSC control is accepted only from the osc.allow addresses; %s is not one",
                    from->key);
}

/* /showcaller/subscribe and /showcaller/unsubscribe: feedback, not commands. */
static void subscription(sc_osc_in_t *o, bool on, int argc, const peer_t *from, bool allowed,
                         sc_result_t *r)
{
    const char *name = on ? "subscribe" : "unsubscribe";
    if (!allowed) {
        unauthorized(r, from);
        return;
    }
    if (argc > 0) {
        sc_result_error(r, "bad_argument", "%s takes no arguments, not %d", name, argc);
        return;
    }
    size_t i = 0;
    while (i < o->nsubs && strcmp(o->subs[i].key, from->key) != 0)
        i++;
    sc_result_ok(r);
    if (on && i == o->nsubs) {
        if (o->nsubs == SC_OSC_MAX_SUBSCRIBERS) {
            sc_result_error(r, "too_many_subscribers", "subscribe: already %d subscribers",
                            SC_OSC_MAX_SUBSCRIBERS);
            return;
        }
        o->subs[o->nsubs++] = *from;
        sc_info("osc: %s subscribed to feedback", from->key);
    } else if (!on && i < o->nsubs) {
        memmove(&o->subs[i], &o->subs[i + 1], (o->nsubs - i - 1) * sizeof o->subs[0]);
        o->nsubs--;
        sc_info("osc: %s unsubscribed from feedback", from->key);
    }
}

/* Converts liblo's arguments and decodes them through the command table; on
 * success hands the command to the owner, who fills r. */
static void command(sc_osc_in_t *o, const char *name, const char *types, lo_arg **argv, int argc,
                    const peer_t *from, bool allowed, sc_result_t *r)
{
    if (sc_command_lookup(name) < 0) {
        sc_result_error(r, "unknown_command", "\"%.64s\" is not a command", name);
        return;
    }
    if (argc > MAX_ARGS) {
        sc_result_error(r, "bad_argument", "%s: too many arguments (%d)", name, argc);
        return;
    }
    sc_value_t v[MAX_ARGS];
    memset(v, 0, sizeof v);
    for (int i = 0; i < argc; i++) {
        /* Arguments sit 4-byte aligned in the packet, and lo_arg wants 8:
         * read them with memcpy, not through the union. */
        const char *a = (const char *)argv[i];
        int32_t i32;
        float f32;
        switch (types[i]) {
        case LO_INT32:
            v[i].kind = SC_VAL_INT;
            memcpy(&i32, a, sizeof i32);
            v[i].i = i32;
            break;
        case LO_INT64:
            v[i].kind = SC_VAL_INT;
            memcpy(&v[i].i, a, sizeof v[i].i);
            break;
        case LO_FLOAT:
            v[i].kind = SC_VAL_REAL;
            memcpy(&f32, a, sizeof f32);
            v[i].d = f32;
            break;
        case LO_DOUBLE:
            v[i].kind = SC_VAL_REAL;
            memcpy(&v[i].d, a, sizeof v[i].d);
            break;
        case LO_STRING:
        case LO_SYMBOL:
            /* liblo has checked the terminator; the table checks the length. */
            v[i].kind = SC_VAL_STRING;
            v[i].s = a;
            break;
        case LO_TRUE:
        case LO_FALSE:
            v[i].kind = SC_VAL_BOOL;
            v[i].b = types[i] == LO_TRUE;
            break;
        default:
            sc_result_error(r, "bad_argument",
                            "%s: argument %d has OSC type '%c'; use i, h, f, d, s, S, T or F", name,
                            i + 1, types[i]);
            return;
        }
    }
    sc_command_t cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.door = SC_DOOR_OSC;
    snprintf(cmd.source, sizeof cmd.source, "%s", from->key);
    if (!sc_command_from_values(name, v, argc, &cmd, r))
        return;
    if (allowed)
        sc_result_ok(r);
    else
        unauthorized(r, from);
    o->dispatch(o->ctx, &cmd, allowed, r);
}

/* liblo's one method: it matches every path, so nothing reaches liblo's own
 * replies, and it always returns 0 (handled). */
static int on_message(const char *path, const char *types, lo_arg **argv, int argc, lo_message msg,
                      void *user)
{
    sc_osc_in_t *o = user;
    if (o->closing)
        return 0;
    if (strncmp(path, PREFIX, PREFIX_LEN) != 0) {
        o->stats.ignored++;
        return 0;
    }
    peer_t from;
    if (!peer_from_source(lo_message_get_source(msg), &from)) {
        o->stats.malformed++;
        char p[65];
        if (worth_logging(o->stats.malformed))
            sc_warn("osc: a message for %s from an unreadable address",
                    printable(path, p, sizeof p));
        return 0;
    }
    o->stats.commands++;
    const char *name = path + PREFIX_LEN;
    bool allowed = is_allowed(o, &from.ip);
    sc_result_t r;
    if (strcmp(name, "subscribe") == 0)
        subscription(o, true, argc, &from, allowed, &r);
    else if (strcmp(name, "unsubscribe") == 0)
        subscription(o, false, argc, &from, allowed, &r);
    else
        command(o, name, types, argv, argc, &from, allowed, &r);
    reply(o, &from, name, &r);
    return 0;
}

/* liblo reports rejected packets (and server errors) here. Garbage from the
 * network must never stop the show: count, log a little, carry on. */
static void on_lo_error(int num, const char *msg, const char *where)
{
    sc_osc_in_t *o = lo_error_get_context();
    uint64_t n = 1;
    if (o)
        n = ++o->stats.malformed;
    char w[65];
    if (worth_logging(n))
        sc_warn("osc: %s (liblo error %d%s%s; %llu so far)", msg ? msg : "error", num,
                where ? ", at " : "", where ? printable(where, w, sizeof w) : "",
                (unsigned long long)n);
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    (void)events;
    sc_osc_in_t *o = h->data;
    if (status < 0) {
        sc_warn("osc: poll: %s", uv_strerror(status));
        return;
    }
    /* lo_server_recv_noblock returns 0 both when nothing is waiting and when
     * the datagram it read was rejected; the error count tells them apart. */
    for (int i = 0; i < MAX_PER_WAKE && !o->closing; i++) {
        uint64_t bad = o->stats.malformed;
        if (lo_server_recv_noblock(o->server, 0) <= 0 && o->stats.malformed == bad)
            break;
    }
}

/* A non-blocking UDP socket bound to host:port. */
static int bind_udp(const char *host, int port, int *bound_port, char *err, size_t errlen)
{
    char node[256];
    if (!host || !*host)
        host = "0.0.0.0";
    size_t n = strlen(host);
    if (n >= sizeof node) {
        snprintf(err, errlen, "osc: listen address is too long");
        return -1;
    }
    if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
        memcpy(node, host + 1, n - 2);
        node[n - 2] = '\0';
    } else {
        memcpy(node, host, n + 1);
    }
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(node, service, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "osc: listen address \"%s\": %s", host, gai_strerror(gai));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        if (ai->ai_family == AF_INET6) {
            /* "::" takes IPv4 senders too. */
            int off = 0;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "osc: cannot listen on %s:%d: %s", host, port, strerror(saved));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        snprintf(err, errlen, "osc: getsockname: %s", strerror(errno));
        close(fd);
        return -1;
    }
    *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static void free_door(sc_osc_in_t *o)
{
    if (o->server)
        lo_server_free(o->server); /* closes o->fd */
    free(o->allow);
    free(o);
}

static void on_closed(uv_handle_t *h)
{
    sc_osc_in_t *o = h->data;
    void (*done)(void *) = o->done;
    void *ctx = o->done_ctx;
    free_door(o);
    if (done)
        done(ctx);
}

sc_osc_in_t *sc_osc_in_start(uv_loop_t *loop, const char *host, int port, const char *const *allow,
                             size_t nallow, sc_osc_dispatch_fn dispatch, void *ctx, char *err,
                             size_t errlen)
{
    if (port < 0 || port > 65535) {
        snprintf(err, errlen, "osc: port %d is out of range", port);
        return NULL;
    }
    sc_osc_in_t *o = calloc(1, sizeof *o);
    if (!o || (nallow && !(o->allow = calloc(nallow, sizeof *o->allow)))) {
        snprintf(err, errlen, "osc: out of memory");
        free(o);
        return NULL;
    }
    o->nallow = nallow;
    o->dispatch = dispatch;
    o->ctx = ctx;
    for (size_t i = 0; i < nallow; i++) {
        if (!allow[i] || !parse_ip(allow[i], &o->allow[i], NULL, NULL)) {
            snprintf(err, errlen, "osc: allow entry \"%.64s\" is not an IP address",
                     allow[i] ? allow[i] : "(null)");
            free_door(o);
            return NULL;
        }
    }
    int fd = bind_udp(host, port, &o->port, err, errlen);
    if (fd < 0) {
        free_door(o);
        return NULL;
    }
    /* liblo 0.31 always binds the wildcard address; it has no way to listen
     * on one address only. So it gets a throwaway socket, which we replace
     * with ours under the same descriptor number. liblo reads it, fills in
     * the sender and closes it in lo_server_free. */
    o->server = lo_server_new_with_proto("0", LO_UDP, on_lo_error);
    if (!o->server) {
        snprintf(err, errlen, "osc: liblo could not create a server");
        close(fd);
        free_door(o);
        return NULL;
    }
    o->fd = lo_server_get_socket_fd(o->server);
    if (o->fd < 0 || dup2(fd, o->fd) < 0 || fcntl(o->fd, F_SETFD, FD_CLOEXEC) < 0) {
        snprintf(err, errlen, "osc: cannot hand the socket to liblo: %s", strerror(errno));
        close(fd);
        free_door(o);
        return NULL;
    }
    close(fd);
    lo_server_set_error_context(o->server, o);
    /* Commands act when they arrive: a bundle's time tag does not delay them
     * (nothing would wake the loop for a queued one anyway). */
    lo_server_enable_queue(o->server, 0, 1);
    lo_server_add_method(o->server, NULL, NULL, on_message, o);

    int rc = uv_poll_init(loop, &o->poll, o->fd);
    if (rc != 0) {
        snprintf(err, errlen, "osc: uv_poll_init: %s", uv_strerror(rc));
        free_door(o);
        return NULL;
    }
    o->poll.data = o;
    rc = uv_poll_start(&o->poll, UV_READABLE, on_readable);
    if (rc != 0) {
        snprintf(err, errlen, "osc: uv_poll_start: %s", uv_strerror(rc));
        /* The handle is live: it is freed in its close callback. */
        o->closing = true;
        uv_close((uv_handle_t *)&o->poll, on_closed);
        return NULL;
    }
    return o;
}

int sc_osc_in_port(const sc_osc_in_t *o)
{
    return o->port;
}

void sc_osc_in_feedback(sc_osc_in_t *o, const char *state, const char *item_id, const char *title,
                        double remaining_s, const char *next_id)
{
    if (o->closing || o->nsubs == 0)
        return;
    lo_message m = lo_message_new();
    if (!m) {
        o->stats.send_failed += o->nsubs;
        return;
    }
    lo_message_add_string(m, state ? state : "");
    lo_message_add_string(m, item_id ? item_id : "");
    lo_message_add_string(m, title ? title : "");
    lo_message_add_float(m, (float)remaining_s);
    lo_message_add_string(m, next_id ? next_id : "");
    send_message(o, m, PREFIX "running", o->subs, o->nsubs);
    lo_message_free(m);
}

void sc_osc_in_stats(const sc_osc_in_t *o, sc_osc_in_stats_t *out)
{
    *out = o->stats;
    out->subscribers = o->nsubs;
}

void sc_osc_in_close(sc_osc_in_t *o, void (*done)(void *ctx), void *ctx)
{
    o->closing = true;
    o->done = done;
    o->done_ctx = ctx;
    uv_close((uv_handle_t *)&o->poll, on_closed);
}
