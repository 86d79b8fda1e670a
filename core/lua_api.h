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
 *   lang     the language asked for (--lang): "zh" or "en"; in "en", fmt.yuan and
 *            fmt.count write English figures ("CNY 405 million", "over 2,396")
 *   template the template's text area and type sizes, and whether it is condensed
 *   report, needs  declarations read before any county runs (below)
 * A report of scope "all" runs once: no `county`, but `counties` (their rows) and `data`
 * with every county's rows and data.of(c) for one county's.
 * Libraries: base (without dofile/loadfile; load is text-only; collectgarbage only counts),
 * string, table, math, utf8, and an os table with a fixed clock (os.time, os.date, os.clock,
 * os.difftime). math.random is seeded from the county id.
 *
 * Limits: see lua_limits.h (cb_lua_limits, the CPU budget's hard stop, descriptions).
 */
#ifndef CB_LUA_API_H
#define CB_LUA_API_H

#include "clock.h"
#include "data.h"
#include "doc.h"
#include "lua_limits.h"
#include "template.h"
#include "util.h"

/* How many folder levels below the report's folder and scripts/ require looks for modules,
 * and so the input hash and --watch: require "a.b.c.d.e" is a/b/c/d/e.lua, 4 folders down;
 * a name with more parts (or an empty one) is an error. */
#define CB_MODULE_DEPTH 4

/*
 * What a report says about itself with the global function `report`, which (like needs)
 * must come first in the script (docs/reports.md, "Declaring the report"):
 *     report { scope = "all", languages = { "zh", "en" }, output = "compare" }
 * scope "county" (the default) runs the script once per county; "all" runs it once over
 * every county and writes one file, OUTPUT.pdf. languages lists what `--lang` may ask for.
 */
typedef enum cb_scope { CB_SCOPE_COUNTY = 0, CB_SCOPE_ALL = 1 } cb_scope;

#define CB_LANGS_MAX 8
typedef struct cb_report_decl {
    int declared;                  /* the script called report { ... } */
    cb_scope scope;
    char *output;                  /* scope "all": the file name without .pdf; NULL: the
                                    * script's name */
    size_t nlangs;
    char langs[CB_LANGS_MAX][8];   /* none declared: "zh" only */
} cb_report_decl;

void cb_report_decl_free(cb_report_decl *d);
/* 1 if the report can be rendered in lang (template.h: cb_lang_known). */
int cb_report_decl_has_lang(const cb_report_decl *d, const char *lang);

/* Compiled chunks kept between runs: a script or module is compiled once and later states
 * load that copy while its file is unchanged (util.h: cb_file_id). Owned by whoever owns
 * the engine (render.c: one per engine), which hands it to every run in cb_report_src;
 * worker processes forked later get a copy each. Not for two runs at once. */
typedef struct cb_chunk_cache cb_chunk_cache;
cb_chunk_cache *cb_chunk_cache_new(void);
void cb_chunk_cache_free(cb_chunk_cache *cc); /* NULL: nothing */

typedef struct cb_report_src {
    const char *path;        /* the script file */
    const char *chunkname;   /* how messages name it, e.g. "scripts/briefing.lua" */
    const char *dir;         /* the report's folder, searched first by require */
    const char *scripts_dir; /* the shared scripts folder, searched second */
    const char *share_dir;   /* to shorten module names in messages; may be NULL */
    cb_lua_limits limits;    /* zero: the defaults */
    const char *lang;        /* the global `lang` and fmt's language; NULL: "zh" */
    const cb_template *tpl;  /* the global `template`; NULL: none (reading declarations) */
    const cb_report_decl *decl; /* what the prelude read; NULL: nothing */
    const cb_clock *clock;   /* the run's date (clock.h); NULL: none */
    cb_chunk_cache *chunks;  /* where compiled chunks are kept; NULL: compiled each run */
} cb_report_src;

/* Runs the report for county `county` of ds, filling doc (initialised by the caller).
 * Errors are CB_ESCRIPT with "script:line: message" and the report's call chain; a script
 * over a limit fails with a message naming the limit and the place it was reached.
 * The CPU budget uses a CPU-time timer and a SIGXCPU handler of this process (one run at a
 * time), and may end the process with CB_LUA_EXIT_STUCK: call it in a worker process. */
/* Loads the text of a report script or module (len bytes, as cb_read_file reads it) as a
 * chunk named chunkname ("@path"), text only, without its UTF-8 BOM and a first line
 * starting with '#' (a "#!" line), as lua itself does; line numbers stay those of the file.
 * Returns lua_load's status, the function or the message pushed. */
int cb_lua_load_text(lua_State *L, const char *text, size_t len, const char *chunkname);

int cb_lua_run_report(const cb_report_src *src, const cb_dataset *ds, size_t county,
                      cb_doc *doc, cb_error *err);

/* Runs a report of scope "all" once over the counties which[0..n) of ds (NULL: all, in
 * data order): the script sees `counties` (their rows) and `data.<table>` (their rows of
 * every table), and `data.of(c)` for one county's rows. Otherwise as cb_lua_run_report. */
int cb_lua_run_report_all(const cb_report_src *src, const cb_dataset *ds, const size_t *which,
                          size_t n, cb_doc *doc, cb_error *err);

/*
 * What a report declares it needs from the data, with the global function `needs` (see
 * docs/reports.md, "Declaring the data a report needs"):
 *     needs { projects = { project = "text", amount = "number" },
 *             towns = optional { town = "text" } }
 * A column's type is "text", "number" or "any" (present, of either type). A table marked
 * with optional() may be absent; if present, its columns are checked.
 */
typedef struct cb_need_table {
    char *name;
    int optional;
    size_t ncols;
    char **cols;     /* sorted by name */
    char **types;    /* "text", "number" or "any" */
} cb_need_table;

typedef struct cb_needs {
    int declared;          /* the script called needs */
    size_t ntables;
    cb_need_table *tables; /* sorted by name */
} cb_needs;

/* Reads the declarations at the top of the script (report { ... } and needs { ... }, in
 * either order, before any other statement): runs the report (for county 0 of ds) only up
 * to the last of them under the same limits as a county's run, and fills *needs and *decl.
 * Declarations that call nothing but report, needs and optional (as Lua finds, lua_prelude.c)
 * run here (they can't get stuck in a library call, so the soft stop suffices); any other runs in a child
 * process with the hard stop too, its result sent back on a pipe. needs->declared and
 * decl->declared are 0 for what the script does not declare there (or when it fails
 * first: a failure is left to the real run). Errors (CB_ESCRIPT): a malformed declaration
 * ("script:line: needs: ..." or "script:line: report: ..."), a limit reached ("script:line:
 * CPU budget of 30 s exceeded ... (reading its declarations, ...)"), the child dying. */
int cb_lua_report_prelude(const cb_report_src *src, const cb_dataset *ds, cb_needs *needs,
                          cb_report_decl *decl, cb_error *err);
void cb_needs_free(cb_needs *n);

#endif /* CB_LUA_API_H */
