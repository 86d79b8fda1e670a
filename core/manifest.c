/* manifest.c: see manifest.h. */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "numfmt.h"
#include "output.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* "K-of-N" whole (1 <= K <= N), digits only. */
static int parse_k_of_n(const char *s, size_t len, size_t *k, size_t *n)
{
    char buf[48];
    if (len >= sizeof buf) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    unsigned long a, b;
    int used = 0;
    if (strspn(buf, "0123456789-of") != len || sscanf(buf, "%lu-of-%lu%n", &a, &b, &used) != 2 ||
        (size_t)used != len || a < 1 || a > b || buf[0] == '0')
        return 0;
    *k = a;
    *n = b;
    return 1;
}

int cb_manifest_parse_name(const char *name, cb_manifest_name *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(name), shortest = strlen("manifest.json");
    int journal = name[0] == '.' && len > 1 + strlen(".journal") && ends_with(name, ".journal");
    const char *m = journal ? name + 1 : name; /* "manifest<set>[.shard-K-of-N].json" */
    size_t mlen = journal ? len - 1 - strlen(".journal") : len;
    if (mlen < shortest || strncmp(m, "manifest", 8) != 0 || memcmp(m + mlen - 5, ".json", 5) != 0) return 0;
    const char *mid = m + 8; /* "<set>[.shard-K-of-N]" */
    size_t midlen = mlen - shortest;
    if (midlen && mid[0] != '.') return 0; /* "manifesto.json" */
    size_t setlen = midlen;
    for (size_t i = midlen; i-- > 0;) /* the last ".shard-" */
        if (midlen - i > 7 && memcmp(mid + i, ".shard-", 7) == 0) {
            if (parse_k_of_n(mid + i + 7, midlen - i - 7, &out->shard, &out->shards)) setlen = i;
            break;
        }
    out->name = cb_xstrdup(name);
    out->set = cb_xstrndup(mid, setlen);
    out->journal = journal;
    return 1;
}

static void name_free(cb_manifest_name *nm)
{
    free(nm->name);
    free(nm->set);
}

static int name_order(const void *pa, const void *pb)
{
    const cb_manifest_name *a = pa, *b = pb;
    int c = strcmp(a->set, b->set);
    if (c) return c;
    if (a->shards != b->shards) return a->shards < b->shards ? -1 : 1;
    if (a->shard != b->shard) return a->shard < b->shard ? -1 : 1;
    return a->journal - b->journal;
}

cb_manifest_name *cb_manifest_list(const char *dir, const char *set, int journals, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return NULL;
    cb_manifest_name *l = NULL, one;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!cb_manifest_parse_name(de->d_name, &one)) continue;
        if ((one.journal && !journals) || (set && strcmp(one.set, set) != 0)) {
            name_free(&one);
            continue;
        }
        l = cb_xgrow(l, *n, sizeof *l);
        l[(*n)++] = one;
    }
    closedir(d);
    if (*n) qsort(l, *n, sizeof *l, name_order);
    return l;
}

void cb_manifest_list_free(cb_manifest_name *l, size_t n)
{
    for (size_t i = 0; i < n; i++) name_free(&l[i]);
    free(l);
}

json_t *cb_manifest_load(const char *path, cb_error *err)
{
    char *text = cb_file_read(path, CB_MANIFEST_MAX, NULL, err);
    if (!text) {
        if (errno == ENOENT) err->code = CB_ENOTFOUND;
        else err->code = CB_EDATA;
        return NULL;
    }
    json_error_t jerr;
    json_t *m = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!m) {
        cb_fail(err, CB_EDATA, "%s: not valid JSON at line %d, column %d: %s (truncated or corrupt)", path,
                jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(m) || !json_is_array(json_object_get(m, "counties"))) {
        json_decref(m);
        cb_fail(err, CB_EDATA, "%s: not a countybrief manifest (no \"counties\" list)", path);
        return NULL;
    }
    return m;
}

/* Beyond this a generation is not one of ours (a crafted manifest): read as none. */
#define GENERATION_MAX (1LL << 60)

long long cb_manifest_generation(const json_t *m)
{
    json_int_t g = json_integer_value(json_object_get(m, "generation"));
    return g > 0 && g < GENERATION_MAX ? (long long)g : 0;
}

long long cb_manifest_next_generation(long long seen)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return ms > seen ? ms : seen + 1;
}

void cb_manifest_stamp(json_t *m, long long generation)
{
    time_t now = time(NULL);
    struct tm tm;
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    json_object_set_new(m, "generation", json_integer((json_int_t)generation));
    json_object_set_new(m, "finished", json_string(when));
}

static int str_order(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void cb_county_ids_digest(const char **ids, size_t n, char out[65])
{
    size_t sorted = 1;
    while (sorted < n && strcmp(ids[sorted - 1], ids[sorted]) <= 0) sorted++;
    if (sorted < n) qsort(ids, n, sizeof *ids, str_order); /* cb_dataset_ids_sorted gives them sorted */
    struct sha256_ctx c;
    sha256_init(&c);
    for (size_t i = 0; i < n; i++) {
        sha256_update(&c, strlen(ids[i]), (const uint8_t *)ids[i]);
        sha256_update(&c, 1, (const uint8_t *)"\n");
    }
    unsigned char d[32];
    sha256_digest(&c, sizeof d, d);
    for (size_t i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* ------------------------------------------------------------------ merging */

/* One manifest of the set being merged. */
typedef struct mfile {
    const cb_manifest_name *nm;
    char *path;
    json_t *m;
    long long gen;
} mfile;

/* A county's newest entry across the set's manifests. */
typedef struct pick {
    const char *id;        /* in entry */
    json_t *entry;         /* borrowed from its manifest */
    long long gen;
    size_t from;           /* index of its manifest */
    int current;           /* in a manifest of the data the newest run read (its digest) */
} pick;

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* "2,629" */
static const char *count_str(char buf[32], size_t n)
{
    cb_fmt_thousands(buf, 32, (double)n, 0);
    return buf;
}

/* 1 if file (a name of dir's, no path) is in dir with `bytes` bytes. */
static int file_present(const char *dir, const char *file, json_int_t bytes)
{
    if (!file || !*file || strchr(file, '/') || !strcmp(file, "..") || !strcmp(file, ".")) return 0;
    char *path = cb_path_join(dir, file);
    struct stat st;
    int ok = lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (json_int_t)st.st_size == bytes;
    free(path);
    return ok;
}

/* 1 if entry's PDF is in dir with the size the entry records, and so are the files of its
 * other formats ("also": --format pdf,ofd). */
static int pdf_present(const char *dir, const json_t *entry)
{
    int ok = file_present(dir, json_string_value(json_object_get(entry, "file")),
                          json_integer_value(json_object_get(entry, "bytes")));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(entry, "also"), i, a) ok = ok && file_present(dir, json_string_value(
        json_object_get(a, "file")), json_integer_value(json_object_get(a, "bytes")));
    return ok;
}

static int entry_ok(const char *dir, const json_t *entry)
{
    return strcmp(jstr(entry, "status"), "failed") != 0 && pdf_present(dir, entry);
}

/* Up to ten ids of list[0..n), then "and N more", on one line after label. */
static void print_ids(const char *label, const char **list, size_t n)
{
    if (!n) return;
    printf("%s: ", label);
    for (size_t i = 0; i < n && i < 10; i++) {
        char *id = cb_clean(list[i]); /* a manifest's text: no control character reaches the terminal */
        printf("%s%s", i ? ", " : "", id);
        free(id);
    }
    char b[32];
    if (n > 10) printf(" and %s more", count_str(b, n - 10));
    putchar('\n');
}

/* The manifests' own account of the data: "3,000 counties, digest 1f2e3d4c5b6a". */
static char *data_of(const json_t *m)
{
    char b[32];
    json_int_t total = json_integer_value(json_object_get(m, "counties_total"));
    return cb_clean_asprintf("%s counties, digest %.12s", count_str(b, (size_t)total), jstr(m, "counties_digest"));
}

/* The checks across the manifests of one set: one report and template; the manifests of the
 * newest layout of one data set; no county in two shards of one layout. Picks each county's
 * newest entry into *picks (index: id -> position). Returns 0 or 3 (said on stderr). */
static int union_set(mfile *f, size_t n, size_t ref, pick **picks, size_t *npicks, json_t *index)
{
    int rc = 0;
    for (size_t i = 1; i < n; i++)
        if (!json_equal(json_object_get(f[i].m, "report"), json_object_get(f[0].m, "report")) ||
            !json_equal(json_object_get(f[i].m, "template"), json_object_get(f[0].m, "template"))) {
            char *msg = cb_clean_asprintf("%s is of report %s (template %s), %s of report %s (template %s): a "
                                          "folder mixing two reports; render each into its own --out", f[i].path,
                                          jstr(f[i].m, "report"), jstr(f[i].m, "template"), f[0].path,
                                          jstr(f[0].m, "report"), jstr(f[0].m, "template"));
            fprintf(stderr, "countybrief: %s\n", msg);
            free(msg);
            return 3;
        }
    size_t layout = f[ref].nm->shards, first = n;
    for (size_t i = 0; i < n && layout; i++) {
        if (f[i].nm->shards != layout || !json_object_get(f[i].m, "counties_digest")) continue;
        if (first == n) first = i;
        else if (strcmp(jstr(f[i].m, "counties_digest"), jstr(f[first].m, "counties_digest")) != 0 ||
                 json_integer_value(json_object_get(f[i].m, "counties_total")) !=
                     json_integer_value(json_object_get(f[first].m, "counties_total"))) {
            char *a = data_of(f[i].m), *b = data_of(f[first].m);
            fprintf(stderr, "countybrief: %s is of another data set (%s) than %s (%s): two runs in one folder?\n",
                    f[i].nm->name, a, f[first].nm->name, b);
            free(a);
            free(b);
            return 3;
        }
    }
    json_t *seen = json_object(); /* id -> the shard manifest of the current layout that has it */
    const char *data = json_string_value(json_object_get(f[ref].m, "counties_digest"));
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i && f[i].nm->shards != f[i - 1].nm->shards) json_object_clear(seen);
        const char *d = json_string_value(json_object_get(f[i].m, "counties_digest"));
        int current = !data || !d || !strcmp(d, data);
        size_t j;
        json_t *it;
        json_array_foreach(json_object_get(f[i].m, "counties"), j, it) {
            const char *id = json_string_value(json_object_get(it, "county_id"));
            if (!id || !*id) {
                fprintf(stderr, "countybrief: %s: county entry %zu has no county_id: not a countybrief manifest\n",
                        f[i].path, j + 1);
                rc = 3;
                break;
            }
            if (f[i].nm->shards) {
                json_t *other = json_object_get(seen, id);
                if (other) {
                    char *msg = cb_clean_asprintf("%s: county %s is also in %s: shards of one layout overlap (two "
                                                  "runs in one folder?)", f[i].path, id, json_string_value(other));
                    fprintf(stderr, "countybrief: %s\n", msg);
                    free(msg);
                    rc = 3;
                    break;
                }
                json_object_set_new(seen, id, json_string(f[i].nm->name));
            }
            json_t *ent = json_object_get(it, "generation");
            long long gen = ent ? cb_manifest_generation(it) : f[i].gen;
            json_t *at = json_object_get(index, id);
            if (!at) {
                *picks = cb_xgrow(*picks, *npicks, sizeof **picks);
                json_object_set_new(index, id, json_integer((json_int_t)*npicks));
                (*picks)[(*npicks)++] = (pick){id, it, gen, i, current};
            } else {
                pick *p = &(*picks)[json_integer_value(at)];
                if (gen >= p->gen) /* a tie: the later file, a shard's over a merge's */
                    *p = (pick){id, it, gen, i, current || p->current};
                else
                    p->current |= current;
            }
        }
    }
    json_decref(seen);
    return rc;
}

static int pick_order(const void *a, const void *b) { return strcmp(((const pick *)a)->id, ((const pick *)b)->id); }

/* What one set's merge found, for its summary. */
typedef struct tally {
    const char **missing, **failed, **gone; /* ids: PDF missing, failed, not in the data */
    const char *gone_why;  /* what gone means */
    size_t nmissing, nfailed, ngone, ok;
    size_t unnamed;        /* counties missing besides those named: in no manifest, without --data */
    size_t absent;         /* counties in no manifest (named or not): shards not run? */
    size_t total;          /* the counties expected; 0: unknown */
    int unmatched;         /* the ids listed are not those the digest says */
    size_t over;           /* ids listed beyond --expect */
} tally;

static void tally_free(tally *t)
{
    free(t->missing);
    free(t->failed);
    free(t->gone);
}

/* Sorts the picks and counts them against the data (o) or the manifests' own account (ref). */
static void check_picks(const char *dir, pick *p, size_t *np, const cb_merge_opts *o, const json_t *ref, tally *t)
{
    qsort(p, *np, sizeof *p, pick_order);
    json_t *data = NULL;
    if (o->have_ids) {
        data = json_object();
        for (size_t i = 0; i < o->nids; i++) json_object_set_new(data, o->ids[i], json_true());
    }
    size_t kept = 0;
    t->gone_why = data ? "no longer in the data (dropped)"
                       : "only in manifests of other data than the newest run read (left out)";
    for (size_t i = 0; i < *np; i++) {
        if (data ? !json_object_get(data, p[i].id) : !p[i].current) {
            t->gone = cb_xgrow(t->gone, t->ngone, sizeof *t->gone);
            t->gone[t->ngone++] = p[i].id;
            continue;
        }
        if (data) json_object_del(data, p[i].id); /* what is left: in no manifest */
        p[kept++] = p[i];
        if (!strcmp(jstr(p[i].entry, "status"), "failed")) {
            t->failed = cb_xgrow(t->failed, t->nfailed, sizeof *t->failed);
            t->failed[t->nfailed++] = p[i].id;
        } else if (!pdf_present(dir, p[i].entry)) {
            t->missing = cb_xgrow(t->missing, t->nmissing, sizeof *t->missing);
            t->missing[t->nmissing++] = p[i].id;
        } else
            t->ok++;
    }
    *np = kept;
    if (data) {
        t->total = o->nids;
        /* the counties in no manifest, in the data's order */
        for (size_t i = 0; i < o->nids; i++)
            if (json_object_get(data, o->ids[i])) {
                t->absent++;
                t->missing = cb_xgrow(t->missing, t->nmissing, sizeof *t->missing);
                t->missing[t->nmissing++] = o->ids[i];
            }
        json_decref(data);
        return;
    }
    t->total = o->expect ? o->expect : (size_t)json_integer_value(json_object_get(ref, "counties_total"));
    if (!t->total) return;
    if (*np > t->total) t->over = *np - t->total;
    t->unnamed = t->absent = *np < t->total ? t->total - *np : 0;
    if (!o->expect && json_object_get(ref, "counties_digest")) {
        const char **ids = cb_xmalloc((*np ? *np : 1) * sizeof *ids);
        for (size_t i = 0; i < *np; i++) ids[i] = p[i].id;
        char d[65];
        cb_county_ids_digest(ids, *np, d);
        free(ids);
        t->unmatched = !t->unnamed && strcmp(d, jstr(ref, "counties_digest")) != 0;
    }
}

/* The shards of the newest layout that left no manifest: "4 of 8 (array index 3), 7 of 8
 * (index 6)" into list, "shard 4 of 8 not run: index 3" into brief; how many. */
static size_t missing_shards(const mfile *f, size_t n, size_t ref, cb_buf *list, cb_buf *brief)
{
    size_t layout = f[ref].nm->shards ? f[ref].nm->shards
                                      : (size_t)json_integer_value(json_object_get(f[ref].m, "shards"));
    size_t count = 0;
    cb_buf ks = {0}, idx = {0};
    for (size_t k = 1; k <= layout; k++) {
        int have = 0;
        for (size_t i = 0; i < n && !have; i++) have = f[i].nm->shards == layout && f[i].nm->shard == k;
        if (have) continue;
        cb_buf_addf(list, "%s%zu of %zu (%sindex %zu)", count ? ", " : "", k, layout, count ? "" : "array ", k - 1);
        cb_buf_addf(&ks, "%s%zu", count ? ", " : "", k);
        cb_buf_addf(&idx, "%s%zu", count ? ", " : "", k - 1);
        count++;
    }
    if (count)
        cb_buf_addf(brief, "shard%s %s of %zu not run: index%s %s", count > 1 ? "s" : "", ks.s, layout,
                    count > 1 ? "es" : "", idx.s);
    cb_buf_free(&ks);
    cb_buf_free(&idx);
    return count;
}

/* The summary of one set (name: its manifest<set>.json): one line, then what is missing,
 * failed or dropped. Returns 1 when the set is complete with no failed county. */
static int print_tally(const char *name, const tally *t, const mfile *f, size_t n, size_t ref, int quiet)
{
    char a[32], b[32], c[32];
    size_t missing = t->nmissing + t->unnamed;
    int complete = t->total && !missing && !t->nfailed && !t->unmatched && !t->over;
    if (quiet && complete) return 1;
    cb_buf list = {0}, brief = {0};
    size_t nshards = t->absent ? missing_shards(f, n, ref, &list, &brief) : 0;
    printf("%s: %s", name, count_str(a, t->ok));
    if (t->total) printf(" of %s counties", count_str(b, t->total));
    else printf(" counties");
    printf("; %s missing%s%s%s, %s failed\n", count_str(c, missing), nshards ? " (" : "", nshards ? brief.s : "",
           nshards ? ")" : "", count_str(b, t->nfailed));
    if (!t->total) printf("the manifests record no county count (written by an older countybrief): give --data DIR or --expect N\n");
    if (nshards) printf("missing shards: %s: re-run those indexes\n", list.s);
    print_ids("missing", t->missing, t->nmissing);
    print_ids("failed", t->failed, t->nfailed);
    print_ids(t->gone_why, t->gone, t->ngone);
    if (t->over) printf("%s counties more than the %s expected\n", count_str(a, t->over), count_str(b, t->total));
    if (t->unmatched)
        printf("the counties listed are not those of the data the newest run read (its counties_digest); give "
               "--data DIR to name the difference\n");
    cb_buf_free(&list);
    cb_buf_free(&brief);
    return complete;
}

/* How many of manifest m's counties are present (not failed, the PDF there), leaving out
 * those in gone. */
static size_t present_in(const char *dir, const json_t *m, const json_t *gone)
{
    size_t j, count = 0;
    json_t *it;
    json_array_foreach(json_object_get(m, "counties"), j, it)
        if (!json_object_get(gone, jstr(it, "county_id")) && entry_ok(dir, it)) count++;
    return count;
}

/* The merged manifest of the picks, written to dir/name atomically (output.h). */
static int write_merged(const char *dir, const char *name, const mfile *f, size_t n, size_t ref, const pick *p,
                        size_t np, const tally *t, const cb_merge_opts *o)
{
    json_t *root = json_object(), *list = json_array(), *files = json_object();
    const char *keys[] = {"generator", "report", "template", "data"};
    for (int k = 0; k < 4; k++) {
        json_t *v = json_object_get(f[ref].m, keys[k]);
        if (v) json_object_set(root, keys[k], v);
    }
    size_t layout = f[ref].nm->shards ? f[ref].nm->shards
                                      : (size_t)json_integer_value(json_object_get(f[ref].m, "shards"));
    if (layout) json_object_set_new(root, "shards", json_integer((json_int_t)layout));
    if (o->have_ids) { /* the data's account; else the manifests' own (not --expect's) */
        json_object_set_new(root, "counties_total", json_integer((json_int_t)t->total));
        const char **ids = cb_xmalloc((o->nids ? o->nids : 1) * sizeof *ids);
        memcpy(ids, o->ids, o->nids * sizeof *ids);
        char d[65];
        cb_county_ids_digest(ids, o->nids, d);
        free(ids);
        json_object_set_new(root, "counties_digest", json_string(d));
    } else
        for (int k = 0; k < 2; k++) {
            const char *key = k ? "counties_digest" : "counties_total";
            json_t *v = json_object_get(f[ref].m, key);
            if (v) json_object_set(root, key, v);
        }
    long long gen = 0;
    json_int_t counts[3] = {0, 0, 0};
    const char *status[3] = {"rendered", "skipped", "failed"};
    for (size_t i = 0; i < np; i++) {
        if (p[i].gen > gen) gen = p[i].gen;
        for (int k = 0; k < 3; k++) counts[k] += !strcmp(jstr(p[i].entry, "status"), status[k]);
        json_object_set_new(p[i].entry, "generation", json_integer((json_int_t)p[i].gen));
        json_array_append(list, p[i].entry);
    }
    for (size_t i = 0; i < n; i++) {
        if (f[i].gen > gen) gen = f[i].gen;
        json_t *fl = json_object_get(f[i].m, "files");
        if (json_is_object(fl)) json_object_update(files, fl);
    }
    cb_manifest_stamp(root, gen);
    for (int k = 0; k < 3; k++) json_object_set_new(root, status[k], json_integer(counts[k]));
    json_object_set_new(root, "counties", list);
    json_object_set_new(root, "files", files);
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(root);
    size_t len = strlen(text);
    text = cb_xrealloc(text, len + 2);
    text[len++] = '\n';
    char *path = cb_path_join(dir, name);
    cb_error err;
    int rc = cb_write_file_atomic(path, text, len, &err);
    if (rc != CB_OK) fprintf(stderr, "countybrief: %s\n", err.msg);
    free(path);
    free(text);
    return rc == CB_OK ? 0 : 5;
}

/* Merges the manifests names[0..n) of one output set (cb_manifest_list's order). Returns
 * the exit status (manifest.h). */
static int merge_set(const char *dir, const cb_manifest_name *names, size_t n, const cb_merge_opts *o)
{
    mfile *f = cb_xcalloc(n, sizeof *f);
    size_t nf = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = cb_path_join(dir, names[i].name);
        cb_error err;
        json_t *m = cb_manifest_load(path, &err);
        if (!m) {
            fprintf(stderr, "countybrief: %s\n", err.msg);
            free(path);
            rc = 3;
            continue;
        }
        f[nf++] = (mfile){&names[i], path, m, cb_manifest_generation(m)};
    }
    char *name = cb_xasprintf("manifest%s.json", names[0].set);
    pick *p = NULL;
    size_t np = 0, ref = 0;
    json_t *index = json_object();
    for (size_t i = 1; i < nf; i++)
        if (f[i].gen >= f[ref].gen) ref = i; /* a tie: a shard's over manifest<set>.json, a merge's */
    if (rc == 0) rc = union_set(f, nf, ref, &p, &np, index);
    if (rc == 0) {
        tally t = {0};
        check_picks(dir, p, &np, o, f[ref].m, &t);
        rc = print_tally(name, &t, f, nf, ref, o->quiet) ? 0 : 1;
        json_t *gone = json_object();
        for (size_t i = 0; i < t.ngone; i++) json_object_set_new(gone, t.gone[i], json_true());
        size_t before = 0;
        for (size_t i = 0; i < nf; i++)
            if (!f[i].nm->shards) before = present_in(dir, f[i].m, gone);
        json_decref(gone);
        char a[32], b[32];
        if (t.ok < before)
            printf("%s not replaced: it has %s counties present, the merge only %s\n", name, count_str(a, before),
                   count_str(b, t.ok));
        else {
            int w = write_merged(dir, name, f, nf, ref, p, np, &t, o);
            if (w) rc = w;
        }
        tally_free(&t);
    }
    json_decref(index);
    free(p);
    free(name);
    for (size_t i = 0; i < nf; i++) {
        json_decref(f[i].m);
        free(f[i].path);
    }
    free(f);
    return rc;
}

int cb_manifest_merge(const char *dir, const cb_merge_opts *o)
{
    if (!cb_is_dir(dir)) {
        fprintf(stderr, "countybrief: %s: no such folder\n", dir);
        return 3;
    }
    size_t n;
    cb_manifest_name *l = cb_manifest_list(dir, NULL, 0, &n);
    if (!n) {
        fprintf(stderr, "countybrief: %s: no manifest*.json: nothing has been rendered there\n", dir);
        return 1;
    }
    int worst = 0;
    for (size_t i = 0, k; i < n; i = k) { /* each output set in turn */
        for (k = i; k < n && !strcmp(l[k].set, l[i].set); k++) continue;
        int rc = merge_set(dir, l + i, k - i, o);
        if (rc > worst) worst = rc;
    }
    cb_manifest_list_free(l, n);
    return worst;
}
