/* Rate limits: token buckets for commands, per websocket client and per peer address (HTTP, OSC).
 */
#ifndef SC_RATE_LIMIT_H
#define SC_RATE_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "show/refusals.h" /* sc_source_address: the key */

/* One bucket: `rate` tokens a second, holding at most twice that (the burst).
 * A zeroed bucket starts full. */
typedef struct {
    double tokens;
    int64_t at_mono; /* when it was last filled; 0 = never used */
} sc_bucket_t;

/* Takes one token; false when the bucket is empty. */
bool sc_bucket_take(sc_bucket_t *b, double rate, int64_t now_mono);

/* Buckets per peer address (an IP without its port: an HTTP client opens a new
 * connection, and an OSC sender may pick a new port, for every command). The
 * table is fixed in size, so a flood of addresses cannot grow memory; when it
 * is full the peer idle longest gives up its slot (its bucket starts full
 * again next time, which only matters on a network with more than
 * SC_RATE_PEERS senders at once). The key is the address (sc_source_address). */
#define SC_RATE_PEERS 64
#define SC_RATE_KEY_MAX 48

typedef struct {
    char key[SC_RATE_KEY_MAX];
    sc_bucket_t bucket;
} sc_rate_peer_t;

typedef struct {
    sc_rate_peer_t peer[SC_RATE_PEERS];
    unsigned used;
} sc_rate_table_t;

/* Takes one token from key's bucket. A key longer than SC_RATE_KEY_MAX-1 is
 * cut. */
bool sc_rate_take(sc_rate_table_t *t, const char *key, double rate, int64_t now_mono);

#endif
