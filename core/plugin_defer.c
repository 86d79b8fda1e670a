/* plugin_defer.c: plugins that only read data, loaded when --data needs them (plugins.h;
 * the rules in plugin_int.h).
 *
 * A plugin whose init registered data sources and nothing else (no block, no Lua module) is
 * needed only when --data names what one of its sources reads. Once such a plugin was
 * loaded, the probe cache records, beside its file's identity, its name and its sources'
 * names, schemes and extensions ("S\tID\tNAME\tSOURCE\tSCHEME\tEXT..."). A later run
 * whose file has that identity (probed good, unchanged) accepts it without mapping it (its
 * libraries are most of a run's start-up: libzip brings libcrypto and its 21,000
 * relocations) and loads it when a lookup needs one of its sources. It counts among the
 * plugins all the same, in its place (cb_plugins_count and cb_plugins_path: the batch's
 * input hash). A plugin loaded for real after deferred ones has them loaded first, so that
 * names and sources clash exactly as they would have. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugin_int.h"

typedef struct cb__deferred {
    char *path, *key;
    char *line; /* its cache line: the fields below point into it */
    const char *name;
    size_t nsrcs;
    const char *srcs[16][3]; /* name, scheme, extension ("" for none) */
} deferred;

/* 1 if two sources clash (the same name, scheme or extension), as cb__register_source
 * refuses them. */
static int sources_clash(const char *n1, const char *s1, const char *e1, const char *n2, const char *s2,
                         const char *e2)
{
    return strcmp(n1, n2) == 0 || (*s1 && strcmp(s1, s2) == 0) || (*e1 && strcasecmp(e1, e2) == 0);
}

int cb__defer(const char *path, const char *key)
{
    const char *rec = cb__probe_cached_sources(key);
    if (!rec) return 0;
    deferred d = {0};
    d.line = cb_xstrdup(rec);
    char *f[1 + 3 * 16];
    size_t nf = 0;
    for (char *t = d.line, *tab; t && nf < sizeof f / sizeof *f; t = tab ? tab + 1 : NULL) {
        tab = strchr(t, '\t');
        if (tab) *tab = '\0';
        f[nf++] = t;
    }
    int ok = nf >= 4 && (nf - 1) % 3 == 0 && cb__valid_name(f[0]);
    d.name = f[0];
    d.nsrcs = ok ? (nf - 1) / 3 : 0;
    for (size_t i = 0; i < d.nsrcs; i++)
        for (int k = 0; k < 3; k++) d.srcs[i][k] = f[1 + 3 * i + (size_t)k];
    for (size_t i = 0; ok && i < cb__reg.nplugins; i++)
        ok = strcmp(cb__reg.plugins[i]->info->name, d.name) != 0;
    for (size_t i = 0; ok && i < cb__reg.nsources; i++) {
        const cb_source_type *t = cb__reg.sources[i].type;
        for (size_t k = 0; ok && k < d.nsrcs; k++)
            ok = !sources_clash(d.srcs[k][0], d.srcs[k][1], d.srcs[k][2], t->name, t->scheme ? t->scheme : "",
                                t->extension ? t->extension : "");
    }
    for (size_t i = 0; ok && i < cb__reg.ndeferred; i++) {
        const deferred *o = &cb__reg.deferred[i];
        ok = strcmp(o->name, d.name) != 0;
        for (size_t a = 0; ok && a < d.nsrcs; a++)
            for (size_t b = 0; ok && b < o->nsrcs; b++)
                ok = !sources_clash(d.srcs[a][0], d.srcs[a][1], d.srcs[a][2], o->srcs[b][0], o->srcs[b][1],
                                    o->srcs[b][2]);
    }
    if (!ok) {
        free(d.line);
        return 0;
    }
    d.path = cb_xstrdup(path);
    d.key = cb_xstrdup(key);
    APPEND(cb__reg.deferred, cb__reg.ndeferred, d);
    APPEND(cb__reg.order, cb__reg.norder, cb_xstrdup(key));
    return 1;
}

void cb__remember_sources(const cb_plugin *p)
{
    for (size_t i = 0; i < cb__reg.nblocks; i++)
        if (cb__reg.blocks[i].owner == p) return;
    for (size_t i = 0; i < cb__reg.nmodules; i++)
        if (cb__reg.modules[i].owner == p) return;
    size_t n = 0;
    cb_buf b = {0};
    cb_buf_adds(&b, p->info->name);
    for (size_t i = 0; i < cb__reg.nsources; i++) {
        const cb_source_type *t = cb__reg.sources[i].type;
        if (cb__reg.sources[i].owner != p) continue;
        const char *v[3] = {t->name, t->scheme ? t->scheme : "", t->extension ? t->extension : ""};
        for (int k = 0; k < 3; k++) {
            if (strpbrk(v[k], "\t\n")) n = 99; /* not kept */
            cb_buf_addf(&b, "\t%s", v[k]);
        }
        n++;
    }
    if (n >= 1 && n <= 16) cb__probe_remember_sources(p->path, b.s);
    cb_buf_free(&b);
}

/* Loads deferred plugin i for real; a refusal is recorded as any (the file changed). */
static void undefer(size_t i)
{
    deferred d = cb__reg.deferred[i];
    memmove(&cb__reg.deferred[i], &cb__reg.deferred[i + 1],
            (cb__reg.ndeferred - i - 1) * sizeof *cb__reg.deferred);
    cb__reg.ndeferred--;
    cb_error err;
    if (cb__load_here(d.path, d.key, &err) != CB_OK) {
        for (size_t k = 0; k < cb__reg.norder; k++)
            if (strcmp(cb__reg.order[k], d.key) == 0) {
                free(cb__reg.order[k]);
                memmove(&cb__reg.order[k], &cb__reg.order[k + 1],
                        (cb__reg.norder - k - 1) * sizeof *cb__reg.order);
                cb__reg.norder--;
                break;
            }
    }
    free(d.path);
    free(d.key);
    free(d.line);
}

void cb__undefer_all(void)
{
    while (cb__reg.ndeferred) undefer(0);
}

int cb__deferred(const char *key)
{
    for (size_t i = 0; i < cb__reg.ndeferred; i++)
        if (strcmp(cb__reg.deferred[i].key, key) == 0) return 1;
    return 0;
}

/* 1 if source (name, scheme, extension) reads --data arg, as cb_plugins_source matches. */
static int source_reads(const char *scheme, const char *ext, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t len = strlen(arg), el = ext ? strlen(ext) : 0;
    if (colon && scheme && *scheme && strlen(scheme) == (size_t)(colon - arg) &&
        strncmp(arg, scheme, (size_t)(colon - arg)) == 0)
        return 1;
    return el && len > el && strcasecmp(arg + len - el, ext) == 0;
}

void cb__undefer_for(const char *arg)
{
    for (size_t i = 0; i < cb__reg.ndeferred; i++)
        for (size_t k = 0; k < cb__reg.deferred[i].nsrcs; k++)
            if (source_reads(cb__reg.deferred[i].srcs[k][1], cb__reg.deferred[i].srcs[k][2], arg)) {
                cb__undefer_all(); /* in their order: as if loaded all along */
                return;
            }
}

void cb__defer_free(void)
{
    for (size_t i = 0; i < cb__reg.ndeferred; i++) {
        free(cb__reg.deferred[i].path);
        free(cb__reg.deferred[i].key);
        free(cb__reg.deferred[i].line);
    }
    free(cb__reg.deferred);
}
