/* layout_page.c: what each page carries besides the blocks: the cover, the running header
 * and footer with the page numbers, the logo and the watermark (layout_int.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout_int.h"

/* Replaces each {key} in pattern by its value. */
static char *expand(const char *pattern, const char *const *keys, const char *const *vals, size_t n)
{
    cb_buf b = {0};
    const char *p = pattern;
    while (*p) {
        int done = 0;
        if (*p == '{') {
            for (size_t i = 0; i < n && !done; i++) {
                size_t kl = strlen(keys[i]);
                if (strncmp(p + 1, keys[i], kl) == 0 && p[1 + kl] == '}') {
                    cb_buf_adds(&b, vals[i]);
                    p += kl + 2;
                    done = 1;
                }
            }
        }
        if (!done) cb_buf_add(&b, p++, 1);
    }
    if (!b.s) cb_buf_add(&b, "", 0);
    return b.s;
}

/* Moves the ops of `under` to the front of page p, so they are drawn first. */
static void prepend_ops(cb_page *p, cb_page *under)
{
    if (!under->nops) return;
    size_t n = p->nops + under->nops;
    cb_op *ops = cb_xmalloc(n * sizeof *ops);
    memcpy(ops, under->ops, under->nops * sizeof *ops);
    if (p->nops) memcpy(ops + under->nops, p->ops, p->nops * sizeof *ops);
    free(p->ops);
    free(under->ops);
    p->ops = ops;
    p->nops = p->cap = n;
    memset(under, 0, sizeof *under);
}

/* The template's watermark, centred on page p along its rising diagonal, under the
 * content: light grey, as large as about half the diagonal allows. */
static void lay_watermark(lay *L, cb_page *p)
{
    const cb_template *t = L->t;
    const char *s = t->watermark;
    cb_font *f = cb_font_for(L->font, CB_FONT_HEADING, 0); /* display type */
    float w1 = cb_font_width(f, s, strlen(s), 1);
    if (w1 <= 0) return;
    float a = atan2f(t->page_h, t->page_w), c = cosf(a), sn = sinf(a);
    float diag = hypotf(t->page_w, t->page_h);
    float size = 0.55f * diag / w1;
    float cap = fminf(t->page_w, t->page_h) * 0.18f;
    if (size > cap) size = cap;
    if (size < 12) size = 12;
    float tw = w1 * size;
    /* start of the baseline: centre minus half the width along the text, and down by the
     * middle of the glyph box across it */
    float off = (L->asc + L->desc) / 2 * size;
    float x0 = t->page_w / 2 - tw / 2 * c + off * sn;
    float y0 = t->page_h / 2 - tw / 2 * sn - off * c;
    cb_page tmp = {0};
    cb_op style = {.x = 0, .y = 0, .size = size, .color = {0.86f, 0.86f, 0.86f}};
    cb_page_text(&tmp, f, &style, s, strlen(s));
    for (size_t k = 0; k < tmp.nops; k++) {
        cb_op *op = &tmp.ops[k];
        float dx = op->x;
        op->x = x0 + dx * c;
        op->y = y0 + dx * sn;
        op->angle = a;
        op->node = CB_ART_WATERMARK;
    }
    prepend_ops(p, &tmp);
}

/* The logo scaled to fit a box of height h and at most max_w wide, its right edge at
 * x_right and its bottom at y. */
static void draw_logo(lay *L, float x_right, float y, float h, float max_w)
{
    const cb_template *t = L->t;
    float w = h * (float)t->logo_w / (float)t->logo_h;
    if (w > max_w) {
        h *= max_w / w;
        w = max_w;
    }
    cb_op *op = cb_lay_push(L, CB_OP_IMAGE);
    op->x = x_right - w;
    op->y = y;
    op->w = w;
    op->h = h;
    op->bold = t->logo_jpeg;
    op->text = cb_xstrdup(t->logo);
}

/* Height of the logo in the page header: it sits above the header rule and stays 8 pt
 * inside the page edge; 0 when the top margin leaves too little room. */
static float header_logo_h(const cb_template *t)
{
    float h = t->margin_top - 28;
    if (h > 24) h = 24;
    return h >= 10 ? h : 0;
}

void cb_lay_date(char *buf, size_t n, long long t, int en)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                         "August", "September", "October", "November", "December"};
    if (en) snprintf(buf, n, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
    else snprintf(buf, n, "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The cover page (the current page, the first): a band, the logo, the title, the
 * subtitle (by default the document's subject, which names the county) and the date. */
void cb_lay_cover(lay *L)
{
    const cb_template *t = L->t;
    const char *keys[] = {"title"};
    const char *vals[] = {L->doc->title ? L->doc->title : ""};
    char *title = expand(t->cover_title ? t->cover_title : vals[0], keys, vals, 1);
    const char *sub_src = t->cover_subtitle ? t->cover_subtitle : L->doc->subject;
    char *sub = sub_src ? expand(sub_src, keys, vals, 1) : NULL;
    /* a section of its own: title, subtitle and date; the rest decorates */
    uint32_t cover = cb_lay_node(L, CB_ROLE_SECTION, 0, CB_NODE_DOCUMENT);
    cb_lay_at(L, CB_ART_DECORATION);
    cb_lay_rect(L, 0, t->page_h - 14, t->page_w, 14, t->primary);
    cb_lay_rect(L, 0, 0, t->page_w, 6, t->primary);
    float room = L->top - L->bottom;
    if (t->logo) {
        float lh = fminf(72, room * 0.15f);
        draw_logo(L, L->right, L->top - lh, lh, L->width * 0.4f);
    }
    float ts = t->title_size * 1.5f, tlh = ts * 1.3f, ss = t->body_size * 1.3f, slh = ss * 1.6f;
    cb_line *tl = NULL, *sl = NULL;
    cb_lay_type(L, CB_FONT_HEADING, 1);
    size_t nt = cb_lay_wrap(L, title, ts, L->width, L->width, &tl);
    cb_lay_type(L, CB_FONT_HEADING, 0);
    size_t ns = sub ? cb_lay_wrap(L, sub, ss, L->width, L->width, &sl) : 0;
    float block = nt * tlh + 18 + ns * slh;
    float y = L->top - room * 0.38f + block / 2;
    if (y > L->top - room * 0.2f) y = L->top - room * 0.2f;
    cb_lay_at(L, cb_lay_node(L, CB_ROLE_TITLE, 0, cover));
    cb_lay_type(L, CB_FONT_HEADING, 1);
    for (size_t i = 0; i < nt; i++) {
        cb_lay_text(L, L->left, baseline_in(L, y, tlh, ts), ts, t->primary, 1, title + tl[i].start,
                    tl[i].len, 0);
        y -= tlh;
    }
    y -= 8;
    cb_lay_at(L, CB_ART_DECORATION);
    cb_lay_rect(L, L->left, y - 3, fminf(80, L->width), 3, t->accent);
    y -= 10;
    if (ns) cb_lay_at(L, cb_lay_node(L, CB_ROLE_PARAGRAPH, 0, cover));
    cb_lay_type(L, CB_FONT_HEADING, 0); /* the cover's lines are display type */
    for (size_t i = 0; i < ns; i++) {
        if (y - slh < L->bottom + 40) break;
        cb_lay_text(L, L->left, baseline_in(L, y, slh, ss), ss, t->muted, 0, sub + sl[i].start,
                    sl[i].len, 0);
        y -= slh;
    }
    char date[64];
    if (L->doc->dated) { /* an undated document shows no date, never the day it was made */
        cb_lay_date(date, sizeof date, L->doc->date, english(L));
        cb_lay_at(L, cb_lay_node(L, CB_ROLE_PARAGRAPH, 0, cover));
        cb_lay_text(L, L->left, L->bottom + 10, t->body_size * 1.2f, t->text, 0, date, strlen(date), 0);
    }
    cb_lay_at(L, CB_ART_DECORATION);
    cb_lay_line(L, L->left, L->bottom + 10 + t->body_size * 2, L->right,
                L->bottom + 10 + t->body_size * 2, 0.6f, t->rule);
    free(tl);
    free(sl);
    free(title);
    free(sub);
}

/* The artifact a header or footer line is: a page number if it shows one. */
static uint32_t furniture(const char *pattern, cb_artifact kind)
{
    return strstr(pattern, "{page}") || strstr(pattern, "{pages}") ? CB_ART_PAGE_NUMBER : kind;
}

/* The folio (template.h: cb_folio) of page number `page` (1 the first content page): the
 * top of its ideographic em box (0.88 em above the baseline) folio.below under the type area, on the
 * outside, folio.inset in from the type area's edge: odd pages right, even pages left.
 * Takes text. */
static void lay_folio(lay *L, size_t page, char *text)
{
    const cb_template *t = L->t;
    float size = t->folio.size, w = cb_font_width(cb_lay_font(L, 0), text, strlen(text), size);
    float x = page % 2 ? L->right - t->folio.inset - w : L->left + t->folio.inset;
    cb_lay_at(L, furniture(t->folio.text, CB_ART_FOOTER));
    cb_lay_text(L, x, L->bottom - t->folio.below - 0.88f * size, size, t->text, 0, text, strlen(text), 0);
    free(text);
}

void cb_lay_page_furniture(lay *L)
{
    const cb_template *t = L->t;
    float size = t->small_size;
    size_t first = t->cover ? 1 : 0; /* the cover has no header, footer or number */
    char page[32], pages[32];
    snprintf(pages, sizeof pages, "%zu", L->out->npages - first);
    float logo_h = t->logo ? header_logo_h(t) : 0;
    cb_lay_type(L, CB_FONT_BODY, 0);
    for (size_t i = 0; i < L->out->npages; i++) {
        L->page = &L->out->pages[i];
        if (t->watermark) lay_watermark(L, L->page);
        if (i < first) continue;
        snprintf(page, sizeof page, "%zu", i + 1 - first);
        const char *keys[] = {"page", "pages", "title"};
        const char *vals[] = {page, pages, L->doc->title ? L->doc->title : ""};
        float y = t->page_h - t->margin_top + 22;
        if (t->header && i > first) { /* page 1 carries the title block instead */
            char *h = expand(t->header, keys, vals, 3);
            cb_lay_at(L, furniture(t->header, CB_ART_HEADER));
            cb_lay_text(L, L->left, y, size, t->muted, 0, h, strlen(h), 0);
            cb_lay_line(L, L->left, y - 5, L->right, y - 5, 0.4f, t->rule);
            free(h);
        }
        cb_lay_at(L, CB_ART_HEADER);
        if (logo_h > 0) draw_logo(L, L->right, y - 2, logo_h, L->width * 0.25f);
        if (t->footer) {
            char *f = expand(t->footer, keys, vals, 3);
            cb_lay_at(L, furniture(t->footer, CB_ART_FOOTER));
            float fy = t->margin_bottom - 30;
            if (fy < 14) fy = 14;
            cb_lay_aligned(L, L->left, L->width, fy, size, t->muted, 0, f, strlen(f), ALIGN_CENTER);
            free(f);
        }
        if (t->folio.text) lay_folio(L, i + 1 - first, expand(t->folio.text, keys, vals, 3));
    }
}
