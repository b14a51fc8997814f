/* valid — see valid.h. */
#include "valid.h"

#include <string.h>

#include "text.h"

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

bool valid_line(const char *s)
{
    return !has_control(s);
}

bool valid_lines(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && !strchr("\r\n\t", *s)) || *s == 0x7f)
            return false;
    return true;
}

bool valid_username(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
    return s[n] == '\0' && n >= 3 && n <= 40;
}

bool valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254 || (size_t)(at - s) > 64)
        return false;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0' || strstr(at, ".."))
        return false;
    for (const char *p = s; *p; p++) /* printable ASCII only: it goes into mail headers as it is */
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("<>()[]\\,;:\"", *p))
            return false;
    return true;
}

bool valid_person_name(const char *s)
{
    size_t n = text_utf8_length(s);
    return n >= 1 && n <= 100 && !has_control(s) && s[0] != ' ';
}

bool valid_local_path(const char *s)
{
    return s[0] == '/' && s[1] != '/' && s[1] != '\\' && !has_control(s);
}
