/* backend.c: see backend.h. The table of formats and the one walk over a display list. */
#include "backend.h"

#include <string.h>

#include "pdf.h"

static const cb_backend *const backends[] = {&cb_pdf_backend};
#define NBACKENDS (sizeof backends / sizeof backends[0])

const cb_backend *cb_backend_default(void) { return backends[0]; }

const cb_backend *cb_backend_find(const char *name)
{
    for (size_t i = 0; i < NBACKENDS; i++)
        if (strcmp(backends[i]->name, name) == 0) return backends[i];
    return NULL;
}

int cb_backend_write(const cb_backend *b, const cb_layout *l, cb_font *font, cb_buf *out, cb_error *err)
{
    void *st = NULL;
    int rc = b->begin_document(&st, l, font, err);
    for (size_t p = 0; p < l->npages && rc == CB_OK; p++) {
        const cb_page *pg = &l->pages[p];
        rc = b->begin_page(st, p, err);
        for (size_t k = 0, run; k < pg->nops && rc == CB_OK; k += run) {
            for (run = 1; k + run < pg->nops && pg->ops[k + run].node == pg->ops[k].node; run++) {}
            rc = b->ops(st, pg->ops + k, run, err);
        }
        if (rc == CB_OK) rc = b->end_page(st, err);
    }
    if (rc == CB_OK) rc = b->end_document(st, out, err);
    b->free_document(st);
    return rc;
}

void cb_backends_release(void)
{
    for (size_t i = 0; i < NBACKENDS; i++)
        if (backends[i]->release) backends[i]->release();
}
