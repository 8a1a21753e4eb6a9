/*
 * One sync run: notification -> decision -> revision -> swap -> sweep;
 * what else a run feeds (the expiry summary, --rrdp-dir) hooks in through
 * sync_hook.h.
 */
#ifndef RSYNCSWAP_SYNC_H
#define RSYNCSWAP_SYNC_H

#include <signal.h>
#include <stddef.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/uri.h"
#include "rsyncswap/fetch/fetch.h"
#include "rsyncswap/sweep/privs.h"
#include "rsyncswap/sync/sync_hook.h"
#include "rsyncswap/tree/tree.h"

struct sync_options {
	const char		*notification_uri;
	const char		*state_dir;
	const char		*rsync_dir;
	struct fetch_config	 fetch;
	enum uri_layout		 layout;	/* --include-host, --flat */
	enum tree_mode		 tree;		/* --btrfs */
	long long		 cleanup_after;
	/* Reader-aware cleanup (cleanup.h). */
	long long		 keep_min;	/* --cleanup-after as given */
	long long		 cleanup_max;	/* --cleanup-max */
	int			 no_reader_scan;	/* the time rule only */
	long long		 max_revisions;	/* 0: no budget */
	long long		 max_disk;	/* bytes; 0: no budget */
	int			 costs;		/* measure revisions (metrics) */
	int			 daemon;	/* run by watch */
	size_t			 max_deltas;
	size_t			 max_object_size;
	size_t			 min_objects;
	const char		*modules[MAX_MODULES];	/* --module URIs */
	size_t			 nmodules;
	long long		 max_shrink;	/* percent; 100: no guard */
	int			 quiet;
	int			 lock_held;	/* the caller holds the lock */
	const struct privs	*privs;		/* of the sweeper; NULL: none */
	struct sync_hooks	 hooks;		/* expiry summary, --rrdp-dir */
	/* The daemon's adaptive cleanup, kept in the state when changed. */
	long long		 tune_longest;
	long long		 tune_changed;
	/* watch: how its rsyncd log stands, for status; NULL: none. */
	const char		*rsyncd_log_note;
};

/* What the last run did, for the summary line and metrics. */
struct sync_report {
	char		 session_id[40];
	long long	 serial;
	const char	*action;	/* "snapshot", "deltas", "up to date" */
	long long	 first_delta, last_delta;
	size_t		 objects;
	long long	 bytes;
	char		 current[256];
	int		 swept;
};

/* What a run came to; the command line makes it an exit code. */
enum sync_result {
	SYNC_OK = 0,
	SYNC_FAILED = -1,	/* one line on stderr, current untouched */
	SYNC_LOCKED = -2	/* another instance holds the lock */
};

/*
 * Set (by a signal handler) to stop the running sync at the next chunk of
 * input; its unfinished revision is discarded and current is untouched.
 */
extern volatile sig_atomic_t sync_interrupt;

/*
 * Runs one sync. Returns SYNC_OK, SYNC_FAILED (one line on stderr, current
 * untouched) or SYNC_LOCKED, and fills rep.
 */
enum sync_result sync_run(const struct sync_options *o,
	    struct sync_report *rep);

/*
 * Runs only the sweep; the number of entries removed goes to *swept.
 * Returns SYNC_OK, SYNC_FAILED or SYNC_LOCKED.
 */
enum sync_result sync_sweep_only(const struct sync_options *o, int *swept);

#endif
