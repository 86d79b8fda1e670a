/*
 * check.h: checks of a report against its data and its layout, for `countybrief check`
 * and before `countybrief render` runs any county.
 */
#ifndef CB_CHECK_H
#define CB_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "data.h"
#include "doc.h"
#include "font.h"
#include "lua_api.h"
#include "template.h"

/* Checks ds against what the report declared (lua_api.h: cb_needs). Prints one line per
 * problem to out, each starting with prefix, naming the data file and the report:
 *   examples/data/projects.csv:2:4: column "area" expects a number, got "交通" (report
 *   scripts/x.lua needs numbers there)
 * A table the report names whose file was skipped (data.h: a link out of the folder) is a
 * problem even when optional. Returns the number of problems (0: none, or nothing
 * declared). */
size_t cb_check_needs(const cb_needs *n, cb_dataset *ds, const char *report, FILE *out,
                      const char *prefix);

/* Appends to *warnings (malloc'd strings; *n counts them) one warning per table cell that
 * holds a word (a run that a line does not break, wrap.h: cb_widest_run) wider than its
 * column's share, in a table whose columns' widest words cannot all fit its width (else
 * layout_table.c gives each column its widest), which the layout then splits mid-word: 'table under "项目", column "名称", row 2: "ABC..." is 130 pt
 * wide, its column 80 pt'. Returns the number added. */
size_t cb_check_table_overflow(const cb_doc *doc, const cb_template *t, cb_font *f,
                               char ***warnings, size_t *n);

#endif /* CB_CHECK_H */
