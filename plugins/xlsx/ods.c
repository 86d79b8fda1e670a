/*
 * ods.c: the `ods` data source. Reads an OpenDocument spreadsheet (.ods, as LibreOffice,
 * WPS and Excel save one) with libzip and expat, through the same zip entries, XML limits,
 * sheet-to-table rules and budget as the .xlsx reader (archive.c, table.c): content.xml
 * is streamed, each <table:table> is one table named after the sheet.
 * docs: plugins/xlsx/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx.h"

/* A cell's text longer than this is refused, as a CSV field is: <text:s text:c="N"/>
 * writes N spaces with a few bytes. */
#define ODS_CELL_TEXT_MAX (1u << 20)

typedef struct ods_st {
    xl_xml x;
    xl_sheet tbl;
    cb_table_sink *sink;
    char *name;               /* the current sheet's (malloc) */
    int in_table;
    int in_row, in_cell, in_p, skip; /* skip: depth inside an annotation */
    uint32_t row, col;        /* 1-based: the current row; the next cell's column */
    uint32_t row_times, cell_times; /* their number-*-repeated */
    int paras;                /* <text:p> seen in this cell */
    int space;                /* the text ends in collapsible white space */
    enum { V_NONE, V_NUMBER, V_TEXT, V_DATE, V_TIME, V_BOOL, V_ERROR } vt;
    char *value;              /* office:value / date-value / ... (malloc) */
    int formula;              /* the cell has table:formula */
    xl_buf text;              /* the cell's paragraphs */
} ods_st;

#define CELLFMT "sheet %s, cell %s: "

static uint32_t repeat(const char **attrs, const char *local)
{
    const char *v = xl_attr(attrs, local);
    if (!v || *v < '0' || *v > '9') return 1;
    unsigned long n = strtoul(v, NULL, 10);
    return n < 1 ? 1 : n > XL_MAX_ROW ? XL_MAX_ROW : (uint32_t)n;
}

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    return memcpy(xl_xrealloc(NULL, n), s, n);
}

static void start_cell(ods_st *s, const char **attrs)
{
    s->in_cell = 1;
    s->cell_times = repeat(attrs, "number-columns-repeated");
    s->paras = 0;
    s->text.len = 0;
    s->formula = xl_attr(attrs, "formula") != NULL;
    free(s->value);
    s->value = NULL;
    const char *calc = xl_attr_ns(attrs, "calcext", "value-type");
    const char *t = xl_attr_ns(attrs, ":office:", "value-type");
    s->vt = V_NONE;
    if (calc && strcmp(calc, "error") == 0) s->vt = V_ERROR;
    else if (!t) s->vt = V_NONE;
    else if (!strcmp(t, "float") || !strcmp(t, "percentage") || !strcmp(t, "currency")) {
        s->vt = V_NUMBER;
        s->value = dup_or_null(xl_attr_ns(attrs, ":office:", "value"));
    } else if (!strcmp(t, "date")) {
        s->vt = V_DATE;
        s->value = dup_or_null(xl_attr_ns(attrs, ":office:", "date-value"));
    } else if (!strcmp(t, "time")) {
        s->vt = V_TIME;
        s->value = dup_or_null(xl_attr_ns(attrs, ":office:", "time-value"));
    } else if (!strcmp(t, "boolean")) {
        s->vt = V_BOOL;
        s->value = dup_or_null(xl_attr_ns(attrs, ":office:", "boolean-value"));
    } else if (!strcmp(t, "string")) {
        s->vt = V_TEXT;
        s->value = dup_or_null(xl_attr_ns(attrs, ":office:", "string-value"));
    } else {
        s->vt = V_TEXT; /* an unknown type: its text, as a spreadsheet shows it */
    }
}

static void add_text(ods_st *s, const char *str, size_t n)
{
    char ref[16];
    if (s->text.len + n > ODS_CELL_TEXT_MAX) {
        xl_ref_name(s->col <= XL_MAX_COL ? s->col : XL_MAX_COL, s->row, ref);
        xl_xml_fail(&s->x, CB_EDATA, CELLFMT "more than %u KiB of text in one cell", s->name, ref,
                    ODS_CELL_TEXT_MAX >> 10);
        return;
    }
    xl_buf_add(&s->text, str, n);
}

/* "2021-03-04" or "2021-03-04T12:30:00[.5]": the date, with the time unless midnight */
static int date_text(const char *v, char *out, size_t n)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, k = 0;
    if (sscanf(v, "%d-%d-%d%n", &y, &mo, &d, &k) != 3 || y < 0 || y > 9999 || mo < 1 || mo > 12 ||
        d < 1 || d > 31)
        return 0;
    if (v[k] == 'T' && sscanf(v + k, "T%d:%d:%d", &h, &mi, &sec) < 2) return 0;
    if (h || mi || sec) snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, sec);
    else snprintf(out, n, "%04d-%02d-%02d", y, mo, d);
    return 1;
}

/* "PT12H30M00S" (ISO 8601 duration, as ODS writes times): "12:30:00", hours past 24 kept */
static int time_text(const char *v, char *out, size_t n)
{
    double days = 0, h = 0, m = 0, sec = 0, x;
    const char *p = v;
    if (*p == '-') p++;
    if (*p++ != 'P') return 0;
    int in_time = 0;
    while (*p) {
        if (*p == 'T') {
            in_time = 1;
            p++;
            continue;
        }
        char *e;
        x = strtod(p, &e);
        if (e == p || x < 0 || x > 1e9) return 0;
        if (*e == 'D' && !in_time) days = x;
        else if (*e == 'H' && in_time) h = x;
        else if (*e == 'M' && in_time) m = x;
        else if (*e == 'S' && in_time) sec = x;
        else return 0;
        p = e + 1;
    }
    double total = ((days * 24 + h) * 60 + m) * 60 + sec + 0.5;
    unsigned long t = (unsigned long)total;
    snprintf(out, n, "%02lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    return 1;
}

/* The next cell's column, `times` columns on: at most XL_MAX_COL + 1 (past XFD, where a
 * value is an error), however many empty cells repeat (1,048,576 each) before it. */
static void advance(ods_st *s, uint32_t times)
{
    s->col = times > XL_MAX_COL + 1 - s->col ? XL_MAX_COL + 1 : s->col + times;
}

static void end_cell(ods_st *s)
{
    s->in_cell = 0;
    uint32_t times = s->cell_times, col = s->col;
    char ref[16], buf[48];
    double d = 0;
    const char *text = NULL;
    size_t len = 0;
    xl_ref_name(col <= XL_MAX_COL ? col : XL_MAX_COL, s->row, ref);
    switch (s->vt) {
    case V_NONE:
        if (s->formula) {
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "a formula without a saved result (open the "
                        "workbook in a spreadsheet program and save it)", s->name, ref);
            return;
        }
        if (!s->text.len) { /* empty: nothing to set, however often repeated */
            advance(s, times);
            return;
        }
        text = s->text.s, len = s->text.len;
        break;
    case V_ERROR:
        xl_xml_fail(&s->x, CB_EDATA, CELLFMT "the cell holds the error value %.40s (fix the "
                    "formula, or clear the cell if it has no value)", s->name, ref,
                    s->text.len ? xl_buf_cstr(&s->text) : "#N/A");
        return;
    case V_TEXT:
        if (s->value) text = s->value, len = strlen(s->value);
        else text = s->text.s ? s->text.s : "", len = s->text.len;
        if (len > ODS_CELL_TEXT_MAX) { /* office:string-value, as long as the paragraphs may be */
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "more than %u KiB of text in one cell", s->name,
                        ref, ODS_CELL_TEXT_MAX >> 10);
            return;
        }
        break;
    case V_NUMBER:
        if (!s->value || !xl_parse_number(s->value, &d)) {
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "\"%.60s\" is not a number", s->name, ref,
                        s->value ? s->value : "");
            return;
        }
        break;
    case V_BOOL:
        if (!s->value || (strcmp(s->value, "true") && strcmp(s->value, "false"))) {
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "boolean \"%.40s\" is not true or false", s->name,
                        ref, s->value ? s->value : "");
            return;
        }
        d = strcmp(s->value, "true") == 0;
        break;
    case V_DATE:
    case V_TIME:
        if (!s->value || !(s->vt == V_DATE ? date_text : time_text)(s->value, buf, sizeof buf)) {
            xl_xml_fail(&s->x, CB_EDATA, CELLFMT "\"%.60s\" is not a %s", s->name, ref,
                        s->value ? s->value : "", s->vt == V_DATE ? "date" : "time");
            return;
        }
        text = buf, len = strlen(buf);
        break;
    }
    if (col > XL_MAX_COL || times > XL_MAX_COL - col + 1) {
        xl_xml_fail(&s->x, CB_EDATA, "sheet %s, row %u: more than %u columns", s->name, s->row,
                    XL_MAX_COL);
        return;
    }
    for (uint32_t k = 0; k < times; k++) { /* a repeated value: in each of its columns */
        int rc = text ? xl_sheet_text(&s->tbl, col + k, text, len)
                      : xl_sheet_number(&s->tbl, col + k, d);
        if (rc != CB_OK) {
            xl_xml_stop(&s->x, rc);
            return;
        }
    }
    advance(s, times);
}

static void end_row(ods_st *s)
{
    s->in_row = 0;
    uint32_t times = s->row_times;
    if (s->tbl.used && times > XL_MAX_ROW - s->row + 1) {
        xl_xml_fail(&s->x, CB_EDATA, "sheet %s: more than %u rows", s->name, XL_MAX_ROW);
        return;
    }
    int rc = xl_sheet_row_end(&s->tbl, times);
    if (rc != CB_OK) xl_xml_stop(&s->x, rc);
    s->row += times; /* empty rows repeated a million times cost nothing */
}

static void end_table(ods_st *s)
{
    s->in_table = 0;
    int rc = xl_sheet_finish(&s->tbl);
    xl_sheet_free(&s->tbl);
    if (rc != CB_OK) xl_xml_stop(&s->x, rc);
}

static void XMLCALL ods_start(void *ud, const char *name, const char **attrs)
{
    ods_st *s = ud;
    if (s->x.rc) return;
    const char *l = xl_local(name);
    if (s->skip) {
        s->skip++;
    } else if (!s->in_table) {
        if (strcmp(l, "table") == 0) {
            const char *n = xl_attr(attrs, "name");
            free(s->name);
            s->name = dup_or_null(n && *n ? n : "Sheet");
            s->in_table = 1;
            s->row = 1;
            xl_sheet_init(&s->tbl, s->x.bk, s->name, s->sink);
        }
    } else if (s->in_cell) {
        if (strcmp(l, "annotation") == 0) {
            s->skip = 1; /* a comment's text is not the cell's */
        } else if (strcmp(l, "p") == 0) {
            if (s->paras++) add_text(s, "\n", 1);
            s->in_p = 1;
            s->space = 1; /* leading white space of a paragraph is not text */
        } else if (s->in_p && strcmp(l, "s") == 0) {
            static const char spaces[] = "                                ";
            for (uint32_t n = repeat(attrs, "c"), k; n && !s->x.rc; n -= k) {
                k = n < sizeof spaces - 1 ? n : (uint32_t)sizeof spaces - 1;
                add_text(s, spaces, k);
            }
            s->space = 0;
        } else if (s->in_p && strcmp(l, "tab") == 0) {
            add_text(s, "\t", 1);
        } else if (s->in_p && strcmp(l, "line-break") == 0) {
            add_text(s, "\n", 1);
        }
    } else if (s->in_row) {
        if (strcmp(l, "table-cell") == 0 || strcmp(l, "covered-table-cell") == 0) start_cell(s, attrs);
    } else if (strcmp(l, "table-row") == 0) {
        s->in_row = 1;
        s->row_times = repeat(attrs, "number-rows-repeated");
        s->col = 1;
        if (s->row > XL_MAX_ROW) {
            xl_xml_fail(&s->x, CB_EDATA, "sheet %s: more than %u rows", s->name, XL_MAX_ROW);
            return;
        }
        xl_sheet_row(&s->tbl, s->row);
    }
}

static void XMLCALL ods_end(void *ud, const char *name)
{
    ods_st *s = ud;
    if (s->x.rc || !s->in_table) return;
    const char *l = xl_local(name);
    if (s->skip) s->skip--;
    else if (s->in_cell) {
        if (strcmp(l, "p") == 0) s->in_p = 0;
        else if (strcmp(l, "table-cell") == 0 || strcmp(l, "covered-table-cell") == 0) end_cell(s);
    } else if (s->in_row) {
        if (strcmp(l, "table-row") == 0) end_row(s);
    } else if (strcmp(l, "table") == 0) {
        end_table(s);
    }
}

/* ODF white space: a run of spaces, tabs and line ends is one space (text:s, text:tab and
 * text:line-break write the others). */
static void XMLCALL ods_chars(void *ud, const char *str, int len)
{
    ods_st *s = ud;
    if (s->x.rc || !s->in_p || s->skip) return;
    for (int i = 0; i < len && !s->x.rc; i++) {
        char c = str[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (!s->space) add_text(s, " ", 1);
            s->space = 1;
        } else {
            int j = i;
            while (j < len && str[j] != ' ' && str[j] != '\t' && str[j] != '\n' && str[j] != '\r') j++;
            add_text(s, str + i, (size_t)(j - i));
            s->space = 0;
            i = j - 1;
        }
    }
}

/* A password-protected file keeps content.xml encrypted: say so rather than "malformed". */
static void XMLCALL manifest_start(void *ud, const char *name, const char **attrs)
{
    (void)attrs;
    xl_xml *x = ud;
    if (!x->rc && strcmp(xl_local(name), "encryption-data") == 0)
        xl_xml_fail(x, CB_EDATA, "the spreadsheet is password-protected: save it without a "
                                 "password");
}

static void XMLCALL no_end(void *ud, const char *name) { (void)ud, (void)name; }
static void XMLCALL no_chars(void *ud, const char *s, int len) { (void)ud, (void)s, (void)len; }

static int ods_load(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err)
{
    xl_book bk;
    xl_book_init(&bk, location, api, "an .ods spreadsheet");
    int rc = xl_open(&bk, location);
    if (rc == CB_OK && !xl_has_entry(&bk, "content.xml"))
        rc = xl_fail(&bk, CB_EDATA, "not an OpenDocument spreadsheet: the archive has no "
                                    "content.xml");
    if (rc == CB_OK && xl_has_entry(&bk, "META-INF/manifest.xml")) {
        xl_xml m = {&bk, NULL, NULL, NULL, 0};
        rc = xl_parse(&m, "META-INF/manifest.xml", manifest_start, no_end, no_chars);
    }
    ods_st s;
    memset(&s, 0, sizeof s);
    s.x.bk = &bk;
    s.sink = sink;
    if (rc == CB_OK) rc = xl_parse(&s.x, "content.xml", ods_start, ods_end, ods_chars);
    if (s.in_table) xl_sheet_free(&s.tbl); /* stopped inside a sheet */
    free(s.name);
    free(s.value);
    xl_buf_free(&s.text);
    return xl_book_done(&bk, rc, err);
}

const cb_source_type xl_ods_source = {CB_SOURCE_TYPE_VERSION, "ods", "ods", ".ods", ods_load};
