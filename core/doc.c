/* doc.c: see doc.h. */
#include "doc.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "worker.h"

void cb_doc_init(cb_doc *d) { memset(d, 0, sizeof *d); }

static void free_block(cb_block *b)
{
    free(b->text);
    free(b->subtitle);
    free(b->unit);
    for (size_t i = 0; i < b->nitems; i++) {
        free(b->items[i].label);
        free(b->items[i].value);
        free(b->items[i].detail);
    }
    free(b->items);
    for (size_t i = 0; i < b->ncols; i++) free(b->cols[i].title);
    free(b->cols);
    for (size_t i = 0; i < b->nrows * b->ncols; i++) free(b->cells[i]);
    free(b->cells);
    if (b->ptype && b->ptype->destroy && b->pstate) {
        cb_worker_mark(CB_MARK_BLOCK, b->ptype, NULL); /* a crash names the block */
        b->ptype->destroy(b->pstate);
        cb_worker_mark(CB_MARK_NONE, NULL, NULL);
    }
    free(b->where);
}

void cb_doc_free(cb_doc *d)
{
    for (size_t i = 0; i < d->nblocks; i++) free_block(&d->blocks[i]);
    free(d->blocks);
    free(d->title);
    free(d->subject);
    free(d->author);
    free(d->keywords);
    memset(d, 0, sizeof *d);
}

cb_block *cb_doc_add(cb_doc *d, cb_block_kind kind)
{
    if (d->nblocks == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->blocks = cb_xrealloc(d->blocks, d->cap * sizeof *d->blocks);
    }
    cb_block *b = &d->blocks[d->nblocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    return b;
}
