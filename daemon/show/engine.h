/* The engine: the show state machine wired to the cue clock, the targets and the journal. */
#ifndef SC_ENGINE_H
#define SC_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "clock/cue_clock.h"
#include "clock/timebase.h"
#include "command.h"
#include "journal/resume.h"
#include "model.h"
#include "show.h"
#include "targets/target.h"

typedef struct sc_engine sc_engine_t;

/* What the engine works with; the caller (run.c, or a test) owns all of it
 * and keeps it alive for the engine's life. */
typedef struct {
    uv_loop_t *loop;
    sc_cue_clock_t *clock;
    const sc_timebase_t *tb;
    const rd_config_t *config; /* the targets' latency and panic messages */
    sc_target_t *targets;      /* one per config target, same index */
    size_t ntargets;
    /* The journal: takes ownership of an as-run record (journal/asrun_record.h)
     * and returns its seq, 0 when there is no log. */
    uint64_t (*record)(void *ctx, json_t *rec);
    /* Something screens show changed: push the state soon. */
    void (*changed)(void *ctx);
    void *ctx;
} sc_engine_env_t;

/* Creates the engine for a linked rundown, taking ownership of it. Its cue
 * packets are encoded here, once, before show time, by each target's kind.
 * env is copied. */
sc_engine_t *sc_engine_new(const sc_engine_env_t *env, rd_rundown_t *rundown);

/* Stops the engine's timers (closing them); the clock must be stopped and its
 * reports drained (sc_engine_on_reports) before sc_engine_free. */
void sc_engine_close(sc_engine_t *e);
void sc_engine_free(sc_engine_t *e);

/* Runs a show command (go, back, goto, skip, hold, resume, add, fire, panic,
 * rehearsal). */
void sc_engine_command(sc_engine_t *e, const sc_command_t *cmd, sc_result_t *r);

/* Swaps in a new linked rundown (reload), taking ownership of it. The show's
 * progress carries over by id (rd_show_carry); cues already fired in the
 * running item's run are not fired again. A rundown that no longer has the
 * running item is refused (r gets the error; the rundown is freed). */
bool sc_engine_replace(sc_engine_t *e, rd_rundown_t *rundown, sc_result_t *r);

/* Drains the cue clock's reports: logs every cue, feeds the show. */
void sc_engine_on_reports(sc_engine_t *e);

/* A target completed a queued send (sc_target_env_t.done). */
void sc_engine_target_done(sc_engine_t *e, sc_target_t *t, uint64_t key, int err,
                           int64_t sent_mono);

/* A device answered a cue (sc_target_env_t.answer): an "answer" record, tied
 * to the cue's record by its seq. An answer to a cue the engine no longer
 * remembers (more than SC_ENGINE_ANSWERS_KEPT cues ago) is logged without it. */
#define SC_ENGINE_ANSWERS_KEPT 256
void sc_engine_target_answer(sc_engine_t *e, sc_target_t *t, uint64_t key, const sc_answer_t *a);

const rd_rundown_t *sc_engine_rundown(const sc_engine_t *e);
const rd_show_t *sc_engine_show(const sc_engine_t *e);
bool sc_engine_rehearsal(const sc_engine_t *e);

/* Counters screens use to tell what changed: rundown_rev moves on each
 * reload (screens refetch /api/rundown), progress_rev whenever an item's
 * progress changes. */
uint64_t sc_engine_rundown_rev(const sc_engine_t *e);
uint64_t sc_engine_progress_rev(const sc_engine_t *e);

/* The last cues fired, newest last. */
#define SC_ENGINE_RECENT_CUES 20
typedef struct {
    char cue[SC_ID_MAX + 1], item[SC_ID_MAX + 1], target[SC_ID_MAX + 1];
    int64_t scheduled_ms, sent_ms; /* wall-clock ms; scheduled 0 when it had no time */
    int64_t lateness_us;
    bool has_sent;
    const char *outcome; /* static */
    uint64_t seq;        /* its as-run record's, 0 when unknown */
    bool awaits;         /* sent to a device that answers; no answer yet */
    const char *answer;  /* static: "ok", "error", "timeout"; NULL: none (yet) */
    int64_t answer_us;   /* send to answer; -1: unknown */
    int64_t answered_ms; /* wall-clock ms */
    char answer_detail[160];
} sc_recent_cue_t;

const sc_recent_cue_t *sc_engine_recent(const sc_engine_t *e, size_t *n);

/* Replays one journal record onto the show (a resume, before
 * sc_engine_resumed): rd_show_apply_event, nothing fired or logged. */
void sc_engine_replay(sc_engine_t *e, const rd_show_record_t *rec);

/* A cue record of the show being resumed, for the screens' cue log and its
 * target's counters (by the target's name; one no longer configured is
 * listed but counted nowhere). */
void sc_engine_replay_cue(sc_engine_t *e, const char *target, const sc_recent_cue_t *c);

/* An answer record of the show being resumed, for the cue log: the cue
 * whose record has seq cue_seq gets it. */
void sc_engine_replay_answer(sc_engine_t *e, uint64_t cue_seq, const char *answer,
                             int64_t answer_us, int64_t answered_ms, const char *detail);

/* After a resume replayed the show: the daemon was last alive at alive_until
 * (show time), so hard starts since then happen at their times; the show
 * catches up to now (cues whose time passed are logged missed) and the clock
 * is armed. */
void sc_engine_resumed(sc_engine_t *e, int64_t alive_until);

/* What a damaged journal left unproven (journal/resume.h, README "The
 * fail-safe rule"), for the screens and the journal_ack gate. Ids, not
 * indexes, so a reload keeps it. */
#define SC_UNCERTAIN_KEEP 32
typedef struct {
    bool active; /* GO, back, goto and resume wait for journal_ack */
    size_t ndamage;
    char damage[8][240]; /* each damaged range in words */
    size_t nitems;
    struct {
        char id[SC_ID_MAX + 1];
        char why[120];
    } items[SC_UNCERTAIN_KEEP];
    size_t ncues;
    struct {
        char id[SC_ID_MAX + 1], item[SC_ID_MAX + 1];
    } cues[SC_UNCERTAIN_KEEP];
    uint64_t more; /* items and cues beyond the lists */
} sc_uncertain_t;

/* After the replay of a resume whose journal is damaged where the show is
 * (res->uncertain), before sc_engine_resumed; or with res->resumed false
 * when nothing could be replayed at all. alive_until is when the daemon was
 * last known alive (show time).
 *  - An item whose cue records (read after the damage) name a run its
 *    start record never began is started where those cues put it (their
 *    scheduled time minus their offset), when that lies before alive_until:
 *    the records say it was on air. The start is logged, marked "inferred".
 *  - Every cue not accounted for that was due by alive_until may have gone
 *    out unrecorded: it is logged missed ("uncertain: ...") and never fires.
 *  - The show is suspended (rd_show_suspend) and the show commands that
 *    move it are refused with journal_uncertain until journal_ack.
 * Each damage range is logged as a daemon "journal_damaged" record. */
void sc_engine_uncertain(sc_engine_t *e, const sc_resume_result_t *res, int64_t alive_until);

/* The journal's uncertainty now (active false when there is none). */
const sc_uncertain_t *sc_engine_uncertainty(const sc_engine_t *e);

/* How many cues are armed on the clock (for shutdown and tests). */
size_t sc_engine_armed(const sc_engine_t *e);

#endif
