/*
 * backend.h: the output seam. A backend writes a display list (layout.h) as one file
 * format, into memory; render.c writes every document through cb_backend_write and names
 * no format. The PDF writer (pdf.h) is the first backend; a new format is a file beside
 * it with a `const cb_backend`, listed in backend.c's table.
 *
 * What a backend may read is the display list only: pages of operations, each naming its
 * node in the structure (cb_layout.nodes: roles, heading levels, alternative text,
 * artifacts), the outline, the document's information and language, and the fonts the
 * operations name. It never sees the document, the data or the report script.
 *
 * cb_backend_write calls begin_document once, then for each page begin_page, ops for each
 * run of consecutive operations of one node (in reading order), end_page; then
 * end_document, which appends the file to `out`. A step returning non-CB_OK (with err
 * set) ends the document there; free_document is called last in every case. The state a
 * backend keeps for one document is its own (*state); what it keeps between documents in
 * a process (buffers, a compressor) it frees in release.
 */
#ifndef CB_BACKEND_H
#define CB_BACKEND_H

#include "font.h"
#include "layout.h"
#include "util.h"

typedef struct cb_backend {
    const char *name;  /* the format's name: "pdf" */
    const char *ext;   /* its files' extension, without the dot: "pdf" */
    /* The whole display list l (and font) is readable until free_document: a backend may
     * look ahead (the PDF writer subsets fonts for every page's characters first). */
    int (*begin_document)(void **state, const cb_layout *l, cb_font *font, cb_error *err);
    int (*begin_page)(void *state, size_t page, cb_error *err);
    int (*ops)(void *state, const cb_op *ops, size_t n, cb_error *err); /* all of ops[0].node */
    int (*end_page)(void *state, cb_error *err);
    int (*end_document)(void *state, cb_buf *out, cb_error *err);
    void (*free_document)(void *state); /* state may be NULL */
    void (*release)(void);              /* NULL: nothing kept */
} cb_backend;

/* The format documents are written in unless asked otherwise: PDF. */
const cb_backend *cb_backend_default(void);
/* The backend of format `name` ("pdf"), or NULL. */
const cb_backend *cb_backend_find(const char *name);
/* Writes l with backend b, appending the file to out (caller frees with cb_buf_free). */
int cb_backend_write(const cb_backend *b, const cb_layout *l, cb_font *font, cb_buf *out, cb_error *err);
/* Frees what every backend keeps between documents, at a process's end. */
void cb_backends_release(void);

/* ---- what backends share ---- */

/* The characters one face draws in a document: sorted, distinct. */
typedef struct cb_face_set {
    int face;          /* index in the font list */
    uint32_t *cps;
    size_t n;
} cb_face_set;

/* The face of a text op as drawn: a character no face has is the replacement, in face 0. */
static inline int cb_op_face(const cb_op *op) { return op->font >= 0 ? op->font : 0; }

/* Sorted distinct code points of every text operation of l, per face: a set per face used
 * (*n of them), the primary always first, the others in order of first use (the same
 * document gives the same order whatever the process drew before). Skipped characters
 * (controls, default-ignorables) are left out; a run of characters no face has contributes
 * the replacement character to face 0. malloc'd: free with cb_face_sets_free. */
cb_face_set *cb_face_sets(const cb_layout *l, cb_font *font, size_t *n);
void cb_face_sets_free(cb_face_set *sets, size_t n);

/* The formats of a run: "pdf", "ofd" or a comma list ("pdf,ofd"), each once, into
 * out[0..*n) (at most CB_FORMATS_MAX); NULL spec: the default. CB_EUSAGE naming the
 * unknown or repeated name. */
#define CB_FORMATS_MAX 4
int cb_backends_parse(const char *spec, const cb_backend **out, size_t *n, cb_error *err);

#endif /* CB_BACKEND_H */
