/* Tests for daemon/asrun.c: order, seq, fsync before durable, reopen, torn lines, exports, bursts,
 * close, errors. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/asrun.h"
#include "unit.h"

/* A fresh directory under /tmp, removed (one level deep) by rm_dir. */
static char *make_dir(void)
{
    char *d = strdup("/tmp/asrun-test-XXXXXX");
    return d && mkdtemp(d) ? d : NULL;
}

static void rm_dir(char *d)
{
    DIR *dir = opendir(d);
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", d, e->d_name);
        unlink(p);
    }
    if (dir)
        closedir(dir);
    rmdir(d);
    free(d);
}

/* The whole file, NUL-terminated, with each line's seal checked and taken
 * off (a line whose seal fails keeps it, so a comparison shows it); caller
 * frees. */
static char *slurp_raw(const char *dir, const char *name);

static char *slurp(const char *dir, const char *name)
{
    char *raw = slurp_raw(dir, name);
    if (!raw)
        return NULL;
    char *out = malloc(strlen(raw) + 1), *o = out;
    for (const char *p = raw; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t k = SC_CRC_SUFFIX_LEN;
        if (n > k && strncmp(p + n - k, ",\"crc32c\":\"", 11) == 0) {
            char want[16];
            snprintf(want, sizeof want, "%08x", sc_crc32c(0, p, n - k));
            if (strncmp(p + n - k + 11, want, 8) == 0) {
                memcpy(o, p, n - k);
                o += n - k;
                *o++ = '}';
                p += n;
                n = 0;
            }
        }
        memcpy(o, p, n);
        o += n;
        p += n;
        if (*p == '\n')
            *o++ = *p++;
    }
    *o = '\0';
    free(raw);
    return out;
}

static char *slurp_raw(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0, n;
    char *s = malloc(cap);
    while (s && (n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap)
            s = realloc(s, cap *= 2);
    }
    fclose(f);
    if (s)
        s[len] = '\0';
    return s;
}

static void spit(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Checks the file is one JSON object per line with seq first, equal to
 * first, first+1, ...; torn lines (not JSON) are counted in *torn, not
 * checked. Returns the number of records, or -1 on a bad line. */
static long check_lines(const char *text, uint64_t first, int *torn)
{
    long n = 0;
    *torn = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return -1; /* every line ends in LF */
        json_t *j = json_loadb(p, (size_t)(nl - p), 0, NULL);
        if (!j) {
            (*torn)++;
        } else {
            char pre[40];
            int k = snprintf(pre, sizeof pre, "{\"seq\":%llu", (unsigned long long)first + n);
            bool ok = json_is_object(j) && strncmp(p, pre, (size_t)k) == 0 &&
                      (p[k] == ',' || p[k] == '}');
            json_decref(j);
            if (!ok)
                return -1;
            n++;
        }
        p = nl + 1;
    }
    return n;
}

static json_t *cue_record(int i)
{
    return json_pack("{s:s, s:s, s:b, s:s, s:i}", "kind", "daemon", "wall",
                     "2026-11-27T17:00:00.000123Z", "rehearsal", 0, "event", "test", "i", i);
}

static void set_flag(void *ctx)
{
    *(int *)ctx = 1;
}

/* Closes the log, runs the loop until done, frees, and closes the loop. */
static int close_all(uv_loop_t *loop, sc_asrun_t *a)
{
    int done = 0;
    sc_asrun_close(a, set_flag, &done);
    if (done)
        return -100; /* done must not come from inside close */
    uv_run(loop, UV_RUN_DEFAULT);
    if (!done)
        return -101;
    sc_asrun_free(a);
    return uv_loop_close(loop);
}

TEST(asrun_order_and_seq)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "asrun.jsonl", &err);
    ASSERT_TRUE(a);
    ASSERT_EQ(err, 0);
    for (int i = 1; i <= 50; i++)
        ASSERT_EQ(sc_asrun_append(a, cue_record(i)), i);
    ASSERT_EQ(sc_asrun_durable_seq(a), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_EQ(sc_asrun_durable_seq(a), 50);
    ASSERT_EQ(sc_asrun_last_error(a), 0);

    char *text = slurp(dir, "asrun.jsonl");
    int torn;
    ASSERT_EQ(check_lines(text, 1, &torn), 50);
    ASSERT_EQ(torn, 0);
    ASSERT_TRUE(strncmp(text,
                        "{\"seq\":1,\"kind\":\"daemon\",\"wall\":\"2026-11-27T17:00:00.000123Z\","
                        "\"rehearsal\":false,\"event\":\"test\",\"i\":1}\n",
                        90) == 0);
    free(text);
    ASSERT_EQ(close_all(&loop, a), 0);
    rm_dir(dir);
}

/* What the durable callback saw, and whether the disk had it by then. */
typedef struct {
    sc_asrun_t *a;
    const char *dir;
    uint64_t last;
    int calls;
    int bad;
} durable_probe_t;

static void on_durable(void *ctx, uint64_t seq)
{
    durable_probe_t *p = ctx;
    sc_asrun_stats_t st;
    sc_asrun_stats(p->a, &st);
    char *text = slurp(p->dir, "log.jsonl");
    int torn;
    long lines = text ? check_lines(text, 1, &torn) : -1;
    free(text);
    /* Reported only after an fsync completed, never going back, and the
     * records are in the file. */
    if (seq <= p->last || st.fsyncs < (uint64_t)p->calls + 1 || lines < (long)seq ||
        sc_asrun_durable_seq(p->a) != seq)
        p->bad++;
    p->last = seq;
    p->calls++;
}

TEST(asrun_durable_after_fsync)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "log.jsonl", &err);
    ASSERT_TRUE(a);
    durable_probe_t p = {.a = a, .dir = dir};
    sc_asrun_on_durable(a, on_durable, &p);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 7; i++)
            sc_asrun_append(a, cue_record(i));
        uv_run(&loop, UV_RUN_NOWAIT);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_EQ(p.bad, 0);
    ASSERT_TRUE(p.calls >= 2);
    ASSERT_EQ(p.last, 35);
    ASSERT_EQ(sc_asrun_durable_seq(a), 35);
    sc_asrun_stats_t st;
    sc_asrun_stats(a, &st);
    ASSERT_EQ(st.fsyncs, (uint64_t)p.calls);
    ASSERT_EQ(st.max_in_flight, 1);
    ASSERT_EQ(close_all(&loop, a), 0);
    rm_dir(dir);
}

TEST(asrun_reopen_continues)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "a.jsonl", &err);
    ASSERT_TRUE(a);
    for (int i = 0; i < 3; i++)
        sc_asrun_append(a, cue_record(i));
    ASSERT_EQ(close_all(&loop, a), 0);

    uv_loop_init(&loop);
    a = sc_asrun_open(&loop, dir, "a.jsonl", &err);
    ASSERT_TRUE(a);
    sc_asrun_stats_t st;
    sc_asrun_stats(a, &st);
    ASSERT_EQ(st.loaded, 3);
    ASSERT_EQ(st.in_memory, 3);
    ASSERT_EQ(st.last_seq, 3);
    ASSERT_EQ(st.dropped_partial, 0);
    ASSERT_EQ(sc_asrun_durable_seq(a), 3);
    ASSERT_EQ(sc_asrun_append(a, cue_record(3)), 4);
    ASSERT_EQ(close_all(&loop, a), 0);

    char *text = slurp(dir, "a.jsonl");
    int torn;
    ASSERT_EQ(check_lines(text, 1, &torn), 4);
    ASSERT_EQ(torn, 0);
    free(text);
    rm_dir(dir);
}

TEST(asrun_truncated_last_line)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    /* Two records, then a crash in the middle of the third. */
    spit(dir, "t.jsonl",
         "{\"seq\":1,\"kind\":\"daemon\",\"event\":\"start\"}\n"
         "{\"seq\":2,\"kind\":\"item_start\",\"item\":\"open\"}\n"
         "{\"seq\":3,\"kind\":\"cue\",\"cue\":\"open-pre");
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "t.jsonl", &err);
    ASSERT_TRUE(a);
    sc_asrun_stats_t st;
    sc_asrun_stats(a, &st);
    ASSERT_EQ(st.dropped_partial, 1);
    ASSERT_EQ(st.loaded, 2);
    ASSERT_EQ(st.in_memory, 2);
    /* The torn line named seq 3, but a bad line's seq is never believed:
     * the next record is the last good one's + 1. */
    ASSERT_EQ(sc_asrun_append(a, cue_record(0)), 3);
    ASSERT_EQ(sc_asrun_append(a, cue_record(1)), 4);
    ASSERT_EQ(close_all(&loop, a), 0);

    char *text = slurp(dir, "t.jsonl");
    ASSERT_CONTAINS(text, "\"cue\":\"open-pre\n{\"seq\":3,");
    /* Every line ends in LF and parses, but for the torn one. */
    const char *p = text;
    int lines = 0, bad = 0;
    for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
        json_t *j = json_loadb(p, (size_t)(nl - p), 0, NULL);
        bad += !j;
        json_decref(j);
    }
    ASSERT_EQ(*p, '\0');
    ASSERT_EQ(lines, 5);
    ASSERT_EQ(bad, 1);
    free(text);

    /* Reopened, the torn line is an ordinary bad line and seq goes on. */
    uv_loop_init(&loop);
    a = sc_asrun_open(&loop, dir, "t.jsonl", &err);
    ASSERT_TRUE(a);
    sc_asrun_stats(a, &st);
    ASSERT_EQ(st.dropped_partial, 0);
    ASSERT_EQ(st.bad_lines, 1);
    ASSERT_EQ(st.loaded, 4);
    ASSERT_EQ(sc_asrun_append(a, cue_record(2)), 5);
    ASSERT_EQ(close_all(&loop, a), 0);
    rm_dir(dir);
}

TEST(asrun_truncated_without_seq)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    spit(dir, "t.jsonl", "{\"seq\":1,\"kind\":\"daemon\"}\n{\"se");
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "t.jsonl", &err);
    ASSERT_TRUE(a);
    ASSERT_EQ(sc_asrun_append(a, json_pack("{s:s}", "kind", "daemon")), 2);
    ASSERT_EQ(close_all(&loop, a), 0);
    char *text = slurp(dir, "t.jsonl");
    ASSERT_STR_EQ(text,
                  "{\"seq\":1,\"kind\":\"daemon\"}\n{\"se\n{\"seq\":2,\"kind\":\"daemon\"}\n");
    free(text);
    rm_dir(dir);
}

TEST(asrun_json_text)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "j.jsonl", &err);
    ASSERT_TRUE(a);
    size_t len = 0;
    char *s = sc_asrun_json_text(a, &len);
    ASSERT_STR_EQ(s, "[]\n");
    ASSERT_EQ(len, 3);
    free(s);
    /* A seq set by the caller is replaced. */
    sc_asrun_append(a, json_pack("{s:i, s:s, s:s}", "seq", 99, "kind", "daemon", "message", "a"));
    sc_asrun_append(a, json_pack("{s:s, s:s}", "kind", "daemon", "message", "b\n\"c\""));
    sc_asrun_append(a, json_object());
    s = sc_asrun_json_text(a, &len);
    ASSERT_STR_EQ(s, "[\n"
                     "{\"seq\":1,\"kind\":\"daemon\",\"message\":\"a\"},\n"
                     "{\"seq\":2,\"kind\":\"daemon\",\"message\":\"b\\n\\\"c\\\"\"},\n"
                     "{\"seq\":3}\n"
                     "]\n");
    ASSERT_EQ(len, strlen(s));
    json_t *j = json_loads(s, 0, NULL);
    ASSERT_TRUE(json_is_array(j));
    ASSERT_EQ(json_array_size(j), 3);
    json_decref(j);
    free(s);
    ASSERT_EQ(close_all(&loop, a), 0);
    rm_dir(dir);
}

TEST(asrun_csv_row_kinds)
{
    json_t *r =
        json_pack("{s:i, s:s, s:s, s:b, s:s, s:s, s:n, s:s, s:s}", "seq", 1, "kind", "item_start",
                  "wall", "2026-11-27T17:00:00.000123Z", "rehearsal", 0, "item", "open", "title",
                  "Cold open", "planned", "actual", "2026-11-27T17:00:00.000100Z", "cause", "go");
    char *row = sc_asrun_csv_row(r);
    ASSERT_STR_EQ(row, "1,2026-11-27T17:00:00.000123Z,item_start,open,,,go,,"
                       "2026-11-27T17:00:00.000100Z,,,,,,,,,,,false,,,,,,\r\n");
    free(row);
    json_decref(r);

    r = json_pack("{s:i, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:n, s:s}", "seq",
                  2, "kind", "cue", "wall", "W", "rehearsal", 1, "cue", "c1", "item", "open",
                  "target", "switcher", "protocol", "osc.udp", "scheduled", "S", "sent", "T",
                  "lateness_us", -42, "outcome", "sent", "error", "answer", "ok, \"cut\"");
    row = sc_asrun_csv_row(r);
    ASSERT_STR_EQ(row, "2,W,cue,open,c1,switcher,,,,S,T,-42,sent,,,,,,,true,,,,"
                       "\"ok, \"\"cut\"\"\",,\r\n");
    free(row);
    json_decref(r);

    r = json_pack("{s:i, s:s, s:s, s:b, s:s, s:{s:s, s:s}, s:s, s:s, s:b, s:{s:s, s:s}}", "seq", 3,
                  "kind", "command", "wall", "W", "rehearsal", 0, "cmd", "message", "args", "text",
                  "WRAP, now", "color", "red", "door", "ws", "source", "127.0.0.1:5123", "ok", 0,
                  "error", "code", "bad_argument", "message", "text is \"too\" long");
    row = sc_asrun_csv_row(r);
    ASSERT_STR_EQ(row, "3,W,command,,,,,,,,,,,message,"
                       "\"{\"\"text\"\":\"\"WRAP, now\"\",\"\"color\"\":\"\"red\"\"}\","
                       "ws,127.0.0.1:5123,false,\"bad_argument: text is \"\"too\"\" long\","
                       "false,,,,,,\r\n");
    free(row);
    json_decref(r);

    r = json_pack("{s:i, s:s, s:s, s:b, s:s, s:s}", "seq", 4, "kind", "daemon", "wall", "W",
                  "rehearsal", 0, "event", "stop", "message", "line one\r\nline \"two\", done");
    row = sc_asrun_csv_row(r);
    ASSERT_STR_EQ(row, "4,W,daemon,,,,,,,,,,,,,,,,,false,"
                       "\"line one\r\nline \"\"two\"\", done\",,,,,\r\n");
    free(row);
    json_decref(r);

    /* A cue's error is a plain string; missing fields are empty. */
    r = json_pack("{s:s, s:s}", "kind", "cue", "error", "ECONNREFUSED");
    row = sc_asrun_csv_row(r);
    ASSERT_STR_EQ(row, ",,cue,,,,,,,,,,,,,,,,ECONNREFUSED,,,,,,,\r\n");
    free(row);
    json_decref(r);
}

TEST(asrun_csv_text)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "c.jsonl", &err);
    ASSERT_TRUE(a);
    sc_asrun_append(a, json_pack("{s:s, s:s, s:b, s:s, s:s}", "kind", "daemon", "wall", "W1",
                                 "rehearsal", 1, "event", "start", "message", "up, \"fine\"\n"));
    sc_asrun_append(a, json_pack("{s:s, s:s, s:b, s:s, s:s}", "kind", "item_skipped", "wall", "W2",
                                 "rehearsal", 0, "item", "pkg", "cause", "goto"));
    uv_run(&loop, UV_RUN_DEFAULT);
    size_t len;
    char *s = sc_asrun_csv_text(a, &len);
    ASSERT_STR_EQ(s, SC_ASRUN_CSV_HEADER
                  "1,W1,daemon,,,,,,,,,,,,,,,,,true,\"up, \"\"fine\"\"\n\",,,,,\r\n"
                  "2,W2,item_skipped,pkg,,,goto,,,,,,,,,,,,,false,,,,,,\r\n");
    ASSERT_EQ(len, strlen(s));
    free(s);
    ASSERT_EQ(close_all(&loop, a), 0);
    rm_dir(dir);
}

/* A device's answer comes in its own record, after the cue's (written when
 * it was sent); both exports copy it into the cue's record, and the file
 * keeps both as written. */
TEST(asrun_exports_join_answers_to_their_cues)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "j.jsonl", &err);
    ASSERT_TRUE(a);
    sc_asrun_append(a, json_pack("{s:s, s:s, s:b, s:s, s:s, s:n, s:n, s:n, s:n}", "kind", "cue",
                                 "wall", "W1", "rehearsal", 0, "cue", "c1", "outcome", "sent",
                                 "answer", "answered", "answer_us", "answer_detail"));
    sc_asrun_append(a, json_pack("{s:s, s:s, s:b, s:s, s:s}", "kind", "cue", "wall", "W2",
                                 "rehearsal", 0, "cue", "c2", "outcome", "sent"));
    sc_asrun_append(a, json_pack("{s:s, s:s, s:b, s:s, s:i, s:s, s:s, s:i, s:s}", "kind", "answer",
                                 "wall", "W3", "rehearsal", 0, "cue", "c1", "cue_seq", 1, "answer",
                                 "error", "answered", "A", "answer_us", 2400, "answer_detail",
                                 "HTTP 404: gone"));
    uv_run(&loop, UV_RUN_DEFAULT);
    char *csv = sc_asrun_csv_text(a, NULL);
    ASSERT_CONTAINS(csv, "1,W1,cue,,c1,,,,,,,,sent,,,,,,,false,,A,2400,error,HTTP 404: gone,\r\n");
    ASSERT_CONTAINS(csv, "2,W2,cue,,c2,,,,,,,,sent,,,,,,,false,,,,,,\r\n");
    ASSERT_CONTAINS(csv, "3,W3,answer,,c1,,,,,,,,,,,,,,,false,,A,2400,error,HTTP 404: gone,1\r\n");
    free(csv);
    char *js = sc_asrun_json_text(a, NULL);
    json_t *arr = json_loads(js, 0, NULL);
    free(js);
    ASSERT_EQ(json_array_size(arr), 3);
    json_t *c1 = json_array_get(arr, 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(c1, "answer")), "error");
    ASSERT_EQ(json_integer_value(json_object_get(c1, "answer_us")), 2400);
    ASSERT_STR_EQ(json_string_value(json_object_get(c1, "answered")), "A");
    ASSERT_STR_EQ(json_string_value(json_object_get(c1, "answer_detail")), "HTTP 404: gone");
    ASSERT_TRUE(json_object_get(json_array_get(arr, 1), "answer") == NULL);
    json_decref(arr);
    ASSERT_EQ(close_all(&loop, a), 0);
    rm_dir(dir);
}

TEST(asrun_memory_cap)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "m.jsonl", &err);
    ASSERT_TRUE(a);
    sc_asrun_set_memory_max(a, 3);
    for (int i = 0; i < 5; i++)
        sc_asrun_append(a, json_pack("{s:s, s:i}", "kind", "daemon", "i", i));
    sc_asrun_stats_t st;
    sc_asrun_stats(a, &st);
    ASSERT_EQ(st.in_memory, 3);
    ASSERT_EQ(st.omitted, 2);
    char *s = sc_asrun_json_text(a, NULL);
    ASSERT_CONTAINS(s, "[\n{\"seq\":0,\"kind\":\"daemon\",\"wall\":null,\"rehearsal\":false,"
                       "\"event\":\"omitted\",\"message\":\"2 earlier records are only in the "
                       "file ");
    ASSERT_CONTAINS(s, "m.jsonl\"},\n{\"seq\":3,\"kind\":\"daemon\",\"i\":2},\n");
    ASSERT_CONTAINS(s, "{\"seq\":5,\"kind\":\"daemon\",\"i\":4}\n]\n");
    json_t *j = json_loads(s, 0, NULL);
    ASSERT_EQ(json_array_size(j), 4);
    json_decref(j);
    free(s);
    s = sc_asrun_csv_text(a, NULL);
    ASSERT_CONTAINS(s, "\r\n0,,daemon,,,,,,,,,,,,,,,,,false,2 earlier records are only in the ");
    ASSERT_CONTAINS(s, "\r\n3,,daemon,");
    free(s);
    ASSERT_EQ(close_all(&loop, a), 0);

    /* The file has all five; a reopen with a small cap keeps the newest. */
    char *text = slurp(dir, "m.jsonl");
    int torn;
    ASSERT_EQ(check_lines(text, 1, &torn), 5);
    free(text);
    rm_dir(dir);
}

TEST(asrun_invalid_record)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "i.jsonl", &err);
    ASSERT_TRUE(a);
    ASSERT_EQ(sc_asrun_append(a, json_string("not an object")), 1);
    ASSERT_EQ(sc_asrun_append(a, NULL), 2);
    char *s = sc_asrun_json_text(a, NULL);
    ASSERT_CONTAINS(s, "{\"seq\":2,\"kind\":\"daemon\",\"wall\":null,\"rehearsal\":false,"
                       "\"event\":\"invalid_record\"");
    free(s);
    ASSERT_EQ(close_all(&loop, a), 0);
    rm_dir(dir);
}

TEST(asrun_burst_one_in_flight)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "b.jsonl", &err);
    ASSERT_TRUE(a);
    /* All in one loop iteration (as a command and what it causes): one
     * batch, one fsync, nothing durable before all of it is. */
    for (int i = 0; i < 10000; i++)
        sc_asrun_append(a, cue_record(i));
    sc_asrun_stats_t st;
    sc_asrun_stats(a, &st);
    ASSERT_EQ(st.batches, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    sc_asrun_stats(a, &st);
    ASSERT_EQ(st.durable_seq, 10000);
    ASSERT_TRUE(sc_asrun_is_durable(a, 1));
    ASSERT_TRUE(sc_asrun_is_durable(a, 10000));
    ASSERT_FALSE(sc_asrun_is_durable(a, 10001));
    ASSERT_EQ(st.max_in_flight, 1);
    ASSERT_EQ(st.batches, 1);
    ASSERT_EQ(st.fsyncs, 1);
    /* Then paced, with the loop turning in between: still one at a time. */
    for (int i = 0; i < 10000; i++) {
        sc_asrun_append(a, cue_record(i));
        if (i % 50 == 0)
            uv_run(&loop, UV_RUN_NOWAIT);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    sc_asrun_stats(a, &st);
    ASSERT_EQ(st.durable_seq, 20000);
    ASSERT_EQ(st.max_in_flight, 1);
    ASSERT_EQ(st.in_flight, 0);
    ASSERT_TRUE(st.batches > 2);
    ASSERT_EQ(st.in_memory, 20000);
    ASSERT_EQ(close_all(&loop, a), 0);

    char *text = slurp(dir, "b.jsonl");
    int torn;
    ASSERT_EQ(check_lines(text, 1, &torn), 20000);
    ASSERT_EQ(torn, 0);
    free(text);
    rm_dir(dir);
}

TEST(asrun_close_writes_queued)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "q.jsonl", &err);
    ASSERT_TRUE(a);
    for (int i = 0; i < 100; i++)
        sc_asrun_append(a, cue_record(i));
    /* Close at once: one write is in flight, 99 records are queued. */
    int done = 0;
    sc_asrun_close(a, set_flag, &done);
    ASSERT_EQ(done, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_EQ(done, 1);
    ASSERT_EQ(sc_asrun_durable_seq(a), 100);
    sc_asrun_free(a);
    ASSERT_EQ(uv_loop_close(&loop), 0);
    char *text = slurp(dir, "q.jsonl");
    int torn;
    ASSERT_EQ(check_lines(text, 1, &torn), 100);
    free(text);
    rm_dir(dir);
}

TEST(asrun_open_errors)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    /* A directory that cannot be made: its parent is a regular file. */
    spit(dir, "file", "x");
    char sub[512];
    snprintf(sub, sizeof sub, "%s/file/var", dir);
    int err = 0;
    ASSERT_TRUE(sc_asrun_open(&loop, sub, "asrun.jsonl", &err) == NULL);
    ASSERT_EQ(err, UV_ENOTDIR);
    /* A file name that is a directory. */
    snprintf(sub, sizeof sub, "%s/d", dir);
    mkdir(sub, 0755);
    err = 0;
    ASSERT_TRUE(sc_asrun_open(&loop, dir, "d", &err) == NULL);
    ASSERT_EQ(err, UV_EISDIR);
    rmdir(sub);
    /* A read-only directory (root writes anywhere, so only checked otherwise). */
    if (geteuid() != 0) {
        snprintf(sub, sizeof sub, "%s/ro", dir);
        mkdir(sub, 0555);
        err = 0;
        ASSERT_TRUE(sc_asrun_open(&loop, sub, "asrun.jsonl", &err) == NULL);
        ASSERT_EQ(err, UV_EACCES);
        rmdir(sub);
    }
    /* Nested directories are made. */
    snprintf(sub, sizeof sub, "%s/n1", dir);
    char sub2[600];
    snprintf(sub2, sizeof sub2, "%s/n2", sub);
    sc_asrun_t *a = sc_asrun_open(&loop, sub2, "x.jsonl", &err);
    ASSERT_TRUE(a);
    ASSERT_EQ(close_all(&loop, a), 0);
    char p[700];
    snprintf(p, sizeof p, "%s/x.jsonl", sub2);
    unlink(p);
    rmdir(sub2);
    rmdir(sub);
    rm_dir(dir);
}

/* A write that fails (the file-size limit stands in for a full disk) is
 * counted, kept, and retried in order once the disk has room. */
TEST(asrun_write_error_retries)
{
    char *dir = make_dir();
    ASSERT_TRUE(dir);
    struct rlimit old;
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    sc_asrun_t *a = sc_asrun_open(&loop, dir, "e.jsonl", &err);
    ASSERT_TRUE(a);
    sc_asrun_append(a, cue_record(0));
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_EQ(sc_asrun_durable_seq(a), 1);

    struct rlimit small = {200, old.rlim_max};
    setrlimit(RLIMIT_FSIZE, &small);
    for (int i = 1; i < 10; i++)
        sc_asrun_append(a, cue_record(i));
    /* Run until the first failure, then give the disk room again. */
    while (sc_asrun_last_error(a) == 0)
        uv_run(&loop, UV_RUN_ONCE);
    setrlimit(RLIMIT_FSIZE, &old);
    ASSERT_EQ(sc_asrun_last_error(a), UV_EFBIG);
    ASSERT_TRUE(sc_asrun_durable_seq(a) < 10);
    uv_run(&loop, UV_RUN_DEFAULT); /* the retry timer fires */
    sc_asrun_stats_t st;
    sc_asrun_stats(a, &st);
    ASSERT_TRUE(st.write_errors >= 1);
    ASSERT_EQ(st.durable_seq, 10);
    ASSERT_EQ(st.max_in_flight, 1);
    ASSERT_EQ(st.in_memory, 10);

    /* Closing while the disk is still full gives up, and still ends
     * cleanly. */
    setrlimit(RLIMIT_FSIZE, &small);
    sc_asrun_append(a, cue_record(10));
    int rc = close_all(&loop, a);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_sig);
    ASSERT_EQ(rc, 0);

    char *text = slurp(dir, "e.jsonl");
    int torn;
    ASSERT_EQ(check_lines(text, 1, &torn), 10);
    ASSERT_EQ(torn, 0);
    free(text);
    rm_dir(dir);
}
