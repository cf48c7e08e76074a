/* Every saved version of the rundown, kept under data_dir/versions/, and the atomic write of the
 * rundown file itself.
 *
 * On disk:
 *   versions/000007.json   the rundown file's bytes as version 7 had them
 *   versions/index.jsonl   one JSON line per version, oldest first: its number, time, author,
 *                          source and summary (sc_version_json's shape)
 * A version is its file first (temp, fsync, rename, fsync the folder), then its index line
 * (append, fsync): a crash between the two leaves a file the index does not name, which the next
 * version of that number overwrites. A torn last index line (a crash mid-append) is cut off when
 * the index is opened, so the next line appended stays whole.
 *
 * The writes run on libuv's thread pool (sc_versions_save): a slow disk never stalls the loop.
 * One save is in flight at a time. */
#ifndef SC_VERSIONS_H
#define SC_VERSIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct {
    uint64_t number;
    int64_t wall_ns;     /* when it was saved */
    char *source;        /* owned: "editor", "import", "restore", "file", "start" */
    char *author;        /* owned: the name the producer gave; NULL */
    char *door;          /* owned: "http", "file", "start" */
    char *address;       /* owned: the peer's "IP:port"; NULL */
    char *summary;       /* owned: one line of what changed */
    uint64_t restore_of; /* the version it restores; 0 */
    size_t bytes;
    uint64_t hash; /* FNV-1a of the bytes */
} sc_version_t;

typedef struct sc_versions sc_versions_t;

/* Opens data_dir/versions (made when missing) and reads its index. NULL with
 * the reason in err when the folder cannot be made or read. */
sc_versions_t *sc_versions_open(const char *data_dir, char *err, size_t errlen);
void sc_versions_free(sc_versions_t *v);

/* The newest version; NULL when there is none. */
const sc_version_t *sc_versions_latest(const sc_versions_t *v);
const sc_version_t *sc_versions_find(const sc_versions_t *v, uint64_t number);

/* A version's bytes (read from its file); NULL with the reason in err. */
char *sc_versions_read(const sc_versions_t *v, uint64_t number, size_t *len, char *err,
                       size_t errlen);

uint64_t sc_versions_hash(const char *bytes, size_t len);

/* The version's JSON: {"version", "time", "time_ms", "author": {"name", "door", "address"},
 * "source", "restore_of", "summary", "bytes", "on_air"}. */
json_t *sc_version_json(const sc_version_t *m, uint64_t on_air);
/* {"versions": [...]}, newest first. */
json_t *sc_versions_list_json(const sc_versions_t *v, uint64_t on_air);

/* Writes path atomically: a temp file beside it, fsync, rename over path,
 * fsync the folder. Readers see the old bytes or the new, never a mix. Runs
 * anywhere (no shared state). Returns 0 or a negative errno, with the step
 * that failed in err. */
int sc_write_atomic(const char *path, const char *bytes, size_t len, char *err, size_t errlen);

/* Records a version now, on the calling thread (at start-up). meta's
 * strings are copied; its number, hash and bytes are set here. */
bool sc_versions_add_now(sc_versions_t *v, sc_version_t *meta, const char *bytes, size_t len,
                         char *err, size_t errlen);

/* Whether a save is in flight. */
bool sc_versions_busy(const sc_versions_t *v);

/* A save: optionally the rundown file (rundown_path, NULL for none), then
 * the version. done(ctx, meta, err) is called from the loop when it is over:
 * err 0 and meta the version recorded (the store's, valid until it is freed),
 * or a negative errno with err_text saying what failed (nothing recorded; the
 * rundown file may or may not have been replaced, whole). meta's strings are
 * copied. Returns false (nothing started) when a save is in flight. */
typedef void (*sc_versions_done_fn)(void *ctx, const sc_version_t *meta, int err,
                                    const char *err_text);
bool sc_versions_save(sc_versions_t *v, uv_loop_t *loop, const char *rundown_path,
                      const char *bytes, size_t len, const sc_version_t *meta,
                      sc_versions_done_fn done, void *ctx);

#endif
