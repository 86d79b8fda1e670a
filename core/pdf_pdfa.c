/* pdf_pdfa.c: see pdf_pdfa.h. */
#include "pdf_pdfa.h"

#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdf.h"
#include "pdf_hpdf.h"

/* The sRGB profile (core/CMakeLists.txt writes them into the build tree's srgb_icc.c from
 * CB_SRGB_ICC, Debian's icc-profiles-free /usr/share/color/icc/sRGB.icc by default). */
extern const unsigned char cb_srgb_icc[];
extern const size_t cb_srgb_icc_len;

struct cb_pdfa {
    int part;              /* pdfaid:part: 1, 2, 3; 0: plain PDF (tagged) */
    char conformance;      /* pdfaid:conformance: 'B' or 'U' */
    int ua;                /* pdfuaid:part, 0: none */
    int dated;
    long long date;
    char *text[4];         /* Title, Subject, Author, Keywords, cleaned; NULL: not set */
    struct sha256_ctx id;  /* of what the document is: its /ID */
};

cb_pdfa *cb_pdfa_new(const cb_doc_info *info, int ua)
{
    static const struct { int part; char conformance; } LEVEL[] = {
        [CB_PDF_PLAIN] = {0, 0}, [CB_PDF_A1B] = {1, 'B'}, [CB_PDF_A2B] = {2, 'B'},
        [CB_PDF_A2U] = {2, 'U'}, [CB_PDF_A3U] = {3, 'U'},
    };
    if ((unsigned)info->standard >= sizeof LEVEL / sizeof LEVEL[0] || (info->standard == CB_PDF_PLAIN && !ua))
        return NULL;
    cb_pdfa *a = cb_xcalloc(1, sizeof *a);
    a->part = LEVEL[info->standard].part;
    a->conformance = LEVEL[info->standard].conformance;
    a->ua = ua;
    a->dated = info->dated;
    a->date = info->date;
    sha256_init(&a->id);
    char head[64];
    int n = snprintf(head, sizeof head, "%s %d %lld", cb_pdf_standard_name(info->standard), info->dated, info->dated ? info->date : 0);
    sha256_update(&a->id, (size_t)n, (const uint8_t *)head);
    return a;
}

void cb_pdfa_free(cb_pdfa *a)
{
    if (!a) return;
    for (int i = 0; i < 4; i++) free(a->text[i]);
    free(a);
}

/* The most UTF-16 units an info text keeps: under pdf.c's cut of a PDF string (32 KiB),
 * so the info dictionary shows the text the XMP packet does. */
#define TEXT_UNITS_MAX 16000

/* s as XML 1.0 and a PDF text string can both hold it (pdf_pdfa.h), malloc'd. */
static char *clean_text(const char *s)
{
    cb_buf b = {0};
    const char *p = s, *end = s + strlen(s);
    size_t units = 0;
    while (p < end) {
        uint32_t cp = cb_utf8_next(&p, end);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) cp = ' '; /* no C0 or C1 control in XML 1.0 text */
        else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) cp = 0xFFFD;
        units += cp >= 0x10000 ? 2 : 1;
        if (units > TEXT_UNITS_MAX) {
            cb_buf_adds(&b, "\xE2\x80\xA6"); /* … */
            break;
        }
        char u[4];
        cb_buf_add(&b, u, (size_t)cb_utf8_encode(cp, u));
    }
    cb_buf_add(&b, "", 1); /* the terminator, also of an empty text */
    return b.s;
}

void cb_pdfa_info_texts(cb_pdfa *a, const char *vals[4])
{
    for (int i = 0; i < 4; i++) {
        free(a->text[i]);
        a->text[i] = vals[i] ? clean_text(vals[i]) : NULL;
        vals[i] = a->text[i];
        if (vals[i]) sha256_update(&a->id, strlen(vals[i]) + 1, (const uint8_t *)vals[i]);
    }
}

int cb_pdfa_opaque(const cb_pdfa *a) { return a && a->part == 1; }

HPDF_STATUS cb_pdfa_cidset(cb_pdfa *a, HPDF_Doc pdf, HPDF_Dict desc, const uint16_t *cids, size_t n)
{
    if (!a || a->part != 1) return HPDF_OK; /* PDF/A-2 and -3 make it optional */
    unsigned max = cids ? 0 : (unsigned)n;
    for (size_t i = 0; cids && i < n; i++)
        if (cids[i] > max) max = cids[i];
    size_t len = max / 8 + 1;
    uint8_t *bits = cb_xcalloc(len, 1);
    bits[0] = 0x80; /* CID 0, .notdef: every font program has it */
    for (size_t i = 0; i < n; i++) {
        unsigned cid = cids ? cids[i] : (unsigned)i + 1;
        bits[cid / 8] |= (uint8_t)(0x80u >> (cid % 8)); /* the high bit is the lowest CID */
    }
    HPDF_Dict set = cb_pdf_deflated_stream(pdf, bits, len);
    free(bits);
    return set ? cb_hpdf_put(desc, "CIDSet", set) : HPDF_FAILD_TO_ALLOC_MEM;
}

void cb_pdfa_hash(cb_pdfa *a, const void *data, size_t len)
{
    if (a) sha256_update(&a->id, len, (const uint8_t *)data);
}

/* The document's date (clock.h) in UTC, as strftime's format fmt has it. */
static void date_text(const cb_pdfa *a, const char *fmt, char *out, size_t size)
{
    time_t t = (time_t)a->date;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, fmt, &tm);
}

/* ---- the XMP packet ------------------------------------------------------------------- */

#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

/* An element prefix:name under parent, with text (escaped by libxml2) when not NULL. */
static xmlNodePtr child(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
    return xmlNewTextChild(parent, ns, BAD_CAST name, text ? BAD_CAST text : NULL);
}

/* name's value as an rdf:Alt (language alternatives: x-default only) or rdf:Seq of one. */
static void rdf_list(xmlNodePtr desc, xmlNsPtr ns, xmlNsPtr rdf, const char *name, const char *kind,
                     const char *text)
{
    xmlNodePtr li = child(child(child(desc, ns, name, NULL), rdf, kind, NULL), rdf, "li", text);
    if (!strcmp(kind, "Alt")) xmlNodeSetLang(li, BAD_CAST "x-default");
}

/* An rdf:Description of the document (rdf:about=""), declaring namespace uri as prefix. */
static xmlNodePtr description(xmlNodePtr rdf_root, xmlNsPtr rdf, const char *uri, const char *prefix, xmlNsPtr *ns)
{
    xmlNodePtr d = child(rdf_root, rdf, "Description", NULL);
    xmlNewNsProp(d, rdf, BAD_CAST "about", BAD_CAST "");
    *ns = xmlNewNs(d, BAD_CAST uri, BAD_CAST prefix);
    return d;
}

/* PDF/A allows only the schemas it lists, and others it is told of: pdfuaid's. */
static void ua_extension(xmlNodePtr rdf_root, xmlNsPtr rdf)
{
    xmlNsPtr ext;
    xmlNodePtr d = description(rdf_root, rdf, "http://www.aiim.org/pdfa/ns/extension/", "pdfaExtension", &ext);
    xmlNsPtr schema = xmlNewNs(d, BAD_CAST "http://www.aiim.org/pdfa/ns/schema#", BAD_CAST "pdfaSchema");
    xmlNsPtr prop = xmlNewNs(d, BAD_CAST "http://www.aiim.org/pdfa/ns/property#", BAD_CAST "pdfaProperty");
    xmlNodePtr s = child(child(child(d, ext, "schemas", NULL), rdf, "Bag", NULL), rdf, "li", NULL);
    xmlNewNsProp(s, rdf, BAD_CAST "parseType", BAD_CAST "Resource");
    child(s, schema, "schema", "PDF/UA Universal Accessibility Schema");
    child(s, schema, "namespaceURI", "http://www.aiim.org/pdfua/ns/id/");
    child(s, schema, "prefix", "pdfuaid");
    xmlNodePtr p = child(child(child(s, schema, "property", NULL), rdf, "Seq", NULL), rdf, "li", NULL);
    xmlNewNsProp(p, rdf, BAD_CAST "parseType", BAD_CAST "Resource");
    child(p, prop, "name", "part");
    child(p, prop, "valueType", "Integer");
    child(p, prop, "category", "internal");
    child(p, prop, "description", "Indicates, which part of ISO 14289 standard is followed");
}

/* The packet, in step with the info dictionary (PDF/A-1 6.7.3: Title as dc:title, Author
 * as dc:creator's one entry, Subject as dc:description, Keywords as pdf:Keywords, Creator
 * as xmp:CreatorTool, Producer as pdf:Producer, the dates as xmp:CreateDate and
 * xmp:ModifyDate), into *out (malloc'd, *len bytes); 0 when libxml2 failed. */
static int xmp_packet(const cb_pdfa *a, const char *creator, const char *producer, xmlChar **out, int *len)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    if (!doc) return 0;
    xmlAddChild((xmlNodePtr)doc, xmlNewDocPI(doc, BAD_CAST "xpacket",
                                             BAD_CAST "begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\""));
    xmlNodePtr meta = xmlNewDocNode(doc, NULL, BAD_CAST "xmpmeta", NULL);
    xmlSetNs(meta, xmlNewNs(meta, BAD_CAST "adobe:ns:meta/", BAD_CAST "x"));
    xmlAddChild((xmlNodePtr)doc, meta);
    xmlNodePtr root = xmlNewChild(meta, NULL, BAD_CAST "RDF", NULL);
    xmlNsPtr rdf = xmlNewNs(root, BAD_CAST NS_RDF, BAD_CAST "rdf"), ns;
    xmlSetNs(root, rdf);

    xmlNodePtr d = description(root, rdf, "http://purl.org/dc/elements/1.1/", "dc", &ns);
    child(d, ns, "format", "application/pdf");
    if (a->text[0]) rdf_list(d, ns, rdf, "title", "Alt", a->text[0]);
    if (a->text[2]) rdf_list(d, ns, rdf, "creator", "Seq", a->text[2]);
    if (a->text[1]) rdf_list(d, ns, rdf, "description", "Alt", a->text[1]);

    d = description(root, rdf, "http://ns.adobe.com/pdf/1.3/", "pdf", &ns);
    child(d, ns, "Producer", producer);
    if (a->text[3]) child(d, ns, "Keywords", a->text[3]);

    d = description(root, rdf, "http://ns.adobe.com/xap/1.0/", "xmp", &ns);
    child(d, ns, "CreatorTool", creator);
    if (a->dated) { /* the info dictionary's dates (cb_pdfa_finish): the same instant and zone */
        char when[32];
        date_text(a, "%Y-%m-%dT%H:%M:%S+00:00", when, sizeof when);
        child(d, ns, "CreateDate", when);
        child(d, ns, "ModifyDate", when);
        child(d, ns, "MetadataDate", when);
    }
    if (a->part) {
        d = description(root, rdf, "http://www.aiim.org/pdfa/ns/id/", "pdfaid", &ns);
        char part[2] = {(char)('0' + a->part), 0}, level[2] = {a->conformance, 0};
        child(d, ns, "part", part);
        child(d, ns, "conformance", level);
    }
    if (a->ua) {
        char part[16];
        snprintf(part, sizeof part, "%d", a->ua);
        d = description(root, rdf, "http://www.aiim.org/pdfua/ns/id/", "pdfuaid", &ns);
        child(d, ns, "part", part);
        if (a->part) ua_extension(root, rdf);
    }
    xmlAddChild((xmlNodePtr)doc, xmlNewDocPI(doc, BAD_CAST "xpacket", BAD_CAST "end=\"w\""));

    xmlBufferPtr buf = xmlBufferCreate();
    xmlSaveCtxtPtr save = buf ? xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_NO_DECL | XML_SAVE_FORMAT) : NULL;
    int ok = save && xmlSaveDoc(save, doc) >= 0;
    if (save) ok = xmlSaveClose(save) >= 0 && ok;
    if (ok) {
        *len = xmlBufferLength(buf);
        *out = xmlStrndup(xmlBufferContent(buf), *len);
        ok = *out != NULL;
    }
    if (buf) xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return ok;
}

/* ---- the rest -------------------------------------------------------------------------- */

/* The catalog's /OutputIntents: the sRGB profile every colour of the document (DeviceRGB,
 * layout.h's cb_rgb) is in. */
static HPDF_STATUS output_intent(HPDF_Doc pdf)
{
    HPDF_Dict icc = cb_pdf_deflated_stream(pdf, cb_srgb_icc, cb_srgb_icc_len);
    HPDF_Dict oi = cb_hpdf_dict(pdf, 0);
    HPDF_Array list = cb_hpdf_array(pdf);
    if (!icc || !oi || !list) return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_STATUS st = cb_hpdf_put_number(icc, "N", 3);
    st |= cb_hpdf_put_name(oi, "Type", "OutputIntent");
    st |= cb_hpdf_put_name(oi, "S", "GTS_PDFA1"); /* the subtype of all three parts */
    st |= cb_hpdf_put(oi, "OutputConditionIdentifier", cb_hpdf_string(pdf, "sRGB IEC61966-2.1"));
    st |= cb_hpdf_put(oi, "RegistryName", cb_hpdf_string(pdf, "http://www.color.org"));
    st |= cb_hpdf_put(oi, "Info", cb_hpdf_string(pdf, "sRGB IEC61966-2.1"));
    st |= cb_hpdf_put(oi, "DestOutputProfile", icc);
    st |= cb_hpdf_append(list, oi);
    return st | cb_hpdf_catalog(pdf, "OutputIntents", list);
}

HPDF_STATUS cb_pdfa_finish(cb_pdfa *a, HPDF_Doc pdf, const char *creator)
{
    if (!a) return HPDF_OK;
    char producer[64];
    snprintf(producer, sizeof producer, "Haru Free PDF Library %s", HPDF_GetVersion()); /* libharu's own */
    HPDF_STATUS st = HPDF_SetInfoAttr(pdf, HPDF_INFO_PRODUCER, producer);
    if (a->dated) { /* libharu writes UTC as "Z00'00'", which PDFBox reads as another time
                     * than the XMP packet's: "+00'00'", the zone the packet says */
        char when[32];
        date_text(a, "D:%Y%m%d%H%M%S+00'00'", when, sizeof when);
        st |= cb_hpdf_info(pdf, "CreationDate", cb_hpdf_string(pdf, when));
        st |= cb_hpdf_info(pdf, "ModDate", cb_hpdf_string(pdf, when));
    }
    xmlChar *xmp = NULL;
    int len = 0;
    if (!xmp_packet(a, creator, producer, &xmp, &len)) return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Dict meta = cb_hpdf_plain_stream(pdf, xmp, (size_t)len);
    xmlFree(xmp);
    if (!meta) return HPDF_FAILD_TO_ALLOC_MEM;
    st |= cb_hpdf_put_name(meta, "Type", "Metadata");
    st |= cb_hpdf_put_name(meta, "Subtype", "XML");
    st |= cb_hpdf_catalog(pdf, "Metadata", meta);
    if (!a->part) return st; /* a tagged plain PDF: its metadata only */
    st |= output_intent(pdf);
    /* /ID: two equal strings (a new file is its own first version), a hash of the
     * document rather than of the time or the path, so equal documents are equal files */
    uint8_t id[SHA256_DIGEST_SIZE];
    sha256_digest(&a->id, sizeof id, id);
    HPDF_Array ids = cb_hpdf_array(pdf);
    if (!ids) return HPDF_FAILD_TO_ALLOC_MEM;
    st |= cb_hpdf_append(ids, cb_hpdf_binary(pdf, id, 16));
    st |= cb_hpdf_append(ids, cb_hpdf_binary(pdf, id, 16));
    return st | cb_hpdf_trailer(pdf, "ID", ids);
}
