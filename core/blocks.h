/*
 * blocks.h: the built-in block types (title, heading, paragraph, kpis, table, progress,
 * notes, masthead, distribution, toc), and the shorthands of plugin blocks (doc:barchart
 * for the charts plugin's chart.bar), registered from one table the way Lua's
 * libraries register through luaL_Reg. A row names the block (the method doc:NAME and doc:add("NAME", ...)), its
 * options, and its three functions: `read` builds it from a script's options (lua_doc.c),
 * `place` lays it out on the pages (layout_blocks.c), `where` says which of its texts holds
 * something (blocks.c, for the layout's messages). A new built-in block is a kind in doc.h,
 * a row in blocks.c and its functions below; nothing else switches on the kinds.
 *
 * The table is static and read-only: the lookups return rows of it (never freed) or NULL.
 * This header only declares `struct lua_State` and `struct lay`, so the layout including
 * it gets no Lua and the Lua side no layout.
 */
#ifndef CB_BLOCKS_H
#define CB_BLOCKS_H

#include "doc.h"

struct lua_State;
struct lay;

/* Asked by a block's `where` about each of its texts in turn (NULL ones included): whether
 * this is the text wanted; the first yes ends the search. */
typedef struct cb_block_probe cb_block_probe;
struct cb_block_probe {
    int (*has)(cb_block_probe *p, const char *text);
};

typedef struct cb_builtin {
    const char *name;
    cb_block_kind kind;
    const char *const *keys; /* its options, NULL-terminated (none: an empty list) */
    unsigned list : 1;       /* the options table is also the list of its items (kpis) */
    unsigned positional : 1; /* doc:NAME(text, ...) too: `read` gets opts 0 and the arguments */
    unsigned headed : 1;     /* a place in it is told by the heading above it */
    /* Reads the options table at stack index opts (0: the method's positional arguments,
     * from index 2) and appends the block to d; raises a Lua error naming "doc:NAME" on a
     * bad option, having appended nothing or a block the document frees. */
    void (*read)(struct lua_State *L, cb_doc *d, int opts);
    /* Places block b at the cursor; next is the block after it (NULL: none). */
    void (*place)(struct lay *L, const cb_block *b, const cb_block *next);
    /* What the first text of b that p has is ("table row 2, column \"县\"", malloc'd), or
     * NULL if p has none of them. */
    char *(*where)(const cb_block *b, cb_block_probe *p);
} cb_builtin;

/* A plugin block with a method of its own: doc:NAME{...} is doc:add("TYPE", {...}) (and
 * doc:add("NAME", ...) too), its messages naming doc:NAME as a built-in's do; where the
 * plugin is not loaded, the method fails saying so. */
typedef struct cb_shorthand {
    const char *name;   /* "barchart" */
    const char *type;   /* the block type, "chart.bar" */
    const char *plugin; /* the plugin providing it, "charts", for the message */
} cb_shorthand;
/* The shorthand called name, or NULL; the i-th (0-based), or NULL past the last. */
const cb_shorthand *cb_shorthand_named(const char *name);
const cb_shorthand *cb_shorthand_at(size_t i);

/* The row of a built-in block by its name, or NULL (a plugin's block, or no block). */
const cb_builtin *cb_builtin_named(const char *name);
/* The row of kind, or NULL for CB_BLOCK_PLUGIN (its type is b->ptype). */
const cb_builtin *cb_builtin_of(cb_block_kind kind);
/* The i-th row (0-based, in the order of doc.h's kinds), or NULL past the last. */
const cb_builtin *cb_builtin_at(size_t i);

/* lua_doc.c: the one check of a block's options, for built-in and plugin blocks alike (the
 * host hands it to plugins as api->check_options). Every key of the table at stack index
 * opts must be one of keys (NULL-terminated) or, with list, a position in the list of the
 * block's items; otherwise raises a Lua error "WHAT: unknown option 'colour' (options:
 * ...)", ending "; did you mean 'color'?" when one option is a letter or two away. */
void cb_check_options(struct lua_State *L, int opts, const char *what, const char *const *keys, int list);

/* lua_doc.c: each block read from a script */
void cb_title_read(struct lua_State *L, cb_doc *d, int opts);
void cb_heading_read(struct lua_State *L, cb_doc *d, int opts);
void cb_paragraph_read(struct lua_State *L, cb_doc *d, int opts);
void cb_kpis_read(struct lua_State *L, cb_doc *d, int opts);
void cb_table_read(struct lua_State *L, cb_doc *d, int opts);
void cb_progress_read(struct lua_State *L, cb_doc *d, int opts);
void cb_notes_read(struct lua_State *L, cb_doc *d, int opts);
void cb_masthead_read(struct lua_State *L, cb_doc *d, int opts);
void cb_distribution_read(struct lua_State *L, cb_doc *d, int opts);
void cb_toc_read(struct lua_State *L, cb_doc *d, int opts);

/* layout_blocks.c: each block placed on the pages */
void cb_title_place(struct lay *L, const cb_block *b, const cb_block *next);
void cb_heading_place(struct lay *L, const cb_block *b, const cb_block *next);
void cb_paragraph_place(struct lay *L, const cb_block *b, const cb_block *next);
void cb_kpis_place(struct lay *L, const cb_block *b, const cb_block *next);
void cb_table_place(struct lay *L, const cb_block *b, const cb_block *next);
void cb_progress_place(struct lay *L, const cb_block *b, const cb_block *next);
void cb_notes_place(struct lay *L, const cb_block *b, const cb_block *next);
/* layout_masthead.c: a 简报's 报头 and 报尾; layout_toc.c: the table of contents */
void cb_masthead_place(struct lay *L, const cb_block *b, const cb_block *next);
void cb_distribution_place(struct lay *L, const cb_block *b, const cb_block *next);
void cb_toc_place(struct lay *L, const cb_block *b, const cb_block *next);

#endif /* CB_BLOCKS_H */
