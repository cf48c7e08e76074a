/* The rundown's editing API: source, check, save, versions, diff, import, CSV export (edit.h). */
#include "edit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "convert/doc_diff.h"
#include "convert/doc_dump.h"
#include "convert/export_csv.h"
#include "convert/import_csv.h"
#include "convert/import_ontime.h"
#include "journal/asrun_record.h"
#include "journal/versions.h"
#include "load.h"
#include "log.h"
#include "parse.h"
#include "plan.h"
#include "show/errors.h"
#include "xalloc.h"

struct sc_edit {
    sc_edit_env_t env;
    sc_versions_t *versions;
    uint64_t on_air; /* the version on air */
    /* The save in flight: its answer, its bytes' hash (the watcher's event
     * for them is ours), who asked. */
    sc_edit_reply_t *later;
    uint64_t saving_hash;
    char saving_source[64];
    bool file_pending; /* the file changed while a save was in flight */
    int drafts;        /* checks and saves being read on the thread pool */
};

/* ---- Answers -------------------------------------------------------------------- */

static sc_edit_answer_t answer(unsigned status, json_t *body)
{
    return (sc_edit_answer_t){.status = status, .json = body};
}

static json_t *error_body(sc_err_t err, const char *message)
{
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_false());
    json_object_set_new(o, "error", sc_error_json(sc_err_code(err), message));
    return o;
}

static sc_edit_answer_t fail(sc_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static sc_edit_answer_t fail(sc_err_t err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return answer(sc_err_http_status(err), error_body(err, msg));
}

/* ---- Documents ------------------------------------------------------------------ */

/* A rundown's bytes as a document (an object); NULL when they are not one. */
static json_t *doc_of(const char *bytes, size_t len)
{
    json_t *doc = json_loadb(bytes, len, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* A version's document; NULL when it cannot be read. */
static json_t *version_doc(const sc_edit_t *ed, uint64_t number)
{
    char err[256];
    size_t len = 0;
    char *bytes = sc_versions_read(ed->versions, number, &len, err, sizeof err);
    if (!bytes)
        return NULL;
    json_t *doc = doc_of(bytes, len);
    free(bytes);
    return doc;
}

/* The rundown file's bytes; NULL with the reason in err. */
static char *file_bytes(const sc_edit_t *ed, size_t *len, char *err, size_t errlen)
{
    rd_diags_t d = {0};
    char *bytes = sc_load_file(ed->env.rundown_path, len, &d);
    if (!bytes)
        snprintf(err, errlen, "%s: %s", ed->env.rundown_path,
                 d.count ? d.items[0].message : "cannot read");
    rd_diags_free(&d);
    return bytes;
}

static const sc_version_t *on_air_meta(const sc_edit_t *ed)
{
    return sc_versions_find(ed->versions, ed->on_air);
}

/* ---- Start-up and the watcher ---------------------------------------------------- */

/* Records bytes as a version now, on the loop (start-up, a file edit: rare,
 * and the reload that goes with a file edit reads the file here too). */
static bool record_now(sc_edit_t *ed, const char *bytes, size_t len, const char *source,
                       const char *door, char *err, size_t errlen)
{
    json_t *doc = doc_of(bytes, len);
    json_t *prev = ed->on_air ? version_doc(ed, ed->on_air) : NULL;
    char *summary = doc ? sc_doc_summary(prev, doc) : NULL;
    sc_version_t m;
    memset(&m, 0, sizeof m);
    m.source = (char *)source;
    m.door = (char *)door;
    m.summary = summary;
    bool ok = sc_versions_add_now(ed->versions, &m, bytes, len, err, errlen);
    if (ok)
        ed->on_air = m.number;
    free(summary);
    json_decref(doc);
    json_decref(prev);
    return ok;
}

sc_edit_t *sc_edit_new(const sc_edit_env_t *env, char *err, size_t errlen)
{
    sc_edit_t *ed = rd_xcalloc(1, sizeof *ed);
    ed->env = *env;
    ed->versions = sc_versions_open(env->data_dir, err, errlen);
    if (!ed->versions) {
        free(ed);
        return NULL;
    }
    size_t len = 0;
    char *bytes = file_bytes(ed, &len, err, errlen);
    if (!bytes) {
        sc_edit_free(ed);
        return NULL;
    }
    const sc_version_t *last = sc_versions_latest(ed->versions);
    if (last && last->hash == sc_versions_hash(bytes, len)) {
        ed->on_air = last->number;
    } else {
        if (last)
            ed->on_air = last->number; /* the summary says what changed since */
        if (!record_now(ed, bytes, len, "start", "start", err, errlen)) {
            free(bytes);
            sc_edit_free(ed);
            return NULL;
        }
    }
    free(bytes);
    sc_info("rundown: version %" PRIu64 " on air (%s/versions)", ed->on_air, env->data_dir);
    return ed;
}

void sc_edit_free(sc_edit_t *ed)
{
    if (!ed)
        return;
    if (ed->later)
        sc_server_edit_reply(
            ed->later, 503, error_body(SC_ERR_SHUTTING_DOWN, "the daemon stopped during the save"));
    sc_versions_free(ed->versions);
    free(ed);
}

uint64_t sc_edit_on_air(const sc_edit_t *ed)
{
    return ed->on_air;
}

void sc_edit_file_changed(sc_edit_t *ed)
{
    if (ed->later) {
        ed->file_pending = true; /* looked at once the save is over */
        return;
    }
    char err[512];
    size_t len = 0;
    char *bytes = file_bytes(ed, &len, err, sizeof err);
    const sc_version_t *cur = on_air_meta(ed);
    if (bytes && cur && cur->hash == sc_versions_hash(bytes, len)) {
        free(bytes); /* a save of ours, or a touch: nothing new */
        return;
    }
    sc_result_t r;
    ed->env.reload(ed->env.ctx, SC_DOOR_FILE, ed->env.rundown_path, &r);
    /* The reload read the file again: record what it read, unless it
     * changed once more in between (then the next event records that). */
    free(bytes);
    bytes = r.ok ? file_bytes(ed, &len, err, sizeof err) : NULL;
    if (bytes) {
        if (record_now(ed, bytes, len, "file", "file", err, sizeof err))
            ed->env.changed(ed->env.ctx);
        else
            sc_error("versions: the file edit is on air but not recorded: %s", err);
    }
    free(bytes);
}

/* ---- Checking a draft ----------------------------------------------------------- */

static json_t *wall_ms(const sc_edit_t *ed, bool has, int64_t show_ns)
{
    return has ? json_integer(sc_show_to_wall_ms(ed->env.tb, show_ns)) : json_null();
}

/* The draft's plan as the editor shows it: wall-clock ms (offsets from the
 * first GO for a show without on_air). */
static json_t *plan_json(const sc_edit_t *ed, const rd_rundown_t *r, const rd_plan_t *p)
{
    bool abs = !p->relative;
    json_t *o = json_object();
    json_object_set_new(o, "relative", json_boolean(p->relative));
    json_object_set_new(o, "on_air", wall_ms(ed, abs && r->has_on_air, r->on_air_ns));
    json_object_set_new(o, "off_air", wall_ms(ed, abs && r->has_off_air, r->off_air_ns));
    json_object_set_new(o, "planned_start", wall_ms(ed, abs, p->start_ns));
    json_object_set_new(o, "planned_end", wall_ms(ed, abs, p->end_ns));
    json_object_set_new(o, "duration_ms", json_integer((p->end_ns - p->start_ns) / RD_NS_PER_MS));
    json_object_set_new(o, "over_under_ms",
                        p->has_off_air ? json_integer(p->off_air_delta_ns / RD_NS_PER_MS)
                                       : json_null());
    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems && i < p->nitems; i++) {
        const rd_plan_item_t *pi = &p->items[i];
        const rd_item_t *it = &r->items[i];
        json_t *io = json_object();
        json_object_set_new(io, "id", json_string(it->id));
        json_object_set_new(io, "planned_start", wall_ms(ed, abs, pi->start_ns));
        json_object_set_new(io, "planned_offset_ms",
                            json_integer((pi->start_ns - p->start_ns) / RD_NS_PER_MS));
        json_object_set_new(io, "planned_end", wall_ms(ed, abs, pi->end_ns));
        json_object_set_new(io, "back_time", wall_ms(ed, abs && pi->has_backtime, pi->backtime_ns));
        json_object_set_new(io, "duration_ms", json_integer(it->duration_ns / RD_NS_PER_MS));
        json_object_set_new(io, "gap_ms",
                            it->start == RD_START_TIME && i > 0
                                ? json_integer(pi->gap_ns / RD_NS_PER_MS)
                                : json_null());
        json_array_append_new(items, io);
    }
    json_object_set_new(o, "items", items);
    return o;
}

/* ---- Drafts: read off the loop --------------------------------------------------- */

/* A check or a save starts with the costly, pure part of reading a draft on
 * libuv's thread pool: the body's JSON, the draft as the file it would be
 * (sc_doc_dump), the rundown parser on those bytes and the linker (the same
 * as a reload, so the findings are --check's), and for a check its plan.
 * That is most of a check's time (about 45 ms for a 1,000-item show here),
 * which the loop, and the websocket and HTTP cues it sends, never wait for.
 * The linker reads the running config from the worker: what it reads (the
 * targets and the default warn/critical) never changes while the daemon
 * runs (a reload changes only go_guard and the tokens, run.c's
 * apply_config). The plan's wall-clock times (the timebase) and everything
 * a save touches run on the loop afterwards, where the show lives. */
typedef struct {
    uv_work_t work;
    sc_edit_t *ed;
    bool save;
    sc_edit_reply_t *later;
    char source[64];
    char *in; /* the request's body, copied */
    size_t in_len;
    const char *path; /* the rundown file's name, for the findings */
    const rd_config_t *config;
    rd_shift_t demo;
    bool has_demo;
    /* What the work made. */
    json_t *body;
    json_error_t jerr;
    char *bytes; /* the draft as its file */
    size_t len;
    rd_rundown_t r;
    rd_diags_t d;
    bool ok;        /* parsed and linked without an error */
    rd_plan_t plan; /* a check's, when ok */
} draft_t;

static void draft_work(uv_work_t *w)
{
    draft_t *j = w->data;
    j->body = json_loadb(j->in, j->in_len, 0, &j->jerr);
    json_t *doc = json_is_object(j->body) ? json_object_get(j->body, "rundown") : NULL;
    if (!json_is_object(doc))
        return;
    j->bytes = sc_doc_dump(doc, &j->len);
    j->d.file = j->path;
    bool parsed = rd_rundown_parse(j->bytes, j->len, &j->r, &j->d);
    if (parsed && j->has_demo)
        rd_rundown_shift(&j->r, &j->demo);
    /* Linked even with parse errors, so that every finding shows at once. */
    j->ok = rd_rundown_link(&j->r, j->config, &j->d) && parsed;
    if (j->ok && !j->save)
        rd_plan_compute(&j->r, &j->plan, &j->d);
}

static void draft_free(draft_t *j)
{
    json_decref(j->body);
    free(j->in);
    free(j->bytes);
    rd_plan_free(&j->plan);
    rd_rundown_free(&j->r);
    rd_diags_free(&j->d);
    free(j);
}

/* The draft's "rundown", or NULL with *a the reason the body is not one. */
static json_t *draft_doc(const draft_t *j, sc_edit_answer_t *a)
{
    if (!json_is_object(j->body)) {
        *a = !j->body ? fail(SC_ERR_BAD_JSON, "the body is not JSON: %s (line %d, column %d)",
                             j->jerr.text, j->jerr.line, j->jerr.column)
                      : fail(SC_ERR_BAD_ARGUMENT, "the body must be an object with \"rundown\"");
        return NULL;
    }
    json_t *doc = json_object_get(j->body, "rundown");
    if (!json_is_object(doc)) {
        *a = fail(doc ? SC_ERR_BAD_ARGUMENT : SC_ERR_MISSING_ARGUMENT,
                  "\"rundown\" must be the whole rundown, an object");
        return NULL;
    }
    return doc;
}

static sc_edit_answer_t check_answer(sc_edit_t *ed, draft_t *j)
{
    json_t *out = json_object();
    json_object_set_new(out, "ok", json_boolean(j->ok));
    json_object_set_new(out, "errors", json_integer((json_int_t)j->d.errors));
    json_object_set_new(out, "findings", sc_check_findings_json(&j->d, -1));
    json_object_set_new(out, "plan", j->ok ? plan_json(ed, &j->r, &j->plan) : json_null());
    return answer(200, out);
}

static sc_edit_answer_t save_draft(sc_edit_t *ed, draft_t *j, json_t *doc);

static void draft_after(uv_work_t *w, int status)
{
    (void)status; /* never cancelled */
    draft_t *j = w->data;
    sc_edit_t *ed = j->ed;
    ed->drafts--;
    sc_edit_answer_t a;
    json_t *doc = draft_doc(j, &a);
    if (doc)
        a = j->save ? save_draft(ed, j, doc) : check_answer(ed, j);
    if (a.status != 0)
        sc_server_edit_reply(j->later, a.status, a.json);
    draft_free(j);
}

/* Starts reading a draft for a check or a save; the answer comes later. */
static sc_edit_answer_t draft_start(sc_edit_t *ed, const sc_edit_request_t *req, bool save)
{
    draft_t *j = rd_xcalloc(1, sizeof *j);
    j->work.data = j;
    j->ed = ed;
    j->save = save;
    j->later = req->later;
    snprintf(j->source, sizeof j->source, "%s", req->source);
    j->in = rd_xcalloc(req->body_len + 1, 1);
    memcpy(j->in, req->body, req->body_len);
    j->in_len = req->body_len;
    j->path = ed->env.rundown_path;
    j->config = ed->env.config;
    if (ed->env.demo) {
        j->demo = *ed->env.demo;
        j->has_demo = true;
    }
    if (uv_queue_work(ed->env.loop, &j->work, draft_work, draft_after) != 0) {
        j->later = NULL;
        draft_free(j);
        return fail(SC_ERR_SAVE_IN_PROGRESS, "the daemon cannot take the draft now; try again");
    }
    ed->drafts++;
    return answer(0, NULL); /* draft_after answers */
}

/* ---- Saving ------------------------------------------------------------------------ */

/* "by Ana (http 127.0.0.1:5000) at 19:02:11" */
static void who_when(const sc_version_t *m, char *buf, size_t len)
{
    time_t t = (time_t)(m->wall_ns / 1000000000);
    struct tm tm;
    char at[16] = "";
    if (localtime_r(&t, &tm))
        strftime(at, sizeof at, "%H:%M:%S", &tm);
    char door[96];
    snprintf(door, sizeof door, "%s%s%s", m->door ? m->door : "", m->address ? " " : "",
             m->address ? m->address : "");
    if (m->author && m->author[0])
        snprintf(buf, len, "by %s (%s) at %s", m->author, door, at);
    else
        snprintf(buf, len, "by %s at %s", strcmp(door, "file") == 0 ? "a file edit" : door, at);
}

static json_t *saved_body(const sc_edit_t *ed, const sc_version_t *m, bool unchanged)
{
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_true());
    json_object_set_new(o, "rev", json_integer((json_int_t)ed->on_air));
    json_object_set_new(o, "unchanged", json_boolean(unchanged));
    json_object_set_new(o, "version", m ? sc_version_json(m, ed->on_air) : json_null());
    return o;
}

static void save_done(void *ctx, const sc_version_t *m, int err, const char *err_text)
{
    sc_edit_t *ed = ctx;
    sc_edit_reply_t *later = ed->later;
    ed->later = NULL;
    if (err != 0) {
        sc_error("save: %s", err_text);
        char msg[640];
        snprintf(msg, sizeof msg, "not saved: %s; the rundown on air is unchanged", err_text);
        sc_server_edit_reply(later, 500, error_body(SC_ERR_WRITE_FAILED, msg));
    } else {
        /* The file is the new version: on air the way `reload` puts it. */
        sc_result_t r;
        ed->env.reload(ed->env.ctx, SC_DOOR_HTTP, ed->saving_source, &r);
        if (r.ok) {
            ed->on_air = m->number;
            sc_info("save: version %" PRIu64 " on air (%s)", m->number, m->summary);
            sc_server_edit_reply(later, 200, saved_body(ed, m, false));
        } else {
            /* Something changed between the check and now (a GO started an
             * item the draft removes): the file holds the version, the show
             * the one before. The producer sees why. */
            char msg[700];
            snprintf(msg, sizeof msg,
                     "saved as version %" PRIu64 " but not on air: %s; version %" PRIu64
                     " stays on air",
                     m->number, r.message, ed->on_air);
            sc_server_edit_reply(later, 409, error_body(r.err, msg));
        }
        ed->env.changed(ed->env.ctx);
    }
    ed->saving_hash = 0;
    if (ed->file_pending) {
        ed->file_pending = false;
        sc_edit_file_changed(ed);
    }
}

static const char *str_member(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The rest of a save, on the loop, once the draft has been read (draft_after). */
static sc_edit_answer_t save_draft(sc_edit_t *ed, draft_t *j, json_t *doc)
{
    json_t *body = j->body;
    json_t *rev = json_object_get(body, "rev");
    if (!json_is_integer(rev))
        return fail(SC_ERR_MISSING_ARGUMENT,
                    "\"rev\" must be the rev of GET /api/rundown/source the draft was edited from");
    const sc_version_t *cur = on_air_meta(ed);
    if ((uint64_t)json_integer_value(rev) != ed->on_air) {
        char who[256] = "";
        if (cur)
            who_when(cur, who, sizeof who);
        char msg[512];
        snprintf(msg, sizeof msg,
                 "version %" PRIu64 " was saved since the version %" JSON_INTEGER_FORMAT
                 " you edited, %s; load it and make your change again",
                 ed->on_air, json_integer_value(rev), who);
        json_t *o = error_body(SC_ERR_CONFLICT, msg);
        json_object_set_new(o, "rev", json_integer((json_int_t)ed->on_air));
        json_object_set_new(o, "version", cur ? sc_version_json(cur, ed->on_air) : json_null());
        return answer(409, o);
    }
    if (ed->later || sc_versions_busy(ed->versions))
        return fail(SC_ERR_SAVE_IN_PROGRESS, "another save is being written; try again");
    /* The file as it is now: a save of the same bytes changes nothing. */
    char err[512];
    size_t flen = 0;
    char *fbytes = file_bytes(ed, &flen, err, sizeof err);
    bool same_file = fbytes && flen == j->len && memcmp(fbytes, j->bytes, j->len) == 0;
    free(fbytes);
    if (same_file && cur && cur->hash == sc_versions_hash(j->bytes, j->len))
        return answer(200, saved_body(ed, cur, true));
    if (!j->ok) {
        char msg[128];
        snprintf(msg, sizeof msg, "%zu error%s in the rundown; nothing was saved", j->d.errors,
                 j->d.errors == 1 ? "" : "s");
        json_t *o = error_body(SC_ERR_INVALID_RUNDOWN, msg);
        json_object_set_new(o, "findings", sc_check_findings_json(&j->d, -1));
        return answer(400, o);
    }
    const rd_show_t *show = sc_engine_show(ed->env.engine);
    if (rd_show_can_carry(show, &j->r) != RD_SHOW_OK) {
        const char *id = sc_engine_rundown(ed->env.engine)->items[show->current].id;
        return fail(SC_ERR_RUNNING_ITEM_REMOVED,
                    "the draft has no item \"%s\", which is running; keep it until it has "
                    "ended; nothing was saved",
                    id);
    }

    json_t *prev = version_doc(ed, ed->on_air);
    char *summary = sc_doc_summary(prev, doc);
    json_decref(prev);
    const char *source = str_member(body, "source");
    if (!source || (strcmp(source, "editor") && strcmp(source, "import")))
        source = "editor";
    json_t *ro = json_object_get(body, "restore_of");
    uint64_t restore_of =
        json_is_integer(ro) && json_integer_value(ro) > 0 ? (uint64_t)json_integer_value(ro) : 0;
    char restore_summary[600];
    if (restore_of) {
        source = "restore";
        snprintf(restore_summary, sizeof restore_summary, "restore of version %" PRIu64 ": %s",
                 restore_of, summary ? summary : "");
    }
    const char *author = str_member(body, "author");
    char author_buf[81];
    if (author)
        snprintf(author_buf, sizeof author_buf, "%s", author); /* a name, not an essay */
    sc_version_t m;
    memset(&m, 0, sizeof m);
    m.source = (char *)source;
    m.author = author && author[0] ? author_buf : NULL;
    m.door = "http";
    m.address = j->source;
    m.summary = restore_of ? restore_summary : summary;
    m.restore_of = restore_of;
    bool started = sc_versions_save(ed->versions, ed->env.loop, ed->env.rundown_path, j->bytes,
                                    j->len, &m, save_done, ed);
    free(summary);
    if (!started)
        return fail(SC_ERR_SAVE_IN_PROGRESS, "the save could not start; try again");
    ed->later = j->later;
    ed->saving_hash = sc_versions_hash(j->bytes, j->len);
    snprintf(ed->saving_source, sizeof ed->saving_source, "%s", j->source);
    return answer(0, NULL); /* save_done answers */
}

/* ---- Reading ------------------------------------------------------------------------ */

static sc_edit_answer_t source(sc_edit_t *ed)
{
    char err[512];
    size_t len = 0;
    char *bytes = file_bytes(ed, &len, err, sizeof err);
    json_t *doc = bytes ? doc_of(bytes, len) : NULL;
    const sc_version_t *cur = on_air_meta(ed);
    bool matches = bytes && cur && cur->hash == sc_versions_hash(bytes, len);
    free(bytes);
    json_t *o = json_object();
    if (!doc || !matches) {
        /* The file has changes not on air (a hand edit with errors): the
         * editor starts from what is on air; saving it replaces the file. */
        json_decref(doc);
        doc = version_doc(ed, ed->on_air);
        json_object_set_new(o, "note",
                            json_string("the rundown file differs from the version on air (a "
                                        "file edit that did not load): this is the version on "
                                        "air; saving replaces the file"));
    }
    if (!doc) {
        json_decref(o);
        return fail(SC_ERR_WRITE_FAILED, "cannot read the rundown: %s", err);
    }
    json_object_set_new(o, "ok", json_true());
    json_object_set_new(o, "rev", json_integer((json_int_t)ed->on_air));
    json_object_set_new(o, "file", json_string(ed->env.rundown_path));
    json_t *targets = json_array();
    for (size_t i = 0; i < ed->env.config->ntargets; i++) {
        const rd_target_t *t = &ed->env.config->targets[i];
        json_array_append_new(targets, json_pack("{s:s, s:s, s:s}", "name", t->name, "kind",
                                                 rd_target_kind_name(t->kind), "url", t->url));
    }
    json_object_set_new(o, "targets", targets);
    json_object_set_new(o, "version", cur ? sc_version_json(cur, ed->on_air) : json_null());
    json_object_set_new(o, "rundown", doc);
    return answer(200, o);
}

/* "/versions/12" -> 12, rest "" ; "/versions/12/diff" -> 12, rest "/diff". */
static bool version_number(const char *path, uint64_t *n, const char **rest)
{
    const char *p = path + strlen("/versions/");
    char *end;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p || v == 0)
        return false;
    *n = v;
    *rest = end;
    return true;
}

static sc_edit_answer_t versions_get(sc_edit_t *ed, const sc_edit_request_t *req)
{
    if (strcmp(req->path, "/versions") == 0)
        return answer(200, sc_versions_list_json(ed->versions, ed->on_air));
    uint64_t n;
    const char *rest;
    if (!version_number(req->path, &n, &rest) || (rest[0] && strcmp(rest, "/diff") != 0))
        return fail(SC_ERR_NOT_FOUND, "no such path: /api%s", req->path);
    const sc_version_t *m = sc_versions_find(ed->versions, n);
    if (!m)
        return fail(SC_ERR_UNKNOWN_VERSION, "there is no version %" PRIu64, n);
    if (!rest[0]) {
        json_t *doc = version_doc(ed, n);
        if (!doc)
            return fail(SC_ERR_WRITE_FAILED, "version %" PRIu64 "'s file cannot be read", n);
        json_t *o = json_object();
        json_object_set_new(o, "ok", json_true());
        json_object_set_new(o, "version", sc_version_json(m, ed->on_air));
        json_object_set_new(o, "rundown", doc);
        return answer(200, o);
    }
    uint64_t to = ed->on_air;
    if (req->to[0]) {
        char *end;
        to = strtoull(req->to, &end, 10);
        if (*end || !sc_versions_find(ed->versions, to))
            return fail(SC_ERR_UNKNOWN_VERSION, "there is no version %s", req->to);
    }
    json_t *a = version_doc(ed, n), *b = version_doc(ed, to);
    if (!a || !b) {
        json_decref(a);
        json_decref(b);
        return fail(SC_ERR_WRITE_FAILED, "a version's file cannot be read");
    }
    json_t *o = sc_doc_diff(a, b);
    json_object_set_new(o, "ok", json_true());
    json_object_set_new(o, "from", json_integer((json_int_t)n));
    json_object_set_new(o, "to", json_integer((json_int_t)to));
    json_decref(a);
    json_decref(b);
    return answer(200, o);
}

static sc_edit_answer_t import(sc_edit_t *ed, const sc_edit_request_t *req)
{
    const char *fmt = req->format[0] ? req->format : "csv";
    bool csv = strcmp(fmt, "csv") == 0;
    if (!csv && strcmp(fmt, "ontime") != 0)
        return fail(SC_ERR_BAD_ARGUMENT, "format=%s: the formats are csv and ontime", fmt);
    rd_diags_t d = {0};
    d.file = csv ? "upload.csv" : "db.json";
    json_t *doc = csv ? sc_import_csv(req->body, req->body_len, ed->env.config, &d)
                      : sc_import_ontime(req->body, req->body_len, &d);
    json_t *o;
    if (doc) {
        o = json_object();
        json_object_set_new(o, "ok", json_true());
        json_object_set_new(o, "findings", sc_check_findings_json(&d, -1));
        json_object_set_new(o, "rundown", doc);
    } else {
        char msg[128];
        snprintf(msg, sizeof msg, "%zu error%s in the %s file; nothing was imported", d.errors,
                 d.errors == 1 ? "" : "s", csv ? "CSV" : "Ontime");
        o = error_body(SC_ERR_IMPORT_FAILED, msg);
        json_object_set_new(o, "findings", sc_check_findings_json(&d, -1));
    }
    rd_diags_free(&d);
    return answer(doc ? 200 : 400, o);
}

static sc_edit_answer_t export_csv(sc_edit_t *ed)
{
    char err[512];
    size_t len = 0;
    char *bytes = file_bytes(ed, &len, err, sizeof err);
    json_t *doc = bytes ? doc_of(bytes, len) : NULL;
    free(bytes);
    if (!doc)
        return fail(SC_ERR_WRITE_FAILED, "cannot read the rundown: %s", err);
    size_t n = 0;
    char *csv = sc_export_csv(doc, &n);
    json_decref(doc);
    if (!csv)
        return fail(SC_ERR_WRITE_FAILED, "out of memory");
    return (sc_edit_answer_t){
        .status = 200, .text = csv, .text_len = n, .content_type = "text/csv; charset=utf-8"};
}

sc_edit_answer_t sc_edit_handle(sc_edit_t *ed, const sc_edit_request_t *req)
{
    const char *m = req->method, *p = req->path;
    if (strcmp(m, "GET") == 0) {
        if (strcmp(p, "/rundown/source") == 0)
            return source(ed);
        if (strcmp(p, "/rundown.csv") == 0)
            return export_csv(ed);
        return versions_get(ed, req);
    }
    if (strcmp(m, "POST") == 0 && strcmp(p, "/rundown/check") == 0)
        return draft_start(ed, req, false);
    if (strcmp(m, "POST") == 0 && strcmp(p, "/import") == 0)
        return import(ed, req);
    if (strcmp(m, "PUT") == 0 && strcmp(p, "/rundown") == 0)
        return draft_start(ed, req, true);
    return fail(SC_ERR_NOT_FOUND, "no such path: %s /api%s", m, p);
}
