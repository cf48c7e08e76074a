/* Rate limits: token buckets for commands, per websocket client and per peer address (HTTP, OSC).
 */
#include "rate_limit.h"

#include <stdio.h>
#include <string.h>

bool sc_bucket_take(sc_bucket_t *b, double rate, int64_t now_mono)
{
    double burst = 2 * rate;
    if (b->at_mono == 0)
        b->tokens = burst;
    else if (now_mono > b->at_mono)
        b->tokens += rate * (double)(now_mono - b->at_mono) / 1e9;
    if (b->tokens > burst)
        b->tokens = burst;
    b->at_mono = now_mono;
    if (b->tokens < 1)
        return false;
    b->tokens -= 1;
    return true;
}

bool sc_rate_take(sc_rate_table_t *t, const char *key, double rate, int64_t now_mono)
{
    char k[SC_RATE_KEY_MAX];
    snprintf(k, sizeof k, "%s", key);
    sc_rate_peer_t *slot = NULL;
    for (unsigned i = 0; i < t->used; i++)
        if (strcmp(t->peer[i].key, k) == 0) {
            slot = &t->peer[i];
            break;
        }
    if (!slot) {
        if (t->used < SC_RATE_PEERS) {
            slot = &t->peer[t->used++];
        } else {
            /* The peer idle longest gives up its slot. */
            slot = &t->peer[0];
            for (unsigned i = 1; i < SC_RATE_PEERS; i++)
                if (t->peer[i].bucket.at_mono < slot->bucket.at_mono)
                    slot = &t->peer[i];
        }
        memcpy(slot->key, k, sizeof k);
        memset(&slot->bucket, 0, sizeof slot->bucket);
    }
    return sc_bucket_take(&slot->bucket, rate, now_mono);
}
