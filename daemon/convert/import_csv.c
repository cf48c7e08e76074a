/* A spreadsheet's CSV read into a rundown document, every finding placed by line and column. */
#include "import_csv.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "payload.h"
#include "target_kind.h"
#include "timefmt.h"
#include "xalloc.h"

/* ---- RFC 4180 reading --------------------------------------------------- */

typedef struct {
    char *s; /* owned, NUL-terminated */
    size_t len;
} cell_t;

typedef struct {
    int line; /* where the row starts, 1-based */
    cell_t *cells;
    size_t n, cap;
} row_t;

typedef struct {
    int line, column;
    char *message; /* owned */
} csv_error_t;

typedef struct {
    row_t *rows;
    size_t n, cap;
    csv_error_t *errors;
    size_t nerrors, errcap;
} csv_t;

typedef struct {
    char *s;
    size_t n, cap;
} buf_t;

static void buf_put(buf_t *b, char c)
{
    if (b->n + 1 >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->s = rd_xrealloc(b->s, b->cap);
    }
    b->s[b->n++] = c;
    b->s[b->n] = '\0';
}

static void csv_error(csv_t *c, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void csv_error(csv_t *c, int line, int column, const char *fmt, ...)
{
    if (c->nerrors == c->errcap) {
        c->errcap = c->errcap ? c->errcap * 2 : 4;
        c->errors = rd_xrealloc(c->errors, c->errcap * sizeof *c->errors);
    }
    va_list ap;
    va_start(ap, fmt);
    c->errors[c->nerrors].line = line;
    c->errors[c->nerrors].column = column;
    c->errors[c->nerrors].message = rd_xvasprintf(fmt, ap);
    c->nerrors++;
    va_end(ap);
}

static void row_add(row_t *r, buf_t *b)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->cells = rd_xrealloc(r->cells, r->cap * sizeof *r->cells);
    }
    r->cells[r->n].s = b->s ? b->s : rd_xstrdup("");
    r->cells[r->n].len = b->n;
    r->n++;
    b->s = NULL;
    b->n = b->cap = 0;
}

static void csv_free(csv_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        for (size_t k = 0; k < c->rows[i].n; k++)
            free(c->rows[i].cells[k].s);
        free(c->rows[i].cells);
    }
    for (size_t i = 0; i < c->nerrors; i++)
        free(c->errors[i].message);
    free(c->rows);
    free(c->errors);
    memset(c, 0, sizeof *c);
}

/* Splits buf into rows of cells. Line ends are CRLF, LF or a lone CR; inside quotes they are
 * kept as "\n". Problems (an unclosed quote, text after a closing quote) are kept in c. */
static void csv_read(const char *buf, size_t len, char sep, csv_t *c)
{
    memset(c, 0, sizeof *c);
    size_t p = 0;
    int line = 1;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        p = 3;
    while (p < len) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 32;
            c->rows = rd_xrealloc(c->rows, c->cap * sizeof *c->rows);
        }
        row_t *row = &c->rows[c->n++];
        memset(row, 0, sizeof *row);
        row->line = line;
        for (;;) {
            buf_t b = {0};
            int column = (int)row->n + 1;
            if (p < len && buf[p] == '"') {
                int start_line = line;
                bool closed = false;
                p++;
                while (p < len) {
                    char ch = buf[p];
                    if (ch == '"') {
                        if (p + 1 < len && buf[p + 1] == '"') {
                            buf_put(&b, '"');
                            p += 2;
                            continue;
                        }
                        p++;
                        closed = true;
                        break;
                    }
                    if (ch == '\r' || ch == '\n') {
                        p += (ch == '\r' && p + 1 < len && buf[p + 1] == '\n') ? 2 : 1;
                        buf_put(&b, '\n');
                        line++;
                        continue;
                    }
                    buf_put(&b, ch);
                    p++;
                }
                if (!closed) {
                    csv_error(c, start_line, column,
                              "the quoted cell that starts here has no closing '\"' (a quote "
                              "inside a cell is written \"\")");
                }
                bool extra = false;
                while (p < len && buf[p] != sep && buf[p] != '\r' && buf[p] != '\n') {
                    if (buf[p] != ' ' && buf[p] != '\t')
                        extra = true;
                    if (extra)
                        buf_put(&b, buf[p]);
                    p++;
                }
                if (extra)
                    csv_error(c, line, column,
                              "text after the closing quote of a cell (a quote inside a cell is "
                              "written \"\")");
            } else {
                while (p < len && buf[p] != sep && buf[p] != '\r' && buf[p] != '\n')
                    buf_put(&b, buf[p++]);
            }
            row_add(row, &b);
            if (p < len && buf[p] == sep) {
                p++;
                continue;
            }
            if (p < len) { /* a line end */
                p += (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n') ? 2 : 1;
                line++;
            }
            break;
        }
    }
}

/* ---- Small helpers ------------------------------------------------------- */

static const char *skip_space(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

/* A trimmed copy; caller frees. */
static char *trimmed(const char *s)
{
    s = skip_space(s);
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return rd_xstrndup(s, n);
}

static bool blank(const char *s)
{
    return *skip_space(s) == '\0';
}

static bool row_blank(const row_t *r)
{
    for (size_t k = 0; k < r->n; k++)
        if (!blank(r->cells[k].s))
            return false;
    return true;
}

/* Case-insensitive compare of a trimmed cell with a word. */
static bool cell_is(const char *cell, const char *word)
{
    char *t = trimmed(cell);
    bool eq = strcasecmp(t, word) == 0;
    free(t);
    return eq;
}

static bool valid_utf8(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    bool ok = j != NULL;
    json_decref(j);
    return ok;
}

/* ---- Columns -------------------------------------------------------------- */

typedef enum {
    COL_NONE = 0, /* an empty header cell: the column must stay empty */
    COL_ID,
    COL_TITLE,
    COL_START,
    COL_DURATION,
    COL_WARN,
    COL_CRITICAL,
    COL_NOTES,
    COL_SCRIPT,
    COL_CUE,
    COL_NFIELDS
} col_kind_t;

static const char *const field_names[COL_NFIELDS] = {
    [COL_ID] = "id",       [COL_TITLE] = "title",
    [COL_START] = "start", [COL_DURATION] = "duration",
    [COL_WARN] = "warn",   [COL_CRITICAL] = "critical",
    [COL_NOTES] = "notes", [COL_SCRIPT] = "script"};

typedef enum { CUE_TARGET, CUE_AT, CUE_MESSAGE, CUE_LABEL, CUE_ID, CUE_NPARTS } cue_part_t;

static const char *const cue_part_names[CUE_NPARTS] = {"target", "at", "message", "label", "id"};

static const char *const show_fields[] = {"title", "date", "on_air", "off_air", "fps", NULL};

typedef struct {
    col_kind_t kind;
    int cue_n; /* COL_CUE: N of "cue N ..." */
    cue_part_t part;
} col_t;

/* A header cell as a column; false when it names none. */
static bool parse_column(const char *cell, col_t *col)
{
    char *t = trimmed(cell);
    for (char *q = t; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    memset(col, 0, sizeof *col);
    bool ok = false;
    if (!t[0]) {
        col->kind = COL_NONE;
        ok = true;
    }
    for (int k = COL_ID; k < COL_CUE && !ok; k++) {
        if (strcmp(t, field_names[k]) == 0) {
            col->kind = (col_kind_t)k;
            ok = true;
        }
    }
    if (!ok && strncmp(t, "cue", 3) == 0) {
        const char *q = skip_space(t + 3);
        int n = 0, digits = 0;
        while (isdigit((unsigned char)*q) && digits < 4) {
            n = n * 10 + (*q++ - '0');
            digits++;
        }
        const char *rest = skip_space(q);
        if (digits > 0 && n > 0 && rest != q) {
            for (int k = 0; k < CUE_NPARTS; k++) {
                if (strcmp(rest, cue_part_names[k]) == 0) {
                    col->kind = COL_CUE;
                    col->cue_n = n;
                    col->part = (cue_part_t)k;
                    ok = true;
                }
            }
        }
    }
    free(t);
    return ok;
}

static bool is_show_field(const char *cell)
{
    for (size_t k = 0; show_fields[k]; k++)
        if (cell_is(cell, show_fields[k]))
            return true;
    return false;
}

static size_t nonblank_cells(const row_t *r)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n; k++)
        n += !blank(r->cells[k].s);
    return n;
}

/* "title,Evening News": a row before the header whose first cell is a show field. */
static bool is_show_line(const row_t *r)
{
    return r->n > 0 && is_show_field(r->cells[0].s);
}

/* The header row: the first row with a "title" cell that is not a show line. A row like
 * "title,duration" could be either: it is the header only when no later row is one. */
static int find_header(const csv_t *c)
{
    int maybe = -1;
    for (size_t i = 0; i < c->n; i++) {
        const row_t *r = &c->rows[i];
        bool title = false;
        for (size_t k = 0; k < r->n; k++)
            title |= cell_is(r->cells[k].s, "title");
        if (!title)
            continue;
        if (!is_show_field(r->cells[0].s) || nonblank_cells(r) > 2)
            return (int)i;
        col_t col;
        if (maybe < 0 && r->n >= 2 && !blank(r->cells[1].s) && parse_column(r->cells[1].s, &col))
            maybe = (int)i;
    }
    return maybe;
}

/* ---- The import ------------------------------------------------------------ */

typedef struct {
    int n;               /* N of "cue N ..." */
    int col[CUE_NPARTS]; /* 0-based column, or -1 */
} cue_group_t;

/* Where each item's fields and cues came from, to place the rundown parser's findings. */
typedef struct {
    int line;
    int group_of_cue[64]; /* cue j of the item -> index into groups; the rest spill to title */
    size_t ncues;
} item_place_t;

typedef struct {
    rd_diags_t *d;
    size_t first_diag; /* d's findings from here on are this import's */
    const rd_config_t *config;
    int fps;
    int header_line;
    int col[COL_NFIELDS]; /* 0-based column of each field, or -1 */
    cue_group_t *groups;
    size_t ngroups;
    item_place_t *places;
    size_t nplaces;
    /* Ids given in the file, with the line each was given on. */
    char **ids;
    int *id_lines;
    size_t nids, idcap;
    /* Show lines: where each field was given (0: not given). */
    int show_line[5];
    /* The first item with a time of day for a start, for a missing on_air. */
    int tod_line, tod_col;
} ctx_t;

static void err_at(ctx_t *x, int line, int col0, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An error at a 0-based column (reported 1-based). */
static void err_at(ctx_t *x, int line, int col0, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = rd_xvasprintf(fmt, ap);
    va_end(ap);
    rd_diag_add_at(x->d, RD_ERROR, line, col0 + 1, "%s", m);
    free(m);
}

static void warn_at(ctx_t *x, int line, int col0, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn_at(ctx_t *x, int line, int col0, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = rd_xvasprintf(fmt, ap);
    va_end(ap);
    rd_diag_add_at(x->d, RD_WARNING, line, col0 + 1, "%s", m);
    free(m);
}

static bool has_error_at(const ctx_t *x, int line, int column)
{
    for (size_t i = x->first_diag; i < x->d->count; i++) {
        const rd_diag_t *g = &x->d->items[i];
        if (g->severity == RD_ERROR && g->line == line && g->column == column)
            return true;
    }
    return false;
}

static int id_line(const ctx_t *x, const char *id)
{
    for (size_t i = 0; i < x->nids; i++)
        if (strcmp(x->ids[i], id) == 0)
            return x->id_lines[i];
    return 0;
}

static void id_keep(ctx_t *x, const char *id, int line)
{
    if (x->nids == x->idcap) {
        x->idcap = x->idcap ? x->idcap * 2 : 32;
        x->ids = rd_xrealloc(x->ids, x->idcap * sizeof *x->ids);
        x->id_lines = rd_xrealloc(x->id_lines, x->idcap * sizeof *x->id_lines);
    }
    x->ids[x->nids] = rd_xstrdup(id);
    x->id_lines[x->nids] = line;
    x->nids++;
}

/* An id cell: the rundown's rules for ids, and unique among the file's ids. */
static bool check_id(ctx_t *x, const char *id, int line, int col0, const char *what)
{
    size_t n = strlen(id);
    if (n > 64) {
        err_at(x, line, col0, "%s \"%s\" is longer than 64 bytes", what, id);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c <= ' ' || c == 0x7f || c == '"' || c == '\\') {
            err_at(x, line, col0,
                   "%s \"%s\" has a space, quote or control character; use letters, digits, "
                   "'-', '_' or '.'",
                   what, id);
            return false;
        }
    }
    int prev = id_line(x, id);
    if (prev) {
        err_at(x, line, col0, "duplicate id \"%s\" (first used on line %d)", id, prev);
        return false;
    }
    id_keep(x, id, line);
    return true;
}

/* A time of day as the rundown writes it: "HH:MM:SS[.mmm]" or "HH:MM:SS:FF"; "9:30" and
 * "18:00" (as spreadsheets show times) become "09:30:00" and "18:00:00". NULL after an error
 * in err; caller frees. */
static char *time_of_day(const char *s, int fps, char *err, size_t errlen)
{
    int64_t ns;
    if (rd_parse_time_of_day(s, fps, &ns, err, errlen))
        return rd_xstrdup(s);
    /* H:MM, H:MM:SS[.f], HH:MM */
    const char *p = s;
    int hd = 0;
    while (isdigit((unsigned char)p[hd]))
        hd++;
    if ((hd == 1 || hd == 2) && p[hd] == ':' && isdigit((unsigned char)p[hd + 1]) &&
        isdigit((unsigned char)p[hd + 2])) {
        const char *rest = p + hd + 3;
        char *fixed = NULL;
        if (*rest == '\0')
            fixed = rd_xasprintf("%s%.*s:%.2s:00", hd == 1 ? "0" : "", hd, p, p + hd + 1);
        else if (*rest == ':' && hd == 1)
            fixed = rd_xasprintf("0%s", p);
        char e2[8];
        if (fixed && rd_parse_time_of_day(fixed, fps, &ns, e2, sizeof e2))
            return fixed;
        free(fixed);
    }
    return NULL;
}

/* Reads the show lines before the header into doc. */
static void read_show_lines(ctx_t *x, const csv_t *c, int header, json_t *doc)
{
    /* fps first: the times of day may be written in frames. */
    for (int i = 0; i < header; i++) {
        const row_t *r = &c->rows[i];
        if (row_blank(r) || !is_show_line(r) || !cell_is(r->cells[0].s, "fps"))
            continue;
        char *v = r->n > 1 ? trimmed(r->cells[1].s) : rd_xstrdup("");
        char *end;
        long f = strtol(v, &end, 10);
        if (!v[0] || *end || f < 1 || f > RD_MAX_FPS)
            err_at(x, r->line, 1,
                   "fps \"%s\" is not a whole number of frames per second from "
                   "1 to %d",
                   v, RD_MAX_FPS);
        else
            x->fps = (int)f;
        free(v);
    }
    for (int i = 0; i < header; i++) {
        const row_t *r = &c->rows[i];
        if (row_blank(r))
            continue;
        if (!is_show_line(r)) {
            char *first = trimmed(r->cells[0].s);
            if (strcasecmp(first, "timezone") == 0 || strcasecmp(first, "time_zone") == 0)
                err_at(x, r->line, 0,
                       "a rundown has no time zone: its times of day are the daemon's local "
                       "time (remove this line)");
            else
                err_at(x, r->line, 0,
                       "\"%s\" before the header row is not a show line (the first cell is one "
                       "of title, date, on_air, off_air, fps; the header row has a \"title\" "
                       "column)",
                       first);
            free(first);
            continue;
        }
        char *key = trimmed(r->cells[0].s);
        for (char *q = key; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        size_t k = 0;
        while (show_fields[k] && strcmp(show_fields[k], key) != 0)
            k++;
        if (x->show_line[k]) {
            err_at(x, r->line, 0, "%s is given twice (first on line %d)", key, x->show_line[k]);
            free(key);
            continue;
        }
        x->show_line[k] = r->line;
        for (size_t m = 2; m < r->n; m++)
            if (!blank(r->cells[m].s))
                warn_at(x, r->line, (int)m, "ignored: a show line has its field and one value");
        const char *raw = r->n > 1 ? r->cells[1].s : "";
        char *v = trimmed(raw);
        char err[256];
        if (strcmp(key, "fps") == 0) {
            if (x->fps > 0 && v[0])
                json_object_set_new(doc, "fps", json_integer(x->fps));
        } else if (!v[0]) {
            err_at(x, r->line, 1, "%s is empty", key);
        } else if (strcmp(key, "title") == 0) {
            json_object_set_new(doc, "title", json_string(v));
        } else if (strcmp(key, "date") == 0) {
            int y, mo, da;
            if (rd_parse_date(v, &y, &mo, &da, err, sizeof err))
                json_object_set_new(doc, "date", json_string(v));
            else
                err_at(x, r->line, 1, "date: %s", err);
        } else {
            char *t = time_of_day(v, x->fps > 0 ? x->fps : 25, err, sizeof err);
            if (t)
                json_object_set_new(doc, key, json_string(t));
            else
                err_at(x, r->line, 1, "%s: %s", key, err);
            free(t);
        }
        free(v);
        free(key);
    }
}

static int group_index(ctx_t *x, int n)
{
    for (size_t g = 0; g < x->ngroups; g++)
        if (x->groups[g].n == n)
            return (int)g;
    x->groups = rd_xrealloc(x->groups, (x->ngroups + 1) * sizeof *x->groups);
    cue_group_t *g = &x->groups[x->ngroups];
    g->n = n;
    for (int k = 0; k < CUE_NPARTS; k++)
        g->col[k] = -1;
    /* Kept in order of N. */
    size_t at = x->ngroups++;
    while (at > 0 && x->groups[at - 1].n > n) {
        cue_group_t t = x->groups[at - 1];
        x->groups[at - 1] = x->groups[at];
        x->groups[at] = t;
        at--;
    }
    for (size_t k = 0; k < x->ngroups; k++)
        if (x->groups[k].n == n)
            return (int)k;
    return -1;
}

/* The header row: every column named once, every cue group with a target and a message. */
static col_t *read_header(ctx_t *x, const row_t *r)
{
    col_t *cols = rd_xcalloc(r->n ? r->n : 1, sizeof *cols);
    for (int k = 0; k < COL_NFIELDS; k++)
        x->col[k] = -1;
    for (size_t k = 0; k < r->n; k++) {
        char *name = trimmed(r->cells[k].s);
        if (!parse_column(r->cells[k].s, &cols[k])) {
            err_at(x, r->line, (int)k,
                   "unknown column \"%s\" (the columns are id, title, duration, start, warn, "
                   "critical, notes, script, and \"cue N target\", \"cue N at\", \"cue N "
                   "message\", \"cue N label\", \"cue N id\")",
                   name);
            cols[k].kind = COL_NONE;
            free(name);
            continue;
        }
        if (cols[k].kind == COL_CUE) {
            int gi = group_index(x, cols[k].cue_n); /* may move x->groups */
            cue_group_t *g = &x->groups[gi];
            if (g->col[cols[k].part] >= 0) {
                err_at(x, r->line, (int)k, "column \"%s\" is given twice (first in column %d)",
                       name, g->col[cols[k].part] + 1);
                cols[k].kind = COL_NONE;
            } else {
                g->col[cols[k].part] = (int)k;
            }
        } else if (cols[k].kind != COL_NONE) {
            if (x->col[cols[k].kind] >= 0) {
                err_at(x, r->line, (int)k, "column \"%s\" is given twice (first in column %d)",
                       name, x->col[cols[k].kind] + 1);
                cols[k].kind = COL_NONE;
            } else {
                x->col[cols[k].kind] = (int)k;
            }
        }
        free(name);
    }
    if (x->col[COL_DURATION] < 0)
        err_at(x, r->line, 0, "no duration column: every item needs a planned duration");
    for (size_t g = 0; g < x->ngroups; g++) {
        const cue_group_t *cg = &x->groups[g];
        int first = -1;
        for (int k = 0; k < CUE_NPARTS; k++)
            if (cg->col[k] >= 0 && (first < 0 || cg->col[k] < first))
                first = cg->col[k];
        if (cg->col[CUE_TARGET] < 0)
            err_at(x, r->line, first,
                   "there is no \"cue %d target\" column: every cue needs a "
                   "target",
                   cg->n);
        if (cg->col[CUE_MESSAGE] < 0)
            err_at(x, r->line, first,
                   "there is no \"cue %d message\" column: every cue needs a "
                   "message",
                   cg->n);
    }
    return cols;
}

static const char *cell_at(const row_t *r, int col0)
{
    return col0 >= 0 && (size_t)col0 < r->n ? r->cells[col0].s : "";
}

/* A duration-valued cell: kept as written when the rundown reads it. */
static void duration_cell(ctx_t *x, const row_t *r, col_kind_t k, json_t *item)
{
    int col0 = x->col[k];
    char *v = trimmed(cell_at(r, col0));
    if (!v[0]) {
        if (k == COL_DURATION && col0 >= 0)
            err_at(x, r->line, col0,
                   "duration is empty: every item needs a planned duration "
                   "(e.g. 1:30; 0 for an open-ended item)");
        free(v);
        return;
    }
    int64_t ns;
    char err[256];
    if (rd_parse_duration(v, x->fps > 0 ? x->fps : 25, &ns, err, sizeof err))
        json_object_set_new(item, field_names[k], json_string(v));
    else
        err_at(x, r->line, col0, "%s: %s", field_names[k], err);
    free(v);
}

static json_t *read_cue(ctx_t *x, const row_t *r, const cue_group_t *g)
{
    char *v[CUE_NPARTS];
    bool any = false;
    for (int k = 0; k < CUE_NPARTS; k++) {
        v[k] = trimmed(cell_at(r, g->col[k]));
        any |= v[k][0] != '\0';
    }
    json_t *cue = NULL;
    /* A group without a target or message column is an error of the header's. */
    if (!any || g->col[CUE_TARGET] < 0 || g->col[CUE_MESSAGE] < 0)
        goto done;
    size_t before = x->d->errors;
    if (v[CUE_ID][0])
        check_id(x, v[CUE_ID], r->line, g->col[CUE_ID], "cue id");
    int64_t off;
    rd_anchor_t anchor;
    char err[256];
    if (v[CUE_AT][0] &&
        !rd_parse_offset(v[CUE_AT], x->fps > 0 ? x->fps : 25, &anchor, &off, err, sizeof err))
        err_at(x, r->line, g->col[CUE_AT], "cue %d at: %s", g->n, err);
    rd_payload_kind_t kind = RD_PAYLOAD_OSC;
    if (!v[CUE_TARGET][0]) {
        if (g->col[CUE_TARGET] >= 0)
            err_at(x, r->line, g->col[CUE_TARGET], "cue %d has no target", g->n);
    } else if (x->config) {
        int t = rd_config_find_target(x->config, v[CUE_TARGET]);
        if (t < 0) {
            size_t len = 1;
            for (size_t i = 0; i < x->config->ntargets; i++)
                len += strlen(x->config->targets[i].name) + 2;
            char *list = rd_xcalloc(len, 1);
            for (size_t i = 0; i < x->config->ntargets; i++) {
                if (i)
                    strcat(list, ", ");
                strcat(list, x->config->targets[i].name);
            }
            err_at(x, r->line, g->col[CUE_TARGET], "unknown target \"%s\" (the config defines %s)",
                   v[CUE_TARGET], x->config->ntargets ? list : "no targets");
            free(list);
        } else {
            const rd_target_kind_info_t *ki = rd_target_kind_info(x->config->targets[t].kind);
            if (ki)
                kind = ki->payload;
        }
    }
    json_t *payload = NULL;
    if (!v[CUE_MESSAGE][0]) {
        if (g->col[CUE_MESSAGE] >= 0)
            err_at(x, r->line, g->col[CUE_MESSAGE], "cue %d has no message", g->n);
    } else {
        char warn[256];
        /* The cell as written (a tcp line or an OBS scene may keep inner spaces). */
        payload = sc__csv_cue_payload(v[CUE_MESSAGE], kind, err, sizeof err, warn, sizeof warn);
        if (!payload)
            err_at(x, r->line, g->col[CUE_MESSAGE], "cue %d message: %s", g->n, err);
        else if (warn[0])
            warn_at(x, r->line, g->col[CUE_MESSAGE], "cue %d message: %s", g->n, warn);
    }
    if (x->d->errors != before) {
        json_decref(payload);
        goto done;
    }
    cue = json_object();
    if (v[CUE_ID][0])
        json_object_set_new(cue, "id", json_string(v[CUE_ID]));
    if (v[CUE_AT][0])
        json_object_set_new(cue, "at", json_string(v[CUE_AT]));
    json_object_set_new(cue, "target", json_string(v[CUE_TARGET]));
    if (v[CUE_LABEL][0])
        json_object_set_new(cue, "label", json_string(v[CUE_LABEL]));
    json_object_set_new(cue, rd_payload_key(kind), payload);
done:
    for (int k = 0; k < CUE_NPARTS; k++)
        free(v[k]);
    return cue;
}

/* Notes and scripts keep their text as written, line breaks as "\n". */
static void text_cell(ctx_t *x, const row_t *r, col_kind_t k, json_t *item)
{
    const char *v = cell_at(r, x->col[k]);
    if (!blank(v))
        json_object_set_new(item, field_names[k], json_string(v));
}

static json_t *read_item(ctx_t *x, const row_t *r, const col_t *cols, size_t ncols, size_t index,
                         item_place_t *place)
{
    for (size_t k = 0; k < r->n; k++) {
        if ((k >= ncols || cols[k].kind == COL_NONE) && !blank(r->cells[k].s))
            err_at(x, r->line, (int)k,
                   "a value in a column the header does not name (give the column a name or "
                   "leave it empty)");
    }
    json_t *item = json_object();
    place->line = r->line;
    char *id = trimmed(cell_at(r, x->col[COL_ID]));
    if (id[0] && check_id(x, id, r->line, x->col[COL_ID], "id"))
        json_object_set_new(item, "id", json_string(id));
    free(id);
    char *title = trimmed(cell_at(r, x->col[COL_TITLE]));
    if (!title[0])
        err_at(x, r->line, x->col[COL_TITLE], "title is empty: every item needs a title");
    else
        json_object_set_new(item, "title", json_string(title));
    free(title);

    int scol = x->col[COL_START];
    char *start = trimmed(cell_at(r, scol));
    char err[256];
    if (!start[0]) {
        /* on GO, the rundown's default */
    } else if (strcasecmp(start, "go") == 0) {
        json_object_set_new(item, "start", json_string("go"));
    } else if (strcasecmp(start, "follow") == 0) {
        if (index == 0)
            err_at(x, r->line, scol,
                   "the first item has nothing to follow (write go or a time "
                   "of day)");
        else
            json_object_set_new(item, "start", json_string("follow"));
    } else {
        char *t = isdigit((unsigned char)start[0])
                      ? time_of_day(start, x->fps > 0 ? x->fps : 25, err, sizeof err)
                      : NULL;
        if (t) {
            json_object_set_new(item, "start", json_string(t));
            if (!x->tod_line) {
                x->tod_line = r->line;
                x->tod_col = scol;
                if (index == 0)
                    x->tod_line = -1; /* the first item's start is the show's on_air */
            }
        } else {
            err_at(x, r->line, scol,
                   "start \"%s\" is not a start rule (write go, follow or a time of day such as "
                   "18:15:00)",
                   start);
        }
        free(t);
    }
    free(start);

    duration_cell(x, r, COL_DURATION, item);
    duration_cell(x, r, COL_WARN, item);
    duration_cell(x, r, COL_CRITICAL, item);
    text_cell(x, r, COL_NOTES, item);
    text_cell(x, r, COL_SCRIPT, item);

    json_t *cues = json_array();
    place->ncues = 0;
    for (size_t g = 0; g < x->ngroups; g++) {
        json_t *cue = read_cue(x, r, &x->groups[g]);
        if (!cue)
            continue;
        if (place->ncues < sizeof place->group_of_cue / sizeof place->group_of_cue[0])
            place->group_of_cue[place->ncues] = (int)g;
        place->ncues++;
        json_array_append_new(cues, cue);
    }
    if (json_array_size(cues))
        json_object_set_new(item, "cues", cues);
    else
        json_decref(cues);
    return item;
}

/* Gives every item without an id one made from its title, unique among all ids. Ids are
 * written into the document (not left to the parser) so that they stay when a title is
 * edited later. */
static void generate_ids(ctx_t *x, json_t *items)
{
    size_t i;
    json_t *item;
    json_array_foreach (items, i, item) {
        if (json_object_get(item, "id"))
            continue;
        const char *title = json_string_value(json_object_get(item, "title"));
        char *base = rd_id_slug(title ? title : "");
        if (!base[0]) {
            free(base);
            base = rd_xasprintf("item-%zu", i + 1);
        }
        char *id = rd_xstrdup(base);
        for (int k = 2; id_line(x, id); k++) {
            free(id);
            id = rd_xasprintf("%s-%d", base, k);
        }
        id_keep(x, id, -1);
        /* After the title: the id leads an item. */
        json_t *copy = json_object();
        json_object_set_new(copy, "id", json_string(id));
        const char *key;
        json_t *val;
        json_object_foreach (item, key, val)
            json_object_set(copy, key, val);
        json_array_set_new(items, i, copy);
        free(id);
        free(base);
    }
}

/* The cell a rundown parser finding at path belongs to, or false to drop it. */
static bool place_of(const ctx_t *x, const char *path, int *line, int *col0)
{
    *line = x->header_line;
    *col0 = 0;
    if (strncmp(path, "items[", 6) != 0) {
        for (size_t k = 0; show_fields[k]; k++) {
            size_t n = strlen(show_fields[k]);
            if (strncmp(path, show_fields[k], n) == 0 && (path[n] == '\0' || path[n] == '.')) {
                if (x->show_line[k]) {
                    *line = x->show_line[k];
                    *col0 = 1;
                } else if (strcmp(show_fields[k], "on_air") == 0 && x->tod_line > 0) {
                    *line = x->tod_line;
                    *col0 = x->tod_col;
                }
            }
        }
        return true;
    }
    char *end;
    unsigned long i = strtoul(path + 6, &end, 10);
    if (*end != ']' || i >= x->nplaces)
        return true;
    const item_place_t *p = &x->places[i];
    *line = p->line;
    *col0 = x->col[COL_TITLE] >= 0 ? x->col[COL_TITLE] : 0;
    const char *rest = end + 1;
    if (*rest == '.')
        rest++;
    if (strncmp(rest, "cues[", 5) == 0) {
        unsigned long j = strtoul(rest + 5, &end, 10);
        if (*end != ']' || j >= p->ncues || j >= sizeof p->group_of_cue / sizeof p->group_of_cue[0])
            return true;
        const cue_group_t *g = &x->groups[p->group_of_cue[j]];
        rest = end + 1;
        if (*rest == '.')
            rest++;
        int part = CUE_MESSAGE;
        if (!*rest)
            part = CUE_TARGET;
        for (int k = 0; k < CUE_NPARTS; k++) {
            size_t n = strlen(cue_part_names[k]);
            if (strncmp(rest, cue_part_names[k], n) == 0 && (!rest[n] || rest[n] == '.'))
                part = k;
        }
        if (g->col[part] >= 0)
            *col0 = g->col[part];
        return true;
    }
    for (int k = COL_ID; k < COL_CUE; k++) {
        size_t n = strlen(field_names[k]);
        if (strncmp(rest, field_names[k], n) == 0 && (!rest[n] || rest[n] == '.') && x->col[k] >= 0)
            *col0 = x->col[k];
    }
    return true;
}

/* Runs the rundown parser (and the linker, with a config) on the document so that every rule
 * of the format is checked by the format's own code, and reports its findings at their
 * cells, except where this import has already reported an error. */
static void check_with_parser(ctx_t *x, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return;
    rd_diags_t pd = {0};
    pd.file = x->d->file;
    rd_rundown_t r;
    rd_rundown_parse(text, strlen(text), &r, &pd);
    if (x->config && r.nitems)
        rd_rundown_link(&r, x->config, &pd);
    rd_rundown_free(&r);
    free(text);
    bool own_errors = x->d->errors > 0;
    for (size_t i = 0; i < pd.count; i++) {
        const rd_diag_t *g = &pd.items[i];
        int line, col0;
        place_of(x, g->path, &line, &col0);
        bool top = strncmp(g->path, "items[", 6) != 0;
        size_t pl = strlen(g->path);
        if (x->col[COL_DURATION] < 0 && pl > 9 && strcmp(g->path + pl - 9, ".duration") == 0)
            continue; /* the header's error says it once */
        if (g->severity == RD_ERROR && (has_error_at(x, line, col0 + 1) || (top && own_errors)))
            continue;
        rd_diag_add_at(x->d, g->severity, line, col0 + 1, "%s", g->message);
    }
    rd_diags_free(&pd);
}

json_t *sc_import_csv(const char *buf, size_t len, const rd_config_t *config, rd_diags_t *d)
{
    size_t errors_before = d->errors;
    ctx_t x = {0};
    x.d = d;
    x.first_diag = d->count;
    x.config = config;

    if (memchr(buf, '\0', len)) {
        rd_diag_add_at(d, RD_ERROR, 1, 1, "the file has NUL bytes: it is not a CSV text file");
        return NULL;
    }
    csv_t c;
    csv_read(buf, len, ',', &c);
    int header = find_header(&c);
    if (header < 0) {
        csv_t semi;
        csv_read(buf, len, ';', &semi);
        int h2 = find_header(&semi);
        if (h2 >= 0) {
            csv_free(&c);
            c = semi;
            header = h2;
        } else {
            csv_free(&semi);
        }
    }
    for (size_t i = 0; i < c.nerrors; i++)
        rd_diag_add_at(d, RD_ERROR, c.errors[i].line, c.errors[i].column, "%s",
                       c.errors[i].message);
    for (size_t i = 0; i < c.n; i++)
        for (size_t k = 0; k < c.rows[i].n; k++)
            if (!valid_utf8(c.rows[i].cells[k].s, c.rows[i].cells[k].len))
                rd_diag_add_at(d, RD_ERROR, c.rows[i].line, (int)k + 1,
                               "not UTF-8 text (save the spreadsheet as \"CSV UTF-8\")");
    if (d->errors != errors_before) {
        csv_free(&c);
        return NULL;
    }
    if (header < 0) {
        rd_diag_add_at(d, RD_ERROR, 1, 1,
                       "no header row: a row naming the columns, with at least title and "
                       "duration (e.g. \"id,title,start,duration,notes\")");
        csv_free(&c);
        return NULL;
    }

    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string(RD_RUNDOWN_FORMAT));
    x.header_line = c.rows[header].line;
    read_show_lines(&x, &c, header, doc);
    if (!json_object_get(doc, "title") && !x.show_line[0]) {
        json_object_set_new(doc, "title", json_string("Untitled show"));
        rd_diag_add_at(d, RD_WARNING, 1, 1,
                       "no title line: the show is called \"Untitled show\" (add a line "
                       "\"title,Evening News\" before the header)");
    }
    /* Keys in the rundown's order: format, title, date, on_air, off_air, fps, items. */
    static const char *const order[] = {"format", "title", "date", "on_air", "off_air", "fps"};
    json_t *sorted = json_object();
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        if (json_object_get(doc, order[k]))
            json_object_set(sorted, order[k], json_object_get(doc, order[k]));
    json_decref(doc);
    doc = sorted;

    const row_t *hr = &c.rows[header];
    col_t *cols = read_header(&x, hr);
    json_t *items = json_array();
    x.places = rd_xcalloc(c.n, sizeof *x.places);
    for (size_t i = (size_t)header + 1; i < c.n; i++) {
        if (row_blank(&c.rows[i]))
            continue;
        size_t index = json_array_size(items);
        json_t *item = read_item(&x, &c.rows[i], cols, hr->n, index, &x.places[index]);
        json_array_append_new(items, item);
        x.nplaces++;
    }
    free(cols);
    if (json_array_size(items) == 0)
        err_at(&x, x.header_line, 0, "no items: the header row has no rows under it");
    if (x.tod_line > 0 && !json_object_get(doc, "on_air") && !x.show_line[2])
        err_at(&x, x.tod_line, x.tod_col,
               "a time-of-day start needs the show's on_air: add a line \"on_air,18:00:00\" "
               "before the header (or give the first item a time of day)");
    generate_ids(&x, items);
    json_object_set_new(doc, "items", items);
    if (json_array_size(items))
        check_with_parser(&x, doc);

    for (size_t i = 0; i < x.nids; i++)
        free(x.ids[i]);
    free(x.ids);
    free(x.id_lines);
    free(x.groups);
    free(x.places);
    csv_free(&c);
    if (d->errors != errors_before) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* ---- Cue messages ------------------------------------------------------------ */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* The end of a JSON string, array or object that starts at s (or NULL when it does not
 * end): brackets counted outside strings. */
static const char *json_span_end(const char *s)
{
    int depth = 0;
    bool in_str = false;
    for (const char *p = s; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"') {
                in_str = false;
                if (depth == 0)
                    return p + 1;
            }
            continue;
        }
        if (*p == '"')
            in_str = true;
        else if (*p == '[' || *p == '{')
            depth++;
        else if (*p == ']' || *p == '}') {
            if (--depth == 0)
                return p + 1;
            if (depth < 0)
                return NULL;
        }
    }
    return NULL;
}

static json_t *json_of(const char *s, size_t n)
{
    json_error_t e;
    return json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
}

/* "/address [,types] args...": the address, then JSON scalars, "strings", [arrays] or bare
 * words (strings). */
static json_t *osc_payload(const char *s, char *err, size_t errlen)
{
    if (*s == '{') {
        json_t *o = json_of(s, strlen(s));
        if (!json_is_object(o)) {
            json_decref(o);
            set_err(err, errlen,
                    "not a JSON object (an OSC message is \"/address arg ...\" or "
                    "{\"address\": ..., \"args\": [...]})");
            return NULL;
        }
        return o;
    }
    if (*s != '/') {
        set_err(err, errlen,
                "\"%s\" is not an OSC message: it starts with its address, like \"/atem/cut\" or "
                "\"/ch/01/mix/fader 0.75\"",
                s);
        return NULL;
    }
    const char *p = s;
    while (*p && !isspace((unsigned char)*p))
        p++;
    json_t *o = json_object();
    json_object_set_new(o, "address", json_stringn(s, (size_t)(p - s)));
    json_t *args = json_array();
    bool first = true;
    for (p = skip_space(p); *p; p = skip_space(p)) {
        const char *end;
        json_t *v = NULL;
        if (*p == '"' || *p == '[' || *p == '{') {
            end = json_span_end(p);
            if (end)
                v = json_of(p, (size_t)(end - p));
            if (!v || (*end && !isspace((unsigned char)*end))) {
                set_err(err, errlen,
                        "argument %.*s is not valid JSON (a string is written "
                        "\"like this\", with \\\" for a quote inside)",
                        (int)(end ? end - p : (long)strlen(p)), p);
                json_decref(v);
                json_decref(args);
                json_decref(o);
                return NULL;
            }
        } else {
            end = p;
            while (*end && !isspace((unsigned char)*end))
                end++;
            if (first && *p == ',') {
                json_object_set_new(o, "types", json_stringn(p + 1, (size_t)(end - p - 1)));
                first = false;
                p = end;
                continue;
            }
            v = json_of(p, (size_t)(end - p));
            if (v && (json_is_object(v) || json_is_array(v) || json_is_string(v))) {
                json_decref(v);
                v = NULL;
            }
            if (!v)
                v = json_stringn(p, (size_t)(end - p));
        }
        first = false;
        json_array_append_new(args, v);
        p = end;
    }
    if (json_array_size(args))
        json_object_set_new(o, "args", args);
    else
        json_decref(args);
    return o;
}

static bool request_word(const char *s, size_t n)
{
    if (n == 0 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]))
            return false;
    return true;
}

static json_t *scene_payload(const char *name)
{
    json_t *o = json_object();
    json_object_set_new(o, "request", json_string("SetCurrentProgramScene"));
    json_t *data = json_object();
    json_object_set_new(data, "sceneName", json_string(name));
    json_object_set_new(o, "data", data);
    return o;
}

/* "RequestType", "RequestType {data}", "scene: NAME", or a scene name. */
static json_t *obs_payload(const char *s, char *err, size_t errlen)
{
    if (strncasecmp(s, "scene:", 6) == 0) {
        char *name = trimmed(s + 6);
        json_t *o = name[0] ? scene_payload(name) : NULL;
        if (!o)
            set_err(err, errlen, "\"scene:\" needs the scene's name after it");
        free(name);
        return o;
    }
    size_t w = 0;
    while (s[w] && !isspace((unsigned char)s[w]))
        w++;
    const char *rest = skip_space(s + w);
    if (request_word(s, w) && (*rest == '\0' || *rest == '{')) {
        json_t *o = json_object();
        json_object_set_new(o, "request", json_stringn(s, w));
        if (*rest) {
            json_t *data = json_of(rest, strlen(rest));
            if (!json_is_object(data)) {
                json_decref(data);
                json_decref(o);
                set_err(err, errlen,
                        "the request's data after \"%.*s\" is not a JSON object (write "
                        "SetInputMute {\"inputName\": \"Mic\", \"inputMuted\": true})",
                        (int)w, s);
                return NULL;
            }
            json_object_set_new(o, "data", data);
        }
        return o;
    }
    return scene_payload(s);
}

/* "[METHOD] /path [body]" or the request as a JSON object. */
static json_t *http_payload(const char *s, char *err, size_t errlen)
{
    if (*s == '{') {
        json_t *o = json_of(s, strlen(s));
        if (!json_is_object(o)) {
            json_decref(o);
            set_err(err, errlen,
                    "not a JSON object (an HTTP cue is \"POST /path body\" or "
                    "{\"method\": ..., \"path\": ...})");
            return NULL;
        }
        return o;
    }
    json_t *o = json_object();
    const char *p = s;
    if (*p != '/') {
        const char *e = p;
        while (*e && !isspace((unsigned char)*e))
            e++;
        /* Methods are upper case on the wire; "post" is meant as POST. */
        char *m = rd_xstrndup(p, (size_t)(e - p));
        for (char *q = m; *q; q++)
            *q = (char)toupper((unsigned char)*q);
        json_object_set_new(o, "method", json_string(m));
        free(m);
        p = skip_space(e);
    }
    if (*p != '/') {
        json_decref(o);
        set_err(err, errlen,
                "\"%s\" is not an HTTP request: write the method and the path, like \"GET "
                "/api/?Function=Cut\" or \"POST /cue {\\\"n\\\": 1}\"",
                s);
        return NULL;
    }
    const char *e = p;
    while (*e && !isspace((unsigned char)*e))
        e++;
    json_object_set_new(o, "path", json_stringn(p, (size_t)(e - p)));
    const char *body = skip_space(e);
    if (*body) {
        json_t *b = json_of(body, strlen(body));
        json_object_set_new(o, "body", b ? b : json_string(body));
    }
    return o;
}

json_t *sc__csv_cue_payload(const char *text, rd_payload_kind_t kind, char *err, size_t errlen,
                            char *warn, size_t warnlen)
{
    if (warn && warnlen)
        warn[0] = '\0';
    if (errlen)
        err[0] = '\0';
    char *s = trimmed(text);
    json_t *v = NULL;
    switch (kind) {
    case RD_PAYLOAD_OSC:
        v = osc_payload(s, err, errlen);
        break;
    case RD_PAYLOAD_WS:
        v = json_of(s, strlen(s));
        if (!v) {
            if ((s[0] == '{' || s[0] == '[') && warn)
                snprintf(warn, warnlen, "starts like JSON but is not JSON: sent as this text");
            v = json_string(s);
        }
        break;
    case RD_PAYLOAD_OBS:
        v = obs_payload(s, err, errlen);
        break;
    case RD_PAYLOAD_HTTP:
        v = http_payload(s, err, errlen);
        break;
    case RD_PAYLOAD_TCP:
        v = json_string(s);
        break;
    default:
        set_err(err, errlen, "the target takes no messages");
        break;
    }
    if (!v && err[0] == '\0')
        set_err(err, errlen, "cannot be read");
    free(s);
    return v;
}

/* ---- Writing cue messages back --------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
} str_t;

static void str_add(str_t *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = rd_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void str_cat(str_t *b, const char *s)
{
    str_add(b, s, strlen(s));
}

/* A JSON value as short as it reads back exactly (0.1, not 0.10000000000000001). */
static char *json_text(const json_t *v)
{
    if (json_is_real(v)) {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        json_t *back = t ? json_of(t, strlen(t)) : NULL;
        bool same = back && json_equal(back, (json_t *)v);
        json_decref(back);
        if (same)
            return t;
        free(t);
    }
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void str_json(str_t *b, const json_t *v)
{
    char *t = json_text(v);
    if (t)
        str_cat(b, t);
    free(t);
}

/* A string argument written bare when it reads back as that string. */
static void osc_string_arg(str_t *b, const char *s)
{
    bool bare = s[0] && s[0] != '"' && s[0] != '[' && s[0] != '{' && s[0] != ',';
    for (const char *p = s; *p && bare; p++)
        bare = !isspace((unsigned char)*p);
    if (bare) {
        json_t *v = json_of(s, strlen(s));
        bare = v == NULL || json_is_string(v) || json_is_object(v) || json_is_array(v);
        json_decref(v);
    }
    if (bare) {
        str_cat(b, s);
    } else {
        json_t *v = json_string(s);
        str_json(b, v);
        json_decref(v);
    }
}

static char *osc_text(const json_t *o)
{
    const char *addr = json_string_value(json_object_get(o, "address"));
    if (!addr)
        return NULL;
    str_t b = {0};
    str_cat(&b, addr);
    const char *types = json_string_value(json_object_get(o, "types"));
    if (types) {
        str_cat(&b, " ,");
        str_cat(&b, types[0] == ',' ? types + 1 : types);
    }
    size_t i;
    json_t *a;
    json_array_foreach (json_object_get(o, "args"), i, a) {
        str_cat(&b, " ");
        if (json_is_string(a))
            osc_string_arg(&b, json_string_value(a));
        else
            str_json(&b, a);
    }
    return b.s;
}

static char *obs_text(const json_t *o)
{
    const char *req = json_string_value(json_object_get(o, "request"));
    if (!req)
        return NULL;
    const json_t *data = json_object_get(o, "data");
    const char *scene = json_string_value(json_object_get(data, "sceneName"));
    if (strcmp(req, "SetCurrentProgramScene") == 0 && json_object_size(data) == 1 && scene) {
        /* The scene's name alone when it reads back as that. */
        json_t *back = obs_payload(scene, (char[8]){0}, 8);
        bool same = back && json_equal(back, (json_t *)o);
        json_decref(back);
        return same ? rd_xstrdup(scene) : rd_xasprintf("scene: %s", scene);
    }
    str_t b = {0};
    str_cat(&b, req);
    if (data && !json_is_null(data)) {
        str_cat(&b, " ");
        str_json(&b, data);
    }
    return b.s;
}

static char *http_text(const json_t *o)
{
    const json_t *method = json_object_get(o, "method");
    const char *path = json_string_value(json_object_get(o, "path"));
    const json_t *body = json_object_get(o, "body");
    if (!path || json_object_get(o, "headers") || (method && !json_is_string(method)) ||
        (body && json_is_null(body)))
        return NULL;
    str_t b = {0};
    if (method) {
        str_cat(&b, json_string_value(method));
        str_cat(&b, " ");
    }
    str_cat(&b, path);
    if (body) {
        str_cat(&b, " ");
        if (json_is_string(body))
            str_cat(&b, json_string_value(body));
        else
            str_json(&b, body);
    }
    return b.s;
}

char *sc__csv_cue_text(const json_t *payload, rd_payload_kind_t kind)
{
    char *t = NULL;
    switch (kind) {
    case RD_PAYLOAD_OSC:
        t = json_is_object(payload) ? osc_text(payload) : NULL;
        break;
    case RD_PAYLOAD_WS:
        /* A text that is itself JSON is written as a JSON string, so it stays a text. */
        if (json_is_string(payload)) {
            const char *s = json_string_value(payload);
            json_t *v = json_of(s, strlen(s));
            t = v ? json_text(payload) : rd_xstrdup(s);
            json_decref(v);
        } else {
            t = json_text(payload);
        }
        break;
    case RD_PAYLOAD_OBS:
        t = json_is_object(payload) ? obs_text(payload) : NULL;
        break;
    case RD_PAYLOAD_HTTP:
        t = json_is_object(payload) ? http_text(payload) : NULL;
        break;
    case RD_PAYLOAD_TCP:
        t = json_is_string(payload) ? rd_xstrdup(json_string_value(payload)) : NULL;
        break;
    default:
        return NULL;
    }
    /* What is written must read back as the same payload; else the JSON form. */
    if (t) {
        char err[256], warn[256];
        json_t *back = sc__csv_cue_payload(t, kind, err, sizeof err, warn, sizeof warn);
        bool same = back && json_equal(back, (json_t *)payload);
        json_decref(back);
        if (same)
            return t;
        free(t);
        t = NULL;
    }
    if (kind == RD_PAYLOAD_OSC || kind == RD_PAYLOAD_HTTP)
        return json_text(payload);
    return NULL;
}
