/* Tests for daemon/targets/backoff.c: the reconnect pause every target kind shares. */
#include "targets/backoff.h"
#include "unit.h"

TEST(backoff_doubles_to_its_cap_and_resets)
{
    sc_backoff_t b = {0}; /* a zeroed one starts at the minimum too */
    ASSERT_EQ(sc_backoff_next(&b), 250);
    ASSERT_EQ(sc_backoff_next(&b), 500);
    ASSERT_EQ(sc_backoff_next(&b), 1000);
    ASSERT_EQ(sc_backoff_next(&b), 2000);
    ASSERT_EQ(sc_backoff_next(&b), 2000);
    sc_backoff_reset(&b);
    ASSERT_EQ(sc_backoff_next(&b), SC_BACKOFF_MIN_MS);
    ASSERT_EQ(sc_backoff_next(&b), 2 * SC_BACKOFF_MIN_MS);
}
