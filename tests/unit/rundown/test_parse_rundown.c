/* Tests for rundown/parse_rundown.c: the rundown file to the model. */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "unit.h"

/* Parses text; returns whether it was valid. *d collects findings. */
static bool parse(const char *text, rd_rundown_t *r, rd_diags_t *d)
{
    memset(d, 0, sizeof *d);
    d->file = "show.json";
    return rd_rundown_parse(text, strlen(text), r, d);
}

/* The formatted finding number i, for comparing whole messages. */
static const char *finding(const rd_diags_t *d, size_t i)
{
    static char buf[512];
    if (i >= d->count)
        return "(no such finding)";
    char *s = rd_diag_format(&d->items[i]);
    strncpy(buf, s, sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    free(s);
    return buf;
}

#define HEAD "{\"format\": \"showcaller-rundown/1\", \"title\": \"T\", "

TEST(parse_rundown_brief_example)
{
    const char *text =
        HEAD "\"date\": \"2026-11-27\", \"on_air\": \"18:00:00\", \"off_air\": \"18:30:00\", "
             "\"fps\": 25, \"items\": ["
             "{\"id\": \"open\", \"title\": \"Cold open\", \"start\": \"18:00:00\", "
             " \"duration\": \"45s\", \"warn\": \"15s\", \"critical\": \"5s\", "
             " \"notes\": \"Anchor on cam 1\", \"script\": \"Good evening\", \"cues\": ["
             "  {\"id\": \"open-preview\", \"at\": \"-2s\", \"target\": \"switcher\", "
             "   \"osc\": {\"address\": \"/atem/preview\", \"args\": [3]}},"
             "  {\"at\": \"0\", \"target\": \"switcher\", \"osc\": {\"address\": \"/atem/cut\"}},"
             "  {\"at\": \"5s\", \"target\": \"gfx\", \"ws\": {\"action\": \"play\", "
             "   \"template\": \"bug\"}},"
             "  {\"at\": \"end-3s\", \"target\": \"audio\", \"osc\": {\"address\": "
             "   \"/ch/01/mix/fader\", \"types\": \"f\", \"args\": [0.0]}}]},"
             "{\"id\": \"headlines\", \"title\": \"Headlines\", \"start\": \"follow\", "
             " \"duration\": \"1:30\"},"
             "{\"id\": \"pkg-council\", \"title\": \"Package: council vote\", "
             " \"duration\": \"2:10\"}]}";
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_TRUE(parse(text, &r, &d));
    ASSERT_EQ(d.count, 0);
    ASSERT_STR_EQ(r.title, "T");
    ASSERT_TRUE(r.has_date);
    ASSERT_EQ(r.year, 2026);
    ASSERT_EQ(r.month, 11);
    ASSERT_EQ(r.day, 27);
    ASSERT_EQ(r.on_air_ns, 18 * RD_NS_PER_HOUR);
    ASSERT_EQ(r.off_air_ns, 18 * RD_NS_PER_HOUR + 30 * RD_NS_PER_MIN);
    ASSERT_EQ(r.fps, 25);
    ASSERT_EQ(r.nitems, 3);

    const rd_item_t *open = &r.items[0];
    ASSERT_STR_EQ(open->id, "open");
    ASSERT_EQ(open->start, RD_START_TIME);
    ASSERT_EQ(open->start_tod_ns, 18 * RD_NS_PER_HOUR);
    ASSERT_EQ(open->duration_ns, 45 * RD_NS_PER_S);
    ASSERT_EQ(open->warn_ns, 15 * RD_NS_PER_S);
    ASSERT_EQ(open->critical_ns, 5 * RD_NS_PER_S);
    ASSERT_STR_EQ(open->notes, "Anchor on cam 1");
    ASSERT_STR_EQ(open->script, "Good evening");
    ASSERT_EQ(open->ncues, 4);

    ASSERT_STR_EQ(open->cues[0].id, "open-preview");
    ASSERT_EQ(open->cues[0].anchor, RD_FROM_START);
    ASSERT_EQ(open->cues[0].offset_ns, -2 * RD_NS_PER_S);
    ASSERT_STR_EQ(open->cues[0].target, "switcher");
    ASSERT_EQ(open->cues[0].target_index, -1);
    ASSERT_EQ(open->cues[0].payload.kind, RD_PAYLOAD_OSC);
    ASSERT_STR_EQ(open->cues[0].payload.osc.address, "/atem/preview");
    ASSERT_STR_EQ(open->cues[0].payload.osc.types, "i");
    ASSERT_EQ(open->cues[0].payload.osc.args[0].v.i, 3);

    /* Cues without ids get "<item>.<n>", n counting from 1 in the item. */
    ASSERT_STR_EQ(open->cues[1].id, "open.2");
    ASSERT_TRUE(open->cues[1].id_generated);
    ASSERT_EQ(open->cues[1].payload.osc.nargs, 0);
    ASSERT_STR_EQ(open->cues[1].payload.osc.types, "");

    ASSERT_EQ(open->cues[2].payload.kind, RD_PAYLOAD_WS);
    ASSERT_STR_EQ(open->cues[2].payload.ws_text, "{\"action\":\"play\",\"template\":\"bug\"}");
    ASSERT_EQ(open->cues[2].offset_ns, 5 * RD_NS_PER_S);

    ASSERT_EQ(open->cues[3].anchor, RD_FROM_END);
    ASSERT_EQ(open->cues[3].offset_ns, -3 * RD_NS_PER_S);
    ASSERT_STR_EQ(open->cues[3].payload.osc.types, "f");

    ASSERT_EQ(r.items[1].start, RD_START_FOLLOW);
    ASSERT_EQ(r.items[1].duration_ns, 90 * RD_NS_PER_S);
    ASSERT_EQ(r.items[2].start, RD_START_GO); /* the default */
    ASSERT_EQ(r.items[2].duration_ns, 130 * RD_NS_PER_S);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_defaults)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_TRUE(parse(HEAD "\"items\": [{\"title\": \"A\", \"duration\": 90}]}", &r, &d));
    ASSERT_EQ(r.fps, 25);
    ASSERT_FALSE(r.has_date);
    ASSERT_FALSE(r.has_on_air);
    ASSERT_FALSE(r.has_off_air);
    ASSERT_EQ(r.items[0].start, RD_START_GO);
    ASSERT_EQ(r.items[0].duration_ns, 90 * RD_NS_PER_S); /* a JSON integer is seconds */
    ASSERT_EQ(r.items[0].warn_ns, 0);
    ASSERT_TRUE(r.items[0].notes == NULL);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_generated_item_ids_are_slugs_and_unique)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_TRUE(parse(HEAD "\"items\": ["
                           "{\"title\": \"Cold open!\", \"duration\": 1},"
                           "{\"title\": \"Cold  open\", \"duration\": 1},"
                           "{\"id\": \"weather\", \"title\": \"W\", \"duration\": 1},"
                           "{\"title\": \"Weather\", \"duration\": 1},"
                           "{\"title\": \"***\", \"duration\": 1}]}",
                      &r, &d));
    ASSERT_STR_EQ(r.items[0].id, "cold-open");
    ASSERT_TRUE(r.items[0].id_generated);
    ASSERT_STR_EQ(r.items[1].id, "cold-open-2");
    ASSERT_STR_EQ(r.items[2].id, "weather");
    ASSERT_FALSE(r.items[2].id_generated);
    ASSERT_STR_EQ(r.items[3].id, "weather-2"); /* never takes a given id */
    ASSERT_STR_EQ(r.items[4].id, "item-5");    /* no letters in the title */
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_generated_cue_id_avoids_given_ids)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_TRUE(parse(HEAD "\"items\": [{\"id\": \"a\", \"title\": \"A\", \"duration\": 1, "
                           "\"cues\": [{\"target\": \"t\", \"ws\": 1}, "
                           "{\"id\": \"a.1\", \"target\": \"t\", \"ws\": 2}]}]}",
                      &r, &d));
    ASSERT_STR_EQ(r.items[0].cues[1].id, "a.1");
    ASSERT_STR_EQ(r.items[0].cues[0].id, "a.1-2");
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_hard_start_before_on_air_is_next_day)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_TRUE(parse(HEAD "\"on_air\": \"23:30:00\", \"off_air\": \"00:30:00\", \"items\": ["
                           "{\"title\": \"A\", \"duration\": \"30:00\"},"
                           "{\"title\": \"B\", \"start\": \"00:00:00\", \"duration\": \"30:00\"},"
                           "{\"title\": \"C\", \"start\": \"23:45:00\", \"duration\": 0}]}",
                      &r, &d));
    ASSERT_EQ(r.off_air_ns, RD_NS_PER_DAY + 30 * RD_NS_PER_MIN);
    ASSERT_EQ(r.items[1].start_tod_ns, RD_NS_PER_DAY);
    ASSERT_EQ(r.items[2].start_tod_ns, 23 * RD_NS_PER_HOUR + 45 * RD_NS_PER_MIN); /* same day */
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_first_hard_start_implies_on_air)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_TRUE(parse(HEAD "\"items\": [{\"title\": \"A\", \"start\": \"22:00:00\", "
                           "\"duration\": 60}, {\"title\": \"B\", \"start\": \"01:00:00\", "
                           "\"duration\": 60}]}",
                      &r, &d));
    ASSERT_TRUE(r.has_on_air);
    ASSERT_TRUE(r.on_air_implied);
    ASSERT_EQ(r.on_air_ns, 22 * RD_NS_PER_HOUR);
    ASSERT_EQ(r.items[1].start_tod_ns, RD_NS_PER_DAY + RD_NS_PER_HOUR);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_frames_use_show_fps)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_TRUE(parse(HEAD "\"fps\": 50, \"items\": [{\"title\": \"A\", "
                           "\"duration\": \"00:00:01:25\"}]}",
                      &r, &d));
    ASSERT_EQ(r.items[0].duration_ns, 1500 * RD_NS_PER_MS);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_reports_every_error)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_FALSE(parse(HEAD "\"items\": ["
                            "{\"title\": \"A\", \"duration\": \"1:75\"},"
                            "{\"title\": \"B\", \"duration\": \"-1s\"},"
                            "{\"title\": \"C\", \"duration\": 1, \"cues\": [{\"at\": \"end-3\", "
                            "\"target\": \"x\", \"osc\": {\"address\": \"/a\"}}]}]}",
                       &r, &d));
    ASSERT_EQ(d.errors, 3);
    ASSERT_STR_EQ(finding(&d, 0), "show.json: items[0].duration: \"1:75\" is not a valid "
                                  "duration: seconds must be below 60");
    ASSERT_STR_EQ(finding(&d, 1),
                  "show.json: items[1].duration: \"-1s\": a duration cannot be negative");
    ASSERT_STR_EQ(finding(&d, 2), "show.json: items[2].cues[0].at: \"end-3\" needs a unit or a "
                                  "time form (e.g. end-3s)");
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_syntax_error_has_line_and_column)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_FALSE(parse("{\n  \"title\": \"x\",\n  oops\n}", &r, &d));
    ASSERT_EQ(d.errors, 1);
    /* jansson places the column at the end of the token it could not use. */
    ASSERT_EQ(d.items[0].line, 3);
    ASSERT_EQ(d.items[0].column, 6);
    ASSERT_CONTAINS(finding(&d, 0), "show.json:3:6: not valid JSON: ");
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_invalid_utf8_is_a_syntax_error)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_FALSE(parse(HEAD "\"items\": [{\"title\": \"\xff\", \"duration\": 1}]}", &r, &d));
    ASSERT_EQ(d.errors, 1);
    ASSERT_TRUE(d.items[0].line > 0);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_nul_in_buffer_is_refused)
{
    static const char text[] = HEAD "\"items\": [{\"title\": \"A\", \"duration\": 1}]}\0junk";
    rd_rundown_t r;
    rd_diags_t d = {0};
    d.file = "show.json";
    ASSERT_FALSE(rd_rundown_parse(text, sizeof text - 1, &r, &d));
    ASSERT_EQ(d.errors, 1);
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_warnings_do_not_fail)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_TRUE(parse(HEAD "\"items\": [{\"title\": \"A\", \"duration\": \"10s\", \"warn\": "
                           "\"20s\", \"cues\": [{\"at\": \"15s\", \"target\": \"t\", \"ws\": "
                           "\"x\"}]}]}",
                      &r, &d));
    ASSERT_EQ(d.errors, 0);
    ASSERT_EQ(d.warnings, 2);
    ASSERT_STR_EQ(finding(&d, 0), "show.json: items[0].warn: warning: warns at 0:20 remaining, "
                                  "but the item is only 0:10 long");
    ASSERT_STR_EQ(finding(&d, 1), "show.json: items[0].cues[0].at: warning: fires 0:05 after the "
                                  "item's planned end (write end+... if that is meant)");
    rd_rundown_free(&r);
    rd_diags_free(&d);
}

TEST(parse_rundown_keeps_partial_model_after_errors)
{
    rd_rundown_t r;
    rd_diags_t d;
    ASSERT_FALSE(parse(HEAD "\"items\": [{\"title\": \"A\", \"duration\": \"bad\", \"cues\": "
                            "[{\"target\": \"sw\", \"osc\": {\"address\": \"/x\"}}]}, 7]}",
                       &r, &d));
    ASSERT_EQ(r.nitems, 2);
    ASSERT_STR_EQ(r.items[0].cues[0].target, "sw");
    ASSERT_STR_EQ(r.items[1].title, "");
    ASSERT_STR_EQ(r.items[1].id, "item-2");
    rd_rundown_free(&r);
    rd_diags_free(&d);
}
