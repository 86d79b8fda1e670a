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
 *
 * Links: every file countybrief writes or reads back in the output folder or its caches
 * (PDFs, manifests, the journal, temporary files, the font and plugin caches) is opened
 * through cb_file_open: the folder is followed (a linked output folder is fine), the last
 * component never is, and only a regular file is accepted, so a link planted at one of
 * these names is never written through and a FIFO or device there never blocks a read.
 * A replaced file is renamed over its name, which replaces a link, never its target.
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

/* fsync on (1, the default) or off (0: `--no-fsync`), for every file of the run: PDFs, the
 * manifest, the caches, and the folders after their renames (tests/e2e/write_order.sh
 * observes the order with strace). Without fsync a file is still never
 * partial after a crash of countybrief itself, but a power cut or kernel crash can lose
 * recently written files or leave them empty. Set before workers are forked. */
void cb_output_set_fsync(int on);
int cb_output_fsync(void);
/* Off (0): renames are not followed by the folder's fsync. A batch's workers write this
 * way, and the manifest, written last into the same folder, syncs the folder for all of
 * them: a power cut before that can lose a rename (the PDF is missing, to be rendered
 * again), never leave a partial file, which the fsync before each rename rules out. */
void cb_output_set_dir_sync(int on);

/* For a writer of its own (synth's files, written as streams): fsyncs the folder holding
 * path, after path was renamed into place, unless fsync is off. 0 or an errno. */
int cb_output_sync_dir(const char *path);

/* 1 if name (a file name, no folder) is one of the temporary files above. */
int cb_output_is_temp(const char *name);

/* Removes from dir the temporary files of writers that are gone: written on this host (and
 * PID namespace) by a process that no longer exists, or older than two hours whatever
 * wrote them (another machine sharing the folder). Only what is provably ours goes: a name
 * of exactly the pattern above (HOST of letters, digits, '_' and '-'; PID and N decimal),
 * a regular file (never a link, whatever it points to), owned by this user. A live
 * writer's file is never touched, so shards sharing one folder can start at any time.
 * Returns how many were removed. */
size_t cb_output_sweep(const char *dir);

/* Opens path (flags as open(2): O_RDONLY, or O_WRONLY with O_CREAT, O_EXCL, O_APPEND...)
 * without following a link at its last component and only if it is a regular file;
 * O_CLOEXEC always. The open itself never blocks (a FIFO at path is refused, not waited
 * for). Returns the descriptor, or -1 with errno set (ENOENT: nothing there; ELOOP: a link;
 * EINVAL: a FIFO, device, folder or socket, or opened for writing with another hard link)
 * and err (may be NULL) naming path: "out/x: a symbolic link: not followed", "out/x: not a
 * regular file (a FIFO)", "out/x: has another hard link: not written through". */
int cb_file_open(const char *path, int flags, int mode, cb_error *err);

/* Reads the regular file path (cb_file_open) whole into a NUL-terminated malloc'd buffer of
 * at most max bytes (caller frees); a larger file is refused ("path: larger than 256 MiB"),
 * so a file grown without bound costs no memory. NULL with errno and err on failure. */
char *cb_file_read(const char *path, size_t max, size_t *len, cb_error *err);

/* Moves the regular file path aside to "path.stale" (replacing an older one), for an output
 * that failed this time and would otherwise stay behind under its final name, out of step
 * with the data. Returns 1 if a file was moved, 2 if it could not be moved (a name too
 * long, say) and was removed instead, 0 if there was none (or a link, a folder...), -1
 * with errno if it could be neither moved nor removed. */
int cb_output_set_aside(const char *path);

#endif /* CB_OUTPUT_H */
