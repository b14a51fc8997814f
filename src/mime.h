/* mime — the RFC 5322 text of an e-mail: headers (non-ASCII words as
 * RFC 2047 encoded words), a UTF-8 text part and base64 attachments in one
 * multipart/mixed message, CRLF line ends, no line over 78 characters.
 * Pure: no I/O, no globals, no randomness (the caller brings the date,
 * Message-ID and boundary); memory from the caller's arena. */
#ifndef MIME_H
#define MIME_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;

struct mail_attachment {
    const char *filename;     /* printable ASCII, no '"' or '\' */
    const char *content_type; /* printable ASCII, e.g. "text/csv; charset=utf-8" */
    const void *data;
    size_t len;
};

struct mail_message {
    const char *from;       /* "Display Name <addr>" or "addr" (UTF-8 name) */
    const char *recipients; /* "a@b.at, c@d.at" */
    const char *subject;    /* UTF-8 */
    const char *body_text;  /* UTF-8; LF or CRLF line ends */
    const struct mail_attachment *attachments;
    size_t nattachments;
};

struct mime_envelope {
    int64_t date;           /* UTC epoch seconds for the Date header */
    const char *message_id; /* "<unique@domain>" */
    const char *boundary;   /* starts with "=_" so it cannot occur in base64 */
};

/* Appends the message to out.  -1 (out then holds garbage) when a header
 * would be unsafe: a control character (CR, LF, ...) in from, subject,
 * message id or boundary, a malformed address, or a filename or content
 * type that is not plain printable ASCII of at most 60 characters (as the
 * boundary).  0 otherwise. */
int mime_build(struct buf *out, const struct mail_message *m, const struct mime_envelope *env);

/* The address of "Name <addr>" or "addr", copied into the arena; NULL when
 * it is not one well-formed address. */
const char *mime_address(struct arena *a, const char *mailbox);

/* The addresses of a ", "-separated list as a NULL-terminated array in the
 * arena (*n of them); NULL when the list is empty or one is malformed. */
const char **mime_recipients(struct arena *a, const char *list, size_t *n);


#endif
