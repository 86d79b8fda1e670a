/* main.c: the countybrief command line: options, their checks, and the dispatch to the
 * commands (cli.h, cli_*.c). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "countybrief/countybrief.h"
#include "cli.h"
#include "output.h"
#include "plugins.h"
#include "pool.h"


static const char USAGE[] =
    "usage: countybrief render [options]   render one PDF briefing per county\n"
    "       countybrief list [--data DIR]   list the counties of a data folder\n"
    "       countybrief check [--report R] [--data D] [--template T] [--jobs N] [--timeout SEC]\n"
    "                                       run the report for every county without writing\n"
    "                                       PDFs, each in a worker process as render does;\n"
    "                                       print every error and warning\n"
    "       countybrief new report NAME [--dir DIR]\n"
    "                                       write a starter report folder NAME/\n"
    "       countybrief plugins             list loaded (and refused) plugins\n"
    "       countybrief manifest merge DIR [--data DIR | --expect N] [--quiet]\n"
    "                                       join the manifests of DIR (every shard layout;\n"
    "                                       the newest entry per county wins) into\n"
    "                                       manifest.json and prove it complete: exit 0\n"
    "                                       only when every county of the data (--data),\n"
    "                                       N counties, or else the count the manifests\n"
    "                                       record, has its PDF and none failed; 1 when\n"
    "                                       incomplete or failed; 3 when a manifest is\n"
    "                                       corrupt, of another data set or report\n"
    "       countybrief index --data DIR [--quiet]\n"
    "                                       write DIR/.countybrief-index, the data's index:\n"
    "                                       renders then read only their counties' rows\n"
    "       countybrief synth --counties N [--seed S] --out DIR\n"
    "                                       write a synthetic data set (labelled synthetic)\n"
    "       countybrief --help | --version\n"
    "\n"
    "render options:\n"
    "  --data DIR        data folder (default: the example data), or a source a plugin\n"
    "                    reads: sqlite:FILE.db, FILE.xlsx\n"
    "  --report R        report name under scripts/, or a .lua file (default: briefing)\n"
    "  --template T      template name under templates/, or a folder (default: briefing);\n"
    "                    files are then named <county_id>-<name>.T.pdf (.T.en.pdf in English)\n"
    "  --county C        only this county, by id or name; repeatable\n"
    "  --out DIR         output folder (default: ./out)\n"
    "  --lang LANG       zh (default) or en, for a report written in both (the briefing is);\n"
    "                    files are then named <county_id>-<name>.en.pdf; a list, zh,en,\n"
    "                    renders (checks, watches) each in turn, as separate runs would\n"
    "  --format F        pdf (default), ofd (GB/T 33190, <county_id>-<name>.ofd) or both,\n"
    "                    pdf,ofd: each briefing is laid out once and written as each\n"
    "  --font PATH[:N]   the Chinese font file, TrueType or OpenType CFF (default: found\n"
    "                    by fontconfig); N: a face of a .ttc collection (default 0)\n"
    "                    for en, DejaVu Sans comes first and this font draws Chinese names\n"
    "  --plugin FILE.so  load this plugin too (repeatable); plugins in the plugin folder\n"
    "                    and in COUNTYBRIEF_PLUGIN_PATH folders load by themselves\n"
    "  --jobs N          worker processes (default: the number of cores; fewer when the\n"
    "                    open-file or process limits allow no more, which is said)\n"
    "  --force           render every county, even those unchanged since the last run\n"
    "  --timeout SEC     give up on a county after SEC seconds (default 60; 0: never;\n"
    "                    at most 604800, a week)\n"
    "  --cpu-budget SEC  stop a county's report script after SEC seconds of CPU time\n"
    "                    (default 30; 0: no budget); the same for its declarations and\n"
    "                    template.lua\n"
    "  --lua-memory MIB  memory limit of a county's report script, and again of its\n"
    "                    document laid out (default 256; 0: none)\n"
    "  --date DATE       the documents' date (a cover's, the PDF's, os.date's): YYYY-MM-DD,\n"
    "                    seconds since 1970, or today (fixed for the run); SOURCE_DATE_EPOCH\n"
    "                    wins; without either a report may date its documents (doc:date),\n"
    "                    else they show no date\n"
    "  --shard K/N       render only shard K (1..N) of N stable, disjoint shares; without it\n"
    "                    the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX\n"
    "                    (0-based: task 3 renders shard 4) and the count from --shards N\n"
    "  --shards N        the shard count when the index comes from the environment (also\n"
    "                    COUNTYBRIEF_SHARDS); needed unless the Slurm array is 0-MAX whole\n"
    "                    (then N = MAX+1); with it a re-run of one task (array 3), a\n"
    "                    sparse (3,5) or stepped (0-6:2) array renders exactly those\n"
    "                    indexes' shares\n"
    "  --quiet           print errors only\n"
    "  --watch           with --county: render, then render again whenever the report (or a\n"
    "                    module beside it), the template or the data change; Ctrl-C ends\n"
    "  --no-fsync        no fsync at all (PDFs, manifest, caches): faster on slow disks, and\n"
    "                    a crash of countybrief still leaves no partial file, but a power\n"
    "                    cut may lose the files written last or leave them empty\n"
    "  --encoding NAME   read every CSV file of the data folder in this encoding (GB18030,\n"
    "                    UTF-16, BIG5, ...; default: UTF-8, else GB18030, found per file)\n"
    "  --follow-links    read links in the data folder that lead out of it (default: such\n"
    "                    a link is skipped with a warning)\n"
    "  --pdf-standard S  write PDF/A: a-1b, a-2b, a-2u or a-3u (ISO 19005, GB/T 23286), or\n"
    "                    none (default): plain PDF; docs/standards.md says what each checks\n"
    "\n"
    "Output files are named <county_id>-<name>.pdf, e.g. out/500233-忠县.pdf; the output\n"
    "folder's manifest.json (manifest.en.json, manifest.T.json... for other languages and\n"
    "templates) lists every file with its size, pages and sha256, and lets a re-run skip\n"
    "the counties whose inputs did not change. Two counties whose files would be one (also\n"
    "ignoring case) both fail; a county that fails has its previous PDF moved aside as\n"
    "NAME.pdf.stale. A report declared with report { scope = \"all\" } runs once over every\n"
    "county (or those --county names) and writes one file, e.g. out/compare.pdf.\n"
    "\n"
    "SIGTERM or SIGINT (Ctrl-C) stops render and check: no more counties start, those under\n"
    "way finish (stopped after 5 s, or at once on a second signal), the manifest keeps the\n"
    "counties done, and the next run renders the rest.\n"
    "\n"
    "exit status: 0 all rendered; 1 some counties failed (the others were written);\n"
    "  2 usage error or unknown county; 3 data error; 4 report, template, font or\n"
    "  --plugin error; 5 output folder cannot be written; 143 (130) stopped by SIGTERM\n"
    "  (SIGINT).\n";

enum { OPT_DATA = 256, OPT_REPORT, OPT_TEMPLATE, OPT_COUNTY, OPT_OUT, OPT_FONT, OPT_QUIET, OPT_HELP,
       OPT_PLUGIN, OPT_JOBS, OPT_FORCE, OPT_TIMEOUT, OPT_SHARD, OPT_SHARDS, OPT_CPU_BUDGET, OPT_LUA_MEMORY,
       OPT_LANG, OPT_DATE, OPT_PDF_STANDARD };

static const struct option LONG_OPTS[] = {
    {"data", required_argument, 0, OPT_DATA},       {"report", required_argument, 0, OPT_REPORT},
    {"template", required_argument, 0, OPT_TEMPLATE}, {"county", required_argument, 0, OPT_COUNTY},
    {"out", required_argument, 0, OPT_OUT},         {"font", required_argument, 0, OPT_FONT},
    {"quiet", no_argument, 0, OPT_QUIET},           {"help", no_argument, 0, OPT_HELP},
    {"plugin", required_argument, 0, OPT_PLUGIN},   {"jobs", required_argument, 0, OPT_JOBS},
    {"force", no_argument, 0, OPT_FORCE},           {"timeout", required_argument, 0, OPT_TIMEOUT},
    {"shard", required_argument, 0, OPT_SHARD},     {"shards", required_argument, 0, OPT_SHARDS},
    {"cpu-budget", required_argument, 0, OPT_CPU_BUDGET}, {"lua-memory", required_argument, 0, OPT_LUA_MEMORY},
    {"lang", required_argument, 0, OPT_LANG},       {"date", required_argument, 0, OPT_DATE},
    {"no-fsync", no_argument, 0, 'F'},
    {"watch", no_argument, 0, 'W'},
    {"encoding", required_argument, 0, 'E'},
    {"follow-links", no_argument, 0, 'K'},
    {"pdf-standard", required_argument, 0, OPT_PDF_STANDARD},
    {"format", required_argument, 0, 'O'},
    {0, 0, 0, 0},
};

static int cmd_plugins(cb_render_opts *o)
{
    cb_error err;
    int rc = cb_plugins_load_all(o->plugins, o->nplugins, 1, &err);
    cb_plugins_print(stdout);
    if (rc != CB_OK) fprintf(stderr, "countybrief: %s\n", err.msg);
    cb_plugins_unload_all();
    return rc == CB_OK ? EXIT_OK : EXIT_SETUP;
}

#define MAX_SHARDS 1000000
static const num_opt NUM_OPTS[] = {
    {OPT_JOBS, "jobs", 1, 4096, 1, "a whole number of worker processes, 1 to 4096"},
    {OPT_TIMEOUT, "timeout", 0, 604800, 0, "seconds, 0 (no limit) to 604800 (a week)"},
    {OPT_SHARDS, "shards", 1, MAX_SHARDS, 1, "a whole number of shards, 1 to 1000000"},
    {OPT_CPU_BUDGET, "cpu-budget", 0, 604800, 0, "seconds, 0 (no budget) to 604800 (a week)"},
    {OPT_LUA_MEMORY, "lua-memory", 0, 1048576, 0, "MiB, 0 (no limit) to 1048576 (1 TiB)"},
};

static const num_opt *num_opt_of(int opt)
{
    for (size_t i = 0; i < sizeof NUM_OPTS / sizeof *NUM_OPTS; i++)
        if (NUM_OPTS[i].opt == opt) return &NUM_OPTS[i];
    return NULL;
}

int parse_number(const char *s, const num_opt *no, double *v)
{
    char *end;
    if (!(*s == '-' || *s == '.' || (*s >= '0' && *s <= '9')) || strpbrk(s, "xXpP")) return 0; /* no hex */
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && errno == 0 && isfinite(*v) && *v >= no->min && *v <= no->max &&
           (!no->whole || *v == floor(*v));
}

/* Parses "K/N" (1 <= K <= N) into a 0-based shard. */
static int parse_shard(const char *s, size_t *k, size_t *n)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash - s > 15) return 0;
    char first[16];
    memcpy(first, s, (size_t)(slash - s));
    first[slash - s] = '\0';
    num_opt no = {0, "", 1, MAX_SHARDS, 1, ""};
    double a, b;
    if (!parse_number(first, &no, &a) || !parse_number(slash + 1, &no, &b) || a > b) return 0;
    *k = (size_t)(a - 1);
    *n = (size_t)b;
    return 1;
}

/* A whole number min..max from the environment variable name: 1 with *v set, 0 when it is
 * unset or empty, -1 (said in one line, what it should be) when it is anything else. */
static int env_whole(const char *name, long min, long max, const char *what, long *v)
{
    const char *s = getenv(name);
    if (!s || !*s) return 0;
    num_opt no = {0, "", (double)min, (double)max, 1, what};
    double d;
    if (parse_number(s, &no, &d)) {
        *v = (long)d;
        return 1;
    }
    fprintf(stderr, "countybrief: %s=%s: expected %s\n", name, s, what);
    return -1;
}

/* The shard of a render (0-based *k of *n), the rules of --help: --shard K/N (have_shard),
 * else the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (0-based) and the count
 * from --shards N (shards), COUNTYBRIEF_SHARDS or a Slurm array 0..MAX whole. Returns 1
 * with from naming the index's variable ("SLURM_ARRAY_TASK_ID=3"; "" for --shard), 0 when
 * the run is not sharded, -1 when the shard is unknown or does not fit: one line says
 * why (never a silent "shard 1 of 1", which would render everything). */
#define INDEX "a whole number, 0 or more (a 0-based index)"
static int shard_resolve(int have_shard, size_t shards, size_t *k, size_t *n, char *from, size_t fromlen)
{
    from[0] = '\0';
    if (have_shard) {
        if (shards && shards != *n) {
            fprintf(stderr, "countybrief: --shard %zu/%zu and --shards %zu disagree on the shard count; give one of them\n",
                    *k + 1, *n, shards);
            return -1;
        }
        return 1;
    }
    long count = 0, id = 0, mn = 0, mx = 0, cnt = 0, step = 1;
    char said[64] = ""; /* where the count came from */
    int got = 0;
    if (shards) {
        count = (long)shards;
        snprintf(said, sizeof said, "--shards %ld", count);
    } else if ((got = env_whole("COUNTYBRIEF_SHARDS", 1, MAX_SHARDS, num_opt_of(OPT_SHARDS)->what, &count)) < 0) {
        return -1;
    } else if (got) {
        snprintf(said, sizeof said, "COUNTYBRIEF_SHARDS=%ld", count);
    }
    const char *var = "SLURM_ARRAY_TASK_ID";
    if ((got = env_whole(var, 0, LONG_MAX / 2, INDEX, &id)) == 0)
        got = env_whole(var = "JOB_COMPLETION_INDEX", 0, LONG_MAX / 2, INDEX, &id);
    if (got < 0) return -1;
    if (!got) {
        if (!count) return 0;
        fprintf(stderr, "countybrief: %s gives a shard count but no shard index: give --shard K/N, or run in a "
                        "Slurm array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)\n", said);
        return -1;
    }
    snprintf(from, fromlen, "%s=%ld", var, id);
    int slurm = var[0] == 'S', range = 0;
    if (slurm) { /* the array as Slurm describes it (all three, or none) */
        int a = env_whole("SLURM_ARRAY_TASK_MIN", 0, LONG_MAX / 2, INDEX, &mn);
        int b = env_whole("SLURM_ARRAY_TASK_MAX", 0, LONG_MAX / 2, INDEX, &mx);
        int c = env_whole("SLURM_ARRAY_TASK_COUNT", 1, LONG_MAX / 2, "a whole number of tasks", &cnt);
        int d = env_whole("SLURM_ARRAY_TASK_STEP", 1, LONG_MAX / 2, "a whole number of tasks", &step);
        if (a < 0 || b < 0 || c < 0 || d < 0) return -1;
        range = a && b && c && mn <= mx;
        if (!d) step = 1;
    }
    if (!count) {
        if (slurm && range && mn == 0 && cnt == mx + 1 && step == 1 && mx < MAX_SHARDS) {
            count = cnt; /* a whole array 0..MAX: one task per shard */
        } else if (slurm && range) {
            char steps[32] = "";
            if (step != 1) snprintf(steps, sizeof steps, ":%ld", step);
            fprintf(stderr, "countybrief: %s in an array of %ld task%s (%ld-%ld%s): the shard count is unknown; "
                            "give --shards N or COUNTYBRIEF_SHARDS\n", from, cnt, cnt == 1 ? "" : "s", mn, mx, steps);
            return -1;
        } else {
            fprintf(stderr, "countybrief: %s%s: the shard count is unknown; give --shards N or COUNTYBRIEF_SHARDS\n",
                    from, slurm ? " without SLURM_ARRAY_TASK_MIN, _MAX and _COUNT" : "");
            return -1;
        }
        snprintf(said, sizeof said, "the array 0-%ld", mx);
    }
    if (id >= count) {
        fprintf(stderr, "countybrief: %s is outside the %ld shard%s (%s): %s are 0-based, 0 to %ld\n", from, count,
                count == 1 ? "" : "s", said, slurm ? "task ids" : "indexes", count - 1);
        return -1;
    }
    if (slurm && range && mx >= count) { /* this task fits, but some of its array would not */
        char tasks[64];
        if (mx > count) snprintf(tasks, sizeof tasks, "tasks %ld-%ld", count, mx);
        else snprintf(tasks, sizeof tasks, "task %ld", mx);
        fprintf(stderr, "countybrief: the array's %s (SLURM_ARRAY_TASK_MAX=%ld) %s outside the %ld shard%s (%s): "
                        "task ids are 0-based, 0 to %ld\n", tasks, mx, mx > count ? "are" : "is", count,
                count == 1 ? "" : "s", said, count - 1);
        return -1;
    }
    *k = (size_t)id;
    *n = (size_t)count;
    return 1;
}

/* --lang's comma list "zh,en" into langs[0..*n) (malloc'd copies), every one a language
 * countybrief renders, none twice: NULL, or what is wrong, malloc'd (the copies freed).
 * Whether the report is written in each is checked once it is read (cli_open_lang). */
static char *parse_langs(const char *list, const char **langs, size_t *n)
{
    *n = 0;
    char *bad = NULL;
    for (const char *p = list; !bad; p++) {
        size_t len = strcspn(p, ",");
        char *one = cb_xstrndup(p, len);
        if (!len) bad = cb_xstrdup("an empty language in the list (give them as zh,en)");
        else if (!cb_lang_known(one)) bad = cb_xasprintf("%s: unknown language (countybrief renders zh and en)", one);
        for (size_t i = 0; i < *n && !bad; i++)
            if (!strcmp(langs[i], one)) bad = cb_xasprintf("%s is named twice", one);
        if (bad) free(one);
        else langs[(*n)++] = one;
        p += len;
        if (!*p) break;
    }
    if (bad) {
        for (size_t i = 0; i < *n; i++) free((char *)langs[i]);
        *n = 0;
    }
    return bad;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* `countybrief render | tee log` shows each line as it comes */
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
    if (!strcmp(cmd, "synth")) return cmd_synth(argc, argv);
    if (!strcmp(cmd, "index")) return cmd_index(argc, argv);
    if (!strcmp(cmd, "new")) return cmd_new(argc, argv);
    if (!strcmp(cmd, "manifest")) return cmd_manifest(argc, argv);
    if (strcmp(cmd, "render") && strcmp(cmd, "list") && strcmp(cmd, "plugins") && strcmp(cmd, "check")) {
        fprintf(stderr, "countybrief: unknown command '%s'\n\n%s", cmd, USAGE);
        return EXIT_USAGE;
    }
    cb_render_opts o = {0};
    char **counties = cb_xmalloc(sizeof(char *) * (size_t)argc);
    const char **plugins = cb_xmalloc(sizeof(char *) * (size_t)argc);
    size_t ncounties = 0, nplugins = 0;
    int quiet = 0, watch = 0, c;
    const char *date = NULL, *lang = NULL;
    cb_batch_opts bo = {0};
    bo.timeout_s = 60;
    size_t shards = 0;
    int have_shard = 0;
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
        case OPT_LANG: o.lang = lang = optarg; break;
        case OPT_DATE: date = optarg; break;
        case 'O': o.formats = optarg; break;
        case OPT_QUIET: quiet = 1; break;
        case OPT_PLUGIN: plugins[nplugins++] = optarg; break;
        case OPT_FORCE: bo.force = 1; break;
        case OPT_JOBS:
        case OPT_TIMEOUT:
        case OPT_SHARDS:
        case OPT_CPU_BUDGET:
        case OPT_LUA_MEMORY: {
            const num_opt *no = num_opt_of(c);
            double v;
            if (!parse_number(optarg, no, &v)) {
                fprintf(stderr, "countybrief: --%s %s: expected %s\n", no->name, optarg, no->what);
                free(counties);
                free(plugins);
                return EXIT_USAGE;
            }
            if (c == OPT_JOBS) bo.jobs = (int)v;
            else if (c == OPT_TIMEOUT) bo.timeout_s = v;
            else if (c == OPT_SHARDS) shards = (size_t)v;
            else if (c == OPT_CPU_BUDGET) o.lua_limits.cpu_budget_s = v > 0 ? v : -1; /* 0: no limit */
            else o.lua_limits.memory_mib = v > 0 ? v : -1;
            break;
        }
        case OPT_SHARD:
            if (!parse_shard(optarg, &bo.shard, &bo.nshards)) {
                fprintf(stderr, "countybrief: --shard %s: expected K/N with 1 <= K <= N\n", optarg);
                free(counties);
                free(plugins);
                return EXIT_USAGE;
            }
            have_shard = 1;
            break;
        case 'F': cb_output_set_fsync(0); break; /* --no-fsync */
        case 'W': watch = 1; break;
        case 'E': o.encoding = optarg; break;
        case 'K': o.follow_links = 1; break;
        case OPT_PDF_STANDARD: {
            int s = cb_pdf_standard_parse(optarg);
            if (s < 0) {
                fprintf(stderr, "countybrief: --pdf-standard %s: expected " CB_PDF_STANDARD_NAMES "\n", optarg);
                free(counties);
                free(plugins);
                return EXIT_USAGE;
            }
            o.pdf_standard = (cb_pdf_standard)s;
            break;
        }
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
    cli_ask ask = {counties, ncounties, NULL, 0};
    const char **langs = NULL;
    if (lang && strchr(lang, ',') && (!strcmp(cmd, "render") || !strcmp(cmd, "check"))) {
        langs = cb_xmalloc((strlen(lang) / 2 + 1) * sizeof *langs);
        char *bad = parse_langs(lang, langs, &ask.nlangs);
        if (bad) {
            fprintf(stderr, "countybrief: --lang %s: %s\n", lang, bad);
            free(bad);
            free(langs);
            free(counties);
            free(plugins);
            return EXIT_USAGE;
        }
        ask.langs = langs;
        o.lang = langs[0];
    }
    o.plugins = plugins;
    o.nplugins = nplugins;
    o.quiet = quiet;
    bo.quiet = quiet;
    char shard_from[64] = "";
    if (!strcmp(cmd, "render") && shard_resolve(have_shard, shards, &bo.shard, &bo.nshards, shard_from, sizeof shard_from) < 0) {
        free(counties);
        free(plugins);
        return EXIT_USAGE;
    }
    /* the run's date, resolved once here, before any worker forks or --watch renders again:
     * every county of the run shows the same day, even past midnight (clock.h) */
    cb_clock clock = {0};
    cb_error cerr;
    if (!strcmp(cmd, "render") || !strcmp(cmd, "check")) {
        if (cb_clock_resolve(&clock, date, &cerr) != CB_OK) {
            fprintf(stderr, "countybrief: %s\n", cerr.msg);
            free(counties);
            free(plugins);
            return EXIT_USAGE;
        }
        o.clock = &clock;
    }
    if (!strcmp(cmd, "render") || !strcmp(cmd, "check")) cb_pool_catch_stop(); /* a stop flushes the manifest (pool.h) */
    int rc = !strcmp(cmd, "list")      ? cmd_list(&o)
             : !strcmp(cmd, "plugins") ? cmd_plugins(&o)
             : !strcmp(cmd, "check")   ? cmd_check(&o, &ask, &bo)
             : watch                   ? cmd_watch(&o, &ask, &bo)
                                       : cmd_render(&o, &ask, &bo, shard_from);
    if (langs)
        for (size_t i = 0; i < ask.nlangs; i++) free((char *)langs[i]);
    free(langs);
    free(counties);
    free(plugins);
    return rc;
}
