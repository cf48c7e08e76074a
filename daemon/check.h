/* `showcallerd --check`: validate a rundown and print its planned timeline. */
#ifndef SC_CHECK_H
#define SC_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "diag.h"

/* Loads the rundown (and the config when config_path is not NULL), prints
 * errors and warnings to stderr one per line, and the plan to stdout as a
 * table or, with as_json, as JSON. Returns the exit code: 0 valid, 1 not. */
int sc_check_main(const char *rundown_path, const char *config_path, bool as_json);

/* Prints the findings of severity sev one per line, as --check does. */
void sc_check_print(const rd_diags_t *d, rd_severity_t sev, FILE *to);

/* The findings as --check --json gives them: [{"severity", "file", "line" and
 * "column" or "path", "message", "text" (the line --check prints)}]; only
 * those of severity sev (RD_ERROR, RD_WARNING), or all when sev < 0. A new
 * reference. */
json_t *sc_check_findings_json(const rd_diags_t *d, int sev);

#endif
