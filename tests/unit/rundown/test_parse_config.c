/* Tests for rundown/parse_config.c: the config file to the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "unit.h"

static bool parse(const char *text, rd_config_t *c, rd_diags_t *d)
{
    memset(d, 0, sizeof *d);
    d->file = "config.json";
    return rd_config_parse(text, strlen(text), c, d);
}

TEST(parse_config_defaults)
{
    rd_config_t c;
    rd_diags_t d;
    ASSERT_TRUE(parse("{}", &c, &d));
    ASSERT_STR_EQ(c.http.host, "0.0.0.0");
    ASSERT_EQ(c.http.port, 8080);
    ASSERT_STR_EQ(c.osc.host, "0.0.0.0");
    ASSERT_EQ(c.osc.port, 9000);
    ASSERT_EQ(c.nosc_allow, 1);
    ASSERT_STR_EQ(c.osc_allow[0], "127.0.0.1");
    ASSERT_STR_EQ(c.data_dir, "var");
    ASSERT_EQ(c.go_guard_ns, 500 * RD_NS_PER_MS);
    ASSERT_TRUE(c.control_token == NULL);
    ASSERT_TRUE(c.view_token == NULL);
    ASSERT_EQ(c.ntargets, 0);
    rd_config_free(&c);
    rd_diags_free(&d);
}

TEST(parse_config_brief_example)
{
    const char *text =
        "{\"http\": {\"listen\": \"127.0.0.1:8081\"},"
        " \"osc\": {\"listen\": \"[::1]:9100\", \"allow\": [\"127.0.0.1\", \"::1\"]},"
        " \"data_dir\": \"/var/lib/showcaller\", \"go_guard\": \"750ms\","
        " \"auth\": {\"control_token\": \"0123456789abcdef\", \"view_token\": null},"
        " \"targets\": {"
        "  \"switcher\": {\"url\": \"osc.udp://127.0.0.1:9001\", \"latency\": \"0ms\"},"
        "  \"gfx\": {\"url\": \"ws://127.0.0.1:9002/graphics\", \"latency\": \"40ms\","
        "           \"panic\": {\"ws\": {\"action\": \"clear\"}}},"
        "  \"obs\": {\"url\": \"ws://obs.local\"},"
        "  \"audio\": {\"url\": \"osc.tcp://127.0.0.1:9003\", \"framing\": \"slip\","
        "             \"panic\": {\"osc\": {\"address\": \"/main/st/mix/on\", \"types\": \"i\","
        "                                 \"args\": [0]}}}}}";
    rd_config_t c;
    rd_diags_t d;
    ASSERT_TRUE(parse(text, &c, &d));
    ASSERT_EQ(d.count, 0);
    ASSERT_STR_EQ(c.http.host, "127.0.0.1");
    ASSERT_EQ(c.http.port, 8081);
    ASSERT_STR_EQ(c.osc.host, "::1");
    ASSERT_EQ(c.osc.port, 9100);
    ASSERT_EQ(c.nosc_allow, 2);
    ASSERT_STR_EQ(c.osc_allow[1], "::1");
    ASSERT_STR_EQ(c.data_dir, "/var/lib/showcaller");
    ASSERT_EQ(c.go_guard_ns, 750 * RD_NS_PER_MS);
    ASSERT_STR_EQ(c.control_token, "0123456789abcdef");
    ASSERT_TRUE(c.view_token == NULL);
    ASSERT_EQ(c.ntargets, 4);

    int sw = rd_config_find_target(&c, "switcher");
    ASSERT_TRUE(sw >= 0);
    ASSERT_EQ(c.targets[sw].kind, RD_TARGET_OSC_UDP);
    ASSERT_STR_EQ(c.targets[sw].host, "127.0.0.1");
    ASSERT_EQ(c.targets[sw].port, 9001);
    ASSERT_TRUE(c.targets[sw].path == NULL);
    ASSERT_EQ(c.targets[sw].panic.kind, RD_PAYLOAD_NONE);

    int gfx = rd_config_find_target(&c, "gfx");
    ASSERT_EQ(c.targets[gfx].kind, RD_TARGET_WS);
    ASSERT_STR_EQ(c.targets[gfx].path, "/graphics");
    ASSERT_EQ(c.targets[gfx].latency_ns, 40 * RD_NS_PER_MS);
    ASSERT_STR_EQ(c.targets[gfx].panic.ws_text, "{\"action\":\"clear\"}");

    int obs = rd_config_find_target(&c, "obs");
    ASSERT_STR_EQ(c.targets[obs].host, "obs.local");
    ASSERT_EQ(c.targets[obs].port, 80);
    ASSERT_STR_EQ(c.targets[obs].path, "/");

    int audio = rd_config_find_target(&c, "audio");
    ASSERT_EQ(c.targets[audio].kind, RD_TARGET_OSC_TCP);
    ASSERT_EQ(c.targets[audio].framing, RD_FRAMING_SLIP);
    ASSERT_EQ(c.targets[audio].panic.kind, RD_PAYLOAD_OSC);
    ASSERT_STR_EQ(c.targets[audio].panic.osc.address, "/main/st/mix/on");
    ASSERT_EQ(c.targets[audio].panic.osc.args[0].v.i, 0);
    ASSERT_EQ(rd_config_find_target(&c, "nope"), -1);
    rd_config_free(&c);
    rd_diags_free(&d);
}

TEST(parse_config_tcp_framing_defaults_to_length_prefix)
{
    rd_config_t c;
    rd_diags_t d;
    ASSERT_TRUE(parse("{\"targets\": {\"a\": {\"url\": \"osc.tcp://10.0.0.5:53000\"}}}", &c, &d));
    ASSERT_EQ(c.targets[0].framing, RD_FRAMING_LENGTH);
    ASSERT_EQ(c.targets[0].port, 53000);
    rd_config_free(&c);
    rd_diags_free(&d);
}

TEST(parse_config_errors_free_and_zero_the_config)
{
    rd_config_t c;
    rd_diags_t d;
    ASSERT_FALSE(parse("{\"http\": {\"listen\": \"nowhere\"}, \"go_guard\": \"x\"}", &c, &d));
    ASSERT_EQ(d.errors, 2);
    ASSERT_TRUE(c.http.host == NULL);
    ASSERT_TRUE(c.targets == NULL);
    rd_diags_free(&d);
}

TEST(parse_config_listen_forms)
{
    static const struct {
        const char *listen;
        bool ok;
    } cases[] = {
        {"0.0.0.0:8080", true}, {"[::]:80", true},          {"127.0.0.1:65535", true},
        {"127.0.0.1:0", false}, {"127.0.0.1:65536", false}, {"127.0.0.1", false},
        {":8080", false},       {"localhost:8080", false},  {"[::1]8080", false},
        {"1.2.3.4:80x", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "{\"http\": {\"listen\": \"%s\"}}", cases[i].listen);
        rd_config_t c;
        rd_diags_t d;
        bool ok = parse(text, &c, &d);
        if (ok != cases[i].ok)
            unit_fail(__FILE__, __LINE__, "listen \"%s\": parsed %d, want %d", cases[i].listen, ok,
                      cases[i].ok);
        if (ok)
            rd_config_free(&c);
        rd_diags_free(&d);
    }
}

TEST(parse_config_tls_paths_kept_as_written)
{
    rd_config_t c;
    rd_diags_t d;
    ASSERT_TRUE(parse("{}", &c, &d));
    ASSERT_TRUE(c.http_tls.cert == NULL);
    ASSERT_TRUE(c.http_tls.key == NULL);
    rd_config_free(&c);
    rd_diags_free(&d);

    ASSERT_TRUE(
        parse("{\"http\": {\"listen\": \"0.0.0.0:8443\","
              " \"tls\": {\"cert\": \"tls/cert.pem\", \"key\": \"/etc/showcaller/key.pem\"}}}",
              &c, &d));
    ASSERT_EQ(d.count, 0);
    ASSERT_EQ(c.http.port, 8443);
    /* The library opens no file: relative paths stay relative, unchecked. */
    ASSERT_STR_EQ(c.http_tls.cert, "tls/cert.pem");
    ASSERT_STR_EQ(c.http_tls.key, "/etc/showcaller/key.pem");
    rd_config_free(&c);
    ASSERT_TRUE(c.http_tls.cert == NULL);
    rd_diags_free(&d);
}

/* Every error in one pass, at its JSON path. */
static void tls_errors(const char *tls, const char *want_path, const char *want_message)
{
    char text[256];
    snprintf(text, sizeof text, "{\"http\": {\"tls\": %s}}", tls);
    rd_config_t c;
    rd_diags_t d;
    bool ok = parse(text, &c, &d);
    bool found = false;
    for (size_t i = 0; i < d.count; i++)
        if (strcmp(d.items[i].path, want_path) == 0 && strstr(d.items[i].message, want_message))
            found = true;
    if (ok || !found)
        unit_fail(__FILE__, __LINE__, "tls %s: parsed %d, want an error at %s containing \"%s\"",
                  tls, ok, want_path, want_message);
    if (ok)
        rd_config_free(&c);
    rd_diags_free(&d);
}

TEST(parse_config_tls_errors)
{
    tls_errors("{\"cert\": \"c.pem\"}", "http.tls.key", "missing (required)");
    tls_errors("{\"key\": \"k.pem\"}", "http.tls.cert", "missing (required)");
    tls_errors("{}", "http.tls.cert", "missing (required)");
    tls_errors("{}", "http.tls.key", "missing (required)");
    tls_errors("{\"cert\": \"c.pem\", \"key\": \"k.pem\", \"ca\": \"x\"}", "http.tls.ca",
               "unknown field");
    tls_errors("{\"cert\": \"c.pem\", \"kee\": \"k.pem\"}", "http.tls.kee", "did you mean \"key\"");
    tls_errors("{\"cert\": \"\", \"key\": \"k.pem\"}", "http.tls.cert", "cannot be empty");
    tls_errors("{\"cert\": \"c.pem\", \"key\": 5}", "http.tls.key", "must be a string");
    tls_errors("true", "http.tls", "must be an object");
    tls_errors("null", "http.tls", "must be an object");
    tls_errors("\"c.pem\"", "http.tls", "must be an object");
}

TEST(parse_config_tls_error_frees_the_config)
{
    rd_config_t c;
    rd_diags_t d;
    ASSERT_FALSE(parse("{\"http\": {\"tls\": {\"cert\": \"c.pem\"}}}", &c, &d));
    ASSERT_EQ(d.errors, 1);
    ASSERT_TRUE(c.http_tls.cert == NULL);
    ASSERT_TRUE(c.http_tls.key == NULL);
    rd_diags_free(&d);
}

TEST(parse_config_defaults_section)
{
    rd_config_t c;
    rd_diags_t d;
    ASSERT_TRUE(parse("{\"defaults\": {\"warn\": \"1:00\", \"critical\": \"0\"}}", &c, &d));
    ASSERT_EQ(c.default_warn_ns, 60 * RD_NS_PER_S);
    ASSERT_EQ(c.default_critical_ns, 0);
    rd_config_free(&c);
    rd_diags_free(&d);
    ASSERT_FALSE(
        parse("{\"defaults\": {\"warn\": \"10s\", \"critical\": \"20s\", \"warm\": 1}}", &c, &d));
    ASSERT_EQ(d.errors, 2);
    char *a = rd_diag_format(&d.items[0]), *b = rd_diag_format(&d.items[1]);
    ASSERT_STR_EQ(a, "config.json: defaults.warm: unknown field \"warm\" (did you mean \"warn\"?)");
    ASSERT_CONTAINS(b, "defaults.critical: critical must not come before warn");
    free(a);
    free(b);
    rd_diags_free(&d);
}
