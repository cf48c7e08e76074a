/* The as-run record schema: the one place records are built, and read back for a resume. */
#ifndef SC_ASRUN_RECORD_H
#define SC_ASRUN_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "show.h"

/* Every record is a JSON object; the as-run log adds "seq" first. Times are
 * ISO 8601 UTC with microseconds ("2026-11-27T17:00:00.000123Z"); a field
 * that does not apply is null.
 *
 *   every record:  "seq", "kind", "wall" (when it happened), "rehearsal" (bool)
 *   "item_start", "item_restored":
 *                  "item", "title", "planned" (ISO or null), "actual" (ISO), "cause"
 *   "item_end":    "item", "title", "planned", "actual", "cause"
 *   "item_skipped": "item", "title", "cause"
 *                  (cause: "go"|"follow"|"hard_start"|"goto"|"back"|"skip")
 *   "cue":         "cue", "item", "target", "protocol" (the target's kind,
 *                  "osc.udp"|"osc.tcp"|"ws"|"obs"|"http"|"tcp"), "scheduled" (ISO or null),
 *                  "sent" (ISO or null), "lateness_us" (integer or null),
 *                  "outcome" ("sent"|"failed"|"skipped"|"missed"),
 *                  "error" (string or null), "answer" (null on disk; see
 *                  "answer"),
 *                  "run" (the item's run the cue counts for, from 1; 0 for a
 *                  cue fired by hand with `fire`, which counts for none)
 *   "answer":      a device's answer to a cue, for targets whose device
 *                  answers: "cue", "item" (null for a message of no cue,
 *                  like a panic), "target", "cue_seq" (the seq of the cue's
 *                  record, null for none), "answer" ("ok"|"error"|"timeout"),
 *                  "answered" (ISO: when it came, or the wait ended),
 *                  "answer_us" (send to answer, integer or null),
 *                  "answer_detail" (string or null). The cue's own record
 *                  is written when it is sent, before any answer, so that a
 *                  crash never loses that a cue went out; the exports
 *                  (GET /api/asrun, .csv) copy each answer into its cue's
 *                  record (sc_asrun_json_text).
 *   "command":     "cmd", "args" (object), "door" ("ws"|"http"|"osc"|"signal"|"file"),
 *                  "source" ("127.0.0.1:5123"), "ok" (bool),
 *                  "error" ({"code","message"} or null)
 *   "daemon":      "event" ("start"|"stop"|"reload"|"clock_step"|"show_ended"|
 *                  "panic_message"|...), "message"; "start" adds "rundown",
 *                  "rundown_hash" and "resumed", "reload" adds "rundown_hash",
 *                  "show_ended" adds "cause", "panic_message" adds "target" */

/* A new record with the fields every record carries; the caller adds the rest. */
json_t *sc_record_new(const char *kind, int64_t wall_ns, bool rehearsal);

/* A "daemon" record with its "event" and "message". */
json_t *sc_record_daemon(int64_t wall_ns, bool rehearsal, const char *event, const char *message);

/* A show event (rundown/show.h) as its record. it is the event's item (NULL
 * for the end of the show); planned_wall_ns is the plan's time for it, or 0
 * when the plan has no clock times; at_wall_ns is when it happened. */
json_t *sc_record_show_event(int64_t wall_ns, bool rehearsal, const rd_show_event_t *ev,
                             const rd_item_t *it, int64_t planned_wall_ns, int64_t at_wall_ns);

/* One cue's outcome. Wall times in ns; 0 for none. */
typedef struct {
    const char *cue, *item, *target;
    const char *protocol;      /* the target kind's name, or "?" */
    int64_t scheduled_wall_ns; /* 0: not scheduled (it never had a time) */
    int64_t sent_wall_ns;      /* 0: not sent */
    int64_t lateness_ns;       /* sent - scheduled; used when both are set */
    const char *outcome;       /* "sent", "failed", "skipped", "missed" */
    int err;                   /* errno, 0 for none */
    uint32_t run;              /* the item's run it counts for; 0: fired by hand (fire) */
} sc_record_cue_t;

json_t *sc_record_cue(int64_t wall_ns, bool rehearsal, const sc_record_cue_t *c);

/* A device's answer to the cue whose record has seq cue_seq. */
typedef struct {
    const char *cue, *item, *target;
    uint64_t cue_seq;
    const char *answer;       /* "ok", "error", "timeout" */
    int64_t answer_ns;        /* send to answer; negative for none */
    const char *detail;       /* may be NULL */
    int64_t answered_wall_ns; /* when it came */
} sc_record_answer_t;

json_t *sc_record_answer(int64_t wall_ns, bool rehearsal, const sc_record_answer_t *a);

/* A command from a door. args is stolen; code and message only when !ok. */
json_t *sc_record_command(int64_t wall_ns, bool rehearsal, const char *cmd, json_t *args,
                          const char *door, const char *source, bool ok, const char *code,
                          const char *message);

/* {"code": code, "message": message}: an error as every door and the log write
 * it; a new object. */
json_t *sc_error_json(const char *code, const char *message);

/* ---- Reading records back ---------------------------------------------------- */

typedef enum {
    SC_REC_OTHER = 0,     /* nothing a resume uses */
    SC_REC_SHOW,          /* `show` holds a record for rd_show_apply_event */
    SC_REC_START,         /* the daemon started; `hash` names its rundown */
    SC_REC_RELOAD,        /* the daemon reloaded; `hash` names the new rundown */
    SC_REC_MESSAGE,       /* the stage message was set: text, color, wall_ns */
    SC_REC_CLEAR_MESSAGE, /* ... and cleared */
} sc_rec_kind_t;

typedef struct {
    sc_rec_kind_t kind;
    int64_t wall_ns; /* "wall", 0 when it has none */
    rd_show_record_t show;
    const char *hash;         /* START, RELOAD: borrowed from the JSON record, "" when none */
    const char *text, *color; /* MESSAGE: borrowed, never NULL */
    int64_t duration_ns;      /* MESSAGE: it clears itself this long after wall_ns; 0: never */
    /* A "cue" record of any outcome, as the screens' cue log and the target
     * counters show it (strings borrowed, never NULL). */
    struct {
        bool present;
        const char *cue, *item, *target, *outcome;
        int64_t scheduled_wall_ns, sent_wall_ns; /* 0: none */
        int64_t lateness_us;                     /* when both are set */
        uint64_t seq;                            /* the record's own */
    } cue;
    /* An "answer" record, for the cue log (strings borrowed, never NULL). */
    struct {
        bool present;
        uint64_t cue_seq; /* 0: no cue */
        const char *answer, *detail;
        int64_t answer_us; /* -1: unknown */
        int64_t answered_wall_ns;
    } answer;
} sc_record_t;

/* Reads one record of the log against rundown r (items and cues by id) and
 * the show's day (midnight_wall_ns, to make show times). A record that names
 * what the rundown lacks, or that is not of a kind a resume replays, is
 * SC_REC_OTHER (a cue record still fills out->cue). Strings in out are
 * borrowed from rec. */
void sc_record_read(const json_t *rec, const rd_rundown_t *r, int64_t midnight_wall_ns,
                    sc_record_t *out);

/* "2026-11-27T17:00:00.000123Z" to wall-clock ns; 0 when it is not one. */
int64_t sc_record_parse_iso(const char *s);

#endif
