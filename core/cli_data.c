/* cli_data.c: the commands on a data folder (cli.h): list, index and synth. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dataindex.h"
#include "numfmt.h"
#include "synth.h"

int cmd_list(cb_render_opts *o)
{
    cb_engine e;
    cb_error err;
    int rc = cb_engine_open_data(&e, o, &err);
    if (rc != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        cb_engine_close(&e);
        return rc == CB_EPLUGIN || rc == CB_EUSAGE ? exit_for(rc) : EXIT_DATA;
    }
    int pcol = cb_table_col(e.ds.counties, "province");
    for (size_t i = 0; i < e.ds.ncounties; i++) {
        const cb_value *p = pcol >= 0 ? cb_table_cell(e.ds.counties, i, (size_t)pcol) : NULL;
        /* tab-separated fields, each cleaned (util.h: a tab in one shows as \t) */
        const char *f[3] = {cb_county_id(&e.ds, i), cb_county_name(&e.ds, i), p && p->type == CB_T_TEXT ? p->text : ""};
        cb_buf line = {0};
        for (int k = 0; k < 3; k++) {
            if (k) cb_buf_add(&line, "\t", 1);
            cb_buf_add_clean(&line, f[k], strlen(f[k]), SIZE_MAX);
        }
        printf("%s\n", line.s);
        cb_buf_free(&line);
    }
    cb_engine_close(&e);
    return EXIT_OK;
}

/* countybrief synth --counties N [--seed S] --out DIR */
int cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        {"counties", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},      {"quiet", no_argument, 0, 'q'},
        {0, 0, 0, 0},
    };
    unsigned long long n = 0, seed = 1;
    const char *out = NULL;
    int c;
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end = NULL;
        int bad_number = (c == 'n' || c == 's') && !(optarg[0] >= '0' && optarg[0] <= '9');
        if (c == 'n') n = strtoull(optarg, &end, 10);
        else if (c == 's') seed = strtoull(optarg, &end, 10);
        else if (c == 'o') out = optarg;
        if (c == '?' || bad_number || (end && *end)) {
            fprintf(stderr, "countybrief: synth: bad option or value '%s'\n", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (!n || n > CB_SYNTH_MAX_COUNTIES || !out || optind < argc) {
        fprintf(stderr, "usage: countybrief synth --counties N (1..%d) [--seed S] --out DIR\n",
                CB_SYNTH_MAX_COUNTIES);
        return EXIT_USAGE;
    }
    cb_error err;
    if (cb_synth_write(out, (size_t)n, (uint64_t)seed, &err) != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

/* countybrief index --data DIR [--encoding NAME] [--follow-links] [--quiet]: reads the
 * folder as a render does and writes its index, DIR/.countybrief-index (dataindex.h). */
int cmd_index(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},     {"encoding", required_argument, 0, 'e'},
        {"follow-links", no_argument, 0, 'l'},   {"quiet", no_argument, 0, 'q'},
        {0, 0, 0, 0},
    };
    cb_data_opts dopts = {.lazy = 1, .index = CB_INDEX_WRITE, .clash_candidates = cb_output_clash_candidates};
    const char *dir = NULL;
    int quiet = 0, c;
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd') dir = optarg;
        else if (c == 'e') dopts.encoding = optarg;
        else if (c == 'l') dopts.follow_links = 1;
        else if (c == 'q') quiet = 1;
        else {
            fprintf(stderr, "countybrief: index: bad option or value '%s'\n", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (!dir || optind < argc) {
        fprintf(stderr, "usage: countybrief index --data DIR [--encoding NAME] [--follow-links] [--quiet]\n");
        return EXIT_USAGE;
    }
    double t0 = cb_now_s();
    cb_dataset ds;
    cb_error err;
    int rc = cb_dataset_load_with(&ds, dir, &dopts, &err);
    char *path = cb_path_join(dir, CB_DIX_NAME), counties[32];
    if (rc != CB_OK) { /* the data (3), or the index that could not be written (5) */
        fprintf(stderr, "countybrief: %s\n", err.msg);
        int written = strncmp(err.msg, path, strlen(path)) == 0;
        free(path);
        return written ? EXIT_OUTPUT : exit_for(rc);
    }
    for (size_t i = 0; i < ds.nnotes; i++)
        if (ds.notes[i].warning || !quiet)
            fprintf(stderr, "countybrief: %s: %s\n", ds.notes[i].warning ? "warning" : "note", ds.notes[i].msg);
    size_t ntables = 0;
    for (size_t i = 0; i < ds.ntables; i++) ntables += (size_t)cb_table_on_disk(ds.tables[i]);
    struct stat st;
    cb_fmt_thousands(counties, sizeof counties, (double)ds.ncounties, 0);
    if (!quiet && stat(path, &st) == 0)
        printf("wrote %s (%s count%s, %zu table%s, %.1f %s) in %.1f s\n", path, counties,
               ds.ncounties == 1 ? "y" : "ies", ntables, ntables == 1 ? "" : "s",
               (double)st.st_size / (st.st_size < 100000 ? 1e3 : 1e6), st.st_size < 100000 ? "kB" : "MB",
               cb_now_s() - t0);
    free(path);
    cb_dataset_free(&ds);
    return EXIT_OK;
}
