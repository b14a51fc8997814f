/* handlers — every page handler, h_<feature>_<action> in h_<feature>.c.
 * A handler fills r's response and returns 0, or returns an HTTP status
 * (403, 404, 500, ...) and the dispatcher renders the error page.  Inputs
 * arrive validated through req_text(); the dispatcher has already checked
 * login, role and CSRF as the route table says. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <stdint.h>

struct req;

/* Not an HTTP status: a POST whose csrf field failed.  Answered as 403,
 * with the page saying that the form expired; a handler that serves a
 * route's stale-token path (routes.c) returns it to refuse. */
#define CSRF_FAILED 1403

/* h_pages.c: static pages and health */
int h_pages_home(struct req *r);
int h_pages_faq(struct req *r);
int h_pages_impressum(struct req *r);
int h_pages_datenschutz(struct req *r);
int h_pages_health(struct req *r);

/* h_catalog.c */
int h_catalog_list(struct req *r);

/* h_login.c */
int h_login_form(struct req *r);
int h_login_submit(struct req *r);
int h_login_logout(struct req *r);

/* h_redeem.c: /voucher/einloesen */
int h_redeem_form(struct req *r);
int h_redeem_submit(struct req *r);
/* The same POST when its csrf token is not this browser's current one: only
 * the repeat of this browser's own redemption (writes nothing), else
 * CSRF_FAILED. */
int h_redeem_repeat(struct req *r);

/* h_account.c: the logged-in person's own password */
int h_account_password_form(struct req *r);
int h_account_password_submit(struct req *r);
int h_account_profile_form(struct req *r);
int h_account_profile_submit(struct req *r);
/* h_api.c: the LMS API v1 (bearer token) */
int h_api_enrollments(struct req *r);
int h_api_account(struct req *r);
/* h_reset.c: "Passwort vergessen" and the link's page */
int h_reset_ask_form(struct req *r);
int h_reset_ask_submit(struct req *r);
int h_reset_new_form(struct req *r);
int h_reset_new_submit(struct req *r);

/* h_courses.c: /meine-kurse */
int h_courses_mine(struct req *r);
/* h_order.c: the order form (tenant_admin) */
int h_order_form(struct req *r);
int h_order_submit(struct req *r);

/* h_orders.c: the municipality's orders (tenant_admin) */
int h_orders_list(struct req *r);
int h_orders_show(struct req *r);
int h_orders_codes(struct req *r);
int h_orders_invoice(struct req *r);
int h_orders_assign(struct req *r);
int h_orders_send(struct req *r);
int h_orders_distribute(struct req *r);
int h_orders_vouchers(struct req *r);

/* h_training.c: proof of training (tenant_admin) */
int h_training_list(struct req *r);
int h_training_csv(struct req *r);

/* h_accounting.c: the invoice journal, payments, credit notes (admin) */
int h_accounting_journal(struct req *r);
int h_accounting_csv(struct req *r);
int h_accounting_invoice(struct req *r);
int h_accounting_paid(struct req *r);
int h_accounting_storno(struct req *r);
int h_accounting_credit_pdf(struct req *r);
int h_accounting_order_xml(struct req *r);
int h_accounting_number_xml(struct req *r);
int h_accounting_credit_xml(struct req *r);
/* Shared with h_orders.c and h_support.c: the order's credit notes as the
 * table "credits" (and "credit_count") of a page, 0 or 500; the audit entry
 * of a document download by support or admin, 0 or 500. */
struct view;
int accounting_credit_rows(struct req *r, struct view *v, int64_t order_id);
int accounting_audit_download(struct req *r, const char *what, const char *subject);

/* administration (admin): h_admin.c overview, h_admin_catalog.c, h_admin_tenants.c, h_admin_accounts.c */
int h_admin_home(struct req *r);
int h_admin_audit(struct req *r);
int h_admin_catalog_list(struct req *r);
int h_admin_catalog_new(struct req *r);
int h_admin_catalog_add(struct req *r);
int h_admin_catalog_edit_form(struct req *r);
int h_admin_catalog_edit(struct req *r);
int h_admin_tenants_list(struct req *r);
int h_admin_tenants_new(struct req *r);
int h_admin_tenants_add(struct req *r);
int h_admin_tenants_edit_form(struct req *r);
int h_admin_tenants_edit(struct req *r);
int h_admin_accounts_list(struct req *r);
int h_admin_accounts_new(struct req *r);
int h_admin_accounts_add(struct req *r);
int h_admin_accounts_show(struct req *r);
int h_admin_accounts_disable(struct req *r);
int h_admin_accounts_enable(struct req *r);
int h_admin_accounts_password(struct req *r);

/* h_support.c: the support desk (support and admin) */
int h_support_search(struct req *r);
int h_support_revoke(struct req *r);
int h_support_extend(struct req *r);
int h_support_release(struct req *r);
int h_support_lift(struct req *r);
int h_support_unrevoke(struct req *r);
int h_support_mail_resend(struct req *r);

/* h_certs.c: certificates (PDF, public check) and recording completions
 * (support form; the LMS by JSON with a bearer token) */
int h_certs_pdf(struct req *r);
int h_certs_verify(struct req *r);
int h_certs_complete_form(struct req *r);
int h_certs_complete_submit(struct req *r);
int h_certs_api_complete(struct req *r);

#endif
