/*
 * The tree walk (walk.h): entries by their type from the directory (one
 * stat only where the file system gives none), directories opened with
 * O_NOFOLLOW, the path of each entry kept in one buffer.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/tree/walk.h"

struct walk {
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
		else
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

int
tree_walk_times(int fd, const struct tree_visit *v, long long t)
{
	struct timespec	ts[2];
	struct walk	w;
	int		dfd;

	if ((dfd = fs_reopen_dir(fd)) == -1)
		return -1;
	ts[0].tv_sec = ts[1].tv_sec = (time_t)t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	memset(&w, 0, sizeof(w));
	w.v = v;
	w.times = ts;
	walk_dir(&w, dfd, 0, 0, 1);
	if (w.times_errno != 0) {
		errno = w.times_errno;
		return -1;
	}
	return 0;
}
