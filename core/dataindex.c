/* dataindex.c: see dataindex.h. */
#include "dataindex.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/crc64.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "output.h"

#define DIX_MAGIC "CBINDEX\n"
#define DIX_VERSION 4u /* 4: each file's ctime too */
#define DROP_EVERY (1u << 20) /* bytes read between two drops of the mapping's pages */
#define DIX_ORDER 0x01020304u /* reads otherwise on a machine of the other byte order */

/* The fixed header; the checksum covers the body, bytes [sizeof header, total), but the
 * per-county arrays (each table's first[] and ranges[], the digests, the counties' cells
 * and text): each county's share of those has its own checksum (county_crc), checked when
 * the county is first used (cb_dix_county_check), so that opening the index does not read
 * them all. */
typedef struct dix_header {
    char magic[8];
    uint32_t version, order;
    uint64_t total;
    uint64_t crc;
} dix_header;

/* ---- writing ---- */

static void put(cb_buf *b, const void *p, size_t n) { cb_buf_add(b, p, n); }
static void put_u8(cb_buf *b, unsigned v) { unsigned char c = (unsigned char)v; put(b, &c, 1); }
static void put_u32(cb_buf *b, uint32_t v) { put(b, &v, sizeof v); }
static void put_u64(cb_buf *b, uint64_t v) { put(b, &v, sizeof v); }

static void put_str(cb_buf *b, const char *s)
{
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    put(b, s, n + 1);
}

/* Pads to 8 bytes, then the array. */
static void put_array(cb_buf *b, const void *p, size_t n)
{
    static const char zero[8];
    put(b, zero, (8 - b->len % 8) % 8);
    put(b, p, n);
}

/* A byte range of the body left to the counties' own checksums. */
typedef struct span {
    size_t at, len;
} span;

/* put_array of a per-county array, its bytes recorded in sp. */
static void put_county_array(cb_buf *b, const void *p, size_t n, span *sp)
{
    put_array(b, p, n);
    *sp = (span){b->len - n, n};
}

static void drop_pages(const cb_dix *ix, size_t *dropped, size_t offset);

/* The checksum of the body but the spans sp[0..n) (ascending); read from ix's mapping a
 * megabyte at a time, its pages let go as it goes, else from base (the writer's buffer). */
static uint64_t body_crc(const cb_dix *ix, const unsigned char *base, size_t len, const span *sp, size_t n)
{
    uint64_t crc = 0;
    size_t at = sizeof(dix_header), dropped = 0;
    for (size_t i = 0; i <= n; i++) {
        size_t end = i < n ? sp[i].at : len;
        while (end > at) {
            size_t k = end - at < DROP_EVERY ? end - at : DROP_EVERY;
            crc = crc64_ecma_refl(crc, base + at, k);
            at += k;
            if (ix) drop_pages(ix, &dropped, at);
        }
        if (i < n && sp[i].at + sp[i].len > at) at = sp[i].at + sp[i].len;
    }
    return crc;
}

/* County c's checksum: its digest, per table its first[c], first[c + 1] and runs, and its
 * row of the counties table (the cells' types and values, its texts with their NULs; a
 * text out of range counts as its offset alone, cb_dix_counties_row_check refuses it). */
static uint64_t county_crc(const cb_dix *ix, size_t c)
{
    uint64_t crc = crc64_ecma_refl(0, ix->digests + 32 * c, 32);
    if (ix->has_counties) {
        const cb_dix_counties *k = &ix->counties;
        size_t at = c * k->ncols;
        crc = crc64_ecma_refl(crc, k->cell_types + at, k->ncols);
        crc = crc64_ecma_refl(crc, (const unsigned char *)(k->cell_vals + at), k->ncols * sizeof *k->cell_vals);
        for (size_t i = at; i < at + k->ncols; i++)
            if (k->cell_types[i] == CB_T_TEXT && k->cell_vals[i] < k->text_len)
                crc = crc64_ecma_refl(crc, (const unsigned char *)k->text + k->cell_vals[i],
                                      strlen(k->text + k->cell_vals[i]) + 1);
    }
    for (size_t i = 0; i < ix->ntables; i++) {
        const cb_dix_table *t = &ix->tables[i];
        crc = crc64_ecma_refl(crc, (const unsigned char *)&t->first[c], 2 * sizeof *t->first);
        crc = crc64_ecma_refl(crc, (const unsigned char *)&t->ranges[t->first[c]],
                              (t->first[c + 1] - t->first[c]) * sizeof *t->ranges);
    }
    return crc;
}

int cb_dix_write(const char *path, const cb_dix *ix, size_t *bytes, cb_error *err)
{
    cb_buf b = {0};
    dix_header h = {DIX_MAGIC, DIX_VERSION, DIX_ORDER, 0, 0};
    put(&b, &h, sizeof h);
    put_str(&b, ix->encoding);
    put_u32(&b, (uint32_t)ix->follow_links);
    put_u32(&b, (uint32_t)ix->nfiles);
    for (size_t i = 0; i < ix->nfiles; i++) {
        const cb_dix_file *f = &ix->files[i];
        put_str(&b, f->name);
        put_u64(&b, (uint64_t)f->id.size);
        put_u64(&b, (uint64_t)f->id.ino);
        put_u64(&b, (uint64_t)f->id.mtime_ns);
        put_u64(&b, (uint64_t)f->id.ctime_ns); /* not the device: dataindex.h */
    }
    put_u64(&b, ix->ncounties);
    put_u32(&b, (uint32_t)ix->ntables);
    span *sp = cb_xmalloc((2 * ix->ntables + 4) * sizeof *sp);
    size_t nsp = 0;
    for (size_t i = 0; i < ix->ntables; i++) {
        const cb_dix_table *t = &ix->tables[i];
        put_u32(&b, t->file);
        put_u8(&b, (unsigned char)t->delim);
        put_str(&b, t->from);
        put_u64(&b, t->text_len);
        put_u64(&b, t->data_off);
        put_u32(&b, t->data_line);
        put_u64(&b, t->nall);
        put_u32(&b, t->ncols);
        for (size_t c = 0; c < t->ncols; c++) {
            put_str(&b, t->cols[c]);
            put_u8(&b, t->types[c]);
            put_u8(&b, t->has_value[c]);
        }
        put_u64(&b, t->first[ix->ncounties]);
        put_county_array(&b, t->first, (ix->ncounties + 1) * sizeof *t->first, &sp[nsp++]);
        put_county_array(&b, t->ranges, t->first[ix->ncounties] * sizeof *t->ranges, &sp[nsp++]);
    }
    put_u32(&b, (uint32_t)ix->has_counties);
    if (ix->has_counties) {
        const cb_dix_counties *k = &ix->counties;
        size_t ncells = ix->ncounties * k->ncols;
        put_u32(&b, k->file);
        put_u32(&b, k->ncols);
        for (size_t c = 0; c < k->ncols; c++) {
            put_str(&b, k->cols[c]);
            put_u8(&b, k->types[c]);
        }
        put_array(&b, k->lines, ix->ncounties * sizeof *k->lines);
        put_array(&b, k->by_id, ix->ncounties * sizeof *k->by_id);
        put_county_array(&b, k->cell_vals, ncells * sizeof *k->cell_vals, &sp[nsp++]);
        put_county_array(&b, k->cell_types, ncells, &sp[nsp++]);
        put_u64(&b, k->text_len);
        put_county_array(&b, k->text, k->text_len, &sp[nsp++]);
    }
    put_county_array(&b, ix->digests, ix->ncounties * 32, &sp[nsp++]);
    put(&b, ix->ids_digest, 64);
    put_u64(&b, ix->nclash);
    put_array(&b, ix->clash, ix->nclash * sizeof *ix->clash);
    uint64_t *crcs = cb_xmalloc((ix->ncounties ? ix->ncounties : 1) * sizeof *crcs);
    for (size_t c = 0; c < ix->ncounties; c++) crcs[c] = county_crc(ix, c);
    put_array(&b, crcs, ix->ncounties * sizeof *crcs);
    free(crcs);
    dix_header *hp = (dix_header *)b.s;
    hp->total = b.len;
    hp->crc = body_crc(NULL, (const unsigned char *)b.s, b.len, sp, nsp);
    free(sp);
    int rc = cb_write_file_atomic(path, b.s, b.len, err);
    if (bytes) *bytes = b.len;
    cb_buf_free(&b);
    return rc;
}

/* ---- reading: every field through a cursor that stays inside the body ---- */

typedef struct cursor {
    const unsigned char *base;
    size_t pos, end;
    const char *bad; /* the first problem, or NULL */
} cursor;

static const void *take(cursor *c, size_t n)
{
    if (c->bad) return NULL;
    if (n > c->end - c->pos) {
        c->bad = "truncated";
        return NULL;
    }
    const void *p = c->base + c->pos;
    c->pos += n;
    return p;
}

static uint64_t get_u64(cursor *c)
{
    uint64_t v = 0;
    const void *p = take(c, sizeof v);
    if (p) memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t get_u32(cursor *c)
{
    uint32_t v = 0;
    const void *p = take(c, sizeof v);
    if (p) memcpy(&v, p, sizeof v);
    return v;
}

static unsigned get_u8(cursor *c)
{
    const unsigned char *p = take(c, 1);
    return p ? *p : 0;
}

/* A NUL-terminated string without NUL inside, copied. */
static char *get_str(cursor *c)
{
    uint32_t n = get_u32(c);
    const char *p = take(c, (size_t)n + 1);
    if (!p) return cb_xstrdup("");
    if (p[n] != '\0' || memchr(p, '\0', n)) {
        c->bad = "a malformed name";
        return cb_xstrdup("");
    }
    return cb_xstrndup(p, n);
}

/* count elements of size bytes, 8-aligned, in place; NULL (and c->bad) if they don't fit. */
static const void *get_array(cursor *c, uint64_t count, size_t size)
{
    if (c->bad) return NULL;
    size_t pad = (8 - c->pos % 8) % 8;
    if (!take(c, pad)) return NULL;
    if (count > (c->end - c->pos) / size) {
        c->bad = "truncated";
        return NULL;
    }
    return take(c, (size_t)count * size);
}

void cb_dix_close(cb_dix *ix)
{
    free(ix->encoding);
    for (size_t i = 0; i < ix->nfiles; i++) free(ix->files[i].name);
    free(ix->files);
    for (size_t i = 0; i < ix->ntables; i++) {
        cb_dix_table *t = &ix->tables[i];
        free(t->from);
        for (size_t c = 0; t->cols && c < t->ncols; c++) free(t->cols[c]);
        free(t->cols);
        free(t->types);
        free(t->has_value);
    }
    free(ix->tables);
    for (size_t c = 0; ix->counties.cols && c < ix->counties.ncols; c++) free(ix->counties.cols[c]);
    free(ix->counties.cols);
    free(ix->counties.types);
    free(ix->checked);
    free(ix->path);
    if (ix->map) munmap(ix->map, ix->map_len);
    memset(ix, 0, sizeof *ix);
}


/* Lets the mapping's pages up to offset go (they are read, not needed again), so that
 * checking a large index does not count it all in the resident set. */
static void drop_pages(const cb_dix *ix, size_t *dropped, size_t offset)
{
    if (offset - *dropped < DROP_EVERY && offset != ix->map_len) return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), upto = offset / page * page;
    if (upto > *dropped) madvise((char *)ix->map + *dropped, upto - *dropped, MADV_DONTNEED);
    *dropped = upto;
}

/* County c's share of the per-county arrays: its runs inside its table, each inside the
 * table's text and rows, the checksum its own (county_crc). Returns the problem or NULL. */
const char *cb_dix_county_check(cb_dix *ix, size_t c)
{
    if (c >= ix->ncounties) return "a county number out of range";
    if (ix->checked[c]) return NULL;
    for (size_t i = 0; i < ix->ntables; i++) {
        const cb_dix_table *t = &ix->tables[i];
        if (t->first[c] > t->first[c + 1] || t->first[c + 1] > t->nranges) return "a county's rows out of order";
    }
    const char *row = ix->has_counties ? cb_dix_counties_row_check(ix, c) : NULL;
    if (row) return row;
    if (county_crc(ix, c) != ix->county_crcs[c]) return "checksum mismatch";
    for (size_t i = 0; i < ix->ntables; i++) {
        const cb_dix_table *t = &ix->tables[i];
        for (uint32_t r = t->first[c]; r < t->first[c + 1]; r++) {
            const cb_dix_range *g = &t->ranges[r];
            if (g->nrows == 0 || g->nrows > t->nall || g->row > t->nall - g->nrows)
                return "a row number out of range";
            if (g->off < t->data_off || g->off > t->text_len || g->len > t->text_len - g->off)
                return "a row's bytes outside its file";
        }
    }
    ix->checked[c] = 1;
    return NULL;
}

/* The counties table: county_id and name columns, the id order a list of counties, its
 * text NUL-terminated. Its cells (values, types, text) are checked a row at a time when
 * first used (cb_dix_counties_row_check; the row is in its county's checksum), so that a
 * one-county run reads only its rows. */
static const char *get_counties(cb_dix *ix, cursor *c, uint32_t nfiles, span *sp, size_t *nsp)
{
    cb_dix_counties *k = &ix->counties;
    size_t nc = ix->ncounties;
    k->file = get_u32(c);
    uint32_t ncols = get_u32(c);
    if (c->bad) return c->bad;
    if (k->file >= nfiles) return "a table of no file";
    if (ncols < 2 || ncols > (c->end - c->pos) / 6) return "a column count beyond its length";
    k->cols = cb_xcalloc(ncols, sizeof *k->cols);
    k->types = cb_xcalloc(ncols, 1);
    k->id_col = k->name_col = -1;
    while (!c->bad && k->ncols < ncols) {
        size_t i = k->ncols++; /* counted first: cb_dix_close frees it whatever comes */
        k->cols[i] = get_str(c);
        k->types[i] = (unsigned char)get_u8(c);
        if (k->types[i] != CB_T_NUMBER && k->types[i] != CB_T_TEXT) return "a column of no type";
        if (!strcmp(k->cols[i], "county_id")) k->id_col = (int)i;
        if (!strcmp(k->cols[i], "name")) k->name_col = (int)i;
    }
    if (!c->bad && (k->id_col < 0 || k->name_col < 0)) return "counties without county_id or name";
    if (!c->bad && nc > (c->end - c->pos) / ncols / 9) return "a county count beyond its length";
    size_t ncells = nc * ncols;
    k->lines = get_array(c, nc, sizeof *k->lines);
    k->by_id = get_array(c, nc, sizeof *k->by_id);
    k->cell_vals = get_array(c, ncells, sizeof *k->cell_vals);
    if (!c->bad) sp[(*nsp)++] = (span){(size_t)((const unsigned char *)k->cell_vals - c->base), ncells * sizeof *k->cell_vals};
    k->cell_types = get_array(c, ncells, 1);
    if (!c->bad) sp[(*nsp)++] = (span){(size_t)(k->cell_types - c->base), ncells};
    k->text_len = get_u64(c);
    k->text = get_array(c, k->text_len, 1);
    if (c->bad) return c->bad;
    sp[(*nsp)++] = (span){(size_t)((const unsigned char *)k->text - c->base), k->text_len};
    if (!k->text_len || k->text[k->text_len - 1] != '\0') return "a malformed name";
    for (size_t i = 0; i < nc; i++)
        if (k->by_id[i] >= nc) return "a county number out of range";
    return NULL;
}

const char *cb_dix_counties_row_check(const cb_dix *ix, size_t r)
{
    const cb_dix_counties *k = &ix->counties;
    if (!ix->has_counties || r >= ix->ncounties) return "a county number out of range";
    for (size_t col = 0, i = r * k->ncols; col < k->ncols; col++, i++) {
        unsigned t = k->cell_types[i];
        double v;
        memcpy(&v, &k->cell_vals[i], sizeof v);
        if (t != CB_T_NULL && t != k->types[col]) return "a cell of another type";
        if (t == CB_T_TEXT && k->cell_vals[i] >= k->text_len) return "a cell outside the names";
        if (t == CB_T_NUMBER && !isfinite(v)) return "a number not finite";
        if (t != CB_T_TEXT && col == (size_t)k->id_col) return "a county without an id";
    }
    return NULL;
}

/* The body, its per-county arrays' bytes recorded in sp (2 per table, 3 of the counties,
 * the digests: *nsp of them) for the checksum. */
static const char *parse_body(cb_dix *ix, span **spp, size_t *nsp)
{
    cursor c = {ix->map, sizeof(dix_header), ix->map_len, NULL};
    ix->encoding = get_str(&c);
    ix->follow_links = (int)get_u32(&c);
    uint32_t nfiles = get_u32(&c);
    if (!c.bad && nfiles > (c.end - c.pos) / 36) return "a file count beyond its length";
    ix->files = cb_xcalloc(nfiles ? nfiles : 1, sizeof *ix->files);
    for (; !c.bad && ix->nfiles < nfiles; ix->nfiles++) {
        cb_dix_file *f = &ix->files[ix->nfiles];
        f->name = get_str(&c);
        f->id.size = (long long)get_u64(&c);
        f->id.ino = (long long)get_u64(&c);
        f->id.mtime_ns = (long long)get_u64(&c);
        f->id.ctime_ns = (long long)get_u64(&c);
        f->id.settled = 1;
    }
    uint64_t nc = get_u64(&c);
    if (!c.bad && nc > (c.end - c.pos) / 32) return "a county count beyond its length";
    ix->ncounties = (size_t)nc;
    uint32_t ntables = get_u32(&c);
    if (!c.bad && ntables > nfiles) return "more tables than files";
    ix->tables = cb_xcalloc(ntables ? ntables : 1, sizeof *ix->tables);
    span *sp = *spp = cb_xmalloc((2 * (size_t)ntables + 4) * sizeof *sp);
    size_t dropped = 0;
    for (; !c.bad && ix->ntables < ntables;) {
        cb_dix_table *t = &ix->tables[ix->ntables++];
        t->file = get_u32(&c);
        t->delim = (char)get_u8(&c);
        t->from = get_str(&c);
        t->text_len = get_u64(&c);
        t->data_off = get_u64(&c);
        t->data_line = get_u32(&c);
        t->nall = get_u64(&c);
        uint32_t ncols = get_u32(&c);
        if (c.bad) break;
        if (t->file >= nfiles) return "a table of no file";
        if (t->delim != ',' && t->delim != '\t') return "a bad field separator";
        if (ncols == 0 || ncols > (c.end - c.pos) / 7) return "a column count beyond its length";
        t->cols = cb_xcalloc(ncols, sizeof *t->cols);
        t->types = cb_xcalloc(ncols, 1);
        t->has_value = cb_xcalloc(ncols, 1);
        while (!c.bad && t->ncols < ncols) {
            size_t i = t->ncols++; /* counted first: cb_dix_close frees it whatever comes */
            t->cols[i] = get_str(&c);
            t->types[i] = (unsigned char)get_u8(&c);
            t->has_value[i] = (unsigned char)get_u8(&c);
            if (t->types[i] != CB_T_NUMBER && t->types[i] != CB_T_TEXT) return "a column of no type";
            if (t->has_value[i] > 1) return "a bad column flag";
        }
        t->nranges = get_u64(&c);
        t->first = get_array(&c, nc + 1, sizeof *t->first);
        if (c.bad) break;
        sp[(*nsp)++] = (span){(size_t)((const unsigned char *)t->first - c.base), (nc + 1) * sizeof *t->first};
        t->ranges = get_array(&c, t->nranges, sizeof *t->ranges);
        if (c.bad) break;
        sp[(*nsp)++] = (span){(size_t)((const unsigned char *)t->ranges - c.base), t->nranges * sizeof *t->ranges};
        if (t->data_off > t->text_len) return "a table's rows outside its text";
        /* a row of n fields takes n - 1 separators at least (blank lines are no rows) */
        if (t->nall > t->text_len || (t->ncols > 1 && t->nall > t->text_len / (t->ncols - 1)))
            return "more rows than its file can hold";
        drop_pages(ix, &dropped, c.pos); /* what reading its header mapped (a page cache's
                                           * large folio is mapped whole) */
    }
    ix->has_counties = !c.bad && get_u32(&c) == 1;
    if (ix->has_counties) {
        const char *bad = get_counties(ix, &c, nfiles, sp, nsp);
        if (bad) return bad;
    }
    ix->digests = get_array(&c, nc, 32);
    if (!c.bad) sp[(*nsp)++] = (span){(size_t)(ix->digests - c.base), nc * 32};
    const char *hexd = take(&c, 64);
    if (hexd) {
        for (size_t i = 0; i < 64; i++)
            if (!strchr("0123456789abcdef", hexd[i]) || !hexd[i]) return "a malformed digest";
        memcpy(ix->ids_digest, hexd, 64);
    }
    ix->nclash = get_u64(&c);
    ix->clash = get_array(&c, ix->nclash, sizeof *ix->clash);
    for (uint64_t i = 0; !c.bad && i < ix->nclash; i++)
        if (ix->clash[i] >= nc || (i && ix->clash[i] <= ix->clash[i - 1])) return "a county number out of range";
    ix->county_crcs = get_array(&c, nc, sizeof *ix->county_crcs);
    if (!c.bad && c.pos != c.end) return "bytes after its end";
    drop_pages(ix, &dropped, ix->map_len);
    return c.bad;
}

int cb_dix_open(const char *path, uint64_t max_len, cb_dix *ix, cb_error *err)
{
    memset(ix, 0, sizeof *ix);
    cb_error e;
    int fd = cb_file_open(path, O_RDONLY, 0, &e);
    if (fd < 0) {
        if (errno == ENOENT) return CB_DIX_NONE;
        cb_fail(err, CB_EIO, "%s", e.msg);
        return CB_DIX_CORRUPT;
    }
    struct stat st;
    dix_header h;
    const char *bad = NULL;
    if (fstat(fd, &st) != 0) bad = "cannot be read";
    else if ((uint64_t)st.st_size > max_len) bad = "larger than the data could need";
    else if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) bad = "truncated";
    else if (memcmp(h.magic, DIX_MAGIC, sizeof h.magic) != 0) bad = "not an index";
    else if (h.version != DIX_VERSION || h.order != DIX_ORDER) {
        close(fd); /* another countybrief's: rebuilt without a word */
        return CB_DIX_NONE;
    } else if (h.total != (uint64_t)st.st_size) bad = "truncated";
    if (!bad) {
        ix->map_len = (size_t)st.st_size;
        ix->map = mmap(NULL, ix->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (ix->map != MAP_FAILED) madvise(ix->map, ix->map_len, MADV_RANDOM);
        if (ix->map == MAP_FAILED) {
            ix->map = NULL;
            bad = "cannot be read";
        }
    }
    close(fd);
    if (!bad) {
        span *sp = NULL;
        size_t nsp = 0;
        const char *parsed = parse_body(ix, &sp, &nsp);
        /* a changed byte: the checksum says so, whatever the parse made of it */
        if (body_crc(ix, ix->map, ix->map_len, sp, nsp) != h.crc) bad = "checksum mismatch";
        else bad = parsed;
        free(sp);
        size_t dropped = 0;
        drop_pages(ix, &dropped, ix->map_len); /* read, not needed again */
    }
    if (!bad) {
        ix->checked = cb_xcalloc(ix->ncounties ? ix->ncounties : 1, 1);
        ix->path = cb_xstrdup(path);
        return CB_OK;
    }
    cb_dix_close(ix);
    cb_fail(err, CB_EDATA, "%s: corrupt (%s)", path, bad);
    return CB_DIX_CORRUPT;
}

char *cb_dix_cache_path(const char *dir)
{
    const char *off = getenv("COUNTYBRIEF_DATA_CACHE");
    if (off && strcmp(off, "0") == 0) return NULL;
    char *cache = cb_cache_path(NULL), *real = cache ? realpath(dir, NULL) : NULL;
    if (!real) {
        free(cache);
        return NULL;
    }
    struct sha256_ctx h;
    unsigned char d[32];
    sha256_init(&h);
    sha256_update(&h, strlen(real), (const uint8_t *)real);
    sha256_digest(&h, sizeof d, d);
    char name[64];
    int n = snprintf(name, sizeof name, "data-");
    for (size_t i = 0; i < 12; i++) n += snprintf(name + n, sizeof name - (size_t)n, "%02x", d[i]);
    snprintf(name + n, sizeof name - (size_t)n, ".index");
    char *path = cb_path_join(cache, name);
    free(real);
    free(cache);
    return path;
}
