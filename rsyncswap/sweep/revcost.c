#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/sweep/revcost.h"

struct cost {
	dev_t		dev;
	long long	bytes, inodes;
	double		share;
};

/* Adds the directory dfd (already counted itself) and what it holds. */
static int
cost_dir(struct cost *c, int dfd, int depth)
{
	struct dirent *de;
	struct stat sb;
	int fd, rc = 0;
	DIR *d;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1 || sb.st_dev != c->dev)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			c->bytes += (long long)sb.st_blocks * 512;
			c->inodes++;
			c->share += (double)sb.st_blocks * 512;
			if (depth >= MAX_REV_DIR_DEPTH + 1 ||
			    (fd = openat(dirfd(d), de->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
				continue;
			rc = cost_dir(c, fd, depth + 1);
			continue;
		}
		if (sb.st_nlink <= 1) {
			c->bytes += (long long)sb.st_blocks * 512;
			c->inodes++;
		}
		c->share += (double)sb.st_blocks * 512 /
		    (double)(sb.st_nlink > 0 ? sb.st_nlink : 1);
	}
	closedir(d);
	return rc;
}

int
revcost_measure(int rsync_dirfd, const char *name, long long *bytes,
    long long *inodes, long long *share)
{
	struct cost c;
	struct stat sb;
	int fd;

	*bytes = *inodes = *share = -1;
	if ((fd = openat(rsync_dirfd, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.dev = sb.st_dev;
	c.bytes = (long long)sb.st_blocks * 512;
	c.inodes = 1;
	c.share = (double)c.bytes;
	if (cost_dir(&c, fd, 1) == -1)
		return -1;
	*bytes = c.bytes;
	*inodes = c.inodes;
	*share = (long long)(c.share + 0.5);
	return 0;
}
