/* Layout and pagination (core/layout*.c) with the real CJK font and default template, and
 * the display list's structure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "blocks.h"
#include "canvas.h"
#include "doc.h"
#include "font.h"
#include "layout.h"
#include "plugins.h"
#include "template.h"
#include "test.h"
#include "test_text.h"
#include "util.h"

static cb_font *font;
static cb_template tpl;

static cb_font *get_font(void)
{
    if (!font) {
        cb_error err;
        font = test_font_open();
        /* built-in defaults, then the shipped briefing template */
        const char *ex = getenv("CB_EXAMPLES");
        char *share = ex ? cb_xasprintf("%s/..", ex) : cb_xstrdup(".");
        if (cb_template_load(&tpl, "briefing", share, &err) != CB_OK) {
            fprintf(stderr, "template: %s\n", err.msg);
            exit(1);
        }
        free(share);
    }
    return font;
}

static void add_text(cb_doc *d, cb_block_kind k, const char *s)
{
    cb_doc_add(d, k)->text = cb_xstrdup(s);
}

/* Text of every text op on page p, concatenated. */
static char *page_text(const cb_layout *l, size_t p)
{
    cb_buf b = {0};
    cb_buf_add(&b, "", 0);
    for (size_t k = 0; k < l->pages[p].nops; k++)
        if (l->pages[p].ops[k].kind == CB_OP_TEXT) cb_buf_adds(&b, l->pages[p].ops[k].text);
    return b.s;
}

/* Every text op lies inside the page's text area (footer and header excepted). */
static int inside_margins(const cb_layout *l, cb_font *f)
{
    for (size_t p = 0; p < l->npages; p++)
        for (size_t k = 0; k < l->pages[p].nops; k++) {
            const cb_op *op = &l->pages[p].ops[k];
            if (op->kind != CB_OP_TEXT) continue;
            /* the footer and header sit in the margins by design */
            if (op->y < tpl.margin_bottom - 20 || op->y > tpl.page_h - tpl.margin_top + 10) continue;
            float w = cb_font_width(f, op->text, strlen(op->text), op->size);
            size_t n = 0;
            for (const char *c = op->text; *c; c++) n += ((unsigned char)*c & 0xC0) != 0x80;
            w += op->spacing * (float)(n ? n - 1 : 0);
            if (op->x < tpl.margin_left - 0.5f || op->x + w > tpl.page_w - tpl.margin_right + 0.5f) {
                fprintf(stderr, "outside: page %zu x=%g w=%g \"%s\"\n", p + 1, op->x, w, op->text);
                return 0;
            }
            if (op->y < tpl.margin_bottom - 1) {
                fprintf(stderr, "below bottom margin: page %zu y=%g \"%s\"\n", p + 1, op->y, op->text);
                return 0;
            }
        }
    return 1;
}

TEST(paragraph_flows_to_next_page)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    cb_buf b = {0};
    for (int i = 0; i < 120; i++) cb_buf_adds(&b, "对口支援精准发力，助推发展拾级而上（第一阶段）。");
    add_text(&d, CB_BLOCK_PARAGRAPH, b.s);
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    ASSERT(l.npages >= 2);
    ASSERT(inside_margins(&l, f));
    /* nothing lost: every character of the paragraph is on some page */
    size_t chars = 0;
    for (size_t p = 0; p < l.npages; p++)
        for (size_t k = 0; k < l.pages[p].nops; k++)
            if (l.pages[p].ops[k].kind == CB_OP_TEXT && l.pages[p].ops[k].size == tpl.body_size)
                chars += strlen(l.pages[p].ops[k].text);
    ASSERT_EQ_INT(chars, b.len);
    cb_buf_free(&b);
    cb_layout_free(&l);
    cb_doc_free(&d);
}

TEST(table_repeats_header_on_every_page)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    cb_block *t = cb_doc_add(&d, CB_BLOCK_TABLE);
    t->ncols = 3;
    t->nrows = 120;
    t->cols = cb_xcalloc(3, sizeof *t->cols);
    t->cols[0] = (cb_column){cb_xstrdup("项目名称"), 2, 'l'};
    t->cols[1] = (cb_column){cb_xstrdup("金额"), 1, 'r'};
    t->cols[2] = (cb_column){cb_xstrdup("年度"), 1, 'c'};
    t->cells = cb_xcalloc(360, sizeof *t->cells);
    for (int r = 0; r < 120; r++) {
        t->cells[r * 3] = cb_xasprintf("第%d号援建项目", r + 1);
        t->cells[r * 3 + 1] = cb_xasprintf("%d万元", (r + 1) * 10);
        t->cells[r * 3 + 2] = cb_xstrdup("2021");
    }
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    ASSERT(l.npages >= 3);
    for (size_t p = 0; p < l.npages; p++) {
        char *s = page_text(&l, p);
        ASSERT_CONTAINS(s, "项目名称金额年度");
        free(s);
    }
    /* every row appears exactly once */
    cb_buf all = {0};
    for (size_t p = 0; p < l.npages; p++) {
        char *s = page_text(&l, p);
        cb_buf_adds(&all, s);
        free(s);
    }
    for (int r = 1; r <= 120; r++) {
        char needle[64];
        snprintf(needle, sizeof needle, "第%d号援建项目", r);
        char *hit = strstr(all.s, needle);
        ASSERT(hit != NULL);
    }
    ASSERT(inside_margins(&l, f));
    cb_buf_free(&all);
    cb_layout_free(&l);
    cb_doc_free(&d);
}

/* A column narrower by its share than its widest run that a line does not break ("2000万元":
 * a number with its unit, wrap.c) gets that width from the columns with room to spare, as
 * CSS automatic table layout keeps every column at least its min-content width: the
 * amount is one line, not "2000万" over "元", while every column wraps in its share. */
TEST(a_column_is_never_narrower_than_its_widest_run)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    static const cb_column cols[] = {{"项目", 3, 'l'}, {"金额", 0.3f, 'r'}, {"成效与说明", 4, 'l'}};
    cb_block *t = cb_doc_add(&d, CB_BLOCK_TABLE);
    t->ncols = 3;
    t->nrows = 2;
    t->cols = cb_xcalloc(3, sizeof *t->cols);
    for (size_t c = 0; c < 3; c++) t->cols[c] = (cb_column){cb_xstrdup(cols[c].title), cols[c].width, cols[c].align};
    t->cells = cb_xcalloc(6, sizeof *t->cells);
    const char *long_text = "草堂镇柑子社区；集中供养贫困失能人员454名；释放劳动力800人以上；贫困户每年增收1000余元；"
                            "供养机制经四部委在全国推广";
    for (int r = 0; r < 2; r++) {
        t->cells[r * 3] = cb_xstrdup("三峡库区红豆杉快繁生产技术规模研究及示范项目基地建设工程");
        t->cells[r * 3 + 1] = cb_xstrdup(r ? "12.5亿元" : "2000万元");
        t->cells[r * 3 + 2] = cb_xstrdup(long_text);
    }
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    int whole = 0;
    for (size_t p = 0; p < l.npages; p++)
        for (size_t k = 0; k < l.pages[p].nops; k++) {
            const cb_op *op = &l.pages[p].ops[k];
            if (op->kind != CB_OP_TEXT) continue;
            whole += !strcmp(op->text, "2000万元") || !strcmp(op->text, "12.5亿元");
            ASSERT(strcmp(op->text, "元") != 0 && strcmp(op->text, "2000万") != 0);
        }
    ASSERT_EQ_INT(whole, 2);
    ASSERT(inside_margins(&l, f));
    cb_layout_free(&l);
    cb_doc_free(&d);
}

TEST(footer_and_bookmarks)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    cb_buf b = {0};
    for (int i = 0; i < 60; i++) cb_buf_adds(&b, "援建基础设施、改善民生、发展产业，培训人才。");
    cb_block *h = cb_doc_add(&d, CB_BLOCK_HEADING);
    h->text = cb_xstrdup("概况");
    h->level = 1;
    add_text(&d, CB_BLOCK_PARAGRAPH, b.s);
    h = cb_doc_add(&d, CB_BLOCK_HEADING);
    h->text = cb_xstrdup("项目");
    h->level = 2;
    add_text(&d, CB_BLOCK_PARAGRAPH, b.s);
    add_text(&d, CB_BLOCK_PARAGRAPH, b.s);
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    ASSERT(l.npages >= 2);
    for (size_t p = 0; p < l.npages; p++) {
        char want[64];
        snprintf(want, sizeof want, "第 %zu 页 / 共 %zu 页", p + 1, l.npages);
        char *s = page_text(&l, p);
        ASSERT_CONTAINS(s, want);
        free(s);
    }
    ASSERT_EQ_INT(l.nmarks, 2);
    ASSERT_EQ_STR(l.marks[0].title, "概况");
    ASSERT_EQ_INT(l.marks[0].level, 1);
    ASSERT_EQ_INT(l.marks[0].page, 0);
    ASSERT_EQ_INT(l.marks[1].level, 2);
    cb_buf_free(&b);
    cb_layout_free(&l);
    cb_doc_free(&d);
}

TEST(heading_keeps_with_next)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    /* fill the first page almost to the bottom, then a heading */
    cb_buf b = {0};
    for (int i = 0; i < 37; i++) cb_buf_adds(&b, "援建基础设施、改善民生、发展产业，培训人才。");
    add_text(&d, CB_BLOCK_PARAGRAPH, b.s);
    cb_block *h = cb_doc_add(&d, CB_BLOCK_HEADING);
    h->text = cb_xstrdup("下一节");
    h->level = 1;
    add_text(&d, CB_BLOCK_PARAGRAPH, "正文。");
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    ASSERT_EQ_INT(l.nmarks, 1);
    /* wherever the heading landed, its paragraph is on the same page */
    char *s = page_text(&l, l.marks[0].page);
    ASSERT_CONTAINS(s, "下一节");
    ASSERT_CONTAINS(s, "正文。");
    /* and a heading is never the last thing above the bottom margin */
    ASSERT(l.marks[0].y - tpl.h1_size * 1.45f - tpl.body_size * tpl.leading >= tpl.margin_bottom);
    free(s);
    cb_buf_free(&b);
    cb_layout_free(&l);
    cb_doc_free(&d);
}

TEST(heading_moves_with_a_table_that_cannot_start)
{
    cb_font *f = get_font();
    /* paragraphs of growing length push the heading down the page: wherever it lands, the
     * table's header (and rows, five lines tall each) must come right under it */
    for (int fill = 20; fill <= 80; fill += 2) {
        cb_doc d;
        cb_doc_init(&d);
        cb_buf b = {0};
        for (int i = 0; i < fill; i++) cb_buf_adds(&b, "援建基础设施、改善民生、发展产业，培训人才。");
        add_text(&d, CB_BLOCK_PARAGRAPH, b.s);
        cb_block *h = cb_doc_add(&d, CB_BLOCK_HEADING);
        h->text = cb_xstrdup("重点项目");
        h->level = 1;
        cb_block *t = cb_doc_add(&d, CB_BLOCK_TABLE);
        t->ncols = 1;
        t->nrows = 3;
        t->cols = cb_xcalloc(1, sizeof *t->cols);
        t->cols[0] = (cb_column){cb_xstrdup("项目名称"), 1, 'l'};
        t->cells = cb_xcalloc(3, sizeof *t->cells);
        for (int r = 0; r < 3; r++) t->cells[r] = cb_xstrdup("第一行\n第二行\n第三行\n第四行\n第五行");
        cb_layout l;
        cb_error err;
        ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
        ASSERT_EQ_INT(l.nmarks, 1);
        char *s = page_text(&l, l.marks[0].page);
        int together = strstr(s, "重点项目项目名称") != NULL;
        free(s);
        cb_buf_free(&b);
        cb_layout_free(&l);
        cb_doc_free(&d);
        if (!together) TEST_FAIL_("with %d sentences the heading is not followed by its table", fill);
    }
}

TEST(kpis_wrap_into_rows)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    cb_block *k = cb_doc_add(&d, CB_BLOCK_KPIS);
    k->nitems = 6;
    k->items = cb_xcalloc(6, sizeof *k->items);
    for (int i = 0; i < 6; i++) {
        k->items[i].value = cb_xstrdup(i == 0 ? "4.05亿元" : "2396余人次");
        k->items[i].label = cb_xstrdup("无偿援助资金");
    }
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    ASSERT_EQ_INT(l.npages, 1);
    /* six panels (rects of equal size) in two rows of three */
    float ys[8];
    int n = 0;
    for (size_t i = 0; i < l.pages[0].nops && n < 8; i++) {
        const cb_op *op = &l.pages[0].ops[i];
        if (op->kind == CB_OP_RECT && op->h > 40) ys[n++] = op->y;
    }
    ASSERT_EQ_INT(n, 6);
    ASSERT_NEAR(ys[0], ys[2], 0.01);
    ASSERT(ys[3] < ys[0] - 40);
    ASSERT(inside_margins(&l, f));
    cb_layout_free(&l);
    cb_doc_free(&d);
}

TEST(nice_ticks)
{
    double step;
    int steps;
    cb_nice_ticks(1800, 5, &step, &steps);
    ASSERT_NEAR(step, 500, 1e-9);
    ASSERT_EQ_INT(steps, 4);
    cb_nice_ticks(2000, 5, &step, &steps);
    ASSERT_NEAR(step, 500, 1e-9);
    ASSERT_EQ_INT(steps, 4);
    cb_nice_ticks(0.42, 5, &step, &steps);
    ASSERT_NEAR(step, 0.1, 1e-12);
    ASSERT_EQ_INT(steps, 5);
    cb_nice_ticks(8400, 5, &step, &steps);
    ASSERT_NEAR(step, 2000, 1e-9);
    ASSERT_EQ_INT(steps, 5);
    cb_nice_ticks(0, 5, &step, &steps);
    ASSERT_EQ_INT(steps, 1);
}

/* The six KPI rects (panels) of page 0, in order; returns how many. */
static int kpi_panels(const cb_layout *l, const cb_template *t, const cb_op **out, int max)
{
    int n = 0;
    for (size_t i = 0; i < l->pages[0].nops && n < max; i++) {
        const cb_op *op = &l->pages[0].ops[i];
        if (op->kind == CB_OP_RECT && op->h > 20 && op->color.r == t->panel.r && op->color.b == t->panel.b)
            out[n++] = op;
    }
    return n;
}

static cb_block *add_kpis(cb_doc *d, int n, const char *label)
{
    cb_block *k = cb_doc_add(d, CB_BLOCK_KPIS);
    k->nitems = (size_t)n;
    k->items = cb_xcalloc((size_t)n, sizeof *k->items);
    for (int i = 0; i < n; i++) {
        k->items[i].value = cb_xstrdup("2396余人次");
        k->items[i].label = cb_xstrdup(label);
    }
    return k;
}

TEST(kpis_scale_with_a_condensed_template)
{
    cb_font *f = get_font();
    cb_template small = tpl; /* the onepager's sizes and margins */
    small.body_size = 7.5f;
    small.small_size = 7;
    small.margin_left = small.margin_right = 28;
    cb_doc d;
    cb_doc_init(&d);
    add_kpis(&d, 6, "无偿援助资金");
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &small, f, &err), CB_OK);
    const cb_op *p[8];
    ASSERT_EQ_INT(kpi_panels(&l, &small, p, 8), 6);
    ASSERT_NEAR(p[0]->y, p[5]->y, 0.01);        /* one row of six */
    ASSERT_NEAR(p[0]->h, 60 * 7.5f / 10.5f, 0.01); /* 60 pt at 10.5 pt body, scaled */
    ASSERT_EQ_INT(l.nwarnings, 0);
    cb_layout_free(&l);
    cb_doc_free(&d);
}

TEST(kpi_label_too_wide_takes_two_lines)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    add_kpis(&d, 4, "安排接收大中专毕业生与外迁移民的总人数");
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    const cb_op *p[8];
    ASSERT_EQ_INT(kpi_panels(&l, &tpl, p, 8), 4);
    ASSERT(p[0]->h > 60.5f); /* taller by a line */
    ASSERT_EQ_INT(l.nwarnings, 0);
    int label_ops = 0;
    for (size_t i = 0; i < l.pages[0].nops; i++) {
        const cb_op *op = &l.pages[0].ops[i];
        if (op->kind == CB_OP_TEXT && op->color.r == tpl.muted.r && op->x < p[0]->x + p[0]->w) label_ops++;
    }
    ASSERT_EQ_INT(label_ops, 2);
    ASSERT(inside_margins(&l, f));
    cb_layout_free(&l);
    cb_doc_free(&d);
}

TEST(notes_title_wraps)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    cb_block *n = cb_doc_add(&d, CB_BLOCK_NOTES);
    n->text = cb_xstrdup("Sources (parts of the newspaper feature; amounts in yuan, CNY; English names of "
                         "places: the usual pinyin forms, not from the feature)");
    n->nitems = 1;
    n->items = cb_xcalloc(1, sizeof *n->items);
    n->items[0].label = cb_xstrdup("忠县篇·开篇");
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    ASSERT(inside_margins(&l, f));
    char *text = page_text(&l, 0);
    ASSERT_CONTAINS(text, "feature)忠县篇"); /* the whole title, then the note */
    free(text);
    cb_layout_free(&l);
    cb_doc_free(&d);
}

TEST(english_lines_justified_between_words)
{
    cb_font *f = get_font();
    cb_template en = tpl;
    snprintf(en.lang, sizeof en.lang, "en");
    cb_doc d;
    cb_doc_init(&d);
    add_text(&d, CB_BLOCK_PARAGRAPH, "Zhong County is in Chongqing. Shandong Province and Shenyang City have "
             "supported Zhong County under the counterpart support programme for 29 years. In total the "
             "county has received CNY 405 million in aid for 468 projects.");
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &en, f, &err), CB_OK);
    ASSERT(inside_margins(&l, f));
    /* the first line: a word per op, no letter spacing, ending at the right margin */
    float right = en.page_w - en.margin_right, first_y = 0, first_end = 0;
    int words = 0;
    for (size_t i = 0; i < l.pages[0].nops; i++) {
        const cb_op *op = &l.pages[0].ops[i];
        if (op->kind != CB_OP_TEXT || op->size != en.body_size) continue;
        ASSERT(op->spacing == 0);
        if (!words) first_y = op->y;
        if (op->y != first_y) continue;
        words++;
        ASSERT(strchr(op->text, ' ') == NULL);
        first_end = op->x + cb_font_width(f, op->text, strlen(op->text), op->size);
    }
    ASSERT(words > 8);
    ASSERT_NEAR(first_end, right, 0.05);
    cb_layout_free(&l);
    cb_doc_free(&d);
}

/* The rules below checked at every height on the page and at exact multiples, where a
 * check at one position lets an off-by-one through (tests/mutation/). */
TEST(ticks_at_an_exact_multiple)
{
    /* a maximum the step divides exactly ends on the last tick, not one past it */
    static const struct { double max, step; int steps; } cases[] = {
        {100, 20, 5}, {50, 10, 5}, {5, 1, 5}, {250, 50, 5}, {1000, 200, 5}, {0.5, 0.1, 5}, {2, 0.5, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double step;
        int steps;
        cb_nice_ticks(cases[i].max, 5, &step, &steps);
        ASSERT_NEAR(step, cases[i].step, 1e-12);
        ASSERT_EQ_INT(steps, cases[i].steps);
    }
}

/* d: a new document opening with a paragraph of n sentences (about half a line each),
 * which pushes what is added after it down the page as n grows. */
static void filled_doc(cb_doc *d, int n)
{
    cb_buf b = {0};
    for (int i = 0; i < n; i++) cb_buf_adds(&b, "援建基础设施、改善民生、发展产业，培训人才。");
    cb_doc_init(d);
    add_text(d, CB_BLOCK_PARAGRAPH, b.s);
    cb_buf_free(&b);
}

TEST(table_header_never_alone_with_one_row)
{
    cb_font *f = get_font();
    for (int n = 1; n <= 100; n++) {
        cb_doc d;
        filled_doc(&d, n);
        cb_block *t = cb_doc_add(&d, CB_BLOCK_TABLE);
        t->ncols = 1;
        t->nrows = 6;
        t->cols = cb_xcalloc(1, sizeof *t->cols);
        t->cols[0] = (cb_column){cb_xstrdup("表头"), 1, 'l'};
        t->cells = cb_xcalloc(6, sizeof *t->cells);
        for (int r = 0; r < 6; r++) t->cells[r] = cb_xasprintf("第%d行", r + 1);
        cb_layout l;
        cb_error err;
        int rc = cb_layout_run(&l, &d, &tpl, f, &err), alone = 0;
        /* the page where the table starts holds its first two rows */
        for (size_t p = 0; rc == CB_OK && p < l.npages; p++) {
            char *s = page_text(&l, p);
            char *head = strstr(s, "表头");
            int first = head && strstr(head, "第1行") && !strstr(s, "第2行");
            free(s);
            if (head) {
                alone = first;
                break;
            }
        }
        if (rc == CB_OK) cb_layout_free(&l);
        cb_doc_free(&d);
        if (rc != CB_OK || alone)
            TEST_FAIL_("after %d sentences: %s", n, rc != CB_OK ? err.msg : "the header starts a page with one row under it");
    }
}

TEST(heading_keeps_two_lines_below_it_wherever_it_falls)
{
    cb_font *f = get_font();
    const float lh = tpl.h1_size * 1.45f, body = tpl.body_size * tpl.leading;
    cb_buf para = {0};
    for (int i = 0; i < 12; i++) cb_buf_adds(&para, "援建基础设施、改善民生、发展产业，培训人才。");
    /* a heading followed by a long paragraph, pushed down the page a sentence at a time,
     * so that it falls at every height near the bottom margin */
    for (int n = 1; n <= 100; n++) {
        cb_doc d;
        filled_doc(&d, n);
        cb_block *h = cb_doc_add(&d, CB_BLOCK_HEADING);
        h->text = cb_xstrdup("下一节");
        h->level = 1;
        cb_doc_add(&d, CB_BLOCK_PARAGRAPH)->text = cb_xstrdup(para.s);
        cb_layout l;
        cb_error err;
        int rc = cb_layout_run(&l, &d, &tpl, f, &err);
        /* the paragraph's own rule (2 lines at a page's foot), not one of the heading's */
        float room = rc == CB_OK && l.nmarks == 1 ? l.marks[0].y - lh - 2 * body - tpl.margin_bottom : -1;
        if (rc == CB_OK) cb_layout_free(&l);
        cb_doc_free(&d);
        if (room < -0.01f) {
            cb_buf_free(&para);
            TEST_FAIL_("after %d sentences: the heading has %.1f pt too little room for two lines "
                       "under it", n, (double)-room);
        }
    }
    cb_buf_free(&para);
}

/* How many text ops (lines, for one-font text) on each page hold `mark`. */
static void ops_per_page(const cb_layout *l, const char *mark, size_t *per)
{
    for (size_t p = 0; p < l->npages; p++) {
        per[p] = 0;
        for (size_t k = 0; k < l->pages[p].nops; k++)
            per[p] += l->pages[p].ops[k].kind == CB_OP_TEXT && strstr(l->pages[p].ops[k].text, mark);
    }
}

/* A paragraph of five lines and a notes item of three, pushed down the page half a line at
 * a time: where they part across pages, neither leaves one line alone at the foot (orphan)
 * nor carries one alone to the top (widow). */
TEST(no_line_alone_at_a_page_foot_or_top)
{
    cb_font *f = get_font();
    cb_buf para = {0}, note = {0};
    for (int i = 0; i < 44 + 46 * 3 + 10; i++) cb_buf_adds(&para, "测");
    for (int i = 0; i < 140; i++) cb_buf_adds(&note, "注");
    for (int n = 1; n <= 100; n++) {
        cb_doc d;
        filled_doc(&d, n);
        add_text(&d, CB_BLOCK_PARAGRAPH, para.s);
        cb_block *notes = cb_doc_add(&d, CB_BLOCK_NOTES);
        notes->nitems = 1;
        notes->items = cb_xcalloc(1, sizeof *notes->items);
        notes->items[0].label = cb_xstrdup(note.s);
        cb_layout l;
        cb_error err;
        ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
        size_t per[16] = {0}, per_note[16] = {0};
        ASSERT(l.npages <= 16);
        ops_per_page(&l, "测", per);
        ops_per_page(&l, "注", per_note);
        for (size_t p = 0; p < l.npages; p++)
            if (per[p] == 1 || per_note[p] == 1)
                TEST_FAIL_("after %d sentences, page %zu holds one line alone (paragraph %zu, note %zu)", n,
                           p + 1, per[p], per_note[p]);
        cb_layout_free(&l);
        cb_doc_free(&d);
    }
    cb_buf_free(&para);
    cb_buf_free(&note);
}

/* d's table of nrows rows (cells "第N行") under the header "表头" (none for 0), then notes
 * of one item (the text `note`) when note is not NULL. */
static void add_table_notes(cb_doc *d, int nrows, const char *note)
{
    if (nrows > 0) {
        cb_block *t = cb_doc_add(d, CB_BLOCK_TABLE);
        t->ncols = 1;
        t->nrows = (size_t)nrows;
        t->cols = cb_xcalloc(1, sizeof *t->cols);
        t->cols[0] = (cb_column){cb_xstrdup("表头"), 1, 'l'};
        t->cells = cb_xcalloc((size_t)nrows, sizeof *t->cells);
        for (int r = 0; r < nrows; r++) t->cells[r] = cb_xasprintf("第%d行", r + 1);
    }
    if (!note) return;
    cb_block *notes = cb_doc_add(d, CB_BLOCK_NOTES);
    notes->nitems = 1;
    notes->items = cb_xcalloc(1, sizeof *notes->items);
    notes->items[0].label = cb_xstrdup(note);
}

/* The row parts on each page of l: the rules (0.4 pt lines) that end each row or part of
 * a row broken between its lines. */
static void parts_per_page(const cb_layout *l, size_t *per)
{
    for (size_t p = 0; p < l->npages; p++) {
        per[p] = 0;
        for (size_t k = 0; k < l->pages[p].nops; k++)
            per[p] += l->pages[p].ops[k].kind == CB_OP_LINE && fabsf(l->pages[p].ops[k].size - 0.4f) < 0.01f;
    }
}

/* Tables of 4 to 14 rows pushed down the page half a line at a time, their rows of one
 * line, or (tall) of 1 to 5 lines: one that cannot leave 3 rows on each side of a split
 * never splits; a longer one leaves at least 3 rows (a row broken between its lines
 * counting on both sides) on each side of every split, the header over each part
 * (docs/templates.md, "Page breaks"). The old rule let a table start with one tall row. */
TEST(table_splits_leave_three_rows_on_each_side)
{
    cb_font *f = get_font();
    static const int sizes[] = {4, 5, 6, 7, 9, 14};
    for (int tall = 0; tall <= 1; tall++)
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
            for (int n = 1; n <= 100; n++) {
                cb_doc d;
                filled_doc(&d, n);
                add_table_notes(&d, sizes[k], NULL);
                cb_block *t = &d.blocks[d.nblocks - 1];
                if (tall) /* row r of (r * 2) % 5 + 1 lines: 1, 3, 5, 2, 4, 1, ... */
                    for (int r = 0; r < sizes[k]; r++) {
                        cb_buf b = {0};
                        cb_buf_adds(&b, t->cells[r]);
                        for (int i = 0; i < (r * 2) % 5 * 60; i++) cb_buf_adds(&b, "甲");
                        free(t->cells[r]);
                        t->cells[r] = cb_xstrdup(b.s);
                        cb_buf_free(&b);
                    }
                cb_layout l;
                cb_error err;
                ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
                size_t rows[16] = {0}, heads[16] = {0}, parts = 0, first = 0, last = 0;
                ASSERT(l.npages <= 16);
                parts_per_page(&l, rows);
                ops_per_page(&l, "表头", heads);
                for (size_t p = 0; p < l.npages; p++) {
                    if (!rows[p]) continue;
                    if (!parts++) first = rows[p];
                    last = rows[p];
                    if (!heads[p])
                        TEST_FAIL_("%d rows%s after %d sentences: page %zu has no header", sizes[k],
                                   tall ? " (tall)" : "", n, p + 1);
                }
                if (parts > 1 && (first < 3 || last < 3 || (!tall && sizes[k] < 6)))
                    TEST_FAIL_("%d rows%s after %d sentences: split %zu + ... + %zu over %zu pages", sizes[k],
                               tall ? " (tall)" : "", n, first, last, parts);
                cb_layout_free(&l);
                cb_doc_free(&d);
            }
}

/* Notes ending the document, after a paragraph or a table pushed down the page: the last
 * page never holds the notes alone; the end of the block before them goes over too. */
TEST(trailing_notes_never_alone_on_the_last_page)
{
    cb_font *f = get_font();
    cb_buf para = {0}, note = {0};
    for (int i = 0; i < 44 + 46 * 4 + 10; i++) cb_buf_adds(&para, "测");
    for (int i = 0; i < 100; i++) cb_buf_adds(&note, "注");
    for (int table = 0; table <= 2; table++)
        for (int n = 1; n <= 100; n++) {
            cb_doc d;
            filled_doc(&d, n);
            if (!table) add_text(&d, CB_BLOCK_PARAGRAPH, para.s);
            add_table_notes(&d, table == 0 ? 0 : table == 1 ? 5 : 12, note.s);
            cb_layout l;
            cb_error err;
            ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
            size_t body[16] = {0};
            ASSERT(l.npages <= 16);
            ops_per_page(&l, table ? "行" : "测", body);
            if (!body[l.npages - 1])
                TEST_FAIL_("%s after %d sentences: the notes are alone on page %zu",
                           table ? table == 1 ? "a table of 5 rows" : "a table of 12 rows" : "a paragraph", n,
                           l.npages);
            cb_layout_free(&l);
            cb_doc_free(&d);
        }
    cb_buf_free(&para);
    cb_buf_free(&note);
}

/* page.fit = 1: a document a little over a page is set on one with smaller type; one far
 * over keeps its pages and says so. */
TEST(page_fit_sets_smaller_type_or_warns)
{
    cb_font *f = get_font();
    cb_template one = tpl;
    one.fit = 1;
    for (int over = 0; over <= 1; over++) {
        cb_doc d;
        filled_doc(&d, over ? 400 : 85); /* about 1.1 pages, or 5 */
        cb_layout l;
        cb_error err;
        ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
        ASSERT(l.npages >= 2);
        cb_layout_free(&l);
        ASSERT_EQ_INT(cb_layout_run(&l, &d, &one, f, &err), CB_OK);
        if (over) {
            ASSERT(l.npages >= 2 && l.nwarnings == 1);
            ASSERT_CONTAINS(l.warnings[0], "more than the template's page.fit of 1, even with its type at 80%");
        } else {
            ASSERT(l.npages == 1 && l.nwarnings == 0);
            float size = 0;
            for (size_t k = 0; k < l.pages[0].nops; k++)
                if (l.pages[0].ops[k].kind == CB_OP_TEXT && strstr(l.pages[0].ops[k].text, "援建"))
                    size = l.pages[0].ops[k].size;
            ASSERT(size < tpl.body_size && size >= tpl.body_size * 0.8f - 0.01f);
        }
        cb_layout_free(&l);
        cb_doc_free(&d);
    }
}

/* Paragraphs of one line each, page after page: each goes on the next page when the page
 * is full (neither an orphan nor a widow, so no rule holds it), none below the margin. */
TEST(one_line_paragraphs_flow_to_next_page)
{
    cb_font *f = get_font();
    cb_doc d;
    cb_doc_init(&d);
    for (int i = 0; i < 120; i++) add_text(&d, CB_BLOCK_PARAGRAPH, "文字文字文字文字。");
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
    ASSERT(l.npages >= 3);
    ASSERT(inside_margins(&l, f));
    cb_layout_free(&l);
    cb_doc_free(&d);
}

/* A heading right over a heading over a table: wherever they fall, both headings stay with
 * the table's header (the lower one moving for its table takes the upper one along). */
TEST(heading_over_heading_keeps_with_the_table)
{
    cb_font *f = get_font();
    for (int n = 1; n <= 100; n++) {
        cb_doc d;
        filled_doc(&d, n);
        cb_block *h = cb_doc_add(&d, CB_BLOCK_HEADING);
        h->text = cb_xstrdup("上节");
        h->level = 1;
        h = cb_doc_add(&d, CB_BLOCK_HEADING);
        h->text = cb_xstrdup("下节");
        h->level = 2;
        cb_block *t = cb_doc_add(&d, CB_BLOCK_TABLE);
        t->ncols = 1;
        t->nrows = 3;
        t->cols = cb_xcalloc(1, sizeof *t->cols);
        t->cols[0] = (cb_column){cb_xstrdup("表头"), 1, 'l'};
        t->cells = cb_xcalloc(3, sizeof *t->cells);
        for (int r = 0; r < 3; r++) t->cells[r] = cb_xasprintf("第%d行", r + 1);
        cb_layout l;
        cb_error err;
        ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, f, &err), CB_OK);
        ASSERT_EQ_INT(l.nmarks, 2);
        char *s = page_text(&l, l.marks[1].page);
        int together = l.marks[0].page == l.marks[1].page && strstr(s, "上节下节表头第1行");
        free(s);
        cb_layout_free(&l);
        cb_doc_free(&d);
        if (!together) TEST_FAIL_("after %d sentences the headings part from their table", n);
    }
}

/* ------------------------------------------------------------------ structure */

/* The display list's structure (layout.h: cb_node, cb_op.node), what a tagged PDF or
 * another output format is written from: a document with every built-in block, a plugin
 * block, a table long enough to split across pages, a cover, header, footer and watermark. */

/* a plugin block: a box, as chart.pie draws shapes and text on its canvas */
static float box_measure(void *s, const cb_host_api *api, const cb_canvas *c, float w)
{
    (void)s, (void)api, (void)c, (void)w;
    return 40;
}
static void box_draw(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s, (void)api;
    cb_canvas_rect(c, 0, 0, w, h);
    cb_canvas_fill(c);
    cb_canvas_text(c, 4, 4, 9, 0, "图例");
}
static const cb_block_type box_type = {CB_BLOCK_TYPE_VERSION, "test.box", NULL, box_measure, box_draw, NULL, NULL};
/* a plugin block with a caption (ABI 1.4), as chart.bar (doc:barchart) has its title */
static void captioned_draw(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s, (void)api;
    cb_canvas_describe(c, CB_BLOCK_ROLE_FIGURE, "各镇投资（单位：万元）：城关镇 120；石宝镇 45.5");
    cb_canvas_caption(c, 0, h, 20, 10.5f, "各镇投资");
    cb_canvas_rect(c, 0, 0, w / 2, 10);
    cb_canvas_fill(c);
    cb_canvas_text(c, 4, 4, 9, 0, "城关镇");
}
static const cb_block_type captioned_type = {CB_BLOCK_TYPE_VERSION, "test.captioned", NULL, box_measure,
                                             captioned_draw, NULL, NULL};

static cb_block *add_block(cb_doc *d, cb_block_kind k, const char *text)
{
    cb_block *b = cb_doc_add(d, k);
    if (text) b->text = cb_xstrdup(text);
    return b;
}

static void items(cb_block *b, size_t n, const char *const *label, const char *const *value, const double *num)
{
    b->nitems = n;
    b->items = cb_xcalloc(n, sizeof *b->items);
    for (size_t i = 0; i < n; i++)
        b->items[i] = (cb_item){cb_xstrdup(label[i]), value && value[i] ? cb_xstrdup(value[i]) : NULL, NULL,
                                num ? num[i] : 0};
}

#define NROWS 80
#define NCOLS 3

static void build(cb_doc *d)
{
    cb_doc_init(d);
    d->title = cb_xstrdup("结构测试");
    add_block(d, CB_BLOCK_TITLE, "结构测试")->subtitle = cb_xstrdup("忠县");
    items(add_block(d, CB_BLOCK_KPIS, NULL), 2, (const char *[]){"项目数", "总投资"}, (const char *[]){"12个", "4.05亿元"},
          NULL);
    add_block(d, CB_BLOCK_HEADING, "一、概况")->level = 1;
    add_block(d, CB_BLOCK_PARAGRAPH, "援建基础设施、改善民生、发展产业，培训人才。");
    add_block(d, CB_BLOCK_HEADING, "（一）分镇")->level = 2;
    cb_block *t = add_block(d, CB_BLOCK_TABLE, NULL);
    static const char *const cols[NCOLS] = {"序号", "项目", "投资额"};
    t->ncols = NCOLS;
    t->nrows = NROWS;
    t->cols = cb_xcalloc(NCOLS, sizeof *t->cols);
    for (int c = 0; c < NCOLS; c++) t->cols[c] = (cb_column){cb_xstrdup(cols[c]), 1, c == 2 ? 'r' : 'l'};
    t->cells = cb_xcalloc(NROWS * NCOLS, sizeof *t->cells);
    for (int r = 0; r < NROWS; r++) {
        t->cells[r * NCOLS] = cb_xasprintf("R%03d", r + 1);
        t->cells[r * NCOLS + 1] = cb_xasprintf("第%d号工程", r + 1);
        t->cells[r * NCOLS + 2] = cb_xasprintf("%d万元", 10 * (r + 1));
    }
    add_block(d, CB_BLOCK_HEADING, "二、资金")->level = 1;
    add_block(d, CB_BLOCK_PLUGIN, NULL)->ptype = &captioned_type;
    items(add_block(d, CB_BLOCK_PROGRESS, NULL), 2, (const char *[]){"道路", "学校"}, (const char *[]){"80%", NULL},
          (const double[]){0.8, 0.5});
    cb_block *p = add_block(d, CB_BLOCK_PLUGIN, NULL);
    p->ptype = &box_type;
    items(add_block(d, CB_BLOCK_NOTES, "注："), 2, (const char *[]){"数据来源：统计局。", "单位：万元。"}, NULL, NULL);
}

/* The sample laid out once with the briefing template, with a cover and a watermark. */
static const cb_layout *sample(void)
{
    static cb_layout l;
    static int done;
    static cb_template t;
    if (done) return done > 0 ? &l : NULL;
    cb_doc d;
    cb_error err;
    cb_font *f = get_font();
    t = tpl; /* a shallow copy: tpl lives as long as the process */
    t.cover = 1;
    t.watermark = "样稿";
    build(&d);
    done = cb_layout_run(&l, &d, &t, f, &err) == CB_OK ? 1 : -1;
    if (done < 0) fprintf(stderr, "layout: %s\n", err.msg);
    cb_doc_free(&d); /* the layout keeps nothing of the document's */
    return done > 0 ? &l : NULL;
}

/* The text of node n's text ops, in order, over all pages. */
static char *node_text(const cb_layout *l, uint32_t n)
{
    cb_buf b = {0};
    cb_buf_add(&b, "", 0);
    for (size_t p = 0; p < l->npages; p++)
        for (size_t k = 0; k < l->pages[p].nops; k++)
            if (l->pages[p].ops[k].node == n && l->pages[p].ops[k].kind == CB_OP_TEXT)
                cb_buf_adds(&b, l->pages[p].ops[k].text);
    return b.s;
}

static size_t nodes_of(const cb_layout *l, cb_role role, uint32_t *first)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nnodes; i++)
        if (l->nodes[i].role == role && !n++ && first) *first = (uint32_t)i;
    return n;
}

static size_t children(const cb_layout *l, uint32_t parent, cb_role role)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nnodes; i++) n += l->nodes[i].parent == parent && l->nodes[i].role == role;
    return n;
}

TEST(every_op_has_a_role_in_the_tree)
{
    const cb_layout *lp = sample();
    ASSERT(lp);
    const cb_layout l = *lp;
    ASSERT(l.nnodes > CB_NODE_FIRST);
    ASSERT_EQ_INT(l.nodes[0].role, CB_ROLE_DOCUMENT);
    ASSERT_EQ_STR(l.lang, "zh");
    ASSERT_EQ_STR(l.info.title, "结构测试");
    for (int k = CB_ART_HEADER; k <= CB_ART_REPEATED; k++) {
        ASSERT_EQ_INT(l.nodes[k].role, CB_ROLE_ARTIFACT);
        ASSERT_EQ_INT(l.nodes[k].level, k);
    }
    /* parents come first (document order); content descends from the document */
    for (size_t i = CB_NODE_FIRST; i < l.nnodes; i++) {
        uint32_t up = l.nodes[i].parent;
        ASSERT(up < i && !CB_NODE_IS_ARTIFACT(up));
        while (up != CB_NODE_DOCUMENT) up = l.nodes[up].parent;
    }
    /* every op is of a leaf: content or an artifact, never a container */
    for (size_t p = 0; p < l.npages; p++)
        for (size_t k = 0; k < l.pages[p].nops; k++) {
            uint32_t n = l.pages[p].ops[k].node;
            ASSERT(n < l.nnodes);
            cb_role r = l.nodes[n].role;
            if (r == CB_ROLE_DOCUMENT || r == CB_ROLE_SECTION || r == CB_ROLE_TABLE || r == CB_ROLE_ROW ||
                r == CB_ROLE_LIST)
                TEST_FAIL_("page %zu op %zu (kind %d) belongs to a container (role %d)", p + 1, k, l.pages[p].ops[k].kind,
                           (int)r);
        }
}

TEST(headings_match_the_outline_in_sections)
{
    const cb_layout *lp = sample();
    ASSERT(lp);
    const cb_layout l = *lp;
    ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_HEADING, NULL), l.nmarks);
    size_t m = 0;
    for (uint32_t i = 0; i < l.nnodes; i++) {
        if (l.nodes[i].role != CB_ROLE_HEADING) continue;
        ASSERT(m < l.nmarks);
        ASSERT_EQ_INT(l.nodes[i].level, l.marks[m].level);
        char *s = node_text(&l, i);
        ASSERT_EQ_STR(s, l.marks[m].title);
        free(s);
        /* in a section of its level; a level-2 section in the level-1 one before it */
        const cb_node *sect = &l.nodes[l.nodes[i].parent];
        ASSERT_EQ_INT(sect->role, CB_ROLE_SECTION);
        ASSERT_EQ_INT(sect->level, l.marks[m].level);
        if (sect->level == 2) ASSERT_EQ_INT(l.nodes[sect->parent].level, 1);
        m++;
    }
    /* the title block's title and the cover's */
    ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_TITLE, NULL), 2);
}

TEST(a_table_split_across_pages_is_one_table)
{
    const cb_layout *lp = sample();
    ASSERT(lp);
    const cb_layout l = *lp;
    uint32_t table = 0;
    ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_TABLE, &table), 1);
    ASSERT_EQ_INT(children(&l, table, CB_ROLE_ROW), NROWS + 1);
    /* its cells' ops are on more than one page */
    size_t first_page = l.npages, last_page = 0;
    for (size_t p = 0; p < l.npages; p++)
        for (size_t k = 0; k < l.pages[p].nops; k++) {
            uint32_t n = l.pages[p].ops[k].node;
            if (l.nodes[n].role != CB_ROLE_DATA_CELL) continue;
            if (p < first_page) first_page = p;
            last_page = p;
        }
    ASSERT(last_page > first_page);
    /* row 1: the header cells with the columns' titles; then NROWS rows of data cells */
    size_t row = 0, th = 0, td = 0;
    static const char *const cols[NCOLS] = {"序号", "项目", "投资额"};
    for (uint32_t i = 0; i < l.nnodes; i++) {
        if (l.nodes[i].role == CB_ROLE_ROW) row++;
        if (l.nodes[i].role != CB_ROLE_HEADER_CELL && l.nodes[i].role != CB_ROLE_DATA_CELL) continue;
        ASSERT_EQ_INT(l.nodes[l.nodes[i].parent].parent, table);
        char *s = node_text(&l, i), *want;
        if (row == 1) {
            ASSERT_EQ_INT(l.nodes[i].role, CB_ROLE_HEADER_CELL);
            want = cb_xstrdup(cols[th++]);
        } else {
            ASSERT_EQ_INT(l.nodes[i].role, CB_ROLE_DATA_CELL);
            want = td % NCOLS == 0 ? cb_xasprintf("R%03zu", row - 1) : cb_xstrdup(s);
            td++;
        }
        ASSERT_EQ_STR(s, want);
        free(s);
        free(want);
    }
    ASSERT_EQ_INT(th, NCOLS);
    ASSERT_EQ_INT(td, NROWS * NCOLS);
    /* the header row repeated on the later pages is an artifact */
    char *rep = node_text(&l, CB_ART_REPEATED);
    ASSERT_CONTAINS(rep, "序号项目投资额");
    free(rep);
}

/* A plugin block of version 2 that splits (plugin.h, "Blocks across pages"): rows of 20
 * points, split between rows; every state it makes is counted until destroyed. */
typedef struct rows { int first, count; } rows;
static int rows_alive;
static rows *rows_new(int first, int count)
{
    rows *r = cb_xcalloc(1, sizeof *r);
    *r = (rows){first, count};
    rows_alive++;
    return r;
}
static void rows_destroy(void *s)
{
    free(s);
    rows_alive--;
}
static float rows_measure(void *s, const cb_host_api *api, const cb_canvas *c, float w)
{
    (void)api, (void)c, (void)w;
    return 20.0f * (float)((rows *)s)->count;
}
static void rows_draw(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)api, (void)w;
    const rows *r = s;
    for (int i = 0; i < r->count; i++) {
        char buf[16];
        snprintf(buf, sizeof buf, "X%03d", r->first + i);
        cb_canvas_text(c, 4, h - 20.0f * (float)(i + 1) + 6, 9, 0, buf);
    }
}
static int rows_lie; /* 1: split gives a head as tall as the whole; 2: a rest as tall */
static int rows_split(const void *s, const cb_host_api *api, const cb_canvas *c, float w, float avail, void **head,
                      void **rest)
{
    (void)api, (void)c, (void)w;
    const rows *r = s;
    if (rows_lie) {
        *head = rows_new(r->first, rows_lie == 1 ? r->count : 1);
        *rest = rows_new(r->first, r->count);
        return 1;
    }
    int k = (int)(avail / 20);
    if (k < 1 || k >= r->count) return 0;
    *head = rows_new(r->first, k);
    *rest = rows_new(r->first + k, r->count - k);
    return 1;
}
static const cb_block_type rows_type = {CB_BLOCK_TYPE_VERSION, "test.rows", NULL, rows_measure, rows_draw,
                                        rows_destroy, rows_split};

TEST(a_plugin_block_splits_across_pages_as_one_figure)
{
    enum { N = 90 }; /* 1800 points: three pages at least */
    cb_doc d;
    cb_doc_init(&d);
    add_block(&d, CB_BLOCK_PARAGRAPH, "前言。");
    cb_block *p = add_block(&d, CB_BLOCK_PLUGIN, NULL);
    p->ptype = &rows_type;
    p->pstate = rows_new(1, N);
    add_block(&d, CB_BLOCK_PARAGRAPH, "后记。");
    cb_layout l;
    cb_error err;
    ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, get_font(), &err), CB_OK);
    uint32_t fig = 0;
    ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_FIGURE, &fig), 1);
    ASSERT_EQ_INT(strncmp(l.nodes[fig].alt, "test.rows：X001 X002 ", strlen("test.rows：X001 X002 ")), 0); /* its name, its text */
    /* every row once, in order, over more than one page, all of the one figure */
    int next = 1;
    size_t first_page = l.npages, last_page = 0;
    for (size_t pg = 0; pg < l.npages; pg++)
        for (size_t k = 0; k < l.pages[pg].nops; k++) {
            const cb_op *op = &l.pages[pg].ops[k];
            if (op->kind != CB_OP_TEXT || op->text[0] != 'X') continue;
            ASSERT_EQ_INT(op->node, fig);
            ASSERT_EQ_INT(atoi(op->text + 1), next);
            next++;
            if (pg < first_page) first_page = pg;
            last_page = pg;
        }
    ASSERT_EQ_INT(next, N + 1);
    ASSERT(last_page >= first_page + 2);
    char *after = node_text(&l, fig + 1);
    ASSERT_EQ_STR(after, "后记。");
    free(after);
    cb_layout_free(&l);
    cb_doc_free(&d);
    ASSERT_EQ_INT(rows_alive, 0); /* every head and rest destroyed, the block's own state too */
}

/* A plugin block says what it is (plugin.h, ABI 1.3: describe): a figure with its own
 * alternative text, a paragraph, or an artifact (what it drew before saying so too); one
 * that says nothing, or gives a figure no text, keeps the fallback: its type's name and the
 * text it drew. */
static int said_role;
static const char *said_alt;
static void said_draw(void *s, const cb_host_api *api, cb_canvas *c, float w, float h)
{
    (void)s, (void)w, (void)h;
    cb_canvas_text(c, 4, 4, 9, 0, "甲乙");
    api->describe(c, said_role, said_alt);
    cb_canvas_rect(c, 0, 0, 10, 10);
    cb_canvas_fill(c);
}
static const cb_block_type said_type = {CB_BLOCK_TYPE_VERSION, "test.said", NULL, box_measure, said_draw, NULL, NULL};

TEST(a_plugin_block_says_what_it_is)
{
    static const struct {
        int role;
        const char *alt;
        cb_role want;
        const char *want_alt;
    } cases[] = {
        {CB_BLOCK_ROLE_FIGURE, "饼图：甲 1，占100%", CB_ROLE_FIGURE, "饼图：甲 1，占100%"},
        {CB_BLOCK_ROLE_FIGURE, NULL, CB_ROLE_FIGURE, "test.said：甲乙"},
        {CB_BLOCK_ROLE_PARAGRAPH, NULL, CB_ROLE_PARAGRAPH, NULL},
        {CB_BLOCK_ROLE_ARTIFACT, NULL, CB_ROLE_ARTIFACT, NULL},
        {99, "?", CB_ROLE_FIGURE, "test.said：甲乙"}, /* an unknown role: ignored */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        said_role = cases[i].role;
        said_alt = cases[i].alt;
        cb_doc d;
        cb_doc_init(&d);
        add_block(&d, CB_BLOCK_PARAGRAPH, "前言。");
        add_block(&d, CB_BLOCK_PLUGIN, NULL)->ptype = &said_type;
        add_block(&d, CB_BLOCK_PARAGRAPH, "后记。");
        d.blocks[1].papi = cb_host_api_get();
        cb_layout l;
        cb_error err;
        ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, get_font(), &err), CB_OK);
        /* the block's two operations: the text and the box, of one node */
        uint32_t node = CB_NODE_NONE;
        size_t n = 0;
        for (size_t k = 0; k < l.pages[0].nops; k++) {
            const cb_op *op = &l.pages[0].ops[k];
            if ((op->kind == CB_OP_TEXT && !strcmp(op->text, "甲乙")) || op->kind == CB_OP_PATH) {
                if (n++) ASSERT_EQ_INT(op->node, node);
                node = op->node;
            }
        }
        ASSERT_EQ_INT(n, 2);
        if (cases[i].want == CB_ROLE_ARTIFACT) {
            ASSERT_EQ_INT(node, CB_ART_DECORATION);
            ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_FIGURE, NULL), 1); /* made, and left empty: no element */
        } else {
            ASSERT_EQ_INT(l.nodes[node].role, cases[i].want);
            if (cases[i].want_alt) ASSERT_EQ_STR(l.nodes[node].alt, cases[i].want_alt);
            else ASSERT(!l.nodes[node].alt);
        }
        cb_layout_free(&l);
        cb_doc_free(&d);
    }
}

/* A split that makes no progress (a head taller than the room, a rest as tall as the
 * whole) is refused: the block is cut to one page as a block without split, nothing
 * doubled, every state it made destroyed. */
TEST(a_split_without_progress_moves_the_block_whole)
{
    for (rows_lie = 1; rows_lie <= 2; rows_lie++) {
        cb_doc d;
        cb_doc_init(&d);
        add_block(&d, CB_BLOCK_PARAGRAPH, "前言。");
        cb_block *p = add_block(&d, CB_BLOCK_PLUGIN, NULL);
        p->ptype = &rows_type;
        p->pstate = rows_new(1, 90);
        cb_layout l;
        cb_error err;
        ASSERT_EQ_INT(cb_layout_run(&l, &d, &tpl, get_font(), &err), CB_OK);
        size_t rows_drawn = 0, page = 0;
        for (size_t pg = 0; pg < l.npages; pg++)
            for (size_t k = 0; k < l.pages[pg].nops; k++)
                if (l.pages[pg].ops[k].kind == CB_OP_TEXT && l.pages[pg].ops[k].text[0] == 'X') {
                    rows_drawn++;
                    page = pg + 1;
                }
        ASSERT(rows_drawn > 0 && rows_drawn <= 90); /* cut to the page: drawn once */
        ASSERT_EQ_INT(page, 2);                     /* on the next page, whole */
        cb_layout_free(&l);
        cb_doc_free(&d);
        ASSERT_EQ_INT(rows_alive, 0);
    }
    rows_lie = 0;
}

/* The host's text and number calls of ABI 1.2 (plugin.h): line breaking by the rules of
 * body text, whatever a plugin passes; numbers in the canvas's language. */
TEST(host_breaks_lines_as_body_text)
{
    cb_canvas c;
    cb_template t = tpl;
    cb_canvas_init(&c, NULL, get_font(), &t, 0, 0);
    const char *s = "一二三四五，六七（八九）";
    float em = cb_canvas_text_width(&c, 10, "一");
    cb_text_line l[8];
    /* five characters a line: "一二三四五|，" would start a line with ，: 四五， go on */
    size_t n = cb_canvas_break_lines(&c, 10, s, em * 5.5f, l, 8);
    ASSERT(n >= 2 && n <= 8);
    for (size_t i = 0; i < n; i++) {
        ASSERT(strncmp(s + l[i].start, "，", 3) != 0 && strncmp(s + l[i].start, "）", 3) != 0);
        ASSERT(l[i].len < 3 || strncmp(s + l[i].start + l[i].len - 3, "（", 3) != 0);
        ASSERT(l[i].width <= em * 5.5f + 0.01f);
    }
    ASSERT_EQ_INT(cb_canvas_break_lines(&c, 10, s, em * 5.5f, NULL, 0), n); /* counting only */
    /* hostile values: no text, no size, no width (a character a line), NaN */
    ASSERT_EQ_INT(cb_canvas_break_lines(&c, 10, NULL, 100, l, 8), 0);
    ASSERT_EQ_INT(cb_canvas_break_lines(&c, 10, "", 100, l, 8), 0);
    ASSERT_EQ_INT(cb_canvas_break_lines(&c, 0.0f / 0.0f, s, 100, l, 8), 0);
    ASSERT(cb_canvas_break_lines(&c, 10, s, 0.0f / 0.0f, l, 8) >= 10);
    ASSERT(cb_canvas_break_lines(&c, 10, "\xff\xfe\xf0(", -5, l, 8) >= 1);
    char buf[64];
    cb_canvas_format_money(&c, buf, sizeof buf, 405000000);
    ASSERT_EQ_STR(buf, "4.05亿元");
    cb_canvas_free(&c);
    strcpy(t.lang, "en");
    cb_canvas_init(&c, NULL, get_font(), &t, 0, 0);
    cb_canvas_format_money(&c, buf, sizeof buf, 405000000);
    ASSERT_EQ_STR(buf, "CNY 405 million");
    cb_canvas_format_quantity(&c, buf, sizeof buf, 2396, "person-times", "余");
    ASSERT_EQ_STR(buf, "over 2,396 person-times");
    cb_canvas_free(&c);
}

TEST(figures_say_what_they_show)
{
    const cb_layout *lp = sample();
    ASSERT(lp);
    const cb_layout l = *lp;
    /* two KPI boxes, the captioned plugin block (a bar chart), two progress bars, the plugin block */
    ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_FIGURE, NULL), 6);
    const char *want[] = {"项目数：12个", "总投资：4.05亿元", "各镇投资（单位：万元）：城关镇 120；石宝镇 45.5",
                          "道路：80%", "学校 50%", "test.box：图例"};
    size_t f = 0;
    for (uint32_t i = 0; i < l.nnodes; i++) {
        if (l.nodes[i].role != CB_ROLE_FIGURE) continue;
        ASSERT_EQ_STR(l.nodes[i].alt, want[f]);
        f++;
    }
    /* the chart's title is its caption (cb_canvas_caption); the plugin's drawing is in its figure */
    uint32_t cap = 0;
    ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_CAPTION, &cap), 2); /* and the notes' title */
    ASSERT_EQ_INT(l.nodes[l.nodes[cap].parent].role, CB_ROLE_FIGURE);
    char *s = node_text(&l, cap);
    ASSERT_EQ_STR(s, "各镇投资");
    free(s);
    uint32_t fig = (uint32_t)l.nnodes;
    for (uint32_t i = 0; i < l.nnodes; i++)
        if (l.nodes[i].alt && !strcmp(l.nodes[i].alt, "test.box：图例")) fig = i;
    s = node_text(&l, fig);
    ASSERT_EQ_STR(s, "图例");
    free(s);
    /* the notes: a list of two items */
    uint32_t list = 0;
    ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_LIST, &list), 2); /* progress, notes */
    ASSERT_EQ_INT(nodes_of(&l, CB_ROLE_LIST_ITEM, NULL), 4);
}

TEST(page_furniture_is_artifacts)
{
    const cb_layout *lp = sample();
    ASSERT(lp);
    const cb_layout l = *lp;
    ASSERT(l.npages >= 3);
    /* the footer shows the page number; the header the title; the watermark on every page */
    char *num = node_text(&l, CB_ART_PAGE_NUMBER), *head = node_text(&l, CB_ART_HEADER);
    char *wm = node_text(&l, CB_ART_WATERMARK);
    ASSERT_CONTAINS(num, "第 1 页 / 共");
    ASSERT_CONTAINS(head, "结构测试");
    size_t n = 0;
    for (const char *p = wm; (p = strstr(p, "样稿")); p++) n++;
    ASSERT_EQ_INT(n, l.npages);
    free(num);
    free(head);
    free(wm);
    /* no content text sits in the page's margins */
    for (size_t p = 0; p < l.npages; p++)
        for (size_t k = 0; k < l.pages[p].nops; k++) {
            const cb_op *op = &l.pages[p].ops[k];
            if (op->kind == CB_OP_TEXT && !CB_NODE_IS_ARTIFACT(op->node) &&
                (op->y < tpl.margin_bottom - 1 || op->y > tpl.page_h - tpl.margin_top + 1))
                TEST_FAIL_("page %zu: \"%s\" in the margin is not an artifact", p + 1, op->text);
        }
}

/* A backend that records what cb_backend_write gives it, and can fail at a step. */
typedef struct rec {
    size_t begun, pages, ended_pages, runs, ops, freed, bad_runs;
    const cb_layout *l;
    int fail_at_page; /* begin_page of this page fails (-1: none) */
} rec;
static rec the_rec;
static int rec_begin(void **st, const cb_layout *l, cb_font *f, cb_error *err)
{
    (void)f, (void)err;
    the_rec.begun++;
    the_rec.l = l;
    *st = &the_rec;
    return CB_OK;
}
static int rec_page(void *st, size_t page, cb_error *err)
{
    rec *r = st;
    if ((int)page == r->fail_at_page) return cb_fail(err, CB_EPDF, "page %zu refused", page + 1);
    r->pages++;
    return CB_OK;
}
static int rec_ops(void *st, const cb_op *ops, size_t n, cb_error *err)
{
    (void)err;
    rec *r = st;
    r->runs++;
    r->ops += n;
    for (size_t k = 1; k < n; k++) r->bad_runs += ops[k].node != ops[0].node;
    return CB_OK;
}
static int rec_end_page(void *st, cb_error *err) { (void)err, ((rec *)st)->ended_pages++; return CB_OK; }
static int rec_end(void *st, cb_buf *out, cb_error *err)
{
    (void)st, (void)err;
    cb_buf_adds(out, "done");
    return CB_OK;
}
static void rec_free(void *st) { ((rec *)st)->freed++; }
static const cb_backend rec_backend = {"rec", "rec", rec_begin, rec_page, rec_ops, rec_end_page, rec_end, rec_free, NULL};

TEST(a_backend_gets_every_op_in_runs_of_one_node)
{
    const cb_layout *l = sample();
    ASSERT(l);
    size_t nops = 0, runs = 0;
    for (size_t p = 0; p < l->npages; p++)
        for (size_t k = 0; k < l->pages[p].nops; k++) {
            nops++;
            runs += k == 0 || l->pages[p].ops[k].node != l->pages[p].ops[k - 1].node;
        }
    memset(&the_rec, 0, sizeof the_rec);
    the_rec.fail_at_page = -1;
    cb_buf out = {0};
    cb_error err;
    ASSERT_EQ_INT(cb_backend_write(&rec_backend, l, get_font(), &out, &err), CB_OK);
    ASSERT_EQ_STR(out.s, "done");
    ASSERT(the_rec.l == l);
    ASSERT_EQ_INT(the_rec.begun, 1);
    ASSERT_EQ_INT(the_rec.pages, l->npages);
    ASSERT_EQ_INT(the_rec.ended_pages, l->npages);
    ASSERT_EQ_INT(the_rec.ops, nops);
    ASSERT_EQ_INT(the_rec.runs, runs);
    ASSERT_EQ_INT(the_rec.bad_runs, 0);
    ASSERT_EQ_INT(the_rec.freed, 1);
    /* a step that fails ends the document there, and its state is still freed */
    memset(&the_rec, 0, sizeof the_rec);
    the_rec.fail_at_page = 1;
    cb_buf_free(&out);
    memset(&out, 0, sizeof out);
    ASSERT_EQ_INT(cb_backend_write(&rec_backend, l, get_font(), &out, &err), CB_EPDF);
    ASSERT_EQ_STR(err.msg, "page 2 refused");
    ASSERT_EQ_INT(the_rec.pages, 1);
    ASSERT_EQ_INT(the_rec.freed, 1);
    ASSERT(out.len == 0);
}

TEST(pdf_is_the_default_backend)
{
    const cb_backend *b = cb_backend_default();
    ASSERT(b && b == cb_backend_find("pdf"));
    ASSERT_EQ_STR(b->ext, "pdf");
    ASSERT(cb_backend_find("xps") == NULL);
    const cb_layout *l = sample();
    ASSERT(l);
    cb_buf out = {0};
    cb_error err;
    ASSERT_EQ_INT(cb_backend_write(b, l, get_font(), &out, &err), CB_OK);
    ASSERT(out.len > 1000 && memcmp(out.s, "%PDF-", 5) == 0);
    ASSERT(strstr(out.s + out.len - 8, "%%EOF"));
    cb_buf_free(&out);
}

/* The OFD writer (ofd.h) writes the sample as a ZIP package; an operation kind or a path
 * segment it does not know fails the document naming it, never a shape silently missing. */
TEST(ofd_backend_refuses_what_it_cannot_draw)
{
    const cb_backend *b = cb_backend_find("ofd");
    ASSERT(b && !strcmp(b->ext, "ofd"));
    const cb_layout *l = sample();
    ASSERT(l);
    cb_buf out = {0};
    cb_error err;
    ASSERT_EQ_INT(cb_backend_write(b, l, get_font(), &out, &err), CB_OK);
    ASSERT(out.len > 1000 && memcmp(out.s, "PK\x03\x04", 4) == 0);
    cb_buf_free(&out);

    cb_layout bad = {0};
    bad.page_w = 595, bad.page_h = 842;
    cb_page pg = {0};
    bad.pages = &pg;
    bad.npages = 1;
    cb_op op = {0};
    op.kind = (cb_op_kind)99;
    pg.ops = &op;
    pg.nops = 1;
    memset(&out, 0, sizeof out);
    ASSERT_EQ_INT(cb_backend_write(b, &bad, get_font(), &out, &err), CB_EOFD);
    ASSERT_EQ_STR(err.msg, "the OFD writer cannot draw an operation of kind 99 (it draws text, rectangle, line, "
                           "path and image)");
    ASSERT(out.len == 0);
    cb_path_seg seg = {'q', {0}};
    op.kind = CB_OP_PATH;
    op.segs = &seg;
    op.nsegs = 1;
    op.paint = CB_PAINT_FILL;
    ASSERT_EQ_INT(cb_backend_write(b, &bad, get_font(), &out, &err), CB_EOFD);
    ASSERT_EQ_STR(err.msg, "the OFD writer cannot draw a path segment of kind 'q' (0x71)");
    ASSERT(out.len == 0);

    /* a face that cannot be embedded (more characters than one font file holds): the
     * document fails naming the font */
    cb_buf many = {0};
    for (uint32_t cp = 0x4E00, k = 0; k <= CB_SUBSET_MAX; cp++) {
        if (cp >= 0xD800 && cp < 0xE000) continue;
        if (cb_font_invisible(cp)) continue;
        char u[4];
        cb_buf_add(&many, u, (size_t)cb_utf8_encode(cp, u));
        k++;
    }
    cb_buf_add(&many, "", 1);
    op = (cb_op){0};
    op.kind = CB_OP_TEXT;
    op.size = 10;
    op.text = many.s;
    ASSERT_EQ_INT(cb_backend_write(b, &bad, get_font(), &out, &err), CB_EFONT);
    ASSERT(strstr(err.msg, cb_font_path(get_font())) == err.msg);
    ASSERT(strstr(err.msg, ": the document uses 65535 distinct characters; at most 65534 fit one embedded font"));
    ASSERT(out.len == 0);
    cb_buf_free(&many);
    cb_buf_free(&out);
}

/* The table of built-in blocks: a row for each kind but the plugin's, at the kind's index,
 * each with its functions and options, found by its name. */
TEST(every_builtin_kind_has_its_row)
{
    size_t n = 0;
    for (const cb_builtin *t; (t = cb_builtin_at(n)) != NULL; n++) {
        ASSERT_EQ_INT(t->kind, n);
        ASSERT(cb_builtin_of(t->kind) == t);
        ASSERT(cb_builtin_named(t->name) == t);
        ASSERT(t->read && t->place && t->where && t->keys);
        ASSERT(t->list || t->keys[0]); /* options, or a list of items */
    }
    ASSERT_EQ_INT(n, CB_BLOCK_PLUGIN);
    ASSERT(cb_builtin_of(CB_BLOCK_PLUGIN) == NULL);
    ASSERT(cb_builtin_named("chart.pie") == NULL);
}

/* "did you mean": one or two slips away, one slip for short words, no guess on a tie. */
TEST(nearest_name)
{
    static const char *const keys[] = {"title", "unit", "bars", "color", NULL};
    ASSERT_EQ_STR(cb_nearest_name("colour", keys), "color");
    ASSERT_EQ_STR(cb_nearest_name("tilte", keys), "title");
    ASSERT_EQ_STR(cb_nearest_name("bar", keys), "bars");
    ASSERT(cb_nearest_name("width", keys) == NULL);
    ASSERT(cb_nearest_name("ba", keys) == NULL);
    static const char *const tie[] = {"cat", "car", NULL};
    ASSERT(cb_nearest_name("cax", tie) == NULL);
    ASSERT(cb_nearest_name("x", (const char *const[]){NULL}) == NULL);
}

/* Typeface roles (font.h): one list, a view per role picking [Latin face for Latin text],
 * [the role's face], then the list's order; a bold face is left out of the list's own
 * order, and text drawn bold in it is not faux bold. */
TEST(role_views_pick_their_faces)
{
    char *hana = NULL, *wqy = NULL, *serif = NULL, *serif_bold = NULL;
    int hi = 0, wi = 0, si = 0, bi = 0, heading, latin, latin_bold, again;
    cb_error err;
    ASSERT(cb_font_find("HanaMinA", &hana, &hi, &err) == CB_OK);
    ASSERT(cb_font_find("WenQuanYi Micro Hei", &wqy, &wi, &err) == CB_OK);
    ASSERT(cb_font_match("DejaVu Serif", 0, &serif, &si));
    ASSERT(cb_font_match("DejaVu Serif", 1, &serif_bold, &bi));
    ASSERT(strstr(serif_bold, "Bold") != NULL);
    cb_font *f = NULL;
    ASSERT(cb_font_open(&f, hana, hi, &err) == CB_OK);
    ASSERT(cb_font_add_face(f, wqy, wi, &heading, &err) == CB_OK);
    ASSERT(cb_font_add_face(f, serif, si, &latin, &err) == CB_OK);
    ASSERT(cb_font_add_face(f, serif_bold, bi, &latin_bold, &err) == CB_OK);
    ASSERT(cb_font_add_face(f, wqy, wi, &again, &err) == CB_OK);
    ASSERT_EQ_INT(again, heading); /* a face already open is not opened twice */
    cb_font_set_role(f, CB_FONT_HEADING, 0, heading);
    cb_font_set_role(f, CB_FONT_LATIN, 0, latin);
    cb_font_set_role(f, CB_FONT_LATIN, 1, latin_bold);
    ASSERT(cb_font_for(f, CB_FONT_BODY, 0) == f); /* the body is the list itself */
    ASSERT(cb_font_for(f, CB_FONT_FIGURES, 0) == f); /* no face of its own */
    cb_font *h = cb_font_for(f, CB_FONT_HEADING, 0), *hb = cb_font_for(f, CB_FONT_HEADING, 1);
    ASSERT(h != f && hb != h && cb_font_for(h, CB_FONT_HEADING, 0) == h);
    ASSERT_EQ_INT(cb_font_pick(f, 0x4E2D), 0);          /* 中: the body face */
    ASSERT_EQ_INT(cb_font_pick(f, 'A'), latin);          /* Latin text: the Latin face */
    ASSERT_EQ_INT(cb_font_pick(f, 0x3002), 0);          /* 。 is not Latin text */
    ASSERT_EQ_INT(cb_font_pick(h, 0x4E2D), heading);
    ASSERT_EQ_INT(cb_font_pick(h, '7'), latin);
    ASSERT_EQ_INT(cb_font_pick(hb, '7'), latin_bold);
    ASSERT_EQ_INT(cb_font_pick(hb, 0x4E2D), heading);   /* no bold CJK face: the regular one */
    ASSERT_EQ_INT(cb_font_pick(cb_font_for(f, CB_FONT_BODY, 1), 'x'), latin_bold);
    ASSERT(cb_font_face_bold(f, latin_bold) && !cb_font_face_bold(f, latin));
    ASSERT_EQ_INT(cb_font_role_face(f, CB_FONT_LATIN, 1), latin_bold);
    /* drawn bold: faux only where the face is no bold face */
    cb_page p = {0};
    cb_op style = {.size = 10, .bold = 1};
    cb_page_text(&p, hb, &style, "中2020年", strlen("中2020年"));
    ASSERT_EQ_INT((int)p.nops, 3);
    ASSERT(p.ops[0].font == heading && p.ops[0].bold);
    ASSERT(p.ops[1].font == latin_bold && !p.ops[1].bold);
    ASSERT(p.ops[2].font == heading && p.ops[2].bold);
    for (size_t k = 0; k < p.nops; k++) free(p.ops[k].text);
    free(p.ops);
    cb_font_close(f); /* frees the views too */
    free(hana);
    free(wqy);
    free(serif);
    free(serif_bold);
}

static const test_case tests[] = {
    TEST_ENTRY(paragraph_flows_to_next_page),
    TEST_ENTRY(table_repeats_header_on_every_page),
    TEST_ENTRY(footer_and_bookmarks),
    TEST_ENTRY(heading_keeps_with_next),
    TEST_ENTRY(heading_moves_with_a_table_that_cannot_start),
    TEST_ENTRY(kpis_wrap_into_rows),
    TEST_ENTRY(nice_ticks),
    TEST_ENTRY(kpis_scale_with_a_condensed_template),
    TEST_ENTRY(kpi_label_too_wide_takes_two_lines),
    TEST_ENTRY(notes_title_wraps),
    TEST_ENTRY(english_lines_justified_between_words),
    TEST_ENTRY(ticks_at_an_exact_multiple),
    TEST_ENTRY(table_header_never_alone_with_one_row),
    TEST_ENTRY(heading_keeps_two_lines_below_it_wherever_it_falls),
    TEST_ENTRY(no_line_alone_at_a_page_foot_or_top),
    TEST_ENTRY(table_splits_leave_three_rows_on_each_side),
    TEST_ENTRY(trailing_notes_never_alone_on_the_last_page),
    TEST_ENTRY(page_fit_sets_smaller_type_or_warns),
    TEST_ENTRY(one_line_paragraphs_flow_to_next_page),
    TEST_ENTRY(heading_over_heading_keeps_with_the_table),
    TEST_ENTRY(every_op_has_a_role_in_the_tree),
    TEST_ENTRY(headings_match_the_outline_in_sections),
    TEST_ENTRY(a_table_split_across_pages_is_one_table),
    TEST_ENTRY(a_plugin_block_splits_across_pages_as_one_figure),
    TEST_ENTRY(a_split_without_progress_moves_the_block_whole),
    TEST_ENTRY(a_plugin_block_says_what_it_is),
    TEST_ENTRY(host_breaks_lines_as_body_text),
    TEST_ENTRY(figures_say_what_they_show),
    TEST_ENTRY(a_column_is_never_narrower_than_its_widest_run),
    TEST_ENTRY(page_furniture_is_artifacts),
    TEST_ENTRY(a_backend_gets_every_op_in_runs_of_one_node),
    TEST_ENTRY(pdf_is_the_default_backend),
    TEST_ENTRY(ofd_backend_refuses_what_it_cannot_draw),
    TEST_ENTRY(every_builtin_kind_has_its_row),
    TEST_ENTRY(nearest_name),
    TEST_ENTRY(role_views_pick_their_faces),
    {0},
};

TEST_MAIN(tests)
