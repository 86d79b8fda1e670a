/*
 * countybrief/plugin.h: the ABI between countybrief and compiled plugins.
 *
 * A plugin is a shared object exporting two functions:
 *
 *   cb_plugin_magic  written by CB_PLUGIN_MAGIC(name, version, description): returns a
 *                    static description (ABI version, struct size, name, and the Lua it
 *                    was compiled against). The loader reads it first and refuses a
 *                    plugin built for another ABI major, for a minor newer than the
 *                    host's, or against another Lua (version or number sizes: a
 *                    lua_State* crosses the boundary), before running any plugin code.
 *   cb_plugin_init   int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err)
 *                    registers what the plugin provides through `api` and returns CB_OK, or
 *                    returns an error code with *err set to a message allocated with
 *                    api->strdup (the host frees it). A failed init has all its
 *                    registrations undone and the library is closed. The host first
 *                    loads every plugin in a throw-away child process (a plugin that
 *                    crashes or hangs there is refused), so init runs twice: keep it
 *                    free of side effects beyond registering.
 *
 * Versioning. ABI versions are major.minor. Within one major the host API struct only
 * grows: new members are appended under a comment naming the minor that added them, so
 * a plugin compiled for 1.0 runs on any 1.x host. The magic's minor is the oldest host the
 * plugin runs on: CB_PLUGIN_MAGIC stamps the header's minor; a plugin that also wants to
 * run on older 1.x hosts declares a lower one with CB_PLUGIN_MAGIC_MINOR and checks
 * `api->abi_minor` before calling members added after it. The magic record grows the same
 * way, sized by its struct_size: a host ignores members it does not know, and checks a
 * member only when the plugin's struct_size holds it (a plugin built with an older header
 * loads as before, unchecked). Such members need no new minor: they ask nothing of the host.
 *
 * Ownership. The host copies every string a plugin passes to it. Pointers the host passes
 * to a plugin (canvas, sink, strings) are valid only during that call. The type
 * descriptions a plugin registers (cb_block_type, cb_source_type) must stay valid while
 * the plugin is loaded: make them `static const`. Block state returned by create() belongs
 * to the plugin and is released by the host calling destroy().
 *
 * Blocks across pages (1.2). A block type of version 2 may give split(); the host calls
 * it only when the block (or a rest of it) does not fit in the height left on the page
 * (`available` > 0 points), never while the report runs. split leaves `state` as it is and
 * returns two NEW states: *head, what fits in `available` (its measure at the same width
 * at most `available`), and *rest, the remainder, which goes on the next page and may be
 * split again. Both belong to the host, released with destroy() once drawn; one Figure
 * of the document's structure holds every part. split returns 0 for "no progress" (the
 * block cannot give a head of that height, e.g. its first row is taller): it sets nothing,
 * and the host moves the block whole to the next page, as for a block without split; on
 * a new page it asks again with the page's full height, and if that too makes no
 * progress, the block is cut to the page with a warning, as before. A head taller than
 * `available` or under a point, or a rest not at least a point shorter than the whole,
 * counts as no progress (both are destroyed), so a split can never loop. A version 1
 * struct (built with a 1.0 or 1.1 header) ends at destroy: the host never reads split
 * from it.
 *
 * Structure (1.3). The document is a tagged PDF: its structure tree says what each part
 * is (docs/standards.md). A block is one Figure of it unless it says otherwise with
 * api->describe from draw(): a figure with its alternative text (what a reader who cannot
 * see the block needs to know: the data it shows, in the document's language, the theme's
 * lang), a paragraph (text that reads as one), or an artifact (decoration that says
 * nothing: a screen reader skips it). A block that does not call it is a figure whose
 * alternative text is its type's name followed by the text it draws.
 *
 * Captions (1.4). A figure may have a caption (api->caption): its title, set in the
 * document's heading face, a child of the figure in the structure.
 *
 * Threading. A host process calls its plugins from one thread only; batches use worker
 * processes, so every worker has its own copy of plugin globals. Plugins need no locks.
 *
 * Errors. Functions return CB_OK (0) or a negative CB_E* code (countybrief.h). Inside a
 * Lua call (a module function, a block's create()), raise errors with luaL_error so the
 * report author sees script:line.
 */
#ifndef COUNTYBRIEF_PLUGIN_H
#define COUNTYBRIEF_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "countybrief/countybrief.h"

#define CB_PLUGIN_ABI_MAJOR 1
#define CB_PLUGIN_ABI_MINOR 4

#if defined(__GNUC__)
#define CB_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define CB_PLUGIN_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* What cb_plugin_magic returns. Fields are never reordered; new ones are appended. */
typedef struct cb_plugin_magic_info {
    uint32_t struct_size;   /* sizeof(cb_plugin_magic_info) as the plugin was built */
    uint16_t abi_major;     /* CB_PLUGIN_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;     /* CB_PLUGIN_ABI_MINOR the plugin was built against */
    const char *name;       /* unique plugin name: letters, digits, '.', '_' and '-' */
    const char *version;    /* the plugin's own version, e.g. "1.2.0" */
    const char *description;/* one line for `countybrief plugins` */
    /* ---- appended in 1.1 (read when struct_size holds them): the Lua the plugin was
     * compiled against, whose lua_State and values it shares with the host. A plugin
     * built against another Lua version, or with other number sizes, is refused. */
    uint32_t lua_version_num; /* LUA_VERSION_NUM, e.g. 504 */
    uint16_t lua_number_size; /* sizeof(lua_Number) */
    uint16_t lua_integer_size;/* sizeof(lua_Integer) */
} cb_plugin_magic_info;

/* The magic's Lua members as this header is compiled (for a magic written by hand). */
#define CB_PLUGIN_LUA_ABI LUA_VERSION_NUM, sizeof(lua_Number), sizeof(lua_Integer)

/* Exports cb_plugin_magic. Use once, at file scope, in the plugin's main source file. */
#define CB_PLUGIN_MAGIC(name_, version_, description_)                                      \
    CB_PLUGIN_MAGIC_MINOR(name_, version_, description_, CB_PLUGIN_ABI_MINOR)

/* The same, for a plugin that runs on hosts from ABI 1.min_minor on (see Versioning). */
#define CB_PLUGIN_MAGIC_MINOR(name_, version_, description_, min_minor_)                    \
    CB_PLUGIN_EXPORT const cb_plugin_magic_info *cb_plugin_magic(void)                      \
    {                                                                                       \
        static const cb_plugin_magic_info info = {                                          \
            sizeof(cb_plugin_magic_info), CB_PLUGIN_ABI_MAJOR, (min_minor_),                 \
            (name_), (version_), (description_), CB_PLUGIN_LUA_ABI};                         \
        return &info;                                                                       \
    }

typedef struct cb_host_api cb_host_api; /* the functions the host offers (below) */
typedef struct cb_plugin cb_plugin;   /* the host's handle for a loaded plugin */
typedef struct cb_canvas cb_canvas;   /* a block's drawing surface */
typedef struct cb_table_sink cb_table_sink; /* where a data source puts its tables */

/* One line of text broken by the host (break_lines, 1.2). */
typedef struct cb_text_line {
    size_t start, len; /* bytes of the text: trailing spaces and line ends excluded */
    float width;       /* in points at the size asked */
} cb_text_line;

/* ------------------------------------------------------------------ block renderers */

/* Colours and sizes of the template in use, for blocks that should match the document.
 * Like the host API, it only grows at its end. */
typedef struct cb_theme {
    float primary[3], accent[3], text[3], muted[3], rule[3], band[3], panel[3], bar[3];
    float body_size, small_size, table_size;
    /* ---- 1.1: the document's language, "zh" or "en", for a block's own words ("其他" /
     * "Other"). A plugin declaring minor 0 reads it only if api->abi_minor >= 1. */
    const char *lang;
    /* ---- 1.4: a level-2 heading's size (type.h2), for a caption set as headings are. */
    float h2_size;
} cb_theme;

/* A new kind of document block, added from Lua with doc:add(name, options). */
typedef struct cb_block_type {
    uint32_t version;     /* CB_BLOCK_TYPE_VERSION */
    const char *name;     /* e.g. "chart.line" */
    /* Reads the options table at index `opts` of L and returns the block's state, or
     * raises a Lua error (luaL_error) naming what is wrong. Called while the report runs. */
    void *(*create)(lua_State *L, int opts, const cb_host_api *api);
    /* Height in points the block needs at `width` points. */
    float (*measure)(void *state, const cb_host_api *api, const cb_canvas *measure_canvas,
                     float width);
    /* Draws the block in a box of width x height whose lower-left corner is (0, 0). */
    void (*draw)(void *state, const cb_host_api *api, cb_canvas *canvas, float width,
                 float height);
    /* Releases the state (may be NULL). */
    void (*destroy)(void *state);
    /* ---- version 2 (ABI 1.2), read only when version >= 2: splits the block at
     * `available` points of height (see "Blocks across pages" above). May be NULL: the
     * block then moves to the next page whole when it does not fit. Returns 1 with *head
     * and *rest set to new states, or 0 (no progress) with neither set. */
    int (*split)(const void *state, const cb_host_api *api, const cb_canvas *measure_canvas,
                 float width, float available, void **head, void **rest);
} cb_block_type;
#define CB_BLOCK_TYPE_VERSION 2

/* What a block is in the document's structure (api->describe, 1.3). */
typedef enum cb_block_role {
    CB_BLOCK_ROLE_FIGURE = 0,    /* a chart, a picture: needs alternative text */
    CB_BLOCK_ROLE_ARTIFACT = 1,  /* decoration only: left out of the structure */
    CB_BLOCK_ROLE_PARAGRAPH = 2, /* its text reads as a paragraph */
} cb_block_role;

/* ------------------------------------------------------------------ data sources */

typedef enum cb_cell_type { CB_CELL_EMPTY = 0, CB_CELL_NUMBER = 1, CB_CELL_TEXT = 2 } cb_cell_type;

typedef struct cb_cell {
    cb_cell_type type;
    double number;      /* CB_CELL_NUMBER */
    const char *text;   /* CB_CELL_TEXT: UTF-8, NUL-terminated; copied by the host */
} cb_cell;

/* A reader turning a file or URI into tables, chosen by `--data scheme:LOCATION` or by
 * the file name's extension (`--data figures.xlsx`). */
typedef struct cb_source_type {
    uint32_t version;       /* CB_SOURCE_TYPE_VERSION */
    const char *name;       /* e.g. "sqlite" */
    const char *scheme;     /* "sqlite" matches "sqlite:PATH"; may be NULL */
    const char *extension;  /* ".xlsx" matches "PATH.xlsx"; may be NULL */
    /* Reads `location` (the part after "scheme:", or the file path) and emits every table
     * through api->table_begin / table_row / table_end. On failure returns an error code
     * with *err allocated by api->strdup, naming the place ("book.xlsx: sheet 2, row 5"). */
    int (*load)(const char *location, cb_table_sink *sink, const cb_host_api *api, char **err);
} cb_source_type;
#define CB_SOURCE_TYPE_VERSION 1

/* ------------------------------------------------------------------ the host API */

struct cb_host_api {
    uint32_t struct_size;   /* sizeof(cb_host_api) in the host */
    uint16_t abi_major, abi_minor;

    /* ---- 1.0: memory and messages */
    char *(*strdup)(const char *s);          /* for *err messages the host frees */
    void (*free)(void *p);
    void (*warn)(cb_plugin *self, const char *message); /* printed with the plugin's name */

    /* ---- 1.0: registration (during cb_plugin_init only) */
    int (*register_block)(cb_plugin *self, const cb_block_type *type);
    /* Makes `require(name)` in reports return what open(L) pushes. */
    int (*register_lua_module)(cb_plugin *self, const char *name, lua_CFunction open);
    int (*register_source)(cb_plugin *self, const cb_source_type *type);

    /* ---- 1.0: drawing. Coordinates in points inside the block's box, y upwards. */
    void (*set_fill_rgb)(cb_canvas *c, float r, float g, float b);
    void (*set_stroke_rgb)(cb_canvas *c, float r, float g, float b);
    void (*set_line_width)(cb_canvas *c, float width);
    void (*set_dash)(cb_canvas *c, float on, float off); /* 0, 0: solid */
    void (*move_to)(cb_canvas *c, float x, float y);
    void (*line_to)(cb_canvas *c, float x, float y);
    void (*curve_to)(cb_canvas *c, float x1, float y1, float x2, float y2, float x3, float y3);
    void (*close_path)(cb_canvas *c);
    void (*rect)(cb_canvas *c, float x, float y, float w, float h);
    void (*fill)(cb_canvas *c);
    void (*stroke)(cb_canvas *c);
    void (*fill_stroke)(cb_canvas *c);
    /* Text in the document's font with the current fill colour; align: 0 left, 1 centre,
     * 2 right of x. y is the baseline. */
    void (*text)(cb_canvas *c, float x, float y, float size, int align, const char *utf8);
    float (*text_width)(const cb_canvas *c, float size, const char *utf8);
    const cb_theme *(*theme)(const cb_canvas *c);

    /* ---- 1.0: numbers the Chinese way (snprintf-like: returns the length needed) */
    size_t (*format_yuan)(char *out, size_t n, double yuan);          /* "4.05亿元" */
    size_t (*format_count)(char *out, size_t n, double v, const char *unit, const char *qualifier);
    size_t (*format_decimal)(char *out, size_t n, double v, int decimals);

    /* ---- 1.0: data sources. Columns are named once; cells come row by row. `line` is the
     * row's place in the source, used in messages ("sheet Projects, row 12"). */
    int (*table_begin)(cb_table_sink *sink, const char *name, const char *origin,
                       size_t ncols, const char *const *columns);
    int (*table_row)(cb_table_sink *sink, const cb_cell *cells, size_t line);
    int (*table_end)(cb_table_sink *sink);

    /* ---- 1.2: typesetting and numbers by the document's rules. A plugin declaring an
     * older minor checks api->abi_minor >= 2 first. (Font fallback needs no call of its
     * own: text and text_width already use the document's fonts, each character from
     * the first that has it.) */
    /* Breaks utf8 into lines at most `width` points wide at `size` in the document's
     * font, by the rules of body text: the Unicode algorithm with the 避头尾 lists (no
     * line starts with a closing mark such as ，。）」”, none ends with an opening one such
     * as （「“), numbers and Latin words whole when they fit, hard breaks kept. Writes
     * the first `max` lines to `lines` (NULL with max 0 only counts) and returns how many
     * lines the text takes (0 for NULL or ""). */
    size_t (*break_lines)(const cb_canvas *c, float size, const char *utf8, float width,
                          cb_text_line *lines, size_t max);
    /* Money and counts in the document's language (the canvas's theme lang): "4.05亿元" /
     * "CNY 405 million", "2396余人次" / "over 2,396 person-times"; snprintf-like. */
    size_t (*format_money)(const cb_canvas *c, char *out, size_t n, double yuan);
    size_t (*format_quantity)(const cb_canvas *c, char *out, size_t n, double v,
                              const char *unit, const char *qualifier);
    /* Axis ticks as doc:barchart draws them: 0, step, ..., steps x step reaching at least
     * max, in at most about max_steps steps of 1, 2, 2.5 or 5 times a power of ten (a max
     * of 0 or less, or not finite: step 1, 1 step). */
    void (*nice_ticks)(double max, int max_steps, double *step, int *steps);
    /* The option check of the built-in blocks, for a block's create(): every key of the
     * table at stack index opts must be one of keys (NULL-terminated), else a Lua error
     * (it does not return) worded as for doc:table: "chart.pie: unknown option 'colour'
     * (options: title, ...)", with "; did you mean 'value'?" when one is a letter or two
     * away; a key that is not a string: "chart.pie: options must be named (key = value),
     * found a number key". `what` is the block's name as the script wrote it. */
    void (*check_options)(lua_State *L, int opts, const char *what, const char *const *keys);

    /* ---- 1.3: the block's part in the document's structure (see Structure above). A
     * plugin declaring an older minor checks api->abi_minor >= 3 first. Called from draw()
     * (anywhere in it: what the block drew before counts too; a block split across pages
     * says it in each part's draw), with `role` a cb_block_role and `alt` the figure's
     * alternative text (UTF-8, copied; NULL or "" for a figure: the fallback above).
     * Ignored outside draw() and for an unknown role. */
    void (*describe)(cb_canvas *c, int role, const char *alt);

    /* ---- 1.4: a figure's caption. Draws utf8 from x as the document sets its headings
     * (the heading face, bold) at `size` in the current fill colour, centred in a line box
     * lh points high whose top is at `top` (by the face's ascender and descender, which
     * only the host knows); in the document's structure it is the Caption of the block's
     * figure. A plugin declaring an older minor checks api->abi_minor >= 4 first. */
    void (*caption)(cb_canvas *c, float x, float top, float lh, float size, const char *utf8);
};

/* The entry point every plugin defines. */
CB_PLUGIN_EXPORT int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err);

#ifdef __cplusplus
}
#endif

#endif /* COUNTYBRIEF_PLUGIN_H */
