#include "text.h"

#include <string.h>

char *text_trim(char *s, const char *chars)
{
    s += strspn(s, chars);
    size_t len = strlen(s);
    while (len > 0 && strchr(chars, s[len - 1]))
        s[--len] = '\0';
    return s;
}

char *text_unquote(char *s)
{
    size_t len = strlen(s);
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s[len - 1] = '\0';
        return s + 1;
    }
    return s;
}

size_t text_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}
