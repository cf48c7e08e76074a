/* libFuzzer target: arbitrary bytes as the as-run file, through the resume path a start-up takes:
 * the journal scanner (daemon/journal/journal_line.c), record reading (asrun_record.c) and the
 * replay (resume.c) onto a show of a small rundown (rundown/show.c), then the fail-safe's
 * evidence.
 *
 * Random bytes almost never carry a valid checksum, so the first byte picks how the rest is
 * written: even, as it is; odd, line by line, each line sealed as the daemon seals a record
 * (seq 1, 2, ...), except lines starting with '#', which stay as written (damage between good
 * records), and lines starting with '+', whose seq jumps by the next byte (gaps, repeats when it
 * wraps). So the fuzzer reaches the record parser and the replay with records that pass the
 * checks, and mixes them with damage.
 *
 * A broken promise of the headers traps, so the fuzzer reports it as a crash: a scan that counts
 * more good records than lines, a last good seq out of range, a resume result that reports damage
 * without being uncertain, or a replayed uncertain show without its evidence. Everything is freed,
 * so that LeakSanitizer sees any leak.
 *
 * Build with `make build/fuzz/fuzz_journal`; run with tests/fuzz/run.sh. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag.h"
#include "journal/journal_line.h"
#include "journal/resume.h"
#include "parse.h"
#include "show.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: say which, then trap (the fuzzer's crash). */
#define BROKEN()                                                                                   \
    do {                                                                                           \
        fprintf(stderr, "fuzz_journal: broken promise at line %d\n", __LINE__);                    \
        __builtin_trap();                                                                          \
    } while (0)

#define MIDNIGHT (INT64_C(1795737600) * RD_NS_PER_S)
#define HASH UINT64_C(0xabc)

static const char CONFIG[] = "{\"targets\": {\"sw\": {\"url\": \"osc.udp://127.0.0.1:9001\"}}}";
static const char RUNDOWN[] =
    "{\"format\": \"showcaller-rundown/1\", \"title\": \"T\", \"on_air\": \"17:59:00\", \"items\": "
    "["
    "{\"id\": \"a\", \"title\": \"A\", \"duration\": \"10s\", \"cues\": ["
    " {\"id\": \"a1\", \"target\": \"sw\", \"at\": \"0\", \"osc\": {\"address\": \"/x\"}},"
    " {\"id\": \"a2\", \"target\": \"sw\", \"at\": \"end-2s\", \"osc\": {\"address\": \"/y\"}}]},"
    "{\"id\": \"b\", \"title\": \"B\", \"duration\": \"20s\", \"start\": \"follow\", \"cues\": ["
    " {\"id\": \"b1\", \"target\": \"sw\", \"at\": \"1s\", \"osc\": {\"address\": \"/z\"}}]},"
    "{\"id\": \"c\", \"title\": \"C\", \"duration\": \"5s\", \"start\": \"18:00:00\"}]}";

static rd_config_t config;
static rd_rundown_t rundown;
static bool loaded;

static void load(void)
{
    rd_diags_t d = {0};
    if (!rd_config_parse(CONFIG, strlen(CONFIG), &config, &d) ||
        !rd_rundown_parse(RUNDOWN, strlen(RUNDOWN), &rundown, &d) ||
        !rd_rundown_link(&rundown, &config, &d))
        BROKEN(); /* the fixture itself is wrong */
    rd_diags_free(&d);
    loaded = true;
}

/* The file the fuzzer's bytes make (see the top). */
static char *file_bytes(const uint8_t *data, size_t size, size_t *out_len)
{
    if (size == 0 || !(data[0] & 1)) {
        char *raw = malloc(size + 1);
        memcpy(raw, data + (size ? 1 : 0), size ? size - 1 : 0);
        *out_len = size ? size - 1 : 0;
        return raw;
    }
    size_t cap = 2 * size + 64, len = 0;
    char *out = malloc(cap);
    uint64_t seq = 0;
    const uint8_t *p = data + 1, *end = data + size;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *body = strndup((const char *)p, n);
        char *line = NULL;
        if (n > 0 && p[0] == '#') {
            line = strdup(body);
        } else if (strlen(body) > 1 && p[0] == '+') { /* body may hold a NUL */
            seq += (uint64_t)(int8_t)p[1];            /* a jump back wraps: a repeat */
            line = sc_line_seal(seq, body + 2);
        } else {
            line = sc_line_seal(++seq, body);
        }
        free(body);
        size_t ln = strlen(line);
        while (len + ln + 2 > cap)
            out = realloc(out, cap *= 2);
        memcpy(out + len, line, ln);
        len += ln;
        if (nl)
            out[len++] = '\n';
        free(line);
        p += n + (nl ? 1 : 0);
    }
    *out_len = len;
    return out;
}

typedef struct {
    rd_show_t show;
    size_t records;
} replay_t;

static void on_record(void *ctx, const sc_record_t *rec)
{
    replay_t *r = ctx;
    r->records++;
    if (rec->kind == SC_REC_SHOW)
        rd_show_apply_event(&r->show, &rec->show);
}

static void on_line(void *ctx, uint64_t seq, const char *line, size_t len, int64_t offset)
{
    size_t *lines = ctx;
    (*lines)++;
    if (seq == 0 && len > 0 && line[0] == '{' && offset < 0)
        BROKEN();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loaded)
        load();
    size_t len = 0;
    char *bytes = file_bytes(data, size, &len);
    int fd = memfd_create("asrun", 0);
    if (fd < 0 || write(fd, bytes, len) != (ssize_t)len)
        BROKEN();
    free(bytes);

    /* The scan alone, as the as-run log's open does. */
    sc_scan_t scan;
    size_t lines = 0;
    if (sc_journal_scan(fd, 0, on_line, &lines, &scan) != 0)
        BROKEN();
    if (scan.good != lines)
        BROKEN();
    if (scan.last_seq > SC_SEQ_MAX || scan.size != (int64_t)len)
        BROKEN();
    if (scan.last_end > scan.size || scan.ndamage > SC_DAMAGE_KEEP)
        BROKEN();

    /* The replay, as a start-up does: a lost record after the last one
     * (a file shorter than its writer left it) half of the time. */
    replay_t r = {0};
    rd_show_open(&r.show, &rundown, &config, 0, NULL, NULL);
    sc_damage_t lost = {
        .kind = SC_DAMAGE_LOST, .after_seq = scan.last_seq, .offset = scan.size, .lines = 1};
    sc_resume_result_t out;
    bool resumed = sc_resume_replay(fd, size > 1 && (data[0] & 2) ? &lost : NULL, HASH, &rundown,
                                    MIDNIGHT, on_record, &r, &out);
    /* Damage makes the show uncertain; evidence exists when the show was
     * replayed (not for a log with no run of this rundown: then every item
     * is uncertain). */
    if (out.ndamage > SC_DAMAGE_KEEP || (out.ndamage > 0) != out.uncertain ||
        (resumed && out.uncertain && (!out.evidence_run || !out.evidence_start_ns)))
        BROKEN();
    if (out.evidence_run) {
        for (size_t i = 0; i < rundown.nitems; i++)
            for (size_t c = 0; out.evidence_run[i] > 0 && c < rundown.items[i].ncues; c++)
                rd_show_account(&r.show, (int)i, (int)c, out.evidence_run[i]);
        rd_show_suspend(&r.show, 0);
    }
    rd_show_replayed(&r.show, out.last_wall_ns > MIDNIGHT ? out.last_wall_ns - MIDNIGHT : 0);
    int next = rd_show_next(&r.show);
    if (next < -1 || next >= (int)rundown.nitems)
        BROKEN();
    sc_resume_result_free(&out);
    rd_show_close(&r.show);
    close(fd);
    return 0;
}
