/* db_outbox — the mail outbox: storing, claiming and settling messages. */
#include "db_internal.h"
#include "mem.h"

static void bind_blob(sqlite3_stmt *st, int idx, const struct outbox_blob *b)
{
    sqlite3_bind_blob(st, idx, b->len ? b->data : (const void *)"", (int)b->len, SQLITE_TRANSIENT);
}

static struct outbox_blob column_blob(sqlite3_stmt *st, struct arena *a, int col)
{
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    return (struct outbox_blob){(const unsigned char *)arena_memdup(a, sqlite3_column_blob(st, col), len),
                                len};
}

int db_outbox_add(struct db *db, const struct outbox_mail *m, int64_t now, int64_t *id)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_ADD);
    sqlite3_bind_int64(st, 1, now);
    db_bind_text(st, 2, m->recipients);
    db_bind_text(st, 3, m->subject);
    bind_blob(st, 4, &m->body_sealed);
    db_bind_id(st, 5, m->order_id);
    int64_t outbox_id;
    int status = db_insert_stmt(db, st, &outbox_id);
    for (size_t i = 0; i < m->nattachments && status == DB_OK; i++) {
        const struct outbox_attachment *at = &m->attachments[i];
        st = db_stmt(db, Q_OUTBOX_ATTACHMENT_ADD);
        sqlite3_bind_int64(st, 1, outbox_id);
        db_bind_text(st, 2, at->filename);
        db_bind_text(st, 3, at->content_type);
        bind_blob(st, 4, &at->sealed);
        sqlite3_bind_int64(st, 5, (int64_t)i);
        status = db_exec_stmt(db, st);
    }
    if (status == DB_OK && id)
        *id = outbox_id;
    return status;
}

static void attachment_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct outbox_attachment *)item = (struct outbox_attachment){
        .filename = db_text(a, st, ATTACHMENT_C_FILENAME),
        .content_type = db_text(a, st, ATTACHMENT_C_CONTENT_TYPE),
        .sealed = column_blob(st, a, ATTACHMENT_C_SEALED)};
}

static int read_attachments(struct db *db, struct arena *a, struct outbox_mail *m)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_ATTACHMENTS);
    sqlite3_bind_int64(st, 1, m->id);
    struct outbox_attachment *list;
    int status = db_collect(db, a, st, sizeof *list, attachment_row, (void **)&list, &m->nattachments);
    m->attachments = list;
    return status;
}

static void mail_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct outbox_mail *)item = (struct outbox_mail){
        .id = sqlite3_column_int64(st, MAIL_C_ID),
        .created_at = sqlite3_column_int64(st, MAIL_C_CREATED_AT),
        .attempts = sqlite3_column_int64(st, MAIL_C_ATTEMPTS),
        .recipients = db_text(a, st, MAIL_C_RECIPIENTS),
        .subject = db_text(a, st, MAIL_C_SUBJECT),
        .body_sealed = column_blob(st, a, MAIL_C_BODY_SEALED),
        .delivered_to = db_text(a, st, MAIL_C_DELIVERED_TO),
        .refused_to = db_text(a, st, MAIL_C_REFUSED_TO),
        .event_seq = sqlite3_column_int64(st, MAIL_C_EVENT_SEQ),
    };
}

int db_outbox_claim_batch(struct db *db, struct arena *a, int64_t now, int64_t claimed_until, int64_t claimed_by,
                          int64_t max, struct outbox_mail **mails, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_CLAIM_BATCH);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, claimed_until);
    sqlite3_bind_int64(st, 3, claimed_by);
    sqlite3_bind_int64(st, 4, max);
    /* every row is claimed by the time the statement ends (db_collect steps it to the end) */
    int status = db_collect(db, a, st, sizeof **mails, mail_row, (void **)mails, n);
    for (size_t i = 0; i < *n && status == DB_OK; i++)
        status = read_attachments(db, a, &(*mails)[i]);
    return status;
}

int db_outbox_unclaim(struct db *db, int64_t id, int64_t claimed_by)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_UNCLAIM);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, claimed_by);
    return db_exec_stmt(db, st);
}

int db_outbox_reschedule(struct db *db, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_RESCHEDULE);
    sqlite3_bind_int64(st, 1, now);
    return db_exec_stmt(db, st);
}

int db_outbox_sent(struct db *db, int64_t id, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_SENT);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return db_exec_stmt(db, st);
}

int db_outbox_failed(struct db *db, int64_t id, const char *error, int64_t next_attempt_at,
                     int64_t given_up_at)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_FAILED);
    sqlite3_bind_int64(st, 1, id);
    db_bind_text(st, 2, error);
    sqlite3_bind_int64(st, 3, next_attempt_at);
    db_bind_id(st, 4, given_up_at);
    return db_exec_stmt(db, st);
}

int db_outbox_next_due(struct db *db, int64_t *when)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_NEXT_DUE);
    return db_read_int(db, st, when);
}

int db_outbox_progress(struct db *db, int64_t id, const char *delivered_to, const char *refused_to)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_PROGRESS);
    sqlite3_bind_int64(st, 1, id);
    db_bind_text(st, 2, delivered_to);
    db_bind_text(st, 3, refused_to);
    return db_exec_stmt(db, st);
}

int db_outbox_claimers(struct db *db, struct arena *a, int64_t now, int64_t **pids, size_t *n)
{
    return db_collect_by_id(db, a, Q_OUTBOX_CLAIMERS, now, sizeof **pids, db_row_int, (void **)pids, n);
}

int db_outbox_release(struct db *db, int64_t pid, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_RELEASE);
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, now);
    return db_exec_stmt(db, st);
}

static void status_row(sqlite3_stmt *st, struct arena *a, void *item)
{
    *(struct outbox_status *)item = (struct outbox_status){
        .id = sqlite3_column_int64(st, OSTATUS_C_ID), .created_at = sqlite3_column_int64(st, OSTATUS_C_CREATED_AT),
        .recipients = db_text(a, st, OSTATUS_C_RECIPIENTS), .attempts = sqlite3_column_int64(st, OSTATUS_C_ATTEMPTS),
        .sent_at = sqlite3_column_int64(st, OSTATUS_C_SENT_AT),
        .given_up_at = sqlite3_column_int64(st, OSTATUS_C_GIVEN_UP_AT),
        .last_error = db_text(a, st, OSTATUS_C_LAST_ERROR), .delivered_to = db_text(a, st, OSTATUS_C_DELIVERED_TO),
        .refused_to = db_text(a, st, OSTATUS_C_REFUSED_TO),
    };
}

int db_outbox_of_order(struct db *db, struct arena *a, int64_t order_id, struct outbox_status **list, size_t *n)
{
    return db_collect_by_id(db, a, Q_OUTBOX_OF_ORDER, order_id, sizeof **list, status_row, (void **)list, n);
}

int db_outbox_resend(struct db *db, int64_t id, int64_t order_id, const char *recipients, int64_t now)
{
    sqlite3_stmt *st = db_stmt(db, Q_OUTBOX_RESEND);
    sqlite3_bind_int64(st, 1, id);
    db_bind_text(st, 2, recipients);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, order_id);
    return db_exec_one(db, st, DB_NOT_FOUND);
}
