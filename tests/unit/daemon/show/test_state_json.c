/* Tests for daemon/show/state_json.c: the state screens are pushed, /api/rundown and what OSC
 * subscribers are told. */
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"
#include "unit.h"

/* Two items that wait for GO; a has a countdown warning and a critical time. */
#define ITEM_A                                                                                     \
    "{'id': 'a', 'title': 'A', 'duration': '60s', 'warn': '10s', 'critical': '5s', "               \
    "'cues': [" EF_CUE("a1", "0") "]}"
#define ITEMS_AB ITEM_A ",{'id': 'b', 'title': 'B', 'duration': '30s'}"

static size_t three_clients(void *ctx)
{
    (void)ctx;
    return 3;
}

/* An engine, a dispatcher and a state document over them. */
static bool open_state(ef_t *f, const char *head)
{
    if (!ef_open(f, head, ITEMS_AB, NULL))
        return false;
    ef_dispatch(f, NULL);
    ef_state(f, three_clients);
    return true;
}

static void run(ef_t *f, sc_cmd_id_t id, const char *text)
{
    sc_command_t c;
    memset(&c, 0, sizeof c);
    c.id = id;
    if (text)
        snprintf(c.text, sizeof c.text, "%s", text);
    sc_result_t r;
    sc_dispatch_run(f->dispatch, &c, true, &r);
}

static json_int_t int_at(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static int64_t now_ms(void)
{
    return sc_wall_ns() / 1000000;
}

/* Before any GO: the document's head, the idle show, no current item, the
 * first item next, every item pending, no message, the target as the config
 * names it, and the screens' count. Each document takes the next seq. */
TEST(state_json_of_an_idle_show)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, ""));
    json_t *st = sc_state_json(f.state, true);
    ASSERT_STR_EQ(ef_str(st, "type"), "state");
    ASSERT_EQ(int_at(st, "seq"), 1);
    double server = json_real_value(json_object_get(st, "server_time"));
    ASSERT_TRUE(server > (double)(now_ms() - 1000) && server <= (double)now_ms() + 1);

    json_t *show = json_object_get(st, "show");
    ASSERT_STR_EQ(ef_str(show, "title"), "T");
    ASSERT_STR_EQ(ef_str(show, "state"), "idle");
    ASSERT_EQ(int_at(show, "rundown_rev"), 0);
    ASSERT_TRUE(json_is_integer(json_object_get(show, "over_under_ms")));
    ASSERT_TRUE(json_is_false(json_object_get(show, "rehearsal")));
    ASSERT_TRUE(json_is_null(json_object_get(show, "on_air")));
    ASSERT_TRUE(json_is_integer(json_object_get(show, "projected_end")));

    ASSERT_TRUE(json_is_null(json_object_get(st, "current")));
    json_t *next = json_object_get(st, "next");
    ASSERT_STR_EQ(ef_str(next, "id"), "a");
    ASSERT_EQ(int_at(next, "index"), 0);
    ASSERT_EQ(int_at(next, "duration_ms"), 60000);
    ASSERT_TRUE(json_is_integer(json_object_get(next, "starts_at")));

    json_t *items = json_object_get(st, "items");
    ASSERT_EQ(json_array_size(items), 2);
    ASSERT_STR_EQ(ef_str(json_array_get(items, 0), "id"), "a");
    ASSERT_STR_EQ(ef_str(json_array_get(items, 0), "state"), "pending");
    ASSERT_STR_EQ(ef_str(json_array_get(items, 1), "id"), "b");
    ASSERT_STR_EQ(ef_str(json_array_get(items, 1), "state"), "pending");
    ASSERT_TRUE(json_is_null(json_object_get(json_array_get(items, 0), "actual_start")));

    ASSERT_TRUE(json_is_null(json_object_get(st, "message")));
    json_t *targets = json_object_get(st, "targets");
    ASSERT_EQ(json_array_size(targets), 1);
    json_t *t = json_array_get(targets, 0);
    ASSERT_STR_EQ(ef_str(t, "name"), "sw");
    ASSERT_STR_EQ(ef_str(t, "kind"), "osc.udp");
    ASSERT_STR_EQ(ef_str(t, "url"), "osc.udp://127.0.0.1:9");
    ASSERT_STR_EQ(ef_str(t, "state"), "ready");
    ASSERT_TRUE(json_is_null(json_object_get(t, "error")));
    ASSERT_EQ(int_at(t, "sent"), 0);
    ASSERT_EQ(int_at(t, "failed"), 0);
    ASSERT_EQ(int_at(st, "clients"), 3);
    ASSERT_EQ(json_array_size(json_object_get(st, "cues")), 0);
    json_decref(st);

    st = sc_state_json(f.state, true);
    ASSERT_EQ(int_at(st, "seq"), 2);
    json_decref(st);
    ASSERT_EQ(ef_close(&f), 0);
}

/* After a GO: the current item with its start and end as wall-clock ms and
 * its countdown thresholds, the next item, the items' states, and the cue
 * and the target's counts once the cue is sent. */
TEST(state_json_after_go)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, ""));
    int64_t before = now_ms();
    run(&f, SC_CMD_GO, NULL);
    int64_t after = now_ms();
    sc_engine_target_done(f.engine, &f.targets[0], f.sends[0].key, 0, sc_mono_ns());
    f.targets[0].state = SC_TARGET_CONNECTED;
    json_t *st = sc_state_json(f.state, true);
    ASSERT_STR_EQ(ef_str(json_object_get(st, "show"), "state"), "running");

    json_t *cur = json_object_get(st, "current");
    ASSERT_TRUE(json_is_object(cur));
    ASSERT_STR_EQ(ef_str(cur, "id"), "a");
    ASSERT_STR_EQ(ef_str(cur, "title"), "A");
    ASSERT_STR_EQ(ef_str(cur, "start_rule"), "go");
    json_int_t started = int_at(cur, "started_at");
    ASSERT_TRUE(started >= before - 5 && started <= after + 5);
    ASSERT_EQ(int_at(cur, "ends_at"), started + 60000);
    ASSERT_EQ(int_at(cur, "warn_ms"), 10000);
    ASSERT_EQ(int_at(cur, "critical_ms"), 5000);
    ASSERT_EQ(int_at(cur, "added_ms"), 0);
    ASSERT_TRUE(json_is_false(json_object_get(cur, "holding")));
    ASSERT_TRUE(json_is_null(json_object_get(cur, "hold_since")));
    ASSERT_TRUE(json_is_null(json_object_get(cur, "notes")));

    ASSERT_STR_EQ(ef_str(json_object_get(st, "next"), "id"), "b");
    json_t *items = json_object_get(st, "items");
    ASSERT_STR_EQ(ef_str(json_array_get(items, 0), "state"), "running");
    ASSERT_EQ(int_at(json_array_get(items, 0), "actual_start"), started);
    ASSERT_STR_EQ(ef_str(json_array_get(items, 1), "state"), "pending");

    json_t *t = json_array_get(json_object_get(st, "targets"), 0);
    ASSERT_STR_EQ(ef_str(t, "state"), "connected");
    ASSERT_EQ(int_at(t, "sent"), 1);
    ASSERT_EQ(int_at(t, "failed"), 0);
    json_t *cues = json_object_get(st, "cues");
    ASSERT_EQ(json_array_size(cues), 1);
    ASSERT_STR_EQ(ef_str(json_array_get(cues, 0), "cue"), "a1");
    ASSERT_STR_EQ(ef_str(json_array_get(cues, 0), "outcome"), "sent");
    json_decref(st);
    ASSERT_EQ(ef_close(&f), 0);
}

/* The stage message is null until the dispatcher has one, then its text,
 * colour (null for none) and since. */
TEST(state_json_message_is_the_dispatchers)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, ""));
    json_t *st = sc_state_json(f.state, false);
    ASSERT_TRUE(json_is_null(json_object_get(st, "message")));
    json_decref(st);
    run(&f, SC_CMD_MESSAGE, "Wrap up");
    st = sc_state_json(f.state, false);
    json_t *m = json_object_get(st, "message");
    ASSERT_TRUE(json_is_object(m));
    ASSERT_STR_EQ(ef_str(m, "text"), "Wrap up");
    ASSERT_TRUE(json_is_null(json_object_get(m, "color")));
    ASSERT_EQ(int_at(m, "since"), sc_dispatch_message(f.dispatch)->since_ms);
    json_decref(st);
    sc_dispatch_set_message(f.dispatch, "Stand by", "amber", 42, 0);
    st = sc_state_json(f.state, false);
    ASSERT_STR_EQ(ef_str2(st, "message", "color"), "amber");
    ASSERT_EQ(int_at(json_object_get(st, "message"), "since"), 42);
    json_decref(st);
    ASSERT_EQ(ef_close(&f), 0);
}

/* Without items the document has everything else. */
TEST(state_json_without_items)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, ""));
    json_t *st = sc_state_json(f.state, false);
    ASSERT_TRUE(json_object_get(st, "items") == NULL);
    static const char *const keys[] = {"type",    "seq",     "server_time", "show",
                                       "current", "next",    "cues",        "message",
                                       "targets", "clients", "journal"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ASSERT_TRUE(json_object_get(st, keys[i]) != NULL);
    ASSERT_EQ(json_object_size(st), sizeof keys / sizeof keys[0]);
    json_decref(st);
    ASSERT_EQ(ef_close(&f), 0);
}

/* The serialized push is the same document: the same members as
 * sc_state_json with items, the items spliced in as the last member, and its
 * length as given. Its cached items follow the show when it changes. */
TEST(state_text_is_the_state_json_with_items_last)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, ""));
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            run(&f, SC_CMD_GO, NULL);
        json_t *st = sc_state_json(f.state, true);
        size_t len = 0;
        char *text = sc_state_text(f.state, &len);
        ASSERT_TRUE(text != NULL);
        ASSERT_EQ(len, strlen(text));
        json_error_t err;
        json_t *parsed = json_loads(text, 0, &err);
        ASSERT_TRUE(parsed != NULL);
        ASSERT_EQ(json_object_size(parsed), json_object_size(st));
        const char *key;
        json_t *v;
        json_object_foreach (st, key, v)
            ASSERT_TRUE(json_object_get(parsed, key) != NULL);
        ASSERT_EQ(int_at(parsed, "seq"), int_at(st, "seq") + 1);
        ASSERT_TRUE(json_equal(json_object_get(parsed, "targets"), json_object_get(st, "targets")));
        ASSERT_TRUE(json_equal(json_object_get(parsed, "current"), json_object_get(st, "current")));
        /* Items last: the text ends with them. */
        char *items = json_dumps(json_object_get(parsed, "items"), JSON_COMPACT);
        size_t ilen = strlen(items);
        ASSERT_TRUE(len > ilen + 10);
        ASSERT_TRUE(strncmp(text + len - ilen - 10, ",\"items\":", 9) == 0);
        ASSERT_TRUE(strncmp(text + len - ilen - 1, items, ilen) == 0);
        ASSERT_EQ(text[len - 1], '}');
        json_t *pi = json_object_get(parsed, "items"), *si = json_object_get(st, "items");
        ASSERT_EQ(json_array_size(pi), 2);
        for (size_t i = 0; i < 2; i++) {
            ASSERT_STR_EQ(ef_str(json_array_get(pi, i), "id"), ef_str(json_array_get(si, i), "id"));
            ASSERT_STR_EQ(ef_str(json_array_get(pi, i), "state"),
                          ef_str(json_array_get(si, i), "state"));
        }
        ASSERT_STR_EQ(ef_str(json_array_get(pi, 0), "state"), round ? "running" : "pending");
        free(items);
        free(text);
        json_decref(parsed);
        json_decref(st);
    }
    ASSERT_EQ(ef_close(&f), 0);
}

/* /api/rundown: the items with their planned times as wall-clock ms from the
 * show's on_air, and their cues. */
TEST(state_rundown_json_has_planned_times_and_cues)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, "'on_air': '18:00:00',"));
    json_t *rd = sc_state_rundown_json(f.state);
    ASSERT_STR_EQ(ef_str(rd, "title"), "T");
    ASSERT_EQ(int_at(rd, "rev"), 0);
    ASSERT_TRUE(json_is_false(json_object_get(rd, "relative")));
    int64_t on_air = sc_show_to_wall_ms(&f.tb, sc_engine_rundown(f.engine)->on_air_ns);
    ASSERT_EQ(int_at(rd, "on_air"), on_air);
    ASSERT_EQ(int_at(rd, "planned_end"), on_air + 90000);
    json_t *items = json_object_get(rd, "items");
    ASSERT_EQ(json_array_size(items), 2);
    json_t *a = json_array_get(items, 0), *b = json_array_get(items, 1);
    ASSERT_STR_EQ(ef_str(a, "id"), "a");
    ASSERT_EQ(int_at(a, "planned_start"), on_air);
    ASSERT_EQ(int_at(a, "planned_offset_ms"), 0);
    ASSERT_EQ(int_at(a, "warn_ms"), 10000);
    ASSERT_TRUE(json_is_null(json_object_get(a, "hard_start")));
    ASSERT_STR_EQ(ef_str(b, "id"), "b");
    ASSERT_EQ(int_at(b, "planned_start"), on_air + 60000);
    ASSERT_EQ(int_at(b, "planned_offset_ms"), 60000);
    json_t *cues = json_object_get(a, "cues");
    ASSERT_EQ(json_array_size(cues), 1);
    json_t *c = json_array_get(cues, 0);
    ASSERT_STR_EQ(ef_str(c, "id"), "a1");
    ASSERT_STR_EQ(ef_str(c, "target"), "sw");
    ASSERT_STR_EQ(ef_str(c, "anchor"), "start");
    ASSERT_EQ(int_at(c, "offset_ms"), 0);
    ASSERT_TRUE(json_is_null(json_object_get(c, "label")));
    ASSERT_EQ(json_array_size(json_object_get(b, "cues")), 0);
    json_decref(rd);
    ASSERT_EQ(ef_close(&f), 0);
}

/* Without on_air the plan has no clock times: planned times are null and
 * offsets still count from the first item. */
TEST(state_rundown_json_of_a_relative_plan)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, ""));
    json_t *rd = sc_state_rundown_json(f.state);
    ASSERT_TRUE(json_is_true(json_object_get(rd, "relative")));
    ASSERT_TRUE(json_is_null(json_object_get(rd, "on_air")));
    ASSERT_TRUE(json_is_null(json_object_get(rd, "planned_end")));
    json_t *b = json_array_get(json_object_get(rd, "items"), 1);
    ASSERT_TRUE(json_is_null(json_object_get(b, "planned_start")));
    ASSERT_EQ(int_at(b, "planned_offset_ms"), 60000);
    json_decref(rd);
    ASSERT_EQ(ef_close(&f), 0);
}

/* What OSC subscribers are told: idle with the first item next, then the
 * running item with the time it has left, and the next one. */
TEST(state_running_follows_the_show)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, ""));
    sc_state_running_t r;
    sc_state_running(f.state, &r);
    ASSERT_STR_EQ(r.state, "idle");
    ASSERT_STR_EQ(r.item_id, "");
    ASSERT_STR_EQ(r.title, "");
    ASSERT_TRUE(r.remaining_s == 0);
    ASSERT_STR_EQ(r.next_id, "a");
    run(&f, SC_CMD_GO, NULL);
    sc_state_running(f.state, &r);
    ASSERT_STR_EQ(r.state, "running");
    ASSERT_STR_EQ(r.item_id, "a");
    ASSERT_STR_EQ(r.title, "A");
    ASSERT_TRUE(r.remaining_s > 59 && r.remaining_s < 60);
    ASSERT_STR_EQ(r.next_id, "b");
    run(&f, SC_CMD_HOLD, NULL);
    sc_state_running(f.state, &r);
    ASSERT_STR_EQ(r.state, "holding");
    ASSERT_STR_EQ(r.item_id, "a");
    ASSERT_EQ(ef_close(&f), 0);
}

/* A panic is a state of its own, until resume (or GO, goto); the show's
 * date and how far it is from today; no demo; a timed message's end. */
TEST(state_json_panic_date_and_timed_message)
{
    ef_t f;
    ASSERT_TRUE(open_state(&f, "'date': '2026-01-01',"));
    json_t *st = sc_state_json(f.state, false);
    json_t *show = json_object_get(st, "show");
    ASSERT_STR_EQ(ef_str(show, "date"), "2026-01-01");
    ASSERT_TRUE(json_is_null(json_object_get(show, "days_from_today"))); /* env.has_date not set */
    ASSERT_TRUE(json_is_null(json_object_get(show, "demo")));
    json_decref(st);

    run(&f, SC_CMD_GO, NULL);
    run(&f, SC_CMD_PANIC, NULL);
    st = sc_state_json(f.state, false);
    ASSERT_STR_EQ(ef_str(json_object_get(st, "show"), "state"), "panic");
    ASSERT_TRUE(json_is_true(json_object_get(json_object_get(st, "current"), "holding")));
    json_decref(st);
    sc_state_running_t running;
    sc_state_running(f.state, &running);
    ASSERT_STR_EQ(running.state, "panic");
    run(&f, SC_CMD_RESUME, NULL);
    st = sc_state_json(f.state, false);
    ASSERT_STR_EQ(ef_str(json_object_get(st, "show"), "state"), "running");
    json_decref(st);

    sc_dispatch_set_message(f.dispatch, "WRAP", "", now_ms(), now_ms() + 5000);
    st = sc_state_json(f.state, false);
    json_t *m = json_object_get(st, "message");
    ASSERT_TRUE(int_at(m, "until") >= now_ms() + 4900);
    json_decref(st);
    ASSERT_EQ(ef_close(&f), 0);
}
