/* test_cover_numfmt.c: core/numfmt.c branch by branch (tests/README.md, coverage): a
 * truncated result never ends in part of a character, whatever the character's length
 * (units are the caller's text: 2- and 4-byte characters too). */
#include <stdlib.h>

#include "numfmt.h"
#include "test.h"
#include "util.h"

/* Every size from 1 to the full length: the result is the longest prefix of the full
 * text that ends on a character boundary and fits, and valid UTF-8. */
static int cuts_whole(double v, const char *unit, const char *full)
{
    char buf[64];
    size_t need = strlen(full);
    if (cb_fmt_count(buf, sizeof buf, v, unit, NULL) != need || strcmp(buf, full) != 0) return 0;
    for (size_t n = 1; n <= need + 1; n++) {
        if (cb_fmt_count(buf, n, v, unit, NULL) != need) return 0;
        size_t len = strlen(buf), best = 0;
        for (const char *p = full, *end = full + need; p < end;) {
            cb_utf8_next(&p, end);
            if ((size_t)(p - full) < n) best = (size_t)(p - full);
        }
        if (len != best || strncmp(buf, full, len) != 0 || !cb_utf8_valid(buf, len)) return 0;
    }
    return 1;
}

TEST(truncation_at_every_character_length)
{
    ASSERT(cuts_whole(12, "\xC3\xA9", "12\xC3\xA9"));                 /* é: 2 bytes */
    ASSERT(cuts_whole(12, "\xF0\xA0\x80\x80", "12\xF0\xA0\x80\x80")); /* U+20000: 4 */
    ASSERT(cuts_whole(3e4, "\xF0\xA0\x80\x80\xC3\xA9", "3\xE4\xB8\x87\xF0\xA0\x80\x80\xC3\xA9"));
    char buf[4];
    ASSERT_EQ_INT(cb_fmt_count(buf, 4, 1, "\xF0\xA0\x80\x80", NULL), 5);
    ASSERT_EQ_STR(buf, "1"); /* 3 bytes of room: the 4-byte character is left out whole */
}

static const test_case tests[] = {
    TEST_ENTRY(truncation_at_every_character_length),
    {0},
};

TEST_MAIN(tests)
