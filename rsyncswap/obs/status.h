/* `rsyncswap status`: what is served, since when, and what is on disk. */
#ifndef RSYNCSWAP_STATUS_H
#define RSYNCSWAP_STATUS_H

#include <stdio.h>

/* The schema named by `status --json` (a new one when a key changes). */
#define STATUS_SCHEMA		"rsyncswap-status/1"

/* The health line's words, worst first after serving. */
#define STATUS_SERVING		0
#define STATUS_NOT_SERVING	1
#define STATUS_STALE		2
#define STATUS_EXPIRED		3
#define STATUS_EXPIRY_UNKNOWN	4	/* serving, its expiry not watched */

/* What status found; the command line makes it an exit code. */
enum status_verdict {
	VERDICT_SERVING,	/* serving, fresh, nothing expired */
	VERDICT_NO_STATE,	/* no state directory; state missing, damaged */
	VERDICT_NOT_SERVING,
	VERDICT_STALE,
	VERDICT_EXPIRED,
	VERDICT_EXPIRY_UNKNOWN	/* no summary of the served revision */
};

struct status_options {
	int		 json;
	int		 quiet;		/* -q: the exit code and stderr only */
	long long	 expiry_warn;	/* seconds */
	long long	 stale_after;	/* seconds */
};

/*
 * Prints the status of state_dir / rsync_dir to f, as text or JSON: a
 * health line (serving, not serving, stale, expired), the state, the
 * revisions on disk and the expiry of the served revision.
 * Returns the verdict, after one line on stderr when it is not serving:
 * VERDICT_NO_STATE when state_dir does not exist, else VERDICT_NOT_SERVING,
 * else VERDICT_NO_STATE when the state file is missing or damaged, else
 * VERDICT_EXPIRED, VERDICT_STALE, VERDICT_EXPIRY_UNKNOWN (no expiry
 * summary of the served revision can be read, for longer than a run takes
 * to write one) or VERDICT_SERVING.
 */
enum status_verdict status_print(FILE *f, const char *state_dir,
	    const char *rsync_dir, const struct status_options *so);

#endif
