/* completions_import — records completions from CSV text with the header
 * `username,course,completed_on` (course = course slug, completed_on =
 * YYYY-MM-DD), each through completion_record (see completion.h), all in
 * one transaction: on the first bad line nothing changes and msg says
 * "Zeile N: ..." (N = physical line). */
#ifndef COMPLETIONS_IMPORT_H
#define COMPLETIONS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* 0 on success (*count = lines recorded, including ones recorded before),
 * 1 on refusal (msg), -1 on a database error. */
int completions_import_csv(struct db *db, const char *text, int64_t now, size_t *count, char *msg,
                           size_t msglen);

#endif
