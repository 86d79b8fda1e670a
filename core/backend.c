/* backend.c: see backend.h. The table of formats and the one walk over a display list. */
#include "backend.h"

#include <stdlib.h>
#include <string.h>

#include "ofd.h"
#include "pdf.h"

static const cb_backend *const backends[] = {&cb_pdf_backend, &cb_ofd_backend};
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

int cb_backends_parse(const char *spec, const cb_backend **out, size_t *n, cb_error *err)
{
    *n = 0;
    if (!spec || !*spec) {
        out[(*n)++] = cb_backend_default();
        return CB_OK;
    }
    for (const char *p = spec, *comma; ; p = comma + 1) {
        comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const cb_backend *b = NULL;
        for (size_t i = 0; i < NBACKENDS && !b; i++)
            if (strlen(backends[i]->name) == len && memcmp(backends[i]->name, p, len) == 0) b = backends[i];
        if (!b) {
            cb_buf names = {0};
            for (size_t i = 0; i < NBACKENDS; i++) cb_buf_addf(&names, "%s%s", i ? ", " : "", backends[i]->name);
            char *word = cb_xstrndup(p, len);
            cb_fail(err, CB_EUSAGE, "--format %s: no format \"%s\" (there are %s; several as pdf,ofd)", spec,
                    word, names.s);
            free(word);
            cb_buf_free(&names);
            return CB_EUSAGE;
        }
        for (size_t i = 0; i < *n; i++)
            if (out[i] == b) return cb_fail(err, CB_EUSAGE, "--format %s: %s is named twice", spec, b->name);
        out[(*n)++] = b; /* each name once, so never more than NBACKENDS <= CB_FORMATS_MAX */
        if (!comma) return CB_OK;
    }
}

cb_face_set *cb_face_sets(const cb_layout *l, cb_font *font, size_t *n)
{
    size_t nfaces = cb_font_nfaces(font), nsets = 1;
    cb_face_set *sets = cb_xcalloc(nfaces, sizeof *sets);
    int *slot = cb_xmalloc(nfaces * sizeof *slot);          /* face -> set, or -1 */
    uint8_t **seen = cb_xcalloc(nfaces, sizeof *seen);      /* per set: a bit per code point */
    size_t *count = cb_xcalloc(nfaces, sizeof *count);
    for (size_t i = 0; i < nfaces; i++) slot[i] = -1;
    slot[0] = 0;
    sets[0].face = 0;
    seen[0] = cb_xcalloc(0x110000 / 8, 1);
    uint32_t repl = cb_font_replacement(font);
    for (size_t p = 0; p < l->npages; p++)
        for (size_t k = 0; k < l->pages[p].nops; k++) {
            const cb_op *op = &l->pages[p].ops[k];
            if (op->kind != CB_OP_TEXT) continue;
            int face = cb_op_face(op);
            if (face >= (int)nfaces) continue; /* cannot happen: faces are never removed */
            if (slot[face] < 0) {
                slot[face] = (int)nsets;
                sets[nsets].face = face;
                seen[nsets] = cb_xcalloc(0x110000 / 8, 1);
                nsets++;
            }
            size_t si = (size_t)slot[face];
            uint8_t *bits = seen[si];
            const char *s = op->text, *end = s + strlen(s);
            while (s < end) {
                uint32_t cp = cb_utf8_next(&s, end);
                if (cb_font_invisible(cp)) continue;
                if (op->font < 0) cp = repl;
                if (!(bits[cp >> 3] & (1u << (cp & 7)))) {
                    bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
                    count[si]++;
                }
            }
        }
    for (size_t si = 0; si < nsets; si++) {
        size_t n = count[si], i = 0;
        uint32_t *cps = cb_xmalloc((n ? n : 1) * sizeof *cps);
        for (uint32_t cp = 0; cp < 0x110000 && i < n; cp++)
            if (seen[si][cp >> 3] & (1u << (cp & 7))) cps[i++] = cp;
        sets[si].cps = cps;
        sets[si].n = n;
        free(seen[si]);
    }
    free(seen);
    free(count);
    free(slot);
    *n = nsets;
    return sets;
}

void cb_face_sets_free(cb_face_set *sets, size_t n)
{
    for (size_t i = 0; sets && i < n; i++) free(sets[i].cps);
    free(sets);
}
