/* Unit tests for rundown/plan.c: the planned timeline, back-times and its warnings. */
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "parse.h"
#include "plan.h"
#include "unit.h"

#define SEC(x) ((int64_t)(x)*RD_NS_PER_S)
#define MIN(x) ((int64_t)(x)*RD_NS_PER_MIN)

/* A clock time on the show's date, in the plan's time base. */
static int64_t at(int h, int m, int s)
{
    return (int64_t)h * RD_NS_PER_HOUR + m * RD_NS_PER_MIN + s * RD_NS_PER_S;
}

/* A rundown of these items with head's top-level fields (see fx_load). */
static bool load(const char *head, const char *items, rd_rundown_t *r)
{
    return fx_load(head, items, NULL, r, NULL);
}

/* Loads and plans; the findings of the plan go to d. */
static bool plan(const char *head, const char *items, rd_rundown_t *r, rd_plan_t *p, rd_diags_t *d)
{
    if (!load(head, items, r))
        return false;
    rd_plan_compute(r, p, d);
    return true;
}

#define ON_AIR "'on_air': '18:00:00',"
#define ON_OFF_AIR "'on_air': '18:00:00', 'off_air': '18:30:00',"

/* Follow items start at the previous item's planned end. */
TEST(plan_follow_chain)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'duration': '30s'},"
                     "{'title': 'B', 'start': 'follow', 'duration': '1:30'},"
                     "{'title': 'C', 'start': 'follow', 'duration': '2:10'}",
                     &r, &p, &d));
    ASSERT_EQ(p.nitems, 3);
    ASSERT_FALSE(p.relative);
    ASSERT_EQ(p.items[0].start_ns, at(18, 0, 0));
    ASSERT_EQ(p.items[0].end_ns, at(18, 0, 30));
    ASSERT_EQ(p.items[1].start_ns, at(18, 0, 30));
    ASSERT_EQ(p.items[1].end_ns, at(18, 2, 0));
    ASSERT_EQ(p.items[2].start_ns, at(18, 2, 0));
    ASSERT_EQ(p.items[2].end_ns, at(18, 4, 10));
    ASSERT_EQ(p.start_ns, at(18, 0, 0));
    ASSERT_EQ(p.end_ns, at(18, 4, 10));
    ASSERT_EQ(d.count, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* The plan assumes GO is called on time: a GO item starts at the previous end. */
TEST(plan_go_items_start_at_previous_end)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'start': 'go', 'duration': '45s'},"
                     "{'title': 'B', 'duration': '1:00'},"
                     "{'title': 'C', 'start': 'go', 'duration': '0'},"
                     "{'title': 'D', 'start': 'follow', 'duration': '10s'}",
                     &r, &p, NULL));
    ASSERT_EQ(p.items[0].start_ns, at(18, 0, 0));
    ASSERT_EQ(p.items[1].start_ns, at(18, 0, 45));
    ASSERT_EQ(p.items[2].start_ns, at(18, 1, 45));
    ASSERT_EQ(p.items[2].end_ns, at(18, 1, 45)); /* an open-ended item takes no time */
    ASSERT_EQ(p.items[3].start_ns, at(18, 1, 45));
    ASSERT_EQ(p.end_ns, at(18, 1, 55));
    for (size_t i = 0; i < p.nitems; i++)
        ASSERT_EQ(p.items[i].gap_ns, 0); /* only hard starts have a gap */
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* A hard start after the earlier items' end leaves a positive gap, no warning. */
TEST(plan_hard_start_with_gap)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'duration': '5:00'},"
                     "{'title': 'B', 'start': '18:10:00', 'duration': '1:00'},"
                     "{'title': 'C', 'start': 'follow', 'duration': '30s'}",
                     &r, &p, &d));
    ASSERT_EQ(p.items[0].end_ns, at(18, 5, 0));
    ASSERT_EQ(p.items[1].start_ns, at(18, 10, 0));
    ASSERT_EQ(p.items[1].gap_ns, MIN(5));
    ASSERT_EQ(p.items[1].end_ns, at(18, 11, 0));
    ASSERT_EQ(p.items[2].start_ns, at(18, 11, 0));
    ASSERT_EQ(d.count, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* A hard start exactly at the previous end has a zero gap and no warning. */
TEST(plan_hard_start_exactly_on_time)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'duration': '10:00'},"
                     "{'title': 'B', 'start': '18:10:00', 'duration': '1:00'}",
                     &r, &p, &d));
    ASSERT_EQ(p.items[1].gap_ns, 0);
    ASSERT_EQ(d.count, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* A hard start before the earlier items' end: negative gap (they are cut by
 * that much), the item keeps its time, and one warning at items[N].start. */
TEST(plan_hard_start_collision)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'duration': '10:00'},"
                     "{'title': 'B', 'start': 'follow', 'duration': '5:00'},"
                     "{'title': 'C', 'start': '18:12:00', 'duration': '1:00'},"
                     "{'title': 'D', 'start': 'follow', 'duration': '1:00'}",
                     &r, &p, &d));
    ASSERT_EQ(p.items[2].start_ns, at(18, 12, 0));
    ASSERT_EQ(p.items[2].gap_ns, -MIN(3));
    ASSERT_EQ(p.items[3].start_ns, at(18, 13, 0));
    ASSERT_EQ(p.end_ns, at(18, 14, 0));
    ASSERT_EQ(d.count, 1);
    ASSERT_EQ(d.warnings, 1);
    ASSERT_EQ(d.errors, 0);
    ASSERT_EQ(d.items[0].severity, RD_WARNING);
    ASSERT_STR_EQ(d.items[0].path, "items[2].start");
    ASSERT_STR_EQ(d.items[0].message, "hard start 18:12:00 collides with the planned end of "
                                      "earlier items (18:15:00): they would be cut by 3:00");
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* Each colliding hard start gets its own warning, at its own path. */
TEST(plan_hard_start_two_collisions)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'duration': '10:00'},"
                     "{'title': 'B', 'start': '18:09:00', 'duration': '10:00'},"
                     "{'title': 'C', 'start': '18:18:30', 'duration': '1:00'}",
                     &r, &p, &d));
    ASSERT_EQ(p.items[1].gap_ns, -MIN(1));
    ASSERT_EQ(p.items[2].gap_ns, -SEC(30));
    ASSERT_EQ(d.count, 2);
    ASSERT_STR_EQ(d.items[0].path, "items[1].start");
    ASSERT_STR_EQ(d.items[1].path, "items[2].start");
    ASSERT_CONTAINS(d.items[1].message, "cut by 0:30");
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* Without a diagnostics list the plan is the same and nothing is reported. */
TEST(plan_collision_without_diags)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'duration': '10:00'},"
                     "{'title': 'B', 'start': '18:05:00', 'duration': '1:00'}",
                     &r, &p, NULL));
    ASSERT_EQ(p.items[1].gap_ns, -MIN(5));
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* Times earlier than on_air are on the next day: hard starts and off_air
 * past midnight continue the show's clock past 24 h. */
TEST(plan_hard_start_across_midnight)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan("'on_air': '23:50:00', 'off_air': '00:20:00',",
                     "{'title': 'A', 'duration': '10:00'},"
                     "{'title': 'B', 'start': '00:05:00', 'duration': '10:00'}",
                     &r, &p, &d));
    ASSERT_EQ(p.items[0].start_ns, at(23, 50, 0));
    ASSERT_EQ(p.items[0].end_ns, at(24, 0, 0));
    ASSERT_EQ(p.items[1].start_ns, at(24, 5, 0));
    ASSERT_EQ(p.items[1].gap_ns, MIN(5));
    ASSERT_EQ(p.items[1].end_ns, at(24, 15, 0));
    ASSERT_TRUE(p.has_off_air);
    ASSERT_EQ(p.off_air_ns, at(24, 20, 0));
    ASSERT_EQ(p.end_ns, at(24, 15, 0));
    ASSERT_EQ(p.off_air_delta_ns, -MIN(5));
    /* A back-times to B's hard start, B to off_air. */
    ASSERT_EQ(p.items[0].backtime_ns, at(23, 55, 0));
    ASSERT_EQ(p.items[1].backtime_ns, at(24, 10, 0));
    ASSERT_EQ(d.count, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* A collision past midnight prints its clock times with the day. */
TEST(plan_collision_message_past_midnight)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan("'on_air': '23:50:00',",
                     "{'title': 'A', 'duration': '20:00'},"
                     "{'title': 'B', 'start': '00:05:00', 'duration': '1:00'}",
                     &r, &p, &d));
    ASSERT_EQ(p.items[1].gap_ns, -MIN(5));
    ASSERT_EQ(d.count, 1);
    ASSERT_STR_EQ(d.items[0].message, "hard start +1 00:05:00 collides with the planned end of "
                                      "earlier items (+1 00:10:00): they would be cut by 5:00");
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* Without on_air the plan is relative: times are offsets from the first GO. */
TEST(plan_relative_without_on_air)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan("",
                     "{'title': 'A', 'duration': '30s'},"
                     "{'title': 'B', 'start': 'follow', 'duration': '1:00'},"
                     "{'title': 'C', 'duration': '15s'}",
                     &r, &p, NULL));
    ASSERT_TRUE(p.relative);
    ASSERT_EQ(p.start_ns, 0);
    ASSERT_EQ(p.items[0].start_ns, 0);
    ASSERT_EQ(p.items[1].start_ns, SEC(30));
    ASSERT_EQ(p.items[2].start_ns, SEC(90));
    ASSERT_EQ(p.end_ns, SEC(105));
    ASSERT_FALSE(p.has_off_air);
    ASSERT_EQ(p.off_air_delta_ns, 0);
    for (size_t i = 0; i < p.nitems; i++)
        ASSERT_FALSE(p.items[i].has_backtime);
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* Without on_air, a first item with a hard start sets the show's start. */
TEST(plan_first_item_hard_start_without_on_air)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan("'off_air': '18:30:00',",
                     "{'title': 'A', 'start': '18:00:00', 'duration': '10:00'},"
                     "{'title': 'B', 'start': 'follow', 'duration': '5:00'}",
                     &r, &p, &d));
    ASSERT_TRUE(r.on_air_implied);
    ASSERT_FALSE(p.relative);
    ASSERT_EQ(p.start_ns, at(18, 0, 0));
    ASSERT_EQ(p.items[0].gap_ns, 0);
    ASSERT_EQ(p.items[1].start_ns, at(18, 10, 0));
    ASSERT_EQ(p.end_ns, at(18, 15, 0));
    ASSERT_EQ(p.off_air_delta_ns, -MIN(15));
    ASSERT_EQ(d.count, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* A first hard start later than on_air: the show idles until it. */
TEST(plan_first_item_hard_start_after_on_air)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(
        plan(ON_AIR, "{'title': 'A', 'start': '18:02:00', 'duration': '1:00'}", &r, &p, NULL));
    ASSERT_EQ(p.start_ns, at(18, 2, 0));
    ASSERT_EQ(p.items[0].gap_ns, MIN(2));
    ASSERT_EQ(p.end_ns, at(18, 3, 0));
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* Back-time: off_air minus the durations of the item and all after it. */
TEST(plan_backtime_against_off_air)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_OFF_AIR,
                     "{'title': 'A', 'duration': '10:00'},"
                     "{'title': 'B', 'start': 'follow', 'duration': '5:00'},"
                     "{'title': 'C', 'duration': '5:00'}",
                     &r, &p, NULL));
    ASSERT_TRUE(p.items[0].has_backtime);
    ASSERT_EQ(p.items[0].backtime_ns, at(18, 10, 0));
    ASSERT_EQ(p.items[1].backtime_ns, at(18, 20, 0));
    ASSERT_EQ(p.items[2].backtime_ns, at(18, 25, 0));
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* Items before a hard start back-time to it; the hard-start item itself and
 * those after it back-time to off_air. */
TEST(plan_backtime_against_later_hard_start)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_OFF_AIR,
                     "{'title': 'A', 'duration': '4:00'},"
                     "{'title': 'B', 'duration': '3:00'},"
                     "{'title': 'C', 'start': '18:15:00', 'duration': '5:00'},"
                     "{'title': 'D', 'duration': '2:00'}",
                     &r, &p, NULL));
    ASSERT_EQ(p.items[0].backtime_ns, at(18, 8, 0));
    ASSERT_EQ(p.items[1].backtime_ns, at(18, 12, 0));
    ASSERT_EQ(p.items[2].backtime_ns, at(18, 23, 0));
    ASSERT_EQ(p.items[3].backtime_ns, at(18, 28, 0));
    for (size_t i = 0; i < p.nitems; i++)
        ASSERT_TRUE(p.items[i].has_backtime);
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* Two hard starts: each segment back-times to the next hard time. */
TEST(plan_backtime_between_two_hard_starts)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'duration': '1:00'},"
                     "{'title': 'B', 'start': '18:05:00', 'duration': '2:00'},"
                     "{'title': 'C', 'duration': '1:30'},"
                     "{'title': 'D', 'start': '18:10:00', 'duration': '1:00'}",
                     &r, &p, NULL));
    ASSERT_EQ(p.items[0].backtime_ns, at(18, 4, 0));
    ASSERT_EQ(p.items[1].backtime_ns, at(18, 6, 30));
    ASSERT_EQ(p.items[2].backtime_ns, at(18, 8, 30));
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* Without off_air, nothing after the last hard start has a back-time. */
TEST(plan_no_backtime_after_last_hard_start_without_off_air)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_AIR,
                     "{'title': 'A', 'duration': '4:00'},"
                     "{'title': 'B', 'start': '18:10:00', 'duration': '5:00'},"
                     "{'title': 'C', 'duration': '2:00'}",
                     &r, &p, NULL));
    ASSERT_TRUE(p.items[0].has_backtime);
    ASSERT_EQ(p.items[0].backtime_ns, at(18, 6, 0));
    ASSERT_FALSE(p.items[1].has_backtime);
    ASSERT_FALSE(p.items[2].has_backtime);
    ASSERT_FALSE(p.has_off_air);
    ASSERT_EQ(p.off_air_delta_ns, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* Without off_air or hard starts there is no back-time at all. */
TEST(plan_no_backtime_without_hard_times)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_AIR, "{'title': 'A', 'duration': '4:00'},{'title': 'B', 'duration': '1s'}",
                     &r, &p, NULL));
    ASSERT_FALSE(p.items[0].has_backtime);
    ASSERT_FALSE(p.items[1].has_backtime);
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* A plan that runs past off_air: positive delta and one warning at off_air. */
TEST(plan_over_running_off_air_warning)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan("'on_air': '18:00:00', 'off_air': '18:10:00',",
                     "{'title': 'A', 'duration': '10:00'},"
                     "{'title': 'B', 'duration': '5:30'}",
                     &r, &p, &d));
    ASSERT_EQ(p.end_ns, at(18, 15, 30));
    ASSERT_EQ(p.off_air_delta_ns, MIN(5) + SEC(30));
    ASSERT_EQ(d.count, 1);
    ASSERT_EQ(d.items[0].severity, RD_WARNING);
    ASSERT_STR_EQ(d.items[0].path, "off_air");
    ASSERT_STR_EQ(d.items[0].message, "the plan runs 5:30 past off_air (18:10:00)");
    /* Back-times then fall before the planned starts. */
    ASSERT_EQ(p.items[0].backtime_ns, at(17, 54, 30));
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* Ending exactly at off_air, or before it, gives no warning. */
TEST(plan_on_time_and_under_off_air)
{
    rd_rundown_t r;
    rd_plan_t p;
    rd_diags_t d = {0};
    ASSERT_TRUE(plan(ON_OFF_AIR, "{'title': 'A', 'duration': '30:00'}", &r, &p, &d));
    ASSERT_EQ(p.end_ns, at(18, 30, 0));
    ASSERT_EQ(p.off_air_delta_ns, 0);
    ASSERT_EQ(p.items[0].backtime_ns, at(18, 0, 0));
    ASSERT_EQ(d.count, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);

    ASSERT_TRUE(plan(ON_OFF_AIR, "{'title': 'A', 'duration': '29:59.500'}", &r, &p, &d));
    ASSERT_EQ(p.off_air_delta_ns, -500 * RD_NS_PER_MS);
    ASSERT_EQ(d.count, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

/* The plan's end is the last item's end, even when a hard start ends it. */
TEST(plan_end_is_last_item_end)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_OFF_AIR,
                     "{'title': 'A', 'duration': '5:00'},"
                     "{'title': 'B', 'start': '18:25:00', 'duration': '4:00'}",
                     &r, &p, NULL));
    ASSERT_EQ(p.start_ns, at(18, 0, 0));
    ASSERT_EQ(p.end_ns, at(18, 29, 0));
    ASSERT_EQ(p.off_air_delta_ns, -MIN(1));
    rd_plan_free(&p);
    rd_rundown_free(&r);
}

/* rd_plan_free zeroes the plan so that a second free is harmless. */
TEST(plan_free_zeroes)
{
    rd_rundown_t r;
    rd_plan_t p;
    ASSERT_TRUE(plan(ON_AIR, "{'title': 'A', 'duration': '5:00'}", &r, &p, NULL));
    rd_plan_free(&p);
    ASSERT_TRUE(p.items == NULL);
    ASSERT_EQ(p.nitems, 0);
    rd_plan_free(&p);
    rd_rundown_free(&r);
}
