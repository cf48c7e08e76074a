/* Reload: reading the rundown and the config again, and what of the config needs a restart. */
#include "reload.h"

#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"
#include "parse.h"

bool sc_reload_read(const char *rundown_path, const char *config_path, const rd_config_t *running,
                    const rd_shift_t *shift, sc_reload_t *out, json_t **errors, sc_result_t *r)
{
    memset(out, 0, sizeof *out);
    *errors = NULL;
    rd_diags_t d = {0};
    bool config_ok = !config_path || sc_load_config(config_path, &out->config, &d);
    out->has_config = config_path != NULL;
    bool ok = sc_load_rundown(rundown_path, &out->rundown, &d) && config_ok;
    if (ok && shift)
        rd_rundown_shift(&out->rundown, shift);
    d.file = rundown_path;
    ok = rd_rundown_link(&out->rundown, running, &d) && ok;
    if (!ok) {
        /* The running show stays; the producer sees every error. */
        *errors = json_array();
        for (size_t i = 0; i < d.count; i++) {
            char *line = rd_diag_format(&d.items[i]);
            if (d.items[i].severity == RD_ERROR) {
                sc_error("reload: %s", line);
                json_array_append_new(*errors, json_string(line));
            }
            free(line);
        }
        sc_result_error(r, SC_ERR_RELOAD_FAILED,
                        "%zu error%s in %s%s%s; the show continues unchanged", d.errors,
                        d.errors == 1 ? "" : "s", rundown_path, config_ok ? "" : " or ",
                        config_ok ? "" : config_path);
        sc_reload_free(out);
    } else {
        sc_result_ok(r);
    }
    rd_diags_free(&d);
    return ok;
}

void sc_reload_free(sc_reload_t *x)
{
    rd_rundown_free(&x->rundown);
    rd_config_free(&x->config);
    x->has_config = false;
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool sc_reload_needs_restart(const rd_config_t *a, const rd_config_t *b)
{
    if (strcmp(a->http.host, b->http.host) || a->http.port != b->http.port ||
        strcmp(a->osc.host, b->osc.host) || a->osc.port != b->osc.port ||
        strcmp(a->data_dir, b->data_dir) || a->ntargets != b->ntargets ||
        a->nosc_allow != b->nosc_allow || a->max_clients != b->max_clients ||
        a->max_message_bytes != b->max_message_bytes ||
        a->commands_per_second != b->commands_per_second || a->realtime != b->realtime ||
        !same_str(a->http_tls.cert, b->http_tls.cert) ||
        !same_str(a->http_tls.key, b->http_tls.key))
        return true;
    for (size_t i = 0; i < a->nosc_allow; i++)
        if (strcmp(a->osc_allow[i], b->osc_allow[i]))
            return true;
    for (size_t i = 0; i < a->ntargets; i++) {
        const rd_target_t *x = &a->targets[i], *y = &b->targets[i];
        if (strcmp(x->name, y->name) || strcmp(x->url, y->url) || x->latency_ns != y->latency_ns ||
            x->framing != y->framing)
            return true;
    }
    return false;
}
