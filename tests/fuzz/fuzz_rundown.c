/* libFuzzer target: a rundown from arbitrary bytes through parse, link, plan, projection and cue
 * scheduling.
 *
 * The input is the rundown file itself. Whatever the parse left is linked
 * against a fixed config (switcher over OSC/UDP, gfx over a websocket, audio
 * over OSC/TCP with latency); a rundown without errors is also planned,
 * projected with made-up progress and every item's cues are scheduled. Every diagnostic is
 * formatted and everything is freed, so that LeakSanitizer sees any leak. A broken promise of the
 * headers (a failure without an error, a schedule out of order, an id that finds another item)
 * traps, so the fuzzer reports it as a crash.
 *
 * Build with `make build/fuzz/fuzz_rundown`; run with tests/fuzz/run.sh. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cue_timing.h"
#include "diag.h"
#include "parse.h"
#include "plan.h"
#include "projection.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char CONFIG[] =
    "{\"targets\": {"
    " \"switcher\": {\"url\": \"osc.udp://127.0.0.1:9001\"},"
    " \"gfx\": {\"url\": \"ws://127.0.0.1:9002/\", \"latency\": \"40ms\"},"
    " \"audio\": {\"url\": \"osc.tcp://127.0.0.1:9003\", \"latency\": \"120ms\","
    "  \"framing\": \"slip\"}"
    "}}";

/* Parsed once; reachable from here until exit, so not a leak. */
static rd_config_t config;
static bool config_ready;

static const rd_config_t *fixed_config(void)
{
    if (!config_ready) {
        rd_diags_t d = {0};
        d.file = "fixed-config.json";
        if (!rd_config_parse(CONFIG, strlen(CONFIG), &config, &d))
            __builtin_trap();
        rd_diags_free(&d);
        config_ready = true;
    }
    return &config;
}

static void format_all(const rd_diags_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        char *line = rd_diag_format(&d->items[i]);
        if (!line || !line[0])
            __builtin_trap();
        free(line);
    }
}

/* Schedules an item and checks the header's promise: every cue once, in send
 * order, cues that leave together in rundown order. */
static void schedule(const rd_item_t *it, const rd_config_t *c, const rd_item_clock_t *clk)
{
    rd_cue_slot_t *slots = calloc(it->ncues ? it->ncues : 1, sizeof *slots);
    bool *seen = calloc(it->ncues ? it->ncues : 1, sizeof *seen);
    if (!slots || !seen)
        abort();
    rd_item_schedule(it, c, clk, slots);
    for (size_t j = 0; j < it->ncues; j++) {
        if (slots[j].cue >= it->ncues || seen[slots[j].cue])
            __builtin_trap();
        seen[slots[j].cue] = true;
        const rd_cue_t *cue = &it->cues[slots[j].cue];
        if (slots[j].due_ns != rd_cue_due_ns(it, cue, clk) ||
            slots[j].send_ns != slots[j].due_ns - rd_cue_latency_ns(cue, c))
            __builtin_trap();
        if (j > 0 &&
            (slots[j - 1].send_ns > slots[j].send_ns ||
             (slots[j - 1].send_ns == slots[j].send_ns && slots[j - 1].cue > slots[j].cue)))
            __builtin_trap();
    }
    int64_t preroll = rd_item_preroll_ns(it, c);
    if (preroll < 0 || rd_go_start_ns(it, c, clk->start_ns) != clk->start_ns + preroll)
        __builtin_trap();
    free(seen);
    free(slots);
}

/* Looks every id up again: ids are unique across items and cues. Capped so
 * that a rundown of thousands of cues does not spend the run here. */
static void check_ids(const rd_rundown_t *r)
{
    size_t checked = 0;
    for (size_t i = 0; i < r->nitems && checked < 64; i++, checked++) {
        const rd_item_t *it = &r->items[i];
        if (!it->id || rd_rundown_find_item(r, it->id) != (int)i ||
            rd_rundown_find_cue(r, it->id, NULL))
            __builtin_trap();
        for (size_t j = 0; j < it->ncues && checked < 64; j++, checked++) {
            int at = -1;
            const char *id = it->cues[j].id;
            if (!id || rd_rundown_find_cue(r, id, &at) != &it->cues[j] || at != (int)i ||
                rd_rundown_find_item(r, id) >= 0)
                __builtin_trap();
        }
    }
}

/* Made-up progress: a third of the way in, earlier items done (every fourth
 * skipped), one running with time added and held, the rest pending with some
 * skipped and some with time added. */
static void project(const rd_rundown_t *r, const rd_plan_t *plan, const rd_config_t *c)
{
    size_t n = r->nitems;
    size_t k = n / 3;
    rd_item_progress_t *pr = calloc(n, sizeof *pr);
    if (!pr)
        abort();
    for (size_t i = 0; i < k; i++) {
        if (i % 4 == 3) {
            pr[i].state = RD_ITEM_SKIPPED;
            continue;
        }
        pr[i].state = RD_ITEM_DONE;
        pr[i].actual_start_ns = plan->items[i].start_ns + (int64_t)i * RD_NS_PER_S;
        pr[i].actual_end_ns = pr[i].actual_start_ns + r->items[i].duration_ns + 500 * RD_NS_PER_MS;
    }
    const rd_item_t *run = &r->items[k];
    pr[k].state = RD_ITEM_RUNNING;
    pr[k].actual_start_ns = plan->items[k].start_ns + 2 * RD_NS_PER_S;
    pr[k].added_ns = (k % 2 ? 15 : -3) * RD_NS_PER_S;
    pr[k].held_ns = RD_NS_PER_S;
    for (size_t i = k + 1; i < n; i++) {
        pr[i].state = i % 5 == 4 ? RD_ITEM_SKIPPED : RD_ITEM_PENDING;
        pr[i].added_ns = i % 3 == 1 ? 5 * RD_NS_PER_S : 0;
    }
    int64_t now = pr[k].actual_start_ns + run->duration_ns / 2 + RD_NS_PER_S;
    rd_item_clock_t run_clk = {pr[k].actual_start_ns, pr[k].added_ns, pr[k].held_ns};

    rd_projection_t proj;
    rd_project(r, plan, pr, now, &proj);
    if (proj.nitems != n || proj.running != (int)k)
        __builtin_trap();
    for (size_t i = k + 1; i < n; i++)
        if (pr[i].state == RD_ITEM_PENDING && proj.item_start_ns[i] < now)
            __builtin_trap(); /* "none earlier than now" */
    rd_projection_free(&proj);

    /* Before the show: nothing has happened yet. */
    memset(pr, 0, n * sizeof *pr);
    rd_project(r, plan, pr, plan->start_ns - RD_NS_PER_MIN, &proj);
    if (proj.running != -1)
        __builtin_trap();
    rd_projection_free(&proj);
    free(pr);

    for (size_t i = 0; i < n; i++) {
        rd_item_clock_t clk = {plan->items[i].start_ns, 0, 0};
        schedule(&r->items[i], c, i == k ? &run_clk : &clk);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const rd_config_t *c = fixed_config();
    rd_diags_t d = {0};
    d.file = "fuzz.json";
    rd_rundown_t r;
    bool ok = rd_rundown_parse((const char *)data, size, &r, &d);
    if (ok != (d.errors == 0))
        __builtin_trap(); /* a failure must say why, and errors must fail */
    /* Like `showcallerd --check`: link even a rundown with errors, so that
     * the partial model the parser leaves is exercised too; plan only a good
     * one. */
    rd_rundown_link(&r, c, &d);
    if (ok) {
        if (r.nitems == 0 || r.fps < 1 || r.fps > RD_MAX_FPS)
            __builtin_trap();
        check_ids(&r);
        rd_plan_t plan;
        rd_plan_compute(&r, &plan, &d);
        if (plan.nitems != r.nitems)
            __builtin_trap();
        project(&r, &plan, c);
        rd_plan_free(&plan);
    }
    rd_rundown_free(&r);
    format_all(&d);
    rd_diags_free(&d);
    return 0;
}
