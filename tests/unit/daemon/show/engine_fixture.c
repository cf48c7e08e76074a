/* A test fixture for the show's daemon parts: a real engine and cue clock, one fake target. */
#include "engine_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ---- The fake kind ----------------------------------------------------------- */

/* The "wire" form of a payload is its OSC address, so a test can tell which
 * cue went out by its bytes. */
static bool fake_encode(const rd_payload_t *p, const rd_target_t *conf, uint8_t **out, size_t *len)
{
    (void)conf;
    if (p->kind != RD_PAYLOAD_OSC || !p->osc.address)
        return false;
    *len = strlen(p->osc.address);
    *out = malloc(*len);
    memcpy(*out, p->osc.address, *len);
    return true;
}

static int fake_open(sc_target_t *t)
{
    (void)t;
    return 0;
}

/* Logs the message and, like a websocket, completes later (EINPROGRESS):
 * the engine tracks the cue until the test calls sc_engine_target_done. */
static int fake_send(sc_target_t *t, uint64_t key, const uint8_t *bytes, size_t len,
                     int64_t *sent_mono)
{
    ef_t *f = t->impl;
    if (f->nsends < sizeof f->sends / sizeof f->sends[0]) {
        ef_send_t *s = &f->sends[f->nsends++];
        s->key = key;
        s->len = len;
        snprintf(s->bytes, sizeof s->bytes, "%.*s", (int)len, (const char *)bytes);
    }
    if (f->sends_err == 0)
        *sent_mono = sc_mono_ns();
    return f->sends_err;
}

static void fake_close(sc_target_t *t)
{
    t->closed = true;
}

/* Its kind says websocket, while the config says OSC/UDP: what the engine
 * logs as the protocol must come from the config. */
static const sc_target_ops_t fake_kind = {
    .kind = RD_TARGET_WS,
    .clock_sends = false,
    .answers = true,
    .encode = fake_encode,
    .open = fake_open,
    .send = fake_send,
    .close = fake_close,
};

/* ---- Callbacks ------------------------------------------------------------------ */

static uint64_t on_record(void *ctx, json_t *rec)
{
    ef_t *f = ctx;
    json_array_append_new(f->records, rec);
    return json_array_size(f->records);
}

static void on_changed(void *ctx)
{
    ef_t *f = ctx;
    f->changed++;
}

static void on_dispatch_changed(void *ctx)
{
    ef_t *f = ctx;
    f->dispatch_changed++;
}

/* ---- Set-up and teardown -------------------------------------------------------- */

bool ef_open(ef_t *f, const char *head, const char *items, const char *config)
{
    memset(f, 0, sizeof *f);
    f->sends_err = EINPROGRESS;
    rd_rundown_t r;
    if (!fx_load(head, items, config ? config : EF_CONFIG, &r, &f->config) ||
        f->config.ntargets != 1) {
        fx_unload(&r, &f->config);
        return false;
    }
    uv_loop_init(&f->loop);
    sc_clock_options_t o = {.capacity = 64};
    int err = 0;
    f->clock = sc_clock_start(&o, &err);
    if (!f->clock) {
        printf("# sc_clock_start: %s\n", strerror(err));
        fx_unload(&r, &f->config);
        uv_loop_close(&f->loop);
        return false;
    }
    sc_timebase_init(&f->tb, &r);
    f->records = json_array();
    f->target_env = (sc_target_env_t){.loop = &f->loop, .clock = f->clock, .ctx = f};
    sc_target_t *t = &f->targets[0];
    t->ops = &fake_kind;
    t->conf = &f->config.targets[0];
    t->index = 0;
    t->fd = -1;
    t->env = &f->target_env;
    t->impl = f;
    sc_engine_env_t env = {.loop = &f->loop,
                           .clock = f->clock,
                           .tb = &f->tb,
                           .config = &f->config,
                           .targets = f->targets,
                           .ntargets = 1,
                           .record = on_record,
                           .changed = on_changed,
                           .ctx = f};
    f->engine = sc_engine_new(&env, &r);
    t->ops->open(t);
    return true;
}

sc_dispatch_t *ef_dispatch(ef_t *f, void (*reload)(void *ctx, sc_result_t *r))
{
    sc_dispatch_env_t env = {.loop = &f->loop,
                             .engine = f->engine,
                             .config = &f->config,
                             .record = on_record,
                             .reload = reload,
                             .changed = on_dispatch_changed,
                             .ctx = f};
    f->dispatch = sc_dispatch_new(&env);
    return f->dispatch;
}

sc_state_doc_t *ef_state(ef_t *f, size_t (*clients)(void *ctx))
{
    sc_state_env_t env = {.engine = f->engine,
                          .dispatch = f->dispatch,
                          .targets = f->targets,
                          .ntargets = 1,
                          .tb = &f->tb,
                          .clients = clients,
                          .ctx = f};
    f->state = sc_state_new(&env);
    return f->state;
}

int ef_close(ef_t *f)
{
    sc_state_free(f->state);
    if (f->dispatch)
        sc_dispatch_close(f->dispatch);
    sc_engine_close(f->engine);
    sc_clock_stop(f->clock);
    /* What was still armed comes back cancelled; the engine takes it. */
    sc_engine_on_reports(f->engine);
    f->targets[0].ops->close(&f->targets[0]);
    sc_target_free_stats(&f->targets[0]);
    /* The closed handles live in the engine and the dispatcher until the
     * loop has run their close: free them after it (libuv, not built with
     * ASan, would read freed memory unseen). */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    if (f->dispatch)
        sc_dispatch_free(f->dispatch);
    sc_engine_free(f->engine);
    sc_clock_free(f->clock);
    int rc = uv_loop_close(&f->loop);
    if (!f->targets[0].closed)
        rc = -1;
    json_decref(f->records);
    rd_config_free(&f->config);
    return rc;
}

bool ef_rundown(const char *items, rd_rundown_t *out)
{
    /* The same config text links the cues to the same target indices. */
    rd_config_t c;
    bool ok = fx_load("", items, EF_CONFIG, out, &c);
    rd_config_free(&c);
    if (!ok)
        rd_rundown_free(out);
    return ok;
}

/* ---- Helpers --------------------------------------------------------------------- */

sc_result_t ef_command(ef_t *f, sc_cmd_id_t id, const char *item)
{
    sc_command_t c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.on = true;
    if (item) {
        snprintf(c.item, sizeof c.item, "%s", item);
        snprintf(c.cue, sizeof c.cue, "%s", item);
    }
    snprintf(c.source, sizeof c.source, "test");
    sc_result_t r;
    sc_engine_command(f->engine, &c, &r);
    return r;
}

json_t *ef_record(const ef_t *f, uint64_t seq)
{
    return seq ? json_array_get(f->records, seq - 1) : NULL;
}

size_t ef_nrecords(const ef_t *f)
{
    return json_array_size(f->records);
}

json_t *ef_last(const ef_t *f, const char *kind)
{
    for (size_t i = json_array_size(f->records); i-- > 0;) {
        json_t *r = json_array_get(f->records, i);
        const char *k = ef_str(r, "kind");
        if (k && strcmp(k, kind) == 0)
            return r;
    }
    return NULL;
}

size_t ef_count(const ef_t *f, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(f->records); i++) {
        const char *k = ef_str(json_array_get(f->records, i), "kind");
        if (k && strcmp(k, kind) == 0)
            n++;
    }
    return n;
}

const char *ef_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

const char *ef_str2(const json_t *o, const char *key, const char *sub)
{
    return json_string_value(json_object_get(json_object_get(o, key), sub));
}

const ef_send_t *ef_last_send(const ef_t *f)
{
    return f->nsends ? &f->sends[f->nsends - 1] : NULL;
}
