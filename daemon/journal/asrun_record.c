/* The as-run record schema: records built for the log, and read back into the show's records for a
 * resume. */
#include "asrun_record.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock/timebase.h"

static json_t *iso(int64_t wall_ns)
{
    char buf[40];
    sc_iso8601(wall_ns, buf, sizeof buf);
    return json_string(buf);
}

static json_t *iso_or_null(int64_t wall_ns)
{
    return wall_ns ? iso(wall_ns) : json_null();
}

json_t *sc_record_new(const char *kind, int64_t wall_ns, bool rehearsal)
{
    json_t *rec = json_object();
    json_object_set_new(rec, "kind", json_string(kind));
    json_object_set_new(rec, "wall", iso(wall_ns));
    json_object_set_new(rec, "rehearsal", json_boolean(rehearsal));
    return rec;
}

json_t *sc_record_daemon(int64_t wall_ns, bool rehearsal, const char *event, const char *message)
{
    json_t *rec = sc_record_new("daemon", wall_ns, rehearsal);
    json_object_set_new(rec, "event", json_string(event));
    json_object_set_new(rec, "message", json_string(message));
    return rec;
}

json_t *sc_record_show_event(int64_t wall_ns, bool rehearsal, const rd_show_event_t *ev,
                             const rd_item_t *it, int64_t planned_wall_ns, int64_t at_wall_ns)
{
    static const char *const kinds[] = {"item_start", "item_end", "item_skipped", "item_restored"};
    if (ev->kind == RD_SHOW_EV_ENDED || !it) {
        json_t *r = sc_record_daemon(wall_ns, rehearsal, "show_ended", "the show has ended");
        json_object_set_new(r, "cause", json_string(rd_cause_name(ev->cause)));
        return r;
    }
    json_t *r = sc_record_new(kinds[ev->kind], wall_ns, rehearsal);
    json_object_set_new(r, "item", json_string(it->id));
    json_object_set_new(r, "title", json_string(it->title));
    if (ev->kind != RD_SHOW_EV_ITEM_SKIPPED) {
        json_object_set_new(r, "planned", iso_or_null(planned_wall_ns));
        json_object_set_new(r, "actual", iso(at_wall_ns));
    }
    json_object_set_new(r, "cause", json_string(rd_cause_name(ev->cause)));
    return r;
}

json_t *sc_record_cue(int64_t wall_ns, bool rehearsal, const sc_record_cue_t *c)
{
    json_t *r = sc_record_new("cue", wall_ns, rehearsal);
    json_object_set_new(r, "cue", json_string(c->cue));
    json_object_set_new(r, "item", json_string(c->item));
    json_object_set_new(r, "target", json_string(c->target));
    json_object_set_new(r, "protocol", json_string(c->protocol ? c->protocol : "?"));
    json_object_set_new(r, "scheduled", iso_or_null(c->scheduled_wall_ns));
    json_object_set_new(r, "sent", iso_or_null(c->sent_wall_ns));
    json_object_set_new(r, "lateness_us",
                        c->sent_wall_ns && c->scheduled_wall_ns
                            ? json_integer(c->lateness_ns / 1000)
                            : json_null());
    json_object_set_new(r, "outcome", json_string(c->outcome));
    json_object_set_new(r, "error", c->err ? json_string(strerror(c->err)) : json_null());
    /* What its device answers comes later, in an "answer" record; the
     * exports copy it here. */
    json_object_set_new(r, "answer", json_null());
    json_object_set_new(r, "answered", json_null());
    json_object_set_new(r, "answer_us", json_null());
    json_object_set_new(r, "answer_detail", json_null());
    json_object_set_new(r, "run", json_integer((json_int_t)c->run));
    return r;
}

json_t *sc_record_answer(int64_t wall_ns, bool rehearsal, const sc_record_answer_t *a)
{
    json_t *r = sc_record_new("answer", wall_ns, rehearsal);
    json_object_set_new(r, "cue", a->cue ? json_string(a->cue) : json_null());
    json_object_set_new(r, "item", a->item ? json_string(a->item) : json_null());
    json_object_set_new(r, "target", json_string(a->target));
    json_object_set_new(r, "cue_seq",
                        a->cue_seq ? json_integer((json_int_t)a->cue_seq) : json_null());
    json_object_set_new(r, "answer", json_string(a->answer));
    json_object_set_new(r, "answered", iso_or_null(a->answered_wall_ns));
    json_object_set_new(r, "answer_us",
                        a->answer_ns >= 0 ? json_integer(a->answer_ns / 1000) : json_null());
    json_object_set_new(r, "answer_detail", a->detail ? json_string(a->detail) : json_null());
    return r;
}

json_t *sc_error_json(const char *code, const char *message)
{
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(code));
    json_object_set_new(e, "message", json_string(message));
    return e;
}

json_t *sc_record_command(int64_t wall_ns, bool rehearsal, const char *cmd, json_t *args,
                          const char *door, const char *source, bool ok, const char *code,
                          const char *message)
{
    json_t *r = sc_record_new("command", wall_ns, rehearsal);
    json_object_set_new(r, "cmd", json_string(cmd));
    json_object_set_new(r, "args", args ? args : json_object());
    json_object_set_new(r, "door", json_string(door));
    json_object_set_new(r, "source", json_string(source));
    json_object_set_new(r, "ok", json_boolean(ok));
    json_object_set_new(r, "error", ok ? json_null() : sc_error_json(code, message));
    return r;
}

/* ---- Reading ------------------------------------------------------------------- */

int64_t sc_record_parse_iso(const char *s)
{
    /* Exactly the form sc_iso8601 writes: "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
    static const char form[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    if (!s || strlen(s) != sizeof form - 1)
        return 0;
    for (size_t i = 0; form[i]; i++)
        if (form[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != form[i])
            return 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int us = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &us) != 7 ||
        tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1970 || tm.tm_year > 2200)
        return 0; /* (ns since 1970 in 64 bits last until 2262) */
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000000000 + (int64_t)us * 1000;
}

static const char *str(const json_t *r, const char *key)
{
    const char *s = json_string_value(json_object_get(r, key));
    return s ? s : "";
}

/* item_start, item_end, item_skipped, item_restored. */
static bool read_item(const json_t *rec, const char *kind, const rd_rundown_t *r, int64_t midnight,
                      rd_show_record_t *out)
{
    static const struct {
        const char *kind;
        rd_show_rec_kind_t rec;
    } kinds[] = {{"item_start", RD_REC_ITEM_START},
                 {"item_end", RD_REC_ITEM_END},
                 {"item_skipped", RD_REC_ITEM_SKIPPED},
                 {"item_restored", RD_REC_ITEM_RESTORED}};
    size_t k = 0;
    while (k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].kind, kind) != 0)
        k++;
    if (k == sizeof kinds / sizeof kinds[0])
        return false;
    out->kind = kinds[k].rec;
    out->item = rd_rundown_find_item(r, str(rec, "item"));
    if (out->item < 0)
        return false;
    /* A restore has its cause ("back") in the record too; a skipped item's
     * time is of no use to the show. */
    if (!rd_cause_parse(str(rec, "cause"), &out->cause))
        return false;
    if (out->kind == RD_REC_ITEM_SKIPPED)
        return true;
    int64_t actual = sc_record_parse_iso(str(rec, "actual"));
    if (!actual)
        return false;
    out->at_ns = actual - midnight;
    return true;
}

/* Commands that change the show, or the stage message. */
static sc_rec_kind_t read_command(const json_t *rec, const rd_rundown_t *r, int64_t at,
                                  sc_record_t *out)
{
    if (!json_is_true(json_object_get(rec, "ok")))
        return SC_REC_OTHER; /* a refused command changed nothing */
    const char *cmd = str(rec, "cmd");
    const json_t *args = json_object_get(rec, "args");
    rd_show_record_t *s = &out->show;
    s->at_ns = at;
    if (strcmp(cmd, "message") == 0) {
        out->text = str(args, "text");
        out->color = str(args, "color");
        double seconds = json_number_value(json_object_get(args, "seconds"));
        out->duration_ns = seconds > 0 ? (int64_t)llround(seconds * 1e9) : 0;
        return SC_REC_MESSAGE;
    }
    if (strcmp(cmd, "clear_message") == 0)
        return SC_REC_CLEAR_MESSAGE;
    if (strcmp(cmd, "add") == 0) {
        /* The log writes add_ns / 1e9; llround gives the command's ns back. */
        s->kind = RD_REC_ADD;
        s->add_ns = (int64_t)llround(json_number_value(json_object_get(args, "seconds")) * 1e9);
    } else if (strcmp(cmd, "hold") == 0) {
        s->kind = RD_REC_HOLD;
    } else if (strcmp(cmd, "resume") == 0) {
        s->kind = RD_REC_RESUME;
    } else if (strcmp(cmd, "panic") == 0) {
        s->kind = RD_REC_PANIC;
    } else if (strcmp(cmd, "rehearsal") == 0) {
        s->kind = RD_REC_REHEARSAL;
        s->on = json_is_true(json_object_get(args, "on"));
    } else if (strcmp(cmd, "skip") == 0) {
        s->kind = RD_REC_SKIP;
        s->item = rd_rundown_find_item(r, str(args, "item"));
        s->on = !json_is_false(json_object_get(args, "on"));
        if (s->item < 0)
            return SC_REC_OTHER;
    } else {
        return SC_REC_OTHER; /* go, goto, back: their item records say what they did */
    }
    return SC_REC_SHOW;
}

void sc_record_read(const json_t *rec, const rd_rundown_t *r, int64_t midnight_wall_ns,
                    sc_record_t *out)
{
    memset(out, 0, sizeof *out);
    out->show.item = out->show.cue = -1;
    out->hash = out->text = out->color = "";
    const char *kind = str(rec, "kind");
    out->wall_ns = sc_record_parse_iso(str(rec, "wall"));
    int64_t at = out->wall_ns - midnight_wall_ns;
    if (strcmp(kind, "daemon") == 0) {
        const char *event = str(rec, "event");
        if (strcmp(event, "start") == 0 || strcmp(event, "reload") == 0) {
            out->kind = event[0] == 's' ? SC_REC_START : SC_REC_RELOAD;
            out->hash = str(rec, "rundown_hash");
        } else if (strcmp(event, "show_ended") == 0) {
            out->kind = SC_REC_SHOW;
            out->show.kind = RD_REC_SHOW_ENDED;
            out->show.at_ns = at;
        }
        return;
    }
    if (strncmp(kind, "item_", 5) == 0) {
        if (read_item(rec, kind, r, midnight_wall_ns, &out->show))
            out->kind = SC_REC_SHOW;
        return;
    }
    if (strcmp(kind, "command") == 0) {
        out->kind = read_command(rec, r, at, out);
        return;
    }
    if (strcmp(kind, "answer") == 0) {
        const json_t *us = json_object_get(rec, "answer_us");
        out->answer.present = true;
        out->answer.cue_seq = (uint64_t)json_integer_value(json_object_get(rec, "cue_seq"));
        out->answer.answer = str(rec, "answer");
        out->answer.detail = str(rec, "answer_detail");
        out->answer.answer_us = json_is_integer(us) ? json_integer_value(us) : -1;
        out->answer.answered_wall_ns = sc_record_parse_iso(str(rec, "answered"));
        return;
    }
    if (strcmp(kind, "cue") == 0) {
        out->cue.present = true;
        out->cue.cue = str(rec, "cue");
        out->cue.item = str(rec, "item");
        out->cue.target = str(rec, "target");
        out->cue.outcome = str(rec, "outcome");
        out->cue.scheduled_wall_ns = sc_record_parse_iso(str(rec, "scheduled"));
        out->cue.sent_wall_ns = sc_record_parse_iso(str(rec, "sent"));
        out->cue.lateness_us = json_integer_value(json_object_get(rec, "lateness_us"));
        out->cue.seq = (uint64_t)json_integer_value(json_object_get(rec, "seq"));
        /* A skipped cue may still come back (back restores its item); every
         * other outcome is final for its run. */
        if (strcmp(str(rec, "outcome"), "skipped") == 0)
            return;
        /* A cue fired by hand counts for no run (run 0); a log from before
         * "run" was written has none, and the show guesses it. */
        const json_t *run = json_object_get(rec, "run");
        if (run && (!json_is_integer(run) || json_integer_value(run) <= 0 ||
                    json_integer_value(run) > UINT32_MAX))
            return;
        int item;
        const rd_cue_t *c = rd_rundown_find_cue(r, str(rec, "cue"), &item);
        if (!c)
            return;
        out->show.run = run ? (uint32_t)json_integer_value(run) : 0;
        out->kind = SC_REC_SHOW;
        out->show.kind = RD_REC_CUE_DONE;
        out->show.item = item;
        out->show.cue = (int)(c - r->items[item].cues);
        out->show.at_ns = at;
    }
}
