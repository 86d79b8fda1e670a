/*
 * output.h: writing files into the output folder so that a crash, a kill -9, a full disk
 * or a power cut never leaves a partial or empty file under a final name.
 *
 * A file is written to a temporary file in the same folder, named
 *     .NAME.tmp-HOST-PID-N
 * (HOST: the host name and PID namespace of the writer, PID: the writing process, N: a
 * counter), with every write checked, fsync'd, closed (checking the result), renamed over
 * NAME, and then the folder is fsync'd so the rename itself survives a power cut. A writer
 * killed half-way leaves only such a temporary file; cb_output_sweep removes those of dead
 * writers at the start of the next run in that folder.
 *
 * A file-size limit (ulimit -f) makes writes fail with EFBIG instead of killing the
 * process: the first write ignores SIGXFSZ (for the process, and so for its workers).
 */
#ifndef CB_OUTPUT_H
#define CB_OUTPUT_H

#include <stddef.h>

#include "util.h"

/* Writes data to path as described above. Errors name the final path: a full disk or quota
 * gives "out/x.pdf: No space left on device" (also "Disk quota exceeded", "File too
 * large"), other errors "out/x.pdf: cannot write: REASON". On failure nothing is left at
 * path that was not there before, and no temporary file is left behind. */
int cb_write_file_atomic(const char *path, const void *data, size_t len, cb_error *err);

/* fsync on (1, the default) or off (0: `--no-fsync`). Without fsync a file is still never
 * partial after a crash of countybrief itself, but a power cut or kernel crash can lose
 * recently written files or leave them empty. Set before workers are forked. */
void cb_output_set_fsync(int on);
int cb_output_fsync(void);
/* Off (0): renames are not followed by the folder's fsync. A batch's workers write this
 * way, and the manifest, written last into the same folder, syncs the folder for all of
 * them: a power cut before that can lose a rename (the PDF is missing, to be rendered
 * again), never leave a partial file, which the fsync before each rename rules out. */
void cb_output_set_dir_sync(int on);

/* 1 if name (a file name, no folder) is one of the temporary files above. */
int cb_output_is_temp(const char *name);

/* Removes from dir the temporary files of writers that are gone: written on this host (and
 * PID namespace) by a process that no longer exists, or older than an hour whatever wrote
 * them (another machine sharing the folder). A live writer's file is never touched, so
 * shards sharing one folder can start at any time. Returns how many were removed. */
size_t cb_output_sweep(const char *dir);

#endif /* CB_OUTPUT_H */
