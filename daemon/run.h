/* The daemon's run mode: start everything, run the loop, stop cleanly. */
#ifndef SC_RUN_H
#define SC_RUN_H

#include <stdbool.h>

/* Start-up options from the command line, merged over the config file. */
typedef struct {
    const char *rundown_path;
    const char *config_path; /* NULL: defaults only */
    const char *http_listen; /* overrides http.listen */
    const char *osc_listen;  /* overrides osc.listen */
    const char *data_dir;    /* overrides data_dir */
    const char *web_root;    /* the web client's files; default clients/web */
    bool realtime;           /* SCHED_FIFO for the cue clock */
    bool demo;               /* move the rundown to today, its first time minutes from now */
} sc_options_t;

/* Runs the daemon until SIGTERM or SIGINT. Returns the exit code: 0 after a
 * clean stop, 1 when start-up failed, 3 when the loop did not close cleanly. */
int sc_run(const sc_options_t *opts);

#endif
