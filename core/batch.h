/*
 * batch.h: rendering many counties: a pool of pre-forked worker processes, incremental
 * re-runs against the output folder's manifest.json, shards, progress and summary.
 *
 * The counties run in the worker pool (pool.h), forked once the engine has loaded its data,
 * font, template and plugins: a worker that crashes or passes the deadline costs one county
 * (reported with its cause) and is replaced; the batch goes on. The same error in many
 * counties is printed three times, then counted (repeats.h); the manifest has each.
 *
 * Incremental: each county's PDF is keyed by a hash of everything that goes into it (the
 * engine version, report and module scripts, template, font, plugins, shared tables and
 * the county's own rows). A county whose key and file are unchanged since any manifest of
 * its output set recorded it is skipped, whatever shard layout wrote that manifest. Each
 * output set (template and language, render.h) has its own manifests: manifest.json,
 * manifest.en.json, manifest.onepager.json..., and per shard manifest<set>.shard-K-of-N.json
 * (manifest.h).
 *
 * Before anything is rendered, counties whose PDFs would be one file (cb_output_clashes)
 * fail, each naming the others. A county that fails has its previous PDF moved aside as
 * NAME.pdf.stale (one line says so; the manifest's "stale" names it), so no briefing that
 * no longer matches the data stays under a final name.
 */
#ifndef CB_BATCH_H
#define CB_BATCH_H

#include <stddef.h>

#include "render.h"

typedef struct cb_batch_opts {
    int jobs;              /* worker processes; <= 0: the number of cores */
    int quiet;             /* no per-county lines, no progress bar */
    int force;             /* render everything, ignoring the manifest */
    double timeout_s;      /* per county; <= 0: none */
    size_t shard, nshards; /* render only counties whose shard is `shard` of `nshards` (0: all) */
    const size_t *which;   /* counties to consider (indices), or NULL for all */
    size_t nwhich;
} cb_batch_opts;

typedef struct cb_batch_summary {
    size_t rendered, skipped, failed;
    size_t stale;          /* failed counties whose previous PDF was moved aside (.stale) */
    size_t left;           /* stopped: counties of the run not rendered (nor skipped, failed) */
    int stopped;           /* the signal that stopped the run (pool.h), or 0 */
    double seconds;
} cb_batch_summary;

/* Renders the batch, writing PDFs and manifest.json into e->out_dir. Returns CB_OK when it
 * ran (county failures are counted in sum, each printed as one line on stderr), or an error
 * that stopped the batch itself (manifest unwritable, fork failed). Stopped by a signal
 * (pool.h), it ends as a normal run does: the manifest lists the counties done (a county
 * left keeps its earlier entry, if any, which the next run sees as changed), the journal
 * is removed, the killed workers' temporary files too, and sum->stopped and sum->left say
 * so (left 0: the signal came when every county was done; the run is complete). */
int cb_batch_run(cb_engine *e, const cb_batch_opts *o, cb_batch_summary *sum, cb_error *err);

/* The shard (0..nshards-1) of a county id: stable while counties come and go. */
size_t cb_shard_of(const char *county_id, size_t nshards);

#endif /* CB_BATCH_H */
