/* Refusals that cannot become a flood. Every refusal is counted; per source
 * (an address: a sender's new port is the same sender) only the first in an
 * interval is "told" in full (an as-run record, a log line, an answer), and
 * at most told_max are told per interval from all sources together, so a
 * thousand spoofed addresses cost no more disk than one. When an interval in
 * which something was only counted ends, its owner gets one summary
 * ("1,204 refused from 100 sources in the last 2 s").
 *
 * An interval starts with the first refusal after the last one ended; a
 * timer on the loop ends it on time, so the summary of a flood that stopped
 * is not left waiting for the next refusal. */
#ifndef SC_REFUSALS_H
#define SC_REFUSALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* Distinct sources remembered per interval; more are counted as "more". */
#define SC_REFUSALS_SOURCES 256
#define SC_REFUSALS_KEY_MAX 48
/* The interval and the cap every door uses (the README's "2 s" and "16"). */
#define SC_REFUSALS_INTERVAL_NS 2000000000LL
#define SC_REFUSALS_TOLD 16

typedef struct {
    uint64_t refused;  /* in the interval, told and counted */
    uint64_t told;     /* of which told in full */
    unsigned sources;  /* distinct sources */
    bool more_sources; /* more than SC_REFUSALS_SOURCES: `sources` is a floor */
    int64_t interval_ns;
} sc_refusal_summary_t;

typedef void (*sc_refusals_fn)(void *ctx, const sc_refusal_summary_t *s);

typedef struct sc_refusals sc_refusals_t;

/* loop NULL: no timer (an interval then ends at the next refusal after it,
 * or at sc_refusals_flush/free). */
sc_refusals_t *sc_refusals_new(uv_loop_t *loop, int64_t interval_ns, unsigned told_max,
                               sc_refusals_fn summary, void *ctx);
/* Summarises the open interval if it counted anything, then frees (the
 * timer inside the loop: the loop must run once more). */
void sc_refusals_free(sc_refusals_t *g);

/* Counts one refusal from source ("192.0.2.7:5000" or an address); true
 * when it is to be told in full. */
bool sc_refusals_tell(sc_refusals_t *g, const char *source, int64_t now_mono);
/* Ends the interval if it is over at now_mono (the timer does this). */
void sc_refusals_flush(sc_refusals_t *g, int64_t now_mono);

/* "1,204 refused from 100 sources in the last 2 s (16 told one by one)",
 * with `what` in place of "refused". */
void sc_refusals_describe(const sc_refusal_summary_t *s, const char *what, char *out, size_t len);

/* A source's address: "192.0.2.7:5000" -> "192.0.2.7", "[::1]:80" ->
 * "[::1]"; anything else as it is. Writes at most len bytes. */
void sc_source_address(const char *source, char *out, size_t len);

#endif
