/* h_training — proof of training for a tenant_admin (/gemeinde/schulungen):
 * the municipality's staff with their courses, status, enrollment and
 * completion date and certificate number, filtered by course and status,
 * 200 a page; schulungen.csv has all of them for Austrian Excel (";",
 * UTF-8 with BOM, CRLF).  Only the admin's own municipality's accounts. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "date.h"
#include "db.h"
#include "fmt.h"
#include "handlers.h"
#include "mem.h"
#include "order_docs.h"
#include "req.h"
#include "view.h"

#define ROWS_PER_PAGE 200

/* Columns of table rows in training_list.html, in the order it reads them. */
enum { ROW_NAME, ROW_USERNAME, ROW_COURSE, ROW_STATUS, ROW_STATUS_CLASS, ROW_ENROLLED, ROW_COMPLETED,
       ROW_CERTIFICATE, ROW_COLUMNS };
/* Columns of table courses (the filter's options). */
enum { COURSE_SLUG, COURSE_TITLE, COURSE_COLUMNS };

static const char *opt(const struct req *r, enum field_id f)
{
    const char *s = req_text(r, f);
    return s ? s : "";
}

/* "dd.mm.yyyy" of a stored completion date, "" for none. */
static const char *completed_text(struct arena *a, const char *iso)
{
    char *out = arena_alloc(a, DATE_TEXT_SIZE);
    date_iso_to_text(iso, out);
    return out;
}

static int course_options(struct req *r, struct view *v)
{
    const char **slugs, **titles;
    size_t n;
    if (db_training_courses(r->db, r->arena, r->who->municipality_id, &slugs, &titles, &n) != DB_OK)
        return 500;
    struct view_table *t = view_table(v, "courses", COURSE_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        view_row(t);
        view_cell_text(t, COURSE_SLUG, slugs[i]);
        view_cell_text(t, COURSE_TITLE, titles[i]);
    }
    return 0;
}

int h_training_list(struct req *r)
{
    const char *course = opt(r, F_COURSE), *status = opt(r, F_STATUS);
    if (*status && strcmp(status, "abgeschlossen") != 0 && strcmp(status, "eingeschrieben") != 0)
        status = "";
    int64_t total;
    if (db_training_count(r->db, r->who->municipality_id, course, status, &total) != DB_OK)
        return 500;
    int64_t pages = total ? (total + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE : 1;
    int64_t page = req_page(r, pages);
    struct training_row *rows;
    size_t n;
    if (db_training_list(r->db, r->arena, r->who->municipality_id, course, status, (page - 1) * ROWS_PER_PAGE,
                         ROWS_PER_PAGE, &rows, &n) != DB_OK)
        return 500;
    struct view *v = view_new(r, "training_list", "Schulungsnachweis");
    if (course_options(r, v) != 0)
        return 500;
    struct view_table *t = view_table(v, "rows", ROW_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        bool done = *rows[i].completed_on;
        view_row(t);
        view_cell_text(t, ROW_NAME, arena_printf(r->arena, "%s %s", rows[i].first_name, rows[i].last_name));
        view_cell_text(t, ROW_USERNAME, rows[i].username);
        view_cell_text(t, ROW_COURSE, rows[i].course_title);
        view_cell_text(t, ROW_STATUS, done ? "abgeschlossen" : "eingeschrieben");
        view_cell_text(t, ROW_STATUS_CLASS, done ? "status-redeemed" : "status-open");
        view_cell_text(t, ROW_ENROLLED, fmt_date(r->arena, rows[i].enrolled_at));
        view_cell_text(t, ROW_COMPLETED, completed_text(r->arena, rows[i].completed_on));
        view_cell_text(t, ROW_CERTIFICATE, rows[i].certificate_number);
    }
    struct buf base;
    buf_init(&base, r->arena);
    buf_puts(&base, "?");
    if (*course)
        buf_printf(&base, "course=%s&", course);
    if (*status)
        buf_printf(&base, "status=%s&", status);
    view_text(v, "query", base.data); /* slugs and statuses need no URL escaping */
    view_text(v, "f_course", course);
    view_text(v, "f_status", status);
    view_int(v, "total", (long)total);
    view_int(v, "page", (long)page);
    view_int(v, "pages", (long)pages);
    view_int(v, "first", (long)((page - 1) * ROWS_PER_PAGE + (n ? 1 : 0)));
    view_int(v, "last", (long)((page - 1) * ROWS_PER_PAGE + (int64_t)n));
    return view_render(v);
}

int h_training_csv(struct req *r)
{
    const char *course = opt(r, F_COURSE), *status = opt(r, F_STATUS);
    struct training_row *rows;
    size_t n;
    if (db_training_list(r->db, r->arena, r->who->municipality_id, course, status, 0, -1, &rows, &n) != DB_OK)
        return 500;
    struct buf b;
    buf_init(&b, r->arena);
    static const char *const header[] = {"Nachname", "Vorname", "Benutzername", "E-Mail", "Kurs", "Status",
                                         "eingeschrieben am", "abgeschlossen am", "Zertifikatsnummer"};
    excel_csv_row(&b, header, 9);
    for (size_t i = 0; i < n; i++) {
        const char *row[] = {rows[i].last_name, rows[i].first_name, rows[i].username, rows[i].email,
                             rows[i].course_title, *rows[i].completed_on ? "abgeschlossen" : "eingeschrieben",
                             fmt_date(r->arena, rows[i].enrolled_at), completed_text(r->arena, rows[i].completed_on),
                             rows[i].certificate_number};
        excel_csv_row(&b, row, 9);
    }
    return req_download(r, "text/csv; charset=utf-8", "attachment", "schulungen.csv", b.data, b.len);
}
