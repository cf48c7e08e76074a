/* Time bases: monotonic show time anchored once to the wall clock, and conversions for screens and
 * logs. */
#include "timebase.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "cue_clock.h"

#define STEP_THRESHOLD_NS 20000000

int64_t sc_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sc_timebase_init(sc_timebase_t *tb, const rd_rundown_t *r)
{
    int64_t mono = sc_mono_ns(), wall = sc_wall_ns();
    time_t now = (time_t)(wall / 1000000000);
    struct tm tm;
    localtime_r(&now, &tm);
    if (r && r->has_date) {
        tm.tm_year = r->year - 1900;
        tm.tm_mon = r->month - 1;
        tm.tm_mday = r->day;
    }
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1; /* let mktime find whether DST applies on that day */
    time_t midnight = mktime(&tm);
    tb->year = tm.tm_year + 1900;
    tb->month = tm.tm_mon + 1;
    tb->day = tm.tm_mday;
    tb->midnight_wall_ns = (int64_t)midnight * 1000000000;
    tb->wall_minus_mono = wall - mono;
    tb->show_minus_mono = (wall - tb->midnight_wall_ns) - mono;
}

int64_t sc_show_now(const sc_timebase_t *tb)
{
    return sc_mono_ns() + tb->show_minus_mono;
}

int64_t sc_show_to_mono(const sc_timebase_t *tb, int64_t show_ns)
{
    return show_ns == INT64_MAX ? INT64_MAX : show_ns - tb->show_minus_mono;
}

int64_t sc_mono_to_show(const sc_timebase_t *tb, int64_t mono_ns)
{
    return mono_ns + tb->show_minus_mono;
}

int64_t sc_mono_to_wall_ns(const sc_timebase_t *tb, int64_t mono_ns)
{
    return mono_ns + tb->wall_minus_mono;
}

int64_t sc_show_to_wall_ms(const sc_timebase_t *tb, int64_t show_ns)
{
    int64_t wall = sc_mono_to_wall_ns(tb, sc_show_to_mono(tb, show_ns));
    return wall >= 0 ? wall / 1000000 : -((-wall + 999999) / 1000000);
}

int64_t sc_timebase_check_step(sc_timebase_t *tb)
{
    int64_t cur = sc_wall_ns() - sc_mono_ns();
    int64_t step = cur - tb->wall_minus_mono;
    if (llabs(step) < STEP_THRESHOLD_NS)
        return 0;
    tb->wall_minus_mono = cur;
    return step;
}

void sc_iso8601(int64_t wall_ns, char *buf, size_t len)
{
    time_t s = (time_t)(wall_ns / 1000000000);
    long us = (long)(wall_ns % 1000000000 / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06ldZ", base, us);
}

void sc_local_today(int *year, int *month, int *day, int64_t *tod_ns)
{
    int64_t wall = sc_wall_ns();
    time_t now = (time_t)(wall / 1000000000);
    struct tm tm;
    localtime_r(&now, &tm);
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
    *day = tm.tm_mday;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    *tod_ns = wall - (int64_t)mktime(&tm) * 1000000000;
}

int sc_timebase_days_from_today(const sc_timebase_t *tb)
{
    int y, m, d;
    int64_t tod;
    sc_local_today(&y, &m, &d, &tod);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    int64_t today = (int64_t)mktime(&tm) * 1000000000;
    /* Rounded: a day across a DST change is 23 or 25 hours. */
    return (int)llround((double)(tb->midnight_wall_ns - today) / 86400e9);
}
