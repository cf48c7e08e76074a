/* Tests for rundown/model.c: look-ups and moving a rundown in time. */
#include "fixture.h"
#include "model.h"
#include "unit.h"

#define H(h, m) ((int64_t)(h)*RD_NS_PER_HOUR + (int64_t)(m)*RD_NS_PER_MIN)

/* The demo's move: a new date, and on_air, off_air and every hard start by
 * the same delta; follow and GO items need nothing. */
TEST(model_shift_moves_every_time_of_day)
{
    rd_rundown_t r;
    ASSERT_TRUE(fx_load("'date': '2026-11-27', 'on_air': '18:00:00', 'off_air': '18:30:00',",
                        "{'title': 'A', 'start': '18:00:00', 'duration': '10:00'},"
                        "{'title': 'B', 'start': 'follow', 'duration': '5:00'},"
                        "{'title': 'C', 'start': '18:20:00', 'duration': '10:00'}",
                        NULL, &r, NULL));
    int64_t delta = rd_rundown_shift_to(&r, H(9, 3));
    ASSERT_EQ(delta, H(9, 3) - H(18, 0));
    rd_shift_t s = {2026, 12, 3, 2026, 11, 27, delta};
    rd_rundown_shift(&r, &s);
    ASSERT_TRUE(r.has_date);
    ASSERT_EQ(r.year * 10000 + r.month * 100 + r.day, 20261203);
    ASSERT_EQ(r.on_air_ns, H(9, 3));
    ASSERT_EQ(r.off_air_ns, H(9, 33));
    ASSERT_EQ(r.items[0].start_tod_ns, H(9, 3));
    ASSERT_EQ(r.items[2].start_tod_ns, H(9, 23));
    rd_rundown_free(&r);

    /* No time of day: nothing to move but the date. */
    ASSERT_TRUE(fx_load("", "{'title': 'A', 'duration': '10s'}", NULL, &r, NULL));
    ASSERT_EQ(rd_rundown_shift_to(&r, H(9, 3)), 0);
    rd_rundown_free(&r);
    /* Only hard starts: the first one is the anchor. */
    ASSERT_TRUE(
        fx_load("", "{'title': 'A', 'start': '20:15:00', 'duration': '10s'}", NULL, &r, NULL));
    ASSERT_EQ(rd_rundown_shift_to(&r, H(21, 0)), H(0, 45));
    rd_rundown_free(&r);
}
