/* Live edits: the rundown file's directory watched, a save reported once it has settled. */
#ifndef SC_WATCH_H
#define SC_WATCH_H

#include <uv.h>

typedef struct sc_watch sc_watch_t;

/* How long a file must stay quiet before a change is reported: editors write
 * in several steps, or replace the file by rename. */
#define SC_WATCH_SETTLE_MS 200

/* Watches the directory of path (not the file: an editor that saves by
 * rename replaces the file we would be watching) and calls on_change(ctx)
 * from the loop once the file has settled after a change. path is copied.
 * Never NULL: when the directory cannot be watched it says so in the log
 * and reports nothing. */
sc_watch_t *sc_watch_start(uv_loop_t *loop, const char *path, void (*on_change)(void *ctx),
                           void *ctx);

/* Stops; the handles close and w is freed from their close callbacks. */
void sc_watch_close(sc_watch_t *w);

#endif
