/* Tests for daemon/convert/export_csv.c: the CSV written, and read back by sc_import_csv as the
 * same document (config/evening-news.json on config/demo.json, and every payload kind). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/export_csv.h"
#include "convert/import_csv.h"
#include "fixture.h"
#include "load.h"
#include "parse.h"
#include "unit.h"

static json_t *load_json(const char *path)
{
    rd_diags_t d = {0};
    d.file = path;
    size_t len = 0;
    char *buf = sc_load_file(path, &len, &d);
    rd_diags_free(&d);
    json_error_t e;
    json_t *v = buf ? json_loadb(buf, len, 0, &e) : NULL;
    free(buf);
    return v;
}

static void print_findings(const rd_diags_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        char *line = rd_diag_format(&d->items[i]);
        printf("#   %s\n", line);
        free(line);
    }
}

/* Exports doc, imports the CSV with config and says whether the result equals doc. */
static bool round_trips(const json_t *doc, const rd_config_t *config, char **csv_out)
{
    size_t len = 0;
    char *csv = sc_export_csv(doc, &len);
    if (!csv)
        return false;
    rd_diags_t d = {0};
    d.file = "export.csv";
    json_t *back = sc_import_csv(csv, len, config, &d);
    bool same = back && json_equal(back, (json_t *)doc);
    if (!same) {
        print_findings(&d);
        char *a = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char *b = back ? json_dumps(back, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        printf("#   want %s\n#   got  %s\n", a, b ? b : "(null)");
        free(a);
        free(b);
    }
    json_decref(back);
    rd_diags_free(&d);
    if (csv_out)
        *csv_out = csv;
    else
        free(csv);
    return same;
}

TEST(export_csv_text)
{
    char *text = fx_dq("{'format': 'showcaller-rundown/1', 'title': 'Late, Live', 'fps': 25, "
                       "'items': [{'id': 'a', 'title': 'Say \\'hi\\'', 'duration': 90, "
                       "'notes': 'one\\ntwo', 'cues': [{'at': '-2s', 'target': 'sw', "
                       "'osc': {'address': '/x', 'args': [1, 'two words', 0.1]}}]}, "
                       "{'id': 'b', 'title': 'B', 'start': 'follow', 'duration': '1:00'}]}");
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    free(text);
    ASSERT_TRUE(doc != NULL);
    size_t len = 0;
    char *csv = sc_export_csv(doc, &len);
    ASSERT_TRUE(csv != NULL);
    ASSERT_EQ(len, strlen(csv));
    ASSERT_STR_EQ(csv, "title,\"Late, Live\"\r\n"
                       "fps,25\r\n"
                       "id,title,start,duration,warn,critical,notes,script,"
                       "cue 1 target,cue 1 at,cue 1 message,cue 1 label\r\n"
                       "a,\"Say \"\"hi\"\"\",,90,,,\"one\ntwo\",,sw,-2s,"
                       "\"/x 1 \"\"two words\"\" 0.1\",\r\n"
                       "b,B,follow,1:00,,,,,,,,\r\n");
    free(csv);
    ASSERT_TRUE(sc_export_csv(json_array_get(json_object_get(doc, "items"), 5), NULL) == NULL);
    json_decref(doc);
}

/* The demo show uses only what the CSV carries, so it comes back exactly. */
TEST(export_csv_round_trips_the_demo_show)
{
    json_t *doc = load_json("config/evening-news.json");
    ASSERT_TRUE(doc != NULL);
    rd_diags_t d = {0};
    d.file = "config/demo.json";
    rd_config_t c;
    bool ok = sc_load_config("config/demo.json", &c, &d);
    print_findings(&d);
    rd_diags_free(&d);
    ASSERT_TRUE(ok);
    char *csv = NULL;
    bool same = round_trips(doc, &c, &csv);
    rd_config_free(&c);
    json_decref(doc);
    ASSERT_TRUE(same);
    /* 23 items, a header and five show lines. */
    size_t rows = 0;
    for (const char *p = csv; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    free(csv);
    ASSERT_EQ(rows, 23 + 1 + 5);
}

TEST(export_csv_round_trips_every_payload_kind)
{
    char *cfg =
        fx_dq("{'targets': {'sw': {'url': 'osc.udp://127.0.0.1:9001'}, 'gfx': {'url': "
              "'ws://127.0.0.1:9002/'}, 'obs': {'url': 'obs://127.0.0.1:4455'}, 'vmix': {'url': "
              "'http://127.0.0.1:8088/'}, 'caspar': {'url': 'tcp://127.0.0.1:5250'}}}");
    rd_config_t c;
    rd_diags_t d = {0};
    ASSERT_TRUE(rd_config_parse(cfg, strlen(cfg), &c, &d));
    free(cfg);
    rd_diags_free(&d);
    char *text = fx_dq(
        "{'format': 'showcaller-rundown/1', 'title': 'Kinds', 'items': [{'id': 'a', 'title': "
        "'A', 'duration': '1:00', 'cues': ["
        "{'target': 'sw', 'osc': {'address': '/m', 'types': 'ifsTNm', 'args': [1, 0.25, '42', "
        "true, null, [0, 144, 60, 127]]}},"
        "{'target': 'sw', 'osc': {'address': '/s', 'args': ['', 'a\\'b', ',x', 'true']}},"
        "{'target': 'gfx', 'ws': {'action': 'play', 'n': [1, 2]}},"
        "{'target': 'gfx', 'ws': 'plain text'},"
        "{'target': 'gfx', 'ws': '{\\'looks\\': \\'like JSON\\'}'},"
        "{'target': 'gfx', 'ws': 42},"
        "{'target': 'obs', 'obs': {'request': 'SetCurrentProgramScene', 'data': {'sceneName': "
        "'Cam 2'}}},"
        "{'target': 'obs', 'obs': {'request': 'SetCurrentProgramScene', 'data': {'sceneName': "
        "'Intro'}}},"
        "{'target': 'obs', 'obs': {'request': 'StartStream'}},"
        "{'target': 'obs', 'obs': {'request': 'SetInputMute', 'data': {'inputName': 'Mic', "
        "'inputMuted': true}}},"
        "{'target': 'vmix', 'http': {'path': '/api/?Function=Cut'}},"
        "{'target': 'vmix', 'http': {'method': 'POST', 'path': '/x', 'body': {'a': 1}}},"
        "{'target': 'vmix', 'http': {'method': 'POST', 'path': '/x', 'body': 'some text'}},"
        "{'target': 'vmix', 'http': {'method': 'POST', 'path': '/x', 'body': '[1]'}},"
        "{'target': 'vmix', 'http': {'method': 'PUT', 'path': '/h', 'headers': {'X-Key': '1'}}},"
        "{'target': 'caspar', 'tcp': 'PLAY 1-10 AMB'}]}]}");
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    free(text);
    ASSERT_TRUE(doc != NULL);
    char *csv = NULL;
    bool same = round_trips(doc, &c, &csv);
    rd_config_free(&c);
    json_decref(doc);
    if (!same)
        printf("#   %s\n", csv);
    ASSERT_TRUE(same);
    /* Short forms where they read back the same; JSON where they would not. */
    ASSERT_CONTAINS(csv, ",\"/m ,ifsTNm 1 0.25 \"\"42\"\" true null [0,144,60,127]\",");
    ASSERT_CONTAINS(csv, ",\"/s \"\"\"\" a\"\"b \"\",x\"\" \"\"true\"\"\",");
    ASSERT_CONTAINS(csv, ",Cam 2,");
    ASSERT_CONTAINS(csv, ",scene: Intro,");
    ASSERT_CONTAINS(csv, ",StartStream,");
    ASSERT_CONTAINS(csv, ",/api/?Function=Cut,");
    ASSERT_CONTAINS(csv, ",POST /x some text,");
    ASSERT_CONTAINS(csv, "{\"\"method\"\":\"\"PUT\"\"");
    ASSERT_CONTAINS(csv, ",PLAY 1-10 AMB,");
    free(csv);
}
