/*
 * The sweep: removal of revisions that stopped being current more than the
 * cleanup time ago, and of leftover temporary directories. The removal
 * runs in a child process; it never touches the current target, never
 * follows a symlink and never leaves the rsync directory's file system.
 */
#ifndef RSYNCSWAP_SWEEP_H
#define RSYNCSWAP_SWEEP_H

#include "rsyncswap/state/state.h"
#include "rsyncswap/sweep/cleanup.h"
#include "rsyncswap/sweep/privs.h"

struct sweep_stats {
	int	removed;	/* entries removed */
	int	kept;		/* revisions kept (not expired yet) */
	int	failed;		/* entries that could not be removed */
};

/*
 * Sweeps the rsync directory rsync_dirfd. current is the target of current
 * (NULL if none). Whether a replaced revision may go now is pol's rule
 * (cleanup.h). The child runs as privs' user (NULL: as we are) with no
 * capabilities. A revision on disk that st->history does not know is dated
 * by when the next newer revision directory was made (its change time),
 * at most now, and recorded in st; a time after now counts as now. Returns 0 when everything due was
 * removed, -1 otherwise (reason logged); fills stats.
 */
int	sweep_run(int rsync_dirfd, const char *current, struct state *st,
	    long long now, const struct cleanup_policy *pol,
	    const struct privs *privs, struct sweep_stats *stats);

/*
 * Runs fn(dirfd, arg) in a forked child that has dropped to privs' user
 * with no capabilities, no_new_privs and, where the kernel offers it,
 * Landlock confinement to reading and removing beneath dirfd. fn returns
 * the number of failures. Returns that number (capped at 255), or -1 if
 * the child could not run.
 */
int	sweep_in_child(int dirfd, int (*fn)(int dirfd, void *arg), void *arg,
	    const struct privs *privs);

#endif
