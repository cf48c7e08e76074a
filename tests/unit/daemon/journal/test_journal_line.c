/* Tests for daemon/journal/journal_line.c: the seal, and the reader's verdict on damaged files. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal/journal_line.h"
#include "unit.h"

/* A temporary file holding text (len bytes); returns its fd, open for reading. */
static int temp_with(const char *text, size_t len)
{
    char path[] = "/tmp/jline-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    return fd;
}

typedef struct {
    uint64_t seqs[64];
    int n;
} seen_t;

static void collect(void *ctx, uint64_t seq, const char *line, size_t len, int64_t off)
{
    (void)line;
    (void)len;
    (void)off;
    seen_t *s = ctx;
    if (s->n < 64)
        s->seqs[s->n++] = seq;
}

/* Sealed lines for seqs from..to, concatenated with newlines; caller frees. */
static char *sealed_run(uint64_t from, uint64_t to)
{
    size_t cap = 256 * (size_t)(to - from + 2), len = 0;
    char *out = calloc(cap, 1);
    for (uint64_t s = from; s <= to; s++) {
        char *l = sc_line_seal(s, "{\"kind\":\"daemon\",\"event\":\"x\"}");
        len += (size_t)snprintf(out + len, cap - len, "%s\n", l);
        free(l);
    }
    return out;
}

TEST(crc32c_known_value)
{
    /* The check value of CRC-32C (RFC 3720, iSCSI). */
    ASSERT_EQ(sc_crc32c(0, "123456789", 9), 0xE3069283u);
    /* Continuing a CRC equals one pass. */
    uint32_t c = sc_crc32c(0, "1234", 4);
    ASSERT_EQ(sc_crc32c(c, "56789", 5), 0xE3069283u);
    ASSERT_EQ(sc_crc32c(0, "", 0), 0);
}

TEST(seal_shape)
{
    char *l = sc_line_seal(7, "{\"kind\":\"cue\"}");
    const char *want = "{\"seq\":7,\"kind\":\"cue\",\"crc32c\":\"";
    ASSERT_EQ(strncmp(l, want, strlen(want)), 0);
    ASSERT_EQ(strlen(l), strlen("{\"seq\":7,\"kind\":\"cue\"") + SC_CRC_SUFFIX_LEN);
    free(l);
    l = sc_line_seal(3, "{}");
    want = "{\"seq\":3,\"crc32c\":\"";
    ASSERT_EQ(strncmp(l, want, strlen(want)), 0);
    free(l);
}

TEST(scan_good_file)
{
    char *t = sealed_run(1, 5);
    int fd = temp_with(t, strlen(t));
    seen_t seen = {0};
    sc_scan_t s;
    ASSERT_EQ(sc_journal_scan(fd, 0, collect, &seen, &s), 0);
    ASSERT_EQ(s.good, 5);
    ASSERT_EQ(s.bad_lines, 0);
    ASSERT_EQ(s.ndamage, 0);
    ASSERT_EQ(s.last_seq, 5);
    ASSERT_EQ(s.last_end, (int64_t)strlen(t));
    ASSERT_FALSE(s.ends_torn);
    ASSERT_EQ(seen.n, 5);
    ASSERT_EQ(seen.seqs[4], 5);
    close(fd);
    free(t);
}

TEST(scan_flipped_byte_is_quarantined)
{
    char *t = sealed_run(1, 5);
    /* Flip one byte inside the third line's body ("daemon" -> "daemoN"). */
    char *third = strstr(strstr(strstr(t, "\n") + 1, "\n") + 1, "daemon");
    third[5] = 'N';
    int fd = temp_with(t, strlen(t));
    seen_t seen = {0};
    sc_scan_t s;
    ASSERT_EQ(sc_journal_scan(fd, 0, collect, &seen, &s), 0);
    ASSERT_EQ(s.good, 4);
    ASSERT_EQ(s.bad_lines, 1);
    ASSERT_EQ(s.ndamage, 1);
    ASSERT_EQ(s.damage[0].kind, SC_DAMAGE_LINES);
    ASSERT_EQ(s.damage[0].after_seq, 2);
    ASSERT_EQ(s.damage[0].before_seq, 4);
    ASSERT_EQ(s.damage[0].lines, 1);
    ASSERT_EQ(s.damage[0].offset, strchr(strchr(t, '\n') + 1, '\n') + 1 - t);
    char words[256];
    sc_damage_describe(&s.damage[0], words, sizeof words);
    ASSERT_CONTAINS(words, "1 unreadable line (");
    ASSERT_CONTAINS(words, "between seq 2 and seq 4");
    close(fd);
    free(t);
}

TEST(scan_torn_huge_seq_is_not_believed)
{
    /* The attack of the journal issue: a torn line whose prefix claims seq
     * 2^63 - 1. The last good seq stays 3, so the next record is 4. */
    char *good = sealed_run(1, 3);
    char text[2048];
    snprintf(text, sizeof text, "%s{\"seq\":9223372036854775807,\n", good);
    int fd = temp_with(text, strlen(text));
    sc_scan_t s;
    ASSERT_EQ(sc_journal_scan(fd, 0, NULL, NULL, &s), 0);
    ASSERT_EQ(s.last_seq, 3);
    ASSERT_EQ(s.bad_lines, 1);
    ASSERT_EQ(s.damage[0].after_seq, 3);
    ASSERT_EQ(s.damage[0].before_seq, 0);
    close(fd);
    /* A sealed-looking line with a seq past 2^53 is bad too. */
    char *big = sc_line_seal((uint64_t)1 << 60, "{}");
    snprintf(text, sizeof text, "%s%s\n", good, big);
    fd = temp_with(text, strlen(text));
    ASSERT_EQ(sc_journal_scan(fd, 0, NULL, NULL, &s), 0);
    ASSERT_EQ(s.last_seq, 3);
    ASSERT_EQ(s.bad_lines, 1);
    close(fd);
    free(big);
    free(good);
}

TEST(scan_gap_and_duplicate)
{
    char *a = sealed_run(1, 2), *b = sealed_run(5, 6), *dup = sealed_run(6, 6);
    char text[4096];
    snprintf(text, sizeof text, "%s%s%s", a, b, dup);
    int fd = temp_with(text, strlen(text));
    sc_scan_t s;
    ASSERT_EQ(sc_journal_scan(fd, 0, NULL, NULL, &s), 0);
    ASSERT_EQ(s.good, 4);
    ASSERT_EQ(s.ndamage, 2);
    ASSERT_EQ(s.damage[0].kind, SC_DAMAGE_GAP);
    ASSERT_EQ(s.damage[0].after_seq, 2);
    ASSERT_EQ(s.damage[0].before_seq, 5);
    char words[256];
    sc_damage_describe(&s.damage[0], words, sizeof words);
    ASSERT_CONTAINS(words, "records 3-4 are missing");
    /* The second seq 6 is not the record it claims to be. */
    ASSERT_EQ(s.damage[1].kind, SC_DAMAGE_LINES);
    ASSERT_EQ(s.damage[1].after_seq, 6);
    close(fd);
    free(a);
    free(b);
    free(dup);
}

TEST(scan_legacy_only_before_the_first_seal)
{
    char *sealed = sealed_run(3, 3);
    char text[2048];
    snprintf(text, sizeof text,
             "{\"seq\":1,\"kind\":\"daemon\"}\n{\"seq\":2,\"kind\":\"daemon\"}\n%s"
             "{\"seq\":4,\"kind\":\"daemon\"}\n",
             sealed);
    int fd = temp_with(text, strlen(text));
    sc_scan_t s;
    ASSERT_EQ(sc_journal_scan(fd, 0, NULL, NULL, &s), 0);
    ASSERT_EQ(s.good, 3);
    ASSERT_EQ(s.legacy, 2);
    ASSERT_EQ(s.bad_lines, 1);
    ASSERT_EQ(s.last_seq, 3);
    close(fd);
    free(sealed);
}

TEST(scan_too_long_line_is_skipped_in_bounded_memory)
{
    /* 3 MiB without a newline between two good records. */
    char *a = sealed_run(1, 1), *b = sealed_run(2, 2);
    size_t junk = 3u << 20, la = strlen(a), lb = strlen(b);
    char *text = malloc(la + junk + 1 + lb);
    memcpy(text, a, la);
    memset(text + la, 'x', junk);
    text[la + junk] = '\n';
    memcpy(text + la + junk + 1, b, lb);
    int fd = temp_with(text, la + junk + 1 + lb);
    seen_t seen = {0};
    sc_scan_t s;
    ASSERT_EQ(sc_journal_scan(fd, 0, collect, &seen, &s), 0);
    ASSERT_EQ(seen.n, 2);
    ASSERT_EQ(s.ndamage, 1);
    ASSERT_EQ(s.damage[0].kind, SC_DAMAGE_TOO_LONG);
    ASSERT_EQ(s.damage[0].bytes, (int64_t)junk + 1);
    ASSERT_EQ(s.damage[0].after_seq, 1);
    ASSERT_EQ(s.damage[0].before_seq, 2);
    close(fd);
    /* Unterminated at the end: torn, and still not buffered. */
    fd = temp_with(text, la + junk);
    ASSERT_EQ(sc_journal_scan(fd, 0, NULL, NULL, &s), 0);
    ASSERT_TRUE(s.ends_torn);
    ASSERT_EQ(s.ndamage, 1);
    ASSERT_EQ(s.damage[0].kind, SC_DAMAGE_TORN);
    ASSERT_EQ(s.damage[0].bytes, (int64_t)junk);
    close(fd);
    free(text);
    free(a);
    free(b);
}

TEST(scan_complete_record_without_newline_counts)
{
    char *a = sealed_run(1, 2);
    size_t n = strlen(a) - 1; /* the last newline lost */
    int fd = temp_with(a, n);
    sc_scan_t s;
    ASSERT_EQ(sc_journal_scan(fd, 0, NULL, NULL, &s), 0);
    ASSERT_EQ(s.good, 2);
    ASSERT_TRUE(s.ends_torn);
    ASSERT_EQ(s.ndamage, 0);
    close(fd);
    free(a);
}

TEST(scan_from_offset_still_checks_from_the_top)
{
    char *t = sealed_run(1, 4);
    int fd = temp_with(t, strlen(t));
    seen_t seen = {0};
    sc_scan_t s;
    int64_t second = strchr(t, '\n') + 1 - t;
    ASSERT_EQ(sc_journal_scan(fd, second, collect, &seen, &s), 0);
    ASSERT_EQ(seen.n, 3);
    ASSERT_EQ(seen.seqs[0], 2);
    ASSERT_EQ(s.good, 4);
    close(fd);
    free(t);
}
