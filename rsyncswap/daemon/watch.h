/* The sidecar daemon: syncs when the origin changes, sweeps on a timer. */
#ifndef RSYNCSWAP_WATCH_H
#define RSYNCSWAP_WATCH_H

#include "rsyncswap/sync/sync.h"

struct watch_options {
	struct sync_options	 sync;
	long			 interval;	/* seconds between checks */
	const char		*metrics_file;	/* NULL: none */
	const char		*rsyncd_log;	/* NULL: none */
	long long		 cleanup_max;	/* bound of the tuned value */
	long long		 expiry_warn;	/* --expiry-warn, seconds */
	long long		 origin_quiet;	/* --origin-quiet, seconds */
};

/*
 * Runs until SIGTERM or SIGINT. Returns SYNC_OK after a clean stop (an
 * unfinished revision discarded, current intact), SYNC_FAILED when it
 * cannot start (one line on stderr), SYNC_LOCKED when another instance
 * holds the lock.
 */
enum sync_result watch_run(const struct watch_options *w);

#endif
