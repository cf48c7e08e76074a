/* The journal's line format: a CRC-32C seal on every record, and a reader that checks seals and
 * seqs as it streams through a file in constant memory. */
#include "journal_line.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

/* ---- CRC-32C ---------------------------------------------------------------- */

/* Slicing by 8: about 1 GB/s here, which keeps a seal under a microsecond
 * for a record and a 200 MB journal's check well under a second. */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (uint32_t i = 0; i < 256; i++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

uint32_t sc_crc32c(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *p = data;
    crc = ~crc;
    while (n >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^
              crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

/* ---- Sealing ------------------------------------------------------------------ */

char *sc_line_seal(uint64_t seq, const char *body)
{
    /* "{\"seq\":N" + (",rest of body" | "") then the seal. */
    const char *rest = body && body[0] == '{' ? body + 1 : "}";
    size_t rlen = strlen(rest);
    if (rlen && rest[rlen - 1] == '}')
        rlen--; /* the body's closing brace: the seal closes the object */
    char head[32];
    int hlen = snprintf(head, sizeof head, "{\"seq\":%" PRIu64, seq);
    bool more = rlen > 0;
    size_t n = (size_t)hlen + (more ? 1 + rlen : 0);
    char *line = rd_xcalloc(n + SC_CRC_SUFFIX_LEN + 1, 1);
    memcpy(line, head, (size_t)hlen);
    if (more) {
        line[hlen] = ',';
        memcpy(line + hlen + 1, rest, rlen);
    }
    uint32_t crc = sc_crc32c(0, line, n);
    snprintf(line + n, SC_CRC_SUFFIX_LEN + 1, ",\"crc32c\":\"%08" PRIx32 "\"}", crc);
    return line;
}

/* ---- Verifying one line -------------------------------------------------------- */

/* The seq a line starts with ({"seq":N followed by , or }), or 0 when it
 * does not start so or N is out of range. */
static uint64_t seq_prefix(const char *s, size_t n)
{
    static const char pre[] = "{\"seq\":";
    size_t k = sizeof pre - 1;
    if (n <= k || memcmp(s, pre, k) != 0 || s[k] == '0')
        return 0;
    uint64_t v = 0;
    size_t i = k;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > SC_SEQ_MAX)
            return 0;
    }
    return i > k && i < n && (s[i] == ',' || s[i] == '}') ? v : 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Whether the line ends in a seal, and whether the seal matches. */
static bool has_seal(const char *s, size_t n)
{
    static const char pre[] = ",\"crc32c\":\"";
    return n > SC_CRC_SUFFIX_LEN && memcmp(s + n - SC_CRC_SUFFIX_LEN, pre, sizeof pre - 1) == 0 &&
           s[n - 2] == '"' && s[n - 1] == '}';
}

size_t sc_line_unsealed_len(const char *line, size_t len)
{
    return has_seal(line, len) ? len - SC_CRC_SUFFIX_LEN : len;
}

static bool seal_holds(const char *s, size_t n)
{
    const char *hex = s + n - SC_CRC_SUFFIX_LEN + 11;
    uint32_t want = 0;
    for (int i = 0; i < 8; i++) {
        int v = hexval(hex[i]);
        if (v < 0)
            return false;
        want = want << 4 | (uint32_t)v;
    }
    return sc_crc32c(0, s, n - SC_CRC_SUFFIX_LEN) == want;
}

/* ---- Damage --------------------------------------------------------------------- */

const char *sc_damage_kind_name(sc_damage_kind_t k)
{
    switch (k) {
    case SC_DAMAGE_LINES:
        return "bad_lines";
    case SC_DAMAGE_TORN:
        return "torn";
    case SC_DAMAGE_GAP:
        return "gap";
    case SC_DAMAGE_LOST:
        return "lost";
    case SC_DAMAGE_TOO_LONG:
        return "too_long";
    }
    return "?";
}

void sc_scan_add_damage(sc_scan_t *s, const sc_damage_t *d)
{
    if (s->ndamage < SC_DAMAGE_KEEP)
        s->damage[s->ndamage++] = *d;
    else
        s->damage_more++;
}

void sc_damage_describe(const sc_damage_t *d, char *buf, size_t len)
{
    char where[96];
    if (d->before_seq)
        snprintf(where, sizeof where, "between seq %" PRIu64 " and seq %" PRIu64, d->after_seq,
                 d->before_seq);
    else if (d->after_seq)
        snprintf(where, sizeof where, "after seq %" PRIu64 ", the last good record", d->after_seq);
    else
        snprintf(where, sizeof where, "before any good record");
    switch (d->kind) {
    case SC_DAMAGE_GAP:
        snprintf(buf, len,
                 "records %" PRIu64 "-%" PRIu64 " are missing (seq skips at offset %" PRId64 ")",
                 d->after_seq + 1, d->before_seq - 1, d->offset);
        break;
    case SC_DAMAGE_LOST:
        snprintf(buf, len,
                 "records after seq %" PRIu64 " are lost: the daemon that wrote this file had "
                 "written up to seq %" PRIu64 " (the file was truncated or replaced)",
                 d->after_seq, d->before_seq);
        break;
    case SC_DAMAGE_TORN:
        snprintf(buf, len, "a torn last line (%" PRId64 " bytes at offset %" PRId64 ") %s",
                 d->bytes, d->offset, where);
        break;
    default:
        snprintf(buf, len,
                 "%" PRIu64 " unreadable line%s%s (%" PRId64 " bytes at offset %" PRId64 ") %s",
                 d->lines, d->lines == 1 ? "" : "s",
                 d->kind == SC_DAMAGE_TOO_LONG ? ", too long to be a record" : "", d->bytes,
                 d->offset, where);
        break;
    }
}

/* ---- The reader ----------------------------------------------------------------- */

typedef struct {
    sc_scan_t *out;
    int64_t from;
    sc_scan_fn cb;
    void *ctx;
    bool sealed_seen; /* a checksummed line was read: legacy lines are over */
    bool open;        /* a range of bad lines is open in cur */
    sc_damage_t cur;
} scan_t;

static void close_range(scan_t *s, uint64_t before)
{
    if (!s->open)
        return;
    s->cur.before_seq = before;
    sc_scan_add_damage(s->out, &s->cur);
    s->open = false;
}

static void bad_line(scan_t *s, int64_t off, int64_t bytes, sc_damage_kind_t kind)
{
    s->out->bad_lines++;
    if (!s->open) {
        s->cur = (sc_damage_t){.kind = kind, .after_seq = s->out->last_seq, .offset = off};
        s->open = true;
    }
    s->cur.bytes = off + bytes - s->cur.offset;
    s->cur.lines++;
}

/* One complete line (without its newline) at byte offset off. */
static void scan_line(scan_t *s, const char *p, size_t n, int64_t off)
{
    if (n == 0)
        return; /* an empty line holds nothing and hides nothing */
    sc_line_verdict_t v = SC_LINE_BAD;
    uint64_t seq = seq_prefix(p, n);
    if (has_seal(p, n)) {
        if (seal_holds(p, n) && seq) {
            v = SC_LINE_GOOD;
            s->sealed_seen = true;
        }
    } else if (!s->sealed_seen && seq) {
        json_t *j = json_loadb(p, n, 0, NULL);
        if (json_is_object(j))
            v = SC_LINE_LEGACY;
        json_decref(j);
    }
    if (v != SC_LINE_BAD && seq <= s->out->last_seq)
        v = SC_LINE_BAD; /* out of order or a duplicate: not the record it claims */
    if (v == SC_LINE_BAD) {
        bad_line(s, off, (int64_t)n + 1, SC_DAMAGE_LINES);
        return;
    }
    if (s->open) {
        close_range(s, seq);
    } else if (seq > s->out->last_seq + 1) {
        sc_damage_t gap = {
            .kind = SC_DAMAGE_GAP, .after_seq = s->out->last_seq, .before_seq = seq, .offset = off};
        sc_scan_add_damage(s->out, &gap);
    }
    s->out->good++;
    s->out->legacy += v == SC_LINE_LEGACY;
    s->out->last_seq = seq;
    s->out->last_end = off + (int64_t)n + 1;
    if (s->cb && off >= s->from)
        s->cb(s->ctx, seq, p, n, off);
}

#define CHUNK ((size_t)1 << 16)

int sc_journal_scan(int fd, int64_t from, sc_scan_fn cb, void *ctx, sc_scan_t *out)
{
    memset(out, 0, sizeof *out);
    scan_t s = {.out = out, .from = from, .cb = cb, .ctx = ctx};
    char *chunk = rd_xcalloc(CHUNK, 1);
    char *line = NULL; /* a line that spans chunks, at most SC_LINE_MAX */
    size_t llen = 0, lcap = 0;
    bool skipping = false; /* inside a line too long to keep */
    int64_t line_off = 0, off = 0;
    char last = '\n';
    int rc = 0;
    for (;;) {
        ssize_t r = pread(fd, chunk, CHUNK, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            break;
        }
        if (r == 0)
            break;
        const char *p = chunk, *end = chunk + r;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t take = (size_t)((nl ? nl : end) - p);
            if (!skipping && llen + take > SC_LINE_MAX) {
                skipping = true;
                llen = 0;
            }
            if (!skipping && (nl == NULL || llen > 0)) {
                if (llen + take > lcap) {
                    lcap = lcap ? lcap : 4096;
                    while (lcap < llen + take)
                        lcap *= 2;
                    line = rd_xrealloc(line, lcap);
                }
                memcpy(line + llen, p, take);
                llen += take;
            }
            if (nl) {
                int64_t nl_off = off + (nl - chunk);
                if (skipping)
                    bad_line(&s, line_off, nl_off + 1 - line_off, SC_DAMAGE_TOO_LONG);
                else if (llen)
                    scan_line(&s, line, llen, line_off);
                else
                    scan_line(&s, p, take, line_off);
                skipping = false;
                llen = 0;
                line_off = nl_off + 1;
                p = nl + 1;
            } else {
                p = end;
            }
        }
        off += r;
        last = chunk[r - 1];
    }
    out->size = off;
    if (rc == 0 && (llen || skipping)) {
        out->ends_torn = true;
        /* A complete record whose newline alone is missing still proves itself. */
        uint64_t before = out->good;
        if (!skipping && has_seal(line, llen))
            scan_line(&s, line, llen, line_off);
        if (out->good > before)
            out->last_end = off; /* it has no newline to be past */
        if (out->good == before) {
            close_range(&s, 0);
            sc_damage_t torn = {.kind = SC_DAMAGE_TORN,
                                .after_seq = out->last_seq,
                                .offset = line_off,
                                .bytes = off - line_off,
                                .lines = 1};
            out->bad_lines++;
            sc_scan_add_damage(out, &torn);
        }
    } else if (rc == 0 && last != '\n') {
        out->ends_torn = true;
    }
    close_range(&s, 0);
    free(line);
    free(chunk);
    return rc;
}
