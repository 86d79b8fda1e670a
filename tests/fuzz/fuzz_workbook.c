/*
 * fuzz_workbook: the spreadsheet readers of the xlsx plugin (plugins/xlsx: .xlsx, .ods,
 * .xls) with their memory budget, through the host's real sink and dataset builder.
 *
 * The first byte picks the reader and the input's form:
 *   byte & 3    0 .xlsx, 1 .ods, 2 .xls (3 is .xlsx too);
 *   byte & 4    for .xlsx and .ods: the rest is zip entries "NAME\0CONTENT\0NAME\0...",
 *               put into a zip (stored, so the fuzzer sees the XML) by libzip; else the
 *               rest is the file as it is (a real workbook; .xls always is).
 * The file is written to a scratch folder (on /dev/shm when there is one) and loaded as
 * `countybrief --data FILE` would load it.
 *
 * Checked (names for CB_FUZZ_IGNORE in brackets):
 *  [message]  a failed load has a code and one line that names the file first;
 *  [budget]   a loaded dataset has no table over 1,024 columns, and its cells (rows times
 *             columns) and text stay within the budget of plugins/source_budget.h.
 * The readers' own crashes, leaks and undefined behaviour are what ASan and UBSan find.
 * The .xls reader runs libfreexl (not instrumented) in a child process; what ASan finds
 * there is FreeXL's, and what the harness checks is that the parent stays whole and says
 * so in one line. So the child forgets libFuzzer's death callback: its reports are printed
 * but saved as no crash.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <pthread.h>
#ifndef CB_FUZZ_REPLAY /* under libFuzzer; replay.c has no death callback */
#include <sanitizer/common_interface_defs.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "data.h"
#include "fuzz_common.h"
#include "plugins.h"
#include "../../plugins/source_budget.h"

int cb_plugin_init(cb_plugin *self, const cb_host_api *api, char **err); /* the plugin's */

static const cb_source_type *sources[3]; /* xlsx, ods, xls */

static int capture(cb_plugin *self, const cb_source_type *t)
{
    (void)self;
    int k = strcmp(t->name, "xlsx") == 0 ? 0 : strcmp(t->name, "ods") == 0 ? 1 : 2;
    sources[k] = t;
    return CB_OK;
}

static char *scratch;

static void cleanup(void)
{
    if (!scratch) return;
    static const char *const names[] = {"/in.xlsx", "/in.ods", "/in.xls"};
    for (int i = 0; i < 3; i++) {
        char *p = cb_xasprintf("%s%s", scratch, names[i]);
        unlink(p);
        free(p);
    }
    rmdir(scratch);
}

#ifndef CB_FUZZ_REPLAY
static void forget_death_callback(void) { __sanitizer_set_death_callback(NULL); }
#endif

static void init(void)
{
    static int done;
    if (done) return;
    done = 1;
    cb_host_api api = *cb_host_api_get();
    api.register_source = capture;
    char *err = NULL;
    if (cb_plugin_init(NULL, &api, &err) != CB_OK) abort();
    const char *base = cb_is_dir("/dev/shm") ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *tmpl = cb_xasprintf("%s/cb-fuzz-workbook.XXXXXX", base);
    if (!mkdtemp(tmpl)) abort();
    scratch = tmpl;
    atexit(cleanup);
#ifndef CB_FUZZ_REPLAY
    pthread_atfork(NULL, NULL, forget_death_callback);
#endif
}

/* The entries form: NAME\0CONTENT\0... into a stored zip at path. */
static int write_zip(const char *path, const uint8_t *data, size_t size)
{
    int code;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!z) return 0;
    size_t pos = 0;
    while (pos < size) {
        const uint8_t *name = data + pos, *nul = memchr(name, 0, size - pos);
        if (!nul) break;
        const uint8_t *content = nul + 1, *end = memchr(content, 0, size - (size_t)(content - data));
        size_t clen = end ? (size_t)(end - content) : size - (size_t)(content - data);
        zip_source_t *src = zip_source_buffer(z, content, clen, 0);
        zip_int64_t idx = src ? zip_file_add(z, (const char *)name, src, ZIP_FL_OVERWRITE) : -1;
        if (idx < 0) zip_source_free(src);
        else zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
        pos = end ? (size_t)(end - data) + 1 : size;
    }
    return zip_close(z) == 0 || (zip_discard(z), 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    init();
    int kind = data[0] & 3, entries = data[0] & 4;
    if (kind == 3) kind = 0;
    static const char *const names[] = {"/in.xlsx", "/in.ods", "/in.xls"};
    char *path = cb_xasprintf("%s%s", scratch, names[kind]);
    int written;
    if (entries && kind != 2) {
        written = write_zip(path, data + 1, size - 1);
    } else {
        FILE *f = fopen(path, "wb");
        written = f && fwrite(data + 1, 1, size - 1, f) == size - 1;
        if (f && fclose(f) != 0) written = 0;
    }
    if (!written || !sources[kind]) {
        free(path);
        return 0;
    }

    cb_dataset ds;
    memset(&ds, 0, sizeof ds);
    cb_error err = {0};
    int rc = cb_plugins_load_dataset(sources[kind], path, path, &ds, &err);
    if (rc != CB_OK) {
        CHECK("message", err.code != CB_OK && strncmp(err.msg, path, strlen(path)) == 0 &&
                             !strchr(err.msg, '\n'),
              "code %d, message \"%s\"", err.code, err.msg);
    } else {
        uint64_t cells = 0, text = 0;
        for (size_t t = 0; t < ds.ntables; t++) {
            const cb_table *tb = ds.tables[t];
            CHECK("budget", tb->ncols <= CB_SOURCE_MAX_COLS, "table %s: %zu columns", tb->name,
                  tb->ncols);
            cells += (uint64_t)tb->nrows * tb->ncols;
            for (size_t i = 0; i < tb->nrows * tb->ncols; i++)
                if (tb->cells[i].type == CB_T_TEXT) text += strlen(tb->cells[i].text);
        }
        /* the builder may turn a number into its text: a little more than the budget */
        CHECK("budget", cells <= CB_SOURCE_CELL_BUDGET && text <= CB_SOURCE_TEXT_BUDGET + 32 * cells,
              "%llu cells, %llu bytes of text", (unsigned long long)cells, (unsigned long long)text);
        cb_dataset_free(&ds);
    }
    free(path);
    return 0;
}
