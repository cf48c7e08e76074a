/* Loading rundown and config files: the file I/O the pure rundown library leaves to us. */
#include "load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse.h"

char *sc_load_file(const char *path, size_t *len, rd_diags_t *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rd_diag_add(d, RD_ERROR, "", "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        rd_diag_add(d, RD_ERROR, "", "not a regular file");
        fclose(f);
        return NULL;
    }
    if (st.st_size > SC_MAX_FILE_BYTES) {
        rd_diag_add(d, RD_ERROR, "", "the file is %lld bytes; the limit is %d",
                    (long long)st.st_size, SC_MAX_FILE_BYTES);
        fclose(f);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap);
    if (!buf) {
        rd_diag_add(d, RD_ERROR, "", "out of memory");
        fclose(f);
        return NULL;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    if (ferror(f)) {
        rd_diag_add(d, RD_ERROR, "", "cannot read: %s", strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The parsers differ only in the type they fill. */
typedef bool (*parse_fn_t)(const char *buf, size_t len, void *out, rd_diags_t *d);

static bool parse_rundown(const char *buf, size_t len, void *out, rd_diags_t *d)
{
    return rd_rundown_parse(buf, len, out, d);
}

static bool parse_config(const char *buf, size_t len, void *out, rd_diags_t *d)
{
    return rd_config_parse(buf, len, out, d);
}

/* Reads path and parses it, reporting findings under the path as given. */
static bool load(const char *path, parse_fn_t parse, void *out, rd_diags_t *d)
{
    const char *prev = d->file;
    d->file = path;
    size_t len;
    char *buf = sc_load_file(path, &len, d);
    bool ok = buf && parse(buf, len, out, d);
    free(buf);
    d->file = prev;
    return ok;
}

bool sc_load_rundown(const char *path, rd_rundown_t *r, rd_diags_t *d)
{
    memset(r, 0, sizeof *r);
    return load(path, parse_rundown, r, d);
}

bool sc_load_config(const char *path, rd_config_t *c, rd_diags_t *d)
{
    memset(c, 0, sizeof *c);
    return load(path, parse_config, c, d);
}
