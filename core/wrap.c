/* wrap.c: see wrap.h. */
#include "wrap.h"

#include <dlfcn.h>
#include <linebreak.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "util.h"

static pthread_once_t unibreak_once = PTHREAD_ONCE_INIT;
static void unibreak_init(void) { init_linebreak(); }

static int is_space(uint32_t cp) { return cp == ' ' || cp == '\t' || cp == 0x3000; }
static int is_newline(uint32_t cp) { return cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029; }

/* The punctuation prohibition rules (clreq §3.1.7 "Prohibition rules for line start and
 * line end", marks as GB/T 15834-2011 names them), in both widths and the small form
 * variants, sorted by code point for bsearch. Left out on purpose: the ASCII quotes " and
 * ', which open and close alike, and the dash —— and the en dash, which GB/T 15834 lets
 * start a line (but not between two numbers: keep_numbers_with_units). */

/* No line starts with: a pause or stop mark (点号 、，。：；！？ and ．), a closing quote,
 * bracket or title mark, the interpunct (间隔号 · ‧ ・), the ellipsis (… ‥, clreq's
 * strict rule), the marks that belong to the number before them (% ‰ ° ℃), and the
 * Japanese iteration and prolonged sound marks (jlreq: 々 〻 ゝ ゞ ヽ ヾ ー). */
static const uint32_t NO_START[] = {
    '!', '%', ')', ',', '.', ':', ';', '?', ']', '}',
    0x00B0 /* ° */, 0x00B7 /* · */, 0x2019 /* ’ */, 0x201D /* ” */, 0x2025 /* ‥ */,
    0x2026 /* … */, 0x2027 /* ‧ */, 0x2030 /* ‰ */, 0x203C /* ‼ */, 0x2047 /* ⁇ */,
    0x2048 /* ⁈ */, 0x2049 /* ⁉ */, 0x2103 /* ℃ */, 0x3001 /* 、 */, 0x3002 /* 。 */,
    0x3005 /* 々 */, 0x3009 /* 〉 */, 0x300B /* 》 */, 0x300D /* 」 */, 0x300F /* 』 */,
    0x3011 /* 】 */, 0x3015 /* 〕 */, 0x3017 /* 〗 */, 0x3019 /* 〙 */, 0x301B /* 〛 */,
    0x301E /* 〞 */, 0x301F /* 〟 */, 0x303B /* 〻 */, 0x309D /* ゝ */, 0x309E /* ゞ */,
    0x30FB /* ・ */, 0x30FC /* ー */, 0x30FD /* ヽ */, 0x30FE /* ヾ */, 0xFE50 /* ﹐ */,
    0xFE51 /* ﹑ */, 0xFE52 /* ﹒ */, 0xFE54 /* ﹔ */, 0xFE55 /* ﹕ */, 0xFE56 /* ﹖ */,
    0xFE57 /* ﹗ */, 0xFE5A /* ﹚ */, 0xFE5C /* ﹜ */, 0xFE5E /* ﹞ */, 0xFF01 /* ！ */,
    0xFF05 /* ％ */, 0xFF09 /* ） */, 0xFF0C /* ， */, 0xFF0E /* ． */, 0xFF1A /* ： */,
    0xFF1B /* ； */, 0xFF1F /* ？ */, 0xFF3D /* ］ */, 0xFF5D /* ｝ */, 0xFF60 /* ｠ */,
    0xFF61 /* ｡ */, 0xFF63 /* ｣ */, 0xFF64 /* ､ */, 0xFF65 /* ･ */,
};

/* No line ends with: an opening quote, bracket or title mark, or a currency sign that
 * belongs to the number after it. */
static const uint32_t NO_END[] = {
    '$', '(', '[', '{',
    0x00A3 /* £ */, 0x00A5 /* ¥ */, 0x2018 /* ‘ */, 0x201C /* “ */, 0x3008 /* 〈 */,
    0x300A /* 《 */, 0x300C /* 「 */, 0x300E /* 『 */, 0x3010 /* 【 */, 0x3014 /* 〔 */,
    0x3016 /* 〖 */, 0x3018 /* 〘 */, 0x301A /* 〚 */, 0x301D /* 〝 */, 0xFE59 /* ﹙ */,
    0xFE5B /* ﹛ */, 0xFE5D /* ﹝ */, 0xFF04 /* ＄ */, 0xFF08 /* （ */, 0xFF3B /* ［ */,
    0xFF5B /* ｛ */, 0xFF5F /* ｟ */, 0xFF62 /* ｢ */, 0xFFE1 /* ￡ */, 0xFFE5 /* ￥ */,
};

static int cmp_cp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int in_sorted(const uint32_t *list, size_t n, uint32_t cp)
{
    return bsearch(&cp, list, n, sizeof *list, cmp_cp) != NULL;
}

int cb_no_line_start(uint32_t cp) { return in_sorted(NO_START, sizeof NO_START / sizeof *NO_START, cp); }
int cb_no_line_end(uint32_t cp) { return in_sorted(NO_END, sizeof NO_END / sizeof *NO_END, cp); }

static const uint32_t STOPS[] = {0, 0x3002 /* 。 */, 0xFF01 /* ！ */, 0xFF1F /* ？ */};

uint32_t cb_advance_carry_mark(uint32_t prev, uint32_t cp)
{
    for (uint32_t k = 1; k < 4; k++)
        if (STOPS[k] == cp) return cp | k << CB_CARRY_BITS;
    /* Han, ASCII letters and digits: no run goes on through them */
    if ((cp >= 0x3400 && cp < 0xFE50) || cp - '0' < 10 || (cp | 0x20) - 'a' < 26) return cp;
    return cb_no_line_start(cp) ? cp | (prev >> CB_CARRY_BITS << CB_CARRY_BITS) : cp;
}

uint32_t cb_carried_stop(uint32_t prev)
{
    uint32_t k = prev >> CB_CARRY_BITS & 3;
    if (!k) k = cb_advance_carry_mark(0, prev) >> CB_CARRY_BITS; /* a stop mark not carried */
    return STOPS[k];
}

/* Start of the character before byte offset pos (pos > 0). */
static size_t prev_char(const char *text, size_t pos)
{
    do pos--;
    while (pos > 0 && ((unsigned char)text[pos] & 0xC0) == 0x80);
    return pos;
}

/* Code point at byte offset pos, 0 at the end. */
static uint32_t char_at(const char *text, size_t pos, const char *end)
{
    const char *p = text + pos;
    return p < end ? cb_utf8_next(&p, end) : 0;
}

/* First byte at or after pos that is not a space: where a line starting at pos begins. */
static size_t skip_spaces(const char *text, size_t pos, const char *end)
{
    const char *p = text + pos;
    while (p < end) {
        const char *q = p;
        if (!is_space(cb_utf8_next(&q, end))) break;
        p = q;
    }
    return (size_t)(p - text);
}

/* Last character of text[start..pos) that is not a space (a line ending at pos, trimmed),
 * 0 if none. */
static uint32_t last_kept(const char *text, size_t start, size_t pos, const char *end)
{
    while (pos > start) {
        pos = prev_char(text, pos);
        uint32_t cp = char_at(text, pos, end);
        if (!is_space(cp)) return cp;
    }
    return 0;
}

/* 1 if a break at cut would start the next line with a closing mark (once its leading
 * spaces are dropped, so U+3000 cannot hold one up) or end this line with an opening mark
 * (once its trailing spaces are trimmed). */
static int bad_break(const char *text, size_t start, size_t cut, const char *end)
{
    return cb_no_line_start(char_at(text, skip_spaces(text, cut, end), end)) ||
           cb_no_line_end(last_kept(text, start, cut, end));
}

/* A break keep_numbers_with_units takes away, taken back when a run is wider than the line
 * (forced_cut): after a range dash between two numbers ("2017–|2019"), between a number
 * and its unit or the ideograph after it, between two units ("2000万|元"). A value
 * libunibreak never writes. */
#define KEEP_SOFT 5

/* A split where a run has no break opportunity: at the last break the tailoring kept
 * softly (KEEP_SOFT) before the overflowing character at pos, so that a number is not cut
 * inside ("2017–|2019", not "2017–201|9"); else before pos, moved back past punctuation
 * that must stay with its neighbour, but keeping at least one character on the line. */
static size_t forced_cut(const char *text, const char *brks, size_t start, size_t pos, const char *end)
{
    /* a soft break lies between a digit or a dash and a digit, unit or ideograph: never
     * one the punctuation rules forbid */
    for (size_t c = pos; c > start; c = prev_char(text, c))
        if (brks[c - 1] == KEEP_SOFT) return c;
    size_t cut = pos;
    while (bad_break(text, start, cut, end) && prev_char(text, cut) > start)
        cut = prev_char(text, cut);
    return cut;
}

/* Width of text[from..to) (to > from) as set before `after` (0: the line ends at to), its
 * first character starting the line; *carried (may be NULL) gets the prev `after` is set
 * after (cb_advance_carry). */
static float width_of(const char *text, size_t from, size_t to, uint32_t after, const char *end,
                      cb_advance_fn advance, void *ud, uint32_t *carried)
{
    const char *s = text + from, *stop = text + to;
    float w = 0;
    uint32_t prev = 0, cp = cb_utf8_step(&s, end);
    for (;;) {
        int last = s >= stop;
        uint32_t next = last ? after : cb_utf8_step(&s, end);
        w += advance(ud, prev, cp, next);
        prev = cb_advance_carry(prev, cp);
        if (last) break;
        cp = next;
    }
    if (carried) *carried = prev;
    return w;
}

static int is_ideograph(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F);
}

/* A character that may not stand alone on a paragraph's last line: an ideograph or kana
 * (Hangul, set in words between spaces, may). */
static int is_cjk(uint32_t cp) { return is_ideograph(cp) || (cp >= 0x3041 && cp <= 0x30FF); }

/* ASCII and full-width digits (UAX #14 gives the full-width ones class ID: "１|２"). */
static int is_digit(uint32_t cp) { return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19); }

/* Measure words, magnitudes and units that may follow a number, sorted by code point
 * for bsearch: "500多万元", "2396人次", "4.1万亩", "557平方米", "3个百分点" keep them
 * all ("人均增收1万|元" is the break to avoid). The first after the number needs no
 * entry: any ideograph stays with the digit before it. */
static const uint32_t UNITS[] = {
    0x4E07 /* 万 */, 0x4E2A /* 个 */, 0x4EA9 /* 亩 */, 0x4EBA /* 人 */, 0x4EBF /* 亿 */,
    0x4EF6 /* 件 */, 0x4F4D /* 位 */, 0x4F59 /* 余 */, 0x500D /* 倍 */, 0x5143 /* 元 */,
    0x514B /* 克 */, 0x516C /* 公 */, 0x518C /* 册 */, 0x5206 /* 分 */, 0x5343 /* 千 */,
    0x5347 /* 升 */, 0x53F0 /* 台 */, 0x53F7 /* 号 */, 0x540D /* 名 */, 0x5428 /* 吨 */,
    0x5468 /* 周 */, 0x573A /* 场 */, 0x5757 /* 块 */, 0x5904 /* 处 */, 0x591A /* 多 */,
    0x5929 /* 天 */, 0x5957 /* 套 */, 0x5BB6 /* 家 */, 0x5C42 /* 层 */, 0x5C81 /* 岁 */,
    0x5E73 /* 平 */, 0x5E74 /* 年 */, 0x5EA6 /* 度 */, 0x5EA7 /* 座 */, 0x5F20 /* 张 */,
    0x6237 /* 户 */, 0x6240 /* 所 */, 0x6279 /* 批 */, 0x65A4 /* 斤 */, 0x65B9 /* 方 */,
    0x65E5 /* 日 */, 0x6708 /* 月 */, 0x671F /* 期 */, 0x6751 /* 村 */, 0x6761 /* 条 */,
    0x680B /* 栋 */, 0x682A /* 株 */, 0x6B21 /* 次 */, 0x70B9 /* 点 */, 0x73ED /* 班 */,
    0x767E /* 百 */, 0x79CD /* 种 */, 0x7ACB /* 立 */, 0x7C73 /* 米 */, 0x8F86 /* 辆 */,
    0x91CC /* 里 */, 0x95F4 /* 间 */, 0x9875 /* 页 */, 0x9879 /* 项 */,
};

static int is_unit(uint32_t cp) { return in_sorted(UNITS, sizeof UNITS / sizeof *UNITS, cp); }

int cb_ideograph(uint32_t cp) { return is_ideograph(cp); }
int cb_number_unit(uint32_t cp) { return is_unit(cp); }

/* A dash that joins two numbers into a range ("2018—2020年", "3～5天"; GB/T 15834
 * 连接号 and the wave dash): the hyphen and minus, the figure, en, em and horizontal
 * bar dashes, the wave dashes and their full-width and small forms. Sorted. */
static const uint32_t RANGE_DASHES[] = {
    '-', '~', 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0x301C, 0xFE58, 0xFF0D, 0xFF5E,
};

/* A sign that belongs to the number after it ("-3.2%", "+12%", "￥500", "±0.5"). Sorted. */
static const uint32_t SIGNS[] = {
    '$', '+', '-', 0x00A3 /* £ */, 0x00A5 /* ¥ */, 0x00B1 /* ± */, 0x20AC /* € */,
    0x2212 /* − */, 0xFF04 /* ＄ */, 0xFF0B /* ＋ */, 0xFF0D /* － */, 0xFFE5 /* ￥ */,
};

#define IN_SET(list, cp) in_sorted(list, sizeof list / sizeof *list, cp)

/* Tailoring on top of UAX #14, as Chinese typesetting expects (clreq §3.1.7, GB/T 15834
 * 4.13 on 连接号), where UAX #14 alone allows a break: a number keeps its measure word or
 * unit ("1104人", "4.05亿元", up to four more from UNITS after the first, "元/人" counted
 * as one), its ordinal prefix 第 ("第3页"), its sign ("－3.2%", "＋12%") and, between two
 * numbers, a range dash on both sides ("2018—2020年", "2018年—2020年"); full-width digits
 * stay together as ASCII ones do. UAX #14 already keeps % ‰ and ASCII signs. */
static void keep_numbers_with_units(const char *text, size_t len, char *brks)
{
    const char *end = text + len, *p = text, *q = text;
    uint32_t prev = 0, cp = cb_utf8_next(&q, end); /* cp: the character at p, ending at q */
    int chain = -1;  /* unit characters since the last digit; -1: not after a number */
    int joined = 0;  /* the break before cp is kept: it follows a range dash (2) or a sign (1) */
    while (p < end) {
        const char *r = q;
        uint32_t next = r < end ? cb_utf8_next(&r, end) : 0;
        /* the cheap tests first: most characters are not near a number */
        /* not covered: chain reaching 5 (five unit characters after a number) and a '/' after a
         * unit followed by no unit ("5元/" then other text): no test text has either; nor, below, a
         * full-width stop after a digit and before none ("5．" ending a sentence) */
        int unit = chain >= 1 && chain < 5 && (is_unit(cp) || (cp == '/' && is_unit(next)));
        int dash = is_digit(next) && (is_digit(prev) || chain >= 1) && IN_SET(RANGE_DASHES, cp);
        /* soft: a break a run wider than its line may still take (KEEP_SOFT) */
        int soft = joined == 2 || unit || (is_digit(prev) && (is_unit(cp) || is_ideograph(cp)));
        int keep = joined || dash || unit || (prev == 0x7B2C /* 第 */ && is_digit(cp)) ||
                   (is_digit(prev) && (is_ideograph(cp) || is_digit(cp) ||
                                       (cp == 0xFF0E /* ． */ && is_digit(next))));
        /* not covered: the break test's false side (UAX #14 allows every digit-ideograph
         * break, LB31; the test keeps a hard break one should a table ever give it) */
        if (p > text && keep && brks[p - text - 1] == LINEBREAK_ALLOWBREAK)
            brks[p - text - 1] = soft ? KEEP_SOFT : LINEBREAK_NOBREAK;
        joined = dash ? 2 : (is_digit(next) && IN_SET(SIGNS, cp)) || (cp == 0xFF0E && keep);
        chain = is_digit(cp) ? 0 : unit || (chain == 0 && is_unit(cp)) ? chain + 1 : -1;
        prev = cp;
        cp = next;
        p = q;
        q = r;
    }
}

typedef struct line_list {
    cb_line *v;
    size_t n, cap;
} line_list;

/* Emits text[start..end) as a line, trimming trailing spaces and line ends, measured as a
 * line: its last character before none. */
static void emit(line_list *ll, const char *text, size_t start, size_t end, int last,
                 cb_advance_fn advance, void *ud)
{
    const char *p = text + start, *e = text + end, *trim_end = p;
    float w = 0, w_trim = 0;  /* the width so far; up to trim_end */
    float w_kept = 0;         /* the width before the last character kept */
    uint32_t prev = 0, kept_prev = 0, kept = 0;
    int more = p < e, any = 0;
    uint32_t cp = more ? cb_utf8_step(&p, e) : 0;
    while (more && !is_newline(cp)) {
        const char *at = p;
        more = p < e;
        uint32_t next = more ? cb_utf8_step(&p, e) : 0;
        if (!is_space(cp)) {
            w_kept = w;
            kept_prev = prev;
            kept = cp;
            trim_end = at;
            any = 1;
        }
        w += advance(ud, prev, cp, next);
        prev = cb_advance_carry(prev, cp);
        cp = next;
    }
    if (any) w_trim = w_kept + advance(ud, kept_prev, kept, 0);
    if (ll->n == ll->cap) {
        ll->cap = ll->cap ? ll->cap * 2 : 16;
        ll->v = cb_xrealloc(ll->v, ll->cap * sizeof *ll->v);
    }
    ll->v[ll->n++] = (cb_line){start, (size_t)(trim_end - (text + start)), w_trim, last};
}

/* libunibreak 1.1 (Debian 12) aborts on regional indicators (flag emoji, U+1F1E6..1F1FF),
 * a class its pair table lacks, and treats U+FFFF as its end-of-text mark. Returns a copy of
 * text with those replaced by characters of the same UTF-8 length and a class it knows
 * (U+1F600, U+FFFD), or NULL when there is nothing to replace. */
static char *unibreak_safe_copy(const char *text, size_t len)
{
    char *copy = NULL;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *q = p;
        uint32_t cp = cb_utf8_next(&q, end);
        const char *with = NULL;
        /* not covered: the length tests' false sides (a decoded regional indicator is
         * always 4 bytes, U+FFFF and U+FFFE 3; they make the same-length copy plain) */
        if (cp >= 0x1F1E6 && cp <= 0x1F1FF && q - p == 4) with = "\xF0\x9F\x98\x80";
        else if ((cp == 0xFFFF || cp == 0xFFFE) && q - p == 3) with = "\xEF\xBF\xBD";
        else if (cp == 0xFFFD && q - p == 1) with = "?"; /* invalid UTF-8: libunibreak's own
                                                          * decoder may read it as one of the above */
        if (with) {
            if (!copy) copy = cb_xstrndup(text, len);
            memcpy(copy + (p - text), with, (size_t)(q - p));
        }
        p = q;
    }
    return copy;
}

void cb_linebreaks(const char *text, size_t len, char *brks)
{
    if (!len) return;
    pthread_once(&unibreak_once, unibreak_init);
    char *safe = unibreak_safe_copy(text, len);
    set_linebreaks_utf8((const utf8_t *)(safe ? safe : text), len, "zh", brks);
    free(safe);
}

/* 1 when text[start..end) holds a single CJK character and nothing else but spaces, line
 * ends and the marks no line may start with ("一", "县。"). */
static int lonely(const char *text, size_t start, const char *end)
{
    const char *p = text + start;
    int chars = 0;
    while (p < end) {
        uint32_t cp = cb_utf8_next(&p, end);
        if (is_space(cp) || is_newline(cp) || cb_no_line_start(cp)) continue;
        if (!is_cjk(cp) || ++chars > 1) return 0;
    }
    return chars == 1;
}

/* Called before the last line of a paragraph, text[start..stop) up to the text's end or a
 * hard break, is emitted: when it holds one CJK character alone (clreq: a paragraph
 * should not end so), the line before gives it its last break's worth if both still fit
 * and the line before keeps more than one character itself; with `word`, only at a break
 * between words (a word moves down whole). Returns where the last line starts. */
static size_t keep_company(line_list *ll, const char *text, size_t start, size_t stop, const char *brks,
                           const unsigned char *word, float width, cb_advance_fn advance, void *ud)
{
    const char *end = text + stop;
    if (!ll->n || ll->v[ll->n - 1].last || !lonely(text, start, end)) return start;
    size_t prev = ll->v[ll->n - 1].start, drawn = stop; /* drawn: without the line end */
    /* not covered: drawn reaching start (the last line holds its lonely character: lonely() above) */
    while (drawn > start && is_newline(char_at(text, prev_char(text, drawn), end)))
        drawn = prev_char(text, drawn);
    for (size_t c = start - 1; c > prev; c--) {
        /* not covered: bad_break refusing a break libunibreak allows here (a closing mark after
         * U+3000, say), and below the moved text too wide for the last line: no test text has
         * either */
        if (brks[c - 1] != LINEBREAK_ALLOWBREAK || bad_break(text, prev, c, end) || (word && !word[c])) continue;
        size_t rest = skip_spaces(text, c, end);
        if (width_of(text, rest, drawn, 0, end, advance, ud, NULL) > width || lonely(text, prev, text + c)) break;
        ll->n--;
        emit(ll, text, prev, c, 0, advance, ud);
        return rest;
    }
    return start;
}

/* ICU's word break iterator (dictionary-based for Chinese), opened once and shared under
 * a lock: opening one loads its rules and dictionaries, far dearer than a text. Kept for
 * the process's life (reachable: no leak).
 *
 * ICU is loaded when a cell first needs it (dlopen), not linked: linking it (and the C++
 * runtime it brings) cost every process 3.6 million instructions at start, whether or not a
 * table ever asks (`countybrief --version`: 3.4 → 7.1 million). Its headers name each
 * function with the version's suffix (unicode/urename.h: ubrk_open is ubrk_open_72), so the
 * names looked up are those of the ICU the build was made against. */
static pthread_mutex_t words_lock = PTHREAD_MUTEX_INITIALIZER;
static UBreakIterator *words_iter;
static int words_failed;

#define CB_ICU_STR2(x) #x
#define CB_ICU_STR(x) CB_ICU_STR2(x)
static struct {
    UBreakIterator *(*open)(UBreakIteratorType, const char *, const UChar *, int32_t, UErrorCode *);
    UText *(*text_open)(UText *, const char *, int64_t, UErrorCode *);
    void (*set_utext)(UBreakIterator *, UText *, UErrorCode *);
    void (*set_text)(UBreakIterator *, const UChar *, int32_t, UErrorCode *);
    int32_t (*first)(UBreakIterator *);
    int32_t (*next)(UBreakIterator *);
    UText *(*text_close)(UText *);
} icu;

/* Loads what word_bounds calls from ICU's common library; 0 when it cannot be had (then
 * every break is a word's, as before ICU was asked). Under words_lock. */
static int icu_load(void)
{
    void *h = dlopen("libicuuc.so." CB_ICU_STR(U_ICU_VERSION_MAJOR_NUM), RTLD_NOW | RTLD_LOCAL);
    /* not covered: ICU missing or incomplete, here and in word_bounds (dlopen, dlsym or ubrk_open
     * failing; the tests run with Debian's libicu installed, as .ci/install-deps does) */
    if (!h) return 0;
#define CB_ICU_SYM(field, name) (*(void **)&icu.field = dlsym(h, CB_ICU_STR(name)))
    if (CB_ICU_SYM(open, ubrk_open) && CB_ICU_SYM(text_open, utext_openUTF8) && CB_ICU_SYM(set_utext, ubrk_setUText) &&
        CB_ICU_SYM(set_text, ubrk_setText) && CB_ICU_SYM(first, ubrk_first) && CB_ICU_SYM(next, ubrk_next) &&
        CB_ICU_SYM(text_close, utext_close))
        return 1;
#undef CB_ICU_SYM
    dlclose(h);
    return 0;
}

/* Sets word[i] to 1 for each byte offset i of text[0..len] where a word starts or ends,
 * as ICU finds them; all 1 (every break a word's) when ICU cannot say. */
static void word_bounds(const char *text, size_t len, unsigned char *word)
{
    UErrorCode st = U_ZERO_ERROR;
    pthread_mutex_lock(&words_lock);
    if (!words_iter && !words_failed) {
        words_iter = icu_load() ? icu.open(UBRK_WORD, "zh", NULL, 0, &st) : NULL;
        if (!words_iter || U_FAILURE(st)) words_iter = NULL, words_failed = 1;
    }
    UText *ut = NULL;
    /* not covered: ICU failed (see icu_load), a text over 2 GiB, utext_openUTF8 or setting the text
     * failing, a break outside the text: none reachable with ICU installed and a cell's text */
    if (words_iter && len <= INT32_MAX) {
        st = U_ZERO_ERROR;
        ut = icu.text_open(NULL, text, (int64_t)len, &st);
        if (U_SUCCESS(st)) icu.set_utext(words_iter, ut, &st);
    }
    if (!ut || U_FAILURE(st)) {
        memset(word, 1, len + 1);
    } else {
        memset(word, 0, len + 1);
        for (int32_t b = icu.first(words_iter); b != UBRK_DONE; b = icu.next(words_iter))
            if (b >= 0 && (size_t)b <= len) word[b] = 1; /* a UTF-8 text's indices are its bytes' */
    }
    if (ut) {
        st = U_ZERO_ERROR;
        icu.set_text(words_iter, NULL, 0, &st); /* the text is the caller's */
        icu.text_close(ut);
    }
    pthread_mutex_unlock(&words_lock);
}

/* The pause marks between a list's items or clauses (、，；： in both widths). */
static int is_pause(uint32_t cp)
{
    return cp == 0x3001 || cp == 0xFF0C || cp == 0xFF1B || cp == 0xFF1A || cp == ',' || cp == ';' || cp == ':';
}

float cb_widest_run(const char *text, size_t len, cb_advance_fn advance, void *ud, int words, size_t *ws,
                    size_t *wl)
{
    size_t at = 0, at_len = 0;
    float best = 0;
    if (len) {
        char *brks = cb_xmalloc(len);
        unsigned char *word = NULL;
        const char *end = text + len;
        cb_linebreaks(text, len, brks);
        keep_numbers_with_units(text, len, brks);
        size_t start = skip_spaces(text, 0, end);
        for (size_t i = 0; i < len; i++) {
            size_t next = i + 1;
            if (next < len && brks[i] != LINEBREAK_MUSTBREAK) {
                /* not covered: bad_break refusing a break libunibreak allows (as in keep_company):
                 * no test text has one */
                if (brks[i] != LINEBREAK_ALLOWBREAK || bad_break(text, start, next, end)) continue;
                /* with words, a break between two ideographs is taken between words only
                 * (as cb_break_lines_words takes it while the line is half full) */
                if (words && cb_ideograph(char_at(text, next, end)) &&
                    cb_ideograph(last_kept(text, start, next, end))) {
                    if (!word) word_bounds(text, len, word = cb_xmalloc(len + 1));
                    if (!word[next]) continue;
                }
            }
            size_t stop = next; /* the run text[start..stop), without its spaces and line end */
            while (stop > start && (is_space(char_at(text, prev_char(text, stop), end)) ||
                                    is_newline(char_at(text, prev_char(text, stop), end))))
                stop = prev_char(text, stop);
            float w = stop > start ? width_of(text, start, stop, 0, end, advance, ud, NULL) : 0;
            if (w > best) best = w, at = start, at_len = stop - start;
            start = skip_spaces(text, next, end);
            /* not covered: start not past i (skip_spaces from next never returns less than next, i
             * + 1) */
            if (start > i) i = start - 1;
        }
        free(word);
        free(brks);
    }
    if (ws) *ws = at;
    if (wl) *wl = at_len;
    return best;
}

size_t cb_break_lines(const char *text, size_t len, float first_width, float width,
                      cb_advance_fn advance, void *ud, cb_line **lines)
{
    return cb_break_lines_words(text, len, first_width, width, advance, ud, 0, lines);
}

size_t cb_break_lines_words(const char *text, size_t len, float first_width, float width,
                            cb_advance_fn advance, void *ud, int words, cb_line **lines)
{
    if (words) { /* most cells take one line: no words to look for (ICU is the dear part) */
        size_t n = cb_break_lines_words(text, len, first_width, width, advance, ud, 0, lines);
        if (n <= 1) return n;
        free(*lines);
    }
    line_list ll = {0};
    char *brks = cb_xmalloc(len ? len : 1);
    /* words: where words start or end (word_bounds), found when a cut first needs them */
    unsigned char *word = NULL;
    if (len) {
        cb_linebreaks(text, len, brks);
        keep_numbers_with_units(text, len, brks);
    }
    /* words: the last usable break after start between two words, and after a pause
     * mark (、，；: between the items of a list or clauses, names the dictionary may not
     * know: 山东省、潍坊市), and the width of the line up to each */
    size_t pbrk = 0;
    int paused = 0; /* the text so far ends in a pause mark (and spaces) */
    float pbrk_w = 0;

    size_t brk = 0;   /* last usable break opportunity after start (0 = none) */
    float w = 0;      /* width of text[start..pos) */
    float avail = first_width;
    const char *end = text + len;
    size_t start = skip_spaces(text, 0, end); /* current line's first byte */
    const char *p = text + start, *q = p;
    uint32_t cp = p < end ? cb_utf8_step(&q, end) : 0;
    uint32_t before = 0; /* the character before cp on its line, 0 at the line's start */
    while (p < end) {
        const char *r = q;
        uint32_t after = q < end ? cb_utf8_step(&r, end) : 0;
        size_t pos = (size_t)(p - text), next = (size_t)(q - text);
        /* cp's advance depends on its neighbours (typeset.h): w holds text[start..pos) set
         * before cp, and cp fits if the line can end after it, where it takes at most a */
        float a = is_newline(cp) ? 0 : advance(ud, before, cp, after);
        /* a loop: the text carried over to a new line may not fit it either */
        while (!is_space(cp) && !is_newline(cp) && w + a > avail && w + advance(ud, before, cp, 0) > avail &&
               pos > start) {
            size_t cut = brk > start ? brk : forced_cut(text, brks, start, pos, end);
            /* words: a break between words rather than inside one ("沈阳市", not "沈|阳市"),
             * unless it leaves the line less than half full */
            if (words && pbrk > start && pbrk < cut && pbrk_w >= avail / 2) {
                cut = pbrk;
            } else if (words && cut == brk && cut > start && cb_ideograph(char_at(text, cut, end)) &&
                       cb_ideograph(last_kept(text, start, cut, end))) { /* maybe inside a word */
                /* not covered: cut == brk with cut not past start (brk counts only past start,
                 * and forced_cut keeps a character on the line); below, bad_break refusing a break
                 * libunibreak allows, and the last word break inside the line's first half (the
                 * line would be left less than half full): no test text has either */
                if (!word) word_bounds(text, len, word = cb_xmalloc(len + 1));
                size_t c = cut;
                while (c > start && !word[c]) /* the last break between words */
                    do c = prev_char(text, c);
                    while (c > start && (brks[c - 1] != LINEBREAK_ALLOWBREAK || bad_break(text, start, c, end)));
                if (c > start && c < cut && width_of(text, start, c, 0, end, advance, ud, NULL) >= avail / 2) cut = c;
            }
            emit(&ll, text, start, cut, 0, advance, ud);
            avail = width;
            start = skip_spaces(text, cut, end); /* dropped at a soft break */
            brk = pbrk = 0;
            before = 0;
            w = pos > start ? width_of(text, start, pos, cp, end, advance, ud, &before) : 0;
            a = advance(ud, before, cp, after);
        }
        w += a;
        before = cb_advance_carry(before, cp);
        paused = is_pause(cp) || (paused && is_space(cp)); /* "山东省, " breaks after its space */
        char b = brks[next - 1];
        if (b == LINEBREAK_MUSTBREAK && next < len) { /* a hard break ends a paragraph too */
            start = keep_company(&ll, text, start, next, brks, word, width, advance, ud);
            emit(&ll, text, start, next, 1, advance, ud);
            avail = width;
            start = next;
            brk = pbrk = 0;
            w = 0;
            before = 0;
        } else if (b == LINEBREAK_ALLOWBREAK && !bad_break(text, start, next, end)) {
            brk = next;
            if (words && paused) pbrk = next, pbrk_w = w;
        }
        p = q;
        q = r;
        cp = after;
    }
    /* the rest is the last line: start < len, since a line ends only before a character
     * that follows it (a hard break at the very end ends none); empty or all-space text
     * is one empty line */
    start = keep_company(&ll, text, start, len, brks, word, width, advance, ud);
    emit(&ll, text, start, len, 1, advance, ud);
    free(brks);
    free(word);
    *lines = ll.v;
    return ll.n;
}
