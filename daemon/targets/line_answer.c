/* Text-line answers: status codes and multi-line blocks as CasparCG's AMCP and HyperDeck write
 * them. */
#include "line_answer.h"

#include <ctype.h>
#include <string.h>

void sc_lines_reset(sc_lines_t *l)
{
    memset(l, 0, sizeof *l);
}

static void keep(sc_lines_t *l, const char *s)
{
    if (l->text_len && l->text_len < SC_LINE_KEPT) {
        size_t n = strlen(" | ");
        if (n > SC_LINE_KEPT - l->text_len)
            n = SC_LINE_KEPT - l->text_len;
        memcpy(l->text + l->text_len, " | ", n);
        l->text_len += n;
    }
    size_t n = strlen(s);
    if (n > SC_LINE_KEPT - l->text_len)
        n = SC_LINE_KEPT - l->text_len;
    memcpy(l->text + l->text_len, s, n);
    l->text_len += n;
    l->text[l->text_len] = '\0';
}

/* The line's three-digit code, or -1. */
static int code_of(const char *s)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]) || (s[3] != '\0' && s[3] != ' '))
        return -1;
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

static size_t words(const char *s)
{
    size_t n = 0;
    for (bool in = false; *s; s++) {
        bool sp = *s == ' ' || *s == '\t';
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

static void emit(sc_lines_t *l, void (*answer)(void *, const char *, sc_answer_kind_t), void *ctx)
{
    char text[SC_LINE_KEPT + 1];
    memcpy(text, l->text, l->text_len + 1);
    sc_answer_kind_t kind = l->kind;
    l->in_answer = false;
    l->more = 0;
    l->text_len = 0;
    l->text[0] = '\0';
    answer(ctx, text, kind);
}

static void on_line(sc_lines_t *l, void (*answer)(void *, const char *, sc_answer_kind_t),
                    void *ctx)
{
    const char *s = l->line;
    if (l->in_answer) {
        if (l->more == -1 && s[0] == '\0') {
            emit(l, answer, ctx);
            return;
        }
        keep(l, s);
        if (l->more == 1)
            emit(l, answer, ctx);
        return;
    }
    if (s[0] == '\0')
        return; /* a blank line between answers */
    int code = code_of(s);
    size_t n = strlen(s);
    l->in_answer = true;
    l->kind = code < 0 || (code >= 200 && code < 300) ? SC_ANSWER_OK : SC_ANSWER_ERROR;
    keep(l, s);
    if (code == 201 || code == 400) /* 400: CasparCG echoes the line it did not understand */
        l->more = 1;
    else if ((code == 200 && words(s) > 2) || s[n - 1] == ':')
        l->more = -1;
    else
        emit(l, answer, ctx);
}

void sc_lines_feed(sc_lines_t *l, const char *buf, size_t n,
                   void (*answer)(void *ctx, const char *text, sc_answer_kind_t kind), void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c == '\n' && l->last_cr) { /* the LF of a CRLF, perhaps in the next read */
            l->last_cr = false;
            continue;
        }
        l->last_cr = c == '\r';
        if (c == '\n' || c == '\r') {
            l->line[l->len] = '\0';
            l->len = 0;
            l->too_long = false;
            on_line(l, answer, ctx);
            continue;
        }
        if (l->len + 1 >= sizeof l->line) {
            l->too_long = true;
            continue;
        }
        l->line[l->len++] = c;
    }
}
