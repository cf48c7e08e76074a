/* The journal's line format (records that prove themselves) and its streaming reader. */
#ifndef SC_JOURNAL_LINE_H
#define SC_JOURNAL_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One record per line, a JSON object whose first member is "seq" and whose
 * last is a CRC-32C of every byte before it:
 *
 *   {"seq":17,"kind":"cue",...,"crc32c":"1a2b3c4d"}\n
 *
 * The checksum covers the line from its "{" up to, not including, the
 * `,"crc32c":` that carries it (lowercase hex, 8 digits), so a line stays
 * JSON that jq and spreadsheets read, and a flipped byte, a torn write or
 * two lines run together no longer pass for a record. Lines written before
 * checksums existed ("legacy": valid JSON, a seq, no crc32c) are accepted
 * only before the file's first checksummed line.
 *
 * Seq is checked too: a record's seq must lie in 1..SC_SEQ_MAX (so every
 * client, JavaScript's doubles included, reads it exactly) and be greater
 * than the seq of the good record before it. A seq that skips ahead with
 * no bad line between means records are missing. A bad line's own seq is
 * never believed: the next record written takes the last good seq + 1. */

#define SC_SEQ_MAX ((uint64_t)9007199254740991) /* 2^53 - 1 */
#define SC_LINE_MAX ((size_t)1 << 20)           /* longer lines are damage, never buffered */
#define SC_CRC_SUFFIX_LEN 21                    /* ,"crc32c":"xxxxxxxx"} */

/* CRC-32C (Castagnoli) of n bytes, continuing from crc (0 to start). */
uint32_t sc_crc32c(uint32_t crc, const void *data, size_t n);

/* The sealed line for a record: body is the record's compact JSON without
 * "seq" (an object text, "{}" allowed). Returns a NUL-terminated line
 * without the newline; caller frees. */
char *sc_line_seal(uint64_t seq, const char *body);

/* The length of the record without its seal: len minus the seal when the
 * line ends in one (checked or not), else len. */
size_t sc_line_unsealed_len(const char *line, size_t len);

typedef enum {
    SC_LINE_GOOD = 0,   /* checksum and seq hold */
    SC_LINE_LEGACY = 1, /* no checksum, before any checksummed line: taken as written */
    SC_LINE_BAD = 2,    /* fails: quarantined */
} sc_line_verdict_t;

/* A stretch of the file that is not trustworthy: bad lines (merged when
 * consecutive), or records missing between two good ones (a seq gap) or
 * after the last (the file is shorter than the daemon that wrote it said). */
typedef enum {
    SC_DAMAGE_LINES = 0,    /* lines that fail their checksum, parse or seq checks */
    SC_DAMAGE_TORN = 1,     /* the last line has no newline: a write cut short */
    SC_DAMAGE_GAP = 2,      /* good records whose seqs skip: records were removed */
    SC_DAMAGE_LOST = 3,     /* records known written (lock file) that the file lacks */
    SC_DAMAGE_TOO_LONG = 4, /* a line longer than SC_LINE_MAX */
} sc_damage_kind_t;

const char *sc_damage_kind_name(sc_damage_kind_t k);

typedef struct {
    sc_damage_kind_t kind;
    uint64_t after_seq;  /* the last good seq before it, 0 at the top */
    uint64_t before_seq; /* the first good seq after it, 0 when none followed */
    int64_t offset;      /* byte offset where it starts */
    int64_t bytes;       /* bytes quarantined (0 for a gap or lost records) */
    uint64_t lines;      /* lines quarantined */
} sc_damage_t;

#define SC_DAMAGE_KEEP 32 /* ranges kept; more are counted in damage_more */

typedef struct {
    uint64_t good;      /* good and legacy records */
    uint64_t legacy;    /* of which legacy (no checksum) */
    uint64_t bad_lines; /* lines quarantined */
    uint64_t last_seq;  /* the last good seq, 0 when none */
    int64_t last_end;   /* byte offset just past the last good line */
    int64_t size;       /* bytes read */
    bool ends_torn;     /* the file does not end in a newline */
    sc_damage_t damage[SC_DAMAGE_KEEP];
    size_t ndamage;
    uint64_t damage_more; /* ranges beyond SC_DAMAGE_KEEP */
} sc_scan_t;

/* Called for every good record in file order: its seq, its line (without
 * the newline, not NUL-terminated, valid until the call returns) and the
 * byte offset where the line starts. */
typedef void (*sc_scan_fn)(void *ctx, uint64_t seq, const char *line, size_t len, int64_t offset);

/* Reads fd from its start with pread, in constant memory (a 64 KiB chunk
 * plus at most one line of SC_LINE_MAX), verifies every line and calls cb
 * (may be NULL) for the good ones from byte offset `from` on (the checks
 * still start at 0, so seqs are judged the same whatever from is). Fills
 * out. Returns 0 or a negative errno from read. */
int sc_journal_scan(int fd, int64_t from, sc_scan_fn cb, void *ctx, sc_scan_t *out);

/* Adds a damage range to a scan's report (the lock file's lost records). */
void sc_scan_add_damage(sc_scan_t *s, const sc_damage_t *d);

/* One damage range in words, e.g. "2 bad lines (312 bytes at offset 4096)
 * between seq 17 and seq 20". */
void sc_damage_describe(const sc_damage_t *d, char *buf, size_t len);

#endif
