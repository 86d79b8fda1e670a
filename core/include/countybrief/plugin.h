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
#define CB_PLUGIN_ABI_MINOR 1

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

/* ------------------------------------------------------------------ block renderers */

/* Colours and sizes of the template in use, for blocks that should match the document.
 * Like the host API, it only grows at its end. */
typedef struct cb_theme {
    float primary[3], accent[3], text[3], muted[3], rule[3], band[3], panel[3], bar[3];
    float body_size, small_size, table_size;
    /* ---- 1.1: the document's language, "zh" or "en", for a block's own words ("其他" /
     * "Other"). A plugin declaring minor 0 reads it only if api->abi_minor >= 1. */
    const char *lang;
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
} cb_block_type;
#define CB_BLOCK_TYPE_VERSION 1

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
};

/* The entry point every plugin defines. */
CB_PLUGIN_EXPORT int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err);

#ifdef __cplusplus
}
#endif

#endif /* COUNTYBRIEF_PLUGIN_H */
