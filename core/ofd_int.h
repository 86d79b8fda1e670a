/*
 * ofd_int.h: what the OFD backend's two files share (ofd.c: the page content and the
 * document's parts; ofd_pkg.c: libxml2 and libzip, the writer helpers, the package); no
 * other module includes it.
 */
#ifndef CB_OFD_INT_H
#define CB_OFD_INT_H

#include <libxml/xmlwriter.h>
#include <stdint.h>
#include <zip.h>

#include "ofd.h"

/* A face the document draws with: its subset font file and its Font ID. */
typedef struct ofd_face {
    const cb_face_set *set;
    cb_font_subset sub;
    unsigned id;
} ofd_face;

/* An image file, embedded once however often it is drawn. */
typedef struct ofd_image {
    const char *path; /* the op's (the layout's, alive until the document ends) */
    unsigned id;      /* its MultiMedia ID */
    int jpeg;
} ofd_image;

/* One document being written (backend.h: its state). */
typedef struct ofd_doc {
    const cb_layout *l;
    cb_font *font;
    cb_face_set *sets;
    size_t nsets;
    ofd_face *faces;
    const ofd_face **by_face; /* face -> its font, NULL if the document does not use it */
    unsigned last_id;         /* IDs are given in order: the last is MaxUnitID */
    unsigned *page_ids;
    ofd_image *images;
    size_t nimages;
    zip_source_t *src;        /* the package, in memory */
    zip_t *zip;
    zip_int64_t root;         /* OFD.xml's entry: written last (its DocID), listed first */
    uint16_t dos_time, dos_date;
    uint64_t digest[2];       /* of the other XML parts and the images: the DocID */
    xmlBufferPtr buf;         /* the part being written */
    xmlTextWriterPtr w;
    int xml_failed;           /* a writer call failed (out of memory) */
    size_t page;              /* the page being written */
    cb_buf scratch;           /* nums()'s */
    cb_buf clean;             /* xml_text()'s */
    char *page_box;           /* "0 0 W H": every object's Boundary */
} ofd_doc;

/* ---- ofd_pkg.c: the libraries */
/* Opens libxml2 and libzip the first time (dlopen); CB_EOFD naming what is missing. */
int ofd_lib_load(cb_error *err);
/* Frees what the writer keeps for the process (its compressor): the backend's release. */
void ofd_release(void);

/* ---- numbers: v (millimetres) in thousandths, as every coordinate is written; q
 * thousandths appended as a decimal without trailing zeros (after a space unless b is
 * empty); v[0..n) as one attribute value (in d->scratch) */
long long ofd_milli(double v);
void ofd_add_milli(cb_buf *b, long long q);
const char *ofd_nums(ofd_doc *d, int n, const double *v);

/* ---- XML: every writer call goes through these; a failure (out of memory) is remembered
 * and ends the part */
void ofd_el(ofd_doc *d, const char *name);
void ofd_end(ofd_doc *d);
void ofd_attr(ofd_doc *d, const char *name, const char *value);
void ofd_attr_id(ofd_doc *d, const char *name, unsigned id);
void ofd_attr_nums(ofd_doc *d, const char *name, int n, const double *v);
/* Text as XML 1.0 may hold it (valid UTF-8, no forbidden characters), in d->clean. */
const char *ofd_xml_text(ofd_doc *d, const char *s);
void ofd_text_el(ofd_doc *d, const char *name, const char *text);
void ofd_raw_el(ofd_doc *d, const char *name, const char *text);
void ofd_string(ofd_doc *d, const char *text);
/* Starts a part whose root element is `root`. */
void ofd_part_open(ofd_doc *d, const char *root);

/* ---- the package */
/* Adds data[0..len) (copied) as entry `name`; at index `replace` instead when >= 0; xml:
 * deflated (else stored). */
int ofd_add_entry(ofd_doc *d, const char *name, const void *data, size_t len, zip_int64_t replace, int xml,
                  cb_error *err);
/* Ends the part being written and adds it as entry `name` (at `replace` when >= 0). */
int ofd_part_close(ofd_doc *d, const char *name, zip_int64_t replace, cb_error *err);
/* Starts the package in memory (its digest, its entries' date, OFD.xml's place, first);
 * ofd_pkg_close writes it into out; ofd_pkg_free frees what is left of it and the part
 * being written. */
int ofd_pkg_open(ofd_doc *d, cb_error *err);
int ofd_pkg_close(ofd_doc *d, cb_buf *out, cb_error *err);
void ofd_pkg_free(ofd_doc *d);

#endif /* CB_OFD_INT_H */
