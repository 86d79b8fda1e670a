/* data_csv.c: the CSV folder (data.h, data_int.h): its files, opened safely, their
 * encodings, and each file a table fed to a builder. */
#define _GNU_SOURCE /* memfd_create */
#include "data_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the CSV folder: each file is a table fed to a builder ---- */

int cbd_check_width(const char *path, const cb_csv_record *rec, size_t ncols,
                       cb_error *err)
{
    if (rec->nfields == ncols) return CB_OK;
    return cb_fail(err, CB_EDATA, "%s:%zu: row has %zu field%s, header has %zu", path,
                   rec->line, rec->nfields, rec->nfields == 1 ? "" : "s", ncols);
}

#define DROP_EVERY (8u << 20) /* bytes parsed between two drops of the mapping's pages */

/* The mapping at base before offset is read and not needed again: lets its pages go
 * (every DROP_EVERY bytes), so that reading a file never holds all of it. *dropped: the
 * offset up to which they went already. */
static void release_pages(const char *base, size_t *dropped, size_t offset)
{
    if (offset - *dropped < DROP_EVERY) return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), upto = offset / page * page;
    madvise((void *)(base + *dropped), upto - *dropped, MADV_DONTNEED);
    *dropped = upto;
}

void cbd_text_release(dir_file *f, size_t offset) { release_pages(f->data, &f->dropped, offset); }

typedef struct csv_load {
    cb_dataset_builder *b;
    dir_file *f;
    const char *name, *path;
    size_t ncols;     /* 0 until the header is read */
    cb_value *cells;  /* one row's cells */
} csv_load;

static int csv_record(void *ud, const cb_csv_record *rec, cb_error *err)
{
    csv_load *ld = ud;
    if (!ld->cells) {
        int rc = cbd_begin_table(ld->b, ld->name, ld->path, 1, rec->line, rec->nfields,
                             rec->fields, err);
        if (rc != CB_OK) return rc;
        ld->ncols = rec->nfields;
        ld->cells = cb_xmalloc(ld->ncols * sizeof *ld->cells);
        return CB_OK;
    }
    int rc = cbd_check_width(ld->path, rec, ld->ncols, err);
    if (rc != CB_OK) return rc;
    for (size_t c = 0; c < ld->ncols; c++)
        ld->cells[c] = (cb_value){CB_T_TEXT, 0, rec->fields[c]}; /* "" is an empty cell */
    cbd_text_release(ld->f, rec->offset);
    return cbd_add_row(ld->b, ld->cells, rec->lens, rec->line, err);
}

/* Drops the table being read (a parse that will be tried again in another encoding). */
static void drop_current(cb_dataset_builder *b)
{
    table_impl *ti = b->cur;
    if (!ti) return;
    if (ti == b->schema_t) b->schema_t = NULL;
    else b->ntables--; /* the table begun last */
    cbd_table_free(ti);
    b->cur = NULL;
}

static int dir_file_cmp(const void *a, const void *b)
{
    return strcmp(((const dir_file *)a)->stem, ((const dir_file *)b)->stem);
}

/* Lets go of f's text (its mapping, and its memfd or the hand-off of tfd). */
void cbd_text_close(dir_file *f)
{
    if (f->data && f->len) munmap((void *)f->data, f->len);
    f->data = NULL;
    f->dropped = 0;
    if (f->tfd >= 0 && f->tfd != f->fd) close(f->tfd);
    f->tfd = -1;
    f->from = NULL;
}

void cbd_dir_files_free(dir_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cbd_text_close(&f[i]);
        if (f[i].fd >= 0) close(f[i].fd);
        free(f[i].file);
        free(f[i].stem);
        free(f[i].path);
    }
    free(f);
}

void cbd_add_note(notes *ns, int warning, char *msg)
{
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 8;
        ns->v = cb_xrealloc(ns->v, ns->cap * sizeof *ns->v);
    }
    ns->v[ns->n++] = (cb_data_note){warning, msg};
}

void cbd_notes_free(notes *ns)
{
    for (size_t i = 0; i < ns->n; i++) free(ns->v[i].msg);
    free(ns->v);
    memset(ns, 0, sizeof *ns);
}

/* What a file that is not a regular one is, for messages. */
static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a folder" : S_ISFIFO(m) ? "a named pipe (FIFO)" : S_ISSOCK(m) ? "a socket"
         : S_ISCHR(m) || S_ISBLK(m) ? "a device" : "something else";
}

/* 1 if the resolved path `real` is inside the resolved folder `dir`. */
static int inside(const char *dir, const char *real)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/') return 1;
    return strncmp(real, dir, n) == 0 && real[n] == '/';
}

/*
 * Opens entry f->file of the folder (dfd, resolved path real_dir) into f->fd. A link is
 * followed only when its target, resolved, is inside the folder (or with follow_links);
 * otherwise, and for what is not a regular file (a folder, a FIFO, a device), *skip is set
 * to why (the caller warns and goes on). Errors, naming the file: a dangling link, no
 * permission: a table was meant there and cannot be read.
 */
static int open_entry(int dfd, const char *real_dir, dir_file *f, int follow_links,
                      char **skip, cb_error *err)
{
    struct stat st;
    *skip = NULL;
    if (fstatat(dfd, f->file, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    int fd;
    if (S_ISLNK(st.st_mode)) {
        char *target = realpath(f->path, NULL);
        if (!target) {
            int e = errno;
            char to[PATH_MAX];
            ssize_t n = readlinkat(dfd, f->file, to, sizeof to - 1);
            to[n > 0 ? n : 0] = '\0';
            return cb_fail(err, CB_EIO, "%s: a link to %s, which %s", f->path, to,
                           e == ENOENT ? "does not exist" : strerror(e));
        }
        if (!follow_links && !inside(real_dir, target)) {
            *skip = cb_xasprintf("%s: skipped: a link to %s, outside the data folder (move the "
                                 "file into the folder, or pass --follow-links)", f->path, target);
            free(target);
            return CB_OK;
        }
        fd = open(target, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        free(target);
    } else {
        fd = openat(dfd, f->file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno == EACCES || errno == EPERM)
            return cb_fail(err, CB_EIO, "%s: cannot be read (permission denied)", f->path);
        return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    }
    int stat_ok = fstat(fd, &st) == 0, e = errno;
    if (!stat_ok || !S_ISREG(st.st_mode)) {
        close(fd);
        if (!stat_ok) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(e));
        *skip = cb_xasprintf("%s: skipped: %s, not a file", f->path, file_kind(st.st_mode));
        return CB_OK;
    }
    f->fd = fd;
    f->id = cb_file_id_of(&st);
    return CB_OK;
}

/* The visible *.csv files of dir, open, sorted by stem. A file skipped (a link out of the
 * folder, a folder) is a warning in ns; a file that cannot be read is an error. */
static int list_csv(const char *dir, const cb_data_opts *o, dir_file **out, size_t *nout,
                    notes *ns, cb_error *err)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *real_dir = dfd >= 0 ? realpath(dir, NULL) : NULL;
    DIR *d = real_dir ? fdopendir(dfd) : NULL;
    if (!d) {
        int e = errno;
        if (dfd >= 0) close(dfd);
        free(real_dir);
        return cb_fail(err, CB_EIO, "%s: %s", dir, strerror(e));
    }
    dir_file *f = NULL;
    size_t n = 0, cap = 0;
    int rc = CB_OK;
    struct dirent *de;
    while (rc == CB_OK && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (name[0] == '.' || len <= 4 || strcmp(name + len - 4, ".csv") != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            f = cb_xrealloc(f, cap * sizeof *f);
        }
        f[n] = (dir_file){cb_xstrdup(name), cb_xstrndup(name, len - 4), cb_path_join(dir, name),
                          -1, -1, NULL, 0, 0, ',', NULL, {0}};
        char *skip;
        rc = open_entry(dirfd(d), real_dir, &f[n], o->follow_links, &skip, err);
        if (!skip) {
            n++;
            continue;
        }
        cbd_add_note(ns, 1, skip);
        free(f[n].file);
        free(f[n].stem);
        free(f[n].path);
    }
    closedir(d);
    free(real_dir);
    if (rc != CB_OK) {
        cbd_dir_files_free(f, n);
        return rc;
    }
    if (n) qsort(f, n, sizeof *f, dir_file_cmp);
    *out = f;
    *nout = n;
    return CB_OK;
}

/* Converts the whole of fd (from encoding `from`) to UTF-8 in a memfd, into *out. An
 * error names the line (counted in the output: every encoding here keeps line ends). */
static int convert_fd(const dir_file *f, const char *from, int *out, cb_error *err)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    size_t len = (size_t)st.st_size;
    char *in = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, f->fd, 0) : "";
    if (in == MAP_FAILED) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    iconv_t cd = iconv_open("UTF-8", from);
    int mfd = cd == (iconv_t)-1 ? -1 : memfd_create("countybrief-csv", MFD_CLOEXEC);
    int rc = CB_OK;
    if (cd == (iconv_t)-1)
        rc = cb_fail(err, CB_EUSAGE, "--encoding %s: an encoding iconv does not know (try "
                     "GB18030, UTF-16, BIG5, LATIN1)", from);
    else if (mfd < 0)
        rc = cb_fail(err, CB_EIO, "%s: cannot convert (%s)", f->path, strerror(errno));
    char buf[64 * 1024];
    char *ip = in;
    size_t left = len, lines = 1, dropped = 0;
    while (rc == CB_OK) {
        char *op = buf;
        size_t room = sizeof buf;
        size_t r = iconv(cd, left ? &ip : NULL, left ? &left : NULL, &op, &room);
        int e = errno;
        for (const char *q = buf; (q = memchr(q, '\n', (size_t)(op - q))) != NULL; q++) lines++;
        for (const char *q = buf; q < op;) {
            ssize_t k = write(mfd, q, (size_t)(op - q));
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) {
                rc = cb_fail(err, CB_EIO, "%s: cannot convert (%s)", f->path, strerror(errno));
                break;
            }
            q += k;
        }
        release_pages(in, &dropped, (size_t)(ip - in));
        if (r != (size_t)-1 && !left) break;
        if (r == (size_t)-1 && e != E2BIG)
            rc = cb_fail(err, CB_EDATA, "%s:%zu: not valid %s text", f->path, lines, from);
    }
    if (cd != (iconv_t)-1) iconv_close(cd);
    if (len) munmap(in, len);
    if (rc != CB_OK) {
        if (mfd >= 0) close(mfd);
        return rc;
    }
    *out = mfd;
    return CB_OK;
}

int cbd_is_utf8_name(const char *enc)
{
    return !strcasecmp(enc, "UTF-8") || !strcasecmp(enc, "UTF8");
}

/*
 * Maps f's text: converted from `from` (not NULL), or from --encoding (UTF-8: as it is),
 * or without one from UTF-16 when the file starts with its byte-order mark, else as it is.
 */
/* f's text, converted from `from` (NULL: the file as it is), into f->tfd and f->len, not
 * mapped (a table read through the persistent index reads only its counties' rows). */
int cbd_text_fd(dir_file *f, const char *from, cb_error *err)
{
    cbd_text_close(f);
    int rc = from ? convert_fd(f, from, &f->tfd, err) : CB_OK;
    if (rc != CB_OK) return rc;
    if (!from) f->tfd = f->fd;
    f->from = from;
    struct stat st;
    if (fstat(f->tfd, &st) != 0) return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    f->len = (size_t)st.st_size;
    return CB_OK;
}

int cbd_text_open(dir_file *f, const cb_data_opts *o, const char *from, cb_error *err)
{
    if (!from && o->encoding && !cbd_is_utf8_name(o->encoding)) from = o->encoding;
    unsigned char bom[2];
    if (!from && !o->encoding && pread(f->fd, bom, 2, 0) == 2 &&
        ((bom[0] == 0xFF && bom[1] == 0xFE) || (bom[0] == 0xFE && bom[1] == 0xFF)))
        from = "UTF-16";
    int rc = cbd_text_fd(f, from, err);
    if (rc != CB_OK) return rc;
    f->data = f->len ? mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, f->tfd, 0) : "";
    if (f->data == MAP_FAILED) {
        f->data = NULL;
        return cb_fail(err, CB_EIO, "%s: %s", f->path, strerror(errno));
    }
    f->delim = cb_csv_sniff_delim(f->data, f->len);
    return CB_OK;
}

/*
 * Parses f with fn, in its encoding: a file that is not UTF-8 (and no --encoding) is tried
 * again as GB18030, what Excel on Chinese Windows saves as "CSV"; `restart` (may be NULL)
 * undoes what the first parse did. If it is not GB18030 either, the UTF-8 error stands; an
 * error in the GB18030 text is given as such.
 */
int cbd_parse_text(dir_file *f, const cb_data_opts *o, cb_csv_record_fn fn, void *ud,
                      void (*restart)(void *ud), notes *ns, cb_error *err)
{
    int rc = cbd_text_open(f, o, NULL, err);
    if (rc != CB_OK) return rc;
    cb_csv_opts co = {f->delim, 0};
    rc = cb_csv_parse_with(f->path, f->data, f->len, &co, fn, ud, err);
    if (rc != CB_OK && co.not_utf8 && !f->from && !o->encoding) {
        cb_error first = *err;
        if (cbd_text_open(f, o, "GB18030", err) != CB_OK) {
            *err = first;
            return rc;
        }
        if (restart) restart(ud);
        co = (cb_csv_opts){f->delim, 0};
        rc = cb_csv_parse_with(f->path, f->data, f->len, &co, fn, ud, err);
        if (rc != CB_OK) /* an error in the file read as GB18030: say so */
            rc = cb_fail(err, rc, "%s (the file is not UTF-8: read as GB18030)", err->msg);
    }
    if (rc == CB_OK && f->from && !o->encoding)
        cbd_add_note(ns, 0, cb_xasprintf("%s is not UTF-8; read as %s", f->path, f->from));
    return rc;
}

static void csv_restart(void *ud)
{
    csv_load *ld = ud;
    drop_current(ld->b);
    free(ld->cells);
    ld->cells = NULL;
    ld->ncols = 0;
}

int cbd_fail_empty(const dir_file *f, cb_error *err)
{
    return cb_fail(err, CB_EDATA, "%s: empty file (a header row is required)", f->path);
}

int cbd_load_csv_table(cb_dataset_builder *b, dir_file *f, const cb_data_opts *o, notes *ns,
                       cb_error *err)
{
    csv_load ld = {.b = b, .f = f, .name = f->stem, .path = f->path};
    int rc = cbd_parse_text(f, o, csv_record, &ld, csv_restart, ns, err);
    if (rc == CB_OK && !ld.cells)
        rc = cbd_fail_empty(f, err);
    free(ld.cells);
    cbd_text_close(f);
    if (rc == CB_OK) rc = cbd_end_table(b, err);
    return rc;
}

static int check_dir(const char *dir, cb_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return cb_fail(err, CB_EIO, "%s: no such data folder", dir);
        return cb_fail(err, CB_EIO, "%s: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) return cb_fail(err, CB_EIO, "%s: not a folder", dir);
    return CB_OK;
}

/* The counties come second so that a load whose partitioned tables stay on disk (their
 * rows' counties found as they are read) reads the files in the same order as one that
 * keeps them: the first error is the same. */
void cbd_load_order(const dir_file *files, size_t nfiles, size_t *order)
{
    static const char *const first[] = {"schema", "counties"};
    size_t n = 0;
    for (size_t k = 0; k < 2; k++) {
        dir_file key = {.stem = (char *)first[k]};
        const dir_file *f = bsearch(&key, files, nfiles, sizeof *files, dir_file_cmp);
        if (f) order[n++] = (size_t)(f - files);
    }
    for (size_t i = 0; i < nfiles; i++)
        if (strcmp(files[i].stem, "schema") != 0 && strcmp(files[i].stem, "counties") != 0)
            order[n++] = i;
}

/* Feeds every file to b, in cbd_load_order. */
static int load_tables(cb_dataset_builder *b, dir_file *files, size_t nfiles,
                       const cb_data_opts *o, notes *ns, cb_error *err)
{
    size_t *order = cb_xmalloc((nfiles ? nfiles : 1) * sizeof *order);
    cbd_load_order(files, nfiles, order);
    int rc = CB_OK;
    for (size_t k = 0; k < nfiles && rc == CB_OK; k++)
        rc = cbd_load_csv_table(b, &files[order[k]], o, ns, err);
    free(order);
    return rc;
}

/* The folder's CSV files, open and sorted; checks the folder and that it has counties.csv
 * before anything is read, so the message names the file to add. */
int cbd_open_folder(const char *dir, const cb_data_opts *o, dir_file **files,
                       size_t *nfiles, notes *ns, cb_error *err)
{
    int rc = check_dir(dir, err);
    if (rc != CB_OK) return rc;
    if ((rc = list_csv(dir, o, files, nfiles, ns, err)) != CB_OK) return rc;
    dir_file key = {.stem = "counties"};
    if (*nfiles && bsearch(&key, *files, *nfiles, sizeof **files, dir_file_cmp)) return CB_OK;
    char *path = cb_path_join(dir, "counties.csv");
    for (size_t i = 0; i < ns->n; i++) /* skipped: the warning says why */
        if (ns->v[i].warning && !strncmp(ns->v[i].msg, path, strlen(path)) &&
            ns->v[i].msg[strlen(path)] == ':')
            rc = cb_fail(err, CB_EDATA, "%s", ns->v[i].msg);
    if (rc == CB_OK)
        rc = cb_fail(err, CB_EDATA, "%s: missing (every data folder needs a counties table)",
                     path);
    free(path);
    cbd_dir_files_free(*files, *nfiles);
    return rc;
}

/* The open folder's files as tables held in memory, each fed to the builder. */
static int load_whole(cb_dataset *ds, const char *dir, dir_file *files, size_t nfiles,
                      const cb_data_opts *o, notes *ns, cb_error *err)
{
    cb_dataset_builder *b = cb_dataset_builder_new(dir);
    int rc = load_tables(b, files, nfiles, o, ns, err);
    if (rc != CB_OK) {
        cb_dataset_builder_free(b);
        return rc;
    }
    return cb_dataset_builder_finish(b, ds, err);
}

int cb_dataset_load_with(cb_dataset *ds, const char *dir, const cb_data_opts *o,
                         cb_error *err)
{
    static const cb_data_opts defaults = {0};
    memset(ds, 0, sizeof *ds);
    if (!o) o = &defaults;
    for (int pass = 0;; pass++) { /* a second pass without the index, if it did not fit */
        dir_file *files = NULL;
        size_t nfiles = 0;
        notes ns = {0};
        int rc = cbd_open_folder(dir, o, &files, &nfiles, &ns, err);
        if (rc != CB_OK) {
            cbd_notes_free(&ns);
            return rc;
        }
        cb_dix *ix = o->lazy && o->index == CB_INDEX_USE && pass == 0
                         ? cbd_index_find(dir, files, nfiles, o, &ns) : NULL;
        rc = o->lazy ? cbd_load_lazy(ds, dir, files, nfiles, o, ix, &ns, err)
                     : load_whole(ds, dir, files, nfiles, o, &ns, err);
        cbd_dir_files_free(files, nfiles);
        if (rc == CB_OK) {
            ds->index = ix;
            ds->notes = ns.v;
            ds->nnotes = ns.n;
            return CB_OK;
        }
        cbd_notes_free(&ns);
        if (ix) cb_dix_close(ix);
        free(ix);
        cb_dataset_free(ds);
        if (rc != INDEX_STALE) return rc;
    }
}

int cb_dataset_load(cb_dataset *ds, const char *dir, cb_error *err)
{
    return cb_dataset_load_with(ds, dir, NULL, err);
}

