/* valid — pure checks of text shared by the HTTP input table (fields.c),
 * the domain rules (accounts, municipalities, support search) and the mail
 * builder.  Base layer: includes nothing of the application but text.h.
 * Every function takes a NUL-terminated string (valid UTF-8 where it came
 * from a form) and cannot fail. */
#ifndef VALID_H
#define VALID_H

#include <stdbool.h>

bool valid_line(const char *s);        /* no control characters (CR, LF, ...) */
bool valid_lines(const char *s);       /* no control characters but CR, LF and tab */
bool valid_username(const char *s);    /* 3-40 of A-Z a-z 0-9 . _ - */
bool valid_email(const char *s);       /* one @, a dot in the domain, printable ASCII without <>()[]\,;:" */
bool valid_person_name(const char *s); /* 1-100 characters, no control characters, not starting with a space */
bool valid_local_path(const char *s);  /* "/..." but not "//..." nor "/\..." */

#endif
