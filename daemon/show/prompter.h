/* The prompter's scroll: one position and speed, kept by the daemon so that every prompter
 * screen shows the same line at the same moment.
 *
 * The position is a count of characters into the running item's script, as JavaScript counts
 * them (UTF-16 code units): a unit no screen's font or width changes, so each screen puts that
 * character on its reading line. The speed is characters per second (negative scrolls back; a
 * presenter reads about 12 to 18). Screens get {position, at, speed} and draw
 * position + speed * (their server-synced now - at) / 1000, clamped to [0, length].
 *
 * It follows the show: when another item (or another run of the same one) starts, the
 * position goes to 0 at that item's start, at the same speed. Pure: every time is a parameter
 * (wall-clock ms). */
#ifndef SC_PROMPTER_H
#define SC_PROMPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_PROMPTER_MAX_SPEED 500.0 /* characters per second, either way */
#define SC_PROMPTER_STEP 2.0        /* prompter_faster / prompter_slower */

typedef struct {
    double speed;    /* characters per second */
    double position; /* characters into the script at at_ms */
    int64_t at_ms;   /* wall-clock ms */
    int item;        /* the item it scrolls; -1 before any */
    uint32_t run;    /* that item's run (rd_show_item_t.run) */
    double length;   /* the script's length in UTF-16 units */
} sc_prompter_t;

void sc_prompter_init(sc_prompter_t *p);

/* The item on air now (item -1: none) and when it started; a new one (or a new run) starts the
 * scroll from the top at start_ms. script may be NULL. */
void sc_prompter_follow(sc_prompter_t *p, int item, uint32_t run, int64_t start_ms,
                        const char *script);

/* The position at now_ms, clamped to [0, length]. */
double sc_prompter_at(const sc_prompter_t *p, int64_t now_ms);

/* Commands, at now_ms: each starts from where the scroll is then. */
void sc_prompter_set_speed(sc_prompter_t *p, int64_t now_ms, double speed);
void sc_prompter_set_position(sc_prompter_t *p, int64_t now_ms, double position);
void sc_prompter_nudge(sc_prompter_t *p, int64_t now_ms, double chars);

/* The length of a UTF-8 text in UTF-16 code units (what JavaScript's .length says). */
size_t sc_utf16_length(const char *s);

#endif
