/* manage — see manage.h. */
#include "manage.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "mem.h"
#include "text.h"
#include "valid.h"

static bool valid_gkz(const char *gkz)
{
    return gkz && strlen(gkz) == 5 && strspn(gkz, "0123456789") == 5;
}

/* An Austrian UID number: "ATU" and 8 digits; empty = none. */
static bool valid_uid(const char *uid)
{
    return !uid || !*uid || (strncmp(uid, "ATU", 3) == 0 && strlen(uid) == 11 && strspn(uid + 3, "0123456789") == 8);
}

/* Records a problem at field unless that field has one already (the first
 * rule an input breaks is the one it shows). */
static void add(struct manage_problems *out, enum manage_field field, const char *text)
{
    for (size_t i = 0; i < out->n; i++)
        if (out->at[i].field == field)
            return;
    if (out->n < MANAGE_PROBLEMS_MAX)
        out->at[out->n++] = (struct manage_problem){.field = field, .text = text};
}

/* The problems as one line for voucherctl: the sentences one after another. */
static void join(const struct manage_problems *p, char *msg, size_t msglen)
{
    size_t used = 0;
    if (msglen)
        msg[0] = '\0';
    for (size_t i = 0; i < p->n && used + 1 < msglen; i++) {
        int n = snprintf(msg + used, msglen - used, "%s%s", i ? " " : "", p->at[i].text);
        if (n < 0)
            break;
        used += (size_t)n < msglen - used ? (size_t)n : msglen - used - 1;
    }
}

int manage_tenant_problems(struct db *db, struct arena *a, const struct municipality *m, bool adding,
                           struct manage_problems *out)
{
    *out = (struct manage_problems){0};
    if (adding && !valid_gkz(m->gkz)) {
        add(out, MANAGE_GKZ, "Die Gemeindekennziffer (GKZ) muss aus genau 5 Ziffern bestehen.");
    } else if (adding) {
        struct municipality there;
        int status = db_municipality_by_gkz(db, a, m->gkz, &there);
        if (status == DB_ERROR)
            return -1;
        if (status == DB_OK)
            add(out, MANAGE_GKZ, arena_printf(a, "Eine Gemeinde mit der GKZ %s gibt es bereits.", m->gkz));
    }
    if (!m->name || !valid_person_name(m->name))
        add(out, MANAGE_NAME, "Der Name der Gemeinde fehlt oder ist zu lang.");
    if (!m->invoice_email || !valid_email(m->invoice_email))
        add(out, MANAGE_INVOICE_EMAIL, "Die Rechnungs-E-Mail-Adresse ist ungültig.");
    if (!valid_uid(m->uid))
        add(out, MANAGE_UID, "Die UID-Nummer muss die Form ATU12345678 haben (oder leer bleiben).");
    return out->n ? 1 : 0;
}

int manage_tenant_save(struct db *db, struct arena *a, const struct municipality *m, bool adding, int64_t now,
                       struct manage_problems *out)
{
    int rc = manage_tenant_problems(db, a, m, adding, out);
    if (rc != 0)
        return rc;
    int status = adding ? db_municipality_add(db, m, now, NULL) : db_municipality_update(db, m);
    if (status == DB_CONFLICT) /* added meanwhile */
        add(out, MANAGE_GKZ, arena_printf(a, "Eine Gemeinde mit der GKZ %s gibt es bereits.", m->gkz));
    else if (status == DB_NOT_FOUND)
        add(out, MANAGE_GKZ, "Diese Gemeinde gibt es nicht.");
    else
        return status == DB_OK ? 0 : -1;
    return 1;
}

/* manage_tenant_save with the problems joined into msg. */
static int tenant_save_msg(struct db *db, const struct municipality *m, bool adding, int64_t now, char *msg,
                           size_t msglen)
{
    struct arena *a = arena_new();
    struct manage_problems p;
    int rc = manage_tenant_save(db, a, m, adding, now, &p);
    if (rc == 1)
        join(&p, msg, msglen);
    arena_free(a);
    return rc;
}

int manage_tenant_add(struct db *db, const struct municipality *m, int64_t now, char *msg, size_t msglen)
{
    return tenant_save_msg(db, m, true, now, msg, msglen);
}

int manage_tenant_edit(struct db *db, const struct municipality *m, char *msg, size_t msglen)
{
    return tenant_save_msg(db, m, false, 0, msg, msglen);
}

const char *manage_password_problem(const char *password, const char *username)
{
    if (!password || text_utf8_length(password) < 10)
        return "Das Passwort muss mindestens 10 Zeichen lang sein.";
    if (strlen(password) > 1024)
        return "Das Passwort ist zu lang.";
    if (username && strcasecmp(password, username) == 0)
        return "Das Passwort darf nicht gleich dem Benutzernamen sein.";
    return NULL;
}

int manage_user_problems(struct db *db, struct arena *a, struct account *acc, const char *tenant_gkz,
                         const char *password, struct manage_problems *out)
{
    *out = (struct manage_problems){0};
    if (!acc->username || !valid_username(acc->username)) {
        add(out, MANAGE_USERNAME, "Der Benutzername muss 3–40 Zeichen aus a–z, 0–9, Punkt, "
                                  "Unterstrich oder Bindestrich haben.");
    } else {
        struct account there;
        int status = db_account_by_username(db, a, acc->username, &there);
        if (status == DB_ERROR)
            return -1;
        if (status == DB_OK)
            add(out, MANAGE_USERNAME, arena_printf(a, "Den Benutzernamen %s gibt es bereits.", acc->username));
    }
    if (!acc->first_name || !valid_person_name(acc->first_name))
        add(out, MANAGE_FIRST_NAME, "Der Vorname muss 1–100 Zeichen lang sein.");
    if (!acc->last_name || !valid_person_name(acc->last_name))
        add(out, MANAGE_LAST_NAME, "Der Nachname muss 1–100 Zeichen lang sein.");
    if (!acc->email || !valid_email(acc->email))
        add(out, MANAGE_EMAIL, "Die E-Mail-Adresse ist ungültig.");
    if (!acc->role)
        add(out, MANAGE_ROLE, "Unbekannte Rolle: erlaubt sind user, tenant_admin, support, admin.");
    acc->municipality_id = 0;
    if (acc->role == ROLE_USER || acc->role == ROLE_TENANT_ADMIN) {
        struct municipality m;
        int status = tenant_gkz && *tenant_gkz ? db_municipality_by_gkz(db, a, tenant_gkz, &m) : DB_NOT_FOUND;
        if (status == DB_ERROR)
            return -1;
        if (status == DB_OK)
            acc->municipality_id = m.id;
        else if (!tenant_gkz || !*tenant_gkz)
            add(out, MANAGE_TENANT, "Für diese Rolle wählen Sie bitte eine Gemeinde.");
        else
            add(out, MANAGE_TENANT,
                arena_printf(a, "Unbekannte Gemeinde (GKZ %s): bitte zuerst die Gemeinde anlegen.", tenant_gkz));
    }
    const char *problem = manage_password_problem(password, acc->username);
    if (problem)
        add(out, MANAGE_PASSWORD, problem);
    return out->n ? 1 : 0;
}

int manage_user_create(struct db *db, struct arena *a, struct account *acc, const char *tenant_gkz,
                       const char *password, int64_t now, struct manage_problems *out)
{
    int rc = manage_user_problems(db, a, acc, tenant_gkz, password, out);
    if (rc != 0)
        return rc;
    char hash[CRYPTO_PASSWORD_HASH_SIZE];
    if (crypto_password_hash(password, hash) != 0)
        return -1;
    acc->password_hash = hash;
    int status = db_account_add(db, acc, now, &acc->id);
    acc->password_hash = NULL;
    if (status == DB_CONFLICT) { /* added meanwhile */
        add(out, MANAGE_USERNAME, arena_printf(a, "Den Benutzernamen %s gibt es bereits.", acc->username));
        return 1;
    }
    return status == DB_OK ? 0 : -1;
}

int manage_user_add(struct db *db, struct account *acc, const char *tenant_gkz, const char *password,
                    int64_t now, char *msg, size_t msglen)
{
    struct arena *a = arena_new();
    struct manage_problems p;
    int rc = manage_user_create(db, a, acc, tenant_gkz, password, now, &p);
    if (rc == 1)
        join(&p, msg, msglen);
    arena_free(a);
    return rc;
}

int manage_user_set_password(struct db *db, const struct account *acc, const char *password, char *msg,
                             size_t msglen)
{
    const char *problem = manage_password_problem(password, acc->username);
    if (problem) {
        snprintf(msg, msglen, "%s", problem);
        return 1;
    }
    char hash[CRYPTO_PASSWORD_HASH_SIZE];
    if (crypto_password_hash(password, hash) != 0)
        return -1;
    int status = db_account_set_password(db, acc->id, hash);
    if (status == DB_OK)
        status = db_account_sessions_end(db, acc->id);
    return status == DB_OK ? 0 : -1;
}
