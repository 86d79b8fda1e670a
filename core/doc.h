/*
 * doc.h: the document a report script builds: an ordered list of blocks plus the PDF's
 * document information. Layout (layout.h) turns it into pages.
 *
 * Ownership: the document owns every string and array in it (copied in by the builders
 * below); cb_doc_free releases everything.
 */
#ifndef CB_DOC_H
#define CB_DOC_H

#include <stddef.h>

#include "countybrief/plugin.h"

typedef enum cb_block_kind {
    CB_BLOCK_TITLE,     /* text, subtitle (lines separated by '\n') */
    CB_BLOCK_HEADING,   /* text, level 1 to 4; becomes a PDF bookmark */
    CB_BLOCK_PARAGRAPH, /* text */
    CB_BLOCK_KPIS,      /* items: value, unit, label */
    CB_BLOCK_TABLE,     /* cols, cells */
    CB_BLOCK_PROGRESS,  /* items: label, value text, fraction */
    CB_BLOCK_NOTES,     /* text (title), items */
    CB_BLOCK_MASTHEAD,  /* a 简报's 报头: items[CB_MH_*].label, each NULL when not given */
    CB_BLOCK_DISTRIBUTION, /* its 报尾: items[CB_DIST_*].label, each NULL when not given */
    CB_BLOCK_TOC,       /* text (title), level: the headings after it up to that level */
    CB_BLOCK_PLUGIN,    /* ptype, pstate: a block type registered by a plugin */
} cb_block_kind;

/* The fields of a masthead and a distribution block, in the order of their items (and of
 * their options in blocks.c). The date is "YYYY-MM-DD"; copies a whole number. */
enum { CB_MH_NAME, CB_MH_NUMBER, CB_MH_OFFICE, CB_MH_DATE, CB_MH_N };
enum { CB_DIST_REPORT, CB_DIST_SEND, CB_DIST_ISSUE, CB_DIST_COPIES, CB_DIST_N };

typedef struct cb_item {
    char *label;
    char *value;    /* display text */
    char *detail;   /* progress: the text after the bar */
    double number;  /* bar value; progress fraction 0..1, or < 0 when unknown */
} cb_item;

typedef struct cb_column {
    char *title;
    float width;    /* relative share of the table width */
    char align;     /* 'l', 'r' or 'c' */
} cb_column;

typedef struct cb_block {
    cb_block_kind kind;
    char *text;
    char *subtitle;
    char *unit;
    int level;
    size_t nitems;
    cb_item *items;
    size_t ncols, nrows;
    cb_column *cols;
    char **cells;   /* nrows * ncols, row-major; NULL cell = empty */
    const cb_block_type *ptype;
    void *pstate;    /* owned by the plugin; released with ptype->destroy */
    const cb_host_api *papi; /* the host API create() was given: measure and draw get it too */
    char *where;     /* the script:line that added it, for later messages; may be NULL */
} cb_block;

typedef struct cb_doc {
    char *title, *subject, *author, *keywords;
    size_t nblocks, cap;
    cb_block *blocks;
    /* The memory the document may take once laid out (layout.h), in bytes; 0: no limit.
     * The script's run sets it to its own memory limit (--lua-memory), which counted the
     * document as the script built it. */
    size_t mem_budget;
    /* The document's date (clock.h), seconds since 1970 UTC: the cover's and the PDF's.
     * dated: 0 none, CB_DATED_REPORT set by the script (doc:date), CB_DATED_RUN the run's
     * clock (SOURCE_DATE_EPOCH or --date), which doc:date does not change. */
    int dated;
    long long date;
} cb_doc;

enum { CB_DATED_REPORT = 1, CB_DATED_RUN = 2 };

void cb_doc_init(cb_doc *d);
void cb_doc_free(cb_doc *d);
/* Appends a zeroed block of `kind` and returns it (valid until the next append). */
cb_block *cb_doc_add(cb_doc *d, cb_block_kind kind);

#endif /* CB_DOC_H */
