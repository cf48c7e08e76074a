/* Tests for convert/doc_dump.c (the file's layout) and convert/doc_diff.c (what changed). */
#include <stdlib.h>
#include <string.h>

#include "convert/doc_diff.h"
#include "convert/doc_dump.h"
#include "unit.h"

static json_t *doc(const char *text)
{
    json_error_t e;
    json_t *d = json_loads(text, JSON_DECODE_ANY, &e);
    if (!d)
        fprintf(stderr, "# bad test JSON: %s\n", e.text);
    return d;
}

TEST(doc_dump_lays_out_the_file_as_a_person_writes_it)
{
    json_t *d =
        doc("{\"format\": \"showcaller-rundown/1\", \"title\": \"T\", \"fps\": 25, \"items\": ["
            "{\"id\": \"a\", \"title\": \"A\", \"duration\": \"1:00\", \"tags\": [\"x\", \"y\"],"
            " \"cues\": [{\"id\": \"c\", \"at\": \"-2s\", \"target\": \"sw\", \"osc\": "
            "{\"address\": \"/go\","
            " \"args\": [1, 0.1]}}]}, {\"id\": \"b\", \"title\": \"B\"}, {\"id\": \"e\", \"cues\": "
            "[]}]}");
    size_t len = 0;
    char *s = sc_doc_dump(d, &len);
    ASSERT_STR_EQ(
        s, "{\n"
           "  \"format\": \"showcaller-rundown/1\",\n"
           "  \"title\": \"T\",\n"
           "  \"fps\": 25,\n"
           "  \"items\": [\n"
           "    {\n"
           "      \"id\": \"a\",\n"
           "      \"title\": \"A\",\n"
           "      \"duration\": \"1:00\",\n"
           "      \"tags\": [\"x\", \"y\"],\n"
           "      \"cues\": [\n"
           "        {\"id\": \"c\", \"at\": \"-2s\", \"target\": \"sw\", \"osc\": {\"address\": "
           "\"/go\", \"args\": [1, 0.1]}}\n"
           "      ]\n"
           "    },\n"
           "    {\n"
           "      \"id\": \"b\",\n"
           "      \"title\": \"B\"\n"
           "    },\n"
           "    {\n"
           "      \"id\": \"e\",\n"
           "      \"cues\": [\n"
           "      ]\n"
           "    }\n"
           "  ]\n"
           "}\n");
    ASSERT_EQ(len, strlen(s));
    /* It reads back as the same document. */
    json_t *back = json_loadb(s, len, 0, NULL);
    ASSERT_TRUE(json_equal(back, d));
    json_decref(back);
    free(s);
    json_decref(d);
    ASSERT_TRUE(sc_doc_dump(NULL, NULL) == NULL);
}

TEST(doc_dump_keeps_unicode_and_escapes)
{
    json_t *d = doc("{\"title\": \"Caf\\u00e9 \\\"live\\\"\\n\", \"items\": []}");
    char *s = sc_doc_dump(d, NULL);
    ASSERT_STR_EQ(s, "{\n  \"title\": \"Caf\xc3\xa9 \\\"live\\\"\\n\",\n  \"items\": []\n}\n");
    free(s);
    json_decref(d);
}

#define ITEMS(...) "{\"title\": \"S\", \"items\": [" __VA_ARGS__ "]}"
#define IT(id, extra) "{\"id\": \"" id "\", \"title\": \"" id "\"" extra "}"

static const json_t *entry(const json_t *diff, size_t i)
{
    return json_array_get(json_object_get(diff, "items"), i);
}

static const char *s_of(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

TEST(doc_diff_names_added_removed_and_changed_items_with_their_fields)
{
    json_t *a = doc(ITEMS(IT("a", ", \"duration\": \"1:00\"") "," IT("b", "") "," IT("c", "")));
    json_t *b = doc(ITEMS(
        IT("a", ", \"duration\": \"1:30\", \"notes\": \"n\"") "," IT("c", "") "," IT("d", "")));
    json_t *d = sc_doc_diff(a, b);
    ASSERT_EQ(json_array_size(json_object_get(d, "items")), 3);
    ASSERT_STR_EQ(s_of(entry(d, 0), "id"), "a");
    ASSERT_STR_EQ(s_of(entry(d, 0), "change"), "changed");
    const json_t *f = json_object_get(entry(d, 0), "fields");
    ASSERT_EQ(json_array_size(f), 2);
    ASSERT_STR_EQ(s_of(json_array_get(f, 0), "field"), "duration");
    ASSERT_STR_EQ(s_of(json_array_get(f, 0), "from"), "1:00");
    ASSERT_STR_EQ(s_of(json_array_get(f, 0), "to"), "1:30");
    ASSERT_STR_EQ(s_of(json_array_get(f, 1), "field"), "notes");
    ASSERT_TRUE(json_is_null(json_object_get(json_array_get(f, 1), "from")));
    /* c moved from index 2 to 1 only because b went: not "moved". */
    ASSERT_STR_EQ(s_of(entry(d, 1), "id"), "d");
    ASSERT_STR_EQ(s_of(entry(d, 1), "change"), "added");
    ASSERT_EQ(json_integer_value(json_object_get(entry(d, 1), "to_index")), 2);
    ASSERT_STR_EQ(s_of(entry(d, 2), "id"), "b");
    ASSERT_STR_EQ(s_of(entry(d, 2), "change"), "removed");
    ASSERT_EQ(json_integer_value(json_object_get(entry(d, 2), "from_index")), 1);
    ASSERT_STR_EQ(s_of(d, "summary"),
                  "added \"d\"; removed \"b\"; retimed \"a\" duration 1:00 -> 1:30; edited \"a\"");
    json_decref(d);
    json_decref(a);
    json_decref(b);
}

TEST(doc_diff_a_move_is_the_item_that_left_its_place)
{
    /* c taken to the top: only c moved, not a and b after it. */
    json_t *a = doc(ITEMS(IT("a", "") "," IT("b", "") "," IT("c", "") "," IT("d", "")));
    json_t *b = doc(ITEMS(IT("c", "") "," IT("a", "") "," IT("b", "") "," IT("d", "")));
    json_t *d = sc_doc_diff(a, b);
    ASSERT_EQ(json_array_size(json_object_get(d, "items")), 1);
    ASSERT_STR_EQ(s_of(entry(d, 0), "id"), "c");
    ASSERT_STR_EQ(s_of(entry(d, 0), "change"), "moved");
    ASSERT_EQ(json_integer_value(json_object_get(entry(d, 0), "from_index")), 2);
    ASSERT_EQ(json_integer_value(json_object_get(entry(d, 0), "to_index")), 0);
    ASSERT_STR_EQ(s_of(d, "summary"), "moved \"c\"");
    json_decref(d);
    json_decref(b);
    /* Moved and retimed: both said. */
    b = doc(
        ITEMS(IT("b", "") "," IT("a", ", \"duration\": \"5s\"") "," IT("c", "") "," IT("d", "")));
    d = sc_doc_diff(a, b);
    ASSERT_STR_EQ(s_of(d, "summary"), "moved \"b\"; retimed \"a\" duration none -> 5s");
    json_decref(d);
    json_decref(a);
    json_decref(b);
}

TEST(doc_diff_show_fields_many_items_and_no_change)
{
    json_t *a = doc("{\"title\": \"S\", \"off_air\": \"19:00:00\", \"items\": []}");
    json_t *b = doc(ITEMS(IT("a", "") "," IT("b", "") "," IT("c", "") "," IT("d", "")));
    json_t *d = sc_doc_diff(a, b);
    ASSERT_STR_EQ(s_of(d, "summary"), "added 4 items; show off_air changed");
    const json_t *show = json_object_get(d, "show");
    ASSERT_EQ(json_array_size(show), 1);
    ASSERT_STR_EQ(s_of(json_array_get(show, 0), "from"), "19:00:00");
    ASSERT_TRUE(json_is_null(json_object_get(json_array_get(show, 0), "to")));
    json_decref(d);
    char *s = sc_doc_summary(b, b);
    ASSERT_STR_EQ(s, "no change");
    free(s);
    s = sc_doc_summary(NULL, b);
    ASSERT_STR_EQ(s, "first version, 4 items");
    free(s);
    json_decref(a);
    json_decref(b);
}

TEST(doc_diff_a_large_reorder_is_quick_and_exact)
{
    /* 5,000 items, reversed: all but one moved (the longest kept run is one item). */
    json_t *a = json_object(), *b = json_object();
    json_t *ia = json_array(), *ib = json_array();
    for (int i = 0; i < 5000; i++) {
        char id[16];
        snprintf(id, sizeof id, "i%d", i);
        json_array_append_new(ia, json_pack("{s:s}", "id", id));
        snprintf(id, sizeof id, "i%d", 4999 - i);
        json_array_append_new(ib, json_pack("{s:s}", "id", id));
    }
    json_object_set_new(a, "items", ia);
    json_object_set_new(b, "items", ib);
    json_t *d = sc_doc_diff(a, b);
    ASSERT_EQ(json_array_size(json_object_get(d, "items")), 4999);
    ASSERT_STR_EQ(s_of(d, "summary"), "moved 4999 items");
    json_decref(d);
    json_decref(a);
    json_decref(b);
}
