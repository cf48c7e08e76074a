/* Tests for daemon/show/dispatch.c: refusals, the GO guard, the stage message, reload, and the
 * command records. */
#include <stdio.h>
#include <string.h>

#include "engine_fixture.h"
#include "unit.h"

#define ITEM_A "{'id': 'a', 'title': 'A', 'duration': '60s', 'cues': [" EF_CUE("a1", "0") "]}"
#define ITEM_B "{'id': 'b', 'title': 'B', 'duration': '60s', 'cues': [" EF_CUE("b1", "0") "]}"
#define ITEMS_AB ITEM_A "," ITEM_B

/* The config's guard is one second: a second GO in a test is always within it. */
#define CONFIG_GUARD "{'go_guard': '1s', 'targets': {'sw': {'url': 'osc.udp://127.0.0.1:9'}}}"

static sc_command_t command(sc_cmd_id_t id, sc_door_t door)
{
    sc_command_t c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.on = true;
    c.door = door;
    snprintf(c.source, sizeof c.source, "127.0.0.1:5123");
    return c;
}

/* The reload callback counts its calls and fails when the test says so. */
typedef struct {
    int calls;
    bool fail;
} reload_log_t;

static void reload(void *ctx, sc_result_t *r)
{
    ef_t *f = ctx;
    reload_log_t *log = f->user;
    log->calls++;
    if (log->fail)
        sc_result_error(r, SC_ERR_RELOAD_FAILED, "rundown.json:3:5: expected a string");
}

/* A caller the door refused changes nothing: the show stays idle, no cue
 * goes out, and the refusal is logged as a failed command with the door and
 * the source. Nothing screens show changed, so there is no push. */
TEST(dispatch_refuses_a_caller_the_websocket_door_refused)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, NULL));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    sc_command_t c = command(SC_CMD_GO, SC_DOOR_WS);
    sc_result_t r;
    uint64_t seq = sc_dispatch_run(d, &c, false, &r);
    ASSERT_FALSE(r.ok);
    ASSERT_EQ(r.err, SC_ERR_UNAUTHORIZED);
    ASSERT_STR_EQ(r.code, "unauthorized");
    ASSERT_STR_EQ(r.message, "control needs the control token");
    ASSERT_EQ(sc_engine_show(f.engine)->state, RD_SHOW_IDLE);
    ASSERT_EQ(f.nsends, 0);
    ASSERT_EQ(ef_nrecords(&f), 1);
    ASSERT_EQ(seq, 1);
    json_t *rec = ef_record(&f, seq);
    ASSERT_STR_EQ(ef_str(rec, "kind"), "command");
    ASSERT_STR_EQ(ef_str(rec, "cmd"), "go");
    ASSERT_STR_EQ(ef_str(rec, "door"), "ws");
    ASSERT_STR_EQ(ef_str(rec, "source"), "127.0.0.1:5123");
    ASSERT_TRUE(json_is_false(json_object_get(rec, "ok")));
    ASSERT_STR_EQ(ef_str2(rec, "error", "code"), "unauthorized");
    ASSERT_STR_EQ(ef_str2(rec, "error", "message"), r.message);
    ASSERT_EQ(f.dispatch_changed, 0);
    ASSERT_EQ(ef_close(&f), 0);
}

/* The OSC door refuses by address, and says so. */
TEST(dispatch_refuses_a_caller_the_osc_door_refused)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, NULL));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    sc_command_t c = command(SC_CMD_MESSAGE, SC_DOOR_OSC);
    snprintf(c.text, sizeof c.text, "hello");
    sc_result_t r;
    sc_dispatch_run(d, &c, false, &r);
    ASSERT_EQ(r.err, SC_ERR_UNAUTHORIZED);
    ASSERT_STR_EQ(r.message, "OSC control is accepted only from osc.allow");
    ASSERT_STR_EQ(sc_dispatch_message(d)->text, ""); /* the message was not set */
    json_t *rec = ef_last(&f, "command");
    ASSERT_STR_EQ(ef_str(rec, "door"), "osc");
    ASSERT_STR_EQ(ef_str2(rec, "error", "code"), "unauthorized");
    ASSERT_STR_EQ(ef_str2(rec, "error", "message"), "OSC control is accepted only from osc.allow");
    ASSERT_STR_EQ(ef_str2(rec, "args", "text"), "hello");
    ASSERT_EQ(ef_close(&f), 0);
}

/* A GO runs on the engine and its command record comes after the show's
 * own; the seq returned is the command record's. A second GO within the
 * config's go_guard is refused and logged, and the show stays where it was. */
TEST(dispatch_go_runs_and_a_second_go_within_go_guard_is_refused)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, CONFIG_GUARD));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    sc_command_t c = command(SC_CMD_GO, SC_DOOR_HTTP);
    sc_result_t r;
    uint64_t seq = sc_dispatch_run(d, &c, true, &r);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(f.nsends, 1);
    ASSERT_EQ(ef_nrecords(&f), 2);
    ASSERT_STR_EQ(ef_str(ef_record(&f, 1), "kind"), "item_start");
    ASSERT_EQ(seq, 2);
    json_t *rec = ef_record(&f, seq);
    ASSERT_STR_EQ(ef_str(rec, "kind"), "command");
    ASSERT_STR_EQ(ef_str(rec, "cmd"), "go");
    ASSERT_STR_EQ(ef_str(rec, "door"), "http");
    ASSERT_TRUE(json_is_true(json_object_get(rec, "ok")));
    ASSERT_TRUE(json_is_null(json_object_get(rec, "error")));

    seq = sc_dispatch_run(d, &c, true, &r);
    ASSERT_FALSE(r.ok);
    ASSERT_EQ(r.err, SC_ERR_GO_GUARD);
    ASSERT_STR_EQ(r.code, "go_guard");
    ASSERT_CONTAINS(r.message, "go_guard is 1.000 s");
    ASSERT_EQ(seq, 3);
    ASSERT_EQ(ef_nrecords(&f), 3);
    rec = ef_record(&f, seq);
    ASSERT_TRUE(json_is_false(json_object_get(rec, "ok")));
    ASSERT_STR_EQ(ef_str2(rec, "error", "code"), "go_guard");
    ASSERT_STR_EQ(ef_str2(rec, "error", "message"), r.message);
    ASSERT_EQ(sc_engine_show(f.engine)->current, 0);
    ASSERT_EQ(ef_count(&f, "item_start"), 1);
    ASSERT_EQ(f.nsends, 1);
    ASSERT_EQ(ef_close(&f), 0);
}

/* Only a GO that ran starts the guard: one the show refused does not keep
 * the next, good GO waiting. */
TEST(dispatch_a_refused_go_does_not_start_the_guard)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", "{'id': 'a', 'title': 'A', 'duration': '60s'}", CONFIG_GUARD));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    sc_command_t skip = command(SC_CMD_SKIP, SC_DOOR_WS);
    snprintf(skip.item, sizeof skip.item, "a");
    sc_command_t go = command(SC_CMD_GO, SC_DOOR_WS);
    sc_result_t r;
    sc_dispatch_run(d, &skip, true, &r);
    ASSERT_TRUE(r.ok);
    sc_dispatch_run(d, &go, true, &r);
    ASSERT_EQ(r.err, SC_ERR_NOTHING_NEXT);
    skip.on = false;
    sc_dispatch_run(d, &skip, true, &r);
    ASSERT_TRUE(r.ok);
    sc_dispatch_run(d, &go, true, &r);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(sc_engine_show(f.engine)->state, RD_SHOW_RUNNING);
    ASSERT_EQ(ef_close(&f), 0);
}

/* A refusal of the show's state machine is logged with its wire code, the
 * command's arguments and its sentence. */
TEST(dispatch_logs_what_the_engine_refused)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, NULL));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    sc_command_t c = command(SC_CMD_GOTO, SC_DOOR_WS);
    snprintf(c.item, sizeof c.item, "nope");
    sc_result_t r;
    uint64_t seq = sc_dispatch_run(d, &c, true, &r);
    ASSERT_EQ(r.err, SC_ERR_UNKNOWN_ITEM);
    json_t *rec = ef_record(&f, seq);
    ASSERT_STR_EQ(ef_str(rec, "cmd"), "goto");
    ASSERT_STR_EQ(ef_str2(rec, "args", "item"), "nope");
    ASSERT_STR_EQ(ef_str2(rec, "error", "code"), "unknown_item");
    ASSERT_STR_EQ(ef_str2(rec, "error", "message"), "no item has the id \"nope\"");
    ASSERT_EQ(ef_close(&f), 0);
}

/* message sets the stage message with the time it was set (wall clock, ms);
 * clear_message clears all of it. Both are logged. */
TEST(dispatch_message_sets_and_clear_message_clears)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, NULL));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    ASSERT_STR_EQ(sc_dispatch_message(d)->text, "");
    sc_command_t c = command(SC_CMD_MESSAGE, SC_DOOR_WS);
    snprintf(c.text, sizeof c.text, "Wrap up");
    snprintf(c.color, sizeof c.color, "red");
    sc_result_t r;
    int64_t before = sc_wall_ns() / 1000000;
    uint64_t seq = sc_dispatch_run(d, &c, true, &r);
    int64_t after = sc_wall_ns() / 1000000;
    ASSERT_TRUE(r.ok);
    const sc_message_t *m = sc_dispatch_message(d);
    ASSERT_STR_EQ(m->text, "Wrap up");
    ASSERT_STR_EQ(m->color, "red");
    ASSERT_TRUE(m->since_ms >= before && m->since_ms <= after);
    json_t *rec = ef_record(&f, seq);
    ASSERT_STR_EQ(ef_str(rec, "cmd"), "message");
    ASSERT_STR_EQ(ef_str2(rec, "args", "text"), "Wrap up");
    ASSERT_STR_EQ(ef_str2(rec, "args", "color"), "red");

    c = command(SC_CMD_CLEAR_MESSAGE, SC_DOOR_WS);
    seq = sc_dispatch_run(d, &c, true, &r);
    ASSERT_TRUE(r.ok);
    ASSERT_STR_EQ(m->text, "");
    ASSERT_STR_EQ(m->color, "");
    ASSERT_EQ(m->since_ms, 0);
    ASSERT_STR_EQ(ef_str(ef_record(&f, seq), "cmd"), "clear_message");
    ASSERT_EQ(sc_engine_show(f.engine)->state, RD_SHOW_IDLE); /* the show is not involved */
    ASSERT_EQ(ef_close(&f), 0);
}

/* A resume sets the message as the log had it, without a command: nothing is
 * logged, NULL reads as none, and text too long for the message is cut. */
TEST(dispatch_set_message_sets_it_as_given)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, NULL));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    sc_dispatch_set_message(d, "Stand by", "#ff0000", 1234567, 0);
    const sc_message_t *m = sc_dispatch_message(d);
    ASSERT_STR_EQ(m->text, "Stand by");
    ASSERT_STR_EQ(m->color, "#ff0000");
    ASSERT_EQ(m->since_ms, 1234567);
    sc_dispatch_set_message(d, NULL, NULL, 0, 0);
    ASSERT_STR_EQ(m->text, "");
    ASSERT_STR_EQ(m->color, "");
    char long_text[SC_TEXT_MAX + 20];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    sc_dispatch_set_message(d, long_text, "a-colour-name-too-long", 1, 0);
    ASSERT_EQ(strlen(m->text), SC_TEXT_MAX);
    ASSERT_EQ(strlen(m->color), sizeof m->color - 1);
    ASSERT_EQ(ef_nrecords(&f), 0);
    ASSERT_EQ(f.dispatch_changed, 0);
    ASSERT_EQ(ef_close(&f), 0);
}

/* reload is the process's work: the dispatcher calls the environment's
 * callback and logs what it answered. */
TEST(dispatch_reload_calls_the_environment)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, NULL));
    reload_log_t log = {0, false};
    f.user = &log;
    sc_dispatch_t *d = ef_dispatch(&f, reload);
    sc_command_t c = command(SC_CMD_RELOAD, SC_DOOR_SIGNAL);
    snprintf(c.source, sizeof c.source, "SIGHUP");
    sc_result_t r;
    uint64_t seq = sc_dispatch_run(d, &c, true, &r);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(log.calls, 1);
    json_t *rec = ef_record(&f, seq);
    ASSERT_STR_EQ(ef_str(rec, "cmd"), "reload");
    ASSERT_STR_EQ(ef_str(rec, "door"), "signal");
    ASSERT_STR_EQ(ef_str(rec, "source"), "SIGHUP");
    ASSERT_TRUE(json_is_true(json_object_get(rec, "ok")));

    log.fail = true;
    seq = sc_dispatch_run(d, &c, true, &r);
    ASSERT_EQ(log.calls, 2);
    ASSERT_EQ(r.err, SC_ERR_RELOAD_FAILED);
    rec = ef_record(&f, seq);
    ASSERT_STR_EQ(ef_str2(rec, "error", "code"), "reload_failed");
    ASSERT_STR_EQ(ef_str2(rec, "error", "message"), "rundown.json:3:5: expected a string");
    ASSERT_EQ(ef_close(&f), 0);
}

/* Without a reload callback (a dispatcher with no files behind it) reload is
 * refused as a command this dispatcher cannot run. */
TEST(dispatch_reload_without_a_callback_is_refused)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, NULL));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    sc_command_t c = command(SC_CMD_RELOAD, SC_DOOR_FILE);
    sc_result_t r;
    uint64_t seq = sc_dispatch_run(d, &c, true, &r);
    ASSERT_FALSE(r.ok);
    ASSERT_EQ(r.err, SC_ERR_BAD_COMMAND);
    ASSERT_STR_EQ(r.code, "bad_command");
    ASSERT_STR_EQ(r.message, "reload is not possible here");
    json_t *rec = ef_record(&f, seq);
    ASSERT_STR_EQ(ef_str(rec, "door"), "file");
    ASSERT_STR_EQ(ef_str2(rec, "error", "code"), "bad_command");
    ASSERT_EQ(ef_close(&f), 0);
}

/* Every command a door let through tells screens to refresh once, whether it
 * ran or was refused, and each returns its own command record's seq. */
TEST(dispatch_every_run_reports_a_change_and_its_record)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, CONFIG_GUARD));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    /* Run, refused by the guard, run, refused by the show, run, run, run,
     * refused for want of a reload callback, refused for an unknown item. */
    static const sc_cmd_id_t ids[] = {
        SC_CMD_GO,     SC_CMD_GO,      SC_CMD_HOLD,          SC_CMD_HOLD,
        SC_CMD_RESUME, SC_CMD_MESSAGE, SC_CMD_CLEAR_MESSAGE, SC_CMD_RELOAD,
        SC_CMD_GOTO};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        sc_command_t c = command(ids[i], SC_DOOR_WS);
        snprintf(c.text, sizeof c.text, "m");
        snprintf(c.item, sizeof c.item, "nope");
        sc_result_t r;
        int before = f.dispatch_changed;
        uint64_t seq = sc_dispatch_run(d, &c, true, &r);
        ASSERT_EQ(f.dispatch_changed, before + 1);
        ASSERT_EQ(seq, ef_nrecords(&f)); /* the command record is the last one */
        json_t *rec = ef_record(&f, seq);
        ASSERT_STR_EQ(ef_str(rec, "kind"), "command");
        ASSERT_STR_EQ(ef_str(rec, "cmd"), sc_command_name(ids[i]));
        ASSERT_EQ(json_is_true(json_object_get(rec, "ok")), r.ok);
    }
    ASSERT_EQ(ef_count(&f, "command"), sizeof ids / sizeof ids[0]);
    ASSERT_EQ(ef_close(&f), 0);
}

/* A message with a duration clears itself when its time is up (the loop's
 * timer does it, and screens are told); one without stays; a new message
 * replaces the timed one and its timer. */
TEST(dispatch_timed_message_clears_itself)
{
    ef_t f;
    ASSERT_TRUE(ef_open(&f, "", ITEMS_AB, NULL));
    sc_dispatch_t *d = ef_dispatch(&f, NULL);
    sc_command_t c = command(SC_CMD_MESSAGE, SC_DOOR_WS);
    snprintf(c.text, sizeof c.text, "30 seconds");
    c.duration_ns = 40 * 1000000;
    sc_result_t r;
    int64_t before = sc_wall_ns() / 1000000;
    uint64_t seq = sc_dispatch_run(d, &c, true, &r);
    ASSERT_TRUE(r.ok);
    const sc_message_t *m = sc_dispatch_message(d);
    ASSERT_TRUE(m->until_ms >= before + 40 && m->until_ms <= sc_wall_ns() / 1000000 + 40);
    json_t *args = json_object_get(ef_record(&f, seq), "args");
    ASSERT_TRUE(json_real_value(json_object_get(args, "seconds")) > 0.039);
    uv_run(&f.loop, UV_RUN_ONCE); /* the timer: at most its 40 ms */
    ASSERT_STR_EQ(m->text, "");
    ASSERT_EQ(m->until_ms, 0);
    ASSERT_TRUE(sc_wall_ns() / 1000000 >= before + 39);

    /* A timed one replaced by one that stays: the old timer does not clear it. */
    sc_dispatch_set_message(d, "soon gone", "", 1, sc_wall_ns() / 1000000 + 20);
    c.duration_ns = 0;
    snprintf(c.text, sizeof c.text, "stays");
    sc_dispatch_run(d, &c, true, &r);
    ASSERT_EQ(m->until_ms, 0);
    uv_run(&f.loop, UV_RUN_NOWAIT);
    ASSERT_STR_EQ(m->text, "stays");
    ASSERT_EQ(ef_close(&f), 0);
}
