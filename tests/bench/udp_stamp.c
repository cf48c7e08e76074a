/* The benchmark's independent OSC receiver and GO sender (see tests/bench/bench.mjs).
 *
 *   udp_stamp recv
 *       Binds 127.0.0.1 on a free port and prints "port N". Then, for every
 *       datagram whose first OSC argument is an int32:
 *           "R INDEX SEC NSEC"   the argument and the kernel's receive time
 *                                (SO_TIMESTAMPNS, CLOCK_REALTIME)
 *       Anything else: "X LEN". Runs until stdin closes or SIGTERM.
 *
 *   udp_stamp go OSC_PORT N GAP_MIN_US GAP_MAX_US TIMEOUT_MS
 *       Binds a cue receiver like recv and prints "port N", then waits for one
 *       line on stdin. Then N trials: read CLOCK_REALTIME, send the 20-byte OSC
 *       message /showcaller/go (no arguments) to 127.0.0.1:OSC_PORT, and wait
 *       up to TIMEOUT_MS for the cue whose index is the trial's number (item
 *       TRIAL's cue carries TRIAL). Per trial:
 *           "G TRIAL INDEX T0SEC T0NSEC RXSEC RXNSEC"   (INDEX -1: no cue came)
 *       A cue with another index (a late one of an earlier trial) prints
 *       "S TRIAL INDEX" and is not taken as this trial's.
 *       Replies to the GO (/showcaller/reply name ok code message) that refuse
 *       it print "F TRIAL CODE MESSAGE". Between trials it sleeps a random
 *       GAP_MIN_US..GAP_MAX_US, draining replies. Ends with "done".
 *
 * Loopback only; no allocation after start-up; output is line-buffered. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

/* The offset just past the OSC string at off (NUL-terminated, padded to 4), or 0 if bad. */
static size_t osc_skip_string(const uint8_t *b, size_t len, size_t off)
{
    while (off < len && b[off])
        off++;
    if (off >= len)
        return 0;
    return (off + 4) & ~(size_t)3;
}

/* The first argument of an OSC message if it is an int32. */
static int osc_first_int(const uint8_t *b, size_t len, int32_t *out)
{
    size_t tt = osc_skip_string(b, len, 0);
    if (!tt || tt >= len || b[tt] != ',' || tt + 1 >= len || b[tt + 1] != 'i')
        return 0;
    size_t arg = osc_skip_string(b, len, tt);
    if (!arg || arg + 4 > len)
        return 0;
    uint32_t v;
    memcpy(&v, b + arg, 4);
    *out = (int32_t)ntohl(v);
    return 1;
}

static int open_receiver(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int on = 1, big = 4 << 20;
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) ||
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big) ||
        bind(s, (struct sockaddr *)&a, sizeof a) || getsockname(s, (struct sockaddr *)&a, &alen)) {
        perror("udp_stamp: receiver socket");
        exit(1);
    }
    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);
    return s;
}

/* Reads one datagram: 1 with its int index and kernel stamp, 0 for a datagram
 * without one, -1 when nothing is waiting. */
static int read_stamped(int s, int32_t *index, struct timespec *ts)
{
    uint8_t buf[2048];
    char ctl[256];
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    ssize_t n = recvmsg(s, &m, MSG_DONTWAIT);
    if (n < 0)
        return -1;
    int have_ts = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
            memcpy(ts, CMSG_DATA(cm), sizeof *ts);
            have_ts = 1;
        }
    }
    if (!have_ts || !osc_first_int(buf, (size_t)n, index)) {
        printf("X %zd\n", n);
        return 0;
    }
    return 1;
}

static int recv_main(void)
{
    int s = open_receiver();
    while (!stop) {
        struct pollfd p[2] = {{s, POLLIN, 0}, {0, POLLIN, 0}};
        int r = poll(p, 2, 1000);
        if (r < 0 && errno != EINTR)
            break;
        if (p[1].revents) {
            char junk[256];
            if (read(0, junk, sizeof junk) <= 0)
                break;
        }
        if (p[0].revents & POLLIN) {
            int32_t idx;
            struct timespec ts;
            int got;
            while ((got = read_stamped(s, &idx, &ts)) >= 0)
                if (got)
                    printf("R %d %lld %ld\n", idx, (long long)ts.tv_sec, ts.tv_nsec);
            fflush(stdout);
        }
    }
    close(s);
    return 0;
}

/* Reads the daemon's replies on the sending socket; prints refusals. */
static void drain_replies(int tx, int trial)
{
    uint8_t b[1500];
    ssize_t n;
    while ((n = recv(tx, b, sizeof b, MSG_DONTWAIT)) > 0) {
        size_t len = (size_t)n;
        size_t tt = osc_skip_string(b, len, 0);
        if (!tt || strcmp((const char *)b, "/showcaller/reply") != 0 || tt + 6 > len ||
            memcmp(b + tt, ",siss", 5) != 0)
            continue;
        size_t name_end = osc_skip_string(b, len, tt);
        size_t ok_at = osc_skip_string(b, len, name_end);
        if (!name_end || !ok_at || ok_at + 4 > len)
            continue;
        uint32_t ok;
        memcpy(&ok, b + ok_at, 4);
        if (ntohl(ok))
            continue;
        size_t code = ok_at + 4, msg = osc_skip_string(b, len, code);
        if (!msg || !osc_skip_string(b, len, msg))
            continue;
        printf("F %d %s %s\n", trial, (const char *)b + code, (const char *)b + msg);
    }
}

static void sleep_us(long us)
{
    struct timespec t = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&t, &t) && errno == EINTR && !stop)
        ;
}

static int go_main(int port, int n, long gap_min, long gap_max, int timeout_ms)
{
    int rx = open_receiver();
    int tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    /* "/showcaller/go" (14 bytes + NUL, padded to 16) and an empty type tag string ",". */
    static const uint8_t go[20] = {'/', 's', 'h', 'o', 'w', 'c', 'a', 'l', 'l', 'e',
                                   'r', '/', 'g', 'o', 0,   0,   ',', 0,   0,   0};
    char line[64];
    if (tx < 0 || !fgets(line, sizeof line, stdin))
        return 1;
    srand((unsigned)getpid());
    for (int t = 0; t < n && !stop; t++) {
        /* Anything left over from an earlier trial is not this trial's cue. */
        int32_t idx;
        struct timespec ts, t0;
        int r;
        while ((r = read_stamped(rx, &idx, &ts)) >= 0)
            if (r == 1)
                printf("S %d %d\n", t, idx);
        clock_gettime(CLOCK_REALTIME, &t0);
        if (sendto(tx, go, sizeof go, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)sizeof go) {
            perror("udp_stamp: sendto");
            return 1;
        }
        int got = 0;
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        while (!got && !stop) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 +
                                      (now.tv_nsec - start.tv_nsec) / 1000000);
            if (left <= 0)
                break;
            struct pollfd p = {rx, POLLIN, 0};
            if (poll(&p, 1, (int)left) <= 0)
                continue;
            while (!got && read_stamped(rx, &idx, &ts) == 1) {
                if (idx == t)
                    got = 1;
                else
                    printf("S %d %d\n", t, idx);
            }
        }
        if (got)
            printf("G %d %d %lld %ld %lld %ld\n", t, idx, (long long)t0.tv_sec, t0.tv_nsec,
                   (long long)ts.tv_sec, ts.tv_nsec);
        else
            printf("G %d -1 %lld %ld 0 0\n", t, (long long)t0.tv_sec, t0.tv_nsec);
        long gap = gap_min + (gap_max > gap_min ? rand() % (gap_max - gap_min + 1) : 0);
        sleep_us(gap / 2);
        drain_replies(tx, t);
        sleep_us(gap - gap / 2);
        drain_replies(tx, t);
    }
    printf("done\n");
    fflush(stdout);
    close(tx);
    close(rx);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (argc == 2 && strcmp(argv[1], "recv") == 0)
        return recv_main();
    if (argc == 7 && strcmp(argv[1], "go") == 0)
        return go_main(atoi(argv[2]), atoi(argv[3]), atol(argv[4]), atol(argv[5]), atoi(argv[6]));
    fprintf(stderr, "usage: udp_stamp recv\n"
                    "       udp_stamp go OSC_PORT N GAP_MIN_US GAP_MAX_US TIMEOUT_MS\n");
    return 2;
}
