/* The planned timeline: when each item should start and end, and its back-time. */
#ifndef RD_PLAN_H
#define RD_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"

/* Times are nanoseconds after midnight of the show's date (past 24 h for a
 * show that crosses midnight). A show without on_air is planned from 0, the
 * moment of its first GO, and its times are offsets. */
typedef struct {
    int64_t start_ns;
    int64_t end_ns; /* start + duration */
    /* The latest start that still makes the next hard time after this item
     * (the next hard-start item, or off_air): the next hard time minus this
     * item's duration and those of the items between. Valid when has_backtime;
     * a show without off_air has none after its last hard start. */
    bool has_backtime;
    int64_t backtime_ns;
    /* For hard-start items: positive, idle time before the item; negative,
     * the earlier items run that much past the hard start (they are cut). */
    int64_t gap_ns;
} rd_plan_item_t;

typedef struct {
    rd_plan_item_t *items; /* owned, one per rundown item */
    size_t nitems;
    bool relative;    /* no on_air: times are offsets from the first GO */
    int64_t start_ns; /* the planned start of the first item */
    int64_t end_ns;   /* the planned end of the last item */
    bool has_off_air;
    int64_t off_air_ns;
    int64_t off_air_delta_ns; /* end - off_air: positive means the plan runs over */
} rd_plan_t;

/* Computes the plan. Warnings (a hard start that collides with the planned
 * end of earlier items, a plan that runs past off_air) go to d when it is not
 * NULL, with the paths of the items concerned. The caller frees *out with
 * rd_plan_free(). Pure: no clock is read. */
void rd_plan_compute(const rd_rundown_t *r, rd_plan_t *out, rd_diags_t *d);

void rd_plan_free(rd_plan_t *p);

#endif
