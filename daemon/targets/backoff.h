/* Reconnect backoff: the pause before the next try doubles up to a cap, and a success resets it. */
#ifndef SC_BACKOFF_H
#define SC_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

/* Every target that reconnects waits 250 ms, then 500, 1000, 2000, 2000...:
 * a device that comes back is found within two seconds, and one that stays
 * away costs a try every two seconds. */
#define SC_BACKOFF_MIN_MS 250
#define SC_BACKOFF_MAX_MS 2000

typedef struct {
    uint64_t next_ms;
    bool at_once; /* the next try goes without a pause */
} sc_backoff_t;

/* Starts (or, after a connection succeeded, starts again) at the minimum. */
void sc_backoff_reset(sc_backoff_t *b);

/* A connection that worked has gone: the next try goes at once, the ones
 * after it from the minimum. */
void sc_backoff_at_once(sc_backoff_t *b);

/* The pause before the next try; the one after it is twice as long, up to
 * the cap. */
uint64_t sc_backoff_next(sc_backoff_t *b);

#endif
