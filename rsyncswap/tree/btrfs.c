#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/magic.h>

#include "rsyncswap/tree/btrfs.h"

int
btrfs_is_btrfs(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) == -1)
		return -1;
	return sf.f_type == (__typeof__(sf.f_type))BTRFS_SUPER_MAGIC;
}

int
btrfs_is_subvolume(int dirfd, const char *name)
{
	struct stat sb;
	int fd, rc;

	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISDIR(sb.st_mode) || sb.st_ino != BTRFS_FIRST_FREE_OBJECTID)
		return 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return 0;
	rc = btrfs_is_btrfs(fd) == 1;
	close(fd);
	return rc;
}

/* Returns 0 after copying name into a vol_args name field, or -1. */
static int
btrfs_name(char *dst, size_t dstsz, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= dstsz || strchr(name, '/') != NULL) {
		errno = EINVAL;
		return -1;
	}
	memcpy(dst, name, len + 1);
	return 0;
}

int
btrfs_subvol_create(int dirfd, const char *name)
{
	struct btrfs_ioctl_vol_args va;

	memset(&va, 0, sizeof(va));
	if (btrfs_name(va.name, sizeof(va.name), name) == -1)
		return -1;
	return ioctl(dirfd, BTRFS_IOC_SUBVOL_CREATE, &va) == -1 ? -1 : 0;
}

int
btrfs_snapshot(int dirfd, const char *src, const char *name)
{
	struct btrfs_ioctl_vol_args_v2 va;
	int sfd, rc, saved;

	memset(&va, 0, sizeof(va));
	if (btrfs_name(va.name, sizeof(va.name), name) == -1)
		return -1;
	if ((sfd = openat(dirfd, src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	va.fd = sfd;
	va.flags = 0;		/* writable */
	rc = ioctl(dirfd, BTRFS_IOC_SNAP_CREATE_V2, &va);
	saved = errno;
	close(sfd);
	errno = saved;
	return rc == -1 ? -1 : 0;
}

int
btrfs_subvol_delete(int dirfd, const char *name)
{
	struct btrfs_ioctl_vol_args va;

	memset(&va, 0, sizeof(va));
	if (btrfs_name(va.name, sizeof(va.name), name) == -1)
		return -1;
	return ioctl(dirfd, BTRFS_IOC_SNAP_DESTROY, &va) == -1 ? -1 : 0;
}
