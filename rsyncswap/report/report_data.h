/*
 * What `rsyncswap report` collects from rsyncd logs: counters, a duration
 * histogram, a per-hour table, distinct clients, the sessions with vanished
 * lines (attributed to revisions of the state's history) and thinned points
 * for the SVG. Memory is bounded by the REPORT_* limits of limits.h
 * whatever the size of the logs.
 */
#ifndef RSYNCSWAP_REPORT_DATA_H
#define RSYNCSWAP_REPORT_DATA_H

#include <stddef.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rsyncd/rsyncdlog.h"
#include "rsyncswap/rsyncd/rsyncdsess.h"
#include "rsyncswap/state/state.h"

/*
 * Durations: 1-second buckets below REPORT_DUR_FINE seconds (exact: the log
 * has whole seconds), then REPORT_DUR_STEP-second buckets up to
 * REPORT_DUR_FINE + REPORT_DUR_COARSE * REPORT_DUR_STEP (7 days); a
 * percentile is the upper bound of its bucket. The maximum is exact.
 */
#define REPORT_DUR_FINE		7200
#define REPORT_DUR_STEP		60
#define REPORT_DUR_COARSE	((7 * 86400 - REPORT_DUR_FINE) / REPORT_DUR_STEP)

struct report_hour {
	long long	sessions;	/* transfers that connected in it */
	long long	vanished;	/* their vanished lines */
	long long	refusals;
	long long	max_duration;
};

/* One session of the SVG: connect time, duration, kind. */
struct report_point {
	long long	t;
	long long	duration;
	int		refused;
};

/* A session with vanished lines. */
struct report_vanished {
	long		pid;
	char		ip[RSYNCD_IP_MAX + 1];
	char		module[RSYNCD_MODULE_MAX + 1];
	long long	connected;	/* or its start when not seen */
	long long	ended;		/* 0: no end line */
	unsigned long	files, dirs;
	char		first[RSYNCD_PATH_MAX + 1];
	int		rev;		/* index in the state history; -1 none */
	int		ambiguous;	/* connected in the second of a swap */
};

struct report_client {
	char	ip[RSYNCD_IP_MAX + 1];
	int	affected;
};

struct report_data {
	unsigned long long	 lines, malformed;
	long long		 first, last;	/* line times; 0 = none */
	unsigned long long	 kinds[RSYNCD_OTHER + 1];
	unsigned long long	 sessions;	/* with a "rsync on" line */
	unsigned long long	 finished;	/* of those, with an end line */
	unsigned long long	 unfinished;	/* of those, without */
	unsigned long long	 noxfer, evicted, lost;
	long long		 longest_open;	/* age of an unfinished one */
	unsigned long long	 bytes_sent, bytes_received;
	unsigned long long	 vanished_sessions;
	/* Durations of finished sessions. */
	unsigned long long	*dur_fine, *dur_coarse, ndur;
	long long		 max_duration;
	/* Per hour, from the hour of the first line. */
	long long		 first_hour;
	struct report_hour	*hours;
	size_t			 nhours;
	unsigned long long	 hours_dropped;
	/* Distinct clients: open addressing, REPORT_CLIENTS_MAX at most. */
	struct report_client	*clients;
	size_t			 nclients, clients_affected;
	int			 clients_full;
	/* Vanished sessions, in order of completion. */
	struct report_vanished	*vs;
	size_t			 nvs, vs_alloc;
	unsigned long long	 vs_more;
	/* SVG points: every stride-th session; thinned 2:1 when full. */
	struct report_point	*points;
	size_t			 npoints;
	unsigned long long	 stride, tick;
	/* The state for attribution, or NULL. */
	const struct state	*state;
};

/* Sets up d (attributing to st when not NULL). Returns 0, or -1 (ENOMEM). */
int	report_data_init(struct report_data *d, const struct state *st);
void	report_data_free(struct report_data *d);

/* rsyncd_sessions callback: counts one completed session into arg. */
void	report_data_session(const struct rsyncd_session *s, void *arg);

/* Counts one parsed line (time range, kinds, refusals per hour). */
void	report_data_line(struct report_data *d, const struct rsyncd_line *l);

/*
 * Returns the duration at quantile q (0 < q <= 1) of finished sessions, or
 * -1 when there are none.
 */
long long	report_data_quantile(const struct report_data *d, double q);

/*
 * Returns the recommended --cleanup-after and writes why into reason:
 * max(CLEANUP_AFTER_DEFAULT, 2 x the longest finished session, rounded up
 * to a whole minute).
 */
long long	report_data_cleanup(const struct report_data *d, char *reason,
		    size_t reasonsz);

#endif
