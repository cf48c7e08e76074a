/* Resume after a crash or a restart: the records of the current show, read back from the as-run
 * log, and the damage that touches them. */
#include "resume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

uint64_t sc_resume_hash(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint64_t h = 14695981039346656037u;
    int c;
    while ((c = fgetc(f)) != EOF)
        h = (h ^ (uint64_t)(unsigned char)c) * 1099511628211u;
    fclose(f);
    return h;
}

static const char *str(const json_t *rec, const char *key)
{
    const char *s = json_string_value(json_object_get(rec, key));
    return s ? s : "";
}

/* Whether a line holds `"key":"value"` at its top level or deeper: a cheap
 * filter before parsing (a string value that contained it would be escaped). */
static bool has(const char *line, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        const char *p = memchr(line + i, needle[0], len - n - i + 1);
        if (!p)
            return false;
        i = (size_t)(p - line);
        if (memcmp(p, needle, n) == 0)
            return true;
    }
    return false;
}

/* ---- Pass 1: where the current show begins ---- */

typedef struct {
    char chain[32]; /* the rundown hash the records so far belong to */
    bool any_start;
    int64_t from;      /* offset of the first record after the start that began the show */
    int64_t start_off; /* offset of that start record */
    int64_t ack_off;   /* offset of the last journal_ack command that succeeded, -1 */
    size_t since;      /* records since `from` that are not start/reload */
    int64_t last_wall_ns;
} pass1_t;

static void pass1(void *ctx, uint64_t seq, const char *line, size_t len, int64_t off)
{
    (void)seq;
    pass1_t *p = ctx;
    if (has(line, len, "\"kind\":\"daemon\"") &&
        (has(line, len, "\"event\":\"start\"") || has(line, len, "\"event\":\"reload\""))) {
        json_t *rec = json_loadb(line, len, 0, NULL);
        const char *event = str(rec, "event");
        bool start = strcmp(str(rec, "kind"), "daemon") == 0 && strcmp(event, "start") == 0;
        bool reload = strcmp(str(rec, "kind"), "daemon") == 0 && strcmp(event, "reload") == 0;
        if (start || reload) {
            if (start && strcmp(str(rec, "rundown_hash"), p->chain) != 0) {
                p->from = off + (int64_t)len + 1;
                p->start_off = off;
                p->since = 0;
            }
            p->any_start = p->any_start || start;
            snprintf(p->chain, sizeof p->chain, "%s", str(rec, "rundown_hash"));
            json_decref(rec);
            return;
        }
        json_decref(rec);
    }
    if (has(line, len, "\"cmd\":\"journal_ack\"") && has(line, len, "\"ok\":true"))
        p->ack_off = off;
    p->since++;
    static const char key[] = "\"wall\":\"";
    for (const char *w = line; (w = memchr(w, '"', (size_t)(line + len - w)));) {
        if ((size_t)(line + len - w) > sizeof key && memcmp(w, key, sizeof key - 1) == 0) {
            char iso[40];
            const char *v = w + sizeof key - 1, *q = memchr(v, '"', (size_t)(line + len - v));
            if (q && (size_t)(q - v) < sizeof iso) {
                memcpy(iso, v, (size_t)(q - v));
                iso[q - v] = '\0';
                int64_t wall = sc_record_parse_iso(iso);
                if (wall > p->last_wall_ns)
                    p->last_wall_ns = wall;
            }
            break;
        }
        w++;
    }
}

/* ---- Pass 2: the show's records ---- */

typedef struct {
    const rd_rundown_t *r;
    int64_t midnight;
    sc_resume_fn apply;
    void *ctx;
    sc_resume_result_t *out;
    int64_t evidence_from; /* cue records at or after this offset are evidence */
} pass2_t;

/* A cue record read after damage: its item did run in that run. */
static void evidence(pass2_t *p, const sc_record_t *rec)
{
    const rd_show_record_t *sr = &rec->show;
    if (rec->kind != SC_REC_SHOW || sr->kind != RD_REC_CUE_DONE || sr->item < 0 || sr->cue < 0 ||
        sr->run == 0)
        return;
    sc_resume_result_t *o = p->out;
    if (sr->run > o->evidence_run[sr->item]) {
        o->evidence_run[sr->item] = sr->run;
        o->evidence_start_ns[sr->item] = 0;
    }
    const rd_cue_t *c = &p->r->items[sr->item].cues[sr->cue];
    if (sr->run != o->evidence_run[sr->item] || !rec->cue.scheduled_wall_ns ||
        c->anchor != RD_FROM_START)
        return;
    int64_t start = rec->cue.scheduled_wall_ns - p->midnight - c->offset_ns;
    if (!o->evidence_start_ns[sr->item] || start < o->evidence_start_ns[sr->item])
        o->evidence_start_ns[sr->item] = start;
}

static void pass2(void *ctx, uint64_t seq, const char *line, size_t len, int64_t off)
{
    (void)seq;
    pass2_t *p = ctx;
    json_t *j = json_loadb(line, len, 0, NULL);
    if (!j)
        return;
    sc_record_t rec;
    sc_record_read(j, p->r, p->midnight, &rec);
    if ((rec.kind != SC_REC_OTHER || rec.cue.present || rec.answer.present) &&
        rec.kind != SC_REC_START && rec.kind != SC_REC_RELOAD) {
        p->apply(p->ctx, &rec);
        if (p->out->uncertain && off >= p->evidence_from)
            evidence(p, &rec);
    }
    json_decref(j);
}

bool sc_resume_replay(int fd, const sc_damage_t *lost, uint64_t hash, const rd_rundown_t *r,
                      int64_t midnight_wall_ns, sc_resume_fn apply, void *ctx,
                      sc_resume_result_t *out)
{
    memset(out, 0, sizeof *out);
    if (fd < 0) {
        snprintf(out->why, sizeof out->why, "no as-run log to resume from");
        return false;
    }
    pass1_t p1 = {.ack_off = -1};
    sc_scan_t scan;
    if (sc_journal_scan(fd, 0, pass1, &p1, &scan) < 0) {
        snprintf(out->why, sizeof out->why, "the as-run log cannot be read");
        return false;
    }
    /* The damage that touches the current show and was not acknowledged:
     * anything at or after the start that began it (before any start: all
     * of it), and records known lost beyond the end. */
    int64_t show_from = p1.any_start ? p1.start_off : 0;
    for (size_t i = 0; i < scan.ndamage + (lost ? 1 : 0); i++) {
        const sc_damage_t *d = i < scan.ndamage ? &scan.damage[i] : lost;
        if (d->offset >= show_from && d->offset > p1.ack_off && out->ndamage < SC_DAMAGE_KEEP)
            out->damage[out->ndamage++] = *d;
    }
    out->uncertain = out->ndamage > 0;
    out->last_wall_ns = p1.last_wall_ns;
    char want[32];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)hash);
    bool same = strcmp(p1.chain, want) == 0;
    if (!same || p1.since == 0) {
        snprintf(out->why, sizeof out->why, "%s",
                 !p1.any_start ? "no earlier run today"
                 : same        ? "the earlier run of this rundown did nothing yet"
                               : "the rundown changed since the last run: starting from the top");
        return false;
    }
    out->applied = p1.since;
    pass2_t p2 = {.r = r,
                  .midnight = midnight_wall_ns,
                  .apply = apply,
                  .ctx = ctx,
                  .out = out,
                  .evidence_from = out->ndamage ? out->damage[0].offset : INT64_MAX};
    if (out->uncertain) {
        out->evidence_run = rd_xcalloc(r->nitems + 1, sizeof *out->evidence_run);
        out->evidence_start_ns = rd_xcalloc(r->nitems + 1, sizeof *out->evidence_start_ns);
    }
    if (sc_journal_scan(fd, p1.from, pass2, &p2, &scan) < 0) {
        snprintf(out->why, sizeof out->why, "the as-run log cannot be read");
        return false;
    }
    out->resumed = true;
    snprintf(out->why, sizeof out->why, "resumed from %zu records", out->applied);
    return true;
}

void sc_resume_result_free(sc_resume_result_t *out)
{
    free(out->evidence_run);
    free(out->evidence_start_ns);
    out->evidence_run = NULL;
    out->evidence_start_ns = NULL;
}
