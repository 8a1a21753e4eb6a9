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

/* Exit codes of `rsyncswap status` beyond 0 (serving) and 1 (no state). */
#define STATUS_EXIT_NOT_SERVING	3
#define STATUS_EXIT_STALE	4
#define STATUS_EXIT_EXPIRED	5

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
 * Returns the exit code, after one line on stderr when it is not 0:
 * 1 when state_dir does not exist, else STATUS_EXIT_NOT_SERVING, else 1
 * when the state file is missing or damaged, else STATUS_EXIT_EXPIRED,
 * STATUS_EXIT_STALE or 0 (serving).
 */
int	status_print(FILE *f, const char *state_dir, const char *rsync_dir,
	    const struct status_options *so);

#endif
