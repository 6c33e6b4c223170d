/* rd_fail: messages stay on one line whatever they quote. */
#include <criterion/criterion.h>
#include <string.h>

#include "rdrop/error.h"

Test(error, control_characters_become_question_marks) {
    rd_error err = {0};
    /* e.g. a --set value or stb_image's reason, which quotes a PNG chunk name */
    cr_assert_eq(rd_fail(&err, RD_ERR_USAGE, "%s: bad \"%s\"", "x.ini", "a\nb\r\tc\x7f"),
                 RD_ERR_USAGE);
    cr_assert_str_eq(err.msg, "x.ini: bad \"a?b??c?\"");
    cr_assert_eq(err.status, RD_ERR_USAGE);
}

Test(error, null_error_only_returns_the_status) {
    cr_assert_eq(rd_fail(NULL, RD_ERR_RUNTIME, "ignored"), RD_ERR_RUNTIME);
}
