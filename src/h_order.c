/* h_order — the order form /bestellen for tenant_admins: the form, the
 * review page and placing the order.  A POST without confirm=1 shows the
 * review; with confirm=1 the order is placed once per order_token (a hidden
 * field of the form), however often the confirmation arrives.  The review's
 * "Ändern" posts the same fields with edit=1 instead: the form again, with
 * every quantity, the reference and the order_token kept. */
#include <string.h>

#include "app.h"
#include "config.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "handlers.h"
#include "money.h"
#include "order.h"
#include "req.h"
#include "sender.h"
#include "view.h"

/* One orderable item with the quantity as entered. */
struct form_item {
    const struct catalog_item *item;
    const char *text;  /* as entered, for re-showing */
    long quantity;
    const char *error; /* NULL when the quantity is fine */
};

/* The form as posted, checked against the catalog. */
struct order_form {
    struct form_item *items;
    size_t nitems;
    const char *reference;       /* as entered */
    const char *reference_error;
    const char *error;           /* about the whole form */
    const char *token;
    struct order_item_request *lines; /* items with quantity > 0 */
    size_t nlines;
};

/* Columns of table items in order_form.html, in the order it reads them. */
enum {
    ITEM_SLUG, ITEM_TITLE, ITEM_KIND, ITEM_HOURS, ITEM_NET, ITEM_QTY, ITEM_ERROR, ITEM_DESCRIBEDBY,
    ITEM_COLUMNS,
};
/* Columns of table lines in order_review.html, in the order it reads them. */
enum { LINE_SLUG, LINE_TITLE, LINE_QTY, LINE_UNIT, LINE_NET, LINE_COLUMNS };

/* The first qty_ input for slug, or NULL. */
static const struct qty_input *qty_for(const struct req *r, const char *slug)
{
    for (size_t i = 0; i < r->nqty; i++)
        if (strcmp(r->qty[i].slug, slug) == 0)
            return &r->qty[i];
    return NULL;
}

static void read_item(struct req *r, struct form_item *fi)
{
    const struct qty_input *q = qty_for(r, fi->item->slug);
    fi->text = q ? q->text : "";
    if (q && *q->text && !q->valid)
        fi->error = "Bitte geben Sie eine ganze Zahl von 0 bis 10.000 ein.";
    else
        fi->quantity = q && *q->text ? q->value : 0;
}

/* A posted quantity for something not on sale (inactive, free or unknown). */
static const char *foreign_quantity(struct req *r, const struct order_form *f)
{
    for (size_t i = 0; i < r->nqty; i++) {
        bool known = false;
        for (size_t k = 0; k < f->nitems && !known; k++)
            known = strcmp(f->items[k].item->slug, r->qty[i].slug) == 0;
        if (!known && *r->qty[i].text && strcmp(r->qty[i].text, "0") != 0)
            return arena_printf(r->arena, "„%s“ kann nicht bestellt werden: nicht (mehr) im Angebot.",
                                r->qty[i].slug);
    }
    return NULL;
}

/* The orderable items: active and not free.  0 or 500. */
static int load_items(struct req *r, struct order_form *f)
{
    struct catalog cat;
    if (db_catalog_list(r->db, r->arena, true, &cat) != DB_OK)
        return 500;
    f->items = arena_alloc(r->arena, (cat.nitems + 1) * sizeof *f->items);
    for (size_t i = 0; i < cat.nitems; i++)
        if (cat.items[i].price_cents > 0)
            f->items[f->nitems++].item = &cat.items[i];
    return 0;
}

/* An idempotency token for a confirmation posted without the form's
 * order_token: the same session, order and reference give the same token. */
static const char *derived_token(struct req *r, const struct order_form *f)
{
    struct buf b;
    buf_init(&b, r->arena);
    buf_printf(&b, "order|%lld|%s|%s", (long long)r->who->id, req_raw(r, F_CSRF), f->reference);
    for (size_t i = 0; i < f->nlines; i++)
        buf_printf(&b, "|%s=%ld", f->lines[i].slug, f->lines[i].quantity);
    unsigned char mac[CRYPTO_HASH_SIZE];
    crypto_keyed_hash(r->app->keys.csrf, b.data, b.len, mac);
    char *token = arena_alloc(r->arena, CRYPTO_TOKEN_TEXT_SIZE);
    crypto_base64url(mac, sizeof mac, token, CRYPTO_TOKEN_TEXT_SIZE);
    return token;
}

/* Reads and checks the posted form.  0 or 500. */
static int read_form(struct req *r, struct order_form *f)
{
    memset(f, 0, sizeof *f);
    if (load_items(r, f) != 0)
        return 500;
    f->lines = arena_alloc(r->arena, (f->nitems + 1) * sizeof *f->lines);
    bool item_errors = false;
    for (size_t i = 0; i < f->nitems; i++) {
        read_item(r, &f->items[i]);
        item_errors |= f->items[i].error != NULL;
        if (f->items[i].quantity > 0)
            f->lines[f->nlines++] = (struct order_item_request){f->items[i].item->slug, f->items[i].quantity};
    }
    f->reference = req_raw(r, F_REFERENCE);
    if (!req_text(r, F_REFERENCE) && *f->reference)
        f->reference_error = "Das Bestellzeichen darf höchstens 100 Zeichen lang sein und keine Steuerzeichen enthalten.";
    f->error = foreign_quantity(r, f);
    if (!f->error && !item_errors && f->nlines == 0)
        f->error = "Bitte geben Sie bei mindestens einem Kurs oder Paket eine Anzahl an.";
    f->token = req_text(r, F_ORDER_TOKEN) ? req_text(r, F_ORDER_TOKEN) : derived_token(r, f);
    return 0;
}

static bool form_valid(const struct order_form *f)
{
    for (size_t i = 0; i < f->nitems; i++)
        if (f->items[i].error)
            return false;
    return !f->error && !f->reference_error;
}

static void item_row(struct req *r, struct view_table *t, const struct form_item *fi, const char *form_error)
{
    const struct catalog_item *it = fi->item;
    view_row(t);
    view_cell_text(t, ITEM_SLUG, it->slug);
    view_cell_text(t, ITEM_TITLE, it->title);
    view_cell_text(t, ITEM_KIND, it->kind == ITEM_PACKAGE ? "Paket" : "Kurs");
    view_cell_text(t, ITEM_HOURS, fmt_hours(r->arena, it->hours));
    view_cell_text(t, ITEM_NET, fmt_money(r->arena, it->price_cents));
    view_cell_text(t, ITEM_QTY, fi->text && *fi->text ? fi->text : "0");
    view_cell_text(t, ITEM_ERROR, fi->error);
    view_cell_text(t, ITEM_DESCRIBEDBY, fi->error ? arena_printf(r->arena, "qty_%s-error", it->slug)
                                     : form_error ? "order-error" : "");
}

static int show_form(struct req *r, int status, const struct order_form *f)
{
    struct view *v = view_new(r, "order_form", "Voucher bestellen");
    struct view_table *t = view_table(v, "items", ITEM_COLUMNS);
    for (size_t i = 0; i < f->nitems; i++)
        item_row(r, t, &f->items[i], f->error);
    view_text(v, "error", f->error);
    view_text(v, "reference", f->reference);
    view_text(v, "reference_error", f->reference_error);
    view_text(v, "order_token", f->token);
    view_int(v, "vat_percent", r->app->cfg->invoice_vat_percent);
    int rc = view_render(v);
    r->status = status;
    return rc;
}

int h_order_form(struct req *r)
{
    struct order_form f = {.reference = ""};
    if (load_items(r, &f) != 0)
        return 500;
    char *token = arena_alloc(r->arena, CRYPTO_TOKEN_TEXT_SIZE);
    crypto_token(token);
    f.token = token;
    return show_form(r, 200, &f);
}

/* The review's lines; returns their net total. */
static long long review_lines(struct req *r, struct view *v, const struct order_form *f)
{
    struct view_table *t = view_table(v, "lines", LINE_COLUMNS);
    long long net = 0;
    for (size_t i = 0; i < f->nitems; i++) {
        const struct form_item *fi = &f->items[i];
        if (fi->quantity == 0)
            continue;
        view_row(t);
        view_cell_text(t, LINE_SLUG, fi->item->slug);
        view_cell_text(t, LINE_TITLE, fi->item->title);
        view_cell_int(t, LINE_QTY, fi->quantity);
        view_cell_text(t, LINE_UNIT, fmt_money(r->arena, fi->item->price_cents));
        view_cell_text(t, LINE_NET, fmt_money(r->arena, fi->item->price_cents * fi->quantity));
        net += fi->item->price_cents * fi->quantity;
    }
    return net;
}

/* The review: lines, totals, recipients and the confirming form. */
static int show_review(struct req *r, const struct order_form *f)
{
    struct municipality m;
    if (db_municipality_by_id(r->db, r->arena, r->who->municipality_id, &m) != DB_OK)
        return 500;
    struct view *v = view_new(r, "order_review", "Bestellung prüfen");
    long long net = review_lines(r, v, f);
    int vat_percent = r->app->cfg->invoice_vat_percent;
    long long vat = money_percent_half_up(net, vat_percent);
    view_text(v, "net", fmt_money(r->arena, net));
    view_int(v, "vat_percent", vat_percent);
    view_text(v, "vat", fmt_money(r->arena, vat));
    view_text(v, "gross", fmt_money(r->arena, net + vat));
    view_text(v, "municipality", m.name);
    view_text(v, "address", m.address);
    view_text(v, "uid", m.uid);
    view_text(v, "invoice_email", m.invoice_email);
    view_text(v, "admin_email", r->who->email);
    view_text(v, "reference", f->reference);
    view_text(v, "order_token", f->token);
    char until[DATE_TEXT_SIZE];
    date_format_vienna(date_valid_until(r->now), until);
    view_text(v, "valid_until", until);
    return view_render(v);
}

/* Places the order and shows it; a refusal re-shows the form. */
static int place(struct req *r, struct order_form *f)
{
    struct order_request rq = {
        .account_id = r->who->id, .municipality_id = r->who->municipality_id,
        .idempotency_token = f->token, .reference = f->reference, .items = f->lines, .nitems = f->nlines,
    };
    struct order_result res;
    char msg[256];
    switch (order_place(r->db, &r->app->keys, r->app->cfg, r->arena, &rq, r->now, &res, msg, sizeof msg)) {
    case ORDER_OK:
        sender_wake(r->app->sender);
        return req_redirect(r, arena_printf(r->arena, "/bestellungen/%lld", (long long)res.order_id));
    case ORDER_REFUSED:
        f->error = arena_strdup(r->arena, msg);
        return show_form(r, 422, f);
    default:
        return 500;
    }
}

int h_order_submit(struct req *r)
{
    struct order_form f;
    if (read_form(r, &f) != 0)
        return 500;
    if (!form_valid(&f))
        return show_form(r, 422, &f);
    if (req_text(r, F_EDIT))
        return show_form(r, 200, &f);
    if (!req_text(r, F_CONFIRM))
        return show_review(r, &f);
    return place(r, &f);
}
