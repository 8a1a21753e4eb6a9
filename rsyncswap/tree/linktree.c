#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/tree/handoff.h"
#include "rsyncswap/tree/linktree.h"

/* A directory to link: both ends open, owned by whoever holds the item. */
struct item {
	int	src, dst, depth;
};

/*
 * The work of one linktree() call. Directories found are handed to an
 * idle thread (handoff.h), which bounds the descriptors held open, else
 * linked by the thread that found them.
 */
struct work {
	struct handoff	 h;
	struct item	 q[HANDOFF_THREADS_MAX];
	int		 max_depth;
	struct timespec	 ts[2];
	atomic_int	 err;		/* the first errno, or 0 */
};

/* What one thread of the copy counts. */
struct thread_files {
	struct work	*w;
	size_t		 files;
};

static int	link_dir(struct work *, int, int, int, size_t *);

/* Records errno e as the failure of the whole copy (the first one wins). */
static void
fail(struct work *w, int e)
{
	int zero = 0;

	atomic_compare_exchange_strong(&w->err, &zero, e != 0 ? e : EIO);
}

/*
 * Hands the directory pair (s, d) to an idle thread. Returns 1 when
 * queued, 0 when the caller links it itself.
 */
static int
offer(struct work *w, int s, int d, int depth)
{
	struct item it = { s, d, depth };

	return handoff_offer(&w->h, &it);
}

/* Makes the directory name of src in dst and links it. Returns 0 or -1. */
static int
sub_dir(struct work *w, int src, int dst, const char *name, int depth,
    size_t *files)
{
	int s, d, rc;

	if (mkdirat(dst, name, 0755) == -1)
		return -1;
	s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (s == -1 || d == -1) {
		rc = -1;
	} else if (offer(w, s, d, depth))
		return 0;
	else
		rc = link_dir(w, s, d, depth, files);
	if (s != -1)
		close(s);
	if (d != -1)
		close(d);
	return rc;
}

/*
 * Links the entries of src into dst, depth levels below the top; sets
 * dst's times when done. Returns 0, or -1 with errno set.
 */
static int
link_dir(struct work *w, int src, int dst, int depth, size_t *files)
{
	struct dirent *de;
	struct stat sb;
	unsigned char type;
	int dfd, rc = 0;
	DIR *dir;

	if (depth > w->max_depth) {
		errno = ELOOP;
		return -1;
	}
	if ((dfd = dup(src)) == -1)
		return -1;
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	/* The duplicate shares the offset of src, which a caller may have read. */
	rewinddir(dir);
	while (rc == 0 && atomic_load(&w->err) == 0 &&
	    (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		type = de->d_type;
		if (type == DT_UNKNOWN) {
			if (fstatat(src, de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == -1) {
				rc = -1;
				break;
			}
			type = S_ISDIR(sb.st_mode) ? DT_DIR :
			    S_ISREG(sb.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type == DT_REG) {
			if (linkat(src, de->d_name, dst, de->d_name, 0) == -1)
				rc = -1;
			else
				(*files)++;
		} else if (type == DT_DIR)
			rc = sub_dir(w, src, dst, de->d_name, depth + 1, files);
		else
			log_warn("%s: not a file or directory, not copied",
			    de->d_name);
	}
	/* Its entries are all made: its time is now final. */
	if (rc == 0 && depth > 0 && futimens(dst, w->ts) == -1)
		rc = -1;
	closedir(dir);
	return rc;
}

/* Links the directory pair item (closed then) on the thread of arg. */
static void
link_item(void *arg, void *item)
{
	struct thread_files	*tf = arg;
	struct item		*it = item;

	if (atomic_load(&tf->w->err) == 0 &&
	    link_dir(tf->w, it->src, it->dst, it->depth, &tf->files) == -1)
		fail(tf->w, errno);
	close(it->src);
	close(it->dst);
}

int
linktree(int src, int dst, int max_depth, long long dir_time,
    size_t *files)
{
	struct thread_files tf[LINK_THREADS_MAX];
	void *args[LINK_THREADS_MAX];
	struct item first;
	struct work w;
	int s, d, e, n;

	memset(&w, 0, sizeof(w));
	w.max_depth = max_depth;
	w.ts[0].tv_sec = w.ts[1].tv_sec = (time_t)dir_time;
	atomic_init(&w.err, 0);
	*files = 0;
	if ((s = dup(src)) == -1)
		return -1;
	if ((d = dup(dst)) == -1) {
		close(s);
		return -1;
	}
	handoff_init(&w.h, w.q, sizeof(w.q[0]), link_item);
	for (int i = 0; i < LINK_THREADS_MAX; i++) {
		tf[i] = (struct thread_files){ &w, 0 };
		args[i] = &tf[i];
	}
	first = (struct item){ s, d, 0 };
	n = handoff_run(&w.h, &first, args, LINK_THREADS_MAX);
	for (int i = 0; i < n; i++)
		*files += tf[i].files;
	if ((e = atomic_load(&w.err)) != 0) {
		errno = e;
		return -1;
	}
	return 0;
}
