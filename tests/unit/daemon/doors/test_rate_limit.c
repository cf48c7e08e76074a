/* Tests for daemon/rate_limit.c: token buckets and the per-address table. */
#include <stdio.h>

#include "doors/rate_limit.h"
#include "unit.h"

#define SEC 1000000000LL

TEST(bucket_bursts_twice_the_rate_then_refills)
{
    sc_bucket_t b = {0};
    int64_t t = 5 * SEC;
    for (int i = 0; i < 20; i++)
        ASSERT_TRUE(sc_bucket_take(&b, 10, t));
    ASSERT_FALSE(sc_bucket_take(&b, 10, t));
    /* 100 ms at 10/s gives one more. */
    ASSERT_TRUE(sc_bucket_take(&b, 10, t + SEC / 10));
    ASSERT_FALSE(sc_bucket_take(&b, 10, t + SEC / 10));
    /* A long pause fills it only to the burst. */
    int n = 0;
    while (sc_bucket_take(&b, 10, t + 100 * SEC))
        n++;
    ASSERT_EQ(n, 20);
}

TEST(bucket_ignores_a_clock_going_back)
{
    sc_bucket_t b = {0};
    ASSERT_TRUE(sc_bucket_take(&b, 1, 10 * SEC));
    ASSERT_TRUE(sc_bucket_take(&b, 1, 10 * SEC));
    ASSERT_FALSE(sc_bucket_take(&b, 1, 9 * SEC));
}

TEST(rate_table_keeps_one_bucket_per_address)
{
    static sc_rate_table_t t;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < 4; i++)
        ASSERT_TRUE(sc_rate_take(&t, "10.0.0.1", 2, SEC));
    ASSERT_FALSE(sc_rate_take(&t, "10.0.0.1", 2, SEC));
    ASSERT_TRUE(sc_rate_take(&t, "10.0.0.2", 2, SEC));
    ASSERT_EQ(t.used, 2);
}

TEST(rate_table_is_bounded_and_evicts_the_idlest)
{
    static sc_rate_table_t t;
    memset(&t, 0, sizeof t);
    char key[32];
    /* The first address empties its bucket, then stays busy. */
    for (int i = 0; i < 2; i++)
        ASSERT_TRUE(sc_rate_take(&t, "10.0.0.0", 1, SEC));
    for (int i = 1; i < 3 * SC_RATE_PEERS; i++) {
        snprintf(key, sizeof key, "10.0.1.%d", i);
        ASSERT_TRUE(sc_rate_take(&t, key, 1, SEC + i));
        ASSERT_FALSE(sc_rate_take(&t, "10.0.0.0", 1, SEC + i));
    }
    ASSERT_EQ(t.used, SC_RATE_PEERS);
}
