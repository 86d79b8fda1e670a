/*
 * batch_int.h: what the batch's files share (batch.c: the run, the manifest and journal,
 * the workers' results and progress; batch_hash.c: the input hashes); no other module
 * includes it.
 */
#ifndef CB_BATCH_INT_H
#define CB_BATCH_INT_H

#include <jansson.h>
#include <nettle/sha2.h>

#include "batch.h"

/*
 * File digests are kept in the manifest ("files") with the stat they were taken at; a
 * file whose size, times, inode and device are unchanged is not read again (the font
 * alone is 5 MB: hashing it was a tenth of a one-county run). A file changed in the last
 * two seconds is hashed but not remembered (its identity is not settled, util.h).
 */
typedef struct file_digest {
    char *path;
    cb_file_id id; /* util.h */
    unsigned char d[32];
} file_digest;

/* A run's digests, owned by cb_batch_run: those known from the manifests (or the cache),
 * and those taken this run (nfresh of them read and hashed, the rest recalled). */
typedef struct digests {
    file_digest *known, *seen;
    size_t nknown, nseen, nfresh;
} digests;

/* d[0..n) in lower-case hex into out (2n + 1 bytes). */
void batch_hex(const unsigned char *d, size_t n, char *out);
/* What every county's PDF depends on besides its own rows (docs/manifests.md, "What a
 * county's hash covers"); the files it reads go through dg. */
struct sha256_ctx batch_global_inputs(const cb_engine *e, digests *dg);
/* County `county`'s input hash: global and its own rows, in hex. */
void batch_county_key(const struct sha256_ctx *global, const cb_engine *e, size_t county, char out[65]);
/* The digests of a manifest's "files" into dg's known ones; dg's seen ones as "files". */
void batch_read_digests(digests *dg, json_t *files);
json_t *batch_digests_json(const digests *dg);
/* The digests kept in the cache: recalled when no manifest gave any, remembered when this
 * run hashed a file anew. */
void batch_digests_recall(digests *dg);
void batch_digests_remember(const digests *dg);
void batch_digests_free(digests *dg);

#endif /* CB_BATCH_INT_H */
