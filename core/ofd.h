/*
 * ofd.h: the OFD writer (GB/T 33190-2016, China's fixed-layout format), the second backend
 * over the display list (backend.h).
 *
 * A document is a ZIP package (libzip), its XML parts written with libxml2's text writer:
 * OFD.xml (the document's information and its root), Doc_0/Document.xml (page size, pages,
 * the outline), Doc_0/PublicRes.xml (the RGB colour space and the fonts), DocumentRes.xml
 * (the images), Doc_0/Res/ (each face as a subset OpenType/TrueType file with its cmap,
 * cb_font_subset_sfnt; the image files) and Doc_0/Pages/Page_N/Content.xml (N from 0).
 * Coordinates are millimetres from the page's top left, y down; each object's Boundary is
 * the page, so its coordinates are the page's. Text is one TextObject per text operation,
 * one TextCode with X, Y and DeltaX (each character's place, the PDF's to within 0.001 mm);
 * a character is always its cmap glyph (layout does not shape), so no CGTransform is
 * needed. Faux bold is Stroke with a line CB_FAUX_BOLD_EM of the size wide, rotation a CTM.
 *
 * The bytes depend only on the display list and the fonts: every entry of the package has
 * the document's date (else 1980-01-01) and fixed attributes, the XML is deflated by
 * libdeflate (fonts and images stored), and DocID is a digest of the other parts. Errors (a face that cannot be subset, an image that cannot be read, an
 * operation the writer does not know) end the document with CB_EOFD or CB_EFONT, naming it.
 */
#ifndef CB_OFD_H
#define CB_OFD_H

#include "backend.h"

extern const cb_backend cb_ofd_backend;

#endif /* CB_OFD_H */
