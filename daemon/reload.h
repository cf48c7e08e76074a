/* Reload: both files read again and checked against what runs, before anything changes. */
#ifndef SC_RELOAD_H
#define SC_RELOAD_H

#include <jansson.h>
#include <stdbool.h>

#include "model.h"
#include "show/command.h"

/* A reload that read cleanly: the rundown, linked to the running config
 * (targets cannot change live), and the config file as it now reads. */
typedef struct {
    rd_rundown_t rundown;
    rd_config_t config; /* zeroed when there is no config file */
    bool has_config;
} sc_reload_t;

/* Reads config_path (NULL: none) and rundown_path and links the rundown to
 * `running`, moved by shift first (the demo's; NULL for none). On success fills out (free it with
 * sc_reload_free, after taking what you keep) and returns true. Otherwise r gets "reload_failed"
 * naming the files, *errors a new JSON array of every error as "file: path: message" (also logged),
 * and out holds nothing. */
bool sc_reload_read(const char *rundown_path, const char *config_path, const rd_config_t *running,
                    const rd_shift_t *shift, sc_reload_t *out, json_t **errors, sc_result_t *r);

void sc_reload_free(sc_reload_t *x);

/* Whether two configs differ in what only a restart can change: the
 * listening addresses and TLS, the data directory, the targets, the limits
 * and realtime. */
bool sc_reload_needs_restart(const rd_config_t *a, const rd_config_t *b);

#endif
