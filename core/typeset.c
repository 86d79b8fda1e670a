/* typeset.c: see typeset.h. */
#include "typeset.h"

#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "util.h"
#include "wrap.h"

static const char *const PUNCT_NAMES[] = {"kaiming", "quanjiao", "banjiao"};

const char *cb_punct_name(cb_punct p) { return PUNCT_NAMES[p]; }

int cb_punct_parse(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, PUNCT_NAMES[i]) == 0) return i;
    return -1;
}

/* The full-width marks GB/T 15834-2011 names, by class, sorted by code point for bsearch
 * (clreq §3.1.6: opening and closing brackets and quotes, pause and stop marks). */
typedef struct mark {
    uint32_t cp;
    int cls;
} mark;

static const mark MARKS[CB_MARK_COUNT] = {
    {0x00B7, CB_MARK_MIDDLE} /* · */, {0x2014, CB_MARK_MIDDLE} /* — */,
    {0x2018, CB_MARK_OPENING} /* ‘ */,   {0x2019, CB_MARK_CLOSING} /* ’ */,
    {0x201C, CB_MARK_OPENING} /* “ */,   {0x201D, CB_MARK_CLOSING} /* ” */,
    {0x2026, CB_MARK_MIDDLE} /* … */, {0x3001, CB_MARK_PAUSE} /* 、 */,
    {0x3002, CB_MARK_STOP} /* 。 */,  {0x3008, CB_MARK_OPENING} /* 〈 */,
    {0x3009, CB_MARK_CLOSING} /* 〉 */, {0x300A, CB_MARK_OPENING} /* 《 */,
    {0x300B, CB_MARK_CLOSING} /* 》 */, {0x300C, CB_MARK_OPENING} /* 「 */,
    {0x300D, CB_MARK_CLOSING} /* 」 */, {0x300E, CB_MARK_OPENING} /* 『 */,
    {0x300F, CB_MARK_CLOSING} /* 』 */, {0x3010, CB_MARK_OPENING} /* 【 */,
    {0x3011, CB_MARK_CLOSING} /* 】 */, {0x3014, CB_MARK_OPENING} /* 〔 */,
    {0x3015, CB_MARK_CLOSING} /* 〕 */, {0x3016, CB_MARK_OPENING} /* 〖 */,
    {0x3017, CB_MARK_CLOSING} /* 〗 */, {0xFF01, CB_MARK_STOP} /* ！ */,
    {0xFF08, CB_MARK_OPENING} /* （ */,  {0xFF09, CB_MARK_CLOSING} /* ） */,
    {0xFF0C, CB_MARK_PAUSE} /* ， */, {0xFF1A, CB_MARK_PAUSE} /* ： */,
    {0xFF1B, CB_MARK_PAUSE} /* ； */, {0xFF1F, CB_MARK_STOP} /* ？ */,
    {0xFF3B, CB_MARK_OPENING} /* ［ */,  {0xFF3D, CB_MARK_CLOSING} /* ］ */,
    {0xFF5B, CB_MARK_OPENING} /* ｛ */,  {0xFF5D, CB_MARK_CLOSING} /* ｝ */,
};

int cb_mark_index(uint32_t cp)
{
    /* most characters are Han or ASCII: neither is a mark */
    if (cp < 0x00B7 || (cp >= 0x3400 && cp < 0xFF01) || cp > 0xFF5D || (cp > 0x00B7 && cp < 0x2014))
        return -1;
    size_t lo = 0, hi = CB_MARK_COUNT; /* binary search, inline: every character asks */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (MARKS[mid].cp < cp) lo = mid + 1;
        else hi = mid;
    }
    return lo < CB_MARK_COUNT && MARKS[lo].cp == cp ? (int)lo : -1;
}

int cb_mark_class(uint32_t cp)
{
    int i = cb_mark_index(cp);
    return i < 0 ? CB_MARK_OTHER : MARKS[i].cls;
}

/* The class of cp if its face lets it be compressed (its blank half where the class puts
 * it: left for an opening mark, right for the others), else CB_MARK_OTHER. */
static int squeezable(cb_font *f, uint32_t cp)
{
    int cls = cb_mark_class(cp);
    if (cls == CB_MARK_OTHER || cls == CB_MARK_MIDDLE) return CB_MARK_OTHER;
    int blank = cb_font_blank_half(f, cp);
    return blank == (cls == CB_MARK_OPENING ? CB_BLANK_LEFT : CB_BLANK_RIGHT) ? cls : CB_MARK_OTHER;
}

/* Whether a closing, pause or stop mark set before next (after prev, carried) keeps its
 * blank right half: under kaiming a stop mark does, and so does the last mark of a run
 * that a compressed stop mark began ("。”": the blank after the ”; "。”）": after the ）),
 * the mark before it compressed too; before an opening mark every one does (half an em
 * between "》（"); at a line's end, or before another such mark, none. */
static int keeps_right_blank(cb_font *f, cb_punct scheme, int cls, uint32_t prev, uint32_t next)
{
    if (!next) return 0;
    int after = squeezable(f, next);
    if (after == CB_MARK_OPENING) return 1;
    if (after != CB_MARK_OTHER || scheme == CB_PUNCT_BANJIAO) return 0;
    uint32_t stop = cb_carried_stop(prev);
    return cls == CB_MARK_STOP ||
           (stop && squeezable(f, stop) == CB_MARK_STOP && squeezable(f, cb_carried_char(prev)) != CB_MARK_OTHER);
}

static int is_digit(uint32_t cp) { return cp >= '0' && cp <= '9'; }

/* A Latin letter or a digit (ASCII, Latin-1 and Latin Extended-A/B letters). */
static int is_latin(uint32_t cp)
{
    if (cp < 0x80) return is_digit(cp) || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    return cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7;
}

/* The space after cp (after prev) before next, in ems: a quarter em between Han and
 * Latin, except between 第 and its number, between a number and its unit, and between a
 * unit and the number of a compound quantity or date ("2023年11月13日", "1万2千"). */
static float latin_gap(uint32_t prev, uint32_t cp, uint32_t next)
{
    if (is_latin(next)) {
        if (!cb_ideograph(cp) || (is_digit(next) && (cp == 0x7B2C /* 第 */ ||
                                                     (is_digit(prev) && cb_number_unit(cp)))))
            return 0;
        return 0.25f;
    }
    if (is_latin(cp) && cb_ideograph(next) && !(is_digit(cp) && cb_number_unit(next))) return 0.25f;
    return 0;
}

float cb_ts_advance(cb_font *f, uint32_t prev, uint32_t cp, uint32_t next, float *shift)
{
    float a = cb_font_advance(f, cp);
    if (shift) *shift = 0;
    if (cb_ts_plain(cp, next)) return a;
    const cb_typeset *ts = cb_font_typeset(f);
    uint32_t carried = prev;
    prev = cb_carried_char(prev);
    if (!ts) return a;
    int cls = ts->punct == CB_PUNCT_QUANJIAO ? CB_MARK_OTHER : squeezable(f, cp);
    if (cls == CB_MARK_OPENING) { /* its blank left half cut: drawn half an em to the left */
        if (shift) *shift = -a / 2;
        return a / 2;
    }
    if (cls != CB_MARK_OTHER) return keeps_right_blank(f, ts->punct, cls, carried, next) ? a : a / 2;
    return ts->cjk_latin && next ? a + latin_gap(prev, cp, next) : a;
}

float cb_ts_width(cb_font *f, const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    if (p == end) return 0;
    float w = 0;
    uint32_t prev = 0, cp = cb_utf8_step(&p, end);
    for (;;) {
        int last = p == end;
        uint32_t next = last ? 0 : cb_utf8_step(&p, end);
        w += cb_ts_advance(f, prev, cp, next, NULL);
        if (last) return w;
        prev = cb_advance_carry(prev, cp);
        cp = next;
    }
}
