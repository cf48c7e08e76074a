/* libFuzzer target: a config from arbitrary bytes through rd_config_parse, and a fixed rundown
 * linked against what it parsed.
 *
 * The input is the config file itself. Every diagnostic is formatted and the
 * config freed, so that LeakSanitizer sees any leak. A config that parses is
 * checked against what the model promises (every target has a host, a port
 * and a url, websocket targets a path, panics match their target) and a fixed
 * rundown whose cues name switcher, gfx, audio, prompter and lights is linked
 * against it, which exercises the unknown-target hints with fuzzed names. A
 * broken promise traps, so the fuzzer reports it as a crash.
 *
 * Build with `make build/fuzz/fuzz_config`; run with tests/fuzz/run.sh. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cue_timing.h"
#include "diag.h"
#include "parse.h"
#include "payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char RUNDOWN[] =
    "{\"format\": \"showcaller-rundown/1\", \"title\": \"Fixed\", \"items\": ["
    " {\"title\": \"Open\", \"duration\": \"30s\", \"cues\": ["
    "  {\"at\": \"-2s\", \"target\": \"switcher\", \"osc\": {\"address\": \"/atem/cut\"}},"
    "  {\"at\": \"0\", \"target\": \"gfx\", \"ws\": {\"action\": \"show\"}},"
    "  {\"at\": \"end-1s\", \"target\": \"audio\","
    "   \"osc\": {\"address\": \"/ch/01/mix/on\", \"types\": \"i\", \"args\": [0]}}]},"
    " {\"title\": \"Read\", \"duration\": \"1:00\", \"cues\": ["
    "  {\"at\": \"0\", \"target\": \"prompter\", \"osc\": {\"address\": \"/play\"}},"
    "  {\"at\": \"5s\", \"target\": \"lights\", \"ws\": \"scene 2\"}]}"
    "]}";

/* Parsed once; reachable from here until exit, so not a leak. */
static rd_rundown_t rundown;
static bool rundown_ready;

static rd_rundown_t *fixed_rundown(void)
{
    if (!rundown_ready) {
        rd_diags_t d = {0};
        d.file = "fixed-rundown.json";
        if (!rd_rundown_parse(RUNDOWN, strlen(RUNDOWN), &rundown, &d))
            __builtin_trap();
        rd_diags_free(&d);
        rundown_ready = true;
    }
    return &rundown;
}

static void format_all(const rd_diags_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        char *line = rd_diag_format(&d->items[i]);
        if (!line || !line[0])
            __builtin_trap();
        free(line);
    }
}

static bool valid_port(int port)
{
    return port >= 1 && port <= 65535;
}

/* What a config without errors promises its users (see model.h). */
static void check_config(const rd_config_t *c)
{
    if (!c->http.host || !valid_port(c->http.port) || !c->osc.host || !valid_port(c->osc.port))
        __builtin_trap();
    if (!c->data_dir || !c->data_dir[0])
        __builtin_trap();
    if (c->go_guard_ns < 0 || c->go_guard_ns > 10 * RD_NS_PER_S)
        __builtin_trap();
    for (size_t i = 0; i < c->nosc_allow; i++)
        if (!c->osc_allow[i])
            __builtin_trap();
    if ((c->control_token && !c->control_token[0]) || (c->view_token && !c->view_token[0]))
        __builtin_trap();
    for (size_t i = 0; i < c->ntargets; i++) {
        const rd_target_t *t = &c->targets[i];
        if (!t->name || !t->url || !t->host || !t->host[0] || !valid_port(t->port))
            __builtin_trap();
        if (rd_config_find_target(c, t->name) != (int)i)
            __builtin_trap(); /* names are JSON keys, so unique */
        if ((t->kind == RD_TARGET_WS) != (t->path != NULL) || (t->path && t->path[0] != '/'))
            __builtin_trap();
        if (t->latency_ns < 0 || t->latency_ns > 10 * RD_NS_PER_S)
            __builtin_trap();
        if (t->panic.kind == RD_PAYLOAD_OSC &&
            (t->kind == RD_TARGET_WS || !t->panic.osc.address ||
             rd_osc_encoded_size(&t->panic.osc) > RD_OSC_MAX_BYTES))
            __builtin_trap();
        if (t->panic.kind == RD_PAYLOAD_WS && (t->kind != RD_TARGET_WS || !t->panic.ws_text))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rd_config_t zero;
    rd_rundown_t *r = fixed_rundown();
    rd_diags_t d = {0};
    d.file = "fuzz.json";
    rd_config_t c;
    bool ok = rd_config_parse((const char *)data, size, &c, &d);
    if (ok != (d.errors == 0))
        __builtin_trap(); /* a failure must say why, and errors must fail */
    if (!ok && memcmp(&c, &zero, sizeof c) != 0)
        __builtin_trap(); /* "after an error *out is freed and zeroed" */
    if (ok) {
        check_config(&c);
        d.file = "fixed-rundown.json";
        rd_rundown_link(r, &c, &d);
        for (size_t i = 0; i < r->nitems; i++)
            if (rd_item_preroll_ns(&r->items[i], &c) < 0)
                __builtin_trap();
    }
    format_all(&d);
    rd_diags_free(&d);
    rd_config_free(&c);
    return 0;
}
