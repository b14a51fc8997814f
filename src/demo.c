/* demo — see demo.h. */
#include "demo.h"

#include <string.h>
#include <time.h>

#include "assets.h"
#include "catalog_import.h"
#include "db.h"
#include "manage.h"

#define DEMO_PASSWORD "demo-passwort"

static const struct municipality demo_tenants[] = {
    {.gkz = "30604", .name = "Stadtgemeinde Musterstadt", .address = "Hauptplatz 1\n2340 Musterstadt",
     .invoice_email = "buchhaltung@musterstadt.gv.at", .uid = "ATU11223344"},
    {.gkz = "61234", .name = "Marktgemeinde Beispielsdorf", .address = "Marktplatz 3\n8234 Beispielsdorf",
     .invoice_email = "amt@beispielsdorf.gv.at"},
};

struct demo_account {
    const char *username, *first, *last, *email, *gkz;
    enum role role;
};

static const struct demo_account demo_accounts[] = {
    {"admin", "Alexandra", "Admin", "admin@it-kommunal.at", NULL, ROLE_ADMIN},
    {"support", "Sami", "Support", "support@it-kommunal.at", NULL, ROLE_SUPPORT},
    {"gemeinde", "Gerda", "Gemeindeamt", "gerda.gemeindeamt@musterstadt.gv.at", "30604", ROLE_TENANT_ADMIN},
    {"gemeinde2", "Bernd", "Beispiel", "bernd.beispiel@beispielsdorf.gv.at", "61234", ROLE_TENANT_ADMIN},
    {"mitarbeiterin", "Maria", "Mitarbeiterin", "maria.mitarbeiterin@musterstadt.gv.at", "30604", ROLE_USER},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int demo_load(struct db *db, FILE *out)
{
    char msg[256];
    int64_t now = (int64_t)time(NULL);
    size_t count;
    const struct asset *catalog = asset_find("conf/demo-catalog.csv");
    if (!catalog || catalog_import_csv(db, catalog->text, &count, msg, sizeof msg) != 0) {
        fprintf(stderr, "demo catalog: %s\n", catalog ? msg : "missing");
        return -1;
    }
    for (size_t i = 0; i < N(demo_tenants); i++)
        if (manage_tenant_add(db, &demo_tenants[i], now, msg, sizeof msg) < 0)
            return -1;
    fprintf(out, "Demo-Zugänge (Passwort jeweils: %s):\n", DEMO_PASSWORD);
    for (size_t i = 0; i < N(demo_accounts); i++) {
        const struct demo_account *d = &demo_accounts[i];
        struct account acc = {.username = d->username, .email = d->email, .first_name = d->first,
                              .last_name = d->last, .role = d->role};
        if (manage_user_add(db, &acc, d->gkz, DEMO_PASSWORD, now, msg, sizeof msg) < 0)
            return -1;
        fprintf(out, "  %-14s %-13s %s\n", d->username, role_name(d->role), d->gkz ? d->gkz : "");
    }
    return 0;
}
