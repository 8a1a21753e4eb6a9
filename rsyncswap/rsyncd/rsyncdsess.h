/*
 * rsyncd sessions, rebuilt from parsed log lines (rsyncdlog.h) keyed by the
 * pid of the connection's child. Memory is a fixed table of open sessions
 * allocated once; every session is handed to a callback exactly once, when
 * it completes:
 *
 *   END       its "sent ... bytes" line (the normal end, also after errors;
 *             an "rsync error" line logged after it is not attached)
 *   REFUSED   "max connections (N) reached"
 *   NOXFER    module list, unknown module, access denied, auth failed
 *   LOST      its pid connected again before an end line (daemon child died)
 *   EVICTED   the table was full: the open session that was seen least
 *             recently made room
 *   OPEN      still open when rsyncd_sessions_flush was called
 *
 * A line for a pid that is not open (the log began mid-session) opens a
 * session with connected = 0, except end, error and other lines: those
 * belong to no session we know (the daemon's own "rsyncd version ...
 * starting" and "sent 0 bytes" at exit, or the tail of a session whose
 * start was not seen) and are ignored; end lines among them are counted
 * in orphans.
 */
#ifndef RSYNCSWAP_RSYNCDSESS_H
#define RSYNCSWAP_RSYNCDSESS_H

#include <stddef.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rsyncd/rsyncdlog.h"

enum rsyncd_outcome {
	RSYNCD_SESS_END,
	RSYNCD_SESS_REFUSED,
	RSYNCD_SESS_NOXFER,
	RSYNCD_SESS_LOST,
	RSYNCD_SESS_EVICTED,
	RSYNCD_SESS_OPEN
};

struct rsyncd_session {
	long			pid;
	enum rsyncd_outcome	outcome;
	long long		connected;	/* connect line; 0 = not seen */
	long long		started;	/* "rsync on" line; 0 = none */
	long long		ended;		/* end or refusal line; 0 = none */
	long long		last;		/* time of its last line */
	char			module[RSYNCD_MODULE_MAX + 1];
	char			host[RSYNCD_HOST_MAX + 1];
	char			ip[RSYNCD_IP_MAX + 1];
	long long		sent, received, total;	/* of the end line */
	unsigned long		vanished_files;
	unsigned long		vanished_dirs;
	char			first_vanished[RSYNCD_PATH_MAX + 1];
	long			error_code;	/* "rsync error" before the end; -1 none */
};

struct rsyncd_sessions_stats {
	unsigned long long	completed;	/* callbacks made */
	unsigned long long	evicted;
	unsigned long long	lost;
	unsigned long long	orphans;	/* end lines of unknown pids */
	size_t			open;		/* open right now */
};

typedef void	(*rsyncd_session_cb)(const struct rsyncd_session *, void *);

struct rsyncd_sessions;

/*
 * Returns a table for at most max_open open sessions (0: RSYNCD_SESSIONS_MAX)
 * that calls cb(session, arg) for each completed session, or NULL when out
 * of memory.
 */
struct rsyncd_sessions	*rsyncd_sessions_new(size_t max_open,
			    rsyncd_session_cb cb, void *arg);

/*
 * Adds one parsed line. Returns the number of sessions it completed
 * (evicted, lost or ended: 0 to 2), each already passed to the callback.
 * RSYNCD_OTHER lines only refresh the session's last time.
 */
int	rsyncd_sessions_add(struct rsyncd_sessions *, const struct rsyncd_line *);

/*
 * Completes, as OPEN, every open session whose last line is older than
 * before (epoch seconds; 0 = all of them, e.g. at the end of a report).
 * Returns how many.
 */
size_t	rsyncd_sessions_flush(struct rsyncd_sessions *, long long before);

void	rsyncd_sessions_stats(const struct rsyncd_sessions *,
	    struct rsyncd_sessions_stats *);

void	rsyncd_sessions_free(struct rsyncd_sessions *);

/* Returns the name of an outcome ("end", "refused", ...). */
const char	*rsyncd_outcome_name(enum rsyncd_outcome);

#endif
