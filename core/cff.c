/* cff.c: see cff.h. Every read is bounds-checked against the program's length. */
#include "cff.h"

#include <string.h>

typedef struct cff_reader {
    const unsigned char *d;
    size_t len;
} cff_reader;

/* An unsigned big-endian number of `size` (1..4) bytes at off; -1 past the end. */
static long long get_uint(const cff_reader *r, size_t off, int size)
{
    if (size < 1 || size > 4 || off > r->len || r->len - off < (size_t)size) return -1;
    long long v = 0;
    for (int i = 0; i < size; i++) v = v << 8 | r->d[off + (size_t)i];
    return v;
}

/* An INDEX at off: its count, where its data starts, and where the INDEX ends; the item i
 * is [data + offset(i) - 1, data + offset(i+1) - 1). Returns 0, or -1 if malformed. */
typedef struct cff_index {
    size_t off, count, data;
    int off_size;
    size_t end;
} cff_index;

static int read_index(const cff_reader *r, size_t off, cff_index *ix)
{
    long long count = get_uint(r, off, 2);
    if (count < 0) return -1;
    ix->off = off;
    ix->count = (size_t)count;
    if (count == 0) {
        ix->off_size = 0;
        ix->data = ix->end = off + 2;
        return 0;
    }
    long long os = get_uint(r, off + 2, 1);
    if (os < 1 || os > 4) return -1;
    ix->off_size = (int)os;
    ix->data = off + 3 + ((size_t)count + 1) * (size_t)os - 1; /* offsets count from 1 */
    long long last = get_uint(r, off + 3 + (size_t)count * (size_t)os, (int)os);
    if (last < 1 || ix->data + (size_t)last > r->len) return -1;
    ix->end = ix->data + (size_t)last;
    return 0;
}

static int index_item(const cff_reader *r, const cff_index *ix, size_t i, size_t *start, size_t *end)
{
    if (i >= ix->count) return -1;
    long long a = get_uint(r, ix->off + 3 + i * (size_t)ix->off_size, ix->off_size);
    long long b = get_uint(r, ix->off + 3 + (i + 1) * (size_t)ix->off_size, ix->off_size);
    if (a < 1 || b < a || ix->data + (size_t)b > ix->end) return -1;
    *start = ix->data + (size_t)a;
    *end = ix->data + (size_t)b;
    return 0;
}

/* The Top DICT's charset offset (operator 15), CharStrings offset (17) and whether it has a
 * ROS (12 30): the DICT's operands are numbers, and only these three matter. */
static int read_top_dict(const cff_reader *r, size_t p, size_t end, long long *charset, long long *charstrings,
                         int *ros)
{
    long long last = 0; /* the operand before an operator: the offsets take one */
    *charset = 0; /* the default: ISOAdobe, for a name-keyed font */
    *charstrings = -1;
    *ros = 0;
    while (p < end) {
        unsigned b0 = r->d[p];
        if (b0 <= 21) { /* an operator */
            unsigned op = b0;
            if (b0 == 12) {
                if (p + 1 >= end) return -1;
                op = 1200 + r->d[++p];
            }
            if (op == 15) *charset = last;
            if (op == 17) *charstrings = last;
            if (op == 1230) *ros = 1;
            p++;
        } else if (b0 == 28 || b0 == 29) { /* int16, int32 */
            int size = b0 == 28 ? 2 : 4;
            long long v = get_uint(r, p + 1, size);
            if (v < 0 || p + 1 + (size_t)size > end) return -1;
            last = size == 2 ? (int16_t)v : (int32_t)v;
            p += 1 + (size_t)size;
        } else if (b0 == 30) { /* a real: nibbles up to an 0xF one */
            for (p++; p < end && (r->d[p] & 0x0F) != 0x0F && (r->d[p] & 0xF0) != 0xF0; p++) {}
            if (p >= end) return -1;
            p++;
            last = 0;
        } else if (b0 >= 32 && b0 <= 246) {
            last = (long long)b0 - 139;
            p++;
        } else if (b0 >= 247 && b0 <= 254) {
            if (p + 1 >= end) return -1;
            long long w = ((long long)b0 - (b0 <= 250 ? 247 : 251)) * 256 + r->d[p + 1] + 108;
            last = b0 <= 250 ? w : -w;
            p += 2;
        } else {
            return -1; /* 22..27, 31, 255: reserved */
        }
    }
    return 0;
}

int cb_cff_cids(const unsigned char *data, size_t len, uint16_t *cid, size_t n)
{
    cff_reader r = {data, len};
    long long hdr = get_uint(&r, 2, 1);
    if (get_uint(&r, 0, 1) != 1 || hdr < 4) return -1; /* major version 1 */
    cff_index names, top;
    size_t start, end;
    if (read_index(&r, (size_t)hdr, &names) || read_index(&r, names.end, &top) ||
        index_item(&r, &top, 0, &start, &end))
        return -1;
    long long charset, charstrings;
    int ros;
    if (read_top_dict(&r, start, end, &charset, &charstrings, &ros)) return -1;
    cff_index glyphs;
    if (charstrings <= 0 || read_index(&r, (size_t)charstrings, &glyphs) || glyphs.count < n) return -1;
    if (!ros) { /* name-keyed: CID = glyph index */
        for (size_t g = 0; g < n; g++) cid[g] = (uint16_t)g;
        return 0;
    }
    if (charset <= 2) return -1; /* the predefined charsets are for name-keyed fonts only */
    size_t p = (size_t)charset;
    long long format = get_uint(&r, p++, 1);
    if (n) cid[0] = 0; /* .notdef, not in the charset */
    for (size_t g = 1; g < n;) {
        if (format == 0) {
            long long c = get_uint(&r, p, 2);
            if (c < 0) return -1;
            cid[g++] = (uint16_t)c;
            p += 2;
        } else if (format == 1 || format == 2) { /* ranges: first, then nLeft more */
            long long first = get_uint(&r, p, 2), left = get_uint(&r, p + 2, format == 1 ? 1 : 2);
            if (first < 0 || left < 0) return -1;
            p += format == 1 ? 3 : 4;
            for (long long k = 0; k <= left && g < n; k++) cid[g++] = (uint16_t)(first + k);
        } else {
            return -1;
        }
    }
    return 1;
}
