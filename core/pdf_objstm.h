/*
 * pdf_objstm.h: a classic PDF file as libharu writes it (each object at the offset its
 * cross-reference table gives, one table, a trailer) rewritten in PDF 1.5's compressed
 * layout (ISO 32000-1 7.5.7, 7.5.8): every object that may be (not a stream, generation 0)
 * goes into deflated object streams (/Type /ObjStm), the streams are copied as they are,
 * and a deflated cross-reference stream (/Type /XRef, with the PNG Up predictor) replaces
 * the table and the trailer, carrying the trailer's entries (/Root, /Info, /ID) as they
 * were. A tagged briefing's hundreds of structure elements cost a third of the bytes so.
 *
 * pdf.c uses it for plain PDF and PDF/A-2 and -3; PDF/A-1 (ISO 19005-1 6.1.4) forbids
 * both streams, and keeps libharu's layout. The file's header must already say PDF 1.5 or
 * later. Equal input gives equal bytes (the objects keep their numbers and order).
 */
#ifndef CB_PDF_OBJSTM_H
#define CB_PDF_OBJSTM_H

#include <stddef.h>

#include "util.h"

/* Appends to out the file in[0..len) in the compressed layout: 1, or 0 (out as it was)
 * when in is not laid out as libharu lays out a file (then the caller keeps in). */
int cb_pdf_objstm(const char *in, size_t len, cb_buf *out);

#endif /* CB_PDF_OBJSTM_H */
