/*
 * The back end that makes and removes revision trees in the rsync
 * directory. Links (any file system): a revision is a directory; one built
 * from deltas starts as hard links of the current revision's files. btrfs:
 * a revision is a subvolume; one built from deltas starts as a writable
 * snapshot of the current revision's subvolume (cost: the changes, not the
 * repository). Removal deletes a subvolume in one step where the kernel
 * allows it to an unprivileged process (user_subvol_rm_allowed), else
 * empties it and removes it with rmdir.
 */
#ifndef RSYNCSWAP_TREE_H
#define RSYNCSWAP_TREE_H

#include <sys/types.h>

#include <stddef.h>

/* --btrfs: auto (when the rsync directory is on btrfs), yes, no. */
enum tree_mode {
	TREE_AUTO = 0,
	TREE_FORCE_BTRFS,
	TREE_FORCE_LINKS,
};

enum tree_backend {
	TREE_LINKS = 0,
	TREE_BTRFS,
};

/*
 * Parses the argument of --btrfs ("auto", "yes", "no") into *mode.
 * Returns 0, or -1 if it is none of them.
 */
int	tree_mode_parse(const char *arg, enum tree_mode *mode);

/*
 * Chooses the back end for the rsync directory rsync_dirfd (path: its
 * name, for messages). Returns TREE_LINKS or TREE_BTRFS, or -1 with a
 * reason in err when btrfs is forced and the directory is not on btrfs.
 */
int	tree_choose(int rsync_dirfd, const char *path, enum tree_mode mode,
	    char *err, size_t errsz);

/*
 * Creates the empty top directory name of a new revision below
 * rsync_dirfd: a subvolume with TREE_BTRFS, else a directory (mode 0755).
 * Returns 0, or -1 with errno set (EEXIST when name exists).
 */
int	tree_make_empty(int rsync_dirfd, const char *name,
	    enum tree_backend be);

/*
 * Returns 1 if a new revision can be made from the revision from by
 * tree_make_snapshot (TREE_BTRFS and from is a subvolume), else 0: it is
 * then made by tree_make_empty and hard links.
 */
int	tree_can_snapshot(int rsync_dirfd, const char *from,
	    enum tree_backend be);

/*
 * Creates name below rsync_dirfd as a writable snapshot of the revision
 * from. Returns 0, or -1 with errno set.
 */
int	tree_make_snapshot(int rsync_dirfd, const char *from,
	    const char *name);

/*
 * Removes the revision (or leftover) name below dirfd, whose file system
 * is dev, never following a symlink: a subvolume is deleted in one step,
 * or, where the kernel refuses that to us (EPERM: not mounted with
 * user_subvol_rm_allowed, and no CAP_SYS_ADMIN), emptied and then removed
 * with rmdir, and *slow is set (slow may be NULL). Returns 0, or -1 with
 * errno set.
 */
int	tree_remove(int dirfd, const char *name, dev_t dev, int *slow);

#endif
