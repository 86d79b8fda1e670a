/* pdf_pdfa.c: see pdf_pdfa.h. */
#include "pdf_pdfa.h"

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
    uint64_t id;           /* FNV-1a of what the document is: its /ID */
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
    a->id = CB_FNV_SEED;
    char head[64];
    int n = snprintf(head, sizeof head, "%s %d %lld", cb_pdf_standard_name(info->standard), info->dated, info->dated ? info->date : 0);
    a->id = cb_fnv1a(a->id, head, (size_t)n);
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
        if (vals[i]) a->id = cb_fnv1a(a->id, vals[i], strlen(vals[i]) + 1);
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
    if (a) a->id = cb_fnv1a(a->id, data, len);
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

/* Text s as XML character data: &, < and > escaped (the texts are cleaned: no control
 * character, valid UTF-8). */
static void xml_text(cb_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': cb_buf_adds(b, "&amp;"); break;
        case '<': cb_buf_adds(b, "&lt;"); break;
        case '>': cb_buf_adds(b, "&gt;"); break;
        default: cb_buf_add(b, p, 1);
        }
    }
}

/* <tag>text</tag> on a line of its own, indented; nothing when text is NULL. */
static void element(cb_buf *b, const char *indent, const char *tag, const char *text)
{
    if (!text) return;
    cb_buf_addf(b, "%s<%s>", indent, tag);
    xml_text(b, text);
    cb_buf_addf(b, "</%s>\n", tag);
}

/* tag's value as an rdf:Alt (language alternatives: x-default only) or an rdf:Seq of one. */
static void rdf_list(cb_buf *b, const char *tag, const char *kind, const char *text)
{
    if (!text) return;
    cb_buf_addf(b, "   <%s><rdf:%s><rdf:li%s>", tag, kind, !strcmp(kind, "Alt") ? " xml:lang=\"x-default\"" : "");
    xml_text(b, text);
    cb_buf_addf(b, "</rdf:li></rdf:%s></%s>\n", kind, tag);
}

/* PDF/A allows only the schemas it lists, and others it is told of: pdfuaid's. */
static const char UA_EXTENSION[] =
    "  <rdf:Description rdf:about=\"\" xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n"
    "    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n"
    "    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
    "   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n"
    "    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n"
    "    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n"
    "    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n"
    "    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n"
    "     <pdfaProperty:name>part</pdfaProperty:name>\n"
    "     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n"
    "     <pdfaProperty:category>internal</pdfaProperty:category>\n"
    "     <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\n"
    "    </rdf:li></rdf:Seq></pdfaSchema:property>\n"
    "   </rdf:li></rdf:Bag></pdfaExtension:schemas>\n"
    "  </rdf:Description>\n";

/* The packet into b, in step with the info dictionary (PDF/A-1 6.7.3: Title as dc:title,
 * Author as dc:creator's one entry, Subject as dc:description, Keywords as pdf:Keywords,
 * Creator as xmp:CreatorTool, Producer as pdf:Producer, the dates as xmp:CreateDate and
 * xmp:ModifyDate). Written as text, not with an XML library: libxml2 (with the ICU it
 * links) cost every process of every run 4.6 million instructions at start-up, 5 % of a
 * two-county batch, for twenty fixed elements and six escaped texts. */
static void xmp_packet(const cb_pdfa *a, const char *creator, const char *producer, cb_buf *b)
{
    cb_buf_adds(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                   "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                   " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                   "  <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                   "   <dc:format>application/pdf</dc:format>\n");
    rdf_list(b, "dc:title", "Alt", a->text[0]);
    rdf_list(b, "dc:creator", "Seq", a->text[2]);
    rdf_list(b, "dc:description", "Alt", a->text[1]);
    cb_buf_adds(b, "  </rdf:Description>\n"
                   "  <rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n");
    element(b, "   ", "pdf:Producer", producer);
    element(b, "   ", "pdf:Keywords", a->text[3]);
    cb_buf_adds(b, "  </rdf:Description>\n"
                   "  <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n");
    element(b, "   ", "xmp:CreatorTool", creator);
    if (a->dated) { /* the info dictionary's dates (cb_pdfa_finish): the same instant and zone */
        char when[32];
        date_text(a, "%Y-%m-%dT%H:%M:%S+00:00", when, sizeof when);
        element(b, "   ", "xmp:CreateDate", when);
        element(b, "   ", "xmp:ModifyDate", when);
        element(b, "   ", "xmp:MetadataDate", when);
    }
    cb_buf_adds(b, "  </rdf:Description>\n");
    if (a->part)
        cb_buf_addf(b, "  <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
                       "   <pdfaid:part>%d</pdfaid:part>\n   <pdfaid:conformance>%c</pdfaid:conformance>\n"
                       "  </rdf:Description>\n", a->part, a->conformance);
    if (a->ua) {
        cb_buf_addf(b, "  <rdf:Description rdf:about=\"\" xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n"
                       "   <pdfuaid:part>%d</pdfuaid:part>\n  </rdf:Description>\n", a->ua);
        if (a->part) cb_buf_adds(b, UA_EXTENSION);
    }
    cb_buf_adds(b, " </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>\n");
}

/* ---- the rest -------------------------------------------------------------------------- */

/* The catalog's /OutputIntents: the sRGB profile every colour of the document (DeviceRGB,
 * layout.h's cb_rgb) is in. */
static cb_buf icc_deflated; /* deflated once per process: 0.2 million instructions a document */

void cb_pdfa_release(void)
{
    cb_buf_free(&icc_deflated);
}

static HPDF_STATUS output_intent(HPDF_Doc pdf)
{
    if (!icc_deflated.len && !cb_pdf_deflate(cb_srgb_icc, cb_srgb_icc_len, &icc_deflated))
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_Dict icc = cb_hpdf_flate_stream(pdf, icc_deflated.s, icc_deflated.len);
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
    cb_buf xmp = {0};
    xmp_packet(a, creator, producer, &xmp);
    HPDF_Dict meta = cb_hpdf_plain_stream(pdf, xmp.s, xmp.len);
    cb_buf_free(&xmp);
    if (!meta) return HPDF_FAILD_TO_ALLOC_MEM;
    st |= cb_hpdf_put_name(meta, "Type", "Metadata");
    st |= cb_hpdf_put_name(meta, "Subtype", "XML");
    st |= cb_hpdf_catalog(pdf, "Metadata", meta);
    if (!a->part) return st; /* a tagged plain PDF: its metadata only */
    cb_hpdf_min_version(pdf, a->part == 1 ? HPDF_VER_14 : HPDF_VER_17); /* the PDF each part is based on */
    st |= output_intent(pdf);
    /* /ID: two equal strings (a new file is its own first version), a hash of the
     * document rather than of the time or the path, so equal documents are equal files.
     * FNV-1a, not SHA-256: a quarter of the instructions, and an ID needs no more than 64
     * bits to tell files apart (the second 8 bytes only fill the 16 the ID has by custom). */
    uint8_t id[16];
    uint64_t h[2] = {a->id, cb_fnv1a(a->id, "id", 2)};
    for (int i = 0; i < 16; i++) id[i] = (uint8_t)(h[i / 8] >> (56 - 8 * (i % 8)));
    HPDF_Array ids = cb_hpdf_array(pdf);
    if (!ids) return HPDF_FAILD_TO_ALLOC_MEM;
    st |= cb_hpdf_append(ids, cb_hpdf_binary(pdf, id, 16));
    st |= cb_hpdf_append(ids, cb_hpdf_binary(pdf, id, 16));
    return st | cb_hpdf_trailer(pdf, "ID", ids);
}
