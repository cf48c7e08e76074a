/* Tests for daemon/convert/import_ontime.c: Ontime 4 and Ontime 3 projects mapped to items,
 * what is not carried said at its JSON path, and input that is not an Ontime project. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/import_ontime.h"
#include "fixture.h"
#include "load.h"
#include "parse.h"
#include "unit.h"

typedef struct {
    rd_diags_t d;
    json_t *doc;
} fx_t;

static void fx_import(fx_t *f, const char *buf, size_t len)
{
    memset(f, 0, sizeof *f);
    f->d.file = "db.json";
    f->doc = sc_import_ontime(buf, len, &f->d);
}

static void fx_done(fx_t *f)
{
    json_decref(f->doc);
    rd_diags_free(&f->d);
}

static const rd_diag_t *at_path(const fx_t *f, const char *path, const char *text)
{
    for (size_t i = 0; i < f->d.count; i++)
        if (strcmp(f->d.items[i].path, path) == 0 && strstr(f->d.items[i].message, text))
            return &f->d.items[i];
    return NULL;
}

static const json_t *item(const json_t *doc, size_t i)
{
    return json_array_get(json_object_get(doc, "items"), i);
}

static const char *field(const json_t *doc, size_t i, const char *key)
{
    return json_string_value(json_object_get(item(doc, i), key));
}

/* The result must be a rundown the parser takes without an error. */
static bool parses(const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    rd_diags_t d = {0};
    rd_rundown_t r;
    bool ok = rd_rundown_parse(text, strlen(text), &r, &d);
    for (size_t i = 0; i < d.count; i++) {
        char *line = rd_diag_format(&d.items[i]);
        printf("#   parse: %s\n", line);
        free(line);
    }
    rd_rundown_free(&r);
    rd_diags_free(&d);
    free(text);
    return ok;
}

TEST(ontime4_sample_project)
{
    rd_diags_t ld = {0};
    ld.file = "config/ontime-sample.json";
    size_t len = 0;
    char *buf = sc_load_file("config/ontime-sample.json", &len, &ld);
    rd_diags_free(&ld);
    ASSERT_TRUE(buf != NULL);
    fx_t f;
    fx_import(&f, buf, len);
    free(buf);
    ASSERT_TRUE(f.doc != NULL);
    ASSERT_EQ(f.d.errors, 0);
    ASSERT_TRUE(parses(f.doc));
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "title")),
                  "Live Production Awards 2026");
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "on_air")), "18:30:00");
    /* Seven events, the skipped one left out; the group's two events in their place. */
    ASSERT_EQ(json_array_size(json_object_get(f.doc, "items")), 6);
    ASSERT_STR_EQ(field(f.doc, 0, "id"), "1");
    ASSERT_STR_EQ(field(f.doc, 0, "title"), "Doors and walk-in");
    ASSERT_STR_EQ(field(f.doc, 0, "duration"), "30:00");
    ASSERT_STR_EQ(field(f.doc, 0, "warn"), "5:00");
    ASSERT_STR_EQ(field(f.doc, 0, "critical"), "1:00");
    ASSERT_STR_EQ(field(f.doc, 0, "notes"), "House lights at 50%. Holding slide on both screens.\n"
                                            "Camera: Wide, cam 4\nAudio: Walk-in playlist");
    ASSERT_TRUE(field(f.doc, 0, "start") == NULL);
    /* Welcome is linked (planned after the doors) but waits for GO; it plays next. */
    ASSERT_TRUE(field(f.doc, 1, "start") == NULL);
    ASSERT_STR_EQ(field(f.doc, 2, "start"), "follow");
    ASSERT_CONTAINS(field(f.doc, 3, "notes"), "Ontime delay before this event: +5:00");
    ASSERT_TRUE(at_path(&f, "rundowns.default.entries.b7d410", "group \"Opening\" not carried"));
    ASSERT_TRUE(at_path(&f, "rundowns.default.entries.e55d01", "delay of +5:00 not carried"));
    ASSERT_TRUE(at_path(&f, "rundowns.default.entries.a7c2e9", "skipped event \"Sponsor video\""));
    ASSERT_TRUE(at_path(&f, "rundowns.default.entries.f61b07.timeStart",
                        "scheduled start 19:35:00 not carried (a gap of 5:00"));
    ASSERT_TRUE(at_path(&f, "rundowns.default.entries.f61b07.timerType", "count-up"));
    ASSERT_TRUE(at_path(&f, "rundowns.default.entries.b8e3f0.triggers", "1 automation trigger"));
    ASSERT_TRUE(at_path(&f, "rundowns.default.entries.d402aa.colour", "colours not carried"));
    fx_done(&f);
}

TEST(ontime3_rundown_array)
{
    char *text =
        fx_dq("{'rundown': ["
              "{'type': 'event', 'id': 'x1', 'cue': 'SF 1.01', 'title': 'Albania', 'timeStart': "
              "36000000, 'timeEnd': 37200000, 'duration': 1200000, 'endAction': 'play-next', "
              "'custom': {'song': 'Sekret', 'artist': ''}},"
              "{'type': 'block', 'id': 'b1', 'title': 'Morning'},"
              "{'type': 'delay', 'id': 'd1', 'duration': -60000},"
              "{'type': 'event', 'id': 'x2', 'cue': '', 'title': 'Latvia', 'timeStart': 37200000, "
              "'timeEnd': 37500000, 'linkStart': null},"
              "{'type': 'event', 'id': 'x3', 'cue': 'SF 1.01', 'title': '', 'timeStart': 86000000, "
              "'timeEnd': 600000, 'linkStart': 'x2', 'timerType': 'clock'}],"
              "'project': {'title': ''},"
              "'customFields': {'song': {'label': 'Song', 'type': 'string', 'colour': ''}}}");
    fx_t f;
    fx_import(&f, text, strlen(text));
    free(text);
    ASSERT_TRUE(f.doc != NULL);
    ASSERT_TRUE(parses(f.doc));
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "title")), "Ontime show");
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "on_air")), "10:00:00");
    ASSERT_STR_EQ(field(f.doc, 0, "id"), "SF-1.01");
    ASSERT_STR_EQ(field(f.doc, 0, "notes"), "Song: Sekret");
    ASSERT_STR_EQ(field(f.doc, 1, "id"), "latvia");
    ASSERT_STR_EQ(field(f.doc, 1, "start"), "follow");
    ASSERT_STR_EQ(field(f.doc, 1, "duration"), "5:00"); /* timeEnd - timeStart */
    ASSERT_CONTAINS(field(f.doc, 1, "notes"), "Ontime delay before this event: -1:00");
    /* A duplicate cue gets a suffix; an empty title takes the cue. */
    ASSERT_STR_EQ(field(f.doc, 2, "id"), "SF-1.01-2");
    ASSERT_STR_EQ(field(f.doc, 2, "title"), "SF 1.01");
    ASSERT_STR_EQ(field(f.doc, 2, "duration"), "16:40"); /* across midnight */
    ASSERT_TRUE(field(f.doc, 2, "start") == NULL);
    ASSERT_TRUE(at_path(&f, "rundown[1]", "block \"Morning\" not carried"));
    ASSERT_TRUE(at_path(&f, "rundown[2]", "delay of -1:00 not carried"));
    ASSERT_TRUE(at_path(&f, "rundown[4].timerType", "timer type \"clock\""));
    fx_done(&f);
}

TEST(ontime_bad_input)
{
    fx_t f;
    fx_import(&f, "{\"rundowns\": {\n  \"default\": [1,\n}", 35);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_EQ(f.d.errors, 1);
    ASSERT_EQ(f.d.items[0].line, 3);
    ASSERT_CONTAINS(f.d.items[0].message, "not valid JSON");
    fx_done(&f);

    fx_import(&f, "[1, 2]", 6);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_CONTAINS(f.d.items[0].message, "is a JSON object");
    fx_done(&f);

    fx_import(&f, "{\"settings\": {}}", 16);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_CONTAINS(f.d.items[0].message, "not an Ontime project");
    fx_done(&f);

    const char *no_duration = "{\"rundown\": [{\"type\": \"event\", \"title\": \"A\"}]}";
    fx_import(&f, no_duration, strlen(no_duration));
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(at_path(&f, "rundown[0].duration", "missing"));
    fx_done(&f);

    const char *only_delay = "{\"rundown\": [{\"type\": \"delay\", \"duration\": 1000}]}";
    fx_import(&f, only_delay, strlen(only_delay));
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(at_path(&f, "", "no events to import"));
    fx_done(&f);

    const char *bad_rundown = "{\"rundowns\": {\"default\": {\"entries\": []}}}";
    fx_import(&f, bad_rundown, strlen(bad_rundown));
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(at_path(&f, "rundowns.default", "has \"entries\""));
    fx_done(&f);
}
