/* Refusals that cannot become a flood: counted always, told once per source per interval. */
#include "refusals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct sc_refusals {
    uv_timer_t timer; /* first: the close callback frees the gate through it */
    bool has_timer;
    int64_t interval_ns;
    unsigned told_max;
    sc_refusals_fn summary;
    void *ctx;
    /* The open interval; start 0 = none. */
    int64_t start;
    sc_refusal_summary_t now;
    /* The sources seen in it: an open-addressed set, cleared per interval. */
    bool used[SC_REFUSALS_SOURCES];
    char key[SC_REFUSALS_SOURCES][SC_REFUSALS_KEY_MAX];
};

/* Armed for the open interval's end: ends it (libuv's clock may run a
 * little behind ours, so no second check against sc_mono_ns). */
static void end_interval(sc_refusals_t *g);
static void on_timer(uv_timer_t *t)
{
    end_interval((sc_refusals_t *)t);
}

sc_refusals_t *sc_refusals_new(uv_loop_t *loop, int64_t interval_ns, unsigned told_max,
                               sc_refusals_fn summary, void *ctx)
{
    sc_refusals_t *g = rd_xcalloc(1, sizeof *g);
    g->interval_ns = interval_ns > 0 ? interval_ns : 1;
    g->told_max = told_max;
    g->summary = summary;
    g->ctx = ctx;
    if (loop) {
        uv_timer_init(loop, &g->timer);
        g->has_timer = true;
    }
    return g;
}

/* Ends the open interval: its summary when something was only counted. */
static void end_interval(sc_refusals_t *g)
{
    if (g->start && g->now.refused > g->now.told && g->summary)
        g->summary(g->ctx, &g->now);
    g->start = 0;
    memset(&g->now, 0, sizeof g->now);
    memset(g->used, 0, sizeof g->used);
    if (g->has_timer)
        uv_timer_stop(&g->timer);
}

static void on_closed(uv_handle_t *h)
{
    free(h);
}

void sc_refusals_free(sc_refusals_t *g)
{
    if (!g)
        return;
    end_interval(g);
    if (g->has_timer)
        uv_close((uv_handle_t *)&g->timer, on_closed);
    else
        free(g);
}

void sc_refusals_flush(sc_refusals_t *g, int64_t now_mono)
{
    if (g->start && now_mono - g->start >= g->interval_ns)
        end_interval(g);
}

/* FNV-1a: the set only needs keys spread over its slots. */
static unsigned hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SC_REFUSALS_SOURCES;
}

/* Adds the source to the interval's set: 1 new, 0 seen, -1 the set is full. */
static int add_source(sc_refusals_t *g, const char *k)
{
    unsigned i = hash(k);
    for (unsigned n = 0; n < SC_REFUSALS_SOURCES; n++, i = (i + 1) % SC_REFUSALS_SOURCES) {
        if (!g->used[i]) {
            if (g->now.sources == SC_REFUSALS_SOURCES - 1)
                return -1; /* one slot stays free, so a lookup always ends */
            g->used[i] = true;
            memcpy(g->key[i], k, SC_REFUSALS_KEY_MAX);
            g->now.sources++;
            return 1;
        }
        if (strcmp(g->key[i], k) == 0)
            return 0;
    }
    return -1;
}

bool sc_refusals_tell(sc_refusals_t *g, const char *source, int64_t now_mono)
{
    sc_refusals_flush(g, now_mono);
    if (!g->start) {
        g->start = now_mono ? now_mono : 1;
        g->now.interval_ns = g->interval_ns;
    }
    char k[SC_REFUSALS_KEY_MAX] = {0};
    sc_source_address(source ? source : "", k, sizeof k);
    int added = add_source(g, k);
    if (added < 0)
        g->now.more_sources = true;
    g->now.refused++;
    bool tell = added == 1 && g->now.told < g->told_max;
    if (tell) {
        g->now.told++;
    } else if (g->has_timer && !uv_is_active((uv_handle_t *)&g->timer)) {
        /* Something is only counted: its summary is due at the end. */
        int64_t left = g->start + g->interval_ns - now_mono;
        uv_timer_start(&g->timer, on_timer, left > 0 ? (uint64_t)(left + 999999) / 1000000 : 0, 0);
    }
    return tell;
}

/* 1204 -> "1,204". */
static void grouped(uint64_t v, char *out, size_t len)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 1 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0 && o + 2 < len)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    if (len)
        out[o < len ? o : len - 1] = '\0';
}

void sc_refusals_describe(const sc_refusal_summary_t *s, const char *what, char *out, size_t len)
{
    char refused[32], sources[32], told[32];
    grouped(s->refused, refused, sizeof refused);
    grouped(s->sources, sources, sizeof sources);
    grouped(s->told, told, sizeof told);
    double secs = (double)s->interval_ns / 1e9;
    snprintf(out, len, "%s %s from %s%s source%s in the last %g s (%s told one by one)", refused,
             what, s->more_sources ? "more than " : "", sources,
             s->sources == 1 && !s->more_sources ? "" : "s", secs, told);
}

void sc_source_address(const char *source, char *out, size_t len)
{
    if (len == 0)
        return;
    snprintf(out, len, "%s", source);
    char *end = out[0] == '[' ? strchr(out, ']') : NULL;
    if (end) {
        end[1] = '\0';
        return;
    }
    char *colon = strrchr(out, ':');
    if (colon && colon == strchr(out, ':')) /* one colon: IPv4:port */
        *colon = '\0';
}
