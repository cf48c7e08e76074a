/*
 * libFuzzer target for the command decoders every door uses: a websocket
 * message or HTTP body (JSON, sc_command_from_json) and OSC-style positional
 * arguments (sc_command_from_values). The first byte picks the form; for the
 * positional form the rest is split into typed values. A decoded command is
 * summarised for the as-run log (sc_command_args_json), which must always
 * give a JSON object. ASan's leak checker runs: nothing may leak.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "show/command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void summarise(const sc_command_t *c)
{
    json_t *args = sc_command_args_json(c);
    if (!json_is_object(args))
        __builtin_trap();
    char *text = json_dumps(args, JSON_COMPACT);
    if (!text)
        __builtin_trap(); /* every string we keep must be valid UTF-8 */
    free(text);
    json_decref(args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sc_command_t c;
    sc_result_t r;
    memset(&c, 0, sizeof c);
    if (data[0] & 1) {
        json_t *msg = json_loadb((const char *)data + 1, size - 1, 0, NULL);
        const char *name = json_string_value(json_object_get(msg, "cmd"));
        if (json_is_object(msg) && name && sc_command_from_json(name, msg, &c, &r))
            summarise(&c);
        else if (json_is_object(msg) && name && (r.ok || !r.code))
            __builtin_trap(); /* a refusal always carries a code */
        json_decref(msg);
        return 0;
    }
    /* Positional: "name\0" then values, each a kind byte and its payload. */
    const uint8_t *p = data + 1, *end = data + size;
    const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
    if (!nul)
        return 0;
    char name[64];
    size_t n = (size_t)(nul - p) < sizeof name - 1 ? (size_t)(nul - p) : sizeof name - 1;
    memcpy(name, p, n);
    name[n] = '\0';
    p = nul + 1;
    sc_value_t v[8];
    char strings[8][300];
    int nv = 0;
    while (p < end && nv < 8) {
        uint8_t kind = *p++ % 4;
        sc_value_t *x = &v[nv];
        memset(x, 0, sizeof *x);
        x->kind = (sc_val_kind_t)kind;
        if (kind == SC_VAL_INT || kind == SC_VAL_REAL) {
            uint64_t bits = 0;
            size_t take = end - p < 8 ? (size_t)(end - p) : 8;
            memcpy(&bits, p, take);
            p += take;
            x->i = (int64_t)bits;
            memcpy(&x->d, &bits, sizeof x->d);
        } else if (kind == SC_VAL_BOOL) {
            x->b = p < end && (*p++ & 1);
        } else {
            size_t len = p < end ? *p++ : 0;
            if (len > (size_t)(end - p))
                len = (size_t)(end - p);
            if (len > sizeof strings[nv] - 1)
                len = sizeof strings[nv] - 1;
            memcpy(strings[nv], p, len);
            strings[nv][len] = '\0';
            p += len;
            x->s = strings[nv];
        }
        nv++;
    }
    if (sc_command_from_values(name, v, nv, &c, &r))
        summarise(&c);
    else if (!r.code)
        __builtin_trap();
    return 0;
}
