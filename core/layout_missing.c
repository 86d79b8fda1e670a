/* layout_missing.c: the characters no font has (layout.h: cb_layout's missing list and its
 * warning), noted with the place in the document where each is first drawn. */
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "layout_int.h"

#define MISSING_LISTED 3  /* characters the warning describes; the rest are only counted */
#define EXCERPT_CHARS 8   /* characters of context each side of a missing one */

/* "…eight chars before<cp>eight after…" around the first cp in s, or NULL without one. */
static char *excerpt(const char *s, uint32_t cp)
{
    if (!s) return NULL;
    const char *p = s, *end = s + strlen(s), *hit = NULL;
    while (p < end && !hit) {
        const char *at = p;
        if (cb_utf8_next(&p, end) == cp) hit = at;
    }
    if (!hit) return NULL;
    const char *a = hit;
    for (int k = 0; k < EXCERPT_CHARS && a > s; k++)
        do a--; while (a > s && ((unsigned char)*a & 0xC0) == 0x80);
    const char *b = hit;
    for (int k = 0; k < EXCERPT_CHARS + 1 && b < end; k++) cb_utf8_next(&b, end);
    cb_buf out = {0};
    if (a > s) cb_buf_adds(&out, "…");
    for (const char *c = a; c < b; c++) /* one line: line breaks and tabs become spaces */
        cb_buf_add(&out, (*c == '\n' || *c == '\r' || *c == '\t') ? " " : c, 1);
    if (b < end) cb_buf_adds(&out, "…");
    return out.s;
}

/* A probe (blocks.h) for the first text holding cp: its excerpt. */
typedef struct cp_probe {
    cb_block_probe p;
    uint32_t cp;
    char *ex;
} cp_probe;

static int probe_has(cb_block_probe *p, const char *text)
{
    cp_probe *q = (cp_probe *)p;
    return (q->ex = excerpt(text, q->cp)) != NULL;
}

/* Where in block b the character cp is: the field that holds it, with some context. */
static char *describe_in_block(const cb_block *b, const char *heading, uint32_t cp)
{
    const cb_builtin *t = cb_builtin_of(b->kind);
    cp_probe q = {{probe_has}, cp, NULL};
    char *what = t ? t->where(b, &q.p) : NULL, *ex = q.ex;
    const char *under = heading && *heading && (!t || t->headed) ? heading : NULL;
    if (!ex) /* a plugin block's own text, or text a script passed it */
        what = cb_xasprintf("text drawn by a \"%s\" block", t ? t->name : b->ptype ? b->ptype->name : "?");
    char *where = under ? cb_xasprintf("%s under \"%s\"%s%s%s", what, under, ex ? ": \"" : "",
                                       ex ? ex : "", ex ? "\"" : "")
                        : cb_xasprintf("%s%s%s%s", what, ex ? ": \"" : "", ex ? ex : "",
                                       ex ? "\"" : "");
    free(what);
    free(ex);
    return where;
}

cb_lay_mark cb_lay_mark_now(const lay *L)
{
    const cb_layout *o = L->out;
    return (cb_lay_mark){o->npages - 1, o->pages[o->npages - 1].nops};
}

static void note_missing(lay *L, uint32_t cp, char *where)
{
    cb_layout *o = L->out;
    for (size_t i = 0; i < o->nmissing; i++)
        if (o->missing[i] == cp) {
            free(where);
            return;
        }
    o->missing = cb_xgrow(o->missing, o->nmissing, sizeof *o->missing);
    o->missing_where = cb_xgrow(o->missing_where, o->nmissing, sizeof *o->missing_where);
    o->missing[o->nmissing] = cp;
    o->missing_where[o->nmissing++] = where;
}

/* Notes the characters no face has in the ops of page p from op k on; b is the block that
 * drew them (NULL: the page header or footer). */
static void scan_missing(lay *L, size_t p, size_t k, const cb_block *b)
{
    const cb_page *pg = &L->out->pages[p];
    for (; k < pg->nops; k++) {
        const cb_op *op = &pg->ops[k];
        if (op->kind != CB_OP_TEXT || op->font != CB_FACE_NONE) continue;
        const char *s = op->text, *end = s + strlen(s);
        while (s < end) {
            uint32_t cp = cb_utf8_next(&s, end);
            if (cb_font_pick(L->font, cp) != CB_FACE_NONE) continue;
            int known = 0;
            for (size_t i = 0; i < L->out->nmissing && !known; i++) known = L->out->missing[i] == cp;
            if (known) continue;
            note_missing(L, cp, b ? describe_in_block(b, L->heading, cp)
                                  : cb_xstrdup("the page header or footer"));
        }
    }
}

void cb_lay_scan_since(lay *L, cb_lay_mark m, const cb_block *b)
{
    for (size_t p = m.page; p < L->out->npages; p++) scan_missing(L, p, p == m.page ? m.op : 0, b);
}

/* U+20000 "𠀀" */
static void add_char_name(cb_buf *b, uint32_t cp)
{
    char enc[5] = {0};
    enc[cb_utf8_encode(cp, enc)] = '\0';
    cb_buf_addf(b, "U+%04X \"%s\"", (unsigned)cp, enc);
}

/* The one warning naming the missing characters; `extra[i]` (may be NULL) is appended to
 * character i's place. */
static char *missing_warning(const cb_layout *l, char *const *extra)
{
    cb_buf b = {0};
    char rep[5] = {0};
    rep[cb_utf8_encode(l->missing_as, rep)] = '\0';
    cb_buf_addf(&b, "%zu character%s that no installed font has, drawn as \"%s\": ", l->nmissing,
                l->nmissing == 1 ? "" : "s", rep);
    for (size_t i = 0; i < l->nmissing; i++) {
        if (i) cb_buf_adds(&b, i < MISSING_LISTED ? "; " : ", ");
        if (i == MISSING_LISTED) cb_buf_adds(&b, "also ");
        add_char_name(&b, l->missing[i]);
        if (i >= MISSING_LISTED) continue;
        cb_buf_addf(&b, " in %s", l->missing_where[i]);
        if (extra && extra[i]) cb_buf_addf(&b, " (data: %s)", extra[i]);
    }
    return b.s;
}

void cb_lay_finish_missing(lay *L)
{
    cb_layout *o = L->out;
    if (!o->nmissing) return;
    o->warnings = cb_xgrow(o->warnings, o->nwarnings, sizeof *o->warnings);
    o->missing_warning = o->nwarnings;
    o->missing_as = cb_font_replacement(L->font);
    o->warnings[o->nwarnings++] = missing_warning(o, NULL);
}

void cb_layout_trace_missing(cb_layout *l, char *(*where)(void *ctx, const char *ch), void *ctx)
{
    if (!l->nmissing || l->missing_warning >= l->nwarnings) return;
    char **extra = cb_xcalloc(l->nmissing, sizeof *extra);
    int found = 0;
    for (size_t i = 0; i < l->nmissing && i < MISSING_LISTED; i++) {
        char ch[5] = {0};
        ch[cb_utf8_encode(l->missing[i], ch)] = '\0';
        found |= (extra[i] = where(ctx, ch)) != NULL;
    }
    if (found) {
        free(l->warnings[l->missing_warning]);
        l->warnings[l->missing_warning] = missing_warning(l, extra);
    }
    for (size_t i = 0; i < l->nmissing; i++) free(extra[i]);
    free(extra);
}
