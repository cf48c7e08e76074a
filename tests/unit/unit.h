/* A small unit-test harness: TEST() registers, ASSERT_* print both values on failure. */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef void (*unit_fn_t)(void);

void unit_register(const char *name, const char *file, unit_fn_t fn);
void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Defines and registers a test. A failed assertion returns from it. */
#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void unit_reg_##name(void)                                 \
    {                                                                                              \
        unit_register(#name, __FILE__, name);                                                      \
    }                                                                                              \
    static void name(void)

#define ASSERT_TRUE(x)                                                                             \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            unit_fail(__FILE__, __LINE__, "expected true: %s", #x);                                \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ASSERT_FALSE(x) ASSERT_TRUE(!(x))

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);                              \
        if (unit_a_ != unit_b_) {                                                                  \
            unit_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, unit_a_, unit_b_);     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                        \
    do {                                                                                           \
        const char *unit_a_ = (a), *unit_b_ = (b);                                                 \
        if (!unit_a_ || !unit_b_ || strcmp(unit_a_, unit_b_) != 0) {                               \
            unit_fail(__FILE__, __LINE__, "%s == %s:\n#   got:  \"%s\"\n#   want: \"%s\"", #a, #b, \
                      unit_a_ ? unit_a_ : "(null)", unit_b_ ? unit_b_ : "(null)");                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Passes when haystack contains needle. */
#define ASSERT_CONTAINS(haystack, needle)                                                          \
    do {                                                                                           \
        const char *unit_h_ = (haystack), *unit_n_ = (needle);                                     \
        if (!unit_h_ || !strstr(unit_h_, unit_n_)) {                                               \
            unit_fail(__FILE__, __LINE__, "%s contains %s:\n#   got:  \"%s\"\n#   want: \"%s\"",   \
                      #haystack, #needle, unit_h_ ? unit_h_ : "(null)", unit_n_);                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#endif
