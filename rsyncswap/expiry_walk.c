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
#include <unistd.h>

#include "rsyncswap/expiry_walk.h"
#include "rsyncswap/limits.h"

struct walk {
	struct expiry_sink	*sink;
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
	size_t		 off = 0;
	ssize_t		 n = 0;
	int		 fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return errno == ELOOP ? -3 : -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return S_ISREG(sb.st_mode) ? -1 : -3;
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
	/* Read one octet more than the size, to notice a file that grew. */
	while (off < w->bufsz) {
		n = read(fd, w->buf + off, w->bufsz - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
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
	int			 sub;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		w->skipped++;
		return;
	}
	expiry_dir_init(&dir, w->path);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		nlen = strlen(de->d_name);
		if (plen + 1 + nlen >= sizeof(w->path)) {
			w->skipped++;
			continue;
		}
		if (plen > 0)
			w->path[plen] = '/';
		memcpy(w->path + plen + (plen > 0), de->d_name, nlen + 1);
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))) {
			w->skipped++;
		} else if (S_ISREG(sb.st_mode)) {
			if (wanted(de->d_name))
				walk_file(w, dirfd(d), de->d_name, &dir);
		} else if (!recurse) {
			/* A directory below the one scanned: not ours. */
		} else if (depth >= MAX_EXPIRY_WALK_DEPTH || (sub = openat(
		    dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1) {
			w->skipped++;
		} else
			walk_dir(w, sub, plen + (plen > 0) + nlen, depth + 1,
			    1);
		w->path[plen] = '\0';
	}
	closedir(d);
	if (dir.objects > 0)
		w->sink->dir(w->sink->arg, &dir);
}

/* Returns a new walk feeding sink. */
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
