/*
 * typeset.h: how Chinese text is set between its characters: punctuation compression
 * (标点挤压) and the space between Han and Latin (W3C clreq, "Requirements for Chinese
 * Text Layout", §3.1.6 and §3.2.2; the marks as GB/T 15834-2011 names them).
 *
 * A full-width mark (“，。》 ...) is drawn in one half of its em and leaves the other half
 * blank. Setting it half width cuts the blank half. The schemes (clreq §3.1.6):
 *   quanjiao (全角式)  every mark full width, nothing compressed;
 *   kaiming  (开明式)  stop marks 。！？ full width, all other marks half width (the default);
 *   banjiao  (半角式)  every mark half width.
 * In kaiming and banjiao, adjacent marks never leave more than half an em of blank between
 * their inks ("。”" is 1.5 em with the blank after the ”, "”，" and "）、" 1 em), a
 * closing, pause or stop mark before an opening one keeps half an em ("》（" 1.5 em), and a
 * stop mark at a line's end is set half width (no hole at the right margin). Under kaiming
 * a stop mark's blank goes to the end of its run of closing, pause and stop marks, however
 * long ("。”）" 2 em, the blank after the ）; "！”，" too). Middle marks
 * (· — …) are never compressed, nor is a mark its face draws centred or not about one em
 * wide (a proportional quote from a Latin face): which half is blank comes from the face
 * (font.h: cb_font_blank_half).
 *
 * CJK–Latin spacing (clreq §3.2.2): a quarter em between a Han character and a Latin
 * letter or digit, either order, where nothing (a space, a mark) already separates them;
 * never at a line's start or end; a number stays tight to the unit or measure word after
 * it ("2020年", "1万元", wrap.h: cb_number_unit) and to 第 before it ("第3页").
 *
 * Everything that measures or draws text (font.h: cb_font_width; layout.h: cb_page_text;
 * wrap.h's breaker through its advance callback) goes through cb_ts_advance, with the
 * setting kept in the font list (cb_font_set_typeset), so headings, paragraphs, tables and
 * plugin text agree on every width.
 */
#ifndef CB_TYPESET_H
#define CB_TYPESET_H

#include <stddef.h>
#include <stdint.h>

typedef enum cb_punct { CB_PUNCT_KAIMING, CB_PUNCT_QUANJIAO, CB_PUNCT_BANJIAO } cb_punct;

typedef struct cb_typeset {
    cb_punct punct;
    int cjk_latin; /* 1: a quarter em between Han and Latin */
} cb_typeset;

/* The kaiming scheme with CJK–Latin spacing: the briefings' default. */
#define CB_TYPESET_DEFAULT ((cb_typeset){CB_PUNCT_KAIMING, 1})

/* The name of a scheme ("kaiming", "quanjiao", "banjiao") and back: -1 for an unknown
 * name. */
const char *cb_punct_name(cb_punct p);
int cb_punct_parse(const char *name);

/* Classes of the full-width marks. */
enum {
    CB_MARK_OTHER,   /* not a mark that is ever compressed, nor a middle mark */
    CB_MARK_OPENING, /* “‘（《〈「『【〔〖［｛: blank left half */
    CB_MARK_CLOSING, /* ”’）》〉」』】〕〗］｝: blank right half */
    CB_MARK_PAUSE,   /* ，、：； */
    CB_MARK_STOP,    /* 。！？ */
    CB_MARK_MIDDLE,  /* ·—…: never compressed */
};
int cb_mark_class(uint32_t cp);
/* Each class's mark as an index 0 .. CB_MARK_COUNT-1 (a per-font cache's slot), or -1. */
#define CB_MARK_COUNT 34
int cb_mark_index(uint32_t cp);

/* Blank halves of a mark as its face draws it (font.h: cb_font_blank_half). */
enum { CB_BLANK_NONE, CB_BLANK_LEFT, CB_BLANK_RIGHT };

/* 1 when cp before next takes its face's advance whatever the setting: the common cases of
 * ASCII before ASCII and Han (the URO) before Han or ASCII other than a letter or digit
 * (for the callers' fast paths; cb_ts_advance asks it first). */
static inline int cb_ts_plain(uint32_t cp, uint32_t next)
{
    int han = cp >= 0x4E00 && cp <= 0x9FFF;
    if (cp < 0x80 || han) {
        if (next < 0x80) return cp < 0x80 || !((next | 0x20) - 'a' < 26 || next - '0' < 10);
        return han && next >= 0x4E00 && next <= 0x9FFF;
    }
    return 0;
}

struct cb_font;
/* The advance of cp in ems set between prev (as wrap.h's cb_advance_carry passes it on) and
 * next (0 for a line's start or end), and
 * in *shift (may be NULL) how far its glyph is drawn from where its advance starts (an
 * opening mark whose blank left half is cut: -half its advance). A font list with no
 * setting gives cb_font_advance and no shift. */
float cb_ts_advance(struct cb_font *f, uint32_t prev, uint32_t cp, uint32_t next, float *shift);
/* Width in ems of UTF-8 s[0..len) set as one line (its ends being the line's). */
float cb_ts_width(struct cb_font *f, const char *s, size_t len);

#endif /* CB_TYPESET_H */
