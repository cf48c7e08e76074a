/* Benchmark: cue clock lateness at a UDP receiver, taken from the kernel's receive timestamp. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock/cue_clock.h"

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Usage: bench_cue_clock [N] [SPACING_US] [REALTIME 0/1] */
int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    int spacing_us = argc > 2 ? atoi(argv[2]) : 1000;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    int on = 1, big = 4 << 20;
    setsockopt(rx, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (bind(rx, (struct sockaddr *)&a, sizeof a) ||
        getsockname(rx, (struct sockaddr *)&a, &alen) ||
        connect(tx, (struct sockaddr *)&a, sizeof a)) {
        perror("socket");
        return 1;
    }
    sc_clock_options_t o = {.capacity = (size_t)n + 16, .realtime = argc > 3 && atoi(argv[3])};
    int err;
    sc_cue_clock_t *c = sc_clock_start(&o, &err);
    sc_clock_set_socket(c, 0, tx);
    int64_t *deadline = calloc((size_t)n, sizeof *deadline);
    int64_t *late = calloc((size_t)n, sizeof *late);
    uint32_t *idx = calloc((size_t)n, sizeof *idx);
    int64_t t0 = sc_mono_ns() + 50000000;
    for (int i = 0; i < n; i++) {
        idx[i] = (uint32_t)i;
        deadline[i] = t0 + (int64_t)i * spacing_us * 1000;
        sc_cue_t cue = {(uint64_t)i + 1, 0, deadline[i], SC_CUE_SEND, 0, (uint8_t *)&idx[i], 4};
        sc_clock_arm(c, &cue);
    }
    /* CLOCK_REALTIME (kernel stamp) minus CLOCK_MONOTONIC, to put stamps on the deadlines' clock.
     */
    struct timespec rt, mt;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mt);
    int64_t rt_minus_mono = ((int64_t)rt.tv_sec - mt.tv_sec) * 1000000000 + rt.tv_nsec - mt.tv_nsec;
    int got = 0;
    while (got < n) {
        struct pollfd p = {rx, POLLIN, 0};
        if (poll(&p, 1, 2000) <= 0)
            break;
        uint32_t v;
        char ctl[256];
        struct iovec iov = {&v, sizeof v};
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
        if (recvmsg(rx, &m, 0) != 4 || v >= (uint32_t)n)
            continue;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(cm), sizeof ts);
                int64_t at = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - rt_minus_mono;
                late[got++] = at - deadline[v];
            }
        }
    }
    sc_clock_stats_t st;
    sc_clock_stats(c, &st);
    sc_clock_stop(c);
    sc_clock_free(c);
    qsort(late, (size_t)got, sizeof *late, cmp);
#define P(q) (late[(size_t)((got - 1) * (q))] / 1000.0)
    printf("cue clock -> UDP receiver (kernel receive stamp), %d of %d cues, %d us apart:\n", got,
           n, spacing_us);
    printf("  lateness us: min %.1f  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n", late[0] / 1000.0,
           P(0.5), P(0.99), P(0.999), late[got - 1] / 1000.0);
    printf("  early-wake window %.0f us, worst timerfd wake %.0f us late, realtime %s\n",
           st.window_ns / 1000.0, st.worst_wake_late_ns / 1000.0, st.realtime ? "yes" : "no");
    free(deadline);
    free(late);
    free(idx);
    return 0;
}
