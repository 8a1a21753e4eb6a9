/*
 * The expiry walk: the tree walk (tree/walk.c) with a visitor that folds
 * the manifests and CRLs of each directory and hands the directory to a
 * sink when it is done. Memory: one object and one struct expiry_dir per
 * level of nesting, whatever the size of the tree.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_walk.h"

/* Returns 1 if name ends in .mft or .crl (the objects with an expiry). */
static int
wanted(void *arg, const char *name)
{
	const char	*dot = strrchr(name, '.');

	(void)arg;
	return dot != NULL && (strcmp(dot, ".mft") == 0 ||
	    strcmp(dot, ".crl") == 0);
}

/*
 * Reads the regular file name below dfd into w->buf. Returns its length,
 * -1 on an I/O error, -2 if it is larger than MAX_OBJECT_SIZE_LIMIT, -3 if
 * it is not a regular file (a symlink or a FIFO that replaced it).
 */
static ssize_t
read_object(struct expiry_visit *w, int dfd, const char *name)
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

/* Folds the object name below dfd (path path) into its directory. */
static void
visit_file(void *arg, int depth, int dfd, const char *name, const char *path)
{
	struct expiry_visit	*w = arg;
	struct tsnorm_result	 res;
	struct tsnorm_expiry	 exp;
	enum expiry_bad_reason	 why;
	ssize_t			 n;

	n = read_object(w, dfd, name);
	if (n == -3)
		w->skipped++;
	else if (n == -2)
		w->sink->bad(w->sink->arg, path, EXPIRY_BAD_TOO_LARGE);
	else if (n == -1)
		w->sink->bad(w->sink->arg, path, EXPIRY_BAD_IO);
	else {
		tsnorm_inspect(w->buf, (size_t)n, name, &res, &exp);
		if (expiry_dir_add(&w->dirs[depth], &exp, &why) == -1)
			w->sink->bad(w->sink->arg, path, why);
	}
}

/* Begins the directory path at depth. */
static void
visit_enter(void *arg, char *path, int depth)
{
	struct expiry_visit	*w = arg;

	expiry_dir_init(&w->dirs[depth], path);
}

/*
 * Hands the directory at depth to the sink if it had manifests or CRLs;
 * the end of the top one is the end of the walk.
 */
static void
visit_leave(void *arg, int depth)
{
	struct expiry_visit	*w = arg;

	if (w->dirs[depth].objects > 0)
		w->sink->dir(w->sink->arg, &w->dirs[depth]);
	if (depth == 0) {
		free(w->buf);
		w->buf = NULL;
		w->bufsz = 0;
	}
}

void
expiry_visit_init(struct expiry_visit *x, struct expiry_sink *sink)
{
	memset(x, 0, sizeof(*x));
	x->sink = sink;
	x->v.arg = x;
	x->v.want = wanted;
	x->v.enter = visit_enter;
	x->v.file = visit_file;
	x->v.leave = visit_leave;
}

/* Gives the directory d to the shared sink, one thread at a time. */
static void
locked_dir(void *arg, const struct expiry_dir *d)
{
	struct expiry_visits *xs = arg;

	pthread_mutex_lock(&xs->mu);
	xs->sink->dir(xs->sink->arg, d);
	pthread_mutex_unlock(&xs->mu);
}

/* Gives the damaged object path to the shared sink, one at a time. */
static void
locked_bad(void *arg, const char *path, enum expiry_bad_reason reason)
{
	struct expiry_visits *xs = arg;

	pthread_mutex_lock(&xs->mu);
	xs->sink->bad(xs->sink->arg, path, reason);
	pthread_mutex_unlock(&xs->mu);
}

void
expiry_visits_init(struct expiry_visits *xs, struct expiry_sink *sink)
{
	memset(xs, 0, sizeof(*xs));
	pthread_mutex_init(&xs->mu, NULL);
	xs->sink = sink;
	xs->locked.dir = locked_dir;
	xs->locked.bad = locked_bad;
	xs->locked.arg = xs;
	for (size_t i = 0; i < WALK_THREADS_MAX; i++) {
		expiry_visit_init(&xs->x[i], &xs->locked);
		xs->v[i] = &xs->x[i].v;
	}
}

void
expiry_visits_free(struct expiry_visits *xs)
{
	for (size_t i = 0; i < WALK_THREADS_MAX; i++) {
		free(xs->x[i].buf);
		xs->x[i].buf = NULL;
		xs->x[i].bufsz = 0;
	}
	pthread_mutex_destroy(&xs->mu);
}

size_t
expiry_walk_fd(int fd, struct expiry_sink *sink)
{
	struct expiry_visit	*x;
	size_t			 n;

	if ((x = malloc(sizeof(*x))) == NULL)
		err(1, NULL);
	expiry_visit_init(x, sink);
	n = tree_walk(fd, "", 1, &x->v);
	n += x->skipped;
	free(x);
	return n;
}

void
expiry_scan_dir(int topfd, const char *dir, struct expiry_sink *sink)
{
	struct expiry_visit	*x;
	size_t			 len = strlen(dir);
	int			 fd;

	if (len >= PATH_MAX || (fd = openat(topfd, len > 0 ? dir : ".",
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;		/* gone: every object of it was withdrawn */
	if ((x = malloc(sizeof(*x))) == NULL)
		err(1, NULL);
	expiry_visit_init(x, sink);
	(void)tree_walk(fd, dir, 0, &x->v);
	free(x);
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
