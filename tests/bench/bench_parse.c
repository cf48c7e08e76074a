/* Benchmark: how long loading a rundown takes (parse, link, plan), for the demo show and a big one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cue_timing.h"
#include "parse.h"
#include "plan.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        exit(1);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* A long show: n items of 30 s, each with 4 OSC cues and 1 websocket cue. */
static char *big_rundown(int n, size_t *len)
{
    size_t cap = (size_t)n * 700 + 256;
    char *s = malloc(cap);
    size_t k = (size_t)snprintf(s, cap,
                                "{\"format\": \"showcaller-rundown/1\", \"title\": "
                                "\"Long\", \"on_air\": \"06:00:00\", \"items\": [");
    for (int i = 0; i < n; i++) {
        k += (size_t)snprintf(
            s + k, cap - k,
            "%s{\"id\": \"item-%d\", \"title\": \"Item %d\", \"start\": \"%s\", \"duration\": "
            "\"30s\", \"cues\": [{\"at\": \"-2s\", \"target\": \"switcher\", \"osc\": "
            "{\"address\": \"/atem/preview\", \"args\": [%d]}}, {\"at\": \"0\", \"target\": "
            "\"switcher\", \"osc\": {\"address\": \"/atem/cut\"}}, {\"at\": \"5s\", \"target\": "
            "\"gfx\", \"ws\": {\"action\": \"play\", \"template\": \"l3\", \"n\": %d}}, {\"at\": "
            "\"end-3s\", \"target\": \"audio\", \"osc\": {\"address\": \"/ch/01/mix/fader\", "
            "\"types\": \"f\", \"args\": [0.0]}}, {\"at\": \"end-1s\", \"target\": \"audio\", "
            "\"osc\": {\"address\": \"/ch/01/mix/on\", \"args\": [0]}}]}",
            i ? "," : "", i, i, i % 3 ? "follow" : "go", i % 8, i);
    }
    k += (size_t)snprintf(s + k, cap - k, "]}");
    *len = k;
    return s;
}

static void bench(const char *name, const char *text, size_t len, const rd_config_t *c, int reps)
{
    double best = 1e18, total = 0;
    size_t ncues = 0, nitems = 0;
    for (int i = 0; i < reps; i++) {
        rd_diags_t d = {0};
        d.file = name;
        rd_rundown_t r;
        rd_plan_t plan;
        double t0 = now_us();
        bool ok = rd_rundown_parse(text, len, &r, &d) && rd_rundown_link(&r, c, &d);
        rd_plan_compute(&r, &plan, &d);
        double t = now_us() - t0;
        if (!ok) {
            fprintf(stderr, "%s: does not parse\n", name);
            exit(1);
        }
        nitems = r.nitems;
        ncues = 0;
        for (size_t k = 0; k < r.nitems; k++)
            ncues += r.items[k].ncues;
        rd_plan_free(&plan);
        rd_rundown_free(&r);
        rd_diags_free(&d);
        total += t;
        if (t < best)
            best = t;
    }
    printf("%-24s %7zu bytes %6zu items %6zu cues: load+link+plan best %9.1f us, mean %9.1f us "
           "(%d runs)\n",
           name, len, nitems, ncues, best, total / reps, reps);
}

int main(int argc, char **argv)
{
    const char *show = argc > 1 ? argv[1] : "config/evening-news.json";
    const char *config = argc > 2 ? argv[2] : "config/demo.json";
    size_t clen, slen, blen;
    char *ctext = read_all(config, &clen);
    char *stext = read_all(show, &slen);
    rd_config_t c;
    rd_diags_t d = {0};
    if (!rd_config_parse(ctext, clen, &c, &d)) {
        fprintf(stderr, "%s: does not parse\n", config);
        return 1;
    }
    rd_diags_free(&d);
    bench("demo show", stext, slen, &c, 200);
    char *big = big_rundown(2000, &blen);
    bench("2000-item show", big, blen, &c, 10);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS of the benchmark process: %ld KiB\n", ru.ru_maxrss);
    free(big);
    free(stext);
    free(ctext);
    rd_config_free(&c);
    return 0;
}
