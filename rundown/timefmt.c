/* Time forms: the small grammars producers write times in, parsed to integer nanoseconds. */
#include "timefmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FORMS "90, 90s, 500ms, 1:30, 00:01:30, 00:01:30.250 or 00:01:30:12"
#define OFFSET_FORMS "0, 5s, -2s, 1:05, end-3s or end+1s"

/* How a span's errors name it: the whole text the producer wrote (an offset's
 * sign and "end" included), what kind of value it is, and the forms to suggest. */
typedef struct {
    const char *shown;
    const char *what;
    const char *forms;
} span_names_t;

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads an unsigned decimal integer of at most 12 digits. */
static bool read_uint(const char **p, int64_t *v, int *ndigits)
{
    const char *s = *p;
    int64_t x = 0;
    int n = 0;
    while (is_digit(*s)) {
        if (n == 12)
            return false;
        x = x * 10 + (*s - '0');
        s++;
        n++;
    }
    if (n == 0)
        return false;
    *p = s;
    *v = x;
    if (ndigits)
        *ndigits = n;
    return true;
}

/* Reads ".ddd" (1 to 9 digits) as a fraction: *num / 10^*ndigits. */
static bool read_fraction(const char **p, int64_t *num, int *ndigits)
{
    *num = 0;
    *ndigits = 0;
    if (**p != '.')
        return true;
    (*p)++;
    if (!is_digit(**p))
        return false;
    return read_uint(p, num, ndigits) && *ndigits <= 9;
}

static int64_t pow10i(int n)
{
    int64_t r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

/* whole + num/10^nd units of unit_ns each, or -1 when over RD_MAX_SPAN_NS. */
static int64_t scale(int64_t whole, int64_t num, int nd, int64_t unit_ns)
{
    if (whole > RD_MAX_SPAN_NS / unit_ns)
        return -1;
    int64_t ns = whole * unit_ns;
    if (nd > 0) {
        /* num < 10^9 and unit_ns <= 3.6e12 would overflow: scale in two steps. */
        int64_t den = pow10i(nd);
        ns += (num * (unit_ns / den)) + (num * (unit_ns % den) + den / 2) / den;
    }
    return ns > RD_MAX_SPAN_NS ? -1 : ns;
}

static int64_t frames_ns(int64_t frames, int fps)
{
    return (frames * RD_NS_PER_S + fps / 2) / fps;
}

static bool unit_ns(const char **p, int64_t *ns, bool *is_frames)
{
    static const struct {
        const char *name;
        int64_t ns;
    } units[] = {
        {"ms", RD_NS_PER_MS},
        {"min", RD_NS_PER_MIN},
        {"us", RD_NS_PER_US},
        {"\xc2\xb5s", RD_NS_PER_US},
        {"ns", 1},
        {"h", RD_NS_PER_HOUR},
        {"m", RD_NS_PER_MIN},
        {"s", RD_NS_PER_S},
        {"f", 0},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t n = strlen(units[i].name);
        if (strncmp(*p, units[i].name, n) == 0) {
            *p += n;
            *is_frames = units[i].ns == 0;
            *ns = *is_frames ? 0 : units[i].ns;
            return true;
        }
    }
    return false;
}

/* "1m30s", "500ms", "1.5s", "12f": one or more number-unit pairs. */
static bool parse_units(const char *s, const span_names_t *nm, int fps, int64_t *out, char *err,
                        size_t errlen)
{
    const char *p = s;
    int64_t total = 0;
    while (*p) {
        int64_t whole, num;
        int nd;
        if (!read_uint(&p, &whole, NULL) || !read_fraction(&p, &num, &nd))
            return fail(err, errlen, "\"%s\" is not a valid %s (write %s)", nm->shown, nm->what,
                        nm->forms);
        int64_t u;
        bool is_frames;
        if (!unit_ns(&p, &u, &is_frames))
            return fail(err, errlen, "\"%s\" has an unknown unit (use h, m, s, ms, us or f)",
                        nm->shown);
        int64_t ns;
        if (is_frames) {
            if (nd > 0)
                return fail(err, errlen, "\"%s\": frames are whole numbers", nm->shown);
            ns = whole > RD_MAX_SPAN_NS / RD_NS_PER_S ? -1 : frames_ns(whole, fps);
        } else {
            ns = scale(whole, num, nd, u);
        }
        if (ns < 0 || total + ns > RD_MAX_SPAN_NS)
            return fail(err, errlen, "\"%s\" is longer than 7 days", nm->shown);
        total += ns;
    }
    *out = total;
    return true;
}

/* Splits "a:b:c[.f]" or "a:b:c:ff" and checks every field. */
typedef struct {
    int64_t part[4];
    int digits[4];
    int nparts;
    int64_t frac;
    int frac_digits;
} colon_form_t;

static bool split_colons(const char *s, colon_form_t *f)
{
    const char *p = s;
    memset(f, 0, sizeof *f);
    for (;;) {
        if (f->nparts == 4 || !read_uint(&p, &f->part[f->nparts], &f->digits[f->nparts]))
            return false;
        f->nparts++;
        if (*p == ':') {
            p++;
            continue;
        }
        break;
    }
    if (*p == '.') {
        if (f->nparts == 4 || !read_fraction(&p, &f->frac, &f->frac_digits))
            return false;
    }
    return *p == '\0' && f->nparts >= 2;
}

/* Sums a colon form already split; s is the text and what the kind of value
 * ("duration", "offset", "time of day") errors name. */
static bool colon_value(const char *s, const char *what, const colon_form_t *f, int fps,
                        int64_t *out, char *err, size_t errlen)
{
    int64_t h = 0, m, sec, frames = 0;
    if (f->nparts == 2) {
        m = f->part[0];
        sec = f->part[1];
    } else {
        h = f->part[0];
        m = f->part[1];
        sec = f->part[2];
        if (f->nparts == 4)
            frames = f->part[3];
    }
    for (int i = 1; i < f->nparts; i++) {
        if (f->digits[i] != 2 && !(i == 3 && fps > 99))
            return fail(err, errlen, "\"%s\" is not a valid %s: write two digits after each ':'", s,
                        what);
    }
    if (f->nparts >= 3 && m >= 60)
        return fail(err, errlen, "\"%s\" is not a valid %s: minutes must be below 60", s, what);
    if (sec >= 60)
        return fail(err, errlen, "\"%s\" is not a valid %s: seconds must be below 60", s, what);
    if (f->nparts == 4 && frames >= fps)
        return fail(err, errlen, "\"%s\": frame %lld is not below the show's %d fps", s,
                    (long long)frames, fps);
    if (h > 7 * 24 || m > 7 * 24 * 60)
        return fail(err, errlen, "\"%s\" is longer than 7 days", s);
    int64_t ns = h * RD_NS_PER_HOUR + m * RD_NS_PER_MIN + sec * RD_NS_PER_S;
    ns += scale(0, f->frac, f->frac_digits, RD_NS_PER_S);
    ns += frames_ns(frames, fps);
    if (ns > RD_MAX_SPAN_NS)
        return fail(err, errlen, "\"%s\" is longer than 7 days", s);
    *out = ns;
    return true;
}

static bool fps_ok(int fps, char *err, size_t errlen)
{
    if (fps < 1 || fps > RD_MAX_FPS)
        return fail(err, errlen, "fps %d is out of range", fps);
    return true;
}

/* The unsigned part shared by durations and offsets. bare_ok says whether a
 * plain number counts as seconds; unit_hint is the example for when it does not. */
static bool parse_span(const char *s, const span_names_t *nm, int fps, bool bare_ok,
                       const char *unit_hint, int64_t *out, char *err, size_t errlen)
{
    if (!fps_ok(fps, err, errlen))
        return false;
    if (*s == '\0')
        return fail(err, errlen, "empty value (write %s)", nm->forms);
    if (strchr(s, ':')) {
        colon_form_t f;
        if (!split_colons(s, &f))
            return fail(err, errlen, "\"%s\" is not a valid %s (write %s)", nm->shown, nm->what,
                        nm->forms);
        return colon_value(nm->shown, nm->what, &f, fps, out, err, errlen);
    }
    const char *p = s;
    int64_t whole, num;
    int nd;
    if (read_uint(&p, &whole, NULL) && read_fraction(&p, &num, &nd) && *p == '\0') {
        if (!bare_ok && (whole != 0 || num != 0))
            return fail(err, errlen, "\"%s\" needs a unit or a time form (e.g. %s)", nm->shown,
                        unit_hint);
        int64_t ns = scale(whole, num, nd, RD_NS_PER_S);
        if (ns < 0)
            return fail(err, errlen, "\"%s\" is longer than 7 days", nm->shown);
        *out = ns;
        return true;
    }
    return parse_units(s, nm, fps, out, err, errlen);
}

bool rd_parse_duration(const char *s, int fps, int64_t *out, char *err, size_t errlen)
{
    if (s[0] == '-')
        return fail(err, errlen, "\"%s\": a duration cannot be negative", s);
    span_names_t nm = {s, "duration", FORMS};
    return parse_span(s, &nm, fps, true, NULL, out, err, errlen);
}

bool rd_parse_offset(const char *s, int fps, rd_anchor_t *anchor, int64_t *out, char *err,
                     size_t errlen)
{
    rd_anchor_t a = RD_FROM_START;
    const char *p = s;
    if (strncmp(p, "end", 3) == 0) {
        a = RD_FROM_END;
        p += 3;
        if (*p == '\0') {
            *anchor = a;
            *out = 0;
            return true;
        }
        if (*p != '-' && *p != '+')
            return fail(err, errlen, "\"%s\" is not a valid offset (write end, end-3s or end+1s)",
                        s);
    }
    int64_t sign = 1;
    if (*p == '-' || *p == '+') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (*p == '-' || *p == '+')
        return fail(err, errlen, "\"%s\" has two signs", s);

    if (*p == '\0')
        return fail(err, errlen, "\"%s\" is not a valid offset (write %s)", s, OFFSET_FORMS);

    /* The hint repeats the producer's text with an "s" added, e.g. end-3s.
     * Errors quote the whole text, not just the part after the sign. */
    char hint[64];
    snprintf(hint, sizeof hint, "%.60ss", s);
    span_names_t nm = {s, "offset", OFFSET_FORMS};
    int64_t ns;
    if (!parse_span(p, &nm, fps, false, hint, &ns, err, errlen))
        return false;
    *anchor = a;
    *out = sign * ns;
    return true;
}

bool rd_parse_time_of_day(const char *s, int fps, int64_t *out, char *err, size_t errlen)
{
    /* The frame count is divided by fps even when it is 0. */
    if (!fps_ok(fps, err, errlen))
        return false;
    colon_form_t f;
    if (!split_colons(s, &f) || f.nparts < 3)
        return fail(err, errlen,
                    "\"%s\" is not a time of day (write HH:MM:SS, HH:MM:SS.mmm or HH:MM:SS:FF)", s);
    if (f.digits[0] != 2)
        return fail(err, errlen, "\"%s\" is not a valid time of day: write two digits for hours",
                    s);
    if (f.part[0] > 23)
        return fail(err, errlen, "\"%s\" is not a valid time of day: hours must be below 24", s);
    return colon_value(s, "time of day", &f, fps, out, err, errlen);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool rd_parse_date(const char *s, int *year, int *month, int *day, char *err, size_t errlen)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    char extra;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || !is_digit(s[0]) || !is_digit(s[5]) ||
        !is_digit(s[8]))
        return fail(err, errlen, "\"%s\" is not a date (write YYYY-MM-DD)", s);
    if (m < 1 || m > 12)
        return fail(err, errlen, "\"%s\" is not a valid date: month must be 01 to 12", s);
    int maxd = mdays[m - 1] + (m == 2 && leap(y));
    if (d < 1 || d > maxd)
        return fail(err, errlen, "\"%s\" is not a valid date: that month has %d days", s, maxd);
    if (y < 1970)
        return fail(err, errlen, "\"%s\" is not a valid date: year before 1970", s);
    *year = y;
    *month = m;
    *day = d;
    return true;
}

void rd_format_clock(int64_t ns, char *buf, size_t len)
{
    /* Days are counted down from midnight too, so that the clock part is
     * always a real time of day: -5 min is "-1 23:55:00". */
    int64_t day = ns / RD_NS_PER_DAY;
    int64_t t = ns % RD_NS_PER_DAY;
    if (t < 0) {
        t += RD_NS_PER_DAY;
        day--;
    }
    int h = (int)(t / RD_NS_PER_HOUR);
    int m = (int)(t / RD_NS_PER_MIN % 60);
    int s = (int)(t / RD_NS_PER_S % 60);
    int ms = (int)(t / RD_NS_PER_MS % 1000);
    char prefix[32] = "";
    if (day != 0)
        snprintf(prefix, sizeof prefix, "%+lld ", (long long)day);
    if (t % RD_NS_PER_S)
        snprintf(buf, len, "%s%02d:%02d:%02d.%03d", prefix, h, m, s, ms);
    else
        snprintf(buf, len, "%s%02d:%02d:%02d", prefix, h, m, s);
}

static void format_span(int64_t ns, const char *plus, char *buf, size_t len)
{
    const char *sign = plus;
    if (ns < 0) {
        sign = "-";
        ns = -ns;
    } else if (ns == 0) {
        sign = "";
    }
    int64_t h = ns / RD_NS_PER_HOUR;
    int m = (int)(ns / RD_NS_PER_MIN % 60);
    int s = (int)(ns / RD_NS_PER_S % 60);
    int ms = (int)(ns / RD_NS_PER_MS % 1000);
    char frac[8] = "";
    if (ns % RD_NS_PER_S)
        snprintf(frac, sizeof frac, ".%03d", ms);
    if (h > 0)
        snprintf(buf, len, "%s%lld:%02d:%02d%s", sign, (long long)h, m, s, frac);
    else
        snprintf(buf, len, "%s%d:%02d%s", sign, m, s, frac);
}

void rd_format_duration(int64_t ns, char *buf, size_t len)
{
    format_span(ns, "", buf, len);
}

void rd_format_signed(int64_t ns, char *buf, size_t len)
{
    format_span(ns, "+", buf, len);
}
