/* audit_action — see audit_action.h. */
#include "audit_action.h"

#include <string.h>

static const struct {
    const char *code, *label;
} actions[AUDIT_ACTION_COUNT] = {
#define AUDIT(id, c, l) [AUDIT_##id] = {c, l},
#include "audit_action.def"
#undef AUDIT
};

const char *audit_action_code(enum audit_action action)
{
    return (unsigned)action < AUDIT_ACTION_COUNT ? actions[action].code : "";
}

const char *audit_action_label(const char *code)
{
    for (size_t i = 0; i < AUDIT_ACTION_COUNT; i++)
        if (strcmp(actions[i].code, code) == 0)
            return actions[i].label;
    return code;
}
