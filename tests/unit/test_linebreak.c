/* Line breaking (core/wrap.c): Unicode rules, Chinese punctuation, mixed scripts. */
#include <linebreak.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "test_text.h"
#include "util.h"
#include "wrap.h"

/* A monospace measure: CJK and full-width punctuation 10 pt, everything else 5 pt. */
static float mono(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    (void)ud, (void)prev, (void)next;
    return cp >= 0x2E80 ? 10.0f : 5.0f;
}

/* The same with spaces 2 pt: text after a break can then fill the line on its own. */
static float narrow_spaces(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    return cp == ' ' || cp == 0x3000 ? 2.0f : mono(ud, prev, cp, next);
}

static const char *lines_measured(const char *s, float first, float w, cb_advance_fn advance)
{
    return test_lines(s, first, w, advance, NULL, NULL);
}

static const char *lines_of(const char *s, float first, float w)
{
    return lines_measured(s, first, w, mono);
}

TEST(cjk_breaks_between_characters)
{
    ASSERT_EQ_STR(lines_of("对口支援精准发力助推发展", 40, 40), "对口支援|精准发力|助推发展");
}

/* Table cells break between words where they can (ICU's dictionary for Chinese): a place
 * name stays whole unless that leaves the line less than half full. */
static const char *word_lines(const char *s, float w)
{
    static char out[1024];
    cb_line *lines;
    size_t n = cb_break_lines_words(s, strlen(s), w, w, mono, NULL, 1, &lines);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(out, "|");
        strncat(out, s + lines[i].start, lines[i].len);
    }
    free(lines);
    return out;
}

TEST(table_cells_break_between_words)
{
    /* ICU's dictionary knows 沈阳, 卫生, 培训 (not 石宝镇: unknown names break anywhere) */
    ASSERT_EQ_STR(lines_of("山东省、沈阳市", 50, 50), "山东省、沈|阳市"); /* a paragraph: anywhere */
    ASSERT_EQ_STR(word_lines("山东省、沈阳市", 50), "山东省、|沈阳市");
    ASSERT_EQ_STR(word_lines("山东省、沈阳市", 40), "山东省、|沈阳市");
    ASSERT_EQ_STR(lines_of("石宝镇中心卫生院", 50, 50), "石宝镇中心|卫生院");
    ASSERT_EQ_STR(lines_of("石宝镇中心卫生院", 70, 70), "石宝镇中心卫|生院");
    ASSERT_EQ_STR(word_lines("石宝镇中心卫生院", 70), "石宝镇中心|卫生院");
    ASSERT_EQ_STR(word_lines("干部人才赴辽宁培训", 40), "干部人才|赴辽宁|培训");
    /* after a list's pause mark first: names the dictionary lacks (潍坊) stay whole */
    ASSERT_EQ_STR(lines_of("山东省、潍坊市", 50, 50), "山东省、潍|坊市");
    ASSERT_EQ_STR(word_lines("山东省、潍坊市", 50), "山东省、|潍坊市");
    ASSERT_EQ_STR(word_lines("济南市、潍坊市、青岛市", 90), "济南市、潍坊市、|青岛市");
    ASSERT_EQ_STR(word_lines("山东省, 潍坊市", 55), "山东省,|潍坊市");
    ASSERT_EQ_STR(lines_of("中华人民共和国", 30, 30), "中华人|民共|和国");
    ASSERT_EQ_STR(word_lines("中华人民共和国", 30), "中华|人民|共和国");
    /* no word break that keeps the line at least half full, or a word longer than the
     * line: inside the word (a last character alone stays rather than leave one alone
     * above it) */
    ASSERT_EQ_STR(word_lines("县展览馆", 30), "县展览|馆");
    ASSERT_EQ_STR(word_lines("展览馆建设", 40), "展览馆|建设");
    ASSERT_EQ_STR(word_lines("展览", 10), "展|览");
    /* Latin text breaks at its spaces as before, numbers keep their units */
    ASSERT_EQ_STR(word_lines("Shandong, Shenyang", 60), "Shandong,|Shenyang");
    ASSERT_EQ_STR(word_lines("投资2396万元建设", 50), "投资|2396万元|建设");
}

TEST(no_line_starts_with_closing_punctuation)
{
    /* "援建项目，" does not fit in 40 pt: the comma may not start the next line, so
     * "目" moves down with it */
    ASSERT_EQ_STR(lines_of("援建项目，培训人才。", 40, 40), "援建项|目，培训|人才。");
    ASSERT_EQ_STR(lines_of("资金、项目）完成", 30, 30), "资金、|项目）|完成");
    /* no break opportunity at all before the comma: the split backs off one character */
    ASSERT_EQ_STR(lines_of("2020年，忠县", 30, 30), "2020|年，忠|县");
}

TEST(no_line_ends_with_opening_punctuation)
{
    /* "（" would end the first line: it moves to the next with what it opens */
    ASSERT_EQ_STR(lines_of("援助资金（亿元）", 50, 50), "援助资金|（亿元）");
    ASSERT_EQ_STR(lines_of("见文《规划》", 30, 30), "见文|《规|划》");
}

TEST(latin_words_and_numbers_stay_whole)
{
    /* 5 pt per Latin character: "GDP" is 15 pt, "growth" 30 pt */
    ASSERT_EQ_STR(lines_of("GDP growth 6.5%", 40, 40), "GDP|growth|6.5%");
    ASSERT_EQ_STR(lines_of("增长GDP 6.5%", 40, 40), "增长GDP|6.5%");
}

TEST(numbers_keep_their_unit)
{
    /* "1104人" is 30 pt; the break goes before the number, not between 4 and 人 */
    ASSERT_EQ_STR(lines_of("毕业生1104人", 50, 50), "毕业生|1104人");
    /* and every unit after it: magnitudes, units, measure words (not just the first) */
    ASSERT_EQ_STR(lines_of("人均增收1万元", 60, 60), "人均增收|1万元");
    ASSERT_EQ_STR(lines_of("培训2396人次", 50, 50), "培训|2396人次");
    ASSERT_EQ_STR(lines_of("种植4.1万亩", 45, 45), "种植|4.1万亩");
    ASSERT_EQ_STR(lines_of("项目500多万元）", 70, 70), "项目|500多万元）");
    /* a word that is not a unit ends the run: the break after 元 stays */
    ASSERT_EQ_STR(lines_of("1万元资金投入", 40, 40), "1万元资|金投入");
}

TEST(no_ideograph_alone_on_the_last_line)
{
    /* the line before gives up its last character (clreq: no single character ends a
     * paragraph's lines), punctuation after the lone one included */
    ASSERT_EQ_STR(lines_of("一二三四五六七八九", 40, 40), "一二三四|五六七|八九");
    ASSERT_EQ_STR(lines_of("一二三四五六七八九。", 40, 40), "一二三四|五六七|八九。");
    ASSERT_EQ_STR(lines_of("近年三项目之一", 60, 60), "近年三项目|之一");
    /* two characters, a Latin word or a hard break before it: left as they are */
    ASSERT_EQ_STR(lines_of("一二三四五六七八九十", 40, 40), "一二三四|五六七八|九十");
    ASSERT_EQ_STR(lines_of("一二三四a", 40, 40), "一二三四|a");
    ASSERT_EQ_STR(lines_of("一二\n三", 40, 40), "一二|三");
    /* the line before would be left alone itself: no gain, no change */
    ASSERT_EQ_STR(lines_of("一二三", 20, 20), "一二|三");
}

/* clreq §3.1.7 and GB/T 15834: a number stays with its ordinal prefix, sign, range dash
 * and units (the mono measure: "—", "–", "%" and "‰" are 5 pt, "－", "～", "％",
 * "＋", "￥" and full-width digits 10 pt). */
TEST(numbers_keep_prefix_sign_and_more_units)
{
    /* 第 binds to the number after it */
    ASSERT_EQ_STR(lines_of("见报告第3页", 45, 45), "见报告|第3页");
    /* units past the fourth entry of the old table: a village, a yuan per person, points */
    ASSERT_EQ_STR(lines_of("覆盖10个村的农户", 40, 40), "覆盖|10个村的|农户");
    ASSERT_EQ_STR(lines_of("人均50元/人以上", 45, 45), "人均|50元/人|以上");
    ASSERT_EQ_STR(lines_of("提高3个百分点的", 55, 55), "提高|3个百分点的");
    /* full-width digits stay together and with their unit */
    ASSERT_EQ_STR(lines_of("共计１２３万元", 50, 50), "共计|１２３万元");
    ASSERT_EQ_STR(lines_of("约１．５万人", 50, 50), "约|１．５万人");
    /* signs: the full-width ones are ideographs to UAX #14 */
    ASSERT_EQ_STR(lines_of("同比下降－3.2%", 50, 50), "同比下降|－3.2%");
    ASSERT_EQ_STR(lines_of("增长＋12%", 30, 30), "增长|＋12%");
    ASSERT_EQ_STR(lines_of("同比下降-3.2%", 45, 45), "同比下|降-3.2%"); /* UAX #14: 降×- */
    ASSERT_EQ_STR(lines_of("增长+12%", 30, 30), "增长|+12%");
    ASSERT_EQ_STR(lines_of("单价￥500", 30, 30), "单价|￥500");
    /* percent and per mille signs, both widths */
    ASSERT_EQ_STR(lines_of("占比75%", 30, 30), "占比|75%");
    ASSERT_EQ_STR(lines_of("占比75％", 35, 35), "占比|75％");
    ASSERT_EQ_STR(lines_of("占比3.5‰", 35, 35), "占比|3.5‰");
}

/* Every unit of wrap.c's table (sorted for its bsearch) stays in a number's run of units:
 * "共计12个U的" breaks before the number, not between 个 and U. */
TEST(every_unit_continues_the_run)
{
    static const char units[] = "万个亩人亿件位余倍元克公册分千升台号名吨周场块处多天套家层岁平年度座张户所"
                                "批斤方日月期村条栋株次点班百种立米辆里间页项";
    for (const char *u = units; *u; u += 3) {
        char s[64], want[64];
        snprintf(s, sizeof s, "共计12个%.3s的", u);
        snprintf(want, sizeof want, "共计|12个%.3s的", u);
        const char *got = lines_of(s, 50, 50);
        if (strcmp(got, want) != 0) TEST_FAIL_("\"%s\": \"%s\", not \"%s\"", s, got, want);
    }
}

TEST(range_dash_stays_between_its_numbers)
{
    /* no break after the dash ... */
    ASSERT_EQ_STR(lines_of("时期为2018—2020年", 55, 55), "时期为|2018—2020年");
    ASSERT_EQ_STR(lines_of("时期为2018–2020年", 55, 55), "时期为|2018–2020年");
    ASSERT_EQ_STR(lines_of("时期为2018－2020年", 60, 60), "时期为|2018－2020年");
    ASSERT_EQ_STR(lines_of("时期为2018～2020年", 60, 60), "时期为|2018～2020年");
    ASSERT_EQ_STR(lines_of("时期为2018~2020年", 55, 55), "时期为|2018~2020年");
    ASSERT_EQ_STR(lines_of("时期为2018年—2020年", 65, 65), "时期为|2018年—2020年");
    /* ... nor before it */
    ASSERT_EQ_STR(lines_of("时期为2018—2020年", 52, 52), "时期为|2018—2020|年");
    ASSERT_EQ_STR(lines_of("时期为2018－2020年", 55, 55), "时期为|2018－2020|年");
    /* a dash not between numbers still breaks as GB/T 15834 lets it */
    ASSERT_EQ_STR(lines_of("北京—上海", 30, 30), "北京—|上海");
}

TEST(no_cjk_character_alone_before_a_hard_break)
{
    /* every hard break ends a paragraph: its last line gets company too */
    ASSERT_EQ_STR(lines_of("一二三四五六七八九\n十一", 40, 40), "一二三四|五六七|八九|十一");
    /* kana count as CJK characters; Latin letters do not */
    ASSERT_EQ_STR(lines_of("一二三四あ", 40, 40), "一二三|四あ");
    ASSERT_EQ_STR(lines_of("一二三四\xEF\xA4\x80", 40, 40), "一二三|四\xEF\xA4\x80"); /* U+F900 */
}

TEST(overlong_word_is_split)
{
    ASSERT_EQ_STR(lines_of("abcdefghij", 20, 20), "abcd|efgh|ij");
}

TEST(first_line_indent)
{
    /* an indent of two characters: the first line holds two fewer */
    ASSERT_EQ_STR(lines_of("一二三四五六七八", 20, 40), "一二|三四五六|七八");
}

TEST(hard_breaks_and_spaces)
{
    ASSERT_EQ_STR(lines_of("第一行\n第二行", 100, 100), "第一行|第二行");
    /* spaces at a break are dropped from both lines */
    ASSERT_EQ_STR(lines_of("aaaa   bbbb", 25, 25), "aaaa|bbbb");
}

TEST(line_widths_and_last_flag)
{
    const char *s = "对口支援，精准发力";
    cb_line *lines;
    size_t n = cb_break_lines(s, strlen(s), 50, 50, mono, NULL, &lines);
    ASSERT_EQ_INT(n, 2);
    ASSERT_NEAR(lines[0].width, 50, 0.01);
    ASSERT_EQ_INT(lines[0].last, 0);
    ASSERT_EQ_INT(lines[1].last, 1);
    free(lines);
}

TEST(empty_text)
{
    cb_line *lines;
    size_t n = cb_break_lines("", 0, 50, 50, mono, NULL, &lines);
    ASSERT_EQ_INT(n, 1);
    ASSERT_EQ_INT(lines[0].len, 0);
    free(lines);
}

TEST(every_line_fits)
{
    const char *s = "2020年，忠县将山东省、沈阳市援助的资金统筹用于基层公共卫生能力、贫困村产业发展、"
                    "农村饮水、教育、交通出行等工作（共20余个项目），other words here。";
    for (float w = 30; w <= 200; w += 7) {
        cb_line *lines;
        size_t n = cb_break_lines(s, strlen(s), w, w, mono, NULL, &lines);
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            ASSERT(lines[i].width <= w + 0.01f);
            const char *first = s + lines[i].start;
            ASSERT(strncmp(first, "，", 3) != 0 && strncmp(first, "、", 3) != 0 &&
                   strncmp(first, "）", 3) != 0 && strncmp(first, "。", 3) != 0);
            if (lines[i].len >= 3) ASSERT(strncmp(first + lines[i].len - 3, "（", 3) != 0);
            total += lines[i].len;
        }
        ASSERT(total <= strlen(s));
        ASSERT(total >= strlen(s) - 10); /* only the spaces at breaks are dropped */
        free(lines);
    }
}

TEST(characters_libunibreak_cannot_take)
{
    /* flag emoji (regional indicators) abort libunibreak 1.1; U+FFFF is its end mark */
    ASSERT_EQ_STR(lines_of("国旗\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3和", 100, 100),
                  "国旗\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3和");
    ASSERT_EQ_STR(lines_of("a\xEF\xBF\xBF" "b", 100, 100), "a\xEF\xBF\xBF" "b");
}

/* cb_linebreaks, the one way into libunibreak (check.c's widest word uses it too): any
 * bytes at all, the last one always a break */
TEST(linebreaks_entry_takes_any_text)
{
    static const char *const texts[] = {
        "\xF0\x9F\x87\xA6x",                                  /* a lone regional indicator */
        "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3",                    /* a flag */
        "\xF0\x9F\x87\xA6\xF0\x9F\x87\xA6\xF0\x9F\x87\xA6 \xF0\x9F\x87\xA6", /* odd runs */
        "\xF0\x9F\x98\x80\xF0\x90\x80\x80\xF3\xA0\x80\x81",     /* astral characters */
        "a\xEF\xBF\xBF\xEF\xBF\xBE" "b",                         /* U+FFFF, U+FFFE */
        "\xFF\xFE\xF0\x9F\x87\xC0\xED\xA0\x80\xC0\x80\x80z",       /* invalid UTF-8 */
        "\xF0\x9F\x87", "\xF0",                                 /* cut sequences */
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        char brks[64];
        memset(brks, 0x7F, sizeof brks);
        cb_linebreaks(texts[i], len, brks);
        ASSERT(brks[len - 1] == LINEBREAK_MUSTBREAK || brks[len - 1] == LINEBREAK_ALLOWBREAK);
        ASSERT(brks[len] == 0x7F); /* nothing written past len */
    }
}

TEST(text_carried_over_to_a_line_that_it_overflows)
{
    /* "人" overflows "a 123人" (24 pt): the break after the space leaves "123人", 25 pt,
     * still too wide, so it is split again */
    ASSERT_EQ_STR(lines_measured("a 123人", 24, 24, narrow_spaces), "a|123|人");
}

TEST(forced_split_backs_off_past_spaces)
{
    /* a split before "，" backs off to the space, which the next line would drop: it goes
     * on back to "d", which moves down with the comma */
    ASSERT_EQ_STR(lines_of("abcd ，效果", 30, 30), "abc|d ，|效果");
}

/* A run the tailoring keeps whole (a range, a number with its unit) that is wider than the
 * line breaks where the number allows, never inside it: after the range dash, then
 * between the units or after the number, keeping the most on the line. */
TEST(forced_split_keeps_numbers_whole)
{
    static const struct {
        const char *text;
        float width;
        const char *lines;
    } cases[] = {
        {"2017–2019年", 35, "2017–|2019年"},
        {"2017—2020年", 35, "2017—|2020年"},
        {"3～5天", 15, "3～|5天"},
        {"投资2000万元", 30, "投资|2000万|元"},
        {"2000万元", 25, "2000|万元"},
        {"12345678", 25, "12345|678"}, /* no other way */
        /* English legends: "2017–2019 Resettlement" in a narrow column */
        {"2017–2019 Resettlement", 40, "2017–|2019|Resettle|ment"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ASSERT_EQ_STR(lines_of(cases[i].text, cases[i].width, cases[i].width), cases[i].lines);
}

TEST(forced_split_keeps_opening_mark_down)
{
    /* "GDP（" has no break opportunity: the split goes before "（", not after it */
    ASSERT_EQ_STR(lines_of("GDP（国内生产总值）", 30, 30), "GDP|（国内|生产|总值）");
    /* nor does trimming the spaces after it leave it last */
    ASSERT_EQ_STR(lines_of("ab（ cd", 20, 20), "ab|（ c|d");
}

TEST(ideographic_space_does_not_hold_a_closing_mark)
{
    /* a break before U+3000 would drop it and start the next line with "！" */
    ASSERT_EQ_STR(lines_of("一二三四\xE3\x80\x80！", 42, 42), "一二|三四\xE3\x80\x80！");
    /* the same after a plain space, which UAX #14 allows before "：" */
    ASSERT_EQ_STR(lines_of("一二 ：三四", 30, 30), "一|二 ：|三四");
}

/* The prohibition lists as this test expects them, written out here (not read from
 * wrap.c) so that a mark dropped from or added to wrap.c's tables fails the test: clreq
 * §3.1.7 and GB/T 15834-2011, full and half width and the small form variants. */
static const char *const NO_START[] = {
    /* 点号: pause and stop marks */
    "、", "，", "。", "．", "：", "；", "？", "！", ",", ".", ":", ";", "?", "!",
    "﹐", "﹑", "﹒", "﹔", "﹕", "﹖", "﹗", "｡", "､", "‼", "⁇", "⁈", "⁉",
    /* closing quotes, brackets and title marks */
    "”", "’", "」", "』", "〞", "〟", "）", "］", "｝", "〕", "】", "〗", "〙", "〛", "｠",
    "》", "〉", ")", "]", "}", "﹚", "﹜", "﹞", "｣",
    /* interpunct, ellipsis, marks of the number before, iteration and sound marks */
    "·", "‧", "・", "･", "…", "‥", "%", "％", "‰", "°", "℃", "々", "〻", "ゝ", "ゞ", "ヽ", "ヾ",
    "ー",
};

static const char *const NO_END[] = {
    /* opening quotes, brackets and title marks */
    "“", "‘", "「", "『", "〝", "（", "［", "｛", "〔", "【", "〖", "〘", "〚", "｟", "《", "〈",
    "(", "[", "{", "﹙", "﹛", "﹝", "｢",
    /* currency signs, which belong to the number after them */
    "$", "＄", "¥", "￥", "£", "￡",
};

static uint32_t cp_of(const char *s)
{
    return cb_utf8_next(&s, s + strlen(s));
}

#define NMARKS(list) (sizeof list / sizeof list[0])

/* Each mark in turn where a line would start with it: "abcd" fills 20 pt and has no break
 * opportunity, so the split of "abcd”" falls before the mark and must back off: "abc|d”",
 * never "abcd|”". */
TEST(every_mark_that_may_not_start_a_line)
{
    int bad = 0;
    for (size_t i = 0; i < NMARKS(NO_START); i++) {
        char text[32], want[32];
        snprintf(text, sizeof text, "abcd%s", NO_START[i]);
        snprintf(want, sizeof want, "abc|d%s", NO_START[i]);
        const char *got = lines_of(text, 20, 20);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "%s: \"%s\", want \"%s\"\n", NO_START[i], got, want);
            bad++;
        }
    }
    ASSERT_EQ_INT(bad, 0);
}

/* Each mark in turn where a line would end with it: after an ASCII quote (no break before
 * or after one, UAX #14 LB19) the line "ab'“" is full and "c" overflows, so the split
 * before "c" must back off before the mark: "ab'|“c", never "ab'“|c". */
TEST(every_mark_that_may_not_end_a_line)
{
    int bad = 0;
    for (size_t i = 0; i < NMARKS(NO_END); i++) {
        char text[32], want[32];
        float w = 15 + mono(NULL, 0, cp_of(NO_END[i]), 0);
        snprintf(text, sizeof text, "ab'%sc", NO_END[i]);
        snprintf(want, sizeof want, "ab'|%sc", NO_END[i]);
        const char *got = lines_of(text, w, w);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "%s: \"%s\", want \"%s\"\n", NO_END[i], got, want);
            bad++;
        }
    }
    ASSERT_EQ_INT(bad, 0);
}

/* Checks that is_marked holds for exactly the n marks of list (distinct), over all of
 * Unicode; prints each difference and returns their number. */
static int table_is_list(int (*is_marked)(uint32_t), const char *what, const char *const *list, size_t n)
{
    int bad = 0;
    size_t marked = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_marked(cp_of(list[i]))) {
            fprintf(stderr, "%s: %s missing\n", what, list[i]);
            bad++;
        }
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) marked += is_marked(cp) != 0;
    if (marked != n - (size_t)bad) {
        fprintf(stderr, "%s: %zu marks, want %zu\n", what, marked, n - (size_t)bad);
        bad++;
    }
    return bad;
}

/* wrap.c's tables hold exactly these marks: none missing, none more. */
TEST(punctuation_tables)
{
    int bad = table_is_list(cb_no_line_start, "no line start", NO_START, NMARKS(NO_START)) +
              table_is_list(cb_no_line_end, "no line end", NO_END, NMARKS(NO_END));
    ASSERT_EQ_INT(bad, 0);
}

static const test_case tests[] = {
    TEST_ENTRY(cjk_breaks_between_characters),
    TEST_ENTRY(no_line_starts_with_closing_punctuation),
    TEST_ENTRY(no_line_ends_with_opening_punctuation),
    TEST_ENTRY(latin_words_and_numbers_stay_whole),
    TEST_ENTRY(numbers_keep_their_unit),
    TEST_ENTRY(no_ideograph_alone_on_the_last_line),
    TEST_ENTRY(numbers_keep_prefix_sign_and_more_units),
    TEST_ENTRY(every_unit_continues_the_run),
    TEST_ENTRY(range_dash_stays_between_its_numbers),
    TEST_ENTRY(no_cjk_character_alone_before_a_hard_break),
    TEST_ENTRY(overlong_word_is_split),
    TEST_ENTRY(first_line_indent),
    TEST_ENTRY(hard_breaks_and_spaces),
    TEST_ENTRY(line_widths_and_last_flag),
    TEST_ENTRY(empty_text),
    TEST_ENTRY(every_line_fits),
    TEST_ENTRY(characters_libunibreak_cannot_take),
    TEST_ENTRY(linebreaks_entry_takes_any_text),
    TEST_ENTRY(text_carried_over_to_a_line_that_it_overflows),
    TEST_ENTRY(forced_split_backs_off_past_spaces),
    TEST_ENTRY(forced_split_keeps_numbers_whole),
    TEST_ENTRY(forced_split_keeps_opening_mark_down),
    TEST_ENTRY(ideographic_space_does_not_hold_a_closing_mark),
    TEST_ENTRY(every_mark_that_may_not_start_a_line),
    TEST_ENTRY(every_mark_that_may_not_end_a_line),
    TEST_ENTRY(punctuation_tables),
    TEST_ENTRY(table_cells_break_between_words),
    {0},
};

TEST_MAIN(tests)
