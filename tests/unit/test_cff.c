/* test_cff.c: cb_cff_cids (core/cff.c) reads a CFF program's CIDs: from a CID-keyed
 * font's charset in each of its three formats, as glyph indexes for a name-keyed font, and
 * -1 (never a read outside the data) for every truncation and a few damaged offsets. */
#include <stdlib.h>

#include "../../core/cff.h"
#include "test.h"

/* A CFF program of 4 glyphs: header, Name INDEX ("A"), Top DICT INDEX, empty String and
 * Global Subr INDEXes, the charset (at 40, `charset` bytes), then the CharStrings INDEX
 * (at 40 + charset length: four one-byte endchar programs). ros: a CID-keyed font. */
static size_t build(unsigned char *d, int ros, const unsigned char *charset, size_t clen)
{
    size_t n = 0, cs = 40 + clen;
    const unsigned char head[] = {1, 0, 4, 1, 0, 1, 1, 1, 2, 'A'};
    memcpy(d, head, sizeof head);
    n = sizeof head;
    unsigned char dict[32];
    size_t k = 0;
    if (ros) { /* ROS: SID SID number 12 30 (three operands, each 139 = 0) */
        dict[k++] = 139, dict[k++] = 139, dict[k++] = 139, dict[k++] = 12, dict[k++] = 30;
    }
    dict[k++] = 28, dict[k++] = 0, dict[k++] = 40, dict[k++] = 15;                      /* charset */
    dict[k++] = 28, dict[k++] = (unsigned char)(cs >> 8), dict[k++] = (unsigned char)cs, dict[k++] = 17;
    d[n++] = 0, d[n++] = 1, d[n++] = 1, d[n++] = 1, d[n++] = (unsigned char)(1 + k); /* Top DICT INDEX */
    memcpy(d + n, dict, k);
    n += k;
    d[n++] = 0, d[n++] = 0; /* String INDEX */
    d[n++] = 0, d[n++] = 0; /* Global Subr INDEX */
    while (n < 40) d[n++] = 0; /* padding up to the charset */
    memcpy(d + n, charset, clen);
    n += clen;
    const unsigned char glyphs[] = {0, 4, 1, 1, 2, 3, 4, 5, 14, 14, 14, 14};
    memcpy(d + n, glyphs, sizeof glyphs);
    return n + sizeof glyphs;
}

TEST(charset_formats)
{
    unsigned char d[128];
    uint16_t cid[4];
    const unsigned char f0[] = {0, 0x25, 0x59, 0, 7, 0, 8};    /* 9561, 7, 8 */
    const unsigned char f1[] = {1, 0x25, 0x59, 0, 0, 100, 1}; /* 9561; 100, 101 */
    const unsigned char f2[] = {2, 0, 20, 0, 2};              /* 20, 21, 22 */
    ASSERT_EQ_INT(cb_cff_cids(d, build(d, 1, f0, sizeof f0), cid, 4), 1);
    ASSERT(cid[0] == 0 && cid[1] == 9561 && cid[2] == 7 && cid[3] == 8);
    ASSERT_EQ_INT(cb_cff_cids(d, build(d, 1, f1, sizeof f1), cid, 4), 1);
    ASSERT(cid[1] == 9561 && cid[2] == 100 && cid[3] == 101);
    ASSERT_EQ_INT(cb_cff_cids(d, build(d, 1, f2, sizeof f2), cid, 4), 1);
    ASSERT(cid[1] == 20 && cid[2] == 21 && cid[3] == 22);
    ASSERT_EQ_INT(cb_cff_cids(d, build(d, 1, f2, sizeof f2), cid, 2), 1); /* fewer asked */
    ASSERT_EQ_INT(cb_cff_cids(d, build(d, 1, f2, sizeof f2), cid, 5), -1); /* more than it has */
}

TEST(name_keyed_is_glyph_index)
{
    unsigned char d[128];
    uint16_t cid[4];
    const unsigned char f0[] = {0, 0, 5, 0, 6, 0, 7}; /* SIDs: names, not CIDs */
    ASSERT_EQ_INT(cb_cff_cids(d, build(d, 0, f0, sizeof f0), cid, 4), 0);
    ASSERT(cid[0] == 0 && cid[1] == 1 && cid[2] == 2 && cid[3] == 3);
}

TEST(damaged_never_read_outside)
{
    unsigned char d[128];
    uint16_t cid[4];
    const unsigned char f1[] = {1, 0x25, 0x59, 0, 0, 100, 1};
    size_t len = build(d, 1, f1, sizeof f1);
    for (size_t cut = 0; cut < len; cut++) { /* a copy of exactly cut bytes: ASan sees overreads */
        unsigned char *c = malloc(cut ? cut : 1);
        memcpy(c, d, cut);
        int rc = cb_cff_cids(c, cut, cid, 4);
        free(c);
        if (rc != -1 && cut < 40 + sizeof f1) TEST_FAIL_("cut at %zu read as %d", cut, rc);
    }
    unsigned char bad[128];
    memcpy(bad, d, len);
    bad[0] = 2; /* CFF2's major version */
    ASSERT_EQ_INT(cb_cff_cids(bad, len, cid, 4), -1);
    memcpy(bad, d, len);
    bad[40] = 3; /* an unknown charset format */
    ASSERT_EQ_INT(cb_cff_cids(bad, len, cid, 4), -1);
    memcpy(bad, d, len);
    bad[3] = 9; /* an INDEX offset size past 4 */
    bad[6] = 9;
    ASSERT_EQ_INT(cb_cff_cids(bad, len, cid, 4), -1);
}

static const test_case tests[] = {
    TEST_ENTRY(charset_formats),
    TEST_ENTRY(name_keyed_is_glyph_index),
    TEST_ENTRY(damaged_never_read_outside),
    {0},
};

TEST_MAIN(tests)
