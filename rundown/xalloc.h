/* Allocation helpers: allocation failure aborts, so callers never check for NULL. */
#ifndef RD_XALLOC_H
#define RD_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Every function returns memory the caller frees. Out of memory aborts the
 * process: a half-built rundown is worse than a clear crash at load time, and
 * nothing here runs on the cue clock. */
void *rd_xcalloc(size_t n, size_t size);
void *rd_xrealloc(void *p, size_t size);
char *rd_xstrdup(const char *s);
char *rd_xstrndup(const char *s, size_t n);
char *rd_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *rd_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
