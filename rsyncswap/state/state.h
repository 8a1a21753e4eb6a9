/*
 * Persistent state in <state-dir>/state (a small text file written
 * atomically: temp file, fsync, rename, fsync dir), and the run lock
 * <state-dir>/lock (flock).
 */
#ifndef RSYNCSWAP_STATE_H
#define RSYNCSWAP_STATE_H

#include <stddef.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/uuid.h"
#include "rsyncswap/tree/digest.h"

#define STATE_NAME_MAX	256
/*
 * Largest state file read: room for MAX_NOTIFICATION_DELTAS "delta" lines
 * (at most 91 bytes each) and MAX_HISTORY history lines, with margin.
 */

struct rrdp_notification;

/* A delta listed in the last notification we acted on. */
struct state_delta {
	long long	serial;
	unsigned char	hash[DIGEST_LEN];	/* SHA-256, as RRDP_HASH_LEN */
};

/* A revision that is or was current. */
struct state_revision {
	char		name[STATE_NAME_MAX];	/* session_<uuid>_serial_<n> */
	long long	since;		/* became current (epoch seconds) */
	long long	until;		/* stopped being current; 0 = still is */
	long long	removed;	/* removed by a sweep; 0 = not (yet) */
};

struct state {
	char			 session_id[UUID_LEN + 1];	/* "" = none */
	long long		 serial;
	char			 revision[STATE_NAME_MAX];	/* current target */
	char			 etag[256];		/* of the notification */
	char			 last_modified[128];
	struct state_delta	*deltas;
	size_t			 ndeltas;
	struct state_revision	 history[MAX_HISTORY];	/* oldest first */
	size_t			 nhistory;
	long long		 last_success;
	long long		 last_failure;
	char			 last_error[512];
	char			 host[512];	/* the one host (flat: host/module) */
	int			 layout;	/* enum uri_layout of the revision;
						   -1 = not recorded */
	char			 rsync_dir[1024];	/* where its revisions are
							   ("" = not recorded) */
	long long		 objects;	/* objects in the current revision */
	struct digest		 digest;	/* of revision */
	int			 have_digest;	/* 0: none recorded */
	long long		 cleanup_after;	/* effective; 0 = never set */
	long long		 tune_longest;	/* longest rsyncd session (s) */
	long long		 tune_changed;	/* last change of the tuning */
	char			 rsyncd_log[512];	/* watch's rsyncd log, as
						   it stood; "" = none
						   followed */
};

/*
 * Reads <dir>/state into st (zeroed first). Returns 0 when read, 1 when
 * there is no state file, -1 when it exists but is unreadable or damaged
 * (reason in err); st is then empty.
 */
int	state_read(const char *dir, struct state *st, char *err, size_t errsz);

/*
 * Removes temporary files of state writes that were interrupted (the
 * caller holds the lock, so no write is under way).
 */
void	state_clean_temps(const char *dir);

/* Writes st atomically to <dir>/state. Returns 0, or -1 with reason in err. */
int	state_write(const char *dir, const struct state *st, char *err,
	    size_t errsz);

/*
 * Records that revision name became current at time now: closes the
 * previous history entry (until = now) and appends a new one, dropping the
 * oldest entries beyond MAX_HISTORY.
 */
void	state_history_push(struct state *st, const char *name, long long now);

/*
 * Returns the history entry that was current at time t (the newest one
 * whose since <= t < until), or NULL.
 */
const struct state_revision *state_history_at(const struct state *st,
	    long long t);

/*
 * Records that revision name, which the history does not hold (a lost
 * state, or evicted from a full history), stopped being current at until:
 * a closed entry before the open one, the oldest dropped when full.
 * Returns its entry (name's entry, unchanged, if the history holds it).
 */
struct state_revision *state_history_adopt(struct state *st, const char *name,
	    long long until);

/* Drops the oldest history entry if the history is full (MAX_HISTORY). */
void	state_history_make_room(struct state *st);

/* Returns the history entry of name, or NULL. */
struct state_revision *state_history_find(struct state *st, const char *name);

/* Replaces the remembered delta list with the notification's. Returns 0 or -1 (ENOMEM). */
int	state_set_deltas(struct state *st, const struct rrdp_notification *n);

void	state_free(struct state *st);

/*
 * Takes an exclusive flock on <dir>/lock (creating it) and writes our pid
 * into it. Returns the fd, -2 when another process holds it (err then
 * names its pid), -1 on other errors (reason in err).
 */
int	state_lock(const char *dir, char *err, size_t errsz);

#endif
