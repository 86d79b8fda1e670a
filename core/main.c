/* main.c: the countybrief command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "countybrief/countybrief.h"
#include "plugins.h"
#include "render.h"

/* Exit codes; documented in --help and the README. */
enum {
    EXIT_OK = 0,
    EXIT_SOME_FAILED = 1, /* at least one county failed; the others were written */
    EXIT_USAGE = 2,       /* bad option or argument, unknown county */
    EXIT_DATA = 3,        /* data folder missing or a CSV file is wrong */
    EXIT_SETUP = 4,       /* report, template or font missing or broken */
    EXIT_OUTPUT = 5,      /* the output folder cannot be created or written */
};

static const char USAGE[] =
    "usage: countybrief render [options]   render one PDF briefing per county\n"
    "       countybrief list [--data DIR]   list the counties of a data folder\n"
    "       countybrief plugins             list loaded (and refused) plugins\n"
    "       countybrief --help | --version\n"
    "\n"
    "render options:\n"
    "  --data DIR        data folder (default: the example data), or a source a plugin\n"
    "                    reads: sqlite:FILE.db, FILE.xlsx\n"
    "  --report R        report name under scripts/, or a .lua file (default: briefing)\n"
    "  --template T      template name under templates/, or a folder (default: briefing)\n"
    "  --county C        only this county, by id or name; repeatable\n"
    "  --out DIR         output folder (default: ./out)\n"
    "  --font PATH       TrueType font file (default: a Chinese font found by fontconfig)\n"
    "  --plugin FILE.so  load this plugin too (repeatable); plugins in the plugin folder\n"
    "                    and in COUNTYBRIEF_PLUGIN_PATH folders load by themselves\n"
    "  --quiet           print errors only\n"
    "\n"
    "Output files are named <county_id>-<name>.pdf, e.g. out/500233-忠县.pdf.\n"
    "\n"
    "exit status: 0 all rendered; 1 some counties failed (the others were written);\n"
    "  2 usage error or unknown county; 3 data error; 4 report, template, font or\n"
    "  --plugin error; 5 output folder cannot be written.\n";

static int exit_for(int code)
{
    switch (code) {
    case CB_EDATA: return EXIT_DATA;
    case CB_EIO: return EXIT_DATA;
    case CB_ESCRIPT: case CB_EFONT: case CB_ETEMPLATE: case CB_ENOTFOUND: case CB_EPLUGIN:
        return EXIT_SETUP;
    default: return EXIT_SOME_FAILED;
    }
}

enum { OPT_DATA = 256, OPT_REPORT, OPT_TEMPLATE, OPT_COUNTY, OPT_OUT, OPT_FONT, OPT_QUIET, OPT_HELP,
       OPT_PLUGIN };

static const struct option LONG_OPTS[] = {
    {"data", required_argument, 0, OPT_DATA},       {"report", required_argument, 0, OPT_REPORT},
    {"template", required_argument, 0, OPT_TEMPLATE}, {"county", required_argument, 0, OPT_COUNTY},
    {"out", required_argument, 0, OPT_OUT},         {"font", required_argument, 0, OPT_FONT},
    {"quiet", no_argument, 0, OPT_QUIET},           {"help", no_argument, 0, OPT_HELP},
    {"plugin", required_argument, 0, OPT_PLUGIN},
    {0, 0, 0, 0},
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_plugins(cb_render_opts *o)
{
    cb_error err;
    int rc = cb_plugins_load_all(o->plugins, o->nplugins, 1, &err);
    cb_plugins_print(stdout);
    if (rc != CB_OK) fprintf(stderr, "countybrief: %s\n", err.msg);
    cb_plugins_unload_all();
    return rc == CB_OK ? EXIT_OK : EXIT_SETUP;
}

static int cmd_list(cb_render_opts *o)
{
    cb_engine e;
    cb_error err;
    int rc = cb_engine_open_data(&e, o, &err);
    if (rc != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        cb_engine_close(&e);
        return rc == CB_EPLUGIN ? EXIT_SETUP : EXIT_DATA;
    }
    int pcol = cb_table_col(e.ds.counties, "province");
    for (size_t i = 0; i < e.ds.ncounties; i++) {
        const cb_value *p = pcol >= 0 ? cb_table_cell(e.ds.counties, i, (size_t)pcol) : NULL;
        printf("%s\t%s\t%s\n", cb_county_id(&e.ds, i), cb_county_name(&e.ds, i),
               p && p->type == CB_T_TEXT ? p->text : "");
    }
    cb_engine_close(&e);
    return EXIT_OK;
}

static int cmd_render(cb_render_opts *o, char **counties, size_t ncounties, int quiet)
{
    cb_engine e;
    cb_error err;
    int rc = cb_engine_open(&e, o, &err);
    if (rc != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        int code = exit_for(rc);
        cb_engine_close(&e);
        return code;
    }
    /* which counties: all, or those named (each checked before anything is written) */
    size_t n = ncounties ? ncounties : e.ds.ncounties;
    size_t *which = cb_xmalloc((n ? n : 1) * sizeof *which);
    for (size_t i = 0; i < n; i++) {
        if (!ncounties) {
            which[i] = i;
            continue;
        }
        long k = cb_dataset_find_county(&e.ds, counties[i]);
        if (k < 0) {
            fprintf(stderr, "countybrief: %s: no such county in %s/counties.csv (try `countybrief list`)\n",
                    counties[i], e.data_dir);
            free(which);
            cb_engine_close(&e);
            return EXIT_USAGE;
        }
        which[i] = (size_t)k;
    }
    if ((rc = cb_engine_prepare_output(&e, &err)) != CB_OK) {
        fprintf(stderr, "countybrief: %s\n", err.msg);
        free(which);
        cb_engine_close(&e);
        return EXIT_OUTPUT;
    }
    double t0 = now_s();
    size_t ok = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        cb_render_result res;
        if (cb_render_county(&e, which[i], &res, &err) != CB_OK) {
            fprintf(stderr, "countybrief: %s\n", err.msg);
            failed++;
            continue;
        }
        ok++;
        if (!quiet)
            printf("wrote %s (%zu page%s, %.1f KB, %.0f ms)\n", res.path, res.pages,
                   res.pages == 1 ? "" : "s", res.bytes / 1024.0, res.ms);
        free(res.path);
    }
    double dt = now_s() - t0;
    if (!quiet || failed)
        fprintf(failed ? stderr : stdout, "%zu rendered, %zu failed in %.2f s (%.1f per second)\n", ok,
                failed, dt, dt > 0 ? ok / dt : 0.0);
    free(which);
    cb_engine_close(&e);
    return failed ? EXIT_SOME_FAILED : EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("countybrief %s\n", CB_VERSION_STRING);
        return EXIT_OK;
    }
    if (strcmp(cmd, "render") && strcmp(cmd, "list") && strcmp(cmd, "plugins")) {
        fprintf(stderr, "countybrief: unknown command '%s'\n\n%s", cmd, USAGE);
        return EXIT_USAGE;
    }
    cb_render_opts o = {0};
    char **counties = cb_xmalloc(sizeof(char *) * (size_t)argc);
    const char **plugins = cb_xmalloc(sizeof(char *) * (size_t)argc);
    size_t ncounties = 0, nplugins = 0;
    int quiet = 0, c;
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", LONG_OPTS, NULL)) != -1) {
        switch (c) {
        case OPT_DATA: o.data_dir = optarg; break;
        case OPT_REPORT: o.report = optarg; break;
        case OPT_TEMPLATE: o.template_name = optarg; break;
        case OPT_COUNTY: counties[ncounties++] = optarg; break;
        case OPT_OUT: o.out_dir = optarg; break;
        case OPT_FONT: o.font_path = optarg; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_PLUGIN: plugins[nplugins++] = optarg; break;
        case OPT_HELP: fputs(USAGE, stdout); free(counties); free(plugins); return EXIT_OK;
        default:
            fprintf(stderr, "countybrief: %s: unknown option or missing argument\n", argv[optind - 1]);
            free(counties);
            free(plugins);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "countybrief: unexpected argument '%s'\n", argv[optind]);
        free(counties);
        free(plugins);
        return EXIT_USAGE;
    }
    o.plugins = plugins;
    o.nplugins = nplugins;
    o.quiet = quiet;
    int rc = !strcmp(cmd, "list")      ? cmd_list(&o)
             : !strcmp(cmd, "plugins") ? cmd_plugins(&o)
                                       : cmd_render(&o, counties, ncounties, quiet);
    free(counties);
    free(plugins);
    return rc;
}
