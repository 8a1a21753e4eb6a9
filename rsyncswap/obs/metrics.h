/*
 * Metrics in the Prometheus text format (node_exporter's textfile
 * collector), written atomically after every sync and sweep.
 */
#ifndef RSYNCSWAP_METRICS_H
#define RSYNCSWAP_METRICS_H

#include "rsyncswap/expiry/expiry.h"
#include "rsyncswap/state/state.h"
#include "rsyncswap/sweep/cleanup_file.h"

/* Counters kept by the running process (the rest comes from state). */
struct metrics {
	long long	syncs_ok;
	long long	syncs_failed;
	long long	sweeps;
	long long	swept;			/* entries removed by sweeps */
	double		last_sync_seconds;	/* duration of the last sync */
	long long	last_sync_bytes;	/* object bytes written by it */
	long long	cleanup_after;		/* effective, seconds */
	long long	vanished;		/* "file has vanished" lines */
	long long	vanished_ours;		/* ... attributed to a sweep */
	long long	rsyncd_lines;		/* rsyncd log lines read */
	long long	rsyncd_malformed;	/* ... not in rsyncd's format */
	long long	expiry_warn;		/* window of "expiring", s */
	const struct cleanup_file *cleanup;	/* what the sweep saw; NULL */
};

/*
 * Writes the metrics of st (state), sum (expiry; may be NULL), the
 * revisions on disk below
 * rsync_dirfd and m to path via a temporary file and rename. Returns 0, or
 * -1 with a reason in err.
 */
int	metrics_write(const char *path, const struct state *st,
	    const struct expiry_summary *sum, int rsync_dirfd,
	    const struct metrics *m, char *err, size_t errsz);

/*
 * Writes the metrics file path from the state and expiry summary in
 * state_dir, the revisions in rsync_dir and m. Returns 0, or -1 (logged).
 */
int	metrics_update(const char *path, const char *state_dir,
	    const char *rsync_dir, const struct metrics *m);

/*
 * Takes the last sync's bytes and duration from the metrics file path
 * (written by an earlier run) into m, for a run that did not sync (a
 * sweep): its file speaks of that sync still. Returns 1 if both were
 * there, else 0 (m unchanged).
 */
int	metrics_keep_last_sync(const char *path, struct metrics *m);

/* Returns the number of revision directories below rsync_dirfd. */
int	metrics_count_revisions(int rsync_dirfd);

#endif
