/* Live edits: a uv_fs_event on the rundown's directory and a timer that waits for the save to
 * settle. */
#include "watch.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

struct sc_watch {
    uv_fs_event_t event;
    uv_timer_t settle;
    char *base; /* the file's name in its directory */
    void (*on_change)(void *ctx);
    void *ctx;
    int open_handles;
    bool closing;
};

static void settled(uv_timer_t *t)
{
    sc_watch_t *w = t->data;
    if (!w->closing)
        w->on_change(w->ctx);
}

static void event_cb(uv_fs_event_t *h, const char *filename, int events, int status)
{
    (void)events;
    sc_watch_t *w = h->data;
    if (w->closing || status < 0 || !filename || strcmp(filename, w->base) != 0)
        return;
    uv_timer_start(&w->settle, settled, SC_WATCH_SETTLE_MS, 0);
}

sc_watch_t *sc_watch_start(uv_loop_t *loop, const char *path, void (*on_change)(void *ctx),
                           void *ctx)
{
    sc_watch_t *w = rd_xcalloc(1, sizeof *w);
    w->on_change = on_change;
    w->ctx = ctx;
    const char *slash = strrchr(path, '/');
    w->base = rd_xstrdup(slash ? slash + 1 : path);
    char dir[4096];
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    uv_fs_event_init(loop, &w->event);
    w->event.data = w;
    uv_timer_init(loop, &w->settle);
    w->settle.data = w;
    w->open_handles = 2;
    int rc = uv_fs_event_start(&w->event, event_cb, dir, 0);
    if (rc < 0)
        sc_warn("cannot watch %s for edits: %s (SIGHUP or reload still work)", dir,
                uv_strerror(rc));
    return w;
}

static void closed(uv_handle_t *h)
{
    sc_watch_t *w = h->data;
    if (--w->open_handles == 0) {
        free(w->base);
        free(w);
    }
}

void sc_watch_close(sc_watch_t *w)
{
    w->closing = true;
    uv_fs_event_stop(&w->event);
    uv_close((uv_handle_t *)&w->event, closed);
    uv_timer_stop(&w->settle);
    uv_close((uv_handle_t *)&w->settle, closed);
}
