/* Tests for daemon/cue_clock.c: order, cancel, reschedule, wake-ups and failures, on loopback UDP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock/cue_clock.h"
#include "unit.h"

#define MS(x) ((int64_t)(x)*1000000)

/* A connected UDP sender and its receiver on 127.0.0.1. */
static bool udp_pair(int *tx, int *rx)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    *rx = socket(AF_INET, SOCK_DGRAM, 0);
    *tx = socket(AF_INET, SOCK_DGRAM, 0);
    return *rx >= 0 && *tx >= 0 && bind(*rx, (struct sockaddr *)&a, sizeof a) == 0 &&
           getsockname(*rx, (struct sockaddr *)&a, &len) == 0 &&
           connect(*tx, (struct sockaddr *)&a, sizeof a) == 0;
}

/* Waits up to ms for a datagram; returns its first byte or -1. */
static int recv_byte(int rx, int ms)
{
    struct pollfd p = {rx, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0)
        return -1;
    unsigned char b[64];
    return recv(rx, b, sizeof b, 0) > 0 ? b[0] : -1;
}

/* Collects reports until n have arrived or 2 s pass. */
static size_t wait_reports(sc_cue_clock_t *c, sc_report_t *out, size_t n)
{
    size_t got = 0;
    int64_t until = sc_mono_ns() + MS(2000);
    while (got < n && sc_mono_ns() < until) {
        got += sc_clock_poll(c, out + got, n - got);
        if (got < n)
            usleep(1000);
    }
    return got;
}

static sc_cue_clock_t *start(void)
{
    sc_clock_options_t o = {.capacity = 64};
    int err = 0;
    return sc_clock_start(&o, &err);
}

static const uint8_t A[] = {'A'}, B[] = {'B'}, C[] = {'C'};

TEST(cue_clock_sends_in_deadline_then_order)
{
    int tx, rx;
    ASSERT_TRUE(udp_pair(&tx, &rx));
    sc_cue_clock_t *c = start();
    ASSERT_TRUE(c != NULL);
    ASSERT_TRUE(sc_clock_set_socket(c, 3, tx));
    int64_t t = sc_mono_ns() + MS(30);
    sc_cue_t a = {1, 0, t + MS(10), SC_CUE_SEND, 3, A, 1};
    sc_cue_t b = {2, 1, t, SC_CUE_SEND, 3, B, 1};
    sc_cue_t cc = {3, 2, t, SC_CUE_SEND, 3, C, 1};
    ASSERT_TRUE(sc_clock_arm(c, &a));
    ASSERT_TRUE(sc_clock_arm(c, &cc));
    ASSERT_TRUE(sc_clock_arm(c, &b));
    ASSERT_EQ(recv_byte(rx, 1000), 'B');
    ASSERT_EQ(recv_byte(rx, 1000), 'C');
    ASSERT_EQ(recv_byte(rx, 1000), 'A');
    sc_report_t r[4];
    ASSERT_EQ(wait_reports(c, r, 4), 4);
    ASSERT_EQ(r[0].kind, SC_REPORT_SOCKET);
    ASSERT_EQ(r[0].old_fd, -1);
    for (int i = 1; i < 4; i++) {
        ASSERT_EQ(r[i].kind, SC_REPORT_SENT);
        ASSERT_TRUE(r[i].sent_ns >= r[i].deadline_ns); /* never early */
    }
    ASSERT_EQ(r[1].key, 2);
    ASSERT_TRUE(r[3].bytes == A); /* the bytes come back to their owner */
    sc_clock_stop(c);
    sc_clock_free(c);
    close(tx);
    close(rx);
}

TEST(cue_clock_cancel_and_park)
{
    int tx, rx;
    ASSERT_TRUE(udp_pair(&tx, &rx));
    sc_cue_clock_t *c = start();
    sc_clock_set_socket(c, 0, tx);
    int64_t t = sc_mono_ns() + MS(40);
    sc_cue_t a = {1, 0, t, SC_CUE_SEND, 0, A, 1};
    sc_cue_t b = {2, 0, t, SC_CUE_SEND, 0, B, 1};
    sc_clock_arm(c, &a);
    sc_clock_arm(c, &b);
    sc_clock_cancel(c, 1);
    sc_clock_reschedule(c, 2, INT64_MAX); /* parked: armed, never due */
    ASSERT_EQ(recv_byte(rx, 100), -1);
    sc_clock_reschedule(c, 2, sc_mono_ns() + MS(5));
    ASSERT_EQ(recv_byte(rx, 1000), 'B');
    sc_report_t r[3];
    ASSERT_EQ(wait_reports(c, r, 3), 3);
    ASSERT_EQ(r[1].kind, SC_REPORT_CANCELLED);
    ASSERT_EQ(r[1].key, 1);
    ASSERT_EQ(r[2].kind, SC_REPORT_SENT);
    sc_clock_stop(c);
    sc_clock_free(c);
    close(tx);
    close(rx);
}

TEST(cue_clock_wake_failure_and_stop)
{
    sc_cue_clock_t *c = start();
    int64_t t = sc_mono_ns() + MS(5);
    sc_cue_t w = {7, 0, t, SC_CUE_WAKE, -1, NULL, 0};
    sc_cue_t nofd = {8, 0, t, SC_CUE_SEND, 5, A, 1};
    sc_cue_t later = {9, 0, t + MS(60000), SC_CUE_SEND, 5, B, 1};
    sc_clock_arm(c, &w);
    sc_clock_arm(c, &nofd);
    sc_clock_arm(c, &later);
    sc_report_t r[3];
    ASSERT_EQ(wait_reports(c, r, 2), 2);
    ASSERT_EQ(r[0].kind, SC_REPORT_WOKE);
    ASSERT_EQ(r[1].kind, SC_REPORT_FAILED);
    ASSERT_EQ(r[1].err, ENOTCONN);
    sc_clock_stop(c);
    ASSERT_EQ(sc_clock_poll(c, r, 3), 1);
    ASSERT_EQ(r[0].kind, SC_REPORT_CANCELLED);
    ASSERT_EQ(r[0].key, 9);
    sc_clock_free(c);
}
