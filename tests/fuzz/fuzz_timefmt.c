/* libFuzzer target: every time-form parser in timefmt.h, and round trips through the printers.
 *
 * The first input byte picks the frame rate (1 + byte % 240); the rest,
 * copied and NUL-terminated, is the text given to rd_parse_duration,
 * rd_parse_offset, rd_parse_time_of_day and rd_parse_date, each with a full
 * and a one-byte error buffer. What parses is printed back and parsed again;
 * for a whole number of milliseconds the printers are exact (they print
 * ".mmm" when there are milliseconds, and no form rounds), so the value must
 * come back unchanged. Frame forms are not whole milliseconds at most rates,
 * and the printers drop anything below a millisecond, so other values are
 * only printed. A mismatch traps, so the fuzzer reports it as a crash.
 *
 * Build with `make build/fuzz/fuzz_timefmt`; run with tests/fuzz/run.sh. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool whole_ms(int64_t ns)
{
    return ns % RD_NS_PER_MS == 0;
}

/* An error message must be a terminated, non-empty string that fits. */
static void check_err(const char *err, size_t errlen)
{
    size_t n = strnlen(err, errlen);
    if (n == errlen || (errlen > 1 && n == 0))
        __builtin_trap();
}

static void duration(const char *s, int fps)
{
    char err[256], tiny[1] = {'x'}, out[64];
    int64_t ns = -1, again = -1;
    bool ok = rd_parse_duration(s, fps, &ns, err, sizeof err);
    if (rd_parse_duration(s, fps, &again, tiny, sizeof tiny) != ok)
        __builtin_trap();
    if (!ok) {
        check_err(err, sizeof err);
        check_err(tiny, sizeof tiny);
        return;
    }
    if (ns < 0 || ns > RD_MAX_SPAN_NS || again != ns)
        __builtin_trap();
    rd_format_duration(ns, out, sizeof out);
    rd_format_signed(ns, out, sizeof out);
    if (!whole_ms(ns))
        return;
    rd_format_duration(ns, out, sizeof out);
    again = -1;
    if (!rd_parse_duration(out, fps, &again, err, sizeof err) || again != ns)
        __builtin_trap();
}

static void offset(const char *s, int fps)
{
    char err[256], tiny[1] = {'x'}, out[64], text[80];
    rd_anchor_t anchor = RD_FROM_START, anchor2 = RD_FROM_START;
    int64_t ns = 0, again = 0;
    bool ok = rd_parse_offset(s, fps, &anchor, &ns, err, sizeof err);
    if (rd_parse_offset(s, fps, &anchor2, &again, tiny, sizeof tiny) != ok)
        __builtin_trap();
    if (!ok) {
        check_err(err, sizeof err);
        check_err(tiny, sizeof tiny);
        return;
    }
    if (ns < -RD_MAX_SPAN_NS || ns > RD_MAX_SPAN_NS || again != ns || anchor2 != anchor)
        __builtin_trap();
    rd_format_signed(ns, out, sizeof out);
    if (!whole_ms(ns))
        return;
    /* "+0:30", "-1:05", "0:00"; from the end "end+0:30", "end-1:05", "end". */
    if (anchor == RD_FROM_END)
        snprintf(text, sizeof text, "end%s", ns ? out : "");
    else
        snprintf(text, sizeof text, "%s", out);
    anchor2 = (rd_anchor_t)-1;
    again = -1;
    if (!rd_parse_offset(text, fps, &anchor2, &again, err, sizeof err) || anchor2 != anchor ||
        again != ns)
        __builtin_trap();
}

static void time_of_day(const char *s, int fps)
{
    char err[256], tiny[1] = {'x'}, out[64];
    int64_t ns = -1, again = -1;
    bool ok = rd_parse_time_of_day(s, fps, &ns, err, sizeof err);
    if (rd_parse_time_of_day(s, fps, &again, tiny, sizeof tiny) != ok)
        __builtin_trap();
    if (!ok) {
        check_err(err, sizeof err);
        check_err(tiny, sizeof tiny);
        return;
    }
    if (ns < 0 || ns >= RD_NS_PER_DAY || again != ns)
        __builtin_trap();
    rd_format_clock(ns, out, sizeof out);
    rd_format_clock(ns + RD_NS_PER_DAY, out, sizeof out); /* "+1 ..." after midnight */
    rd_format_clock(ns - RD_NS_PER_DAY, out, sizeof out);
    if (!whole_ms(ns))
        return;
    rd_format_clock(ns, out, sizeof out);
    again = -1;
    if (!rd_parse_time_of_day(out, fps, &again, err, sizeof err) || again != ns)
        __builtin_trap();
}

static void date(const char *s)
{
    char err[256], tiny[1] = {'x'}, out[32];
    int y = 0, m = 0, d = 0, y2 = 0, m2 = 0, d2 = 0;
    bool ok = rd_parse_date(s, &y, &m, &d, err, sizeof err);
    if (rd_parse_date(s, &y2, &m2, &d2, tiny, sizeof tiny) != ok)
        __builtin_trap();
    if (!ok) {
        check_err(err, sizeof err);
        check_err(tiny, sizeof tiny);
        return;
    }
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        __builtin_trap();
    snprintf(out, sizeof out, "%04d-%02d-%02d", y, m, d);
    if (!rd_parse_date(out, &y2, &m2, &d2, err, sizeof err) || y2 != y || m2 != m || d2 != d)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int fps = 1 + data[0] % RD_MAX_FPS;
    char *s = malloc(size);
    if (!s)
        abort();
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    duration(s, fps);
    offset(s, fps);
    time_of_day(s, fps);
    date(s);
    free(s);
    return 0;
}
