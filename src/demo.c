/* demo — see demo.h. */
#include "demo.h"

#include <string.h>
#include <time.h>

#include "assets.h"
#include "catalog_import.h"
#include "codes.h"
#include "crypto.h"
#include "db.h"
#include "manage.h"
#include "mem.h"
#include "order.h"
#include "redeem.h"

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

/* ---- demo --scale ---- */

/* Bundesländer by their first GKZ digit: municipalities (about Austria's,
 * 2,100 in all) and Bezirke (digits 2-3 of the GKZ; the last two number the
 * municipality within its Bezirk). */
static const struct {
    int digit, municipalities, bezirke;
    const char *land;
} lands[] = {
    {1, 171, 9, "Burgenland"}, {2, 132, 10, "Kärnten"}, {3, 580, 20, "Niederösterreich"},
    {4, 438, 15, "Oberösterreich"}, {5, 119, 6, "Salzburg"}, {6, 286, 13, "Steiermark"},
    {7, 277, 9, "Tirol"}, {8, 96, 4, "Vorarlberg"}, {9, 1, 1, "Wien"},
};

/* Names: modifier × stem × ending, a different one for each index below
 * 6 × 25 × 20 = 3,000 (all ASCII, so the e-mail domain is the name). */
static const char *const name_mod[] = {"", "Ober", "Unter", "Gross", "Klein", "Neu"};
static const char *const name_stem[] = {"Wald", "Berg", "Lind", "Eich", "Birk", "Hart", "Stein", "Reich", "Kirch",
                                        "Fisch", "Brunn", "Rosen", "Sonn", "Holz", "Wies", "Tann", "Schoen",
                                        "Hof", "Feld", "Grub", "Weiss", "Roth", "Ahorn", "Falken", "Adler"};
static const char *const name_end[] = {"dorf", "bach", "berg", "kirchen", "feld", "hofen", "au", "stetten",
                                       "thal", "brunn", "egg", "ing", "wang", "heim", "stein", "burg",
                                       "hausen", "leiten", "reith", "see"};
static const char *const first_names[] = {
    "Anna", "Maria", "Elisabeth", "Katharina", "Barbara", "Christina", "Sabine", "Andrea", "Claudia", "Monika",
    "Petra", "Julia", "Lisa", "Sarah", "Laura", "Lena", "Hannah", "Sophie", "Theresa", "Johanna",
    "Michael", "Thomas", "Andreas", "Stefan", "Christian", "Martin", "Markus", "Peter", "Wolfgang", "Josef",
    "Johann", "Franz", "Georg", "Alexander", "Daniel", "David", "Lukas", "Florian", "Tobias", "Matthias"};
static const char *const last_names[] = {
    "Gruber", "Huber", "Wagner", "Mueller", "Pichler", "Steiner", "Moser", "Mayer", "Hofer", "Leitner",
    "Berger", "Fuchs", "Eder", "Fischer", "Schmid", "Winkler", "Weber", "Schwarz", "Maier", "Schneider",
    "Reiter", "Mayr", "Schmidt", "Wimmer", "Egger", "Brunner", "Lang", "Baumgartner", "Auer", "Binder",
    "Lechner", "Wolf", "Wallner", "Aigner", "Ebner", "Koller", "Lehner", "Haas", "Schuster", "Holzer",
    "Strasser", "Kogler", "Hofbauer", "Riegler", "Kaiser", "Bauer", "Koch", "Hackl", "Brandstetter", "Kofler"};

struct scale {
    struct db *db;
    const struct crypto_keys *keys;
    const struct config *cfg;
    struct arena *a; /* lives for the whole run: the names below */
    int64_t now;
    size_t nmuni, nacc, nvouchers;
    int64_t *muni_id, *muni_admin;   /* per generated municipality; muni_admin: its tenant_admin account */
    const char **muni_slug;
    int64_t *acc_id;                 /* every generated account */
    const char **acc_username;
    size_t next_redeemer;
    size_t orders, redeemed, attempts;
};

/* s with A-Z lowered in place (the generated names are ASCII); returns s. */
static char *lower_ascii(char *s)
{
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

static size_t scaled(double base, double factor, size_t least)
{
    double v = base * factor + 0.5;
    return v < (double)least ? least : (size_t)v;
}

static int add_municipalities(struct scale *s, double factor)
{
    char msg[256];
    size_t cap = 0;
    for (size_t l = 0; l < N(lands); l++)
        cap += scaled(lands[l].municipalities, factor, 1);
    s->muni_id = arena_alloc(s->a, cap * sizeof *s->muni_id);
    s->muni_admin = arena_alloc(s->a, cap * sizeof *s->muni_admin);
    s->muni_slug = arena_alloc(s->a, cap * sizeof *s->muni_slug);
    if (db_begin(s->db) != DB_OK)
        return -1;
    size_t g = 0;
    for (size_t l = 0; l < N(lands); l++) {
        size_t n = scaled(lands[l].municipalities, factor, 1);
        for (size_t i = 0, k = 0; i < n; k++) {
            int bezirk = (int)(k % (size_t)lands[l].bezirke) + 1, number = (int)(k / (size_t)lands[l].bezirke) + 1;
            char *gkz = lands[l].digit == 9 ? arena_printf(s->a, "90001") /* Wien: one Bezirk "00" */
                                            : arena_printf(s->a, "%d%02d%02d", lands[l].digit, bezirk, number);
            if (strcmp(gkz, demo_tenants[0].gkz) == 0 || strcmp(gkz, demo_tenants[1].gkz) == 0)
                continue; /* the two demo municipalities have these */
            const char *name, *slug;
            if (lands[l].digit == 9) {
                name = "Stadt Wien";
                slug = "wien";
            } else {
                const char *mod = name_mod[g % N(name_mod)];
                const char *stem = name_stem[(g / N(name_mod)) % N(name_stem)];
                const char *end = name_end[(g / N(name_mod) / N(name_stem)) % N(name_end)];
                char *base = arena_printf(s->a, "%s%s%s", mod, stem, end);
                if (mod[0])
                    base[strlen(mod)] = (char)(base[strlen(mod)] - 'A' + 'a');
                name = arena_printf(s->a, "%s %s", g % 10 == 0 ? "Stadtgemeinde" : g % 10 < 4 ? "Marktgemeinde"
                                    : "Gemeinde", base);
                slug = lower_ascii(arena_printf(s->a, "%s", base));
            }
            struct municipality m = {
                .gkz = gkz, .name = name,
                .address = arena_printf(s->a, "Hauptplatz %d\n%d %s", number, lands[l].digit * 1000 + bezirk * 10
                                        + number % 10, name),
                .invoice_email = arena_printf(s->a, "buchhaltung@%s.gv.at", slug),
            };
            if (manage_tenant_add(s->db, &m, s->now, msg, sizeof msg) != 0 ||
                db_municipality_by_gkz(s->db, s->a, gkz, &m) != DB_OK) {
                fprintf(stderr, "demo --scale: municipality %s: %s\n", gkz, msg);
                return db_end(s->db, -1);
            }
            s->muni_id[g] = m.id;
            s->muni_slug[g] = slug;
            g++;
            i++;
        }
    }
    s->nmuni = g;
    return db_end(s->db, 0);
}

/* Accounts without passwords (set through "Passwort vergessen", as the
 * accounts import makes them); the first of each municipality is its
 * tenant_admin.  Transactions of 20,000. */
static int add_accounts(struct scale *s)
{
    s->acc_id = arena_alloc(s->a, s->nacc * sizeof *s->acc_id);
    s->acc_username = arena_alloc(s->a, s->nacc * sizeof *s->acc_username);
    for (size_t i = 0; i < s->nacc;) {
        if (db_begin(s->db) != DB_OK)
            return -1;
        for (size_t end = i + 20000; i < s->nacc && i < end; i++) {
            size_t nf = N(first_names), nl = N(last_names), m = i % s->nmuni;
            const char *first = first_names[i % nf], *last = last_names[(i / nf) % nl];
            size_t round = i / (nf * nl);
            char *user = lower_ascii(round ? arena_printf(s->a, "%s.%s%zu", first, last, round + 1)
                                           : arena_printf(s->a, "%s.%s", first, last));
            struct account acc = {
                .username = user, .first_name = first, .last_name = last, .password_hash = "",
                .email = arena_printf(s->a, "%s@%s.gv.at", user, s->muni_slug[m]),
                .role = i < s->nmuni ? ROLE_TENANT_ADMIN : ROLE_USER, .municipality_id = s->muni_id[m],
            };
            if (db_account_add(s->db, &acc, s->now, &s->acc_id[i]) != DB_OK) {
                fprintf(stderr, "demo --scale: account %s could not be added\n", user);
                return db_end(s->db, -1);
            }
            s->acc_username[i] = user;
            if (i < s->nmuni)
                s->muni_admin[m] = s->acc_id[i];
        }
        if (db_end(s->db, 0) != 0)
            return -1;
    }
    return 0;
}

/* A made-up client address of the 10.0.0.0/8 network. */
static const char *some_ip(struct arena *a)
{
    unsigned char r[3];
    crypto_random(r, sizeof r);
    return arena_printf(a, "10.%u.%u.%u", r[0], r[1], r[2] | 1u);
}

/* Redeems the first n of an order's codes as the redemption path does
 * (voucher, its enrollments, an "OK" attempt), each by an account that
 * holds none of its courses yet, and logs n / 20 failed guesses (V03); one
 * transaction, three days ago. */
static int redeem_share(struct scale *s, struct arena *a, const struct order_result *res, size_t n)
{
    int64_t at = s->now - 3 * 86400;
    if (db_begin(s->db) != DB_OK)
        return -1;
    int status = DB_OK;
    for (size_t j = 0; j < n && status == DB_OK; j++) {
        unsigned char hash[CRYPTO_HASH_SIZE], random[REDEEM_REF_RANDOM];
        char ref[REDEEM_REF_SIZE];
        struct voucher v;
        codes_hash(s->keys, res->codes[j].canon, hash);
        if ((status = db_voucher_by_hash(s->db, a, hash, &v)) != DB_OK)
            break;
        size_t who = 0;
        int64_t missing = 0;
        for (size_t tries = 0; tries < s->nacc && status == DB_OK && missing == 0; tries++) {
            who = s->next_redeemer++ % s->nacc;
            status = db_enrollment_missing(s->db, v.id, s->acc_id[who], &missing);
        }
        if (status != DB_OK || missing == 0)
            break; /* every account holds these courses: leave the rest open */
        status = db_redemption_write(s->db, v.id, s->acc_id[who], at);
        crypto_random(random, sizeof random);
        redeem_reference(random, ref);
        struct redemption_attempt att = {.at = at, .ip = some_ip(a), .username = s->acc_username[who],
                                         .code_hash = hash, .result = "OK", .reference = ref, .voucher_id = v.id};
        if (status == DB_OK)
            status = db_redemption_attempt_add(s->db, &att);
        if (status == DB_OK) {
            s->redeemed++;
            s->attempts++;
        }
    }
    for (size_t j = 0; j < n / 20 && status == DB_OK; j++) {
        unsigned char hash[CRYPTO_HASH_SIZE], random[REDEEM_REF_RANDOM];
        char ref[REDEEM_REF_SIZE];
        crypto_random(hash, sizeof hash);
        crypto_random(random, sizeof random);
        redeem_reference(random, ref);
        struct redemption_attempt att = {.at = at, .ip = some_ip(a), .username = "", .code_hash = hash,
                                         .result = "V03", .reference = ref};
        if ((status = db_redemption_attempt_add(s->db, &att)) == DB_OK)
            s->attempts++;
    }
    return db_end(s->db, status == DB_OK ? 0 : -1);
}

/* Orders through order_place (one transaction each: invoice number, PDF,
 * codes, e-mail), a week ago, of 10,000, 10,000, 5,000, 2,500, 1,000 and
 * 500 codes in turn (at most an eighth of the total, so a small data set
 * has several), the first two by the demo tenant_admin "gemeinde". */
static int add_orders(struct scale *s, int64_t gemeinde_id, int64_t gemeinde_muni)
{
    static const long sizes[] = {10000, 10000, 5000, 2500, 1000, 500};
    static const char *const slugs[] = {"dsgvo-grundlagen", "verwaltungsverfahren", "barrierefreie-dokumente",
                                        "informationssicherheit", "buergerservice",
                                        "digitales-amt", "verwaltung-kompakt"};
    long cap = (long)(s->nvouchers / 8) > 100 ? (long)(s->nvouchers / 8) : 100;
    char msg[256];
    for (size_t done = 0, k = 0; done < s->nvouchers; k++) {
        long q = sizes[k % N(sizes)] < cap ? sizes[k % N(sizes)] : cap;
        if ((size_t)q > s->nvouchers - done)
            q = (long)(s->nvouchers - done);
        size_t m = (k * 7) % s->nmuni;
        struct order_item_request item = {.slug = slugs[k % N(slugs)], .quantity = q};
        char token[CRYPTO_TOKEN_TEXT_SIZE];
        crypto_token(token);
        struct arena *a = arena_new();
        struct order_request rq = {
            .account_id = k < 2 ? gemeinde_id : s->muni_admin[m], .municipality_id = k < 2 ? gemeinde_muni : s->muni_id[m],
            .idempotency_token = token, .reference = arena_printf(a, "Demo-Bestellung %zu", k + 1),
            .items = &item, .nitems = 1,
        };
        struct order_result res;
        enum order_status os = order_place(s->db, s->keys, s->cfg, a, &rq, s->now - 7 * 86400, &res, msg, sizeof msg);
        int rc = os == ORDER_OK ? redeem_share(s, a, &res, res.ncodes * 15 / 100) : -1;
        if (os == ORDER_OK)
            crypto_wipe(res.codes, res.ncodes * sizeof *res.codes);
        arena_free(a);
        if (rc != 0) {
            fprintf(stderr, "demo --scale: order %zu: %s\n", k + 1, os == ORDER_REFUSED ? msg : "database error");
            return -1;
        }
        s->orders++;
        done += (size_t)q;
    }
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int demo_scale(struct db *db, const struct crypto_keys *keys, const struct config *cfg, double factor, FILE *out)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (demo_load(db, out) != 0)
        return -1;
    struct scale s = {.db = db, .keys = keys, .cfg = cfg, .a = arena_new(), .now = (int64_t)time(NULL),
                      .nacc = scaled(200000, factor, 20), .nvouchers = scaled(1000000, factor, 100)};
    struct account gemeinde;
    int rc = db_account_by_username(db, s.a, "gemeinde", &gemeinde) == DB_OK ? 0 : -1;
    if (rc == 0)
        rc = add_municipalities(&s, factor);
    if (rc == 0) {
        if (s.nacc < s.nmuni)
            s.nacc = s.nmuni;
        rc = add_accounts(&s);
    }
    double t_setup = seconds_since(&t0);
    if (rc == 0)
        rc = add_orders(&s, gemeinde.id, gemeinde.municipality_id);
    if (rc == 0) { /* the audit names what was made (a single insert: no transaction needed) */
        const char *what = arena_printf(s.a, "%zu Gemeinden, %zu Konten, %zu Voucher in %zu Bestellungen, %zu eingelöst",
                                        s.nmuni, s.nacc, s.nvouchers, s.orders, s.redeemed);
        rc = db_audit_add(db, 0, AUDIT_DEMO_SCALE, "", what, NULL, s.now) == DB_OK ? 0 : -1;
    }
    if (rc == 0)
        fprintf(out, "demo --scale %g: %zu Gemeinden und %zu Konten in %.1f s; %zu Voucher in %zu Bestellungen, "
                "%zu eingelöst, %zu Einlöseversuche; insgesamt %.1f s\n", factor, s.nmuni, s.nacc, t_setup,
                s.nvouchers, s.orders, s.redeemed, s.attempts, seconds_since(&t0));
    arena_free(s.a);
    return rc;
}
