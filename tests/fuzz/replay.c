/*
 * replay.c: a libFuzzer harness as a plain program, for the normal build (any compiler, no
 * libFuzzer). Linked with one fuzz_*.c, it runs LLVMFuzzerTestOneInput once on every file
 * named on the command line and on every file of every folder named there (in name order),
 * the way `harness -runs=0 FOLDER...` does. ctest runs it as fuzz.NAME over the harness's
 * seeds (corpus/) and saved regression inputs (regressions/).
 *
 * A broken invariant abort()s inside the harness, as under libFuzzer: the test fails with
 * the "invariant ... failed" line. A file that cannot be read, or no input at all, is a
 * failure too (exit 1): a replay that ran nothing must not pass. Exit 0: every input ran.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Only some harnesses have one (fuzz_document: the font and the template, once). */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs the harness on the file at path; 0, or -1 (said on stderr) when it cannot be read. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = cb_xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) buf = cb_xrealloc(buf, cap *= 2);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: read error\n", path);
        free(buf);
        return -1;
    }
    /* an exact-size copy, so that ASan sees a read past the input's end */
    uint8_t *input = cb_xmalloc(len ? len : 1);
    memcpy(input, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(input, len);
    free(input);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of the folder (not below), in name order, but for dot files
 * (.gitkeep). Adds to *count; -1 when the folder or one of its files cannot be read. */
static int run_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) names = cb_xrealloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
        names[n++] = cb_xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]) == 0) (*count)++;
            else rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    int count = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            int before = count;
            if (run_dir(argv[i], &count) != 0) rc = 1;
            printf("%s: %d inputs\n", argv[i], count - before);
        } else if (run_file(argv[i]) == 0) {
            count++;
        } else {
            rc = 1;
        }
    }
    if (count == 0) {
        fprintf(stderr, "%s: no input to run\n", argv[0]);
        return 1;
    }
    printf("%d inputs ran, every invariant held\n", count);
    return rc;
}
