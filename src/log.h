/* log — one line per event on stderr (journald or the terminal keep it).
 * Thread-safe: each call is a single write of one line. Cannot fail. */
#ifndef LOG_H
#define LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
