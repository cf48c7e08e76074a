/* Tests for daemon/journal/ack.c: one queue of held replies, on a real loop and a stand-in as-run
 * log. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "journal/ack.h"
#include "unit.h"

#define MS(x) ((int64_t)(x)*1000000)

/* The as-run log as the queue sees it: records appended up to `last`, on disk
 * up to `on_disk`, and the log's last error. */
typedef struct {
    uint64_t last;
    uint64_t on_disk;
    int error;
} log_t;

static uint64_t log_last_seq(void *ctx)
{
    return ((const log_t *)ctx)->last;
}

static bool log_durable(void *ctx, uint64_t seq)
{
    return seq <= ((const log_t *)ctx)->on_disk;
}

static int log_last_error(void *ctx)
{
    return ((const log_t *)ctx)->error;
}

typedef struct fix fix_t;

/* A reply a door holds: the entry and what its release said. */
typedef struct {
    sc_ack_entry_t e;
    fix_t *f;
    int id;
    int releases;
    sc_ack_t state;
    bool warning_null;
    char warning[SC_ACK_WARNING_MAX];      /* the release's */
    char hold_warning[SC_ACK_WARNING_MAX]; /* sc_ack_hold's */
} reply_t;

struct fix {
    uv_loop_t loop;
    sc_ack_queue_t *q;
    log_t log;
    const sc_ack_entry_t *holding; /* the entry inside sc_ack_hold now */
    int released_inside_own_hold;
    int order[2 * SC_ACK_MAX_HELD + 8]; /* the ids, in the order they were released */
    size_t norder;
};

static void on_release(sc_ack_entry_t *e, sc_ack_t state, const char *warning)
{
    reply_t *r = (reply_t *)(void *)((char *)e - offsetof(reply_t, e));
    fix_t *f = r->f;
    if (e == f->holding)
        f->released_inside_own_hold++;
    r->releases++;
    r->state = state;
    r->warning_null = warning == NULL;
    snprintf(r->warning, sizeof r->warning, "%s", warning ? warning : "");
    if (f->norder < sizeof f->order / sizeof f->order[0])
        f->order[f->norder++] = r->id;
}

/* A loop and a queue; on the stand-in log when with_log, with no log at all
 * otherwise. */
static bool setup(fix_t *f, bool with_log)
{
    memset(f, 0, sizeof *f);
    if (uv_loop_init(&f->loop) != 0)
        return false;
    sc_ack_source_t src = {log_last_seq, log_durable, log_last_error, &f->log};
    f->q = sc_ack_queue_new(&f->loop, with_log ? &src : NULL);
    return f->q != NULL;
}

/* Closes the queue and the loop; 0 when nothing was left behind. */
static int teardown(fix_t *f)
{
    sc_ack_queue_close(f->q);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    return uv_loop_close(&f->loop);
}

static sc_ack_t hold(fix_t *f, reply_t *r, int id, sc_ack_owner_t *owner, uint64_t seq)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->id = id;
    snprintf(r->hold_warning, sizeof r->hold_warning, "untouched");
    f->holding = &r->e;
    sc_ack_t st =
        sc_ack_hold(f->q, &r->e, owner, seq, on_release, r->hold_warning, sizeof r->hold_warning);
    f->holding = NULL;
    return st;
}

/* The released ids as "1 2 3". */
static const char *order(const fix_t *f)
{
    static char buf[256];
    buf[0] = '\0';
    for (size_t i = 0; i < f->norder; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%d", i ? " " : "", f->order[i]);
    }
    return buf;
}

/* With no as-run log there is nothing to wait for: every reply goes at once,
 * durable, without a warning, and nothing is ever held or released. */
TEST(ack_without_a_log_every_reply_is_durable_at_once)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, false));
    sc_ack_owner_t o = {0};
    reply_t a, b;
    ASSERT_EQ(sc_ack_seq(f.q), 0);
    ASSERT_EQ(hold(&f, &a, 1, &o, 0), SC_ACK_DURABLE);
    ASSERT_STR_EQ(a.hold_warning, "");
    ASSERT_EQ(hold(&f, &b, 2, &o, 7), SC_ACK_DURABLE);
    ASSERT_EQ(sc_ack_held(f.q), 0);
    ASSERT_EQ(o.held, 0);
    sc_ack_on_durable(f.q, 7);
    ASSERT_EQ(teardown(&f), 0);
    ASSERT_EQ(a.releases + b.releases, 0);
}

/* The seq a reply waits for is the last record the log appended. */
TEST(ack_seq_is_the_logs_last_record)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    ASSERT_EQ(sc_ack_seq(f.q), 0);
    f.log.last = 42;
    ASSERT_EQ(sc_ack_seq(f.q), 42);
    ASSERT_EQ(teardown(&f), 0);
}

/* A reply whose record is on disk and has nobody ahead of it goes at once;
 * one that is not is held (WAIT) and released exactly once, later, never
 * from inside its own sc_ack_hold. The queue's timer releases it on its own
 * once the disk has it, and stops when nothing is held. */
TEST(ack_hold_waits_and_the_timer_releases_once)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    f.log.on_disk = 4;
    sc_ack_owner_t o = {0};
    reply_t a, b;
    ASSERT_EQ(hold(&f, &a, 1, &o, 4), SC_ACK_DURABLE);
    ASSERT_STR_EQ(a.hold_warning, "");
    ASSERT_EQ(hold(&f, &b, 2, &o, 5), SC_ACK_WAIT);
    ASSERT_STR_EQ(b.hold_warning, "");
    ASSERT_EQ(b.releases, 0);
    ASSERT_EQ(sc_ack_held(f.q), 1);
    ASSERT_EQ(o.held, 1);

    /* Not on disk yet: a turn of the loop keeps it. */
    uv_run(&f.loop, UV_RUN_NOWAIT);
    ASSERT_EQ(b.releases, 0);

    /* On disk, but nobody says so: the next tick (SC_ACK_TICK_MS) sees it. */
    f.log.on_disk = 5;
    uv_run(&f.loop, UV_RUN_ONCE);
    ASSERT_EQ(b.releases, 1);
    ASSERT_EQ(b.state, SC_ACK_DURABLE);
    ASSERT_TRUE(b.warning_null);
    ASSERT_EQ(sc_ack_held(f.q), 0);
    ASSERT_EQ(o.held, 0);
    ASSERT_FALSE(uv_loop_alive(&f.loop)); /* the timer stopped */

    sc_ack_on_durable(f.q, 5);
    sc_ack_flush(f.q);
    ASSERT_EQ(teardown(&f), 0);
    ASSERT_EQ(b.releases, 1);
    ASSERT_EQ(a.releases, 0);
    ASSERT_EQ(f.released_inside_own_hold, 0);
}

/* Replies go from the front, in the order they were held: a later reply
 * whose record is already on disk never overtakes an earlier one still
 * waiting, and a reply that waits for nothing (seq 0) waits its turn behind
 * a held one. */
TEST(ack_releases_in_queue_order_from_the_front)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    f.log.on_disk = 1;
    sc_ack_owner_t o = {0}, other = {0};
    reply_t r1, r2, r3, r4;
    ASSERT_EQ(hold(&f, &r1, 1, &o, 3), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r2, 2, &other, 1), SC_ACK_WAIT); /* durable, but behind r1 */
    ASSERT_EQ(hold(&f, &r3, 3, &o, 0), SC_ACK_WAIT);     /* waits for nothing but r1 */
    ASSERT_EQ(hold(&f, &r4, 4, &o, 5), SC_ACK_WAIT);
    ASSERT_EQ(sc_ack_held(f.q), 4);
    ASSERT_EQ(o.held, 3);
    ASSERT_EQ(other.held, 1);

    sc_ack_on_durable(f.q, 2);
    ASSERT_EQ(f.norder, 0);

    f.log.on_disk = 3;
    sc_ack_on_durable(f.q, 3);
    ASSERT_STR_EQ(order(&f), "1 2 3");
    ASSERT_EQ(r1.state, SC_ACK_DURABLE);
    ASSERT_EQ(r2.state, SC_ACK_DURABLE);
    ASSERT_EQ(r3.state, SC_ACK_DURABLE);
    ASSERT_TRUE(r3.warning_null);
    ASSERT_EQ(r4.releases, 0);
    ASSERT_EQ(sc_ack_held(f.q), 1);
    ASSERT_EQ(o.held, 1);
    ASSERT_EQ(other.held, 0);

    f.log.on_disk = 5;
    sc_ack_on_durable(f.q, 5);
    ASSERT_STR_EQ(order(&f), "1 2 3 4");
    ASSERT_EQ(r4.state, SC_ACK_DURABLE);
    ASSERT_EQ(sc_ack_held(f.q), 0);
    ASSERT_EQ(teardown(&f), 0);
    ASSERT_EQ(r1.releases + r2.releases + r3.releases + r4.releases, 4);
    ASSERT_EQ(f.released_inside_own_hold, 0);
}

/* A reply behind a held one waits its turn even when both are on disk, and
 * nothing is released inside the hold (a door's release may close the very
 * client whose callback is holding): both go, in order, at the loop's next
 * turn. */
TEST(ack_hold_behind_a_due_reply_goes_next_turn)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    sc_ack_owner_t o = {0};
    reply_t r1, r2;
    ASSERT_EQ(hold(&f, &r1, 1, &o, 3), SC_ACK_WAIT);
    f.log.on_disk = 3; /* the fsync is done, its callback has not come yet */
    ASSERT_EQ(hold(&f, &r2, 2, &o, 0), SC_ACK_WAIT);
    ASSERT_EQ(r1.releases + r2.releases, 0);
    uv_run(&f.loop, UV_RUN_NOWAIT);
    ASSERT_STR_EQ(order(&f), "1 2");
    ASSERT_EQ(r1.state, SC_ACK_DURABLE);
    ASSERT_EQ(r2.state, SC_ACK_DURABLE);
    ASSERT_EQ(sc_ack_held(f.q), 0);
    ASSERT_EQ(o.held, 0);
    ASSERT_EQ(teardown(&f), 0);
    ASSERT_EQ(f.released_inside_own_hold, 0);
}

/* A reply held longer than SC_ACK_MAX_WAIT_MS goes out OVERDUE, with a
 * warning that gives the wait and the log's last error; what was behind it
 * and is on disk follows it out. To avoid sleeping a second, the test sets
 * the entry's parked_mono (public, set by sc_ack_hold) back in time after
 * the hold, then calls sc_ack_on_durable. */
TEST(ack_overdue_after_the_max_wait_with_the_logs_error)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    f.log.on_disk = 1;
    f.log.error = UV_EIO;
    sc_ack_owner_t o = {0};
    reply_t r1, r2, r3;
    ASSERT_EQ(hold(&f, &r1, 1, &o, 2), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r2, 2, &o, 1), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r3, 3, &o, 3), SC_ACK_WAIT);

    /* Not yet: 900 ms is under the limit. */
    r1.e.parked_mono -= MS(900);
    sc_ack_on_durable(f.q, 1);
    ASSERT_EQ(f.norder, 0);

    r1.e.parked_mono -= MS(SC_ACK_MAX_WAIT_MS - 900 + 1);
    sc_ack_on_durable(f.q, 1);
    ASSERT_STR_EQ(order(&f), "1 2");
    ASSERT_EQ(r1.state, SC_ACK_OVERDUE);
    ASSERT_FALSE(r1.warning_null);
    char after[64];
    snprintf(after, sizeof after, "not on disk after %d ms", SC_ACK_MAX_WAIT_MS);
    ASSERT_CONTAINS(r1.warning, after);
    ASSERT_CONTAINS(r1.warning, uv_strerror(UV_EIO));
    ASSERT_EQ(r2.state, SC_ACK_DURABLE);
    ASSERT_TRUE(r2.warning_null);
    ASSERT_EQ(r3.releases, 0); /* held only a moment: it goes on waiting */
    ASSERT_EQ(sc_ack_held(f.q), 1);
    ASSERT_EQ(teardown(&f), 0);
    ASSERT_EQ(r1.releases, 1);
}

/* A log with no error to give, or a source without last_error, makes an
 * overdue warning without one. */
TEST(ack_overdue_without_an_error)
{
    fix_t f;
    memset(&f, 0, sizeof f);
    ASSERT_EQ(uv_loop_init(&f.loop), 0);
    sc_ack_source_t src = {log_last_seq, log_durable, NULL, &f.log};
    f.q = sc_ack_queue_new(&f.loop, &src);
    sc_ack_owner_t o = {0};
    reply_t r1;
    ASSERT_EQ(hold(&f, &r1, 1, &o, 2), SC_ACK_WAIT);
    r1.e.parked_mono -= MS(SC_ACK_MAX_WAIT_MS);
    sc_ack_on_durable(f.q, 0);
    ASSERT_EQ(r1.state, SC_ACK_OVERDUE);
    char want[SC_ACK_WARNING_MAX];
    snprintf(want, sizeof want,
             "done, but its as-run record was not on disk after %d ms; the log keeps trying",
             SC_ACK_MAX_WAIT_MS);
    ASSERT_STR_EQ(r1.warning, want);
    ASSERT_EQ(teardown(&f), 0);
    ASSERT_EQ(r1.releases, 1);
}

/* An owner may have SC_ACK_MAX_HELD replies waiting. One more makes room:
 * the owner's oldest goes out at the loop's next turn, not durable, with a warning that says
 * why, so the owner's replies still come back in order; the new one waits.
 * Another owner is not affected. */
TEST(ack_per_owner_cap)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    sc_ack_owner_t o = {0}, other = {0};
    reply_t *r = calloc(SC_ACK_MAX_HELD + 2, sizeof *r);
    ASSERT_TRUE(r);
    for (int i = 0; i < SC_ACK_MAX_HELD; i++)
        ASSERT_EQ(hold(&f, &r[i], i + 1, &o, 5), SC_ACK_WAIT);
    ASSERT_EQ(o.held, SC_ACK_MAX_HELD);

    reply_t *more = &r[SC_ACK_MAX_HELD], *theirs = &r[SC_ACK_MAX_HELD + 1];
    ASSERT_EQ(hold(&f, more, SC_ACK_MAX_HELD + 1, &o, 5), SC_ACK_WAIT);
    ASSERT_EQ(r[0].releases, 0); /* not inside the hold: at the next turn */
    uv_run(&f.loop, UV_RUN_NOWAIT);
    ASSERT_EQ(r[0].releases, 1);
    ASSERT_EQ(r[0].state, SC_ACK_OVERDUE);
    ASSERT_CONTAINS(r[0].warning, "too many replies");
    ASSERT_EQ(f.norder, 1);
    ASSERT_EQ(o.held, SC_ACK_MAX_HELD);
    ASSERT_EQ(hold(&f, theirs, SC_ACK_MAX_HELD + 2, &other, 5), SC_ACK_WAIT);
    ASSERT_EQ(other.held, 1);
    ASSERT_EQ(sc_ack_held(f.q), SC_ACK_MAX_HELD + 1);

    f.log.on_disk = 5;
    sc_ack_on_durable(f.q, 5);
    ASSERT_EQ(f.norder, SC_ACK_MAX_HELD + 2);
    for (int i = 0; i <= SC_ACK_MAX_HELD; i++)
        ASSERT_EQ(f.order[i], i + 1); /* 1 (made room), then 2 .. MAX + 1 */
    ASSERT_EQ(f.order[SC_ACK_MAX_HELD + 1], SC_ACK_MAX_HELD + 2);
    ASSERT_EQ(more->state, SC_ACK_DURABLE);
    ASSERT_EQ(theirs->state, SC_ACK_DURABLE);
    ASSERT_EQ(r[0].releases, 1);
    ASSERT_EQ(o.held + other.held, 0);
    ASSERT_EQ(teardown(&f), 0);
    free(r);
}

/* An owner that goes away has its held replies released DROPPED, with no
 * warning, at once; the other owners' replies stay held, in their order. */
TEST(ack_cancel_owner_drops_only_its_replies)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    sc_ack_owner_t gone = {0}, stays = {0};
    reply_t r1, r2, r3, r4, r5;
    ASSERT_EQ(hold(&f, &r1, 1, &gone, 2), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r2, 2, &stays, 2), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r3, 3, &gone, 3), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r4, 4, &stays, 3), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r5, 5, &gone, 4), SC_ACK_WAIT);

    sc_ack_cancel_owner(f.q, &gone);
    ASSERT_STR_EQ(order(&f), "1 3 5");
    ASSERT_EQ(r1.state, SC_ACK_DROPPED);
    ASSERT_TRUE(r1.warning_null);
    ASSERT_EQ(r3.state, SC_ACK_DROPPED);
    ASSERT_TRUE(r3.warning_null);
    ASSERT_EQ(r5.state, SC_ACK_DROPPED);
    ASSERT_EQ(gone.held, 0);
    ASSERT_EQ(stays.held, 2);
    ASSERT_EQ(sc_ack_held(f.q), 2);
    ASSERT_EQ(r2.releases + r4.releases, 0);

    f.log.on_disk = 3;
    sc_ack_on_durable(f.q, 3);
    ASSERT_STR_EQ(order(&f), "1 3 5 2 4");
    ASSERT_EQ(r2.state, SC_ACK_DURABLE);
    ASSERT_EQ(r4.state, SC_ACK_DURABLE);

    /* Cancelling an owner with nothing held does nothing. */
    sc_ack_cancel_owner(f.q, &gone);
    ASSERT_EQ(f.norder, 5);
    ASSERT_EQ(teardown(&f), 0);
    ASSERT_EQ(r1.releases + r2.releases + r3.releases + r4.releases + r5.releases, 5);
}

/* At shutdown every held reply goes out now, in order: those on disk
 * DURABLE, the others OVERDUE with a warning that the daemon is stopping;
 * a reply held after that goes out at once the same way. */
TEST(ack_flush_releases_everything_held)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    f.log.on_disk = 1;
    sc_ack_owner_t o = {0};
    reply_t r1, r2, r3, r4, r5;
    ASSERT_EQ(hold(&f, &r1, 1, &o, 3), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r2, 2, &o, 1), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r3, 3, &o, 5), SC_ACK_WAIT);

    sc_ack_flush(f.q);
    ASSERT_STR_EQ(order(&f), "1 2 3");
    ASSERT_EQ(r1.state, SC_ACK_OVERDUE);
    ASSERT_CONTAINS(r1.warning, "the daemon is stopping");
    ASSERT_EQ(r2.state, SC_ACK_DURABLE);
    ASSERT_TRUE(r2.warning_null);
    ASSERT_EQ(r3.state, SC_ACK_OVERDUE);
    ASSERT_CONTAINS(r3.warning, "the daemon is stopping");
    ASSERT_EQ(sc_ack_held(f.q), 0);
    ASSERT_EQ(o.held, 0);

    ASSERT_EQ(hold(&f, &r4, 4, &o, 9), SC_ACK_OVERDUE);
    ASSERT_CONTAINS(r4.hold_warning, "the daemon is stopping");
    ASSERT_EQ(hold(&f, &r5, 5, &o, 1), SC_ACK_DURABLE);
    ASSERT_STR_EQ(r5.hold_warning, "");
    ASSERT_EQ(sc_ack_held(f.q), 0);
    ASSERT_FALSE(uv_loop_alive(&f.loop));
    ASSERT_EQ(teardown(&f), 0);
    ASSERT_EQ(f.norder, 3);
    ASSERT_EQ(r1.releases + r2.releases + r3.releases, 3);
}

/* sc_ack_held counts the replies held now, every owner together. */
TEST(ack_held_counts)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    sc_ack_owner_t a = {0}, b = {0};
    reply_t r[4];
    ASSERT_EQ(sc_ack_held(f.q), 0);
    ASSERT_EQ(hold(&f, &r[0], 1, &a, 1), SC_ACK_WAIT);
    ASSERT_EQ(sc_ack_held(f.q), 1);
    ASSERT_EQ(hold(&f, &r[1], 2, &b, 2), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r[2], 3, &a, 3), SC_ACK_WAIT);
    ASSERT_EQ(sc_ack_held(f.q), 3);
    f.log.on_disk = 1;
    sc_ack_on_durable(f.q, 1);
    ASSERT_EQ(sc_ack_held(f.q), 2);
    sc_ack_cancel_owner(f.q, &b);
    ASSERT_EQ(sc_ack_held(f.q), 1);
    ASSERT_EQ(hold(&f, &r[3], 4, &b, 0), SC_ACK_WAIT);
    ASSERT_EQ(sc_ack_held(f.q), 2);
    f.log.on_disk = 3;
    sc_ack_on_durable(f.q, 3);
    ASSERT_EQ(sc_ack_held(f.q), 0);
    ASSERT_STR_EQ(order(&f), "1 2 3 4");
    ASSERT_EQ(teardown(&f), 0);
}

/* Closing the queue drops what is still held (DROPPED, no warning), in
 * order; the queue is freed inside the loop, which then closes clean. */
TEST(ack_queue_close_drops_what_is_held)
{
    fix_t f;
    ASSERT_TRUE(setup(&f, true));
    sc_ack_owner_t o = {0};
    reply_t r1, r2;
    ASSERT_EQ(hold(&f, &r1, 1, &o, 1), SC_ACK_WAIT);
    ASSERT_EQ(hold(&f, &r2, 2, &o, 2), SC_ACK_WAIT);
    sc_ack_queue_close(f.q);
    ASSERT_STR_EQ(order(&f), "1 2");
    ASSERT_EQ(r1.state, SC_ACK_DROPPED);
    ASSERT_TRUE(r1.warning_null);
    ASSERT_EQ(r2.state, SC_ACK_DROPPED);
    ASSERT_TRUE(r2.warning_null);
    ASSERT_EQ(o.held, 0);
    uv_run(&f.loop, UV_RUN_DEFAULT);
    ASSERT_EQ(uv_loop_close(&f.loop), 0);
    ASSERT_EQ(r1.releases + r2.releases, 2);
}
