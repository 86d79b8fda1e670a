/* render.c: see render.h. */
#include "render.h"

#include <errno.h>
#include <lauxlib.h>
#include <nettle/sha2.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "doc.h"
#include "layout.h"
#include "output.h"
#include "paths.h"
#include "pdf.h"
#include "plugins.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cb_engine_open_data(cb_engine *e, const cb_render_opts *o, cb_error *err)
{
    memset(e, 0, sizeof *e);
    e->share = cb_share_dir();
    int rc = cb_plugins_load_all(o->plugins, o->nplugins, o->quiet, err);
    if (rc != CB_OK) return rc;
    e->data_dir = o->data_dir ? cb_xstrdup(o->data_dir) : cb_path_join(e->share, "examples/data");
    const char *location = NULL;
    const cb_source_type *src = cb_is_dir(e->data_dir) ? NULL : cb_plugins_source(e->data_dir, &location);
    if (src) return cb_plugins_load_dataset(src, location, e->data_dir, &e->ds, err);
    rc = cb_dataset_load(&e->ds, e->data_dir, err);
    if (rc != CB_OK && !cb_is_dir(e->data_dir) && *cb_plugins_refusal_summary())
        return cb_fail(err, rc, "%s%s", err->msg, cb_plugins_refusal_summary());
    return rc;
}

/* Resolves --report: a .lua file (or any path with '/'), else scripts/NAME.lua. */
static int resolve_report(cb_engine *e, const char *report, cb_error *err)
{
    e->scripts_dir = cb_path_join(e->share, "scripts");
    if (ends_with(report, ".lua") || strchr(report, '/')) {
        if (!cb_is_file(report)) return cb_fail(err, CB_ENOTFOUND, "%s: no such report script", report);
        e->report_path = cb_xstrdup(report);
        e->report_name = cb_xstrdup(report);
    } else {
        char *file = cb_xasprintf("%s.lua", report);
        e->report_path = cb_path_join(e->scripts_dir, file);
        free(file);
        if (!cb_is_file(e->report_path))
            return cb_fail(err, CB_ENOTFOUND, "%s: no such report (looked for %s)", report, e->report_path);
        e->report_name = cb_xasprintf("scripts/%s.lua", report);
    }
    const char *slash = strrchr(e->report_path, '/');
    e->report_dir = slash ? cb_xstrndup(e->report_path, (size_t)(slash - e->report_path)) : cb_xstrdup(".");
    /* a syntax error is the same for every county: report it once, up front */
    lua_State *L = luaL_newstate();
    if (!L) return cb_fail(err, CB_ENOMEM, "%s: cannot create a Lua state", e->report_name);
    cb_error rerr;
    size_t len;
    char *text = cb_read_file(e->report_path, &len, &rerr);
    int rc = CB_OK;
    if (!text) rc = cb_fail(err, CB_ENOTFOUND, "%s", rerr.msg);
    else {
        char *chunk = cb_xasprintf("@%s", e->report_name);
        const char *body = text;
        if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { body += 3; len -= 3; }
        if (luaL_loadbufferx(L, body, len, chunk, "t") != LUA_OK)
            rc = cb_fail(err, CB_ESCRIPT, "%s", lua_tostring(L, -1));
        free(chunk);
        free(text);
    }
    lua_close(L);
    e->src = (cb_report_src){e->report_path, e->report_name, e->report_dir, e->scripts_dir, e->share, {0, 0}};
    return rc;
}

int cb_engine_open(cb_engine *e, const cb_render_opts *o, cb_error *err)
{
    int rc = cb_engine_open_data(e, o, err);
    if (rc != CB_OK) return rc;
    e->out_dir = cb_xstrdup(o->out_dir ? o->out_dir : "out");
    if ((rc = resolve_report(e, o->report ? o->report : "briefing", err)) != CB_OK) return rc;
    e->src.limits = o->lua_limits;
    /* what the report needs from the data, checked before any county runs */
    if ((rc = cb_lua_report_needs(&e->src, &e->ds, &e->needs, err)) != CB_OK) return rc;
    if (!o->keep_needs) {
        size_t n = cb_check_needs(&e->needs, &e->ds, e->report_name, stderr, "countybrief: ");
        if (n)
            return cb_fail(err, CB_EDATA, "%zu problem%s with the data in %s for report %s (above)", n,
                           n == 1 ? "" : "s", e->data_dir, e->report_name);
    }
    if ((rc = cb_template_load(&e->tpl, o->template_name ? o->template_name : "briefing", e->share, err)) != CB_OK)
        return rc;
    if (o->font_path) return cb_font_open(&e->font, o->font_path, 0, err);
    char *path = NULL;
    int index = 0;
    if ((rc = cb_font_find(e->tpl.font_family, &path, &index, err)) != CB_OK) return rc;
    rc = cb_font_open(&e->font, path, index, err);
    free(path);
    return rc;
}

void cb_engine_close(cb_engine *e)
{
    cb_dataset_free(&e->ds);
    cb_needs_free(&e->needs);
    if (e->tpl.footer || e->tpl.name) cb_template_free(&e->tpl);
    cb_font_close(e->font);
    free(e->data_dir);
    free(e->out_dir);
    free(e->report_path);
    free(e->report_name);
    free(e->report_dir);
    free(e->scripts_dir);
    memset(e, 0, sizeof *e);
    cb_plugins_unload_all();
}

int cb_engine_prepare_output(cb_engine *e, cb_error *err)
{
    /* mkdir -p */
    char *p = cb_xstrdup(e->out_dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int rc = cb_fail(err, CB_EIO, "%s: cannot create output folder: %s", p, strerror(errno));
            free(p);
            return rc;
        }
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        int rc = cb_fail(err, CB_EIO, "%s: cannot create output folder: %s", p, strerror(errno));
        free(p);
        return rc;
    }
    free(p);
    if (!cb_is_dir(e->out_dir))
        return cb_fail(err, CB_EIO, "%s: output path exists and is not a folder", e->out_dir);
    if (access(e->out_dir, W_OK) != 0)
        return cb_fail(err, CB_EIO, "%s: output folder cannot be written: %s", e->out_dir, strerror(errno));
    return CB_OK;
}

char *cb_output_name(const char *id, const char *name)
{
    char *s = cb_xasprintf("%s-%s.pdf", id, name);
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p == '/' || *p == '\\' || *p < 0x20 || *p == 0x7F || *p == ':' || *p == '*' ||
            *p == '?' || *p == '"' || *p == '<' || *p == '>' || *p == '|')
            *p = '_';
    if (s[0] == '.') s[0] = '_';
    return s;
}

int cb_render_county(cb_engine *e, size_t county, cb_render_result *res, cb_error *err)
{
    double t0 = now_ms();
    memset(res, 0, sizeof *res);
    const char *id = cb_county_id(&e->ds, county), *name = cb_county_name(&e->ds, county);
    cb_doc doc;
    cb_doc_init(&doc);
    cb_layout lay = {0};
    cb_buf pdf = {0};
    cb_error inner;
    int rc = cb_lua_run_report(&e->src, &e->ds, county, &doc, &inner);
    if (rc == CB_OK && doc.nblocks == 0)
        rc = cb_fail(&inner, CB_ESCRIPT, "%s: the report added nothing to the document", e->report_name);
    if (rc == CB_OK) rc = cb_layout_run(&lay, &doc, &e->tpl, e->font, &inner);
    if (rc == CB_OK) cb_layout_trace_missing(&lay, &e->ds, county); /* name the data cell */
    if (rc == CB_OK)
        for (size_t i = 0; i < lay.nwarnings; i++)
            fprintf(stderr, "countybrief: warning: %s %s: %s\n", id, name, lay.warnings[i]);
    if (rc == CB_OK) rc = cb_pdf_render(&lay, &doc, e->font, &pdf, &inner);
    if (rc == CB_OK) {
        char *file = cb_output_name(id, name);
        res->path = cb_path_join(e->out_dir, file);
        free(file);
        rc = cb_write_file_atomic(res->path, pdf.s, pdf.len, &inner);
        struct sha256_ctx sha;
        sha256_init(&sha);
        sha256_update(&sha, pdf.len, (const uint8_t *)pdf.s);
        sha256_digest(&sha, sizeof res->sha256, res->sha256);
    }
    if (rc != CB_OK) {
        cb_fail(err, rc, "%s %s: %s", id, name, inner.msg);
        free(res->path);
        res->path = NULL;
    } else {
        res->pages = lay.npages;
        res->bytes = pdf.len;
    }
    cb_buf_free(&pdf);
    cb_layout_free(&lay);
    cb_doc_free(&doc);
    res->ms = now_ms() - t0;
    return rc;
}

int cb_check_county(cb_engine *e, size_t county, char ***warnings, size_t *nwarnings,
                    cb_error *err)
{
    const char *id = cb_county_id(&e->ds, county), *name = cb_county_name(&e->ds, county);
    cb_doc doc;
    cb_doc_init(&doc);
    cb_layout lay = {0};
    cb_error inner;
    int rc = cb_lua_run_report(&e->src, &e->ds, county, &doc, &inner);
    if (rc == CB_OK && doc.nblocks == 0)
        rc = cb_fail(&inner, CB_ESCRIPT, "%s: the report added nothing to the document", e->report_name);
    if (rc == CB_OK) rc = cb_layout_run(&lay, &doc, &e->tpl, e->font, &inner);
    if (rc == CB_OK) {
        cb_layout_trace_missing(&lay, &e->ds, county);
        for (size_t i = 0; i < lay.nwarnings; i++) {
            *warnings = cb_xrealloc(*warnings, (*nwarnings + 1) * sizeof **warnings);
            (*warnings)[(*nwarnings)++] = cb_xstrdup(lay.warnings[i]);
        }
        cb_check_table_overflow(&doc, &e->tpl, e->font, warnings, nwarnings);
    }
    if (rc != CB_OK) cb_fail(err, rc, "%s %s: %s", id, name, inner.msg);
    cb_layout_free(&lay);
    cb_doc_free(&doc);
    return rc;
}
