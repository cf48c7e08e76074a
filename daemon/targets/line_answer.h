/* Text-line devices' answers (CasparCG AMCP, HyperDeck): lines grouped into whole answers. */
#ifndef SC_LINE_ANSWER_H
#define SC_LINE_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"

/* The first bytes of an answer kept for the as-run. */
#define SC_LINE_KEPT 256

/* An answer is one line, unless its first line says more follow:
 *   "201 INFO OK"          (AMCP): one more line;
 *   "400 ERROR"            (AMCP): one more line, the command it did not understand;
 *   "200 CINF OK"          (AMCP, a code 200 with a command word): lines to an empty line;
 *   "208 transport info:"  (HyperDeck, any line ending in ':'): lines to an empty line.
 * "200 ok" (HyperDeck) is one line. A first line starting with a three-digit
 * code is ok for 2xx and an error otherwise; one without a code is ok. */
typedef struct {
    char line[1024];
    size_t len;
    bool too_long; /* the current line passed 1 KiB: the rest of it is dropped */
    bool last_cr;  /* the last byte read was a CR */
    char text[SC_LINE_KEPT + 1];
    size_t text_len;
    int more; /* lines still to come: 0 none, 1 one, -1 up to an empty line */
    bool in_answer;
    sc_answer_kind_t kind;
} sc_lines_t;

void sc_lines_reset(sc_lines_t *l);

/* Reads n bytes (lines end in LF, CRLF or CR); calls answer for each whole
 * answer: its lines joined by " | ", and whether it is ok. */
void sc_lines_feed(sc_lines_t *l, const char *buf, size_t n,
                   void (*answer)(void *ctx, const char *text, sc_answer_kind_t kind), void *ctx);

#endif
