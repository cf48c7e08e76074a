/* Reconnect backoff shared by every target kind that reconnects. */
#include "backoff.h"

void sc_backoff_reset(sc_backoff_t *b)
{
    b->next_ms = SC_BACKOFF_MIN_MS;
    b->at_once = false;
}

void sc_backoff_at_once(sc_backoff_t *b)
{
    sc_backoff_reset(b);
    b->at_once = true;
}

uint64_t sc_backoff_next(sc_backoff_t *b)
{
    if (b->at_once) {
        b->at_once = false;
        return 0;
    }
    if (b->next_ms < SC_BACKOFF_MIN_MS)
        b->next_ms = SC_BACKOFF_MIN_MS;
    uint64_t wait = b->next_ms;
    b->next_ms = wait * 2 > SC_BACKOFF_MAX_MS ? SC_BACKOFF_MAX_MS : wait * 2;
    return wait;
}
