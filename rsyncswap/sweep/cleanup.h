/*
 * The cleanup rule: may a replaced revision be removed now. With a scan of
 * rsyncd's processes (readers.h) a revision is removed once a scan that
 * started after its replacement (plus READERS_GRACE) finds nobody inside
 * it, after --cleanup-after at the least and --cleanup-max at the most;
 * without one, by time alone (the tuned cleanup time). A disk budget
 * (--max-revisions, --max-disk) removes the oldest unread revisions
 * first. What a sweep decided is kept in <state-dir>/cleanup for status
 * and metrics.
 */
#ifndef RSYNCSWAP_CLEANUP_H
#define RSYNCSWAP_CLEANUP_H

#include <stddef.h>

#include "rsyncswap/readers/readers.h"
#include "rsyncswap/state/state.h"

struct cleanup_policy {
	long long	 keep_min;	/* --cleanup-after as configured */
	long long	 time_rule;	/* the cleanup time without a scan */
	long long	 keep_max;	/* --cleanup-max */
	int		 scan;		/* 0: --no-reader-scan */
	long long	 max_revisions;	/* 0: no limit */
	long long	 max_disk;	/* bytes; 0: no limit */
	int		 costs;		/* measure every revision's cost */
	int		 daemon;	/* watch: a fallback is a warning */
	const char	*rsync_dir;
	const char	*state_dir;
};

/* A revision on disk as the sweep saw it. */
struct cleanup_rev {
	char		 name[STATE_NAME_MAX];
	long long	 until;		/* replaced at; 0: current */
	int		 readers;	/* processes inside it; -1: unknown */
	long long	 removable;	/* earliest removal; 0: now */
	char		 why[96];	/* why it is kept ("" when removed) */
	long long	 bytes, inodes;	/* its own cost; -1: not measured */
	long long	 share;		/* its share of the bytes on disk */
	int		 remove;
};

/* One sweep's view. */
struct cleanup {
	const struct cleanup_policy *pol;
	struct readers_scan	 scan;
	int			 usable;	/* the scan tells who reads */
	char			 unusable[256];	/* why it does not */
	struct cleanup_rev	*revs;
	size_t			 n, cap;
	long long		 now;
	int			 short_revisions;	/* over the budget */
	long long		 short_bytes;
};

/* Counters of this process, for metrics. */
struct cleanup_totals {
	long long	scans, scan_failures;
	long long	removed, removed_seconds;	/* replacement to removal */
	long long	removed_max_seconds;
	long long	hurt;		/* readers hurt past --cleanup-max */
	int		mode;		/* CLEANUP_MODE_* of the last sweep */
};

#define CLEANUP_MODE_READERS	1	/* reader-aware */
#define CLEANUP_MODE_FALLBACK	2	/* time rule: the scan cannot run */
#define CLEANUP_MODE_OFF	3	/* time rule: --no-reader-scan */

/*
 * A second opinion on a scan (watch's rsyncd log): before() is called just
 * before each scan, after(s) just after it; after returns 1 with a reason
 * in why when the scan missed a reader it knows of (rsyncd is then taken
 * to be out of the scan's sight for the rest of the run), 0 otherwise.
 */
struct cleanup_witness {
	void	(*before)(void *arg);
	int	(*after)(const struct readers_scan *s, char *why, size_t whysz,
		    void *arg);
	void	*arg;
};

/* Sets the witness of later sweeps (NULL: none). */
void	cleanup_set_witness(const struct cleanup_witness *w);

/*
 * Starts a sweep at now under pol: scans for readers (through the helper
 * when there is one), and logs when the scan became unusable or usable
 * again. Returns 0, or -1 (out of memory).
 */
int	cleanup_begin(struct cleanup *c, const struct cleanup_policy *pol,
	    long long now);

/*
 * Decides about revision name on disk: r its history entry (NULL or
 * until 0 for the current revision). Returns 1 to remove it now, 0 to keep
 * it; remembers it for the budget and the cleanup file.
 */
int	cleanup_decide(struct cleanup *c, const char *name,
	    const struct state_revision *r);

/*
 * Measures the revisions below rsync_dirfd when the policy wants their
 * costs, and applies the disk budget to those kept so far: marks the oldest
 * unread ones for removal until the budget holds, and passes each to add
 * (which returns 0, or -1 to stop). Logs a shortfall.
 */
void	cleanup_budget(struct cleanup *c, int rsync_dirfd,
	    int (*add)(const char *, void *), void *arg);

/*
 * Ends the sweep: name[0..n) were removed (gone[i] set for those that
 * are); counts them, writes <state-dir>/cleanup and frees c.
 */
void	cleanup_end(struct cleanup *c, char *const *names, const int *gone,
	    int n);

/* Returns 1 if the last sweep kept a revision that only readers keep. */
int	cleanup_pending(void);

/* Returns the counters of this process. */
const struct cleanup_totals *cleanup_totals(void);

#endif
