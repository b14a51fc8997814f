/* text — small pure helpers on NUL-terminated strings, shared by the
 * parsers (config, form) and the validators.  No allocation; cannot fail. */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>

/* Removes the characters of `chars` from both ends of s, in place (the end
 * by writing a NUL); returns the new start inside s. */
char *text_trim(char *s, const char *chars);
/* When s is enclosed in double quotes, removes them in place and returns
 * the inside; else returns s unchanged. */
char *text_unquote(char *s);
/* Number of characters of valid UTF-8 text (continuation bytes not counted). */
size_t text_utf8_length(const char *s);

#endif
