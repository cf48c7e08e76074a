/* The rundown's editing API behind the HTTP door: the file's source, checks of a draft, saves
 * (each a new version, then the reload path), the versions and their diffs, imports and the CSV
 * export.
 *
 *   GET  /api/rundown/source     {"rev", "file", "targets", "rundown"}: the file as a document
 *   POST /api/rundown/check      {"rundown"} -> {"ok", "findings", "plan"}: --check's findings
 *                                and the planned times of a draft, nothing kept
 *   PUT  /api/rundown            {"rev", "rundown", "author", "source", "restore_of"}: a save
 *   GET  /api/versions           {"versions": [...]}, newest first
 *   GET  /api/versions/N         {"version": {...}, "rundown": {...}}
 *   GET  /api/versions/N/diff    ?to=M (default: the version on air) -> sc_doc_diff's shape
 *   POST /api/import             ?format=csv|ontime, the file as the body -> {"ok", "rundown",
 *                                "findings"}: a draft, not saved
 *   GET  /api/rundown.csv        the rundown file as CSV (view token rules)
 *
 * The rev a save carries is the number of the version on air when the draft was loaded: a save
 * from an older one is refused (409 conflict), so two producers never overwrite each other. A
 * save is checked whole before anything is written (findings: 400; the running item removed:
 * 409), then the rundown file is written atomically and recorded as a version on libuv's
 * thread pool, then the file goes on air through env->reload, the path `reload` takes. */
#ifndef SC_EDIT_H
#define SC_EDIT_H

#include <stdint.h>
#include <uv.h>

#include "clock/timebase.h"
#include "doors/server.h"
#include "model.h"
#include "show/command.h"
#include "show/engine.h"

typedef struct sc_edit sc_edit_t;

/* Borrowed for the editor's life. */
typedef struct {
    uv_loop_t *loop;
    const rd_config_t *config; /* the running config: drafts link against its targets */
    const sc_engine_t *engine; /* the running show: its running item must survive a save */
    const sc_timebase_t *tb;   /* planned times as wall-clock milliseconds */
    const rd_shift_t *demo;    /* --demo's shift, applied to drafts as to reloads; NULL */
    const char *rundown_path;
    const char *data_dir;
    /* Puts the rundown file as it now reads on air: `reload` from that door,
     * with the producer's address as its source. r says how it went. */
    void (*reload)(void *ctx, sc_door_t door, const char *source, sc_result_t *r);
    /* The version on air changed. */
    void (*changed)(void *ctx);
    void *ctx;
} sc_edit_env_t;

/* Opens data_dir/versions and records the rundown file as a version when
 * the newest one is not its bytes ("start"). NULL with the reason in err. */
sc_edit_t *sc_edit_new(const sc_edit_env_t *env, char *err, size_t errlen);
void sc_edit_free(sc_edit_t *ed);

/* The number of the version on air (0 before any). */
uint64_t sc_edit_on_air(const sc_edit_t *ed);

/* The watcher saw the rundown file change: unless it is the bytes on air or
 * a save of ours, it goes on air through env->reload (door file) and, when
 * that worked, is recorded as a version ("file"). */
void sc_edit_file_changed(sc_edit_t *ed);

/* Answers one request of the HTTP door's editing API (run.c hands env->edit here). */
sc_edit_answer_t sc_edit_handle(sc_edit_t *ed, const sc_edit_request_t *req);

#endif
