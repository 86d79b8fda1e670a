/* test_cover_template.c: core/template.c branch by branch (tests/README.md, coverage): the
 * logo's checks, PNG chunk by chunk and JPEG segment by segment, each refusal naming the
 * file; and every key of template.lua, its effect on the template and each refusal naming
 * template.lua and the key. Runs in a fresh folder under /tmp. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "template.h"
#include "test.h"

static char dir[64];

static void fresh(void)
{
    snprintf(dir, sizeof dir, "/tmp/cb-cover-template-XXXXXX");
    if (!mkdtemp(dir)) perror("mkdtemp");
}

static void clean(void)
{
    char *cmd = cb_xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(cmd);
}

/* dir/name with n bytes of d; returns the path (static buffer). */
static const char *put(const char *name, const void *d, size_t n)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(d, 1, n, f);
        fclose(f);
    }
    return path;
}

/* ------------------------------------------------------------------ PNG */

typedef struct { unsigned char b[512]; size_t n; } bytes;

static void add(bytes *p, const void *d, size_t n)
{
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

static void add32(bytes *p, uint32_t v)
{
    unsigned char b[4] = {v >> 24, v >> 16 & 0xFF, v >> 8 & 0xFF, v & 0xFF};
    add(p, b, 4);
}

/* A chunk with its CRC (bad_crc: one off). */
static void chunk(bytes *p, const char *type, const void *d, size_t n, int bad_crc)
{
    add32(p, (uint32_t)n);
    size_t at = p->n;
    add(p, type, 4);
    add(p, d, n);
    uint32_t c = 0xFFFFFFFFu; /* CRC-32 of type and data, bit by bit */
    for (size_t i = at; i < p->n; i++) {
        c ^= p->b[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    add32(p, (c ^ 0xFFFFFFFFu) + (bad_crc ? 1 : 0));
}

static void ihdr(bytes *p, uint32_t w, uint32_t h, int depth, int color, int comp, int filter, int lace)
{
    unsigned char d[13] = {w >> 24, w >> 16 & 0xFF, w >> 8 & 0xFF, w & 0xFF,
                           h >> 24, h >> 16 & 0xFF, h >> 8 & 0xFF, h & 0xFF,
                           depth, color, comp, filter, lace};
    chunk(p, "IHDR", d, 13, 0);
}

static bytes png_start(void)
{
    bytes p = {{0}, 0};
    add(&p, "\x89PNG\r\n\x1a\n", 8);
    return p;
}

/* A whole PNG of w x h pixels, color type and depth as given. */
static bytes png(uint32_t w, uint32_t h, int depth, int color)
{
    bytes p = png_start();
    ihdr(&p, w, h, depth, color, 0, 0, 0);
    chunk(&p, "IDAT", "x", 1, 0);
    chunk(&p, "IEND", "", 0, 0);
    return p;
}

/* The message cb_image_check gives for these bytes, "" when it accepts them. */
static const char *check_bytes(const bytes *p, int *jpeg, int *w, int *h)
{
    static cb_error err;
    const char *path = put("logo", p->b, p->n);
    err.msg[0] = '\0';
    int rc = cb_image_check(path, jpeg, w, h, &err);
    if (rc == CB_OK) return "";
    return strstr(err.msg, "/logo: ") ? strstr(err.msg, "/logo: ") + 7 : err.msg;
}

TEST(png_accepted)
{
    fresh();
    int jpeg = -1, w = 0, h = 0;
    struct { int depth, color; } ok[] = {{1, 0}, {2, 0}, {4, 0}, {8, 0}, {16, 0}, {1, 3}, {2, 3}, {4, 3},
                                        {8, 3}, {8, 2}, {16, 2}, {8, 4}, {16, 4}, {8, 6}, {16, 6}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        bytes p = png(3, 2, ok[i].depth, ok[i].color);
        ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "");
        ASSERT(jpeg == 0 && w == 3 && h == 2);
    }
    /* a palette and an ancillary chunk (lower-case first letter) are passed over */
    bytes p = png_start();
    ihdr(&p, 4096, 1, 8, 3, 0, 0, 1);
    chunk(&p, "PLTE", "\0\0\0", 3, 0);
    chunk(&p, "tEXt", "a\0b", 3, 0);
    chunk(&p, "IDAT", "x", 1, 0);
    chunk(&p, "IEND", "", 0, 0);
    add(&p, "trailing", 8); /* after IEND: not read */
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "");
    ASSERT(w == 4096 && h == 1);
    clean();
}

TEST(png_refused)
{
    fresh();
    int jpeg, w, h;
    struct { int depth, color; } bad[] = {{3, 0}, {16, 3}, {4, 2}, {1, 4}, {2, 6}, {8, 5}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bytes p = png(3, 2, bad[i].depth, bad[i].color);
        ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG header (IHDR) is inconsistent");
    }
    struct { uint32_t w, h; int comp, filter, lace; } hdr[] = {
        {0, 1, 0, 0, 0}, {1, 0, 0, 0, 0}, {1, 1, 1, 0, 0}, {1, 1, 0, 1, 0}, {1, 1, 0, 0, 2}};
    for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) {
        bytes p = png_start();
        ihdr(&p, hdr[i].w, hdr[i].h, 8, 2, hdr[i].comp, hdr[i].filter, hdr[i].lace);
        ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG header (IHDR) is inconsistent");
    }
    bytes p = png(1, 4097, 8, 2);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "image is 1 x 4097 pixels; at most 4096 x 4096 allowed");
    p = png(4097, 1, 8, 2);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "image is 4097 x 1 pixels; at most 4096 x 4096 allowed");

    p = png_start();
    add(&p, "\0\0\0\0IHD", 7);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG file is truncated (incomplete chunk at byte 8)");
    p = png_start();
    add32(&p, 100);
    add(&p, "IHDRxxxxxxxx", 12);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h),
                  "PNG file is truncated or corrupt (chunk IHDR at byte 8 runs past the end)");
    p = png_start();
    add32(&p, 0x80000000u);
    add(&p, "IHDRxxxxxxxx", 12);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h),
                  "PNG file is truncated or corrupt (chunk IHDR at byte 8 runs past the end)");
    p = png_start();
    chunk(&p, "IHDR", "0123456789abc", 13, 1);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG file is corrupt (bad CRC in chunk IHDR)");
    p = png_start();
    chunk(&p, "IDAT", "x", 1, 0);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG file does not start with an IHDR chunk");
    p = png_start();
    chunk(&p, "IHDR", "0123456789ab", 12, 0);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG file does not start with an IHDR chunk");
    p = png_start();
    ihdr(&p, 1, 1, 8, 2, 0, 0, 0);
    ihdr(&p, 1, 1, 8, 2, 0, 0, 0);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG file has two IHDR chunks");
    p = png_start();
    ihdr(&p, 1, 1, 8, 2, 0, 0, 0);
    chunk(&p, "ABCD", "", 0, 0);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG file has an unknown critical chunk ABCD");
    p = png_start();
    ihdr(&p, 1, 1, 8, 2, 0, 0, 0);
    chunk(&p, "IDAT", "x", 1, 0);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG file is truncated (no IEND chunk)");
    p = png_start();
    ihdr(&p, 1, 1, 8, 2, 0, 0, 0);
    chunk(&p, "IEND", "", 0, 0);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "PNG file has no image data (IDAT)");
    clean();
}

/* ------------------------------------------------------------------ JPEG */

/* SOF0 of w x h with comps components (len: the segment's length field). */
static void sof(bytes *p, int marker, int len, int w, int h, int comps)
{
    unsigned char d[13] = {0xFF, marker, len >> 8, len & 0xFF, 8, h >> 8, h & 0xFF, w >> 8, w & 0xFF, comps,
                           1, 0x11, 0};
    add(p, d, len >= 9 ? 13 : 2 + (size_t)len);
}

static bytes jpeg_start(void)
{
    bytes p = {{0}, 0};
    add(&p, "\xFF\xD8\xFF\xE0\x00\x06JFIF", 10); /* SOI, APP0 */
    return p;
}

static void jpeg_end(bytes *p)
{
    add(p, "\xFF\xDA\x00\x04\x01\x02", 6); /* SOS: the scan follows */
    add(p, "\x12\x34\x56", 3);
    add(p, "\xFF\xD9", 2); /* EOI */
}

TEST(jpeg_accepted)
{
    fresh();
    int jpeg = -1, w = 0, h = 0;
    bytes p = jpeg_start();
    add(&p, "\xFF\xFF\xD0\xFF\x01\xFF\xD8", 7);     /* fill byte, RST0, TEM, SOI: no length */
    add(&p, "\xFF\xDB\x00\x02", 4);                 /* DQT: past the frame headers' range */
    add(&p, "\xFF\xC4\x00\x03\x00", 5);             /* DHT: not a frame header */
    add(&p, "\xFF\xC8\x00\x02\xFF\xCC\x00\x02", 8); /* JPG, DAC: neither */
    sof(&p, 0xC2, 11, 4096, 7, 3);
    jpeg_end(&p);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "");
    ASSERT(jpeg == 1 && w == 4096 && h == 7);
    for (int comps = 1; comps <= 4; comps += 3) { /* 1 and 4, and padding after EOI */
        p = jpeg_start();
        sof(&p, 0xC0, 11, 5, 6, comps);
        jpeg_end(&p);
        memset(p.b + p.n, 0, 62);
        p.n += 62;
        ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "");
        ASSERT(w == 5 && h == 6);
    }
    clean();
}

TEST(jpeg_refused)
{
    fresh();
    int jpeg, w, h;
    bytes p = jpeg_start();
    add(&p, "\x00\x00\x00\x00", 4);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG file is corrupt (no marker at byte 10)");
    p = jpeg_start();
    add(&p, "\xFF\xE1\x00\x01\x00", 5);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG file is truncated (segment at byte 10 runs past the end)");
    p = jpeg_start();
    add(&p, "\xFF\xE1\x00\x40\x00", 5);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG file is truncated (segment at byte 10 runs past the end)");
    p = jpeg_start();
    sof(&p, 0xC0, 7, 1, 1, 3);
    jpeg_end(&p);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG frame header is too short");
    int bad[][3] = {{0, 1, 3}, {1, 0, 3}, {1, 1, 2}, {1, 1, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = jpeg_start();
        sof(&p, 0xC1, 11, bad[i][0], bad[i][1], bad[i][2]);
        jpeg_end(&p);
        ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG frame header is inconsistent");
    }
    p = jpeg_start();
    sof(&p, 0xC0, 11, 4097, 1, 3);
    jpeg_end(&p);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "image is 4097 x 1 pixels; at most 4096 x 4096 allowed");
    p = jpeg_start();
    sof(&p, 0xC0, 11, 1, 4097, 3);
    jpeg_end(&p);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "image is 1 x 4097 pixels; at most 4096 x 4096 allowed");
    p = jpeg_start();
    add(&p, "\xFF\xD9\x00\x00", 4); /* EOI before any frame */
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG file has no frame header (SOF) before its image data");
    p = jpeg_start();
    jpeg_end(&p); /* a scan before any frame */
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG file has no frame header (SOF) before its image data");
    p = jpeg_start();
    sof(&p, 0xC0, 11, 1, 1, 3);
    jpeg_end(&p);
    p.n -= 2; /* no EOI */
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG file is truncated (no EOI marker)");
    p = jpeg_start();
    sof(&p, 0xC0, 11, 1, 1, 3);
    jpeg_end(&p);
    memset(p.b + p.n, 0, 80); /* EOI, then more than 64 bytes */
    p.n += 80;
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "JPEG file is truncated (no EOI marker)");
    clean();
}

TEST(image_files)
{
    fresh();
    int jpeg, w, h;
    cb_error err;
    char *path = cb_xasprintf("%s/none.png", dir);
    ASSERT(cb_image_check(path, &jpeg, &w, &h, &err) == CB_ETEMPLATE);
    ASSERT_CONTAINS(err.msg, "none.png: cannot open the image");
    free(path);
    bytes p = {{0}, 0};
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "not a PNG or JPEG file");
    add(&p, "\x89PNG\r\n\x1a", 7); /* a signature cut short */
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "not a PNG or JPEG file");
    p.n = 0;
    add(&p, "\xFF\xD8\xFF", 3); /* too short for a JPEG */
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "not a PNG or JPEG file");
    p.n = 0;
    add(&p, "\xFF\xD8\x00\x00", 4);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "not a PNG or JPEG file");
    p.n = 0;
    add(&p, "\xFF\x00\xFF\x00", 4);
    ASSERT_EQ_STR(check_bytes(&p, &jpeg, &w, &h), "not a PNG or JPEG file");
    /* a PNG whose tail makes the file 33 MiB: refused by its size, before any parsing */
    bytes g = png(1, 1, 8, 2);
    path = cb_xasprintf("%s/big.png", dir);
    FILE *f = fopen(path, "wb");
    ASSERT(f);
    fwrite(g.b, 1, g.n, f);
    ASSERT(ftruncate(fileno(f), 33 << 20) == 0);
    fclose(f);
    ASSERT(cb_image_check(path, &jpeg, &w, &h, &err) == CB_ETEMPLATE);
    ASSERT_CONTAINS(err.msg, "big.png: image file is larger than 32 MiB");
    free(path);
    clean();
}

/* ------------------------------------------------------------------ template.lua */

/* Loads a template whose template.lua is `lua` (in language lang); the message, or "" on
 * success (*t kept loaded: the caller frees it). Messages lose the folder's name. */
static const char *load(const char *lua, const char *lang, cb_template *t)
{
    static cb_error err;
    put("template.lua", lua, strlen(lua));
    err.msg[0] = '\0';
    if (cb_template_load_lang(t, dir, "/nonexistent", lang, &err) == CB_OK) return "";
    const char *m = strstr(err.msg, "/template.lua: ");
    return m ? m + 15 : err.msg;
}

/* The message of a template.lua that is refused (zh). */
static const char *refused(const char *lua)
{
    cb_template t;
    const char *m = load(lua, "zh", &t);
    if (!*m) cb_template_free(&t);
    return *m ? m : "(accepted)";
}

TEST(template_found)
{
    fresh();
    cb_template t;
    cb_error err;
    ASSERT(cb_template_load_lang(&t, dir, "/x", "fr", &err) == CB_EUSAGE);
    ASSERT_EQ_STR(err.msg, "fr: unknown language (countybrief knows zh and en)");
    ASSERT(cb_template_load_lang(&t, "nosuch", "/x", "zh", &err) == CB_ENOTFOUND);
    ASSERT_EQ_STR(err.msg, "nosuch: no such template (expected /x/templates/nosuch/template.lua)");
    /* a bare name is a shipped template */
    const char *examples = getenv("CB_EXAMPLES");
    ASSERT(examples);
    char *share = cb_xasprintf("%s/..", examples);
    ASSERT(cb_template_load(&t, "briefing", share, &err) == CB_OK);
    ASSERT_EQ_STR(t.name, "briefing");
    ASSERT_EQ_STR(t.footer, "第 {page} 页 / 共 {pages} 页");
    cb_template_free(&t);
    free(share);
    ASSERT_CONTAINS(refused("return {"), "/template.lua:1: unexpected symbol near <eof>");
    clean();
}

TEST(template_page)
{
    fresh();
    cb_template t;
    ASSERT_EQ_STR(load("return { page = { size = 'a5' } }", "zh", &t), "");
    ASSERT_NEAR(t.page_w, 419.528, 0.01);
    ASSERT_NEAR(t.page_h, 595.276, 0.01);
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { page = { size = 'Letter', orientation = 'Landscape' } }", "zh", &t), "");
    ASSERT(t.page_w == 792 && t.page_h == 612);
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { page = { orientation = 'portrait', margin = { top = 10, right = 11, bottom = 12, left = 13 } } }",
                       "zh", &t), "");
    ASSERT_NEAR(t.page_w, 595.276, 0.01);
    ASSERT(t.margin_top == 10 && t.margin_right == 11 && t.margin_bottom == 12 && t.margin_left == 13);
    cb_template_free(&t);
    const char *sides[] = {"top", "right", "bottom", "left"};
    for (int i = 0; i < 4; i++) {
        char lua[128], want[128];
        snprintf(lua, sizeof lua, "return { page = { margin = { %s = 'x' } } }", sides[i]);
        snprintf(want, sizeof want, "page.margin.%s must be a number, got string", sides[i]);
        ASSERT_EQ_STR(refused(lua), want);
    }
    const char *no_room[] = {"page = { margin = { top = 400, bottom = 400 } }", "type = { leading = 0.9 }",
                             "type = { padding = -1 }", "type = { padding = 4.5 }"};
    for (int i = 0; i < 4; i++) {
        char lua[128];
        snprintf(lua, sizeof lua, "return { %s }", no_room[i]);
        ASSERT_EQ_STR(refused(lua), "page size, margins or type sizes leave no room for text");
    }
    /* page.fit: a whole number of pages, 0 (the default) for no limit */
    ASSERT_EQ_STR(load("return { page = { fit = 2 } }", "zh", &t), "");
    ASSERT(t.fit == 2);
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { page = {} }", "zh", &t), "");
    ASSERT(t.fit == 0);
    cb_template_free(&t);
    const char *fits[] = {"1.5", "-1", "1e9", "0/0"};
    for (int i = 0; i < 4; i++) {
        char lua[128];
        snprintf(lua, sizeof lua, "return { page = { fit = %s } }", fits[i]);
        ASSERT_CONTAINS(refused(lua), "page.fit is ");
        ASSERT_CONTAINS(refused(lua), "; it must be a whole number of pages, 1 to 1000 (or 0: no limit)");
    }
    ASSERT_EQ_STR(refused("return { page = { fit = 'one' } }"), "page.fit must be a number, got string");
    clean();
}

TEST(template_type_and_colors)
{
    fresh();
    cb_template t;
    ASSERT_EQ_STR(load("return { type = { body = 9, justify = false, family = 'Noto Serif CJK SC' },"
                       " colors = { primary = '#FF0080', bar = '#00ff00' }, condensed = true }", "zh", &t), "");
    ASSERT(t.body_size == 9 && !t.justify && t.condensed);
    ASSERT_EQ_STR(t.font_family, "Noto Serif CJK SC");
    ASSERT_EQ_STR(t.latin_family, "DejaVu Sans");
    ASSERT(t.primary.r == 1 && t.primary.g == 0 && t.primary.b == 128 / 255.0f && t.bar.g == 1);
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { type = { family = { zh = '思源宋体', en = 'Liberation Serif' } } }", "en", &t), "");
    ASSERT_EQ_STR(t.font_family, "思源宋体");
    ASSERT_EQ_STR(t.latin_family, "Liberation Serif");
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { type = { family = { en = false } } }", "en", &t), "");
    ASSERT(!t.font_family);
    ASSERT_EQ_STR(t.latin_family, "DejaVu Sans");
    cb_template_free(&t);
    clean();
}

TEST(template_texts)
{
    fresh();
    cb_template t;
    ASSERT_EQ_STR(load("return { header = false, footer = { zh = '页脚', en = 'Foot {page}' }, watermark = '' }",
                       "en", &t), "");
    ASSERT(!t.header && !t.watermark);
    ASSERT_EQ_STR(t.footer, "Foot {page}");
    cb_template_free(&t);
    /* a table by language without the language read: the default stays */
    ASSERT_EQ_STR(load("return { footer = { zh = '页脚' }, watermark = { en = 'DRAFT' } }", "en", &t), "");
    ASSERT_EQ_STR(t.footer, "Page {page} of {pages}");
    ASSERT_EQ_STR(t.watermark, "DRAFT");
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { cover = false }", "zh", &t), "");
    ASSERT(!t.cover);
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { cover = { title = { zh = '封面' } } }", "zh", &t), "");
    ASSERT(t.cover && !t.cover_subtitle);
    ASSERT_EQ_STR(t.cover_title, "封面");
    cb_template_free(&t);
    /* a masthead: its name by language, the standard's red and sizes unless set */
    ASSERT_EQ_STR(load("return { masthead = { name = { zh = '工作简报', en = 'Bulletin' }, rule = 2 } }", "en", &t),
                  "");
    ASSERT(t.masthead);
    ASSERT_EQ_STR(t.masthead_name, "Bulletin");
    ASSERT(t.masthead_rule == 2 && t.masthead_size == 36 && t.masthead_color.r == 1 && t.masthead_color.g > 0.19f);
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { masthead = true }", "zh", &t), "");
    ASSERT(t.masthead && !t.masthead_name);
    cb_template_free(&t);
    clean();
}

/* Every refusal of a key: template.lua, then the message after "template.lua: ". */
TEST(template_refusals)
{
    fresh();
    static const struct { const char *lua, *msg; } cases[] = {
        {"return 5",
         "must return a table"},
        {"return { page = { size = 'B5' } }",
         "page.size \"B5\" is not A4, A5 or Letter"},
        {"return { page = { size = 4 } }",
         "page.size must be a string, got number"},
        {"return { page = { orientation = {} } }",
         "page.orientation must be a string, got table"},
        {"return { page = { width = 'wide' } }",
         "page.width must be a number, got string"},
        {"return { page = { height = true } }",
         "page.height must be a number, got boolean"},
        {"return { page = { width = 143 } }",
         "the page is 143 x 841.89 points; PDF pages are at most 14400 points (200 inches) a side, " "and countybrief's at least 144"},
        {"return { page = { width = 14401 } }",
         "the page is 14401 x 841.89 points; PDF pages are at most 14400 points (200 inches) a side, " "and countybrief's at least 144"},
        {"return { page = { height = 100 } }",
         "the page is 595.276 x 100 points; PDF pages are at most 14400 points (200 inches) a side, " "and countybrief's at least 144"},
        {"return { page = { height = 20000 } }",
         "the page is 595.276 x 20000 points; PDF pages are at most 14400 points (200 inches) a " "side, and countybrief's at least 144"},
        {"return { type = { table = 'big' } }",
         "type.table must be a number, got string"},
        {"return { type = { justify = 'yes' } }",
         "type.justify must be true or false"},
        {"return { type = { family = 12 } }",
         "type.family must be a string, got number"},
        {"return { type = { family = { fr = 'x' } } }",
         "type.family: the keys of a table by language must be \"zh\" or \"en\""},
        {"return { type = { family = { 'x' } } }",
         "type.family: the keys of a table by language must be \"zh\" or \"en\""},
        {"return { type = { family = { zh = 1 } } }",
         "type.family.zh must be a string, got number"},
        {"return { type = { family = { en = true } } }",
         "type.family.en must be a string, got boolean"},
        {"return { type = { body = 3.5 } }",
         "type.body is 3.5 points; it must be 4 to 300"},
        {"return { type = { h1 = 1/0 } }",
         "type.h1 is inf points; it must be 4 to 300"},
        {"return { colors = { muted = true } }",
         "colors.muted must be a \"#rrggbb\" string"},
        {"return { masthead = 'yes' }",
         "masthead must be true, false or a table, got string"},
        {"return { masthead = { color = 'red' } }",
         "masthead.color \"red\" is not #rrggbb"},
        {"return { masthead = { size = 2 } }",
         "masthead.size is 2 points; it must be 4 to 300"},
        {"return { masthead = { rule = 1/0 } }",
         "masthead.rule is inf points; it must be 0 to 12"},
        {"return { masthead = { name = 3 } }",
         "masthead.name must be a string, got number"},
        {"return { colors = { rule = 255 } }",
         "colors.rule must be a string, got number"},
        {"return { condensed = 1 }",
         "condensed must be true or false"},
        {"return { header = 5 }",
         "header must be a string, got number"},
        {"return { footer = function() end }",
         "footer must be a string, got function"},
        {"return { watermark = { zh = {} } }",
         "watermark.zh must be a string, got table"},
        {"return { cover = 5 }",
         "cover must be true, false or a table, got number"},
        {"return { cover = { title = 5 } }",
         "cover.title must be a string, got number"},
        {"return { cover = { subtitle = true } }",
         "cover.subtitle must be a string, got boolean"},
        {"return { logo = '' }",
         "logo \"\" must name a file in the template folder"},
        {"return { logo = 'a/../logo.png' }",
         "logo \"a/../logo.png\" must name a file in the template folder"},
        {"return { logo = 7 }",
         "logo must be a string, got number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) ASSERT_EQ_STR(refused(cases[i].lua), cases[i].msg);
    clean();
}

TEST(template_logo)
{
    fresh();
    cb_template t;
    bytes p = png(20, 10, 8, 6);
    put("logo.png", p.b, p.n);
    ASSERT_EQ_STR(load("return { logo = 'logo.png' }", "zh", &t), "");
    ASSERT(t.logo && !t.logo_jpeg && t.logo_w == 20 && t.logo_h == 10);
    cb_template_free(&t);
    const char *m = refused("return { logo = 'none.png' }");
    ASSERT(strstr(m, "logo file ") == m);
    ASSERT_CONTAINS(m, "/none.png not found");
    p = png(20, 10, 3, 6);
    put("bad.png", p.b, p.n);
    ASSERT_CONTAINS(refused("return { logo = 'bad.png' }"), "/bad.png: PNG header (IHDR) is inconsistent");
    clean();
}

TEST(template_grid_and_folio)
{
    fresh();
    cb_template t;
    ASSERT_EQ_STR(load("return { type = { h1 = 16 } }", "zh", &t), ""); /* the defaults */
    ASSERT(t.grid_lines == 0 && t.grid_chars == 0 && t.numbering == CB_NUMBERING_NONE && t.bold_headings);
    ASSERT(t.folio.text == NULL && t.folio.size == 14 && t.folio.inset == 14);
    ASSERT_NEAR(t.folio.below, 7 * 72 / 25.4, 0.01);
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { type = { grid = { lines = 22, chars = 28 }, numbering = 'gongwen', bold_headings = false,"
                       " faces = { body = { 'FangSong', '仿宋_GB2312', 'Noto Serif CJK SC' }, heading2 = 'KaiTi',"
                       " title = { regular = { 'A', 'B' } } } },"
                       " folio = { text = { zh = '— {page} —', en = '- {page} -' }, size = 15, inset = 16 } }", "en", &t), "");
    ASSERT(t.grid_lines == 22 && t.grid_chars == 28 && t.numbering == CB_NUMBERING_GONGWEN && !t.bold_headings);
    ASSERT_EQ_STR(t.faces[CB_FONT_BODY][0].pattern, "FangSong");
    ASSERT(t.faces[CB_FONT_BODY][0].nalts == 2);
    ASSERT_EQ_STR(t.faces[CB_FONT_BODY][0].alts[1], "Noto Serif CJK SC");
    ASSERT_EQ_STR(t.faces[CB_FONT_HEADING2][0].pattern, "KaiTi");
    ASSERT_EQ_STR(t.faces[CB_FONT_TITLE][0].alts[0], "B");
    ASSERT_EQ_STR(t.folio.text, "- {page} -");
    ASSERT(t.folio.size == 15 && t.folio.inset == 16);
    cb_template_free(&t);
    ASSERT_EQ_STR(load("return { folio = {} }", "zh", &t), "");
    ASSERT_EQ_STR(t.folio.text, "— {page} —");
    cb_template_free(&t);
    ASSERT_EQ_STR(refused("return { type = { grid = { lines = 22 } } }"),
                  "type.grid.chars must be a whole number from 1 to 200");
    ASSERT_EQ_STR(refused("return { type = { grid = { lines = 2.5, chars = 28 } } }"),
                  "type.grid.lines must be a whole number from 1 to 200");
    ASSERT_EQ_STR(refused("return { type = { numbering = 1 } }"), "type.numbering must be a string, got number");
    ASSERT_EQ_STR(refused("return { folio = 'x' }"), "folio must be a table { text = ..., size = ... } or false, got string");
    ASSERT_EQ_STR(refused("return { folio = { below = 'x' } }"), "folio.below must be a number, got string");
    ASSERT_EQ_STR(refused("return { type = { faces = { body = { '' } } } }"),
                  "type.faces.body[1] must be a font family (a non-empty string), got \"\"");
    ASSERT_EQ_STR(refused("return { type = { faces = { title = { bold = {} } } } }"),
                  "type.faces.title.bold is an empty list: name a font");
    ASSERT_EQ_STR(refused("return { type = { faces = { heading3 = 'x' } } }"),
                  "type.faces.heading3: not a role (body, heading, figures, latin, title, heading2)");
    clean();
}

static const test_case tests[] = {
    TEST_ENTRY(png_accepted),    TEST_ENTRY(png_refused),    TEST_ENTRY(jpeg_accepted),
    TEST_ENTRY(jpeg_refused),    TEST_ENTRY(image_files),    TEST_ENTRY(template_found),
    TEST_ENTRY(template_page),   TEST_ENTRY(template_type_and_colors), TEST_ENTRY(template_texts), TEST_ENTRY(template_refusals),
    TEST_ENTRY(template_logo),   TEST_ENTRY(template_grid_and_folio), {0},
};

TEST_MAIN(tests)
