/* plugins.c: loading plugin files, and the lookups of plugins.h (the rules in plugin_int.h;
 * the ABI in countybrief/plugin.h). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <lauxlib.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "plugin_int.h"
#include "worker.h"

/* ------------------------------------------------------------------ loading one file */

/*
 * ssh's StrictModes for plugins, which run as whoever runs countybrief (root, often): a
 * plugin file and its folder must be owned by root or by this user, and they and every
 * folder above them writable by nobody else. Above the plugin's own folder, a folder with
 * the sticky bit (/tmp) may be world-writable (others can add entries there, not replace
 * ours), and its owner is not asked (a checkout owned by the developer, built by root in a
 * container).
 */

/* 1 if group-write on st gives nobody else write: its group is its owner's private group
 * (named as the owner, no other members: umask 002 on Fedora, and Ubuntu's pam_umask), as
 * Debian's ssh accepts. */
static int private_group(const struct stat *st)
{
    struct passwd *pw = getpwuid(st->st_uid);
    struct group *gr = getgrgid(st->st_gid);
    return pw && gr && pw->pw_gid == st->st_gid && strcmp(gr->gr_name, pw->pw_name) == 0 &&
           (!gr->gr_mem || !gr->gr_mem[0]);
}

/* 1 (reason in why) if st, named shown, breaks the rule above; above: a folder above the
 * plugin's own. */
static int unsafe_stat(const struct stat *st, const char *shown, const char *prefix, int above,
                       char *why, size_t n)
{
    uid_t me = geteuid();
    if (!above && st->st_uid != 0 && st->st_uid != me) {
        snprintf(why, n, "%sowned by another user (uid %u); run chown %u %s", prefix, (unsigned)st->st_uid,
                 (unsigned)me, shown);
        return 1;
    }
    mode_t others = (st->st_mode & S_IWOTH) | ((st->st_mode & S_IWGRP) && !private_group(st) ? S_IWGRP : 0);
    if (others && !(above && (st->st_mode & S_ISVTX))) {
        snprintf(why, n, "%swritable by others (mode 0%o); run chmod go-w %s", prefix,
                 (unsigned)(st->st_mode & 07777), shown);
        return 1;
    }
    return 0;
}

/* Checks the plugin file open at fd (named path by the user, key its real path) and the
 * folders above key. 0, or -1 with the reason in why. */
static int plugin_file_unsafe(int fd, const char *path, const char *key, char *why, size_t n)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, n, "not a regular file");
        return -1;
    }
    if (unsafe_stat(&st, path, "", 0, why, n)) return -1;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", key);
    for (int level = 0; key[0] == '/'; level++) {
        char *slash = strrchr(dir, '/');
        if (!slash) break;
        slash[slash == dir] = '\0'; /* "/a/b" -> "/a", "/a" -> "/" */
        char prefix[PATH_MAX + 16];
        snprintf(prefix, sizeof prefix, "its folder %s is ", dir);
        if (stat(dir, &st) == 0 && unsafe_stat(&st, dir, prefix, level > 0, why, n)) return -1;
        if (slash == dir) break;
    }
    return 0;
}

/* Opens the plugin file for reading as plugin_file_unsafe allows it: the descriptor, or -1
 * with the plugin refused. */
static int open_plugin(const char *path, const char *key, cb_error *err)
{
    int fd = open(key, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return cb__refuse(err, path, NULL, "cannot be opened (%s)%s", strerror(errno), NULL), -1;
    char why[CB__REASON_MAX];
    if (plugin_file_unsafe(fd, path, key, why, sizeof why) == 0) return fd;
    close(fd);
    cb__refuse(err, path, NULL, "%s%s", why, NULL);
    return -1;
}

/* 1 with what differs said in buf ("Lua 5.3 ..., but this countybrief has Lua 5.4 ...") when
 * the plugin's magic names a Lua other than the host's; 0 when it matches or, built with a
 * header older than those members, names none. */
static int lua_mismatch(const cb_plugin_magic_info *info, char *buf, size_t n)
{
    if (info->struct_size < offsetof(cb_plugin_magic_info, lua_integer_size) + sizeof(uint16_t))
        return 0;
    if (info->lua_version_num == LUA_VERSION_NUM && info->lua_number_size == sizeof(lua_Number) &&
        info->lua_integer_size == sizeof(lua_Integer))
        return 0;
    if (info->lua_version_num == 0) {
        snprintf(buf, n, "no Lua: its magic, written by hand, lacks CB_PLUGIN_LUA_ABI");
        return 1;
    }
    snprintf(buf, n, "Lua %u.%u with %u-byte numbers and %u-byte integers, but this countybrief has "
             "Lua %d.%d with %zu-byte numbers and %zu-byte integers",
             (unsigned)info->lua_version_num / 100, (unsigned)info->lua_version_num % 100,
             (unsigned)info->lua_number_size, (unsigned)info->lua_integer_size, LUA_VERSION_NUM / 100,
             LUA_VERSION_NUM % 100, sizeof(lua_Number), sizeof(lua_Integer));
    return 1;
}

/* Opens, checks and initialises the plugin file path (key: its real path) in this process.
 * dlopen maps key after the check. In between, only the owners of the file and the folders
 * above it could replace it: this user or root for the plugin and its own folder, and the
 * owners of the folders further up, which are not asked (see above) and so are trusted as
 * for any program they hold. (Loading
 * through /proc/self/fd/N of the checked descriptor would not do: glibc takes a second
 * file at a reused N for the library already loaded under that name.) */
int cb__load_here(const char *path, const char *key, cb_error *err)
{
    int fd = open_plugin(path, key, err);
    if (fd < 0) return CB_EPLUGIN;
    close(fd);
    dlerror();
    void *h = dlopen(key, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return cb__refuse(err, path, NULL, "not a loadable shared object (%s)%s", why ? why : "?", NULL);
    }
    typedef const cb_plugin_magic_info *(*magic_fn)(void);
    magic_fn magic = (magic_fn)dlsym(h, "cb_plugin_magic");
    if (!magic)
        return cb__refuse(err, path, h, "no cb_plugin_magic symbol: not a countybrief plugin (declare it "
                           "with CB_PLUGIN_MAGIC)%s%s", NULL, NULL);
    const cb_plugin_magic_info *info = magic();
    char abi[192];
    if (!info || info->struct_size < offsetof(cb_plugin_magic_info, description) + sizeof(char *))
        return cb__refuse(err, path, h, "cb_plugin_magic returned no valid description%s%s", NULL, NULL);
    if (info->abi_major != CB_PLUGIN_ABI_MAJOR) {
        snprintf(abi, sizeof abi, "%u.%u, but this countybrief has plugin ABI %d.%d",
                 info->abi_major, info->abi_minor, CB_PLUGIN_ABI_MAJOR, CB_PLUGIN_ABI_MINOR);
        return cb__refuse(err, path, h, "plugin '%s' was built for plugin ABI %s (the major version "
                           "differs: rebuild it against this countybrief's plugin.h)",
                           info->name ? info->name : "?", abi);
    }
    if (info->abi_minor > CB_PLUGIN_ABI_MINOR) {
        snprintf(abi, sizeof abi, "%u.%u, newer than this countybrief's plugin ABI %d.%d",
                 info->abi_major, info->abi_minor, CB_PLUGIN_ABI_MAJOR, CB_PLUGIN_ABI_MINOR);
        return cb__refuse(err, path, h, "plugin '%s' was built for plugin ABI %s (upgrade countybrief)",
                           info->name ? info->name : "?", abi);
    }
    if (lua_mismatch(info, abi, sizeof abi))
        return cb__refuse(err, path, h, "plugin '%s' was built against %s (rebuild it against the Lua "
                           "headers of this countybrief)", info->name ? info->name : "?", abi);
    if (!cb__valid_name(info->name) || !info->version)
        return cb__refuse(err, path, h, "the plugin's name must be letters, digits, '.', '_' or '-' and it "
                           "needs a version%s%s", NULL, NULL);
    for (size_t i = 0; i < cb__reg.nplugins; i++)
        if (strcmp(cb__reg.plugins[i]->info->name, info->name) == 0)
            return cb__refuse(err, path, h, "a plugin named '%s' is already loaded from %s", info->name,
                               cb__reg.plugins[i]->path);
    typedef int (*init_fn)(cb_plugin *, const cb_host_api *, char **);
    init_fn init = (init_fn)dlsym(h, "cb_plugin_init");
    if (!init) return cb__refuse(err, path, h, "no cb_plugin_init symbol%s%s", NULL, NULL);

    cb_plugin *p = cb_xcalloc(1, sizeof *p);
    p->path = cb_xstrdup(key);
    p->handle = h;
    p->info = info;
    p->initialising = 1;
    char *perr = NULL;
    cb__probe_tell('I', ""); /* a crash from here on is init's */
    int rc = init(p, cb_host_api_get(), &perr);
    p->initialising = 0;
    if (rc != CB_OK || p->conflict) {
        char reason[640];
        if (p->conflict) snprintf(reason, sizeof reason, "%s", p->conflict);
        else if (perr) snprintf(reason, sizeof reason, "init failed: %s", perr);
        else snprintf(reason, sizeof reason, "init failed with code %d (no message)", rc);
        free(perr);
        cb__unregister_all(p);
        free(p->conflict);
        free(p->path);
        free(p);
        return cb__refuse(err, path, h, "plugin '%s': %s", info->name, reason);
    }
    free(perr);
    APPEND(cb__reg.plugins, cb__reg.nplugins, p);
    return CB_OK;
}

int cb_plugins_load(const char *path, cb_error *err)
{
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    if (cb__plugin_at(key) || cb__deferred(key)) return CB_OK;
    const char *refused = cb__refusal(key); /* refused once: the same verdict, no second try */
    if (refused) return cb_fail(err, CB_EPLUGIN, "%s: %s", path, refused);
    if (!cb_is_file(path)) return cb__refuse(err, path, NULL, "no such plugin file%s%s", NULL, NULL);
    int fd = open_plugin(path, key, err); /* the modes, before a probe runs any of its code */
    if (fd < 0) return CB_EPLUGIN;
    close(fd);
    int rc = CB_OK;
    int known = cb__in_probe() || cb__probe_known_good(key); /* never nested */
    if (!known) {
        rc = cb__probe(path, key, err);
        if (rc == CB_OK) cb__probe_remember(key);
    }
    if (rc != CB_OK) return rc;
    if (known && !cb__in_probe() && cb__defer(path, key)) return CB_OK;
    cb__undefer_all(); /* clashes as if they had been loaded */
    rc = cb__load_here(path, key, err);
    if (rc == CB_OK && !cb__in_probe()) {
        APPEND(cb__reg.order, cb__reg.norder, cb_xstrdup(key));
        cb__remember_sources(cb__reg.plugins[cb__reg.nplugins - 1]);
    }
    return rc;
}

static int so_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* 1 if a folder's refusal is to be told: unless quiet, or a second engine's scan of the
 * same folders meets a refusal recorded before it (the first one's scan told it). */
static int tell(int quiet, size_t nrefused_before)
{
    return !quiet && (cb__reg.holds <= 1 || cb__reg.nrefused > nrefused_before);
}

void cb_plugins_load_dir(const char *dir, int quiet)
{
    struct stat st;
    char why[PATH_MAX + 128];
    size_t nrefused = cb__reg.nrefused;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && unsafe_stat(&st, dir, "", 0, why, sizeof why)) {
        cb__record_refusal(dir, why); /* any of its files could be anyone's: none is loaded */
        if (tell(quiet, nrefused))
            fprintf(stderr, "countybrief: warning: plugin folder refused: %s: %s\n", dir, why);
        return;
    }
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] != '.' && len > 3 && strcmp(de->d_name + len - 3, ".so") == 0)
            APPEND(names, n, cb_xstrdup(de->d_name));
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, so_cmp);
    char **paths = cb_xmalloc((n ? n : 1) * sizeof *paths);
    for (size_t i = 0; i < n; i++) {
        paths[i] = cb_path_join(dir, names[i]);
        free(names[i]);
    }
    for (size_t i = 0, ahead = 0; i < n; i++) {
        for (; ahead < n && ahead < i + CB__PROBE_AHEAD; ahead++) cb__probe_ahead(paths[ahead]);
        cb_error err;
        nrefused = cb__reg.nrefused;
        if (cb_plugins_load(paths[i], &err) != CB_OK && tell(quiet, nrefused))
            fprintf(stderr, "countybrief: warning: plugin refused: %s\n", err.msg);
    }
    cb__probe_cancel_all();
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    free(names);
}

int cb_plugins_load_all(const char *const *files, size_t nfiles, int quiet, cb_error *err)
{
    cb__reg.holds++; /* whatever it returns: cb_plugins_unload_all lets go */
    const char *fixed = getenv("COUNTYBRIEF_PLUGIN_DIR");
    const char *dir0 = fixed ? fixed : cb_plugin_dir();
    cb_buf searched = {0};
    if (*dir0) {
        cb_plugins_load_dir(dir0, quiet);
        cb_buf_adds(&searched, dir0);
    }
    const char *more = getenv("COUNTYBRIEF_PLUGIN_PATH");
    if (more && *more) {
        char *copy = cb_xstrdup(more), *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
            cb_plugins_load_dir(dir, quiet);
            cb_buf_addf(&searched, "%s%s", searched.len ? ", " : "", dir);
        }
        free(copy);
    }
    free(cb__reg.searched);
    cb__reg.searched = searched.s;
    for (size_t i = 0; i < nfiles; i++) {
        int rc = cb_plugins_load(files[i], err);
        if (rc != CB_OK) return rc;
    }
    return CB_OK;
}

/* ------------------------------------------------------------------ lookups */

const cb_block_type *cb_plugins_block(const char *name, const char **owner)
{
    for (size_t i = 0; i < cb__reg.nblocks; i++)
        if (strcmp(cb__reg.blocks[i].type->name, name) == 0) {
            if (owner) *owner = cb__reg.blocks[i].owner->info->name;
            return cb__reg.blocks[i].type;
        }
    return NULL;
}

static const module_entry *find_module(const char *name)
{
    for (size_t i = 0; i < cb__reg.nmodules; i++)
        if (strcmp(cb__reg.modules[i].name, name) == 0) return &cb__reg.modules[i];
    return NULL;
}

/* A plugin's Lua function, called through a closure that marks it (worker.h) for the death
 * message of a worker it crashes. The function is called in place, on the closure's own
 * frame, so its argument errors still name it; it must have no upvalues. (An error it
 * raises leaves the mark set until the next mark or job: a later crash outside plugins in
 * that county may then be blamed on it.) */
static int module_fn(lua_State *L)
{
    lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(1));
    cb_worker_mark(CB_MARK_MODULE, lua_touserdata(L, lua_upvalueindex(2)), lua_tostring(L, lua_upvalueindex(3)));
    int n = f(L);
    cb_worker_mark(CB_MARK_NONE, NULL, NULL);
    return n;
}

/* require of a plugin's module (lua_chunks.c pushes its name): its open function, marked,
 * then each C function of the table it returns wrapped in module_fn. */
static int module_open(lua_State *L)
{
    const module_entry *m = find_module(luaL_checkstring(L, 1));
    if (!m) return luaL_error(L, "no plugin provides module '%s'", lua_tostring(L, 1));
    cb_worker_mark(CB_MARK_MODULE, m, NULL);
    int n = m->open(L);
    cb_worker_mark(CB_MARK_NONE, NULL, NULL);
    if (n < 1 || !lua_istable(L, -n)) return n;
    lua_settop(L, lua_gettop(L) - n + 1); /* the module table only */
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        int wrap = 0;
        if (lua_type(L, -2) == LUA_TSTRING && lua_tocfunction(L, -1)) {
            if (lua_getupvalue(L, -1, 1)) lua_pop(L, 1);
            else wrap = 1;
        }
        if (!wrap) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushlightuserdata(L, (void *)m);
        lua_pushvalue(L, -3);
        lua_pushcclosure(L, module_fn, 3); /* the function, the module, its name */
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4); /* an existing key: the traversal may go on */
    }
    return 1;
}

lua_CFunction cb_plugins_module(const char *name)
{
    return find_module(name) ? module_open : NULL;
}

int cb_plugins_describe(int kind, const void *what, const char *fn, char *buf, size_t n)
{
    for (size_t i = 0; kind == CB_MARK_BLOCK && i < cb__reg.nblocks; i++)
        if (cb__reg.blocks[i].type == what) {
            snprintf(buf, n, "in block %s of plugin %s", cb__reg.blocks[i].type->name, cb__reg.blocks[i].owner->info->name);
            return 1;
        }
    for (size_t i = 0; kind == CB_MARK_MODULE && i < cb__reg.nmodules; i++)
        if (&cb__reg.modules[i] == what) {
            if (fn) snprintf(buf, n, "in function %s.%s of plugin %s", cb__reg.modules[i].name, fn, cb__reg.modules[i].owner->info->name);
            else snprintf(buf, n, "opening Lua module %s of plugin %s", cb__reg.modules[i].name, cb__reg.modules[i].owner->info->name);
            return 1;
        }
    return 0;
}

const cb_source_type *cb_plugins_source(const char *arg, const char **location)
{
    cb__undefer_for(arg);
    const char *colon = strchr(arg, ':');
    for (size_t i = 0; i < cb__reg.nsources && colon; i++) {
        const char *s = cb__reg.sources[i].type->scheme;
        if (s && strlen(s) == (size_t)(colon - arg) && strncmp(arg, s, (size_t)(colon - arg)) == 0) {
            *location = colon + 1;
            return cb__reg.sources[i].type;
        }
    }
    size_t len = strlen(arg);
    for (size_t i = 0; i < cb__reg.nsources; i++) {
        const char *ext = cb__reg.sources[i].type->extension;
        size_t el = ext ? strlen(ext) : 0;
        if (el && len > el && strcasecmp(arg + len - el, ext) == 0) {
            *location = arg;
            return cb__reg.sources[i].type;
        }
    }
    return NULL;
}

/* Appends the sources' extensions (field 0) or schemes (1) as "A, B and C", each between
 * pre and post; returns how many. */
static size_t join_sources(cb_buf *b, int scheme, const char *pre, const char *post, const char *last)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < cb__reg.nsources; i++)
        n += (scheme ? cb__reg.sources[i].type->scheme : cb__reg.sources[i].type->extension) != NULL;
    for (size_t i = 0; i < cb__reg.nsources; i++) {
        const char *v = scheme ? cb__reg.sources[i].type->scheme : cb__reg.sources[i].type->extension;
        if (v) cb_buf_addf(b, "%s%s%s", !k ? pre : ++k == n ? last : ", ", v, post);
        k += !k;
    }
    return n;
}

char *cb_plugins_source_formats(void)
{
    cb__undefer_all();
    cb_buf b = {0};
    cb_buf_adds(&b, "a folder of CSV files");
    if (join_sources(&b, 0, ", ", "", " and ")) cb_buf_adds(&b, " files");
    join_sources(&b, 1, ", and a file of any name as ", ":FILE", " or ");
    return b.s;
}

size_t cb_plugins_count(void) { return cb__reg.norder; }
const char *cb_plugins_path(size_t i) { return i < cb__reg.norder ? cb__reg.order[i] : NULL; }

void cb_plugins_print(FILE *out)
{
    cb__undefer_all();
    if (!cb__reg.nplugins)
        fprintf(out, "no plugins loaded (searched: %s)\n", cb__reg.searched ? cb__reg.searched : "no folder");
    for (size_t o = 0; o < cb__reg.norder; o++) { /* in the order they were accepted */
        const cb_plugin *p = cb__plugin_at(cb__reg.order[o]);
        if (!p) continue;
        fprintf(out, "%s %s  (ABI %u.%u)  %s\n", p->info->name, p->info->version, p->info->abi_major,
                p->info->abi_minor, p->path);
        if (p->info->description) fprintf(out, "    %s\n", p->info->description);
        for (size_t k = 0; k < cb__reg.nblocks; k++)
            if (cb__reg.blocks[k].owner == p) fprintf(out, "    block   %s\n", cb__reg.blocks[k].type->name);
        for (size_t k = 0; k < cb__reg.nmodules; k++)
            if (cb__reg.modules[k].owner == p) fprintf(out, "    module  %s\n", cb__reg.modules[k].name);
        for (size_t k = 0; k < cb__reg.nsources; k++)
            if (cb__reg.sources[k].owner == p) {
                const cb_source_type *s = cb__reg.sources[k].type;
                fprintf(out, "    source  %s  (--data %s%s%s%s%s)\n", s->name, s->scheme ? s->scheme : "",
                        s->scheme ? ":PATH" : "", s->scheme && s->extension ? " or --data FILE" : "",
                        !s->scheme && s->extension ? "FILE" : "", s->extension ? s->extension : "");
            }
    }
    for (size_t i = 0; i < cb__reg.nrefused; i++)
        fprintf(out, "refused %s: %s\n", cb__reg.refused[i].path, cb__reg.refused[i].reason);
}
