/* The prompter's scroll (prompter.h): rebased at every change, so that one linear formula
 * gives every screen the position at any moment. */
#include "prompter.h"

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void sc_prompter_init(sc_prompter_t *p)
{
    *p = (sc_prompter_t){.item = -1};
}

size_t sc_utf16_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; s && *c; c++) {
        if ((*c & 0xC0) == 0x80)
            continue;                     /* a continuation byte */
        n += (*c & 0xF8) == 0xF0 ? 2 : 1; /* beyond the BMP: a surrogate pair */
    }
    return n;
}

void sc_prompter_follow(sc_prompter_t *p, int item, uint32_t run, int64_t start_ms,
                        const char *script)
{
    if (item == p->item && run == p->run)
        return;
    p->item = item;
    p->run = run;
    p->position = 0;
    p->at_ms = start_ms;
    p->length = (double)sc_utf16_length(script);
}

double sc_prompter_at(const sc_prompter_t *p, int64_t now_ms)
{
    return clamp(p->position + p->speed * (double)(now_ms - p->at_ms) / 1000.0, 0, p->length);
}

static void rebase(sc_prompter_t *p, int64_t now_ms)
{
    p->position = sc_prompter_at(p, now_ms);
    p->at_ms = now_ms;
}

void sc_prompter_set_speed(sc_prompter_t *p, int64_t now_ms, double speed)
{
    rebase(p, now_ms);
    p->speed = clamp(speed, -SC_PROMPTER_MAX_SPEED, SC_PROMPTER_MAX_SPEED);
}

void sc_prompter_set_position(sc_prompter_t *p, int64_t now_ms, double position)
{
    p->position = clamp(position, 0, p->length);
    p->at_ms = now_ms;
}

void sc_prompter_nudge(sc_prompter_t *p, int64_t now_ms, double chars)
{
    rebase(p, now_ms);
    p->position = clamp(p->position + chars, 0, p->length);
}
