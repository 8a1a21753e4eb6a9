/*
 * The expiry walk: a depth-bounded descent with openat(O_NOFOLLOW) that
 * folds the manifests and CRLs of each directory and hands the directory
 * to a sink when it is done. Memory: one object and one struct expiry_dir
 * per level of nesting, whatever the size of the tree.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_walk.h"

struct walk {
	struct expiry_sink	*sink;
	const struct timespec	*times;		/* of every directory, or NULL */
	int			 times_errno;	/* first failure to set them */
	char			 path[PATH_MAX];	/* relative to the top */
	unsigned char		*buf;			/* one object */
	size_t			 bufsz;
	size_t			 skipped;
};

/* Returns 1 if name ends in .mft or .crl (the objects with an expiry). */
static int
wanted(const char *name)
{
	const char	*dot = strrchr(name, '.');

	return dot != NULL && (strcmp(dot, ".mft") == 0 ||
	    strcmp(dot, ".crl") == 0);
}

/*
 * Reads the regular file name below dfd into w->buf. Returns its length,
 * -1 on an I/O error, -2 if it is larger than MAX_OBJECT_SIZE_LIMIT, -3 if
 * it is not a regular file (a symlink or a FIFO that replaced it).
 */
static ssize_t
read_object(struct walk *w, int dfd, const char *name)
{
	struct stat	 sb;
	size_t		 off = 0, want;
	ssize_t		 n = 0;
	int		 fd;

	/*
	 * O_NOATIME: reading a new revision must not dirty its inodes again
	 * before they are flushed; it needs the owner (or CAP_FOWNER).
	 */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOATIME);
	if (fd == -1 && errno == EPERM)
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	if (fd == -1)
		return errno == ELOOP ? -3 : -1;
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return -3;
	}
	if (sb.st_size > MAX_OBJECT_SIZE_LIMIT) {
		close(fd);
		return -2;
	}
	if ((size_t)sb.st_size + 1 > w->bufsz) {
		free(w->buf);
		w->bufsz = (size_t)sb.st_size + 1;
		if ((w->buf = malloc(w->bufsz)) == NULL)
			err(1, NULL);
	}
	/*
	 * Ask for one octet more than the size, to notice a file that grew;
	 * a short read of a regular file is its end.
	 */
	while (off < (size_t)sb.st_size + 1) {
		want = (size_t)sb.st_size + 1 - off;
		n = read(fd, w->buf + off, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	close(fd);
	if (n == -1 || off > (size_t)sb.st_size)
		return -1;
	return (ssize_t)off;
}

/* Folds the object name below dfd (path w->path) into dir. */
static void
walk_file(struct walk *w, int dfd, const char *name, struct expiry_dir *dir)
{
	struct tsnorm_result	res;
	struct tsnorm_expiry	exp;
	enum expiry_bad_reason	why;
	ssize_t			n;

	n = read_object(w, dfd, name);
	if (n == -3)
		w->skipped++;
	else if (n == -2)
		w->sink->bad(w->sink->arg, w->path, EXPIRY_BAD_TOO_LARGE);
	else if (n == -1)
		w->sink->bad(w->sink->arg, w->path, EXPIRY_BAD_IO);
	else {
		tsnorm_inspect(w->buf, (size_t)n, name, &res, &exp);
		if (expiry_dir_add(dir, &exp, &why) == -1)
			w->sink->bad(w->sink->arg, w->path, why);
	}
}

/*
 * Counts a directory that cannot be walked (error err); when directory
 * times are set, it is a failure of the walk.
 */
static void
walk_skip_dir(struct walk *w, int err)
{
	w->skipped++;
	if (w->times != NULL && w->times_errno == 0)
		w->times_errno = err;
}

/*
 * Walks the directory fd (taken over and closed), whose path relative to
 * the top is w->path[0..plen), at nesting depth depth; below it only if
 * recurse. Hands the directory to the sink at the end.
 */
static void
walk_dir(struct walk *w, int fd, size_t plen, int depth, int recurse)
{
	struct expiry_dir	 dir;
	struct dirent		*de;
	struct stat		 sb;
	size_t			 nlen;
	DIR			*d;
	int			 sub, type;

	if ((d = fdopendir(fd)) == NULL) {
		walk_skip_dir(w, errno);
		close(fd);
		return;
	}
	expiry_dir_init(&dir, w->path);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* The type from the directory saves a stat per object. */
		if ((type = de->d_type) == DT_UNKNOWN)
			type = fstatat(dirfd(d), de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == -1 ? DT_UNKNOWN :
			    S_ISDIR(sb.st_mode) ? DT_DIR :
			    S_ISREG(sb.st_mode) ? DT_REG : DT_UNKNOWN;
		if (type == DT_REG && (w->sink == NULL || !wanted(de->d_name)))
			continue;
		if (type != DT_REG && type != DT_DIR) {
			w->skipped++;
			continue;
		}
		if (type == DT_DIR && !recurse)
			continue;	/* below the one directory scanned */
		nlen = strlen(de->d_name);
		if (plen + 1 + nlen >= sizeof(w->path)) {
			if (type == DT_DIR)
				walk_skip_dir(w, ENAMETOOLONG);
			else
				w->skipped++;
			continue;
		}
		if (plen > 0)
			w->path[plen] = '/';
		memcpy(w->path + plen + (plen > 0), de->d_name, nlen + 1);
		if (type == DT_REG)
			walk_file(w, dirfd(d), de->d_name, &dir);
		else if (depth >= MAX_EXPIRY_WALK_DEPTH)
			walk_skip_dir(w, ELOOP);
		else if ((sub = openat(dirfd(d), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			walk_skip_dir(w, errno);
		else
			walk_dir(w, sub, plen + (plen > 0) + nlen, depth + 1,
			    1);
		w->path[plen] = '\0';
	}
	if (w->times != NULL && futimens(dirfd(d), w->times) == -1 &&
	    w->times_errno == 0)
		w->times_errno = errno;
	closedir(d);
	if (w->sink != NULL && dir.objects > 0)
		w->sink->dir(w->sink->arg, &dir);
}

/* Returns a new walk feeding sink (NULL: directories only). */
static struct walk *
walk_new(struct expiry_sink *sink)
{
	struct walk	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		err(1, NULL);
	w->sink = sink;
	return w;
}

/* Frees w; returns what it skipped. */
static size_t
walk_free(struct walk *w)
{
	size_t	skipped = w->skipped;

	free(w->buf);
	free(w);
	return skipped;
}

size_t
expiry_walk_fd(int fd, struct expiry_sink *sink)
{
	struct walk	*w = walk_new(sink);

	walk_dir(w, fd, 0, 0, 1);
	return walk_free(w);
}

int
expiry_walk_times(int fd, struct expiry_sink *sink, long long t)
{
	struct timespec	 ts[2];
	struct walk	*w;
	int		 dfd, saved;

	if ((dfd = fs_reopen_dir(fd)) == -1)
		return -1;
	ts[0].tv_sec = ts[1].tv_sec = (time_t)t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	w = walk_new(sink);
	w->times = ts;
	walk_dir(w, dfd, 0, 0, 1);
	saved = w->times_errno;
	(void)walk_free(w);
	if (saved != 0) {
		errno = saved;
		return -1;
	}
	return 0;
}

void
expiry_scan_dir(int topfd, const char *dir, struct expiry_sink *sink)
{
	struct walk	*w;
	size_t		 len = strlen(dir);
	int		 fd;

	if (len >= sizeof(w->path) || (fd = openat(topfd, len > 0 ? dir :
	    ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;		/* gone: every object of it was withdrawn */
	w = walk_new(sink);
	memcpy(w->path, dir, len + 1);
	walk_dir(w, fd, len, 0, 0);
	(void)walk_free(w);
}

int
expiry_walk(const char *dir, struct expiry_summary *sum, size_t *skipped,
    char *errbuf, size_t errsz)
{
	struct expiry_acc	*acc;
	struct expiry_sink	 sink;
	size_t			 n;
	int			 fd;

	memset(sum, 0, sizeof(*sum));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(errbuf, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	acc = expiry_acc_new();
	expiry_acc_sink(acc, &sink);
	n = expiry_walk_fd(fd, &sink);
	expiry_acc_finish(acc, sum);
	expiry_acc_free(acc);
	if (skipped != NULL)
		*skipped = n;
	return 0;
}
