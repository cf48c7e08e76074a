/* Cue timing: offsets to absolute times, latency compensation and GO pre-roll. */
#include "cue_timing.h"

#include <stdlib.h>

int64_t rd_item_end_ns(const rd_item_t *it, const rd_item_clock_t *clk)
{
    return clk->start_ns + clk->held_ns + it->duration_ns + clk->added_ns;
}

int64_t rd_cue_due_ns(const rd_item_t *it, const rd_cue_t *c, const rd_item_clock_t *clk)
{
    if (c->anchor == RD_FROM_END)
        return rd_item_end_ns(it, clk) + c->offset_ns;
    return clk->start_ns + clk->held_ns + c->offset_ns;
}

int64_t rd_cue_send_ns(const rd_item_t *it, const rd_cue_t *c, const rd_item_clock_t *clk,
                       int64_t latency_ns)
{
    return rd_cue_due_ns(it, c, clk) - latency_ns;
}

int64_t rd_cue_latency_ns(const rd_cue_t *c, const rd_config_t *config)
{
    if (!config || c->target_index < 0 || (size_t)c->target_index >= config->ntargets)
        return 0;
    return config->targets[c->target_index].latency_ns;
}

int64_t rd_item_preroll_ns(const rd_item_t *it, const rd_config_t *config)
{
    rd_item_clock_t zero = {0, 0, 0};
    int64_t lead = 0;
    for (size_t j = 0; j < it->ncues; j++) {
        int64_t send =
            rd_cue_send_ns(it, &it->cues[j], &zero, rd_cue_latency_ns(&it->cues[j], config));
        if (-send > lead)
            lead = -send;
    }
    return lead;
}

int64_t rd_go_start_ns(const rd_item_t *it, const rd_config_t *config, int64_t go_ns)
{
    return go_ns + rd_item_preroll_ns(it, config);
}

/* Insertion sort: items have few cues, and it is stable, which is the point. */
void rd_item_schedule(const rd_item_t *it, const rd_config_t *config, const rd_item_clock_t *clk,
                      rd_cue_slot_t *slots)
{
    for (size_t j = 0; j < it->ncues; j++) {
        const rd_cue_t *c = &it->cues[j];
        rd_cue_slot_t s = {j, rd_cue_due_ns(it, c, clk), 0};
        s.send_ns = s.due_ns - rd_cue_latency_ns(c, config);
        size_t k = j;
        while (k > 0 && slots[k - 1].send_ns > s.send_ns) {
            slots[k] = slots[k - 1];
            k--;
        }
        slots[k] = s;
    }
}
