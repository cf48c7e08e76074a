/* Resume after a crash or a restart: the records of the current show, read back from the as-run
 * log. */
#include "resume.h"

#include <stdio.h>
#include <string.h>

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

/* A daemon record's event, or "". */
static const char *event_of(const json_t *rec)
{
    return strcmp(str(rec, "kind"), "daemon") == 0 ? str(rec, "event") : "";
}

bool sc_resume_replay(const char *text, size_t len, uint64_t hash, const rd_rundown_t *r,
                      int64_t midnight_wall_ns, sc_resume_fn apply, void *ctx,
                      sc_resume_result_t *out)
{
    memset(out, 0, sizeof *out);
    json_t *records = text ? json_loadb(text, len, 0, NULL) : NULL;
    if (!json_is_array(records)) {
        json_decref(records);
        snprintf(out->why, sizeof out->why, "no as-run log to resume from");
        return false;
    }
    /* Which rundown each record belongs to: a start with another rundown than
     * the one running began a new show, and what came before it is forgotten;
     * a reload goes on with the rundown it loaded. */
    char want[32], chain[32] = "";
    snprintf(want, sizeof want, "%016llx", (unsigned long long)hash);
    bool any_start = false;
    size_t from = 0, n = json_array_size(records);
    for (size_t i = 0; i < n; i++) {
        const json_t *rec = json_array_get(records, i);
        const char *event = event_of(rec);
        bool start = strcmp(event, "start") == 0;
        if (start || strcmp(event, "reload") == 0) {
            if (start && strcmp(str(rec, "rundown_hash"), chain) != 0)
                from = i + 1;
            any_start = any_start || start;
            snprintf(chain, sizeof chain, "%s", str(rec, "rundown_hash"));
            continue;
        }
        int64_t wall = sc_record_parse_iso(str(rec, "wall"));
        if (wall > out->last_wall_ns)
            out->last_wall_ns = wall;
    }
    /* What the current show did: its records since the start that began it. */
    for (size_t i = from; i < n; i++) {
        const char *event = event_of(json_array_get(records, i));
        if (strcmp(event, "start") != 0 && strcmp(event, "reload") != 0)
            out->applied++;
    }
    bool same = strcmp(chain, want) == 0;
    if (!same || out->applied == 0) {
        snprintf(out->why, sizeof out->why, "%s",
                 !any_start ? "no earlier run today"
                 : same     ? "the earlier run of this rundown did nothing yet"
                            : "the rundown changed since the last run: starting from the top");
        out->applied = 0;
        json_decref(records);
        return false;
    }
    for (size_t i = from; i < n; i++) {
        sc_record_t rec;
        sc_record_read(json_array_get(records, i), r, midnight_wall_ns, &rec);
        if ((rec.kind != SC_REC_OTHER || rec.cue.present || rec.answer.present) &&
            rec.kind != SC_REC_START && rec.kind != SC_REC_RELOAD)
            apply(ctx, &rec);
    }
    json_decref(records);
    out->resumed = true;
    snprintf(out->why, sizeof out->why, "resumed from %zu records", out->applied);
    return true;
}
