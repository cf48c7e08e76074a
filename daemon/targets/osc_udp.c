/* OSC over UDP: one connected datagram socket per target, sent on by the cue clock. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "osc_encode.h"
#include "target.h"

static bool udp_encode(const rd_payload_t *p, const rd_target_t *conf, uint8_t **out, size_t *len)
{
    return sc_osc_encode_payload(p, false, conf->framing, out, len);
}

static int udp_open(sc_target_t *t)
{
    struct sockaddr_storage addr;
    unsigned int len;
    int fd = sc__connect_socket(t->conf->host, t->conf->port, SOCK_DGRAM, &addr, &len);
    if (fd < 0) {
        int e = errno;
        sc_target_set_state(t, SC_TARGET_DOWN, strerror(e));
        return e;
    }
    t->fd = fd;
    sc_clock_set_socket(t->env->clock, t->index, fd);
    sc_target_set_state(t, SC_TARGET_READY, NULL);
    return 0;
}

static int udp_send(sc_target_t *t, uint64_t key, const uint8_t *bytes, size_t len,
                    int64_t *sent_mono)
{
    (void)key;
    *sent_mono = sc_mono_ns();
    return sc_clock_send_now(t->fd, bytes, len);
}

/* The clock is stopped before targets close, so the fd is ours alone. */
static void udp_close(sc_target_t *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    t->closed = true;
}

const sc_target_ops_t sc_target_osc_udp = {
    .kind = RD_TARGET_OSC_UDP,
    .clock_sends = true,
    .encode = udp_encode,
    .open = udp_open,
    .send = udp_send,
    .close = udp_close,
};
