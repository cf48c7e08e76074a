/* The cue clock: a real-time thread with a min-heap of deadlines, a timerfd to sleep, a spin to
 * land. */
#include "cue_clock.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define PARKED INT64_MAX
#define MAX_WINDOW_NS 700000   /* never spin more than 0.7 ms before a cue */
#define START_WINDOW_NS 300000 /* measured here: a timerfd wakes 50-150 us late */

typedef enum { ORDER_ARM, ORDER_CANCEL, ORDER_RESCHEDULE, ORDER_SOCKET, ORDER_STOP } order_kind_t;

typedef struct {
    order_kind_t kind;
    sc_cue_t cue;        /* ARM */
    uint64_t key;        /* CANCEL, RESCHEDULE */
    int64_t deadline_ns; /* RESCHEDULE */
    int target, fd;      /* SOCKET */
} order_t;

/* A ring of fixed-size records under a mutex. Preallocated: pushing never
 * allocates, and a full ring refuses. */
typedef struct {
    pthread_mutex_t mu;
    void *slots;
    size_t size, cap, head, count;
} ring_t;

static int ring_init(ring_t *r, size_t size, size_t cap)
{
    r->slots = calloc(cap, size);
    if (!r->slots)
        return ENOMEM;
    r->size = size;
    r->cap = cap;
    r->head = r->count = 0;
    return pthread_mutex_init(&r->mu, NULL);
}

static void ring_free(ring_t *r)
{
    pthread_mutex_destroy(&r->mu);
    free(r->slots);
}

static bool ring_push(ring_t *r, const void *rec)
{
    pthread_mutex_lock(&r->mu);
    bool ok = r->count < r->cap;
    if (ok) {
        size_t i = (r->head + r->count) % r->cap;
        memcpy((char *)r->slots + i * r->size, rec, r->size);
        r->count++;
    }
    pthread_mutex_unlock(&r->mu);
    return ok;
}

static size_t ring_pop(ring_t *r, void *out, size_t max)
{
    pthread_mutex_lock(&r->mu);
    size_t n = 0;
    while (n < max && r->count > 0) {
        memcpy((char *)out + n * r->size, (char *)r->slots + r->head * r->size, r->size);
        r->head = (r->head + 1) % r->cap;
        r->count--;
        n++;
    }
    pthread_mutex_unlock(&r->mu);
    return n;
}

struct sc_cue_clock {
    sc_clock_options_t opts;
    pthread_t thread;
    int eventfd, timerfd;
    ring_t orders, reports;
    atomic_uint pending_orders; /* read while spinning, to stop for new orders */
    sc_cue_t *heap;             /* min-heap on (deadline, order, key) */
    size_t nheap;
    int fds[SC_CLOCK_MAX_TARGETS];
    int64_t window_ns;
    int64_t late_avg_ns; /* running average of how late the timerfd wakes us */
    bool stopping;
    pthread_mutex_t stats_mu;
    sc_clock_stats_t stats;
    atomic_ullong dropped_reports;
};

int64_t sc_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int sc_clock_send_now(int fd, const uint8_t *bytes, size_t len)
{
    if (fd < 0)
        return ENOTCONN;
    ssize_t n = send(fd, bytes, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0)
        return errno;
    return (size_t)n == len ? 0 : EMSGSIZE;
}

/* ---- The heap ------------------------------------------------------------ */

static bool before(const sc_cue_t *a, const sc_cue_t *b)
{
    if (a->deadline_ns != b->deadline_ns)
        return a->deadline_ns < b->deadline_ns;
    if (a->order != b->order)
        return a->order < b->order;
    return a->key < b->key;
}

static void swap(sc_cue_t *a, sc_cue_t *b)
{
    sc_cue_t t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(sc_cue_clock_t *c, size_t i)
{
    while (i > 0 && before(&c->heap[i], &c->heap[(i - 1) / 2])) {
        swap(&c->heap[i], &c->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(sc_cue_clock_t *c, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < c->nheap && before(&c->heap[l], &c->heap[m]))
            m = l;
        if (r < c->nheap && before(&c->heap[r], &c->heap[m]))
            m = r;
        if (m == i)
            return;
        swap(&c->heap[i], &c->heap[m]);
        i = m;
    }
}

static void heap_remove(sc_cue_clock_t *c, size_t i)
{
    c->nheap--;
    if (i == c->nheap)
        return;
    c->heap[i] = c->heap[c->nheap];
    sift_down(c, i);
    sift_up(c, i);
}

/* Linear: a show has tens of cues armed at a time, and this runs only for
 * orders, never at a deadline. */
static long heap_find(const sc_cue_clock_t *c, uint64_t key)
{
    for (size_t i = 0; i < c->nheap; i++)
        if (c->heap[i].key == key)
            return (long)i;
    return -1;
}

/* ---- Reports ------------------------------------------------------------- */

static void report(sc_cue_clock_t *c, sc_report_kind_t kind, const sc_cue_t *cue, int64_t sent,
                   int err)
{
    sc_report_t r = {
        kind, cue ? cue->key : 0,     cue ? cue->deadline_ns : 0, sent, err, cue ? cue->target : -1,
        -1,   cue ? cue->bytes : NULL};
    if (!ring_push(&c->reports, &r))
        atomic_fetch_add(&c->dropped_reports, 1);
}

static void count(sc_cue_clock_t *c, sc_report_kind_t kind)
{
    pthread_mutex_lock(&c->stats_mu);
    switch (kind) {
    case SC_REPORT_SENT:
        c->stats.sent++;
        break;
    case SC_REPORT_FAILED:
        c->stats.failed++;
        break;
    case SC_REPORT_CANCELLED:
        c->stats.cancelled++;
        break;
    case SC_REPORT_WOKE:
        c->stats.woke++;
        break;
    default:
        break;
    }
    pthread_mutex_unlock(&c->stats_mu);
}

/* ---- The thread ---------------------------------------------------------- */

static bool apply_orders(sc_cue_clock_t *c)
{
    order_t batch[64];
    size_t n;
    bool notify = false;
    uint64_t counter;
    /* Clear the eventfd first: an order pushed after this read wakes us again. */
    if (read(c->eventfd, &counter, sizeof counter) < 0 && errno != EAGAIN)
        return false;
    while ((n = ring_pop(&c->orders, batch, 64)) > 0) {
        atomic_fetch_sub(&c->pending_orders, (unsigned)n);
        for (size_t i = 0; i < n; i++) {
            order_t *o = &batch[i];
            long at;
            switch (o->kind) {
            case ORDER_ARM:
                if (c->nheap == c->opts.capacity) {
                    report(c, SC_REPORT_FAILED, &o->cue, 0, ENOBUFS);
                    notify = true;
                    break;
                }
                c->heap[c->nheap++] = o->cue;
                sift_up(c, c->nheap - 1);
                break;
            case ORDER_CANCEL:
                at = heap_find(c, o->key);
                if (at >= 0) {
                    sc_cue_t cue = c->heap[at];
                    heap_remove(c, (size_t)at);
                    report(c, SC_REPORT_CANCELLED, &cue, 0, 0);
                    count(c, SC_REPORT_CANCELLED);
                    notify = true;
                }
                break;
            case ORDER_RESCHEDULE:
                at = heap_find(c, o->key);
                if (at >= 0) {
                    c->heap[at].deadline_ns = o->deadline_ns;
                    sift_down(c, (size_t)at);
                    sift_up(c, (size_t)at);
                }
                break;
            case ORDER_SOCKET: {
                sc_report_t r = {SC_REPORT_SOCKET, 0, 0, 0, 0, o->target, c->fds[o->target], NULL};
                c->fds[o->target] = o->fd;
                if (!ring_push(&c->reports, &r))
                    atomic_fetch_add(&c->dropped_reports, 1);
                notify = true;
                break;
            }
            case ORDER_STOP:
                c->stopping = true;
                break;
            }
        }
    }
    if (notify && c->opts.notify)
        c->opts.notify(c->opts.notify_ctx);
    return true;
}

/* Sends every cue whose deadline has come, back to back in heap order. */
static void fire_due(sc_cue_clock_t *c)
{
    bool any = false;
    while (c->nheap > 0 && c->heap[0].deadline_ns <= sc_mono_ns()) {
        sc_cue_t cue = c->heap[0];
        heap_remove(c, 0);
        int64_t t = sc_mono_ns();
        if (cue.kind == SC_CUE_WAKE) {
            report(c, SC_REPORT_WOKE, &cue, t, 0);
            count(c, SC_REPORT_WOKE);
        } else {
            int fd = cue.target >= 0 && cue.target < SC_CLOCK_MAX_TARGETS ? c->fds[cue.target] : -1;
            int err = sc_clock_send_now(fd, cue.bytes, cue.len);
            report(c, err ? SC_REPORT_FAILED : SC_REPORT_SENT, &cue, t, err);
            count(c, err ? SC_REPORT_FAILED : SC_REPORT_SENT);
        }
        any = true;
    }
    if (any && c->opts.notify)
        c->opts.notify(c->opts.notify_ctx);
}

/* Learns how late the timerfd wakes us and keeps the window a margin above
 * the usual lateness. An average, not the worst case: one wake-up delayed by
 * a busy machine must not widen the window for good, because a window as wide
 * as the gap between cues means spinning all the time (and, under SCHED_FIFO,
 * the kernel's real-time throttling freezing the thread). The window only
 * shrinks when the thread sleeps, so it is also capped well below any
 * realistic cue spacing. */
static void adapt_window(sc_cue_clock_t *c, int64_t late)
{
    if (late < 0)
        late = 0;
    c->late_avg_ns += (late - c->late_avg_ns) / 8;
    int64_t want = 3 * c->late_avg_ns + 80000;
    c->window_ns = want;
    if (c->window_ns < c->opts.min_window_ns)
        c->window_ns = c->opts.min_window_ns;
    if (c->window_ns > MAX_WINDOW_NS)
        c->window_ns = MAX_WINDOW_NS;
    pthread_mutex_lock(&c->stats_mu);
    c->stats.window_ns = c->window_ns;
    if (late > c->stats.worst_wake_late_ns)
        c->stats.worst_wake_late_ns = late;
    pthread_mutex_unlock(&c->stats_mu);
}

static void *run(void *arg)
{
    sc_cue_clock_t *c = arg;
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct pollfd pfd[2] = {{c->eventfd, POLLIN, 0}, {c->timerfd, POLLIN, 0}};
    while (apply_orders(c) && !c->stopping) {
        if (c->nheap == 0 || c->heap[0].deadline_ns == PARKED) {
            poll(pfd, 1, -1);
            continue;
        }
        int64_t deadline = c->heap[0].deadline_ns;
        int64_t wake_at = deadline - c->window_ns;
        if (sc_mono_ns() < wake_at) {
            struct itimerspec its = {{0, 0}, {wake_at / 1000000000, wake_at % 1000000000}};
            timerfd_settime(c->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
            poll(pfd, 2, -1);
            if (pfd[1].revents & POLLIN) {
                uint64_t expirations;
                if (read(c->timerfd, &expirations, sizeof expirations) > 0)
                    adapt_window(c, sc_mono_ns() - wake_at);
            }
            continue;
        }
        /* Inside the window: touch what we are about to send, then spin. */
        volatile uint8_t warm = 0;
        if (c->heap[0].bytes && c->heap[0].len)
            warm = c->heap[0].bytes[0] ^ c->heap[0].bytes[c->heap[0].len - 1];
        (void)warm;
        while (sc_mono_ns() < deadline && atomic_load(&c->pending_orders) == 0)
            ;
        if (sc_mono_ns() >= deadline)
            fire_due(c);
    }
    /* Stopping: whatever is still armed is reported cancelled. */
    while (c->nheap > 0) {
        sc_cue_t cue = c->heap[0];
        heap_remove(c, 0);
        report(c, SC_REPORT_CANCELLED, &cue, 0, 0);
    }
    if (c->opts.notify)
        c->opts.notify(c->opts.notify_ctx);
    return NULL;
}

/* ---- The owner's side ---------------------------------------------------- */

static bool push_order(sc_cue_clock_t *c, const order_t *o)
{
    atomic_fetch_add(&c->pending_orders, 1);
    if (!ring_push(&c->orders, o)) {
        atomic_fetch_sub(&c->pending_orders, 1);
        return false;
    }
    uint64_t one = 1;
    ssize_t n = write(c->eventfd, &one, sizeof one);
    (void)n; /* an eventfd write only fails when the counter is saturated: still awake */
    return true;
}

sc_cue_clock_t *sc_clock_start(const sc_clock_options_t *opts, int *err)
{
    sc_cue_clock_t *c = calloc(1, sizeof *c);
    if (!c) {
        *err = ENOMEM;
        return NULL;
    }
    c->opts = *opts;
    if (c->opts.capacity == 0)
        c->opts.capacity = 4096;
    if (c->opts.min_window_ns <= 0)
        c->opts.min_window_ns = 100000;
    c->window_ns = START_WINDOW_NS;
    c->stats.window_ns = c->window_ns;
    for (int i = 0; i < SC_CLOCK_MAX_TARGETS; i++)
        c->fds[i] = -1;
    c->eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    c->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    c->heap = calloc(c->opts.capacity, sizeof *c->heap);
    int e = 0;
    if (c->eventfd < 0 || c->timerfd < 0)
        e = errno;
    else if (!c->heap)
        e = ENOMEM;
    else if ((e = ring_init(&c->orders, sizeof(order_t), 2 * c->opts.capacity + 64)) == 0 &&
             (e = ring_init(&c->reports, sizeof(sc_report_t), 4 * c->opts.capacity + 64)) == 0)
        e = pthread_mutex_init(&c->stats_mu, NULL);
    if (e == 0) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        struct sched_param sp = {.sched_priority = 50};
        if (opts->realtime) {
            pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
            pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
            pthread_attr_setschedparam(&attr, &sp);
        }
        e = pthread_create(&c->thread, &attr, run, c);
        c->stats.realtime = opts->realtime && e == 0;
        if (e == EPERM && opts->realtime) {
            /* Not permitted here: run it as an ordinary thread, and say so. */
            pthread_attr_setinheritsched(&attr, PTHREAD_INHERIT_SCHED);
            e = pthread_create(&c->thread, &attr, run, c);
            c->stats.realtime = false;
        }
        pthread_attr_destroy(&attr);
    }
    if (e) {
        if (c->eventfd >= 0)
            close(c->eventfd);
        if (c->timerfd >= 0)
            close(c->timerfd);
        free(c->heap);
        free(c->orders.slots);
        free(c->reports.slots);
        free(c);
        *err = e;
        return NULL;
    }
    return c;
}

void sc_clock_stop(sc_cue_clock_t *c)
{
    order_t o = {.kind = ORDER_STOP};
    while (!push_order(c, &o))
        sched_yield(); /* the thread is draining; it will make room */
    pthread_join(c->thread, NULL);
}

void sc_clock_free(sc_cue_clock_t *c)
{
    close(c->eventfd);
    close(c->timerfd);
    ring_free(&c->orders);
    ring_free(&c->reports);
    pthread_mutex_destroy(&c->stats_mu);
    free(c->heap);
    free(c);
}

bool sc_clock_arm(sc_cue_clock_t *c, const sc_cue_t *cue)
{
    order_t o = {.kind = ORDER_ARM, .cue = *cue};
    return push_order(c, &o);
}

bool sc_clock_cancel(sc_cue_clock_t *c, uint64_t key)
{
    order_t o = {.kind = ORDER_CANCEL, .key = key};
    return push_order(c, &o);
}

bool sc_clock_reschedule(sc_cue_clock_t *c, uint64_t key, int64_t deadline_ns)
{
    order_t o = {.kind = ORDER_RESCHEDULE, .key = key, .deadline_ns = deadline_ns};
    return push_order(c, &o);
}

bool sc_clock_set_socket(sc_cue_clock_t *c, int target, int fd)
{
    if (target < 0 || target >= SC_CLOCK_MAX_TARGETS)
        return false;
    order_t o = {.kind = ORDER_SOCKET, .target = target, .fd = fd};
    return push_order(c, &o);
}

size_t sc_clock_poll(sc_cue_clock_t *c, sc_report_t *out, size_t max)
{
    return ring_pop(&c->reports, out, max);
}

void sc_clock_stats(sc_cue_clock_t *c, sc_clock_stats_t *out)
{
    pthread_mutex_lock(&c->stats_mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->stats_mu);
}
