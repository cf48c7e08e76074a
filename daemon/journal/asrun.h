/* The as-run log: append-only JSON lines on disk, written and fsynced through libuv, kept in memory
 * for export. */
#ifndef SC_ASRUN_H
#define SC_ASRUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "journal_line.h"

/* One record per line in DIR/NAME, in the order appended, each an object
 * whose first member is "seq". The file keeps everything; the daemon keeps
 * the newest SC_ASRUN_MEMORY_MAX records in memory (as their serialized
 * lines) for GET /api/asrun and /api/asrun.csv.
 *
 * Writing never blocks the loop: everything queued goes out in one
 * uv_fs_write, then one uv_fs_fsync, then the next batch; never more than
 * one request in flight, all on libuv's thread pool. A record is durable
 * once the fsync of its batch completed.
 *
 * The record schema. Callers build the record and set every field but
 * "seq". Times are ISO 8601 UTC with microseconds
 * ("2026-11-27T17:00:00.000123Z"); a field that does not apply is null.
 *
 *   every record:  "seq" (set here: 1, 2, 3...), "kind", "wall" (ISO, when
 *                  it happened), "rehearsal" (bool), and last "crc32c", the
 *                  line's seal (journal_line.h)
 *   "item_start":  "item", "title", "planned" (ISO or null), "actual" (ISO),
 *                  "cause" ("go"|"follow"|"hard_start"|"goto"|"back")
 *   "item_end":    "item", "planned", "actual", "cause"
 *   "item_skipped": "item", "cause"
 *   "cue":         "cue", "item", "target", "protocol" ("osc.udp"|"osc.tcp"|"ws"),
 *                  "scheduled" (ISO), "sent" (ISO or null),
 *                  "lateness_us" (integer or null),
 *                  "outcome" ("sent"|"failed"|"skipped"|"missed"),
 *                  "error" (string or null), "answer" (string or null: the
 *                  device's answer where the protocol has one)
 *   "command":     "cmd", "args" (object), "door" ("ws"|"http"|"osc"|"signal"),
 *                  "source" ("127.0.0.1:5123"), "ok" (bool),
 *                  "error" ({"code","message"} or null)
 *   "daemon":      "event" ("start"|"stop"|"reload"|"clock_step"|...), "message"
 *
 * When older records were left out of memory, the JSON and CSV exports
 * start with a note record: {"seq":0,"kind":"daemon","wall":null,
 * "rehearsal":false,"event":"omitted","message":"N earlier records are only
 * in the file PATH"}. */

typedef struct sc_asrun sc_asrun_t;

#define SC_ASRUN_MEMORY_MAX 200000 /* records kept in memory by default */
#define SC_ASRUN_RETRY_MS 1000     /* after a failed write, the wait before trying again */

/* Creates dir (and its parents) if missing, opens dir/name for append
 * (O_APPEND|O_CREAT, 0644) and reads it once, synchronously and streaming
 * (sc_journal_scan): this happens at start-up, before the show. The
 * in-memory copy continues with the file's good records, and the next seq
 * follows the last good one. A truncated last line (a crash mid-write) and
 * every line that fails its seal or seq check are left out of memory,
 * counted in the stats and described in sc_asrun_scan; new records start on
 * a fresh line. Returns NULL and sets *err (a uv error code) on failure.
 * dir and name are borrowed. */
sc_asrun_t *sc_asrun_open(uv_loop_t *loop, const char *dir, const char *name, int *err);

/* Takes ownership of record (a JSON object), sets its "seq" and queues it.
 * Returns the seq. Never blocks and never fails: a record that is not an
 * object is logged as a daemon "invalid_record" event instead. Records
 * appended after sc_asrun_close are written only if the file is still open
 * when their turn comes; they stay in memory either way. */
uint64_t sc_asrun_append(sc_asrun_t *a, json_t *record);

/* What open found in the file: good records, damage ranges. Borrowed. */
const sc_scan_t *sc_asrun_scan(const sc_asrun_t *a);

/* The file's path (dir/name). Borrowed. */
const char *sc_asrun_path(const sc_asrun_t *a);

/* Records up to seq were written once, though the file no longer has them
 * (the lock file says so): the next record takes seq + 1, so no seq is ever
 * given out twice. Before the first append only. */
void sc_asrun_skip_to(sc_asrun_t *a, uint64_t seq);

/* The highest seq given out so far (0 before the first). */
uint64_t sc_asrun_last_seq(const sc_asrun_t *a);

/* The highest seq known to be on disk (its fsync completed). After open, the
 * last seq read from the file. */
uint64_t sc_asrun_durable_seq(const sc_asrun_t *a);

/* Whether record seq is on disk: its batch's fsync, or a later one,
 * completed, and its own did not fail (Linux may drop the pages of a failed
 * fsync, so a later success says nothing about them). Failed ranges are
 * remembered SC_ASRUN_LOST_RANGES deep, plenty for a reply that waits 1 s. */
#define SC_ASRUN_LOST_RANGES 16
bool sc_asrun_is_durable(const sc_asrun_t *a, uint64_t seq);

/* Calls cb(ctx, durable_seq) from the loop after each fsync batch. NULL cb
 * removes it. */
void sc_asrun_on_durable(sc_asrun_t *a, void (*cb)(void *ctx, uint64_t seq), void *ctx);

/* The in-memory log as a JSON array text, one record per line; caller frees.
 * In both exports a cue's record carries its answer's "answer", "answered",
 * "answer_us" and "answer_detail" (the file keeps them in the later "answer"
 * record, which the exports also list).
 * *len (if not NULL) gets its length. */
char *sc_asrun_json_text(const sc_asrun_t *a, size_t *len);

/* The in-memory log as CSV (RFC 4180, CRLF line ends): SC_ASRUN_CSV_HEADER
 * then one row per record; caller frees. */
char *sc_asrun_csv_text(const sc_asrun_t *a, size_t *len);

#define SC_ASRUN_CSV_HEADER                                                                        \
    "seq,wall,kind,item,cue,target,cause,planned,actual,scheduled,sent,lateness_us,outcome,cmd,"   \
    "args,door,source,ok,error,rehearsal,message,answered,answer_us,answer,answer_detail,"         \
    "cue_seq\r\n"

/* One record as a CSV row ending in CRLF, in the header's columns; caller
 * frees. Strings as they are, integers in decimal, booleans true/false, null
 * and missing fields empty, "args" as compact JSON, an "error" object as
 * "code: message". Fields with a comma, quote, CR or LF are quoted, quotes
 * doubled. record is borrowed. */
char *sc_asrun_csv_row(const json_t *record);

/* Writes what is queued, fsyncs, closes the file, then calls done(ctx) from
 * the loop (never from inside this call). After done, free with
 * sc_asrun_free; the loop then holds nothing of ours, so uv_loop_close()
 * can return 0. A write that fails while closing is not retried. */
void sc_asrun_close(sc_asrun_t *a, void (*done)(void *ctx), void *ctx);

/* Frees the log. Call it after close's done callback (or on a log whose
 * requests have all completed: it then closes the file synchronously). */
void sc_asrun_free(sc_asrun_t *a);

/* The last error writing or syncing (a uv error code), 0 if none. Failed
 * writes are retried every SC_ASRUN_RETRY_MS in order; records stay in
 * memory. */
int sc_asrun_last_error(const sc_asrun_t *a);

/* Keeps at most max records in memory (default SC_ASRUN_MEMORY_MAX, at
 * least 1); older ones are dropped from memory, never from the file. */
void sc_asrun_set_memory_max(sc_asrun_t *a, size_t max);

/* Figures for the state, the log and the tests. */
typedef struct {
    uint64_t last_seq;        /* the highest seq given out */
    uint64_t durable_seq;     /* the highest seq fsynced */
    uint64_t loaded;          /* records read from the file at open */
    uint64_t dropped_partial; /* truncated last line left out at open (0 or 1) */
    uint64_t bad_lines;       /* other unreadable lines left out at open */
    size_t in_memory;         /* records in the in-memory copy */
    uint64_t omitted;         /* older records only in the file (memory cap) */
    uint64_t batches;         /* write batches started */
    uint64_t writes;          /* uv_fs_write requests completed */
    uint64_t fsyncs;          /* uv_fs_fsync requests completed successfully */
    uint64_t write_errors, fsync_errors;
    int last_error;         /* uv error code, 0 if none */
    unsigned in_flight;     /* file requests in flight now */
    unsigned max_in_flight; /* most file requests ever in flight at once: 1 */
    size_t queued_bytes;    /* bytes waiting for the next batch */
} sc_asrun_stats_t;

void sc_asrun_stats(const sc_asrun_t *a, sc_asrun_stats_t *out);

#endif
