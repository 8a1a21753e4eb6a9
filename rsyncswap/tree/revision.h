/*
 * Building one repository revision in <rsync-dir>/.tmp-XXXXXX: from a
 * snapshot (every object written once) or from the current revision plus
 * deltas (every file hard-linked, or on btrfs a snapshot of the current
 * revision's subvolume; then changed files replaced by new inodes, never
 * modified in place; tree.h is the back end). Every object gets its tsnorm mtime, every
 * directory TSNORM_DIR_TIME. Nothing is visible until revision_commit.
 */
#ifndef RSYNCSWAP_REVISION_H
#define RSYNCSWAP_REVISION_H

#include <stddef.h>

#include "rsyncswap/tree/digest.h"
#include "rsyncswap/tree/walk.h"

struct revision;

/*
 * Creates a new, empty temporary revision directory below the rsync
 * directory rsync_dirfd: a btrfs subvolume when btrfs is set. Returns it,
 * or NULL with a reason in err.
 */
struct revision	*revision_begin(int rsync_dirfd, int btrfs, char *err,
		    size_t errsz);

/*
 * Creates a new temporary revision below rsync_dirfd as a writable btrfs
 * snapshot of the revision from (a subvolume; tree_can_snapshot), which
 * holds objects objects. Its commit sets the times of the directories the
 * changes touched only. Returns it, or NULL with a reason in err.
 */
struct revision	*revision_begin_snapshot(int rsync_dirfd, const char *from,
		    size_t objects, char *err, size_t errsz);

/*
 * Recreates the directories of revision directory from (a name in the rsync
 * directory) and hard-links its regular files. Returns 0, or -1 with a
 * reason in err.
 */
int		 revision_link_from(struct revision *, const char *from,
		    char *err, size_t errsz);

/*
 * Writes data as the object at relative path path (from uri_rsync_to_path).
 * In a snapshot (hash NULL, must_be_new set) the file must not exist yet.
 * With a hash, the existing file must have that SHA-256 and is replaced;
 * without one it must not exist. Returns 0, 1 when the change does not apply
 * to this revision (reason in err), or -1 on a local error.
 */
int		 revision_publish(struct revision *, const char *path,
		    const unsigned char *hash, const unsigned char *data,
		    size_t len, char *err, size_t errsz);

/*
 * Removes the object at path, whose SHA-256 must equal hash; directories
 * left empty are removed too. Returns 0, 1 when the withdraw does not apply
 * (no such file, other hash; reason in err), or -1 on a local error.
 */
int		 revision_withdraw(struct revision *, const char *path,
		    const unsigned char *hash, char *err, size_t errsz);

/*
 * Has revision_commit() set the directories' times in one walk of the
 * whole tree, on as many threads as v has visitors (v[0..nv), see
 * tree_walk_times() in walk.h), that gives each directory and file it
 * passes to one of them, so that a feature reads the tree once, while it
 * is in the page cache (the expiry summary of a snapshot). nv 0: none.
 */
void		 revision_set_visit(struct revision *,
		    const struct tree_visit *const *v, size_t nv);

/*
 * Creates in the revision every directory of the revision from (a name in
 * the rsync directory) down to depth levels that it lacks: the module
 * directories (depth 1, or 2 with the host) that rsyncd serves must exist
 * in every revision, also when the repository became empty. Returns 0, or
 * -1 with a reason in err.
 */
/*
 * Creates the directory path (relative, one or two segments, already
 * checked) in the revision unless it is there. Returns 0, or -1 with the
 * reason in err.
 */
int		 revision_make_dir(struct revision *, const char *path,
		    char *err, size_t errsz);
int		 revision_keep_dirs(struct revision *, const char *from,
		    int depth, char *err, size_t errsz);

/*
 * Gives a revision made by revision_link_from the digest of the revision
 * it was linked from, which the deltas then update (a snapshot's digest
 * is accumulated as it is written).
 */
void		 revision_set_digest(struct revision *,
		    const struct digest *);

/*
 * Returns 1 and the digest of the revision so far (digest.h) in d, or 0
 * when it is not known (linked without revision_set_digest).
 */
int		 revision_digest(const struct revision *, struct digest *d);

/* Returns the number of objects in the revision so far. */
size_t		 revision_objects(const struct revision *);

/* Returns the total size in bytes of the objects written so far. */
long long	 revision_bytes_written(const struct revision *);

/*
 * Sets directory mtimes, flushes everything to disk and renames the
 * revision to name. If name exists and is not the current target, the old
 * directory is moved aside for the sweep. If it is the current target, it
 * is kept when trusted (the state vouches for it) and otherwise exchanged
 * with the new one in one renameat2(RENAME_EXCHANGE). Returns 0, or -1
 * with a reason in err; the revision is consumed either way.
 */
int		 revision_commit(struct revision *, const char *name,
		    const char *current_target, int trusted, char *err,
		    size_t errsz);

/* Discards the temporary directory and frees the revision. */
void		 revision_abort(struct revision *);

#endif
