/* The show's model: ownership, defaults and look-ups. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "target_kind.h"
#include "xalloc.h"

void rd_payload_free(rd_payload_t *p)
{
    if (p->kind == RD_PAYLOAD_OSC) {
        for (size_t i = 0; i < p->osc.nargs; i++) {
            rd_osc_arg_t *a = &p->osc.args[i];
            if (a->tag == 's' || a->tag == 'S')
                free(a->v.s);
            else if (a->tag == 'b')
                free(a->v.b.data);
        }
        free(p->osc.args);
        free(p->osc.address);
        free(p->osc.types);
    }
    free(p->ws_text);
    free(p->obs.request);
    free(p->obs.data);
    free(p->http.method);
    free(p->http.path);
    for (size_t i = 0; i < p->http.nheaders; i++)
        free(p->http.headers[i]);
    free(p->http.headers);
    free(p->http.body);
    memset(p, 0, sizeof *p);
}

static void cue_free(rd_cue_t *c)
{
    free(c->id);
    free(c->label);
    free(c->target);
    rd_payload_free(&c->payload);
}

static void item_free(rd_item_t *it)
{
    free(it->id);
    free(it->title);
    free(it->notes);
    free(it->script);
    for (size_t i = 0; i < it->ncues; i++)
        cue_free(&it->cues[i]);
    free(it->cues);
}

void rd_rundown_free(rd_rundown_t *r)
{
    free(r->title);
    for (size_t i = 0; i < r->nitems; i++)
        item_free(&r->items[i]);
    free(r->items);
    memset(r, 0, sizeof *r);
}

void rd_config_defaults(rd_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->http.host = rd_xstrdup("0.0.0.0");
    c->http.port = 8080;
    c->osc.host = rd_xstrdup("0.0.0.0");
    c->osc.port = 9000;
    c->osc_allow = rd_xcalloc(1, sizeof *c->osc_allow);
    c->osc_allow[0] = rd_xstrdup("127.0.0.1");
    c->nosc_allow = 1;
    c->data_dir = rd_xstrdup("var");
    c->go_guard_ns = 500 * RD_NS_PER_MS;
    c->default_warn_ns = 30 * RD_NS_PER_S;
    c->default_critical_ns = 10 * RD_NS_PER_S;
    c->max_clients = 256;
    c->max_message_bytes = 65536;
    c->commands_per_second = 20;
}

void rd_config_free(rd_config_t *c)
{
    free(c->http.host);
    free(c->http_tls.cert);
    free(c->http_tls.key);
    free(c->osc.host);
    for (size_t i = 0; i < c->nosc_allow; i++)
        free(c->osc_allow[i]);
    free(c->osc_allow);
    free(c->data_dir);
    free(c->control_token);
    free(c->view_token);
    for (size_t i = 0; i < c->ntargets; i++) {
        rd_target_t *t = &c->targets[i];
        free(t->name);
        free(t->url);
        free(t->host);
        free(t->path);
        free(t->password);
        free(t->eol);
        free(t->ca);
        rd_payload_free(&t->panic);
    }
    free(c->targets);
    memset(c, 0, sizeof *c);
}

int rd_rundown_find_item(const rd_rundown_t *r, const char *id)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (strcmp(r->items[i].id, id) == 0)
            return (int)i;
    return -1;
}

int rd_config_find_target(const rd_config_t *c, const char *name)
{
    for (size_t i = 0; i < c->ntargets; i++)
        if (strcmp(c->targets[i].name, name) == 0)
            return (int)i;
    return -1;
}

const rd_cue_t *rd_rundown_find_cue(const rd_rundown_t *r, const char *id, int *item_index)
{
    for (size_t i = 0; i < r->nitems; i++)
        for (size_t j = 0; j < r->items[i].ncues; j++)
            if (strcmp(r->items[i].cues[j].id, id) == 0) {
                if (item_index)
                    *item_index = (int)i;
                return &r->items[i].cues[j];
            }
    return NULL;
}

const char *rd_start_rule_name(rd_start_rule_t rule)
{
    switch (rule) {
    case RD_START_GO:
        return "go";
    case RD_START_FOLLOW:
        return "follow";
    case RD_START_TIME:
        return "time";
    }
    return "?";
}

const char *rd_target_kind_name(rd_target_kind_t kind)
{
    const rd_target_kind_info_t *k = rd_target_kind_info(kind);
    return k ? k->name : "?";
}

void rd_rundown_shift(rd_rundown_t *r, const rd_shift_t *s)
{
    r->has_date = true;
    r->year = s->year;
    r->month = s->month;
    r->day = s->day;
    if (r->has_on_air)
        r->on_air_ns += s->delta_ns;
    if (r->has_off_air)
        r->off_air_ns += s->delta_ns;
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].start == RD_START_TIME)
            r->items[i].start_tod_ns += s->delta_ns;
}

int64_t rd_rundown_shift_to(const rd_rundown_t *r, int64_t target_tod_ns)
{
    if (r->has_on_air)
        return target_tod_ns - r->on_air_ns;
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].start == RD_START_TIME)
            return target_tod_ns - r->items[i].start_tod_ns;
    return 0;
}
