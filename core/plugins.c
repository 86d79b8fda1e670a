/* plugins.c: see plugins.h and countybrief/plugin.h. */
#define _GNU_SOURCE /* pipe2 */
#include "plugins.h"

#include <dirent.h>
#include <dlfcn.h>
#include <grp.h>
#include <pwd.h>
#include <errno.h>
#include <lauxlib.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "canvas.h"
#include "countybrief/countybrief.h"
#include "child.h"
#include "numfmt.h"
#include "output.h"
#include "paths.h"
#include "pool.h"

/* ------------------------------------------------------------------ registry */

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

static struct {
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
    struct deferred *deferred; /* accepted, not yet loaded (see "deferred" below) */
    size_t ndeferred;
    char **order;            /* the accepted plugins' files (real paths), loaded or deferred,
                              * in the order they were accepted */
    size_t norder;
} reg;

#define APPEND(arr, n, item)                                          \
    do {                                                              \
        (arr) = cb_xrealloc((arr), ((n) + 1) * sizeof *(arr));        \
        (arr)[(n)++] = (item);                                        \
    } while (0)

/* Drops every registration of p (a failed init, or unloading). */
static void unregister_all(cb_plugin *p)
{
    size_t k = 0;
    for (size_t i = 0; i < reg.nblocks; i++)
        if (reg.blocks[i].owner != p) reg.blocks[k++] = reg.blocks[i];
    reg.nblocks = k;
    k = 0;
    for (size_t i = 0; i < reg.nmodules; i++) {
        if (reg.modules[i].owner != p) reg.modules[k++] = reg.modules[i];
        else free(reg.modules[i].name);
    }
    reg.nmodules = k;
    k = 0;
    for (size_t i = 0; i < reg.nsources; i++)
        if (reg.sources[i].owner != p) reg.sources[k++] = reg.sources[i];
    reg.nsources = k;
}

static void note_conflict(cb_plugin *self, const char *what, const char *name, const cb_plugin *owner)
{
    if (self->conflict) return;
    self->conflict = cb_xasprintf("%s '%s' is already registered by plugin '%s' (%s)", what, name,
                                  owner->info->name, owner->path);
}

/* ------------------------------------------------------------------ host API: registration */

static char *host_strdup(const char *s) { return s ? cb_xstrdup(s) : NULL; }
static void host_free(void *p) { free(p); }

static void probe_send(char kind, int rc, const char *text);
static int probe_fd = -1; /* in a probe child (see probe()): where its report goes */

static void host_warn(cb_plugin *self, const char *message)
{
    char *line = cb_clean_asprintf("countybrief: warning: plugin %s: %s",
                              self && self->info ? self->info->name : "?", message ? message : "");
    if (probe_fd >= 0) probe_send('W', 0, line); /* the parent prints it if it refuses the plugin */
    else fprintf(stderr, "%s\n", line);
    free(line);
}

static int valid_name(const char *s)
{
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!(*s == '.' || *s == '_' || *s == '-' || (*s >= '0' && *s <= '9') ||
              (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

static int host_register_block(cb_plugin *self, const cb_block_type *type)
{
    if (!self || !self->initialising || !type) return CB_EUSAGE;
    if (type->version < 1 || !valid_name(type->name) || !type->create || !type->measure || !type->draw) {
        if (!self->conflict)
            self->conflict = cb_xasprintf("block type '%s' is incomplete (needs version, a name of "
                                          "letters, digits, '.', '_' or '-', create, measure, draw)",
                                          type->name ? type->name : "(null)");
        return CB_EUSAGE;
    }
    for (size_t i = 0; i < reg.nblocks; i++)
        if (strcmp(reg.blocks[i].type->name, type->name) == 0) {
            note_conflict(self, "block", type->name, reg.blocks[i].owner);
            return CB_EEXIST;
        }
    APPEND(reg.blocks, reg.nblocks, ((block_entry){type, self}));
    return CB_OK;
}

/* Records why a registration was refused; the plugin is then refused with that reason. */
static int bad_registration(cb_plugin *self, const char *what)
{
    if (self && !self->conflict) self->conflict = cb_xstrdup(what);
    return CB_EUSAGE;
}

static int host_register_lua_module(cb_plugin *self, const char *name, lua_CFunction open)
{
    if (!self || !self->initialising) return CB_EUSAGE;
    if (!valid_name(name) || !open) {
        char what[256];
        snprintf(what, sizeof what, "Lua module '%s' has an invalid name (letters, digits, '.', '_' "
                 "or '-') or no open function", name ? name : "(null)");
        return bad_registration(self, what);
    }
    for (size_t i = 0; i < reg.nmodules; i++)
        if (strcmp(reg.modules[i].name, name) == 0) {
            note_conflict(self, "Lua module", name, reg.modules[i].owner);
            return CB_EEXIST;
        }
    APPEND(reg.modules, reg.nmodules, ((module_entry){cb_xstrdup(name), open, self}));
    return CB_OK;
}

static int host_register_source(cb_plugin *self, const cb_source_type *type)
{
    if (!self || !self->initialising || !type) return CB_EUSAGE;
    if (type->version < 1 || !valid_name(type->name) || !type->load || (!type->scheme && !type->extension)) {
        char what[256];
        snprintf(what, sizeof what, "data source '%s' is incomplete (needs version, a name of "
                 "letters, digits, '.', '_' or '-', load, and a scheme or an extension)",
                 type->name ? type->name : "(null)");
        return bad_registration(self, what);
    }
    for (size_t i = 0; i < reg.nsources; i++) {
        const cb_source_type *o = reg.sources[i].type;
        /* named by what clashes: the name, else the scheme, else the extension */
        const char *what = NULL, *name = NULL;
        if (strcmp(o->name, type->name) == 0) what = "data source", name = type->name;
        else if (o->scheme && type->scheme && strcmp(o->scheme, type->scheme) == 0)
            what = "data source scheme", name = type->scheme;
        else if (o->extension && type->extension && strcasecmp(o->extension, type->extension) == 0)
            what = "data source extension", name = type->extension;
        if (what) {
            note_conflict(self, what, name, reg.sources[i].owner);
            return CB_EEXIST;
        }
    }
    APPEND(reg.sources, reg.nsources, ((source_entry){type, self}));
    return CB_OK;
}

/* ------------------------------------------------------------------ host API: data sink */

struct cb_table_sink {
    cb_dataset_builder *b;
    cb_error err;
    int failed;
    size_t ncols;
    cb_value *row;
};

static int sink_fail(cb_table_sink *s, int rc)
{
    s->failed = 1;
    return rc;
}

static int host_table_begin(cb_table_sink *s, const char *name, const char *origin, size_t ncols,
                            const char *const *columns)
{
    if (s->failed) return CB_EDATA;
    int rc = cb_dataset_builder_table(s->b, name, origin ? origin : name, ncols, columns, &s->err);
    if (rc != CB_OK) return sink_fail(s, rc);
    s->ncols = ncols;
    free(s->row);
    s->row = cb_xcalloc(ncols ? ncols : 1, sizeof *s->row);
    return CB_OK;
}

static int host_table_row(cb_table_sink *s, const cb_cell *cells, size_t line)
{
    if (s->failed) return CB_EDATA;
    for (size_t i = 0; i < s->ncols; i++) {
        cb_value *v = &s->row[i];
        memset(v, 0, sizeof *v);
        if (cells[i].type == CB_CELL_NUMBER && isfinite(cells[i].number)) {
            v->type = CB_T_NUMBER;
            v->num = cells[i].number;
        } else if (cells[i].type == CB_CELL_TEXT && cells[i].text && cells[i].text[0]) {
            v->type = CB_T_TEXT;
            v->text = cells[i].text;
        }
    }
    int rc = cb_dataset_builder_row(s->b, s->row, line, &s->err);
    return rc == CB_OK ? CB_OK : sink_fail(s, rc);
}

static int host_table_end(cb_table_sink *s)
{
    if (s->failed) return CB_EDATA;
    int rc = cb_dataset_builder_end_table(s->b, &s->err);
    return rc == CB_OK ? CB_OK : sink_fail(s, rc);
}

int cb_plugins_load_dataset(const cb_source_type *src, const char *location, const char *data_arg,
                            cb_dataset *ds, cb_error *err)
{
    cb_table_sink sink = {0};
    sink.b = cb_dataset_builder_new(data_arg);
    char *perr = NULL;
    int rc = src->load(location, &sink, cb_host_api_get(), &perr);
    if (sink.failed) {
        rc = cb_fail(err, sink.err.code ? sink.err.code : CB_EDATA, "%s", sink.err.msg);
    } else if (rc != CB_OK) {
        if (perr) rc = cb_fail(err, rc < 0 ? rc : CB_EDATA, "%s", perr);
        else rc = cb_fail(err, rc < 0 ? rc : CB_EDATA, "--data %s: data source '%s' failed (code %d) and gave no reason",
                          data_arg, src->name, rc);
    }
    free(perr);
    free(sink.row);
    if (rc != CB_OK) {
        cb_dataset_builder_free(sink.b);
        return rc;
    }
    return cb_dataset_builder_finish(sink.b, ds, err);
}

/* ------------------------------------------------------------------ the table */

static const cb_host_api HOST = {
    .struct_size = sizeof(cb_host_api),
    .abi_major = CB_PLUGIN_ABI_MAJOR,
    .abi_minor = CB_PLUGIN_ABI_MINOR,
    .strdup = host_strdup,
    .free = host_free,
    .warn = host_warn,
    .register_block = host_register_block,
    .register_lua_module = host_register_lua_module,
    .register_source = host_register_source,
    .set_fill_rgb = cb_canvas_set_fill_rgb,
    .set_stroke_rgb = cb_canvas_set_stroke_rgb,
    .set_line_width = cb_canvas_set_line_width,
    .set_dash = cb_canvas_set_dash,
    .move_to = cb_canvas_move_to,
    .line_to = cb_canvas_line_to,
    .curve_to = cb_canvas_curve_to,
    .close_path = cb_canvas_close_path,
    .rect = cb_canvas_rect,
    .fill = cb_canvas_fill,
    .stroke = cb_canvas_stroke,
    .fill_stroke = cb_canvas_fill_stroke,
    .text = cb_canvas_text,
    .text_width = cb_canvas_text_width,
    .theme = cb_canvas_theme,
    .format_yuan = cb_fmt_yuan,
    .format_count = cb_fmt_count,
    .format_decimal = cb_fmt_decimal,
    .table_begin = host_table_begin,
    .table_row = host_table_row,
    .table_end = host_table_end,
};

const cb_host_api *cb_host_api_get(void) { return &HOST; }

/* ------------------------------------------------------------------ loading */

static void record_refusal(const char *path, const char *reason)
{
    char real[PATH_MAX];
    if (realpath(path, real)) path = real; /* ./x.so and /abs/x.so are one file */
    for (size_t i = 0; i < reg.nrefused; i++)
        if (strcmp(reg.refused[i].path, path) == 0) return;
    APPEND(reg.refused, reg.nrefused, ((refusal){cb_xstrdup(path), cb_xstrdup(reason)}));
    free(reg.summary);
    reg.summary = NULL;
}

static char last_reason[768]; /* of the latest refusal: what a probe child reports */

static int refuse(cb_error *err, const char *path, void *handle, const char *fmt, const char *a,
                  const char *b)
{
    char *reason = last_reason;
    snprintf(reason, sizeof last_reason, fmt, a ? a : "", b ? b : "");
    record_refusal(path, reason);
    if (handle) dlclose(handle);
    return cb_fail(err, CB_EPLUGIN, "%s: %s", path, reason);
}

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
    if (fd < 0) return refuse(err, path, NULL, "cannot be opened (%s)%s", strerror(errno), NULL), -1;
    char why[sizeof last_reason];
    if (plugin_file_unsafe(fd, path, key, why, sizeof why) == 0) return fd;
    close(fd);
    refuse(err, path, NULL, "%s%s", why, NULL);
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
static int load_here(const char *path, const char *key, cb_error *err)
{
    int fd = open_plugin(path, key, err);
    if (fd < 0) return CB_EPLUGIN;
    close(fd);
    dlerror();
    void *h = dlopen(key, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return refuse(err, path, NULL, "not a loadable shared object (%s)%s", why ? why : "?", NULL);
    }
    typedef const cb_plugin_magic_info *(*magic_fn)(void);
    magic_fn magic = (magic_fn)dlsym(h, "cb_plugin_magic");
    if (!magic)
        return refuse(err, path, h, "no cb_plugin_magic symbol: not a countybrief plugin (declare it "
                      "with CB_PLUGIN_MAGIC)%s%s", NULL, NULL);
    const cb_plugin_magic_info *info = magic();
    char abi[192];
    if (!info || info->struct_size < offsetof(cb_plugin_magic_info, description) + sizeof(char *))
        return refuse(err, path, h, "cb_plugin_magic returned no valid description%s%s", NULL, NULL);
    if (info->abi_major != CB_PLUGIN_ABI_MAJOR) {
        snprintf(abi, sizeof abi, "%u.%u, but this countybrief has plugin ABI %d.%d",
                 info->abi_major, info->abi_minor, CB_PLUGIN_ABI_MAJOR, CB_PLUGIN_ABI_MINOR);
        return refuse(err, path, h, "plugin '%s' was built for plugin ABI %s (the major version "
                      "differs: rebuild it against this countybrief's plugin.h)",
                      info->name ? info->name : "?", abi);
    }
    if (info->abi_minor > CB_PLUGIN_ABI_MINOR) {
        snprintf(abi, sizeof abi, "%u.%u, newer than this countybrief's plugin ABI %d.%d",
                 info->abi_major, info->abi_minor, CB_PLUGIN_ABI_MAJOR, CB_PLUGIN_ABI_MINOR);
        return refuse(err, path, h, "plugin '%s' was built for plugin ABI %s (upgrade countybrief)",
                      info->name ? info->name : "?", abi);
    }
    if (lua_mismatch(info, abi, sizeof abi))
        return refuse(err, path, h, "plugin '%s' was built against %s (rebuild it against the Lua "
                      "headers of this countybrief)", info->name ? info->name : "?", abi);
    if (!valid_name(info->name) || !info->version)
        return refuse(err, path, h, "the plugin's name must be letters, digits, '.', '_' or '-' and it "
                      "needs a version%s%s", NULL, NULL);
    for (size_t i = 0; i < reg.nplugins; i++)
        if (strcmp(reg.plugins[i]->info->name, info->name) == 0)
            return refuse(err, path, h, "a plugin named '%s' is already loaded from %s", info->name,
                          reg.plugins[i]->path);
    typedef int (*init_fn)(cb_plugin *, const cb_host_api *, char **);
    init_fn init = (init_fn)dlsym(h, "cb_plugin_init");
    if (!init) return refuse(err, path, h, "no cb_plugin_init symbol%s%s", NULL, NULL);

    cb_plugin *p = cb_xcalloc(1, sizeof *p);
    p->path = cb_xstrdup(key);
    p->handle = h;
    p->info = info;
    p->initialising = 1;
    char *perr = NULL;
    if (probe_fd >= 0) probe_send('I', 0, ""); /* a crash from here on is init's */
    int rc = init(p, &HOST, &perr);
    p->initialising = 0;
    if (rc != CB_OK || p->conflict) {
        char reason[640];
        if (p->conflict) snprintf(reason, sizeof reason, "%s", p->conflict);
        else if (perr) snprintf(reason, sizeof reason, "init failed: %s", perr);
        else snprintf(reason, sizeof reason, "init failed with code %d (no message)", rc);
        free(perr);
        unregister_all(p);
        free(p->conflict);
        free(p->path);
        free(p);
        return refuse(err, path, h, "plugin '%s': %s", info->name, reason);
    }
    free(perr);
    APPEND(reg.plugins, reg.nplugins, p);
    return CB_OK;
}

/* ---- the probe: a plugin's code runs first in a throw-away child process
 *
 * The child loads the plugin exactly as the parent would (dlopen, magic, init) and reports
 * through a pipe: warnings its init printed ('W'), that init starts ('I': a crash after it
 * is init's, before it dlopen's), then the verdict ('R': CB_OK, or the
 * refusal's reason), and _exits. A child that dies (a constructor or init that crashes or
 * aborts) or does not answer within the deadline (COUNTYBRIEF_PLUGIN_PROBE_TIMEOUT seconds,
 * default 5; then killed) gets the plugin refused: the parent never maps it. Only an
 * accepted plugin is then loaded by the parent, which checks it again (a name taken by a
 * plugin loaded meanwhile), and so by the batch's workers. Its init thus runs twice: once
 * in the child, once for real. */

typedef struct probe_rec {
    int32_t kind; /* 'W' or 'R' */
    int32_t rc;
    uint32_t len; /* bytes of text that follow */
} probe_rec;

static void probe_send(char kind, int rc, const char *text)
{
    probe_rec r = {kind, rc, (uint32_t)strlen(text)};
    cb_buf b = {0};
    cb_buf_add(&b, &r, sizeof r);
    cb_buf_add(&b, text, r.len);
    for (size_t off = 0; off < b.len;) { /* one record at a time: a later crash loses no earlier one */
        ssize_t w = write(probe_fd, b.s + off, b.len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    cb_buf_free(&b);
}

/* A probe child under way. The children of a plugin folder run side by side (up to
 * PROBE_AHEAD of them), so probing costs about one plugin's load, not the sum. */
typedef struct probe_job {
    char *key;      /* the plugin file's real path */
    cb_child c;     /* from: the child's report (child.h) */
    int error;      /* pipe or fork failed: errno */
} probe_job;

#define PROBE_AHEAD 8

static struct {
    probe_job *jobs;
    size_t n;
} probes;

static double probe_limit_s(void)
{
    const char *s = getenv("COUNTYBRIEF_PLUGIN_PROBE_TIMEOUT");
    double v = s ? strtod(s, NULL) : 0;
    return v > 0 && v < 86400 ? v : 5;
}

/* The probe child: loads key and sends its verdict. */
static void probe_body(void *ud, int in, int out)
{
    (void)in;
    const char *key = ud;
    for (size_t i = 0; i + 1 < probes.n; i++) /* the other children's pipes */
        if (probes.jobs[i].c.from >= 0) close(probes.jobs[i].c.from);
    /* the plain signal, even where a sanitizer would catch it and exit */
    const int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof crash / sizeof *crash; i++) signal(crash[i], SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    probe_fd = out;
    cb_error e;
    int rc = load_here(key, key, &e);
    probe_send('R', rc, rc == CB_OK ? "" : last_reason);
    cb_child_exit(0);
}

/* Forks the child probing key; the job is kept until probe_finish. */
static probe_job *probe_start(const char *key)
{
    APPEND(probes.jobs, probes.n, ((probe_job){cb_xstrdup(key), {-1, -1, -1, 0, 0, 0}, 0}));
    probe_job *j = &probes.jobs[probes.n - 1];
    if (cb_child_start(&j->c, 0, probe_limit_s(), probe_body, j->key) != 0) j->error = errno;
    return j;
}

/* 1 if the records in got hold one of kind. */
static int probe_has(const cb_buf *got, char kind)
{
    for (size_t off = 0; off + sizeof(probe_rec) <= got->len;) {
        probe_rec rec;
        memcpy(&rec, got->s + off, sizeof rec);
        if (off + sizeof rec + rec.len > got->len) break;
        if (rec.kind == kind) return 1;
        off += sizeof rec + rec.len;
    }
    return 0;
}

/* Waits for the verdict of job j (removing it): CB_OK, or the plugin refused with its
 * reason (and the warnings its init printed, shown first). */
/* 1 once got holds a complete 'R' record (the verdict). */
static int probe_verdict(const cb_buf *got, void *ud)
{
    (void)ud;
    return probe_has(got, 'R');
}

static int probe_finish(probe_job *j, const char *path, cb_error *err)
{
    cb_buf got = {0};
    /* a child probed side by side with a slow one may have answered long ago: what it sent
     * counts even past its deadline (cb_child_read) */
    int hung = !j->error && cb_child_read(&j->c, &got, probe_verdict, NULL);
    int status = cb_child_reap(&j->c, hung);
    size_t verdict = 0; /* 1 + the offset of the 'R' record, once complete */
    for (size_t off = 0; off + sizeof(probe_rec) <= got.len;) {
        probe_rec rec;
        memcpy(&rec, got.s + off, sizeof rec);
        if (off + sizeof rec + rec.len > got.len) break;
        if (rec.kind == 'R') {
            verdict = off + 1;
            break;
        }
        off += sizeof rec + rec.len;
    }
    char reason[768] = "";
    int accepted = 0;
    if (j->error) {
        snprintf(reason, sizeof reason, "cannot be checked before loading (%s)", strerror(j->error));
    } else if (verdict) {
        probe_rec rec;
        memcpy(&rec, got.s + verdict - 1, sizeof rec);
        accepted = rec.rc == CB_OK;
        snprintf(reason, sizeof reason, "%.*s", (int)rec.len, got.s + verdict - 1 + sizeof rec);
    } else {
        if (hung) snprintf(reason, sizeof reason, "hung while loading (stopped after %g s)", probe_limit_s());
        else cb_child_death(status, "while loading", reason, sizeof reason);
        size_t len = strlen(reason);
        snprintf(reason + len, sizeof reason - len, "%s",
                 probe_has(&got, 'I') ? " in its cb_plugin_init" : " in dlopen (a constructor, or a library it needs)");
    }
    if (!accepted) /* what its init had to say, before the refusal */
        for (size_t off = 0; off + sizeof(probe_rec) <= got.len;) {
            probe_rec rec;
            memcpy(&rec, got.s + off, sizeof rec);
            if (off + sizeof rec + rec.len > got.len) break;
            if (rec.kind == 'W') fprintf(stderr, "%.*s\n", (int)rec.len, got.s + off + sizeof rec);
            off += sizeof rec + rec.len;
        }
    cb_buf_free(&got);
    free(j->key);
    *j = probes.jobs[--probes.n];
    if (!probes.n) {
        free(probes.jobs);
        probes.jobs = NULL;
    }
    return accepted ? CB_OK : refuse(err, path, NULL, "%s%s", reason, NULL);
}

/* Stops job j unheard (removing it). */
static void probe_cancel(probe_job *j)
{
    (void)cb_child_reap(&j->c, 1);
    free(j->key);
    *j = probes.jobs[--probes.n];
    if (!probes.n) {
        free(probes.jobs);
        probes.jobs = NULL;
    }
}

/* ---- plugins known good: files a probe accepted, remembered by identity so later runs
 * load them without probing again (a fork and a full load per plugin: a fifth of a
 * one-county run). The list is ${XDG_CACHE_HOME:-~/.cache}/countybrief/probed-plugins:
 * a first line naming this countybrief's version (another version probes anew), then
 * "dev ino size mtime_ns ctime_ns path" per file. A file changed in any way (rebuilt,
 * copied over, touched) has another stat and is probed again. COUNTYBRIEF_PROBE_CACHE=0
 * turns the list off. */

#define PROBE_CACHE_HEADER "countybrief " CB_VERSION_STRING " probed plugins\n"
#define PROBE_CACHE_MAX ((size_t)4 << 20) /* 256 lines of at most PATH_MAX and some */

static struct {
    int loaded;
    char *path;   /* NULL: no list */
    char **lines; /* "dev ino size mtime ctime path", without the newline */
    size_t n;
} good;

/* key's line: its identity (util.h) and path; -1 if it has none to remember or match (not
 * settled: a file written in the last seconds is probed every time). */
static int file_identity(const char *key, char *out, size_t cap)
{
    cb_file_id id;
    char text[CB_FILE_ID_TEXT];
    if (cb_file_id_at(key, &id) != 0 || !id.settled) return -1;
    cb_file_id_text(&id, text);
    snprintf(out, cap, "%s %s", text, key);
    return 0;
}

static void good_load(void)
{
    if (good.loaded) return;
    good.loaded = 1;
    const char *off = getenv("COUNTYBRIEF_PROBE_CACHE");
    if (off && strcmp(off, "0") == 0) return;
    if (!(good.path = cb_cache_path("probed-plugins"))) return;
    /* read and replaced never through a link, only as a regular file (output.h) */
    char *text = cb_file_read(good.path, PROBE_CACHE_MAX, NULL, NULL), *save = NULL;
    if (!text || strncmp(text, PROBE_CACHE_HEADER, strlen(PROBE_CACHE_HEADER)) != 0) {
        free(text);
        return;
    }
    char *end = strrchr(text, '\n'); /* a torn last line is left out */
    end[1] = '\0';
    for (char *line = strtok_r(text + strlen(PROBE_CACHE_HEADER), "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        APPEND(good.lines, good.n, cb_xstrdup(line));
    free(text);
}

static int probe_known_good(const char *key)
{
    good_load();
    char id[PATH_MAX + 128];
    if (!good.path || file_identity(key, id, sizeof id) != 0) return 0;
    for (size_t i = 0; i < good.n; i++)
        if (strcmp(good.lines[i], id) == 0) return 1;
    return 0;
}

/* Adds line to the probe cache (its file and good.lines). */
static void cache_append(const char *line)
{
    if (!good.path) return;
    char *dir = cb_xstrdup(good.path);
    *strrchr(dir, '/') = '\0';
    (void)cb_mkdir_p(dir, 0700, "cache folder", NULL);
    free(dir);
    /* a list grown past 256 lines (files rebuilt many times) starts over */
    int fresh = good.n == 0 || good.n >= 256;
    int fd = fresh ? -1 : cb_file_open(good.path, O_WRONLY | O_APPEND, 0600, NULL);
    cb_buf b = {0};
    if (fd < 0) { /* new, or not a file (a link, say): the whole list replaces what is there */
        cb_buf_adds(&b, PROBE_CACHE_HEADER);
        for (size_t i = 0; i < good.n; i++) {
            if (!fresh) cb_buf_addf(&b, "%s\n", good.lines[i]);
            else free(good.lines[i]);
        }
        if (fresh) good.n = 0;
    }
    cb_buf_addf(&b, "%s\n", line);
    if (fd >= 0) {
        ssize_t w = write(fd, b.s, b.len); /* one write: lines of runs side by side don't mix */
        (void)w;
        close(fd);
    } else {
        cb_error err;
        (void)cb_write_file_atomic(good.path, b.s, b.len, &err); /* best effort: a cache */
    }
    cb_buf_free(&b);
    APPEND(good.lines, good.n, cb_xstrdup(line));
}

static void probe_remember(const char *key)
{
    char id[PATH_MAX + 128];
    if (good.path && file_identity(key, id, sizeof id) == 0) cache_append(id);
}

/* Probes key: the job already started for it, or a new one. */
static int probe(const char *path, const char *key, cb_error *err)
{
    for (size_t i = 0; i < probes.n; i++)
        if (strcmp(probes.jobs[i].key, key) == 0) return probe_finish(&probes.jobs[i], path, err);
    return probe_finish(probe_start(key), path, err);
}

/* Starts the probe of path ahead of its turn, unless its verdict is known or under way. */
static void probe_ahead(const char *path)
{
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    for (size_t i = 0; i < reg.nplugins; i++)
        if (strcmp(reg.plugins[i]->path, key) == 0) return;
    for (size_t i = 0; i < reg.nrefused; i++)
        if (strcmp(reg.refused[i].path, key) == 0) return;
    for (size_t i = 0; i < probes.n; i++)
        if (strcmp(probes.jobs[i].key, key) == 0) return;
    if (cb_is_file(path) && !probe_known_good(key)) probe_start(key);
}

/* ---- deferred: plugins that only read data, loaded when --data needs them
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

typedef struct deferred {
    char *path, *key;
    char *line; /* its cache line: the fields below point into it */
    const char *name;
    size_t nsrcs;
    const char *srcs[16][3]; /* name, scheme, extension ("" for none) */
} deferred;

/* The cache's line of sources for key's file as it is now, or NULL. */
static const char *sources_line(const char *key)
{
    char id[PATH_MAX + 128];
    if (!good.path || file_identity(key, id, sizeof id) != 0) return NULL;
    size_t n = strlen(id);
    for (size_t i = 0; i < good.n; i++)
        if (strncmp(good.lines[i], "S\t", 2) == 0 && strncmp(good.lines[i] + 2, id, n) == 0 &&
            good.lines[i][2 + n] == '\t')
            return good.lines[i] + 2 + n + 1;
    return NULL;
}

/* 1 if two sources clash (the same name, scheme or extension), as host_register_source
 * refuses them. */
static int sources_clash(const char *n1, const char *s1, const char *e1, const char *n2, const char *s2,
                         const char *e2)
{
    return strcmp(n1, n2) == 0 || (*s1 && strcmp(s1, s2) == 0) || (*e1 && strcasecmp(e1, e2) == 0);
}

/* Accepts the plugin file key without loading it, if the cache says what it provides and
 * nothing of it clashes with what is accepted; 1 if so. */
static int defer(const char *path, const char *key)
{
    const char *rec = sources_line(key);
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
    int ok = nf >= 4 && (nf - 1) % 3 == 0 && valid_name(f[0]);
    d.name = f[0];
    d.nsrcs = ok ? (nf - 1) / 3 : 0;
    for (size_t i = 0; i < d.nsrcs; i++)
        for (int k = 0; k < 3; k++) d.srcs[i][k] = f[1 + 3 * i + (size_t)k];
    for (size_t i = 0; ok && i < reg.nplugins; i++) ok = strcmp(reg.plugins[i]->info->name, d.name) != 0;
    for (size_t i = 0; ok && i < reg.nsources; i++) {
        const cb_source_type *t = reg.sources[i].type;
        for (size_t k = 0; ok && k < d.nsrcs; k++)
            ok = !sources_clash(d.srcs[k][0], d.srcs[k][1], d.srcs[k][2], t->name, t->scheme ? t->scheme : "",
                                t->extension ? t->extension : "");
    }
    for (size_t i = 0; ok && i < reg.ndeferred; i++) {
        const deferred *o = &reg.deferred[i];
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
    APPEND(reg.deferred, reg.ndeferred, d);
    APPEND(reg.order, reg.norder, cb_xstrdup(key));
    return 1;
}

/* After p was loaded: records in the cache what it provides if it provides data sources
 * only (and their strings fit a line of tab-separated fields). */
static void remember_sources(const cb_plugin *p)
{
    char id[PATH_MAX + 128];
    if (!good.path || sources_line(p->path) || file_identity(p->path, id, sizeof id) != 0 ||
        strchr(id, '\t') || strchr(id, '\n'))
        return;
    size_t n = 0;
    for (size_t i = 0; i < reg.nblocks; i++)
        if (reg.blocks[i].owner == p) return;
    for (size_t i = 0; i < reg.nmodules; i++)
        if (reg.modules[i].owner == p) return;
    cb_buf b = {0};
    cb_buf_addf(&b, "S\t%s\t%s", id, p->info->name);
    for (size_t i = 0; i < reg.nsources; i++) {
        const cb_source_type *t = reg.sources[i].type;
        if (reg.sources[i].owner != p) continue;
        const char *v[3] = {t->name, t->scheme ? t->scheme : "", t->extension ? t->extension : ""};
        for (int k = 0; k < 3; k++) {
            if (strpbrk(v[k], "\t\n")) n = 99; /* not kept */
            cb_buf_addf(&b, "\t%s", v[k]);
        }
        n++;
    }
    if (n >= 1 && n <= 16) cache_append(b.s);
    cb_buf_free(&b);
}

/* Loads deferred plugin i for real; a refusal is recorded as any (the file changed). */
static void undefer(size_t i)
{
    deferred d = reg.deferred[i];
    memmove(&reg.deferred[i], &reg.deferred[i + 1], (reg.ndeferred - i - 1) * sizeof *reg.deferred);
    reg.ndeferred--;
    cb_error err;
    if (load_here(d.path, d.key, &err) != CB_OK) {
        for (size_t k = 0; k < reg.norder; k++)
            if (strcmp(reg.order[k], d.key) == 0) {
                free(reg.order[k]);
                memmove(&reg.order[k], &reg.order[k + 1], (reg.norder - k - 1) * sizeof *reg.order);
                reg.norder--;
                break;
            }
    }
    free(d.path);
    free(d.key);
    free(d.line);
}

static void undefer_all(void)
{
    while (reg.ndeferred) undefer(0);
}

int cb_plugins_load(const char *path, cb_error *err)
{
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    for (size_t i = 0; i < reg.nplugins; i++)
        if (strcmp(reg.plugins[i]->path, key) == 0) return CB_OK;
    for (size_t i = 0; i < reg.ndeferred; i++)
        if (strcmp(reg.deferred[i].key, key) == 0) return CB_OK;
    for (size_t i = 0; i < reg.nrefused; i++) /* refused once: the same verdict, no second try */
        if (strcmp(reg.refused[i].path, key) == 0)
            return cb_fail(err, CB_EPLUGIN, "%s: %s", path, reg.refused[i].reason);
    if (!cb_is_file(path)) return refuse(err, path, NULL, "no such plugin file%s%s", NULL, NULL);
    int fd = open_plugin(path, key, err); /* the modes, before a probe runs any of its code */
    if (fd < 0) return CB_EPLUGIN;
    close(fd);
    int rc = CB_OK;
    int known = probe_fd >= 0 || probe_known_good(key); /* never nested */
    if (!known) {
        rc = probe(path, key, err);
        if (rc == CB_OK) probe_remember(key);
    }
    if (rc != CB_OK) return rc;
    if (known && probe_fd < 0 && defer(path, key)) return CB_OK;
    undefer_all(); /* clashes as if they had been loaded */
    rc = load_here(path, key, err);
    if (rc == CB_OK && probe_fd < 0) {
        APPEND(reg.order, reg.norder, cb_xstrdup(key));
        remember_sources(reg.plugins[reg.nplugins - 1]);
    }
    return rc;
}

static int so_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void cb_plugins_load_dir(const char *dir, int quiet)
{
    struct stat st;
    char why[PATH_MAX + 128];
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && unsafe_stat(&st, dir, "", 0, why, sizeof why)) {
        record_refusal(dir, why); /* any of its files could be anyone's: none is loaded */
        if (!quiet) fprintf(stderr, "countybrief: warning: plugin folder refused: %s: %s\n", dir, why);
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
        for (; ahead < n && ahead < i + PROBE_AHEAD; ahead++) probe_ahead(paths[ahead]);
        cb_error err;
        if (cb_plugins_load(paths[i], &err) != CB_OK && !quiet)
            fprintf(stderr, "countybrief: warning: plugin refused: %s\n", err.msg);
    }
    while (probes.n) probe_cancel(&probes.jobs[0]); /* its file vanished meanwhile */
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    free(names);
}

int cb_plugins_load_all(const char *const *files, size_t nfiles, int quiet, cb_error *err)
{
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
    free(reg.searched);
    reg.searched = searched.s;
    for (size_t i = 0; i < nfiles; i++) {
        int rc = cb_plugins_load(files[i], err);
        if (rc != CB_OK) return rc;
    }
    return CB_OK;
}

void cb_plugins_unload_all(void)
{
    for (size_t i = reg.nplugins; i-- > 0;) {
        cb_plugin *p = reg.plugins[i];
        unregister_all(p);
        dlclose(p->handle);
        free(p->path);
        free(p);
    }
    free(reg.plugins);
    free(reg.blocks);
    free(reg.modules);
    free(reg.sources);
    for (size_t i = 0; i < reg.nrefused; i++) {
        free(reg.refused[i].path);
        free(reg.refused[i].reason);
    }
    free(reg.refused);
    free(reg.summary);
    free(reg.searched);
    for (size_t i = 0; i < reg.ndeferred; i++) {
        free(reg.deferred[i].path);
        free(reg.deferred[i].key);
        free(reg.deferred[i].line);
    }
    free(reg.deferred);
    for (size_t i = 0; i < reg.norder; i++) free(reg.order[i]);
    free(reg.order);
    for (size_t i = 0; i < good.n; i++) free(good.lines[i]);
    free(good.lines);
    free(good.path);
    memset(&good, 0, sizeof good);
    memset(&reg, 0, sizeof reg);
}

/* ------------------------------------------------------------------ lookups */

const cb_block_type *cb_plugins_block(const char *name, const char **owner)
{
    for (size_t i = 0; i < reg.nblocks; i++)
        if (strcmp(reg.blocks[i].type->name, name) == 0) {
            if (owner) *owner = reg.blocks[i].owner->info->name;
            return reg.blocks[i].type;
        }
    return NULL;
}

static const module_entry *find_module(const char *name)
{
    for (size_t i = 0; i < reg.nmodules; i++)
        if (strcmp(reg.modules[i].name, name) == 0) return &reg.modules[i];
    return NULL;
}

/* A plugin's Lua function, called through a closure that marks it (pool.h) for the death
 * message of a worker it crashes. The function is called in place, on the closure's own
 * frame, so its argument errors still name it; it must have no upvalues. (An error it
 * raises leaves the mark set until the next mark or job: a later crash outside plugins in
 * that county may then be blamed on it.) */
static int module_fn(lua_State *L)
{
    lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(1));
    cb_pool_mark(CB_MARK_MODULE, lua_touserdata(L, lua_upvalueindex(2)), lua_tostring(L, lua_upvalueindex(3)));
    int n = f(L);
    cb_pool_mark(CB_MARK_NONE, NULL, NULL);
    return n;
}

/* require of a plugin's module (lua_api.c pushes its name): its open function, marked,
 * then each C function of the table it returns wrapped in module_fn. */
static int module_open(lua_State *L)
{
    const module_entry *m = find_module(luaL_checkstring(L, 1));
    if (!m) return luaL_error(L, "no plugin provides module '%s'", lua_tostring(L, 1));
    cb_pool_mark(CB_MARK_MODULE, m, NULL);
    int n = m->open(L);
    cb_pool_mark(CB_MARK_NONE, NULL, NULL);
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
    for (size_t i = 0; kind == CB_MARK_BLOCK && i < reg.nblocks; i++)
        if (reg.blocks[i].type == what) {
            snprintf(buf, n, "in block %s of plugin %s", reg.blocks[i].type->name, reg.blocks[i].owner->info->name);
            return 1;
        }
    for (size_t i = 0; kind == CB_MARK_MODULE && i < reg.nmodules; i++)
        if (&reg.modules[i] == what) {
            if (fn) snprintf(buf, n, "in function %s.%s of plugin %s", reg.modules[i].name, fn, reg.modules[i].owner->info->name);
            else snprintf(buf, n, "opening Lua module %s of plugin %s", reg.modules[i].name, reg.modules[i].owner->info->name);
            return 1;
        }
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

const cb_source_type *cb_plugins_source(const char *arg, const char **location)
{
    for (size_t i = 0; i < reg.ndeferred; i++)
        for (size_t k = 0; k < reg.deferred[i].nsrcs; k++)
            if (source_reads(reg.deferred[i].srcs[k][1], reg.deferred[i].srcs[k][2], arg)) {
                undefer_all(); /* in their order: as if loaded all along */
                break;
            }
    const char *colon = strchr(arg, ':');
    for (size_t i = 0; i < reg.nsources && colon; i++) {
        const char *s = reg.sources[i].type->scheme;
        if (s && strlen(s) == (size_t)(colon - arg) && strncmp(arg, s, (size_t)(colon - arg)) == 0) {
            *location = colon + 1;
            return reg.sources[i].type;
        }
    }
    size_t len = strlen(arg);
    for (size_t i = 0; i < reg.nsources; i++) {
        const char *ext = reg.sources[i].type->extension;
        size_t el = ext ? strlen(ext) : 0;
        if (el && len > el && strcasecmp(arg + len - el, ext) == 0) {
            *location = arg;
            return reg.sources[i].type;
        }
    }
    return NULL;
}

/* Appends the sources' extensions (field 0) or schemes (1) as "A, B and C", each between
 * pre and post; returns how many. */
static size_t join_sources(cb_buf *b, int scheme, const char *pre, const char *post, const char *last)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < reg.nsources; i++)
        n += (scheme ? reg.sources[i].type->scheme : reg.sources[i].type->extension) != NULL;
    for (size_t i = 0; i < reg.nsources; i++) {
        const char *v = scheme ? reg.sources[i].type->scheme : reg.sources[i].type->extension;
        if (v) cb_buf_addf(b, "%s%s%s", !k ? pre : ++k == n ? last : ", ", v, post);
        k += !k;
    }
    return n;
}

char *cb_plugins_source_formats(void)
{
    undefer_all();
    cb_buf b = {0};
    cb_buf_adds(&b, "a folder of CSV files");
    if (join_sources(&b, 0, ", ", "", " and ")) cb_buf_adds(&b, " files");
    join_sources(&b, 1, ", and a file of any name as ", ":FILE", " or ");
    return b.s;
}

size_t cb_plugins_count(void) { return reg.norder; }
const char *cb_plugins_path(size_t i) { return i < reg.norder ? reg.order[i] : NULL; }

const char *cb_plugins_refusal_summary(void)
{
    if (!reg.nrefused) return "";
    if (!reg.summary) {
        cb_buf b = {0};
        cb_buf_adds(&b, "; refused plugins: ");
        for (size_t i = 0; i < reg.nrefused; i++)
            cb_buf_addf(&b, "%s%s (%s)", i ? ", " : "", reg.refused[i].path, reg.refused[i].reason);
        reg.summary = b.s;
    }
    return reg.summary;
}

void cb_plugins_print(FILE *out)
{
    undefer_all();
    if (!reg.nplugins)
        fprintf(out, "no plugins loaded (searched: %s)\n", reg.searched ? reg.searched : "no folder");
    for (size_t o = 0; o < reg.norder; o++) { /* in the order they were accepted */
        const cb_plugin *p = NULL;
        for (size_t i = 0; !p && i < reg.nplugins; i++)
            if (strcmp(reg.plugins[i]->path, reg.order[o]) == 0) p = reg.plugins[i];
        if (!p) continue;
        fprintf(out, "%s %s  (ABI %u.%u)  %s\n", p->info->name, p->info->version, p->info->abi_major,
                p->info->abi_minor, p->path);
        if (p->info->description) fprintf(out, "    %s\n", p->info->description);
        for (size_t k = 0; k < reg.nblocks; k++)
            if (reg.blocks[k].owner == p) fprintf(out, "    block   %s\n", reg.blocks[k].type->name);
        for (size_t k = 0; k < reg.nmodules; k++)
            if (reg.modules[k].owner == p) fprintf(out, "    module  %s\n", reg.modules[k].name);
        for (size_t k = 0; k < reg.nsources; k++)
            if (reg.sources[k].owner == p) {
                const cb_source_type *s = reg.sources[k].type;
                fprintf(out, "    source  %s  (--data %s%s%s%s%s)\n", s->name, s->scheme ? s->scheme : "",
                        s->scheme ? ":PATH" : "", s->scheme && s->extension ? " or --data FILE" : "",
                        !s->scheme && s->extension ? "FILE" : "", s->extension ? s->extension : "");
            }
    }
    for (size_t i = 0; i < reg.nrefused; i++)
        fprintf(out, "refused %s: %s\n", reg.refused[i].path, reg.refused[i].reason);
}
