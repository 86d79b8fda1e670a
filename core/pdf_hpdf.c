/*
 * pdf_hpdf.c: see pdf_hpdf.h. The one file that reaches into libharu's internals, because
 * its public API has no calls for what pdf.c builds itself:
 *   - objects (dictionaries, arrays, strings, streams) and their place in the
 *     cross-reference table: pdf->mmgr, pdf->xref (<hpdf_objects.h>, <hpdf_doc.h>);
 *   - a stream whose bytes are already deflated: libharu would compress them again or drop
 *     the /Filter entry, so the dictionary's filter is cleared and its write_fn writes the
 *     entry (<hpdf_objects.h>, <hpdf_streams.h>);
 *   - raw entries of a dictionary (a font's /W): the same write_fn, with the text in attr;
 *   - a page's content stream (page->attr, <hpdf_pages.h>) and the resource names a page
 *     gives a font or image (HPDF_Page_GetLocalFontName, HPDF_Page_GetXObjectName);
 *   - the info dictionary (pdf->info), for UTF-16 strings: HPDF_SetInfoAttr needs an encoder;
 *   - the catalog, the trailer and the header's version (pdf->catalog, pdf->trailer,
 *     pdf->pdf_version): PDF/A's metadata, output intent and /ID, which libharu writes only
 *     in its own PDF/A mode (and there wrongly).
 * Written against libharu 2.3/2.4 (Debian 12: 2.3.0); a change of these structures in a
 * later libharu is found here, in one file.
 */
#include "pdf_hpdf.h"

#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

HPDF_Dict cb_hpdf_dict(HPDF_Doc pdf, int indirect)
{
    HPDF_Dict d = HPDF_Dict_New(pdf->mmgr);
    if (d && indirect && HPDF_Xref_Add(pdf->xref, d) != HPDF_OK) return NULL; /* Xref_Add freed it */
    return d;
}

/* libharu drops the Filter entry of a stream it does not compress itself: written here */
static HPDF_STATUS write_flate_filter(HPDF_Dict obj, HPDF_Stream out)
{
    (void)obj;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

HPDF_STATUS cb_hpdf_set_flate(HPDF_Dict d, const void *zdata, size_t len)
{
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = write_flate_filter;
    return HPDF_Stream_Write(d->stream, (const HPDF_BYTE *)zdata, (HPDF_UINT)len);
}

HPDF_Dict cb_hpdf_flate_stream(HPDF_Doc pdf, const void *zdata, size_t len)
{
    HPDF_Dict d = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!d || cb_hpdf_set_flate(d, zdata, len) != HPDF_OK) return NULL;
    return d;
}

HPDF_Dict cb_hpdf_page_contents(HPDF_Page page) { return ((HPDF_PageAttr)page->attr)->contents; }

HPDF_Array cb_hpdf_array(HPDF_Doc pdf) { return HPDF_Array_New(pdf->mmgr); }
HPDF_STATUS cb_hpdf_append(HPDF_Array a, void *obj) { return HPDF_Array_Add(a, obj); }
HPDF_STATUS cb_hpdf_append_number(HPDF_Array a, HPDF_INT32 v) { return HPDF_Array_AddNumber(a, v); }

void *cb_hpdf_string(HPDF_Doc pdf, const char *s) { return HPDF_String_New(pdf->mmgr, s, NULL); }
void *cb_hpdf_binary(HPDF_Doc pdf, const void *data, size_t len)
{
    return HPDF_Binary_New(pdf->mmgr, (HPDF_BYTE *)data, (HPDF_UINT)len);
}

HPDF_STATUS cb_hpdf_put(HPDF_Dict d, const char *key, void *obj) { return HPDF_Dict_Add(d, key, obj); }
HPDF_STATUS cb_hpdf_put_name(HPDF_Dict d, const char *key, const char *name) { return HPDF_Dict_AddName(d, key, name); }
HPDF_STATUS cb_hpdf_put_number(HPDF_Dict d, const char *key, HPDF_INT32 v) { return HPDF_Dict_AddNumber(d, key, v); }

static HPDF_STATUS write_raw(HPDF_Dict d, HPDF_Stream out) { return HPDF_Stream_WriteStr(out, d->attr); }

void cb_hpdf_put_raw(HPDF_Dict d, const char *entries)
{
    d->attr = (void *)entries;
    d->write_fn = write_raw;
}

HPDF_STATUS cb_hpdf_info(HPDF_Doc pdf, const char *key, void *obj)
{
    return pdf->info ? HPDF_Dict_Add(pdf->info, key, obj) : HPDF_OK;
}

HPDF_STATUS cb_hpdf_outline_title(HPDF_Outline o, void *title) { return HPDF_Dict_Add(o, "Title", title); }

const char *cb_hpdf_font_name(HPDF_Page page, HPDF_Dict font) { return HPDF_Page_GetLocalFontName(page, font); }
const char *cb_hpdf_image_name(HPDF_Page page, HPDF_Image img) { return HPDF_Page_GetXObjectName(page, img); }

/* ---- for tagged PDF (pdf_tags.c) ---- */

HPDF_Array cb_hpdf_indirect_array(HPDF_Doc pdf)
{
    HPDF_Array a = HPDF_Array_New(pdf->mmgr);
    if (a && HPDF_Xref_Add(pdf->xref, a) != HPDF_OK) return NULL; /* Xref_Add freed it */
    return a;
}

unsigned cb_hpdf_id(const void *obj)
{
    const HPDF_Obj_Header *h = obj;
    return h->obj_id & HPDF_OTYPE_INDIRECT ? h->obj_id & 0x00FFFFFF : 0;
}

/* ---- for PDF/A (pdf_pdfa.c) and direct outline destinations ---- */

HPDF_STATUS cb_hpdf_catalog(HPDF_Doc pdf, const char *key, void *obj) { return HPDF_Dict_Add(pdf->catalog, key, obj); }
HPDF_STATUS cb_hpdf_trailer(HPDF_Doc pdf, const char *key, void *obj) { return HPDF_Dict_Add(pdf->trailer, key, obj); }

HPDF_Dict cb_hpdf_plain_stream(HPDF_Doc pdf, const void *data, size_t len)
{
    HPDF_Dict d = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!d) return NULL;
    d->filter = HPDF_STREAM_FILTER_NONE;
    return HPDF_Stream_Write(d->stream, (const HPDF_BYTE *)data, (HPDF_UINT)len) == HPDF_OK ? d : NULL;
}

HPDF_STATUS cb_hpdf_append_name(HPDF_Array a, const char *name) { return HPDF_Array_AddName(a, name); }
HPDF_STATUS cb_hpdf_append_real(HPDF_Array a, HPDF_REAL v) { return HPDF_Array_AddReal(a, v); }

int cb_hpdf_has(HPDF_Dict d, const char *key) { return HPDF_Dict_GetItem(d, key, HPDF_OCLASS_DICT) != NULL; }

void cb_hpdf_min_version(HPDF_Doc pdf, HPDF_PDFVer v)
{
    if (pdf->pdf_version < v) pdf->pdf_version = v;
}
