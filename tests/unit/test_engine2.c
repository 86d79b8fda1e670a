/*
 * test_engine2.c: two engines in one process (render.h). One in Chinese with the briefing
 * template, one in English with the onepager, open at once, render counties by turns;
 * then one is closed and the other renders again. Every PDF must be byte for byte the one
 * an engine alone renders, and each engine must name its files by its own output set.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "test.h"

typedef struct setup {
    const char *lang, *template_name, *set;
} setup;

static const setup ZH = {"zh", "briefing", ""};
static const setup EN = {"en", "onepager", ".onepager.en"};

static char root[] = "/tmp/cb-engine2-XXXXXX"; /* every output folder, removed at the end */

static char *out_dir(const char *tag)
{
    return cb_xasprintf("%s/%s", root, tag);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int open_engine(cb_engine *e, const setup *s, const char *out, cb_error *err)
{
    cb_render_opts o = {.lang = s->lang, .template_name = s->template_name, .out_dir = out, .quiet = 1};
    int rc = cb_engine_open(e, &o, err);
    if (rc == CB_OK) rc = cb_engine_prepare_output(e, err);
    return rc;
}

/* Renders county c with e: its PDF's sha256 into d, its file name checked against set. */
static int render(cb_engine *e, size_t c, const char *set, unsigned char d[32], cb_error *err)
{
    cb_render_result res;
    int rc = cb_render_county(e, c, &res, err);
    if (rc != CB_OK) return rc;
    char *want = cb_output_name(cb_county_id(&e->ds, c), cb_county_name(&e->ds, c), set);
    const char *slash = strrchr(res.path, '/');
    int named = strcmp(slash ? slash + 1 : res.path, want) == 0;
    if (!named) fprintf(stderr, "%s: expected the name %s\n", res.path, want);
    memcpy(d, res.sha256, 32);
    free(want);
    free(res.path);
    return named ? CB_OK : CB_EIO;
}

/* What an engine alone renders: counties 0 and 1. */
static int alone(const setup *s, unsigned char d[2][32], cb_error *err)
{
    cb_engine e;
    char *out = out_dir(s->lang);
    int rc = open_engine(&e, s, out, err);
    for (size_t c = 0; c < 2 && rc == CB_OK; c++) rc = render(&e, c, s->set, d[c], err);
    cb_engine_close(&e);
    free(out);
    return rc;
}

TEST(two_engines_interleaved)
{
    unsigned char zh[2][32], en[2][32], got[32];
    cb_error err;
    err.msg[0] = '\0';
    if (!mkdtemp(root)) TEST_FAIL_("mkdtemp %s", root);
    if (alone(&ZH, zh, &err) != CB_OK || alone(&EN, en, &err) != CB_OK) TEST_FAIL_("alone: %s", err.msg);
    ASSERT(memcmp(zh[0], en[0], 32) != 0); /* two languages, two templates: two PDFs */

    cb_engine a, b;
    char *out_a = out_dir("a"), *out_b = out_dir("b");
    int rc = open_engine(&a, &ZH, out_a, &err);
    if (rc == CB_OK) rc = open_engine(&b, &EN, out_b, &err);
    if (rc != CB_OK) TEST_FAIL_("open: %s", err.msg);
    ASSERT_EQ_STR(a.lang, "zh");
    ASSERT_EQ_STR(b.lang, "en");
    ASSERT_EQ_STR(a.tpl.name, "briefing");
    ASSERT_EQ_STR(b.tpl.name, "onepager");
    for (size_t c = 0; c < 2; c++) { /* by turns: a, b, a, b */
        if (render(&a, c, ZH.set, got, &err) != CB_OK) TEST_FAIL_("zh county %zu: %s", c, err.msg);
        ASSERT(memcmp(got, zh[c], 32) == 0);
        if (render(&b, c, EN.set, got, &err) != CB_OK) TEST_FAIL_("en county %zu: %s", c, err.msg);
        ASSERT(memcmp(got, en[c], 32) == 0);
    }
    cb_engine_close(&a); /* the other keeps its plugins and caches */
    for (size_t c = 0; c < 2; c++) {
        if (render(&b, c, EN.set, got, &err) != CB_OK) TEST_FAIL_("en after close, county %zu: %s", c, err.msg);
        ASSERT(memcmp(got, en[c], 32) == 0);
    }
    cb_engine_close(&b);
    cb_engine_close(&b); /* a second close is harmless */
    /* and a new engine after both closed loads everything again */
    if (alone(&ZH, zh, &err) != CB_OK) TEST_FAIL_("reopen: %s", err.msg);
    free(out_a);
    free(out_b);
    nftw(root, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static const test_case tests[] = {
    TEST_ENTRY(two_engines_interleaved),
    {0},
};

TEST_MAIN(tests)
