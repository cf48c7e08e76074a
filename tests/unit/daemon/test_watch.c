/* Tests for daemon/watch.c: a save of the rundown, in place or by rename, is reported once it
 * settles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "watch.h"
#include "unit.h"

typedef struct {
    uv_loop_t *loop;
    int changes;
    uv_timer_t step;
    int phase;
    char path[96], other[96], tmp[96];
} watch_fix_t;

static void on_change(void *ctx)
{
    ((watch_fix_t *)ctx)->changes++;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* Steps 50 ms apart, then a pause longer than the settle time between the
 * two saves: three writes of one save, a file beside it, a rename. */
static void step(uv_timer_t *t)
{
    watch_fix_t *f = t->data;
    switch (f->phase++) {
    case 0:
    case 1:
    case 2:
        put(f->path, "{\"x\": 1}"); /* one save in three writes: one report */
        uv_timer_start(t, step, 50, 0);
        return;
    case 3:
        put(f->other, "x"); /* another file: not ours */
        uv_timer_start(t, step, SC_WATCH_SETTLE_MS * 2, 0);
        return;
    case 4:
        put(f->tmp, "{\"x\": 2}");
        rename(f->tmp, f->path); /* an editor's save by rename */
        uv_timer_start(t, step, SC_WATCH_SETTLE_MS * 2, 0);
        return;
    default:
        uv_stop(f->loop);
        return;
    }
}

TEST(watch_reports_each_settled_save_of_the_file_only)
{
    watch_fix_t f;
    memset(&f, 0, sizeof f);
    char dir[] = "/tmp/sc-watch-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(f.path, sizeof f.path, "%s/show.json", dir);
    snprintf(f.other, sizeof f.other, "%s/other.json", dir);
    snprintf(f.tmp, sizeof f.tmp, "%s/.show.json.tmp", dir);
    put(f.path, "{}");
    uv_loop_t loop;
    ASSERT_EQ(uv_loop_init(&loop), 0);
    f.loop = &loop;
    sc_watch_t *w = sc_watch_start(&loop, f.path, on_change, &f);
    uv_timer_init(&loop, &f.step);
    f.step.data = &f;
    uv_timer_start(&f.step, step, 10, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_EQ(f.changes, 2);
    sc_watch_close(w);
    uv_close((uv_handle_t *)&f.step, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_EQ(uv_loop_close(&loop), 0);
    unlink(f.path);
    unlink(f.other);
    rmdir(dir);
}
