/*
 * fuzz_document: a document decoded from the input, laid out with the shipped `briefing`
 * template (or a variation of it) and rendered to PDF in memory with the system's CJK font,
 * as `countybrief` does for a county. The font and template are loaded once.
 *
 * Input: [flags] then blocks, each [kind] and its fields, until the input ends (at most
 * 40 blocks). Text fields are 1-4 pieces, each selected by a tag byte: raw bytes (invalid
 * UTF-8 included; NUL becomes a space, since the Lua API copies C strings), bytes mapped
 * through fz_alphabet (CJK, punctuation, emoji, combining marks, line separators), one
 * character repeated up to 511 times (long unbreakable runs), or a phrase from a real
 * briefing. Numbers come from fz_double (NaN, infinities, subnormals, huge values).
 * Everything stays within what the Lua API (core/lua_api.c) lets a report build: required
 * strings are never NULL, heading levels are 1 to 4, column widths are positive doubles
 * converted to float (so math.huge and 1e39 become inf), alignment is l, r or c.
 * Flag bit 0 varies the template within what cb_template_load accepts (page size,
 * margins, type sizes, negative indent, justification, header and footer patterns, cell
 * padding, a cover page with its title and subtitle, a watermark).
 *
 * CB_FUZZ_IGNORE=unibreak,invalid-utf8 replaces what triggers the open libunibreak bugs
 * (see fuzz_wrap.c) with '?', to explore past them.
 *
 * Checked (names for CB_FUZZ_IGNORE in brackets):
 *  [layout]  at least one page of the template's size; every text op has text and a
 *            positive, finite size; one bookmark per heading, on an existing page;
 *  [finite]  every op's position and size is finite (a NaN reaches the PDF as garbage);
 *  [pdf]     the PDF backend (cb_backend_write) succeeds and the result starts with "%PDF-"
 *            and ends with "%%EOF".
 * Sanitizers catch the rest: out-of-bounds access, use after free, leaks, undefined
 * behaviour (float-to-int overflow included).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "font.h"
#include "fuzz_common.h"
#include "layout.h"
#include "backend.h"
#include "charts.h"
#include "plugins.h"
#include "template.h"

#ifndef CB_FUZZ_SHARE
#error "CB_FUZZ_SHARE must name the source tree (templates/ is found there)"
#endif

static cb_font *font;
static cb_template base_tpl;

/* A leak inside a library, not the engine's (LeakSanitizer reads this at start-up):
 * fontconfig keeps some pointers as encoded offsets, which LeakSanitizer cannot follow, so
 * the live configuration of the font's fallback list looks leaked (288 bytes). Its frames
 * carry no frame pointers, so the stacks stop in the library: the whole library is
 * suppressed. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* LeakSanitizer cannot follow some pointers inside a live fontconfig configuration (the
 * font's fallback list holds one) and reports 288 bytes at exit; closing the font at exit
 * destroys the configuration first. */
static void close_font(void)
{
    cb_font_close(font);
    cb_template_free(&base_tpl);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    cb_error err;
    char *path = NULL;
    int index = 0;
    if (cb_font_find(NULL, &path, &index, &err) != CB_OK ||
        cb_font_open(&font, path, index, &err) != CB_OK) {
        fprintf(stderr, "fuzz_document: no CJK font: %s\n", err.msg);
        exit(1);
    }
    free(path);
    if (cb_template_load(&base_tpl, "briefing", CB_FUZZ_SHARE, &err) != CB_OK) {
        fprintf(stderr, "fuzz_document: template: %s\n", err.msg);
        exit(1);
    }
    atexit(close_font);
    /* a character the primary font lacks: fontconfig's fallback list is made now, once,
     * rather than inside the first input that needs it (where it would count as a leak) */
    cb_font_advance(font, 0x1F600);
    return 0;
}

/* ------------------------------------------------------------------ text */

static const char *const phrases[] = {
    "2020年，忠县将山东省、沈阳市援助的资金统筹用于基层公共卫生能力、贫困村产业发展、农村饮水、教育、交通出行等工作（共20余个项目）。",
    "无偿援助资金4.05亿元，援建项目468个，培训各类人才2396余人次。",
    "依托三峡原乡4A级景区，景点有九曲花街、花姑驿站、花海之心；游客为近10万人，人均增收为1万余元",
    "忠县长江大桥",
    "《对口支援三峡库区移民工作规划纲要》",
    "第 {page} 页 / 共 {pages} 页",
    "{title}",
    "{page}{pages}{title}{unknown}{",
    "GDP（国内生产总值）增长6.5%",
    "https://example.org/countybrief/docs/templates.md?section=header&lang=zh-CN",
    "毕业生1104人",
    "单位：万元",
    "花椒小镇",
    "合计",
    "   前后有空格   ",
    "第一行\n第二行\n\n第四行",
    "Windows\r\nline\r\nends",
    "a\xCC\x81\xCC\x81\xCC\x81 combining",
    "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 family",
    "中华人民共和国中华人民共和国中华人民共和国中华人民共和国中华人民共和国中华人民共和国",
    "Supercalifragilisticexpialidocious-and-then-some-more-letters-without-any-break",
    "（（（（（（（（（（",
    "，，，，，，，，，，",
    "—",
    "%",
    "\xE5\x8E\xBF\xE5", /* "县" and half a character, as ("县城"):sub(1, 4) gives */
    "\xE5\x8E\n\xE5\x8E\xBF",
};
#define NPHRASES (sizeof phrases / sizeof phrases[0])

/* With CB_FUZZ_IGNORE=unibreak, the characters that make libunibreak 1.1 abort (regional
 * indicators, U+FFFF: see regressions/fuzz_wrap) become '?'; with invalid-utf8, so do
 * bytes that are not valid UTF-8. For long runs while those bugs are open. */
static void avoid_known(char *s, size_t len)
{
    int abort_chars = fz_ignored("unibreak"), invalid = fz_ignored("invalid-utf8");
    if (!abort_chars && !invalid) return;
    for (size_t p = 0; p < len;) {
        size_t at = p;
        uint32_t cp = fz_next(s, len, &p);
        int bad = (abort_chars && (cp == 0xFFFF || (cp >= 0x1F1E6 && cp <= 0x1F1FF))) ||
                  (invalid && cp == 0xFFFD && p - at != 3);
        if (bad) memset(s + at, '?', p - at);
    }
}

typedef struct gen {
    fz_reader r;
    size_t budget; /* text bytes left for the whole document */
} gen;

#define TEXT_MAX 1500

/* A text field; NULL (when optional) for a head byte of 0xFF. */
static char *text(gen *g, int optional)
{
    uint8_t head = fz_u8(&g->r);
    if (optional && head == 0xFF) return NULL;
    cb_buf b = {0};
    cb_buf_add(&b, "", 0);
    int pieces = 1 + head % 4;
    for (int i = 0; i < pieces; i++) {
        uint8_t tag = fz_u8(&g->r);
        const uint8_t *raw;
        size_t n;
        switch (tag >> 6) {
        case 0: /* raw bytes */
            n = fz_bytes(&g->r, tag & 63, &raw);
            for (size_t k = 0; k < n; k++) {
                char c = raw[k] ? (char)raw[k] : ' ';
                cb_buf_add(&b, &c, 1);
            }
            break;
        case 1: /* the alphabet */
            n = fz_bytes(&g->r, tag & 63, &raw);
            for (size_t k = 0; k < n; k++) cb_buf_adds(&b, fz_glyph(raw[k]));
            break;
        case 2: { /* a run */
            size_t count = 1 + (size_t)fz_u8(&g->r) * 2;
            const char *gl = fz_glyph(fz_u8(&g->r));
            for (size_t k = 0; k < count && b.len < TEXT_MAX; k++) cb_buf_adds(&b, gl);
            break;
        }
        default:
            cb_buf_adds(&b, phrases[(tag & 63) % NPHRASES]);
            break;
        }
    }
    size_t len = b.len > TEXT_MAX ? TEXT_MAX : b.len;
    if (len > g->budget) len = g->budget;
    g->budget -= len;
    b.s[len] = '\0'; /* may cut a character in two: the Lua API allows that too */
    avoid_known(b.s, len);
    return b.s;
}

/* A column width as the Lua API stores it: a positive double, as float. */
static float col_width(gen *g)
{
    uint8_t sel = fz_u8(&g->r);
    if (sel < 128) return 1.0f;                 /* width not given */
    if (sel < 200) return (float)(1 + sel % 6) * 0.5f;
    double d = fabs(fz_double(&g->r));
    if (!(d > 0)) d = 1;                          /* the API refuses 0, -x and NaN */
    /* [table-width]: widths whose float sum overflows give NaN positions (regressions/
     * fuzz_document); ignoring it keeps widths small */
    if (fz_ignored("table-width") && !(d < 1e6)) d = 1e6;
    return (float)d;                              /* 1e39 and math.huge become inf */
}

static void items(gen *g, cb_block *b, size_t max, int kind)
{
    size_t n = fz_u8(&g->r) % (max + 1);
    b->items = cb_xcalloc(n ? n : 1, sizeof *b->items);
    b->nitems = n;
    for (size_t i = 0; i < n; i++) {
        cb_item *it = &b->items[i];
        switch (kind) {
        case CB_BLOCK_KPIS:
            it->value = text(g, 0);
            it->label = text(g, 0);
            break;
        case CB_BLOCK_PROGRESS:
            it->label = text(g, 0);
            it->value = text(g, 1);
            it->detail = text(g, 1);
            it->number = fz_u8(&g->r) & 1 ? fz_double(&g->r) : fz_u8(&g->r) / 200.0 - 0.1;
            break;
        default: /* notes */
            it->label = text(g, 0);
            break;
        }
    }
}

/* A bar chart: the charts plugin's chart.bar (doc:barchart), its sources linked in, its
 * state built as its create() builds it from a script's options: title, unit, bars. */
static void bar_chart(gen *g, cb_doc *d)
{
    cx_chart *c = cb_xcalloc(1, sizeof *c);
    c->kind = CX_BAR;
    c->what = "chart.bar";
    c->title = text(g, 1);
    c->unit = text(g, 1);
    size_t n = fz_u8(&g->r) % 16;
    c->x = cb_xcalloc(n ? n : 1, sizeof *c->x);
    c->text = cb_xcalloc(n ? n : 1, sizeof *c->text);
    c->v = cb_xcalloc(n ? n : 1, sizeof *c->v);
    c->nx = c->nv = n;
    for (size_t i = 0; i < n; i++) {
        c->x[i] = text(g, 0);
        double v = fz_u8(&g->r) & 1 ? fz_double(&g->r) : (double)fz_u16(&g->r);
        /* [nice-ticks]: a largest bar below ~5e-323 makes nice_ticks convert inf to int
         * (regressions/fuzz_document); ignoring it keeps bars away from there */
        if (fz_ignored("nice-ticks") && v > 0 && v < 1e-300) v = 0;
        /* [bar-range]: the chart's float scale: a bar above FLT_MAX or a largest bar below
         * ~1e-36 gives NaN positions, an infinite one an infinite rectangle
         * (regressions/fuzz_document); ignoring it keeps bars within 1e-30..1e30 */
        if (fz_ignored("bar-range") && fabs(v) > 1e30) v = v > 0 ? 1e30 : -1e30;
        if (fz_ignored("bar-range") && fabs(v) < 1e-30) v = 0;
        c->v[i] = v;
        c->text[i] = text(g, 1);
    }
    cb_block *b = cb_doc_add(d, CB_BLOCK_PLUGIN);
    b->ptype = cx_block_type("chart.bar");
    b->pstate = c;
    b->papi = cb_host_api_get();
}

static void build(gen *g, cb_doc *d)
{
    uint8_t info = fz_u8(&g->r);
    if (info & 1) d->title = text(g, 1);
    if (info & 2) d->subject = text(g, 1);
    if (info & 4) d->author = text(g, 1);
    if (info & 8) d->keywords = text(g, 1);
    for (size_t nb = 0; nb < 40 && fz_left(&g->r) > 0; nb++) {
        uint8_t kind = fz_u8(&g->r) % 8;
        cb_block *b;
        switch (kind) {
        case 0:
            b = cb_doc_add(d, CB_BLOCK_TITLE);
            b->text = text(g, 0);
            b->subtitle = text(g, 1);
            if (!d->title) d->title = cb_xstrdup(b->text);
            break;
        case 1:
            b = cb_doc_add(d, CB_BLOCK_HEADING);
            b->level = 1 + (fz_u8(&g->r) & 3);
            b->text = text(g, 0);
            break;
        case 2:
            cb_doc_add(d, CB_BLOCK_PARAGRAPH)->text = text(g, 0);
            break;
        case 3:
            items(g, cb_doc_add(d, CB_BLOCK_KPIS), 12, CB_BLOCK_KPIS);
            break;
        case 4: {
            size_t nc = 1 + fz_u8(&g->r) % 9, nr = fz_u8(&g->r) % 25;
            b = cb_doc_add(d, CB_BLOCK_TABLE);
            b->ncols = nc;
            b->nrows = nr;
            b->cols = cb_xcalloc(nc, sizeof *b->cols);
            b->cells = cb_xcalloc(nr * nc > 0 ? nr * nc : 1, sizeof *b->cells);
            for (size_t c = 0; c < nc; c++) {
                b->cols[c].title = text(g, 0);
                b->cols[c].width = col_width(g);
                b->cols[c].align = "lrc"[fz_u8(&g->r) % 3];
            }
            for (size_t i = 0; i < nr * nc; i++) b->cells[i] = text(g, 1);
            break;
        }
        case 5:
            bar_chart(g, d);
            break;
        case 6:
            items(g, cb_doc_add(d, CB_BLOCK_PROGRESS), 10, CB_BLOCK_PROGRESS);
            break;
        default:
            b = cb_doc_add(d, CB_BLOCK_NOTES);
            b->text = text(g, 1);
            items(g, b, 10, CB_BLOCK_NOTES);
            break;
        }
    }
}

/* A variation of the template that cb_template_load would accept. */
static void vary_template(gen *g, cb_template *t)
{
    static const float sizes[][2] = {{595.276f, 841.890f}, {419.528f, 595.276f}, {612, 792}};
    uint8_t s = fz_u8(&g->r);
    t->page_w = sizes[s % 3][0];
    t->page_h = sizes[s % 3][1];
    if (s & 4) {
        float w = t->page_w;
        t->page_w = t->page_h;
        t->page_h = w;
    }
    if (s & 8) {
        t->page_w = 144 + fz_u16(&g->r) % 2000;
        t->page_h = 144 + fz_u16(&g->r) % 2000;
    }
    float m[4];
    for (int i = 0; i < 4; i++) m[i] = (float)(fz_u8(&g->r) % 121);
    if (m[3] + m[1] <= t->page_w - 72 && m[0] + m[2] <= t->page_h - 144) {
        t->margin_top = m[0];
        t->margin_right = m[1];
        t->margin_bottom = m[2];
        t->margin_left = m[3];
    } else if (t->margin_left + t->margin_right > t->page_w - 72 ||
               t->margin_top + t->margin_bottom > t->page_h - 144) {
        t->margin_top = t->margin_right = t->margin_bottom = t->margin_left = 0;
    }
    t->body_size = 4 + fz_u8(&g->r) % 21;
    t->leading = 1 + (fz_u8(&g->r) % 16) / 10.0f;
    float *others[] = {&t->title_size, &t->h1_size, &t->h2_size, &t->small_size, &t->table_size};
    /* CB_TYPE_MIN_PT to 51.5 points: cb_template_load refuses the rest
     * (regressions/fuzz_document/template-small-0-pdf-fails) */
    for (int i = 0; i < 5; i++) *others[i] = CB_TYPE_MIN_PT + (fz_u8(&g->r) % 96) / 2.0f;
    t->indent = (float)((int8_t)fz_u8(&g->r) % 8);
    t->justify = fz_u8(&g->r) & 1;
    free(t->header);
    free(t->footer);
    t->header = text(g, 1);
    t->footer = text(g, 1);
    /* the cover page, the watermark and the cell padding (template.h) */
    uint8_t extra = fz_u8(&g->r);
    t->cell_padding = (extra % 41) / 10.0f;
    t->cover = extra >> 7;
    t->cover_title = extra & 0x40 ? text(g, 1) : NULL;
    t->cover_subtitle = extra & 0x20 ? text(g, 1) : NULL;
    char *wm = extra & 0x10 ? text(g, 1) : NULL;
    if (wm && !*wm) { /* as cb_template_load: an empty watermark is none */
        free(wm);
        wm = NULL;
    }
    t->watermark = wm;
}

/* With CB_FUZZ_VERBOSE set: the decoded document, to turn a crash into a report. */
static void dump_str(const char *what, const char *s)
{
    fprintf(stderr, " %s=", what);
    if (s) fz_dump(stderr, s, strlen(s));
    else fputs("NULL", stderr);
}

static void dump_doc(const cb_doc *d, const cb_template *t)
{
    static const char *const kinds[] = {"title", "heading", "paragraph", "kpis", "table",
                                        "progress", "notes", "masthead", "distribution", "toc", "plugin"};
    fprintf(stderr, "template: page %gx%g margins %g %g %g %g body %g leading %g title %g h1 %g "
                    "h2 %g small %g table %g indent %g justify %d",
            t->page_w, t->page_h, t->margin_top, t->margin_right, t->margin_bottom, t->margin_left,
            t->body_size, t->leading, t->title_size, t->h1_size, t->h2_size, t->small_size,
            t->table_size, t->indent, t->justify);
    dump_str("header", t->header);
    dump_str("footer", t->footer);
    fprintf(stderr, " cell_padding %g cover %d", t->cell_padding, t->cover);
    dump_str("cover_title", t->cover_title);
    dump_str("cover_subtitle", t->cover_subtitle);
    dump_str("watermark", t->watermark);
    fprintf(stderr, "\ndoc:");
    dump_str("title", d->title);
    fputc('\n', stderr);
    for (size_t i = 0; i < d->nblocks; i++) {
        const cb_block *b = &d->blocks[i];
        fprintf(stderr, "  [%zu] %s level %d", i, kinds[b->kind], b->level);
        dump_str("text", b->text);
        if (b->subtitle) dump_str("subtitle", b->subtitle);
        if (b->unit) dump_str("unit", b->unit);
        fputc('\n', stderr);
        for (size_t k = 0; k < b->nitems; k++) {
            fprintf(stderr, "      item %zu: number %.17g", k, b->items[k].number);
            dump_str("label", b->items[k].label);
            dump_str("value", b->items[k].value);
            dump_str("detail", b->items[k].detail);
            fputc('\n', stderr);
        }
        for (size_t c = 0; c < b->ncols; c++) {
            fprintf(stderr, "      column %zu: width %g align %c", c, b->cols[c].width, b->cols[c].align);
            dump_str("title", b->cols[c].title);
            fputc('\n', stderr);
        }
        for (size_t r = 0; r < b->nrows; r++) {
            fprintf(stderr, "      row %zu:", r);
            for (size_t c = 0; c < b->ncols; c++) dump_str("", b->cells[r * b->ncols + c]);
            fputc('\n', stderr);
        }
    }
}

/* ------------------------------------------------------------------ checks */

static void check_layout(const cb_layout *l, const cb_doc *d, const cb_template *t)
{
    CHECK("layout", l->npages >= 1, "no pages");
    CHECK("layout", l->page_w == t->page_w && l->page_h == t->page_h, "page size");
    for (size_t p = 0; p < l->npages; p++)
        for (size_t k = 0; k < l->pages[p].nops; k++) {
            const cb_op *op = &l->pages[p].ops[k];
            if (op->kind == CB_OP_TEXT) {
                CHECK("layout", op->text && *op->text, "page %zu op %zu: empty text op", p, k);
                CHECK("layout", op->size > 0 && isfinite(op->size), "page %zu op %zu: text size %g", p,
                      k, op->size);
                CHECK("finite", isfinite(op->spacing), "page %zu op %zu: spacing %g", p, k, op->spacing);
            }
            CHECK("finite", isfinite(op->x) && isfinite(op->y) && isfinite(op->w) && isfinite(op->h),
                  "page %zu op %zu (kind %d%s%s): at %g,%g size %g x %g", p, k, op->kind,
                  op->text ? ", text " : "", op->text ? op->text : "", op->x, op->y, op->w, op->h);
        }
    size_t headings = 0;
    for (size_t i = 0; i < d->nblocks; i++) headings += d->blocks[i].kind == CB_BLOCK_HEADING;
    CHECK("layout", l->nmarks == headings, "%zu bookmarks for %zu headings", l->nmarks, headings);
    for (size_t i = 0; i < l->nmarks; i++)
        CHECK("layout", l->marks[i].page < l->npages && l->marks[i].title, "bookmark %zu on page %zu",
              i, l->marks[i].page);
    for (size_t i = 0; i < l->nwarnings; i++) CHECK("layout", l->warnings[i], "warning %zu NULL", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gen g = {{data, size}, 32 * 1024};
    uint8_t flags = fz_u8(&g.r);
    /* a shallow copy; the strings a variation replaces are its own (freed below) */
    cb_template tpl = base_tpl;
    tpl.header = base_tpl.header ? cb_xstrdup(base_tpl.header) : NULL;
    tpl.footer = base_tpl.footer ? cb_xstrdup(base_tpl.footer) : NULL;
    int varied = flags & 1;
    if (varied) vary_template(&g, &tpl);

    cb_doc d;
    cb_doc_init(&d);
    build(&g, &d);

    if (getenv("CB_FUZZ_VERBOSE")) dump_doc(&d, &tpl);

    cb_layout l;
    cb_error err = {0, ""};
    int rc = cb_layout_run(&l, &d, &tpl, font, &err);
    CHECK("layout", rc == CB_OK, "cb_layout_run: %s", err.msg);
    check_layout(&l, &d, &tpl);

    cb_buf pdf = {0};
    rc = cb_backend_write(cb_backend_default(), &l, font, &pdf, &err);
    CHECK("pdf", rc == CB_OK, "cb_backend_write: %s", err.msg);
    CHECK("pdf", pdf.len > 16 && memcmp(pdf.s, "%PDF-", 5) == 0, "no PDF header (%zu bytes)", pdf.len);
    const char *eof = "%%EOF";
    int has_eof = 0;
    for (size_t i = pdf.len > 32 ? pdf.len - 32 : 0; i + 5 <= pdf.len; i++)
        if (memcmp(pdf.s + i, eof, 5) == 0) has_eof = 1;
    CHECK("pdf", has_eof, "no %%%%EOF at the end");
    const char *out = getenv("CB_FUZZ_PDF_OUT"); /* keep the PDF, to look at a finding */
    if (out) {
        FILE *f = fopen(out, "wb");
        if (f) {
            fwrite(pdf.s, 1, pdf.len, f);
            fclose(f);
        }
    }

    cb_buf_free(&pdf);
    cb_layout_free(&l);
    cb_doc_free(&d);
    free(tpl.header);
    free(tpl.footer);
    if (varied) {
        free(tpl.cover_title);
        free(tpl.cover_subtitle);
        free(tpl.watermark);
    }
    return 0;
}
