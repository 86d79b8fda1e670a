/*
 * render.h: the pipeline for a batch: load the data folder, template, font and report
 * once, then for each county run the report, lay it out, write the PDF.
 *
 * A county's failure (script error, libharu error, write error) is reported for that county
 * and leaves no file behind; the other counties still render.
 */
#ifndef CB_RENDER_H
#define CB_RENDER_H

#include <stddef.h>

#include "backend.h"
#include "data.h"
#include "font.h"
#include "layout.h"
#include "lua_api.h"
#include "template.h"

typedef struct cb_render_opts {
    const char *data_dir;  /* NULL: the example data */
    const char *report;    /* name under scripts/ or a .lua file; NULL: "briefing" */
    const char *template_name; /* name under templates/ or a folder; NULL: "briefing" */
    const char *out_dir;   /* NULL: "out" */
    const char *font_path; /* NULL: fontconfig */
    const char *const *plugins; /* --plugin files, loaded after the plugin folders */
    size_t nplugins;
    int quiet;             /* no warnings about refused plugins in the folders */
    cb_lua_limits lua_limits; /* --lua-memory, --cpu-budget; zero: the defaults (lua_api.h) */
    int keep_needs;        /* 1: cb_engine_open does not fail on the data not meeting the
                            * report's needs (countybrief check reports them itself) */
    const char *lang;      /* --lang: "zh" or "en"; NULL: "zh" */
    const char *encoding;  /* --encoding: every CSV file's (data.h); NULL: detected */
    int follow_links;      /* --follow-links: data-folder links may lead out of it */
    const cb_clock *clock; /* the run's date (--date, clock.h); NULL: SOURCE_DATE_EPOCH's */
    cb_pdf_standard pdf_standard; /* --pdf-standard (layout.h); 0: plain PDF */
    const char *formats;   /* --format: "pdf", "ofd", "pdf,ofd" (backend.h); NULL: "pdf" */
} cb_render_opts;

typedef struct cb_engine {
    const char *share;
    char *data_dir, *out_dir;
    char *report_path, *report_name, *report_dir, *scripts_dir;
    cb_dataset ds;
    cb_template tpl;
    cb_font *font;         /* the document's font list, each role's faces set (typeface.h) */
    char *font_notes;      /* the face each role got, and why one fell back: lines, or NULL */
    cb_report_src src;
    cb_needs needs;        /* what the report declared with needs { ... } */
    cb_report_decl decl;   /* and with report { ... }: scope, languages, output */
    char lang[8];          /* the language rendered */
    char *out_set;         /* the output set's part of every file name: "" for the default
                            * template and language, else ".TEMPLATE", ".LANG" or both
                            * (".onepager.en"); see cb_output_name */
    int quiet;             /* no warnings printed while rendering */
    cb_clock clock;        /* the run's date: every document's unless unset (clock.h) */
    cb_pdf_standard pdf_standard; /* every document's (cb_doc_info.standard) */
    int counted;           /* holds a share of the process-wide plugins and caches */
    const cb_backend *formats[CB_FORMATS_MAX]; /* the files each document is written as, */
    size_t nformats;       /* in --format's order (at least one); the first is its "file" */
} cb_engine;

/* One file a document was written as, beside the first (--format pdf,ofd). */
typedef struct cb_render_file {
    char *path;     /* malloc'd; caller frees (cb_render_result_free) */
    size_t bytes;
    unsigned char sha256[32];
} cb_render_file;

typedef struct cb_render_result {
    char *path;     /* the file written in the first format (malloc'd; caller frees) */
    size_t pages;
    size_t bytes;
    double ms;
    unsigned char sha256[32]; /* of its bytes */
    size_t nalso;   /* the files of the other formats, in the engine's order */
    cb_render_file also[CB_FORMATS_MAX - 1];
} cb_render_result;

/* Frees the paths of res (not res). */
void cb_render_result_free(cb_render_result *res);

/* The script --report names: a .lua file (or any path with '/' that is a file); a report
 * folder as `countybrief new report` makes it (DIR/BASENAME.lua, else the one .lua in DIR
 * that declares needs { } or report { }, else DIR's only .lua); else share/scripts/NAME.lua.
 * Returns it malloc'd, or NULL with err set (CB_ENOTFOUND) naming what was looked for. */
char *cb_report_file(const char *report, const char *share, cb_error *err);

/*
 * Engines. An engine owns its data, report, template, fonts, language and output set;
 * several may be open in one process at once (each with its own language and template)
 * and render in any order. What they share is process-wide and read-only once loaded: the
 * plugin registry, of which each engine holds a share (plugins.h: a later engine's load
 * finds what is loaded and adds its own --plugin files; the last closed unloads), and the
 * PDF writer's compressor, let go with the last engine too. Each engine owns its cache of
 * compiled chunks (lua_api.h).
 */

/* Loads everything a batch needs; the error names what is missing or wrong. The data is
 * checked against the report's needs { ... } declaration first: every problem is printed
 * to stderr ("countybrief: <file>: ...") and the result is CB_EDATA (unless keep_needs).
 * A language the report does not declare (report { languages = ... }) is CB_EUSAGE.
 * The fonts are opened as typeface.h says: for English the main font is the template's
 * latin_family (DejaVu Sans), with the Chinese font (--font, or the template's) as its first
 * fallback. */
int cb_engine_open(cb_engine *e, const cb_render_opts *o, cb_error *err);
/* Loads the plugins and the data only (for `countybrief list`). The data is a folder of CSV
 * files, or anything a plugin's data source claims ("sqlite:figures.db", "book.xlsx"). */
int cb_engine_open_data(cb_engine *e, const cb_render_opts *o, cb_error *err);
/* Frees what e holds (also after a failed open; a second close is harmless). */
void cb_engine_close(cb_engine *e);
/* CB_OK if the report e opened is written in lang (cb_lang_known, and declared by its
 * report { languages = ... }), else CB_EUSAGE naming lang, as cb_engine_open says it: what
 * `--lang zh,en` checks of every language before the first renders. */
int cb_engine_check_lang(const cb_engine *e, const char *lang, cb_error *err);
/* Creates the output folder if needed and checks it can be written. */
int cb_engine_prepare_output(cb_engine *e, cb_error *err);
/* Runs the report for one county, lays it out and writes its PDF. Layout warnings (text
 * shrunk or cut, missing characters, table cells wider than their column) are printed to
 * stderr, one line each, "countybrief: warning: <id> <name>: ...", unless e->quiet; they
 * never fail the county. */
int cb_render_county(cb_engine *e, size_t county, cb_render_result *res, cb_error *err);

/* The same for a report of scope "all": one run over the counties which[0..n) (NULL: all),
 * one PDF, cb_output_all_name. Warnings read "countybrief: warning: <file>: ...". */
int cb_render_all(cb_engine *e, const size_t *which, size_t n, cb_render_result *res,
                  cb_error *err);
/* The file a report of scope "all" writes: its output name (else the script's name
 * without .lua), the output set and ".pdf": "compare.pdf", "compare.en.pdf". A '-' or '.'
 * of the name becomes '_', so it is never a county's "<id>-<name>...". malloc'd. */
char *cb_output_all_name(const cb_engine *e);

/* Runs the report for one county and lays it out, without writing a PDF (countybrief
 * check): the layout's warnings and the table overflow warnings (check.h) are appended to
 * *warnings. Errors name the county and "script:line". */
int cb_check_county(cb_engine *e, size_t county, char ***warnings, size_t *nwarnings,
                    cb_error *err);
/* cb_check_county for a report of scope "all"; errors name the output file. */
int cb_check_all(cb_engine *e, const size_t *which, size_t n, char ***warnings,
                 size_t *nwarnings, cb_error *err);

/*
 * Output names. A county's PDF is "<id>-<name><set>.pdf": set is the engine's out_set
 * ("" for the default template and language, ".onepager", ".en", ".onepager.en"), so each
 * output set has its own files (and its own manifest, batch.h) in one folder. In id and
 * name, '/', control characters, the characters Windows refuses and '.' become '_': the
 * dots of a name separate county, set and "pdf", so no county of one set can take another
 * set's (or county's) file. malloc'd.
 */
char *cb_output_name(const char *id, const char *name, const char *set);
/* The file of format k (e->formats[k]) of county `county`, or of the report over all
 * counties when county < 0: cb_output_name's or cb_output_all_name's with that format's
 * extension. malloc'd. */
char *cb_output_file(const cb_engine *e, long county, size_t k);

/* The counties whose PDFs would be one file: the same name once case and Unicode
 * normalisation (NFC) are ignored, as on Windows and macOS file systems (a folder is often
 * copied there). NULL when there are none; else an array of e->ds.ncounties messages,
 * NULL for a county of its own and for each county of a group one line naming them all,
 * "1-a b and 1 a-b: their PDFs would be one file, 1-a-b.pdf (...)". None of a group is
 * rendered: which one would win is no rule a user could predict. Free with
 * cb_output_clashes_free. */
char **cb_output_clashes(const cb_engine *e);

/* The counties whose output name keys might be one (their 64-bit key hashes agree), in
 * ascending order, malloc'd (*n of them). The relation does not depend on the output set:
 * the set's suffix follows a '.' (a starter no case folding or composition crosses) and
 * each step of the hash is a bijection, so keys and hashes agree with or without it. The
 * data index stores them (cb_dataset_clash_candidates); cb_output_clashes compares keys. */
uint32_t *cb_output_clash_candidates(const cb_dataset *ds, size_t *n);
void cb_output_clashes_free(const cb_engine *e, char **clash);

/* After a county (who: "<id> <name>") or a report over all failed: its previous file in
 * the output folder no longer matches the data, so it is moved aside as "file.stale"
 * (cb_output_set_aside), and one line on stderr says so. 1 if a file was moved or removed. */
int cb_output_retire(const cb_engine *e, const char *file, const char *who);

#endif /* CB_RENDER_H */
