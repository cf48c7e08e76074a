/* Tests for daemon/reload.c: both files read again and checked before anything changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "parse.h"
#include "reload.h"
#include "unit.h"

static const char *config_text =
    "{\"targets\": {\"sw\": {\"url\": \"osc.udp://127.0.0.1:9001\"}}, \"go_guard\": \"1s\"}";

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

typedef struct {
    char dir[64], rundown[96], config[96];
    rd_config_t running;
} files_t;

static bool files(files_t *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/sc-reload-XXXXXX");
    if (!mkdtemp(f->dir))
        return false;
    snprintf(f->rundown, sizeof f->rundown, "%s/show.json", f->dir);
    snprintf(f->config, sizeof f->config, "%s/config.json", f->dir);
    put(f->config, config_text);
    rd_diags_t d = {0};
    bool ok = sc_load_config(f->config, &f->running, &d);
    rd_diags_free(&d);
    return ok;
}

static void unfiles(files_t *f)
{
    rd_config_free(&f->running);
    unlink(f->rundown);
    unlink(f->config);
    rmdir(f->dir);
}

/* A good pair of files: the rundown comes linked to the running targets,
 * with the config as it now reads. */
TEST(reload_reads_both_files)
{
    files_t f;
    ASSERT_TRUE(files(&f));
    put(f.rundown, "{\"format\": \"showcaller-rundown/1\", \"title\": \"T\", \"items\": [{\"id\": "
                   "\"a\", \"title\": \"A\", \"duration\": \"5s\", \"cues\": [{\"at\": \"0\", "
                   "\"target\": \"sw\", \"osc\": {\"address\": \"/x\"}}]}]}");
    sc_reload_t next;
    json_t *errors = NULL;
    sc_result_t r;
    ASSERT_TRUE(sc_reload_read(f.rundown, f.config, &f.running, NULL, &next, &errors, &r));
    ASSERT_TRUE(r.ok);
    ASSERT_TRUE(errors == NULL);
    ASSERT_TRUE(next.has_config);
    ASSERT_EQ(next.config.go_guard_ns, 1000000000);
    ASSERT_EQ(next.rundown.nitems, 1);
    ASSERT_EQ(next.rundown.items[0].cues[0].target_index, 0);
    sc_reload_free(&next);
    unfiles(&f);
}

/* A broken rundown: nothing is handed over, every error is listed with its
 * place, and the result names the file. */
TEST(reload_refuses_a_broken_file_whole)
{
    files_t f;
    ASSERT_TRUE(files(&f));
    put(f.rundown, "{\"format\": \"showcaller-rundown/1\", \"title\": \"T\", \"items\": [{\"id\": "
                   "\"a\", \"title\": \"A\", \"duration\": \"5 s\", \"cues\": [{\"at\": \"0\", "
                   "\"target\": \"nope\", \"osc\": {\"address\": \"/x\"}}]}]}");
    sc_reload_t next;
    json_t *errors = NULL;
    sc_result_t r;
    ASSERT_FALSE(sc_reload_read(f.rundown, f.config, &f.running, NULL, &next, &errors, &r));
    ASSERT_EQ(r.err, SC_ERR_RELOAD_FAILED);
    ASSERT_CONTAINS(r.message, f.rundown);
    ASSERT_CONTAINS(r.message, "the show continues unchanged");
    ASSERT_TRUE(json_is_array(errors));
    ASSERT_TRUE(json_array_size(errors) >= 1);
    ASSERT_CONTAINS(json_string_value(json_array_get(errors, 0)), "items[0].duration");
    ASSERT_EQ(next.rundown.nitems, 0);
    json_decref(errors);
    unfiles(&f);
}

/* What only a restart changes: addresses, data_dir, targets, limits,
 * realtime, TLS; go_guard and tokens change live. */
TEST(reload_needs_restart)
{
    files_t f;
    ASSERT_TRUE(files(&f));
    rd_config_t b;
    rd_diags_t d = {0};
    ASSERT_TRUE(sc_load_config(f.config, &b, &d));
    ASSERT_FALSE(sc_reload_needs_restart(&f.running, &b));
    b.go_guard_ns = 5;
    ASSERT_FALSE(sc_reload_needs_restart(&f.running, &b));
    b.http.port++;
    ASSERT_TRUE(sc_reload_needs_restart(&f.running, &b));
    b.http.port--;
    b.targets[0].latency_ns = 1;
    ASSERT_TRUE(sc_reload_needs_restart(&f.running, &b));
    b.targets[0].latency_ns = 0;
    b.max_clients++;
    ASSERT_TRUE(sc_reload_needs_restart(&f.running, &b));
    rd_config_free(&b);
    rd_diags_free(&d);
    unfiles(&f);
}
