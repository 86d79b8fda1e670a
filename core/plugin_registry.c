/* plugin_registry.c: the registry of plugins, what they registered and what was refused,
 * held by the engines that loaded it (plugins.h; the rules in plugin_int.h). */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocks.h"
#include "plugin_int.h"

struct cb__registry cb__reg;

/* ------------------------------------------------------------------ registrations */

cb_plugin *cb__plugin_at(const char *key)
{
    for (size_t i = 0; i < cb__reg.nplugins; i++)
        if (strcmp(cb__reg.plugins[i]->path, key) == 0) return cb__reg.plugins[i];
    return NULL;
}

void cb__unregister_all(cb_plugin *p)
{
    size_t k = 0;
    for (size_t i = 0; i < cb__reg.nblocks; i++)
        if (cb__reg.blocks[i].owner != p) cb__reg.blocks[k++] = cb__reg.blocks[i];
    cb__reg.nblocks = k;
    k = 0;
    for (size_t i = 0; i < cb__reg.nmodules; i++) {
        if (cb__reg.modules[i].owner != p) cb__reg.modules[k++] = cb__reg.modules[i];
        else free(cb__reg.modules[i].name);
    }
    cb__reg.nmodules = k;
    k = 0;
    for (size_t i = 0; i < cb__reg.nsources; i++)
        if (cb__reg.sources[i].owner != p) cb__reg.sources[k++] = cb__reg.sources[i];
    cb__reg.nsources = k;
}

static void note_conflict(cb_plugin *self, const char *what, const char *name, const cb_plugin *owner)
{
    if (self->conflict) return;
    self->conflict = cb_xasprintf("%s '%s' is already registered by plugin '%s' (%s)", what, name,
                                  owner->info->name, owner->path);
}

int cb__valid_name(const char *s)
{
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!(*s == '.' || *s == '_' || *s == '-' || (*s >= '0' && *s <= '9') ||
              (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

int cb__register_block(cb_plugin *self, const cb_block_type *type)
{
    if (!self || !self->initialising || !type) return CB_EUSAGE;
    if (type->version < 1 || !cb__valid_name(type->name) || !type->create || !type->measure || !type->draw) {
        if (!self->conflict)
            self->conflict = cb_xasprintf("block type '%s' is incomplete (needs version, a name of "
                                          "letters, digits, '.', '_' or '-', create, measure, draw)",
                                          type->name ? type->name : "(null)");
        return CB_EUSAGE;
    }
    if (cb_builtin_named(type->name) || cb_shorthand_named(type->name)) { /* doc:add(name) would never reach it */
        if (!self->conflict)
            self->conflict = cb_xasprintf("block '%s' is the name of a built-in block (doc:%s)", type->name,
                                          type->name);
        return CB_EEXIST;
    }
    for (size_t i = 0; i < cb__reg.nblocks; i++)
        if (strcmp(cb__reg.blocks[i].type->name, type->name) == 0) {
            note_conflict(self, "block", type->name, cb__reg.blocks[i].owner);
            return CB_EEXIST;
        }
    APPEND(cb__reg.blocks, cb__reg.nblocks, ((block_entry){type, self}));
    return CB_OK;
}

/* Records why a registration was refused; the plugin is then refused with that reason. */
static int bad_registration(cb_plugin *self, const char *what)
{
    if (self && !self->conflict) self->conflict = cb_xstrdup(what);
    return CB_EUSAGE;
}

int cb__register_lua_module(cb_plugin *self, const char *name, lua_CFunction open)
{
    if (!self || !self->initialising) return CB_EUSAGE;
    if (!cb__valid_name(name) || !open) {
        char what[256];
        snprintf(what, sizeof what, "Lua module '%s' has an invalid name (letters, digits, '.', '_' "
                 "or '-') or no open function", name ? name : "(null)");
        return bad_registration(self, what);
    }
    for (size_t i = 0; i < cb__reg.nmodules; i++)
        if (strcmp(cb__reg.modules[i].name, name) == 0) {
            note_conflict(self, "Lua module", name, cb__reg.modules[i].owner);
            return CB_EEXIST;
        }
    APPEND(cb__reg.modules, cb__reg.nmodules, ((module_entry){cb_xstrdup(name), open, self}));
    return CB_OK;
}

int cb__register_source(cb_plugin *self, const cb_source_type *type)
{
    if (!self || !self->initialising || !type) return CB_EUSAGE;
    if (type->version < 1 || !cb__valid_name(type->name) || !type->load ||
        (!type->scheme && !type->extension)) {
        char what[256];
        snprintf(what, sizeof what, "data source '%s' is incomplete (needs version, a name of "
                 "letters, digits, '.', '_' or '-', load, and a scheme or an extension)",
                 type->name ? type->name : "(null)");
        return bad_registration(self, what);
    }
    for (size_t i = 0; i < cb__reg.nsources; i++) {
        const cb_source_type *o = cb__reg.sources[i].type;
        /* named by what clashes: the name, else the scheme, else the extension */
        const char *what = NULL, *name = NULL;
        if (strcmp(o->name, type->name) == 0) what = "data source", name = type->name;
        else if (o->scheme && type->scheme && strcmp(o->scheme, type->scheme) == 0)
            what = "data source scheme", name = type->scheme;
        else if (o->extension && type->extension && strcasecmp(o->extension, type->extension) == 0)
            what = "data source extension", name = type->extension;
        if (what) {
            note_conflict(self, what, name, cb__reg.sources[i].owner);
            return CB_EEXIST;
        }
    }
    APPEND(cb__reg.sources, cb__reg.nsources, ((source_entry){type, self}));
    return CB_OK;
}

/* ------------------------------------------------------------------ refusals */

void cb__record_refusal(const char *path, const char *reason)
{
    char real[PATH_MAX];
    if (realpath(path, real)) path = real; /* ./x.so and /abs/x.so are one file */
    if (cb__refusal(path)) return;
    APPEND(cb__reg.refused, cb__reg.nrefused, ((refusal){cb_xstrdup(path), cb_xstrdup(reason)}));
    free(cb__reg.summary);
    cb__reg.summary = NULL;
}

const char *cb__refusal(const char *path)
{
    for (size_t i = 0; i < cb__reg.nrefused; i++)
        if (strcmp(cb__reg.refused[i].path, path) == 0) return cb__reg.refused[i].reason;
    return NULL;
}

int cb__refuse(cb_error *err, const char *path, void *handle, const char *fmt, const char *a,
               const char *b)
{
    char reason[CB__REASON_MAX];
    snprintf(reason, sizeof reason, fmt, a ? a : "", b ? b : "");
    cb__record_refusal(path, reason);
    if (handle) dlclose(handle);
    return cb_fail(err, CB_EPLUGIN, "%s: %s", path, reason);
}

const char *cb_plugins_refusal_summary(void)
{
    if (!cb__reg.nrefused) return "";
    if (!cb__reg.summary) {
        cb_buf b = {0};
        cb_buf_adds(&b, "; refused plugins: ");
        for (size_t i = 0; i < cb__reg.nrefused; i++)
            cb_buf_addf(&b, "%s%s (%s)", i ? ", " : "", cb__reg.refused[i].path, cb__reg.refused[i].reason);
        cb__reg.summary = b.s;
    }
    return cb__reg.summary;
}

/* ------------------------------------------------------------------ unloading */

void cb_plugins_unload_all(void)
{
    if (cb__reg.holds > 1) { /* another engine still uses what is loaded */
        cb__reg.holds--;
        return;
    }
    for (size_t i = cb__reg.nplugins; i-- > 0;) {
        cb_plugin *p = cb__reg.plugins[i];
        cb__unregister_all(p);
        dlclose(p->handle);
        free(p->path);
        free(p);
    }
    free(cb__reg.plugins);
    free(cb__reg.blocks);
    free(cb__reg.modules);
    free(cb__reg.sources);
    for (size_t i = 0; i < cb__reg.nrefused; i++) {
        free(cb__reg.refused[i].path);
        free(cb__reg.refused[i].reason);
    }
    free(cb__reg.refused);
    free(cb__reg.summary);
    free(cb__reg.searched);
    cb__defer_free();
    for (size_t i = 0; i < cb__reg.norder; i++) free(cb__reg.order[i]);
    free(cb__reg.order);
    cb__probe_cache_free();
    memset(&cb__reg, 0, sizeof cb__reg);
}
