/*
 * fuzz_wrap: cb_break_lines (core/wrap.c) on arbitrary text, widths and advances.
 *
 * Input: [flags][width][first width][ascii][cjk][space][other] then the text. Flag bit 0
 * maps every text byte through fz_alphabet (valid UTF-8 made of the characters the breaker
 * treats specially); otherwise the bytes are used as they are (invalid UTF-8 included, as
 * a Lua report can pass it: ("县城"):sub(1, 4) ends inside a character). Flag bit 1 lets
 * the first line be wider than the others (a hanging indent, which a template's negative
 * `indent` produces).
 *
 * Checked, as wrap.h states them (names for CB_FUZZ_IGNORE in brackets):
 *  [order]     lines are in text order, within the text, and do not overlap;
 *  [coverage]  no character is lost: every byte outside the lines is a space or a line end;
 *  [content]   no line holds a line end; none begins or ends with a space;
 *  [width]     a line's width is the sum of its characters' advances;
 *  [fits]      a line is no wider than its room (first_width for the first line, width
 *              after), except a line that could not be split: one character followed only
 *              by characters that may not start a line (the split backs off to keep them
 *              off the next line). Checked when the first line is no wider than the rest;
 *  [last]      `last` is set on the final line and on every line ended by a hard break,
 *              and only there: a soft break is followed by spaces only;
 *  [start]     after a soft break, no line starts with closing punctuation (wrap.h's
 *              cb_no_line_start: ，。、）》！？：；…% ,.;:!? ...), not even where UAX #14
 *              allows a break before it (after a space or U+200B) or where the next line
 *              dropped the spaces before it, unless the line before is a single character
 *              (nothing to move down with it);
 *  [end]       no soft-broken line ends with opening punctuation (cb_no_line_end: （《「 “
 *              ( ...), unless it is that line's only character;
 *  [unibreak], [invalid-utf8]  not checks but filters: with CB_FUZZ_IGNORE=unibreak, texts
 *              holding the characters that crash libunibreak 1.1 are skipped; with
 *              invalid-utf8, texts that are not valid UTF-8 (which libunibreak decodes
 *              differently from cb_utf8_next, and which can also produce those characters).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "wrap.h"

typedef struct metrics {
    float ascii, cjk, space, other;
} metrics;

static int is_combining(uint32_t cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200B || cp == 0x200D;
}

static int is_wide(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Deterministic, non-negative, and different per class; a wide character depends on its
 * neighbours as typeset.h's do: half width at a line's end, a quarter more before ASCII
 * letters. */
static float advance(void *ud, uint32_t prev, uint32_t cp, uint32_t next)
{
    const metrics *m = ud;
    (void)prev;
    if (cp == ' ' || cp == '\t' || cp == 0x3000) return m->space;
    if (is_combining(cp)) return 0;
    if (cp < 0x80) return m->ascii;
    if (is_wide(cp)) return !next ? m->cjk / 2 : next > ' ' && next < 0x80 ? m->cjk * 1.25f : m->cjk;
    return m->other * (float)(1 + (cp * 2654435761u >> 29)); /* 1..8 times */
}

/* wrap.c's own definitions, restated. */
static int is_space(uint32_t cp) { return cp == ' ' || cp == '\t' || cp == 0x3000; }
static int is_newline(uint32_t cp) { return cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029; }
/* Mandatory breaks in UAX #14 (class BK, CR, LF, NL). */
static int is_hard_break(uint32_t cp) { return is_newline(cp) || cp == 0x0B || cp == 0x0C || cp == 0x85; }

/* Characters as wrap.c's prev_char steps over them: bytes that are not continuation bytes
 * (a stray continuation byte belongs to the character before it). */
static size_t count_leads(const char *s, size_t start, size_t end)
{
    size_t n = 0;
    for (size_t p = start; p < end; p++)
        if (((unsigned char)s[p] & 0xC0) != 0x80) n++;
    return n;
}

static void dump_lines(const char *text, size_t len, const cb_line *lines, size_t n, float fw,
                       float w)
{
    fprintf(stderr, "text (%zu bytes): ", len);
    fz_dump(stderr, text, len);
    fprintf(stderr, "\nfirst_width %g, width %g; %zu lines:\n", fw, w, n);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "  [%zu] start %zu len %zu width %g last %d: ", i, lines[i].start,
                lines[i].len, lines[i].width, lines[i].last);
        fz_dump(stderr, text + lines[i].start, lines[i].len);
        fputc('\n', stderr);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    uint8_t flags = fz_u8(&r);
    uint8_t wb = fz_u8(&r), fb = fz_u8(&r);
    float width = wb == 255 ? 1e9f : wb * 2.0f;
    float first = fb == 255 ? 1e9f : fb * 2.0f;
    int hanging = flags & 2;
    if (!hanging && first > width) first = width;
    metrics m = {(fz_u8(&r) % 16) * 0.75f, (fz_u8(&r) % 32) * 0.75f, (fz_u8(&r) % 8) * 0.75f,
                 (fz_u8(&r) % 8) * 0.5f};

    /* the text */
    const uint8_t *raw;
    size_t rawlen = fz_bytes(&r, 4096, &raw);
    char *text;
    size_t len;
    if (flags & 1) {
        cb_buf b = {0};
        for (size_t i = 0; i < rawlen; i++) cb_buf_adds(&b, fz_glyph(raw[i]));
        cb_buf_add(&b, "", 0);
        text = b.s;
        len = b.len;
    } else {
        text = cb_xmalloc(rawlen ? rawlen : 1);
        memcpy(text, raw, rawlen);
        len = rawlen;
    }

    /* libunibreak 1.1 (Debian 12) abort()s on a regional indicator (flag emoji) next to
     * another character and on U+FFFF, and decodes invalid UTF-8 its own way (see
     * regressions/fuzz_wrap). Ignoring these skips such texts, to look for other bugs
     * while those are open. */
    int skip_invalid = fz_ignored("invalid-utf8"), skip_abort = fz_ignored("unibreak");
    if (skip_invalid || skip_abort) {
        int skip = skip_invalid && !cb_utf8_valid(text, len);
        for (size_t p = 0; p < len && !skip;) {
            uint32_t cp = fz_next(text, len, &p);
            skip = skip_abort && (cp == 0xFFFF || (cp >= 0x1F1E6 && cp <= 0x1F1FF));
        }
        if (skip) {
            free(text);
            return 0;
        }
    }

    cb_line *lines = NULL;
    size_t n = cb_break_lines(text, len, first, width, advance, &m, &lines);

#define FAIL_IF(name, cond, ...)                                                            \
    do {                                                                                    \
        if ((cond) && !fz_ignored(name)) {                                                  \
            dump_lines(text, len, lines, n, first, width);                                  \
            CHECK(name, !(cond), __VA_ARGS__);                                              \
        }                                                                                   \
    } while (0)

    FAIL_IF("order", n == 0 || !lines, "no lines (n = %zu)", n);
    if (len == 0) FAIL_IF("order", n != 1 || lines[0].len != 0, "empty text gives %zu lines", n);

    size_t covered = 0; /* end of the previous line */
    for (size_t i = 0; i < n; i++) {
        const cb_line *l = &lines[i];
        size_t s = l->start, e = l->start + l->len;
        FAIL_IF("order", s > len || l->len > len - s, "line %zu [%zu, %zu) outside the text", i, s, e);
        FAIL_IF("order", i > 0 && s < covered, "line %zu starts at %zu before the end %zu of line %zu", i, s, covered, i - 1);

        /* the bytes between the previous line and this one: spaces and line ends only */
        int gap_hard = 0;
        for (size_t p = covered; p < s;) {
            size_t at = p;
            uint32_t cp = fz_next(text, len, &p);
            if (is_hard_break(cp)) gap_hard = 1;
            else FAIL_IF("coverage", !is_space(cp), "byte %zu (U+%04X) before line %zu is in no line", at, (unsigned)cp, i);
        }

        /* the line itself */
        float w = 0;
        uint32_t first_cp = 0, last_cp = 0;
        size_t nch = 0;
        int rest_no_start = 1; /* every character after the first may not start a line */
        for (size_t p = s; p < e;) { /* measured as a line: nothing before or after it */
            size_t at = p;
            uint32_t cp = fz_next(text, e, &p);
            FAIL_IF("content", is_newline(cp), "line %zu holds a line end U+%04X at %zu", i, (unsigned)cp, at);
            if (nch == 0) first_cp = cp;
            else if (!cb_no_line_start(cp) && ((unsigned char)text[at] & 0xC0) != 0x80)
                rest_no_start = 0;
            size_t after = p;
            w += advance(&m, nch ? last_cp : 0, cp, p < e ? fz_next(text, e, &after) : 0);
            last_cp = cp;
            nch++;
        }
        /* after a hard break a line keeps its leading spaces (indentation) */
        int soft_start = i == 0 || !lines[i - 1].last;
        if (nch) {
            FAIL_IF("content", soft_start && is_space(first_cp), "line %zu starts with a space", i);
            FAIL_IF("content", is_space(last_cp), "line %zu ends with a space", i);
        }
        FAIL_IF("width", fabsf(w - l->width) > 1e-3f * (1 + fabsf(w)),
                "line %zu width %g, its characters add up to %g", i, l->width, w);

        float room = i == 0 ? first : width;
        /* a line after a hard break starts afresh at `width` (the first line only is indented) */
        int fits = l->width <= room * (1 + 1e-5f) + 1e-3f;
        FAIL_IF("fits", !hanging && !fits && !rest_no_start,
                "line %zu is %g wide, room %g, and could have been split", i, l->width, room);

        /* the break before this line */
        if (i > 0) {
            const cb_line *prev = &lines[i - 1];
            if (!prev->last) {
                FAIL_IF("last", gap_hard, "line %zu is not `last` but a hard break follows it", i - 1);
                size_t prev_chars = count_leads(text, prev->start, prev->start + prev->len);
                FAIL_IF("start", nch && cb_no_line_start(first_cp) && prev_chars > 1,
                        "line %zu starts with U+%04X after a soft break", i, (unsigned)first_cp);
                if (prev_chars > 1 && prev->len) {
                    size_t q = prev->start + prev->len, b = q;
                    do b--;
                    while (b > prev->start && ((unsigned char)text[b] & 0xC0) == 0x80);
                    size_t t = b;
                    uint32_t cp = fz_next(text, q, &t);
                    if (t == q) FAIL_IF("end", cb_no_line_end(cp), "line %zu ends with opening U+%04X", i - 1, (unsigned)cp);
                }
            } else {
                /* a hard break: a line end in the gap, or the line ended with one UAX #14
                 * breaks after but wrap.c keeps (VT, FF, NEL) */
                int ends_hard = 0;
                if (prev->len) {
                    size_t q = prev->start + prev->len, b = q;
                    do b--;
                    while (b > prev->start && ((unsigned char)text[b] & 0xC0) == 0x80);
                    size_t t = b;
                    ends_hard = is_hard_break(fz_next(text, q, &t));
                }
                FAIL_IF("last", !gap_hard && !ends_hard,
                        "line %zu is `last` but no hard break follows it", i - 1);
            }
        }
        covered = e;
    }
    FAIL_IF("last", !lines[n - 1].last, "the final line is not `last`");
    /* after the final line: spaces and line ends only */
    for (size_t p = covered; p < len;) {
        size_t at = p;
        uint32_t cp = fz_next(text, len, &p);
        FAIL_IF("coverage", !is_space(cp) && !is_hard_break(cp),
                "byte %zu (U+%04X) after the final line is in no line", at, (unsigned)cp);
    }
#undef FAIL_IF
    free(lines);
    free(text);
    return 0;
}
