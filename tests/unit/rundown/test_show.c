/* Tests for rundown/show.c: the show's state machine and which cues may still fire. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "show.h"
#include "unit.h"

#define MS(x) ((int64_t)(x)*RD_NS_PER_MS)
#define SEC(x) ((int64_t)(x)*RD_NS_PER_S)
#define H(h, m, s) ((int64_t)(h)*RD_NS_PER_HOUR + (int64_t)(m)*RD_NS_PER_MIN + SEC(s))

static const char *config_text = "{'targets': {'sw': {'url': 'osc.udp://127.0.0.1:9001'},"
                                 " 'gfx': {'url': 'ws://127.0.0.1:9002/', 'latency': '40ms'}}}";

/* A test fixture: a parsed, linked rundown and an open show, with a log of events. */
typedef struct {
    rd_config_t c;
    rd_rundown_t r;
    rd_show_t s;
    char log[4096];
} fx_t;

static void on_event(void *ctx, const rd_show_event_t *ev)
{
    fx_t *f = ctx;
    static const char *kinds[] = {"start", "end", "skipped", "restored", "ended"};
    size_t n = strlen(f->log);
    snprintf(f->log + n, sizeof f->log - n, "%s%s %s by %s", n ? "; " : "", kinds[ev->kind],
             ev->item >= 0 ? f->r.items[ev->item].id : "-", rd_cause_name(ev->cause));
}

static char *dq(const char *s)
{
    char *t = strdup(s);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    return t;
}

/* Opens a show of the given items (single-quoted JSON) at now. */
static bool fx_open(fx_t *f, const char *head, const char *items, int64_t now)
{
    memset(f, 0, sizeof *f);
    char *ctext = dq(config_text);
    char *rtext = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&rtext, &len);
    fprintf(m, "{'format': 'showcaller-rundown/1', 'title': 'T', %s 'items': [%s]}", head, items);
    fclose(m);
    char *r2 = dq(rtext);
    free(rtext);
    rd_diags_t d = {0};
    d.file = "t";
    bool ok = rd_config_parse(ctext, strlen(ctext), &f->c, &d);
    ok = rd_rundown_parse(r2, len, &f->r, &d) && ok;
    ok = ok && rd_rundown_link(&f->r, &f->c, &d);
    for (size_t i = 0; i < d.count; i++) {
        char *line = rd_diag_format(&d.items[i]);
        printf("# %s\n", line);
        free(line);
    }
    rd_diags_free(&d);
    free(ctext);
    free(r2);
    if (ok)
        rd_show_open(&f->s, &f->r, &f->c, now, on_event, f);
    return ok;
}

static void fx_close(fx_t *f)
{
    if (f->s.items)
        rd_show_close(&f->s);
    rd_rundown_free(&f->r);
    rd_config_free(&f->c);
}

/* The pending cues as "id@send" with send in ms after `base`, or "id@paused". */
static const char *pending(fx_t *f, int64_t base)
{
    static char buf[2048];
    rd_armed_cue_t cues[64];
    size_t n = rd_show_pending_cues(&f->s, cues, 64);
    buf[0] = '\0';
    for (size_t i = 0; i < n && i < 64; i++) {
        size_t len = strlen(buf);
        const char *id = f->r.items[cues[i].item].cues[cues[i].cue].id;
        if (cues[i].send_ns == INT64_MAX)
            snprintf(buf + len, sizeof buf - len, "%s%s@paused", i ? " " : "", id);
        else
            snprintf(buf + len, sizeof buf - len, "%s%s@%lld", i ? " " : "", id,
                     (long long)((cues[i].send_ns - base) / RD_NS_PER_MS));
    }
    return buf;
}

/* A cue for the OSC target "sw" or the websocket target "gfx" (40 ms latency). */
#define SW(id, at) "{'id': '" id "', 'at': '" at "', 'target': 'sw', 'osc': {'address': '/x'}}"
#define GFX(id, at) "{'id': '" id "', 'at': '" at "', 'target': 'gfx', 'ws': 'x'}"

#define T0 H(18, 0, 0)

TEST(show_go_starts_first_item_after_its_preroll)
{
    fx_t f;
    ASSERT_TRUE(
        fx_open(&f, "'on_air': '18:00:00',",
                "{'id': 'a', 'title': 'A', 'duration': '10s', 'cues': [" SW("a1", "-2s") "]}", T0));
    ASSERT_EQ(f.s.state, RD_SHOW_IDLE);
    ASSERT_EQ(rd_show_next(&f.s), 0);
    ASSERT_EQ(rd_show_go(&f.s, T0), RD_SHOW_OK);
    ASSERT_EQ(f.s.state, RD_SHOW_RUNNING);
    ASSERT_EQ(f.s.current, 0);
    ASSERT_EQ(f.s.items[0].p.actual_start_ns, T0 + SEC(2));
    ASSERT_EQ(f.s.items[0].run, 1);
    /* The pre-roll cue leaves at the GO itself. */
    ASSERT_STR_EQ(pending(&f, T0), "a1@0");
    ASSERT_STR_EQ(f.log, "start a by go");
    fx_close(&f);
}

TEST(show_go_ends_previous_at_new_start_and_ends_show_after_last)
{
    fx_t f;
    ASSERT_TRUE(
        fx_open(&f, "",
                "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                "{'id': 'b', 'title': 'B', 'duration': '10s', 'cues': [" SW("b1", "-1s") "]}",
                0));
    ASSERT_EQ(rd_show_go(&f.s, SEC(100)), RD_SHOW_OK);
    ASSERT_EQ(rd_show_go(&f.s, SEC(105)), RD_SHOW_OK);
    ASSERT_EQ(f.s.items[0].p.state, RD_ITEM_DONE);
    ASSERT_EQ(f.s.items[0].p.actual_end_ns, SEC(106));
    ASSERT_EQ(f.s.items[1].p.actual_start_ns, SEC(106));
    ASSERT_EQ(rd_show_go(&f.s, SEC(120)), RD_SHOW_OK);
    ASSERT_EQ(f.s.state, RD_SHOW_ENDED);
    ASSERT_EQ(f.s.items[1].p.actual_end_ns, SEC(120));
    ASSERT_EQ(rd_show_go(&f.s, SEC(121)), RD_SHOW_ERR_ENDED);
    ASSERT_STR_EQ(f.log, "start a by go; end a by go; start b by go; end b by go; ended - by go");
    fx_close(&f);
}

TEST(show_follow_starts_exactly_at_previous_end_even_when_ticked_late)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "",
                        "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                        "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '5s'},"
                        "{'id': 'c', 'title': 'C', 'start': 'follow', 'duration': '5s'},"
                        "{'id': 'd', 'title': 'D', 'duration': '5s'}",
                        0));
    ASSERT_EQ(rd_show_go(&f.s, SEC(100)), RD_SHOW_OK);
    ASSERT_EQ(rd_show_tick(&f.s, SEC(101)), SEC(110)); /* next transition: a's end */
    /* Ticked 7 s late: both follows happen at their exact times. */
    int64_t next = rd_show_tick(&f.s, SEC(117));
    ASSERT_EQ(next, INT64_MAX); /* d waits for GO */
    ASSERT_EQ(f.s.current, 2);
    ASSERT_EQ(f.s.items[1].p.actual_start_ns, SEC(110));
    ASSERT_EQ(f.s.items[1].p.actual_end_ns, SEC(115));
    ASSERT_EQ(f.s.items[2].p.actual_start_ns, SEC(115));
    ASSERT_STR_EQ(f.log, "start a by go; end a by follow; start b by follow; end b by follow; "
                         "start c by follow");
    fx_close(&f);
}

TEST(show_follow_includes_added_time)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "",
                        "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                        "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '5s'}",
                        0));
    rd_show_go(&f.s, 0);
    ASSERT_EQ(rd_show_add(&f.s, SEC(30), SEC(1)), RD_SHOW_OK);
    ASSERT_EQ(rd_show_tick(&f.s, SEC(2)), SEC(40));
    ASSERT_EQ(rd_show_add(&f.s, -SEC(46), SEC(6)), RD_SHOW_ERR_NEGATIVE);
    /* Taking time away can put the end in the past: b starts at the true end. */
    ASSERT_EQ(rd_show_add(&f.s, -SEC(35), SEC(6)), RD_SHOW_OK);
    ASSERT_EQ(rd_show_tick(&f.s, SEC(6)), INT64_MAX);
    ASSERT_EQ(f.s.items[1].p.actual_start_ns, SEC(5)); /* 10 + 30 - 35 */
    fx_close(&f);
}

TEST(show_hard_start_from_idle_at_exact_time)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "'on_air': '18:00:00',",
                        "{'id': 'a', 'title': 'A', 'start': '18:00:00', 'duration': '10s'}",
                        T0 - SEC(60)));
    ASSERT_EQ(rd_show_tick(&f.s, T0 - SEC(30)), T0);
    ASSERT_EQ(rd_show_tick(&f.s, T0 + MS(3)), INT64_MAX);
    ASSERT_EQ(f.s.items[0].p.actual_start_ns, T0);
    ASSERT_STR_EQ(f.log, "start a by hard_start");
    fx_close(&f);
}

TEST(show_hard_start_cuts_running_item_and_skips_between)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "'on_air': '18:00:00',",
                        "{'id': 'a', 'title': 'A', 'duration': '10:00'},"
                        "{'id': 'b', 'title': 'B', 'duration': '1:00'},"
                        "{'id': 'c', 'title': 'C', 'start': '18:05:00', 'duration': '1:00'}",
                        T0));
    rd_show_go(&f.s, T0);
    ASSERT_EQ(rd_show_tick(&f.s, T0 + SEC(1)), H(18, 5, 0));
    rd_show_tick(&f.s, H(18, 5, 0));
    ASSERT_EQ(f.s.current, 2);
    ASSERT_EQ(f.s.items[0].p.actual_end_ns, H(18, 5, 0));
    ASSERT_EQ(f.s.items[1].p.state, RD_ITEM_SKIPPED);
    ASSERT_STR_EQ(f.log, "start a by go; end a by hard_start; skipped b by hard_start; "
                         "start c by hard_start");
    fx_close(&f);
}

TEST(show_hard_start_already_past_at_open_waits_for_go)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "'on_air': '18:00:00',",
                        "{'id': 'a', 'title': 'A', 'start': '18:00:00', 'duration': '10:00', "
                        "'cues': [" SW("a1", "0") "]}",
                        T0 + SEC(90)));
    ASSERT_EQ(rd_show_tick(&f.s, T0 + SEC(91)), INT64_MAX);
    ASSERT_EQ(f.s.state, RD_SHOW_IDLE);
    ASSERT_STR_EQ(pending(&f, T0), ""); /* its cues are not fired retroactively */
    ASSERT_EQ(rd_show_go(&f.s, T0 + SEC(95)), RD_SHOW_OK);
    ASSERT_EQ(f.s.items[0].p.actual_start_ns, T0 + SEC(95));
    fx_close(&f);
}

TEST(show_rehearsal_hard_starts_wait_for_go)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "'on_air': '18:00:00',",
                        "{'id': 'a', 'title': 'A', 'start': '18:00:00', 'duration': '10s'}",
                        T0 - SEC(10)));
    f.s.rehearsal = true;
    ASSERT_EQ(rd_show_tick(&f.s, T0 + SEC(1)), INT64_MAX);
    ASSERT_EQ(f.s.state, RD_SHOW_IDLE);
    fx_close(&f);
}

TEST(show_hold_freezes_clock_cues_and_follow)
{
    fx_t f;
    ASSERT_TRUE(fx_open(
        &f, "",
        "{'id': 'a', 'title': 'A', 'duration': '10s', 'cues': [" SW("a1", "5s") "," GFX(
            "a2", "end-1s") "]},"
                            "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '5s', "
                            "'cues': [" SW("b1", "-1s") "]}",
        0));
    rd_show_go(&f.s, 0);
    ASSERT_STR_EQ(pending(&f, 0), "a1@5000 a2@8960 b1@9000");
    ASSERT_EQ(rd_show_hold(&f.s, SEC(2)), RD_SHOW_OK);
    ASSERT_EQ(rd_show_hold(&f.s, SEC(2)), RD_SHOW_ERR_ALREADY_HOLDING);
    ASSERT_STR_EQ(pending(&f, 0), "a1@paused a2@paused b1@paused");
    ASSERT_EQ(rd_show_tick(&f.s, SEC(20)), INT64_MAX); /* no follow while holding */
    ASSERT_EQ(rd_show_current_end(&f.s, SEC(20)), SEC(28));
    ASSERT_EQ(rd_show_resume(&f.s, SEC(20)), RD_SHOW_OK);
    ASSERT_EQ(rd_show_resume(&f.s, SEC(20)), RD_SHOW_ERR_NOT_HOLDING);
    ASSERT_EQ(f.s.items[0].p.held_ns, SEC(18));
    ASSERT_STR_EQ(pending(&f, 0), "a1@23000 a2@26960 b1@27000");
    ASSERT_EQ(rd_show_tick(&f.s, SEC(21)), SEC(28));
    fx_close(&f);
}

TEST(show_goto_forward_skips_jumped_items_and_back_restores)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "",
                        "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                        "{'id': 'b', 'title': 'B', 'duration': '10s', 'cues': [" SW(
                            "b1", "0") "]},"
                                       "{'id': 'c', 'title': 'C', 'duration': '10s'},"
                                       "{'id': 'd', 'title': 'D', 'duration': '10s'}",
                        0));
    rd_show_go(&f.s, SEC(1));
    ASSERT_EQ(rd_show_goto(&f.s, 3, SEC(2)), RD_SHOW_OK);
    ASSERT_EQ(f.s.items[1].p.state, RD_ITEM_SKIPPED);
    ASSERT_EQ(f.s.items[2].p.state, RD_ITEM_SKIPPED);
    ASSERT_EQ(f.s.items[0].p.state, RD_ITEM_DONE);
    ASSERT_STR_EQ(f.log, "start a by go; end a by goto; skipped b by goto; skipped c by goto; "
                         "start d by goto");
    /* back: a runs again from its old start; d is pending again. */
    ASSERT_EQ(rd_show_back(&f.s, SEC(3)), RD_SHOW_OK);
    ASSERT_EQ(f.s.current, 0);
    ASSERT_EQ(f.s.items[0].p.actual_start_ns, SEC(1));
    ASSERT_EQ(f.s.items[3].p.state, RD_ITEM_PENDING);
    ASSERT_EQ(rd_show_back(&f.s, SEC(4)), RD_SHOW_ERR_NOTHING_BACK);
    /* goto backward re-arms what was skipped by the jump. */
    ASSERT_EQ(rd_show_goto(&f.s, 0, SEC(5)), RD_SHOW_OK);
    ASSERT_EQ(f.s.items[1].p.state, RD_ITEM_PENDING);
    ASSERT_EQ(f.s.items[0].run, 2);
    ASSERT_EQ(rd_show_goto(&f.s, 9, SEC(5)), RD_SHOW_ERR_UNKNOWN_ITEM);
    fx_close(&f);
}

TEST(show_back_does_not_follow_again)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "",
                        "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                        "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '10s'}",
                        0));
    rd_show_go(&f.s, 0);
    rd_show_tick(&f.s, SEC(11));
    ASSERT_EQ(f.s.current, 1);
    ASSERT_EQ(rd_show_back(&f.s, SEC(12)), RD_SHOW_OK);
    ASSERT_EQ(rd_show_tick(&f.s, SEC(13)), INT64_MAX);
    ASSERT_EQ(f.s.current, 0); /* over its time, waiting for GO */
    fx_close(&f);
}

TEST(show_skip_by_hand)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "",
                        "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                        "{'id': 'b', 'title': 'B', 'duration': '10s'},"
                        "{'id': 'c', 'title': 'C', 'duration': '10s'}",
                        0));
    rd_show_go(&f.s, 0);
    ASSERT_EQ(rd_show_skip(&f.s, 0, true), RD_SHOW_ERR_ITEM_RUNNING);
    ASSERT_EQ(rd_show_skip(&f.s, 1, true), RD_SHOW_OK);
    ASSERT_EQ(rd_show_next(&f.s), 2);
    ASSERT_EQ(rd_show_skip(&f.s, 1, false), RD_SHOW_OK);
    ASSERT_EQ(rd_show_next(&f.s), 1);
    rd_show_skip(&f.s, 1, true);
    rd_show_go(&f.s, SEC(5));
    ASSERT_EQ(f.s.current, 2);
    ASSERT_EQ(rd_show_skip(&f.s, 7, true), RD_SHOW_ERR_UNKNOWN_ITEM);
    fx_close(&f);
}

TEST(show_pending_cues_cover_follow_chain_and_hard_starts)
{
    fx_t f;
    ASSERT_TRUE(fx_open(
        &f, "'on_air': '18:00:00',",
        "{'id': 'a', 'title': 'A', 'duration': '10s', 'cues': [" SW(
            "a1", "end+2s") "]},"
                            "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '10s', "
                            "'cues': [" SW("b1", "-1s") "," SW(
                                "b2",
                                "8s") "]},"
                                      "{'id': 'c', 'title': 'C', 'duration': '10s', 'cues': [" SW(
                                          "c1", "0") "]},"
                                                     "{'id': 'd', 'title': 'D', 'start': "
                                                     "'18:00:15', 'duration': '10s', "
                                                     "'cues': [" SW("d1", "-2s") "," GFX("d2",
                                                                                         "0") "]}",
        T0 - SEC(1)));
    /* Before anything runs only the hard start's cues are known. */
    ASSERT_STR_EQ(pending(&f, T0), "d1@13000 d2@14960");
    rd_show_go(&f.s, T0);
    /* b follows a; c waits for GO; d's hard start cuts b's cue at 18 s. */
    ASSERT_STR_EQ(pending(&f, T0), "b1@9000 a1@12000 d1@13000 d2@14960");
    rd_show_tick(&f.s, T0 + SEC(10));
    ASSERT_EQ(f.s.current, 1);
    ASSERT_TRUE(f.s.items[0].tail_live);
    ASSERT_STR_EQ(pending(&f, T0), "b1@9000 a1@12000 d1@13000 d2@14960");
    fx_close(&f);
}

TEST(show_preroll_fired_before_start_is_not_listed_again)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "",
                        "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                        "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '10s', "
                        "'cues': [" SW("b1", "-1s") "]}",
                        0));
    rd_show_go(&f.s, 0);
    rd_armed_cue_t cues[4];
    ASSERT_EQ(rd_show_pending_cues(&f.s, cues, 4), 1);
    ASSERT_EQ(cues[0].run, 1); /* b's first run, not started yet */
    ASSERT_TRUE(rd_show_account(&f.s, cues[0].item, cues[0].cue, cues[0].run));
    ASSERT_FALSE(rd_show_account(&f.s, cues[0].item, cues[0].cue, cues[0].run));
    rd_show_tick(&f.s, SEC(10));
    ASSERT_EQ(f.s.current, 1);
    ASSERT_EQ(rd_show_pending_cues(&f.s, cues, 4), 0);
    /* A report for a run that is over changes nothing. */
    ASSERT_FALSE(rd_show_account(&f.s, 1, 0, 7));
    fx_close(&f);
}

TEST(show_panic_drops_cues_and_stops_automation)
{
    fx_t f;
    ASSERT_TRUE(
        fx_open(&f, "'on_air': '18:00:00',",
                "{'id': 'a', 'title': 'A', 'duration': '10s', 'cues': [" SW(
                    "a1", "5s") "]},"
                                "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '10s'},"
                                "{'id': 'c', 'title': 'C', 'start': '18:00:30', 'duration': '10s', "
                                "'cues': [" SW("c1", "0") "]}",
                T0));
    rd_show_go(&f.s, T0);
    ASSERT_EQ(rd_show_panic(&f.s, T0 + SEC(1)), RD_SHOW_OK);
    ASSERT_EQ(f.s.state, RD_SHOW_HOLDING);
    ASSERT_STR_EQ(pending(&f, T0), "");
    ASSERT_EQ(rd_show_tick(&f.s, T0 + SEC(40)), INT64_MAX);
    ASSERT_EQ(f.s.current, 0);
    /* GO brings automation back. */
    ASSERT_EQ(rd_show_go(&f.s, T0 + SEC(41)), RD_SHOW_OK);
    ASSERT_EQ(f.s.current, 1);
    fx_close(&f);
}

TEST(show_projection_counts_holds_and_added_time)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "'on_air': '18:00:00', 'off_air': '18:00:30',",
                        "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                        "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '20s'}",
                        T0));
    rd_show_go(&f.s, T0 + SEC(2));
    rd_show_add(&f.s, SEC(5), T0 + SEC(3));
    rd_show_hold(&f.s, T0 + SEC(4));
    rd_projection_t p;
    rd_show_project(&f.s, T0 + SEC(7), &p);
    /* 2 late + 5 added + 3 held so far = 10 s over. */
    ASSERT_EQ(p.over_under_ns, SEC(10));
    ASSERT_EQ(p.off_air_delta_ns, SEC(10));
    ASSERT_EQ(p.running, 0);
    ASSERT_EQ(p.running_delta_ns, SEC(10));
    rd_projection_free(&p);
    fx_close(&f);
}

TEST(show_error_texts)
{
    ASSERT_STR_EQ(rd_show_err_code(RD_SHOW_ERR_ENDED), "show_ended");
    ASSERT_STR_EQ(rd_show_strerror(RD_SHOW_ERR_NOTHING_BACK), "there is no GO to undo");
    ASSERT_STR_EQ(rd_cause_name(RD_BY_HARD_START), "hard_start");
}

TEST(show_go_during_preroll_is_refused)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f, "",
                        "{'id': 'a', 'title': 'A', 'duration': '5s', 'cues': [" SW(
                            "a1", "-1s") "]},"
                                         "{'id': 'b', 'title': 'B', 'duration': '5s'}",
                        0));
    ASSERT_EQ(rd_show_go(&f.s, 0), RD_SHOW_OK);
    ASSERT_EQ(rd_show_go(&f.s, MS(500)), RD_SHOW_ERR_IN_PREROLL);
    ASSERT_EQ(f.s.current, 0);
    ASSERT_EQ(rd_show_go(&f.s, SEC(1)), RD_SHOW_OK); /* started: GO works again */
    ASSERT_EQ(f.s.current, 1);
    ASSERT_EQ(f.s.items[0].p.actual_end_ns, SEC(1));
    fx_close(&f);
}
