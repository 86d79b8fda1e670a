/* ofd.c: see ofd.h. The page content and the document's parts (fonts, resources,
 * outline, information); the libraries, writer helpers and the package are ofd_pkg.c's
 * (ofd_int.h). */
#include "ofd_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "countybrief/countybrief.h"
#include "output.h"

#define IMAGE_MAX ((size_t)64 << 20) /* an image file read into the package (logos: kilobytes) */

static double mm(double pt) { return pt * (25.4 / 72.0); }

/* ---- fonts ------------------------------------------------------------------------------ */

static int cmp_cp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Character cp's advance in face m, in thousandths of an em: the subset's width, as the
 * PDF's /W has it (the same places, character by character). */
static double advance(const ofd_face *m, uint32_t cp)
{
    const uint32_t *at = bsearch(&cp, m->set->cps, m->set->n, sizeof cp, cmp_cp);
    return at ? m->sub.widths[at - m->set->cps] : 0;
}

/* PublicRes.xml: the colour space and each face, with its file under Res/. */
static int write_public_res(ofd_doc *d, cb_error *err)
{
    char name[64];
    for (size_t i = 0; i < d->nsets; i++) {
        const ofd_face *m = &d->faces[i];
        int otf = m->sub.len >= 4 && memcmp(m->sub.data, "OTTO", 4) == 0;
        snprintf(name, sizeof name, "Doc_0/Res/font_%u.%s", m->id, otf ? "otf" : "ttf");
        int rc = ofd_add_entry(d, name, m->sub.data, m->sub.len, -1, 0, err);
        if (rc != CB_OK) return rc;
    }
    ofd_part_open(d, "Res");
    ofd_attr(d, "BaseLoc", "Res");
    ofd_el(d, "ColorSpaces");
    ofd_el(d, "ColorSpace");
    ofd_attr(d, "ID", "1");
    ofd_attr(d, "Type", "RGB");
    ofd_attr(d, "BitsPerComponent", "8");
    ofd_end(d);
    ofd_end(d);
    ofd_el(d, "Fonts");
    for (size_t i = 0; i < d->nsets; i++) {
        const ofd_face *m = &d->faces[i];
        cb_font_face_info fi;
        cb_font_face_info_get(d->font, m->set->face, &fi);
        ofd_el(d, "Font");
        ofd_attr_id(d, "ID", m->id);
        ofd_attr(d, "FontName", ofd_xml_text(d, fi.psname));
        if (fi.family[0]) ofd_attr(d, "FamilyName", ofd_xml_text(d, fi.family));
        if (cb_font_face_bold(d->font, m->set->face)) ofd_attr(d, "Bold", "true");
        int otf = m->sub.len >= 4 && memcmp(m->sub.data, "OTTO", 4) == 0;
        snprintf(name, sizeof name, "font_%u.%s", m->id, otf ? "otf" : "ttf");
        ofd_text_el(d, "FontFile", name);
        ofd_end(d);
    }
    ofd_end(d);
    return ofd_part_close(d, "Doc_0/PublicRes.xml", -1, err);
}

/* ---- page content ----------------------------------------------------------------------- */

static void color_el(ofd_doc *d, const char *name, cb_rgb c)
{
    float ch[3] = {c.r, c.g, c.b};
    d->scratch.len = 0;
    for (int i = 0; i < 3; i++) ofd_add_milli(&d->scratch, 1000 * lrintf((ch[i] < 0 ? 0 : ch[i] > 1 ? 1 : ch[i]) * 255));
    ofd_el(d, name);
    ofd_attr(d, "Value", d->scratch.s);
    ofd_end(d);
}

/* Starts a graphic object: its ID, and the page as its Boundary (its coordinates are the
 * page's). */
static void object(ofd_doc *d, const char *kind)
{
    ofd_el(d, kind);
    ofd_attr_id(d, "ID", ++d->last_id);
    ofd_attr(d, "Boundary", d->page_box);
}

/* A point of the page (PDF points, y up) as OFD's (mm, y down), appended to path data. */
static void add_point(ofd_doc *d, cb_buf *b, double x, double y)
{
    ofd_add_milli(b, ofd_milli(mm(x)));
    ofd_add_milli(b, ofd_milli(mm(d->l->page_h - y)));
}

static void add_cmd(cb_buf *b, const char *c)
{
    if (b->len) cb_buf_add(b, " ", 1);
    cb_buf_adds(b, c);
}

static void add_rect(ofd_doc *d, cb_buf *b, const float *r)
{
    add_cmd(b, "M");
    add_point(d, b, r[0], r[1]);
    add_cmd(b, "L");
    add_point(d, b, r[0] + r[2], r[1]);
    add_cmd(b, "L");
    add_point(d, b, r[0] + r[2], r[1] + r[3]);
    add_cmd(b, "L");
    add_point(d, b, r[0], r[1] + r[3]);
    add_cmd(b, "C");
}

/* A PathObject: paint (CB_PAINT_*), its colours, line width (points) and data. */
static void path_object(ofd_doc *d, int paint, cb_rgb fill, cb_rgb stroke, double width, const double *dash,
                        const cb_buf *data)
{
    object(d, "PathObject");
    if (paint & CB_PAINT_STROKE) {
        double w = mm(width);
        ofd_attr_nums(d, "LineWidth", 1, &w);
        if (dash) ofd_attr_nums(d, "DashPattern", 2, dash);
    } else {
        ofd_attr(d, "Stroke", "false");
    }
    if (paint & CB_PAINT_FILL) ofd_attr(d, "Fill", "true");
    if (paint & CB_PAINT_STROKE) color_el(d, "StrokeColor", stroke);
    if (paint & CB_PAINT_FILL) color_el(d, "FillColor", fill);
    ofd_raw_el(d, "AbbreviatedData", data->s ? data->s : "");
    ofd_end(d);
}

/* A path from a plugin block (layout.h: cb_path_seg). A segment kind the writer does not
 * know fails the document, naming it: never a shape silently missing. */
static int draw_path(ofd_doc *d, const cb_op *op, cb_error *err)
{
    cb_buf b = {0};
    int open = 0; /* lines and curves need a current point, as in the PDF */
    for (size_t i = 0; i < op->nsegs; i++) {
        const cb_path_seg *s = &op->segs[i];
        switch (s->kind) {
        case 'm':
            add_cmd(&b, "M");
            add_point(d, &b, s->pt[0], s->pt[1]);
            open = 1;
            break;
        case 'l':
            if (open) add_cmd(&b, "L"), add_point(d, &b, s->pt[0], s->pt[1]);
            break;
        case 'c':
            if (!open) break;
            add_cmd(&b, "B");
            for (int k = 0; k < 6; k += 2) add_point(d, &b, s->pt[k], s->pt[k + 1]);
            break;
        case 'h':
            if (open) add_cmd(&b, "C");
            break;
        case 'r':
            add_rect(d, &b, s->pt);
            open = 1;
            break;
        default:
            cb_buf_free(&b);
            return cb_fail(err, CB_EOFD, "the OFD writer cannot draw a path segment of kind '%c' (0x%02X)",
                           s->kind >= 0x20 && s->kind < 0x7F ? s->kind : '?', (unsigned char)s->kind);
        }
    }
    if (open) {
        double dash[2], *dp = NULL;
        if ((op->paint & CB_PAINT_STROKE) && op->dash_on > 0) { /* whole points, as the PDF has them */
            double on = floor(op->dash_on + 0.5), off = floor(op->dash_off + 0.5);
            dash[0] = mm(on < 1 ? 1 : on);
            dash[1] = mm(off > 0 ? off : on < 1 ? 1 : on);
            dp = dash;
        }
        path_object(d, op->paint, op->color, op->stroke, op->size, dp, &b);
    }
    cb_buf_free(&b);
    return CB_OK;
}

/* An image op: the file, checked when the template was read, embedded once. */
static int draw_image(ofd_doc *d, const cb_op *op, cb_error *err)
{
    const ofd_image *im = NULL;
    for (size_t i = 0; i < d->nimages && !im; i++)
        if (strcmp(d->images[i].path, op->text) == 0) im = &d->images[i];
    if (!im) {
        size_t len;
        cb_error inner;
        char *data = cb_file_read(op->text, IMAGE_MAX, &len, &inner);
        if (!data) return cb_fail(err, CB_EOFD, "cannot embed the image: %s", inner.msg);
        d->images = cb_xgrow(d->images, d->nimages, sizeof *d->images);
        ofd_image *n = &d->images[d->nimages++];
        n->path = op->text;
        n->id = ++d->last_id;
        n->jpeg = op->bold;
        char name[64];
        snprintf(name, sizeof name, "Doc_0/Res/image_%u.%s", n->id, n->jpeg ? "jpg" : "png");
        int rc = ofd_add_entry(d, name, data, len, -1, 0, err);
        free(data);
        if (rc != CB_OK) return rc;
        im = n;
    }
    ofd_el(d, "ImageObject");
    ofd_attr_id(d, "ID", ++d->last_id);
    double box[4] = {mm(op->x), mm(d->l->page_h - op->y - op->h), mm(op->w), mm(op->h)};
    ofd_attr_nums(d, "Boundary", 4, box);
    double ctm[6] = {box[2], 0, 0, box[3], 0, 0};
    ofd_attr_nums(d, "CTM", 6, ctm);
    ofd_attr_id(d, "ResourceID", im->id);
    ofd_end(d);
    return CB_OK;
}

/* Appends q to DeltaX list b: runs of one value as "g N V" (GB/T 33190 7.7.2) once three
 * or more. *run, *last: the run so far. */
static void delta_flush(cb_buf *b, long long last, size_t run)
{
    if (!run) return;
    if (run >= 3) {
        cb_buf_adds(b, b->len ? " g" : "g");
        ofd_add_milli(b, 1000 * (long long)run);
        ofd_add_milli(b, last);
        return;
    }
    for (size_t i = 0; i < run; i++) ofd_add_milli(b, last);
}

/* A text op: one TextObject, one TextCode. Each character's place is where the PDF draws
 * it: the advance before it (the subset's width), the spacing and its own displacement
 * (layout.h: dx), rounded from the start, not step by step, so no error builds up. */
static void draw_text(ofd_doc *d, const cb_op *op)
{
    const ofd_face *m = d->by_face[cb_op_face(op)];
    if (!m) return; /* cannot happen: every face drawn was collected */
    cb_buf chars = {0}, deltas = {0};
    uint32_t repl = op->font < 0 ? cb_font_replacement(d->font) : 0;
    double pos = 0, first = 0; /* points along the line from op->x */
    long long prev = 0, last = 0;
    size_t n = 0, run = 0;
    const char *s = op->text, *e = s + strlen(s);
    while (s < e) {
        uint32_t cp = cb_utf8_next(&s, e);
        if (cb_font_invisible(cp)) continue;
        if (op->font < 0) cp = repl;
        pos += op->dx ? op->dx[n] : 0;
        long long at = ofd_milli(mm(pos));
        if (n == 0) {
            first = pos;
        } else {
            long long q = at - prev;
            if (run && q != last) delta_flush(&deltas, last, run), run = 0;
            last = q;
            run++;
        }
        prev = at;
        pos += advance(m, cp) * op->size / 1000 + op->spacing;
        char u[4];
        cb_buf_add(&chars, u, (size_t)cb_utf8_encode(cp, u));
        n++;
    }
    delta_flush(&deltas, last, run);
    if (n) {
        object(d, "TextObject");
        ofd_attr_id(d, "Font", m->id);
        double size = mm(op->size);
        ofd_attr_nums(d, "Size", 1, &size);
        if (op->bold) { /* faux bold (layout.h): the outline thickened by a stroke */
            ofd_attr(d, "Stroke", "true");
            double w = mm(op->size * CB_FAUX_BOLD_EM);
            ofd_attr_nums(d, "LineWidth", 1, &w);
        }
        double at[2] = {mm(op->x + first), mm(d->l->page_h - op->y)};
        if (op->angle != 0) { /* rotated about its start (the watermark); with y down, a turn
                               * counter-clockwise is (cos, -sin, sin, cos) */
            char ctm[160];
            double c = cos(op->angle), sn = sin(op->angle);
            int k = snprintf(ctm, sizeof ctm, "%.6f %.6f %.6f %.6f", c, -sn, sn, c);
            snprintf(ctm + k, sizeof ctm - (size_t)k, " %s", ofd_nums(d, 2, at));
            ofd_attr(d, "CTM", ctm);
            at[0] = mm(first), at[1] = 0;
        }
        color_el(d, "FillColor", op->color);
        if (op->bold) color_el(d, "StrokeColor", op->color);
        ofd_el(d, "TextCode");
        ofd_attr_nums(d, "X", 1, at);
        ofd_attr_nums(d, "Y", 1, at + 1);
        if (deltas.len) {
            cb_buf_add(&deltas, "", 1);
            ofd_attr(d, "DeltaX", deltas.s);
        }
        cb_buf_add(&chars, "", 1);
        ofd_string(d, chars.s);
        ofd_end(d);
        ofd_end(d);
    }
    cb_buf_free(&chars);
    cb_buf_free(&deltas);
}

/* ---- the backend ------------------------------------------------------------------------ */

static void ofd_free_document(void *state)
{
    ofd_doc *d = state;
    if (!d) return;
    ofd_pkg_free(d);
    for (size_t i = 0; i < d->nsets; i++) cb_font_subset_free(&d->faces[i].sub);
    free(d->faces);
    free(d->by_face);
    cb_face_sets_free(d->sets, d->nsets);
    free(d->page_ids);
    free(d->images);
    cb_buf_free(&d->scratch);
    cb_buf_free(&d->clean);
    free(d->page_box);
    free(d);
}

/* Subsets every face the display list draws with, opens the package in memory, and writes
 * the fonts and PublicRes.xml. */
static int ofd_begin_document(void **state, const cb_layout *l, cb_font *font, cb_error *err)
{
    int rc = ofd_lib_load(err);
    if (rc != CB_OK) return rc;
    ofd_doc *d = cb_xcalloc(1, sizeof *d);
    *state = d;
    d->l = l;
    d->font = font;
    size_t nfaces = cb_font_nfaces(font);
    d->sets = cb_face_sets(l, font, &d->nsets);
    d->faces = cb_xcalloc(d->nsets, sizeof *d->faces);
    d->by_face = cb_xcalloc(nfaces, sizeof *d->by_face);
    d->last_id = 1; /* 1: the colour space */
    double box[4] = {0, 0, mm(l->page_w), mm(l->page_h)};
    d->page_box = cb_xstrdup(ofd_nums(d, 4, box));
    for (size_t i = 0; i < d->nsets; i++) {
        ofd_face *m = &d->faces[i];
        m->set = &d->sets[i];
        m->id = ++d->last_id;
        d->by_face[m->set->face] = m;
        rc = cb_font_subset_sfnt(font, m->set->face, m->set->cps, m->set->n, &m->sub, err);
        if (rc != CB_OK) return rc;
    }
    d->page_ids = cb_xcalloc(l->npages ? l->npages : 1, sizeof *d->page_ids);
    if ((rc = ofd_pkg_open(d, err)) != CB_OK) return rc;
    return write_public_res(d, err);
}

static int ofd_begin_page(void *state, size_t i, cb_error *err)
{
    ofd_doc *d = state;
    (void)err;
    d->page = i;
    d->page_ids[i] = ++d->last_id;
    ofd_part_open(d, "Page");
    ofd_el(d, "Content");
    ofd_el(d, "Layer");
    ofd_attr_id(d, "ID", ++d->last_id);
    return CB_OK;
}

static const char *const op_names[] = {"text", "rectangle", "line", "path", "image"};

static int ofd_ops(void *state, const cb_op *ops, size_t n, cb_error *err)
{
    ofd_doc *d = state;
    for (size_t k = 0; k < n; k++) {
        const cb_op *op = &ops[k];
        int rc = CB_OK;
        cb_buf b = {0};
        switch (op->kind) {
        case CB_OP_TEXT:
            draw_text(d, op);
            break;
        case CB_OP_RECT: {
            float r[4] = {op->x, op->y, op->w, op->h};
            add_rect(d, &b, r);
            path_object(d, CB_PAINT_FILL, op->color, op->color, 0, NULL, &b);
            break;
        }
        case CB_OP_LINE:
            add_cmd(&b, "M");
            add_point(d, &b, op->x, op->y);
            add_cmd(&b, "L");
            add_point(d, &b, op->x + op->w, op->y + op->h);
            path_object(d, CB_PAINT_STROKE, op->color, op->color, op->size, NULL, &b);
            break;
        case CB_OP_PATH:
            rc = draw_path(d, op, err);
            break;
        case CB_OP_IMAGE:
            rc = draw_image(d, op, err);
            break;
        default: /* a kind added to layout.h and not here: fail, never a shape missing */
            rc = cb_fail(err, CB_EOFD, "the OFD writer cannot draw an operation of kind %d (it draws %s, %s, "
                         "%s, %s and %s)", (int)op->kind, op_names[0], op_names[1], op_names[2], op_names[3],
                         op_names[4]);
        }
        cb_buf_free(&b);
        if (rc != CB_OK) return rc;
    }
    return CB_OK;
}

static int ofd_end_page(void *state, cb_error *err)
{
    ofd_doc *d = state;
    char name[64];
    snprintf(name, sizeof name, "Doc_0/Pages/Page_%zu/Content.xml", d->page);
    return ofd_part_close(d, name, -1, err);
}

/* The outline from bookmark *i on, while deeper than `level` (a heading under the nearest
 * heading above its level, as in the PDF). */
static void outline(ofd_doc *d, size_t *i, int level)
{
    const cb_layout *l = d->l;
    while (*i < l->nmarks) {
        const cb_bookmark *m = &l->marks[*i];
        int lv = m->level >= 1 && m->level <= 4 ? m->level : 1;
        if (lv <= level) return;
        ofd_el(d, "OutlineElem");
        ofd_attr(d, "Title", ofd_xml_text(d, m->title ? m->title : ""));
        ofd_el(d, "Actions");
        ofd_el(d, "Action");
        ofd_attr(d, "Event", "CLICK");
        ofd_el(d, "Goto");
        ofd_el(d, "Dest");
        ofd_attr(d, "Type", "XYZ");
        ofd_attr_id(d, "PageID", d->page_ids[m->page < l->npages ? m->page : 0]);
        double at[2] = {0, mm(l->page_h - m->y - 4)};
        if (at[1] < 0) at[1] = 0;
        ofd_attr_nums(d, "Left", 1, at);
        ofd_attr_nums(d, "Top", 1, at + 1);
        ofd_end(d);
        ofd_end(d);
        ofd_end(d);
        ofd_end(d);
        ++*i;
        outline(d, i, lv);
        ofd_end(d);
    }
}

/* DocumentRes.xml (the images), Document.xml, OFD.xml; then the package into out. */
static int ofd_end_document(void *state, cb_buf *out, cb_error *err)
{
    ofd_doc *d = state;
    const cb_layout *l = d->l;
    int rc = CB_OK;
    if (d->nimages) {
        ofd_part_open(d, "Res");
        ofd_attr(d, "BaseLoc", "Res");
        ofd_el(d, "MultiMedias");
        for (size_t i = 0; i < d->nimages; i++) {
            char name[48];
            ofd_el(d, "MultiMedia");
            ofd_attr_id(d, "ID", d->images[i].id);
            ofd_attr(d, "Type", "Image");
            ofd_attr(d, "Format", d->images[i].jpeg ? "JPEG" : "PNG");
            snprintf(name, sizeof name, "image_%u.%s", d->images[i].id, d->images[i].jpeg ? "jpg" : "png");
            ofd_text_el(d, "MediaFile", name);
            ofd_end(d);
        }
        if ((rc = ofd_part_close(d, "Doc_0/DocumentRes.xml", -1, err)) != CB_OK) return rc;
    }

    ofd_part_open(d, "Document");
    ofd_el(d, "CommonData");
    char v[32];
    snprintf(v, sizeof v, "%u", d->last_id);
    ofd_text_el(d, "MaxUnitID", v);
    ofd_el(d, "PageArea");
    double box[4] = {0, 0, mm(l->page_w), mm(l->page_h)};
    ofd_text_el(d, "PhysicalBox", ofd_nums(d, 4, box));
    ofd_end(d);
    ofd_text_el(d, "PublicRes", "PublicRes.xml");
    if (d->nimages) ofd_text_el(d, "DocumentRes", "DocumentRes.xml");
    ofd_text_el(d, "DefaultCS", "1");
    ofd_end(d);
    ofd_el(d, "Pages");
    for (size_t i = 0; i < l->npages; i++) {
        char loc[48];
        snprintf(loc, sizeof loc, "Pages/Page_%zu/Content.xml", i);
        ofd_el(d, "Page");
        ofd_attr_id(d, "ID", d->page_ids[i]);
        ofd_attr(d, "BaseLoc", loc);
        ofd_end(d);
    }
    ofd_end(d);
    if (l->nmarks) {
        ofd_el(d, "Outlines");
        size_t i = 0;
        outline(d, &i, 0);
        ofd_end(d);
        ofd_el(d, "VPreferences");
        ofd_text_el(d, "PageMode", "UseOutlines");
        ofd_end(d);
    }
    if ((rc = ofd_part_close(d, "Doc_0/Document.xml", -1, err)) != CB_OK) return rc;

    /* OFD.xml: the document's information; its DocID the digest of everything else */
    char id[33];
    snprintf(id, sizeof id, "%016llx%016llx", (unsigned long long)d->digest[0], (unsigned long long)d->digest[1]);
    ofd_part_open(d, "OFD");
    ofd_attr(d, "Version", "1.0");
    ofd_attr(d, "DocType", "OFD");
    ofd_el(d, "DocBody");
    ofd_el(d, "DocInfo");
    ofd_text_el(d, "DocID", id);
    if (l->info.title) ofd_text_el(d, "Title", l->info.title);
    if (l->info.author) ofd_text_el(d, "Author", l->info.author);
    if (l->info.subject) ofd_text_el(d, "Subject", l->info.subject);
    if (l->info.dated) {
        time_t t = (time_t)l->info.date;
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(v, sizeof v, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        ofd_text_el(d, "CreationDate", v);
    }
    if (l->info.keywords) { /* "a, b；c": one Keyword each; without such marks, "a b c" */
        ofd_el(d, "Keywords");
        int any = 0;
        char *k = cb_xstrdup(l->info.keywords);
        static const char *const marks[] = {"\xEF\xBC\x8C", "\xEF\xBC\x9B", "\xE3\x80\x81", NULL}; /* ，；、 */
        for (int i = 0; marks[i]; i++) /* the full-width ones as ',' */
            for (char *z; (z = strstr(k, marks[i]));) memcpy(z, ",  ", 3);
        const char *sep = strpbrk(k, ",;") ? ",;" : " \t";
        for (char *p = k, *q; *p; p = *q ? q + 1 : q) {
            q = p + strcspn(p, sep);
            char *e = q;
            while (*p == ' ' || *p == '\t') p++;
            while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
            if (e > p) {
                char c = *e;
                *e = '\0';
                ofd_text_el(d, "Keyword", p);
                *e = c;
                any = 1;
            }
        }
        if (!any) ofd_text_el(d, "Keyword", l->info.keywords);
        free(k);
        ofd_end(d);
    }
    ofd_text_el(d, "Creator", "countybrief");
    ofd_text_el(d, "CreatorVersion", CB_VERSION_STRING);
    ofd_end(d);
    ofd_text_el(d, "DocRoot", "Doc_0/Document.xml");
    if ((rc = ofd_part_close(d, "OFD.xml", d->root, err)) != CB_OK) return rc;

    return ofd_pkg_close(d, out, err);
}

const cb_backend cb_ofd_backend = {
    .name = "ofd",
    .ext = "ofd",
    .begin_document = ofd_begin_document,
    .begin_page = ofd_begin_page,
    .ops = ofd_ops,
    .end_page = ofd_end_page,
    .end_document = ofd_end_document,
    .free_document = ofd_free_document,
    .release = ofd_release,
};
