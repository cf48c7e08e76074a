/* Unit tests for rundown/projection.c: over/under and projected end from actual progress. */
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "parse.h"
#include "plan.h"
#include "projection.h"
#include "unit.h"

#define SEC(x) ((int64_t)(x)*RD_NS_PER_S)
#define MIN(x) ((int64_t)(x)*RD_NS_PER_MIN)

static int64_t at(int h, int m, int s)
{
    return (int64_t)h * RD_NS_PER_HOUR + m * RD_NS_PER_MIN + s * RD_NS_PER_S;
}

/* A parsed show, its plan and room for progress; at most 8 items. */
typedef struct {
    rd_rundown_t r;
    rd_plan_t plan;
    rd_item_progress_t pr[8];
    rd_projection_t out;
} show_t;

/* Parses a rundown (see fx_load) and plans it. */
static bool load(show_t *s, const char *head, const char *items)
{
    memset(s, 0, sizeof *s);
    bool ok = fx_load(head, items, NULL, &s->r, NULL);
    if (ok && s->r.nitems > 8) {
        printf("# at most 8 items\n");
        ok = false;
    }
    if (ok)
        rd_plan_compute(&s->r, &s->plan, NULL);
    return ok;
}

static void project(show_t *s, int64_t now)
{
    rd_projection_free(&s->out);
    rd_project(&s->r, &s->plan, s->pr, now, &s->out);
}

static void done(show_t *s, size_t i, int64_t start, int64_t end)
{
    s->pr[i].state = RD_ITEM_DONE;
    s->pr[i].actual_start_ns = start;
    s->pr[i].actual_end_ns = end;
}

static void running(show_t *s, size_t i, int64_t start)
{
    s->pr[i].state = RD_ITEM_RUNNING;
    s->pr[i].actual_start_ns = start;
}

static void unload(show_t *s)
{
    rd_projection_free(&s->out);
    rd_plan_free(&s->plan);
    rd_rundown_free(&s->r);
}

/* 18:00-18:30: A 10:00 (go), B 5:00 (follow), C 5:00 (go); plan ends 18:20. */
#define HEAD "'on_air': '18:00:00', 'off_air': '18:30:00',"
#define ITEMS                                                                                      \
    "{'title': 'A', 'duration': '10:00'},"                                                         \
    "{'title': 'B', 'start': 'follow', 'duration': '5:00'},"                                       \
    "{'title': 'C', 'duration': '5:00'}"

/* Before the show starts, the projection is the plan. */
TEST(projection_nothing_started)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    project(&s, at(17, 55, 0));
    ASSERT_EQ(s.out.nitems, 3);
    ASSERT_EQ(s.out.running, -1);
    ASSERT_EQ(s.out.running_delta_ns, 0);
    for (size_t i = 0; i < 3; i++) {
        ASSERT_EQ(s.out.item_start_ns[i], s.plan.items[i].start_ns);
        ASSERT_EQ(s.out.item_end_ns[i], s.plan.items[i].end_ns);
    }
    ASSERT_EQ(s.out.end_ns, at(18, 20, 0));
    ASSERT_EQ(s.out.over_under_ns, 0);
    ASSERT_EQ(s.out.off_air_delta_ns, -MIN(10));
    unload(&s);
}

/* Past on_air with nothing started, the first GO can only come now: the
 * whole show slides by the wait. */
TEST(projection_nothing_started_late)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    project(&s, at(18, 2, 0));
    ASSERT_EQ(s.out.item_start_ns[0], at(18, 2, 0));
    ASSERT_EQ(s.out.item_start_ns[1], at(18, 12, 0));
    ASSERT_EQ(s.out.end_ns, at(18, 22, 0));
    ASSERT_EQ(s.out.over_under_ns, MIN(2));
    ASSERT_EQ(s.out.off_air_delta_ns, -MIN(8));
    unload(&s);
}

/* A running item on time ends at start + duration; the show is on time. */
TEST(projection_running_on_time)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    running(&s, 0, at(18, 0, 0));
    project(&s, at(18, 5, 0));
    ASSERT_EQ(s.out.running, 0);
    ASSERT_EQ(s.out.item_start_ns[0], at(18, 0, 0));
    ASSERT_EQ(s.out.item_end_ns[0], at(18, 10, 0));
    ASSERT_EQ(s.out.running_delta_ns, 0);
    ASSERT_EQ(s.out.item_start_ns[1], at(18, 10, 0));
    ASSERT_EQ(s.out.end_ns, at(18, 20, 0));
    ASSERT_EQ(s.out.over_under_ns, 0);
    unload(&s);
}

/* A running item that started late carries its lateness to the end. */
TEST(projection_running_started_late)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    running(&s, 0, at(18, 0, 45));
    project(&s, at(18, 5, 0));
    ASSERT_EQ(s.out.item_end_ns[0], at(18, 10, 45));
    ASSERT_EQ(s.out.running_delta_ns, SEC(45));
    ASSERT_EQ(s.out.end_ns, at(18, 20, 45));
    ASSERT_EQ(s.out.over_under_ns, SEC(45));
    ASSERT_EQ(s.out.off_air_delta_ns, -MIN(9) - SEC(15));
    unload(&s);
}

/* Past its planned end a running item is over-running: it ends no earlier
 * than now, and everything after it moves with now. */
TEST(projection_running_over_running)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    running(&s, 0, at(18, 0, 0));
    project(&s, at(18, 12, 0));
    ASSERT_EQ(s.out.item_end_ns[0], at(18, 12, 0));
    ASSERT_EQ(s.out.running_delta_ns, MIN(2));
    ASSERT_EQ(s.out.item_start_ns[1], at(18, 12, 0));
    ASSERT_EQ(s.out.end_ns, at(18, 22, 0));
    ASSERT_EQ(s.out.over_under_ns, MIN(2));
    project(&s, at(18, 13, 30));
    ASSERT_EQ(s.out.over_under_ns, MIN(3) + SEC(30));
    unload(&s);
}

/* Added time moves the running item's end, both ways. */
TEST(projection_running_added_time)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    running(&s, 0, at(18, 0, 0));
    s.pr[0].added_ns = SEC(30);
    project(&s, at(18, 5, 0));
    ASSERT_EQ(s.out.item_end_ns[0], at(18, 10, 30));
    ASSERT_EQ(s.out.running_delta_ns, SEC(30));
    ASSERT_EQ(s.out.over_under_ns, SEC(30));

    s.pr[0].added_ns = -MIN(1);
    project(&s, at(18, 5, 0));
    ASSERT_EQ(s.out.item_end_ns[0], at(18, 9, 0));
    ASSERT_EQ(s.out.running_delta_ns, -MIN(1));
    ASSERT_EQ(s.out.item_start_ns[1], at(18, 9, 0));
    ASSERT_EQ(s.out.over_under_ns, -MIN(1));
    unload(&s);
}

/* Time taken away cannot end the item before now. */
TEST(projection_running_negative_add_not_before_now)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    running(&s, 0, at(18, 0, 0));
    s.pr[0].added_ns = -MIN(8);
    project(&s, at(18, 5, 0));
    ASSERT_EQ(s.out.item_end_ns[0], at(18, 5, 0));
    ASSERT_EQ(s.out.over_under_ns, -MIN(5));
    unload(&s);
}

/* Time on hold froze the item's clock: its end moves by the hold. */
TEST(projection_running_with_hold)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    running(&s, 0, at(18, 0, 0));
    s.pr[0].held_ns = SEC(20);
    s.pr[0].added_ns = SEC(10);
    project(&s, at(18, 5, 0));
    ASSERT_EQ(s.out.item_end_ns[0], at(18, 10, 30));
    ASSERT_EQ(s.out.running_delta_ns, SEC(30));
    ASSERT_EQ(s.out.over_under_ns, SEC(30));
    unload(&s);
}

/* Done items keep their actual times; the next one runs from its real start. */
TEST(projection_done_items_keep_actual_times)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    done(&s, 0, at(18, 0, 5), at(18, 11, 0));
    running(&s, 1, at(18, 11, 0));
    project(&s, at(18, 12, 0));
    ASSERT_EQ(s.out.item_start_ns[0], at(18, 0, 5));
    ASSERT_EQ(s.out.item_end_ns[0], at(18, 11, 0));
    ASSERT_EQ(s.out.running, 1);
    ASSERT_EQ(s.out.item_end_ns[1], at(18, 16, 0));
    ASSERT_EQ(s.out.running_delta_ns, MIN(1));
    ASSERT_EQ(s.out.item_start_ns[2], at(18, 16, 0));
    ASSERT_EQ(s.out.end_ns, at(18, 21, 0));
    ASSERT_EQ(s.out.over_under_ns, MIN(1));
    unload(&s);
}

/* When every item is done, the show's end is the last actual end. */
TEST(projection_all_done)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    done(&s, 0, at(18, 0, 0), at(18, 9, 0));
    done(&s, 1, at(18, 9, 0), at(18, 14, 0));
    done(&s, 2, at(18, 14, 10), at(18, 19, 40));
    project(&s, at(18, 25, 0));
    ASSERT_EQ(s.out.running, -1);
    ASSERT_EQ(s.out.end_ns, at(18, 19, 40));
    ASSERT_EQ(s.out.over_under_ns, -SEC(20));
    ASSERT_EQ(s.out.off_air_delta_ns, -MIN(10) - SEC(20));
    unload(&s);
}

/* A skipped item takes no time: it starts and ends where the previous ended. */
TEST(projection_skipped_items_take_no_time)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    done(&s, 0, at(18, 0, 0), at(18, 10, 0));
    s.pr[1].state = RD_ITEM_SKIPPED;
    project(&s, at(18, 10, 0));
    ASSERT_EQ(s.out.item_start_ns[1], at(18, 10, 0));
    ASSERT_EQ(s.out.item_end_ns[1], at(18, 10, 0));
    ASSERT_EQ(s.out.item_start_ns[2], at(18, 10, 0));
    ASSERT_EQ(s.out.end_ns, at(18, 15, 0));
    ASSERT_EQ(s.out.over_under_ns, -MIN(5));
    unload(&s);
}

/* A pending GO item never starts before now, even when the show is early. */
TEST(projection_pending_go_not_before_now)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    done(&s, 0, at(18, 0, 0), at(18, 8, 0));
    done(&s, 1, at(18, 8, 0), at(18, 12, 0));
    project(&s, at(18, 13, 0));
    ASSERT_EQ(s.out.item_start_ns[2], at(18, 13, 0));
    ASSERT_EQ(s.out.item_end_ns[2], at(18, 18, 0));
    ASSERT_EQ(s.out.over_under_ns, -MIN(2));
    unload(&s);
}

/* A pending item's added time counts into its projected end. */
TEST(projection_pending_added_time)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    running(&s, 0, at(18, 0, 0));
    s.pr[2].added_ns = SEC(15);
    project(&s, at(18, 1, 0));
    ASSERT_EQ(s.out.item_end_ns[2], at(18, 20, 15));
    ASSERT_EQ(s.out.over_under_ns, SEC(15));
    unload(&s);
}

/* 18:00-18:30: A 10:00, B 5:00, hard start C at 18:25 for 5:00. */
#define HARD_ITEMS                                                                                 \
    "{'title': 'A', 'duration': '10:00'},"                                                         \
    "{'title': 'B', 'start': 'follow', 'duration': '5:00'},"                                       \
    "{'title': 'C', 'start': '18:25:00', 'duration': '5:00'}"

/* A hard-start item keeps its time when the show runs early: the gap absorbs it. */
TEST(projection_hard_start_absorbs_early_show)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, HARD_ITEMS));
    done(&s, 0, at(18, 0, 0), at(18, 7, 0));
    running(&s, 1, at(18, 7, 0));
    project(&s, at(18, 8, 0));
    ASSERT_EQ(s.out.item_end_ns[1], at(18, 12, 0));
    ASSERT_EQ(s.out.item_start_ns[2], at(18, 25, 0));
    ASSERT_EQ(s.out.end_ns, at(18, 30, 0));
    ASSERT_EQ(s.out.over_under_ns, 0);
    ASSERT_EQ(s.out.off_air_delta_ns, 0);
    unload(&s);
}

/* ...and when the show runs late: the earlier items are cut at the hard time. */
TEST(projection_hard_start_absorbs_late_show)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, HARD_ITEMS));
    done(&s, 0, at(18, 0, 0), at(18, 22, 0));
    running(&s, 1, at(18, 22, 0));
    project(&s, at(18, 23, 0));
    ASSERT_EQ(s.out.item_end_ns[1], at(18, 27, 0));
    ASSERT_EQ(s.out.running_delta_ns, MIN(12));
    ASSERT_EQ(s.out.item_start_ns[2], at(18, 25, 0));
    ASSERT_EQ(s.out.end_ns, at(18, 30, 0));
    ASSERT_EQ(s.out.over_under_ns, 0);
    unload(&s);
}

/* Once its time has passed without it starting, a hard-start item can only start now. */
TEST(projection_hard_start_passed_starts_now)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, HARD_ITEMS));
    done(&s, 0, at(18, 0, 0), at(18, 10, 0));
    running(&s, 1, at(18, 10, 0));
    project(&s, at(18, 26, 0));
    ASSERT_EQ(s.out.item_start_ns[2], at(18, 26, 0));
    ASSERT_EQ(s.out.end_ns, at(18, 31, 0));
    ASSERT_EQ(s.out.over_under_ns, MIN(1));
    ASSERT_EQ(s.out.off_air_delta_ns, MIN(1));
    unload(&s);
}

/* A relative show (no on_air) is planned in offsets from its first GO: its
 * over/under counts from the first actual start (before any GO, from now),
 * never from midnight, whatever the time of day. */
TEST(projection_relative_show)
{
    show_t s;
    ASSERT_TRUE(load(&s, "",
                     "{'title': 'A', 'duration': '30s'},"
                     "{'title': 'B', 'start': 'follow', 'duration': '1:00'}"));
    int64_t go = at(16, 21, 6);
    project(&s, go - SEC(30)); /* before the GO: on plan */
    ASSERT_EQ(s.out.over_under_ns, 0);
    running(&s, 0, go);
    project(&s, go + SEC(10));
    ASSERT_EQ(s.out.item_end_ns[0], go + SEC(30));
    ASSERT_EQ(s.out.end_ns, go + SEC(90));
    ASSERT_EQ(s.out.over_under_ns, 0);
    ASSERT_EQ(s.out.running_delta_ns, 0);
    ASSERT_EQ(s.out.off_air_delta_ns, 0); /* no off_air */
    project(&s, go + SEC(40));            /* A runs 10 s past its end */
    ASSERT_EQ(s.out.over_under_ns, SEC(10));
    ASSERT_EQ(s.out.running_delta_ns, SEC(10));
    unload(&s);
}

/* rd_projection_free zeroes the projection so that a second free is harmless. */
TEST(projection_free_zeroes)
{
    show_t s;
    ASSERT_TRUE(load(&s, HEAD, ITEMS));
    project(&s, 0);
    rd_projection_free(&s.out);
    ASSERT_TRUE(s.out.item_start_ns == NULL);
    ASSERT_EQ(s.out.nitems, 0);
    unload(&s);
}
