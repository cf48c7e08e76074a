/* Resume after a crash or restart: which records of the as-run log rebuild the show, and whether
 * damage in the log leaves its position uncertain. */
#ifndef SC_RESUME_H
#define SC_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asrun_record.h"
#include "journal_line.h"
#include "model.h"

/* A hash of the rundown file's bytes: a resume needs the same rundown. */
uint64_t sc_resume_hash(const char *path);

/* Called for each record the resume replays, in the log's order. */
typedef void (*sc_resume_fn)(void *ctx, const sc_record_t *rec);

typedef struct {
    bool resumed;
    size_t applied;       /* records of the current show read (every kind) */
    int64_t last_wall_ns; /* the newest "wall" in the log: the daemon was alive then */
    char why[192];        /* what happened, for the daemon's log and the start record */

    /* Damage that touches the current show (at or after the daemon start
     * that began it) and that no `journal_ack` command has acknowledged
     * since. When there is any, the show's position is uncertain: see
     * "The fail-safe rule" in the README. */
    bool uncertain;
    sc_damage_t damage[SC_DAMAGE_KEEP]; /* the ranges that make it so */
    size_t ndamage;
    /* Every cue record of the show read after the first such damage, per
     * item index: the highest run a cue record names (a start that the
     * damage may have hidden shows itself through its cues), and the
     * earliest start implied by a from-start cue's "scheduled" minus its
     * offset (show time, 0 when none). Owned; NULL when not uncertain;
     * one per rundown item. */
    uint32_t *evidence_run;
    int64_t *evidence_start_ns;
} sc_resume_result_t;

/* Reads the as-run log (fd, read from its start with pread; -1 for none)
 * and replays the current show: the records since the last start of the
 * daemon with another rundown than the one before it (a reload carries the
 * show on to the rundown it loaded). When that show's rundown is `hash` and
 * it did anything, calls apply for each of its records that a resume uses
 * (sc_record_read against r and the show's day: those of a kind it replays,
 * and every cue record, for the screens' cue log and the target counters),
 * and says so in out. Otherwise calls nothing and out->why says why (no log,
 * no earlier run, another rundown, nothing done yet). The caller applies
 * SC_REC_SHOW records to the show (rd_show_apply_event) and the stage
 * message; then rd_show_replayed with out->last_wall_ns.
 *
 * Two streaming passes over the file, each linear and in constant memory
 * (journal_line.h). lost, when not NULL, is damage the file itself cannot
 * show (the lock file's "records written beyond the end"): it counts as
 * touching the show. Free out with sc_resume_result_free. */
bool sc_resume_replay(int fd, const sc_damage_t *lost, uint64_t hash, const rd_rundown_t *r,
                      int64_t midnight_wall_ns, sc_resume_fn apply, void *ctx,
                      sc_resume_result_t *out);

void sc_resume_result_free(sc_resume_result_t *out);

#endif
