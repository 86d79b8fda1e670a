/* batch.c: see batch.h. */
#include "batch_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
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
#include "pool.h"
#include "repeats.h"

size_t cb_shard_of(const char *county_id, size_t nshards)
{
    uint64_t h = cb_fnv1a(CB_FNV_SEED, county_id, strlen(county_id)); /* stable across runs and machines */
    return nshards ? (size_t)(h % nshards) : 0;
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
    /* not covered: to with files of its own (its one caller copies into a county's fresh entry, a
     * county skipped) */
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
    /* not covered: ENOENT (read_manifests lists the files first: one gone since, renamed by another
     * run at that moment) */
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
    /* not covered: no '/' (manifest_path joins the output folder and the name) */
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
    /* not covered: json_array_foreach's own test of json_array_get (never NULL below the array's
     * size) */
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
        /* not covered: another errno at this run's journal (EFBIG, over CB_MANIFEST_MAX; EACCES,
         * which root running the tests never meets): kept, appended to */
        if (!text && mine && l[i].journal && (errno == ELOOP || errno == EINVAL)) unlink(path);
        free(path);
        json_error_t jerr;
        json_t *it;
        if (!l[i].journal) {
            json_t *root = text ? json_loads(text, 0, &jerr) : NULL;
            batch_read_digests(dg, json_object_get(root, "files"));
            long long g = cb_manifest_generation(root);
            if (g > gen) gen = g;
            size_t k;
            /* not covered: json_array_foreach's own test of json_array_get (never NULL below the
             * array's size) */
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
    /* not covered: x->file NULL (read_entry gives every entry it makes a file; only
     * take_newest, after the last call, empties one) */
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
    /* not covered: x->file NULL (as in known_inputs) */
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
    /* not covered: a later entry no newer than the best so far (the tests' later one is newer) */
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
        /* not covered: an entry without a status (every entry of cur gets one: pending, then
         * rendered, skipped or failed; a county left gets its earlier entry, with a file,
         * "rendered") */
        if (!en || !en->status) continue;
        json_array_append_new(list, entry_json(e, i, en));
    }
    json_object_set_new(root, "counties", list);
    json_object_set_new(root, "files", batch_digests_json(dg));
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
    /* not covered: dt 0 (a monotonic clock in nanoseconds moves between the run's start and a tick) */
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
    batch_hex(m->sha, 32, en->sha);
    for (size_t k = 1; k < e->nformats; k++) {
        struct also *a = &en->also[en->nalso++];
        a->file = cb_output_file(e, (long)c, k);
        a->bytes = (size_t)m->also_bytes[k - 1];
        batch_hex(m->also_sha[k - 1], 32, a->sha);
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
        /* not covered: another format's earlier file moved aside (a county of a --format pdf,ofd
         * run failing after one that rendered): none in the tests */
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
    /* not covered: a short reply from a worker that lives (render_job always sends the whole
     * result_msg) */
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
    batch_digests_recall(&dg);
    char **clash = cb_output_clashes(e); /* the whole data, so shards and --county agree */
    int tty = !o->quiet && isatty(STDERR_FILENO);

    /* which counties, and their inputs */
    struct sha256_ctx global = batch_global_inputs(e, &dg);
    size_t *todo = cb_xmalloc((nc ? nc : 1) * sizeof *todo), ntodo = 0, total = 0;
    size_t n = o->which ? o->nwhich : nc;
    for (size_t i = 0; i < n; i++) {
        size_t c = o->which ? o->which[i] : i;
        if (o->nshards && cb_shard_of(cb_county_id(&e->ds, c), o->nshards) != o->shard) continue;
        entry *en = entry_at(cur, c);
        if (en->status) continue; /* named twice */
        cb_error bad;
        if (cb_dataset_county_check(&e->ds, c, &bad) != CB_OK) { /* its digest unusable: fails below */
            /* not covered: clash already made (a run with both file-name clashes and a county whose
             * rows fail their check) */
            if (!clash) clash = cb_xcalloc(nc, sizeof *clash);
            free(clash[c]);
            clash[c] = cb_xstrdup(bad.msg);
        } else {
            batch_county_key(&global, e, c, en->key);
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
        /* not covered: old[c] without a file (see known_inputs) and cur[c] without a status (see
         * write_manifest); of the shard test, both sides with shards (a sharded run with --county,
         * and a county of another shard in this shard's own manifest, only in a hand-edited one) */
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
    /* not covered: cur[c] without a status (see write_manifest); below, a county left that had
     * an entry before (a stop signal while a re-run with new inputs has counties left): none
     * in the tests */
    for (size_t c = 0; c < nc; c++)
        if (cur[c] && cur[c]->status && strcmp(cur[c]->status, "pending") == 0) {
            sum->left++;
            entries_free(cur[c]);
            free(cur[c]);
            cur[c] = old[c];
            old[c] = NULL;
            if (cur[c]) cur[c]->status = cur[c]->file ? "rendered" : NULL; /* not covered: above */
        }
    if ((sum->stopped = cb_pool_stop_signal()) != 0)
        cb_output_sweep(e->out_dir); /* what the workers killed by the stop were writing */
    sum->seconds = cb_now_s() - t0;
    /* not covered: the pool failing (its pipe, mmap, fork or poll failing: pool.c) */
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
    batch_digests_remember(&dg);
    batch_digests_free(&dg);
    return rc;
}
