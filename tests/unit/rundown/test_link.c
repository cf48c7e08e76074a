/* Tests for rundown/link.c: cues resolved against the config's targets. */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "unit.h"

static const char *config_text =
    "{\"targets\": {\"switcher\": {\"url\": \"osc.udp://127.0.0.1:9001\"},"
    " \"gfx\": {\"url\": \"ws://127.0.0.1:9002/\"}}}";

static bool link_text(const char *rundown, rd_diags_t *d)
{
    memset(d, 0, sizeof *d);
    d->file = "show.json";
    rd_config_t c;
    rd_rundown_t r;
    rd_config_parse(config_text, strlen(config_text), &c, d);
    rd_rundown_parse(rundown, strlen(rundown), &r, d);
    bool ok = rd_rundown_link(&r, &c, d);
    if (ok) {
        /* Every cue points at the target it names. */
        for (size_t i = 0; i < r.nitems; i++)
            for (size_t j = 0; j < r.items[i].ncues; j++) {
                const rd_cue_t *cue = &r.items[i].cues[j];
                if (strcmp(c.targets[cue->target_index].name, cue->target) != 0)
                    ok = false;
            }
    }
    rd_rundown_free(&r);
    rd_config_free(&c);
    return ok;
}

#define SHOW(cues)                                                                                 \
    "{\"format\": \"showcaller-rundown/1\", \"title\": \"T\", \"items\": [{\"title\": \"A\", "     \
    "\"duration\": 10, \"cues\": [" cues "]}]}"

TEST(link_resolves_targets)
{
    rd_diags_t d;
    ASSERT_TRUE(link_text(SHOW("{\"target\": \"gfx\", \"ws\": \"x\"}, {\"target\": \"switcher\", "
                               "\"osc\": {\"address\": \"/cut\"}}"),
                          &d));
    ASSERT_EQ(d.count, 0);
    rd_diags_free(&d);
}

TEST(link_unknown_target_with_hint)
{
    rd_diags_t d;
    ASSERT_FALSE(
        link_text(SHOW("{\"target\": \"Switcher\", \"osc\": {\"address\": \"/cut\"}}"), &d));
    ASSERT_EQ(d.errors, 1);
    ASSERT_STR_EQ(d.items[0].path, "items[0].cues[0].target");
    ASSERT_STR_EQ(d.items[0].message, "unknown target \"Switcher\" (did you mean \"switcher\"?)");
    rd_diags_free(&d);
}

TEST(link_unknown_target_lists_targets)
{
    rd_diags_t d;
    ASSERT_FALSE(link_text(SHOW("{\"target\": \"lights\", \"osc\": {\"address\": \"/go\"}}"), &d));
    ASSERT_STR_EQ(d.items[0].message,
                  "unknown target \"lights\" (the config defines switcher, gfx)");
    rd_diags_free(&d);
}

TEST(link_payload_must_fit_target)
{
    rd_diags_t d;
    ASSERT_FALSE(link_text(SHOW("{\"target\": \"gfx\", \"osc\": {\"address\": \"/x\"}}, "
                                "{\"target\": \"switcher\", \"ws\": \"cut\"}"),
                           &d));
    ASSERT_EQ(d.errors, 2);
    ASSERT_STR_EQ(d.items[0].path, "items[0].cues[0]");
    ASSERT_CONTAINS(d.items[0].message, "is a websocket target");
    ASSERT_CONTAINS(d.items[1].message, "is an OSC target");
    rd_diags_free(&d);
}

/* Items that give no warn or critical take the config's defaults (30 s and
 * 10 s unless defaults says otherwise), but only where the item is longer
 * than them; an item's own value, 0 included, stays. */
TEST(link_applies_default_thresholds)
{
    const char *cfg = "{\"defaults\": {\"warn\": \"45s\", \"critical\": \"15s\"}}";
    const char *show = "{\"format\": \"showcaller-rundown/1\", \"title\": \"T\", \"items\": ["
                       "{\"title\": \"A\", \"duration\": \"2:00\"},"
                       "{\"title\": \"B\", \"duration\": \"20s\"},"
                       "{\"title\": \"C\", \"duration\": \"2:00\", \"warn\": \"0\", "
                       "\"critical\": \"5s\"}]}";
    rd_diags_t d = {0};
    rd_config_t c;
    rd_rundown_t r;
    ASSERT_TRUE(rd_config_parse(cfg, strlen(cfg), &c, &d));
    ASSERT_TRUE(rd_rundown_parse(show, strlen(show), &r, &d));
    ASSERT_TRUE(rd_rundown_link(&r, &c, &d));
    ASSERT_EQ(r.items[0].warn_ns, 45 * RD_NS_PER_S);
    ASSERT_EQ(r.items[0].critical_ns, 15 * RD_NS_PER_S);
    ASSERT_EQ(r.items[1].warn_ns, 0);
    ASSERT_EQ(r.items[1].critical_ns, 15 * RD_NS_PER_S);
    ASSERT_EQ(r.items[2].warn_ns, 0);
    ASSERT_EQ(r.items[2].critical_ns, 5 * RD_NS_PER_S);
    rd_rundown_free(&r);
    rd_config_free(&c);
    ASSERT_TRUE(rd_config_parse("{}", 2, &c, &d));
    ASSERT_EQ(c.default_warn_ns, 30 * RD_NS_PER_S);
    ASSERT_EQ(c.default_critical_ns, 10 * RD_NS_PER_S);
    rd_config_free(&c);
    rd_diags_free(&d);
}
