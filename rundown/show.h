/* The show's state machine: which item runs, since when, and what the commands do to it. */
#ifndef RD_SHOW_H
#define RD_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cue_timing.h"
#include "model.h"
#include "plan.h"
#include "projection.h"

/* Every time here is in the show's time base: nanoseconds after midnight of
 * the show's date, as in rd_plan_t. The daemon derives it from the monotonic
 * clock, so a wall-clock step never moves the show. Nothing here reads a
 * clock: `now` is always a parameter. */

typedef enum {
    RD_SHOW_IDLE = 0,    /* nothing has started */
    RD_SHOW_RUNNING = 1, /* an item is running (it may be over its time) */
    RD_SHOW_HOLDING = 2, /* the running item's clock is frozen */
    RD_SHOW_ENDED = 3,   /* GO was called on the last item */
} rd_show_state_t;

typedef enum {
    RD_SHOW_OK = 0,
    RD_SHOW_ERR_UNKNOWN_ITEM,
    RD_SHOW_ERR_UNKNOWN_CUE,
    RD_SHOW_ERR_ENDED,        /* the show has ended: nothing to GO */
    RD_SHOW_ERR_NOTHING_NEXT, /* every item after this one is skipped */
    RD_SHOW_ERR_NOTHING_BACK, /* back: no GO to undo */
    RD_SHOW_ERR_NOT_RUNNING,  /* hold/add need a running item */
    RD_SHOW_ERR_NOT_HOLDING,  /* resume needs a hold */
    RD_SHOW_ERR_ALREADY_HOLDING,
    RD_SHOW_ERR_ITEM_RUNNING,    /* skip: the item is the running one */
    RD_SHOW_ERR_NEGATIVE,        /* add: the item would be shorter than nothing */
    RD_SHOW_ERR_IN_PREROLL,      /* GO while the running item is still in its pre-roll */
    RD_SHOW_ERR_RUNNING_REMOVED, /* reload: the new rundown lacks the running item */
} rd_show_err_t;

/* A sentence for people, e.g. "the show has ended". */
const char *rd_show_strerror(rd_show_err_t err);

/* Per item, what has happened in this show. */
typedef struct {
    rd_item_progress_t p; /* state, actual start/end, added, held */
    uint32_t run;         /* how many times the item has started; 0 = never */
    bool tail_live;       /* ended normally: its end+ cues still fire */
    bool manual_skip;     /* skipped with `skip`, not by a jump */
    uint32_t *accounted;  /* owned, one per cue: the run in which it was fired, missed
                           * or dropped (a pre-roll cue can be accounted to the run
                           * about to start), 0 for none */
} rd_show_item_t;

/* Why an item started, ended or was skipped, for the as-run log. */
typedef enum {
    RD_BY_GO = 0,
    RD_BY_FOLLOW = 1,
    RD_BY_HARD_START = 2,
    RD_BY_GOTO = 3,
    RD_BY_BACK = 4,
    RD_BY_SKIP = 5,
} rd_cause_t;

const char *rd_cause_name(rd_cause_t cause);
/* The cause named `name` (as rd_cause_name writes it); false when none is. */
bool rd_cause_parse(const char *name, rd_cause_t *out);

/* Something that happened, reported through the callback below in order. */
typedef enum {
    RD_SHOW_EV_ITEM_START = 0,    /* item, at = actual start, cause */
    RD_SHOW_EV_ITEM_END = 1,      /* item, at = actual end, cause = what ended it */
    RD_SHOW_EV_ITEM_SKIPPED = 2,  /* item passed over without running, cause */
    RD_SHOW_EV_ITEM_RESTORED = 3, /* back: item runs again from its old start */
    RD_SHOW_EV_ENDED = 4,         /* the show ended */
} rd_show_ev_kind_t;

typedef struct {
    rd_show_ev_kind_t kind;
    int item;
    int64_t at_ns;
    rd_cause_t cause;
} rd_show_event_t;

typedef void (*rd_show_event_fn)(void *ctx, const rd_show_event_t *ev);

typedef struct {
    const rd_rundown_t *rundown; /* borrowed */
    const rd_config_t *config;   /* borrowed, may be NULL */
    rd_plan_t plan;              /* owned */
    rd_show_state_t state;
    int current;           /* the running item; when IDLE or ENDED, the last one that
                            * ran (the next starts after it), or -1 */
    int previous;          /* the item `back` returns to, or -1 */
    int64_t hold_since_ns; /* when HOLDING began */
    bool rehearsal;        /* hard starts wait for GO in rehearsal */
    bool no_follow;        /* after `back`: the current item does not follow on */
    bool automation_off;   /* after panic: nothing starts or fires by itself until GO */
    bool suspended;        /* automation_off came from rd_show_suspend, not a panic */
    int64_t watch_from_ns; /* hard starts earlier than this were not seen: late */
    rd_show_item_t *items; /* owned, one per rundown item */
    rd_show_event_fn on_event;
    void *event_ctx;
} rd_show_t;

/* Opens a show on a linked rundown at now. Hard starts whose time is
 * already past are marked late. on_event may be NULL. */
void rd_show_open(rd_show_t *s, const rd_rundown_t *r, const rd_config_t *c, int64_t now_ns,
                  rd_show_event_fn on_event, void *ctx);
void rd_show_close(rd_show_t *s);

/* Whether an item is on air: running or holding (current is then valid). */
bool rd_show_is_running(const rd_show_t *s);

/* After a panic, until the next GO, goto, back or resume: nothing starts or
 * fires by itself, and screens say PANIC (the running item, if any, holds). */
bool rd_show_in_panic(const rd_show_t *s);

/* The item GO would start: the first pending item after the current one, or
 * -1 when there is none. */
int rd_show_next(const rd_show_t *s);

/* The running item's clock; valid when current >= 0. */
rd_item_clock_t rd_show_clock(const rd_show_t *s);

/* When the running item ends (start + held + duration + added); while
 * holding, as if the hold ended now. */
int64_t rd_show_current_end(const rd_show_t *s, int64_t now_ns);

/* Commands. Each returns RD_SHOW_OK or an error and changes nothing on error. */
rd_show_err_t rd_show_go(rd_show_t *s, int64_t now_ns);
rd_show_err_t rd_show_back(rd_show_t *s, int64_t now_ns);
rd_show_err_t rd_show_goto(rd_show_t *s, int item, int64_t now_ns);
rd_show_err_t rd_show_skip(rd_show_t *s, int item, bool skip);
rd_show_err_t rd_show_hold(rd_show_t *s, int64_t now_ns);
rd_show_err_t rd_show_resume(rd_show_t *s, int64_t now_ns);
rd_show_err_t rd_show_add(rd_show_t *s, int64_t delta_ns, int64_t now_ns);
/* Panic: every pending cue is dropped, the show holds and nothing starts by
 * itself (follow, hard starts) until the next GO, goto or resume. */
rd_show_err_t rd_show_panic(rd_show_t *s, int64_t now_ns);

/* After a resume that could not prove where the show was (a damaged
 * journal): the running item holds and nothing starts or fires by itself,
 * as after a panic, but no cue is dropped, and the screens do not say
 * PANIC; the next GO, goto, back or resume ends it. */
void rd_show_suspend(rd_show_t *s, int64_t now_ns);

/* Applies every automatic transition due by now, each at its exact time (a
 * follow item starts at its predecessor's end, not at now): follow starts and
 * hard starts. Returns the time of the next automatic transition, or
 * INT64_MAX when none is pending. */
int64_t rd_show_tick(rd_show_t *s, int64_t now_ns);

/* A cue that may still fire: where it is and when to send it. */
typedef struct {
    int item;
    int cue;
    uint32_t run;    /* the item's run: with item and cue, the cue's key */
    int64_t due_ns;  /* when it should land; INT64_MAX while paused by a hold */
    int64_t send_ns; /* due minus its target's latency; INT64_MAX while paused */
} rd_armed_cue_t;

/* Lists, in send order, every cue not yet accounted for whose time is known
 * now: the running item's (paused while holding), those of the items that
 * will start by themselves after it (a follow chain; hard starts and their
 * chains), and the end+ cues of items that ended normally. Times may lie in
 * the past: the caller decides what is late. Returns how many there are;
 * writes at most cap, and sorts only when all fit: a cap of the rundown's
 * cue count always suffices, since each cue is listed at most once. */
size_t rd_show_pending_cues(const rd_show_t *s, rd_armed_cue_t *out, size_t cap);

/* Marks a cue accounted for (fired, failed, missed or dropped) in the given
 * run, so that it is listed no more. The run is the item's current one, or
 * the next when the item has not started yet (its pre-roll fired before its
 * start). Returns false, changing nothing, for any other run (the item has
 * started again since) or a cue already accounted for. */
bool rd_show_account(rd_show_t *s, int item, int cue, uint32_t run);

/* The projection (over/under, projected end) at now. */
void rd_show_project(const rd_show_t *s, int64_t now_ns, rd_projection_t *out);

/* ---- Replay and reload ---------------------------------------------------- */

/* One journal record of a show, decoded by the daemon from its as-run log:
 * what happened, at the show time it happened. Replaying a day's records in
 * order onto a freshly opened show (rd_show_apply_event) rebuilds it through
 * the same transitions the live show made, so a crash or restart resumes
 * where the show was. Only what the log records is replayed: a command that
 * failed, or a cue that was skipped, is never a record. */
typedef enum {
    RD_REC_ITEM_START = 0,    /* item, at_ns = actual start, cause */
    RD_REC_ITEM_END = 1,      /* item, at_ns = actual end, cause */
    RD_REC_ITEM_SKIPPED = 2,  /* item, cause */
    RD_REC_ITEM_RESTORED = 3, /* item (back) */
    RD_REC_SHOW_ENDED = 4,
    RD_REC_HOLD = 5,      /* at_ns */
    RD_REC_RESUME = 6,    /* at_ns */
    RD_REC_ADD = 7,       /* add_ns to the running item */
    RD_REC_PANIC = 8,     /* at_ns */
    RD_REC_REHEARSAL = 9, /* on */
    RD_REC_SKIP = 10,     /* item, on: the skip command (marks or unmarks a skip) */
    RD_REC_CUE_DONE = 11, /* item, cue: sent, failed or missed, never again in that run */
} rd_show_rec_kind_t;

typedef struct {
    rd_show_rec_kind_t kind;
    int item; /* index into the show's rundown, or -1 */
    int cue;  /* index into the item's cues, or -1 */
    int64_t at_ns;
    rd_cause_t cause;
    int64_t add_ns;
    bool on;
    uint32_t run; /* CUE_DONE: the item's run it counted for; 0: not known (a log that
                   * predates it), then the item's current run, or its next while pending */
} rd_show_record_t;

/* Applies one record, emitting no events. A record that names an item or cue
 * the rundown does not have, an end or a command the show's state cannot take
 * (a damaged or foreign log) changes nothing; a start or a restore is taken
 * as written. Hard starts keep their watch time: call rd_show_replayed once
 * the records are in. */
void rd_show_apply_event(rd_show_t *s, const rd_show_record_t *rec);

/* After a replay: the daemon was last alive at alive_until_ns, so a hard
 * start since then was not seen and happens at its time when the show next
 * ticks (its cues, already past, are then missed, never fired late). */
void rd_show_replayed(rd_show_t *s, int64_t alive_until_ns);

/* Carries a show's progress across a reload: `to` is freshly opened on the
 * new rundown, `from` is the running show on the old one (both rundowns
 * alive). Items and cues are matched by id: every item keeps its state,
 * actual times, added and held time and run, and cues already fired in a
 * run stay fired. The show keeps its state, hold, rehearsal, automation and
 * watch time; the running item stays running under its new index, and an
 * ended or idle show keeps its place at the last item that survives (`back`
 * is not possible across a reload). Returns RD_SHOW_ERR_RUNNING_REMOVED,
 * changing nothing, when the running item has no counterpart. */
rd_show_err_t rd_show_carry(rd_show_t *to, const rd_show_t *from);

/* rd_show_carry's refusal asked ahead, changing nothing: RD_SHOW_ERR_RUNNING_REMOVED
 * when `from`'s running item has no counterpart in nr (a save checks this
 * before it writes the file). */
rd_show_err_t rd_show_can_carry(const rd_show_t *from, const rd_rundown_t *nr);

#endif
