/* Tests for daemon/targets/line_answer.c: AMCP and HyperDeck answers grouped from their lines. */
#include <stdio.h>
#include <string.h>

#include "targets/line_answer.h"
#include "unit.h"

typedef struct {
    char text[8][SC_LINE_KEPT + 1];
    sc_answer_kind_t kind[8];
    int n;
} got_t;

static void on_answer(void *ctx, const char *text, sc_answer_kind_t kind)
{
    got_t *g = ctx;
    if (g->n < 8) {
        snprintf(g->text[g->n], sizeof g->text[g->n], "%s", text);
        g->kind[g->n] = kind;
    }
    g->n++;
}

static void feed(sc_lines_t *l, const char *s, got_t *g)
{
    sc_lines_feed(l, s, strlen(s), on_answer, g);
}

/* CasparCG's AMCP: 202 alone, 201 with one data line, 200 with lines to an
 * empty line, 4xx and 5xx errors. */
TEST(lines_amcp_answers)
{
    sc_lines_t l;
    sc_lines_reset(&l);
    got_t g = {0};
    feed(&l, "202 PLAY OK\r\n201 VERSION OK\r\n2.3.3 LTS\r\n", &g);
    feed(&l, "200 CLS OK\r\nAMB MOVIE 1 2\r\nCG1080i50 MOVIE 3 4\r\n\r\n", &g);
    feed(&l, "404 PLAY ERROR\r\n401 PLAY ILLEGAL VIDEO_CHANNEL\r\n500 FAILED\r\n", &g);
    ASSERT_EQ(g.n, 6);
    ASSERT_STR_EQ(g.text[0], "202 PLAY OK");
    ASSERT_EQ(g.kind[0], SC_ANSWER_OK);
    ASSERT_STR_EQ(g.text[1], "201 VERSION OK | 2.3.3 LTS");
    ASSERT_STR_EQ(g.text[2], "200 CLS OK | AMB MOVIE 1 2 | CG1080i50 MOVIE 3 4");
    ASSERT_EQ(g.kind[2], SC_ANSWER_OK);
    ASSERT_STR_EQ(g.text[3], "404 PLAY ERROR");
    ASSERT_EQ(g.kind[3], SC_ANSWER_ERROR);
    ASSERT_EQ(g.kind[4], SC_ANSWER_ERROR);
    ASSERT_EQ(g.kind[5], SC_ANSWER_ERROR);
}

/* HyperDeck: "200 ok" is one line; a line ending in ':' opens a block; LF
 * line ends; a CRLF split across two reads. */
TEST(lines_hyperdeck_answers_and_split_reads)
{
    sc_lines_t l;
    sc_lines_reset(&l);
    got_t g = {0};
    feed(&l, "500 connection info:\nprotocol version: 1.11\nmodel: HyperDeck\n\n", &g);
    feed(&l, "200 ok\r", &g);
    feed(&l, "\n103 unsupported\r\n", &g);
    ASSERT_EQ(g.n, 3);
    ASSERT_STR_EQ(g.text[0], "500 connection info: | protocol version: 1.11 | model: HyperDeck");
    ASSERT_EQ(g.kind[0], SC_ANSWER_ERROR); /* a 5xx, read as any code: unasked anyway */
    ASSERT_STR_EQ(g.text[1], "200 ok");
    ASSERT_EQ(g.kind[1], SC_ANSWER_OK);
    ASSERT_STR_EQ(g.text[2], "103 unsupported");
    ASSERT_EQ(g.kind[2], SC_ANSWER_ERROR);
}

/* A device without codes: every line is an ok answer; blank lines between
 * answers are none; a line past 1 KiB is cut, not split. */
TEST(lines_without_codes_and_long_lines)
{
    sc_lines_t l;
    sc_lines_reset(&l);
    got_t g = {0};
    feed(&l, "\r\nREADY\r\n\r\n", &g);
    char big[3000];
    memset(big, 'a', 2500);
    big[2500] = '\n';
    big[2501] = '\0';
    feed(&l, big, &g);
    ASSERT_EQ(g.n, 2);
    ASSERT_STR_EQ(g.text[0], "READY");
    ASSERT_EQ(g.kind[0], SC_ANSWER_OK);
    ASSERT_EQ(strlen(g.text[1]), SC_LINE_KEPT);
}
