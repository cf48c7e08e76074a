/* Tests for daemon/show/refusals.c: refusals told once per source per interval, the rest
 * summarised. */
#include <stdio.h>
#include <string.h>

#include "show/refusals.h"
#include "unit.h"

#define SEC 1000000000LL

typedef struct {
    int calls;
    sc_refusal_summary_t last;
} seen_t;

static void on_summary(void *ctx, const sc_refusal_summary_t *s)
{
    seen_t *seen = ctx;
    seen->calls++;
    seen->last = *s;
}

TEST(refusals_tell_each_source_once_per_interval)
{
    seen_t seen = {0};
    sc_refusals_t *g = sc_refusals_new(NULL, 2 * SEC, 16, on_summary, &seen);
    int64_t t = 100 * SEC;
    ASSERT_TRUE(sc_refusals_tell(g, "192.0.2.7:5000", t));
    /* A new port is the same sender. */
    ASSERT_FALSE(sc_refusals_tell(g, "192.0.2.7:5001", t + SEC / 2));
    ASSERT_TRUE(sc_refusals_tell(g, "192.0.2.8:5000", t + SEC / 2));
    ASSERT_FALSE(sc_refusals_tell(g, "192.0.2.8:5000", t + SEC));
    ASSERT_EQ(seen.calls, 0);
    /* The next interval: told again, and the last one summarised. */
    ASSERT_TRUE(sc_refusals_tell(g, "192.0.2.7:5000", t + 2 * SEC));
    ASSERT_EQ(seen.calls, 1);
    ASSERT_EQ(seen.last.refused, 4);
    ASSERT_EQ(seen.last.told, 2);
    ASSERT_EQ(seen.last.sources, 2);
    ASSERT_FALSE(seen.last.more_sources);
    /* An interval in which everything was told needs no summary. */
    sc_refusals_flush(g, t + 10 * SEC);
    ASSERT_EQ(seen.calls, 1);
    sc_refusals_free(g);
}

TEST(refusals_from_a_thousand_sources_tell_only_the_cap)
{
    seen_t seen = {0};
    sc_refusals_t *g = sc_refusals_new(NULL, 2 * SEC, 16, on_summary, &seen);
    int told = 0;
    for (int i = 0; i < 5000; i++) {
        char src[48];
        snprintf(src, sizeof src, "10.0.%d.%d:%d", (i % 1000) / 250, (i % 1000) % 250, 40000 + i);
        told += sc_refusals_tell(g, src, SEC + i * 1000LL);
    }
    ASSERT_EQ(told, 16);
    sc_refusals_flush(g, 4 * SEC);
    ASSERT_EQ(seen.calls, 1);
    ASSERT_EQ(seen.last.refused, 5000);
    ASSERT_EQ(seen.last.told, 16);
    ASSERT_EQ(seen.last.sources, SC_REFUSALS_SOURCES - 1);
    ASSERT_TRUE(seen.last.more_sources);
    char words[200];
    sc_refusals_describe(&seen.last, "refused", words, sizeof words);
    ASSERT_STR_EQ(words, "5,000 refused from more than 255 sources in the last 2 s (16 told one "
                         "by one)");
    sc_refusals_free(g);
}

TEST(refusals_free_summarises_the_open_interval)
{
    seen_t seen = {0};
    sc_refusals_t *g = sc_refusals_new(NULL, 2 * SEC, 1, on_summary, &seen);
    ASSERT_TRUE(sc_refusals_tell(g, "signal", SEC));
    ASSERT_FALSE(sc_refusals_tell(g, "other", SEC)); /* over the cap of 1 */
    sc_refusals_free(g);
    ASSERT_EQ(seen.calls, 1);
    ASSERT_EQ(seen.last.refused, 2);
    ASSERT_EQ(seen.last.sources, 2);
    char words[200];
    sc_refusals_describe(&seen.last, "refused", words, sizeof words);
    ASSERT_STR_EQ(words, "2 refused from 2 sources in the last 2 s (1 told one by one)");
}

TEST(source_address_drops_the_port)
{
    char k[SC_REFUSALS_KEY_MAX];
    sc_source_address("192.0.2.7:5000", k, sizeof k);
    ASSERT_STR_EQ(k, "192.0.2.7");
    sc_source_address("[::1]:8080", k, sizeof k);
    ASSERT_STR_EQ(k, "[::1]");
    sc_source_address("::1", k, sizeof k);
    ASSERT_STR_EQ(k, "::1");
    sc_source_address("signal", k, sizeof k);
    ASSERT_STR_EQ(k, "signal");
}
