/*
 * fuzz_common.h: helpers shared by the libFuzzer harnesses in tests/fuzz/.
 *
 *   CHECK(name, cond, fmt, ...)  an invariant: prints "invariant <name> failed" with the
 *                                 details and abort()s, which libFuzzer reports as a crash.
 *                                 Setting CB_FUZZ_IGNORE=name1,name2 skips those checks, to
 *                                 keep a long run going past a bug already reported (never
 *                                 set it in CI).
 *   fz_reader                     pulls bytes, numbers and strings out of the input; past
 *                                 the end it returns zeros, so every input decodes.
 *   fz_alphabet                   256 short strings (ASCII, CJK, the punctuation the line
 *                                 breaker treats specially, emoji, combining marks, line
 *                                 separators, invalid UTF-8) that one input byte selects.
 */
#ifndef CB_FUZZ_COMMON_H
#define CB_FUZZ_COMMON_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ------------------------------------------------------------------ scratch folders */

/* A new folder cb-fuzz-TAG-XXXXXX on /dev/shm when there is one (else TMPDIR or /tmp),
 * malloc'd, or NULL. Needs _GNU_SOURCE or _DEFAULT_SOURCE for mkdtemp. */
static inline char *fz_scratch_dir(const char *tag)
{
    const char *base = cb_is_dir("/dev/shm") ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *tmpl = cb_xasprintf("%s/cb-fuzz-%s-XXXXXX", base, tag);
    if (mkdtemp(tmpl)) return tmpl;
    free(tmpl);
    return NULL;
}

/* ------------------------------------------------------------------ invariants */

static inline int fz_ignored(const char *name)
{
    static const char *list;
    static int init;
    if (!init) {
        list = getenv("CB_FUZZ_IGNORE");
        init = 1;
    }
    if (!list || !*list) return 0;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

#define CHECK(name, cond, ...)                                                              \
    do {                                                                                    \
        if (!(cond) && !fz_ignored(name)) {                                                 \
            fprintf(stderr, "\n%s:%d: invariant %s failed: %s\n  ", __FILE__, __LINE__,     \
                    name, #cond);                                                           \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

/* Writes s[0..len) as a C string literal body (for messages). */
static inline void fz_dump(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c >= 0x20 && c < 0x7F) fputc(c, f);
        else fprintf(f, "\\x%02X", c);
    }
    fputc('"', f);
}

/* ------------------------------------------------------------------ reading the input */

typedef struct fz_reader {
    const uint8_t *p;
    size_t n;
} fz_reader;

static inline size_t fz_left(const fz_reader *r) { return r->n; }

static inline uint8_t fz_u8(fz_reader *r)
{
    if (!r->n) return 0;
    r->n--;
    return *r->p++;
}

static inline uint16_t fz_u16(fz_reader *r)
{
    uint16_t hi = fz_u8(r);
    return (uint16_t)(hi << 8 | fz_u8(r));
}

static inline uint64_t fz_u64(fz_reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | fz_u8(r);
    return v;
}

/* Up to n bytes (fewer at the end of the input); returns how many. */
static inline size_t fz_bytes(fz_reader *r, size_t n, const uint8_t **out)
{
    if (n > r->n) n = r->n;
    *out = r->p;
    r->p += n;
    r->n -= n;
    return n;
}

/* Doubles that matter to formatting, charts and layout. */
static const double fz_special_doubles[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, 0.05, 0.005, 0.675, 2.675, 4.05, 9999.4999,
    9999.5, 9999.6, 99990000, 99994999, 99995000, 99999999.5, 405000000, 84000000, 6100000,
    150000000, 1e15, 1e16, 9007199254740992.0, 9007199254740993.0, 1e21, 1e22, 1e100, 1e300,
    DBL_MAX, -DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 1e-320, 2e-323, 1e-300, 1e-9,
    -1e-9, 0.0049999999, 0.0050000001, 123456789.123456789, -2396.5, 1234567.5, 0.9999,
    0.99995, 1.00005, 1e-5, 3.4028235e38, 3.5e38, -3.5e38, 1e39, 65535.5, 2147483647.5,
    NAN, -NAN, INFINITY, -INFINITY,
};
#define FZ_NSPECIAL (sizeof fz_special_doubles / sizeof fz_special_doubles[0])

/* A double: special values, raw bits, small integers and halves, or a decimal. */
static inline double fz_double(fz_reader *r)
{
    uint8_t sel = fz_u8(r);
    switch (sel % 5) {
    case 0: return fz_special_doubles[fz_u8(r) % FZ_NSPECIAL];
    case 1: {
        uint64_t bits = fz_u64(r);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    case 2: return (int8_t)fz_u8(r) * 0.5;
    case 3: return (double)(int16_t)fz_u16(r) / 100.0;
    default: { /* mantissa * 10^exp, the nearest double to a decimal such as 12.345 */
        char buf[64];
        uint32_t hi = fz_u16(r), lo = fz_u16(r);
        long long m = (long long)(int32_t)(hi << 16 | lo);
        int e = (int8_t)fz_u8(r) % 40;
        snprintf(buf, sizeof buf, "%llde%d", m, e);
        return strtod(buf, NULL);
    }
    }
}

/* ------------------------------------------------------------------ the alphabet */

static const char *const fz_alphabet[256] = {
    /* ASCII letters, digits, spaces and the punctuation UAX #14 cares about */
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
    "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "A", "G", "D", "P", "Q", "W",
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", " ", " ", " ", "\t", "\n", "\r",
    ",", ".", ";", ":", "!", "?", "%", "(", ")", "[", "]", "-", "/", "\"", "'", "$",
    /* CJK ideographs, some that follow numbers as units */
    "中", "国", "县", "城", "建", "设", "援", "助", "资", "金", "项", "目", "人", "元", "亿", "万",
    "年", "个", "次", "忠", "奉", "节", "山", "东", "省", "市", "发", "展", "教", "育", "交", "通",
    /* closing marks: may not start a line */
    "，", "。", "、", "）", "》", "」", "』", "】", "〕", "〉", "：", "；", "！", "？", "…", "”",
    "’", "．",
    /* opening marks: may not end a line */
    "（", "《", "「", "『", "【", "〔", "〈", "“", "‘",
    /* other East Asian text */
    "·", "—", "～", "　", "ー", "ッ", "カ", "한", "글", "〇", "々",
    /* spaces, separators and line ends */
    "\xC2\xA0",        /* NO-BREAK SPACE */
    "\xE2\x80\x8B",    /* ZERO WIDTH SPACE */
    "\xE2\x80\x8D",    /* ZERO WIDTH JOINER */
    "\xC2\xAD",        /* SOFT HYPHEN */
    "\xE2\x80\xA8",    /* LINE SEPARATOR */
    "\xE2\x80\xA9",    /* PARAGRAPH SEPARATOR */
    "\xC2\x85",        /* NEXT LINE */
    "\v", "\f", "\r\n",
    /* combining marks, variation selectors, emoji */
    "\xCC\x81",        /* COMBINING ACUTE ACCENT */
    "\xCC\xA3",        /* COMBINING DOT BELOW */
    "\xE2\x83\x9D",    /* COMBINING ENCLOSING CIRCLE */
    "\xEF\xB8\x8F",    /* VARIATION SELECTOR-16 */
    "\xF0\x9F\x98\x80", /* 😀 */
    "\xF0\x9F\x91\x8D", /* 👍 */
    "\xF0\x9F\x8F\xBD", /* skin tone modifier */
    "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3", /* 🇨🇳 */
    "\xE2\x9D\xA4",    /* ❤ */
    /* right-to-left, other scripts */
    "\xD8\xA7", "\xD8\xA8", "\xD7\x90", "\xE0\xB8\x81", "\xE0\xA4\x95", "\xD0\x96", "\xCE\xB1",
    /* beyond the BMP, private use, specials */
    "\xF0\xA0\x80\x80", /* CJK Ext. B U+20000 */
    "\xF0\x9D\x84\x9E", /* U+1D11E */
    "\xF4\x8F\xBF\xBF", /* U+10FFFF */
    "\xEE\x80\x80",     /* U+E000, the first code of the font subset */
    "\xEF\xA3\xBF",     /* U+F8FF */
    "\xEF\xBF\xBD",     /* U+FFFD */
    "\xEF\xBB\xBF",     /* BOM */
    "\xEF\xBF\xBF",     /* U+FFFF */
    /* invalid UTF-8 */
    "\xFF", "\x80", "\xBF", "\xE4", "\xE4\xB8", "\xF0\x9F", "\xC0\xAF", "\xED\xA0\x80",
    "\xF5\x80\x80\x80", "\xC3",
    /* runs that make long unbreakable words or many break chances */
    "abcdefghij", "1234567890", "中华人民共和国", "，，，", "（（", "））", "   ", "\n\n",
    "GDP（", "1104人", "4.05亿元", "https://example.org/a/b?c=d", "2020年，", "——",
};

/* Byte b of an input as a piece of text. */
static inline const char *fz_glyph(uint8_t b)
{
    static size_t count;
    if (!count)
        while (count < 256 && fz_alphabet[count]) count++;
    return fz_alphabet[b % count];
}

/* ------------------------------------------------------------------ UTF-8 */

/* The characters of s[0..len) the way the engine decodes them (cb_utf8_next). */
static inline uint32_t fz_next(const char *s, size_t len, size_t *pos)
{
    const char *p = s + *pos;
    uint32_t cp = cb_utf8_next(&p, s + len);
    *pos = (size_t)(p - s);
    return cp;
}

#endif /* CB_FUZZ_COMMON_H */
