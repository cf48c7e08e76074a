/* `showcallerd --import FILE` and `--export-csv RUNDOWN`: the converters of daemon/convert/
 * with their files read and their findings printed. */
#include "import_cli.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "convert/doc_dump.h"
#include "convert/export_csv.h"
#include "convert/import_csv.h"
#include "convert/import_ontime.h"
#include "load.h"

static void print_all(const rd_diags_t *d)
{
    sc_check_print(d, RD_ERROR, stderr);
    sc_check_print(d, RD_WARNING, stderr);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcasecmp(s + n - m, tail) == 0;
}

int sc_import_main(const char *path, const char *format, const char *config_path)
{
    if (!format) {
        if (ends_with(path, ".csv"))
            format = "csv";
        else if (ends_with(path, ".json"))
            format = "ontime";
    }
    if (!format || (strcmp(format, "csv") != 0 && strcmp(format, "ontime") != 0)) {
        fprintf(stderr, "showcallerd: %s: %s (--format csv or --format ontime)\n", path,
                format ? "unknown format" : "cannot tell the format from the file's name");
        return 2;
    }
    rd_diags_t d = {0};
    rd_config_t c = {0};
    bool have_config = false;
    int code = 1;
    if (config_path) {
        have_config = sc_load_config(config_path, &c, &d);
        if (!have_config) {
            print_all(&d);
            rd_diags_free(&d);
            return 1;
        }
    }
    d.file = path;
    size_t len = 0;
    char *buf = sc_load_file(path, &len, &d);
    json_t *doc = NULL;
    if (buf)
        doc = strcmp(format, "csv") == 0 ? sc_import_csv(buf, len, have_config ? &c : NULL, &d)
                                         : sc_import_ontime(buf, len, &d);
    free(buf);
    print_all(&d);
    if (doc) {
        size_t n = 0;
        char *text = sc_doc_dump(doc, &n);
        if (text && fwrite(text, 1, n, stdout) == n && fflush(stdout) == 0)
            code = 0;
        else
            fprintf(stderr, "showcallerd: cannot write the rundown to stdout\n");
        free(text);
        json_decref(doc);
    }
    rd_config_free(&c);
    rd_diags_free(&d);
    return code;
}

int sc_export_csv_main(const char *path)
{
    rd_diags_t d = {0};
    rd_rundown_t r = {0};
    bool ok = sc_load_rundown(path, &r, &d);
    rd_rundown_free(&r);
    json_t *doc = NULL;
    if (ok) {
        d.file = path;
        size_t len = 0;
        char *buf = sc_load_file(path, &len, &d);
        json_error_t e;
        doc = buf ? json_loadb(buf, len, 0, &e) : NULL;
        free(buf);
        ok = doc != NULL;
    }
    print_all(&d);
    rd_diags_free(&d);
    if (!ok)
        return 1;
    size_t n = 0;
    char *csv = sc_export_csv(doc, &n);
    json_decref(doc);
    int code = 1;
    if (csv && fwrite(csv, 1, n, stdout) == n && fflush(stdout) == 0)
        code = 0;
    else
        fprintf(stderr, "showcallerd: cannot write the CSV to stdout\n");
    free(csv);
    return code;
}
