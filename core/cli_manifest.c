/* cli_manifest.c: `countybrief manifest merge` (cli.h, manifest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "manifest.h"

#define MERGE_USAGE "usage: countybrief manifest merge DIR [--data DIR | --expect N] [--quiet]\n"

/* `countybrief manifest merge DIR [--data DIR | --expect N] [--quiet]` (manifest.h). */
int cmd_manifest(int argc, char **argv)
{
    const char *dir = NULL, *data = NULL, *expect = NULL;
    int quiet = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else if (!strcmp(argv[i], "--data") && i + 1 < argc && !data) data = argv[++i];
        else if (!strcmp(argv[i], "--expect") && i + 1 < argc && !expect) expect = argv[++i];
        else if (argv[i][0] != '-' && !dir) dir = argv[i];
        else {
            fprintf(stderr, "countybrief: manifest merge: unexpected '%s'\n" MERGE_USAGE, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (argc < 3 || strcmp(argv[2], "merge") != 0 || !dir || (data && expect)) {
        fputs(MERGE_USAGE, stderr);
        return EXIT_USAGE;
    }
    cb_merge_opts mo = {.quiet = quiet};
    num_opt eo = {0, "expect", 1, 1e9, 1, ""};
    double n = 0;
    if (expect && !parse_number(expect, &eo, &n)) {
        fprintf(stderr, "countybrief: --expect %s: expected a whole number of counties, 1 to 1000000000\n", expect);
        return EXIT_USAGE;
    }
    mo.expect = (size_t)n;
    cb_engine e;
    if (data) { /* its counties only: the tables stay on disk (data.h) */
        cb_render_opts o = {.data_dir = data, .quiet = 1};
        cb_error err;
        int rc = cb_engine_open_data(&e, &o, &err);
        if (rc != CB_OK) {
            fprintf(stderr, "countybrief: %s\n", err.msg);
            cb_engine_close(&e);
            return rc == CB_EPLUGIN || rc == CB_EUSAGE ? exit_for(rc) : EXIT_DATA;
        }
        mo.nids = e.ds.ncounties;
        mo.ids = cb_xmalloc((mo.nids ? mo.nids : 1) * sizeof *mo.ids);
        for (size_t i = 0; i < mo.nids; i++) mo.ids[i] = cb_county_id(&e.ds, i);
        mo.have_ids = 1;
    }
    int rc = cb_manifest_merge(dir, &mo);
    if (data) {
        free(mo.ids);
        cb_engine_close(&e);
    }
    return rc;
}
