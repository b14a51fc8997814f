/* fields — see fields.h. */
#include "fields.h"

#include <string.h>

#include "date.h"
#include "form.h"
#include "mem.h"
#include "text.h"
#include "valid.h"




static bool valid_kind(const char *s)
{
    return strcmp(s, "course") == 0 || strcmp(s, "package") == 0;
}

static bool valid_nonempty_line(const char *s)
{
    return *s && valid_line(s);
}

static bool valid_any(const char *s)
{
    (void)s;
    return true;
}

static bool valid_flag(const char *s)
{
    return strcmp(s, "1") == 0;
}

static bool valid_mode(const char *s)
{
    return strcmp(s, "existing") == 0 || strcmp(s, "new") == 0;
}

static bool valid_token(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    return n == 43 && s[n] == '\0';
}

static bool valid_support_action(const char *s)
{
    return strcmp(s, "revoke") == 0 || strcmp(s, "extend") == 0 || strcmp(s, "release") == 0 ||
           strcmp(s, "paid") == 0 || strcmp(s, "storno") == 0; /* the last two: the invoice page */
}

static bool one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

static bool valid_status(const char *s)
{
    static const char *const words[] = {"offen", "eingeloest", "abgelaufen", "widerrufen",
                                        "eingeschrieben", "abgeschlossen",
                                        /* an invoice's (the journal) */
                                        "bezahlt", "ueberfaellig", "storniert", "teilstorniert", NULL};
    return one_of(s, words);
}

static bool valid_yes_no(const char *s)
{
    return strcmp(s, "ja") == 0 || strcmp(s, "nein") == 0;
}

static bool valid_hint(const char *s)
{
    static const char *const words[] = {"gespeichert", "gesendet", "verteilt", NULL};
    return one_of(s, words);
}

static bool valid_page(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n >= 1 && n <= 6 && s[n] == '\0' && s[0] != '0';
}

static bool valid_id(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n >= 1 && n <= 12 && s[n] == '\0' && s[0] != '0';
}

static bool valid_scope(const char *s)
{
    return strcmp(s, "all") == 0 || strcmp(s, "open") == 0;
}

static bool valid_iso_date(const char *s)
{
    int y, m, d;
    return date_parse_iso(s, &y, &m, &d);
}

static bool valid_digits(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n >= 1 && s[n] == '\0';
}

static bool valid_password(const char *s)
{
    return *s != '\0';
}





bool field_parse_qty(const char *s, long *value)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 5 || s[n] != '\0')
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    *value = v;
    return v <= QTY_MAX;
}

const struct field_spec field_specs[F__MAX] = {
    [F_CSRF] = {"csrf", 64, valid_token},
    [F_USERNAME] = {"username", 100, valid_nonempty_line},
    [F_PASSWORD] = {"password", 1024, valid_password},
    [F_PASSWORD2] = {"password2", 1024, valid_any},
    [F_CODE] = {"code", 200, valid_nonempty_line},
    [F_MODE] = {"mode", 10, valid_mode},
    [F_FIRST_NAME] = {"first_name", 400, valid_person_name},
    [F_LAST_NAME] = {"last_name", 400, valid_person_name},
    [F_EMAIL] = {"email", 254, valid_email},
    [F_PRIVACY] = {"privacy", 1, valid_flag},
    [F_REFERENCE] = {"reference", 100, valid_line},
    [F_CONFIRM] = {"confirm", 1, valid_flag},
    [F_ORDER_TOKEN] = {"order_token", 64, valid_token},
    [F_Q] = {"q", 200, valid_nonempty_line},
    [F_NR] = {"nr", 100, valid_nonempty_line},
    [F_REASON] = {"reason", 500, valid_nonempty_line},
    [F_VALID_UNTIL] = {"valid_until", 10, valid_iso_date},
    [F_NEXT] = {"next", 200, valid_local_path},
    [F_GKZ] = {"gkz", 5, valid_nonempty_line},
    [F_NAME] = {"name", 400, valid_line},
    [F_ADDRESS] = {"address", 500, valid_lines},
    [F_UID] = {"uid", 20, valid_line},
    [F_SLUG] = {"slug", 40, valid_nonempty_line},
    [F_TITLE] = {"title", 300, valid_line},
    [F_DESCRIPTION] = {"description", 1000, valid_lines},
    [F_HOURS] = {"hours", 10, valid_nonempty_line},
    [F_PRICE] = {"price", 20, valid_nonempty_line},
    [F_KIND] = {"kind", 10, valid_kind},
    [F_ACTIVE] = {"active", 1, valid_flag},
    [F_ROLE] = {"role", 20, valid_nonempty_line},
    [F_COURSES] = {"courses", 2000, valid_line},
    [F_TENANT] = {"tenant", 5, valid_nonempty_line},
    [F_DONE] = {"done", 7, valid_support_action},
    [F_COURSE] = {"course", 40, valid_nonempty_line},
    [F_COMPLETED_ON] = {"completed_on", 10, valid_iso_date},
    [F_PAGE] = {"seite", 6, valid_page},
    [F_CURRENT_PASSWORD] = {"current_password", 1024, valid_password},
    [F_LOGIN] = {"login", 254, valid_nonempty_line},
    [F_T] = {"t", 64, valid_token},
    [F_URL] = {"url", 500, valid_line},
    [F_AFTER] = {"after", 18, valid_digits},
    [F_LIMIT] = {"limit", 18, valid_digits},
    [F_RECIPIENTS] = {"recipients", 1000000, valid_lines},
    [F_STATUS] = {"status", 20, valid_status},
    [F_ASSIGNED] = {"zugewiesen", 4, valid_yes_no},
    [F_HINT] = {"hinweis", 20, valid_hint},
    [F_CODE_ID] = {"code_id", 12, valid_id},
    [F_FROM] = {"from", 10, valid_iso_date},
    [F_TO] = {"to", 10, valid_iso_date},
    [F_PAID_ON] = {"paid_on", 10, valid_iso_date},
    [F_SCOPE] = {"scope", 4, valid_scope},
};

/* A copy of at most max bytes that does not end inside a UTF-8 character
 * (the input is valid UTF-8). */
static const char *copy_whole_chars(struct arena *a, const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    if (s[n] != '\0')
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    return arena_strndup(a, s, n);
}

static void read_qty(struct arena *a, const struct form_pair *p, struct qty_input *q)
{
    q->slug = arena_strdup(a, p->name + 4);
    q->text = copy_whole_chars(a, p->value, 16);
    q->valid = strlen(p->value) <= 16 && field_parse_qty(p->value, &q->value);
}

void fields_read(struct arena *a, const struct form_pair *pairs, size_t n,
                 struct field_value values[F__MAX], struct qty_input **qty, size_t *nqty)
{
    memset(values, 0, F__MAX * sizeof *values);
    *qty = arena_alloc(a, (n + 1) * sizeof **qty);
    *nqty = 0;
    for (size_t i = 0; i < n; i++) {
        const struct form_pair *p = &pairs[i];
        if (strncmp(p->name, "qty_", 4) == 0 && p->name[4] && strlen(p->name) <= 64) {
            read_qty(a, p, &(*qty)[(*nqty)++]);
            continue;
        }
        for (int f = 0; f < F__MAX; f++) {
            if (values[f].text || strcmp(p->name, field_specs[f].name) != 0)
                continue;
            size_t len = strlen(p->value);
            values[f].text = copy_whole_chars(a, p->value, field_specs[f].max_bytes);
            values[f].valid = len <= field_specs[f].max_bytes && field_specs[f].valid(p->value);
            break;
        }
    }
}
