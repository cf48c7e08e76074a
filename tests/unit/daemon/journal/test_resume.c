/* Tests for daemon/journal/resume.c: which records of the as-run log a resume replays, and the
 * rundown's hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "journal/resume.h"
#include "unit.h"

/* 2026-11-27T00:00:00Z: the show's day. Records below happen at 00:00:SS,
 * so their show time is SS seconds. */
#define MIDNIGHT (INT64_C(1795737600) * RD_NS_PER_S)
#define AT(ss) (MIDNIGHT + (int64_t)(ss)*RD_NS_PER_S)

/* The rundown the daemon runs now, and another one. */
#define HASH UINT64_C(0xabc)
#define THIS "0000000000000abc"
#define OTHER "0000000000000def"

/* Records as the as-run log writes them, with single quotes, at 00:00:ss. */
#define WALL(ss) "'wall': '2026-11-27T00:00:" ss ".000000Z', 'rehearsal': false, "
#define DAEMON(ss, event) "{'kind': 'daemon', " WALL(ss) "'event': '" event "', 'message': 'm'"
#define START(hash, ss) DAEMON(ss, "start") ", 'rundown': 'show.json', 'rundown_hash': '" hash "'}"
#define RELOAD(hash, ss) DAEMON(ss, "reload") ", 'rundown_hash': '" hash "'}"
#define STOP(ss) DAEMON(ss, "stop") "}"
#define CMD_ARGS(cmd, args, ss)                                                                    \
    "{'kind': 'command', " WALL(ss) "'cmd': '" cmd "', 'args': " args ", 'door': 'ws', "           \
                                    "'source': '127.0.0.1:5123', 'ok': true, 'error': null}"
#define CMD(cmd, ss) CMD_ARGS(cmd, "{}", ss)
#define MSG(text, ss) CMD_ARGS("message", "{'text': '" text "'}", ss)
#define ITEM_START(id, ss)                                                                         \
    "{'kind': 'item_start', " WALL(ss) "'item': '" id "', 'title': 'T', 'planned': null, "         \
                                       "'actual': '2026-11-27T00:00:" ss                           \
                                       ".000000Z', 'cause': 'go'}"

static const char *config_text = "{'targets': {'sw': {'url': 'osc.udp://127.0.0.1:9001'}}}";
static const char *items_text =
    "{'id': 'a', 'title': 'A', 'duration': '10s'}, {'id': 'b', 'title': 'B', 'duration': '10s'}";

/* The rundown, what apply was given (as text, since its strings are
 * borrowed from the log), and the result. */
typedef struct {
    rd_rundown_t r;
    rd_config_t c;
    char log[1024];
    int calls;
    bool ok; /* what sc_resume_replay returned */
    sc_resume_result_t out;
} fx_t;

static void on_apply(void *ctx, const sc_record_t *rec)
{
    static const char *const kinds[] = {"item_start", "item_end",  "item_skipped", "item_restored",
                                        "show_ended", "hold",      "resume",       "add",
                                        "panic",      "rehearsal", "skip",         "cue_done"};
    fx_t *f = ctx;
    f->calls++;
    size_t n = strlen(f->log);
    char what[128];
    switch (rec->kind) {
    case SC_REC_SHOW:
        snprintf(what, sizeof what, "%s%s%s@%lld", kinds[rec->show.kind],
                 rec->show.item >= 0 ? " " : "",
                 rec->show.item >= 0 ? f->r.items[rec->show.item].id : "",
                 (long long)(rec->show.at_ns / RD_NS_PER_S));
        break;
    case SC_REC_MESSAGE:
        snprintf(what, sizeof what, "message %s@%lld", rec->text,
                 (long long)((rec->wall_ns - MIDNIGHT) / RD_NS_PER_S));
        break;
    case SC_REC_CLEAR_MESSAGE:
        snprintf(what, sizeof what, "clear@%lld",
                 (long long)((rec->wall_ns - MIDNIGHT) / RD_NS_PER_S));
        break;
    case SC_REC_START:
    case SC_REC_RELOAD:
    case SC_REC_OTHER:
        /* None of these may reach apply. */
        snprintf(what, sizeof what, "NOT FOR APPLY (kind %d)", (int)rec->kind);
        break;
    }
    snprintf(f->log + n, sizeof f->log - n, "%s%s", n ? "; " : "", what);
}

static bool fx_open(fx_t *f)
{
    memset(f, 0, sizeof *f);
    return fx_load("", items_text, config_text, &f->r, &f->c);
}

/* A file holding len bytes, unlinked, open for reading; -1 on failure. */
static int temp_fd(const char *bytes, size_t len)
{
    char path[] = "/tmp/resume-log-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    if (write(fd, bytes, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The log as the as-run file holds it: a JSON array text (single quotes)
 * becomes one sealed line per record, seq 1, 2, ...; any other text is
 * written as it is. NULL: no file. */
static int log_fd(const char *text)
{
    if (!text)
        return -1;
    char *t = fx_dq(text);
    json_t *arr = json_loads(t, 0, NULL);
    if (!json_is_array(arr)) {
        json_decref(arr);
        int fd = temp_fd(t, strlen(t));
        free(t);
        return fd;
    }
    free(t);
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(cap, 1);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        /* The string "DAMAGE" stands for a line that lost its record. */
        if (json_is_string(json_array_get(arr, i))) {
            len += (size_t)snprintf(out + len, cap - len, "{\"seq\":%zu,#######\n", i + 1);
            continue;
        }
        char *body = json_dumps(json_array_get(arr, i), JSON_COMPACT);
        char *line = sc_line_seal(i + 1, body);
        len += (size_t)snprintf(out + len, cap - len, "%s\n", line);
        free(line);
        free(body);
    }
    json_decref(arr);
    int fd = temp_fd(out, len);
    free(out);
    return fd;
}

/* Replays the log text (single quotes; NULL for none) for the rundown HASH. */
static bool replay(fx_t *f, const char *text)
{
    int fd = log_fd(text);
    f->log[0] = '\0';
    f->calls = 0;
    sc_resume_result_free(&f->out);
    f->ok = sc_resume_replay(fd, NULL, HASH, &f->r, MIDNIGHT, on_apply, f, &f->out);
    if (fd >= 0)
        close(fd);
    return f->ok;
}

/* The records, NULL-terminated, as the log's JSON array. */
#define LOG(...) ((const char *const[]){__VA_ARGS__, NULL})

static void replay_log(fx_t *f, const char *const *recs)
{
    char text[4096] = "[";
    for (size_t i = 0; recs[i]; i++) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "%s%s", i ? "," : "", recs[i]);
    }
    size_t n = strlen(text);
    snprintf(text + n, sizeof text - n, "]");
    replay(f, text);
}

/* No log, or a log without records: nothing to resume; lines that are not
 * records are damage, and damage before any start touches the show. */
TEST(resume_without_a_log)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    ASSERT_FALSE(replay(&f, NULL));
    ASSERT_STR_EQ(f.out.why, "no as-run log to resume from");
    static const char *const texts[] = {"", "not json\n", "{}\n", "{'kind': 'daemon'}\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ASSERT_FALSE(replay(&f, texts[i]));
        ASSERT_STR_EQ(f.out.why, "no earlier run today");
        ASSERT_FALSE(f.out.resumed);
        ASSERT_EQ(f.out.applied, 0);
        ASSERT_EQ(f.calls, 0);
        ASSERT_EQ(f.out.uncertain, i > 0);
    }
    sc_resume_result_free(&f.out);
    fx_unload(&f.r, &f.c);
}

/* A log without a start of the daemon has no earlier run to resume. */
TEST(resume_without_an_earlier_start)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    ASSERT_FALSE(replay(&f, "[]"));
    ASSERT_STR_EQ(f.out.why, "no earlier run today");
    replay_log(&f, LOG(CMD("hold", "01"), STOP("02")));
    ASSERT_STR_EQ(f.out.why, "no earlier run today");
    ASSERT_FALSE(f.ok);
    ASSERT_FALSE(f.out.resumed);
    ASSERT_EQ(f.out.applied, 0);
    ASSERT_EQ(f.calls, 0);
    fx_unload(&f.r, &f.c);
}

/* The last run was of another rundown: the show starts from the top and
 * nothing is applied, even when an earlier run was of this one. */
TEST(resume_another_rundown_starts_from_the_top)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    replay_log(&f, LOG(START(OTHER, "01"), CMD("hold", "02"), CMD("resume", "03")));
    ASSERT_STR_EQ(f.out.why, "the rundown changed since the last run: starting from the top");
    ASSERT_FALSE(f.ok);
    ASSERT_FALSE(f.out.resumed);
    ASSERT_EQ(f.out.applied, 0);
    ASSERT_EQ(f.calls, 0);

    replay_log(&f,
               LOG(START(THIS, "01"), CMD("hold", "02"), START(OTHER, "03"), CMD("resume", "04")));
    ASSERT_STR_EQ(f.out.why, "the rundown changed since the last run: starting from the top");
    ASSERT_FALSE(f.ok);
    ASSERT_EQ(f.out.applied, 0);
    ASSERT_EQ(f.calls, 0);

    /* A reload away from this rundown counts the same. */
    replay_log(&f, LOG(START(THIS, "01"), CMD("hold", "02"), RELOAD(OTHER, "03")));
    ASSERT_STR_EQ(f.out.why, "the rundown changed since the last run: starting from the top");
    ASSERT_FALSE(f.ok);
    ASSERT_EQ(f.calls, 0);
    fx_unload(&f.r, &f.c);
}

/* The last run was of this rundown but nothing happened in it (a second
 * start of the same rundown adds nothing): nothing to resume. */
TEST(resume_earlier_run_did_nothing_yet)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    replay_log(&f, LOG(START(THIS, "01")));
    ASSERT_STR_EQ(f.out.why, "the earlier run of this rundown did nothing yet");
    ASSERT_FALSE(f.ok);
    replay_log(&f, LOG(START(THIS, "01"), START(THIS, "02")));
    ASSERT_STR_EQ(f.out.why, "the earlier run of this rundown did nothing yet");
    ASSERT_FALSE(f.ok);
    ASSERT_FALSE(f.out.resumed);
    ASSERT_EQ(f.out.applied, 0);
    ASSERT_EQ(f.calls, 0);
    fx_unload(&f.r, &f.c);
}

/* The records after the start are replayed in order; those a resume has no
 * use for (go, whose item records say what it did; a stop) are counted but
 * not applied. */
TEST(resume_replays_the_records_after_the_start)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    replay_log(&f,
               LOG(START(THIS, "01"), CMD("go", "02"), ITEM_START("a", "02"), CMD("hold", "03"),
                   MSG("Wrap", "05"), CMD("resume", "06"), CMD("clear_message", "07"), STOP("08")));
    ASSERT_TRUE(f.ok);
    ASSERT_TRUE(f.out.resumed);
    ASSERT_STR_EQ(f.log, "item_start a@2; hold@3; message Wrap@5; resume@6; clear@7");
    ASSERT_EQ(f.calls, 5);
    ASSERT_EQ(f.out.applied, 7);
    ASSERT_STR_EQ(f.out.why, "resumed from 7 records");
    ASSERT_EQ(f.out.last_wall_ns, AT(8));
    fx_unload(&f.r, &f.c);
}

/* A start with the rundown already running (the same rundown run twice,
 * e.g. after a crash) carries on: the records of both runs are replayed,
 * and the starts are not. */
TEST(resume_same_rundown_twice_keeps_both_runs)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    replay_log(&f, LOG(START(THIS, "01"), CMD("hold", "02"), START(THIS, "03"), CMD("resume", "04"),
                       START(THIS, "05")));
    ASSERT_TRUE(f.ok);
    ASSERT_STR_EQ(f.log, "hold@2; resume@4");
    ASSERT_EQ(f.out.applied, 2);
    ASSERT_STR_EQ(f.out.why, "resumed from 2 records");
    fx_unload(&f.r, &f.c);
}

/* A reload carries the show on to the rundown it loaded: what came before
 * it is replayed when that rundown is this one, and a later start of it
 * does not forget either. */
TEST(resume_reload_carries_the_show_on)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    replay_log(
        &f, LOG(START(OTHER, "01"), ITEM_START("a", "02"), RELOAD(THIS, "03"), CMD("hold", "04")));
    ASSERT_TRUE(f.ok);
    ASSERT_STR_EQ(f.log, "item_start a@2; hold@4");
    ASSERT_EQ(f.out.applied, 2);

    replay_log(&f, LOG(START(OTHER, "01"), ITEM_START("a", "02"), RELOAD(THIS, "03"),
                       START(THIS, "04"), CMD("hold", "05")));
    ASSERT_TRUE(f.ok);
    ASSERT_STR_EQ(f.log, "item_start a@2; hold@5");
    ASSERT_EQ(f.out.applied, 2);
    ASSERT_STR_EQ(f.out.why, "resumed from 2 records");
    fx_unload(&f.r, &f.c);
}

/* A start of another rundown begins a new show: what came before it
 * (another run of this rundown too, and records before any start) is not
 * replayed once this rundown starts again. */
TEST(resume_forgets_what_came_before_another_rundown)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    replay_log(&f,
               LOG(CMD("hold", "01"), START(THIS, "02"), CMD("resume", "03"), START(OTHER, "04"),
                   CMD("panic", "05"), START(THIS, "06"), ITEM_START("b", "07")));
    ASSERT_TRUE(f.ok);
    ASSERT_STR_EQ(f.log, "item_start b@7");

    replay_log(&f, LOG(CMD("hold", "01"), START(THIS, "02"), CMD("resume", "03")));
    ASSERT_TRUE(f.ok);
    ASSERT_STR_EQ(f.log, "resume@3");
    fx_unload(&f.r, &f.c);
}

/* applied counts the current show's records only: not those a later start
 * of another rundown forgot, nor those before the first start. Here the
 * current show (from the start at 06) holds one record. */
TEST(resume_applied_counts_only_the_current_show)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    replay_log(&f,
               LOG(CMD("hold", "01"), START(THIS, "02"), CMD("resume", "03"), START(OTHER, "04"),
                   CMD("panic", "05"), START(THIS, "06"), ITEM_START("b", "07")));
    sc_resume_result_t first = f.out;
    char first_log[sizeof f.log];
    snprintf(first_log, sizeof first_log, "%s", f.log);
    replay_log(&f, LOG(CMD("hold", "01"), START(THIS, "02"), CMD("resume", "03")));
    /* Freed before the checks: this test fails while the bug is there. */
    fx_unload(&f.r, &f.c);
    ASSERT_STR_EQ(first_log, "item_start b@7");
    ASSERT_STR_EQ(first.why, "resumed from 1 records");
    ASSERT_EQ(first.applied, 1);
    ASSERT_STR_EQ(f.out.why, "resumed from 1 records");
    ASSERT_EQ(f.out.applied, 1);
}

/* The run of this rundown that began at 03 did nothing: the hold of the
 * other rundown's run before it does not count, so this is "nothing done
 * yet", and nothing is replayed or resumed. */
TEST(resume_nothing_done_since_another_rundowns_run)
{
    fx_t f;
    ASSERT_TRUE(fx_open(&f));
    replay_log(&f, LOG(START(OTHER, "01"), CMD("hold", "02"), START(THIS, "03")));
    /* Freed before the checks: this test fails while the bug is there. */
    fx_unload(&f.r, &f.c);
    ASSERT_EQ(f.calls, 0);
    ASSERT_STR_EQ(f.out.why, "the earlier run of this rundown did nothing yet");
    ASSERT_FALSE(f.ok);
    ASSERT_FALSE(f.out.resumed);
    ASSERT_EQ(f.out.applied, 0);
}

/* A file with these bytes, in /tmp; caller unlinks and frees. */
static char *temp_file(const void *bytes, size_t len)
{
    char *p = strdup("/tmp/resume-hash-XXXXXX");
    int fd = p ? mkstemp(p) : -1;
    if (fd < 0) {
        free(p);
        return NULL;
    }
    bool ok = write(fd, bytes, len) == (ssize_t)len;
    close(fd);
    if (!ok) {
        unlink(p);
        free(p);
        return NULL;
    }
    return p;
}

/* The hash is FNV-1a 64 of the file's bytes (every byte, NUL and high ones
 * too): the same for the same bytes, another for others, 0 for no file. */
TEST(resume_hash_of_a_file)
{
    static const struct {
        const char *bytes;
        size_t len;
        uint64_t hash;
    } cases[] = {{"", 0, UINT64_C(0xcbf29ce484222325)},
                 {"a", 1, UINT64_C(0xaf63dc4c8601ec8c)},
                 {"foobar", 6, UINT64_C(0x85944171f73967e8)},
                 {"\x00\xff\x80", 3, UINT64_C(0xd6c4781869e88da0)}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = temp_file(cases[i].bytes, cases[i].len);
        ASSERT_TRUE(p);
        uint64_t h = sc_resume_hash(p);
        unlink(p);
        free(p);
        ASSERT_EQ(h, cases[i].hash);
    }

    const char *show = "{\"items\": []}\n", *edited = "{\"items\": [ ]}\n";
    char *p1 = temp_file(show, strlen(show)), *p2 = temp_file(show, strlen(show));
    char *p3 = temp_file(edited, strlen(edited));
    ASSERT_TRUE(p1 && p2 && p3);
    uint64_t h1 = sc_resume_hash(p1), h2 = sc_resume_hash(p2), h3 = sc_resume_hash(p3);
    unlink(p1);
    unlink(p2);
    unlink(p3);
    ASSERT_TRUE(h1 != 0);
    ASSERT_EQ(h1, h2);
    ASSERT_TRUE(h1 != h3);
    ASSERT_EQ(sc_resume_hash(p1), 0);
    ASSERT_EQ(sc_resume_hash("/nonexistent/dir/show.json"), 0);
    free(p1);
    free(p2);
    free(p3);
}

/* A cue record, sent at its scheduled time 00:00:ss, for run 1 of its item. */
#define CUE(id, item, ss)                                                                          \
    "{'kind': 'cue', " WALL(ss) "'cue': '" id "', 'item': '" item "', 'target': 'sw', "            \
                                "'protocol': 'osc.udp', 'scheduled': '2026-11-27T00:00:" ss        \
                                ".000000Z', 'sent': '2026-11-27T00:00:" ss ".000000Z', "           \
                                "'lateness_us': 0, 'outcome': 'sent', 'error': null, 'run': 1}"

/* Damage inside the current show makes it uncertain; cue records after it
 * are the evidence of a start it hid (scheduled minus the cue's offset);
 * a journal_ack after the damage settles it. */
TEST(resume_damage_is_evidence_and_ack_settles_it)
{
    fx_t f;
    memset(&f, 0, sizeof f);
    ASSERT_TRUE(fx_load("",
                        "{'id': 'a', 'title': 'A', 'duration': '10s'},"
                        "{'id': 'b', 'title': 'B', 'duration': '10s', 'cues': ["
                        "{'id': 'b1', 'at': '1s', 'target': 'sw', 'osc': {'address': '/b'}}]}",
                        config_text, &f.r, &f.c));
    replay_log(&f, LOG(START(THIS, "01"), ITEM_START("a", "02"), "'DAMAGE'", CUE("b1", "b", "13")));
    ASSERT_TRUE(f.ok);
    ASSERT_TRUE(f.out.uncertain);
    ASSERT_EQ(f.out.ndamage, 1);
    ASSERT_EQ(f.out.damage[0].kind, SC_DAMAGE_LINES);
    ASSERT_EQ(f.out.damage[0].after_seq, 2);
    ASSERT_EQ(f.out.damage[0].before_seq, 4);
    ASSERT_TRUE(f.out.evidence_run != NULL);
    ASSERT_EQ(f.out.evidence_run[0], 0);
    ASSERT_EQ(f.out.evidence_run[1], 1);
    ASSERT_EQ(f.out.evidence_start_ns[1], 12 * RD_NS_PER_S);
    /* Acknowledged after the damage: a plain resume. */
    replay_log(&f, LOG(START(THIS, "01"), ITEM_START("a", "02"), "'DAMAGE'", CUE("b1", "b", "13"),
                       CMD("journal_ack", "20")));
    ASSERT_TRUE(f.ok);
    ASSERT_FALSE(f.out.uncertain);
    ASSERT_TRUE(f.out.evidence_run == NULL);
    /* Damage before another rundown's start that began the show: only logged. */
    replay_log(&f, LOG(START(OTHER, "01"), "'DAMAGE'", START(THIS, "03"), ITEM_START("a", "04")));
    ASSERT_TRUE(f.ok);
    ASSERT_FALSE(f.out.uncertain);
    /* Records known lost beyond the end always touch the show. */
    sc_resume_result_free(&f.out);
    int fd = log_fd("[" START(THIS, "01") "," ITEM_START("a", "02") "]");
    sc_damage_t lost = {.kind = SC_DAMAGE_LOST, .after_seq = 2, .before_seq = 9, .offset = 999};
    ASSERT_TRUE(sc_resume_replay(fd, &lost, HASH, &f.r, MIDNIGHT, on_apply, &f, &f.out));
    close(fd);
    ASSERT_TRUE(f.out.uncertain);
    ASSERT_EQ(f.out.damage[0].kind, SC_DAMAGE_LOST);
    sc_resume_result_free(&f.out);
    fx_unload(&f.r, &f.c);
}
