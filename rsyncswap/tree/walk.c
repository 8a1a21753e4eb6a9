/*
 * The tree walk (walk.h): entries by their type from the directory (one
 * stat only where the file system gives none), directories opened with
 * O_NOFOLLOW, the path of each entry kept in one buffer per thread. The
 * commit's walk runs on several threads: a directory found is handed to
 * an idle one (handoff.h), else walked by the thread that found it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/tree/handoff.h"
#include "rsyncswap/tree/walk.h"

/* A directory handed to an idle thread: open, with its path and depth. */
struct walk_item {
	int	fd;
	int	depth;
	char	path[PATH_MAX];
};

/* One thread's walk. */
struct walk {
	struct handoff		*share;		/* NULL: this thread alone */
	struct walk_item	*offer;		/* what it offers, made here */
	const struct tree_visit	*v;
	const struct timespec	*times;		/* of every directory, or NULL */
	int			 times_errno;	/* first failure to set them */
	char			 path[PATH_MAX];	/* relative to the top */
	size_t			 skipped;
};

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

/* Returns 1 if the regular file name goes to the visitor. */
static int
walk_wanted(const struct walk *w, const char *name)
{
	return w->v != NULL && w->v->want != NULL && w->v->file != NULL &&
	    w->v->want(w->v->arg, name);
}

/*
 * Hands the directory fd, whose path is w->path, at depth to an idle
 * thread. Returns 1 when it took it over, 0 when the caller walks it.
 */
static int
walk_offer(struct walk *w, int fd, int depth)
{
	struct walk_item *it = w->offer;

	if (w->share == NULL || !handoff_parallel(w->share))
		return 0;
	it->fd = fd;
	it->depth = depth;
	memcpy(it->path, w->path, strlen(w->path) + 1);
	return handoff_offer(w->share, it);
}

/*
 * Walks the directory fd (taken over and closed), whose path relative to
 * the top is w->path[0..plen), at nesting depth depth; below it only if
 * recurse.
 */
static void
walk_dir(struct walk *w, int fd, size_t plen, int depth, int recurse)
{
	const struct tree_visit	*v = w->v;
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
	if (v != NULL && v->enter != NULL)
		v->enter(v->arg, w->path, depth);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* The type from the directory saves a stat per object. */
		if ((type = de->d_type) == DT_UNKNOWN)
			type = fstatat(dirfd(d), de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == -1 ? DT_UNKNOWN :
			    S_ISDIR(sb.st_mode) ? DT_DIR :
			    S_ISREG(sb.st_mode) ? DT_REG : DT_UNKNOWN;
		if (type == DT_REG && !walk_wanted(w, de->d_name))
			continue;
		if (type != DT_REG && type != DT_DIR) {
			w->skipped++;
			continue;
		}
		if (type == DT_DIR && !recurse)
			continue;	/* below the one directory walked */
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
			v->file(v->arg, depth, dirfd(d), de->d_name, w->path);
		else if (depth >= MAX_TREE_WALK_DEPTH)
			walk_skip_dir(w, ELOOP);
		else if ((sub = openat(dirfd(d), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			walk_skip_dir(w, errno);
		else if (!walk_offer(w, sub, depth + 1))
			walk_dir(w, sub, plen + (plen > 0) + nlen, depth + 1,
			    1);
		w->path[plen] = '\0';
	}
	if (w->times != NULL && futimens(dirfd(d), w->times) == -1 &&
	    w->times_errno == 0)
		w->times_errno = errno;
	closedir(d);
	if (v != NULL && v->leave != NULL)
		v->leave(v->arg, depth);
}

size_t
tree_walk(int fd, const char *top, int recurse, const struct tree_visit *v)
{
	struct walk	w;
	size_t		len = strlen(top);

	memset(&w, 0, sizeof(w));
	w.v = v;
	if (len >= sizeof(w.path)) {
		close(fd);
		return 1;
	}
	memcpy(w.path, top, len + 1);
	walk_dir(&w, fd, len, 0, recurse);
	return w.skipped;
}

/* Walks the handed-over directory item on the thread of the walk arg. */
static void
walk_item(void *arg, void *item)
{
	struct walk		*w = arg;
	struct walk_item	*it = item;

	memcpy(w->path, it->path, strlen(it->path) + 1);
	walk_dir(w, it->fd, strlen(w->path), it->depth, 1);
}

int
tree_walk_times(int fd, const struct tree_visit *const *v, size_t nv,
    long long t)
{
	struct walk		 w[WALK_THREADS_MAX];
	void			*args[WALK_THREADS_MAX];
	struct handoff		 h;
	struct walk_item	*q, *first;
	struct timespec		 ts[2];
	int			 dfd, i, n, ran, e = 0;

	if ((dfd = fs_reopen_dir(fd)) == -1)
		return -1;
	ts[0].tv_sec = ts[1].tv_sec = (time_t)t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	n = nv > 0 && nv < WALK_THREADS_MAX ? (int)nv : WALK_THREADS_MAX;
	memset(w, 0, sizeof(w));
	/*
	 * The queue, the first item and each thread's offer: PATH_MAX each,
	 * not on the stack.
	 */
	q = calloc(HANDOFF_THREADS_MAX + 1 + WALK_THREADS_MAX, sizeof(*q));
	for (i = 0; i < n; i++) {
		w[i].share = q != NULL ? &h : NULL;
		w[i].offer = q != NULL ? &q[HANDOFF_THREADS_MAX + 1 + i] : NULL;
		w[i].v = nv > 0 ? v[i] : NULL;
		w[i].times = ts;
		args[i] = &w[i];
	}
	if (q == NULL) {
		walk_dir(&w[0], dfd, 0, 0, 1);
		ran = 1;
	} else {
		handoff_init(&h, q, sizeof(*q), walk_item);
		first = &q[HANDOFF_THREADS_MAX];
		first->fd = dfd;
		first->depth = 0;
		first->path[0] = '\0';
		ran = handoff_run(&h, first, args, n);
		free(q);
	}
	for (i = 0; i < ran && e == 0; i++)
		e = w[i].times_errno;
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}
