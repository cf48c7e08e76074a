/* Tests for show/prompter.c: the scroll every prompter screen draws from the same numbers. */
#include "show/prompter.h"
#include "unit.h"

/* Whole characters, so that exact comparisons hold. */
#define AT(p, ms) ((long long)(sc_prompter_at((p), (ms)) * 1000 + 0.5))

TEST(prompter_scrolls_at_its_speed_from_the_item_start_and_stops_at_the_end)
{
    sc_prompter_t p;
    sc_prompter_init(&p);
    ASSERT_EQ(p.item, -1);
    sc_prompter_follow(&p, 2, 1, 10000,
                       "0123456789"
                       "0123456789"); /* 20 characters */
    ASSERT_EQ(p.length, 20);
    ASSERT_EQ(AT(&p, 12000), 0); /* no speed yet */
    sc_prompter_set_speed(&p, 11000, 4);
    ASSERT_EQ(AT(&p, 11000), 0);
    ASSERT_EQ(AT(&p, 12500), 6000);
    ASSERT_EQ(AT(&p, 99000), 20000); /* clamped at the end */
    /* Twice as fast from 12.5 s: the position carries on from 6. */
    sc_prompter_set_speed(&p, 12500, 8);
    ASSERT_EQ(AT(&p, 13000), 10000);
    /* Backwards, clamped at the top. */
    sc_prompter_set_speed(&p, 13000, -5);
    ASSERT_EQ(AT(&p, 14000), 5000);
    ASSERT_EQ(AT(&p, 20000), 0);
    sc_prompter_set_speed(&p, 13000, 1e9);
    ASSERT_EQ(p.speed, SC_PROMPTER_MAX_SPEED);
}

TEST(prompter_position_and_nudge_move_it_at_once)
{
    sc_prompter_t p;
    sc_prompter_init(&p);
    sc_prompter_follow(&p, 0, 1, 0, "abcdefghijklmnopqrstuvwxyz");
    sc_prompter_set_speed(&p, 0, 2);
    sc_prompter_set_position(&p, 1000, 10);
    ASSERT_EQ(AT(&p, 1000), 10000);
    ASSERT_EQ(AT(&p, 2000), 12000);
    sc_prompter_nudge(&p, 2000, -5);
    ASSERT_EQ(AT(&p, 2000), 7000);
    sc_prompter_nudge(&p, 2000, -50);
    ASSERT_EQ(AT(&p, 2000), 0);
    sc_prompter_set_position(&p, 2000, 1000);
    ASSERT_EQ(AT(&p, 2000), 26000);
}

TEST(prompter_follows_the_show_a_new_item_or_run_starts_at_the_top)
{
    sc_prompter_t p;
    sc_prompter_init(&p);
    sc_prompter_follow(&p, 0, 1, 0, "first item's script");
    sc_prompter_set_speed(&p, 0, 3);
    sc_prompter_follow(&p, 0, 1, 5000, "first item's script"); /* the same run: nothing moves */
    ASSERT_EQ(AT(&p, 4000), 12000);
    sc_prompter_follow(&p, 1, 1, 5000, "second");
    ASSERT_EQ(p.length, 6);
    ASSERT_EQ(AT(&p, 5000), 0);
    ASSERT_EQ(AT(&p, 6000), 3000);                /* the speed carries over */
    sc_prompter_follow(&p, 1, 2, 8000, "second"); /* back, then GO: its second run */
    ASSERT_EQ(AT(&p, 8000), 0);
    sc_prompter_follow(&p, 2, 1, 9000, NULL); /* no script: nothing to scroll */
    ASSERT_EQ(AT(&p, 20000), 0);
}

TEST(prompter_lengths_are_counted_as_javascript_counts_them)
{
    ASSERT_EQ(sc_utf16_length(""), 0);
    ASSERT_EQ(sc_utf16_length(NULL), 0);
    ASSERT_EQ(sc_utf16_length("abc"), 3);
    ASSERT_EQ(sc_utf16_length("caf\xc3\xa9"), 4);        /* é: one unit */
    ASSERT_EQ(sc_utf16_length("\xe2\x82\xac"), 1);       /* €: one unit */
    ASSERT_EQ(sc_utf16_length("a\xf0\x9f\x8e\xa4z"), 4); /* 🎤: a surrogate pair */
}
