/* blocks.c: the table of built-in block types (blocks.h) and where a text is in each; the
 * shorthands of plugin blocks. */
#include "blocks.h"

#include <string.h>

#include "util.h"

static char *title_where(const cb_block *b, cb_block_probe *p)
{
    if (p->has(p, b->text)) return cb_xstrdup("title");
    if (p->has(p, b->subtitle)) return cb_xstrdup("subtitle");
    return NULL;
}

static char *heading_where(const cb_block *b, cb_block_probe *p)
{
    return p->has(p, b->text) ? cb_xstrdup("heading") : NULL;
}

static char *paragraph_where(const cb_block *b, cb_block_probe *p)
{
    return p->has(p, b->text) ? cb_xstrdup("paragraph") : NULL;
}

static char *kpis_where(const cb_block *b, cb_block_probe *p)
{
    for (size_t i = 0; i < b->nitems; i++) {
        const cb_item *it = &b->items[i];
        if (p->has(p, it->label)) return cb_xstrdup("KPI label");
        if (p->has(p, it->value)) return cb_xasprintf("KPI \"%s\" value", it->label ? it->label : "");
    }
    return NULL;
}

static char *table_where(const cb_block *b, cb_block_probe *p)
{
    for (size_t c = 0; c < b->ncols; c++)
        if (p->has(p, b->cols[c].title)) return cb_xasprintf("table header, column %zu", c + 1);
    for (size_t r = 0; r < b->nrows; r++)
        for (size_t c = 0; c < b->ncols; c++)
            if (p->has(p, b->cells[r * b->ncols + c]))
                return cb_xasprintf("table row %zu, column \"%s\"", r + 1, b->cols[c].title ? b->cols[c].title : "");
    return NULL;
}

static char *progress_where(const cb_block *b, cb_block_probe *p)
{
    for (size_t i = 0; i < b->nitems; i++) {
        if (p->has(p, b->items[i].label)) return cb_xstrdup("progress label");
        if (p->has(p, b->items[i].value)) return cb_xstrdup("progress value");
        if (p->has(p, b->items[i].detail)) return cb_xstrdup("progress detail");
    }
    return NULL;
}

static char *notes_where(const cb_block *b, cb_block_probe *p)
{
    if (p->has(p, b->text)) return cb_xstrdup("notes title");
    for (size_t i = 0; i < b->nitems; i++)
        if (p->has(p, b->items[i].label)) return cb_xasprintf("note %zu", i + 1);
    return NULL;
}

/* A masthead's or distribution block's fields, named as its options (keys). */
static char *fields_where(const cb_block *b, cb_block_probe *p, const char *what, const char *const *keys)
{
    for (size_t i = 0; i < b->nitems; i++)
        if (p->has(p, b->items[i].label)) return cb_xasprintf("%s %s", what, keys[i]);
    return NULL;
}

static const char *const MASTHEAD_KEYS[] = {"name", "number", "office", "date", NULL};
static const char *const DISTRIBUTION_KEYS[] = {"report", "send", "issue", "copies", NULL};

static char *masthead_where(const cb_block *b, cb_block_probe *p)
{
    return fields_where(b, p, "masthead", MASTHEAD_KEYS);
}

static char *distribution_where(const cb_block *b, cb_block_probe *p)
{
    return fields_where(b, p, "distribution", DISTRIBUTION_KEYS);
}

static char *toc_where(const cb_block *b, cb_block_probe *p)
{
    return p->has(p, b->text) ? cb_xstrdup("contents title") : NULL;
}

/* The options of each, as docs/reports.md lists them (e2e.block_options holds the two
 * to each other). */
static const char *const TEXT_KEYS[] = {"text", "subtitle", NULL};
static const char *const HEADING_KEYS[] = {"text", "level", NULL};
static const char *const PARAGRAPH_KEYS[] = {"text", NULL};
static const char *const NO_KEYS[] = {NULL};
static const char *const TABLE_KEYS[] = {"columns", "rows", NULL};
static const char *const NOTES_KEYS[] = {"title", "items", NULL};
static const char *const TOC_KEYS[] = {"title", "level", NULL};

/* In the order of doc.h's kinds, so a kind is its row's index. */
static const cb_builtin builtins[] = {
    [CB_BLOCK_TITLE] = {"title", CB_BLOCK_TITLE, TEXT_KEYS, 0, 1, 0, cb_title_read, cb_title_place, title_where},
    [CB_BLOCK_HEADING] = {"heading", CB_BLOCK_HEADING, HEADING_KEYS, 0, 1, 0, cb_heading_read, cb_heading_place,
                          heading_where},
    [CB_BLOCK_PARAGRAPH] = {"paragraph", CB_BLOCK_PARAGRAPH, PARAGRAPH_KEYS, 0, 1, 1, cb_paragraph_read,
                            cb_paragraph_place, paragraph_where},
    [CB_BLOCK_KPIS] = {"kpis", CB_BLOCK_KPIS, NO_KEYS, 1, 0, 1, cb_kpis_read, cb_kpis_place, kpis_where},
    [CB_BLOCK_TABLE] = {"table", CB_BLOCK_TABLE, TABLE_KEYS, 0, 0, 1, cb_table_read, cb_table_place, table_where},
    [CB_BLOCK_PROGRESS] = {"progress", CB_BLOCK_PROGRESS, NO_KEYS, 1, 0, 1, cb_progress_read, cb_progress_place,
                           progress_where},
    [CB_BLOCK_NOTES] = {"notes", CB_BLOCK_NOTES, NOTES_KEYS, 0, 0, 1, cb_notes_read, cb_notes_place, notes_where},
    [CB_BLOCK_MASTHEAD] = {"masthead", CB_BLOCK_MASTHEAD, MASTHEAD_KEYS, 0, 0, 0, cb_masthead_read,
                           cb_masthead_place, masthead_where},
    [CB_BLOCK_DISTRIBUTION] = {"distribution", CB_BLOCK_DISTRIBUTION, DISTRIBUTION_KEYS, 0, 0, 0,
                               cb_distribution_read, cb_distribution_place, distribution_where},
    [CB_BLOCK_TOC] = {"toc", CB_BLOCK_TOC, TOC_KEYS, 0, 0, 0, cb_toc_read, cb_toc_place, toc_where},
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])
_Static_assert(NBUILTINS == CB_BLOCK_PLUGIN, "a row for every built-in kind, the plugin kind last");

const cb_builtin *cb_builtin_at(size_t i) { return i < NBUILTINS ? &builtins[i] : NULL; }

const cb_builtin *cb_builtin_of(cb_block_kind kind) { return cb_builtin_at((size_t)kind); }

const cb_builtin *cb_builtin_named(const char *name)
{
    for (size_t i = 0; i < NBUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0) return &builtins[i];
    return NULL;
}

/* doc:barchart, once built in, is the charts plugin's horizontal bar chart. */
static const cb_shorthand shorthands[] = {
    {"barchart", "chart.bar", "charts"},
};
#define NSHORTHANDS (sizeof shorthands / sizeof shorthands[0])

const cb_shorthand *cb_shorthand_at(size_t i) { return i < NSHORTHANDS ? &shorthands[i] : NULL; }

const cb_shorthand *cb_shorthand_named(const char *name)
{
    for (size_t i = 0; i < NSHORTHANDS; i++)
        if (strcmp(shorthands[i].name, name) == 0) return &shorthands[i];
    return NULL;
}
