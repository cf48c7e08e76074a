/* The unit-test runner: runs every registered test and prints TAP and a summary line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define MAX_TESTS 2048

typedef struct {
    const char *name;
    const char *file;
    unit_fn_t fn;
} unit_test_t;

static unit_test_t tests[MAX_TESTS];
static int ntests;
static int current_failed;

void unit_register(const char *name, const char *file, unit_fn_t fn)
{
    if (ntests == MAX_TESTS) {
        fprintf(stderr, "unit: too many tests\n");
        exit(2);
    }
    tests[ntests].name = name;
    tests[ntests].file = file;
    tests[ntests].fn = fn;
    ntests++;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
    current_failed = 1;
    printf("# %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static int cmp(const void *a, const void *b)
{
    const unit_test_t *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : strcmp(x->name, y->name);
}

/* Usage: unit_tests [SUBSTRING] runs the tests whose file or name contains it. */
int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    qsort(tests, (size_t)ntests, sizeof tests[0], cmp);
    int run = 0, passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (filter && !strstr(tests[i].name, filter) && !strstr(tests[i].file, filter))
            continue;
        current_failed = 0;
        tests[i].fn();
        run++;
        if (current_failed) {
            failed++;
            printf("not ok %d - %s (%s)\n", run, tests[i].name, tests[i].file);
        } else {
            passed++;
            printf("ok %d - %s\n", run, tests[i].name);
        }
    }
    printf("1..%d\n", run);
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
