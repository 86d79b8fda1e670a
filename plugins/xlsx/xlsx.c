/*
 * xlsx.c: the `xlsx` data source. Reads an Office Open XML workbook (.xlsx) with libzip
 * and expat, streaming: no part is held as a tree, and a sheet's rows go to the host as
 * they are parsed. One table per worksheet, named after the sheet; the first non-empty
 * row is the header. docs: plugins/xlsx/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx.h"

CB_PLUGIN_MAGIC("xlsx", "1.1.0",
                "Spreadsheets as data (.xlsx, .ods, and .xls when built with libfreexl): one "
                "table per sheet")

/* ------------------------------------------------------------------ the workbook */

typedef struct rel {
    char *id, *type, *target;
    int external;
} rel;

typedef struct sheet_ref {
    char *name, *rid;
} sheet_ref;

typedef struct numfmt {
    unsigned id;
    char *code;
} numfmt;

typedef struct workbook {
    xl_book bk;
    char *part;            /* "xl/workbook.xml" */
    char *dir;             /* "xl" */
    int date1904;
    sheet_ref *sheets;
    size_t nsheets;
    rel *rels;             /* of the workbook part */
    size_t nrels;
    numfmt *fmts;          /* custom number formats */
    size_t nfmts;
    unsigned *xf_fmt;      /* numFmtId of each cellXfs entry (a cell's s="N") */
    unsigned char *xf_kind, *xf_elapsed;
    size_t nxf;
    xl_buf sst;            /* shared strings, each NUL-terminated */
    size_t *sst_off;
    size_t nsst;
} workbook;

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xl_xrealloc(NULL, n), s, n);
}

#define GROW(arr, n)                                                            \
    do {                                                                        \
        if (((n) & ((n) - 1)) == 0) /* 0, 1, 2, 4, ...: double */              \
            (arr) = xl_xrealloc((arr), ((n) ? 2 * (n) : 1) * sizeof *(arr));   \
    } while (0)

static void rels_free(rel *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].id);
        free(r[i].type);
        free(r[i].target);
    }
    free(r);
}

static void workbook_free(workbook *wb)
{
    xl_close(&wb->bk);
    free(wb->part);
    free(wb->dir);
    for (size_t i = 0; i < wb->nsheets; i++) {
        free(wb->sheets[i].name);
        free(wb->sheets[i].rid);
    }
    free(wb->sheets);
    rels_free(wb->rels, wb->nrels);
    for (size_t i = 0; i < wb->nfmts; i++) free(wb->fmts[i].code);
    free(wb->fmts);
    free(wb->xf_fmt);
    free(wb->xf_kind);
    free(wb->xf_elapsed);
    xl_buf_free(&wb->sst);
    free(wb->sst_off);
}

/* A relationship target as a zip entry name: relative to the folder of the part that
 * holds the relationship (dir, "" for the package root), or absolute from the root;
 * "." and ".." resolved. */
static char *resolve(const char *dir, const char *target)
{
    xl_buf in = {0}, out = {0};
    if (target[0] != '/' && *dir) {
        xl_buf_add(&in, dir, strlen(dir));
        xl_buf_addc(&in, '/');
    }
    xl_buf_add(&in, target, strlen(target));
    char *save = NULL;
    size_t *starts = NULL, depth = 0; /* where each output segment begins */
    for (char *seg = strtok_r((char *)xl_buf_cstr(&in), "/", &save); seg;
         seg = strtok_r(NULL, "/", &save)) {
        if (strcmp(seg, ".") == 0) continue;
        if (strcmp(seg, "..") == 0) {
            if (depth) out.len = starts[--depth];
            continue;
        }
        GROW(starts, depth);
        starts[depth++] = out.len;
        if (out.len) xl_buf_addc(&out, '/');
        xl_buf_add(&out, seg, strlen(seg));
    }
    free(starts);
    xl_buf_free(&in);
    char *s = xstrdup(xl_buf_cstr(&out));
    xl_buf_free(&out);
    return s;
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

/* ------------------------------------------------------------------ relationships */

typedef struct rels_st {
    xl_xml x;
    rel *r;
    size_t n;
} rels_st;

static void XMLCALL rels_start(void *ud, const char *name, const char **attrs)
{
    rels_st *s = ud;
    if (s->x.rc || strcmp(xl_local(name), "Relationship") != 0) return;
    const char *id = xl_attr(attrs, "Id"), *type = xl_attr(attrs, "Type");
    const char *target = xl_attr(attrs, "Target"), *mode = xl_attr(attrs, "TargetMode");
    if (!id || !type || !target) return; /* not one we can use */
    GROW(s->r, s->n);
    s->r[s->n++] = (rel){xstrdup(id), xstrdup(type), xstrdup(target),
                         mode && strcmp(mode, "External") == 0};
}

static void XMLCALL ignore_end(void *ud, const char *name) { (void)ud, (void)name; }
static void XMLCALL ignore_chars(void *ud, const char *s, int len) { (void)ud, (void)s, (void)len; }

static int read_rels(xl_book *bk, const char *entry, rel **out, size_t *nout)
{
    rels_st s = {{bk, NULL, NULL, NULL, 0}, NULL, 0};
    int rc = xl_parse(&s.x, entry, rels_start, ignore_end, ignore_chars);
    if (rc != CB_OK) {
        rels_free(s.r, s.n);
        return rc;
    }
    *out = s.r;
    *nout = s.n;
    return CB_OK;
}

/* The workbook part: the package's officeDocument relationship, else xl/workbook.xml. */
static int find_workbook(workbook *wb)
{
    const char *fallback = "xl/workbook.xml";
    if (xl_has_entry(&wb->bk, "_rels/.rels")) {
        rel *r = NULL;
        size_t n = 0;
        int rc = read_rels(&wb->bk, "_rels/.rels", &r, &n);
        if (rc != CB_OK) return rc;
        for (size_t i = 0; i < n && !wb->part; i++)
            if (!r[i].external && ends_with(r[i].type, "/officeDocument"))
                wb->part = resolve("", r[i].target);
        rels_free(r, n);
    }
    if (!wb->part || !xl_has_entry(&wb->bk, wb->part)) {
        free(wb->part);
        wb->part = xstrdup(fallback);
    }
    if (!xl_has_entry(&wb->bk, wb->part))
        return xl_fail(&wb->bk, CB_EDATA, "not an Excel workbook: the archive has no %s", fallback);
    const char *slash = strrchr(wb->part, '/');
    size_t dl = slash ? (size_t)(slash - wb->part) : 0;
    wb->dir = xl_xrealloc(NULL, dl + 1);
    memcpy(wb->dir, wb->part, dl);
    wb->dir[dl] = '\0';
    return CB_OK;
}

/* The target of the workbook's relationship whose type ends in `type_tail`, or NULL. */
static char *workbook_target(const workbook *wb, const char *type_tail)
{
    for (size_t i = 0; i < wb->nrels; i++)
        if (!wb->rels[i].external && ends_with(wb->rels[i].type, type_tail))
            return resolve(wb->dir, wb->rels[i].target);
    return NULL;
}

/* ------------------------------------------------------------------ workbook.xml */

typedef struct wb_st {
    xl_xml x;
    workbook *wb;
} wb_st;

static void XMLCALL wb_start(void *ud, const char *name, const char **attrs)
{
    wb_st *s = ud;
    workbook *wb = s->wb;
    const char *l = xl_local(name);
    if (s->x.rc) return;
    if (strcmp(l, "workbookPr") == 0) {
        const char *d = xl_attr(attrs, "date1904");
        wb->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
    } else if (strcmp(l, "sheet") == 0) {
        const char *sname = xl_attr(attrs, "name");
        const char *rid = xl_attr_ns(attrs, "relationships", "id");
        if (!sname || !*sname || !rid) {
            xl_xml_fail(&s->x, CB_EDATA, "%s, line %lu: a <sheet> without a name or r:id",
                        s->x.entry, (unsigned long)XML_GetCurrentLineNumber(s->x.p));
            return;
        }
        GROW(wb->sheets, wb->nsheets);
        wb->sheets[wb->nsheets++] = (sheet_ref){xstrdup(sname), xstrdup(rid)};
    }
}

static int read_workbook(workbook *wb)
{
    int rc = find_workbook(wb);
    if (rc != CB_OK) return rc;
    wb_st s = {{&wb->bk, NULL, NULL, NULL, 0}, wb};
    if ((rc = xl_parse(&s.x, wb->part, wb_start, ignore_end, ignore_chars)) != CB_OK) return rc;
    /* xl/_rels/workbook.xml.rels */
    const char *base = wb->part + strlen(wb->dir) + (*wb->dir ? 1 : 0);
    xl_buf relpath = {0};
    if (*wb->dir) {
        xl_buf_add(&relpath, wb->dir, strlen(wb->dir));
        xl_buf_addc(&relpath, '/');
    }
    xl_buf_add(&relpath, "_rels/", 6);
    xl_buf_add(&relpath, base, strlen(base));
    xl_buf_add(&relpath, ".rels", 5);
    rc = read_rels(&wb->bk, xl_buf_cstr(&relpath), &wb->rels, &wb->nrels);
    xl_buf_free(&relpath);
    return rc;
}

/* ------------------------------------------------------------------ styles.xml */

typedef struct styles_st {
    xl_xml x;
    workbook *wb;
    int in_fmts, in_xfs;
} styles_st;

static unsigned attr_uint(const char **attrs, const char *local, unsigned dflt)
{
    const char *v = xl_attr(attrs, local);
    if (!v || !*v) return dflt;
    char *e;
    unsigned long n = strtoul(v, &e, 10);
    return *e || n > 0xFFFFFFFFul ? dflt : (unsigned)n;
}

static void XMLCALL styles_start(void *ud, const char *name, const char **attrs)
{
    styles_st *s = ud;
    workbook *wb = s->wb;
    const char *l = xl_local(name);
    if (strcmp(l, "numFmts") == 0) s->in_fmts = 1;
    else if (strcmp(l, "cellXfs") == 0) s->in_xfs = 1;
    else if (s->in_fmts && strcmp(l, "numFmt") == 0) {
        const char *code = xl_attr(attrs, "formatCode");
        GROW(wb->fmts, wb->nfmts);
        wb->fmts[wb->nfmts++] = (numfmt){attr_uint(attrs, "numFmtId", 0), xstrdup(code ? code : "")};
    } else if (s->in_xfs && strcmp(l, "xf") == 0) {
        GROW(wb->xf_fmt, wb->nxf);
        wb->xf_fmt[wb->nxf++] = attr_uint(attrs, "numFmtId", 0);
    }
}

static void XMLCALL styles_end(void *ud, const char *name)
{
    styles_st *s = ud;
    const char *l = xl_local(name);
    if (strcmp(l, "numFmts") == 0) s->in_fmts = 0;
    else if (strcmp(l, "cellXfs") == 0) s->in_xfs = 0;
}

/* Which cell styles show numbers as dates or times: a custom format's code decides, else
 * the built-in format of that id. */
static int read_styles(workbook *wb)
{
    char *part = workbook_target(wb, "/styles");
    if (!part) return CB_OK; /* no styles: every number is a number */
    styles_st s = {{&wb->bk, NULL, NULL, NULL, 0}, wb, 0, 0};
    int rc = xl_parse(&s.x, part, styles_start, styles_end, ignore_chars);
    free(part);
    if (rc != CB_OK) return rc;
    wb->xf_kind = xl_xrealloc(NULL, wb->nxf);
    wb->xf_elapsed = xl_xrealloc(NULL, wb->nxf);
    for (size_t i = 0; i < wb->nxf; i++) {
        unsigned id = wb->xf_fmt[i];
        int kind = -1, elapsed = id == 46; /* [h]:mm:ss */
        for (size_t k = 0; k < wb->nfmts && kind < 0; k++)
            if (wb->fmts[k].id == id) kind = xl_code_format(wb->fmts[k].code, &elapsed);
        if (kind < 0) kind = xl_builtin_format(id);
        wb->xf_kind[i] = (unsigned char)kind;
        wb->xf_elapsed[i] = (unsigned char)elapsed;
    }
    return CB_OK;
}

/* ------------------------------------------------------------------ sharedStrings.xml */

typedef struct sst_st {
    xl_xml x;
    workbook *wb;
    int in_si;
    xl_text text;
} sst_st;

static void XMLCALL sst_start(void *ud, const char *name, const char **attrs)
{
    sst_st *s = ud;
    const char *l = xl_local(name);
    if (s->in_si) xl_text_start(&s->text, l, attrs);
    else if (strcmp(l, "si") == 0) {
        s->in_si = 1;
        xl_text_reset(&s->text);
    }
}

static void XMLCALL sst_end(void *ud, const char *name)
{
    sst_st *s = ud;
    workbook *wb = s->wb;
    const char *l = xl_local(name);
    if (!s->in_si) return;
    if (strcmp(l, "si") != 0) {
        xl_text_end(&s->text, l);
        return;
    }
    s->in_si = 0;
    GROW(wb->sst_off, wb->nsst);
    wb->sst_off[wb->nsst++] = wb->sst.len;
    xl_buf_add(&wb->sst, s->text.b.s ? s->text.b.s : "", s->text.b.len);
    xl_buf_addc(&wb->sst, '\0');
}

static void XMLCALL sst_chars(void *ud, const char *str, int len)
{
    sst_st *s = ud;
    if (s->in_si) xl_text_chars(&s->text, str, len);
}

static int read_shared_strings(workbook *wb)
{
    char *part = workbook_target(wb, "/sharedStrings");
    if (!part) return CB_OK; /* a workbook with no text cells needs none */
    sst_st s = {{&wb->bk, NULL, NULL, NULL, 0}, wb, 0, {{0}, 0, 0, 0, 0}};
    int rc = xl_parse(&s.x, part, sst_start, sst_end, sst_chars);
    free(part);
    xl_buf_free(&s.text.b);
    return rc;
}

/* ------------------------------------------------------------------ a sheet */

typedef struct sheet_st {
    xl_xml x;
    workbook *wb;
    xl_sheet tbl;             /* the table the sheet becomes */
    const char *name;         /* the sheet's name */
    int in_data, in_row, in_c, in_v, in_is;
    uint32_t row, prev_row;   /* 1-based Excel row numbers; 0: none yet */
    uint32_t col, prev_col;
    char t[16];               /* the cell's t="..." */
    unsigned long style;      /* the cell's s="..." */
    int has_v, has_f;
    xl_buf v;                 /* the cell's <v> text */
    xl_text is;               /* the cell's <is> text */
} sheet_st;

/* "sheet projects, cell C7" prefix for a cell's messages */
#define CELLFMT "sheet %s, cell %s: "

static int parse_uint(const char *v, unsigned long max, unsigned long *out)
{
    if (!v || *v < '0' || *v > '9') return 0;
    char *e;
    unsigned long n = strtoul(v, &e, 10);
    if (*e || n > max) return 0;
    *out = n;
    return 1;
}

static void start_row(sheet_st *s, const char **attrs)
{
    const char *r = xl_attr(attrs, "r");
    unsigned long n;
    if (r) {
        if (!parse_uint(r, XL_MAX_ROW, &n) || n == 0) {
            xl_xml_fail(&s->x, CB_EDATA, "sheet %s: row number \"%s\" is out of range (1 to %u)",
                        s->name, r, XL_MAX_ROW);
            return;
        }
    } else {
        n = (unsigned long)s->prev_row + 1;
        if (n > XL_MAX_ROW) {
            xl_xml_fail(&s->x, CB_EDATA, "sheet %s: more than %u rows", s->name, XL_MAX_ROW);
            return;
        }
    }
    if (n <= s->prev_row) {
        xl_xml_fail(&s->x, CB_EDATA, "sheet %s: row %lu comes after row %u (rows out of order or "
                                     "repeated)", s->name, n, s->prev_row);
        return;
    }
    s->row = (uint32_t)n;
    s->in_row = 1;
    s->prev_col = 0;
    xl_sheet_row(&s->tbl, s->row);
}

static void start_cell(sheet_st *s, const char **attrs)
{
    const char *r = xl_attr(attrs, "r");
    uint32_t col, row;
    char ref[16];
    if (r) {
        int k = xl_parse_ref(r, &col, &row);
        if (k == -1) {
            xl_xml_fail(&s->x, CB_EDATA, "sheet %s, row %u: \"%s\" is not a cell reference",
                        s->name, s->row, r);
            return;
        }
        if (k == -2) {
            xl_xml_fail(&s->x, CB_EDATA, "sheet %s, row %u: cell reference %s is out of range "
                                         "(columns A to XFD, rows 1 to %u)", s->name, s->row, r,
                        XL_MAX_ROW);
            return;
        }
        if (row != s->row) {
            xl_xml_fail(&s->x, CB_EDATA, "sheet %s: cell %s is inside row %u", s->name, r, s->row);
            return;
        }
    } else {
        col = s->prev_col + 1;
        if (col > XL_MAX_COL) {
            xl_xml_fail(&s->x, CB_EDATA, "sheet %s, row %u: more than %u columns (past XFD)",
                        s->name, s->row, XL_MAX_COL);
            return;
        }
    }
    if (col <= s->prev_col) {
        char before[16];
        xl_ref_name(col, s->row, ref);
        xl_ref_name(s->prev_col, s->row, before);
        xl_xml_fail(&s->x, CB_EDATA, CELLFMT "comes after %s (cells out of order or repeated)",
                    s->name, ref, before);
        return;
    }
    s->col = col;
    s->prev_col = col;
    const char *t = xl_attr(attrs, "t");
    size_t tl = t ? strlen(t) : 0;
    if (tl >= sizeof s->t) tl = sizeof s->t - 1; /* too long for a known type: still unknown */
    memcpy(s->t, t ? t : "", tl);
    s->t[tl] = '\0';
    unsigned long st = 0;
    s->style = parse_uint(xl_attr(attrs, "s"), 0xFFFFFFFFul, &st) ? st : 0;
    s->has_v = s->has_f = 0;
    s->v.len = 0;
    s->in_c = 1;
}

static int blank(const char *v)
{
    for (; *v; v++)
        if (*v != ' ' && *v != '\t' && *v != '\n' && *v != '\r') return 0;
    return 1;
}

/* A cell set: a failure (the budget, a row too wide) stops the parse. */
static void put(sheet_st *s, int rc)
{
    if (rc != CB_OK) xl_xml_stop(&s->x, rc);
}

static void end_cell(sheet_st *s)
{
    workbook *wb = s->wb;
    xl_sheet *tbl = &s->tbl;
    s->in_c = s->in_v = s->in_is = 0;

    char ref[16]; /* for messages only */
#define REF (xl_ref_name(s->col, s->row, ref), ref)
    const char *v = xl_buf_cstr(&s->v);
    const char *t = s->t;
    if (s->has_f && !s->has_v) {
        xl_xml_fail(&s->x, CB_EDATA, CELLFMT "a formula without a saved result (open the "
                                             "workbook in a spreadsheet program and save it)",
                    s->name, REF);
        return;
    }
    if (!*t || strcmp(t, "n") == 0) {
        double d;
        if (!s->has_v || blank(v)) return;
        if (!xl_parse_number(v, &d)) {
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "\"%.60s\" is not a number", s->name, REF, v);
            return;
        }
        int kind = s->style < wb->nxf ? wb->xf_kind[s->style] : XL_FMT_NUMBER;
        char when[40];
        if (kind != XL_FMT_NUMBER &&
            xl_format_serial(d, kind, wb->xf_elapsed[s->style], wb->date1904, when)) {
            put(s, xl_sheet_text(tbl, s->col, when, strlen(when)));
            return;
        }
        put(s, xl_sheet_number(tbl, s->col, d));
    } else if (strcmp(t, "s") == 0) {
        double d;
        if (!s->has_v || blank(v)) return;
        if (!xl_parse_number(v, &d) || d < 0 || d != (double)(size_t)d) {
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "shared string index \"%.40s\" is not a number",
                        s->name, REF, v);
            return;
        }
        size_t i = (size_t)d;
        if (i >= wb->nsst) {
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "shared string %zu does not exist (the workbook "
                                                 "has %zu)", s->name, REF, i, wb->nsst);
            return;
        }
        const char *str = wb->sst.s + wb->sst_off[i];
        put(s, xl_sheet_text(tbl, s->col, str, strlen(str)));
    } else if (strcmp(t, "str") == 0) {
        put(s, xl_sheet_text(tbl, s->col, v, s->v.len));
    } else if (strcmp(t, "inlineStr") == 0) {
        put(s, xl_sheet_text(tbl, s->col, s->is.b.s ? s->is.b.s : "", s->is.b.len));
    } else if (strcmp(t, "b") == 0) {
        if (!s->has_v || blank(v)) return;
        double d;
        if (!xl_parse_number(v, &d) || (d != 0 && d != 1)) {
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "boolean \"%.40s\" is not 0 or 1", s->name, REF, v);
            return;
        }
        put(s, xl_sheet_number(tbl, s->col, d));
    } else if (strcmp(t, "e") == 0) {
        xl_xml_fail(&s->x, CB_EDATA, CELLFMT "the cell holds the error value %.40s (fix the "
                                             "formula, or clear the cell if it has no value)",
                    s->name, REF, s->has_v ? v : "#N/A");
    } else if (strcmp(t, "d") == 0) {
        size_t n = s->v.len; /* ISO 8601: a midnight time adds nothing to a date */
        static const char *const midnight[] = {"T00:00:00Z", "T00:00:00.000", "T00:00:00"};
        for (int k = 0; k < 3; k++)
            if (n > strlen(midnight[k]) && ends_with(v, midnight[k])) {
                n -= strlen(midnight[k]);
                break;
            }
        put(s, xl_sheet_text(tbl, s->col, v, n));
    } else {
        xl_xml_fail(&s->x, CB_EDATA, CELLFMT "unknown cell type t=\"%s\"", s->name, REF, t);
    }
}
#undef REF

static void end_row(sheet_st *s)
{
    s->in_row = 0;
    s->prev_row = s->row;
    int rc = xl_sheet_row_end(&s->tbl, 1);
    if (rc != CB_OK) xl_xml_stop(&s->x, rc);
}

static void XMLCALL sheet_start(void *ud, const char *name, const char **attrs)
{
    sheet_st *s = ud;
    if (s->x.rc) return;
    const char *l = xl_local(name);
    if (!s->in_data) {
        if (strcmp(l, "sheetData") == 0) s->in_data = 1;
    } else if (s->in_c) {
        if (s->in_is) xl_text_start(&s->is, l, attrs);
        else if (strcmp(l, "v") == 0) {
            s->in_v = 1;
            s->has_v = 1;
            s->v.len = 0;
        } else if (strcmp(l, "f") == 0) {
            s->has_f = 1;
        } else if (strcmp(l, "is") == 0) {
            s->in_is = 1;
            xl_text_reset(&s->is);
        }
    } else if (s->in_row) {
        if (strcmp(l, "c") == 0) start_cell(s, attrs);
    } else if (strcmp(l, "row") == 0) {
        start_row(s, attrs);
    }
}

static void XMLCALL sheet_end(void *ud, const char *name)
{
    sheet_st *s = ud;
    if (s->x.rc || !s->in_data) return;
    const char *l = xl_local(name);
    if (s->in_c) {
        if (s->in_is) {
            if (strcmp(l, "is") == 0) s->in_is = 0;
            else xl_text_end(&s->is, l);
        } else if (strcmp(l, "v") == 0) {
            s->in_v = 0;
        } else if (strcmp(l, "c") == 0) {
            end_cell(s);
        }
    } else if (s->in_row) {
        if (strcmp(l, "row") == 0) end_row(s);
    } else if (strcmp(l, "sheetData") == 0) {
        s->in_data = 0;
    }
}

static void XMLCALL sheet_chars(void *ud, const char *str, int len)
{
    sheet_st *s = ud;
    if (s->x.rc || !s->in_c) return;
    if (s->in_v) xl_buf_add(&s->v, str, (size_t)len);
    else if (s->in_is) xl_text_chars(&s->is, str, len);
}

static int read_sheet(workbook *wb, const sheet_ref *sh, cb_table_sink *sink)
{
    const rel *r = NULL;
    for (size_t i = 0; i < wb->nrels && !r; i++)
        if (strcmp(wb->rels[i].id, sh->rid) == 0) r = &wb->rels[i];
    if (!r)
        return xl_fail(&wb->bk, CB_EDATA, "sheet %s: relationship %s is missing from the "
                                          "workbook's relationships", sh->name, sh->rid);
    if (!ends_with(r->type, "/worksheet")) return CB_OK; /* a chart sheet, say: no cells */
    if (r->external)
        return xl_fail(&wb->bk, CB_EDATA, "sheet %s: an external sheet (%s) cannot be read",
                       sh->name, r->target);

    char *part = resolve(wb->dir, r->target);
    char what[300];
    snprintf(what, sizeof what, "sheet %s", sh->name);

    sheet_st s;
    memset(&s, 0, sizeof s);
    s.x.bk = &wb->bk;
    s.x.what = what;
    s.wb = wb;
    s.name = sh->name;
    xl_sheet_init(&s.tbl, &wb->bk, sh->name, sink);
    int rc = xl_parse(&s.x, part, sheet_start, sheet_end, sheet_chars);
    if (rc == CB_OK) rc = xl_sheet_finish(&s.tbl);
    xl_sheet_free(&s.tbl);
    xl_buf_free(&s.v);
    xl_buf_free(&s.is.b);
    free(part);
    return rc;
}

/* ------------------------------------------------------------------ the source */

static int xlsx_load(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err)
{
    workbook wb;
    memset(&wb, 0, sizeof wb);
    xl_book_init(&wb.bk, location, api, "an .xlsx workbook");
    int rc = xl_open(&wb.bk, location);
    if (rc == CB_OK) rc = read_workbook(&wb);
    if (rc == CB_OK && wb.nsheets == 0) rc = xl_fail(&wb.bk, CB_EDATA, "the workbook has no sheets");
    if (rc == CB_OK) rc = read_styles(&wb);
    if (rc == CB_OK) rc = read_shared_strings(&wb);
    for (size_t i = 0; rc == CB_OK && i < wb.nsheets; i++) rc = read_sheet(&wb, &wb.sheets[i], sink);
    rc = xl_book_done(&wb.bk, rc, err);
    workbook_free(&wb);
    return rc;
}

static const cb_source_type XLSX = {CB_SOURCE_TYPE_VERSION, "xlsx", "xlsx", ".xlsx", xlsx_load};

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
{
    (void)err;
    int rc = api->register_source(self, &XLSX);
    if (rc == CB_OK) rc = api->register_source(self, &xl_ods_source);
#ifdef CB_XLSX_XLS
    if (rc == CB_OK) rc = api->register_source(self, &xl_xls_source);
#endif
    return rc;
}
