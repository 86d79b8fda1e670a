/* cli_new.c: `countybrief new report NAME` (cli.h): a starter report folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "output.h"
#include "paths.h"

/* Replaces every "{{NAME}}" of text with name; malloc'd. */
static char *fill_name(const char *text, const char *name)
{
    cb_buf b = {0};
    for (const char *p = text; *p;) {
        const char *q = strstr(p, "{{NAME}}");
        if (!q) { cb_buf_add(&b, p, strlen(p)); break; }
        cb_buf_add(&b, p, (size_t)(q - p));
        cb_buf_add(&b, name, strlen(name));
        p = q + 8;
    }
    cb_buf_add(&b, "", 1);
    return b.s;
}

/* countybrief new report NAME [--dir DIR] */
int cmd_new(int argc, char **argv)
{
    const char *dir = ".", *name = NULL;
    int bad = argc < 4 || strcmp(argv[2], "report") != 0;
    for (int i = 3; !bad && i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!strncmp(argv[i], "--dir=", 6)) dir = argv[i] + 6;
        else if (argv[i][0] != '-' && !name) name = argv[i];
        else bad = 1;
    }
    if (bad || !name) {
        fprintf(stderr, "usage: countybrief new report NAME [--dir DIR]\n");
        return EXIT_USAGE;
    }
    if (!name[0] || name[0] == '.' || strchr(name, '/') || strchr(name, '\\')) {
        fprintf(stderr, "countybrief: new report: '%s' is not a usable name (no '/', no leading '.')\n", name);
        return EXIT_USAGE;
    }
    char *folder = strcmp(dir, ".") ? cb_path_join(dir, name) : cb_xstrdup(name);
    struct stat st;
    if (lstat(folder, &st) == 0) {
        fprintf(stderr, "countybrief: %s already exists: not overwriting it (pick another NAME or --dir)\n", folder);
        free(folder);
        return EXIT_USAGE;
    }
    char *scaffold = cb_path_join(cb_share_dir(), "scripts/scaffold");
    static const char *const files[][2] = {{"report.lua.in", ".lua"}, {"README.md.in", "README.md"}};
    char *text[2] = {0};
    cb_error err;
    for (int i = 0; i < 2; i++) {
        char *src = cb_path_join(scaffold, files[i][0]);
        size_t len;
        char *raw = cb_read_file(src, &len, &err);
        free(src);
        if (!raw) {
            fprintf(stderr, "countybrief: %s\n", err.msg);
            free(text[0]);
            free(scaffold);
            free(folder);
            return EXIT_SETUP;
        }
        text[i] = fill_name(raw, name);
        free(raw);
    }
    free(scaffold);
    int rc = EXIT_OK;
    if (mkdir(folder, 0777) != 0) {
        fprintf(stderr, "countybrief: %s: cannot create the folder: %s\n", folder, strerror(errno));
        rc = errno == EEXIST ? EXIT_USAGE : EXIT_OUTPUT;
    }
    for (int i = 0; i < 2 && rc == EXIT_OK; i++) {
        char *fname = i == 0 ? cb_xasprintf("%s.lua", name) : cb_xstrdup(files[i][1]);
        char *path = cb_path_join(folder, fname);
        if (cb_write_file_atomic(path, text[i], strlen(text[i]), &err) != CB_OK) {
            fprintf(stderr, "countybrief: %s\n", err.msg);
            rc = EXIT_OUTPUT;
        } else if (i == 0) {
            printf("wrote %s and %s/README.md\n", path, folder);
            printf("try it:  countybrief render --report %s --county 忠县\n", folder);
        }
        free(path);
        free(fname);
    }
    free(text[0]);
    free(text[1]);
    free(folder);
    return rc;
}
