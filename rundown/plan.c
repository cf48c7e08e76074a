/* The planned timeline: start rules applied in order from on_air, back-times from the end. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "xalloc.h"

void rd_plan_compute(const rd_rundown_t *r, rd_plan_t *out, rd_diags_t *d)
{
    memset(out, 0, sizeof *out);
    out->nitems = r->nitems;
    out->items = rd_xcalloc(r->nitems, sizeof *out->items);
    out->relative = !r->has_on_air;
    out->has_off_air = r->has_off_air;
    out->off_air_ns = r->off_air_ns;

    /* Forward: GO and follow items start at the previous planned end (the
     * plan assumes the producer calls GO on time); hard starts at their time. */
    int64_t t = r->has_on_air ? r->on_air_ns : 0;
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_item_t *it = &r->items[i];
        rd_plan_item_t *p = &out->items[i];
        if (it->start == RD_START_TIME) {
            p->start_ns = it->start_tod_ns;
            p->gap_ns = it->start_tod_ns - t;
            if (p->gap_ns < 0 && i > 0 && d) {
                char at[32], end[32], by[32];
                rd_format_clock(it->start_tod_ns, at, sizeof at);
                rd_format_clock(t, end, sizeof end);
                rd_format_duration(-p->gap_ns, by, sizeof by);
                rd_path_t path = rd__path_key(rd__path_index("items", i).s, "start");
                rd_diag_add(d, RD_WARNING, path.s,
                            "hard start %s collides with the planned end of earlier items (%s): "
                            "they would be cut by %s",
                            at, end, by);
            }
        } else {
            p->start_ns = t;
        }
        p->end_ns = p->start_ns + it->duration_ns;
        t = p->end_ns;
    }
    out->start_ns = r->nitems ? out->items[0].start_ns : 0;
    out->end_ns = t;
    out->off_air_delta_ns = r->has_off_air ? t - r->off_air_ns : 0;
    if (r->has_off_air && out->off_air_delta_ns > 0 && d) {
        char by[32], off[32];
        rd_format_duration(out->off_air_delta_ns, by, sizeof by);
        rd_format_clock(r->off_air_ns, off, sizeof off);
        rd_diag_add(d, RD_WARNING, "off_air", "the plan runs %s past off_air (%s)", by, off);
    }

    /* Backward: each item's back-time is the next hard time minus the
     * durations up to it; a hard-start item is the hard time for those
     * before it. */
    bool anchored = r->has_off_air;
    int64_t anchor = r->off_air_ns;
    for (size_t k = r->nitems; k-- > 0;) {
        const rd_item_t *it = &r->items[k];
        rd_plan_item_t *p = &out->items[k];
        if (anchored) {
            p->has_backtime = true;
            p->backtime_ns = anchor - it->duration_ns;
            anchor = p->backtime_ns;
        }
        if (it->start == RD_START_TIME) {
            anchored = true;
            anchor = it->start_tod_ns;
        }
    }
}

void rd_plan_free(rd_plan_t *p)
{
    free(p->items);
    memset(p, 0, sizeof *p);
}
