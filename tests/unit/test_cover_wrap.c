/* test_cover_wrap.c: core/wrap.c branch by branch (tests/README.md, coverage): every kind
 * of space and line end, the tailoring for numbers in each ideograph block, the guards
 * around libunibreak, the widest run of no text. */
#include <linebreak.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util.h"
#include "wrap.h"

/* CJK 10 pt, everything else 5 pt (as test_linebreak.c). */
static float mono(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    (void)ud, (void)prev, (void)next;
    return cp >= 0x2E80 ? 10.0f : 5.0f;
}

/* The lines of s as "<line>" each, with its width and an L on the last (static buffer). */
static const char *lines_of(const char *s, float first, float w)
{
    static char out[4096];
    cb_line *lines;
    size_t n = cb_break_lines(s, strlen(s), first, w, mono, NULL, &lines);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t at = strlen(out);
        snprintf(out + at, sizeof out - at, "%s<%.*s>%g%s", i ? " " : "", (int)lines[i].len,
                 s + lines[i].start, lines[i].width, lines[i].last ? "L" : "");
    }
    free(lines);
    return out;
}

/* CR alone, U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR are hard breaks, as LF;
 * none is drawn or measured. */
TEST(every_line_end)
{
    ASSERT_EQ_STR(lines_of("ab\rcd", 100, 100), "<ab>10L <cd>10L");
    ASSERT_EQ_STR(lines_of("ab\xE2\x80\xA8" "cd", 100, 100), "<ab>10L <cd>10L");
    ASSERT_EQ_STR(lines_of("ab\xE2\x80\xA9" "cd", 100, 100), "<ab>10L <cd>10L");
    ASSERT_EQ_STR(lines_of("ab\r\ncd\n", 100, 100), "<ab>10L <cd>10L");
}

/* A tab is a space: a break opportunity, dropped at a soft break, trimmed at a line end. */
TEST(tabs_are_spaces)
{
    ASSERT_EQ_STR(lines_of("a\tb\tc", 10, 10), "<a>5 <b>5 <c>5L");
    ASSERT_EQ_STR(lines_of("a\tb", 100, 100), "<a\tb>15L");
    ASSERT_EQ_STR(lines_of("\t\tab\t", 100, 100), "<ab>10L"); /* leading ones skipped */
}

/* After a hard break the next line keeps its leading spaces (an indent the author typed);
 * a break right after them is fine even before an opening mark. */
TEST(spaces_after_a_hard_break)
{
    ASSERT_EQ_STR(lines_of("a\n  b", 100, 100), "<a>5L <  b>15L");
    ASSERT_EQ_STR(lines_of("a\n  (b", 100, 100), "<a>5L <  (b>20L");
}

/* Text ending in spaces (U+3000 among them): no line of its own, no width. */
TEST(trailing_spaces_make_no_line)
{
    ASSERT_EQ_STR(lines_of("ab \xE3\x80\x80", 100, 100), "<ab>10L");
    ASSERT_EQ_STR(lines_of("ab \xE3\x80\x80", 10, 10), "<ab>10L");
    ASSERT_EQ_STR(lines_of("   ", 100, 100), "<>0L"); /* one empty line, as for "" */
}

/* A split before a closing mark backs off, but never past the line's first character:
 * a one-character line before "，" keeps it, and the comma takes the next line. */
TEST(forced_split_keeps_one_character)
{
    ASSERT_EQ_STR(lines_of("a\xEF\xBC\x8C" "b", 5, 5), "<a>5 <\xEF\xBC\x8C>10 <b>5L");
}

/* A number keeps its measure word in every block of ideographs (URO, Extension A, the
 * astral Extensions B-F): the break goes at the space before it. Hangul is no
 * ideograph: the number may end a line there. */
TEST(numbers_keep_ideographs_of_every_block)
{
    ASSERT_EQ_STR(lines_of("a 12\xE4\xBA\xBA", 25, 25), "<a>5 <12\xE4\xBA\xBA>20L");         /* 人 */
    ASSERT_EQ_STR(lines_of("a 12\xE3\x90\x80", 25, 25), "<a>5 <12\xE3\x90\x80>20L");         /* U+3400 */
    ASSERT_EQ_STR(lines_of("a 12\xF0\xA0\x80\x80", 25, 25), "<a>5 <12\xF0\xA0\x80\x80>20L"); /* U+20000 */
    ASSERT_EQ_STR(lines_of("a 12\xEA\xB0\x80", 25, 25), "<a 12>20 <\xEA\xB0\x80>10L");       /* U+AC00 */
}

/* A U+FFFD typed as such (valid UTF-8) reaches libunibreak unchanged and is a character
 * like any other; invalid bytes become '?' for it, and U+FFFE and U+FFFF U+FFFD. */
TEST(replacement_character_and_noncharacters)
{
    ASSERT_EQ_STR(lines_of("a\xEF\xBF\xBD" "b", 100, 100), "<a\xEF\xBF\xBD" "b>20L");
    char brks[8];
    cb_linebreaks("a\xEF\xBF\xBD" "b", 5, brks);
    ASSERT_EQ_INT(brks[1], LINEBREAK_INSIDEACHAR);
    ASSERT_EQ_INT(brks[4], LINEBREAK_MUSTBREAK);
    cb_linebreaks("a\xEF\xBF\xBE" "b", 5, brks);
    ASSERT_EQ_INT(brks[4], LINEBREAK_MUSTBREAK);
    cb_linebreaks("a\xFF" "b", 3, brks);
    ASSERT_EQ_INT(brks[2], LINEBREAK_MUSTBREAK);
}

/* No text, no breaks: cb_linebreaks writes nothing. */
TEST(linebreaks_of_nothing)
{
    char brks[4] = "xyz";
    cb_linebreaks("", 0, brks);
    ASSERT_EQ_STR(brks, "xyz");
    ASSERT_EQ_STR(lines_of("", 100, 100), "<>0L");
}

/* No text: no run, 0 wide, at 0. */
TEST(widest_run_of_nothing)
{
    size_t ws = 9, wl = 9;
    ASSERT(cb_widest_run("", 0, mono, NULL, 1, &ws, &wl) == 0);
    ASSERT_EQ_INT(ws, 0);
    ASSERT_EQ_INT(wl, 0);
}

static const test_case tests[] = {
    TEST_ENTRY(every_line_end),
    TEST_ENTRY(tabs_are_spaces),
    TEST_ENTRY(spaces_after_a_hard_break),
    TEST_ENTRY(trailing_spaces_make_no_line),
    TEST_ENTRY(forced_split_keeps_one_character),
    TEST_ENTRY(numbers_keep_ideographs_of_every_block),
    TEST_ENTRY(replacement_character_and_noncharacters),
    TEST_ENTRY(linebreaks_of_nothing),
    TEST_ENTRY(widest_run_of_nothing),
    {0},
};

TEST_MAIN(tests)
