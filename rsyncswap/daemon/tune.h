/*
 * Adaptive cleanup: the time a replaced revision is kept (cleanup-after)
 * starts at --cleanup-after, is raised when a client's "file has vanished"
 * is attributed to our own removal and when a session runs longer than the
 * current value allows (with a margin), never beyond --cleanup-max, and
 * decays slowly back after quiet periods.
 */
#ifndef RSYNCSWAP_TUNE_H
#define RSYNCSWAP_TUNE_H

#include <stddef.h>

#include "rsyncswap/rsyncd/rsyncdsess.h"
#include "rsyncswap/state/state.h"

struct tune {
	long long	configured;	/* --cleanup-after */
	long long	max;		/* --cleanup-max */
	long long	effective;	/* what sweeps use now */
	long long	longest;	/* longest session seen (decays) */
	long long	changed;	/* when effective last changed; 0 never */
};

/* Sets t up from the options and what st remembers of earlier tuning. */
void	tune_init(struct tune *t, long long configured, long long max,
	    const struct state *st);

/*
 * Returns 1 when the vanished lines of s are ours: r (the revision current
 * when s connected) was removed by a sweep before s ended.
 */
int	tune_vanished_ours(const struct rsyncd_session *s,
	    const struct state_revision *r);

/*
 * Learns from the completed session s, which read revision r (NULL if
 * unknown), at time now. Returns 1 when t->effective changed, with the
 * reason (client, revision, session length) in why; 0 otherwise.
 */
int	tune_session(struct tune *t, const struct rsyncd_session *s,
	    const struct state_revision *r, long long now, char *why,
	    size_t whysz);

/*
 * Decays t after a quiet period. Returns 1 when t->effective changed, with
 * the reason in why; 0 otherwise.
 */
int	tune_decay(struct tune *t, long long now, char *why, size_t whysz);

#endif
