/* layout_masthead.c: a 简报's 报头 (masthead) and 报尾 (distribution block), after GB/T
 * 9704-2012's 版头 and 版记 (layout_int.h, blocks.h). Each draws only the fields it is
 * given (doc.h: CB_MH_*, CB_DIST_*): no field is ever made up. Both keep the page's grid of
 * body lines (the body size times the leading, from the top of the type area), so the text
 * after a masthead and the lines of a distribution block sit on it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "clock.h"
#include "layout_int.h"

/* Field i of b (NULL: not given, or no block). */
static const char *field(const cb_block *b, size_t i)
{
    return b && i < b->nitems ? b->items[i].label : NULL;
}

/* A line of its own in section sect: the node the text drawn next belongs to. */
static void paragraph_in(lay *L, uint32_t sect)
{
    cb_lay_at(L, cb_lay_node(L, CB_ROLE_PARAGRAPH, 0, sect));
}

void cb_lay_masthead(lay *L, const cb_block *b)
{
    const cb_template *t = L->t;
    const char *name = field(b, CB_MH_NAME) ? field(b, CB_MH_NAME) : t->masthead_name;
    const char *number = field(b, CB_MH_NUMBER), *office = field(b, CB_MH_OFFICE);
    const char *day = field(b, CB_MH_DATE);
    float body = t->body_size, lh = cb_lay_body_lh(L), size = t->masthead_size;
    cb_lay_type(L, CB_FONT_HEADING, 1);
    if (name) {
        float w = cb_lay_width(L, name, size);
        if (w > L->width) size *= L->width / w; /* one line, as wide as the type area at most */
    }
    char num[64] = "", date[64] = "";
    if (number) snprintf(num, sizeof num, english(L) ? "No. %s" : "第%s期", number);
    long long when;
    if (day && cb_date_parse(day, &when)) cb_lay_date(date, sizeof date, when, english(L));
    int by_line = office || date[0]; /* the line of office and date */
    float in = body;                  /* one character in from either side */
    cb_lay_type(L, CB_FONT_BODY, 0);
    float dw = date[0] ? cb_lay_width(L, date, body) : 0;
    cb_line *ol = NULL; /* the office's lines, left of the date */
    size_t at = 0, no = office ? cb_lay_beside(L, office, body, L->width - 2 * in, dw, &ol, &at) : (size_t)by_line;
    cb_lay_type(L, CB_FONT_HEADING, 1);
    float nh = name ? size * 1.3f : 0, h = nh + (num[0] ? lh : 0) + no * lh + lh * 0.5f;
    cb_lay_ensure(L, h);
    uint32_t sect = cb_lay_node(L, CB_ROLE_SECTION, 0, cb_lay_container(L));
    if (name) {
        paragraph_in(L, sect);
        cb_lay_aligned(L, L->left, L->width, baseline_in(L, L->y, nh, size), size, t->masthead_color, 1, name,
                       strlen(name), ALIGN_CENTER);
        L->y -= nh;
    }
    cb_lay_type(L, CB_FONT_BODY, 0);
    if (num[0]) {
        paragraph_in(L, sect);
        cb_lay_aligned(L, L->left, L->width, baseline_in(L, L->y, lh, body), body, t->text, 0, num, strlen(num),
                       ALIGN_CENTER);
        L->y -= lh;
    }
    if (by_line) { /* office at the left and date at the right (on its first line) */
        float base = baseline_in(L, L->y, lh, body);
        if (office) {
            paragraph_in(L, sect);
            for (size_t i = 0; i < no; i++)
                cb_lay_text(L, L->left + in, base - i * lh, body, t->text, 0, office + ol[i].start, ol[i].len, 0);
        }
        if (date[0]) {
            paragraph_in(L, sect);
            cb_lay_aligned(L, L->left, L->width - in, base - at * lh, body, t->text, 0, date, strlen(date),
                           ALIGN_RIGHT);
        }
        L->y -= no * lh;
    }
    free(ol);
    cb_lay_at(L, CB_ART_DECORATION); /* the red rule, as wide as the type area */
    float rule = t->masthead_rule > 0 ? t->masthead_rule : 0;
    if (rule > 0) cb_lay_rect(L, L->left, L->y - 2 - rule, L->width, rule, t->masthead_color);
    /* the text after it starts on the next line of the grid, half a line or more below */
    float below = L->top - (L->y - 2 - rule - lh * 0.5f);
    L->y = L->top - ceilf(below / lh - 0.01f) * lh;
}

void cb_masthead_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
    cb_lay_masthead(L, b);
}

/* The 报尾: a rule, 报：, 送：, 发： (each wrapped under its own text, not its label), a rule,
 * then （共印 N 份） at the right; at the foot of the page, or of a new one when the page
 * has no room left for it. 4号 under a 3号 body (7/8 of the body size), one character in
 * from either side, one grid line a line. */
void cb_distribution_place(lay *L, const cb_block *b, const cb_block *next)
{
    (void)next;
    const cb_template *t = L->t;
    int en = english(L);
    static const char *const zh[] = {"报：", "送：", "发："};
    static const char *const eng[] = {"To: ", "Copy to: ", "Issued to: "};
    const char *copies = field(b, CB_DIST_COPIES);
    float size = t->body_size * 0.875f, lh = cb_lay_body_lh(L), in = t->body_size, w = L->width - 2 * in;
    cb_lay_type(L, CB_FONT_BODY, 0);
    cb_line *lines[3] = {NULL, NULL, NULL};
    size_t n[3] = {0, 0, 0}, total = 0;
    float label_w[3] = {0, 0, 0};
    for (size_t i = 0; i < 3; i++) {
        const char *s = field(b, CB_DIST_REPORT + i);
        if (!s) continue;
        label_w[i] = cb_lay_width(L, en ? eng[i] : zh[i], size);
        n[i] = cb_lay_wrap(L, s, size, w - label_w[i], w - label_w[i], &lines[i]);
        total += n[i];
    }
    if (!total && !copies) return;
    float h = (float)total * lh + (copies ? lh : 0);
    if (L->y - h < L->bottom - 0.01f && !at_page_top(L)) cb_lay_new_page(L);
    float y = L->bottom + h; /* its top: the block ends at the foot of the type area */
    if (y > L->y) y = L->y;  /* taller than the page: from the top down */
    uint32_t sect = cb_lay_node(L, CB_ROLE_SECTION, 0, cb_lay_container(L));
    if (total) {
        cb_lay_at(L, CB_ART_DECORATION);
        cb_lay_rect(L, L->left, y - 0.5f, L->width, 1, t->text);
    }
    for (size_t i = 0; i < 3; i++) {
        if (!n[i]) continue;
        const char *s = field(b, CB_DIST_REPORT + i), *label = en ? eng[i] : zh[i];
        paragraph_in(L, sect);
        cb_lay_text(L, L->left + in, baseline_in(L, y, lh, size), size, t->text, 0, label, strlen(label), 0);
        for (size_t k = 0; k < n[i]; k++) {
            cb_lay_text(L, L->left + in + label_w[i], baseline_in(L, y, lh, size), size, t->text, 0,
                        s + lines[i][k].start, lines[i][k].len, 0);
            y -= lh;
        }
        free(lines[i]);
    }
    if (total) {
        cb_lay_at(L, CB_ART_DECORATION);
        cb_lay_rect(L, L->left, y - 0.5f, L->width, 1, t->text);
    }
    if (copies) {
        char s[64];
        snprintf(s, sizeof s, en ? "(%s copies printed)" : "（共印%s份）", copies);
        paragraph_in(L, sect);
        cb_lay_aligned(L, L->left, L->width - in, baseline_in(L, y, lh, size), size, t->text, 0, s, strlen(s),
                       ALIGN_RIGHT);
        y -= lh;
    }
    L->y = y < L->bottom ? y : L->bottom; /* what follows goes on a new page */
}
