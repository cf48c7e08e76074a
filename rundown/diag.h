/* Diagnostics: the errors and warnings a parser or check reports, with their place. */
#ifndef RD_DIAG_H
#define RD_DIAG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    RD_ERROR = 0,
    RD_WARNING = 1,
} rd_severity_t;

/* One finding. The place is either a line and column (JSON syntax) or a JSON
 * path such as "items[3].cues[1].at" (everything else); line is 0 when the
 * place is a path. All strings are owned by the list. */
typedef struct {
    rd_severity_t severity;
    char *file;
    int line;
    int column;
    char *path;
    char *message;
} rd_diag_t;

/* A caller-owned list of findings. Zero-initialise it, pass it to parsers,
 * read it, then rd_diags_free() it. */
typedef struct {
    rd_diag_t *items;
    size_t count;
    size_t cap;
    size_t errors;
    size_t warnings;
    const char *file; /* borrowed: the name reported for findings added now */
} rd_diags_t;

/* Adds a finding at a JSON path (path may be "" for the whole file). */
void rd_diag_add(rd_diags_t *d, rd_severity_t sev, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a finding at a line and column (JSON syntax errors). */
void rd_diag_add_at(rd_diags_t *d, rd_severity_t sev, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Formats one finding as a single line without a newline:
 *   FILE:LINE:COL: message              (syntax)
 *   FILE: PATH: message                 (errors at a path)
 *   FILE: PATH: warning: message        (warnings)
 * Returns a string the caller frees. */
char *rd_diag_format(const rd_diag_t *diag);

void rd_diags_free(rd_diags_t *d);

#endif
