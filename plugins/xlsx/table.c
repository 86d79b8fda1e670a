/* table.c: one sheet becoming one table, for every workbook format, with the workbook's
 * memory budget. See xlsx.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx.h"

#define grouped cb_source_grouped

void xl_sheet_init(xl_sheet *s, xl_book *bk, const char *name, cb_table_sink *sink)
{
    memset(s, 0, sizeof *s);
    s->bk = bk;
    s->name = name;
    s->sink = sink;
    size_t n = strlen(bk->file) + strlen(name) + 16;
    s->where = xl_xrealloc(NULL, n);
    snprintf(s->where, n, "%s: sheet %s", bk->file, name);
}

void xl_sheet_free(xl_sheet *s)
{
    free(s->where);
    free(s->slots);
    free(s->out);
    xl_buf_free(&s->rowtext);
}

void xl_sheet_row(xl_sheet *s, uint32_t row)
{
    s->row = row;
    s->used = 0;
    s->first = 0;
    s->rowtext.len = 0;
}

/* The slot of column col (1-based, <= XL_MAX_COL), the columns skipped before it empty;
 * NULL for a column out of that range. */
static xl_slot *slot_at(xl_sheet *s, uint32_t col)
{
    if (col == 0 || col > XL_MAX_COL) return NULL;
    if (col > s->nslots) {
        uint32_t n = s->nslots ? s->nslots : 16;
        while (n < col) n *= 2;
        if (n > XL_MAX_COL) n = XL_MAX_COL;
        s->slots = xl_xrealloc(s->slots, n * sizeof *s->slots);
        s->nslots = n;
    }
    for (uint32_t c = s->used; c < col; c++) s->slots[c].type = XL_SLOT_EMPTY;
    if (col > s->used) s->used = col;
    return &s->slots[col - 1];
}

static int text_over(xl_sheet *s, uint32_t col)
{
    char ref[16];
    xl_ref_name(col, s->row, ref);
    return xl_fail(s->bk, CB_EDATA, "sheet %s, cell %s: the workbook expands to more than "
                                    "%llu MiB of cell text (the same long text in many "
                                    "cells?), more than countybrief holds in memory",
                   s->name, ref, (unsigned long long)(XL_TEXT_BUDGET >> 20));
}

static int outside(xl_sheet *s, uint32_t col)
{
    char ref[16], a[4], b[4];
    xl_ref_name(col, s->row, ref);
    xl_col_name(s->c0, a);
    xl_col_name(s->c1, b);
    return xl_fail(s->bk, CB_EDATA, "sheet %s, cell %s: a value outside the table: its header "
                                    "(row %u) spans columns %s to %s", s->name, ref, s->hrow,
                   a, b);
}

/* A value at column col: within the table's columns, or before the header within
 * XL_MAX_TABLE_COLS of the row's first value, so that a row's slots and text stay bounded
 * before it ends. */
static int check_col(xl_sheet *s, uint32_t col)
{
    if (col == 0 || col > XL_MAX_COL)
        return xl_fail(s->bk, CB_EDATA, "sheet %s, row %u: a value past column XFD (%u)", s->name,
                       s->row, XL_MAX_COL);
    if (s->header) return col < s->c0 || col > s->c1 ? outside(s, col) : CB_OK;
    if (!s->first) s->first = col;
    if (col - s->first < XL_MAX_TABLE_COLS) return CB_OK;
    char a[32];
    return xl_fail(s->bk, CB_EDATA, "sheet %s, row %u: the header has more than %s columns; a "
                                    "table has at most %s", s->name, s->row,
                   grouped(XL_MAX_TABLE_COLS, a), a);
}

int xl_sheet_number(xl_sheet *s, uint32_t col, double v)
{
    int rc = check_col(s, col);
    if (rc != CB_OK) return rc;
    xl_slot *sl = slot_at(s, col);
    sl->type = XL_SLOT_NUMBER;
    sl->num = v;
    return CB_OK;
}

int xl_sheet_text(xl_sheet *s, uint32_t col, const char *text, size_t len)
{
    if (!len) { /* "" is an empty cell */
        xl_slot *sl = slot_at(s, col);
        if (!sl) return check_col(s, col);
        sl->type = XL_SLOT_EMPTY;
        return CB_OK;
    }
    int rc = check_col(s, col);
    if (rc != CB_OK) return rc;
    /* the text spent so far and this row's, before it is held */
    if (s->bk->text + s->rowtext.len + len > XL_TEXT_BUDGET) return text_over(s, col);
    xl_slot *sl = slot_at(s, col);
    sl->type = XL_SLOT_TEXT;
    sl->off = s->rowtext.len;
    xl_buf_add(&s->rowtext, text, len);
    xl_buf_addc(&s->rowtext, '\0');
    return CB_OK;
}

/* Counts columns c0 to c1 of the row against the workbook's budget: its cells, and the
 * bytes of its text. */
static int charge(xl_sheet *s, uint32_t c0, uint32_t c1)
{
    xl_book *bk = s->bk;
    char num[32];
    bk->cells += c1 - c0 + 1;
    if (bk->cells > XL_CELL_BUDGET)
        return xl_fail(bk, CB_EDATA, "sheet %s, row %u: the workbook expands to more than %s "
                                     "cells (rows times the columns of their table), more than "
                                     "countybrief holds in memory: use a CSV folder for data "
                                     "this large", s->name, s->row, grouped(XL_CELL_BUDGET, num));
    for (uint32_t c = c0; c <= c1 && c <= s->used; c++) {
        const xl_slot *sl = &s->slots[c - 1];
        if (sl->type != XL_SLOT_TEXT) continue;
        bk->text += strlen(s->rowtext.s + sl->off);
        if (bk->text > XL_TEXT_BUDGET) return text_over(s, c);
    }
    return CB_OK;
}

static int spend(xl_sheet *s) { return charge(s, s->c0, s->c1); }

/* The header row: column names from c0 to c1, every one non-empty, at most
 * XL_MAX_TABLE_COLS of them. */
static int begin_table(xl_sheet *s, uint32_t c0, uint32_t c1)
{
    size_t n = c1 - c0 + 1;
    char ref[16], a[32], b[32];
    if (n > XL_MAX_TABLE_COLS)
        return xl_fail(s->bk, CB_EDATA, "sheet %s, row %u: the header has %s columns; a table "
                                        "has at most %s", s->name, s->row, grouped(n, a),
                       grouped(XL_MAX_TABLE_COLS, b));
    for (uint32_t c = c0; c <= c1; c++) {
        xl_slot *sl = &s->slots[c - 1];
        if (sl->type == XL_SLOT_EMPTY) {
            xl_ref_name(c, s->row, ref);
            return xl_fail(s->bk, CB_EDATA, "sheet %s, cell %s: empty column name in the header "
                                            "(row %u)", s->name, ref, s->row);
        }
        if (sl->type == XL_SLOT_NUMBER) { /* a year as a column name, say */
            char num[32];
            xl_number_text(sl->num, num);
            int rc = xl_sheet_text(s, c, num, strlen(num));
            if (rc != CB_OK) return rc;
        }
    }
    /* the header's names are held as long as the table: they count like a row's cells */
    int rc = charge(s, c0, c1);
    if (rc != CB_OK) return rc;
    const char **cols = xl_xrealloc(NULL, n * sizeof *cols);
    for (uint32_t c = c0; c <= c1; c++) cols[c - c0] = s->rowtext.s + s->slots[c - 1].off;
    rc = s->bk->api->table_begin(s->sink, s->name, s->where, n, cols);
    free(cols);
    if (rc != CB_OK) return rc;
    s->header = 1;
    s->c0 = c0;
    s->c1 = c1;
    s->hrow = s->row;
    s->out = xl_xrealloc(NULL, n * sizeof *s->out);
    return CB_OK;
}

int xl_sheet_row_end(xl_sheet *s, uint32_t times)
{
    uint32_t first = 0, last = 0;
    for (uint32_t c = 1; c <= s->used; c++)
        if (s->slots[c - 1].type != XL_SLOT_EMPTY) {
            if (!first) first = c;
            last = c;
        }
    if (!first || !times) return CB_OK; /* an empty row, wherever it is */
    uint32_t row = s->row;
    if (!s->header) {
        int rc = begin_table(s, first, last);
        if (rc != CB_OK || --times == 0) return rc;
        s->row++; /* the header repeated: the same names again, as a row */
    }
    if (first < s->c0 || last > s->c1) return outside(s, first < s->c0 ? first : last);
    for (uint32_t c = s->c0; c <= s->c1; c++) {
        const xl_slot *sl = c <= s->used ? &s->slots[c - 1] : NULL;
        cb_cell *o = &s->out[c - s->c0];
        o->type = CB_CELL_EMPTY;
        o->number = 0;
        o->text = NULL;
        if (sl && sl->type == XL_SLOT_NUMBER) {
            o->type = CB_CELL_NUMBER;
            o->number = sl->num;
        } else if (sl && sl->type == XL_SLOT_TEXT) {
            o->type = CB_CELL_TEXT;
            o->text = s->rowtext.s + sl->off;
        }
    }
    /* a row repeated (ODS writes one row for many equal ones): each is a row of the table */
    for (uint32_t k = 0; k < times; k++, s->row++) {
        int rc = spend(s);
        if (rc == CB_OK) rc = s->bk->api->table_row(s->sink, s->out, s->row);
        if (rc != CB_OK) return rc;
    }
    s->row = row;
    return CB_OK;
}

int xl_sheet_finish(xl_sheet *s)
{
    /* a sheet with no value at all makes no table */
    return s->header ? s->bk->api->table_end(s->sink) : CB_OK;
}
