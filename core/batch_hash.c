/* batch_hash.c: a batch's input hashes (batch_int.h): what every county's PDF depends on
 * and each county's own rows, the file digests that spare re-reading unchanged files, kept
 * in the manifest and in the cache. */
#include "batch_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "output.h"
#include "plugins.h"

void batch_hex(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static void hash_str(struct sha256_ctx *c, const char *s)
{
    size_t n = strlen(s) + 1; /* with the NUL, so "ab","c" differs from "a","bc" */
    sha256_update(c, n, (const uint8_t *)s);
}

/* A hash of inputs under way: the files it reads go through the run's digests. */
typedef struct hasher {
    struct sha256_ctx c;
    digests *dg;
} hasher;

static int file_digest_of(digests *dg, const char *path, unsigned char d[32])
{
    struct stat st;
    int fd = cb_open_regular(path, O_RDONLY, 0, &st); /* a FIFO or /dev/zero: unreadable, never a hang */
    /* not covered: fdopen failing (no memory), and the open failing: every file hashed here
     * was found moments before (the report, its modules, template.lua, the logo, the font
     * faces, the plugins) and root, running the tests, reads any mode; so "(unreadable)" in
     * hash_file too */
    FILE *fp = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!fp) {
        if (fd >= 0) close(fd);
        return -1;
    }
    file_digest now = {.id = cb_file_id_of(&st)};
    for (size_t i = 0; i < dg->nknown; i++)
        if (strcmp(dg->known[i].path, path) == 0 && cb_file_id_same(&dg->known[i].id, &now.id)) {
            memcpy(d, dg->known[i].d, 32);
            fclose(fp);
            goto remember;
        }
    struct sha256_ctx c;
    sha256_init(&c);
    uint8_t buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) sha256_update(&c, n, buf);
    int bad = ferror(fp); /* not covered: a read error (a disk failing), and bad below */
    fclose(fp);
    if (bad) return -1;
    sha256_digest(&c, 32, d);
    if (!now.id.settled) return 0;
    dg->nfresh++;
remember:
    dg->seen = cb_xrealloc(dg->seen, (dg->nseen + 1) * sizeof *dg->seen);
    now.path = cb_xstrdup(path);
    memcpy(now.d, d, 32);
    dg->seen[dg->nseen++] = now;
    return 0;
}

static void hash_file(hasher *h, const char *path)
{
    hash_str(&h->c, path);
    unsigned char d[32];
    if (file_digest_of(h->dg, path, d) != 0) hash_str(&h->c, "(unreadable)");
    else sha256_update(&h->c, sizeof d, d);
}

void batch_digests_free(digests *dg)
{
    for (size_t i = 0; i < dg->nknown; i++) free(dg->known[i].path);
    for (size_t i = 0; i < dg->nseen; i++) free(dg->seen[i].path);
    free(dg->known);
    free(dg->seen);
    memset(dg, 0, sizeof *dg);
}

static long long json_ll(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

void batch_read_digests(digests *dg, json_t *files)
{
    const char *path;
    json_t *it;
    /* not covered: json_object_foreach's own test of the iterator's value (never NULL for a key) */
    json_object_foreach(files, path, it) {
        const char *hexd = json_string_value(json_object_get(it, "sha256"));
        /* not covered: a file's digest without "sha256" (a hand-edited manifest; the tests' damaged
         * ones, "xyz", take the length's side) */
        if (!hexd || strlen(hexd) != 64) continue;
        file_digest f = {cb_xstrdup(path),
                         {json_ll(it, "size"), json_ll(it, "mtime_ns"), json_ll(it, "ctime_ns"),
                          json_ll(it, "ino"), json_ll(it, "dev"), 1},
                         {0}};
        for (int k = 0; k < 32; k++) {
            unsigned v = 0;
            sscanf(hexd + 2 * k, "%2x", &v);
            f.d[k] = (unsigned char)v;
        }
        dg->known = cb_xrealloc(dg->known, (dg->nknown + 1) * sizeof *dg->known);
        dg->known[dg->nknown++] = f;
    }
}

json_t *batch_digests_json(const digests *dg)
{
    json_t *files = json_object();
    for (size_t i = 0; i < dg->nseen; i++) {
        json_t *o = json_object();
        char h[65];
        batch_hex(dg->seen[i].d, 32, h);
        json_object_set_new(o, "size", json_integer(dg->seen[i].id.size));
        json_object_set_new(o, "mtime_ns", json_integer(dg->seen[i].id.mtime_ns));
        json_object_set_new(o, "ctime_ns", json_integer(dg->seen[i].id.ctime_ns));
        json_object_set_new(o, "ino", json_integer(dg->seen[i].id.ino));
        json_object_set_new(o, "dev", json_integer(dg->seen[i].id.dev));
        json_object_set_new(o, "sha256", json_string(h));
        json_object_set_new(files, dg->seen[i].path, o);
    }
    return files;
}

/* The digests also live in the cache (${XDG_CACHE_HOME:-~/.cache}/countybrief/file-digests),
 * for a run whose output folder has no manifest yet: without them a first render into a
 * new folder hashes the fonts again (93 MB of Noto CJK). A run adds its files' digests to
 * those of the runs before (of other data, reports, templates or trees: rendering them by
 * turns re-hashes nothing), the newest first, up to DIGESTS_KEPT files. Best effort both
 * ways, like every cache. */
#define DIGESTS_CACHE_MAX (4u << 20)
#define DIGESTS_KEPT 4096

static json_t *digests_cached(void)
{
    char *path = cb_cache_path("file-digests");
    /* not covered: no cache folder (neither XDG_CACHE_HOME nor HOME: the tests set XDG_CACHE_HOME) */
    char *text = path ? cb_file_read(path, DIGESTS_CACHE_MAX, NULL, NULL) : NULL;
    json_error_t jerr;
    json_t *root = text ? json_loads(text, 0, &jerr) : NULL;
    free(text);
    free(path);
    /* not covered: JSON not an object (the cache file is written by batch_digests_remember alone) */
    if (json_is_object(root)) return root;
    json_decref(root);
    return NULL;
}

void batch_digests_recall(digests *dg)
{
    if (dg->nknown) return;
    json_t *root = digests_cached();
    if (root) batch_read_digests(dg, root);
    json_decref(root);
}

void batch_digests_remember(const digests *dg)
{
    if (!dg->nfresh) return;
    char *path = cb_cache_path("file-digests"), *folder = cb_cache_path(NULL);
    /* not covered: no cache folder (neither XDG_CACHE_HOME nor HOME: the tests set XDG_CACHE_HOME),
     * or one of the two without the other (both come from the same variables) */
    if (path && folder) {
        (void)cb_mkdir_p(folder, 0700, "cache folder", NULL);
        json_t *files = batch_digests_json(dg), *before = digests_cached(), *it;
        const char *file;
        /* read again now, not at the start: another process may have added to it since
         * (not covered: json_object_foreach's test of a key without a value, never true) */
        json_object_foreach(before, file, it) {
            /* not covered: a cache of DIGESTS_KEPT files (no test hashes 4,096 files) */
            if (json_object_size(files) >= DIGESTS_KEPT) break;
            if (!json_object_get(files, file)) json_object_set(files, file, it);
        }
        json_decref(before);
        char *text = json_dumps(files, JSON_COMPACT);
        cb_error err;
        /* not covered: json_dumps failing (no memory) */
        if (text) (void)cb_write_file_atomic(path, text, strlen(text), &err);
        free(text);
        json_decref(files);
    }
    free(folder);
    free(path);
}


static void hash_walked(void *h, const char *path, const struct stat *st)
{
    (void)st;
    hash_file(h, path);
}

/* The modules require() can load from dir: its *.lua files, CB_MODULE_DEPTH folders down. */
static void hash_modules(hasher *h, const char *dir)
{
    cb_walk_files(dir, ".lua", CB_MODULE_DEPTH, hash_walked, h);
}

static void hash_rows(struct sha256_ctx *c, const cb_table *t, const size_t *rows, size_t n)
{
    hash_str(c, t->name);
    for (size_t k = 0; k < t->ncols; k++) hash_str(c, t->cols[k]);
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        for (size_t k = 0; k < t->ncols; k++) {
            const cb_value *v = cb_table_cell(t, r, k);
            uint8_t ty = (uint8_t)v->type;
            sha256_update(c, 1, &ty);
            if (v->type == CB_T_NUMBER) sha256_update(c, sizeof v->num, (const uint8_t *)&v->num);
            else if (v->type == CB_T_TEXT) hash_str(c, v->text);
        }
    }
}

/* A fontconfig fallback: its place in the list and its file as it stands (size, times,
 * inode), not its bytes: the installed fonts are tens of megabytes that most runs never
 * read, and replacing or editing one changes its stat. */
static void hash_fallback(void *c, const char *path, int index)
{
    cb_file_id f;
    (void)cb_file_id_at(path, &f); /* missing: all 0 */
    char buf[160];
    snprintf(buf, sizeof buf, "%d %lld %lld %lld %lld %lld", index, f.size, f.mtime_ns, f.ctime_ns,
             f.ino, f.dev);
    hash_str(c, path);
    hash_str(c, buf);
}

/* The run's date (clock.h), which the cover, the PDF's dates and the scripts' clock show,
 * by its second: whether it came from SOURCE_DATE_EPOCH or --date, the same date gives the
 * same PDF. A date a report sets (doc:date) comes from the report and the data, both hashed. */
static void hash_clock(struct sha256_ctx *c, const cb_clock *clock)
{
    char buf[64] = "undated";
    if (clock->set) snprintf(buf, sizeof buf, "date=%lld", clock->t);
    hash_str(c, buf);
}

/* What every county's PDF depends on besides its own rows (docs/manifests.md, "What a
 * county's hash covers": keep the two in step). */
struct sha256_ctx batch_global_inputs(const cb_engine *e, digests *dg)
{
    hasher h = {.dg = dg};
    struct sha256_ctx *c = &h.c;
    sha256_init(c);
    hash_str(c, "countybrief " CB_VERSION_STRING);
    const char *where; /* the data source: a CSV folder, or the plugin's reader */
    const cb_source_type *src = cb_is_dir(e->data_dir) ? NULL : cb_plugins_source(e->data_dir, &where);
    hash_str(c, src ? src->name : "csv folder");
    char limits[64]; /* a script may catch its limits' errors (pcall) and print otherwise */
    snprintf(limits, sizeof limits, "%.17g %.17g", e->src.limits.memory_mib, e->src.limits.cpu_budget_s);
    hash_str(c, limits);
    hash_file(&h, e->report_path);
    hash_modules(&h, e->report_dir);
    if (strcmp(e->report_dir, e->scripts_dir) != 0) hash_modules(&h, e->scripts_dir);
    char *tpl = cb_path_join(e->tpl.dir, "template.lua"); /* all a template loads: it and its logo */
    hash_file(&h, tpl);
    free(tpl);
    if (e->tpl.logo) hash_file(&h, e->tpl.logo);
    hash_str(c, e->lang); /* labels, number formats and the font list follow it */
    if (e->pdf_standard) hash_str(c, cb_pdf_standard_name(e->pdf_standard)); /* none: as before it existed */
    if (e->nformats != 1 || e->formats[0] != cb_backend_default()) /* the files made (PDF alone: */
        for (size_t k = 0; k < e->nformats; k++) hash_str(c, e->formats[k]->name); /* keys as before) */
    for (size_t i = 0; i < cb_font_nfaces(e->font); i++) { /* each face: its file and place in it */
        hash_file(&h, cb_font_face_path(e->font, (int)i));
        char face[64];
        snprintf(face, sizeof face, "face %d", cb_font_face_index(e->font, (int)i));
        hash_str(c, face);
    }
    for (int r = 0; r < CB_FONT_NROLES; r++) { /* which face sets which role (typeface.h) */
        char role[64];
        snprintf(role, sizeof role, "%s %d %d", cb_font_role_names[r], cb_font_role_face(e->font, (cb_font_role)r, 0),
                 cb_font_role_face(e->font, (cb_font_role)r, 1));
        hash_str(c, role);
    }
    cb_font_fallback_candidates(e->font, hash_fallback, c);
    for (size_t i = 0; i < cb_plugins_count(); i++) hash_file(&h, cb_plugins_path(i));
    hash_clock(c, &e->clock);
    for (size_t t = 0; t < e->ds.ntables; t++) {
        const cb_table *tb = e->ds.tables[t];
        if (tb->county_col < 0) hash_rows(c, tb, NULL, tb->nrows);
        if (cb_table_on_disk(tb)) { /* its rows are in the county digests; its header here */
            hash_str(c, tb->name);
            for (size_t k = 0; k < tb->ncols; k++) {
                hash_str(c, tb->cols[k]);
                sha256_update(c, sizeof tb->types[k], (const uint8_t *)&tb->types[k]);
            }
        }
    }
    return h.c;
}

void batch_county_key(const struct sha256_ctx *global, const cb_engine *e, size_t county, char out[65])
{
    struct sha256_ctx c = *global;
    for (size_t t = 0; t < e->ds.ntables; t++) {
        const cb_table *tb = e->ds.tables[t];
        if (tb->county_col < 0 || cb_table_on_disk(tb)) continue;
        const size_t *rows;
        size_t n = cb_table_county_rows(tb, county, &rows);
        hash_rows(&c, tb, rows, n);
    }
    if (e->ds.county_digests) sha256_update(&c, 32, e->ds.county_digests + 32 * county);
    unsigned char d[32];
    sha256_digest(&c, sizeof d, d);
    batch_hex(d, sizeof d, out);
}
