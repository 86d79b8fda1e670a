/* render.c: see render.h. */
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <nettle/sha2.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistd.h>

#include "backend.h"
#include "check.h"
#include "doc.h"
#include "layout.h"
#include "output.h"
#include "paths.h"
#include "plugins.h"
#include "typeface.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The engines open in this process, the only mutable file-scope state here: the PDF
 * writer's compressor is process-wide, so the last engine closed lets it go and closing
 * one engine leaves another whole (render.h). The plugin registry counts its own holds,
 * one per engine (plugins.h); each engine owns its chunk cache (lua_api.h). */
static size_t open_engines;

int cb_engine_open_data(cb_engine *e, const cb_render_opts *o, cb_error *err)
{
    memset(e, 0, sizeof *e);
    e->share = cb_share_dir();
    e->counted = 1; /* from here on cb_engine_close lets go of its share */
    int rc = CB_OK;
    open_engines++;
    /* one hold on the process-wide registry per engine, failed or not (plugins.h) */
    rc = cb_plugins_load_all(o->plugins, o->nplugins, o->quiet, err);
    if (rc != CB_OK) return rc;
    e->data_dir = o->data_dir ? cb_xstrdup(o->data_dir) : cb_path_join(e->share, "examples/data");
    const char *location = NULL;
    const cb_source_type *src = cb_is_dir(e->data_dir) ? NULL : cb_plugins_source(e->data_dir, &location);
    if (src) return cb_plugins_load_dataset(src, location, e->data_dir, &e->ds, err);
    if (cb_is_file(e->data_dir)) { /* no reader claims it: say which formats there are */
        const char *base = strrchr(e->data_dir, '/'), *dot;
        base = base ? base + 1 : e->data_dir;
        char *formats = cb_plugins_source_formats();
        if ((dot = strrchr(base, '.')) && dot != base)
            rc = cb_fail(err, CB_EIO, "%s: not a data folder, and no reader for '%s'; countybrief "
                         "reads %s%s", e->data_dir, dot, formats, cb_plugins_refusal_summary());
        else
            rc = cb_fail(err, CB_EIO, "%s: not a data folder; countybrief reads %s%s", e->data_dir,
                         formats, cb_plugins_refusal_summary());
        free(formats);
        return rc;
    }
    /* the counties' rows stay on disk until cb_dataset_focus reads them (data.h) */
    cb_data_opts dopts = {.lazy = 1, .follow_links = o->follow_links, .encoding = o->encoding,
                          .index = CB_INDEX_USE, .clash_candidates = cb_output_clash_candidates};
    rc = cb_dataset_load_with(&e->ds, e->data_dir, &dopts, err);
    if (rc != CB_OK && !cb_is_dir(e->data_dir) && *cb_plugins_refusal_summary())
        return cb_fail(err, rc, "%s%s", err->msg, cb_plugins_refusal_summary());
    /* skipped files and encodings: check prints them itself, with its counts */
    for (size_t i = 0; rc == CB_OK && !o->keep_needs && i < e->ds.nnotes; i++)
        if (e->ds.notes[i].warning || !o->quiet)
            fprintf(stderr, "countybrief: %s: %s\n", e->ds.notes[i].warning ? "warning" : "note",
                    e->ds.notes[i].msg);
    return rc;
}

/* 1 if the script at path declares itself a report: a line that starts with needs { or
 * report { (a module beside it does neither). */
static int declares_report(const char *path)
{
    struct stat st;
    int fd = cb_open_regular(path, O_RDONLY, 0, &st);
    if (fd < 0) return 0;
    char buf[65536]; /* the declarations come first */
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    for (const char *line = buf; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *p = line;
        if (!strncmp(p, "needs", 5)) p += 5;
        else if (!strncmp(p, "report", 6)) p += 6;
        else continue;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '{' || *p == '(') return 1;
    }
    return 0;
}

typedef struct path_list {
    char **v;
    size_t n;
} path_list;

static void add_path(void *ud, const char *path, const struct stat *st)
{
    (void)st;
    path_list *l = ud;
    l->v = cb_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = cb_xstrdup(path);
}

/* The report in folder dir (see cb_report_file). */
static char *folder_report(const char *dir, cb_error *err)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    char *clean = cb_xstrndup(dir, len);
    const char *slash = strrchr(clean, '/');
    char *file = cb_xasprintf("%s.lua", slash ? slash + 1 : clean);
    char *path = cb_path_join(clean, file);
    free(file);
    if (cb_is_file(path)) {
        free(clean);
        return path;
    }
    path_list found = {0}; /* the folder's own .lua files, in sorted order */
    cb_walk_files(clean, ".lua", 0, add_path, &found);
    char **all = found.v;
    size_t n = found.n, nreports = 0, pick = 0;
    for (size_t i = 0; i < n; i++)
        if (declares_report(all[i])) nreports++, pick = i;
    char *got = n == 1 ? cb_xstrdup(all[0]) : nreports == 1 ? cb_xstrdup(all[pick]) : NULL;
    if (!got && !n)
        cb_fail(err, CB_ENOTFOUND, "%s: a report folder, but there is no %s and no other .lua file in it",
                dir, path);
    else if (!got)
        cb_fail(err, CB_ENOTFOUND, "%s: a report folder, but there is no %s, and %zu of its %zu .lua files "
                "declare needs { } or report { }: name the script (--report %s/NAME.lua)",
                dir, path, nreports, n, clean);
    for (size_t i = 0; i < n; i++) free(all[i]);
    free(all);
    free(path);
    free(clean);
    return got;
}

char *cb_report_file(const char *report, const char *share, cb_error *err)
{
    if (cb_is_dir(report)) return folder_report(report, err);
    if (ends_with(report, ".lua") || strchr(report, '/')) {
        if (cb_is_file(report)) return cb_xstrdup(report);
        cb_fail(err, CB_ENOTFOUND, "%s: no such report script", report);
        return NULL;
    }
    char *file = cb_xasprintf("scripts/%s.lua", report), *path = cb_path_join(share, file);
    free(file);
    if (cb_is_file(path)) return path;
    cb_fail(err, CB_ENOTFOUND, "%s: no such report (looked for %s, and there is no folder %s here)", report,
            path, report);
    free(path);
    return NULL;
}

/* Resolves --report (cb_report_file) and compiles the script once. */
static int resolve_report(cb_engine *e, const char *report, cb_error *err)
{
    e->scripts_dir = cb_path_join(e->share, "scripts");
    if (!(e->report_path = cb_report_file(report, e->share, err))) return err ? err->code : CB_ENOTFOUND;
    size_t n = strlen(e->scripts_dir);
    /* a shipped report is named as before ("scripts/briefing.lua"), any other by its path */
    if (!strncmp(e->report_path, e->scripts_dir, n) && e->report_path[n] == '/')
        e->report_name = cb_xasprintf("scripts/%s", e->report_path + n + 1);
    else e->report_name = cb_xstrdup(e->report_path);
    const char *slash = strrchr(e->report_path, '/');
    e->report_dir = slash ? cb_xstrndup(e->report_path, (size_t)(slash - e->report_path)) : cb_xstrdup(".");
    /* a syntax error is the same for every county: report it once, up front */
    lua_State *L = luaL_newstate();
    if (!L) return cb_fail(err, CB_ENOMEM, "%s: cannot create a Lua state", e->report_name);
    cb_error rerr;
    size_t len;
    char *text = cb_read_file(e->report_path, &len, &rerr);
    int rc = CB_OK;
    if (!text) rc = cb_fail(err, CB_ENOTFOUND, "%s", rerr.msg);
    else {
        char *chunk = cb_xasprintf("@%s", e->report_name);
        if (cb_lua_load_text(L, text, len, chunk) != LUA_OK)
            rc = cb_fail(err, CB_ESCRIPT, "%s", lua_tostring(L, -1));
        free(chunk);
        free(text);
    }
    lua_close(L);
    e->src = (cb_report_src){.path = e->report_path, .chunkname = e->report_name, .dir = e->report_dir,
                             .scripts_dir = e->scripts_dir, .share_dir = e->share,
                             .chunks = cb_chunk_cache_new()};
    return rc;
}

/* The report's languages as "zh, en", for a message. */
static void list_langs(const cb_report_decl *d, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!d->nlangs) snprintf(buf, n, "%s", CB_LANG_DEFAULT);
    for (size_t i = 0, len = 0; i < d->nlangs && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", d->langs[i]);
}

int cb_engine_check_lang(const cb_engine *e, const char *lang, cb_error *err)
{
    if (!cb_lang_known(lang))
        return cb_fail(err, CB_EUSAGE, "--lang %s: unknown language (countybrief renders zh and en)", lang);
    if (cb_report_decl_has_lang(&e->decl, lang)) return CB_OK;
    char langs[96];
    list_langs(&e->decl, langs, sizeof langs);
    return cb_fail(err, CB_EUSAGE, "%s: the report is written in %s, not %s (a report lists its "
                   "languages with report { languages = { ... } })", e->report_name, langs, lang);
}

/* The fonts (typeface.h): --font, the template's faces; what each role got in font_notes,
 * printed with COUNTYBRIEF_SHOW_FONTS=1 (a role that falls back does so quietly, but for a
 * role whose list's first face is missing: one note, unless --quiet). */
static int open_fonts(cb_engine *e, const cb_render_opts *o, cb_error *err)
{
    cb_buf notes = {0}, said = {0};
    int rc = cb_typefaces_open(&e->font, &e->tpl, o->font_path, &notes, &said, err);
    e->font_notes = notes.s;
    if (said.s && !o->quiet) fprintf(stderr, "countybrief: note: %s", said.s); /* one line, once a run */
    cb_buf_free(&said);
    if (rc == CB_OK) cb_font_set_typeset(e->font, &e->tpl.typeset); /* before any view is made */
    const char *show = getenv("COUNTYBRIEF_SHOW_FONTS");
    for (const char *l = e->font_notes, *nl; rc == CB_OK && show && !strcmp(show, "1") && l && *l; l = nl + 1) {
        if (!(nl = strchr(l, '\n'))) break;
        fprintf(stderr, "countybrief: fonts: %.*s\n", (int)(nl - l), l);
    }
    return rc;
}

/* Appends s to b as one part of a file name: '/', control and Windows-reserved characters,
 * '.' (which separates the parts: county, output set, "pdf") and, when dash, '-' (which
 * separates a county's id and name) become '_'. */
static int unsafe_byte(unsigned char c, int dash)
{
    return c == '/' || c == '\\' || c < 0x20 || c == 0x7F || c == ':' || c == '*' || c == '?' || c == '"' ||
           c == '<' || c == '>' || c == '|' || c == '.' || (dash && c == '-');
}

static void add_part(cb_buf *b, const char *s, int dash)
{
    size_t from = b->len;
    cb_buf_adds(b, s);
    for (unsigned char *p = (unsigned char *)b->s + from; *p; p++)
        if (unsafe_byte(*p, dash)) *p = '_';
}

/* The output set (render.h): ".TEMPLATE" for a template other than the default, then
 * ".LANG" for a language other than the default. A template named like a language would
 * give another language's file names, and is refused. */
static int output_set(cb_engine *e, const char *template_name, cb_error *err)
{
    cb_buf b = {0};
    cb_buf_adds(&b, "");
    if (template_name && strcmp(template_name, "briefing") != 0) {
        size_t len = strlen(e->tpl.dir);
        while (len > 1 && e->tpl.dir[len - 1] == '/') len--;
        const char *base = e->tpl.dir + len;
        while (base > e->tpl.dir && base[-1] != '/') base--;
        char *name = cb_xstrndup(base, (size_t)(e->tpl.dir + len - base));
        cb_buf_adds(&b, ".");
        add_part(&b, name, 0);
        free(name);
        if (cb_lang_known(b.s + 1)) {
            cb_buf_free(&b);
            return cb_fail(err, CB_EUSAGE, "--template %s: a template may not be named like a language (its "
                           "files would be named like that language's); rename its folder", template_name);
        }
    }
    if (strcmp(e->lang, CB_LANG_DEFAULT) != 0) cb_buf_addf(&b, ".%s", e->lang);
    e->out_set = b.s;
    return CB_OK;
}

int cb_engine_open(cb_engine *e, const cb_render_opts *o, cb_error *err)
{
    int rc = cb_engine_open_data(e, o, err);
    if (rc != CB_OK) return rc;
    /* the caller's clock, resolved once for its whole run; else SOURCE_DATE_EPOCH's */
    if (o->clock) e->clock = *o->clock;
    else if ((rc = cb_clock_resolve(&e->clock, NULL, err)) != CB_OK) return rc;
    e->pdf_standard = o->pdf_standard;
    e->quiet = o->quiet;
    if ((rc = cb_backends_parse(o->formats, e->formats, &e->nformats, err)) != CB_OK) return rc;
    snprintf(e->lang, sizeof e->lang, "%s", o->lang && *o->lang ? o->lang : CB_LANG_DEFAULT);
    e->out_dir = cb_xstrdup(o->out_dir ? o->out_dir : "out");
    if ((rc = resolve_report(e, o->report ? o->report : "briefing", err)) != CB_OK) return rc;
    e->src.limits = o->lua_limits;
    e->src.clock = &e->clock;
    /* what the report says of itself and needs from the data, before any county runs */
    if ((rc = cb_lua_report_prelude(&e->src, &e->ds, &e->needs, &e->decl, err)) != CB_OK) return rc;
    e->src.decl = &e->decl;
    e->src.lang = e->lang;
    if ((rc = cb_engine_check_lang(e, e->lang, err)) != CB_OK) return rc;
    if (!o->keep_needs) {
        size_t n = cb_check_needs(&e->needs, &e->ds, e->report_name, stderr, "countybrief: ");
        if (n)
            return cb_fail(err, CB_EDATA, "%zu problem%s with the data in %s for report %s (above)", n,
                           n == 1 ? "" : "s", e->data_dir, e->report_name);
    }
    if ((rc = cb_template_load_limited(&e->tpl, o->template_name ? o->template_name : "briefing", e->share,
                                       e->lang, &o->lua_limits, err)) != CB_OK)
        return rc;
    e->src.tpl = &e->tpl;
    if ((rc = output_set(e, o->template_name, err)) != CB_OK) return rc;
    return open_fonts(e, o, err);
}

void cb_engine_close(cb_engine *e)
{
    int counted = e->counted;
    cb_dataset_free(&e->ds);
    cb_needs_free(&e->needs);
    cb_report_decl_free(&e->decl);
    if (e->tpl.footer || e->tpl.name) cb_template_free(&e->tpl);
    cb_font_close(e->font);
    free(e->font_notes);
    free(e->data_dir);
    free(e->out_dir);
    free(e->report_path);
    free(e->report_name);
    free(e->report_dir);
    free(e->scripts_dir);
    free(e->out_set);
    cb_chunk_cache_free(e->src.chunks);
    memset(e, 0, sizeof *e);
    if (!counted) return;
    cb_plugins_unload_all(); /* this engine's hold (plugins.h): the last engine to close unloads */
    if (--open_engines > 0) return;
    cb_backends_release();
}

int cb_engine_prepare_output(cb_engine *e, cb_error *err)
{
    int rc = cb_mkdir_p(e->out_dir, 0777, "output folder", err);
    if (rc != CB_OK) return rc;
    if (access(e->out_dir, W_OK) != 0)
        return cb_fail(err, CB_EIO, "%s: output folder cannot be written: %s", e->out_dir, strerror(errno));
    return CB_OK;
}

/* Appends the output name of (id, name, set) in the format of extension ext to b. */
static void output_name_to(cb_buf *b, const char *id, const char *name, const char *set, const char *ext)
{
    add_part(b, id, 0);
    cb_buf_adds(b, "-");
    add_part(b, name, 0);
    cb_buf_adds(b, set);
    cb_buf_addf(b, ".%s", ext);
}

char *cb_output_name(const char *id, const char *name, const char *set)
{
    cb_buf b = {0};
    output_name_to(&b, id, name, set, cb_backend_default()->ext);
    return b.s;
}

static char *output_all_name(const cb_engine *e, const char *ext);

char *cb_output_file(const cb_engine *e, long county, size_t k)
{
    if (county < 0) return output_all_name(e, e->formats[k]->ext);
    cb_buf b = {0};
    output_name_to(&b, cb_county_id(&e->ds, (size_t)county), cb_county_name(&e->ds, (size_t)county), e->out_set,
                   e->formats[k]->ext);
    return b.s;
}

char *cb_output_all_name(const cb_engine *e)
{
    return output_all_name(e, (e->nformats ? e->formats[0] : cb_backend_default())->ext);
}

void cb_render_result_free(cb_render_result *res)
{
    free(res->path);
    res->path = NULL;
    for (size_t k = 0; k < res->nalso; k++) free(res->also[k].path);
    res->nalso = 0;
}

static char *output_all_name(const cb_engine *e, const char *ext)
{
    const char *slash = strrchr(e->report_path, '/');
    const char *base = slash ? slash + 1 : e->report_path;
    char *stem = e->decl.output ? cb_xstrdup(e->decl.output)
                                : cb_xstrndup(base, ends_with(base, ".lua") ? strlen(base) - 4 : strlen(base));
    cb_buf b = {0};
    add_part(&b, stem, 1); /* no '-': never a county's "<id>-<name>" */
    cb_buf_addf(&b, "%s.%s", e->out_set, ext);
    free(stem);
    return b.s;
}

/* A county's name for a message: "<id> <name>". */
static char *county_label(const cb_engine *e, size_t c)
{
    return cb_clean_asprintf("%s %s", cb_county_id(&e->ds, c), cb_county_name(&e->ds, c));
}

/* The key two output names are one file under: case folded and NFC-normalised, as
 * case-insensitive (Windows, macOS) and normalising (macOS) file systems compare them. */
typedef struct name_key {
    char *key, *file;
    size_t county;
} name_key;

/* file's key. Most names are ASCII and CJK unified ideographs, which NFC leaves alone and
 * which have no case but ASCII's: those are lowered byte by byte, without libunistring's
 * casefold and normalisation (a 30,000-county data set has as many names to key). */
/* The fast case of file_key: file's n bytes, ASCII lowered, into key (n + 1 bytes); 0 if
 * it has another character than ASCII and those ideographs. */
static int simple_key(const char *file, size_t n, char *key)
{
    memcpy(key, file, n + 1);
    for (const unsigned char *p = (const unsigned char *)file; *p;) {
        if (*p < 0x80) {
            if (*p >= 'A' && *p <= 'Z') key[(const char *)p - file] = (char)(*p + 32);
            p++;
            continue;
        }
        const char *q = (const char *)p;
        uint32_t cp = (*p & 0xF0) == 0xE0 ? cb_utf8_next(&q, file + n) : 0;
        if (!((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))) return 0;
        p = (const unsigned char *)q;
    }
    return 1;
}

static char *file_key(const char *file)
{
    size_t n = strlen(file);
    char *key = cb_xmalloc(n + 1);
    if (simple_key(file, n, key)) return key;
    free(key);
    size_t len = 0;
    uint8_t *f = u8_casefold((const uint8_t *)file, n, NULL, UNINORM_NFC, NULL, &len);
    key = f ? cb_xstrndup((const char *)f, len) : cb_xstrdup(file); /* not UTF-8: as is */
    free(f);
    return key;
}

static int key_cmp(const void *a, const void *b)
{
    const name_key *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    return d ? d : x->county < y->county ? -1 : x->county > y->county;
}

/* The line for county k[me] of the group k[0..n): "1-a b: its PDF would be one file with
 * that of 1 a-b, 1-a-b.pdf (...)"; at most CLASH_NAMED others are named (a group of
 * thousands must not make messages of thousands of names each), cleaned (util.h). */
#define CLASH_NAMED 3
static char *clash_message(const cb_engine *e, const name_key *k, size_t n, size_t me)
{
    cb_buf b = {0};
    char *who = county_label(e, k[me].county);
    cb_buf_addf(&b, "%s: its PDF would be one file with that of ", who);
    free(who);
    size_t said = 0, others = n - 1;
    for (size_t i = 0; i < n && said < CLASH_NAMED; i++) {
        if (i == me) continue;
        who = county_label(e, k[i].county);
        cb_buf_addf(&b, "%s%s", !said ? "" : said + 1 == others ? " and " : ", ", who);
        said++;
        free(who);
    }
    if (others > said) cb_buf_addf(&b, " and %zu more", others - said);
    cb_buf_addf(&b, ", %s", k[me].file);
    for (size_t i = 0, shown = 0; i < n && shown < CLASH_NAMED; i++)
        if (strcmp(k[i].file, k[me].file) != 0 && (i == 0 || strcmp(k[i].file, k[i - 1].file) != 0)) {
            cb_buf_addf(&b, " = %s", k[i].file);
            shown++;
        }
    cb_buf_adds(&b, " (file names must differ, also with case and Unicode normalisation ignored): not "
                    "rendered; make the ids or names distinct");
    char *line = cb_clean(b.s);
    cb_buf_free(&b);
    return line;
}

/* A county's output name key, hashed: the clash check keeps 16 bytes per county, not two
 * strings, and compares whole keys only where two hashes agree. */
typedef struct key_hash {
    uint64_t h;
    size_t county;
} key_hash;

static int hash_cmp(const void *a, const void *b)
{
    const key_hash *x = a, *y = b;
    return x->h != y->h ? (x->h < y->h ? -1 : 1) : x->county < y->county ? -1 : x->county > y->county;
}

static uint64_t fnv1a(const char *s) { return cb_fnv1a(CB_FNV_SEED, s, strlen(s)); }

/* Of the counties k[0..n) (hashes alike), those whose keys are equal: their lines in clash
 * (allocated on the first). */
static void clash_group(const cb_engine *e, const key_hash *k, size_t n, char ***clash)
{
    name_key *g = cb_xcalloc(n, sizeof *g);
    for (size_t i = 0; i < n; i++) {
        g[i].county = k[i].county;
        g[i].file = cb_output_name(cb_county_id(&e->ds, g[i].county), cb_county_name(&e->ds, g[i].county), e->out_set);
        g[i].key = file_key(g[i].file);
    }
    qsort(g, n, sizeof *g, key_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && strcmp(g[j].key, g[i].key) == 0;) j++;
        if (j - i < 2) continue;
        if (!*clash) *clash = cb_xcalloc(e->ds.ncounties, sizeof **clash);
        for (size_t m = i; m < j; m++) (*clash)[g[m].county] = clash_message(e, g + i, j - i, m - i);
    }
    for (size_t i = 0; i < n; i++) {
        free(g[i].key);
        free(g[i].file);
    }
    free(g);
}

/* Feeds s to hash h as the file name's key has it (a county's id or name as add_part
 * makes it when part, then ASCII lowered: simple_key), without building the name; 0 if s
 * has a character simple_key does not cover. */
static int hash_part(uint64_t *h, const char *s, int part)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x80) { /* the ideographs of simple_key, three bytes each */
            if ((c & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
            uint32_t cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (uint32_t)(p[2] & 0x3F);
            if (!((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))) return 0;
            *h = cb_fnv1a(*h, p, 3);
            p += 2;
            continue;
        }
        if (part && unsafe_byte(c, 0)) c = '_';
        else if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        *h = cb_fnv1a(*h, &c, 1);
    }
    return 1;
}

/* County c's key hash: fnv1a of file_key(its output name in set). */
static uint64_t county_hash(const cb_dataset *ds, size_t c, const char *set)
{
    const char *id = cb_county_id(ds, c), *name = cb_county_name(ds, c);
    uint64_t h = CB_FNV_SEED;
    if (hash_part(&h, id, 1) && hash_part(&h, "-", 0) && hash_part(&h, name, 1) && hash_part(&h, set, 0) &&
        hash_part(&h, ".", 0) && hash_part(&h, cb_backend_default()->ext, 0))
        return h;
    char *file = cb_output_name(id, name, set), *key = file_key(file);
    h = fnv1a(key);
    free(key);
    free(file);
    return h;
}

/* The hashes go into an open-addressed table (no sort of 30,000 of them); a county whose
 * hash is there already is a candidate, and so is the one it met. */
uint32_t *cb_output_clash_candidates(const cb_dataset *ds, size_t *ncand)
{
    size_t n = ds->ncounties, size = 16;
    int bits = 4;
    while (size < 2 * n) size *= 2, bits++;
    key_hash *tab = cb_xcalloc(size, sizeof *tab); /* county + 1 in tab: 0 is empty */
    unsigned char *marked = NULL;
    *ncand = 0;
    for (size_t c = 0; c < n; c++) {
        uint64_t h = county_hash(ds, c, "");
        size_t i = (size_t)((h * 0x9E3779B97F4A7C15ull) >> (64 - bits)); /* Fibonacci hashing: the high bits */
        for (; tab[i].county; i = (i + 1) & (size - 1)) {
            if (tab[i].h != h) continue;
            if (!marked) marked = cb_xcalloc(n, 1);
            size_t pair[2] = {tab[i].county - 1, c};
            for (int k = 0; k < 2; k++)
                if (!marked[pair[k]]) {
                    marked[pair[k]] = 1;
                    ++*ncand;
                }
        }
        tab[i] = (key_hash){h, c + 1};
    }
    free(tab);
    uint32_t *cand = cb_xmalloc((*ncand ? *ncand : 1) * sizeof *cand);
    for (size_t c = 0, k = 0; marked && c < n; c++)
        if (marked[c]) cand[k++] = (uint32_t)c;
    free(marked);
    return cand;
}

/* The candidates (from the index, else computed) hashed with the set's suffix; only they
 * are sorted and their keys compared. */
char **cb_output_clashes(const cb_engine *e)
{
    size_t ncand;
    const uint32_t *stored = cb_dataset_clash_candidates(&e->ds, &ncand);
    uint32_t *own = stored ? NULL : cb_output_clash_candidates(&e->ds, &ncand);
    const uint32_t *cands = stored ? stored : own;
    key_hash *cand = cb_xmalloc((ncand ? ncand : 1) * sizeof *cand);
    for (size_t i = 0; i < ncand; i++) cand[i] = (key_hash){county_hash(&e->ds, cands[i], e->out_set), cands[i]};
    free(own);
    char **clash = NULL;
    if (ncand) qsort(cand, ncand, sizeof *cand, hash_cmp);
    for (size_t i = 0, j; i < ncand; i = j) {
        for (j = i + 1; j < ncand && cand[j].h == cand[i].h;) j++;
        if (j - i > 1) clash_group(e, cand + i, j - i, &clash);
    }
    free(cand);
    return clash;
}

void cb_output_clashes_free(const cb_engine *e, char **clash)
{
    for (size_t c = 0; clash && c < e->ds.ncounties; c++) free(clash[c]);
    free(clash);
}

int cb_output_retire(const cb_engine *e, const char *file, const char *who)
{
    char *path = cb_path_join(e->out_dir, file);
    int r = cb_output_set_aside(path);
    char *line = r == 1 ? cb_clean_asprintf("%s: the previous %s no longer matches the data: moved aside as %s.stale", who, path, file)
                 : r == 2 ? cb_clean_asprintf("%s: the previous %s no longer matches the data: removed", who, path) : NULL;
    if (line) fprintf(stderr, "countybrief: %s\n", line);
    free(line);
    free(path);
    return r > 0;
}

/* cb_layout_trace_missing's question for one county's data: where is ch? */
typedef struct county_data { const cb_dataset *ds; size_t county; } county_data;
static char *where_in_county(void *ctx, const char *ch)
{
    const county_data *cd = ctx;
    return cb_dataset_find_text(cd->ds, cd->county, ch);
}

/* Appends the warnings of a laid-out document to *w: the layout's (county >= 0: with the
 * data cells of missing characters) and table cells wider than their column. They quote
 * the script's and the data's text: cleaned (util.h: cb_clean). */
static void doc_warnings(cb_engine *e, const cb_doc *doc, cb_layout *lay, long county, char ***w,
                         size_t *n)
{
    if (county >= 0) cb_layout_trace_missing(lay, where_in_county, &(county_data){&e->ds, (size_t)county});
    size_t first = *n;
    for (size_t i = 0; i < lay->nwarnings; i++) {
        *w = cb_xrealloc(*w, (*n + 1) * sizeof **w);
        (*w)[(*n)++] = cb_xstrdup(lay->warnings[i]);
    }
    cb_check_table_overflow(doc, &e->tpl, e->font, w, n);
    for (size_t i = first; i < *n; i++) {
        char *clean = cb_clean((*w)[i]);
        free((*w)[i]);
        (*w)[i] = clean;
    }
}

/* Writes lay in each of e's formats: every file is made in memory first (the PDF last, so
 * it can take a CFF face's program from the OFD's font file: font.h), then each is
 * written atomically (output.h), so a county whose OFD cannot be made leaves no PDF
 * either; a later write failing removes the earlier ones. Errors of a format other than
 * PDF say which ("(ofd)"). */
static int write_formats(cb_engine *e, const cb_layout *lay, long county, cb_render_result *res, cb_error *inner)
{
    cb_buf out[CB_FORMATS_MAX] = {{0}};
    int rc = CB_OK;
    for (size_t i = 0, k; i < e->nformats && rc == CB_OK; i++) {
        k = e->nformats > 1 && e->formats[0] == cb_backend_default() ? (i + 1) % e->nformats : i;
        const cb_backend *b = e->formats[k];
        if ((rc = cb_backend_write(b, lay, e->font, &out[k], inner)) != CB_OK && b != cb_backend_default()) {
            char *msg = cb_xstrdup(inner->msg);
            cb_fail(inner, rc, "(%s) %s", b->name, msg);
            free(msg);
        }
    }
    for (size_t k = 0; k < e->nformats && rc == CB_OK; k++) {
        char *file = cb_output_file(e, county, k), *path = cb_path_join(e->out_dir, file);
        free(file);
        rc = cb_write_file_atomic(path, out[k].s, out[k].len, inner);
        cb_render_file f = {path, out[k].len, {0}};
        struct sha256_ctx sha;
        sha256_init(&sha);
        sha256_update(&sha, out[k].len, (const uint8_t *)out[k].s);
        sha256_digest(&sha, sizeof f.sha256, f.sha256);
        if (rc != CB_OK) {
            free(path);
            for (size_t j = 0; j < k; j++) unlink(j ? res->also[j - 1].path : res->path);
        } else if (k == 0) {
            res->path = path;
            res->bytes = f.bytes;
            memcpy(res->sha256, f.sha256, sizeof f.sha256);
        } else {
            res->also[res->nalso++] = f;
        }
    }
    for (size_t k = 0; k < e->nformats; k++) cb_buf_free(&out[k]);
    return rc;
}

/* After the script ran (rc): lays out doc, prints its warnings naming `who`, writes its
 * files (county < 0: the report over all counties'). Errors in err name `who`. */
static int finish_doc(cb_engine *e, int rc, cb_doc *doc, cb_error *inner, long county, const char *who,
                      cb_render_result *res, cb_error *err)
{
    cb_layout lay = {0};
    if (rc == CB_OK && doc->nblocks == 0)
        rc = cb_fail(inner, CB_ESCRIPT, "%s: the report added nothing to the document", e->report_name);
    if (rc == CB_OK) rc = cb_layout_run(&lay, doc, &e->tpl, e->font, inner);
    if (rc == CB_OK) {
        char **w = NULL;
        size_t nw = 0;
        doc_warnings(e, doc, &lay, county, &w, &nw);
        for (size_t i = 0; i < nw; i++) {
            if (!e->quiet) fprintf(stderr, "countybrief: warning: %s: %s\n", who, w[i]);
            free(w[i]);
        }
        free(w);
        lay.info.standard = e->pdf_standard;
        rc = write_formats(e, &lay, county, res, inner);
    }
    if (rc != CB_OK) {
        cb_fail(err, rc, "%s: %s", who, inner->msg);
        cb_render_result_free(res);
    } else {
        res->pages = lay.npages;
    }
    cb_layout_free(&lay);
    return rc;
}

int cb_render_county(cb_engine *e, size_t county, cb_render_result *res, cb_error *err)
{
    double t0 = now_ms();
    memset(res, 0, sizeof *res);
    const char *id = cb_county_id(&e->ds, county), *name = cb_county_name(&e->ds, county);
    cb_doc doc;
    cb_doc_init(&doc);
    cb_error inner;
    int rc = cb_dataset_focus(&e->ds, county, &inner); /* its rows, if they stay on disk */
    if (rc == CB_OK) rc = cb_lua_run_report(&e->src, &e->ds, county, &doc, &inner);
    char *who = cb_clean_asprintf("%s %s", id, name);
    rc = finish_doc(e, rc, &doc, &inner, (long)county, who, res, err);
    free(who);
    cb_doc_free(&doc);
    res->ms = now_ms() - t0;
    return rc;
}

int cb_render_all(cb_engine *e, const size_t *which, size_t n, cb_render_result *res,
                  cb_error *err)
{
    double t0 = now_ms();
    memset(res, 0, sizeof *res);
    cb_doc doc;
    cb_doc_init(&doc);
    cb_error inner;
    int rc = cb_dataset_focus_all(&e->ds, &inner); /* every row, if they stay on disk */
    if (rc == CB_OK) rc = cb_lua_run_report_all(&e->src, &e->ds, which, n, &doc, &inner);
    char *file = cb_output_all_name(e);
    rc = finish_doc(e, rc, &doc, &inner, -1, file, res, err);
    free(file);
    cb_doc_free(&doc);
    res->ms = now_ms() - t0;
    return rc;
}

/* cb_check_county and cb_check_all after the script ran (rc). */
static int check_doc(cb_engine *e, int rc, cb_doc *doc, cb_error *inner, long county, const char *who,
                     char ***warnings, size_t *nwarnings, cb_error *err)
{
    cb_layout lay = {0};
    if (rc == CB_OK && doc->nblocks == 0)
        rc = cb_fail(inner, CB_ESCRIPT, "%s: the report added nothing to the document", e->report_name);
    if (rc == CB_OK) rc = cb_layout_run(&lay, doc, &e->tpl, e->font, inner);
    if (rc == CB_OK) doc_warnings(e, doc, &lay, county, warnings, nwarnings);
    if (rc != CB_OK) cb_fail(err, rc, "%s: %s", who, inner->msg);
    cb_layout_free(&lay);
    return rc;
}

int cb_check_county(cb_engine *e, size_t county, char ***warnings, size_t *nwarnings,
                    cb_error *err)
{
    cb_doc doc;
    cb_doc_init(&doc);
    cb_error inner;
    int rc = cb_dataset_focus(&e->ds, county, &inner);
    if (rc == CB_OK) rc = cb_lua_run_report(&e->src, &e->ds, county, &doc, &inner);
    char *who = cb_clean_asprintf("%s %s", cb_county_id(&e->ds, county), cb_county_name(&e->ds, county));
    rc = check_doc(e, rc, &doc, &inner, (long)county, who, warnings, nwarnings, err);
    free(who);
    cb_doc_free(&doc);
    return rc;
}

int cb_check_all(cb_engine *e, const size_t *which, size_t n, char ***warnings,
                 size_t *nwarnings, cb_error *err)
{
    cb_doc doc;
    cb_doc_init(&doc);
    cb_error inner;
    int rc = cb_dataset_focus_all(&e->ds, &inner);
    if (rc == CB_OK) rc = cb_lua_run_report_all(&e->src, &e->ds, which, n, &doc, &inner);
    char *file = cb_output_all_name(e);
    rc = check_doc(e, rc, &doc, &inner, -1, file, warnings, nwarnings, err);
    free(file);
    cb_doc_free(&doc);
    return rc;
}
