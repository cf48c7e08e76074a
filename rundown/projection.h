/* The show's projection: where the show will end given what has happened so far. */
#ifndef RD_PROJECTION_H
#define RD_PROJECTION_H

#include <stdint.h>

#include "model.h"
#include "plan.h"

typedef enum {
    RD_ITEM_PENDING = 0,
    RD_ITEM_RUNNING = 1,
    RD_ITEM_DONE = 2,
    RD_ITEM_SKIPPED = 3,
} rd_item_state_t;

/* What has happened to one item, in the plan's time base. */
typedef struct {
    rd_item_state_t state;
    int64_t actual_start_ns; /* RUNNING and DONE */
    int64_t actual_end_ns;   /* DONE */
    int64_t added_ns;        /* time added with `add`, may be negative */
    int64_t held_ns;         /* time spent on hold */
} rd_item_progress_t;

typedef struct {
    int64_t *item_start_ns; /* owned, per item: actual where known, else projected */
    int64_t *item_end_ns;   /* owned, per item */
    size_t nitems;
    int64_t end_ns;           /* the projected end of the show */
    int64_t over_under_ns;    /* projected end - planned end: positive is over */
    int64_t off_air_delta_ns; /* projected end - off_air (0 without off_air) */
    int running;              /* index of the running item, or -1 */
    int64_t running_delta_ns; /* its projected end - its planned end */
} rd_projection_t;

/* Projects the rest of the show from progress (one entry per item) at now.
 * Done items keep their actual times; the running item ends at start + held +
 * duration + added, or now if that has passed (it is over-running); pending
 * GO and follow items start when the item before them ends, hard-start items
 * at their time, none earlier than now; skipped items take no time. The
 * caller frees *out with rd_projection_free(). Pure: now is a parameter. */
void rd_project(const rd_rundown_t *r, const rd_plan_t *plan, const rd_item_progress_t *progress,
                int64_t now_ns, rd_projection_t *out);

void rd_projection_free(rd_projection_t *p);

#endif
