/*
 * lua_api.h: running a report script for one county.
 *
 * Each county gets a fresh Lua 5.4 state, so nothing a script does for one county can leak
 * into the next. The script sees (see docs/reports.md):
 *   county   the county's row of counties.csv (county.id, county.name, every column)
 *   data     data.<table>: that table's rows for this county (or all rows of a table
 *            without county_id), each row a table of column = value; empty cells are nil
 *   doc      the document builder (doc:title, doc:heading, doc:paragraph, doc:kpis,
 *            doc:table, doc:barchart, doc:progress, doc:notes, doc:info)
 *   fmt      number formatting (lua_fmt.h)
 *   spairs   pairs() in sorted key order, for output that is the same on every run
 *   require  modules from the report's folder, then the scripts folder
 * Libraries: base (without dofile/loadfile; load is text-only), string, table, math, utf8.
 * math.random is seeded from the county id.
 */
#ifndef CB_LUA_API_H
#define CB_LUA_API_H

#include "data.h"
#include "doc.h"
#include "util.h"

typedef struct cb_report_src {
    const char *path;        /* the script file */
    const char *chunkname;   /* how messages name it, e.g. "scripts/briefing.lua" */
    const char *dir;         /* the report's folder, searched first by require */
    const char *scripts_dir; /* the shared scripts folder, searched second */
    const char *share_dir;   /* to shorten module names in messages; may be NULL */
} cb_report_src;

/* Runs the report for county `county` of ds, filling doc (initialised by the caller).
 * Errors are CB_ESCRIPT with "script:line: message" and the report's call chain. */
int cb_lua_run_report(const cb_report_src *src, const cb_dataset *ds, size_t county,
                      cb_doc *doc, cb_error *err);

#endif /* CB_LUA_API_H */
