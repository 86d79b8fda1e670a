/* Punctuation compression and CJK–Latin spacing (core/typeset.c), with the clreq §3.1.6
 * and §3.2.2 examples, measured in the installed Chinese font (its marks' blank halves
 * from its `halt` feature or its ink) and through the line breaker. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "test.h"
#include "test_text.h"
#include "typeset.h"
#include "util.h"
#include "wrap.h"

static cb_font *font;

static cb_font *with(cb_punct punct, int cjk_latin)
{
    if (!font) font = test_font_open();
    cb_font_set_typeset(font, &(cb_typeset){punct, cjk_latin});
    return font;
}

/* Width of s set as a line, in ems. */
static float ems(const char *s) { return cb_font_width(font, s, strlen(s), 1); }

/* The face's own widths of s, in ems: what it is set at with nothing compressed. */
static float plain(const char *s)
{
    const cb_typeset *was = cb_font_typeset(font);
    cb_typeset keep = *was;
    cb_font_set_typeset(font, NULL);
    float w = ems(s);
    cb_font_set_typeset(font, &keep);
    return w;
}

TEST(blank_halves_from_the_face)
{
    with(CB_PUNCT_KAIMING, 1);
    /* every Chinese face draws these in one half of the em (GB/T 15834's forms) */
    ASSERT_EQ_INT(cb_font_blank_half(font, 0x201C /* “ */), CB_BLANK_LEFT);
    ASSERT_EQ_INT(cb_font_blank_half(font, 0x300A /* 《 */), CB_BLANK_LEFT);
    ASSERT_EQ_INT(cb_font_blank_half(font, 0x201D /* ” */), CB_BLANK_RIGHT);
    ASSERT_EQ_INT(cb_font_blank_half(font, 0xFF0C /* ， */), CB_BLANK_RIGHT);
    ASSERT_EQ_INT(cb_font_blank_half(font, 0x3002 /* 。 */), CB_BLANK_RIGHT);
    ASSERT_EQ_INT(cb_font_blank_half(font, 0x4E2D /* 中: not a mark */), CB_BLANK_NONE);
    ASSERT_EQ_INT(cb_mark_class(0x2026 /* … */), CB_MARK_MIDDLE);
    ASSERT_NEAR(ems("中…中"), plain("中…中"), 1e-3); /* middle marks: never compressed */
}

TEST(kaiming_clreq_examples)
{
    with(CB_PUNCT_KAIMING, 0);
    /* a stop mark keeps its full width inside a line, other marks are set half width */
    ASSERT_NEAR(ems("中。中") - plain("中中"), 1.0, 1e-3);
    ASSERT_NEAR(ems("中，中") - plain("中中"), 0.5, 1e-3);
    ASSERT_NEAR(ems("中“中") - plain("中中"), 0.5, 1e-3);
    /* adjacent marks: "。”" 1.5 em with the blank after the ”, "”，" and "》、" 1 em */
    ASSERT_NEAR(ems("中。”中") - plain("中中"), 1.5, 1e-3);
    ASSERT_NEAR(cb_ts_advance(font, 0x4E2D, 0x3002, 0x201D, NULL), 0.5, 1e-3);
    ASSERT_NEAR(cb_ts_advance(font, 0x3002, 0x201D, 0x4E2D, NULL), 1.0, 1e-3);
    ASSERT_NEAR(ems("中”，中") - plain("中中"), 1.0, 1e-3);
    ASSERT_NEAR(ems("中》、中") - plain("中中"), 1.0, 1e-3);
    /* a closing mark before an opening one keeps half an em between: "》《" 1.5 em */
    ASSERT_NEAR(ems("中》《中") - plain("中中"), 1.5, 1e-3);
    ASSERT_NEAR(ems("中。“中") - plain("中中"), 1.5, 1e-3);
    /* opening marks together share their blanks: "《“" 1 em */
    ASSERT_NEAR(ems("中《“中") - plain("中中"), 1.0, 1e-3);
    /* a stop mark at a line's end: half width, no hole at the right margin */
    ASSERT_NEAR(ems("中。") - plain("中"), 0.5, 1e-3);
    /* an opening mark at a line's start: half width, drawn half an em to the left */
    float shift;
    ASSERT_NEAR(cb_ts_advance(font, 0, 0x201C, 0x5341, &shift), 0.5, 1e-3);
    ASSERT_NEAR(shift, -0.5, 1e-3);
    ASSERT_NEAR(ems("“十四五”目标") - plain("十四五目标"), 1.0, 1e-3);
}

TEST(quanjiao_and_banjiao)
{
    with(CB_PUNCT_QUANJIAO, 0);
    ASSERT_NEAR(ems("中。”中"), plain("中。”中"), 1e-3);
    ASSERT_NEAR(ems("“中，中。"), plain("“中，中。"), 1e-3);
    float shift;
    cb_ts_advance(font, 0, 0x201C, 0x5341, &shift);
    ASSERT_NEAR(shift, 0, 1e-6);
    with(CB_PUNCT_BANJIAO, 0);
    ASSERT_NEAR(ems("中。中") - plain("中中"), 0.5, 1e-3);
    ASSERT_NEAR(ems("中。”中") - plain("中中"), 1.0, 1e-3);
    ASSERT_NEAR(ems("中》《中") - plain("中中"), 1.5, 1e-3);
}

TEST(a_latin_face_keeps_its_quotes)
{
    cb_font *latin;
    cb_error err;
    const char *dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (cb_font_open(&latin, dejavu, 0, &err) != CB_OK) TEST_FAIL_("%s", err.msg);
    cb_font_set_typeset(latin, &CB_TYPESET_DEFAULT);
    /* a proportional quote (about 0.4 em) is never compressed, nor an English line spaced */
    const char *s = "\xE2\x80\x9CSay \xE2\x80\x9Chello\xE2\x80\x9D.\xE2\x80\x9D";
    float w = cb_font_width(latin, s, strlen(s), 1);
    cb_font_set_typeset(latin, NULL);
    ASSERT_NEAR(w, cb_font_width(latin, s, strlen(s), 1), 1e-4);
    cb_font_close(latin);
}

TEST(cjk_latin_spacing)
{
    with(CB_PUNCT_KAIMING, 1);
    /* a quarter em between Han and Latin letters or digits, either order */
    ASSERT_NEAR(ems("增长GDP增长") - plain("增长GDP增长"), 0.5, 1e-3);
    ASSERT_NEAR(ems("结对已29年") - plain("结对已29年"), 0.25, 1e-3);  /* 29年: tight */
    ASSERT_NEAR(ems("投入1万元") - plain("投入1万元"), 0.25, 1e-3);
    ASSERT_NEAR(ems("共2396人次") - plain("共2396人次"), 0.25, 1e-3);
    ASSERT_NEAR(ems("2020至2022年") - plain("2020至2022年"), 0.5, 1e-3);
    ASSERT_NEAR(ems("第3页"), plain("第3页"), 1e-3);                      /* 第3页: tight */
    ASSERT_NEAR(ems("2023年11月13日"), plain("2023年11月13日"), 1e-3);    /* a date: tight */
    /* not where a space or a mark already separates them, nor at a line's ends */
    ASSERT_NEAR(ems("中 A"), plain("中 A"), 1e-3);
    ASSERT_NEAR(ems("A中"), plain("A中") + 0.25, 1e-3);
    ASSERT_NEAR(cb_ts_advance(font, 0x4E2D, 'A', 0, NULL), cb_font_advance(font, 'A'), 1e-6);
    ASSERT_NEAR(cb_ts_advance(font, 0, 0x4E2D, 'A', NULL), cb_font_advance(font, 0x4E2D) + 0.25, 1e-6);
    with(CB_PUNCT_KAIMING, 0);
    ASSERT_NEAR(ems("增长GDP增长"), plain("增长GDP增长"), 1e-3);
}

/* The breaker sets each character between its neighbours (the font at 10 pt). */
static float at10(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    return cb_ts_advance(ud, prev, cp, next, NULL) * 10;
}

static const char *lines_of(const char *s, float w, float *widths)
{
    return test_lines(s, w, w, at10, font, widths);
}

TEST(breaker_sets_marks_by_their_neighbours)
{
    with(CB_PUNCT_KAIMING, 1);
    float w[8];
    /* "。" fits at a line's end at half width, so "四" is not pulled down with it */
    ASSERT_EQ_STR(lines_of("一二三四。五六", 45, w), "一二三四。|五六");
    ASSERT_NEAR(w[0], 45, 1e-3);
    with(CB_PUNCT_QUANJIAO, 1);
    ASSERT_EQ_STR(lines_of("一二三四。五六", 45, NULL), "一二三|四。五六");
    /* the last character's width changes once the next one comes: "。”" fits at a line's
     * end in 3 em (both half width), but with "三" after it the ” takes the stop's blank */
    with(CB_PUNCT_KAIMING, 1);
    ASSERT_EQ_STR(lines_of("一二。”三", 40, w), "一二。”|三");
    ASSERT_NEAR(w[0], 30, 1e-3);
    ASSERT_EQ_STR(lines_of("一“二”，三四五", 35, w), "一“二”，|三四五");
    ASSERT_NEAR(w[0], 35, 1e-3);
    /* the quarter em is never at a line's end: "甲乙丙" then "GDP" */
    ASSERT_EQ_STR(lines_of("甲乙丙GDP", 30, w), "甲乙丙|GDP");
    ASSERT_NEAR(w[0], 30, 1e-3);
}

/* The width of a run of marks between two Han characters (han_after: else at a line's
 * end) under scheme, by the rule (clreq §3.1.6, GB/T 15834) and not by typeset.c's code:
 * each mark half an em (quanjiao: its full em); half an em more where a closing, pause or
 * stop mark meets an opening one; under kaiming, half an em more after the run when its
 * last stretch of closing, pause and stop marks holds a stop mark and Han follows. */
static float run_model(cb_punct scheme, const uint32_t *run, size_t n, int han_after)
{
    if (scheme == CB_PUNCT_QUANJIAO) return (float)n;
    float w = 0.5f * (float)n;
    int stop = 0;
    for (size_t i = 0; i < n; i++) {
        int cls = cb_mark_class(run[i]);
        if (cls == CB_MARK_OPENING) stop = 0;
        else if (cls == CB_MARK_STOP) stop = 1;
        if (cls != CB_MARK_OPENING && i + 1 < n && cb_mark_class(run[i + 1]) == CB_MARK_OPENING) w += 0.5f;
    }
    if (scheme == CB_PUNCT_KAIMING && han_after && stop && cb_mark_class(run[n - 1]) != CB_MARK_OPENING) w += 0.5f;
    return w;
}

/* "中" + the run + ("中" or nothing), less the Han characters, against the model; 1 if
 * they agree, else the run is reported. */
static int run_agrees(cb_punct scheme, const uint32_t *run, size_t n, int han_after)
{
    char s[64], *p = s;
    p += cb_utf8_encode(0x4E2D, p);
    for (size_t i = 0; i < n; i++) p += cb_utf8_encode(run[i], p);
    if (han_after) p += cb_utf8_encode(0x4E2D, p);
    *p = '\0';
    float got = ems(s) - (han_after ? 2 : 1) * plain("中"), want = run_model(scheme, run, n, han_after);
    if (fabsf(got - want) < 1e-3f) return 1;
    fprintf(stderr, "  %s (%s): %.3f em, the rule says %.3f\n", s, cb_punct_name(scheme), got, want);
    return 0;
}

TEST(every_run_of_two_and_three_marks)
{
    /* every mark the face lets be compressed: opening, closing, pause and stop marks */
    with(CB_PUNCT_KAIMING, 0);
    uint32_t marks[CB_MARK_COUNT];
    size_t n = 0;
    int classes = 0;
    static const uint32_t all[] = {0x2018, 0x2019, 0x201C, 0x201D, 0x3001, 0x3002, 0x3008, 0x3009, 0x300A,
                                   0x300B, 0x300C, 0x300D, 0x300E, 0x300F, 0x3010, 0x3011, 0x3014, 0x3015,
                                   0x3016, 0x3017, 0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF1A, 0xFF1B, 0xFF1F,
                                   0xFF3B, 0xFF3D, 0xFF5B, 0xFF5D};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        int cls = cb_mark_class(all[i]);
        ASSERT(cls != CB_MARK_OTHER && cls != CB_MARK_MIDDLE);
        if (cb_font_blank_half(font, all[i]) != (cls == CB_MARK_OPENING ? CB_BLANK_LEFT : CB_BLANK_RIGHT)) continue;
        marks[n++] = all[i];
        classes |= 1 << cls;
    }
    /* the face has some of each class (WenQuanYi draws its （）！？ centred: those it keeps) */
    ASSERT_EQ_INT(classes, 1 << CB_MARK_OPENING | 1 << CB_MARK_CLOSING | 1 << CB_MARK_PAUSE | 1 << CB_MARK_STOP);
    static const cb_punct schemes[] = {CB_PUNCT_KAIMING, CB_PUNCT_BANJIAO, CB_PUNCT_QUANJIAO};
    size_t bad = 0, runs = 0;
    for (size_t k = 0; k < 3; k++) {
        with(schemes[k], 0);
        for (size_t a = 0; a < n; a++)
            for (size_t b = 0; b < n; b++) {
                uint32_t two[2] = {marks[a], marks[b]};
                bad += !run_agrees(schemes[k], two, 2, 1) + !run_agrees(schemes[k], two, 2, 0);
                runs += 2;
                for (size_t c = 0; c < n; c++) {
                    uint32_t three[3] = {marks[a], marks[b], marks[c]};
                    bad += !run_agrees(schemes[k], three, 3, 1) + !run_agrees(schemes[k], three, 3, 0);
                    runs += 2;
                }
            }
    }
    ASSERT(runs > 10000);
    ASSERT_EQ_INT((int)bad, 0);
    /* longer runs: the stop mark's blank after the last mark however many follow it */
    with(CB_PUNCT_KAIMING, 0);
    ASSERT_NEAR(ems("中。”》中") - plain("中中"), 2.0, 1e-3);
    ASSERT_NEAR(ems("中。’”》〕中") - plain("中中"), 3.0, 1e-3);
    ASSERT_NEAR(ems("中。’”》〕“中") - plain("中中"), 3.5, 1e-3);
    ASSERT_NEAR(ems("中。’”》〕") - plain("中"), 2.5, 1e-3);
}

TEST(breaker_carries_a_run_of_marks)
{
    with(CB_PUNCT_KAIMING, 1);
    float w[4];
    /* "。”》" ends a line at 1.5 em; with "三" after it the 》 takes the stop's blank */
    ASSERT_EQ_STR(lines_of("一二。”》三", 45, w), "一二。”》|三");
    ASSERT_NEAR(w[0], 35, 1e-3);
    ASSERT_EQ_STR(lines_of("一二。”》三", 50, w), "一二。”》三");
    ASSERT_NEAR(w[0], 50, 1e-3);
}

static const test_case tests[] = {
    TEST_ENTRY(blank_halves_from_the_face),
    TEST_ENTRY(kaiming_clreq_examples),
    TEST_ENTRY(quanjiao_and_banjiao),
    TEST_ENTRY(a_latin_face_keeps_its_quotes),
    TEST_ENTRY(cjk_latin_spacing),
    TEST_ENTRY(breaker_sets_marks_by_their_neighbours),
    TEST_ENTRY(every_run_of_two_and_three_marks),
    TEST_ENTRY(breaker_carries_a_run_of_marks),
    {0},
};

TEST_MAIN(tests)
