/*
 * source_budget.h: what one data file may expand to in memory, shared by the data-source
 * plugins that read a whole file into the host (xlsx, ods, xls, sqlite). The host holds
 * every cell of such a file in memory (about 24 bytes a cell, plus its text), and a small
 * file can describe a huge table: a header of 16,384 names over 20,000 one-cell rows, one
 * long string in every cell, or a view that makes rows without end. So the tables are
 * counted as they are read, across the whole file:
 *   columns  a table has at most CB_SOURCE_MAX_COLS (a CSV file may have 16,384, Excel's limit,
 *            since its rows stay on disk: core/csvread.h);
 *   cells    rows times the columns of their table, at most CB_SOURCE_CELL_BUDGET;
 *   text     bytes of cell text as the host receives it, at most CB_SOURCE_TEXT_BUDGET.
 * Passing one is a data error naming the file, the table and the row or cell. A CSV
 * folder has no such budget: its rows stay on disk until their county renders.
 */
#ifndef CB_SOURCE_BUDGET_H
#define CB_SOURCE_BUDGET_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CB_SOURCE_MAX_COLS 1024u
#define CB_SOURCE_CELL_BUDGET ((uint64_t)8 << 20)   /* 8,388,608 cells: about 200 MB */
#define CB_SOURCE_TEXT_BUDGET ((uint64_t)256 << 20) /* 256 MiB */

/* The load deadline in seconds, for a reader that can take long (SQLite views, the .xls
 * reader's child): COUNTYBRIEF_LOAD_TIMEOUT when set (0: none), else 60. The data loads
 * once, before any county renders, so the per-county --timeout does not cover it. */
#define CB_SOURCE_LOAD_TIMEOUT_S 60
static inline double cb_source_load_timeout_s(void)
{
    const char *s = getenv("COUNTYBRIEF_LOAD_TIMEOUT");
    char *e;
    double v = s && *s ? strtod(s, &e) : -1;
    return s && *s && !*e && v >= 0 && v <= 1e6 ? v : CB_SOURCE_LOAD_TIMEOUT_S;
}

/* v with its thousands grouped, "16,384", for the budgets' messages (out: 32 bytes) */
static inline const char *cb_source_grouped(uint64_t v, char *out)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    return out;
}

#endif /* CB_SOURCE_BUDGET_H */
