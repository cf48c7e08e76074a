/* Unit tests for rundown/timefmt.c: durations, cue offsets, times of day, dates, formatting. */
#include <stdio.h>

#include "timefmt.h"
#include "unit.h"

#define MS(x) ((int64_t)(x)*RD_NS_PER_MS)
#define SEC(x) ((int64_t)(x)*RD_NS_PER_S)
#define MIN(x) ((int64_t)(x)*RD_NS_PER_MIN)
#define HOUR(x) ((int64_t)(x)*RD_NS_PER_HOUR)

/* A value no parser produces: shows that a failed parse leaves *out alone. */
#define UNTOUCHED ((int64_t)-424242)

/* Parses a duration at fps that must be accepted; returns UNTOUCHED if refused. */
static int64_t dur(const char *s, int fps)
{
    int64_t ns = UNTOUCHED;
    char err[256] = "";
    if (!rd_parse_duration(s, fps, &ns, err, sizeof err))
        printf("# rd_parse_duration(\"%s\", %d): %s\n", s, fps, err);
    return ns;
}

/* Parses a duration that must be refused; returns the message ("" if accepted). */
static const char *dur_err(const char *s, int fps)
{
    static char err[256];
    int64_t ns = UNTOUCHED;
    err[0] = '\0';
    if (rd_parse_duration(s, fps, &ns, err, sizeof err) || ns != UNTOUCHED)
        return "";
    return err;
}

static const char *offset_err(const char *s)
{
    static char err[256];
    rd_anchor_t a = RD_FROM_END;
    int64_t ns = UNTOUCHED;
    err[0] = '\0';
    if (rd_parse_offset(s, 25, &a, &ns, err, sizeof err) || ns != UNTOUCHED || a != RD_FROM_END)
        return "";
    return err;
}

static const char *tod_err(const char *s, int fps)
{
    static char err[256];
    int64_t ns = UNTOUCHED;
    err[0] = '\0';
    if (rd_parse_time_of_day(s, fps, &ns, err, sizeof err) || ns != UNTOUCHED)
        return "";
    return err;
}

static const char *date_err(const char *s)
{
    static char err[256];
    int y = -1, m = -1, d = -1;
    err[0] = '\0';
    if (rd_parse_date(s, &y, &m, &d, err, sizeof err) || y != -1 || m != -1 || d != -1)
        return "";
    return err;
}

static const char *clock_str(int64_t ns)
{
    static char buf[64];
    rd_format_clock(ns, buf, sizeof buf);
    return buf;
}

static const char *dur_str(int64_t ns)
{
    static char buf[64];
    rd_format_duration(ns, buf, sizeof buf);
    return buf;
}

static const char *signed_str(int64_t ns)
{
    static char buf[64];
    rd_format_signed(ns, buf, sizeof buf);
    return buf;
}

/* ---- Durations: number and unit forms ------------------------------------ */

/* A bare number is seconds, whole or decimal. */
TEST(timefmt_duration_bare_seconds)
{
    ASSERT_EQ(dur("90", 25), SEC(90));
    ASSERT_EQ(dur("1.5", 25), MS(1500));
    ASSERT_EQ(dur("0", 25), 0);
}

TEST(timefmt_duration_seconds_unit)
{
    ASSERT_EQ(dur("90s", 25), SEC(90));
    ASSERT_EQ(dur("1.5s", 25), MS(1500));
}

TEST(timefmt_duration_milliseconds)
{
    ASSERT_EQ(dur("500ms", 25), MS(500));
    ASSERT_EQ(dur("1.5ms", 25), 1500000);
}

TEST(timefmt_duration_minutes_and_hours)
{
    ASSERT_EQ(dur("2m", 25), MIN(2));
    ASSERT_EQ(dur("2min", 25), MIN(2));
    ASSERT_EQ(dur("1h", 25), HOUR(1));
    ASSERT_EQ(dur("0.5h", 25), MIN(30));
}

/* Number-unit pairs add up. */
TEST(timefmt_duration_compound_units)
{
    ASSERT_EQ(dur("1m30s", 25), SEC(90));
    ASSERT_EQ(dur("1h2m3s", 25), HOUR(1) + MIN(2) + SEC(3));
    ASSERT_EQ(dur("1s500ms", 25), MS(1500));
}

TEST(timefmt_duration_micro_and_nanoseconds)
{
    ASSERT_EQ(dur("250us", 25), 250000);
    ASSERT_EQ(dur("250\xc2\xb5s", 25), 250000);
    ASSERT_EQ(dur("7ns", 25), 7);
}

/* "f" counts frames at the show's fps: 12 frames at 25 fps are 480 ms. */
TEST(timefmt_duration_frames_unit)
{
    ASSERT_EQ(dur("12f", 25), MS(480));
    ASSERT_EQ(dur("25f", 25), SEC(1));
    ASSERT_EQ(dur("12f", 30), MS(400));
}

/* A frame that is not a whole number of ns rounds to the nearest ns. */
TEST(timefmt_duration_frames_round_to_nearest_ns)
{
    ASSERT_EQ(dur("1f", 30), 33333333); /* 33 333 333.3 */
    ASSERT_EQ(dur("2f", 30), 66666667); /* 66 666 666.7 */
    ASSERT_EQ(dur("1f", 24), 41666667); /* 41 666 666.7 */
}

TEST(timefmt_duration_fractional_frames_refused)
{
    ASSERT_STR_EQ(dur_err("1.5f", 25), "\"1.5f\": frames are whole numbers");
}

/* ---- Durations: colon forms ---------------------------------------------- */

/* Two fields are m:ss, three h:mm:ss. */
TEST(timefmt_duration_colon_forms)
{
    ASSERT_EQ(dur("1:30", 25), SEC(90));
    ASSERT_EQ(dur("0:05", 25), SEC(5));
    ASSERT_EQ(dur("00:01:30", 25), SEC(90));
    ASSERT_EQ(dur("1:02:03", 25), HOUR(1) + MIN(2) + SEC(3));
}

/* In m:ss the minutes are not capped at 59: "90:00" is an hour and a half. */
TEST(timefmt_duration_colon_minutes_uncapped)
{
    ASSERT_EQ(dur("90:00", 25), MIN(90));
}

TEST(timefmt_duration_colon_fraction)
{
    ASSERT_EQ(dur("00:01:30.250", 25), MS(90250));
    ASSERT_EQ(dur("1:30.5", 25), MS(90500));
}

/* A fourth field is frames: 12 frames at 25 fps = 480 ms. */
TEST(timefmt_duration_colon_frames_25fps)
{
    ASSERT_EQ(dur("00:01:30:12", 25), MS(90480));
}

/* At 30 fps a frame is 33.3 ms; the total rounds to the nearest ns. */
TEST(timefmt_duration_colon_frames_30fps_rounding)
{
    ASSERT_EQ(dur("00:01:30:12", 30), MS(90400));
    ASSERT_EQ(dur("00:00:00:01", 30), 33333333);
    ASSERT_EQ(dur("00:00:00:02", 30), 66666667);
    ASSERT_EQ(dur("00:00:00:29", 30), 966666667);
}

/* Frames must be below the fps, and the message says so. */
TEST(timefmt_duration_frames_not_below_fps)
{
    ASSERT_STR_EQ(dur_err("00:00:01:25", 25),
                  "\"00:00:01:25\": frame 25 is not below the show's 25 fps");
    ASSERT_EQ(dur("00:00:01:24", 25), SEC(1) + MS(960));
    ASSERT_STR_EQ(dur_err("00:00:01:30", 30),
                  "\"00:00:01:30\": frame 30 is not below the show's 30 fps");
}

/* Above 99 fps frames may take three digits. */
TEST(timefmt_duration_frames_three_digits_at_high_fps)
{
    ASSERT_EQ(dur("00:00:00:100", 120), 833333333);
    ASSERT_CONTAINS(dur_err("00:00:00:100", 25), "two digits after each ':'");
}

/* Up to 9 fraction digits: nanoseconds. */
TEST(timefmt_duration_nine_fraction_digits)
{
    ASSERT_EQ(dur("1.123456789", 25), 1123456789);
    ASSERT_EQ(dur("0.000000001s", 25), 1);
    ASSERT_EQ(dur("00:00:01.123456789", 25), 1123456789);
    ASSERT_EQ(dur("0.123456789h", 25), 444444440400);
}

TEST(timefmt_duration_too_many_fraction_digits)
{
    ASSERT_CONTAINS(dur_err("1.1234567891", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("1.1234567891s", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("00:00:01.1234567891", 25), "is not a valid duration");
}

TEST(timefmt_duration_seconds_not_below_60)
{
    ASSERT_STR_EQ(dur_err("1:75", 25),
                  "\"1:75\" is not a valid duration: seconds must be below 60");
    ASSERT_STR_EQ(dur_err("00:00:60", 25),
                  "\"00:00:60\" is not a valid duration: seconds must be below 60");
}

TEST(timefmt_duration_minutes_not_below_60)
{
    ASSERT_STR_EQ(dur_err("00:60:00", 25),
                  "\"00:60:00\" is not a valid duration: minutes must be below 60");
}

/* Every field after a ':' has two digits; the first may have one. */
TEST(timefmt_duration_one_digit_field_after_colon)
{
    ASSERT_STR_EQ(dur_err("1:5", 25),
                  "\"1:5\" is not a valid duration: write two digits after each ':'");
    ASSERT_CONTAINS(dur_err("00:1:30", 25), "write two digits after each ':'");
    ASSERT_CONTAINS(dur_err("00:01:30:1", 25), "write two digits after each ':'");
    ASSERT_CONTAINS(dur_err("1:030", 25), "write two digits after each ':'");
}

TEST(timefmt_duration_negative_refused)
{
    ASSERT_STR_EQ(dur_err("-5s", 25), "\"-5s\": a duration cannot be negative");
    ASSERT_STR_EQ(dur_err("-1:30", 25), "\"-1:30\": a duration cannot be negative");
}

/* Seven days is the longest span, in every form. */
TEST(timefmt_duration_seven_days_accepted)
{
    ASSERT_EQ(dur("168h", 25), RD_MAX_SPAN_NS);
    ASSERT_EQ(dur("604800", 25), RD_MAX_SPAN_NS);
    ASSERT_EQ(dur("168:00:00", 25), RD_MAX_SPAN_NS);
    ASSERT_EQ(dur("604800f", 1), RD_MAX_SPAN_NS);
}

TEST(timefmt_duration_longer_than_seven_days)
{
    ASSERT_STR_EQ(dur_err("169h", 25), "\"169h\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("604801", 25), "\"604801\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("604800.5", 25), "\"604800.5\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("167h60m1s", 25), "\"167h60m1s\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("169:00:00", 25), "\"169:00:00\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("168:00:01", 25), "\"168:00:01\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("10081:00", 25), "\"10081:00\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("604801f", 1), "\"604801f\" is longer than 7 days");
}

/* Huge numbers are refused without overflowing. */
TEST(timefmt_duration_overflow_refused)
{
    ASSERT_STR_EQ(dur_err("999999999999", 25), "\"999999999999\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("999999999999h", 25), "\"999999999999h\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("999999999999f", 240), "\"999999999999f\" is longer than 7 days");
    ASSERT_STR_EQ(dur_err("999999999999:00:00", 25),
                  "\"999999999999:00:00\" is longer than 7 days");
    ASSERT_CONTAINS(dur_err("9999999999999999999999", 25), "is not a valid duration");
}

TEST(timefmt_duration_garbage)
{
    ASSERT_STR_EQ(dur_err("ten seconds", 25),
                  "\"ten seconds\" is not a valid duration (write 90, 90s, 500ms, 1:30, "
                  "00:01:30, 00:01:30.250 or 00:01:30:12)");
    ASSERT_CONTAINS(dur_err(".5", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("1.", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("1.s", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err(" 90", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("+5s", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("1:30x", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("1::30", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err(":30", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("1:00:00:00:00", 25), "is not a valid duration");
    ASSERT_CONTAINS(dur_err("00:00:01:12.5", 25), "is not a valid duration");
}

TEST(timefmt_duration_empty)
{
    ASSERT_STR_EQ(dur_err("", 25), "empty value (write 90, 90s, 500ms, 1:30, 00:01:30, "
                                   "00:01:30.250 or 00:01:30:12)");
}

TEST(timefmt_duration_unknown_unit)
{
    ASSERT_STR_EQ(dur_err("3x", 25), "\"3x\" has an unknown unit (use h, m, s, ms, us or f)");
    ASSERT_CONTAINS(dur_err("2d", 25), "has an unknown unit");
    ASSERT_CONTAINS(dur_err("10 s", 25), "has an unknown unit");
    ASSERT_CONTAINS(dur_err("1m30", 25), "has an unknown unit");
}

TEST(timefmt_duration_fps_out_of_range)
{
    ASSERT_STR_EQ(dur_err("1s", 0), "fps 0 is out of range");
    ASSERT_STR_EQ(dur_err("1s", 241), "fps 241 is out of range");
    ASSERT_EQ(dur("1f", 240), 4166667);
}

/* A short or absent message buffer is never overrun. */
TEST(timefmt_duration_error_buffer_short_or_null)
{
    char err[8];
    int64_t ns = UNTOUCHED;
    ASSERT_FALSE(rd_parse_duration("ten seconds", 25, &ns, err, sizeof err));
    ASSERT_STR_EQ(err, "\"ten se");
    ASSERT_FALSE(rd_parse_duration("ten seconds", 25, &ns, NULL, 0));
    ASSERT_EQ(ns, UNTOUCHED);
}

/* ---- Cue offsets --------------------------------------------------------- */

/* Parses an offset that must be accepted. */
static bool offset_is(const char *s, rd_anchor_t anchor, int64_t ns)
{
    rd_anchor_t a = (rd_anchor_t)-1;
    int64_t v = UNTOUCHED;
    char err[256] = "";
    if (!rd_parse_offset(s, 25, &a, &v, err, sizeof err)) {
        printf("# rd_parse_offset(\"%s\"): %s\n", s, err);
        return false;
    }
    if (a != anchor || v != ns) {
        printf("# rd_parse_offset(\"%s\"): anchor %d offset %lld\n", s, (int)a, (long long)v);
        return false;
    }
    return true;
}

/* "0" alone needs no unit: it is the item's start. */
TEST(timefmt_offset_zero)
{
    ASSERT_TRUE(offset_is("0", RD_FROM_START, 0));
    ASSERT_TRUE(offset_is("0.0", RD_FROM_START, 0));
    ASSERT_TRUE(offset_is("-0", RD_FROM_START, 0));
}

TEST(timefmt_offset_from_start)
{
    ASSERT_TRUE(offset_is("5s", RD_FROM_START, SEC(5)));
    ASSERT_TRUE(offset_is("+5s", RD_FROM_START, SEC(5)));
    ASSERT_TRUE(offset_is("1:05", RD_FROM_START, SEC(65)));
    ASSERT_TRUE(offset_is("12f", RD_FROM_START, MS(480)));
}

/* A negative offset is pre-roll before the start. */
TEST(timefmt_offset_negative_preroll)
{
    ASSERT_TRUE(offset_is("-2s", RD_FROM_START, SEC(-2)));
    ASSERT_TRUE(offset_is("-500ms", RD_FROM_START, MS(-500)));
    ASSERT_TRUE(offset_is("-00:00:01:12", RD_FROM_START, MS(-1480)));
}

TEST(timefmt_offset_from_end)
{
    ASSERT_TRUE(offset_is("end", RD_FROM_END, 0));
    ASSERT_TRUE(offset_is("end-3s", RD_FROM_END, SEC(-3)));
    ASSERT_TRUE(offset_is("end+1s", RD_FROM_END, SEC(1)));
    ASSERT_TRUE(offset_is("end-1:30", RD_FROM_END, SEC(-90)));
    ASSERT_TRUE(offset_is("end-0", RD_FROM_END, 0));
}

/* A bare number other than 0 is ambiguous (seconds? frames?), and the
 * message repeats the whole text with a unit as the example. */
TEST(timefmt_offset_bare_number_needs_unit)
{
    ASSERT_STR_EQ(offset_err("end-3"), "\"end-3\" needs a unit or a time form (e.g. end-3s)");
    ASSERT_STR_EQ(offset_err("-2"), "\"-2\" needs a unit or a time form (e.g. -2s)");
    ASSERT_STR_EQ(offset_err("5"), "\"5\" needs a unit or a time form (e.g. 5s)");
    ASSERT_STR_EQ(offset_err("end+1.5"), "\"end+1.5\" needs a unit or a time form (e.g. end+1.5s)");
}

TEST(timefmt_offset_end_with_bad_operator)
{
    ASSERT_STR_EQ(offset_err("end*3s"),
                  "\"end*3s\" is not a valid offset (write end, end-3s or end+1s)");
    ASSERT_CONTAINS(offset_err("ending"), "is not a valid offset");
}

TEST(timefmt_offset_two_signs)
{
    ASSERT_STR_EQ(offset_err("--2s"), "\"--2s\" has two signs");
    ASSERT_STR_EQ(offset_err("+-2s"), "\"+-2s\" has two signs");
    ASSERT_STR_EQ(offset_err("end--3s"), "\"end--3s\" has two signs");
}

TEST(timefmt_offset_garbage_and_empty)
{
    const char *want = "is not a valid offset (write 0, 5s, -2s, 1:05, end-3s or end+1s)";
    ASSERT_STR_EQ(offset_err("soon"), "\"soon\" is not a valid offset (write 0, 5s, -2s, 1:05, "
                                      "end-3s or end+1s)");
    ASSERT_CONTAINS(offset_err(""), want);
    ASSERT_CONTAINS(offset_err("-"), want);
    ASSERT_CONTAINS(offset_err("end-"), want);
    ASSERT_CONTAINS(offset_err("-end"), want);
}

/* Errors from the part after "end-" or the sign quote the whole text the
 * producer wrote, and call it an offset. */
TEST(timefmt_offset_errors_quote_whole_text)
{
    ASSERT_STR_EQ(offset_err("end-3x"),
                  "\"end-3x\" has an unknown unit (use h, m, s, ms, us or f)");
    ASSERT_STR_EQ(offset_err("-1:75"), "\"-1:75\" is not a valid offset: seconds must be below 60");
    ASSERT_STR_EQ(offset_err("end-169h"), "\"end-169h\" is longer than 7 days");
    ASSERT_STR_EQ(offset_err("3 fortnights"),
                  "\"3 fortnights\" has an unknown unit (use h, m, s, ms, us or f)");
}

/* Offsets, like durations, stay within 7 days either way. */
TEST(timefmt_offset_seven_day_limit)
{
    ASSERT_TRUE(offset_is("-168h", RD_FROM_START, -RD_MAX_SPAN_NS));
    ASSERT_CONTAINS(offset_err("-169h"), "is longer than 7 days");
}

/* ---- Times of day --------------------------------------------------------- */

static int64_t tod(const char *s, int fps)
{
    int64_t ns = UNTOUCHED;
    char err[256] = "";
    if (!rd_parse_time_of_day(s, fps, &ns, err, sizeof err))
        printf("# rd_parse_time_of_day(\"%s\"): %s\n", s, err);
    return ns;
}

TEST(timefmt_tod_whole_seconds)
{
    ASSERT_EQ(tod("18:00:00", 25), HOUR(18));
    ASSERT_EQ(tod("00:00:00", 25), 0);
    ASSERT_EQ(tod("23:59:59", 25), RD_NS_PER_DAY - SEC(1));
}

TEST(timefmt_tod_milliseconds)
{
    ASSERT_EQ(tod("18:00:00.250", 25), HOUR(18) + MS(250));
    ASSERT_EQ(tod("23:59:59.999", 25), RD_NS_PER_DAY - MS(1));
}

TEST(timefmt_tod_frames)
{
    ASSERT_EQ(tod("18:00:00:12", 25), HOUR(18) + MS(480));
    ASSERT_EQ(tod("18:00:00:01", 30), HOUR(18) + 33333333);
    ASSERT_STR_EQ(tod_err("18:00:00:25", 25),
                  "\"18:00:00:25\": frame 25 is not below the show's 25 fps");
}

TEST(timefmt_tod_hours_below_24)
{
    ASSERT_STR_EQ(tod_err("24:00:00", 25),
                  "\"24:00:00\" is not a valid time of day: hours must be below 24");
}

TEST(timefmt_tod_two_digit_hours)
{
    ASSERT_STR_EQ(tod_err("7:00:00", 25),
                  "\"7:00:00\" is not a valid time of day: write two digits for hours");
}

TEST(timefmt_tod_minutes_and_seconds_below_60)
{
    ASSERT_STR_EQ(tod_err("18:60:00", 25),
                  "\"18:60:00\" is not a valid time of day: minutes must be below 60");
    ASSERT_STR_EQ(tod_err("18:00:60", 25),
                  "\"18:00:60\" is not a valid time of day: seconds must be below 60");
    ASSERT_STR_EQ(tod_err("18:0:00", 25),
                  "\"18:0:00\" is not a valid time of day: write two digits after each ':'");
}

/* Hours, minutes and seconds are all required. */
TEST(timefmt_tod_bad_forms)
{
    const char *want = "is not a time of day (write HH:MM:SS, HH:MM:SS.mmm or HH:MM:SS:FF)";
    ASSERT_STR_EQ(tod_err("18:00", 25), "\"18:00\" is not a time of day (write HH:MM:SS, "
                                        "HH:MM:SS.mmm or HH:MM:SS:FF)");
    ASSERT_CONTAINS(tod_err("", 25), want);
    ASSERT_CONTAINS(tod_err("6pm", 25), want);
    ASSERT_CONTAINS(tod_err("18:00:00 ", 25), want);
    ASSERT_CONTAINS(tod_err("18:00:00:12.5", 25), want);
    ASSERT_CONTAINS(tod_err("-18:00:00", 25), want);
    ASSERT_CONTAINS(tod_err("18:00:00.1234567891", 25), want);
}

/* A frame rate out of range is refused, not divided by. */
TEST(timefmt_tod_fps_out_of_range)
{
    ASSERT_STR_EQ(tod_err("18:00:00", 0), "fps 0 is out of range");
    ASSERT_STR_EQ(tod_err("18:00:00:01", -1), "fps -1 is out of range");
    ASSERT_STR_EQ(tod_err("18:00:00", 241), "fps 241 is out of range");
}

/* ---- Dates ---------------------------------------------------------------- */

static bool date_is(const char *s, int year, int month, int day)
{
    int y = 0, m = 0, d = 0;
    char err[256] = "";
    if (!rd_parse_date(s, &y, &m, &d, err, sizeof err)) {
        printf("# rd_parse_date(\"%s\"): %s\n", s, err);
        return false;
    }
    return y == year && m == month && d == day;
}

TEST(timefmt_date_valid)
{
    ASSERT_TRUE(date_is("2026-11-27", 2026, 11, 27));
    ASSERT_TRUE(date_is("1970-01-01", 1970, 1, 1));
    ASSERT_TRUE(date_is("2026-12-31", 2026, 12, 31));
}

/* Leap years: every 4th, not every 100th, but every 400th. */
TEST(timefmt_date_leap_years)
{
    ASSERT_TRUE(date_is("2024-02-29", 2024, 2, 29));
    ASSERT_STR_EQ(date_err("2026-02-29"),
                  "\"2026-02-29\" is not a valid date: that month has 28 days");
    ASSERT_TRUE(date_is("2000-02-29", 2000, 2, 29));
    ASSERT_STR_EQ(date_err("2100-02-29"),
                  "\"2100-02-29\" is not a valid date: that month has 28 days");
    /* 1900 is not a leap year (and is before 1970 anyway). */
    ASSERT_STR_EQ(date_err("1900-02-29"),
                  "\"1900-02-29\" is not a valid date: that month has 28 days");
}

TEST(timefmt_date_days_per_month)
{
    ASSERT_STR_EQ(date_err("2026-04-31"),
                  "\"2026-04-31\" is not a valid date: that month has 30 days");
    ASSERT_STR_EQ(date_err("2026-01-32"),
                  "\"2026-01-32\" is not a valid date: that month has 31 days");
    ASSERT_CONTAINS(date_err("2026-01-00"), "that month has 31 days");
}

TEST(timefmt_date_month_range)
{
    ASSERT_STR_EQ(date_err("2026-13-01"),
                  "\"2026-13-01\" is not a valid date: month must be 01 to 12");
    ASSERT_STR_EQ(date_err("2026-00-10"),
                  "\"2026-00-10\" is not a valid date: month must be 01 to 12");
}

TEST(timefmt_date_before_1970)
{
    ASSERT_STR_EQ(date_err("1969-12-31"), "\"1969-12-31\" is not a valid date: year before 1970");
}

TEST(timefmt_date_bad_forms)
{
    ASSERT_STR_EQ(date_err("2026-1-27"), "\"2026-1-27\" is not a date (write YYYY-MM-DD)");
    const char *bad[] = {"",           "26-11-27",   "2026/11/27", "2026-11-27x", "2026-11-2x",
                         "+026-11-27", "2026-+1-27", "2026-11--1", "2026--1-01",  " 026-11-27",
                         "2026-1 -01", "2026-01- 1", "2026-1--27", "27-11-2026",  "2026-11-27 ",
                         "2026_11_27", "20261127",   "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (!strstr(date_err(bad[i]), "is not a date (write YYYY-MM-DD)")) {
            printf("# date \"%s\" was not refused as a bad form\n", bad[i]);
            ASSERT_TRUE(false);
        }
    }
}

/* ---- Formatting ----------------------------------------------------------- */

TEST(timefmt_format_clock_whole_seconds)
{
    ASSERT_STR_EQ(clock_str(HOUR(18)), "18:00:00");
    ASSERT_STR_EQ(clock_str(0), "00:00:00");
    ASSERT_STR_EQ(clock_str(HOUR(9) + MIN(5) + SEC(7)), "09:05:07");
}

TEST(timefmt_format_clock_milliseconds)
{
    ASSERT_STR_EQ(clock_str(HOUR(18) + MS(250)), "18:00:00.250");
    ASSERT_STR_EQ(clock_str(HOUR(18) + MS(5)), "18:00:00.005");
    /* Below a millisecond the digits are cut, not rounded up. */
    ASSERT_STR_EQ(clock_str(HOUR(18) + 999999999), "18:00:00.999");
}

/* Past midnight of the show's date the clock shows the day. */
TEST(timefmt_format_clock_past_midnight)
{
    ASSERT_STR_EQ(clock_str(RD_NS_PER_DAY + MIN(5)), "+1 00:05:00");
    ASSERT_STR_EQ(clock_str(RD_NS_PER_DAY), "+1 00:00:00");
    ASSERT_STR_EQ(clock_str(2 * RD_NS_PER_DAY + HOUR(1) + MS(500)), "+2 01:00:00.500");
}

/* Before midnight of the show's date (a back-time on a show that starts just
 * after midnight) it is the day before: "-1 23:55:00", like "+1 00:05:00". */
TEST(timefmt_format_clock_before_midnight)
{
    ASSERT_STR_EQ(clock_str(-MIN(5)), "-1 23:55:00");
    ASSERT_STR_EQ(clock_str(-MS(250)), "-1 23:59:59.750");
    ASSERT_STR_EQ(clock_str(-RD_NS_PER_DAY), "-1 00:00:00");
    ASSERT_STR_EQ(clock_str(-RD_NS_PER_DAY - SEC(1)), "-2 23:59:59");
}

TEST(timefmt_format_duration_minutes)
{
    ASSERT_STR_EQ(dur_str(SEC(45)), "0:45");
    ASSERT_STR_EQ(dur_str(SEC(90)), "1:30");
    ASSERT_STR_EQ(dur_str(0), "0:00");
    ASSERT_STR_EQ(dur_str(MIN(59) + SEC(59)), "59:59");
}

TEST(timefmt_format_duration_hours)
{
    ASSERT_STR_EQ(dur_str(HOUR(1) + MIN(2) + SEC(3)), "1:02:03");
    ASSERT_STR_EQ(dur_str(HOUR(25)), "25:00:00");
    ASSERT_STR_EQ(dur_str(RD_MAX_SPAN_NS), "168:00:00");
}

TEST(timefmt_format_duration_milliseconds)
{
    ASSERT_STR_EQ(dur_str(MS(250)), "0:00.250");
    ASSERT_STR_EQ(dur_str(MS(90480)), "1:30.480");
    ASSERT_STR_EQ(dur_str(HOUR(1) + MS(1)), "1:00:00.001");
}

TEST(timefmt_format_duration_negative)
{
    ASSERT_STR_EQ(dur_str(-SEC(65)), "-1:05");
    ASSERT_STR_EQ(dur_str(-MS(500)), "-0:00.500");
    ASSERT_STR_EQ(dur_str(-HOUR(2)), "-2:00:00");
}

/* Signed: "+" when positive, "-" when negative, no sign on zero. */
TEST(timefmt_format_signed)
{
    ASSERT_STR_EQ(signed_str(SEC(30)), "+0:30");
    ASSERT_STR_EQ(signed_str(-SEC(65)), "-1:05");
    ASSERT_STR_EQ(signed_str(0), "0:00");
    ASSERT_STR_EQ(signed_str(HOUR(1) + MS(250)), "+1:00:00.250");
    ASSERT_STR_EQ(signed_str(-MS(40)), "-0:00.040");
}

/* A short buffer gets a cut, terminated string. */
TEST(timefmt_format_short_buffer)
{
    char buf[4];
    rd_format_clock(HOUR(18), buf, sizeof buf);
    ASSERT_STR_EQ(buf, "18:");
    rd_format_duration(SEC(90), buf, sizeof buf);
    ASSERT_STR_EQ(buf, "1:3");
}

/* What is printed parses back to the same value. */
TEST(timefmt_format_round_trip)
{
    int64_t values[] = {0, SEC(45), MS(90250), HOUR(1) + MIN(2) + SEC(3) + MS(4)};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        ASSERT_EQ(dur(dur_str(values[i]), 25), values[i]);
    ASSERT_EQ(tod(clock_str(HOUR(18) + MS(250)), 25), HOUR(18) + MS(250));
}
