/* `showcallerd --check`: validate a rundown (and config) and print its planned timeline. */
#include "check.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cue_timing.h"
#include "load.h"
#include "parse.h"
#include "payload.h"
#include "plan.h"
#include "tls.h"

/* Show times print as clock times, or as offsets from the first GO when the
 * show has no on_air. */
static void show_time(const rd_plan_t *plan, int64_t ns, char *buf, size_t len)
{
    if (plan->relative) {
        char d[32];
        rd_format_duration(ns, d, sizeof d);
        snprintf(buf, len, "+%s", d);
    } else {
        rd_format_clock(ns, buf, len);
    }
}

void sc_check_print(const rd_diags_t *d, rd_severity_t sev, FILE *to)
{
    for (size_t i = 0; i < d->count; i++) {
        if (d->items[i].severity != sev)
            continue;
        char *line = rd_diag_format(&d->items[i]);
        fprintf(to, "%s\n", line);
        free(line);
    }
}

static size_t count_cues(const rd_rundown_t *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nitems; i++)
        n += r->items[i].ncues;
    return n;
}

static void print_text(const rd_rundown_t *r, const rd_config_t *c, const rd_plan_t *plan)
{
    char a[48], b[48], e[48];
    printf("%s", r->title);
    if (r->has_date)
        printf(", %04d-%02d-%02d", r->year, r->month, r->day);
    if (r->has_on_air) {
        show_time(plan, r->on_air_ns, a, sizeof a);
        printf(", on air %s%s", a, r->on_air_implied ? " (first item's start)" : "");
    } else {
        printf(", no on_air: times count from the first GO");
    }
    if (r->has_off_air) {
        show_time(plan, r->off_air_ns, a, sizeof a);
        printf(", off air %s", a);
    }
    printf(", %d fps\n\n", r->fps);
    printf("%4s  %-12s  %9s  %-12s  %-12s  %4s  %8s  %-16s  %s\n", "#", "START", "DURATION", "RULE",
           "BACK-TIME", "CUES", "PRE-ROLL", "ID", "TITLE");
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_item_t *it = &r->items[i];
        const rd_plan_item_t *p = &plan->items[i];
        show_time(plan, p->start_ns, a, sizeof a);
        rd_format_duration(it->duration_ns, b, sizeof b);
        char rule[48];
        if (it->start == RD_START_TIME)
            show_time(plan, it->start_tod_ns, rule, sizeof rule);
        else
            snprintf(rule, sizeof rule, "%s", rd_start_rule_name(it->start));
        if (p->has_backtime)
            show_time(plan, p->backtime_ns, e, sizeof e);
        else
            snprintf(e, sizeof e, "-");
        /* A GO item starts its pre-roll after the GO; other items roll their
         * pre-roll cues during the item before. */
        char pre[32] = "-";
        int64_t pre_ns = rd_item_preroll_ns(it, c);
        if (pre_ns > 0)
            rd_format_duration(pre_ns, pre, sizeof pre);
        printf("%4zu  %-12s  %9s  %-12s  %-12s  %4zu  %8s  %-16s  %s\n", i + 1, a, b, rule, e,
               it->ncues, pre, it->id, it->title);
    }
    show_time(plan, plan->end_ns, a, sizeof a);
    printf("\nPlanned end %s", a);
    if (plan->has_off_air) {
        rd_format_signed(plan->off_air_delta_ns, b, sizeof b);
        printf(" (%s against off air: %s)", b,
               plan->off_air_delta_ns > 0   ? "over"
               : plan->off_air_delta_ns < 0 ? "under"
                                            : "on time");
    }
    printf(". %zu items, %zu cues", r->nitems, count_cues(r));
    if (c)
        printf(", %zu targets", c->ntargets);
    printf(".\n");
}

static json_t *ms(int64_t ns)
{
    /* Milliseconds rounded toward minus infinity, exact for whole ms. */
    int64_t q = ns / RD_NS_PER_MS;
    if (ns % RD_NS_PER_MS < 0)
        q--;
    return json_integer(q);
}

static json_t *time_json(const rd_plan_t *plan, int64_t ns)
{
    char buf[48];
    show_time(plan, ns, buf, sizeof buf);
    return json_string(buf);
}

json_t *sc_check_findings_json(const rd_diags_t *d, int sev)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < d->count; i++) {
        if (sev >= 0 && d->items[i].severity != (rd_severity_t)sev)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "severity",
                            json_string(d->items[i].severity == RD_ERROR ? "error" : "warning"));
        json_object_set_new(o, "file", json_string(d->items[i].file));
        if (d->items[i].line > 0) {
            json_object_set_new(o, "line", json_integer(d->items[i].line));
            json_object_set_new(o, "column", json_integer(d->items[i].column));
        } else {
            json_object_set_new(o, "path", json_string(d->items[i].path));
        }
        json_object_set_new(o, "message", json_string(d->items[i].message));
        char *line = rd_diag_format(&d->items[i]);
        json_object_set_new(o, "text", json_string(line));
        free(line);
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *cue_json(const rd_item_t *it, const rd_cue_t *cue, const rd_config_t *c,
                        const rd_plan_t *plan, const rd_item_clock_t *clk)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(cue->id));
    json_object_set_new(o, "target", json_string(cue->target));
    json_object_set_new(o, "anchor", json_string(cue->anchor == RD_FROM_END ? "end" : "start"));
    json_object_set_new(o, "offset_ms", ms(cue->offset_ns));
    json_object_set_new(o, "kind", json_string(rd_payload_key(cue->payload.kind)));
    if (cue->payload.kind == RD_PAYLOAD_OSC) {
        json_object_set_new(o, "address", json_string(cue->payload.osc.address));
        json_object_set_new(o, "types", json_string(cue->payload.osc.types));
    }
    int64_t latency = rd_cue_latency_ns(cue, c);
    json_object_set_new(o, "latency_ms", ms(latency));
    json_object_set_new(o, "planned_due", time_json(plan, rd_cue_due_ns(it, cue, clk)));
    json_object_set_new(o, "planned_send", time_json(plan, rd_cue_send_ns(it, cue, clk, latency)));
    json_object_set_new(o, "planned_send_ms", ms(rd_cue_send_ns(it, cue, clk, latency)));
    return o;
}

static json_t *plan_json(const rd_rundown_t *r, const rd_config_t *c, const rd_plan_t *plan)
{
    json_t *o = json_object();
    json_object_set_new(o, "title", json_string(r->title));
    if (r->has_date) {
        char date[16];
        snprintf(date, sizeof date, "%04d-%02d-%02d", r->year, r->month, r->day);
        json_object_set_new(o, "date", json_string(date));
    } else {
        json_object_set_new(o, "date", json_null());
    }
    json_object_set_new(o, "fps", json_integer(r->fps));
    json_object_set_new(o, "relative", json_boolean(plan->relative));
    json_object_set_new(o, "on_air", r->has_on_air ? time_json(plan, r->on_air_ns) : json_null());
    json_object_set_new(o, "off_air",
                        r->has_off_air ? time_json(plan, r->off_air_ns) : json_null());
    json_object_set_new(o, "planned_end", time_json(plan, plan->end_ns));
    json_object_set_new(o, "planned_end_ms", ms(plan->end_ns));
    if (plan->has_off_air)
        json_object_set_new(o, "off_air_delta_ms", ms(plan->off_air_delta_ns));
    json_object_set_new(o, "cue_count", json_integer((json_int_t)count_cues(r)));

    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        const rd_item_t *it = &r->items[i];
        const rd_plan_item_t *p = &plan->items[i];
        json_t *io = json_object();
        json_object_set_new(io, "index", json_integer((json_int_t)i));
        json_object_set_new(io, "id", json_string(it->id));
        json_object_set_new(io, "title", json_string(it->title));
        json_object_set_new(io, "start_rule", json_string(rd_start_rule_name(it->start)));
        if (it->start == RD_START_TIME)
            json_object_set_new(io, "hard_start", time_json(plan, it->start_tod_ns));
        json_object_set_new(io, "planned_start", time_json(plan, p->start_ns));
        json_object_set_new(io, "planned_start_ms", ms(p->start_ns));
        json_object_set_new(io, "planned_end", time_json(plan, p->end_ns));
        json_object_set_new(io, "duration_ms", ms(it->duration_ns));
        json_object_set_new(io, "back_time",
                            p->has_backtime ? time_json(plan, p->backtime_ns) : json_null());
        if (it->start == RD_START_TIME && i > 0)
            json_object_set_new(io, "gap_ms", ms(p->gap_ns));
        json_object_set_new(io, "warn_ms", ms(it->warn_ns));
        json_object_set_new(io, "critical_ms", ms(it->critical_ns));
        int64_t pre = rd_item_preroll_ns(it, c);
        json_object_set_new(io, "preroll_ms", ms(pre));
        /* A GO item's planned GO comes its pre-roll before its planned start. */
        rd_item_clock_t clk = {p->start_ns, 0, 0};
        json_t *cues = json_array();
        for (size_t j = 0; j < it->ncues; j++)
            json_array_append_new(cues, cue_json(it, &it->cues[j], c, plan, &clk));
        json_object_set_new(io, "cues", cues);
        json_array_append_new(items, io);
    }
    json_object_set_new(o, "items", items);
    return o;
}

int sc_check_main(const char *rundown_path, const char *config_path, bool as_json)
{
    rd_diags_t d = {0};
    rd_rundown_t r = {0};
    rd_config_t c = {0};
    bool have_config = false;
    bool ok = true;

    if (config_path) {
        have_config = sc_load_config(config_path, &c, &d);
        ok = have_config;
        /* The start-up check of http.tls's files, so --check finds a missing
         * certificate before a show does. */
        d.file = config_path;
        if (have_config && !sc_tls_check(&c.http_tls, &d))
            ok = false;
        d.file = NULL;
    }
    bool have_rundown = sc_load_rundown(rundown_path, &r, &d);
    ok = ok && have_rundown;
    /* Link even a rundown with errors, so that every finding shows at once. */
    d.file = rundown_path;
    if (have_config && !rd_rundown_link(&r, &c, &d))
        ok = false;

    rd_plan_t plan = {0};
    if (ok)
        rd_plan_compute(&r, &plan, &d);

    sc_check_print(&d, RD_ERROR, stderr);
    if (as_json) {
        json_t *out = ok ? plan_json(&r, have_config ? &c : NULL, &plan) : json_object();
        json_object_set_new(out, "valid", json_boolean(ok));
        json_object_set_new(out, "config_checked", json_boolean(have_config));
        json_object_set_new(out, "errors", sc_check_findings_json(&d, RD_ERROR));
        json_object_set_new(out, "warnings", sc_check_findings_json(&d, RD_WARNING));
        char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
        json_decref(out);
    } else {
        sc_check_print(&d, RD_WARNING, stderr);
        if (ok)
            print_text(&r, have_config ? &c : NULL, &plan);
        if (ok && !have_config)
            fprintf(stderr, "%s: note: no --config given, so cue targets were not checked\n",
                    rundown_path);
    }
    rd_plan_free(&plan);
    rd_rundown_free(&r);
    rd_config_free(&c);
    rd_diags_free(&d);
    return ok ? 0 : 1;
}
