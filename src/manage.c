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

/* The rules for a municipality's name and invoice address (add and edit). */
static int check_tenant(const struct municipality *m, char *msg, size_t msglen)
{
    if (!m->name || !valid_person_name(m->name)) {
        snprintf(msg, msglen, "Der Name der Gemeinde fehlt oder ist zu lang.");
        return 1;
    }
    if (!m->invoice_email || !valid_email(m->invoice_email)) {
        snprintf(msg, msglen, "Die Rechnungs-E-Mail-Adresse ist ungültig.");
        return 1;
    }
    if (!valid_uid(m->uid)) {
        snprintf(msg, msglen, "Die UID-Nummer muss die Form ATU12345678 haben (oder leer bleiben).");
        return 1;
    }
    return 0;
}

int manage_tenant_add(struct db *db, const struct municipality *m, int64_t now, char *msg, size_t msglen)
{
    if (!valid_gkz(m->gkz)) {
        snprintf(msg, msglen, "Die Gemeindekennziffer (GKZ) muss aus genau 5 Ziffern bestehen.");
        return 1;
    }
    if (check_tenant(m, msg, msglen) != 0)
        return 1;
    int status = db_municipality_add(db, m, now, NULL);
    if (status == DB_CONFLICT) {
        snprintf(msg, msglen, "Eine Gemeinde mit der GKZ %s gibt es bereits.", m->gkz);
        return 1;
    }
    return status == DB_OK ? 0 : -1;
}

int manage_tenant_edit(struct db *db, const struct municipality *m, char *msg, size_t msglen)
{
    if (check_tenant(m, msg, msglen) != 0)
        return 1;
    int status = db_municipality_update(db, m);
    if (status == DB_NOT_FOUND) {
        snprintf(msg, msglen, "Diese Gemeinde gibt es nicht.");
        return 1;
    }
    return status == DB_OK ? 0 : -1;
}

const char *manage_password_problem(const char *password, const char *username)
{
    if (text_utf8_length(password) < 10)
        return "Das Passwort muss mindestens 10 Zeichen lang sein.";
    if (strlen(password) > 1024)
        return "Das Passwort ist zu lang.";
    if (username && strcasecmp(password, username) == 0)
        return "Das Passwort darf nicht gleich dem Benutzernamen sein.";
    return NULL;
}

static int refuse(char *msg, size_t msglen, const char *text)
{
    snprintf(msg, msglen, "%s", text);
    return 1;
}

static int check_account(const struct account *acc, const char *password, char *msg, size_t msglen)
{
    if (!acc->username || !valid_username(acc->username))
        return refuse(msg, msglen, "Der Benutzername muss 3–40 Zeichen aus a–z, 0–9, Punkt, "
                                   "Unterstrich oder Bindestrich haben.");
    if (!acc->email || !valid_email(acc->email))
        return refuse(msg, msglen, "Die E-Mail-Adresse ist ungültig.");
    if (!acc->first_name || !valid_person_name(acc->first_name) || !acc->last_name ||
        !valid_person_name(acc->last_name))
        return refuse(msg, msglen, "Vor- und Nachname müssen je 1–100 Zeichen lang sein.");
    if (!acc->role)
        return refuse(msg, msglen, "Unbekannte Rolle: erlaubt sind user, tenant_admin, support, admin.");
    const char *problem = manage_password_problem(password, acc->username);
    return problem ? refuse(msg, msglen, problem) : 0;
}

int manage_user_add(struct db *db, struct account *acc, const char *tenant_gkz, const char *password,
                    int64_t now, char *msg, size_t msglen)
{
    int rc = check_account(acc, password, msg, msglen);
    if (rc != 0)
        return rc;
    acc->municipality_id = 0;
    if (acc->role == ROLE_USER || acc->role == ROLE_TENANT_ADMIN) {
        struct arena *a = arena_new();
        struct municipality m;
        int status = tenant_gkz ? db_municipality_by_gkz(db, a, tenant_gkz, &m) : DB_NOT_FOUND;
        arena_free(a);
        if (status == DB_ERROR)
            return -1;
        if (status != DB_OK && (!tenant_gkz || !*tenant_gkz))
            return refuse(msg, msglen, "Für diese Rolle wählen Sie bitte eine Gemeinde.");
        if (status != DB_OK) {
            snprintf(msg, msglen, "Unbekannte Gemeinde (GKZ %s): bitte zuerst die Gemeinde anlegen.", tenant_gkz);
            return 1;
        }
        acc->municipality_id = m.id;
    }
    char hash[CRYPTO_PASSWORD_HASH_SIZE];
    if (crypto_password_hash(password, hash) != 0)
        return -1;
    acc->password_hash = hash;
    int status = db_account_add(db, acc, now, &acc->id);
    acc->password_hash = NULL;
    if (status == DB_CONFLICT) {
        snprintf(msg, msglen, "Den Benutzernamen %s gibt es bereits.", acc->username);
        return 1;
    }
    return status == DB_OK ? 0 : -1;
}

int manage_user_set_password(struct db *db, const struct account *acc, const char *password, char *msg,
                             size_t msglen)
{
    const char *problem = manage_password_problem(password, acc->username);
    if (problem)
        return refuse(msg, msglen, problem);
    char hash[CRYPTO_PASSWORD_HASH_SIZE];
    if (crypto_password_hash(password, hash) != 0)
        return -1;
    int status = db_account_set_password(db, acc->id, hash);
    if (status == DB_OK)
        status = db_account_sessions_end(db, acc->id);
    return status == DB_OK ? 0 : -1;
}
