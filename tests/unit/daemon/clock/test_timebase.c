/* Tests for daemon/clock/timebase.c: show time anchored to the show's date, and display times. */
#include <stdlib.h>
#include <time.h>

#include "clock/cue_clock.h"
#include "clock/timebase.h"
#include "fixture.h"
#include "unit.h"

/* Show time is nanoseconds after local midnight of the rundown's date,
 * whatever day the daemon runs on; wall and show time stay one offset apart. */
TEST(timebase_anchors_the_show_date)
{
    rd_rundown_t r;
    ASSERT_TRUE(
        fx_load("'date': '2026-11-27',", "{'title': 'A', 'duration': '5s'}", NULL, &r, NULL));
    sc_timebase_t tb;
    sc_timebase_init(&tb, &r);
    ASSERT_EQ(tb.year, 2026);
    ASSERT_EQ(tb.month, 11);
    ASSERT_EQ(tb.day, 27);
    struct tm tm = {.tm_year = 126, .tm_mon = 10, .tm_mday = 27, .tm_isdst = -1};
    ASSERT_EQ(tb.midnight_wall_ns, (int64_t)mktime(&tm) * 1000000000);
    /* Now, in show time, is now on the wall clock minus that midnight. */
    int64_t show = sc_show_now(&tb), wall = sc_wall_ns();
    ASSERT_TRUE(llabs(show - (wall - tb.midnight_wall_ns)) < 50000000);
    /* The conversions undo each other. */
    int64_t mono = sc_mono_ns();
    ASSERT_EQ(sc_show_to_mono(&tb, sc_mono_to_show(&tb, mono)), mono);
    ASSERT_EQ(sc_show_to_mono(&tb, INT64_MAX), INT64_MAX);
    ASSERT_TRUE(llabs(sc_show_to_wall_ms(&tb, show) - wall / 1000000) < 50);
    rd_rundown_free(&r);
}

/* No date: the day the daemon starts. */
TEST(timebase_without_a_date_is_today)
{
    sc_timebase_t tb;
    sc_timebase_init(&tb, NULL);
    time_t now = time(NULL);
    struct tm lt;
    localtime_r(&now, &lt);
    ASSERT_EQ(tb.year, lt.tm_year + 1900);
    ASSERT_EQ(tb.day, lt.tm_mday);
    ASSERT_TRUE(sc_show_now(&tb) >= 0 && sc_show_now(&tb) < 25LL * 3600 * 1000000000);
}

/* A wall-clock step is seen once, then followed; small drift is not a step. */
TEST(timebase_step_detection)
{
    sc_timebase_t tb;
    sc_timebase_init(&tb, NULL);
    ASSERT_EQ(sc_timebase_check_step(&tb), 0);
    tb.wall_minus_mono -= 5000000000LL; /* as if the wall clock jumped 5 s ahead */
    int64_t step = sc_timebase_check_step(&tb);
    ASSERT_TRUE(step > 4900000000LL && step < 5100000000LL);
    ASSERT_EQ(sc_timebase_check_step(&tb), 0);
    tb.wall_minus_mono += 10000000; /* 10 ms: below the 20 ms threshold */
    ASSERT_EQ(sc_timebase_check_step(&tb), 0);
}

TEST(timebase_iso8601)
{
    char buf[40];
    sc_iso8601(1795802400000123000LL, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "2026-11-27T18:00:00.000123Z");
    sc_iso8601(0, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "1970-01-01T00:00:00.000000Z");
}

/* How far the show's date is from today, in whole days. */
TEST(timebase_days_from_today)
{
    int y, m, d;
    int64_t tod;
    sc_local_today(&y, &m, &d, &tod);
    ASSERT_TRUE(tod >= 0 && tod < 25LL * 3600 * 1000000000);
    sc_timebase_t tb;
    sc_timebase_init(&tb, NULL);
    ASSERT_EQ(sc_timebase_days_from_today(&tb), 0);
    rd_rundown_t r;
    ASSERT_TRUE(
        fx_load("'date': '2026-01-01',", "{'title': 'A', 'duration': '5s'}", NULL, &r, NULL));
    sc_timebase_init(&tb, &r);
    struct tm a = {.tm_year = 126, .tm_mon = 0, .tm_mday = 1, .tm_hour = 12, .tm_isdst = -1};
    struct tm b = {
        .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12, .tm_isdst = -1};
    ASSERT_EQ(sc_timebase_days_from_today(&tb), (int)((mktime(&a) - mktime(&b)) / 86400));
    rd_rundown_free(&r);
}
