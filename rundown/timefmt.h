/* Time forms: parsing and printing durations, cue offsets, times of day and dates. */
#ifndef RD_TIMEFMT_H
#define RD_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* All time in showcaller is integer nanoseconds in an int64_t. */
#define RD_NS_PER_US 1000LL
#define RD_NS_PER_MS 1000000LL
#define RD_NS_PER_S 1000000000LL
#define RD_NS_PER_MIN (60 * RD_NS_PER_S)
#define RD_NS_PER_HOUR (3600 * RD_NS_PER_S)
#define RD_NS_PER_DAY (24 * RD_NS_PER_HOUR)

/* Longest duration or offset accepted anywhere: a week. Keeps every sum of
 * durations in a rundown far from int64 overflow. */
#define RD_MAX_SPAN_NS (7 * RD_NS_PER_DAY)

/* The highest frame rate a show may declare. */
#define RD_MAX_FPS 240

/* The parsers below return true and set *out on success. On failure they
 * return false, leave *out alone and write a message for a person into err
 * (at most errlen bytes), for example
 *   "1:75" is not a valid duration: seconds must be below 60
 * fps is the show's frame rate, used by the frame forms. */

/* A duration: "90" (seconds), "1.5" (seconds), "90s", "500ms", "2m", "1h",
 * "1m30s", "250us", "12f" (frames), "1:30" (m:ss), "00:01:30" (h:mm:ss),
 * "00:01:30.250", "1:30.5", "00:01:30:12" (h:mm:ss:ff). Never negative. */
bool rd_parse_duration(const char *s, int fps, int64_t *out, char *err, size_t errlen);

typedef enum {
    RD_FROM_START = 0, /* the offset counts from the item's start */
    RD_FROM_END = 1,   /* the offset counts from the item's planned end */
} rd_anchor_t;

/* A cue offset: "0", "5s", "-2s", "1:05", "end", "end-3s", "end+1s". A bare
 * number other than 0 is refused: "-2" could mean seconds or frames. */
bool rd_parse_offset(const char *s, int fps, rd_anchor_t *anchor, int64_t *out, char *err,
                     size_t errlen);

/* A time of day: "HH:MM:SS", "HH:MM:SS.mmm" or "HH:MM:SS:FF"; *out is
 * nanoseconds since midnight. */
bool rd_parse_time_of_day(const char *s, int fps, int64_t *out, char *err, size_t errlen);

/* A calendar date "YYYY-MM-DD". */
bool rd_parse_date(const char *s, int *year, int *month, int *day, char *err, size_t errlen);

/* Prints a time of day, "HH:MM:SS" or "HH:MM:SS.mmm" when it has
 * milliseconds. Times past midnight print as "+1 00:05:00", times before it
 * (ns < 0) as the day before: "-1 23:55:00". */
void rd_format_clock(int64_t ns, char *buf, size_t len);

/* Prints a duration as "0:45", "1:30" or "1:02:03", with
 * ".250" when it has milliseconds and a leading "-" when negative. */
void rd_format_duration(int64_t ns, char *buf, size_t len);

/* Like rd_format_duration, but always signed ("+0:30", "-1:05", "0:00"). */
void rd_format_signed(int64_t ns, char *buf, size_t len);

#endif
