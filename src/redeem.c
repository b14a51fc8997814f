/* redeem — see redeem.h. */
#include "redeem.h"

#include <string.h>
#include <strings.h>

#include "manage.h"
#include "mem.h"
#include "valid.h"


bool redeem_recent(const struct voucher *v, int64_t now)
{
    return v->redeemed_by != 0 && now - v->redeemed_at <= REDEEM_REPEAT_SECONDS;
}

/* Step 3: the code's own state. */
static enum redeem_outcome decide_voucher(const struct redeem_facts *f)
{
    const struct voucher *v = f->voucher;
    if (!v)
        return REDEEM_V03_UNKNOWN;
    if (v->revoked_at)
        return REDEEM_V06_REVOKED;
    if (v->redeemed_by)
        return f->same_browser && f->same_person && redeem_recent(v, f->now) ? REDEEM_REPEAT : REDEEM_V04_REDEEMED;
    if (v->valid_until < f->now)
        return REDEEM_V05_EXPIRED;
    return REDEEM_OK;
}

/* Step 4: the account the code is to go to. */
static enum redeem_outcome decide_account(const struct redeem_facts *f)
{
    if (f->new_user && !f->form_valid)
        return REDEEM_V10_FORM;
    if (!f->account_known)
        return REDEEM_NEED_ACCOUNT;
    if (f->new_user)
        return f->account_found ? REDEEM_V09_TAKEN : REDEEM_OK;
    if (!f->account_found || f->account_disabled)
        return REDEEM_V07_NO_ACCOUNT;
    if (!f->enrollment_known)
        return REDEEM_NEED_ENROLLMENT;
    return f->enrolled_in_all ? REDEEM_V08_ENROLLED : REDEEM_OK;
}

enum redeem_outcome redeem_decide(const struct redeem_facts *f)
{
    if (f->code == VOUCHER_MALFORMED)
        return REDEEM_V01_MALFORMED;
    if (f->code == VOUCHER_BAD_CHECK)
        return REDEEM_V02_CHECK;
    if (!f->failures_known)
        return REDEEM_NEED_FAILURES;
    if (f->failures_ip >= f->max_failures || f->failures_username >= f->max_failures)
        return REDEEM_V11_LIMITED;
    if (!f->voucher_known)
        return REDEEM_NEED_VOUCHER;
    enum redeem_outcome o = decide_voucher(f);
    return o == REDEEM_OK ? decide_account(f) : o;
}

bool redeem_needs_fact(enum redeem_outcome o)
{
    return o >= REDEEM_NEED_FAILURES;
}

const char *redeem_number(enum redeem_outcome o)
{
    static const char *const numbers[] = {"OK", "V01", "V02", "V03", "V04", "V05", "V06",
                                          "V07", "V08", "V09", "V10", "V11", "OK"};
    return (size_t)o < sizeof numbers / sizeof *numbers ? numbers[o] : "?";
}

/* ---- the new-user form ---- */

static const char *check_password(const struct redeem_new_user *u)
{
    if (!u->password)
        return "Bitte wählen Sie ein Passwort mit mindestens 10 Zeichen.";
    return manage_password_problem(u->password, u->username);
}

bool redeem_check_new_user(const struct redeem_new_user *u, const char *errors[RF__MAX])
{
    memset(errors, 0, RF__MAX * sizeof *errors);
    if (!u->first_name)
        errors[RF_FIRST_NAME] = "Bitte geben Sie Ihren Vornamen ein (1 bis 100 Zeichen).";
    if (!u->last_name)
        errors[RF_LAST_NAME] = "Bitte geben Sie Ihren Nachnamen ein (1 bis 100 Zeichen).";
    if (!u->email)
        errors[RF_EMAIL] = "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel "
                          "vorname.nachname@gemeinde.gv.at.";
    if (!u->username || !valid_username(u->username))
        errors[RF_USERNAME] = "Der Benutzername muss 3 bis 40 Zeichen lang sein und darf nur Buchstaben "
                             "a–z, Ziffern, Punkt, Unterstrich und Bindestrich enthalten.";
    errors[RF_PASSWORD] = check_password(u);
    if (u->password && (!u->password2 || strcmp(u->password, u->password2) != 0))
        errors[RF_PASSWORD2] = "Die beiden Passwörter stimmen nicht überein. Bitte geben Sie das Passwort "
                              "zweimal gleich ein.";
    if (!u->privacy)
        errors[RF_PRIVACY] = "Bitte bestätigen Sie, dass Sie die Datenschutzerklärung gelesen haben.";
    for (int f = 0; f < RF__MAX; f++)
        if (errors[f])
            return false;
    return true;
}

static bool same_text(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

bool redeem_same_person(const struct account *redeemer, const char *username, const struct redeem_new_user *u)
{
    if (!username || strcasecmp(redeemer->username, username) != 0)
        return false;
    return !u || (same_text(redeemer->first_name, u->first_name) && same_text(redeemer->last_name, u->last_name) &&
                  same_text(redeemer->email, u->email));
}

void redeem_reference(const unsigned char random[REDEEM_REF_RANDOM], char out[REDEEM_REF_SIZE])
{
    out[0] = 'F';
    out[1] = '-';
    for (int i = 0; i < REDEEM_REF_RANDOM; i++)
        out[2 + i] = voucher_symbol(random[i] & 31);
    out[REDEEM_REF_SIZE - 1] = '\0';
}

/* ---- the confirmation e-mail ---- */

void redeem_mail(struct arena *a, const struct account *acc, bool new_account, const char *municipality,
                 const struct voucher_courses_split *courses, const struct course_link *links, size_t nlinks,
                 const char *base_url, struct mail_message *m)
{
    struct buf b;
    buf_init(&b, a);
    buf_printf(&b, "Guten Tag %s %s,\n\n", acc->first_name, acc->last_name);
    if (new_account)
        buf_printf(&b, "Ihr Konto bei der Städtebund Academy wurde angelegt (Gemeinde: %s).\n"
                       "Ihr Benutzername: %s\n\n", municipality, acc->username);
    buf_printf(&b, "Ihr Vouchercode wurde eingelöst. Dem Konto „%s“ %s:\n\n", acc->username,
               courses->nadded == 1 ? "wurde dieser Kurs zugeordnet" : "wurden diese Kurse zugeordnet");
    for (size_t i = 0; i < courses->nadded; i++)
        buf_printf(&b, "  - %s\n", courses->added[i]);
    if (courses->nheld)
        buf_printf(&b, "\n%s Sie bereits vorher eingeschrieben (nicht noch einmal zugeordnet):\n\n",
                   courses->nheld == 1 ? "In diesem Kurs des Pakets waren" : "In diesen Kursen des Pakets waren");
    for (size_t i = 0; i < courses->nheld; i++)
        buf_printf(&b, "  - %s\n", courses->held[i]);
    if (nlinks)
        buf_puts(&b, "\nZum Kurs in der Lernplattform:\n");
    for (size_t i = 0; i < nlinks; i++)
        buf_printf(&b, "  - %s: %s\n", links[i].title, links[i].url);
    buf_printf(&b, "\nSie finden Ihre Kurse nach der Anmeldung unter „Meine Kurse“:\n%s/meine-kurse\n\n"
                   "Wenn Sie den Code nicht selbst eingelöst haben, wenden Sie sich bitte an die "
                   "Mandanten-Administration Ihrer Gemeinde.\n\n"
                   "Mit freundlichen Grüßen\nIhre Städtebund Academy\n", base_url);
    *m = (struct mail_message){
        .recipients = acc->email,
        .subject = new_account ? "Ihr neues Konto und Ihr Kurs bei der Städtebund Academy"
                               : "Ihr Vouchercode wurde eingelöst",
        .body_text = b.data,
    };
}
