/* pdf_tags.c: see pdf_tags.h. The elements are written as raw dictionary entries
 * (cb_hpdf_put_raw) from one buffer: a briefing has hundreds of them, and libharu would
 * make an object of every name, number and reference in them. */
#include "pdf_tags.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdf.h"
#include "pdf_hpdf.h"

#define NONE UINT32_MAX

/* A marked-content sequence with an MCID: node's, on page `page`. */
typedef struct mc_rec {
    uint32_t node, page, mcid;
} mc_rec;

/* A figure's extent, for its Layout attribute's BBox; only for a figure on one page. */
typedef struct fig_box {
    float x0, y0, x1, y1;
    uint32_t page;
    int pages; /* 0: nothing drawn yet, 1: on `page`, 2: on several */
} fig_box;

/* A kid of element `owner`, in reading order: element `ref`, or mc record `ref`. */
typedef struct kid {
    uint32_t owner, ref;
    int mcr;
} kid;

typedef struct elem {
    uint32_t node, parent; /* parent: an element, NONE for the document's */
    int lbody;             /* the LBody of node's LI */
    HPDF_Dict dict;
    size_t kid0, nkids;    /* its kids: kids[kid0..kid0 + nkids) once sorted */
} elem;

struct cb_pdf_tags {
    const cb_layout *l;
    cb_font *font;
    size_t page;         /* the page being written, and its next MCID */
    uint32_t mcid;
    mc_rec *mc;
    size_t nmc;
    size_t *page_mc;     /* per page, its first mc record; [npages]: nmc */
    fig_box *box;        /* per node (figures') */
    /* the structure, made by cb_pdf_tags_finish */
    elem *el;
    size_t nel;
    uint32_t *elem_of;   /* per node: its element, NONE if none */
    uint32_t *target_of; /* per node: the element its kids go into (an LI's: its LBody) */
    kid *kids;
    size_t nkids;
    cb_buf text;         /* the elements' entries, each ending in NUL */
    /* the sequence being written: its node (NONE: an artifact's), its /Lang (NULL: the
     * document's), where in the content its BDC begins and ends */
    uint32_t cur;
    const char *cur_lang, *other; /* other: cb_pdf_tags_other_lang's */
    size_t bdc_at, body_at;
    uint8_t *depth;      /* per node: a heading's depth (heading_depth), 0 for others */
};

/* The document node of a layout that has none (a display list made by hand). */
static const cb_node no_node = {.parent = NONE, .role = CB_ROLE_DOCUMENT};

static const cb_node *node_at(const cb_pdf_tags *t, uint32_t n)
{
    return n < t->l->nnodes ? &t->l->nodes[n] : &no_node;
}

/* The document's language as a language tag: Chinese as written in mainland China. */
static const char *doc_lang(const cb_layout *l)
{
    if (!l->lang[0] || strcmp(l->lang, "zh") == 0) return "zh-CN";
    return l->lang;
}

/* The depth of a heading of level `level` (1..4; else 1) that comes next: one deeper than
 * the nearest open heading of a lower level (1 when none), so that no depth is skipped;
 * open[k] is the depth of the last heading of level k while it is open (0: none), and *up
 * (if not NULL) that heading's level, 0 for none. The tags and the outline both use it. */
static int heading_depth(int open[5], int level, int *up)
{
    if (level < 1 || level > 4) level = 1;
    int u = level - 1;
    while (u > 0 && !open[u]) u--;
    int depth = u ? open[u] + 1 : 1;
    open[level] = depth;
    for (int k = level + 1; k <= 4; k++) open[k] = 0;
    if (up) *up = u;
    return depth;
}

cb_pdf_tags *cb_pdf_tags_new(const cb_layout *l, cb_font *font)
{
    cb_pdf_tags *t = cb_xcalloc(1, sizeof *t);
    t->l = l;
    t->font = font;
    t->page_mc = cb_xcalloc(l->npages + 1, sizeof *t->page_mc);
    t->box = cb_xcalloc(l->nnodes ? l->nnodes : 1, sizeof *t->box);
    t->depth = cb_xcalloc(l->nnodes ? l->nnodes : 1, 1);
    int open[5] = {0};
    for (size_t i = 0; i < l->nnodes; i++) /* nodes come in document order */
        if (l->nodes[i].role == CB_ROLE_HEADING) t->depth[i] = (uint8_t)heading_depth(open, l->nodes[i].level, NULL);
    t->cur = NONE;
    t->other = strcmp(doc_lang(l), "zh-CN") != 0 ? "zh-CN" : NULL;
    return t;
}

void cb_pdf_tags_free(cb_pdf_tags *t)
{
    if (!t) return;
    free(t->mc);
    free(t->page_mc);
    free(t->box);
    free(t->depth);
    free(t->el);
    free(t->elem_of);
    free(t->target_of);
    free(t->kids);
    cb_buf_free(&t->text);
    free(t);
}

void cb_pdf_tags_page(cb_pdf_tags *t, size_t page)
{
    t->page = page;
    t->mcid = 0;
    if (page <= t->l->npages) t->page_mc[page] = t->nmc;
}

/* The structure type of node n (of element e: an LBody for an LI's body). */
static const char *role_name(const cb_node *n, int depth)
{
    static const char *const heading[] = {"H1", "H2", "H3", "H4"};
    switch ((cb_role)n->role) {
    case CB_ROLE_DOCUMENT: return "Document";
    case CB_ROLE_SECTION: return "Sect";
    case CB_ROLE_TITLE: return "Title"; /* RoleMap: H1 */
    case CB_ROLE_HEADING: return heading[depth >= 1 && depth <= 4 ? depth - 1 : 0];
    case CB_ROLE_PARAGRAPH: return "P";
    case CB_ROLE_LIST: return "L";
    case CB_ROLE_LIST_ITEM: return "LI";
    case CB_ROLE_TABLE: return "Table";
    case CB_ROLE_ROW: return "TR";
    case CB_ROLE_HEADER_CELL: return "TH";
    case CB_ROLE_DATA_CELL: return "TD";
    case CB_ROLE_FIGURE: return "Figure";
    case CB_ROLE_CAPTION: return "Caption";
    case CB_ROLE_LINK: return "Link";
    case CB_ROLE_ARTIFACT: break;
    }
    return "P"; /* not reached: artifacts have no element */
}

static void put_uint(cb_buf *b, unsigned long v)
{
    char tmp[24], *e = tmp + sizeof tmp, *p = e;
    do *--p = (char)('0' + v % 10); while ((v /= 10));
    cb_buf_add(b, p, (size_t)(e - p));
}

/* The artifact sequence of kind k: running headers and footers are pagination artifacts
 * (a page number line by where it sits), the rest (rules, bands, a repeated table header)
 * plain ones. */
static const char *artifact_open(const cb_layout *l, int k, const cb_op *op)
{
    if (k == CB_ART_PAGE_NUMBER) k = op->y > l->page_h / 2 ? CB_ART_HEADER : CB_ART_FOOTER;
    switch (k) {
    case CB_ART_HEADER: return "/Artifact <</Type /Pagination /Subtype /Header>> BDC\n";
    case CB_ART_FOOTER: return "/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n";
    case CB_ART_WATERMARK: return "/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n";
    }
    return "/Artifact BMC\n";
}

static void box_point(fig_box *f, float x, float y)
{
    if (!isfinite(x) || !isfinite(y)) return;
    f->x0 = fminf(f->x0, x);
    f->y0 = fminf(f->y0, y);
    f->x1 = fmaxf(f->x1, x);
    f->y1 = fmaxf(f->y1, y);
}

/* Widens figure node's box by what ops[0..n) draw on the current page. */
static void box_add(cb_pdf_tags *t, uint32_t node, const cb_op *ops, size_t n)
{
    fig_box *f = &t->box[node];
    if (f->pages && f->page != t->page) f->pages = 2;
    if (f->pages == 2) return;
    if (!f->pages) *f = (fig_box){INFINITY, INFINITY, -INFINITY, -INFINITY, (uint32_t)t->page, 1};
    for (size_t i = 0; i < n; i++) {
        const cb_op *op = &ops[i];
        switch (op->kind) {
        case CB_OP_TEXT: {
            float w = cb_font_width(t->font, op->text, strlen(op->text), op->size);
            box_point(f, op->x, op->y - op->size * 0.25f);
            box_point(f, op->x + w, op->y + op->size * 0.9f);
            break;
        }
        case CB_OP_PATH:
            for (size_t k = 0; k < op->nsegs; k++) {
                const cb_path_seg *s = &op->segs[k];
                int npt = s->kind == 'c' ? 3 : s->kind == 'h' ? 0 : 1;
                for (int j = 0; j < npt; j++) box_point(f, s->pt[2 * j], s->pt[2 * j + 1]);
                if (s->kind == 'r') box_point(f, s->pt[0] + s->pt[2], s->pt[1] + s->pt[3]);
            }
            break;
        default: /* a rect, line or image: from (x, y) by (w, h) */
            box_point(f, op->x, op->y);
            box_point(f, op->x + op->w, op->y + op->h);
            break;
        }
    }
}

/* Appends the start of a sequence of content node `node`, with /Lang lang (NULL: none). */
static void open_mc(cb_pdf_tags *t, cb_buf *b, uint32_t node, const char *lang)
{
    t->mc = cb_xgrow(t->mc, t->nmc, sizeof *t->mc);
    t->mc[t->nmc++] = (mc_rec){node, (uint32_t)t->page, t->mcid};
    t->cur = node;
    t->cur_lang = lang;
    t->bdc_at = b->len;
    cb_buf_adds(b, "/");
    cb_buf_adds(b, role_name(node_at(t, node), node < t->l->nnodes ? t->depth[node] : 0));
    cb_buf_adds(b, " <</MCID ");
    put_uint(b, t->mcid++);
    if (lang) cb_buf_addf(b, "/Lang (%s)", lang);
    cb_buf_adds(b, ">> BDC\n");
    t->body_at = b->len;
}

void cb_pdf_tags_open(cb_pdf_tags *t, cb_buf *b, const cb_op *ops, size_t n)
{
    uint32_t node = ops[0].node < t->l->nnodes ? ops[0].node : CB_NODE_DOCUMENT;
    const cb_node *nd = node_at(t, node);
    if (nd->role == CB_ROLE_ARTIFACT) {
        t->cur = NONE;
        cb_buf_adds(b, artifact_open(t->l, nd->level, &ops[0]));
        return;
    }
    open_mc(t, b, node, NULL);
    if (nd->role == CB_ROLE_FIGURE && node < t->l->nnodes) box_add(t, node, ops, n);
}

const char *cb_pdf_tags_other_lang(const cb_pdf_tags *t) { return t->cur != NONE ? t->other : NULL; }

const char *cb_pdf_tags_lang(const cb_pdf_tags *t) { return t->cur_lang; }

void cb_pdf_tags_split(cb_pdf_tags *t, cb_buf *b, const char *lang)
{
    if (t->cur == NONE) return;
    if (b->len == t->body_at) { /* nothing in it yet: begun again, with its MCID */
        b->len = t->bdc_at;
        t->nmc--;
        t->mcid--;
    } else {
        cb_buf_adds(b, "EMC\n");
    }
    open_mc(t, b, t->cur, lang);
}

void cb_pdf_tags_close(cb_buf *b) { cb_buf_adds(b, "EMC\n"); }

HPDF_STATUS cb_pdf_tags_end_page(cb_pdf_tags *t, HPDF_Page page)
{
    /* /Tabs is PDF 1.5's: not under PDF/A-1 (1.4), where no page has annotations to order */
    HPDF_STATUS st = t->l->info.standard == CB_PDF_A1B ? HPDF_OK : cb_hpdf_put_name(page, "Tabs", "S");
    if (t->mcid) st |= cb_hpdf_put_number(page, "StructParents", (HPDF_INT32)t->page);
    return st;
}

/* ---- the structure tree ------------------------------------------------------------------ */

static void add_kid(cb_pdf_tags *t, uint32_t owner, uint32_t ref, int mcr)
{
    t->kids = cb_xgrow(t->kids, t->nkids, sizeof *t->kids);
    t->kids[t->nkids++] = (kid){owner, ref, mcr};
}

static uint32_t new_elem(cb_pdf_tags *t, uint32_t node, uint32_t parent, int lbody)
{
    t->el = cb_xgrow(t->el, t->nel, sizeof *t->el);
    t->el[t->nel] = (elem){.node = node, .parent = parent, .lbody = lbody};
    if (parent != NONE) add_kid(t, parent, (uint32_t)t->nel, 0);
    return (uint32_t)t->nel++;
}

static int is_cell(const cb_node *n) { return n->role == CB_ROLE_HEADER_CELL || n->role == CB_ROLE_DATA_CELL; }

/* The element node n's kids go into, made (with its ancestors') on first use, in reading
 * order. A cell first brings the empty cells of its row before it: a row keeps its
 * columns. */
static uint32_t attach(cb_pdf_tags *t, uint32_t n)
{
    if (t->elem_of[n] != NONE) return t->target_of[n];
    const cb_node *nd = node_at(t, n);
    uint32_t parent = NONE;
    if (nd->parent != NONE && nd->parent < t->l->nnodes && nd->parent != n) {
        parent = attach(t, nd->parent);
        if (is_cell(nd)) {
            uint32_t k = n;
            while (k > 0 && is_cell(node_at(t, k - 1)) && node_at(t, k - 1)->parent == nd->parent &&
                   t->elem_of[k - 1] == NONE)
                k--;
            for (; k < n; k++) t->elem_of[k] = t->target_of[k] = new_elem(t, k, parent, 0);
        }
    }
    uint32_t e = t->elem_of[n] = t->target_of[n] = new_elem(t, n, parent, 0);
    if (nd->role == CB_ROLE_LIST_ITEM) t->target_of[n] = new_elem(t, n, e, 1);
    return t->target_of[n];
}

/* Sorts the kids by owner, keeping reading order within each (a counting sort). */
static void group_kids(cb_pdf_tags *t)
{
    kid *sorted = cb_xmalloc((t->nkids ? t->nkids : 1) * sizeof *sorted);
    for (size_t i = 0; i < t->nkids; i++) t->el[t->kids[i].owner].nkids++;
    size_t at = 0;
    for (size_t e = 0; e < t->nel; e++) {
        t->el[e].kid0 = at;
        at += t->el[e].nkids;
        t->el[e].nkids = 0;
    }
    for (size_t i = 0; i < t->nkids; i++) {
        elem *o = &t->el[t->kids[i].owner];
        sorted[o->kid0 + o->nkids++] = t->kids[i];
    }
    free(t->kids);
    t->kids = sorted;
}

static void put_ref(cb_buf *b, const void *obj)
{
    put_uint(b, cb_hpdf_id(obj));
    cb_buf_adds(b, " 0 R");
}

/* A PDF text string: a literal for printable ASCII, else UTF-16BE in hex with a BOM. Past
 * TEXT_MAX bytes of string (PDF/A-1 and older readers take at most 32,767) the text is cut
 * at a character and ends in "…": an alternative text made from thousands of bars. */
#define TEXT_MAX 32767
static void put_text(cb_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *p = s, *end = s + strlen(s);
    while (p < end && *p >= 0x20 && *p < 0x7F) p++;
    if (p == end && end - s <= TEXT_MAX / 2) { /* escaped, at most twice as long */
        cb_buf_adds(b, "(");
        for (p = s; p < end; p++) {
            if (*p == '(' || *p == ')' || *p == '\\') cb_buf_adds(b, "\\");
            cb_buf_add(b, p, 1);
        }
        cb_buf_adds(b, ")");
        return;
    }
    cb_buf_adds(b, "<FEFF");
    size_t bytes = 2; /* of the string: the byte order mark so far */
    for (p = s; p < end;) {
        uint32_t cp = cb_utf8_next(&p, end);
        int cut = bytes + 4 + 2 > TEXT_MAX; /* room for this one and the ellipsis */
        if (cut) cp = 0x2026;
        unsigned u[2] = {cp, 0};
        int k = 1;
        if (cp >= 0x10000) { /* a surrogate pair */
            u[0] = 0xD800 + ((cp - 0x10000) >> 10);
            u[1] = 0xDC00 + (cp & 0x3FF);
            k = 2;
        }
        for (int i = 0; i < k; i++) {
            char h[4] = {hex[u[i] >> 12 & 15], hex[u[i] >> 8 & 15], hex[u[i] >> 4 & 15], hex[u[i] & 15]};
            cb_buf_add(b, h, 4);
        }
        bytes += 2 * (size_t)k;
        if (cut) break;
    }
    cb_buf_adds(b, ">");
}

/* Element e's entries, ending in a line break and a NUL. */
static void put_elem(cb_pdf_tags *t, const elem *e, const HPDF_Dict root, const HPDF_Page *pages)
{
    cb_buf *b = &t->text;
    const cb_node *nd = node_at(t, e->node);
    cb_buf_adds(b, "/S/");
    cb_buf_adds(b, e->lbody ? "LBody" : role_name(nd, e->node < t->l->nnodes ? t->depth[e->node] : 0));
    cb_buf_adds(b, "/P ");
    put_ref(b, e->parent == NONE ? (const void *)root : t->el[e->parent].dict);
    const kid *k = t->kids + e->kid0;
    uint32_t pg = NONE; /* the page of its first marked content */
    for (size_t i = 0; i < e->nkids && pg == NONE; i++)
        if (k[i].mcr) pg = t->mc[k[i].ref].page;
    if (pg != NONE) {
        cb_buf_adds(b, "/Pg ");
        put_ref(b, pages[pg]);
    }
    if (e->nkids) cb_buf_adds(b, e->nkids > 1 ? "/K[" : "/K ");
    for (size_t i = 0; i < e->nkids; i++) {
        if (i) cb_buf_adds(b, " ");
        const mc_rec *m = k[i].mcr ? &t->mc[k[i].ref] : NULL;
        if (!m) {
            put_ref(b, t->el[k[i].ref].dict);
        } else if (m->page == pg) {
            put_uint(b, m->mcid);
        } else {
            cb_buf_adds(b, "<</Pg ");
            put_ref(b, pages[m->page]);
            cb_buf_adds(b, "/MCID ");
            put_uint(b, m->mcid);
            cb_buf_adds(b, ">>");
        }
    }
    if (e->nkids > 1) cb_buf_adds(b, "]");
    if (!e->lbody) {
        if (nd->role == CB_ROLE_FIGURE) {
            cb_buf_adds(b, "/Alt");
            put_text(b, nd->alt ? nd->alt : "");
            const fig_box *f = e->node < t->l->nnodes ? &t->box[e->node] : NULL;
            if (f && f->pages == 1 && f->x0 <= f->x1)
                cb_buf_addf(b, "/A<</O/Layout/BBox[%.1f %.1f %.1f %.1f]>>", f->x0, f->y0, f->x1, f->y1);
        }
        if (nd->role == CB_ROLE_HEADER_CELL) cb_buf_adds(b, "/A<</O/Table/Scope/Column>>");
        if (nd->lang[0]) {
            cb_buf_adds(b, "/Lang");
            put_text(b, nd->lang);
        }
    }
    cb_buf_add(b, "\n", 2); /* with the NUL */
}

/* Chinese: CJK radicals to unified ideographs (with the CJK punctuation, kana and
 * bopomofo), compatibility ideographs and forms, the full-width forms, the supplementary
 * ideographic planes. */
static int chinese(uint32_t c)
{
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
           (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* Neither Chinese nor a letter: spaces, digits, ASCII punctuation, Latin-1's symbols,
 * general punctuation, symbols, arrows and mathematical operators. */
static int neutral(uint32_t c)
{
    if (c < 0x80) return !((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    return (c >= 0xA0 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x2BFF);
}

const char *cb_pdf_tags_run_end(const char *s, const char *end)
{
    const char *p = s, *run = s;
    while (p < end) {
        uint32_t c = cb_utf8_next(&p, end);
        if (chinese(c)) run = p;
        else if (run == s || !neutral(c)) break;
    }
    return run;
}

HPDF_STATUS cb_pdf_tags_outline(cb_pdf_tags *t, HPDF_Doc pdf, const HPDF_Page *pages)
{
    const cb_layout *l = t->l;
    if (!l->nmarks) return HPDF_OK;
    HPDF_Outline last[5] = {NULL}; /* the last bookmark of each level (1..4) */
    int open[5] = {0}, up;
    for (size_t i = 0; i < l->nmarks; i++) {
        const cb_bookmark *m = &l->marks[i];
        int level = m->level >= 1 && m->level <= 4 ? m->level : 1;
        heading_depth(open, level, &up); /* under the nearest heading above its level */
        HPDF_Outline o = HPDF_CreateOutline(pdf, up ? last[up] : NULL, "", NULL);
        if (!o) return HPDF_FAILD_TO_ALLOC_MEM;
        cb_hpdf_outline_title(o, cb_pdf_text_string(pdf, m->title));
        HPDF_Outline_SetOpened(o, HPDF_TRUE);
        /* [page /FitH top], a direct array: libharu's destinations are indirect objects,
         * which PDFBox's PDF/A-1 Preflight refuses ("can't convert to Destination") */
        HPDF_Array dst = cb_hpdf_array(pdf);
        if (!dst) return HPDF_FAILD_TO_ALLOC_MEM;
        cb_hpdf_append(dst, pages[m->page]);
        cb_hpdf_append_name(dst, "FitH");
        cb_hpdf_append_real(dst, m->y + 4);
        cb_hpdf_put(o, "Dest", dst);
        last[level] = o;
    }
    return HPDF_SetPageMode(pdf, HPDF_PAGE_MODE_USE_OUTLINE);
}

HPDF_STATUS cb_pdf_tags_finish(cb_pdf_tags *t, HPDF_Doc pdf, const HPDF_Page *pages, size_t npages)
{
    const cb_layout *l = t->l;
    size_t nn = l->nnodes ? l->nnodes : 1;
    if (npages > l->npages) npages = l->npages; /* not reached: one page per page */
    /* the header names the version whose keys the file uses (/Tabs: 1.5; /MarkInfo, /Lang,
     * /Metadata: 1.4); PDF/A sets its own part's (pdf_pdfa.c) */
    if (l->info.standard == CB_PDF_PLAIN) cb_hpdf_min_version(pdf, HPDF_VER_15);
    t->page_mc[npages] = t->nmc;
    t->elem_of = cb_xmalloc(nn * sizeof *t->elem_of);
    t->target_of = cb_xmalloc(nn * sizeof *t->target_of);
    for (size_t i = 0; i < nn; i++) t->elem_of[i] = t->target_of[i] = NONE;
    attach(t, CB_NODE_DOCUMENT);
    for (size_t i = 0; i < t->nmc; i++) add_kid(t, attach(t, t->mc[i].node), (uint32_t)i, 1);
    for (uint32_t n = 0; n < l->nnodes; n++) /* the empty cells at the end of a row */
        if (is_cell(&l->nodes[n]) && t->elem_of[n] == NONE && l->nodes[n].parent < l->nnodes &&
            t->elem_of[l->nodes[n].parent] != NONE)
            attach(t, n);
    group_kids(t);

    HPDF_Dict root = cb_hpdf_dict(pdf, 1), ptree = cb_hpdf_dict(pdf, 1);
    if (!root || !ptree) return HPDF_FAILD_TO_ALLOC_MEM;
    int titled = 0;
    for (size_t e = 0; e < t->nel; e++) {
        if (!(t->el[e].dict = cb_hpdf_dict(pdf, 1))) return HPDF_FAILD_TO_ALLOC_MEM;
        titled |= node_at(t, t->el[e].node)->role == CB_ROLE_TITLE;
    }
    /* the parent tree: per page with marked content, its elements by MCID */
    HPDF_STATUS st = HPDF_OK;
    cb_buf nums = {0};
    cb_buf_adds(&nums, "/Nums[");
    for (size_t p = 0; p < npages; p++) {
        if (t->page_mc[p + 1] == t->page_mc[p]) continue;
        HPDF_Array a = cb_hpdf_indirect_array(pdf);
        if (!a) {
            cb_buf_free(&nums);
            return HPDF_FAILD_TO_ALLOC_MEM;
        }
        for (size_t i = t->page_mc[p]; i < t->page_mc[p + 1]; i++)
            st |= cb_hpdf_append(a, t->el[t->target_of[t->mc[i].node]].dict);
        if (nums.len > 6) cb_buf_adds(&nums, " ");
        put_uint(&nums, p);
        cb_buf_adds(&nums, " ");
        put_ref(&nums, a);
    }
    cb_buf_adds(&nums, "]\n");

    size_t *off = cb_xmalloc((t->nel + 2) * sizeof *off);
    for (size_t e = 0; e < t->nel; e++) {
        off[e] = t->text.len;
        put_elem(t, &t->el[e], root, pages);
    }
    off[t->nel] = t->text.len;
    cb_buf_adds(&t->text, "/Type/StructTreeRoot/K ");
    put_ref(&t->text, t->el[0].dict);
    cb_buf_adds(&t->text, "/ParentTree ");
    put_ref(&t->text, ptree);
    cb_buf_addf(&t->text, "/ParentTreeNextKey %zu", npages);
    if (titled) cb_buf_adds(&t->text, "/RoleMap<</Title/H1>>");
    cb_buf_add(&t->text, "\n", 2);
    off[t->nel + 1] = t->text.len;
    cb_buf_add(&t->text, nums.s, nums.len + 1);
    cb_buf_free(&nums);
    /* the buffer is complete: its texts may be lent now */
    for (size_t e = 0; e < t->nel; e++) cb_hpdf_put_raw(t->el[e].dict, t->text.s + off[e]);
    cb_hpdf_put_raw(root, t->text.s + off[t->nel]);
    cb_hpdf_put_raw(ptree, t->text.s + off[t->nel + 1]);
    free(off);

    HPDF_Dict mark = cb_hpdf_dict(pdf, 0), prefs = cb_hpdf_dict(pdf, 0);
    if (!mark || !prefs) return HPDF_FAILD_TO_ALLOC_MEM;
    cb_hpdf_put_raw(mark, "/Marked true\n");
    cb_hpdf_put_raw(prefs, "/DisplayDocTitle true\n");
    st |= cb_hpdf_catalog(pdf, "StructTreeRoot", root);
    st |= cb_hpdf_catalog(pdf, "MarkInfo", mark);
    st |= cb_hpdf_catalog(pdf, "Lang", cb_hpdf_string(pdf, doc_lang(l)));
    st |= cb_hpdf_catalog(pdf, "ViewerPreferences", prefs);
    return st;
}
