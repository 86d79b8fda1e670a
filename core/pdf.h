/*
 * pdf.h: writes a laid-out document as PDF through libharu, into memory.
 *
 * The font is subset to the code points the pages use and handed to libharu through an
 * anonymous in-memory file (memfd), so no temporary font file touches the disk. libharu's
 * errors are recorded by the handler and checked after drawing: we never longjmp out of
 * libharu, which would skip our own cleanup.
 */
#ifndef CB_PDF_H
#define CB_PDF_H

#include "doc.h"
#include "font.h"
#include "layout.h"
#include "util.h"

/* Renders layout l of document doc into out (appended; caller frees with cb_buf_free).
 * Document dates come only from SOURCE_DATE_EPOCH, so equal input gives equal bytes. */
int cb_pdf_render(const cb_layout *l, const cb_doc *doc, cb_font *font, cb_buf *out,
                  cb_error *err);

#endif /* CB_PDF_H */
