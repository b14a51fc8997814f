/* completions_import — see completions_import.h. */
#include "completions_import.h"

#include <stdio.h>
#include <string.h>

#include "completion.h"
#include "csv.h"
#include "db.h"
#include "mem.h"

static const char *const header[] = {"username", "course", "completed_on"};
#define NCOLS 3

/* Records one line; NULL when done, else the problem (in why). */
static const char *record_line(struct db *db, struct arena *a, const struct csv_record *rec, int64_t now,
                               char *why, size_t whylen, int *error)
{
    static const struct completion_actor by = {.via = "csv"};
    if (rec->nfields != NCOLS)
        return "3 Spalten erwartet: username,course,completed_on";
    struct completion c = {rec->field[0], rec->field[1], rec->field[2]};
    char number[CERT_NUMBER_SIZE];
    enum completion_status cs = completion_record(db, a, &c, &by, now, number, why, whylen);
    *error = cs == COMPLETION_ERROR;
    return cs == COMPLETION_OK ? NULL : why;
}

/* Records every line inside the caller's transaction: 0, 1 (msg) or -1. */
static int record_lines(struct db *db, struct arena *a, const char *text, int64_t now, size_t *count,
                        char *msg, size_t msglen)
{
    struct csv_reader rd;
    size_t buflen = strlen(text) + 1;
    char *buf = arena_alloc(a, buflen), why[256];
    struct csv_record rec;
    csv_reader_init(&rd, text);
    if (!csv_reader_header(&rd, header, NCOLS, buf, buflen, msg, msglen))
        return 1;
    for (*count = 0;; (*count)++) {
        int rc = csv_reader_next(&rd, &rec, buf, buflen), error = 0;
        if (rc == 0)
            return 0;
        const char *problem = rc < 0 ? "fehlerhaftes CSV" : record_line(db, a, &rec, now, why, sizeof why, &error);
        if (error)
            return -1;
        if (problem) {
            snprintf(msg, msglen, "Zeile %d: %s", rd.line, problem);
            return 1;
        }
    }
}

int completions_import_csv(struct db *db, const char *text, int64_t now, size_t *count, char *msg,
                           size_t msglen)
{
    struct arena *a = arena_new();
    *count = 0;
    int rc = db_end(db, db_begin(db) == DB_OK ? record_lines(db, a, text, now, count, msg, msglen) : -1);
    arena_free(a);
    return rc;
}
