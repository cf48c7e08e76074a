/* One daemon per data_dir: an flock held for the process's life, saying who holds it and how far
 * its journal got. */
#ifndef SC_LOCK_H
#define SC_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DIR/showcallerd.lock, a short text file:
 *
 *   pid 4242
 *   started 2026-12-04T18:00:00.000000Z
 *   journal asrun-2026-12-04.jsonl
 *   seq 1873
 *   alive 2026-12-04T18:41:07.123456Z
 *
 * The flock (LOCK_EX, taken without waiting) is the lock; the text says who
 * holds it, for the refusal a second daemon prints, and how far the holder's
 * journal was durable: "seq" is the last record whose fsync completed and
 * "alive" when. The text outlives the process (a kill -9 leaves it; the
 * kernel drops the flock), so the next daemon can tell a journal that is
 * shorter than its writer said (truncated, emptied, replaced) from one that
 * is merely new. The text is rewritten in place, without an fsync, after
 * each durable batch: it survives a crash of the daemon, not of the machine. */

#define SC_LOCK_NAME "showcallerd.lock"

typedef struct sc_lock sc_lock_t;

/* What a lock file said. */
typedef struct {
    bool present; /* the file existed and named a pid */
    long pid;
    char started[40];  /* ISO time the holder started */
    char journal[128]; /* the journal file's name (not its path), "" if none */
    uint64_t seq;      /* its last durable seq */
    char alive[40];    /* ISO time of that seq */
} sc_lock_info_t;

/* Takes DIR's lock (DIR must exist). On success returns the lock and fills
 * *prev with what the file said before (an earlier daemon's last words; a
 * holder that died lost the flock with its life, so its lock is simply taken
 * over). When another live process holds it, returns NULL with err naming
 * it ("... is in use by showcallerd pid 4242, started ..."). started_iso is
 * this process's start time. */
sc_lock_t *sc_lock_take(const char *dir, const char *started_iso, sc_lock_info_t *prev, char *err,
                        size_t errlen);

/* Records that journal `name` is durable up to seq, at alive_iso (a pwrite
 * into the page cache, a few microseconds). */
void sc_lock_note(sc_lock_t *l, const char *name, uint64_t seq, const char *alive_iso);

/* Releases the flock and frees; the text stays for the next daemon. NULL is
 * allowed. */
void sc_lock_release(sc_lock_t *l);

#endif
