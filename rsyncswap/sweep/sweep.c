#include <sys/stat.h>
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/sweep/cleanup.h"
#include "rsyncswap/sweep/sweep.h"
#include "rsyncswap/tree/swap.h"
#include "rsyncswap/tree/tree.h"

/* How often a sweep looks whether its child has ended (ms). */
#define SWEEP_POLL_MS		20

/* Entries removed by one sweep; the rest wait for the next one. */
#define SWEEP_MAX_ENTRIES	4096

/* Returns 1 if name is a leftover of an interrupted run. */
static int
sweep_is_leftover(const char *name)
{
	return strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 ||
	    strcmp(name, CURRENT_TMP_NAME) == 0;
}

/* Revision directories whose times are read to date unknown ones. */
#define SWEEP_MAX_REVISIONS	(4 * 1024 * 1024)

/* The change times (ns) of the revision directories, sorted. */
struct rev_times {
	long long	*t;
	size_t		 n, cap;
};

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Returns the change time of revision name in ns, or -1. */
static long long
rev_ctime(int dfd, const char *name)
{
	struct stat sb;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISDIR(sb.st_mode))
		return -1;
	return (long long)sb.st_ctim.tv_sec * 1000000000LL +
	    sb.st_ctim.tv_nsec;
}

/*
 * Reads the change time of every revision directory below dfd (current's
 * target too) into rt, through a directory stream of its own. A revision's directory is renamed into place when it
 * is made and not changed after, so its change time is when it became
 * current, and the next one's is when it stopped being current: that is
 * how a revision the history does not know (lost or evicted state) is
 * dated, the same on every sweep. Returns 0, or -1 (out of memory: the
 * unknown ones are then dated now).
 */
static int
rev_times_read(int dfd, struct rev_times *rt)
{
	struct dirent *de;
	long long t, *nt;
	int fd, rc = 0;
	DIR *d;

	/* A new open file: a dup would share the outer stream's offset. */
	if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL && rt->n < SWEEP_MAX_REVISIONS) {
		if (!swap_is_revision_name(de->d_name) ||
		    (t = rev_ctime(dfd, de->d_name)) == -1)
			continue;
		if (rt->n == rt->cap) {
			rt->cap = rt->cap == 0 ? 1024 : rt->cap * 2;
			if ((nt = realloc(rt->t, rt->cap * sizeof(*nt))) ==
			    NULL) {
				rc = -1;
				break;
			}
			rt->t = nt;
		}
		rt->t[rt->n++] = t;
	}
	closedir(d);
	if (rt->n > 1)
		qsort(rt->t, rt->n, sizeof(*rt->t), cmp_ll);
	return rc;
}

/*
 * Returns when revision name stopped being current by the change times:
 * the next newer revision's (in seconds; its own when the newest share its
 * clock tick), at most now; now if unknown.
 */
static long long
rev_replaced_at(const struct rev_times *rt, int dfd, const char *name,
    long long now)
{
	long long own = rev_ctime(dfd, name), next;
	size_t lo = 0, hi = rt->n, mid;

	if (own == -1)
		return now;
	while (lo < hi) {	/* the first time greater than own */
		mid = lo + (hi - lo) / 2;
		if (rt->t[mid] <= own)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == rt->n) {
		/* Made in the same clock tick as another: as old as that. */
		if (lo >= 2 && rt->t[lo - 2] == own)
			next = own / 1000000000LL;
		else
			return now;
	} else
		next = rt->t[lo] / 1000000000LL;
	return next < now ? next : now;
}

int
sweep_in_child(int dirfd, int (*fn)(int, void *), void *arg,
    const struct privs *privs)
{
	char desc[1024], err[256];
	long long waited;
	pid_t pid, w;
	int status, failed;

	if ((pid = fork()) == -1) {
		log_error("sweep: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/*
		 * Nothing inherited but stdio and the directory: above all
		 * not the run lock, which a stopped or orphaned sweeper would
		 * otherwise hold for every later run.
		 */
		if (dirfd > 3)
			close_range(3, (unsigned)dirfd - 1, 0);
		close_range((unsigned)dirfd + 1, ~0U, 0);
		if (privs_sweeper(privs, dirfd, desc, sizeof(desc), err,
		    sizeof(err)) == -1) {
			log_error("%s", err);
			_exit(255);
		}
		log_debug("sweeper: %s", desc);
		failed = fn(dirfd, arg);
		_exit(failed > 255 ? 255 : failed);
	}
	/* Bounded: a stopped or stuck sweeper does not hold us forever. */
	for (waited = 0;; waited += SWEEP_POLL_MS) {
		if ((w = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (w == -1 && errno != EINTR)
			return -1;
		if (waited >= SWEEP_CHILD_TIMEOUT * 1000LL) {
			log_error("sweep: the sweeper (pid %ld) took more than "
			    "%d s; killed", (long)pid, SWEEP_CHILD_TIMEOUT);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
				;
			return -1;
		}
		poll(NULL, 0, SWEEP_POLL_MS);
	}
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

struct sweep_names {
	char	**names;
	int	  n;
};

/*
 * Logs why name below the rsync directory dirfd (whose stat is dir) could
 * not be removed: err, and when it is a permission, whose files they are
 * (a node run as root before --user, or the other way round).
 */
static void
sweep_denied(int dirfd, const struct stat *dir, const char *name, int err)
{
	struct stat sb;
	uid_t me = geteuid();

	if (err != EACCES && err != EPERM) {
		log_warn("sweep: %s: %s", name, strerror(err));
		return;
	}
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sb.st_uid != me)
		log_warn("sweep: %s: %s: it is owned by uid %u and the "
		    "sweeper runs as uid %u (made before a change of %s?): "
		    "remove it by hand, or chown -R it to uid %u", name,
		    strerror(err), (unsigned)sb.st_uid, (unsigned)me,
		    opt_name(OPT_USER), (unsigned)me);
	else if (dir->st_uid != me)
		log_warn("sweep: %s: %s: the rsync directory is owned by uid "
		    "%u and the sweeper runs as uid %u (a change of %s?): "
		    "chown it and what is in it to the sweeper's user", name,
		    strerror(err), (unsigned)dir->st_uid, (unsigned)me,
		    opt_name(OPT_USER));
	else
		log_warn("sweep: %s: %s", name, strerror(err));
}

/* In the child: removes the names. Returns the number of failures. */
static int
sweep_remove_names(int dirfd, void *arg)
{
	struct sweep_names *sn = arg;
	struct stat sb;
	int failed = 0, slow = 0;

	if (fstat(dirfd, &sb) == -1)
		return sn->n;
	for (int i = 0; i < sn->n; i++) {
		if (tree_remove(dirfd, sn->names[i], sb.st_dev, &slow) == -1) {
			sweep_denied(dirfd, &sb, sn->names[i], errno);
			failed++;
		}
	}
	/* Once per sweep: the sweeper has no CAP_SYS_ADMIN, by design. */
	if (slow)
		log_warn("sweep: btrfs refuses the unprivileged sweeper to "
		    "delete a subvolume in one step: each was emptied file by "
		    "file; mount the file system with user_subvol_rm_allowed");
	return failed;
}

/* The names to remove, collected by the sweep. */
struct sweep_list {
	char	*names[SWEEP_MAX_ENTRIES];
	int	 n;
};

/* Adds name to the list. Returns 0, or -1 when full. */
static int
sweep_list_add(const char *name, void *arg)
{
	struct sweep_list *l = arg;

	if (l->n == SWEEP_MAX_ENTRIES ||
	    (l->names[l->n] = strdup(name)) == NULL)
		return -1;
	log_info("sweep: removing %s", name);
	l->n++;
	return 0;
}

int
sweep_run(int rsync_dirfd, const char *current, struct state *st,
    long long now, const struct cleanup_policy *pol,
    const struct privs *privs, struct sweep_stats *stats)
{
	static struct sweep_list l;
	int gone[SWEEP_MAX_ENTRIES];
	char **names = l.names;
	struct rev_times rt = { NULL, 0, 0 };
	struct cleanup cl;
	struct sweep_names sn;
	struct state_revision *r, aside;
	struct dirent *de;
	int n, dfd, failed, have_times = -1;
	DIR *d;

	memset(stats, 0, sizeof(*stats));
	l.n = 0;
	if ((dfd = fs_reopen_dir(rsync_dirfd)) == -1 ||
	    (d = fdopendir(dfd)) == NULL) {
		log_error("sweep: %s", strerror(errno));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	if (cleanup_begin(&cl, pol, now) == -1)
		log_warn("sweep: out of memory scanning for readers");
	rewinddir(d);
	while ((de = readdir(d)) != NULL && l.n < SWEEP_MAX_ENTRIES) {
		if (current != NULL && strcmp(de->d_name, current) == 0) {
			(void)cleanup_decide(&cl, de->d_name, NULL);
			continue;
		}
		if (swap_is_replaced_name(de->d_name)) {
			/*
			 * A served tree that one of its own name replaced:
			 * replaced when it got this name (its change time).
			 */
			memset(&aside, 0, sizeof(aside));
			aside.until = rev_ctime(dfd, de->d_name) / 1000000000LL;
			if (aside.until <= 0 || aside.until > now)
				aside.until = now;
			if (!cleanup_decide(&cl, de->d_name, &aside)) {
				stats->kept++;
				continue;
			}
		} else if (!sweep_is_leftover(de->d_name)) {
			if (!swap_is_revision_name(de->d_name))
				continue;
			/*
			 * Unknown (a lost state, or evicted from a full
			 * history): dated by the change times, so its clock
			 * never restarts. Not current any more: from now.
			 * A time after now (the clock stepped back) is now.
			 */
			if ((r = state_history_find(st, de->d_name)) == NULL) {
				/* Read once, and only when one is unknown. */
				if (have_times == -1)
					have_times = rev_times_read(dfd,
					    &rt) == 0;
				r = state_history_adopt(st, de->d_name,
				    have_times ? rev_replaced_at(&rt, dfd,
				    de->d_name, now) : now);
			} else if (r->until == 0 || r->until > now)
				r->until = now;
			if (r == NULL || !cleanup_decide(&cl, de->d_name, r)) {
				stats->kept++;
				continue;
			}
		}
		if (sweep_list_add(de->d_name, &l) == -1)
			break;
	}
	closedir(d);
	free(rt.t);
	/* The budget, from the oldest revisions nobody reads. */
	cleanup_budget(&cl, rsync_dirfd, sweep_list_add, &l);
	n = l.n;
	if (n == 0) {
		cleanup_end(&cl, names, gone, 0);
		return 0;
	}
	sn.names = names;
	sn.n = n;
	failed = sweep_in_child(rsync_dirfd, sweep_remove_names, &sn, privs);
	for (int i = 0; i < n; i++) {
		/* What the child removed is gone; record when. */
		gone[i] = faccessat(rsync_dirfd, names[i], F_OK,
		    AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT;
		if ((r = state_history_find(st, names[i])) != NULL &&
		    r->removed == 0 && gone[i])
			r->removed = now;
	}
	cleanup_end(&cl, names, gone, n);
	for (int i = 0; i < n; i++)
		free(names[i]);
	if (failed == 0) {
		stats->removed = n;
		return 0;
	}
	stats->failed = failed < 0 ? n : failed;
	stats->removed = n - stats->failed;
	log_warn("sweep: %d of %d entries could not be removed",
	    stats->failed, n);
	return -1;
}
