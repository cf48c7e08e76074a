/* Tests for rundown/fields.c: paths, unknown fields and "did you mean". */
#include <string.h>

#include "fields.h"
#include "unit.h"

TEST(fields_paths)
{
    ASSERT_STR_EQ(rd__path_key("", "items").s, "items");
    ASSERT_STR_EQ(rd__path_index("items", 3).s, "items[3]");
    ASSERT_STR_EQ(rd__path_key(rd__path_index("items", 3).s, "at").s, "items[3].at");
}

TEST(fields_suggest_near_misses_only)
{
    static const char *const words[] = {"duration", "title", "start", "cues", "on_air"};
    ASSERT_STR_EQ(rd__suggest("duraton", words, 5), "duration");
    ASSERT_STR_EQ(rd__suggest("Title", words, 5), "title");
    ASSERT_STR_EQ(rd__suggest("onair", words, 5), "on_air");
    ASSERT_STR_EQ(rd__suggest("cue", words, 5), "cues");
    ASSERT_TRUE(rd__suggest("colour", words, 5) == NULL);
    ASSERT_TRUE(rd__suggest("x", words, 5) == NULL);
    ASSERT_TRUE(rd__suggest("", words, 5) == NULL);
}

TEST(fields_check_reports_each_unknown_key)
{
    static const char *const known[] = {"url", "latency", NULL};
    json_t *o = json_loads("{\"url\": 1, \"latncy\": 2, \"zzz\": 3}", 0, NULL);
    rd_diags_t d = {0};
    rd__check_fields(o, "targets.a", known, &d);
    ASSERT_EQ(d.errors, 2);
    ASSERT_STR_EQ(d.items[0].path, "targets.a.latncy");
    ASSERT_STR_EQ(d.items[0].message, "unknown field \"latncy\" (did you mean \"latency\"?)");
    ASSERT_STR_EQ(d.items[1].message, "unknown field \"zzz\"");
    rd_diags_free(&d);
    json_decref(o);
}

TEST(fields_valid_ids)
{
    rd_diags_t d = {0};
    ASSERT_TRUE(rd__valid_id("pkg-council_2.v1", "id", "p", &d));
    ASSERT_FALSE(rd__valid_id("two words", "id", "p", &d));
    ASSERT_FALSE(rd__valid_id("", "id", "p", &d));
    ASSERT_FALSE(rd__valid_id("tab\there", "id", "p", &d));
    char long_id[80];
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    ASSERT_FALSE(rd__valid_id(long_id, "id", "p", &d));
    ASSERT_EQ(d.errors, 4);
    ASSERT_STR_EQ(d.items[1].message, "the id cannot be empty");
    rd_diags_free(&d);
}
