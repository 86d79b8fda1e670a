/*
 * cff.h: the little of a CFF font program (Adobe TN #5176) the PDF writer needs: which CID
 * each glyph of a CFF font has.
 *
 * Why: a CIDFontType0 font in a PDF draws character code -> CID -> glyph through the CFF's
 * own charset, and HarfBuzz's subset of a CID-keyed CFF renumbers the glyphs but keeps
 * their CIDs (glyph 13 of the subset may be CID 9561). The content stream, /W and
 * ToUnicode must use those CIDs, read back from the subset itself.
 */
#ifndef CB_CFF_H
#define CB_CFF_H

#include <stddef.h>
#include <stdint.h>

/* Fills cid[0..n) with the CID of each glyph 0..n-1 of the CFF font program data[0..len):
 * from its charset for a CID-keyed font (one with a ROS operator); the glyph index itself
 * for a name-keyed one, which a PDF reader draws as a CIDFontType0C font with CID = glyph
 * index. Returns 1 for CID-keyed, 0 for name-keyed, -1 if the data is not a CFF font program
 * this reads (truncated, an offset out of bounds, fewer glyphs than n), cid then unset. Reads
 * only inside data; never allocates. */
int cb_cff_cids(const unsigned char *data, size_t len, uint16_t *cid, size_t n);

#endif /* CB_CFF_H */
