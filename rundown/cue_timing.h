/* Cue timing: when a cue is due, when to send it, and how much pre-roll a GO needs. */
#ifndef RD_CUE_TIMING_H
#define RD_CUE_TIMING_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* How far a running item's clock has gone. Times are in whatever time base
 * the caller uses (show-day, wall clock or monotonic), as long as it is one. */
typedef struct {
    int64_t start_ns; /* when the item actually started */
    int64_t added_ns; /* time added to it with `add` (may be negative) */
    int64_t held_ns;  /* time it has spent on hold: its clock was frozen */
} rd_item_clock_t;

/* The item's end: start + held + duration + added. */
int64_t rd_item_end_ns(const rd_item_t *it, const rd_item_clock_t *clk);

/* When the cue should reach its device: from the start (moved on by holds)
 * or from the end (moved by holds and added time). */
int64_t rd_cue_due_ns(const rd_item_t *it, const rd_cue_t *c, const rd_item_clock_t *clk);

/* When to send it: due minus the target's latency, so that slow devices get
 * their cue earlier and all devices land together. */
int64_t rd_cue_send_ns(const rd_item_t *it, const rd_cue_t *c, const rd_item_clock_t *clk,
                       int64_t latency_ns);

/* The latency of the cue's target, 0 when the rundown is not linked to a
 * config (config may be NULL). */
int64_t rd_cue_latency_ns(const rd_cue_t *c, const rd_config_t *config);

/* The largest lead any cue of the item needs before the item's start:
 * max(0, latency - offset from start) over its cues, with end-relative cues
 * placed by the planned duration. A GO item starts this long after the GO, so
 * that its earliest pre-roll cue leaves at the moment of the GO. */
int64_t rd_item_preroll_ns(const rd_item_t *it, const rd_config_t *config);

/* When a GO item pressed at go_ns starts: go_ns + its pre-roll. Its earliest
 * cue is then sent at go_ns exactly, the others on schedule. */
int64_t rd_go_start_ns(const rd_item_t *it, const rd_config_t *config, int64_t go_ns);

/* One cue of an item with its times, for a scheduler. */
typedef struct {
    size_t cue; /* index into it->cues */
    int64_t due_ns;
    int64_t send_ns;
} rd_cue_slot_t;

/* Fills slots[0 .. it->ncues) in send order. Cues that leave at the same
 * instant keep their rundown order, so cues for one target never reorder. */
void rd_item_schedule(const rd_item_t *it, const rd_config_t *config, const rd_item_clock_t *clk,
                      rd_cue_slot_t *slots);

#endif
