/* Time bases: the show's clock (monotonic), the wall clock screens display, and the link between
 * them. */
#ifndef SC_TIMEBASE_H
#define SC_TIMEBASE_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* The show runs on CLOCK_MONOTONIC: show time (ns after midnight of the
 * show's date, as the rundown library counts) is monotonic time plus a fixed
 * offset taken at start-up. A step of the wall clock (NTP) is detected and
 * logged; it never moves the show. Screens get wall-clock milliseconds
 * computed at send time from the current wall clock. */
typedef struct {
    int64_t show_minus_mono;  /* fixed for the life of the show */
    int64_t wall_minus_mono;  /* follows the wall clock, for display */
    int64_t midnight_wall_ns; /* the show date's local midnight, wall clock */
    int year, month, day;
} sc_timebase_t;

/* Anchors the show's day: the rundown's date, else today (local time). */
void sc_timebase_init(sc_timebase_t *tb, const rd_rundown_t *r);

int64_t sc_wall_ns(void);
int64_t sc_show_now(const sc_timebase_t *tb);
int64_t sc_show_to_mono(const sc_timebase_t *tb, int64_t show_ns);
int64_t sc_mono_to_show(const sc_timebase_t *tb, int64_t mono_ns);
/* Wall-clock milliseconds since the epoch of a show time, by the current
 * wall clock. */
int64_t sc_show_to_wall_ms(const sc_timebase_t *tb, int64_t show_ns);
int64_t sc_mono_to_wall_ns(const sc_timebase_t *tb, int64_t mono_ns);

/* Whole days from today (local time) to the show's date: 0 today, negative
 * when the date has passed. */
int sc_timebase_days_from_today(const sc_timebase_t *tb);

/* Today's local date and the local time of day now, in ns after midnight. */
void sc_local_today(int *year, int *month, int *day, int64_t *tod_ns);

/* Checks the wall clock against the monotonic one. Returns the step in ns
 * (0 when under 20 ms) and follows it for display. */
int64_t sc_timebase_check_step(sc_timebase_t *tb);

/* "2026-11-27T17:00:00.000123Z" for a wall-clock time in ns. */
void sc_iso8601(int64_t wall_ns, char *buf, size_t len);

#endif
