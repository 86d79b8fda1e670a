/*
 * plugin_int.h: what the files of the plugin host share, and nothing else includes:
 *
 *   plugins.c          loading a file (the safety checks, dlopen, the magic, init) and
 *                      the lookups of plugins.h
 *   plugin_registry.c  the registry: registrations, refusals, holds and unloading
 *   plugin_host.c      the host API table and its non-drawing calls (strings, warnings,
 *                      the data sink)
 *   plugin_probe.c     the probe child and the cache of plugins known good
 *   plugin_defer.c     data-source plugins accepted from the cache, loaded when needed
 *
 * Rules for all of them, said once here:
 * - State: one registry per process (cb__reg), because what it points into is dlopen'd,
 *   and dlopen is process-wide. Engines share it by holds (plugins.h); nothing here is
 *   per engine. Besides it, only the probe's child state and the probe cache live at file
 *   scope (plugin_probe.c says which is which). One thread uses it all.
 * - Ownership: the registry owns every array and string in it; a registration points at
 *   the plugin's own const struct (cb_block_type, cb_source_type), valid while its library
 *   is mapped, which is until cb_plugins_unload_all lets go of the last hold.
 * - Errors: a plugin is refused through cb__refuse only: the reason is recorded beside its
 *   real path (`countybrief plugins`, and messages about a missing block, show it) and
 *   returned as CB_EPLUGIN "PATH: reason". Reasons are plain sentences, at most
 *   CB__REASON_MAX bytes.
 * - Names: cb__ for what these files share, static for the rest.
 */
#ifndef CB_PLUGIN_INT_H
#define CB_PLUGIN_INT_H

#include "plugins.h"

#define CB__REASON_MAX 768

struct cb_plugin {
    char *path;
    void *handle;
    const cb_plugin_magic_info *info;
    int initialising;        /* registrations allowed only during init */
    char *conflict;          /* first duplicate name seen during init */
};

typedef struct block_entry { const cb_block_type *type; cb_plugin *owner; } block_entry;
typedef struct module_entry { char *name; lua_CFunction open; cb_plugin *owner; } module_entry;
typedef struct source_entry { const cb_source_type *type; cb_plugin *owner; } source_entry;
typedef struct refusal { char *path; char *reason; } refusal;

extern struct cb__registry {
    size_t holds;            /* cb_plugins_load_all calls not yet let go of (plugins.h) */
    cb_plugin **plugins;
    size_t nplugins;
    block_entry *blocks;
    size_t nblocks;
    module_entry *modules;
    size_t nmodules;
    source_entry *sources;
    size_t nsources;
    refusal *refused;
    size_t nrefused;
    char *summary;
    char *searched;          /* the folders scanned, for `countybrief plugins` */
    struct cb__deferred *deferred; /* accepted, not yet loaded (plugin_defer.c) */
    size_t ndeferred;
    char **order;            /* the accepted plugins' files (real paths), loaded or deferred,
                              * in the order they were accepted */
    size_t norder;
} cb__reg;

#define APPEND(arr, n, item)                                          \
    do {                                                              \
        (arr) = cb_xrealloc((arr), ((n) + 1) * sizeof *(arr));        \
        (arr)[(n)++] = (item);                                        \
    } while (0)

/* ---- plugin_registry.c */
/* 1 if s is a name a plugin may give itself or what it registers: letters, digits, '.',
 * '_' or '-'. */
int cb__valid_name(const char *s);
/* The loaded plugin whose file is key (a real path), or NULL. */
cb_plugin *cb__plugin_at(const char *key);
/* Drops every registration of p (a failed init, or unloading). */
void cb__unregister_all(cb_plugin *p);
/* The registration calls of the host API (plugin.h). */
int cb__register_block(cb_plugin *self, const cb_block_type *type);
int cb__register_lua_module(cb_plugin *self, const char *name, lua_CFunction open);
int cb__register_source(cb_plugin *self, const cb_source_type *type);
/* Records that path (a plugin file or folder) was refused for reason; a path refused
 * before keeps its first reason. */
void cb__record_refusal(const char *path, const char *reason);
/* Refuses the plugin at path: the reason is fmt with a and b (NULL: ""), recorded and put
 * in err; handle (if any) is closed. Returns CB_EPLUGIN. */
int cb__refuse(cb_error *err, const char *path, void *handle, const char *fmt, const char *a,
               const char *b);
/* The reason path was refused for, or NULL. */
const char *cb__refusal(const char *path);

/* ---- plugins.c */
/* Opens, checks and initialises the plugin file path (key: its real path) in this process,
 * adding it to the registry; CB_OK, or the plugin refused. */
int cb__load_here(const char *path, const char *key, cb_error *err);

/* ---- plugin_probe.c */
#define CB__PROBE_AHEAD 8 /* probe children run side by side, at most */
/* 1 in a probe child: a plugin is loaded there only to be judged. */
int cb__in_probe(void);
/* In a probe child, tells the parent what happens: 'W' a warning init printed, 'I' init
 * starts. Elsewhere does nothing. */
void cb__probe_tell(char kind, const char *text);
/* Runs key's plugin code first in a child (the one started ahead for it, or a new one):
 * CB_OK, or the plugin refused with what the child said or how it died. */
int cb__probe(const char *path, const char *key, cb_error *err);
/* Starts the probe of path ahead of its turn, unless its verdict is known or under way. */
void cb__probe_ahead(const char *path);
/* Stops the probes started ahead and not asked for (their files vanished meanwhile). */
void cb__probe_cancel_all(void);
/* The probe cache: whether key's file, as it is now, was probed good; remembering that it
 * was; the fields of the data sources recorded for it ("NAME\tSOURCE\tSCHEME\tEXT..."),
 * or NULL; recording them. Without a cache (COUNTYBRIEF_PROBE_CACHE=0, no home) it knows
 * nothing and keeps nothing. */
int cb__probe_known_good(const char *key);
void cb__probe_remember(const char *key);
const char *cb__probe_cached_sources(const char *key);
void cb__probe_remember_sources(const char *key, const char *fields);
void cb__probe_cache_free(void);

/* ---- plugin_defer.c */
/* Accepts key's file without loading it if the cache says it provides data sources only
 * and none of them clashes with what is accepted; 1 if so. */
int cb__defer(const char *path, const char *key);
/* 1 if key's file is accepted and deferred. */
int cb__deferred(const char *key);
/* Loads the deferred plugins for real, in their order; _for only if one of them reads
 * the --data argument arg. */
void cb__undefer_all(void);
void cb__undefer_for(const char *arg);
/* After p was loaded: records in the probe cache what it provides if that is data sources
 * only, so that a later run may defer it. */
void cb__remember_sources(const cb_plugin *p);
void cb__defer_free(void);

#endif /* CB_PLUGIN_INT_H */
