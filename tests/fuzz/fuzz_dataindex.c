/*
 * fuzz_dataindex: the persistent data index reader (core/dataindex.c, cb_dix_open).
 *
 * The input is an index file. The first byte picks a mode:
 *   even  the rest is written as it is (the checksum then refuses nearly everything: this
 *         checks the header and the refusal of damage);
 *   odd   the rest gets a valid header (magic, version, byte order, length and the CRC-64
 *         of its body) before it is written, so that the body's parser is explored.
 *
 * Checked (names for CB_FUZZ_IGNORE in brackets):
 *  [refused]  a refused index leaves *ix empty and says "PATH: corrupt (...)", or is
 *             CB_DIX_NONE (another version);
 *  [bounds]   an accepted index keeps dataindex.h's promises: each table's file among the
 *             files; of each county cb_dix_county_check passes, first[] ascending within
 *             the runs, each run inside the table's text and rows, its digest readable;
 *             of each row of the counties cb_dix_counties_row_check passes, its cells of
 *             their column's type, texts inside the names; ids never empty, the id order
 *             county numbers, the clash candidates ascending county numbers, the ids'
 *             digest 64 hex digits. Every byte it points at is read, so ASan sees any
 *             reach past the mapping.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <isa-l/crc64.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"
#include "dataindex.h"
#include "fuzz_common.h"

static char *scratch;

static unsigned touch(const void *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) s += ((const unsigned char *)p)[i];
    return s;
}

static void check_index(cb_dix *ix)
{
    volatile unsigned sink = 0;
    for (size_t i = 0; i < ix->nfiles; i++) sink += touch(ix->files[i].name, strlen(ix->files[i].name));
    for (size_t i = 0; i < ix->ntables; i++) {
        const cb_dix_table *t = &ix->tables[i];
        CHECK("bounds", t->file < ix->nfiles, "table %zu of file %u of %zu", i, t->file, ix->nfiles);
        for (size_t c = 0; c < t->ncols; c++) sink += touch(t->cols[c], strlen(t->cols[c]));
    }
    /* a county's share is used only once cb_dix_county_check passed it */
    for (size_t c = 0; c < ix->ncounties; c++) {
        if (cb_dix_county_check(ix, c)) continue;
        sink += touch(ix->digests + 32 * c, 32);
        for (size_t i = 0; i < ix->ntables; i++) {
            const cb_dix_table *t = &ix->tables[i];
            CHECK("bounds", t->first[c] <= t->first[c + 1] && t->first[c + 1] <= t->nranges, "first[%zu]", c);
            for (uint32_t r = t->first[c]; r < t->first[c + 1]; r++) {
                const cb_dix_range *g = &t->ranges[r];
                CHECK("bounds", g->nrows >= 1 && (uint64_t)g->row + g->nrows <= t->nall, "run %u rows", r);
                CHECK("bounds", g->off >= t->data_off && g->off + g->len <= t->text_len, "run %u bytes", r);
            }
        }
    }
    if (ix->has_counties) {
        const cb_dix_counties *k = &ix->counties;
        size_t ncells = ix->ncounties * k->ncols;
        for (size_t i = 0; i < ix->ncounties; i++)
            CHECK("bounds", k->by_id[i] < ix->ncounties, "by_id[%zu] = %u", i, k->by_id[i]);
        for (size_t i = 0; i < ncells; i++) {
            if (cb_dix_counties_row_check(ix, i / k->ncols)) { /* a row is used only once checked */
                i += k->ncols - 1 - i % k->ncols;
                continue;
            }
            unsigned ty = k->cell_types[i];
            CHECK("bounds", ty == CB_T_NULL || ty == k->types[i % k->ncols], "cell %zu type %u", i, ty);
            if (ty == CB_T_TEXT) {
                CHECK("bounds", k->cell_vals[i] < k->text_len, "cell %zu text at %llu", i,
                      (unsigned long long)k->cell_vals[i]);
                sink += touch(k->text + k->cell_vals[i], strlen(k->text + k->cell_vals[i]));
            }
        }
    }
    for (uint64_t i = 0; i < ix->nclash; i++)
        CHECK("bounds", ix->clash[i] < ix->ncounties && (!i || ix->clash[i] > ix->clash[i - 1]),
              "clash[%llu] = %u", (unsigned long long)i, ix->clash[i]);
    CHECK("bounds", strlen(ix->ids_digest) == 64, "ids digest of %zu characters", strlen(ix->ids_digest));
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scratch && !(scratch = fz_scratch_dir("dataindex"))) abort();
    if (size < 1) return 0;
    int fix = data[0] & 1;
    data++;
    size--;
    unsigned char *buf = malloc(size + 32);
    memcpy(buf, data, size);
    size_t len = size;
    if (fix) { /* a header the reader accepts, over the input as body */
        memmove(buf + 32, buf, size);
        uint32_t version = 4, order = 0x01020304; /* DIX_VERSION */
        uint64_t total = size + 32, crc = crc64_ecma_refl(0, buf + 32, size);
        memcpy(buf, "CBINDEX\n", 8);
        memcpy(buf + 8, &version, 4);
        memcpy(buf + 12, &order, 4);
        memcpy(buf + 16, &total, 8);
        memcpy(buf + 24, &crc, 8);
        len = size + 32;
    }
    char *path = cb_path_join(scratch, "index");
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) abort();
    free(buf);
    cb_dix ix;
    cb_error e = {0};
    int r = cb_dix_open(path, UINT64_MAX, &ix, &e);
    if (r == CB_OK) {
        check_index(&ix);
        cb_dix_close(&ix);
    } else {
        CHECK("refused", r == CB_DIX_NONE || (r == CB_DIX_CORRUPT && strstr(e.msg, ": corrupt (")),
              "result %d: %s", r, e.msg);
        CHECK("refused", ix.map == NULL && ix.files == NULL && ix.tables == NULL, "not emptied");
    }
    unlink(path);
    free(path);
    return 0;
}
