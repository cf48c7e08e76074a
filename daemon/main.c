/* showcallerd's entry point: command-line parsing and the choice of mode. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "import_cli.h"
#include "run.h"

#define SC_VERSION "0.2.0"

static void usage(FILE *to)
{
    fprintf(to, "usage: showcallerd [options] RUNDOWN\n"
                "       showcallerd --check RUNDOWN [--config CONFIG] [--json]\n"
                "       showcallerd --import FILE [--format csv|ontime] [--config CONFIG]\n"
                "       showcallerd --export-csv RUNDOWN\n"
                "       showcallerd --help | --version\n"
                "\n"
                "  --config FILE     the config (targets, ports, tokens); defaults without it\n"
                "  --http HOST:PORT  listen for the web pages, /ws and /api here\n"
                "  --osc HOST:PORT   listen for OSC commands here\n"
                "  --data-dir DIR    the as-run log, control token and versions live here\n"
                "  --web DIR         the web client's files (default clients/web)\n"
                "  --realtime        run the cue clock with SCHED_FIFO when permitted\n"
                "  --demo            move the rundown to today, its first time of day a couple\n"
                "                    of minutes from now (the demo show, on any day)\n"
                "  --check RUNDOWN   validate the rundown and print its planned timeline;\n"
                "                    exit 0 when valid, 1 when not (errors on stderr)\n"
                "  --json            with --check: print the plan and findings as JSON\n"
                "  --import FILE     print the rundown a spreadsheet's CSV or an Ontime project\n"
                "                    (db.json) makes; exit 1 on errors (on stderr)\n"
                "  --format FORMAT   with --import: csv or ontime (default: from the extension)\n"
                "  --export-csv RUNDOWN  print the rundown as CSV (the format --import reads)\n");
}

int main(int argc, char **argv)
{
    const char *check = NULL;
    const char *import = NULL, *format = NULL, *export_csv = NULL;
    bool json = false;
    sc_options_t o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **value = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("showcallerd %s\n", SC_VERSION);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--realtime") == 0) {
            o.realtime = true;
        } else if (strcmp(a, "--demo") == 0) {
            o.demo = true;
        } else if (strcmp(a, "--check") == 0) {
            value = &check;
        } else if (strcmp(a, "--import") == 0) {
            value = &import;
        } else if (strcmp(a, "--format") == 0) {
            value = &format;
        } else if (strcmp(a, "--export-csv") == 0) {
            value = &export_csv;
        } else if (strcmp(a, "--config") == 0) {
            value = &o.config_path;
        } else if (strcmp(a, "--http") == 0) {
            value = &o.http_listen;
        } else if (strcmp(a, "--osc") == 0) {
            value = &o.osc_listen;
        } else if (strcmp(a, "--data-dir") == 0) {
            value = &o.data_dir;
        } else if (strcmp(a, "--web") == 0) {
            value = &o.web_root;
        } else if (a[0] != '-' && !o.rundown_path) {
            o.rundown_path = a;
            continue;
        } else {
            fprintf(stderr, "showcallerd: %s: %s\n", a,
                    a[0] == '-' ? "unknown option" : "unexpected argument");
            usage(stderr);
            return 2;
        }
        if (value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "showcallerd: %s needs a value\n", a);
                usage(stderr);
                return 2;
            }
            *value = argv[++i];
        }
    }
    if ((check != NULL) + (import != NULL) + (export_csv != NULL) > 1) {
        fprintf(stderr, "showcallerd: --check, --import and --export-csv are separate modes\n");
        usage(stderr);
        return 2;
    }
    if (format && !import) {
        fprintf(stderr, "showcallerd: --format goes with --import\n");
        usage(stderr);
        return 2;
    }
    if (import)
        return sc_import_main(import, format, o.config_path);
    if (export_csv)
        return sc_export_csv_main(export_csv);
    if (check)
        return sc_check_main(check, o.config_path, json);
    if (!o.rundown_path) {
        fprintf(stderr, "showcallerd: no rundown given\n");
        usage(stderr);
        return 2;
    }
    return sc_run(&o);
}
