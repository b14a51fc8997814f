/* Unit tests for the audit action table (src/audit_action.def): every action
 * has a code of its own and a German name, the stored code leads back to
 * that name.  That every action written has one is the compiler's part:
 * db_audit_add takes only an enum audit_action. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "audit_action.h"

static void test_every_action_has_its_own_code_and_a_german_name(void **state)
{
    (void)state;
    for (int i = 0; i < AUDIT_ACTION_COUNT; i++) {
        const char *code = audit_action_code((enum audit_action)i);
        assert_true(code[0] != '\0');
        const char *label = audit_action_label(code);
        /* A name, not the code again: starts upper-case, has a space or is a word, no dot. */
        assert_string_not_equal(label, code);
        assert_true(label[0] >= 'A' && label[0] <= 'Z');
        assert_null(strchr(label, '.'));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(audit_action_code((enum audit_action)j), code);
    }
}

static void test_a_stored_code_leads_back_to_its_name(void **state)
{
    (void)state;
    assert_string_equal(audit_action_code(AUDIT_CODE_REVOKE), "code.revoke");
    assert_string_equal(audit_action_label("code.revoke"), "Code widerrufen");
    assert_string_equal(audit_action_label("login.failed"), "Anmeldung fehlgeschlagen");
    /* A code this program does not know (an older row) is shown as it is. */
    assert_string_equal(audit_action_label("legacy.thing"), "legacy.thing");
    assert_string_equal(audit_action_code(AUDIT_ACTION_COUNT), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_action_has_its_own_code_and_a_german_name),
        cmocka_unit_test(test_a_stored_code_leads_back_to_its_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
