/*
 * manifest.h: the manifests of an output folder (batch.h) as files: their names, reading
 * them back, the data's county digest, and `countybrief manifest merge`.
 *
 * Each output set (render.h: "", ".en", ".onepager.en"...) keeps manifest<set>.json (an
 * unsharded run, or a merge) and one manifest<set>.shard-K-of-N.json per shard, of any
 * layout N; each has a journal, .NAME.journal, while its run is under way. A manifest
 * records the data it was rendered from ("counties_total", "counties_digest"), its shard
 * ("shard", "shards") and a "generation" (cb_manifest_next_generation). Each county entry
 * has the generation of the run that last rendered or checked it, so across manifests of
 * any layout the county's entry with the highest generation is its newest.
 */
#ifndef CB_MANIFEST_H
#define CB_MANIFEST_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* What countybrief reads back of its own in the output folder (manifests, journals): a
 * regular file up to this size, never through a link (output.h). */
#define CB_MANIFEST_MAX ((size_t)256 << 20)

typedef struct cb_manifest_name {
    char *name;           /* the file's name in the folder */
    char *set;            /* its output set: "", ".en", ".onepager.en"... */
    size_t shard, shards; /* shard K of N (1-based); 0 of 0: manifest<set>.json */
    int journal;          /* 1: .NAME.journal, the journal of manifest NAME */
} cb_manifest_name;

/* Parses a file name of the output folder into *out (malloc'd fields); 0 if it is no
 * manifest or journal of ours. */
int cb_manifest_parse_name(const char *name, cb_manifest_name *out);

/* The manifests of dir (and their journals when journals) of output set `set` (NULL: of
 * every set), sorted by set, then manifest<set>.json first, then by layout and shard;
 * *n of them, NULL when none (or dir cannot be read). */
cb_manifest_name *cb_manifest_list(const char *dir, const char *set, int journals, size_t *n);
void cb_manifest_list_free(cb_manifest_name *l, size_t n);

/* The manifest at path, parsed: NULL with err (CB_EDATA; CB_ENOTFOUND when there is no
 * file) naming path and what is wrong: unreadable, a link, too large, not JSON (jansson's
 * line and column), or not a manifest (no "counties" list). */
json_t *cb_manifest_load(const char *path, cb_error *err);

/* A manifest's (or an entry's) "generation"; 0 if it has none (an older countybrief). */
long long cb_manifest_generation(const json_t *m);

/* A run's generation: the time in milliseconds since 1970, or one more than the highest
 * generation seen in the manifests it read if that is later. A run reads other layouts'
 * manifests only when its own leaves counties unknown, so the clock orders it after them
 * (the clocks of a cluster's nodes agree far better than the time between two runs), and
 * what it read orders it after those whatever the clock says. */
long long cb_manifest_next_generation(long long seen);

/* Sets m's "generation" and "finished" (now, UTC, ISO 8601). */
void cb_manifest_stamp(json_t *m, long long generation);

/* The data's "counties_digest": SHA-256 (hex) over the ids, sorted in place by byte, each
 * followed by a newline (what `sort | sha256sum` gives under LC_ALL=C). */
void cb_county_ids_digest(const char **ids, size_t n, char out[65]);

/* `countybrief manifest merge DIR`: what completeness is proved against. */
typedef struct cb_merge_opts {
    const char **ids;     /* --data: the data's county ids (have_ids), else NULL */
    size_t nids;
    int have_ids;
    size_t expect;        /* --expect N; 0: the manifests' own counties_total and digest */
    int quiet;            /* print only what is missing, failed or wrong */
} cb_merge_opts;

/*
 * Unions, per output set of dir, manifest<set>.json and every shard manifest (the newest
 * entry per county wins), checks it against the data, writes manifest<set>.json when the
 * union is at least as complete as the one there, and prints a summary line per set (and
 * what is missing or failed). Returns the exit status: 0 complete with no failed county,
 * 1 incomplete or failed, 3 a manifest corrupt, of another data set or of another report
 * (one line on stderr naming it), 5 manifest<set>.json could not be written.
 */
int cb_manifest_merge(const char *dir, const cb_merge_opts *o);

#endif /* CB_MANIFEST_H */
