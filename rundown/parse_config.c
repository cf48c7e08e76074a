/* The config parser: JSON text to rd_config_t on top of the defaults, errors by JSON path. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "parse.h"
#include "payload.h"
#include "target_kind.h"
#include "xalloc.h"

static const char *const top_fields[] = {"http",    "osc",      "data_dir", "go_guard", "auth",
                                         "targets", "realtime", "limits",   "defaults", NULL};
static const char *const defaults_fields[] = {"warn", "critical", NULL};
static const char *const limits_fields[] = {"max_clients", "max_message_bytes",
                                            "commands_per_second", NULL};
static const char *const http_fields[] = {"listen", "tls", NULL};
static const char *const tls_fields[] = {"cert", "key", NULL};
static const char *const osc_fields[] = {"listen", "allow", NULL};
static const char *const auth_fields[] = {"control_token", "view_token", NULL};
static const char *const target_fields[] = {"url",    "latency",  "framing", "panic", "timeout",
                                            "answer", "password", "eol",     "ca",    NULL};

/* The config's durations have no frame forms that depend on a show; 25 is
 * only there to satisfy the parser. */
#define CONFIG_FPS 25

static bool valid_ip(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool valid_hostname(const char *s)
{
    if (!s[0] || strlen(s) > 253)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
            return false;
    return true;
}

/* Splits "host:port" or "[v6]:port". Returns false on a malformed text.
 * *host is allocated. */
static bool split_host_port(const char *s, size_t len, char **host, int *port)
{
    const char *colon;
    const char *h = s;
    size_t hlen;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close || close + 1 >= s + len || close[1] != ':')
            return false;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = NULL;
        for (size_t i = 0; i < len; i++)
            if (s[i] == ':')
                colon = s + i;
        if (!colon)
            return false;
        hlen = (size_t)(colon - s);
    }
    const char *p = colon + 1;
    const char *end = s + len;
    if (p == end || end - p > 5)
        return false;
    long v = 0;
    for (; p < end; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > 65535 || hlen == 0)
        return false;
    *host = rd_xstrndup(h, hlen);
    *port = (int)v;
    return true;
}

static void parse_listen(const json_t *obj, const char *path, rd_listen_t *l, rd_diags_t *d)
{
    const char *s = rd__get_string(obj, "listen", path, false, d);
    if (!s)
        return;
    rd_path_t p = rd__path_key(path, "listen");
    char *host = NULL;
    int port;
    if (!split_host_port(s, strlen(s), &host, &port) || !valid_ip(host)) {
        rd_diag_add(d, RD_ERROR, p.s,
                    "\"%s\" is not an address and port (write e.g. \"0.0.0.0:8080\" or "
                    "\"[::1]:8080\")",
                    s);
        free(host);
        return;
    }
    free(l->host);
    l->host = host;
    l->port = port;
}

/* http.tls: {"cert": PATH, "key": PATH}, both required. Only the paths are
 * read here; the daemon checks the files before it listens. */
static void parse_tls(const json_t *http, rd_tls_t *tls, rd_diags_t *d)
{
    json_t *v = json_object_get(http, "tls");
    if (!v)
        return;
    if (!json_is_object(v)) {
        rd_diag_add(d, RD_ERROR, "http.tls",
                    "must be an object with \"cert\" and \"key\" (PEM file paths), not %s",
                    rd__json_kind(v));
        return;
    }
    rd__check_fields(v, "http.tls", tls_fields, d);
    const char *cert = rd__get_string(v, "cert", "http.tls", true, d);
    const char *key = rd__get_string(v, "key", "http.tls", true, d);
    if (cert && !cert[0]) {
        rd_diag_add(d, RD_ERROR, "http.tls.cert", "cannot be empty");
        cert = NULL;
    }
    if (key && !key[0]) {
        rd_diag_add(d, RD_ERROR, "http.tls.key", "cannot be empty");
        key = NULL;
    }
    /* Half a TLS setup is an error above; keep none of it. */
    if (!cert || !key)
        return;
    tls->cert = rd_xstrdup(cert);
    tls->key = rd_xstrdup(key);
}

static const json_t *section(const json_t *root, const char *key, const char *const *fields,
                             rd_diags_t *d)
{
    json_t *v = json_object_get(root, key);
    if (!v)
        return NULL;
    if (!json_is_object(v)) {
        rd_diag_add(d, RD_ERROR, key, "must be an object, not %s", rd__json_kind(v));
        return NULL;
    }
    rd__check_fields(v, key, fields, d);
    return v;
}

static void parse_allow(const json_t *osc, rd_config_t *c, rd_diags_t *d)
{
    json_t *allow = json_object_get(osc, "allow");
    if (!allow)
        return;
    if (!json_is_array(allow)) {
        rd_diag_add(d, RD_ERROR, "osc.allow", "must be an array of IP addresses, not %s",
                    rd__json_kind(allow));
        return;
    }
    for (size_t i = 0; i < c->nosc_allow; i++)
        free(c->osc_allow[i]);
    free(c->osc_allow);
    c->nosc_allow = 0;
    c->osc_allow = rd_xcalloc(json_array_size(allow) + 1, sizeof *c->osc_allow);
    size_t i;
    json_t *e;
    json_array_foreach (allow, i, e) {
        rd_path_t p = rd__path_index("osc.allow", i);
        if (!json_is_string(e) || !valid_ip(json_string_value(e))) {
            rd_diag_add(d, RD_ERROR, p.s, "must be an IP address such as \"127.0.0.1\"");
            continue;
        }
        c->osc_allow[c->nosc_allow++] = rd_xstrdup(json_string_value(e));
    }
}

static void parse_token(const json_t *auth, const char *key, char **out, rd_diags_t *d)
{
    json_t *v = json_object_get(auth, key);
    rd_path_t p = rd__path_key("auth", key);
    if (!v || json_is_null(v))
        return;
    if (!json_is_string(v)) {
        rd_diag_add(d, RD_ERROR, p.s, "must be a string or null, not %s", rd__json_kind(v));
        return;
    }
    const char *s = json_string_value(v);
    if (!s[0]) {
        rd_diag_add(d, RD_ERROR, p.s, "cannot be empty (use null for none)");
        return;
    }
    for (const char *q = s; *q; q++) {
        if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f) {
            rd_diag_add(d, RD_ERROR, p.s, "may contain only printable ASCII without spaces");
            return;
        }
    }
    if (strlen(s) < 12)
        rd_diag_add(d, RD_WARNING, p.s, "a token shorter than 12 characters is easy to guess");
    *out = rd_xstrdup(s);
}

/* Which kinds a target field applies to, for kind_list. */
static bool any_kind(const rd_target_kind_info_t *k)
{
    (void)k;
    return true;
}
static bool has_framing(const rd_target_kind_info_t *k)
{
    return k->framing;
}
static bool has_password(const rd_target_kind_info_t *k)
{
    return k->password;
}
static bool has_eol(const rd_target_kind_info_t *k)
{
    return k->eol;
}
static bool has_tls(const rd_target_kind_info_t *k)
{
    return k->tls;
}
static bool can_answer(const rd_target_kind_info_t *k)
{
    return k->answers != RD_ANSWER_NONE || k->answer_choice != RD_ANSWER_NONE;
}

/* "A, B or C" of the kinds' url_form (or scheme), only those `keep` takes;
 * for messages. */
static void kind_list(char *buf, size_t len, bool scheme,
                      bool (*keep)(const rd_target_kind_info_t *))
{
    size_t n = 0, total = 0;
    for (size_t i = 0; i < rd_ntarget_kinds; i++)
        total += keep(&rd_target_kinds[i]);
    buf[0] = '\0';
    for (size_t i = 0; i < rd_ntarget_kinds; i++) {
        const rd_target_kind_info_t *k = &rd_target_kinds[i];
        if (!keep(k))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s",
                 n == 0           ? ""
                 : n + 1 == total ? " or "
                                  : ", ",
                 scheme ? k->scheme : k->url_form);
        n++;
    }
}

/* A field given to a target whose kind it does not apply to. */
static void not_for_kind(const char *path, const char *field,
                         bool (*keep)(const rd_target_kind_info_t *), rd_diags_t *d)
{
    char schemes[160];
    kind_list(schemes, sizeof schemes, true, keep);
    rd_path_t p = rd__path_key(path, field);
    rd_diag_add(d, RD_ERROR, p.s, "%s applies only to %s targets", field, schemes);
}

/* What a target's device answers and how long it may take: "answer",
 * "timeout", and the kind's own "password" and "eol". */
static void parse_answers(const json_t *o, const char *path, const char *url, rd_target_t *t,
                          rd_diags_t *d)
{
    const rd_target_kind_info_t *k = url ? rd_target_kind_info(t->kind) : NULL;
    t->answer = k ? k->answers : RD_ANSWER_NONE;
    t->timeout_ns = RD_NS_PER_S;
    const char *answer = rd__get_string(o, "answer", path, false, d);
    if (answer && k) {
        const char *want = rd_answer_mode_name(k->answer_choice);
        rd_path_t p = rd__path_key(path, "answer");
        if (!want && k->answers != RD_ANSWER_NONE)
            rd_diag_add(d, RD_ERROR, p.s, "%s always answers; leave \"answer\" out", k->noun);
        else if (!want)
            not_for_kind(path, "answer", can_answer, d);
        else if (strcmp(answer, want) == 0)
            t->answer = k->answer_choice;
        else
            rd_diag_add(d, RD_ERROR, p.s, "\"%s\" is not an answer %s can wait for (write \"%s\")",
                        answer, k->noun, want);
    }
    bool present;
    if (rd__get_duration(o, "timeout", path, CONFIG_FPS, &present, &t->timeout_ns, d) && k &&
        !can_answer(k))
        not_for_kind(path, "timeout", can_answer, d);
    if (present && (t->timeout_ns <= 0 || t->timeout_ns > 30 * RD_NS_PER_S)) {
        rd_path_t p = rd__path_key(path, "timeout");
        rd_diag_add(d, RD_ERROR, p.s, "a timeout is more than 0 and at most 30 seconds");
    }
    const char *password = rd__get_string(o, "password", path, false, d);
    if (password) {
        t->password = rd_xstrdup(password);
        if (k && !k->password)
            not_for_kind(path, "password", has_password, d);
    }
    const char *eol = rd__get_string(o, "eol", path, false, d);
    if (eol && k && !k->eol)
        not_for_kind(path, "eol", has_eol, d);
    if (eol && (eol[0] == '\0' || strlen(eol) > 4)) {
        rd_path_t p = rd__path_key(path, "eol");
        rd_diag_add(d, RD_ERROR, p.s, "the end of line is 1 to 4 characters (\"\\r\\n\", \"\\n\")");
    }
    t->tls = k && k->tls;
    const char *ca = rd__get_string(o, "ca", path, false, d);
    if (ca) {
        t->ca = rd_xstrdup(ca);
        if (k && !k->tls)
            not_for_kind(path, "ca", has_tls, d);
    }
    if (k && k->eol)
        t->eol = rd_xstrdup(eol && eol[0] && strlen(eol) <= 4 ? eol : "\r\n");
}

/* A target URL: a kind's scheme, then host:port (or a name), then a path
 * where the kind takes one (rundown/target_kind.c). */
static bool parse_url(const char *url, rd_target_t *t, const char *path, rd_diags_t *d)
{
    const rd_target_kind_info_t *kind = NULL;
    for (size_t i = 0; i < rd_ntarget_kinds && !kind; i++)
        if (strncmp(url, rd_target_kinds[i].scheme, strlen(rd_target_kinds[i].scheme)) == 0)
            kind = &rd_target_kinds[i];
    if (!kind && strncmp(url, "wss://", 6) == 0) {
        rd_diag_add(d, RD_ERROR, path, "\"%s\": wss:// (TLS) targets are not supported; use ws://",
                    url);
        return false;
    }
    if (!kind) {
        char forms[256];
        kind_list(forms, sizeof forms, false, any_kind);
        rd_diag_add(d, RD_ERROR, path, "\"%s\" is not a target URL (write %s)", url, forms);
        return false;
    }
    t->kind = kind->kind;
    const char *rest = url + strlen(kind->scheme);
    const char *slash = strchr(rest, '/');
    size_t hp_len = slash ? (size_t)(slash - rest) : strlen(rest);
    char *host = NULL;
    int port = 0;
    bool ok = split_host_port(rest, hp_len, &host, &port);
    if (!ok && kind->default_port && hp_len > 0 && !memchr(rest, ':', hp_len)) {
        host = rd_xstrndup(rest, hp_len);
        port = kind->default_port;
        ok = true;
    }
    if (!ok || !(valid_ip(host) || valid_hostname(host))) {
        rd_diag_add(d, RD_ERROR, path, "\"%s\": the host and port are not valid (e.g. %s)", url,
                    kind->example);
        free(host);
        return false;
    }
    if (!kind->path && slash && slash[1]) {
        rd_diag_add(d, RD_ERROR, path, "\"%s\": %s URL has no path", url, kind->noun);
        free(host);
        return false;
    }
    t->host = host;
    t->port = port;
    if (kind->path) {
        const char *pth = slash ? slash : "/";
        for (const char *q = pth; *q; q++) {
            if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f) {
                rd_diag_add(d, RD_ERROR, path, "\"%s\": the path has spaces or non-ASCII", url);
                return false;
            }
        }
        t->path = rd_xstrdup(pth);
    }
    return true;
}

static void parse_target(const char *name, const json_t *o, rd_target_t *t, rd_diags_t *d)
{
    rd_path_t path = rd__path_key("targets", name);
    t->name = rd_xstrdup(name);
    rd__valid_id(name, "target name", path.s, d);
    if (!json_is_object(o)) {
        rd_diag_add(d, RD_ERROR, path.s, "a target is an object with a \"url\", not %s",
                    rd__json_kind(o));
        return;
    }
    rd__check_fields(o, path.s, target_fields, d);
    const char *url = rd__get_string(o, "url", path.s, true, d);
    rd_path_t url_path = rd__path_key(path.s, "url");
    if (url) {
        t->url = rd_xstrdup(url);
        parse_url(url, t, url_path.s, d);
    }
    bool present;
    rd__get_duration(o, "latency", path.s, CONFIG_FPS, &present, &t->latency_ns, d);
    if (t->latency_ns > 10 * RD_NS_PER_S) {
        rd_path_t p = rd__path_key(path.s, "latency");
        rd_diag_add(d, RD_ERROR, p.s, "a latency over 10 seconds is surely a mistake");
    }

    const char *framing = rd__get_string(o, "framing", path.s, false, d);
    rd_path_t fp = rd__path_key(path.s, "framing");
    if (framing) {
        if (strcmp(framing, "length") == 0)
            t->framing = RD_FRAMING_LENGTH;
        else if (strcmp(framing, "slip") == 0)
            t->framing = RD_FRAMING_SLIP;
        else
            rd_diag_add(d, RD_ERROR, fp.s, "\"%s\" is not a framing (write \"length\" or \"slip\")",
                        framing);
        if (url && !rd_target_kind_info(t->kind)->framing)
            not_for_kind(path.s, "framing", has_framing, d);
    }
    parse_answers(o, path.s, url && t->host ? url : NULL, t, d);

    json_t *panic = json_object_get(o, "panic");
    if (panic) {
        rd_path_t pp = rd__path_key(path.s, "panic");
        if (!json_is_object(panic)) {
            char keys[128];
            rd__payload_key_list(keys, sizeof keys);
            rd_diag_add(d, RD_ERROR, pp.s, "must be an object with %s, not %s", keys,
                        rd__json_kind(panic));
            return;
        }
        const char *panic_fields[RD_PAYLOAD_KINDS_MAX + 1];
        rd__payload_fields(NULL, panic_fields, sizeof panic_fields / sizeof panic_fields[0]);
        rd__check_fields(panic, pp.s, panic_fields, d);
        if (rd__parse_payload(panic, pp.s, &t->panic, d) && url) {
            const rd_target_kind_info_t *k = rd_target_kind_info(t->kind);
            if (t->panic.kind != k->payload)
                rd_diag_add(d, RD_ERROR, pp.s, "%s's panic needs %s", k->noun,
                            rd__payload_phrase(k->payload));
        }
    }
}

bool rd_config_parse(const char *buf, size_t len, rd_config_t *out, rd_diags_t *d)
{
    rd_config_defaults(out);
    size_t before = d->errors;
    json_t *root = rd__load_object(buf, len, "config", d);
    if (!root) {
        rd_config_free(out);
        return false;
    }
    rd__check_fields(root, "", top_fields, d);

    const json_t *http = section(root, "http", http_fields, d);
    if (http) {
        parse_listen(http, "http", &out->http, d);
        parse_tls(http, &out->http_tls, d);
    }
    const json_t *osc = section(root, "osc", osc_fields, d);
    if (osc) {
        parse_listen(osc, "osc", &out->osc, d);
        parse_allow(osc, out, d);
    }
    const char *data_dir = rd__get_string(root, "data_dir", "", false, d);
    if (data_dir && !data_dir[0]) {
        rd_diag_add(d, RD_ERROR, "data_dir", "cannot be empty");
    } else if (data_dir) {
        free(out->data_dir);
        out->data_dir = rd_xstrdup(data_dir);
    }
    bool present;
    rd__get_duration(root, "go_guard", "", CONFIG_FPS, &present, &out->go_guard_ns, d);
    if (out->go_guard_ns > 10 * RD_NS_PER_S)
        rd_diag_add(d, RD_ERROR, "go_guard", "a guard over 10 seconds would block the show");

    /* The countdown's thresholds for items that give none. */
    const json_t *defaults = section(root, "defaults", defaults_fields, d);
    if (defaults) {
        bool dw = rd__get_duration(defaults, "warn", "defaults", CONFIG_FPS, &present,
                                   &out->default_warn_ns, d);
        bool dc = rd__get_duration(defaults, "critical", "defaults", CONFIG_FPS, &present,
                                   &out->default_critical_ns, d);
        if (dw && dc && out->default_critical_ns > out->default_warn_ns && out->default_warn_ns)
            rd_diag_add(d, RD_ERROR, "defaults.critical",
                        "critical must not come before warn (it is the later, redder stage)");
    }

    json_t *rt = json_object_get(root, "realtime");
    if (rt && !json_is_boolean(rt))
        rd_diag_add(d, RD_ERROR, "realtime", "must be true or false, not %s", rd__json_kind(rt));
    else if (rt)
        out->realtime = json_is_true(rt);

    const json_t *limits = section(root, "limits", limits_fields, d);
    if (limits) {
        static const struct {
            const char *key;
            long min, max;
        } ranges[] = {{"max_clients", 1, 10000},
                      {"max_message_bytes", 1024, 16 * 1024 * 1024},
                      {"commands_per_second", 1, 10000}};
        int *dst[] = {&out->max_clients, &out->max_message_bytes, &out->commands_per_second};
        for (size_t i = 0; i < 3; i++) {
            json_t *v = json_object_get(limits, ranges[i].key);
            if (!v)
                continue;
            rd_path_t p = rd__path_key("limits", ranges[i].key);
            if (!json_is_integer(v) || json_integer_value(v) < ranges[i].min ||
                json_integer_value(v) > ranges[i].max)
                rd_diag_add(d, RD_ERROR, p.s, "must be a whole number from %ld to %ld",
                            ranges[i].min, ranges[i].max);
            else
                *dst[i] = (int)json_integer_value(v);
        }
    }

    const json_t *auth = section(root, "auth", auth_fields, d);
    if (auth) {
        parse_token(auth, "control_token", &out->control_token, d);
        parse_token(auth, "view_token", &out->view_token, d);
    }

    json_t *targets = json_object_get(root, "targets");
    if (targets && !json_is_object(targets)) {
        rd_diag_add(d, RD_ERROR, "targets", "must be an object of named targets, not %s",
                    rd__json_kind(targets));
    } else if (targets) {
        out->targets = rd_xcalloc(json_object_size(targets), sizeof *out->targets);
        const char *name;
        json_t *t;
        json_object_foreach (targets, name, t) {
            parse_target(name, t, &out->targets[out->ntargets], d);
            out->ntargets++;
        }
    }
    json_decref(root);
    if (d->errors != before) {
        rd_config_free(out);
        return false;
    }
    return true;
}
