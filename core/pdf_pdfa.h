/*
 * pdf_pdfa.h: what makes the PDF writer's (pdf.c) output PDF/A (ISO 19005-1, -2 and -3,
 * China's GB/T 23286.1 and .3) at level B or U, as --pdf-standard asks (layout.h:
 * cb_pdf_standard, carried in the display list's cb_doc_info): XMP metadata in step with
 * the info dictionary, the sRGB output intent, a trailer /ID made from the document, each
 * composite font's /CIDSet under PDF/A-1, and the refusal of what a part forbids (an image
 * with transparency under PDF/A-1). docs/standards.md says what each mode promises and how
 * it is checked.
 *
 * The XMP packet also carries
 * pdfuaid:part (PDF/UA), with the extension schema PDF/A asks for, when the document is
 * tagged; a tagged plain PDF then gets the packet without pdfaid. The ICC profile is
 * built into the binary at configure time (core/CMakeLists.txt: CB_SRGB_ICC, checked to be
 * an RGB profile), so a render reads no file the user did not name.
 *
 * Equal documents give equal bytes: the dates are the document's (clock.h) and the /ID a
 * hash of what the document is (its information, standard and page contents).
 *
 * Ownership: a cb_pdfa belongs to one document being written; cb_pdfa_free releases it
 * (the objects it adds belong to the libharu document). Functions returning HPDF_STATUS
 * return libharu's code (its error handler has recorded it).
 */
#ifndef CB_PDF_PDFA_H
#define CB_PDF_PDFA_H

#include <hpdf.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

typedef struct cb_pdfa cb_pdfa;

/* The state for one document written to info->standard, with pdfuaid:part ua (0: the
 * document is not tagged); NULL when there is nothing to add (plain and untagged). The
 * four texts of *info it cleans (cb_pdfa_info_texts) are copied. */
cb_pdfa *cb_pdfa_new(const cb_doc_info *info, int ua);
void cb_pdfa_free(cb_pdfa *a);

/* The info dictionary's Title, Subject, Author and Keywords (NULL: not set) as the XMP
 * packet has them too, so the two agree: control characters as spaces, bytes that are not
 * UTF-8 as U+FFFD, cut with "…" where a PDF string would be too long. vals[i] are replaced
 * by pointers a owns. */
void cb_pdfa_info_texts(cb_pdfa *a, const char *vals[4]);

/* 1 when the standard allows no transparency (PDF/A-1): an image with an alpha channel
 * fails the document. */
int cb_pdfa_opaque(const cb_pdfa *a);

/* Font descriptor desc's /CIDSet under PDF/A-1 (nothing otherwise): CID 0 and cids[0..n),
 * or CIDs 0..n when cids is NULL (pdf.c's TrueType fonts number their characters 1..n). */
HPDF_STATUS cb_pdfa_cidset(cb_pdfa *a, HPDF_Doc pdf, HPDF_Dict desc, const uint16_t *cids, size_t n);

/* Bytes that make the document what it is (each page's content stream, deflated), hashed
 * into its /ID with its information, date and standard. */
void cb_pdfa_hash(cb_pdfa *a, const void *data, size_t len);

/* Before the file is written: the info dictionary's /Creator (creator) and /Producer, the
 * XMP packet (/Metadata), the output intent and the trailer's /ID. HPDF_OK or libharu's
 * error. */
HPDF_STATUS cb_pdfa_finish(cb_pdfa *a, HPDF_Doc pdf, const char *creator);

/* Frees what is kept between documents (the ICC profile deflated once), at a process's end
 * (cb_pdf_release). */
void cb_pdfa_release(void);

#endif /* CB_PDF_PDFA_H */
