/* Diagnostics: collecting findings and formatting them for people. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static rd_diag_t *push(rd_diags_t *d, rd_severity_t sev)
{
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = rd_xrealloc(d->items, d->cap * sizeof *d->items);
    }
    rd_diag_t *diag = &d->items[d->count++];
    memset(diag, 0, sizeof *diag);
    diag->severity = sev;
    diag->file = rd_xstrdup(d->file ? d->file : "");
    if (sev == RD_ERROR)
        d->errors++;
    else
        d->warnings++;
    return diag;
}

void rd_diag_add(rd_diags_t *d, rd_severity_t sev, const char *path, const char *fmt, ...)
{
    rd_diag_t *diag = push(d, sev);
    diag->path = rd_xstrdup(path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    diag->message = rd_xvasprintf(fmt, ap);
    va_end(ap);
}

void rd_diag_add_at(rd_diags_t *d, rd_severity_t sev, int line, int column, const char *fmt, ...)
{
    rd_diag_t *diag = push(d, sev);
    diag->line = line;
    diag->column = column;
    diag->path = rd_xstrdup("");
    va_list ap;
    va_start(ap, fmt);
    diag->message = rd_xvasprintf(fmt, ap);
    va_end(ap);
}

char *rd_diag_format(const rd_diag_t *diag)
{
    const char *warn = diag->severity == RD_WARNING ? "warning: " : "";
    if (diag->line > 0)
        return rd_xasprintf("%s:%d:%d: %s%s", diag->file, diag->line, diag->column, warn,
                            diag->message);
    if (diag->path[0])
        return rd_xasprintf("%s: %s: %s%s", diag->file, diag->path, warn, diag->message);
    return rd_xasprintf("%s: %s%s", diag->file, warn, diag->message);
}

void rd_diags_free(rd_diags_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].path);
        free(d->items[i].message);
    }
    free(d->items);
    d->items = NULL;
    d->count = d->cap = d->errors = d->warnings = 0;
}
