/*
 * pdf_hpdf.h: the few things the PDF writer (pdf.c) needs from libharu that its public API
 * (hpdf.h) does not offer, in one place: libharu's object layer (dictionaries, arrays,
 * strings and streams added to the document's cross-reference table), a page's content
 * stream, the document's info dictionary and the resource names a page gives a font or an
 * image. pdf.c builds fonts and page contents itself (pdf.h says why), which libharu's
 * public API has no calls for; everything else it does through hpdf.h.
 *
 * Only pdf_hpdf.c includes libharu's private headers (<hpdf_*.h>); e2e.includes checks
 * that no other file does and that every other file calls only functions hpdf.h declares.
 * Objects are owned by the document (HPDF_Free releases them). Functions returning a
 * pointer return NULL when libharu fails (its error handler has recorded why); those
 * returning HPDF_STATUS return its code.
 */
#ifndef CB_PDF_HPDF_H
#define CB_PDF_HPDF_H

#include <hpdf.h>
#include <stddef.h>

/* A dictionary; an indirect object (its own number in the file) when `indirect`. */
HPDF_Dict cb_hpdf_dict(HPDF_Doc pdf, int indirect);
/* A stream, an indirect object, holding `len` bytes of zlib data (FlateDecode). */
HPDF_Dict cb_hpdf_flate_stream(HPDF_Doc pdf, const void *zdata, size_t len);
/* Replaces the content of stream `d` (made by libharu, e.g. a page's) by zlib data. */
HPDF_STATUS cb_hpdf_set_flate(HPDF_Dict d, const void *zdata, size_t len);
/* Page `page`'s content stream. */
HPDF_Dict cb_hpdf_page_contents(HPDF_Page page);
/* An array (a direct object), to add to a dictionary with cb_hpdf_put. */
HPDF_Array cb_hpdf_array(HPDF_Doc pdf);
HPDF_STATUS cb_hpdf_append(HPDF_Array a, void *obj);
HPDF_STATUS cb_hpdf_append_number(HPDF_Array a, HPDF_INT32 v);
/* String objects: a literal of ASCII text s, or the bytes data[0..len) in hex (UTF-16BE
 * with its byte order mark). */
void *cb_hpdf_string(HPDF_Doc pdf, const char *s);
void *cb_hpdf_binary(HPDF_Doc pdf, const void *data, size_t len);
/* Entries of dictionary d: any object, a name, a number. */
HPDF_STATUS cb_hpdf_put(HPDF_Dict d, const char *key, void *obj);
HPDF_STATUS cb_hpdf_put_name(HPDF_Dict d, const char *key, const char *name);
HPDF_STATUS cb_hpdf_put_number(HPDF_Dict d, const char *key, HPDF_INT32 v);
/* Entries written as they are into d, after libharu's own (the text ends in a line
 * break): for entries too large to build as objects (a font's widths). Borrowed: the text
 * must live until the document is written. Not for a stream (cb_hpdf_flate_stream). */
void cb_hpdf_put_raw(HPDF_Dict d, const char *entries);
/* The document info dictionary's entry key; nothing when libharu made none (out of memory). */
HPDF_STATUS cb_hpdf_info(HPDF_Doc pdf, const char *key, void *obj);
/* An outline entry's title, as a string object (cb_hpdf_string). */
HPDF_STATUS cb_hpdf_outline_title(HPDF_Outline o, void *title);
/* The names page `page` gives a font dictionary or an image in its resources (adding them). */
const char *cb_hpdf_font_name(HPDF_Page page, HPDF_Dict font);
const char *cb_hpdf_image_name(HPDF_Page page, HPDF_Image img);

/* ---- for tagged PDF (pdf_tags.c) ---- */
/* An array that is an indirect object (its own number in the file). */
HPDF_Array cb_hpdf_indirect_array(HPDF_Doc pdf);
/* The number of indirect object obj in the file ("N 0 R"); 0 for a direct object. */
unsigned cb_hpdf_id(const void *obj);
/* ---- for PDF/A (pdf_pdfa.c) and direct outline destinations ---- */
/* Entries of the document catalog and of the trailer dictionary (libharu adds only /Root
 * and /Info to the trailer, and /ID only when encrypting, which we never do). */
HPDF_STATUS cb_hpdf_catalog(HPDF_Doc pdf, const char *key, void *obj);
HPDF_STATUS cb_hpdf_trailer(HPDF_Doc pdf, const char *key, void *obj);
/* A stream, an indirect object, holding data[0..len) as it is, with no filter (an XMP
 * packet: PDF/A-1 forbids a filter on the metadata stream). */
HPDF_Dict cb_hpdf_plain_stream(HPDF_Doc pdf, const void *data, size_t len);
/* Array items: a name, a real number. */
HPDF_STATUS cb_hpdf_append_name(HPDF_Array a, const char *name);
HPDF_STATUS cb_hpdf_append_real(HPDF_Array a, HPDF_REAL v);
/* 1 if dictionary d has entry key (a dictionary or stream, as an image's /SMask, which libharu adds for an alpha channel). */
int cb_hpdf_has(HPDF_Dict d, const char *key);
/* The file's header says at least PDF version v (libharu writes 1.3, and has no setter). */
void cb_hpdf_min_version(HPDF_Doc pdf, HPDF_PDFVer v);

#endif /* CB_PDF_HPDF_H */
