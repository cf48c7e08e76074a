/* Tests for daemon/targets/target.c: one kind per library kind, their encoders, and what a target
 * reports through its environment. */
#include <stdlib.h>
#include <string.h>
#include <libwebsockets.h>

#include "fixture.h"
#include "payload.h"
#include "target_kind.h"
#include "targets/osc_encode.h"
#include "targets/target.h"
#include "unit.h"

/* Every kind the library knows has its operations here, complete; the
 * config can name no kind the daemon cannot send to. */
TEST(target_every_library_kind_has_its_ops)
{
    for (size_t i = 0; i < rd_ntarget_kinds; i++) {
        const sc_target_ops_t *ops = sc_target_ops_for(rd_target_kinds[i].kind);
        ASSERT_TRUE(ops != NULL);
        ASSERT_EQ(ops->kind, rd_target_kinds[i].kind);
        ASSERT_TRUE(ops->encode && ops->open && ops->send && ops->close);
    }
    ASSERT_TRUE(sc_target_ops_for((rd_target_kind_t)99) == NULL);
    sc_target_t t;
    rd_target_t conf = {.kind = (rd_target_kind_t)99};
    sc_target_env_t env = {0};
    ASSERT_FALSE(sc_target_init(&t, &conf, 0, &env));
}

/* The web server lists the client protocols of the kinds that connect
 * through libwebsockets: the websocket and OBS targets'. */
TEST(target_lws_protocols_come_from_the_kinds)
{
    const struct lws_protocols *p[4];
    ASSERT_EQ(sc_target_lws_protocols(p, 4), 2);
    ASSERT_STR_EQ(p[0]->name, "showcaller-target");
    ASSERT_TRUE(p[0] == sc_target_ws.lws_protocol);
    ASSERT_STR_EQ(p[1]->name, "showcaller-obs");
    ASSERT_TRUE(p[1] == sc_target_obs.lws_protocol);
    ASSERT_EQ(sc_target_lws_protocols(p, 0), 0);
}

static const char *config = "{'targets': {'u': {'url': 'osc.udp://127.0.0.1:9001'},"
                            " 't': {'url': 'osc.tcp://127.0.0.1:9003'},"
                            " 's': {'url': 'osc.tcp://127.0.0.1:9004', 'framing': 'slip'},"
                            " 'w': {'url': 'ws://127.0.0.1:9002/x'}}}";

/* Each kind encodes what its cues carry, once: OSC as the packet, framed for
 * TCP by length or SLIP; a websocket message as its text. A payload of the
 * other kind does not encode. */
TEST(target_kinds_encode_their_payloads)
{
    rd_rundown_t r;
    rd_config_t c;
    ASSERT_TRUE(fx_load("",
                        "{'id': 'a', 'title': 'A', 'duration': '5s', 'cues': ["
                        "{'id': 'o', 'at': '0', 'target': 'u', 'osc': {'address': '/go', "
                        "'args': [1]}},"
                        "{'id': 'x', 'at': '0', 'target': 'w', 'ws': {'play': true}}]}",
                        config, &r, &c));
    const rd_payload_t *osc = &r.items[0].cues[0].payload, *ws = &r.items[0].cues[1].payload;
    uint8_t packet[64];
    size_t n = sc_osc_encode(&osc->osc, packet, sizeof packet);
    ASSERT_TRUE(n > 0);

    uint8_t *out;
    size_t len;
    ASSERT_TRUE(sc_target_osc_udp.encode(osc, &c.targets[0], &out, &len));
    ASSERT_EQ(len, n);
    ASSERT_TRUE(memcmp(out, packet, n) == 0);
    free(out);
    ASSERT_TRUE(sc_target_osc_tcp.encode(osc, &c.targets[1], &out, &len));
    ASSERT_EQ(len, n + 4);
    ASSERT_EQ(out[3], n); /* a big-endian length */
    ASSERT_TRUE(memcmp(out + 4, packet, n) == 0);
    free(out);
    ASSERT_TRUE(sc_target_osc_tcp.encode(osc, &c.targets[2], &out, &len));
    ASSERT_EQ(out[0], 0xC0); /* SLIP's END at both ends */
    ASSERT_EQ(out[len - 1], 0xC0);
    free(out);
    ASSERT_TRUE(sc_target_ws.encode(ws, &c.targets[3], &out, &len));
    ASSERT_EQ(len, strlen("{\"play\":true}"));
    ASSERT_TRUE(memcmp(out, "{\"play\":true}", len) == 0);
    free(out);

    ASSERT_FALSE(sc_target_osc_udp.encode(ws, &c.targets[0], &out, &len));
    ASSERT_TRUE(out == NULL);
    ASSERT_FALSE(sc_target_ws.encode(osc, &c.targets[3], &out, &len));
    ASSERT_TRUE(out == NULL);
    fx_unload(&r, &c);
}

/* What a target tells its environment. */
typedef struct {
    int changed, done, answered;
    uint64_t key;
    int err;
    sc_answer_kind_t answer;
    char detail[32];
} seen_t;

static void on_changed(void *ctx, sc_target_t *t)
{
    (void)t;
    ((seen_t *)ctx)->changed++;
}

static void on_done(void *ctx, sc_target_t *t, uint64_t key, int err, int64_t sent)
{
    (void)t;
    (void)sent;
    seen_t *s = ctx;
    s->done++;
    s->key = key;
    s->err = err;
}

static void on_answer(void *ctx, sc_target_t *t, uint64_t key, const sc_answer_t *a)
{
    (void)t;
    seen_t *s = ctx;
    s->answered++;
    s->key = key;
    s->answer = a->kind;
    snprintf(s->detail, sizeof s->detail, "%s", a->detail ? a->detail : "");
}

/* A target reports its state, its queued sends and its device's answers
 * through the environment, never by name to anything above it. */
TEST(target_reports_through_its_environment)
{
    rd_target_t conf = {.name = "sw", .url = "osc.udp://127.0.0.1:9", .kind = RD_TARGET_OSC_UDP};
    seen_t seen = {0};
    sc_target_env_t env = {
        .changed = on_changed, .done = on_done, .answer = on_answer, .ctx = &seen};
    sc_target_t t;
    ASSERT_TRUE(sc_target_init(&t, &conf, 3, &env));
    ASSERT_TRUE(t.ops == &sc_target_osc_udp);
    ASSERT_EQ(t.index, 3);
    ASSERT_EQ(t.fd, -1);
    sc_target_set_state(&t, SC_TARGET_DOWN, "refused");
    ASSERT_EQ(seen.changed, 1);
    ASSERT_STR_EQ(t.last_error, "refused");
    ASSERT_STR_EQ(sc_target_state_name(t.state), "down");
    sc_target_set_state(&t, SC_TARGET_READY, NULL);
    ASSERT_STR_EQ(t.last_error, "");
    sc_target_done(&t, 42, 5, 0);
    ASSERT_EQ(seen.done, 1);
    ASSERT_EQ(seen.key, 42);
    ASSERT_EQ(seen.err, 5);
    sc_target_answer(&t, 43, &(sc_answer_t){SC_ANSWER_ERROR, 0, "103 unsupported", 0});
    ASSERT_EQ(seen.answered, 1);
    ASSERT_EQ(seen.key, 43);
    ASSERT_EQ(seen.answer, SC_ANSWER_ERROR);
    ASSERT_STR_EQ(seen.detail, "103 unsupported");
    ASSERT_STR_EQ(sc_answer_name(SC_ANSWER_TIMEOUT), "timeout");
}

/* A target's answers for the screens: counts by kind, the last one, and the
 * round trip's percentiles within the buckets' 3%; timeouts count but do not
 * enter the round trip. */
TEST(target_answer_stats_and_round_trip_percentiles)
{
    sc_target_t t;
    memset(&t, 0, sizeof t);
    ASSERT_EQ(sc_target_rtt_us(&t, 0.5), -1);
    for (int i = 1; i <= 100; i++) {
        sc_answer_t a = {i == 100 ? SC_ANSWER_ERROR : SC_ANSWER_OK, 0, i == 100 ? "404" : NULL, 0};
        sc_target_note_answer(&t, &a, "c", (int64_t)i * 1000000, 1000 + i); /* i ms */
    }
    sc_answer_t to = {SC_ANSWER_TIMEOUT, 0, "no answer in time", 0};
    sc_target_note_answer(&t, &to, "late", 5000000000, 2000);
    ASSERT_EQ(t.answers.count[SC_ANSWER_OK], 99);
    ASSERT_EQ(t.answers.count[SC_ANSWER_ERROR], 1);
    ASSERT_EQ(t.answers.count[SC_ANSWER_TIMEOUT], 1);
    ASSERT_EQ(t.answers.nrtt, 100);
    ASSERT_STR_EQ(t.answers.last_cue, "late");
    ASSERT_EQ(t.answers.last_wall_ms, 2000);
    int64_t p50 = sc_target_rtt_us(&t, 0.5), p99 = sc_target_rtt_us(&t, 0.99);
    ASSERT_TRUE(p50 > 48500 && p50 < 51500);
    ASSERT_TRUE(p99 > 96000 && p99 < 102000);
    ASSERT_TRUE(sc_target_rtt_us(&t, 1.0) < 103000);
    sc_target_free_stats(&t);
}
