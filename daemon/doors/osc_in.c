/* The OSC door: our UDP socket on the loop (uv_poll), rate limited, answering every command. */
#include "osc_in.h"

#include <arpa/inet.h>
#include <errno.h>
#include <lo/lo.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock/cue_clock.h"
#include "log.h"
#include "osc_decode.h"
#include "rate_limit.h"

/* Replies echo at most this much of the command name, so an odd name cannot
 * make the answer bigger than the question. */
#define NAME_ECHO_MAX 64
/* Datagrams handled per wake-up, so a flood cannot hold the loop. The poll
 * is level-triggered: what is left wakes us again at once. */
#define MAX_PER_WAKE 64
/* Bigger than any UDP datagram (65,507 bytes over IPv4, 65,527 over IPv6). */
#define DATAGRAM_MAX 65536

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

/* A reply held until its command's as-run record is durable (journal/ack.h). */
typedef struct {
    sc_ack_entry_t entry; /* first: the queue's entry is the reply's */
    struct sc_osc_in *o;
    peer_t to;
    char name[NAME_ECHO_MAX + 1];
    sc_result_t result;
} held_t;

struct sc_osc_in {
    uv_poll_t poll;
    int fd; /* owned; closed after the poll handle */
    int port;
    ip_t *allow;
    size_t nallow;
    sc_osc_dispatch_fn dispatch;
    void *ctx;
    int commands_per_second;
    /* Per sender address (not port: oscsend picks a new port for every
     * message), shared by everything under /showcaller/. */
    sc_rate_table_t rate;
    sc_refusals_t *answered; /* which refusals get an answer */
    peer_t subs[SC_OSC_MAX_SUBSCRIBERS];
    size_t nsubs;
    sc_osc_in_stats_t stats;
    sc_ack_queue_t *acks; /* borrowed, may be NULL */
    sc_ack_owner_t held;  /* the door's replies in it */
    uint64_t recv_failed; /* recvfrom errors other than "nothing waiting" */
    bool closing;
    void (*done)(void *ctx);
    void *done_ctx;
    unsigned char datagram[DATAGRAM_MAX];
};

/* Logs the first few of a kind of trouble, then only at powers of two, so a
 * flood of garbage cannot flood the log. */
static bool worth_logging(uint64_t n)
{
    return n <= 10 || (n & (n - 1)) == 0;
}

/* Parses a numeric address; "%scope" on IPv6 is accepted and dropped. */
static bool parse_ip(const char *text, ip_t *ip)
{
    memset(ip, 0, sizeof *ip);
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
    if (pct)
        *pct = '\0';
    struct in6_addr a6;
    if (inet_pton(AF_INET6, buf, &a6) != 1)
        return false;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        ip->family = AF_INET;
        memcpy(ip->bytes, &a6.s6_addr[12], 4);
    } else {
        ip->family = AF_INET6;
        memcpy(ip->bytes, &a6, 16);
    }
    return true;
}

/* The sender of a datagram, from recvfrom's address. */
static bool peer_from_sockaddr(const struct sockaddr_storage *ss, socklen_t len, peer_t *p)
{
    memset(p, 0, sizeof *p);
    unsigned port;
    if (len > sizeof p->addr)
        return false;
    if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        p->ip.family = AF_INET;
        memcpy(p->ip.bytes, &sin->sin_addr, 4);
        port = ntohs(sin->sin_port);
    } else if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        /* A dual-stack socket sees IPv4 senders as ::ffff:a.b.c.d; people and
         * the allow list know them as a.b.c.d. */
        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
            p->ip.family = AF_INET;
            memcpy(p->ip.bytes, &sin6->sin6_addr.s6_addr[12], 4);
        } else {
            p->ip.family = AF_INET6;
            memcpy(p->ip.bytes, &sin6->sin6_addr, 16);
        }
        port = ntohs(sin6->sin6_port);
    } else {
        return false;
    }
    if (port == 0) /* nowhere to answer */
        return false;
    /* Replies go back to the address as received, scope and mapping included;
     * the key leaves the scope out, so the longest ("[" 45 "]:65535") fits. */
    memcpy(&p->addr, ss, len);
    p->len = len;
    char text[INET6_ADDRSTRLEN];
    inet_ntop(p->ip.family, p->ip.bytes, text, sizeof text);
    if (p->ip.family == AF_INET)
        snprintf(p->key, sizeof p->key, "%s:%u", text, port);
    else
        snprintf(p->key, sizeof p->key, "[%s]:%u", text, port);
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
 * the port the sender used. (lo_send_message_from could not: Debian's liblo
 * is built without IPv6 and cannot reach an IPv6 sender.) */
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
    /* An ok reply has no code, except "not_durable" (ack.h). */
    lo_message_add_int32(m, r->ok ? 1 : 0);
    lo_message_add_string(m, r->code ? r->code : "");
    lo_message_add_string(m, r->code ? r->message : "");
    send_message(o, m, SC_OSC_PREFIX "reply", to, 1);
    lo_message_free(m);
}

static void unauthorized(sc_result_t *r, const peer_t *from)
{
    sc_result_error(r, SC_ERR_UNAUTHORIZED,
                    "OSC control is accepted only from the osc.allow addresses; %s is not one",
                    from->key);
}

/* One token from the sender's bucket. Every message under /showcaller/
 * takes one, whatever it is and whether or not the sender is allowed: each
 * may be answered and logged, so each costs us something. */
static bool take_token(sc_osc_in_t *o, const peer_t *from, sc_result_t *r)
{
    char key[SC_RATE_KEY_MAX];
    sc_source_address(from->key, key, sizeof key);
    int64_t now = sc_mono_ns();
    if (sc_rate_take(&o->rate, key, o->commands_per_second, now))
        return true;
    o->stats.rate_limited++;
    sc_result_error(r, SC_ERR_RATE_LIMITED, "more than %d commands a second from %s",
                    o->commands_per_second, key);
    return false;
}

/* /showcaller/subscribe and /showcaller/unsubscribe: feedback, not commands. */
static void subscription(sc_osc_in_t *o, bool on, const peer_t *from, bool allowed, sc_result_t *r)
{
    if (!allowed) {
        unauthorized(r, from);
        return;
    }
    size_t i = 0;
    while (i < o->nsubs && strcmp(o->subs[i].key, from->key) != 0)
        i++;
    sc_result_ok(r);
    if (on && i == o->nsubs) {
        if (o->nsubs == SC_OSC_MAX_SUBSCRIBERS) {
            sc_result_error(r, SC_ERR_TOO_MANY_SUBSCRIBERS, "subscribe: already %d subscribers",
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

/* Sends a held reply as the ack queue released it. Overdue, an ok reply
 * stays ok (the command ran) with code "not_durable" and the warning. */
static void release(sc_ack_entry_t *e, sc_ack_t state, const char *warning)
{
    held_t *h = (held_t *)e;
    if (state == SC_ACK_OVERDUE) {
        h->o->stats.not_durable++;
        if (h->result.ok) {
            h->result.err = SC_ERR_NOT_DURABLE;
            h->result.code = sc_err_code(SC_ERR_NOT_DURABLE);
            snprintf(h->result.message, sizeof h->result.message, "%s", warning);
        }
    }
    if (state != SC_ACK_DROPPED && !h->o->closing)
        reply(h->o, &h->to, h->name, &h->result);
    free(h);
}

/* The datagram being answered. */
typedef struct {
    sc_osc_in_t *o;
    const peer_t *from;
    bool allowed;
} datagram_t;

/* One message of a datagram, decoded by sc_osc_decode: rate limit, allow
 * list, then the owner (commands) or the door itself (subscriptions); every
 * message under /showcaller/ gets one reply, but for refusals over the
 * answer limit. */
static void on_message(void *ctx, sc_osc_msg_t *m)
{
    datagram_t *d = ctx;
    sc_osc_in_t *o = d->o;
    if (o->closing)
        return;
    if (m->kind == SC_OSC_OTHER) {
        o->stats.ignored++;
        return;
    }
    o->stats.commands++;
    uint64_t wait = 0;
    if (take_token(o, d->from, &m->result)) {
        switch (m->kind) {
        case SC_OSC_COMMAND:
            if (d->allowed)
                sc_result_ok(&m->result);
            else
                unauthorized(&m->result, d->from);
            wait = o->dispatch(o->ctx, &m->cmd, d->allowed, &m->result);
            break;
        case SC_OSC_SUBSCRIBE:
        case SC_OSC_UNSUBSCRIBE:
            subscription(o, m->kind == SC_OSC_SUBSCRIBE, d->from, d->allowed, &m->result);
            break;
        default: /* SC_OSC_REFUSED: the decoder has said why */
            break;
        }
    }
    /* A refusal is answered once per sender per interval; the rest are
     * counted, and summarised in the log. */
    bool refused = m->result.err == SC_ERR_UNAUTHORIZED || m->result.err == SC_ERR_RATE_LIMITED;
    if (refused) {
        if (!sc_refusals_tell(o->answered, d->from->key, sc_mono_ns())) {
            o->stats.unanswered++;
            return;
        }
        if (m->result.err == SC_ERR_RATE_LIMITED) {
            char addr[SC_RATE_KEY_MAX];
            sc_source_address(d->from->key, addr, sizeof addr);
            sc_warn("osc: %s sends more than %d commands a second; the excess is refused "
                    "(%llu refused so far, from all senders)",
                    addr, o->commands_per_second, (unsigned long long)o->stats.rate_limited);
        }
    }
    /* A logged command's reply waits for its record; any other waits only
     * behind the door's replies held before it, so a sender (a bundle) is
     * answered in order. */
    if (!o->acks || (wait == 0 && o->held.held == 0)) {
        reply(o, d->from, m->name, &m->result);
        return;
    }
    held_t *h = calloc(1, sizeof *h);
    if (!h) {
        reply(o, d->from, m->name, &m->result);
        return;
    }
    h->o = o;
    h->to = *d->from;
    snprintf(h->name, sizeof h->name, "%s", m->name);
    h->result = m->result;
    char warning[SC_ACK_WARNING_MAX];
    sc_ack_t state = sc_ack_hold(o->acks, &h->entry, &o->held, wait ? sc_ack_seq(o->acks) : 0,
                                 release, warning, sizeof warning);
    if (state != SC_ACK_WAIT)
        release(&h->entry, state, warning);
}

/* One datagram, whole: garbage from the network must never stop the show,
 * so a broken one is counted, logged a little, and dropped unanswered. */
static void on_datagram(sc_osc_in_t *o, size_t len, const struct sockaddr_storage *ss,
                        socklen_t sslen)
{
    peer_t from;
    if (!peer_from_sockaddr(ss, sslen, &from)) {
        o->stats.malformed++;
        if (worth_logging(o->stats.malformed))
            sc_warn("osc: a datagram from an unreadable address (%llu dropped so far)",
                    (unsigned long long)o->stats.malformed);
        return;
    }
    datagram_t d = {.o = o, .from = &from, .allowed = is_allowed(o, &from.ip)};
    sc_osc_err_t err = sc_osc_decode(o->datagram, len, from.key, on_message, &d);
    if (err != SC_OSC_OK) {
        o->stats.malformed++;
        if (worth_logging(o->stats.malformed))
            sc_warn("osc: dropped %zu bytes from %s: %s (%llu dropped so far)", len, from.key,
                    sc_osc_strerror(err), (unsigned long long)o->stats.malformed);
    }
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    (void)events;
    sc_osc_in_t *o = h->data;
    if (status < 0) {
        sc_warn("osc: poll: %s", uv_strerror(status));
        return;
    }
    for (int i = 0; i < MAX_PER_WAKE && !o->closing; i++) {
        struct sockaddr_storage ss;
        socklen_t sslen = sizeof ss;
        ssize_t n =
            recvfrom(o->fd, o->datagram, sizeof o->datagram, 0, (struct sockaddr *)&ss, &sslen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && worth_logging(++o->recv_failed))
                sc_warn("osc: recvfrom: %s (%llu failures)", strerror(errno),
                        (unsigned long long)o->recv_failed);
            break;
        }
        on_datagram(o, (size_t)n, &ss, sslen);
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

/* The summary of an interval in which refused senders went unanswered. */
static void unanswered(void *ctx, const sc_refusal_summary_t *s)
{
    (void)ctx;
    char words[200];
    sc_refusals_describe(s, "refused messages", words, sizeof words);
    sc_warn("osc: %s; only those told were answered", words);
}

static void free_door(sc_osc_in_t *o)
{
    sc_refusals_free(o->answered);
    if (o->fd >= 0)
        close(o->fd);
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
                             size_t nallow, int commands_per_second, sc_osc_dispatch_fn dispatch,
                             void *ctx, sc_ack_queue_t *acks, char *err, size_t errlen)
{
    if (port < 0 || port > 65535) {
        snprintf(err, errlen, "osc: port %d is out of range", port);
        return NULL;
    }
    if (commands_per_second < 1) {
        snprintf(err, errlen, "osc: commands_per_second must be at least 1, not %d",
                 commands_per_second);
        return NULL;
    }
    sc_osc_in_t *o = calloc(1, sizeof *o);
    if (!o || (nallow && !(o->allow = calloc(nallow, sizeof *o->allow)))) {
        snprintf(err, errlen, "osc: out of memory");
        free(o);
        return NULL;
    }
    o->fd = -1;
    o->nallow = nallow;
    o->dispatch = dispatch;
    o->ctx = ctx;
    o->acks = acks;
    o->commands_per_second = commands_per_second;
    /* A refused sender (not allowed, or over its rate) is answered, and a
     * rate limit logged, once every 2 s, and at most 16 refusals are
     * answered in 2 s from all senders: spoofed sources cannot make us a
     * reflector, nor flood the log (show/refusals.h). */
    o->answered = sc_refusals_new(loop, SC_REFUSALS_INTERVAL_NS, SC_REFUSALS_TOLD, unanswered, o);
    for (size_t i = 0; i < nallow; i++) {
        if (!allow[i] || !parse_ip(allow[i], &o->allow[i])) {
            snprintf(err, errlen, "osc: allow entry \"%.64s\" is not an IP address",
                     allow[i] ? allow[i] : "(null)");
            free_door(o);
            return NULL;
        }
    }
    /* We read the socket ourselves and hand the bytes to sc_osc_decode, as
     * tests/fuzz/fuzz_osc.c does; liblo only deserialises each message.
     * (liblo 0.31's server cannot bind one address only, and it receives and
     * dispatches in one call, so its input could not be fuzzed apart.) */
    o->fd = bind_udp(host, port, &o->port, err, errlen);
    if (o->fd < 0) {
        free_door(o);
        return NULL;
    }

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
    send_message(o, m, SC_OSC_PREFIX "running", o->subs, o->nsubs);
    lo_message_free(m);
}

void sc_osc_in_stats(const sc_osc_in_t *o, sc_osc_in_stats_t *out)
{
    *out = o->stats;
    out->subscribers = o->nsubs;
}

void sc_osc_in_close(sc_osc_in_t *o, void (*done)(void *ctx), void *ctx)
{
    if (o->acks)
        sc_ack_cancel_owner(o->acks, &o->held);
    o->closing = true;
    o->done = done;
    o->done_ctx = ctx;
    uv_close((uv_handle_t *)&o->poll, on_closed);
}
