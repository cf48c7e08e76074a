/* Tests for daemon/convert/import_csv.c: RFC 4180 reading, show lines, start rules, cue
 * messages per target kind, and errors placed at their line and column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/import_csv.h"
#include "fixture.h"
#include "parse.h"
#include "unit.h"

/* One target of every kind. */
static const char *kinds_config =
    "{'targets': {'sw': {'url': 'osc.udp://127.0.0.1:9001'}, 'gfx': {'url': "
    "'ws://127.0.0.1:9002/'}, 'obs': {'url': 'obs://127.0.0.1:4455'}, 'vmix': {'url': "
    "'http://127.0.0.1:8088/'}, 'caspar': {'url': 'tcp://127.0.0.1:5250'}}}";

typedef struct {
    rd_diags_t d;
    rd_config_t c;
    bool have_config;
    json_t *doc;
} fx_t;

static void fx_import(fx_t *f, const char *csv, bool with_config)
{
    memset(f, 0, sizeof *f);
    f->d.file = "show.csv";
    if (with_config) {
        char *text = fx_dq(kinds_config);
        rd_diags_t cd = {0};
        f->have_config = rd_config_parse(text, strlen(text), &f->c, &cd);
        rd_diags_free(&cd);
        free(text);
    }
    f->doc = sc_import_csv(csv, strlen(csv), f->have_config ? &f->c : NULL, &f->d);
}

static void fx_done(fx_t *f)
{
    json_decref(f->doc);
    rd_diags_free(&f->d);
    if (f->have_config)
        rd_config_free(&f->c);
}

/* The finding at line:column whose message contains text, or NULL. */
static const rd_diag_t *finding(const fx_t *f, int line, int column, const char *text)
{
    for (size_t i = 0; i < f->d.count; i++) {
        const rd_diag_t *g = &f->d.items[i];
        if (g->line == line && g->column == column && strstr(g->message, text))
            return g;
    }
    return NULL;
}

static const char *item_str(const json_t *doc, size_t i, const char *key)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(doc, "items"), i), key));
}

static const json_t *cue_of(const json_t *doc, size_t i, size_t j)
{
    const json_t *item = json_array_get(json_object_get(doc, "items"), i);
    return json_array_get(json_object_get(item, "cues"), j);
}

/* The payload of cue j of item i under key, compact JSON; caller frees. */
static char *payload_text(const json_t *doc, size_t i, size_t j, const char *key)
{
    const json_t *p = json_object_get(cue_of(doc, i, j), key);
    return p ? json_dumps(p, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : NULL;
}

TEST(csv_show_lines_and_items)
{
    fx_t f;
    fx_import(&f,
              "title,Evening News\n"
              "date,2026-11-27\n"
              "on_air,18:00:00\n"
              "off_air,18:30:00\n"
              "fps,30\n"
              "\n"
              "id,title,duration,warn,critical,notes,script\n"
              "open,Cold open,0:30,10s,5s,Anchor on cam 1,Good evening.\n"
              ",Headlines,1:30,,,,\n",
              false);
    ASSERT_TRUE(f.doc != NULL);
    ASSERT_EQ(f.d.errors, 0);
    ASSERT_EQ(f.d.warnings, 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "format")), RD_RUNDOWN_FORMAT);
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "title")), "Evening News");
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "date")), "2026-11-27");
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "on_air")), "18:00:00");
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "off_air")), "18:30:00");
    ASSERT_EQ(json_integer_value(json_object_get(f.doc, "fps")), 30);
    ASSERT_EQ(json_array_size(json_object_get(f.doc, "items")), 2);
    ASSERT_STR_EQ(item_str(f.doc, 0, "id"), "open");
    ASSERT_STR_EQ(item_str(f.doc, 0, "duration"), "0:30");
    ASSERT_STR_EQ(item_str(f.doc, 0, "warn"), "10s");
    ASSERT_STR_EQ(item_str(f.doc, 0, "critical"), "5s");
    ASSERT_STR_EQ(item_str(f.doc, 0, "notes"), "Anchor on cam 1");
    ASSERT_STR_EQ(item_str(f.doc, 0, "script"), "Good evening.");
    /* Empty cells are left out; the id comes from the title. */
    ASSERT_STR_EQ(item_str(f.doc, 1, "id"), "headlines");
    ASSERT_TRUE(item_str(f.doc, 1, "notes") == NULL);
    ASSERT_TRUE(json_object_get(json_array_get(json_object_get(f.doc, "items"), 1), "warn") ==
                NULL);
    fx_done(&f);
}

TEST(csv_quoting_bom_crlf_and_newlines_in_quotes)
{
    fx_t f;
    fx_import(&f,
              "\xEF\xBB\xBFtitle,\"Late, Live\"\r\n"
              "title,duration,notes\r\n"
              "\"Say \"\"hi\"\"\",1:00,\"line one\r\nline two, still notes\"\r\n"
              "Next,0:45,plain\r\n",
              false);
    ASSERT_TRUE(f.doc != NULL);
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "title")), "Late, Live");
    ASSERT_STR_EQ(item_str(f.doc, 0, "title"), "Say \"hi\"");
    ASSERT_STR_EQ(item_str(f.doc, 0, "notes"), "line one\nline two, still notes");
    ASSERT_STR_EQ(item_str(f.doc, 0, "id"), "say-hi");
    ASSERT_STR_EQ(item_str(f.doc, 1, "notes"), "plain");
    fx_done(&f);
}

TEST(csv_semicolon_separator)
{
    fx_t f;
    fx_import(&f,
              "title;Matin\n"
              "ID;Title;Duration;Notes\n"
              "a;Ouverture;0:30;un, deux\n",
              false);
    ASSERT_TRUE(f.doc != NULL);
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "title")), "Matin");
    ASSERT_STR_EQ(item_str(f.doc, 0, "title"), "Ouverture");
    ASSERT_STR_EQ(item_str(f.doc, 0, "notes"), "un, deux");
    fx_done(&f);
}

TEST(csv_start_rules)
{
    fx_t f;
    fx_import(&f,
              "title,Show\non_air,18:00:00\n"
              "title,start,duration\n"
              "A,,1:00\n"
              "B,go,1:00\n"
              "C,Follow,1:00\n"
              "D,18:15:00,1:00\n"
              "E,18:20,1:00\n"
              "F,9:30:00,1:00\n",
              false);
    ASSERT_TRUE(f.doc != NULL);
    ASSERT_TRUE(item_str(f.doc, 0, "start") == NULL);
    ASSERT_STR_EQ(item_str(f.doc, 1, "start"), "go");
    ASSERT_STR_EQ(item_str(f.doc, 2, "start"), "follow");
    ASSERT_STR_EQ(item_str(f.doc, 3, "start"), "18:15:00");
    ASSERT_STR_EQ(item_str(f.doc, 4, "start"), "18:20:00");
    ASSERT_STR_EQ(item_str(f.doc, 5, "start"), "09:30:00");
    fx_done(&f);
}

TEST(csv_bad_start_rules)
{
    fx_t f;
    fx_import(&f,
              "title,start,duration\n"
              "A,follow,1:00\n"
              "B,whenever,1:00\n"
              "C,18:15:00,1:00\n",
              false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 2, 2, "the first item has nothing to follow") != NULL);
    ASSERT_TRUE(finding(&f, 3, 2, "start \"whenever\" is not a start rule") != NULL);
    ASSERT_TRUE(finding(&f, 4, 2, "needs the show's on_air") != NULL);
    ASSERT_EQ(f.d.errors, 3);
    fx_done(&f);
}

TEST(csv_cue_payloads_osc_without_config)
{
    fx_t f;
    fx_import(&f,
              "title,duration,cue 1 target,cue 1 at,cue 1 message,cue 1 label,cue 2 target,cue 2 "
              "message\n"
              "A,1:00,sw,-2s,\"/atem/preview 3 0.5 true \"\"a b\"\" word -7\",Preview,sw,"
              "\"/ch/01/mix/fader ,f 0\"\n",
              false);
    ASSERT_TRUE(f.doc != NULL);
    char *p = payload_text(f.doc, 0, 0, "osc");
    ASSERT_STR_EQ(p, "{\"address\":\"/atem/preview\",\"args\":[3,0.5,true,\"a b\",\"word\",-7]}");
    free(p);
    ASSERT_STR_EQ(json_string_value(json_object_get(cue_of(f.doc, 0, 0), "at")), "-2s");
    ASSERT_STR_EQ(json_string_value(json_object_get(cue_of(f.doc, 0, 0), "label")), "Preview");
    p = payload_text(f.doc, 0, 1, "osc");
    ASSERT_STR_EQ(p, "{\"address\":\"/ch/01/mix/fader\",\"types\":\"f\",\"args\":[0]}");
    free(p);
    /* Without an at, the cue fires at the item's start (the format's default). */
    ASSERT_TRUE(json_object_get(cue_of(f.doc, 0, 1), "at") == NULL);
    fx_done(&f);
}

TEST(csv_cue_payloads_per_target_kind)
{
    fx_t f;
    fx_import(&f,
              "title,duration,cue 1 target,cue 1 message,cue 2 target,cue 2 message,cue 3 target,"
              "cue 3 message,cue 4 target,cue 4 message\n"
              "A,1:00,gfx,\"{\"\"action\"\": \"\"play\"\"}\",gfx,hello there,obs,Cam 2,obs,"
              "\"SetInputMute {\"\"inputName\"\": \"\"Mic\"\", \"\"inputMuted\"\": true}\"\n"
              "B,1:00,obs,StartStream,obs,scene: Intro,vmix,GET /api/?Function=Cut,vmix,"
              "\"post /cue {\"\"n\"\": 1}\"\n"
              "C,1:00,vmix,PUT /text hello world,caspar,PLAY 1-10 AMB,sw,/go,,\n",
              true);
    ASSERT_TRUE(f.doc != NULL);
    static const struct {
        size_t item, cue;
        const char *key, *json;
    } want[] = {
        {0, 0, "ws", "{\"action\":\"play\"}"},
        {0, 1, "ws", "\"hello there\""},
        {0, 2, "obs",
         "{\"request\":\"SetCurrentProgramScene\",\"data\":{\"sceneName\":\"Cam 2\"}}"},
        {0, 3, "obs",
         "{\"request\":\"SetInputMute\",\"data\":{\"inputName\":\"Mic\",\"inputMuted\":true}}"},
        {1, 0, "obs", "{\"request\":\"StartStream\"}"},
        {1, 1, "obs",
         "{\"request\":\"SetCurrentProgramScene\",\"data\":{\"sceneName\":\"Intro\"}}"},
        {1, 2, "http", "{\"method\":\"GET\",\"path\":\"/api/?Function=Cut\"}"},
        {1, 3, "http", "{\"method\":\"POST\",\"path\":\"/cue\",\"body\":{\"n\":1}}"},
        {2, 0, "http", "{\"method\":\"PUT\",\"path\":\"/text\",\"body\":\"hello world\"}"},
        {2, 1, "tcp", "\"PLAY 1-10 AMB\""},
        {2, 2, "osc", "{\"address\":\"/go\"}"},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        char *p = payload_text(f.doc, want[k].item, want[k].cue, want[k].key);
        ASSERT_STR_EQ(p, want[k].json);
        free(p);
    }
    fx_done(&f);
}

TEST(csv_bad_rows_report_line_and_column)
{
    fx_t f;
    /* Line 3's notes run over two lines, so the next row starts on line 5. */
    fx_import(&f,
              "title,Show\n"
              "id,title,duration,notes,cue 1 target,cue 1 at,cue 1 message\n"
              "a,One,1:00,\"two\nlines\",sw,0,/go\n"
              "b,Two,2:6o,,swicher,0,/go\n"
              "c,Three,1:00,,,5s,/x\n"
              "a,Four,1:00,,sw,5,/x\n"
              "e,Five,1:00,,gfx,0,{broken\n"
              "f,Six,1:00,,sw,0,atem/cut\n",
              true);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 5, 3, "duration: \"2:6o\" is not a valid duration") != NULL);
    ASSERT_TRUE(finding(&f, 5, 5, "unknown target \"swicher\" (the config defines sw, gfx") !=
                NULL);
    ASSERT_TRUE(finding(&f, 6, 5, "cue 1 has no target") != NULL);
    ASSERT_TRUE(finding(&f, 7, 1, "duplicate id \"a\" (first used on line 3)") != NULL);
    ASSERT_TRUE(finding(&f, 7, 6, "cue 1 at: \"5\" needs a unit") != NULL);
    ASSERT_TRUE(finding(&f, 9, 7, "is not an OSC message") != NULL);
    /* A ws text that looks like broken JSON is sent as text, with a warning. */
    ASSERT_TRUE(finding(&f, 8, 7, "starts like JSON but is not JSON") != NULL);
    ASSERT_EQ(f.d.errors, 6);
    char *line = rd_diag_format(finding(&f, 5, 3, "duration"));
    ASSERT_CONTAINS(line, "show.csv:5:3: duration: \"2:6o\" is not a valid duration");
    free(line);
    fx_done(&f);
}

TEST(csv_header_errors)
{
    fx_t f;
    fx_import(&f,
              "title,length,cue 1 at,cue 2 target,cue 2 message,,cue 2 target\n"
              "One,1:00,0,sw,/go,stray,sw\n",
              false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 1, 2, "unknown column \"length\"") != NULL);
    ASSERT_TRUE(finding(&f, 1, 1, "no duration column") != NULL);
    ASSERT_TRUE(finding(&f, 1, 3, "there is no \"cue 1 target\" column") != NULL);
    ASSERT_TRUE(finding(&f, 1, 3, "there is no \"cue 1 message\" column") != NULL);
    ASSERT_TRUE(finding(&f, 1, 7, "is given twice (first in column 4)") != NULL);
    ASSERT_TRUE(finding(&f, 2, 6, "a value in a column the header does not name") != NULL);
    fx_done(&f);
}

TEST(csv_format_errors)
{
    fx_t f;
    fx_import(&f, "title,duration\nA,1:00\n\"B,1:00\n", false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 3, 1, "has no closing '\"'") != NULL);
    fx_done(&f);

    fx_import(&f, "title,duration\n\"A\"x,1:00\n", false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 2, 1, "text after the closing quote") != NULL);
    fx_done(&f);

    fx_import(&f, "title,duration\nCaf\xe9,1:00\n", false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 2, 1, "not UTF-8") != NULL);
    fx_done(&f);

    fx_import(&f, "just,some,cells\n1,2,3\n", false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 1, 1, "no header row") != NULL);
    fx_done(&f);

    fx_import(&f, "timezone,Europe/Oslo\nbanner text\ntitle,duration\nA,1:00\n", false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 1, 1, "a rundown has no time zone") != NULL);
    ASSERT_TRUE(finding(&f, 2, 1, "is not a show line") != NULL);
    fx_done(&f);

    fx_import(&f, "title,Show\ndate,2026-02-30\nfps,0\ntitle,duration\n", false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 2, 2, "date: \"2026-02-30\" is not a valid date") != NULL);
    ASSERT_TRUE(finding(&f, 3, 2, "fps \"0\" is not a whole number") != NULL);
    ASSERT_TRUE(finding(&f, 4, 1, "no items") != NULL);
    fx_done(&f);
}

TEST(csv_without_title_line_warns)
{
    fx_t f;
    fx_import(&f, "title,duration\nA,1:00\n", false);
    ASSERT_TRUE(f.doc != NULL);
    ASSERT_STR_EQ(json_string_value(json_object_get(f.doc, "title")), "Untitled show");
    ASSERT_TRUE(finding(&f, 1, 1, "no title line") != NULL);
    ASSERT_EQ(f.d.warnings, 1);
    fx_done(&f);
}

TEST(csv_generated_ids_are_unique)
{
    fx_t f;
    fx_import(&f,
              "id,title,duration,cue 1 id,cue 1 target,cue 1 message\n"
              ",News,1:00,,,\n"
              ",News,1:00,,,\n"
              "news-3,Other,1:00,news-4,sw,/x\n"
              ",News,1:00,,,\n"
              ",!!!,1:00,,,\n",
              false);
    ASSERT_TRUE(f.doc != NULL);
    ASSERT_STR_EQ(item_str(f.doc, 0, "id"), "news");
    ASSERT_STR_EQ(item_str(f.doc, 1, "id"), "news-2");
    ASSERT_STR_EQ(item_str(f.doc, 3, "id"), "news-5");
    ASSERT_STR_EQ(item_str(f.doc, 4, "id"), "item-5");
    fx_done(&f);
}

/* The rundown parser's own findings come back at their cells: an OSC type tag that does not
 * fit its argument, a warn longer than the item. */
TEST(csv_parser_findings_placed_at_cells)
{
    fx_t f;
    fx_import(&f,
              "title,duration,warn,cue 1 target,cue 1 message\n"
              "A,0:20,30s,sw,\"/x ,i hello\"\n",
              false);
    ASSERT_TRUE(f.doc == NULL);
    ASSERT_TRUE(finding(&f, 2, 5, "type tag 'i' needs an integer") != NULL);
    const rd_diag_t *w = finding(&f, 2, 3, "warns at 0:30 remaining");
    ASSERT_TRUE(w != NULL);
    ASSERT_EQ(w->severity, RD_WARNING);
    fx_done(&f);
}
