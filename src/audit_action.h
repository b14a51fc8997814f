/* audit_action — the closed list of audit log actions (audit_action.def):
 * the code each is stored under and its German name.  Writers name an
 * action by its enum (db_audit_add), readers turn a stored code back into
 * its name; both come from the one table, so no action lacks a name. */
#ifndef AUDIT_ACTION_H
#define AUDIT_ACTION_H

enum audit_action {
#define AUDIT(id, code, label) AUDIT_##id,
#include "audit_action.def"
#undef AUDIT
    AUDIT_ACTION_COUNT
};

/* The code stored in audit_log.action ("code.revoke"); static storage. */
const char *audit_action_code(enum audit_action action);

/* The German name of a stored code ("code.revoke" -> "Code widerrufen");
 * a code not in the table (a row older than this program) comes back as it
 * is.  Static storage or `code` itself. */
const char *audit_action_label(const char *code);

#endif
