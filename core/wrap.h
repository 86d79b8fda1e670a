/*
 * wrap.h: breaking a paragraph into lines by the Unicode line breaking algorithm
 * (UAX #14, through libunibreak with Chinese tailoring): no line starts with closing
 * punctuation such as ，。、）》 and none ends with opening punctuation such as （《;
 * Latin words and numbers stay whole when they fit; CJK text breaks between characters;
 * a number keeps the units after it ("1万元", "2396人次"), its sign ("－3.2%"), 第 before it
 * ("第3页") and a range dash to the next number ("2018—2020年"); and no ideograph or kana
 * stands alone on a paragraph's last line (before the end or a hard break) when the line
 * before can give it company (clreq).
 */
#ifndef CB_WRAP_H
#define CB_WRAP_H

#include <stddef.h>
#include <stdint.h>

/* Advance of code point cp in points, at the size being set, between prev and next (0 at
 * a line's start or end): punctuation compression and CJK–Latin spacing depend on them
 * (typeset.h: cb_ts_advance). At a line's end (next 0) it is never more than before any
 * next character. */
typedef float (*cb_advance_fn)(void *ud, uint32_t prev, uint32_t cp, uint32_t next);

/* What a measure passes as `prev` to the advance of the character after cp (set after
 * prev): cp in the low CB_CARRY_BITS, and above them which stop mark (。！？) began the run
 * of marks no line may start with (cb_no_line_start: closing, pause, stop) that cp ends, if
 * one did: a stop mark's blank is kept at the end of such a run however long ("。”）",
 * typeset.h). Everything that measures a line sets prev = cb_advance_carry(prev, cp). */
#define CB_CARRY_BITS 21
uint32_t cb_advance_carry_mark(uint32_t prev, uint32_t cp);
static inline int cb_stop_mark(uint32_t cp) { return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F; } /* 。！？ */
static inline uint32_t cb_advance_carry(uint32_t prev, uint32_t cp)
{
    /* the common case: no run a stop mark began, and none beginning */
    return !(prev >> CB_CARRY_BITS) && !cb_stop_mark(cp) ? cp : cb_advance_carry_mark(prev, cp);
}
/* The character of a carried prev, and the stop mark that began its run (0: none; a prev
 * not carried that is a stop mark is its own run's). */
static inline uint32_t cb_carried_char(uint32_t prev) { return prev & ((1u << CB_CARRY_BITS) - 1); }
uint32_t cb_carried_stop(uint32_t prev);
/* 1 if cb_carried_stop(prev) is not 0. */
static inline int cb_carries_stop(uint32_t prev) { return (prev >> CB_CARRY_BITS) || cb_stop_mark(prev); }

typedef struct cb_line {
    size_t start, len; /* byte range in the text, trailing spaces and line ends excluded */
    float width;       /* in points, measured as a line: its first character after none,
                        * its last before none */
    int last;          /* 1 for a paragraph's last line or one ended by a hard break */
} cb_line;

/* Breaks text[0..len) into lines no wider than `width` (the first line `first_width`, for
 * an indent). A word wider than a line is split at the character that overflows, or
 * before it when the split would put a closing mark first on the next line or an opening
 * mark last on this one (a single character wider than the line still takes a line of
 * its own). Spaces at a soft break are dropped. Returns the number of lines and a
 * malloc'd array in *lines (caller frees). */
size_t cb_break_lines(const char *text, size_t len, float first_width, float width,
                      cb_advance_fn advance, void *ud, cb_line **lines);
/* The same, and with `words` a line breaks between words where it can: after the last
 * pause mark (、，；：, between a list's items: 山东省、|潍坊市), else at the last break
 * opportunity that ICU's word break iterator (a dictionary for Chinese) puts between two
 * words, rather than inside a word ("沈阳市" whole, not "沈|阳市"), unless that leaves the
 * line less than half full. For narrow columns (table cells), where a break is a visible
 * choice; paragraphs break between any characters, as Chinese text is justified. */
size_t cb_break_lines_words(const char *text, size_t len, float first_width, float width,
                            cb_advance_fn advance, void *ud, int words, cb_line **lines);

/* The widest run of text[0..len) between the break opportunities cb_break_lines_words
 * takes (numbers with their units, Latin words, no line starting with a closing mark;
 * with `words`, ideographs broken between ICU's words only), measured as a line: the
 * narrowest width that breaks no run (a table column's min-content width). *ws, *wl (may
 * be NULL) get its bytes. */
float cb_widest_run(const char *text, size_t len, cb_advance_fn advance, void *ud, int words, size_t *ws,
                    size_t *wl);

/* The line break opportunities of text[0..len) (len > 0), one per byte in brks[0..len), as
 * libunibreak's set_linebreaks_utf8 gives them (LINEBREAK_MUSTBREAK, _ALLOWBREAK,
 * _NOBREAK, _INSIDEACHAR from <linebreak.h>) with Chinese tailoring. The one way into the
 * line breaker: it initialises libunibreak once and shields it from the characters that
 * make libunibreak 1.1 abort (regional indicators, U+FFFF, some invalid UTF-8), so any
 * text at all may be passed. Thread-safe. */
void cb_linebreaks(const char *text, size_t len, char *brks);

/* 1 for the characters no line may start with (pause and stop marks, closing quotes and
 * brackets: ，。、）》！？” ,.;:!?% · … ...) and those none may end with (opening quotes and
 * brackets, currency signs: （《「“ ( [ { ￥ ...); the lists and their sources are in wrap.c. */
int cb_no_line_start(uint32_t cp);
int cb_no_line_end(uint32_t cp);

/* 1 for a CJK ideograph (the URO, Extension A, and the supplementary planes' B to F). */
int cb_ideograph(uint32_t cp);
/* 1 for the measure words, magnitudes and units that stay with the number before them
 * ("1万元", "2396人次", "第3页"; the list is in wrap.c). */
int cb_number_unit(uint32_t cp);

#endif /* CB_WRAP_H */
