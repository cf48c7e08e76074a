/* Tests for daemon/osc_in.c: a real loop, the door on 127.0.0.1, liblo as the peer. */
#include <arpa/inet.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "doors/osc_decode.h"
#include "doors/osc_in.h"
#include "unit.h"

/* The owner's side: records what reaches it and answers as told. */
typedef struct {
    int calls;
    sc_command_t last;
    bool allowed;
    sc_err_t code;    /* SC_ERR_OK: ok when allowed, "unauthorized" when not */
    uint64_t wait;    /* the as-run seq of the command's record; 0: nothing logged */
    uint64_t on_disk; /* the as-run log as the ack queue sees it: durable up to here */
} stub_t;

/* The last message the peer received, by kind. */
typedef struct {
    int count;
    char types[16];
    char s[5][320];
    int32_t i;
    float f;
} got_t;

typedef struct {
    uv_loop_t loop;
    sc_osc_in_t *door;
    sc_ack_queue_t *acks; /* a real queue on a stand-in as-run log (the stub) */
    stub_t stub;
    lo_server peer; /* the sender; also receives the replies */
    int peer_port;
    lo_address door_addr;
    got_t reply, running, other;
    int limited;            /* replies with the code "rate_limited" */
    char resume_reply[720]; /* the last reply to resume: "ok code message" */
    bool closed;
} fix_t;

static uint64_t stub_dispatch(void *ctx, const sc_command_t *cmd, bool allowed, sc_result_t *r)
{
    stub_t *s = ctx;
    s->calls++;
    s->last = *cmd;
    s->allowed = allowed;
    if (s->code)
        sc_result_error(r, s->code, "stub says %s", sc_err_code(s->code));
    else if (allowed)
        sc_result_ok(r);
    else
        sc_result_error(r, SC_ERR_UNAUTHORIZED, "refused by the stub");
    return s->wait;
}

static int peer_handler(const char *path, const char *types, lo_arg **argv, int argc,
                        lo_message msg, void *user)
{
    (void)msg;
    fix_t *f = user;
    got_t *g = strcmp(path, "/showcaller/reply") == 0     ? &f->reply
               : strcmp(path, "/showcaller/running") == 0 ? &f->running
                                                          : &f->other;
    g->count++;
    snprintf(g->types, sizeof g->types, "%s", types);
    int ns = 0;
    for (int k = 0; k < argc; k++) {
        if (types[k] == 's' && ns < 5)
            snprintf(g->s[ns++], sizeof g->s[0], "%s", (const char *)argv[k]);
        else if (types[k] == 'i')
            memcpy(&g->i, argv[k], sizeof g->i); /* 4-byte aligned only */
        else if (types[k] == 'f')
            memcpy(&g->f, argv[k], sizeof g->f);
    }
    if (g == &f->reply && ns >= 2 && strcmp(g->s[1], "rate_limited") == 0)
        f->limited++;
    if (g == &f->reply && ns >= 3 && strcmp(g->s[0], "resume") == 0)
        snprintf(f->resume_reply, sizeof f->resume_reply, "%d %s %s", g->i, g->s[1], g->s[2]);
    return 0;
}

static int fd_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    return ntohs(a.sin_port);
}

/* The as-run log the ack queue sees: the last record is the command's. */
static uint64_t stub_last_seq(void *ctx)
{
    return ((const stub_t *)ctx)->wait;
}

static bool stub_durable(void *ctx, uint64_t seq)
{
    return seq <= ((const stub_t *)ctx)->on_disk;
}

/* Starts the door (on port 0: the system picks) and a liblo peer. A rate
 * high enough that only the rate test meets it. */
static bool setup_rate(fix_t *f, const char *const *allow, size_t nallow, int rate)
{
    memset(f, 0, sizeof *f);
    if (uv_loop_init(&f->loop) != 0)
        return false;
    char err[256] = "";
    sc_ack_source_t src = {stub_last_seq, stub_durable, NULL, &f->stub};
    f->acks = sc_ack_queue_new(&f->loop, &src);
    f->door = sc_osc_in_start(&f->loop, "127.0.0.1", 0, allow, nallow, rate, stub_dispatch,
                              &f->stub, f->acks, err, sizeof err);
    if (!f->door) {
        printf("# start: %s\n", err);
        return false;
    }
    f->peer = lo_server_new_with_proto("0", LO_UDP, NULL);
    if (!f->peer)
        return false;
    f->peer_port = fd_port(lo_server_get_socket_fd(f->peer));
    lo_server_add_method(f->peer, NULL, NULL, peer_handler, f);
    char port[16];
    snprintf(port, sizeof port, "%d", sc_osc_in_port(f->door));
    f->door_addr = lo_address_new("127.0.0.1", port);
    return f->door_addr != NULL && sc_osc_in_port(f->door) > 0;
}

static bool setup(fix_t *f, const char *const *allow, size_t nallow)
{
    return setup_rate(f, allow, nallow, 10000);
}

static bool setup_default(fix_t *f)
{
    const char *allow[] = {"10.0.0.9", "127.0.0.1"};
    return setup(f, allow, 2);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop and the peer until *count reaches want, for at most ms. */
static bool wait_count(fix_t *f, const int *count, int want, int ms)
{
    int64_t until = now_ms() + ms;
    while (*count < want && now_ms() < until) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        lo_server_recv_noblock(f->peer, 1);
    }
    return *count >= want;
}

static void on_done(void *ctx)
{
    *(bool *)ctx = true;
}

/* Closes the door and checks that nothing is left on the loop. */
static bool teardown(fix_t *f)
{
    sc_osc_in_close(f->door, on_done, &f->closed);
    sc_ack_queue_close(f->acks);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    lo_address_free(f->door_addr);
    lo_server_free(f->peer);
    return f->closed && uv_loop_close(&f->loop) == 0;
}

static bool send_msg(fix_t *f, const char *path, lo_message m)
{
    int n = lo_send_message_from(f->door_addr, f->peer, path, m);
    lo_message_free(m);
    return n > 0;
}

/* Sends path with the arguments in types (i f s T F only) and waits for one reply. */
static bool ask(fix_t *f, const char *path, lo_message m)
{
    int want = f->reply.count + 1;
    return send_msg(f, path, m) && wait_count(f, &f->reply.count, want, 1000);
}

static lo_message msg_s(const char *s)
{
    lo_message m = lo_message_new();
    lo_message_add_string(m, s);
    return m;
}

TEST(osc_in_go_reaches_dispatch_and_replies)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    ASSERT_TRUE(ask(&f, "/showcaller/go", lo_message_new()));
    ASSERT_EQ(f.stub.calls, 1);
    ASSERT_EQ(f.stub.last.id, SC_CMD_GO);
    ASSERT_EQ(f.stub.last.door, SC_DOOR_OSC);
    ASSERT_TRUE(f.stub.allowed);
    char source[64];
    snprintf(source, sizeof source, "127.0.0.1:%d", f.peer_port);
    ASSERT_STR_EQ(f.stub.last.source, source);
    ASSERT_STR_EQ(f.reply.types, "siss");
    ASSERT_STR_EQ(f.reply.s[0], "go");
    ASSERT_EQ(f.reply.i, 1);
    ASSERT_STR_EQ(f.reply.s[1], "");
    ASSERT_STR_EQ(f.reply.s[2], "");
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_positional_arguments)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));

    ASSERT_TRUE(ask(&f, "/showcaller/goto", msg_s("weather")));
    ASSERT_EQ(f.stub.last.id, SC_CMD_GOTO);
    ASSERT_STR_EQ(f.stub.last.item, "weather");
    ASSERT_STR_EQ(f.reply.s[0], "goto");
    ASSERT_EQ(f.reply.i, 1);

    lo_message m = lo_message_new();
    lo_message_add_float(m, -10.5f);
    ASSERT_TRUE(ask(&f, "/showcaller/add", m));
    ASSERT_EQ(f.stub.last.id, SC_CMD_ADD);
    ASSERT_EQ(f.stub.last.add_ns, -10500000000LL);

    m = lo_message_new();
    lo_message_add_int32(m, 30);
    ASSERT_TRUE(ask(&f, "/showcaller/add", m));
    ASSERT_EQ(f.stub.last.add_ns, 30000000000LL);

    m = lo_message_new();
    lo_message_add_double(m, 1.25);
    ASSERT_TRUE(ask(&f, "/showcaller/add", m));
    ASSERT_EQ(f.stub.last.add_ns, 1250000000LL);

    m = lo_message_new();
    lo_message_add_true(m);
    ASSERT_TRUE(ask(&f, "/showcaller/rehearsal", m));
    ASSERT_EQ(f.stub.last.id, SC_CMD_REHEARSAL);
    ASSERT_TRUE(f.stub.last.on);

    m = lo_message_new();
    lo_message_add_int32(m, 0);
    ASSERT_TRUE(ask(&f, "/showcaller/rehearsal", m));
    ASSERT_FALSE(f.stub.last.on);

    m = lo_message_new();
    lo_message_add_int32(m, 1);
    ASSERT_TRUE(ask(&f, "/showcaller/rehearsal", m));
    ASSERT_TRUE(f.stub.last.on);

    m = lo_message_new();
    lo_message_add_symbol(m, "pkg-council");
    lo_message_add_false(m);
    ASSERT_TRUE(ask(&f, "/showcaller/skip", m));
    ASSERT_EQ(f.stub.last.id, SC_CMD_SKIP);
    ASSERT_STR_EQ(f.stub.last.item, "pkg-council");
    ASSERT_FALSE(f.stub.last.on);

    m = lo_message_new();
    lo_message_add_string(m, "WRAP");
    lo_message_add_string(m, "red");
    ASSERT_TRUE(ask(&f, "/showcaller/message", m));
    ASSERT_EQ(f.stub.last.id, SC_CMD_MESSAGE);
    ASSERT_STR_EQ(f.stub.last.text, "WRAP");
    ASSERT_STR_EQ(f.stub.last.color, "red");

    m = lo_message_new();
    lo_message_add_int64(m, -5);
    ASSERT_TRUE(ask(&f, "/showcaller/add", m));
    ASSERT_EQ(f.stub.last.add_ns, -5000000000LL);

    ASSERT_EQ(f.stub.calls, 10);
    ASSERT_EQ(f.reply.count, 10);
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_wrong_type_is_bad_argument_without_dispatch)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));

    lo_message m = lo_message_new();
    lo_message_add_int32(m, 5);
    ASSERT_TRUE(ask(&f, "/showcaller/goto", m));
    ASSERT_STR_EQ(f.reply.s[0], "goto");
    ASSERT_EQ(f.reply.i, 0);
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    ASSERT_TRUE(f.reply.s[2][0] != '\0');

    /* A type the table has no kind for. */
    m = lo_message_new();
    lo_message_add_nil(m);
    ASSERT_TRUE(ask(&f, "/showcaller/goto", m));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    ASSERT_CONTAINS(f.reply.s[2], "'N'");

    m = lo_message_new();
    lo_message_add_char(m, 'x');
    ASSERT_TRUE(ask(&f, "/showcaller/fire", m));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");

    uint8_t bytes[4] = {1, 2, 3, 4};
    lo_blob b = lo_blob_new(sizeof bytes, bytes);
    m = lo_message_new();
    lo_message_add_blob(m, b);
    ASSERT_TRUE(ask(&f, "/showcaller/message", m));
    lo_blob_free(b);
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");

    /* Missing, extra and too long. */
    ASSERT_TRUE(ask(&f, "/showcaller/goto", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[1], "missing_argument");
    m = lo_message_new();
    lo_message_add_string(m, "a");
    lo_message_add_string(m, "b");
    ASSERT_TRUE(ask(&f, "/showcaller/goto", m));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ASSERT_TRUE(ask(&f, "/showcaller/message", msg_s(big)));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    ASSERT_TRUE(ask(&f, "/showcaller/goto", msg_s("\xff\xfe")));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    m = lo_message_new();
    for (int k = 0; k < 100; k++)
        lo_message_add_true(m);
    ASSERT_TRUE(ask(&f, "/showcaller/go", m));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");

    ASSERT_EQ(f.stub.calls, 0);
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_unknown_command)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    ASSERT_TRUE(ask(&f, "/showcaller/explode", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[0], "explode");
    ASSERT_EQ(f.reply.i, 0);
    ASSERT_STR_EQ(f.reply.s[1], "unknown_command");
    /* A pattern is not expanded into commands. */
    ASSERT_TRUE(ask(&f, "/showcaller/*", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[1], "unknown_command");
    ASSERT_TRUE(ask(&f, "/showcaller/", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[1], "unknown_command");
    /* A long name is echoed shortened. */
    char path[400];
    snprintf(path, sizeof path, "/showcaller/%0300d", 7);
    ASSERT_TRUE(ask(&f, path, lo_message_new()));
    ASSERT_EQ(strlen(f.reply.s[0]), 64);
    ASSERT_EQ(f.stub.calls, 0);
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_owner_error_is_sent_back)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    f.stub.code = SC_ERR_UNKNOWN_ITEM;
    ASSERT_TRUE(ask(&f, "/showcaller/goto", msg_s("nope")));
    ASSERT_EQ(f.stub.calls, 1);
    ASSERT_EQ(f.reply.i, 0);
    ASSERT_STR_EQ(f.reply.s[1], "unknown_item");
    ASSERT_STR_EQ(f.reply.s[2], "stub says unknown_item");
    ASSERT_TRUE(teardown(&f));
}

/* A reply that must wait for the as-run log is held, in order with later
 * ones, until the ack queue releases it; one still held when the daemon
 * stops goes out ok with "not_durable" and the warning. A reply to nothing
 * logged goes at once. */
TEST(osc_in_replies_wait_for_the_log)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    f.stub.wait = 7;
    ASSERT_TRUE(send_msg(&f, "/showcaller/go", lo_message_new()));
    ASSERT_FALSE(wait_count(&f, &f.reply.count, 1, 200));
    ASSERT_EQ(f.stub.calls, 1);
    f.stub.wait = 8;
    ASSERT_TRUE(send_msg(&f, "/showcaller/hold", lo_message_new()));
    ASSERT_FALSE(wait_count(&f, &f.reply.count, 1, 200));
    ASSERT_EQ(f.stub.calls, 2);
    ASSERT_EQ(sc_ack_held(f.acks), 2);
    f.stub.on_disk = 6;
    sc_ack_on_durable(f.acks, 6);
    ASSERT_EQ(sc_ack_held(f.acks), 2);
    f.stub.on_disk = 7;
    sc_ack_on_durable(f.acks, 7);
    ASSERT_TRUE(wait_count(&f, &f.reply.count, 1, 1000));
    ASSERT_STR_EQ(f.reply.s[0], "go");
    ASSERT_FALSE(wait_count(&f, &f.reply.count, 2, 100));
    f.stub.on_disk = 8;
    sc_ack_on_durable(f.acks, 8);
    ASSERT_TRUE(wait_count(&f, &f.reply.count, 2, 1000));
    ASSERT_STR_EQ(f.reply.s[0], "hold");
    ASSERT_EQ(f.reply.i, 1);
    ASSERT_STR_EQ(f.reply.s[1], "");

    /* With nothing held, a subscription (it logs nothing) is answered at
     * once; behind a held reply it waits its turn. */
    ASSERT_TRUE(ask(&f, "/showcaller/subscribe", lo_message_new()));
    ASSERT_EQ(f.reply.count, 3);
    f.stub.wait = 9;
    ASSERT_TRUE(send_msg(&f, "/showcaller/resume", lo_message_new()));
    ASSERT_TRUE(send_msg(&f, "/showcaller/unsubscribe", lo_message_new()));
    ASSERT_FALSE(wait_count(&f, &f.reply.count, 4, 200));
    /* Stopping: the disk never answered. */
    sc_ack_flush(f.acks);
    ASSERT_TRUE(wait_count(&f, &f.reply.count, 5, 1000));
    ASSERT_STR_EQ(f.reply.s[0], "unsubscribe"); /* the last */
    ASSERT_STR_EQ(f.reply.s[1], "");
    sc_osc_in_stats_t st;
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.not_durable, 1); /* resume's, which went first: */
    ASSERT_CONTAINS(f.resume_reply, "not_durable");
    ASSERT_CONTAINS(f.resume_reply, "stopping");
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_sender_outside_allow_list)
{
    fix_t f;
    const char *allow[] = {"10.1.2.3", "::1"};
    ASSERT_TRUE(setup(&f, allow, 2));
    /* Subscribing is refused by the door itself. */
    ASSERT_TRUE(ask(&f, "/showcaller/subscribe", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[0], "subscribe");
    ASSERT_STR_EQ(f.reply.s[1], "unauthorized");
    ASSERT_EQ(f.stub.calls, 0);

    /* A command still reaches the owner, which refuses (and logs) it; the
     * sender had its answer in this interval, so this one goes unanswered:
     * spoofed senders cannot turn the door into a reflector. */
    ASSERT_TRUE(send_msg(&f, "/showcaller/go", lo_message_new()));
    ASSERT_FALSE(wait_count(&f, &f.reply.count, 2, 300));
    ASSERT_EQ(f.stub.calls, 1);
    ASSERT_FALSE(f.stub.allowed);
    ASSERT_EQ(f.stub.last.id, SC_CMD_GO);
    sc_osc_in_stats_t st;
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.subscribers, 0);
    ASSERT_EQ(st.unanswered, 1);
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_refused_sender_is_answered_again_after_the_interval)
{
    fix_t f;
    const char *allow[] = {"10.1.2.3"};
    ASSERT_TRUE(setup(&f, allow, 1));
    ASSERT_TRUE(ask(&f, "/showcaller/go", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[1], "unauthorized");
    ASSERT_STR_EQ(f.reply.s[2], "refused by the stub");
    ASSERT_TRUE(send_msg(&f, "/showcaller/go", lo_message_new()));
    ASSERT_FALSE(wait_count(&f, &f.reply.count, 2, 200));
    usleep(2100 * 1000); /* the answer interval is 2 s */
    ASSERT_TRUE(ask(&f, "/showcaller/hold", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[0], "hold");
    ASSERT_STR_EQ(f.reply.s[1], "unauthorized");
    ASSERT_EQ(f.stub.calls, 3);
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_subscribe_feedback_unsubscribe)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    ASSERT_TRUE(ask(&f, "/showcaller/subscribe", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[0], "subscribe");
    ASSERT_EQ(f.reply.i, 1);
    ASSERT_TRUE(ask(&f, "/showcaller/subscribe", lo_message_new()));
    ASSERT_EQ(f.reply.i, 1);
    sc_osc_in_stats_t st;
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.subscribers, 1);
    ASSERT_EQ(f.stub.calls, 0);

    sc_osc_in_feedback(f.door, "running", "open", "Cold open", -2.5, "headlines");
    ASSERT_TRUE(wait_count(&f, &f.running.count, 1, 1000));
    ASSERT_STR_EQ(f.running.types, "sssfs");
    ASSERT_STR_EQ(f.running.s[0], "running");
    ASSERT_STR_EQ(f.running.s[1], "open");
    ASSERT_STR_EQ(f.running.s[2], "Cold open");
    ASSERT_TRUE(f.running.f == -2.5f);
    ASSERT_STR_EQ(f.running.s[3], "headlines");

    sc_osc_in_feedback(f.door, "held", "open", NULL, 12.0, NULL);
    ASSERT_TRUE(wait_count(&f, &f.running.count, 2, 1000));
    ASSERT_STR_EQ(f.running.s[0], "held");
    ASSERT_STR_EQ(f.running.s[2], "");
    ASSERT_STR_EQ(f.running.s[3], "");
    ASSERT_EQ(f.running.count, 2); /* one subscription, one copy */

    ASSERT_TRUE(ask(&f, "/showcaller/unsubscribe", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[0], "unsubscribe");
    ASSERT_EQ(f.reply.i, 1);
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.subscribers, 0);
    sc_osc_in_feedback(f.door, "running", "open", "Cold open", 1.0, "");
    ASSERT_FALSE(wait_count(&f, &f.running.count, 3, 100));

    /* Subscribing takes no arguments. */
    ASSERT_TRUE(ask(&f, "/showcaller/subscribe", msg_s("x")));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    ASSERT_EQ(f.stub.calls, 0);
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_other_addresses_are_ignored)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    ASSERT_TRUE(send_msg(&f, "/atem/cut", lo_message_new()));
    ASSERT_TRUE(send_msg(&f, "/showcaller", lo_message_new()));
    ASSERT_TRUE(send_msg(&f, "/", lo_message_new()));
    ASSERT_TRUE(ask(&f, "/showcaller/hold", lo_message_new()));
    ASSERT_EQ(f.reply.count, 1);
    ASSERT_STR_EQ(f.reply.s[0], "hold");
    ASSERT_EQ(f.other.count, 0);
    sc_osc_in_stats_t st;
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.ignored, 3);
    ASSERT_EQ(st.commands, 1);
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_bundle_messages_are_answered)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    /* A time tag in the future does not delay a command. */
    lo_timetag later;
    lo_timetag_now(&later);
    later.sec += 60;
    lo_bundle b = lo_bundle_new(later);
    lo_message m1 = lo_message_new(), m2 = msg_s("weather");
    lo_bundle_add_message(b, "/showcaller/hold", m1);
    lo_bundle_add_message(b, "/showcaller/goto", m2);
    ASSERT_TRUE(lo_send_bundle_from(f.door_addr, f.peer, b) > 0);
    lo_bundle_free_recursive(b);
    ASSERT_TRUE(wait_count(&f, &f.reply.count, 2, 1000));
    ASSERT_EQ(f.stub.calls, 2);
    ASSERT_EQ(f.stub.last.id, SC_CMD_GOTO);
    ASSERT_TRUE(teardown(&f));
}

/* A small deterministic generator, so a failure can be replayed. */
static uint32_t rnd(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

TEST(osc_in_garbage_does_not_crash)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_TRUE(fd >= 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)sc_osc_in_port(f.door)),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    static uint8_t buf[40000];
    uint32_t seed = 0x5eed1234;
    for (int k = 0; k < 200; k++) {
        size_t len = 1 + rnd(&seed) % 700;
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)rnd(&seed);
        /* Some look like the start of a message or bundle, to get further in. */
        if (k % 4 == 1)
            memcpy(buf, "/showcaller/go\0\0,", len > 17 ? 17 : len);
        else if (k % 4 == 2)
            memcpy(buf, "#bundle\0", len > 8 ? 8 : len);
        else if (k % 4 == 3 && len > 20)
            memcpy(buf, "/showcaller/goto\0\0\0\0,s", 22 < len ? 22 : len);
        if (k == 0)
            len = 0; /* an empty datagram */
        if (k == 1)
            len = sizeof buf; /* more than liblo's largest message */
        sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to);
        if (k % 50 == 49)
            uv_run(&f.loop, UV_RUN_NOWAIT);
    }
    /* Crafted: a bundle element longer than the bundle, and tags without data. */
    static const uint8_t bundle[] = {'#', 'b', 'u', 'n', 'd',  'l',  'e',  0,    0,   0,   0, 0,
                                     0,   0,   0,   1,   0x7f, 0xff, 0xff, 0xf0, '/', 'x', 0, 0};
    sendto(fd, bundle, sizeof bundle, 0, (struct sockaddr *)&to, sizeof to);
    static const char tags[] = "/showcaller/goto\0\0\0\0,sssssss\0\0\0\0";
    sendto(fd, tags, sizeof tags - 1, 0, (struct sockaddr *)&to, sizeof to);
    close(fd);

    /* The door still answers, after all that. */
    int before = f.stub.calls;
    ASSERT_TRUE(ask(&f, "/showcaller/go", lo_message_new()));
    ASSERT_STR_EQ(f.reply.s[0], "go");
    ASSERT_EQ(f.stub.calls, before + 1);
    sc_osc_in_stats_t st;
    sc_osc_in_stats(f.door, &st);
    ASSERT_TRUE(st.malformed > 50);
    ASSERT_TRUE(teardown(&f));
}

TEST(osc_in_start_errors)
{
    uv_loop_t loop;
    ASSERT_EQ(uv_loop_init(&loop), 0);
    char err[256] = "";
    stub_t stub = {0};
    const char *bad[] = {"not-an-address"};
    ASSERT_TRUE(sc_osc_in_start(&loop, "127.0.0.1", 0, bad, 1, 20, stub_dispatch, &stub, NULL, err,
                                sizeof err) == NULL);
    ASSERT_CONTAINS(err, "not-an-address");
    ASSERT_TRUE(sc_osc_in_start(&loop, "127.0.0.1", 70000, NULL, 0, 20, stub_dispatch, &stub, NULL,
                                err, sizeof err) == NULL);
    ASSERT_CONTAINS(err, "70000");
    ASSERT_TRUE(sc_osc_in_start(&loop, "127.0.0.1", 0, NULL, 0, 0, stub_dispatch, &stub, NULL, err,
                                sizeof err) == NULL);
    ASSERT_CONTAINS(err, "commands_per_second");

    /* A port in use is an error, not a silent second listener. */
    sc_osc_in_t *a = sc_osc_in_start(&loop, "127.0.0.1", 0, NULL, 0, 20, stub_dispatch, &stub, NULL,
                                     err, sizeof err);
    ASSERT_TRUE(a != NULL);
    ASSERT_TRUE(sc_osc_in_start(&loop, "127.0.0.1", sc_osc_in_port(a), NULL, 0, 20, stub_dispatch,
                                &stub, NULL, err, sizeof err) == NULL);
    ASSERT_CONTAINS(err, "cannot listen");
    bool closed = false;
    sc_osc_in_close(a, on_done, &closed);
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_TRUE(closed);
    ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---- Rate limit ---------------------------------------------------------- */

/* A plain UDP socket on 127.0.0.x, for senders other than the liblo peer. */
static int raw_socket(const char *ip)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, ip, &a.sin_addr);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool raw_send(fix_t *f, int fd, const void *bytes, size_t len)
{
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)sc_osc_in_port(f->door)),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return sendto(fd, bytes, len, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)len;
}

/* Sends path (no arguments) from fd and waits for the reply there; its code
 * ("" when ok) goes to code. */
static bool raw_ask(fix_t *f, int fd, const char *path, char *code, size_t cap)
{
    lo_message m = lo_message_new();
    size_t len = 0;
    void *bytes = lo_message_serialise(m, path, NULL, &len);
    lo_message_free(m);
    bool sent = bytes && raw_send(f, fd, bytes, len);
    free(bytes);
    if (!sent)
        return false;
    int64_t until = now_ms() + 1000;
    static unsigned char buf[2048];
    while (now_ms() < until) {
        uv_run(&f->loop, UV_RUN_NOWAIT);
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            continue;
        int res = 0;
        lo_message r = lo_message_deserialise(buf, (size_t)n, &res);
        if (!r)
            return false;
        bool ok = strcmp(lo_message_get_types(r), "siss") == 0;
        if (ok)
            snprintf(code, cap, "%s", (const char *)lo_message_get_argv(r)[2]);
        lo_message_free(r);
        return ok;
    }
    return false;
}

/* Runs fn with the daemon's log (stderr) going to a file; returns how many
 * lines contain needle, or -1. */
static int log_lines_during(void (*fn)(fix_t *), fix_t *f, const char *needle)
{
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    if (saved < 0 || !tmp || dup2(fileno(tmp), 2) < 0)
        return -1;
    fn(f);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, tmp))
        n += strstr(line, needle) != NULL;
    fclose(tmp);
    return n;
}

static void flood_go(fix_t *f)
{
    for (int k = 0; k < 15; k++)
        send_msg(f, "/showcaller/go", lo_message_new());
    /* 10 or 11 pass and one refusal is answered: 11 at least, then a
     * moment for a straggler (short: the bucket refills at 5/s). */
    wait_count(f, &f->reply.count, 11, 2000);
    wait_count(f, &f->reply.count, 12, 20);
}

TEST(osc_in_rate_limit_refuses_the_excess_per_sender_address)
{
    fix_t f;
    const char *allow[] = {"127.0.0.1", "127.0.0.2"};
    ASSERT_TRUE(setup_rate(&f, allow, 2, 5)); /* bursts of 10 */

    /* The burst passes; the rest never reaches the owner. The first refusal
     * is answered and logged, the others only counted: the log says so once,
     * and the sender gets one answer, not one per refusal. (Refilling at 5/s
     * may add one in time.) */
    ASSERT_EQ(log_lines_during(flood_go, &f, "sends more than 5 commands a second"), 1);
    ASSERT_TRUE(f.stub.calls >= 10 && f.stub.calls <= 11);
    ASSERT_EQ(f.reply.count, f.stub.calls + 1);
    ASSERT_EQ(f.limited, 1); /* rate_limited replies */
    ASSERT_STR_EQ(f.reply.s[0], "go");
    ASSERT_EQ(f.reply.i, 0);
    ASSERT_STR_EQ(f.reply.s[1], "rate_limited");
    ASSERT_STR_EQ(f.reply.s[2], "more than 5 commands a second from 127.0.0.1");
    sc_osc_in_stats_t st;
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.commands, 15);
    uint64_t refused = 15 - (uint64_t)f.stub.calls;
    ASSERT_EQ(st.rate_limited, refused);
    ASSERT_EQ(st.unanswered, refused - 1);

    /* The bucket is the address's, not the port's: oscsend sends each
     * message from a new port. Subscribing takes a token too (refused, and
     * unanswered: the address had its answer). */
    int same = raw_socket("127.0.0.1");
    ASSERT_TRUE(same >= 0);
    char code[64] = "?";
    ASSERT_FALSE(raw_ask(&f, same, "/showcaller/subscribe", code, sizeof code));
    close(same);
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.rate_limited, refused + 1);

    /* Another address has its own bucket. */
    int other = raw_socket("127.0.0.2");
    ASSERT_TRUE(other >= 0);
    ASSERT_TRUE(raw_ask(&f, other, "/showcaller/hold", code, sizeof code));
    ASSERT_STR_EQ(code, "");
    close(other);
    int calls = f.stub.calls;

    /* A fifth of a second at 5/s earns one more. */
    usleep(250 * 1000);
    ASSERT_TRUE(ask(&f, "/showcaller/go", lo_message_new()));
    ASSERT_EQ(f.reply.i, 1);
    ASSERT_EQ(f.stub.calls, calls + 1);
    ASSERT_TRUE(teardown(&f));
}

/* ---- Datagrams liblo cannot read, and bundles ------------------------------ */

/* Appends an OSC string (NUL-padded to four) at p; returns its size. */
static size_t put_str(unsigned char *p, const char *s)
{
    size_t n = strlen(s), size = (n / 4 + 1) * 4;
    memset(p, 0, size);
    memcpy(p, s, n);
    return size;
}

static size_t put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return 4;
}

/* The liblo peer sends bytes, so the answer comes back to it. */
static bool ask_raw(fix_t *f, const void *bytes, size_t len)
{
    int want = f->reply.count + 1;
    return raw_send(f, lo_server_get_socket_fd(f->peer), bytes, len) &&
           wait_count(f, &f->reply.count, want, 1000);
}

TEST(osc_in_unreadable_message_under_showcaller_gets_bad_argument)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    unsigned char b[128];
    size_t n;

    /* A string promised by the type tags but missing. */
    n = put_str(b, "/showcaller/goto");
    n += put_str(b + n, ",s");
    ASSERT_TRUE(ask_raw(&f, b, n));
    ASSERT_STR_EQ(f.reply.s[0], "goto");
    ASSERT_EQ(f.reply.i, 0);
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    ASSERT_CONTAINS(f.reply.s[2], "cannot be read");

    /* No type tag string (OSC before 1.0). */
    n = put_str(b, "/showcaller/go");
    ASSERT_TRUE(ask_raw(&f, b, n));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    ASSERT_CONTAINS(f.reply.s[2], "no type tag string");

    /* A type tag liblo does not know. */
    n = put_str(b, "/showcaller/add");
    n += put_str(b + n, ",x");
    n += put32(b + n, 5);
    ASSERT_TRUE(ask_raw(&f, b, n));
    ASSERT_STR_EQ(f.reply.s[1], "bad_argument");
    ASSERT_CONTAINS(f.reply.s[2], "unknown type tag");

    /* An unknown name is that first, however unreadable the rest. */
    n = put_str(b, "/showcaller/nope");
    b[n++] = 0xff;
    ASSERT_TRUE(ask_raw(&f, b, n));
    ASSERT_STR_EQ(f.reply.s[0], "nope");
    ASSERT_STR_EQ(f.reply.s[1], "unknown_command");

    ASSERT_EQ(f.stub.calls, 0);
    sc_osc_in_stats_t st;
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.malformed, 0);
    ASSERT_TRUE(teardown(&f));
}

/* A bundle header at p with a zero time tag; returns its size. */
static size_t put_bundle(unsigned char *p)
{
    size_t n = put_str(p, "#bundle");
    n += put32(p + n, 0);
    n += put32(p + n, 1);
    return n;
}

/* A message without arguments as a bundle element; returns its size. */
static size_t put_element(unsigned char *p, const char *path)
{
    size_t n = put_str(p + 4, path);
    n += put_str(p + 4 + n, ",");
    put32(p, (uint32_t)n);
    return 4 + n;
}

/* A message without arguments inside depth bundles; returns its size. */
static size_t put_nested(unsigned char *p, int depth, const char *path)
{
    if (depth == 0) {
        size_t n = put_str(p, path);
        return n + put_str(p + n, ",");
    }
    size_t n = put_bundle(p);
    size_t inner = put_nested(p + n + 4, depth - 1, path);
    put32(p + n, (uint32_t)inner);
    return n + 4 + inner;
}

TEST(osc_in_broken_bundle_runs_none_of_its_commands)
{
    fix_t f;
    ASSERT_TRUE(setup_default(&f));
    unsigned char b[4096];
    size_t n = put_bundle(b);
    n += put_element(b + n, "/showcaller/hold");
    put32(b + n, 1000); /* an element longer than what is left */
    n += 4;
    n += put_str(b + n, "/showcaller/go");
    ASSERT_TRUE(raw_send(&f, lo_server_get_socket_fd(f.peer), b, n));

    /* Nested one deeper than allowed. */
    n = put_nested(b, SC_OSC_MAX_DEPTH + 1, "/showcaller/go");
    ASSERT_TRUE(raw_send(&f, lo_server_get_socket_fd(f.peer), b, n));

    /* One message more than a datagram may carry. */
    n = put_bundle(b);
    for (int k = 0; k <= SC_OSC_MAX_MESSAGES; k++)
        n += put_element(b + n, "/showcaller/hold");
    ASSERT_TRUE(raw_send(&f, lo_server_get_socket_fd(f.peer), b, n));

    /* Each was dropped whole: no reply, nothing dispatched. */
    ASSERT_TRUE(ask(&f, "/showcaller/resume", lo_message_new()));
    ASSERT_EQ(f.reply.count, 1);
    ASSERT_STR_EQ(f.reply.s[0], "resume");
    ASSERT_EQ(f.stub.calls, 1);
    sc_osc_in_stats_t st;
    sc_osc_in_stats(f.door, &st);
    ASSERT_EQ(st.malformed, 3);

    /* As deep as allowed is fine, and as many messages as allowed are all
     * answered. */
    n = put_nested(b, SC_OSC_MAX_DEPTH, "/showcaller/go");
    ASSERT_TRUE(ask_raw(&f, b, n));
    ASSERT_STR_EQ(f.reply.s[0], "go");
    ASSERT_EQ(f.stub.calls, 2);

    n = put_bundle(b);
    for (int k = 0; k < SC_OSC_MAX_MESSAGES; k++)
        n += put_element(b + n, "/showcaller/hold");
    ASSERT_TRUE(raw_send(&f, lo_server_get_socket_fd(f.peer), b, n));
    ASSERT_TRUE(wait_count(&f, &f.reply.count, 2 + SC_OSC_MAX_MESSAGES, 1000));
    ASSERT_EQ(f.stub.calls, 2 + SC_OSC_MAX_MESSAGES);
    ASSERT_TRUE(teardown(&f));
}

/* ---- The decoder alone ------------------------------------------------------ */

typedef struct {
    int calls;
    sc_osc_kind_t kind[8];
    char name[8][32];
    char code[8][32];
    sc_command_t last;
} seen_t;

static void collect(void *ctx, sc_osc_msg_t *m)
{
    seen_t *s = ctx;
    if (s->calls < 8) {
        s->kind[s->calls] = m->kind;
        snprintf(s->name[s->calls], sizeof s->name[0], "%s", m->name);
        snprintf(s->code[s->calls], sizeof s->code[0], "%s", m->result.ok ? "" : m->result.code);
    }
    if (m->kind == SC_OSC_COMMAND)
        s->last = m->cmd;
    s->calls++;
}

TEST(osc_decode_sorts_the_messages_of_a_bundle_in_order)
{
    unsigned char b[512];
    size_t n = put_bundle(b);
    n += put_element(b + n, "/atem/cut");
    n += put_element(b + n, "/showcaller/subscribe");
    n += put_element(b + n, "/showcaller/unsubscribe");
    n += put_element(b + n, "/showcaller/explode");
    n += put_element(b + n, "/showcaller/goto"); /* its item is missing */
    size_t m = put_str(b + n + 4, "/showcaller/goto");
    m += put_str(b + n + 4 + m, ",s");
    m += put_str(b + n + 4 + m, "weather");
    put32(b + n, (uint32_t)m);
    n += 4 + m;
    n += put32(b + n, 16); /* an empty bundle inside: nothing */
    n += put_bundle(b + n);

    seen_t s = {0};
    ASSERT_EQ(sc_osc_decode(b, n, "192.0.2.7:5000", collect, &s), SC_OSC_OK);
    ASSERT_EQ(s.calls, 6);
    ASSERT_EQ(s.kind[0], SC_OSC_OTHER);
    ASSERT_STR_EQ(s.name[0], "");
    ASSERT_EQ(s.kind[1], SC_OSC_SUBSCRIBE);
    ASSERT_EQ(s.kind[2], SC_OSC_UNSUBSCRIBE);
    ASSERT_EQ(s.kind[3], SC_OSC_REFUSED);
    ASSERT_STR_EQ(s.code[3], "unknown_command");
    ASSERT_EQ(s.kind[4], SC_OSC_REFUSED);
    ASSERT_STR_EQ(s.code[4], "missing_argument");
    ASSERT_EQ(s.kind[5], SC_OSC_COMMAND);
    ASSERT_STR_EQ(s.name[5], "goto");
    ASSERT_EQ(s.last.id, SC_CMD_GOTO);
    ASSERT_STR_EQ(s.last.item, "weather");
    ASSERT_EQ(s.last.door, SC_DOOR_OSC);
    ASSERT_STR_EQ(s.last.source, "192.0.2.7:5000");
}

TEST(osc_decode_broken_frames_are_errors_and_call_nothing)
{
    unsigned char b[256] = {0};
    seen_t s = {0};
    ASSERT_EQ(sc_osc_decode(b, 0, "x", collect, &s), SC_OSC_ERR_NOT_OSC);
    ASSERT_EQ(sc_osc_decode("xyz\0", 4, "x", collect, &s), SC_OSC_ERR_NOT_OSC);
    /* An address without its terminator, or with junk in its padding. */
    ASSERT_EQ(sc_osc_decode("/showcaller/go", 14, "x", collect, &s), SC_OSC_ERR_NOT_OSC);
    ASSERT_EQ(sc_osc_decode("/go\0\0x\0\0,\0\0\0", 12, "x", collect, &s), SC_OSC_OK);
    ASSERT_EQ(sc_osc_decode("/gox\0y\0\0,\0\0\0", 12, "x", collect, &s), SC_OSC_ERR_NOT_OSC);
    /* A bundle cut inside its time tag, or inside an element's size. */
    ASSERT_EQ(sc_osc_decode("#bundle\0\0\0\0\0", 12, "x", collect, &s), SC_OSC_ERR_BUNDLE);
    size_t n = put_bundle(b);
    b[n++] = 0;
    ASSERT_EQ(sc_osc_decode(b, n, "x", collect, &s), SC_OSC_ERR_BUNDLE);
    /* Element sizes of zero, not a multiple of four, or past the end. */
    for (uint32_t size = 0; size < 3; size++) {
        n = put_bundle(b);
        n += put_element(b + n, "/showcaller/go");
        put32(b + 16, size == 0 ? 0 : size == 1 ? 18 : 1u << 31);
        ASSERT_EQ(sc_osc_decode(b, n, "x", collect, &s), SC_OSC_ERR_BUNDLE);
    }
    /* Only the /go message was walked to the end. */
    ASSERT_EQ(s.calls, 1);
    ASSERT_EQ(s.kind[0], SC_OSC_OTHER);
    ASSERT_STR_EQ(sc_osc_strerror(SC_OSC_ERR_DEPTH), "bundles nested too deep");
}
