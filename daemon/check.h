/* `showcallerd --check`: validate a rundown and print its planned timeline. */
#ifndef SC_CHECK_H
#define SC_CHECK_H

#include <stdbool.h>

/* Loads the rundown (and the config when config_path is not NULL), prints
 * errors and warnings to stderr one per line, and the plan to stdout as a
 * table or, with as_json, as JSON. Returns the exit code: 0 valid, 1 not. */
int sc_check_main(const char *rundown_path, const char *config_path, bool as_json);

#endif
