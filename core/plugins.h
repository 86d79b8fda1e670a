/*
 * plugins.h: the host side of countybrief/plugin.h: loading plugins, the registry of what
 * they provide, the host API table, and the canvas blocks draw on.
 *
 * One registry per process. A plugin is accepted or refused whole: its magic is checked
 * before any of its code runs, and a failed init (or a name another plugin already holds)
 * undoes its registrations and closes the library. Refusals are kept with their reason so
 * `countybrief plugins` and a report that misses a block can say why.
 *
 * A plugin's code never runs first in this process: each file is loaded (dlopen, magic,
 * init) in a forked child that reports accept or refuse and exits; one that crashes or
 * hangs there (COUNTYBRIEF_PLUGIN_PROBE_TIMEOUT, default 5 s) is refused without ever being
 * mapped here. Only accepted files are then loaded for real (so init runs twice).
 */
#ifndef CB_PLUGINS_H
#define CB_PLUGINS_H

#include <stdio.h>

#include "countybrief/plugin.h"
#include "data.h"
#include "font.h"
#include "layout.h"
#include "template.h"
#include "util.h"

/* Loads one plugin file. On refusal returns CB_EPLUGIN with "PATH: reason" in err, and
 * records the refusal. Loading the same file twice is a no-op. */
int cb_plugins_load(const char *path, cb_error *err);
/* Loads every *.so of dir (sorted by name); refusals are printed as warnings unless quiet.
 * A missing dir is not an error. */
void cb_plugins_load_dir(const char *dir, int quiet);
/* Loads the default folder, COUNTYBRIEF_PLUGIN_PATH folders, then each explicit file.
 * An explicit file that is refused is an error (its message in err). */
int cb_plugins_load_all(const char *const *files, size_t nfiles, int quiet, cb_error *err);
void cb_plugins_unload_all(void);

/* Registered things, by name; NULL when nobody registered it. *owner gets the plugin's name. */
const cb_block_type *cb_plugins_block(const char *name, const char **owner);
lua_CFunction cb_plugins_module(const char *name);
/* The source for a --data argument ("sqlite:x.db", "figures.xlsx"), with *location set to
 * what the source should read; NULL when no plugin claims it. */
const cb_source_type *cb_plugins_source(const char *data_arg, const char **location);
/* What --data can read, for a message: "a folder of CSV files, .xlsx, .ods and .sqlite
 * files, and sqlite:FILE, ..." from the sources loaded (malloc'd). */
char *cb_plugins_source_formats(void);

/* "; refused plugins: a.so (reason), ..." or "" — for messages about missing blocks. */
const char *cb_plugins_refusal_summary(void);
/* The loaded plugins' files, in load order (for the batch's input hash). */
size_t cb_plugins_count(void);
const char *cb_plugins_path(size_t i);

/* Prints the table of `countybrief plugins`. */
void cb_plugins_print(FILE *out);

const cb_host_api *cb_host_api_get(void);

/* Words for a worker's mark (pool.h: cb_pool_mark), "in block chart.pie of plugin charts",
 * into buf; 0 when the mark names nothing registered. */
int cb_plugins_describe(int kind, const void *what, const char *fn, char *buf, size_t n);

/* ---- canvas: what the host API's drawing calls write into */

struct cb_canvas {
    cb_page *page;          /* NULL while measuring: drawing calls are ignored */
    cb_font *font;
    float ox, oy;           /* the block box's lower-left corner on the page */
    cb_rgb fill, stroke;
    float line_width, dash_on, dash_off;
    cb_path_seg *segs;      /* the path being built */
    size_t nsegs, cap;
    size_t charged;         /* of the layout's memory budget, for segs: given back when freed */
    cb_theme theme;
};

void cb_canvas_init(cb_canvas *c, cb_page *page, cb_font *font, const cb_template *t,
                    float ox, float oy);
void cb_canvas_free(cb_canvas *c);

/* ---- data sources: a sink feeding the dataset builder (data.h) */
/* Loads ds from a plugin source; errors name the source and place. */
int cb_plugins_load_dataset(const cb_source_type *src, const char *location,
                            const char *data_arg, cb_dataset *ds, cb_error *err);

#endif /* CB_PLUGINS_H */
