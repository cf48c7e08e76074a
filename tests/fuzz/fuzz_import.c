/* libFuzzer target: a spreadsheet's CSV or an Ontime project from arbitrary bytes through the
 * importers (daemon/convert/), and what a save does with the result.
 *
 * The first byte picks the importer (even: CSV, against a fixed config so that cue messages map
 * by target kind; odd: Ontime), the rest is the file. A broken promise of the headers traps, so
 * the fuzzer reports it as a crash: NULL without an error; a document that does not dump to its
 * file's bytes, or whose bytes do not read back as the same document; a document that differs
 * from itself (sc_doc_diff); for CSV, an export that does not import again. Everything is freed,
 * so that LeakSanitizer sees any leak.
 *
 * Build with `make build/fuzz/fuzz_import`; run with tests/fuzz/run.sh. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert/doc_diff.h"
#include "convert/doc_dump.h"
#include "convert/export_csv.h"
#include "convert/import_csv.h"
#include "convert/import_ontime.h"
#include "diag.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char CONFIG[] = "{\"targets\": {"
                             " \"switcher\": {\"url\": \"osc.udp://127.0.0.1:9001\"},"
                             " \"gfx\": {\"url\": \"ws://127.0.0.1:9002/\"},"
                             " \"vmix\": {\"url\": \"http://127.0.0.1:8088/api\"},"
                             " \"caspar\": {\"url\": \"tcp://127.0.0.1:5250\", \"answer\": \"line\"},"
                             " \"obs\": {\"url\": \"obs://127.0.0.1:4455\"}}}";

static rd_config_t config;
static bool have_config;

static void check_doc(const json_t *doc)
{
    size_t len = 0;
    char *bytes = sc_doc_dump(doc, &len);
    if (!bytes || len != strlen(bytes))
        __builtin_trap();
    json_t *back = json_loadb(bytes, len, 0, NULL);
    if (!json_equal(back, doc))
        __builtin_trap();
    json_t *diff = sc_doc_diff(doc, doc);
    if (json_array_size(json_object_get(diff, "items")) != 0 ||
        json_array_size(json_object_get(diff, "show")) != 0)
        __builtin_trap();
    /* What --check or a save would say of it: it must not crash either. */
    rd_rundown_t r = {0};
    rd_diags_t d = {0};
    if (rd_rundown_parse(bytes, len, &r, &d))
        rd_rundown_link(&r, &config, &d);
    rd_rundown_free(&r);
    rd_diags_free(&d);
    json_decref(diff);
    json_decref(back);
    free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!have_config) {
        rd_diags_t d = {0};
        if (!rd_config_parse(CONFIG, sizeof CONFIG - 1, &config, &d))
            __builtin_trap();
        rd_diags_free(&d);
        have_config = true;
    }
    if (size < 1)
        return 0;
    bool csv = (data[0] & 1) == 0;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    rd_diags_t d = {0};
    json_t *doc = csv ? sc_import_csv(buf, len, &config, &d) : sc_import_ontime(buf, len, &d);
    if (!doc && d.errors == 0)
        __builtin_trap();
    if (doc && !json_is_object(doc))
        __builtin_trap();
    for (size_t i = 0; i < d.count; i++)
        free(rd_diag_format(&d.items[i]));
    rd_diags_free(&d);
    if (doc) {
        check_doc(doc);
        if (csv) {
            size_t n = 0;
            char *text = sc_export_csv(doc, &n);
            if (!text)
                __builtin_trap();
            rd_diags_t d2 = {0};
            json_t *again = sc_import_csv(text, n, &config, &d2);
            if (!again)
                __builtin_trap(); /* what we export, we import */
            json_decref(again);
            rd_diags_free(&d2);
            free(text);
        }
        json_decref(doc);
    }
    return 0;
}
