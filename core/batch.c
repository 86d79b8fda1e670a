/* batch.c: see batch.h. */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <nettle/sha2.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "manifest.h"
#include "output.h"
#include "backend.h"
#include "plugins.h"
#include "pool.h"
#include "repeats.h"


static void hex(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

size_t cb_shard_of(const char *county_id, size_t nshards)
{
    uint64_t h = cb_fnv1a(CB_FNV_SEED, county_id, strlen(county_id)); /* stable across runs and machines */
    return nshards ? (size_t)(h % nshards) : 0;
}

/* ------------------------------------------------------------------ input hashes */

static void hash_str(struct sha256_ctx *c, const char *s)
{
    size_t n = strlen(s) + 1; /* with the NUL, so "ab","c" differs from "a","bc" */
    sha256_update(c, n, (const uint8_t *)s);
}

/*
 * File digests are kept in the manifest ("files") with the stat they were taken at; a
 * file whose size, times, inode and device are unchanged is not read again (the font
 * alone is 5 MB: hashing it was a tenth of a one-county run). A file changed in the last
 * two seconds is hashed but not remembered (its identity is not settled, util.h).
 */
typedef struct file_digest {
    char *path;
    cb_file_id id; /* util.h */
    unsigned char d[32];
} file_digest;

/* A run's digests, owned by cb_batch_run: those known from the manifests (or the cache),
 * and those taken this run (nfresh of them read and hashed, the rest recalled). */
typedef struct digests {
    file_digest *known, *seen;
    size_t nknown, nseen, nfresh;
} digests;

/* A hash of inputs under way: the files it reads go through the run's digests. */
typedef struct hasher {
    struct sha256_ctx c;
    digests *dg;
} hasher;

static int file_digest_of(digests *dg, const char *path, unsigned char d[32])
{
    struct stat st;
    int fd = cb_open_regular(path, O_RDONLY, 0, &st); /* a FIFO or /dev/zero: unreadable, never a hang */
    FILE *fp = fd >= 0 ? fdopen(fd, "rb") : NULL; /* not covered: fdopen failing (no memory) */
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
    int bad = ferror(fp); /* not covered: a read error (a disk failing) */
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

static void digests_free(digests *dg)
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

static void read_digests(digests *dg, json_t *files)
{
    const char *path;
    json_t *it;
    json_object_foreach(files, path, it) {
        const char *hexd = json_string_value(json_object_get(it, "sha256"));
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

static json_t *digests_json(const digests *dg)
{
    json_t *files = json_object();
    for (size_t i = 0; i < dg->nseen; i++) {
        json_t *o = json_object();
        char h[65];
        hex(dg->seen[i].d, 32, h);
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
 * new folder hashes the 5 MB font again. Best effort both ways, like every cache. */
#define DIGESTS_CACHE_MAX (4u << 20)

static void digests_recall(digests *dg)
{
    if (dg->nknown) return;
    char *path = cb_cache_path("file-digests");
    char *text = path ? cb_file_read(path, DIGESTS_CACHE_MAX, NULL, NULL) : NULL;
    json_error_t jerr;
    json_t *root = text ? json_loads(text, 0, &jerr) : NULL;
    if (json_is_object(root)) read_digests(dg, root);
    json_decref(root);
    free(text);
    free(path);
}

static void digests_remember(const digests *dg)
{
    if (!dg->nfresh) return;
    char *path = cb_cache_path("file-digests"), *folder = cb_cache_path(NULL);
    if (path && folder) {
        (void)cb_mkdir_p(folder, 0700, "cache folder", NULL);
        json_t *files = digests_json(dg);
        char *text = json_dumps(files, JSON_COMPACT);
        cb_error err;
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
static struct sha256_ctx global_inputs(const cb_engine *e, digests *dg)
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

static void county_key(const struct sha256_ctx *global, const cb_engine *e, size_t county, char out[65])
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
    hex(d, sizeof d, out);
}

/* ------------------------------------------------------------------ the manifest */

typedef struct entry {
    char key[65];          /* input hash */
    long long gen;         /* the generation of the run that rendered or checked it (manifest.h) */
    char sha[65];          /* of the PDF */
    char *file;            /* name inside the output folder */
    size_t pages, bytes;
    double ms;
    const char *status;    /* "rendered", "skipped", "failed", or NULL: not in this run */
    char *error;
    char *stale;           /* failed: its previous PDF, moved aside under this name */
    size_t nalso;          /* the files of the other formats (--format pdf,ofd): "also" */
    struct also {
        char *file;
        size_t bytes;
        char sha[65];
    } also[CB_FORMATS_MAX - 1];
    struct entry *next;    /* read back: the county's entries of other inputs (read_manifests) */
} entry;

static void entry_free(entry *en)
{
    free(en->file);
    free(en->error);
    free(en->stale);
    for (size_t k = 0; k < en->nalso; k++) free(en->also[k].file);
    en->nalso = 0;
}

/* Copies the other formats' files of `from` into `to` (whose own are freed). */
static void also_copy(entry *to, const entry *from)
{
    for (size_t k = 0; k < to->nalso; k++) free(to->also[k].file);
    to->nalso = from->nalso;
    for (size_t k = 0; k < from->nalso; k++) {
        to->also[k] = from->also[k];
        to->also[k].file = cb_xstrdup(from->also[k].file);
    }
}

/* Frees a county's entries read back, the first in place. */
static void entries_free(entry *en)
{
    for (entry *x = en->next, *nx; x; x = nx) {
        nx = x->next;
        entry_free(x);
        free(x);
    }
    entry_free(en);
}

/* A run's entries, by county: tab[c] is NULL until county c has one (a one-county run
 * against 30,000 counties allocates one, not 30,000). */
static entry *entry_at(entry **tab, size_t c)
{
    if (!tab[c]) tab[c] = cb_xcalloc(1, sizeof *tab[c]);
    return tab[c];
}

/* Each output set (render.h) keeps its own manifest, manifest<set>.json (manifest.json,
 * manifest.en.json, manifest.onepager.json), so sets rendered by turns into one folder
 * never make each other's counties look changed. A sharded run writes its own too,
 * manifest<set>.shard-K-of-N.json, so shards sharing one output folder never write the
 * same file; every run reads them all (read_manifests), and `countybrief manifest merge`
 * joins them (manifest.h). */
static char *manifest_path(const cb_engine *e, const cb_batch_opts *o)
{
    char *name = o->nshards ? cb_xasprintf("manifest%s.shard-%zu-of-%zu.json", e->out_set, o->shard + 1, o->nshards)
                            : cb_xasprintf("manifest%s.json", e->out_set);
    char *path = cb_path_join(e->out_dir, name);
    free(name);
    return path;
}

/* The manifest or journal at path, read back; NULL if there is none, or (said in one line
 * on stderr) it is a link, FIFO, device or larger than CB_MANIFEST_MAX: then `then` says
 * what becomes of it. */
static char *read_own(const char *path, const char *then)
{
    cb_error err;
    char *text = cb_file_read(path, CB_MANIFEST_MAX, NULL, &err);
    int e = errno;
    if (!text && e != ENOENT) fprintf(stderr, "countybrief: %s; ignored, %s\n", err.msg, then);
    errno = e; /* for the caller */
    return text;
}

/* The journal (.manifest.json.journal, hidden): one line per county rendered since the
 * manifest was last written, appended as each PDF lands, so a run that is killed keeps the
 * counties it finished: the next run reads the manifest, then the journal, and skips those.
 * Removed once the manifest is written. */
static char *journal_path(const cb_engine *e, const cb_batch_opts *o)
{
    char *m = manifest_path(e, o), *slash = strrchr(m, '/');
    char *j = cb_xasprintf("%.*s.%s.journal", slash ? (int)(slash - m + 1) : 0, m, slash ? slash + 1 : m);
    free(m);
    return j;
}

/* One county's manifest (or journal) entry into old[] (gen: its manifest's generation, for
 * an entry that has none): the county's entry of these inputs, unless it has a newer one.
 * Only counties marked in ask when ask is not NULL. */
static void read_entry(const cb_engine *e, json_t *it, long long gen, const unsigned char *ask, entry **old)
{
    const char *id = json_string_value(json_object_get(it, "county_id"));
    const char *key = json_string_value(json_object_get(it, "inputs"));
    const char *sha = json_string_value(json_object_get(it, "sha256"));
    const char *file = json_string_value(json_object_get(it, "file"));
    const char *status = json_string_value(json_object_get(it, "status"));
    if (!id || !key || !sha || !file || !status || strcmp(status, "failed") == 0) return;
    long k = cb_dataset_find_county(&e->ds, id);
    if (k < 0 || strlen(key) != 64 || strlen(sha) != 64 || (ask && !ask[k])) return;
    if (json_object_get(it, "generation")) gen = cb_manifest_generation(it);
    entry *en = NULL, *head = entry_at(old, (size_t)k);
    for (entry *x = head; x && x->file && !en; x = x->next)
        if (strcmp(x->key, key) == 0) en = x;
    if (en && en->gen > gen) return;
    if (!en && !head->file) en = head;
    else if (!en) { /* other inputs than those read so far: kept beside them */
        en = cb_xcalloc(1, sizeof *en);
        en->next = head->next;
        head->next = en;
    }
    entry_free(en);
    en->gen = gen;
    memcpy(en->key, key, 65);
    memcpy(en->sha, sha, 65);
    en->file = cb_xstrdup(file);
    en->pages = (size_t)json_integer_value(json_object_get(it, "pages"));
    en->bytes = (size_t)json_integer_value(json_object_get(it, "bytes"));
    en->ms = json_number_value(json_object_get(it, "ms"));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(it, "also"), i, a) {
        const char *f = json_string_value(json_object_get(a, "file"));
        const char *h = json_string_value(json_object_get(a, "sha256"));
        if (!f || !h || strlen(h) != 64 || en->nalso == CB_FORMATS_MAX - 1) continue;
        struct also *o = &en->also[en->nalso++];
        o->file = cb_xstrdup(f);
        o->bytes = (size_t)json_integer_value(json_object_get(a, "bytes"));
        memcpy(o->sha, h, 65);
    }
}

/* Reads what the output folder knows of this output set: with ask NULL this run's own
 * manifest and journal; else every other manifest of the set, of any shard layout
 * (manifest<set>.json, manifest<set>.shard-K-of-N.json), and their journals, for the
 * counties marked in ask. The file digests are kept (even with --force: they describe the
 * inputs, not the outputs); unless force, each county's entries go into old[], one per
 * inputs key, so that whichever run or layout rendered a county, a run whose inputs match
 * skips it. Returns the highest generation seen. A missing, unreadable or corrupt manifest
 * just means less can be skipped. */
static long long read_manifests(const cb_engine *e, const cb_batch_opts *o, const unsigned char *ask, entry **old,
                                digests *dg)
{
    char *own = manifest_path(e, o), *own_journal = journal_path(e, o);
    size_t n;
    cb_manifest_name *l = cb_manifest_list(e->out_dir, e->out_set, 1, &n);
    long long gen = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = cb_path_join(e->out_dir, l[i].name);
        int mine = strcmp(path, l[i].journal ? own_journal : own) == 0;
        if (mine == (ask != NULL)) {
            free(path);
            continue;
        }
        char *text = read_own(path, !mine ? "not this run's"
                                    : l[i].journal ? "removed (a new journal is started)"
                                                   : "this run's manifest replaces it");
        /* the journal is appended to below: a link or no file there goes (never its target) */
        if (!text && mine && l[i].journal && (errno == ELOOP || errno == EINVAL)) unlink(path);
        free(path);
        json_error_t jerr;
        json_t *it;
        if (!l[i].journal) {
            json_t *root = text ? json_loads(text, 0, &jerr) : NULL;
            read_digests(dg, json_object_get(root, "files"));
            long long g = cb_manifest_generation(root);
            if (g > gen) gen = g;
            size_t k;
            if (!o->force) json_array_foreach(json_object_get(root, "counties"), k, it) read_entry(e, it, g, ask, old);
            json_decref(root);
        }
        for (char *line = text, *nl; l[i].journal && line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            if (nl) *nl = '\0';
            if ((it = json_loads(line, 0, &jerr))) { /* a torn last line does not parse: skipped */
                long long g = cb_manifest_generation(it);
                if (g > gen) gen = g;
                if (!o->force) read_entry(e, it, 0, ask, old);
                json_decref(it);
            }
        }
        free(text);
    }
    cb_manifest_list_free(l, n);
    free(own);
    free(own_journal);
    return gen;
}

/* 1 if county c has an entry read back of inputs key. */
static int known_inputs(const entry *old, const char *key)
{
    for (const entry *x = old; x && x->file; x = x->next)
        if (strcmp(x->key, key) == 0) return 1;
    return 0;
}

/* 1 if file is in the output folder with the size recorded. */
static int still_there(const cb_engine *e, const char *file, size_t bytes)
{
    char *path = cb_path_join(e->out_dir, file);
    struct stat st;
    int same = stat(path, &st) == 0 && (size_t)st.st_size == bytes;
    free(path);
    return same;
}

/* Of county c's entries read back, the one of inputs key whose files (PDF, and those of the
 * other formats) are there with the sizes recorded; NULL if none. */
static const entry *unchanged(const cb_engine *e, const entry *old, const char *key)
{
    for (const entry *x = old; x && x->file; x = x->next) {
        if (strcmp(x->key, key) != 0) continue;
        int same = still_there(e, x->file, x->bytes) && x->nalso + 1 == e->nformats;
        for (size_t k = 0; same && k < x->nalso; k++) same = still_there(e, x->also[k].file, x->also[k].bytes);
        return same ? x : NULL; /* one entry per key */
    }
    return NULL;
}

/* Of county c's entries read back, the newest (taken out of the list into *to). */
static void take_newest(entry *old, entry *to)
{
    entry *best = old;
    for (entry *x = old->next; x; x = x->next)
        if (x->gen > best->gen) best = x;
    *to = *best;
    to->next = NULL;
    best->file = best->error = best->stale = NULL;
    best->nalso = 0; /* its files' names are to's now */
}

static json_t *entry_json(const cb_engine *e, size_t i, const entry *en)
{
    json_t *o = json_object();
    json_object_set_new(o, "county_id", json_string(cb_county_id(&e->ds, i)));
    json_object_set_new(o, "name", json_string(cb_county_name(&e->ds, i)));
    json_object_set_new(o, "status", json_string(en->status));
    json_object_set_new(o, "file", en->file ? json_string(en->file) : json_null());
    json_object_set_new(o, "pages", json_integer((json_int_t)en->pages));
    json_object_set_new(o, "bytes", json_integer((json_int_t)en->bytes));
    json_object_set_new(o, "sha256", json_string(en->sha));
    json_object_set_new(o, "ms", json_real(round(en->ms * 100) / 100));
    json_object_set_new(o, "inputs", json_string(en->key));
    json_object_set_new(o, "generation", json_integer((json_int_t)en->gen));
    json_object_set_new(o, "error", en->error ? json_string(en->error) : json_null());
    if (en->stale) json_object_set_new(o, "stale", json_string(en->stale));
    if (en->nalso) {
        json_t *a = json_array();
        for (size_t k = 0; k < en->nalso; k++) {
            json_t *f = json_object();
            json_object_set_new(f, "file", json_string(en->also[k].file));
            json_object_set_new(f, "bytes", json_integer((json_int_t)en->also[k].bytes));
            json_object_set_new(f, "sha256", json_string(en->also[k].sha));
            json_array_append_new(a, f);
        }
        json_object_set_new(o, "also", a);
    }
    return o;
}

/* The manifest of this run (gen: its generation), atomically (output.h). */
static int write_manifest(const cb_engine *e, const cb_batch_opts *o, entry *const *cur, long long gen,
                          const cb_batch_summary *sum, const digests *dg, cb_error *err)
{
    json_t *root = json_object();
    json_object_set_new(root, "generator", json_string("countybrief " CB_VERSION_STRING));
    json_object_set_new(root, "report", json_string(e->report_name));
    json_object_set_new(root, "template", json_string(e->tpl.name));
    json_object_set_new(root, "data", json_string(e->data_dir));
    if (o->nshards) {
        json_object_set_new(root, "shard", json_integer((json_int_t)o->shard + 1));
        json_object_set_new(root, "shards", json_integer((json_int_t)o->nshards));
    }
    /* which data: `manifest merge` proves completeness against it */
    size_t nc = e->ds.ncounties;
    char digest[65];
    if (cb_dataset_ids_digest(&e->ds)) { /* computed when the index was built */
        memcpy(digest, cb_dataset_ids_digest(&e->ds), sizeof digest);
    } else {
        const char **ids = cb_xmalloc((nc ? nc : 1) * sizeof *ids);
        cb_dataset_ids_sorted(&e->ds, ids);
        cb_county_ids_digest(ids, nc, digest);
        free(ids);
    }
    json_object_set_new(root, "counties_total", json_integer((json_int_t)nc));
    json_object_set_new(root, "counties_digest", json_string(digest));
    cb_manifest_stamp(root, gen);
    json_object_set_new(root, "rendered", json_integer((json_int_t)sum->rendered));
    json_object_set_new(root, "skipped", json_integer((json_int_t)sum->skipped));
    json_object_set_new(root, "failed", json_integer((json_int_t)sum->failed));
    json_t *list = json_array();
    for (size_t i = 0; i < e->ds.ncounties; i++) {
        const entry *en = cur[i];
        if (!en || !en->status) continue;
        json_array_append_new(list, entry_json(e, i, en));
    }
    json_object_set_new(root, "counties", list);
    json_object_set_new(root, "files", digests_json(dg));
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(root);
    char *path = manifest_path(e, o);
    size_t len = strlen(text);
    text = cb_xrealloc(text, len + 2);
    text[len++] = '\n';
    int rc = cb_write_file_atomic(path, text, len, err);
    free(path);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ workers */

/* What a worker sends back per county (pool.h); on failure the error text follows. */
typedef struct result_msg {
    uint32_t pages;
    uint64_t bytes;
    double ms;
    unsigned char sha[32];
    uint64_t also_bytes[CB_FORMATS_MAX - 1]; /* the other formats' files */
    unsigned char also_sha[CB_FORMATS_MAX - 1][32];
} result_msg;

/* Appends county c's entry to the journal, opened (*fd == -1) at the first entry; best
 * effort: a failure only costs a re-render. Each line starts with a newline, so a line torn
 * by a full disk never swallows the next. */
static void journal_add(int *fd, const char *path, const cb_engine *e, size_t c, const entry *en)
{
    if (*fd == -1) *fd = cb_file_open(path, O_WRONLY | O_CREAT | O_APPEND, 0644, NULL); /* never a link */
    if (*fd < 0) {
        *fd = -2; /* no second try */
        return;
    }
    json_t *j = entry_json(e, c, en);
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(j);
    char *line = cb_xasprintf("\n%s", text);
    (void)cb_write_all(*fd, line, strlen(line));
    free(line);
    free(text);
}

/* A batch under way: what the pool's callbacks share. */
typedef struct batch_run {
    cb_engine *e;
    const cb_batch_opts *o;
    entry **cur;           /* by county (entry_at) */
    long long gen;         /* this run's generation (manifest.h) */
    cb_batch_summary *sum;
    char *jpath;           /* the journal, opened at the first county rendered */
    int jfd;
    int tty;               /* a progress bar on stderr */
    size_t total;
    double t0;
    cb_repeats repeats;    /* errors printed, by kind */
} batch_run;

/* The pool's job (pool.h): renders county c in a worker. */
static int render_job(void *ctx, size_t c, cb_buf *reply)
{
    batch_run *r = ctx;
    cb_render_result res;
    cb_error err;
    cb_output_set_dir_sync(0); /* the manifest syncs the folder once (output.h) */
    int rc = cb_render_county(r->e, c, &res, &err);
    result_msg m;
    memset(&m, 0, sizeof m); /* padding too: the struct goes through a pipe whole */
    m.pages = (uint32_t)res.pages;
    m.bytes = res.bytes;
    m.ms = res.ms;
    memcpy(m.sha, res.sha256, sizeof m.sha);
    for (size_t k = 0; k < res.nalso; k++) {
        m.also_bytes[k] = res.also[k].bytes;
        memcpy(m.also_sha[k], res.also[k].sha256, 32);
    }
    cb_render_result_free(&res);
    cb_buf_add(reply, &m, sizeof m);
    if (rc != CB_OK) cb_buf_adds(reply, err.msg);
    return rc;
}

static void render_worker_exit(void *ctx)
{
    (void)ctx;
    cb_backends_release();
}

/* ------------------------------------------------------------------ progress */

static void progress(const cb_batch_summary *s, size_t total, double t0, int done_line)
{
    size_t done = s->rendered + s->failed + s->skipped;
    double dt = cb_now_s() - t0, rate = dt > 0 ? (s->rendered + s->failed) / dt : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    int width = 30, fill = total ? (int)(width * done / total) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu  %.0f/s  ETA %.0fs  failed %zu ", fill,
            "==============================", width - fill, "", done, total, rate, eta, s->failed);
    if (done_line) fputc('\n', stderr);
    fflush(stderr);
}

/* County c rendered (m: the worker's result): its entry, the journal line, the "wrote" line. */
static void county_rendered(batch_run *r, size_t c, const result_msg *m)
{
    const cb_engine *e = r->e;
    entry *en = entry_at(r->cur, c);
    en->status = "rendered";
    en->gen = r->gen;
    en->file = cb_output_file(e, (long)c, 0);
    en->pages = m->pages;
    en->bytes = (size_t)m->bytes;
    en->ms = m->ms;
    hex(m->sha, 32, en->sha);
    for (size_t k = 1; k < e->nformats; k++) {
        struct also *a = &en->also[en->nalso++];
        a->file = cb_output_file(e, (long)c, k);
        a->bytes = (size_t)m->also_bytes[k - 1];
        hex(m->also_sha[k - 1], 32, a->sha);
    }
    r->sum->rendered++;
    journal_add(&r->jfd, r->jpath, e, c, en);
    for (size_t k = 0; k <= en->nalso && !r->o->quiet && !r->tty; k++)
        printf("wrote %s/%s (%zu page%s, %.1f KB, %.0f ms)\n", e->out_dir, k ? en->also[k - 1].file : en->file,
               en->pages, en->pages == 1 ? "" : "s", (k ? en->also[k - 1].bytes : en->bytes) / 1024.0, en->ms);
}

/* County c failed (msg: the whole line, naming it; taken): its entry, the line on stderr
 * (the same error in many counties counted: repeats.h), and its previous PDF, which no
 * longer matches the data, moved aside (render.h). */
static void county_failed(batch_run *r, size_t c, char *msg)
{
    const cb_engine *e = r->e;
    const char *id = cb_county_id(&e->ds, c), *name = cb_county_name(&e->ds, c);
    entry *en = entry_at(r->cur, c);
    en->status = "failed";
    en->gen = r->gen;
    en->error = msg;
    r->sum->failed++;
    if (r->tty) fputc('\n', stderr);
    cb_repeats_print(&r->repeats, stderr, "countybrief: ", msg, id, name);
    char *who = cb_clean_asprintf("%s %s", id, name);
    for (size_t k = 0; k < e->nformats; k++) {
        char *file = cb_output_file(e, (long)c, k);
        if (cb_output_retire(e, file, who) && k == 0) {
            en->stale = cb_xasprintf("%s.stale", file);
            r->sum->stale++;
        }
        free(file);
    }
    free(who);
}

/* The pool's result for county c; when its worker died or was stopped, a new one follows. */
static void county_done(void *ctx, size_t c, int rc, int died, const char *reply, size_t len)
{
    batch_run *r = ctx;
    result_msg m;
    memset(&m, 0, sizeof m);
    if (!died && len >= sizeof m) memcpy(&m, reply, sizeof m);
    if (!died && rc == CB_OK) {
        county_rendered(r, c, &m);
        return;
    }
    const cb_engine *e = r->e;
    county_failed(r, c, died ? cb_clean_asprintf("%s %s: %s", cb_county_id(&e->ds, c), cb_county_name(&e->ds, c), reply)
                        : len > sizeof m ? cb_xstrndup(reply + sizeof m, len - sizeof m)
                                         : cb_xstrdup("(message lost)")); /* not covered: a
                                          * worker that lives always sends its message */
}

static void batch_tick(void *ctx)
{
    batch_run *r = ctx;
    progress(r->sum, r->total, r->t0, 0);
}

/* ------------------------------------------------------------------ the batch */

int cb_batch_run(cb_engine *e, const cb_batch_opts *o, cb_batch_summary *sum, cb_error *err)
{
    double t0 = cb_now_s();
    memset(sum, 0, sizeof *sum);
    size_t nc = e->ds.ncounties;
    entry **old = cb_xcalloc(nc ? nc : 1, sizeof *old), **cur = cb_xcalloc(nc ? nc : 1, sizeof *cur);
    /* what a killed run left: temporary files of dead writers (never a live shard's) */
    size_t swept = cb_output_sweep(e->out_dir);
    if (swept && !o->quiet)
        fprintf(stderr, "countybrief: removed %zu temporary file%s left in %s by an interrupted run\n", swept,
                swept == 1 ? "" : "s", e->out_dir);
    digests dg = {0};
    long long newest = read_manifests(e, o, NULL, old, &dg);
    digests_recall(&dg);
    char **clash = cb_output_clashes(e); /* the whole data, so shards and --county agree */
    int tty = !o->quiet && isatty(STDERR_FILENO);

    /* which counties, and their inputs */
    struct sha256_ctx global = global_inputs(e, &dg);
    size_t *todo = cb_xmalloc((nc ? nc : 1) * sizeof *todo), ntodo = 0, total = 0;
    size_t n = o->which ? o->nwhich : nc;
    for (size_t i = 0; i < n; i++) {
        size_t c = o->which ? o->which[i] : i;
        if (o->nshards && cb_shard_of(cb_county_id(&e->ds, c), o->nshards) != o->shard) continue;
        entry *en = entry_at(cur, c);
        if (en->status) continue; /* named twice */
        cb_error bad;
        if (cb_dataset_county_check(&e->ds, c, &bad) != CB_OK) { /* its digest unusable: fails below */
            if (!clash) clash = cb_xcalloc(nc, sizeof *clash);
            free(clash[c]);
            clash[c] = cb_xstrdup(bad.msg);
        } else {
            county_key(&global, e, c, en->key);
        }
        en->status = "pending";
        todo[total++] = c;
    }
    /* those this run's own manifest does not know with these inputs: any other manifest of
     * the set may (another shard layout, one machine or shards); read only then, so a
     * re-run of one layout reads what it did before */
    unsigned char *ask = NULL;
    for (size_t i = 0; i < total && !o->force; i++)
        if (!known_inputs(old[todo[i]], cur[todo[i]]->key)) {
            if (!ask) ask = cb_xcalloc(nc, 1);
            ask[todo[i]] = 1;
        }
    if (ask) {
        long long g = read_manifests(e, o, ask, old, &dg);
        if (g > newest) newest = g;
        free(ask);
    }
    long long gen = cb_manifest_next_generation(newest);
    batch_run r = {e, o, cur, gen, sum, NULL, -1, tty, 0, t0, {0}};

    /* which of them need rendering */
    for (size_t i = 0; i < total; i++) {
        size_t c = todo[i];
        if (clash && clash[c]) { /* before anything is rendered: neither file is written */
            county_failed(&r, c, clash[c]);
            clash[c] = NULL;
            continue;
        }
        entry *en = cur[c];
        const entry *was = unchanged(e, old[c], en->key); /* whichever manifest has it */
        if (was) {
            memcpy(en->sha, was->sha, 65);
            en->file = cb_xstrdup(was->file);
            also_copy(en, was);
            en->pages = was->pages;
            en->bytes = was->bytes;
            en->ms = was->ms;
            en->gen = gen;
            en->status = "skipped";
            sum->skipped++;
            continue;
        }
        todo[ntodo++] = c;
    }
    /* counties read back but outside this run keep their newest entries; a shard's manifest
     * only those of its own share, so no two shards of one layout claim a county */
    for (size_t c = 0; c < nc; c++)
        if (old[c] && old[c]->file && !(cur[c] && cur[c]->status) &&
            (!o->nshards || cb_shard_of(cb_county_id(&e->ds, c), o->nshards) == o->shard)) {
            take_newest(old[c], entry_at(cur, c));
            cur[c]->status = "rendered";
        }

    cb_output_clashes_free(e, clash);
    r.total = total;
    signal(SIGXFSZ, SIG_IGN); /* ulimit -f: EFBIG from write(), counted, not a killed process */
    r.jpath = journal_path(e, o);
    cb_pool_opts po = {o->jobs, o->timeout_s, o->quiet, &e->src.limits, render_job, county_done,
                       tty ? batch_tick : NULL, 200, render_worker_exit, &r};
    int rc = cb_pool_run(&po, todo, ntodo, err);
    char *jpath = r.jpath;
    int jfd = r.jfd;
    if (tty) progress(sum, total, t0, 1);
    cb_repeats_summary(&r.repeats, stderr, "countybrief: ");
    cb_repeats_free(&r.repeats);
    /* counties left (stopped, or the pool failed): their earlier entries, if any, stay */
    for (size_t c = 0; c < nc; c++)
        if (cur[c] && cur[c]->status && strcmp(cur[c]->status, "pending") == 0) {
            sum->left++;
            entries_free(cur[c]);
            free(cur[c]);
            cur[c] = old[c];
            old[c] = NULL;
            if (cur[c]) cur[c]->status = cur[c]->file ? "rendered" : NULL;
        }
    if ((sum->stopped = cb_pool_stop_signal()) != 0)
        cb_output_sweep(e->out_dir); /* what the workers killed by the stop were writing */
    sum->seconds = cb_now_s() - t0;
    if (rc == CB_OK) rc = write_manifest(e, o, cur, gen, sum, &dg, err);
    if (jfd >= 0) close(jfd);
    if (rc == CB_OK) unlink(jpath); /* all in the manifest now; kept if it could not be written */
    free(jpath);
    for (size_t c = 0; c < nc; c++) {
        if (old[c]) entries_free(old[c]);
        if (cur[c]) entries_free(cur[c]);
        free(old[c]);
        free(cur[c]);
    }
    free(old);
    free(cur);
    free(todo);
    digests_remember(&dg);
    digests_free(&dg);
    return rc;
}
