/* showcallerd's entry point: command-line parsing and the choice of mode. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define SC_VERSION "0.1.0"

static void usage(FILE *to)
{
    fprintf(to, "usage: showcallerd --check RUNDOWN [--config CONFIG] [--json]\n"
                "       showcallerd --help | --version\n"
                "\n"
                "  --check RUNDOWN   validate the rundown and print its planned timeline;\n"
                "                    exit 0 when valid, 1 when not (errors on stderr)\n"
                "  --config CONFIG   also validate the config and the cues' targets\n"
                "  --json            print the plan (and findings) as JSON\n");
}

int main(int argc, char **argv)
{
    const char *check = NULL, *config = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("showcallerd %s\n", SC_VERSION);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if ((strcmp(a, "--check") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc) {
            if (a[3] == 'h')
                check = argv[++i];
            else
                config = argv[++i];
        } else {
            fprintf(stderr, "showcallerd: %s: %s\n", a,
                    a[0] == '-' ? "unknown option or missing value" : "unexpected argument");
            usage(stderr);
            return 2;
        }
    }
    if (!check) {
        fprintf(stderr, "showcallerd: the live engine is not built yet; use --check RUNDOWN\n");
        usage(stderr);
        return 2;
    }
    return sc_check_main(check, config, json);
}
