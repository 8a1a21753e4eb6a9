#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/tree/btrfs.h"
#include "rsyncswap/tree/tree.h"

int
tree_mode_parse(const char *arg, enum tree_mode *mode)
{
	if (strcmp(arg, "auto") == 0)
		*mode = TREE_AUTO;
	else if (strcmp(arg, "yes") == 0)
		*mode = TREE_FORCE_BTRFS;
	else if (strcmp(arg, "no") == 0)
		*mode = TREE_FORCE_LINKS;
	else
		return -1;
	return 0;
}

int
tree_choose(int rsync_dirfd, const char *path, enum tree_mode mode,
    char *err, size_t errsz)
{
	int on;

	if (mode == TREE_FORCE_LINKS)
		return TREE_LINKS;
	on = btrfs_is_btrfs(rsync_dirfd);
	if (on == 1)
		return TREE_BTRFS;
	if (mode == TREE_AUTO)
		return TREE_LINKS;
	if (on == -1)
		snprintf(err, errsz, "%s: %s yes: %s", path,
		    opt_name(OPT_BTRFS), strerror(errno));
	else
		snprintf(err, errsz, "%s: %s yes, but it is not on a "
		    "btrfs file system", path, opt_name(OPT_BTRFS));
	return -1;
}

int
tree_make_empty(int rsync_dirfd, const char *name, enum tree_backend be)
{
	if (be == TREE_BTRFS)
		return btrfs_subvol_create(rsync_dirfd, name);
	return mkdirat(rsync_dirfd, name, 0755);
}

int
tree_can_snapshot(int rsync_dirfd, const char *from, enum tree_backend be)
{
	return be == TREE_BTRFS && btrfs_is_subvolume(rsync_dirfd, from);
}

int
tree_make_snapshot(int rsync_dirfd, const char *from, const char *name)
{
	return btrfs_snapshot(rsync_dirfd, from, name);
}

int
tree_remove(int dirfd, const char *name, dev_t dev, int *slow)
{
	struct stat sb;

	if (!btrfs_is_subvolume(dirfd, name))
		return fs_remove_tree(dirfd, name, dev);
	if (btrfs_subvol_delete(dirfd, name) == 0)
		return 0;
	if (errno != EPERM && errno != EACCES)
		return -1;
	if (slow != NULL)
		*slow = 1;
	/*
	 * The subvolume is a file system of its own (st_dev): its content is
	 * removed within it, and the emptied subvolume by rmdir, which the
	 * kernel allows to whoever may remove a directory there.
	 */
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	return fs_remove_tree(dirfd, name, sb.st_dev);
}
