/* Unit tests for rundown/cue_timing.c: due and send times, latency, GO pre-roll, send order. */
#include <stdio.h>
#include <stdlib.h>

#include "cue_timing.h"
#include "fixture.h"
#include "parse.h"
#include "unit.h"

#define MS(x) ((int64_t)(x)*RD_NS_PER_MS)
#define SEC(x) ((int64_t)(x)*RD_NS_PER_S)

/* An arbitrary start, so that no test passes by counting from 0. */
#define T0 (SEC(1000) + 123)

/* Targets with made-up latencies: switcher 0, gfx 40 ms, slow 100 ms,
 * prompter none given. */
static const char *config_text =
    "{'targets': {"
    "  'switcher': {'url': 'osc.udp://127.0.0.1:9001', 'latency': '0ms'},"
    "  'gfx': {'url': 'osc.udp://127.0.0.1:9002', 'latency': '40ms'},"
    "  'slow': {'url': 'osc.udp://127.0.0.1:9003', 'latency': '100ms'},"
    "  'prompter': {'url': 'osc.udp://127.0.0.1:9004'}}}";

/* A one-item rundown linked to the config above; item is the item's object. */
static bool load(const char *item, rd_rundown_t *r, rd_config_t *c)
{
    return fx_load("", item, config_text, r, c);
}

/* An OSC cue at `at` for `target`, as rundown text. */
#define CUE(at, target) "{'at': '" at "', 'target': '" target "', 'osc': {'address': '/x'}}"

static void unload(rd_rundown_t *r, rd_config_t *c)
{
    fx_unload(r, c);
}

/* ---- Due times ----------------------------------------------------------- */

/* Start-relative cues are due at start + offset; end-relative ones at the
 * planned end + offset. */
TEST(cue_timing_due_start_and_end_relative)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(
        load("{'title': 'A', 'duration': '1:00', 'cues': [" CUE("5s", "switcher") "," CUE(
                 "end-3s",
                 "switcher") "," CUE("0", "switcher") "," CUE("end",
                                                              "switcher") "," CUE("end+1s",
                                                                                  "switcher") "]}",
             &r, &c));
    const rd_item_t *it = &r.items[0];
    rd_item_clock_t clk = {T0, 0, 0};
    ASSERT_EQ(rd_item_end_ns(it, &clk), T0 + SEC(60));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[0], &clk), T0 + SEC(5));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[1], &clk), T0 + SEC(57));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[2], &clk), T0);
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[3], &clk), T0 + SEC(60));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[4], &clk), T0 + SEC(61));
    unload(&r, &c);
}

/* A negative start offset is due before the start (pre-roll). */
TEST(cue_timing_due_negative_offset)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(
        load("{'title': 'A', 'duration': '10s', 'cues': [" CUE("-2s", "switcher") "]}", &r, &c));
    rd_item_clock_t clk = {T0, 0, 0};
    ASSERT_EQ(rd_cue_due_ns(&r.items[0], &r.items[0].cues[0], &clk), T0 - SEC(2));
    unload(&r, &c);
}

/* A hold freezes the item's clock: start-relative cues and the end move by it. */
TEST(cue_timing_hold_moves_start_cues_and_end)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '1:00', 'cues': [" CUE("30s", "switcher") "," CUE(
                         "end-3s", "switcher") "]}",
                     &r, &c));
    const rd_item_t *it = &r.items[0];
    rd_item_clock_t clk = {T0, 0, SEC(10)};
    ASSERT_EQ(rd_item_end_ns(it, &clk), T0 + SEC(70));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[0], &clk), T0 + SEC(40));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[1], &clk), T0 + SEC(67));
    unload(&r, &c);
}

/* Added time moves the end and end-relative cues, not start-relative ones. */
TEST(cue_timing_added_time_moves_only_end_cues)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '1:00', 'cues': [" CUE("30s", "switcher") "," CUE(
                         "end-3s", "switcher") "]}",
                     &r, &c));
    const rd_item_t *it = &r.items[0];
    rd_item_clock_t clk = {T0, SEC(20), 0};
    ASSERT_EQ(rd_item_end_ns(it, &clk), T0 + SEC(80));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[0], &clk), T0 + SEC(30));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[1], &clk), T0 + SEC(77));

    clk.added_ns = -SEC(10);
    ASSERT_EQ(rd_item_end_ns(it, &clk), T0 + SEC(50));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[0], &clk), T0 + SEC(30));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[1], &clk), T0 + SEC(47));
    unload(&r, &c);
}

/* Holds and added time together: end = start + held + duration + added. */
TEST(cue_timing_hold_and_added_together)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '1:00', 'cues': [" CUE("end-3s", "switcher") "]}",
                     &r, &c));
    const rd_item_t *it = &r.items[0];
    rd_item_clock_t clk = {T0, SEC(15), SEC(5)};
    ASSERT_EQ(rd_item_end_ns(it, &clk), T0 + SEC(80));
    ASSERT_EQ(rd_cue_due_ns(it, &it->cues[0], &clk), T0 + SEC(77));
    unload(&r, &c);
}

/* ---- Latency --------------------------------------------------------------- */

TEST(cue_timing_latency_of_target)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '10s', 'cues': [" CUE("0", "switcher") "," CUE(
                         "0", "gfx") "," CUE("0", "slow") "," CUE("0", "prompter") "]}",
                     &r, &c));
    const rd_cue_t *cues = r.items[0].cues;
    ASSERT_EQ(rd_cue_latency_ns(&cues[0], &c), 0);
    ASSERT_EQ(rd_cue_latency_ns(&cues[1], &c), MS(40));
    ASSERT_EQ(rd_cue_latency_ns(&cues[2], &c), MS(100));
    ASSERT_EQ(rd_cue_latency_ns(&cues[3], &c), 0);
    unload(&r, &c);
}

/* Without a config, or for a cue that is not linked, latency is 0. */
TEST(cue_timing_latency_unlinked_is_zero)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '10s', 'cues': [" CUE("0", "gfx") "]}", &r, &c));
    rd_cue_t cue = r.items[0].cues[0];
    ASSERT_EQ(rd_cue_latency_ns(&cue, NULL), 0);
    cue.target_index = -1;
    ASSERT_EQ(rd_cue_latency_ns(&cue, &c), 0);
    cue.target_index = (int)c.ntargets; /* out of range: never read */
    ASSERT_EQ(rd_cue_latency_ns(&cue, &c), 0);
    unload(&r, &c);
}

/* A slow device gets its cue that much earlier, from the start or the end. */
TEST(cue_timing_latency_makes_send_earlier)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '1:00', 'cues': [" CUE("5s", "gfx") "," CUE(
                         "end-3s", "slow") "]}",
                     &r, &c));
    const rd_item_t *it = &r.items[0];
    rd_item_clock_t clk = {T0, SEC(2), SEC(1)};
    ASSERT_EQ(rd_cue_send_ns(it, &it->cues[0], &clk, MS(40)), T0 + SEC(6) - MS(40));
    ASSERT_EQ(rd_cue_send_ns(it, &it->cues[1], &clk, MS(100)), T0 + SEC(60) - MS(100));
    ASSERT_EQ(rd_cue_send_ns(it, &it->cues[0], &clk, 0), T0 + SEC(6));
    unload(&r, &c);
}

/* ---- GO pre-roll ----------------------------------------------------------- */

static int64_t preroll(const char *item)
{
    rd_rundown_t r;
    rd_config_t c;
    int64_t ns = -1;
    if (load(item, &r, &c))
        ns = rd_item_preroll_ns(&r.items[0], &c);
    unload(&r, &c);
    return ns;
}

/* GO starts the item after its pre-roll: the earliest cue leaves at the GO
 * itself, every other cue keeps its place relative to the start. */
TEST(cue_timing_go_start_fires_earliest_cue_at_go)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '10s', 'cues': [" CUE("-2s", "switcher") "," CUE(
                         "-1s", "slow") "," CUE("0", "gfx") "]}",
                     &r, &c));
    const rd_item_t *it = &r.items[0];
    int64_t start = rd_go_start_ns(it, &c, T0);
    ASSERT_EQ(start, T0 + SEC(2));
    rd_item_clock_t clk = {start, 0, 0};
    rd_cue_slot_t slots[3];
    rd_item_schedule(it, &c, &clk, slots);
    ASSERT_EQ(slots[0].send_ns, T0);
    ASSERT_EQ(slots[1].send_ns, T0 + SEC(1) - MS(100));
    ASSERT_EQ(slots[2].send_ns, T0 + SEC(2) - MS(40));
    unload(&r, &c);
}

/* The largest negative start offset is the pre-roll. */
TEST(cue_timing_preroll_from_negative_offsets)
{
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '10s', 'cues': [" CUE("-2s", "switcher") "," CUE(
                  "-500ms", "switcher") "," CUE("0", "switcher") "]}"),
              SEC(2));
}

/* Latency alone makes a cue at 0 lead the start. */
TEST(cue_timing_preroll_from_latency_alone)
{
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '10s', 'cues': [" CUE("0", "gfx") "," CUE(
                  "0", "switcher") "]}"),
              MS(40));
    /* A cue whose offset covers its latency needs none. */
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '10s', 'cues': [" CUE("100ms", "slow") "]}"), 0);
}

/* Offset and latency add up: -1s on the 100 ms target leads by 1.1 s. */
TEST(cue_timing_preroll_offset_plus_latency)
{
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '10s', 'cues': [" CUE("-1s", "slow") "," CUE(
                  "-1050ms", "switcher") "]}"),
              MS(1100));
}

/* An end-relative cue on an item shorter than its offset lands before the
 * start, placed by the planned duration. */
TEST(cue_timing_preroll_from_end_cue_on_short_item)
{
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '2s', 'cues': [" CUE("end-5s", "switcher") "]}"),
              SEC(3));
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '2s', 'cues': [" CUE("end-5s", "gfx") "]}"),
              SEC(3) + MS(40));
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '0', 'cues': [" CUE("end-1s", "switcher") "]}"),
              SEC(1));
}

/* Nothing leads the start: no pre-roll. */
TEST(cue_timing_preroll_zero_when_nothing_leads)
{
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '10s', 'cues': [" CUE("0", "switcher") "," CUE(
                  "5s", "gfx") "," CUE("end-1s", "slow") "]}"),
              0);
    ASSERT_EQ(preroll("{'title': 'A', 'duration': '10s'}"), 0);
}

/* Pre-roll uses the planned duration, so an item's holds and additions do
 * not matter; without a config latency is not counted. */
TEST(cue_timing_preroll_without_config)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(
        load("{'title': 'A', 'duration': '10s', 'cues': [" CUE("-1s", "slow") "]}", &r, &c));
    ASSERT_EQ(rd_item_preroll_ns(&r.items[0], NULL), SEC(1));
    ASSERT_EQ(rd_item_preroll_ns(&r.items[0], &c), SEC(1) + MS(100));
    unload(&r, &c);
}

/* ---- Schedule order ---------------------------------------------------------- */

/* Slots come in send order; the same send time keeps rundown order. */
TEST(cue_timing_schedule_orders_by_send_time)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(
        load("{'title': 'A', 'duration': '1:00', 'cues': [" CUE("5s", "switcher") "," /* 0: +5 s */
             CUE("0", "switcher") ","                                                 /* 1: 0 */
             CUE("end-3s", "switcher") ","                                            /* 2: +57 s */
             CUE("0", "prompter") ","   /* 3: 0, after 1 */
             CUE("-2s", "switcher") "," /* 4: -2 s */
             CUE("0", "switcher") "]}", /* 5: 0, after 3 */
             &r, &c));
    rd_item_clock_t clk = {T0, 0, 0};
    rd_cue_slot_t slots[6];
    rd_item_schedule(&r.items[0], &c, &clk, slots);
    size_t want[] = {4, 1, 3, 5, 0, 2};
    for (size_t k = 0; k < 6; k++)
        ASSERT_EQ(slots[k].cue, want[k]);
    ASSERT_EQ(slots[0].due_ns, T0 - SEC(2));
    ASSERT_EQ(slots[0].send_ns, T0 - SEC(2));
    ASSERT_EQ(slots[5].due_ns, T0 + SEC(57));
    unload(&r, &c);
}

/* Latency can put a later-due cue first: the slow target's cue at 20 ms is
 * sent 80 ms before the switcher's cue at 0. Due times stay as written. */
TEST(cue_timing_schedule_latency_reorders_targets)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '10s', 'cues': [" CUE("0", "switcher") "," CUE(
                         "20ms", "slow") "," CUE("0", "gfx") "]}",
                     &r, &c));
    rd_item_clock_t clk = {T0, 0, 0};
    rd_cue_slot_t slots[3];
    rd_item_schedule(&r.items[0], &c, &clk, slots);
    ASSERT_EQ(slots[0].cue, 1);
    ASSERT_EQ(slots[0].due_ns, T0 + MS(20));
    ASSERT_EQ(slots[0].send_ns, T0 - MS(80));
    ASSERT_EQ(slots[1].cue, 2);
    ASSERT_EQ(slots[1].send_ns, T0 - MS(40));
    ASSERT_EQ(slots[2].cue, 0);
    ASSERT_EQ(slots[2].send_ns, T0);
    unload(&r, &c);
}

/* Cues of different targets that leave at the same instant after latency
 * keep their rundown order, whichever way round they are written. */
TEST(cue_timing_schedule_latency_ties_keep_rundown_order)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '10s', 'cues': [" CUE("40ms", "gfx") "," CUE(
                         "0", "switcher") "," CUE("40ms", "gfx") "]}",
                     &r, &c));
    rd_item_clock_t clk = {T0, 0, 0};
    rd_cue_slot_t slots[3];
    rd_item_schedule(&r.items[0], &c, &clk, slots);
    for (size_t k = 0; k < 3; k++) {
        ASSERT_EQ(slots[k].cue, k);
        ASSERT_EQ(slots[k].send_ns, T0);
    }
    unload(&r, &c);
}

/* Without a config the schedule orders by due time. */
TEST(cue_timing_schedule_without_config)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '10s', 'cues': [" CUE("20ms", "slow") "," CUE(
                         "0", "switcher") "]}",
                     &r, &c));
    rd_item_clock_t clk = {T0, 0, 0};
    rd_cue_slot_t slots[2];
    rd_item_schedule(&r.items[0], NULL, &clk, slots);
    ASSERT_EQ(slots[0].cue, 1);
    ASSERT_EQ(slots[1].cue, 0);
    ASSERT_EQ(slots[1].send_ns, T0 + MS(20));
    unload(&r, &c);
}

/* The schedule follows the item's clock: a hold moves start cues, added time
 * end cues, and the order follows. */
TEST(cue_timing_schedule_follows_clock)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '10s', 'cues': [" CUE(
                         "end-3s", "switcher") "," CUE("8s", "switcher") "]}",
                     &r, &c));
    rd_item_clock_t clk = {T0, 0, 0};
    rd_cue_slot_t slots[2];
    rd_item_schedule(&r.items[0], &c, &clk, slots);
    ASSERT_EQ(slots[0].cue, 0); /* 7 s before 8 s */
    clk.added_ns = SEC(5);
    rd_item_schedule(&r.items[0], &c, &clk, slots);
    ASSERT_EQ(slots[0].cue, 1); /* 8 s before 12 s */
    ASSERT_EQ(slots[1].due_ns, T0 + SEC(12));
    clk.held_ns = SEC(2);
    rd_item_schedule(&r.items[0], &c, &clk, slots);
    ASSERT_EQ(slots[0].due_ns, T0 + SEC(10));
    ASSERT_EQ(slots[1].due_ns, T0 + SEC(14));
    unload(&r, &c);
}

/* An item without cues schedules nothing and writes no slot. */
TEST(cue_timing_schedule_no_cues)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(load("{'title': 'A', 'duration': '10s'}", &r, &c));
    rd_item_clock_t clk = {T0, 0, 0};
    rd_cue_slot_t slot = {99, 1, 2};
    rd_item_schedule(&r.items[0], &c, &clk, &slot);
    ASSERT_EQ(slot.cue, 99);
    unload(&r, &c);
}
