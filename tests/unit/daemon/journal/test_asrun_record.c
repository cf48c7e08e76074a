/* Tests for daemon/journal/asrun_record.c: the records as the schema says, and read back for a
 * resume. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "journal/asrun_record.h"
#include "unit.h"

#define MS(x) ((int64_t)(x)*RD_NS_PER_MS)
#define SEC(x) ((int64_t)(x)*RD_NS_PER_S)
#define H(h, m, s) ((int64_t)(h)*RD_NS_PER_HOUR + (int64_t)(m)*RD_NS_PER_MIN + SEC(s))

/* 2026-11-27T00:00:00Z, the show's day, and a wall time on it with
 * microseconds: 2026-11-27T17:00:00.000123Z. */
#define MIDNIGHT (INT64_C(1795737600) * RD_NS_PER_S)
#define WALL (MIDNIGHT + H(17, 0, 0) + 123000)
#define WALL_ISO "2026-11-27T17:00:00.000123Z"

static const char *config_text = "{'targets': {'sw': {'url': 'osc.udp://127.0.0.1:9001'}}}";

#define SW(id, at) "{'id': '" id "', 'at': '" at "', 'target': 'sw', 'osc': {'address': '/x'}}"

/* Three items: a with cues a1 and a2, b with b1, c with none. */
#define CUES_A SW("a1", "-2s") "," SW("a2", "5s")
#define ITEM_A "{'id': 'a', 'title': 'Opening', 'duration': '10s', 'cues': [" CUES_A "]}"
#define ITEM_B "{'id': 'b', 'title': 'News', 'duration': '10s', 'cues': [" SW("b1", "0") "]}"
#define ITEM_C "{'id': 'c', 'title': 'Close', 'duration': '10s'}"
static const char *items_text = ITEM_A "," ITEM_B "," ITEM_C;

/* A rundown to read records against, and the last record read (what the
 * sc_record_t borrows from). */
typedef struct {
    rd_rundown_t r;
    rd_config_t c;
    json_t *rec;
    sc_record_t out;
} fx_t;

static bool fx_open(fx_t *f)
{
    memset(f, 0, sizeof *f);
    return fx_load("", items_text, config_text, &f->r, &f->c);
}

static void fx_close(fx_t *f)
{
    json_decref(f->rec);
    fx_unload(&f->r, &f->c);
}

/* rec (taken) as compact JSON text; the buffer lasts until the next call. */
static const char *dump(json_t *rec)
{
    static char buf[2048];
    char *s = json_dumps(rec, JSON_COMPACT);
    snprintf(buf, sizeof buf, "%s", s ? s : "(null)");
    free(s);
    json_decref(rec);
    return buf;
}

/* Reads rec (taken) as a resume does: written out as text, parsed back and
 * decoded against the rundown and the show's day. */
static const sc_record_t *read_back(fx_t *f, json_t *rec)
{
    json_decref(f->rec);
    char *s = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    f->rec = json_loads(s, 0, NULL);
    free(s);
    sc_record_read(f->rec, &f->r, MIDNIGHT, &f->out);
    return &f->out;
}

static json_t *command(const char *cmd, json_t *args, bool ok)
{
    return sc_record_command(WALL, false, cmd, args, "ws", "127.0.0.1:5123", ok,
                             ok ? NULL : "refused", ok ? NULL : "no");
}

/* ---- Building ------------------------------------------------------------------ */

/* Every record starts with kind, wall (ISO 8601 UTC, microseconds, what is
 * under a microsecond dropped) and rehearsal, in that order. */
TEST(record_new_has_kind_wall_rehearsal)
{
    ASSERT_STR_EQ(dump(sc_record_new("cue", WALL, true)),
                  "{\"kind\":\"cue\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":true}");
    ASSERT_STR_EQ(dump(sc_record_new("x", WALL + 999, false)),
                  "{\"kind\":\"x\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false}");
    ASSERT_STR_EQ(dump(sc_record_new("x", MIDNIGHT, false)),
                  "{\"kind\":\"x\",\"wall\":\"2026-11-27T00:00:00.000000Z\",\"rehearsal\":false}");
}

/* A daemon record adds its event and message. */
TEST(record_daemon_has_event_and_message)
{
    ASSERT_STR_EQ(dump(sc_record_daemon(WALL, false, "stop", "bye")),
                  "{\"kind\":\"daemon\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
                  "\"event\":\"stop\",\"message\":\"bye\"}");
}

/* Each show event is its record: a start and a restore and an end carry the
 * plan's time (null without one) and the actual one, a skip neither; the
 * end of the show is a daemon record "show_ended" with its cause. */
TEST(record_show_events)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    const rd_item_t *a = &f.r.items[0], *b = &f.r.items[1];
    int64_t planned = MIDNIGHT + H(17, 0, 0), actual = planned + MS(250) + 1000;
    rd_show_event_t ev = {RD_SHOW_EV_ITEM_START, 0, 0, RD_BY_GO};
    ASSERT_STR_EQ(dump(sc_record_show_event(WALL, false, &ev, a, planned, actual)),
                  "{\"kind\":\"item_start\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
                  "\"item\":\"a\",\"title\":\"Opening\","
                  "\"planned\":\"2026-11-27T17:00:00.000000Z\","
                  "\"actual\":\"2026-11-27T17:00:00.250001Z\",\"cause\":\"go\"}");

    ev = (rd_show_event_t){RD_SHOW_EV_ITEM_END, 0, 0, RD_BY_FOLLOW};
    ASSERT_STR_EQ(dump(sc_record_show_event(WALL, true, &ev, a, 0, actual)),
                  "{\"kind\":\"item_end\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":true,"
                  "\"item\":\"a\",\"title\":\"Opening\",\"planned\":null,"
                  "\"actual\":\"2026-11-27T17:00:00.250001Z\",\"cause\":\"follow\"}");

    ev = (rd_show_event_t){RD_SHOW_EV_ITEM_SKIPPED, 1, 0, RD_BY_SKIP};
    ASSERT_STR_EQ(dump(sc_record_show_event(WALL, false, &ev, b, planned, actual)),
                  "{\"kind\":\"item_skipped\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
                  "\"item\":\"b\",\"title\":\"News\",\"cause\":\"skip\"}");

    ev = (rd_show_event_t){RD_SHOW_EV_ITEM_RESTORED, 0, 0, RD_BY_BACK};
    ASSERT_STR_EQ(dump(sc_record_show_event(WALL, false, &ev, a, planned, actual)),
                  "{\"kind\":\"item_restored\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
                  "\"item\":\"a\",\"title\":\"Opening\","
                  "\"planned\":\"2026-11-27T17:00:00.000000Z\","
                  "\"actual\":\"2026-11-27T17:00:00.250001Z\",\"cause\":\"back\"}");

    ev = (rd_show_event_t){RD_SHOW_EV_ENDED, -1, 0, RD_BY_GO};
    ASSERT_STR_EQ(dump(sc_record_show_event(WALL, false, &ev, NULL, 0, actual)),
                  "{\"kind\":\"daemon\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
                  "\"event\":\"show_ended\",\"message\":\"the show has ended\",\"cause\":\"go\"}");
    fx_close(&f);
}

/* A cue sent late by 1.5 ms: both times, the lateness in whole
 * microseconds, no error, and no answer yet. */
TEST(record_cue_sent)
{
    int64_t scheduled = MIDNIGHT + H(16, 59, 58);
    sc_record_cue_t c = {"a1",    "a",    "sw", "osc.udp", scheduled, scheduled + 1500123,
                         1500123, "sent", 0,    2};
    ASSERT_STR_EQ(dump(sc_record_cue(WALL, false, &c)),
                  "{\"kind\":\"cue\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
                  "\"cue\":\"a1\",\"item\":\"a\",\"target\":\"sw\",\"protocol\":\"osc.udp\","
                  "\"scheduled\":\"2026-11-27T16:59:58.000000Z\","
                  "\"sent\":\"2026-11-27T16:59:58.001500Z\",\"lateness_us\":1500,"
                  "\"outcome\":\"sent\",\"error\":null,\"answer\":null,\"answered\":null,\"answer_"
                  "us\":null,\"answer_detail\":null,\"run\":2}");

    /* Early is negative. */
    c.sent_wall_ns = scheduled - MS(2);
    c.lateness_ns = -MS(2);
    json_t *r = sc_record_cue(WALL, false, &c);
    ASSERT_EQ(json_integer_value(json_object_get(r, "lateness_us")), -2000);
    json_decref(r);
}

/* What a cue lacks is null: no scheduled time, not sent (then no lateness
 * either, whatever lateness_ns says); an unknown protocol is "?"; the error
 * is errno's text. */
TEST(record_cue_absent_fields_are_null)
{
    sc_record_cue_t c = {"b1", "b", "sw", NULL, 0, 0, 777000, "failed", ECONNREFUSED, 1};
    char want[1024];
    snprintf(want, sizeof want,
             "{\"kind\":\"cue\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
             "\"cue\":\"b1\",\"item\":\"b\",\"target\":\"sw\",\"protocol\":\"?\","
             "\"scheduled\":null,\"sent\":null,\"lateness_us\":null,"
             "\"outcome\":\"failed\",\"error\":\"%s\",\"answer\":null,\"answered\":null,\"answer_"
             "us\":null,\"answer_detail\":null,\"run\":1}",
             strerror(ECONNREFUSED));
    ASSERT_STR_EQ(dump(sc_record_cue(WALL, false, &c)), want);

    /* Sent without a schedule (fired by hand): still no lateness. */
    sc_record_cue_t fired = {"b1", "b", "sw", "osc.udp", 0, WALL, 5000, "sent", 0, 0};
    json_t *r = sc_record_cue(WALL, false, &fired);
    ASSERT_TRUE(json_is_null(json_object_get(r, "scheduled")));
    ASSERT_STR_EQ(json_string_value(json_object_get(r, "sent")), WALL_ISO);
    ASSERT_TRUE(json_is_null(json_object_get(r, "lateness_us")));
    ASSERT_EQ(json_integer_value(json_object_get(r, "run")), 0); /* it counts for no run */
    json_decref(r);

    /* Scheduled, never sent (missed). */
    sc_record_cue_t missed = {"a1", "a", "sw", "osc.udp", WALL, 0, 5000, "missed", 0, 1};
    r = sc_record_cue(WALL, false, &missed);
    ASSERT_STR_EQ(json_string_value(json_object_get(r, "scheduled")), WALL_ISO);
    ASSERT_TRUE(json_is_null(json_object_get(r, "sent")));
    ASSERT_TRUE(json_is_null(json_object_get(r, "lateness_us")));
    json_decref(r);
}

/* A device's answer: the cue's seq, the answer, its time in microseconds
 * (null when negative) and the detail (null when none). */
TEST(record_answer)
{
    sc_record_answer_t a = {"a1", "a", "gfx", 42, "ok", 12345678, NULL, WALL};
    ASSERT_STR_EQ(dump(sc_record_answer(WALL, true, &a)),
                  "{\"kind\":\"answer\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":true,"
                  "\"cue\":\"a1\",\"item\":\"a\",\"target\":\"gfx\",\"cue_seq\":42,"
                  "\"answer\":\"ok\",\"answered\":\"" WALL_ISO "\",\"answer_us\":12345,"
                  "\"answer_detail\":null}");
    sc_record_answer_t t = {"a1", "a", "gfx", 43, "timeout", -1, "no reply in 2 s", 0};
    ASSERT_STR_EQ(dump(sc_record_answer(WALL, false, &t)),
                  "{\"kind\":\"answer\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
                  "\"cue\":\"a1\",\"item\":\"a\",\"target\":\"gfx\",\"cue_seq\":43,"
                  "\"answer\":\"timeout\",\"answered\":null,\"answer_us\":null,"
                  "\"answer_detail\":\"no reply in 2 s\"}");
    /* An answer to a message of no cue (a panic): null cue, item and seq. */
    sc_record_answer_t p = {NULL, NULL, "gfx", 0, "ok", 5000, NULL, WALL};
    json_t *pr = sc_record_answer(WALL, false, &p);
    ASSERT_TRUE(json_is_null(json_object_get(pr, "cue")));
    ASSERT_TRUE(json_is_null(json_object_get(pr, "cue_seq")));
    json_decref(pr);
    sc_record_answer_t z = {"a1", "a", "gfx", 44, "ok", 0, NULL, WALL};
    json_t *r = sc_record_answer(WALL, false, &z);
    ASSERT_TRUE(json_is_integer(json_object_get(r, "answer_us")));
    ASSERT_EQ(json_integer_value(json_object_get(r, "answer_us")), 0);
    json_decref(r);
}

/* A command record: its args (an empty object for none), door, source, ok,
 * and an error object only when it failed, whatever code is passed when it
 * did not. */
TEST(record_command)
{
    ASSERT_STR_EQ(
        dump(sc_record_command(WALL, false, "go", NULL, "ws", "127.0.0.1:5123", true, NULL, NULL)),
        "{\"kind\":\"command\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":false,"
        "\"cmd\":\"go\",\"args\":{},\"door\":\"ws\",\"source\":\"127.0.0.1:5123\","
        "\"ok\":true,\"error\":null}");
    ASSERT_STR_EQ(
        dump(sc_record_command(WALL, true, "skip", json_pack("{s:s}", "item", "zz"), "http",
                               "127.0.0.1:40000", false, "unknown_item", "no item \"zz\"")),
        "{\"kind\":\"command\",\"wall\":\"" WALL_ISO "\",\"rehearsal\":true,"
        "\"cmd\":\"skip\",\"args\":{\"item\":\"zz\"},\"door\":\"http\","
        "\"source\":\"127.0.0.1:40000\",\"ok\":false,"
        "\"error\":{\"code\":\"unknown_item\",\"message\":\"no item \\\"zz\\\"\"}}");
    json_t *r = sc_record_command(WALL, false, "hold", NULL, "osc", "127.0.0.1:9000", true,
                                  "internal", "ignored");
    ASSERT_TRUE(json_is_null(json_object_get(r, "error")));
    json_decref(r);
}

/* The args are stolen: the record holds the caller's object, with the one
 * reference the caller had, and frees it with itself. */
TEST(record_command_steals_args)
{
    json_t *args = json_pack("{s:s}", "item", "b");
    ASSERT_EQ(args->refcount, 1);
    json_t *r = sc_record_command(WALL, false, "goto", args, "ws", "x", true, NULL, NULL);
    ASSERT_TRUE(json_object_get(r, "args") == args);
    ASSERT_EQ(args->refcount, 1);
    json_decref(r);
}

/* An error as every door and the log write it. */
TEST(record_error_json)
{
    ASSERT_STR_EQ(dump(sc_error_json("bad_argument", "seconds must be a number")),
                  "{\"code\":\"bad_argument\",\"message\":\"seconds must be a number\"}");
}

/* ---- Reading ------------------------------------------------------------------- */

/* The item records come back as the show's records: the kind, the item's
 * index, the cause, and the show time of "actual" (not of "wall"), which is
 * actual minus the show day's midnight. */
TEST(record_read_item_records)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    int64_t actual = MIDNIGHT + H(17, 0, 1) + 250001000;
    rd_show_event_t ev = {RD_SHOW_EV_ITEM_START, 1, 0, RD_BY_HARD_START};
    const sc_record_t *o =
        read_back(&f, sc_record_show_event(WALL, false, &ev, &f.r.items[1], 0, actual));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->wall_ns, WALL);
    ASSERT_EQ(o->show.kind, RD_REC_ITEM_START);
    ASSERT_EQ(o->show.item, 1);
    ASSERT_EQ(o->show.cue, -1);
    ASSERT_EQ(o->show.cause, RD_BY_HARD_START);
    ASSERT_EQ(o->show.at_ns, H(17, 0, 1) + 250001000);

    ev = (rd_show_event_t){RD_SHOW_EV_ITEM_END, 0, 0, RD_BY_GOTO};
    o = read_back(&f, sc_record_show_event(WALL, false, &ev, &f.r.items[0], WALL, actual + 7000));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.kind, RD_REC_ITEM_END);
    ASSERT_EQ(o->show.item, 0);
    ASSERT_EQ(o->show.cause, RD_BY_GOTO);
    ASSERT_EQ(o->show.at_ns, H(17, 0, 1) + 250008000);

    ev = (rd_show_event_t){RD_SHOW_EV_ITEM_SKIPPED, 2, 0, RD_BY_SKIP};
    o = read_back(&f, sc_record_show_event(WALL, false, &ev, &f.r.items[2], 0, actual));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.kind, RD_REC_ITEM_SKIPPED);
    ASSERT_EQ(o->show.item, 2);
    ASSERT_EQ(o->show.cause, RD_BY_SKIP);

    ev = (rd_show_event_t){RD_SHOW_EV_ITEM_RESTORED, 0, 0, RD_BY_BACK};
    o = read_back(&f, sc_record_show_event(WALL, false, &ev, &f.r.items[0], 0, actual));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.kind, RD_REC_ITEM_RESTORED);
    ASSERT_EQ(o->show.item, 0);
    ASSERT_EQ(o->show.cause, RD_BY_BACK);
    ASSERT_EQ(o->show.at_ns, H(17, 0, 1) + 250001000);
    fx_close(&f);
}

/* An item record that names an item the rundown lacks, or that has no
 * cause or time to replay, is of no use to a resume. */
TEST(record_read_item_record_the_rundown_cannot_take)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    rd_show_event_t ev = {RD_SHOW_EV_ITEM_START, 0, 0, RD_BY_GO};
    json_t *r = sc_record_show_event(WALL, false, &ev, &f.r.items[0], 0, WALL);
    json_object_set_new(r, "item", json_string("zz"));
    ASSERT_EQ(read_back(&f, r)->kind, SC_REC_OTHER);

    r = sc_record_show_event(WALL, false, &ev, &f.r.items[0], 0, WALL);
    json_object_set_new(r, "cause", json_string("luck"));
    ASSERT_EQ(read_back(&f, r)->kind, SC_REC_OTHER);

    r = sc_record_show_event(WALL, false, &ev, &f.r.items[0], 0, WALL);
    json_object_del(r, "actual");
    ASSERT_EQ(read_back(&f, r)->kind, SC_REC_OTHER);

    ev = (rd_show_event_t){RD_SHOW_EV_ITEM_SKIPPED, 0, 0, RD_BY_SKIP};
    r = sc_record_show_event(WALL, false, &ev, &f.r.items[0], 0, WALL);
    json_object_set_new(r, "item", json_string("zz"));
    ASSERT_EQ(read_back(&f, r)->kind, SC_REC_OTHER);

    r = sc_record_new("item_started", WALL, false);
    json_object_set_new(r, "item", json_string("a"));
    ASSERT_EQ(read_back(&f, r)->kind, SC_REC_OTHER);
    fx_close(&f);
}

/* Only commands that went through change the show; hold, resume and panic
 * happen at the record's wall time, on no item. */
TEST(record_read_hold_resume_panic)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    ASSERT_EQ(read_back(&f, command("hold", NULL, false))->kind, SC_REC_OTHER);
    ASSERT_EQ(read_back(&f, command("panic", NULL, false))->kind, SC_REC_OTHER);
    static const struct {
        const char *cmd;
        rd_show_rec_kind_t kind;
    } cases[] = {{"hold", RD_REC_HOLD}, {"resume", RD_REC_RESUME}, {"panic", RD_REC_PANIC}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sc_record_t *o = read_back(&f, command(cases[i].cmd, NULL, true));
        ASSERT_EQ(o->kind, SC_REC_SHOW);
        ASSERT_EQ(o->show.kind, cases[i].kind);
        ASSERT_EQ(o->wall_ns, WALL);
        ASSERT_EQ(o->show.at_ns, WALL - MIDNIGHT);
        ASSERT_EQ(o->show.item, -1);
    }
    fx_close(&f);
}

/* The log writes an add's ns as seconds in a double; reading it back gives
 * exactly the command's ns, including values a double cannot hold as
 * seconds (0.1 s) and negative ones. */
TEST(record_read_add_is_exact)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    /* 4.1 s and -8.2 s are among those a plain cast would get wrong by 1 ns. */
    static const int64_t values[] = {
        MS(100), -MS(1500), MS(4100),       -MS(8200),      1, -1, 333333333,
        0,       123456789, 86399999999999, -86399999999999};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        json_t *args = json_object();
        json_object_set_new(args, "seconds", json_real((double)values[i] / 1e9));
        const sc_record_t *o = read_back(&f, command("add", args, true));
        ASSERT_EQ(o->kind, SC_REC_SHOW);
        ASSERT_EQ(o->show.kind, RD_REC_ADD);
        ASSERT_EQ(o->show.add_ns, values[i]);
        ASSERT_EQ(o->show.at_ns, WALL - MIDNIGHT);
    }
    json_t *args = json_pack("{s:f}", "seconds", 30.0);
    ASSERT_EQ(read_back(&f, command("add", args, false))->kind, SC_REC_OTHER);
    fx_close(&f);
}

/* Rehearsal on and off; skip marks (no "on", or "on": true) or unmarks an
 * item by its index, and an unknown item makes it of no use. */
TEST(record_read_rehearsal_and_skip)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    const sc_record_t *o = read_back(&f, command("rehearsal", json_pack("{s:b}", "on", 1), true));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.kind, RD_REC_REHEARSAL);
    ASSERT_TRUE(o->show.on);
    o = read_back(&f, command("rehearsal", json_pack("{s:b}", "on", 0), true));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.kind, RD_REC_REHEARSAL);
    ASSERT_FALSE(o->show.on);

    o = read_back(&f, command("skip", json_pack("{s:s}", "item", "c"), true));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.kind, RD_REC_SKIP);
    ASSERT_EQ(o->show.item, 2);
    ASSERT_TRUE(o->show.on);
    o = read_back(&f, command("skip", json_pack("{s:s, s:b}", "item", "b", "on", 1), true));
    ASSERT_EQ(o->show.kind, RD_REC_SKIP);
    ASSERT_EQ(o->show.item, 1);
    ASSERT_TRUE(o->show.on);
    o = read_back(&f, command("skip", json_pack("{s:s, s:b}", "item", "b", "on", 0), true));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.kind, RD_REC_SKIP);
    ASSERT_EQ(o->show.item, 1);
    ASSERT_FALSE(o->show.on);
    ASSERT_EQ(read_back(&f, command("skip", json_pack("{s:s}", "item", "zz"), true))->kind,
              SC_REC_OTHER);
    ASSERT_EQ(read_back(&f, command("skip", json_pack("{s:s}", "item", "b"), false))->kind,
              SC_REC_OTHER);
    fx_close(&f);
}

/* The stage message: its text and color (borrowed from the record, "" when
 * it has none) at the record's wall time; and its clearing. */
TEST(record_read_message)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    const sc_record_t *o = read_back(
        &f, command("message", json_pack("{s:s, s:s}", "text", "Wrap up", "color", "red"), true));
    ASSERT_EQ(o->kind, SC_REC_MESSAGE);
    ASSERT_STR_EQ(o->text, "Wrap up");
    ASSERT_STR_EQ(o->color, "red");
    ASSERT_EQ(o->wall_ns, WALL);
    o = read_back(&f, command("message", json_pack("{s:s}", "text", "Hi"), true));
    ASSERT_EQ(o->kind, SC_REC_MESSAGE);
    ASSERT_STR_EQ(o->text, "Hi");
    ASSERT_STR_EQ(o->color, "");
    ASSERT_EQ(read_back(&f, command("message", json_pack("{s:s}", "text", "No"), false))->kind,
              SC_REC_OTHER);
    o = read_back(&f, command("clear_message", NULL, true));
    ASSERT_EQ(o->kind, SC_REC_CLEAR_MESSAGE);
    ASSERT_EQ(o->wall_ns, WALL);
    ASSERT_EQ(read_back(&f, command("clear_message", NULL, false))->kind, SC_REC_OTHER);
    fx_close(&f);
}

/* go, goto and back are replayed through the item records they caused, so
 * their command records are of no use; neither are fire and reload. */
TEST(record_read_jumps_are_other)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    ASSERT_EQ(read_back(&f, command("go", NULL, true))->kind, SC_REC_OTHER);
    ASSERT_EQ(read_back(&f, command("goto", json_pack("{s:s}", "item", "b"), true))->kind,
              SC_REC_OTHER);
    ASSERT_EQ(read_back(&f, command("back", NULL, true))->kind, SC_REC_OTHER);
    ASSERT_EQ(read_back(&f, command("fire", json_pack("{s:s}", "cue", "a1"), true))->kind,
              SC_REC_OTHER);
    ASSERT_EQ(read_back(&f, command("reload", NULL, true))->kind, SC_REC_OTHER);
    fx_close(&f);
}

/* A cue sent, failed or missed is done for its run: the cue's item and its
 * index in the item, found by the cue's id, at the record's wall time. A
 * skipped cue may come back, and a cue the rundown lacks is of no use. */
TEST(record_read_cue_records)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    static const struct {
        const char *cue, *outcome;
        int item, index;
    } cases[] = {{"a2", "sent", 0, 1}, {"b1", "failed", 1, 0}, {"a1", "missed", 0, 0}};
    sc_record_cue_t c_old_style = {"a1", "a", "sw", "osc.udp", WALL, WALL, 0, "sent", 0, 3};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* The item the record names is not what finds the cue. */
        sc_record_cue_t c = {
            cases[i].cue,     "c", "sw",           "osc.udp", WALL - MS(5), WALL, MS(5),
            cases[i].outcome, 0,   (uint32_t)i + 1};
        const sc_record_t *o = read_back(&f, sc_record_cue(WALL + SEC(1), false, &c));
        ASSERT_EQ(o->kind, SC_REC_SHOW);
        ASSERT_EQ(o->show.kind, RD_REC_CUE_DONE);
        ASSERT_EQ(o->show.item, cases[i].item);
        ASSERT_EQ(o->show.cue, cases[i].index);
        ASSERT_EQ(o->show.run, i + 1);
        ASSERT_EQ(o->show.at_ns, WALL + SEC(1) - MIDNIGHT);
    }
    sc_record_cue_t skipped = {"a1", "a", "sw", "osc.udp", WALL, 0, 0, "skipped", 0, 1};
    ASSERT_EQ(read_back(&f, sc_record_cue(WALL, false, &skipped))->kind, SC_REC_OTHER);
    sc_record_cue_t unknown = {"zz", "a", "sw", "osc.udp", WALL, WALL, 0, "sent", 0, 1};
    ASSERT_EQ(read_back(&f, sc_record_cue(WALL, false, &unknown))->kind, SC_REC_OTHER);
    /* Fired by hand (run 0): it counts for no run, as live. */
    sc_record_cue_t fired = {"a1", "a", "sw", "osc.udp", 0, WALL, 0, "sent", 0, 0};
    ASSERT_EQ(read_back(&f, sc_record_cue(WALL, false, &fired))->kind, SC_REC_OTHER);
    /* A log from before "run": the show guesses the run (run 0 here). */
    json_t *old = sc_record_cue(WALL, false, &c_old_style);
    json_object_del(old, "run");
    const sc_record_t *o = read_back(&f, old);
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.run, 0);
    sc_record_answer_t a = {"a1", "a", "sw", 3, "ok", 1000, "200 ok", WALL};
    const sc_record_t *ar = read_back(&f, sc_record_answer(WALL, false, &a));
    ASSERT_EQ(ar->kind, SC_REC_OTHER);
    ASSERT_TRUE(ar->answer.present);
    ASSERT_EQ(ar->answer.cue_seq, 3);
    ASSERT_STR_EQ(ar->answer.answer, "ok");
    ASSERT_STR_EQ(ar->answer.detail, "200 ok");
    ASSERT_EQ(ar->answer.answer_us, 1);
    ASSERT_EQ(ar->answer.answered_wall_ns, WALL);
    fx_close(&f);
}

/* A daemon start and a reload name their rundown by its hash ("" when the
 * record has none); the end of the show is the show's record at its wall
 * time; other daemon events are of no use. */
TEST(record_read_daemon_records)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    json_t *r = sc_record_daemon(WALL, false, "start", "started");
    json_object_set_new(r, "rundown", json_string("show.json"));
    json_object_set_new(r, "rundown_hash", json_string("00000000deadbeef"));
    json_object_set_new(r, "resumed", json_false());
    const sc_record_t *o = read_back(&f, r);
    ASSERT_EQ(o->kind, SC_REC_START);
    ASSERT_STR_EQ(o->hash, "00000000deadbeef");
    ASSERT_EQ(o->wall_ns, WALL);

    r = sc_record_daemon(WALL, false, "reload", "reloaded");
    json_object_set_new(r, "rundown_hash", json_string("0123456789abcdef"));
    o = read_back(&f, r);
    ASSERT_EQ(o->kind, SC_REC_RELOAD);
    ASSERT_STR_EQ(o->hash, "0123456789abcdef");

    o = read_back(&f, sc_record_daemon(WALL, false, "start", "started"));
    ASSERT_EQ(o->kind, SC_REC_START);
    ASSERT_STR_EQ(o->hash, "");

    rd_show_event_t ev = {RD_SHOW_EV_ENDED, -1, 0, RD_BY_GO};
    o = read_back(&f, sc_record_show_event(WALL, false, &ev, NULL, 0, WALL));
    ASSERT_EQ(o->kind, SC_REC_SHOW);
    ASSERT_EQ(o->show.kind, RD_REC_SHOW_ENDED);
    ASSERT_EQ(o->show.at_ns, WALL - MIDNIGHT);

    ASSERT_EQ(read_back(&f, sc_record_daemon(WALL, false, "stop", "bye"))->kind, SC_REC_OTHER);
    ASSERT_EQ(read_back(&f, sc_record_daemon(WALL, false, "clock_step", "x"))->kind, SC_REC_OTHER);
    o = read_back(&f, json_pack("{s:s}", "kind", "mystery"));
    ASSERT_EQ(o->kind, SC_REC_OTHER);
    ASSERT_EQ(o->wall_ns, 0);
    fx_close(&f);
}

/* The log's time texts back to wall-clock ns, and 0 for what is not one. */
TEST(record_parse_iso)
{
    ASSERT_EQ(sc_record_parse_iso(WALL_ISO), WALL);
    ASSERT_EQ(sc_record_parse_iso("1970-01-01T00:00:00.000001Z"), 1000);
    ASSERT_EQ(sc_record_parse_iso("2026-11-27T00:00:00.000000Z"), MIDNIGHT);
    ASSERT_EQ(sc_record_parse_iso("2024-02-29T23:59:59.999999Z"),
              INT64_C(1709251199) * RD_NS_PER_S + 999999000);
    ASSERT_EQ(sc_record_parse_iso(NULL), 0);
    ASSERT_EQ(sc_record_parse_iso(""), 0);
    ASSERT_EQ(sc_record_parse_iso("yesterday"), 0);
    ASSERT_EQ(sc_record_parse_iso("2026-11-27T17:00:00Z"), 0);
    ASSERT_EQ(sc_record_parse_iso("2026-11-27 17:00:00.000123Z"), 0);
    ASSERT_EQ(sc_record_parse_iso("2026-11-27T17:00"), 0);

    /* Whatever sc_iso8601 writes reads back to the microsecond. */
    static const int64_t walls[] = {WALL, MIDNIGHT + 1000, MIDNIGHT + H(23, 59, 59) + 999999000,
                                    INT64_C(4102444800) * RD_NS_PER_S + 5000};
    for (size_t i = 0; i < sizeof walls / sizeof walls[0]; i++) {
        json_t *r = sc_record_new("x", walls[i], false);
        ASSERT_EQ(sc_record_parse_iso(json_string_value(json_object_get(r, "wall"))), walls[i]);
        json_decref(r);
    }
}

/* Only the exact form sc_iso8601 writes is a time: without its Z or with an
 * offset it would read as UTC (two hours off here), ".5" as 5 us instead of
 * half a second, and timegm would normalise an impossible date. Each is 0. */
TEST(record_parse_iso_refuses_near_misses)
{
    static const char *const texts[] = {
        "2026-11-27T17:00:00.000123",       /* no Z */
        "2026-11-27T17:00:00.000123+02:00", /* an offset, not UTC */
        "2026-11-27T17:00:00.5Z",           /* not six digits */
        "2026-13-45T17:00:00.000000Z",      /* no such day */
    };
    char got[512] = "", want[512] = "";
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t g = strlen(got), w = strlen(want);
        snprintf(got + g, sizeof got - g, "%s=%lld; ", texts[i],
                 (long long)sc_record_parse_iso(texts[i]));
        snprintf(want + w, sizeof want - w, "%s=0; ", texts[i]);
    }
    ASSERT_STR_EQ(got, want);
}

/* A timed message says how long it stays; every cue record, skipped too,
 * gives what the screens' cue log and the target counters need. */
TEST(record_read_message_duration_and_cue_log)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    const sc_record_t *o = read_back(
        &f, command("message", json_pack("{s:s, s:f}", "text", "WRAP", "seconds", 2.5), true));
    ASSERT_EQ(o->kind, SC_REC_MESSAGE);
    ASSERT_EQ(o->duration_ns, 2500000000LL);
    o = read_back(&f, command("message", json_pack("{s:s}", "text", "STAY"), true));
    ASSERT_EQ(o->duration_ns, 0);
    sc_record_cue_t c = {"a1", "a", "sw", "osc.udp", WALL, WALL + 4000, 4000, "skipped", 0, 1};
    o = read_back(&f, sc_record_cue(WALL, false, &c));
    ASSERT_EQ(o->kind, SC_REC_OTHER);
    ASSERT_TRUE(o->cue.present);
    ASSERT_STR_EQ(o->cue.cue, "a1");
    ASSERT_STR_EQ(o->cue.target, "sw");
    ASSERT_STR_EQ(o->cue.outcome, "skipped");
    ASSERT_EQ(o->cue.scheduled_wall_ns, WALL);
    ASSERT_EQ(o->cue.sent_wall_ns, WALL + 4000);
    ASSERT_EQ(o->cue.lateness_us, 4);
    o = read_back(&f, sc_record_daemon(WALL, false, "stop", "x"));
    ASSERT_FALSE(o->cue.present);
    fx_close(&f);
}
