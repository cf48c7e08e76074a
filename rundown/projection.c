/* The show's projection: actual times where known, planned rules for the rest. */
#include "projection.h"

#include <stdlib.h>
#include <string.h>

#include "cue_timing.h"
#include "xalloc.h"

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

void rd_project(const rd_rundown_t *r, const rd_plan_t *plan, const rd_item_progress_t *progress,
                int64_t now_ns, rd_projection_t *out)
{
    memset(out, 0, sizeof *out);
    out->nitems = r->nitems;
    out->item_start_ns = rd_xcalloc(r->nitems, sizeof *out->item_start_ns);
    out->item_end_ns = rd_xcalloc(r->nitems, sizeof *out->item_end_ns);
    out->running = -1;

    /* A plan without on_air counts from the first GO: its planned times are
     * offsets, so they are anchored at the first actual start (or at now,
     * before any GO: the plan assumes GO now), or over/under would be the
     * time of day itself. */
    int64_t offset = 0;
    if (plan->relative) {
        int64_t first = INT64_MAX;
        for (size_t i = 0; i < r->nitems; i++)
            if ((progress[i].state == RD_ITEM_DONE || progress[i].state == RD_ITEM_RUNNING) &&
                progress[i].actual_start_ns < first)
                first = progress[i].actual_start_ns;
        offset = (first == INT64_MAX ? now_ns : first) - plan->start_ns;
    }

    int64_t t = plan->start_ns;
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_item_t *it = &r->items[i];
        const rd_item_progress_t *pr = &progress[i];
        int64_t start, end;
        switch (pr->state) {
        case RD_ITEM_DONE:
            start = pr->actual_start_ns;
            end = pr->actual_end_ns;
            break;
        case RD_ITEM_RUNNING: {
            rd_item_clock_t clk = {pr->actual_start_ns, pr->added_ns, pr->held_ns};
            start = pr->actual_start_ns;
            end = max64(rd_item_end_ns(it, &clk), now_ns);
            out->running = (int)i;
            out->running_delta_ns = end - (plan->items[i].end_ns + offset);
            break;
        }
        case RD_ITEM_SKIPPED:
            start = end = t;
            break;
        default:
            start = it->start == RD_START_TIME ? it->start_tod_ns : t;
            start = max64(start, now_ns);
            end = start + it->duration_ns + pr->added_ns;
            break;
        }
        out->item_start_ns[i] = start;
        out->item_end_ns[i] = end;
        t = end;
    }
    out->end_ns = t;
    out->over_under_ns = t - (plan->end_ns + offset);
    out->off_air_delta_ns = plan->has_off_air ? t - plan->off_air_ns : 0;
}

void rd_projection_free(rd_projection_t *p)
{
    free(p->item_start_ns);
    free(p->item_end_ns);
    memset(p, 0, sizeof *p);
}
