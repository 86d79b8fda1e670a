/* pdf_objstm.c: see pdf_objstm.h. libharu writes "N 0 obj\n...\nendobj\n" for each object
 * in number order, then "xref", one table of 20-byte entries, "trailer <<...>>",
 * "startxref" and "%%EOF": that is all this reads, and anything else makes it decline. */
#include "pdf_objstm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf.h"

/* Objects per object stream: a reader inflates a whole stream to get one of its objects;
 * qpdf's 100 made the peer page's briefings 0.5 % larger (a briefing has 250-300). */
#define CHUNK 1000

typedef struct obj {
    size_t off, end; /* its "N 0 obj" and past its "endobj" */
    size_t body, body_end; /* its value */
    int stream;
} obj;

static int is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0'; }

/* The unsigned number at *p (digits only, before end), advancing *p; -1 when none. */
static long long number(const char **p, const char *end)
{
    const char *s = *p;
    long long v = 0;
    while (s < end && *s >= '0' && *s <= '9' && v < (1LL << 40)) v = v * 10 + (*s++ - '0');
    if (s == *p) return -1;
    *p = s;
    return v;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && is_space(*p)) p++;
    return p;
}

/* The last occurrence of pat in s[0..len), or NULL. */
static const char *last_of(const char *s, size_t len, const char *pat)
{
    size_t n = strlen(pat);
    for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;)
        if (memcmp(s + i, pat, n) == 0) return s + i;
    return NULL;
}

static int ends_with(const char *s, size_t b, size_t *e, const char *word)
{
    size_t n = strlen(word);
    while (*e > b && is_space(s[*e - 1])) (*e)--;
    if (*e - b < n || memcmp(s + *e - n, word, n) != 0) return 0;
    *e -= n;
    while (*e > b && is_space(s[*e - 1])) (*e)--;
    return 1;
}

/* Big-endian v in w bytes at p. */
static void put_be(uint8_t *p, int w, uint64_t v)
{
    for (int i = w - 1; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

/* Appends "id 0 obj <<dict/Length n>>stream ... endstream endobj" with data deflated. */
static int put_stream(cb_buf *out, unsigned id, const char *dict, const void *data, size_t len, cb_buf *z)
{
    if (!cb_pdf_deflate(data, len, z)) return 0;
    cb_buf_addf(out, "%u 0 obj\n<<%s/Filter/FlateDecode/Length %zu>>\nstream\n", id, dict, z->len);
    cb_buf_add(out, z->s, z->len);
    cb_buf_adds(out, "\nendstream\nendobj\n");
    return 1;
}

/* The objects of in's table into objs[0..*size) (off 0: not in use); 0 when the table is
 * not libharu's. */
static int read_table(const char *in, size_t len, size_t xref, obj **objs, size_t *size)
{
    const char *p = in + xref + 4, *end = in + len;
    *objs = NULL;
    *size = 0;
    for (;;) {
        p = skip_space(p, end);
        if (end - p >= 7 && memcmp(p, "trailer", 7) == 0) return *size > 0;
        long long first = number(&p, end);
        p = skip_space(p, end);
        long long count = number(&p, end);
        if (first < 0 || count <= 0 || first + count > (1LL << 23)) return 0;
        while (p < end && (*p == ' ' || *p == '\r' || *p == '\n')) p++;
        if ((size_t)(end - p) < (size_t)count * 20) return 0;
        if ((size_t)(first + count) > *size) {
            *objs = cb_xrealloc(*objs, (size_t)(first + count) * sizeof **objs);
            memset(*objs + *size, 0, ((size_t)(first + count) - *size) * sizeof **objs);
            *size = (size_t)(first + count);
        }
        for (long long i = 0; i < count; i++, p += 20) {
            const char *q = p;
            long long off = number(&q, p + 10), gen = (q++, number(&q, p + 16));
            if (off < 0 || gen < 0 || q != p + 16 || p[16] != ' ') return 0;
            if (p[17] == 'f') continue;
            if (p[17] != 'n' || gen != 0 || off == 0 || (size_t)off >= xref) return 0; /* generation 0 only */
            (*objs)[first + i].off = (size_t)off;
        }
    }
}

int cb_pdf_objstm(const char *in, size_t len, cb_buf *out)
{
    const char *sx = last_of(in, len, "startxref");
    if (!sx || len - (size_t)(sx - in) > 64) return 0;
    const char *p = skip_space(sx + 9, in + len);
    long long xref = number(&p, in + len);
    if (xref <= 0 || (size_t)xref + 4 > len || memcmp(in + xref, "xref", 4) != 0) return 0;
    const char *tr = last_of(in + xref, (size_t)(sx - in - xref), "trailer");
    const char *topen = tr ? skip_space(tr + 7, sx) : NULL;
    const char *tclose = tr ? last_of(tr, (size_t)(sx - tr), ">>") : NULL;
    if (!topen || !tclose || sx - topen < 2 || memcmp(topen, "<<", 2) != 0 || topen >= tclose) return 0;

    obj *objs;
    size_t size, first = 0, prev = 0, nplain = 0;
    int ok = read_table(in, len, (size_t)xref, &objs, &size);
    /* each object's extent: objects are in number order, each up to the next */
    for (size_t i = size; ok && i-- > 0;) {
        obj *o = &objs[i];
        if (!o->off) continue;
        o->end = prev ? prev : (size_t)xref;
        if (o->off >= o->end) ok = 0;
        prev = o->off;
    }
    for (size_t i = 0; ok && i < size; i++) {
        obj *o = &objs[i];
        if (!o->off) continue;
        if (!first) first = o->off;
        const char *q = in + o->off;
        long long id = number(&q, in + o->end);
        q = skip_space(q, in + o->end);
        ok = id == (long long)i && (in + o->end - q) > 5 && memcmp(q, "0 obj", 5) == 0;
        o->body = (size_t)(q + 5 - in);
        o->body_end = o->end;
        ok = ok && ends_with(in, o->body, &o->body_end, "endobj");
        size_t e = o->body_end;
        o->stream = ends_with(in, o->body, &e, "endstream");
        nplain += !o->stream;
    }
    if (!ok || !first || size + nplain / CHUNK + 2 > (1u << 23)) {
        free(objs);
        return 0;
    }

    size_t base = out->len, nchunks = (nplain + CHUNK - 1) / CHUNK, total = size + nchunks + 1;
    /* where each object now is: type (1 offset, 2 compressed), field 2, field 3 */
    uint64_t *f2 = cb_xcalloc(total, sizeof *f2);
    uint32_t *f3 = cb_xcalloc(total, sizeof *f3);
    uint8_t *type = cb_xcalloc(total, 1);
    cb_buf_add(out, in, first); /* the header, "%PDF-1.x" and the binary comment */
    for (size_t i = 0; i < size; i++)
        if (objs[i].off && objs[i].stream) {
            type[i] = 1;
            f2[i] = out->len - base;
            cb_buf_add(out, in + objs[i].off, objs[i].end - objs[i].off);
        }
    cb_buf head = {0}, body = {0}, z = {0};
    size_t i = 0;
    for (size_t c = 0; ok && c < nchunks; c++) {
        unsigned sid = (unsigned)(size + c), n = 0;
        head.len = body.len = 0;
        for (; i < size && n < CHUNK; i++) {
            if (!objs[i].off || objs[i].stream) continue;
            type[i] = 2;
            f2[i] = sid;
            f3[i] = n++;
            cb_buf_addf(&head, "%zu %zu ", i, body.len);
            cb_buf_add(&body, in + objs[i].body, objs[i].body_end - objs[i].body);
            cb_buf_adds(&body, "\n");
        }
        char dict[80];
        snprintf(dict, sizeof dict, "/Type/ObjStm/N %u/First %zu", n, head.len);
        cb_buf_add(&head, body.s, body.len);
        type[sid] = 1;
        f2[sid] = out->len - base;
        ok = put_stream(out, sid, dict, head.s, head.len, &z);
    }

    /* the cross-reference stream: rows of 1 + w + 2 bytes, each the difference from the
     * one above (PNG Up, predictor 12), which deflate turns into almost nothing */
    unsigned xid = (unsigned)(total - 1);
    size_t xoff = out->len - base;
    type[xid] = 1;
    f2[xid] = xoff;
    int w = 1;
    while (w < 8 && (xoff >> (8 * w) || total >> (8 * w))) w++;
    size_t row = (size_t)(1 + w + 2);
    uint8_t *rows = cb_xcalloc(total, row + 1), *prevrow = cb_xcalloc(row, 1), cur[16];
    f3[0] = 65535; /* object 0 heads the (empty) list of free objects */
    for (size_t k = 0; k < total; k++) {
        cur[0] = type[k];
        put_be(cur + 1, w, f2[k]);
        put_be(cur + 1 + w, 2, f3[k]);
        uint8_t *r = rows + k * (row + 1);
        r[0] = 2; /* Up */
        for (size_t b = 0; b < row; b++) r[1 + b] = (uint8_t)(cur[b] - prevrow[b]);
        memcpy(prevrow, cur, row);
    }
    /* the trailer's entries but /Size */
    cb_buf dict = {0};
    cb_buf_addf(&dict, "/Type/XRef/Size %zu/W[1 %d 2]/DecodeParms<</Columns %zu/Predictor 12>>", total, w, row);
    const char *t = topen + 2, *size_key = NULL;
    for (const char *s = t; s + 5 < tclose; s++)
        if (memcmp(s, "/Size", 5) == 0 && is_space(s[5])) size_key = s;
    if (size_key) {
        const char *after = skip_space(size_key + 5, tclose);
        if (number(&after, tclose) < 0) after = size_key + 5;
        cb_buf_add(&dict, t, (size_t)(size_key - t));
        cb_buf_add(&dict, after, (size_t)(tclose - after));
    } else {
        cb_buf_add(&dict, t, (size_t)(tclose - t));
    }
    ok = ok && put_stream(out, xid, dict.s, rows, total * (row + 1), &z);
    if (ok) cb_buf_addf(out, "startxref\n%zu\n%%%%EOF\n", xoff);
    else out->len = base; /* not covered: out of memory in the deflater */
    if (out->s) out->s[out->len] = '\0';
    cb_buf_free(&dict);
    cb_buf_free(&head);
    cb_buf_free(&body);
    cb_buf_free(&z);
    free(rows);
    free(prevrow);
    free(type);
    free(f2);
    free(f3);
    free(objs);
    return ok;
}
