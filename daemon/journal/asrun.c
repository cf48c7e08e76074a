/* The as-run log: JSON lines appended through libuv's file requests, one write and one fsync per
 * batch. */
#include "asrun.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal_line.h"
#include "xalloc.h"

/* A growable byte buffer. */
typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

typedef enum { OP_NONE = 0, OP_WRITE, OP_FSYNC, OP_CLOSE } op_t;

/* Largest single write: uv_buf_t lengths are unsigned int. A bigger batch
 * goes out as consecutive writes, still one at a time. */
#define WRITE_MAX ((size_t)1 << 30)

struct sc_asrun {
    uv_loop_t *loop;
    char *path;
    uv_file fd;  /* -1 once closed */
    uv_fs_t req; /* the one request in flight, if any */
    op_t op;

    /* Retries after a failed write; initialised only when first needed, so
     * a healthy log holds no handle on the loop. */
    uv_timer_t retry;
    bool retry_init;
    bool backoff;

    bool closing;       /* sc_asrun_close was called */
    bool close_started; /* uv_fs_close issued: nothing more is written */
    void (*done)(void *ctx);
    void *done_ctx;

    void (*on_durable)(void *ctx, uint64_t seq);
    void *durable_ctx;

    /* The in-memory copy: a ring of serialized lines (no newline), oldest
     * at head. ring_cap never exceeds max. */
    char **lines;
    size_t ring_cap, head, n, max;

    buf_t queue;        /* lines appended since the current batch started */
    buf_t batch;        /* the batch being written; batch_off bytes are done */
    size_t batch_off;   /* after a failed write, the rest waits for a retry */
    uint64_t batch_seq; /* the last seq in the batch */
    /* Seqs whose fsync failed: (from, to], newest last, the oldest dropped.
     * A later fsync that succeeds moves durable_seq past them, but they may
     * never reach the disk, so sc_asrun_is_durable says no for them. */
    struct {
        uint64_t after, to;
    } lost[SC_ASRUN_LOST_RANGES];
    unsigned nlost;

    uint64_t next_seq;
    sc_asrun_stats_t st;
    sc_scan_t scan; /* what open found in the file */
};

static void oom(void)
{
    fputs("showcaller: out of memory\n", stderr);
    abort();
}

static void buf_add(buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = rd_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Hands the buffer's text to the caller (never NULL). */
static char *buf_take(buf_t *b, size_t *len)
{
    if (!b->p)
        buf_add(b, "", 0);
    if (len)
        *len = b->len;
    return b->p;
}

/* ---- The in-memory ring ---- */

static char *ring_at(const sc_asrun_t *a, size_t i)
{
    return a->lines[(a->head + i) % a->ring_cap];
}

/* Moves the ring into a new array of cap slots, oldest first. */
static void ring_resize(sc_asrun_t *a, size_t cap)
{
    char **v = rd_xcalloc(cap, sizeof *v);
    for (size_t i = 0; i < a->n; i++)
        v[i] = ring_at(a, i);
    free(a->lines);
    a->lines = v;
    a->ring_cap = cap;
    a->head = 0;
}

/* Takes ownership of line. */
static void ring_push(sc_asrun_t *a, char *line)
{
    if (a->n == a->ring_cap && a->ring_cap < a->max) {
        size_t cap = a->ring_cap ? a->ring_cap * 2 : 64;
        ring_resize(a, cap < a->max ? cap : a->max);
    }
    if (a->n < a->ring_cap) {
        a->lines[(a->head + a->n) % a->ring_cap] = line;
        a->n++;
        return;
    }
    /* Full at the cap: the oldest leaves memory (it stays in the file). */
    free(a->lines[a->head]);
    a->lines[a->head] = line;
    a->head = (a->head + 1) % a->ring_cap;
    a->st.omitted++;
}

void sc_asrun_set_memory_max(sc_asrun_t *a, size_t max)
{
    if (max < 1)
        max = 1;
    while (a->n > max) {
        free(a->lines[a->head]);
        a->head = (a->head + 1) % a->ring_cap;
        a->n--;
        a->st.omitted++;
    }
    a->max = max;
    size_t cap = a->n > 64 ? a->n : (max < 64 ? max : 64);
    ring_resize(a, cap);
}

/* ---- Writing ---- */

static void kick(sc_asrun_t *a);
static void submit_write(sc_asrun_t *a);

static void started(sc_asrun_t *a, op_t op)
{
    a->op = op;
    a->st.in_flight++;
    if (a->st.in_flight > a->st.max_in_flight)
        a->st.max_in_flight = a->st.in_flight;
}

static void finished(sc_asrun_t *a)
{
    uv_fs_req_cleanup(&a->req);
    a->op = OP_NONE;
    a->st.in_flight--;
}

static void on_timer_closed(uv_handle_t *h)
{
    sc_asrun_t *a = h->data;
    a->retry_init = false;
    if (a->done)
        a->done(a->done_ctx);
}

/* The file is closed: release the timer, if any, then tell the owner. */
static void finish(sc_asrun_t *a)
{
    if (a->retry_init) {
        uv_timer_stop(&a->retry);
        uv_close((uv_handle_t *)&a->retry, on_timer_closed);
        return;
    }
    if (a->done)
        a->done(a->done_ctx);
}

static void on_retry(uv_timer_t *t)
{
    sc_asrun_t *a = t->data;
    a->backoff = false;
    if (a->close_started && a->fd < 0)
        finish(a);
    else
        kick(a);
}

/* Runs on_retry from the loop after ms. */
static void arm_timer(sc_asrun_t *a, uint64_t ms)
{
    if (!a->retry_init) {
        uv_timer_init(a->loop, &a->retry);
        a->retry.data = a;
        a->retry_init = true;
    }
    uv_timer_start(&a->retry, on_retry, ms, 0);
}

static void on_close(uv_fs_t *req)
{
    sc_asrun_t *a = req->data;
    int r = (int)req->result;
    finished(a);
    a->fd = -1;
    if (r < 0)
        a->st.last_error = r;
    finish(a);
}

static void start_close(sc_asrun_t *a)
{
    a->close_started = true;
    started(a, OP_CLOSE);
    int r = uv_fs_close(a->loop, &a->req, a->fd, on_close);
    if (r < 0) {
        /* Not issued: done must still come from the loop, not from here. */
        finished(a);
        a->fd = -1;
        a->st.last_error = r;
        arm_timer(a, 0);
    }
}

static void write_failed(sc_asrun_t *a, int err)
{
    a->st.write_errors++;
    a->st.last_error = err;
    if (a->closing) {
        /* No retry at close: the records stay in memory, and a partial last
         * line is dropped by the next open. */
        a->batch_off = a->batch.len;
        a->queue.len = 0;
        kick(a);
        return;
    }
    /* The rest of the batch waits and goes out first, so order holds. */
    a->backoff = true;
    arm_timer(a, SC_ASRUN_RETRY_MS);
}

static void on_fsync(uv_fs_t *req)
{
    sc_asrun_t *a = req->data;
    int r = (int)req->result;
    finished(a);
    if (r < 0) {
        /* Linux may drop the dirty pages after a failed fsync, so writing
         * them again cannot be trusted either; the batch is not reported
         * durable, and the error shows in the state. */
        a->st.fsync_errors++;
        a->st.last_error = r;
        if (a->nlost == SC_ASRUN_LOST_RANGES) {
            memmove(&a->lost[0], &a->lost[1], sizeof a->lost - sizeof a->lost[0]);
            a->nlost--;
        }
        a->lost[a->nlost].after = a->st.durable_seq;
        a->lost[a->nlost].to = a->batch_seq;
        a->nlost++;
    } else {
        a->st.fsyncs++;
        if (a->batch_seq > a->st.durable_seq) {
            a->st.durable_seq = a->batch_seq;
            if (a->on_durable)
                a->on_durable(a->durable_ctx, a->st.durable_seq);
        }
    }
    kick(a);
}

static void submit_fsync(sc_asrun_t *a)
{
    started(a, OP_FSYNC);
    int r = uv_fs_fsync(a->loop, &a->req, a->fd, on_fsync);
    if (r < 0) {
        finished(a);
        a->st.fsync_errors++;
        a->st.last_error = r;
    }
}

static void on_write(uv_fs_t *req)
{
    sc_asrun_t *a = req->data;
    ssize_t r = req->result;
    finished(a);
    a->st.writes++;
    if (r <= 0) {
        /* A regular file never takes 0 bytes of a non-empty write; treat it
         * as an error rather than spin. */
        write_failed(a, r < 0 ? (int)r : UV_EIO);
        return;
    }
    a->batch_off += (size_t)r;
    if (a->batch_off < a->batch.len)
        submit_write(a);
    else
        submit_fsync(a);
}

static void submit_write(sc_asrun_t *a)
{
    size_t n = a->batch.len - a->batch_off;
    if (n > WRITE_MAX)
        n = WRITE_MAX;
    uv_buf_t b = uv_buf_init(a->batch.p + a->batch_off, (unsigned)n);
    started(a, OP_WRITE);
    int r = uv_fs_write(a->loop, &a->req, a->fd, &b, 1, -1, on_write);
    if (r < 0) {
        finished(a);
        write_failed(a, r);
    }
}

/* Takes everything queued (after what is left of a failed batch) as the
 * next batch. */
static void start_batch(sc_asrun_t *a)
{
    if (a->batch_off == a->batch.len) {
        buf_t t = a->batch;
        a->batch = a->queue;
        a->queue = t;
        a->queue.len = 0;
    } else {
        size_t rest = a->batch.len - a->batch_off;
        memmove(a->batch.p, a->batch.p + a->batch_off, rest);
        a->batch.len = rest;
        buf_add(&a->batch, a->queue.p ? a->queue.p : "", a->queue.len);
        a->queue.len = 0;
    }
    a->batch_off = 0;
    a->batch_seq = a->next_seq - 1;
    a->st.batches++;
    submit_write(a);
}

/* Starts the next request if none is in flight. */
static void kick(sc_asrun_t *a)
{
    if (a->op != OP_NONE || a->close_started || a->backoff)
        return;
    if (a->batch_off < a->batch.len || a->queue.len > 0)
        start_batch(a);
    else if (a->closing)
        start_close(a);
}

/* ---- Appending ---- */

/* The record without its seal, as memory and the exports keep it: the seal
 * proves a line in the file and means nothing once it has been read. */
static char *unsealed(const char *line, size_t len)
{
    size_t body = sc_line_unsealed_len(line, len);
    if (body == len)
        return rd_xstrndup(line, len);
    char *s = rd_xstrndup(line, body + 1);
    s[body] = '}';
    return s;
}

uint64_t sc_asrun_append(sc_asrun_t *a, json_t *record)
{
    if (!json_is_object(record)) {
        json_decref(record);
        record = json_pack("{s:s, s:n, s:b, s:s, s:s}", "kind", "daemon", "wall", "rehearsal", 0,
                           "event", "invalid_record", "message",
                           "a record that is not a JSON object was logged");
    }
    json_object_del(record, "seq");
    char *body = json_dumps(record, JSON_COMPACT);
    json_decref(record);
    if (!body)
        oom();
    /* "seq" goes first, so even a torn line shows which record it was, and
     * the seal last (journal_line.h). */
    uint64_t seq = a->next_seq++;
    char *line = sc_line_seal(seq, body);
    free(body);
    buf_str(&a->queue, line);
    buf_add(&a->queue, "\n", 1);
    ring_push(a, unsealed(line, strlen(line)));
    free(line);
    a->st.last_seq = seq;
    /* Not at once: every record appended in this loop iteration (a command
     * and all it caused) then goes out in one batch, under one fsync, so a
     * reply waiting for the last of them (ack.h) waits for all of them. */
    if (a->op == OP_NONE && !a->backoff && !a->close_started)
        arm_timer(a, 0);
    return seq;
}

/* ---- Opening ---- */

/* Every good record read at open goes into memory (journal_line.h judges
 * them). */
static void load_record(void *ctx, uint64_t seq, const char *line, size_t len, int64_t offset)
{
    (void)seq;
    (void)offset;
    sc_asrun_t *a = ctx;
    ring_push(a, unsealed(line, len));
    a->st.loaded++;
}

/* Reads the file once, streaming: the good records go into memory, the
 * next seq follows the last good one (a bad line's seq is never believed),
 * and a file that does not end in a newline gets one before the next
 * record. */
static int load(sc_asrun_t *a)
{
    int r = sc_journal_scan(a->fd, 0, load_record, a, &a->scan);
    if (r < 0)
        return r;
    a->next_seq = a->scan.last_seq + 1;
    a->st.durable_seq = a->scan.last_seq;
    a->st.bad_lines = a->scan.bad_lines;
    for (size_t i = 0; i < a->scan.ndamage; i++)
        if (a->scan.damage[i].kind == SC_DAMAGE_TORN) {
            a->st.dropped_partial = 1;
            a->st.bad_lines--;
        }
    if (a->scan.ends_torn)
        buf_add(&a->queue, "\n", 1);
    return 0;
}

/* mkdir -p: only the last component's error counts; open reports the rest. */
static int make_dirs(uv_loop_t *loop, const char *dir)
{
    char *d = rd_xstrdup(dir);
    uv_fs_t req;
    for (char *p = strchr(d + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        uv_fs_mkdir(loop, &req, d, 0755, NULL);
        uv_fs_req_cleanup(&req);
        *p = '/';
    }
    int r = uv_fs_mkdir(loop, &req, d, 0755, NULL);
    uv_fs_req_cleanup(&req);
    free(d);
    return r == UV_EEXIST ? 0 : r;
}

/* Makes a newly created file's name durable too. Best effort: some file
 * systems refuse fsync on a directory. */
static void sync_dir(uv_loop_t *loop, const char *dir)
{
    uv_fs_t req;
    int fd = uv_fs_open(loop, &req, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, NULL);
    uv_fs_req_cleanup(&req);
    if (fd < 0)
        return;
    uv_fs_fsync(loop, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
    uv_fs_close(loop, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
}

sc_asrun_t *sc_asrun_open(uv_loop_t *loop, const char *dir, const char *name, int *err)
{
    if (!dir || !*dir)
        dir = ".";
    int r = make_dirs(loop, dir);
    if (r < 0) {
        *err = r;
        return NULL;
    }
    sc_asrun_t *a = rd_xcalloc(1, sizeof *a);
    a->loop = loop;
    a->path = rd_xasprintf("%s/%s", dir, name);
    a->req.data = a;
    a->max = SC_ASRUN_MEMORY_MAX;
    a->next_seq = 1;
    uv_fs_t req;
    r = uv_fs_open(loop, &req, a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644, NULL);
    uv_fs_req_cleanup(&req);
    a->fd = r;
    if (r >= 0)
        r = load(a);
    if (r < 0) {
        *err = r;
        sc_asrun_free(a);
        return NULL;
    }
    sync_dir(loop, dir);
    a->st.last_seq = a->next_seq - 1;
    return a;
}

/* ---- Closing ---- */

void sc_asrun_close(sc_asrun_t *a, void (*done)(void *ctx), void *ctx)
{
    if (a->closing)
        return;
    a->closing = true;
    a->done = done;
    a->done_ctx = ctx;
    if (a->backoff) {
        /* One last try, now, instead of waiting for the timer. */
        uv_timer_stop(&a->retry);
        a->backoff = false;
    }
    kick(a);
}

void sc_asrun_free(sc_asrun_t *a)
{
    if (!a)
        return;
    if (a->op != OP_NONE || a->retry_init) {
        /* Freeing memory libuv still points to would corrupt the loop. */
        fputs("showcaller: sc_asrun_free before close completed\n", stderr);
        abort();
    }
    if (a->fd >= 0) {
        uv_fs_t req;
        uv_fs_close(a->loop, &req, a->fd, NULL);
        uv_fs_req_cleanup(&req);
    }
    for (size_t i = 0; i < a->n; i++)
        free(ring_at(a, i));
    free(a->lines);
    free(a->queue.p);
    free(a->batch.p);
    free(a->path);
    free(a);
}

/* ---- Reading back ---- */

uint64_t sc_asrun_last_seq(const sc_asrun_t *a)
{
    return a->st.last_seq;
}

void sc_asrun_skip_to(sc_asrun_t *a, uint64_t seq)
{
    if (seq >= a->next_seq && seq < SC_SEQ_MAX) {
        a->next_seq = seq + 1;
        a->st.last_seq = seq;
    }
}

const sc_scan_t *sc_asrun_scan(const sc_asrun_t *a)
{
    return &a->scan;
}

const char *sc_asrun_path(const sc_asrun_t *a)
{
    return a->path;
}

uint64_t sc_asrun_durable_seq(const sc_asrun_t *a)
{
    return a->st.durable_seq;
}

bool sc_asrun_is_durable(const sc_asrun_t *a, uint64_t seq)
{
    if (seq > a->st.durable_seq)
        return false;
    for (unsigned i = 0; i < a->nlost; i++)
        if (seq > a->lost[i].after && seq <= a->lost[i].to)
            return false;
    return true;
}

void sc_asrun_on_durable(sc_asrun_t *a, void (*cb)(void *ctx, uint64_t seq), void *ctx)
{
    a->on_durable = cb;
    a->durable_ctx = cb ? ctx : NULL;
}

int sc_asrun_last_error(const sc_asrun_t *a)
{
    return a->st.last_error;
}

void sc_asrun_stats(const sc_asrun_t *a, sc_asrun_stats_t *out)
{
    *out = a->st;
    out->in_memory = a->n;
    out->queued_bytes = a->queue.len;
}

/* The note that opens the exports when older records are only in the file;
 * NULL when there are none. */
static json_t *omitted_note(const sc_asrun_t *a)
{
    if (!a->st.omitted)
        return NULL;
    char *msg =
        rd_xasprintf("%" PRIu64 " earlier records are only in the file %s", a->st.omitted, a->path);
    json_t *j = json_pack("{s:i, s:s, s:n, s:b, s:s, s:s}", "seq", 0, "kind", "daemon", "wall",
                          "rehearsal", 0, "event", "omitted", "message", msg);
    free(msg);
    if (!j)
        oom();
    return j;
}

/* ---- Answers joined to their cues ---- */

/* The answer records in memory, by the seq of the cue each answers: the
 * exports copy them into the cue's record (written at send time, before any
 * answer could exist). An object of "seq" strings to records; NULL when
 * there is none. */
static json_t *answers_by_cue(const sc_asrun_t *a)
{
    json_t *map = NULL;
    for (size_t i = 0; i < a->n; i++) {
        const char *line = ring_at(a, i);
        if (!strstr(line, "\"kind\":\"answer\""))
            continue;
        json_t *j = json_loads(line, 0, NULL);
        json_int_t cue_seq = json_integer_value(json_object_get(j, "cue_seq"));
        if (j && cue_seq > 0) {
            if (!map)
                map = json_object();
            char key[24];
            snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT, cue_seq);
            json_object_set(map, key, j);
        }
        json_decref(j);
    }
    return map;
}

static const char *const answer_fields[] = {"answer", "answered", "answer_us", "answer_detail"};

/* Record j with its answer's fields when it is a cue that has one (j is
 * changed in place); true when it was. */
static bool join_answer(json_t *j, const json_t *answers)
{
    const char *kind = json_string_value(json_object_get(j, "kind"));
    if (!answers || !kind || strcmp(kind, "cue") != 0)
        return false;
    char key[24];
    snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(j, "seq")));
    const json_t *ans = json_object_get(answers, key);
    if (!ans)
        return false;
    for (size_t k = 0; k < sizeof answer_fields / sizeof answer_fields[0]; k++) {
        json_t *v = json_object_get(ans, answer_fields[k]);
        json_object_set(j, answer_fields[k], v ? v : json_null());
    }
    return true;
}

char *sc_asrun_json_text(const sc_asrun_t *a, size_t *len)
{
    buf_t b = {0};
    json_t *note = omitted_note(a);
    if (!note && a->n == 0) {
        buf_str(&b, "[]\n");
        return buf_take(&b, len);
    }
    buf_str(&b, "[\n");
    if (note) {
        char *s = json_dumps(note, JSON_COMPACT);
        if (!s)
            oom();
        buf_str(&b, s);
        buf_str(&b, a->n ? ",\n" : "\n");
        free(s);
        json_decref(note);
    }
    json_t *answers = answers_by_cue(a);
    for (size_t i = 0; i < a->n; i++) {
        const char *line = ring_at(a, i);
        json_t *j = answers && strstr(line, "\"kind\":\"cue\"") ? json_loads(line, 0, NULL) : NULL;
        char *joined = j && join_answer(j, answers) ? json_dumps(j, JSON_COMPACT) : NULL;
        buf_str(&b, joined ? joined : line);
        free(joined);
        json_decref(j);
        buf_str(&b, i + 1 < a->n ? ",\n" : "\n");
    }
    json_decref(answers);
    buf_str(&b, "]\n");
    return buf_take(&b, len);
}

char *sc_asrun_csv_text(const sc_asrun_t *a, size_t *len)
{
    buf_t b = {0};
    buf_str(&b, SC_ASRUN_CSV_HEADER);
    json_t *note = omitted_note(a);
    if (note) {
        char *row = sc_asrun_csv_row(note);
        buf_str(&b, row);
        free(row);
        json_decref(note);
    }
    json_t *answers = answers_by_cue(a);
    for (size_t i = 0; i < a->n; i++) {
        json_t *j = json_loads(ring_at(a, i), 0, NULL);
        if (!j)
            continue; /* every line in memory was parsed once; only OOM fails */
        join_answer(j, answers);
        char *row = sc_asrun_csv_row(j);
        buf_str(&b, row);
        free(row);
        json_decref(j);
    }
    json_decref(answers);
    return buf_take(&b, len);
}

/* ---- CSV ---- */

static const char *const csv_columns[] = {
    "seq",           "wall",      "kind",    "item",      "cue",       "target",
    "cause",         "planned",   "actual",  "scheduled", "sent",      "lateness_us",
    "outcome",       "cmd",       "args",    "door",      "source",    "ok",
    "error",         "rehearsal", "message", "answered",  "answer_us", "answer",
    "answer_detail", "cue_seq",
};

/* Adds one field, quoted when it holds a comma, quote, CR or LF. */
static void csv_field(buf_t *b, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        buf_add(b, s, n);
        return;
    }
    buf_add(b, "\"", 1);
    const char *p = s, *end = s + n, *q;
    while ((q = memchr(p, '"', (size_t)(end - p)))) {
        buf_add(b, p, (size_t)(q - p) + 1);
        buf_add(b, "\"", 1);
        p = q + 1;
    }
    buf_add(b, p, (size_t)(end - p));
    buf_add(b, "\"", 1);
}

static void csv_json(buf_t *b, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s)
        oom();
    csv_field(b, s, strlen(s));
    free(s);
}

static void csv_value(buf_t *b, const char *column, const json_t *v)
{
    char num[32];
    switch (json_typeof(v)) {
    case JSON_STRING:
        csv_field(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        buf_str(b, num);
        break;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        buf_str(b, num);
        break;
    case JSON_TRUE:
        buf_str(b, "true");
        break;
    case JSON_FALSE:
        buf_str(b, "false");
        break;
    case JSON_OBJECT: {
        const char *code = json_string_value(json_object_get(v, "code"));
        const char *msg = json_string_value(json_object_get(v, "message"));
        if (strcmp(column, "error") == 0 && code) {
            char *s = rd_xasprintf("%s: %s", code, msg ? msg : "");
            csv_field(b, s, strlen(s));
            free(s);
        } else {
            csv_json(b, v);
        }
        break;
    }
    case JSON_ARRAY:
        csv_json(b, v);
        break;
    case JSON_NULL:
        break;
    }
}

char *sc_asrun_csv_row(const json_t *record)
{
    buf_t b = {0};
    size_t ncol = sizeof csv_columns / sizeof csv_columns[0];
    for (size_t i = 0; i < ncol; i++) {
        if (i)
            buf_add(&b, ",", 1);
        const json_t *v = json_is_object(record) ? json_object_get(record, csv_columns[i]) : NULL;
        if (v)
            csv_value(&b, csv_columns[i], v);
    }
    buf_add(&b, "\r\n", 2);
    return buf_take(&b, NULL);
}
