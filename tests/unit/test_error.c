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

/* A message longer than rd_error holds keeps its start and its end (what was
 * wrong), with "..." for the middle of, say, a 4,000-character path. */
Test(error, a_long_message_loses_its_middle) {
    char path[4001];
    memset(path, 'd', 4000);
    path[0] = '/';
    path[4000] = '\0';
    rd_error err = {0};
    rd_fail(&err, RD_ERR_RUNTIME, "%s: cannot create: File name too long", path);
    size_t n = strlen(err.msg);
    cr_assert_eq(n, sizeof err.msg - 1);
    cr_assert(!strncmp(err.msg, "/ddd", 4), "%s", err.msg);
    cr_assert(strstr(err.msg, "d...d"), "%s", err.msg);
    cr_assert_str_eq(err.msg + n - 18, "File name too long");
}
