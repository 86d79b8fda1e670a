/* test_mut_wrap.c: line-breaking rules checked over their whole class (mutants of
 * tests/mutation/ that spot checks let through). */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util.h"
#include "wrap.h"

/* A monospace measure: CJK 10 pt, everything else 5 pt. */
static float mono(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    (void)ud, (void)prev, (void)next;
    return cp >= 0x2E80 ? 10.0f : 5.0f;
}

TEST(every_digit_keeps_its_unit)
{
    /* "110D人" is 30 pt in a 50 pt line after 30 pt of text: the break goes before the
     * number whatever its last digit, so the first line is "毕业生" */
    for (char d = '0'; d <= '9'; d++) {
        char s[64];
        snprintf(s, sizeof s, "毕业生110%c人", d);
        cb_line *lines;
        size_t n = cb_break_lines(s, strlen(s), 50, 50, mono, NULL, &lines);
        size_t first = n ? lines[0].len : 0;
        free(lines);
        if (n != 2 || first != strlen("毕业生"))
            TEST_FAIL_("\"%s\": %zu lines, the first %zu bytes long", s, n, first);
    }
}

static const test_case tests[] = {
    TEST_ENTRY(every_digit_keeps_its_unit),
    {0},
};

TEST_MAIN(tests)
