/* Linking a rundown to a config: every cue's target must exist and carry its payload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "parse.h"
#include "payload.h"
#include "target_kind.h"
#include "xalloc.h"

/* "switcher, gfx, audio" for messages; caller frees. */
static char *target_list(const rd_config_t *c)
{
    size_t len = 1;
    for (size_t i = 0; i < c->ntargets; i++)
        len += strlen(c->targets[i].name) + 2;
    char *s = rd_xcalloc(len, 1);
    for (size_t i = 0; i < c->ntargets; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, c->targets[i].name);
    }
    return s;
}

bool rd_rundown_link(rd_rundown_t *r, const rd_config_t *c, rd_diags_t *d)
{
    size_t before = d->errors;
    const char **names = rd_xcalloc(c->ntargets + 1, sizeof *names);
    for (size_t i = 0; i < c->ntargets; i++)
        names[i] = c->targets[i].name;

    for (size_t i = 0; i < r->nitems; i++) {
        rd_item_t *it = &r->items[i];
        /* The config's thresholds for an item that gives none, where the item
         * is longer than them (else it would start in its warning). */
        if (!it->has_warn && c->default_warn_ns < it->duration_ns)
            it->warn_ns = c->default_warn_ns;
        if (!it->has_critical && c->default_critical_ns < it->duration_ns)
            it->critical_ns = c->default_critical_ns;
        for (size_t j = 0; j < it->ncues; j++) {
            rd_cue_t *cue = &it->cues[j];
            char path[RD_PATH_MAX];
            snprintf(path, sizeof path, "items[%zu].cues[%zu]", i, j);
            rd_path_t tpath = rd__path_key(path, "target");
            if (!cue->target)
                continue; /* the parser reported it */
            cue->target_index = rd_config_find_target(c, cue->target);
            if (cue->target_index < 0) {
                const char *hint = rd__suggest(cue->target, names, c->ntargets);
                if (hint) {
                    rd_diag_add(d, RD_ERROR, tpath.s,
                                "unknown target \"%s\" (did you mean \"%s\"?)", cue->target, hint);
                } else if (c->ntargets == 0) {
                    rd_diag_add(d, RD_ERROR, tpath.s,
                                "unknown target \"%s\" (the config defines no targets)",
                                cue->target);
                } else {
                    char *list = target_list(c);
                    rd_diag_add(d, RD_ERROR, tpath.s,
                                "unknown target \"%s\" (the config defines %s)", cue->target, list);
                    free(list);
                }
                continue;
            }
            const rd_target_t *t = &c->targets[cue->target_index];
            const rd_target_kind_info_t *k = rd_target_kind_info(t->kind);
            if (cue->payload.kind != RD_PAYLOAD_NONE && k && cue->payload.kind != k->payload)
                rd_diag_add(d, RD_ERROR, path,
                            "target \"%s\" is %s (%s); give this cue %s, not \"%s\"", t->name,
                            k->noun, t->url, rd__payload_phrase(k->payload),
                            rd_payload_key(cue->payload.kind));
        }
    }
    free(names);
    return d->errors == before;
}
