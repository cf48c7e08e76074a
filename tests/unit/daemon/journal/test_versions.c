/* Tests for journal/versions.c: numbering, the index across a reopen, a torn index line, reading
 * back, the atomic write, saves on the thread pool and their failures. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "journal/versions.h"
#include "unit.h"

/* A fresh data_dir under /tmp; rm_tree removes it two levels deep (versions/). */
static char *make_dir(void)
{
    char *d = strdup("/tmp/versions-test-XXXXXX");
    return d && mkdtemp(d) ? d : NULL;
}

static void rm_tree(const char *d)
{
    DIR *dir = opendir(d);
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", d, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    if (dir)
        closedir(dir);
    rmdir(d);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = calloc(1, 1 << 20);
    *len = fread(s, 1, (1 << 20) - 1, f);
    fclose(f);
    return s;
}

static bool add(sc_versions_t *v, const char *source, const char *bytes)
{
    sc_version_t m = {.source = (char *)source, .door = (char *)source, .summary = "s"};
    char err[256];
    return sc_versions_add_now(v, &m, bytes, strlen(bytes), err, sizeof err);
}

TEST(versions_are_numbered_kept_and_read_back_after_a_reopen)
{
    char *dir = make_dir();
    char err[256];
    sc_versions_t *v = sc_versions_open(dir, err, sizeof err);
    ASSERT_TRUE(v != NULL);
    ASSERT_TRUE(sc_versions_latest(v) == NULL);
    ASSERT_TRUE(add(v, "start", "{\"a\": 1}\n"));
    sc_version_t m = {.source = "editor",
                      .author = "Ana",
                      .door = "http",
                      .address = "127.0.0.1:5000",
                      .summary = "added \"B\"",
                      .restore_of = 1};
    ASSERT_TRUE(sc_versions_add_now(v, &m, "{\"b\": 2}\n", 9, err, sizeof err));
    ASSERT_EQ(m.number, 2);
    sc_versions_free(v);

    v = sc_versions_open(dir, err, sizeof err);
    ASSERT_TRUE(v != NULL);
    const sc_version_t *last = sc_versions_latest(v);
    ASSERT_EQ(last->number, 2);
    ASSERT_STR_EQ(last->author, "Ana");
    ASSERT_STR_EQ(last->address, "127.0.0.1:5000");
    ASSERT_EQ(last->restore_of, 1);
    ASSERT_EQ(last->hash, sc_versions_hash("{\"b\": 2}\n", 9));
    size_t len = 0;
    char *b = sc_versions_read(v, 1, &len, err, sizeof err);
    ASSERT_STR_EQ(b, "{\"a\": 1}\n");
    ASSERT_EQ(len, 9);
    free(b);
    ASSERT_TRUE(sc_versions_read(v, 3, &len, err, sizeof err) == NULL);
    ASSERT_TRUE(sc_versions_find(v, 3) == NULL);

    json_t *list = sc_versions_list_json(v, 2);
    json_t *first = json_array_get(json_object_get(list, "versions"), 0);
    ASSERT_EQ(json_integer_value(json_object_get(first, "version")), 2); /* newest first */
    ASSERT_TRUE(json_is_true(json_object_get(first, "on_air")));
    ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(first, "author"), "name")),
                  "Ana");
    ASSERT_STR_EQ(json_string_value(json_object_get(first, "source")), "editor");
    json_decref(list);
    sc_versions_free(v);
    rm_tree(dir);
    free(dir);
}

TEST(versions_a_torn_index_line_is_cut_and_the_next_version_stays_whole)
{
    char *dir = make_dir();
    char err[256];
    sc_versions_t *v = sc_versions_open(dir, err, sizeof err);
    ASSERT_TRUE(add(v, "start", "one\n"));
    sc_versions_free(v);
    /* A crash in the middle of the second line's append. */
    char index[512];
    snprintf(index, sizeof index, "%s/versions/index.jsonl", dir);
    FILE *f = fopen(index, "a");
    fputs("{\"version\": 2, \"time\": \"2026-", f);
    fclose(f);
    v = sc_versions_open(dir, err, sizeof err);
    ASSERT_EQ(sc_versions_latest(v)->number, 1);
    ASSERT_TRUE(add(v, "file", "two\n"));
    ASSERT_EQ(sc_versions_latest(v)->number, 2);
    sc_versions_free(v);
    v = sc_versions_open(dir, err, sizeof err);
    ASSERT_EQ(sc_versions_latest(v)->number, 2); /* not swallowed by the torn line */
    ASSERT_STR_EQ(sc_versions_latest(v)->source, "file");
    sc_versions_free(v);
    rm_tree(dir);
    free(dir);
}

TEST(versions_an_unreadable_data_dir_is_an_error)
{
    char err[256] = "";
    sc_versions_t *v = sc_versions_open("/proc/self/no-such/dir", err, sizeof err);
    ASSERT_TRUE(v == NULL);
    ASSERT_CONTAINS(err, "cannot make");
}

TEST(versions_write_atomic_replaces_the_file_whole_and_leaves_no_temp)
{
    char *dir = make_dir();
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/show.json", dir);
    ASSERT_EQ(sc_write_atomic(path, "old\n", 4, err, sizeof err), 0);
    ASSERT_EQ(sc_write_atomic(path, "new bytes\n", 10, err, sizeof err), 0);
    size_t len;
    char *b = slurp(path, &len);
    ASSERT_STR_EQ(b, "new bytes\n");
    free(b);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.saving", path);
    ASSERT_TRUE(access(tmp, F_OK) != 0);
    /* A folder that does not exist: the step that failed is named. */
    snprintf(path, sizeof path, "%s/missing/show.json", dir);
    ASSERT_TRUE(sc_write_atomic(path, "x", 1, err, sizeof err) < 0);
    ASSERT_CONTAINS(err, "missing/show.json");
    rm_tree(dir);
    free(dir);
}

typedef struct {
    int calls, err;
    uint64_t number;
    char text[256];
} done_t;

static void on_done(void *ctx, const sc_version_t *m, int err, const char *text)
{
    done_t *d = ctx;
    d->calls++;
    d->err = err;
    d->number = m ? m->number : 0;
    snprintf(d->text, sizeof d->text, "%s", text ? text : "");
}

TEST(versions_a_save_writes_the_file_and_the_version_off_the_loop_one_at_a_time)
{
    char *dir = make_dir();
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/show.json", dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    sc_versions_t *v = sc_versions_open(dir, err, sizeof err);
    ASSERT_TRUE(add(v, "start", "v1\n"));
    sc_version_t m = {.source = "editor", .door = "http", .summary = "retimed \"A\""};
    done_t d = {0};
    ASSERT_TRUE(sc_versions_save(v, &loop, path, "v2\n", 3, &m, on_done, &d));
    ASSERT_TRUE(sc_versions_busy(v));
    ASSERT_FALSE(sc_versions_save(v, &loop, path, "v3\n", 3, &m, on_done, &d)); /* one at a time */
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_EQ(d.calls, 1);
    ASSERT_EQ(d.err, 0);
    ASSERT_EQ(d.number, 2);
    ASSERT_FALSE(sc_versions_busy(v));
    size_t len;
    char *b = slurp(path, &len);
    ASSERT_STR_EQ(b, "v2\n");
    free(b);
    b = sc_versions_read(v, 2, &len, err, sizeof err);
    ASSERT_STR_EQ(b, "v2\n");
    free(b);

    /* The rundown file cannot be written: nothing recorded, the reason told. */
    snprintf(path, sizeof path, "%s/missing/show.json", dir);
    ASSERT_TRUE(sc_versions_save(v, &loop, path, "v3\n", 3, &m, on_done, &d));
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_EQ(d.calls, 2);
    ASSERT_TRUE(d.err < 0);
    ASSERT_CONTAINS(d.text, "missing/show.json");
    ASSERT_EQ(sc_versions_latest(v)->number, 2);
    sc_versions_free(v);
    ASSERT_EQ(uv_loop_close(&loop), 0);
    rm_tree(dir);
    free(dir);
}
