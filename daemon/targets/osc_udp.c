/* OSC over UDP: one connected datagram socket per target, sent on by the cue clock. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "target.h"

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

static int udp_open(sc_output_t *o)
{
    struct sockaddr_storage addr;
    unsigned int len;
    int fd = sc__connect_socket(o->target->host, o->target->port, SOCK_DGRAM, &addr, &len);
    if (fd < 0) {
        int e = errno;
        sc_output_set_state(o, SC_OUT_DOWN, strerror(e));
        return e;
    }
    o->fd = fd;
    sc_clock_set_socket(o->app->clock, o->index, fd);
    sc_output_set_state(o, SC_OUT_READY, NULL);
    return 0;
}

static int udp_send(sc_output_t *o, uint64_t key, const uint8_t *bytes, size_t len,
                    int64_t *sent_mono)
{
    (void)key;
    *sent_mono = sc_mono_ns();
    return sc_clock_send_now(o->fd, bytes, len);
}

/* The clock is stopped before outputs close, so the fd is ours alone. */
static void udp_close(sc_output_t *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    o->closed = true;
}

const sc_output_ops_t sc_out_osc_udp = {"osc.udp", true, udp_open, udp_send, udp_close, NULL, NULL};
