/* Cue targets: the one table of kinds, and what every kind shares. */
#include "target.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

/* Every kind the daemon can send to, one file each. A kind of the library's
 * rundown/target_kind.c without a row here is refused at start-up. */
static const sc_target_ops_t *const kinds[] = {
    &sc_target_osc_udp, &sc_target_osc_tcp, &sc_target_ws,  &sc_target_obs,
    &sc_target_http,    &sc_target_https,   &sc_target_tcp,
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

const sc_target_ops_t *sc_target_ops_for(rd_target_kind_t kind)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i]->kind == kind)
            return kinds[i];
    return NULL;
}

size_t sc_target_lws_protocols(const struct lws_protocols **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i]->lws_protocol && n < cap)
            out[n++] = kinds[i]->lws_protocol;
    return n;
}

const char *sc_target_state_name(sc_target_state_t s)
{
    switch (s) {
    case SC_TARGET_READY:
        return "ready";
    case SC_TARGET_CONNECTING:
        return "connecting";
    case SC_TARGET_CONNECTED:
        return "connected";
    case SC_TARGET_DOWN:
        return "down";
    }
    return "?";
}

const char *sc_answer_name(sc_answer_kind_t kind)
{
    switch (kind) {
    case SC_ANSWER_OK:
        return "ok";
    case SC_ANSWER_ERROR:
        return "error";
    case SC_ANSWER_TIMEOUT:
        return "timeout";
    }
    return "?";
}

bool sc_target_init(sc_target_t *t, const rd_target_t *conf, int index, const sc_target_env_t *env)
{
    memset(t, 0, sizeof *t);
    t->conf = conf;
    t->index = index;
    t->env = env;
    t->fd = -1;
    t->ops = sc_target_ops_for(conf->kind);
    return t->ops != NULL;
}

void sc_target_set_state(sc_target_t *t, sc_target_state_t s, const char *error)
{
    /* Log what an engineer needs: connected, ready, or down with a new
     * reason; not every retry of a device that stays down. */
    bool news = (s == SC_TARGET_CONNECTED || s == SC_TARGET_READY) ? t->state != s
                : s == SC_TARGET_DOWN ? (error && strcmp(error, t->last_error) != 0)
                                      : false;
    t->state = s;
    if (error)
        snprintf(t->last_error, sizeof t->last_error, "%s", error);
    else if (s == SC_TARGET_CONNECTED || s == SC_TARGET_READY)
        t->last_error[0] = '\0';
    if (news)
        sc_info("target %s (%s): %s%s%s", t->conf->name, t->conf->url, sc_target_state_name(s),
                error ? ": " : "", error ? error : "");
    if (t->env->changed)
        t->env->changed(t->env->ctx, t);
}

void sc_target_done(sc_target_t *t, uint64_t key, int err, int64_t sent_mono)
{
    if (t->env->done)
        t->env->done(t->env->ctx, t, key, err, sent_mono);
}

void sc_target_answer(sc_target_t *t, uint64_t key, const sc_answer_t *a)
{
    if (t->env->answer)
        t->env->answer(t->env->ctx, t, key, a);
}

int sc__connect_socket(const char *host, int port, int type, struct sockaddr_storage *addr,
                       unsigned int *addrlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = type}, *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0 || !res) {
        errno = EHOSTUNREACH;
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    if (type != SOCK_DGRAM)
        return 0; /* the caller connects streams itself */
    int fd = socket(addr->ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)addr, *addrlen) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

bool sc_target_awaits(const sc_target_t *t)
{
    return t->ops->answers || t->conf->answer != RD_ANSWER_NONE;
}

/* Send-to-answer times in microseconds, in buckets: exact below 32 us, then
 * 32 buckets per doubling (each about 3% wide) up to 2^37 us. */
static size_t rtt_bucket(uint64_t us)
{
    if (us < 32)
        return (size_t)us;
    int e = 63 - __builtin_clzll(us); /* 5.. */
    if (e > 37)
        return SC_RTT_BUCKETS - 1;
    size_t sub = (size_t)((us >> (e - 5)) & 31);
    return 32 + (size_t)(e - 5) * 32 + sub;
}

/* The middle of a bucket, in us. */
static int64_t rtt_value(size_t b)
{
    if (b < 32)
        return (int64_t)b;
    size_t e = (b - 32) / 32 + 5, sub = (b - 32) % 32;
    int64_t low = (int64_t)((32 + sub) << (e - 5));
    return low + ((int64_t)1 << (e - 5)) / 2;
}

void sc_target_note_answer(sc_target_t *t, const sc_answer_t *a, const char *cue, int64_t rtt_ns,
                           int64_t wall_ms)
{
    sc_answer_stats_t *s = &t->answers;
    if ((unsigned)a->kind < 3)
        s->count[a->kind]++;
    s->has_last = true;
    s->last_kind = a->kind;
    snprintf(s->last_detail, sizeof s->last_detail, "%s", a->detail ? a->detail : "");
    snprintf(s->last_cue, sizeof s->last_cue, "%s", cue ? cue : "");
    s->last_wall_ms = wall_ms;
    if (rtt_ns < 0 || a->kind == SC_ANSWER_TIMEOUT)
        return; /* a timeout measures our patience, not the device */
    if (!s->rtt)
        s->rtt = calloc(SC_RTT_BUCKETS, sizeof *s->rtt);
    if (!s->rtt)
        return;
    s->rtt[rtt_bucket((uint64_t)rtt_ns / 1000)]++;
    s->nrtt++;
}

int64_t sc_target_rtt_us(const sc_target_t *t, double p)
{
    const sc_answer_stats_t *s = &t->answers;
    if (!s->rtt || s->nrtt == 0)
        return -1;
    uint64_t rank = (uint64_t)(p * (double)s->nrtt + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (size_t b = 0; b < SC_RTT_BUCKETS; b++) {
        seen += s->rtt[b];
        if (seen >= rank)
            return rtt_value(b);
    }
    return rtt_value(SC_RTT_BUCKETS - 1);
}

void sc_target_free_stats(sc_target_t *t)
{
    free(t->answers.rtt);
    t->answers.rtt = NULL;
}
