/* The daemon's log: one line per event on stderr, with the wall-clock time. */
#ifndef SC_LOG_H
#define SC_LOG_H

void sc_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define sc_info(...) sc_log("info", __VA_ARGS__)
#define sc_warn(...) sc_log("warn", __VA_ARGS__)
#define sc_error(...) sc_log("error", __VA_ARGS__)

#endif
