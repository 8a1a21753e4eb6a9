/*
 * `rsyncswap verify`: recomputes the digest (digest.h) of the revision
 * that current points to from its files and compares it with the one
 * recorded when it was built; also checks what needs no record: every
 * entry is a regular file or a directory, every file's mtime is the one
 * its content gives (tsnorm), every directory's is TSNORM_DIR_TIME.
 */
#ifndef RSYNCSWAP_VERIFY_H
#define RSYNCSWAP_VERIFY_H

#include <stddef.h>

#include "rsyncswap/tree/digest.h"

/*
 * Computes the digest of the revision directory fd (not closed) from its
 * files, never following a symlink. Memory: one file at a time. Returns
 * 0, or -1 with a reason in err when a file or directory cannot be read.
 */
int	verify_tree_digest(int fd, struct digest *d, char *err,
	    size_t errsz);

/*
 * Verifies the revision served from rsync_dir against the state in
 * state_dir, printing each difference (up to VERIFY_MAX_LISTED, then
 * their count) on stderr and, unless quiet, the result on stdout.
 * Returns 0 when it is as written, 1 on a difference, when no digest is
 * recorded for it, or on an error.
 */
int	verify_run(const char *state_dir, const char *rsync_dir, int quiet);

#endif
