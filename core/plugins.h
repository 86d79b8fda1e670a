/*
 * plugins.h: the host side of countybrief/plugin.h: loading plugins, the registry of what
 * they provide, and the host API table (its drawing calls are canvas.h's).
 *
 * One registry per process, as a dlopen'd library is mapped once for the whole process, and
 * the engines of a process share it by holds: each cb_plugins_load_all takes one (whatever
 * it returns) and each cb_plugins_unload_all gives one back; only the last unloads the
 * plugins and forgets the refusals. So closing an engine never takes a block, a Lua module
 * or a data source from another engine still open; a second engine's load finds what the
 * first loaded (nothing is loaded twice, no name clashes with itself), sees every plugin
 * any engine named, and does not repeat a warning the first printed. Call them in pairs,
 * from one thread.
 *
 * A plugin is accepted or refused whole: its magic is checked before any of its code runs,
 * and a failed init (or a name another plugin already holds) undoes its registrations and
 * closes the library. Refusals are kept with their reason so `countybrief plugins` and a
 * report that misses a block can say why.
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
/* Gives back one hold of cb_plugins_load_all; the last (or one without any) unloads all. */
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

/* Words for a worker's mark (worker.h: cb_worker_mark), "in block chart.pie of plugin charts",
 * into buf; 0 when the mark names nothing registered. */
int cb_plugins_describe(int kind, const void *what, const char *fn, char *buf, size_t n);

/* ---- data sources: a sink feeding the dataset builder (data.h) */
/* Loads ds from a plugin source; errors name the source and place. */
int cb_plugins_load_dataset(const cb_source_type *src, const char *location,
                            const char *data_arg, cb_dataset *ds, cb_error *err);

#endif /* CB_PLUGINS_H */
