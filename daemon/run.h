/* The daemon's run mode: start everything, run the loop, stop cleanly. */
#ifndef SC_RUN_H
#define SC_RUN_H

#include "app.h"

/* Runs the daemon until SIGTERM or SIGINT. Returns the exit code: 0 after a
 * clean stop, 1 when start-up failed, 3 when the loop did not close cleanly. */
int sc_run(const sc_options_t *opts);

#endif
