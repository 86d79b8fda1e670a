/*
 * xls.c: the `xls` data source. Reads an old binary Excel workbook (.xls: BIFF5 and BIFF8
 * in an OLE compound file, Excel 95 to 2003) with libfreexl, sheet by sheet, through the
 * same sheet-to-table rules and budget as the .xlsx reader (table.c). FreeXL gives every
 * cell as a number, text, or a date, date and time, or time already as ISO text.
 * Built when pkg-config finds freexl (Debian: libfreexl-dev). docs: plugins/xlsx/README.md.
 */
#include <errno.h>
#include <freexl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "xlsx.h"

/* FreeXL's own errors, said for a user */
static const char *freexl_says(int code)
{
    switch (code) {
    case FREEXL_INSUFFICIENT_MEMORY: return "out of memory";
    case FREEXL_INVALID_CFBF_HEADER:
    case FREEXL_CFBF_INVALID_SIGNATURE: return "not an OLE compound file";
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND: return "the file holds no Excel workbook stream";
    case FREEXL_UNSUPPORTED_CHARSET:
    case FREEXL_INVALID_CHARACTER: return "its text is in a character set that cannot be read";
    case FREEXL_CRAFTED_FILE: return "the file is damaged (or crafted)";
    default: return "the file is damaged";
    }
}

static int read_sheet(xl_book *bk, const void *h, unsigned short idx, cb_table_sink *sink)
{
    const char *name = NULL;
    int fx = freexl_get_worksheet_name(h, idx, &name);
    if (fx == FREEXL_OK) fx = freexl_select_active_worksheet(h, idx);
    if (fx != FREEXL_OK)
        return xl_fail(bk, CB_EDATA, "sheet %u cannot be read: %s", idx + 1u, freexl_says(fx));
    char fallback[32];
    if (!name || !*name) {
        snprintf(fallback, sizeof fallback, "Sheet%u", idx + 1u);
        name = fallback;
    }
    unsigned int rows = 0;
    unsigned short cols = 0;
    if (freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK) rows = cols = 0;
    if (rows > XL_MAX_ROW) rows = XL_MAX_ROW; /* BIFF8 has 65,536 rows, 256 columns */
    xl_sheet tbl;
    xl_sheet_init(&tbl, bk, name, sink);
    int rc = CB_OK;
    for (unsigned int r = 0; r < rows && rc == CB_OK; r++) {
        xl_sheet_row(&tbl, r + 1);
        for (unsigned short c = 0; c < cols && c < XL_MAX_COL && rc == CB_OK; c++) {
            FreeXL_CellValue v;
            if (freexl_get_cell_value(h, r, c, &v) != FREEXL_OK) continue;
            switch (v.type) {
            case FREEXL_CELL_INT: xl_sheet_number(&tbl, c + 1u, v.value.int_value); break;
            case FREEXL_CELL_DOUBLE: xl_sheet_number(&tbl, c + 1u, v.value.double_value); break;
            case FREEXL_CELL_TEXT:
            case FREEXL_CELL_SST_TEXT:
            case FREEXL_CELL_DATE:
            case FREEXL_CELL_DATETIME:
            case FREEXL_CELL_TIME:
                if (v.value.text_value)
                    xl_sheet_text(&tbl, c + 1u, v.value.text_value, strlen(v.value.text_value));
                break;
            default: break; /* FREEXL_CELL_NULL */
            }
        }
        rc = xl_sheet_row_end(&tbl, 1);
    }
    if (rc == CB_OK) rc = xl_sheet_finish(&tbl);
    xl_sheet_free(&tbl);
    return rc;
}

static int xls_load(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err)
{
    xl_book bk;
    xl_book_init(&bk, location, api, "an .xls workbook");
    const void *h = NULL;
    struct stat st;
    int rc = CB_OK;
    /* FreeXL reads the whole file, and every sheet's cells, when it opens it */
    if (stat(location, &st) != 0)
        rc = xl_fail(&bk, CB_EIO, "%s", errno == ENOENT ? "no such file" : strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = xl_fail(&bk, CB_EIO, "not a regular file");
    else if ((uint64_t)st.st_size > XL_ENTRY_LIMIT)
        rc = xl_fail(&bk, CB_EDATA, "the file is %llu bytes, over the limit of %llu MiB for an "
                                    ".xls workbook", (unsigned long long)st.st_size,
                     (unsigned long long)(XL_ENTRY_LIMIT >> 20));
    int fx = rc == CB_OK ? freexl_open(location, &h) : FREEXL_OK;
    if (rc == CB_OK && fx != FREEXL_OK) {
        unsigned char magic[4] = {0};
        FILE *f = fopen(location, "rb");
        size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
        if (f) fclose(f);
        if (fx == FREEXL_FILE_NOT_FOUND)
            rc = xl_fail(&bk, CB_EIO, "cannot open: %s", strerror(errno ? errno : EACCES));
        else if (got == sizeof magic && memcmp(magic, "PK\3\4", 4) == 0)
            rc = xl_fail(&bk, CB_EDATA, "not an .xls workbook but a zip archive (an .xlsx or "
                                        ".ods file: name it so)");
        else
            rc = xl_fail(&bk, fx == FREEXL_INSUFFICIENT_MEMORY ? CB_ENOMEM : CB_EDATA,
                         "not an .xls workbook that can be read: %s", freexl_says(fx));
    }
    unsigned int info = 0, nsheets = 0;
    if (rc == CB_OK && freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
        info == FREEXL_BIFF_OBFUSCATED)
        rc = xl_fail(&bk, CB_EDATA, "the workbook is password-protected: save it without a "
                                    "password");
    if (rc == CB_OK && (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &nsheets) != FREEXL_OK ||
                        nsheets == 0))
        rc = xl_fail(&bk, CB_EDATA, "the workbook has no sheets");
    for (unsigned int i = 0; rc == CB_OK && i < nsheets && i <= 0xFFFF; i++)
        rc = read_sheet(&bk, h, (unsigned short)i, sink);
    if (h) freexl_close(h);
    return xl_book_done(&bk, rc, err);
}

const cb_source_type xl_xls_source = {CB_SOURCE_TYPE_VERSION, "xls", "xls", ".xls", xls_load};
