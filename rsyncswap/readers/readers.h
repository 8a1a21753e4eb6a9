/*
 * Which revision directories rsyncd serves right now: the processes whose
 * root, working directory or open files lie inside a revision of the rsync
 * directory, found under /proc. Reading another user's /proc/PID/root, cwd
 * and fd links needs ptrace read access; the privileged helper runs this
 * scan when we started as root, the process itself otherwise. A scan that
 * sees no rsync daemon (a process running rsync --daemon) cannot tell:
 * rsyncd is then out of sight, as in another PID namespace. Nor can one
 * that sees only daemons whose configuration serves other trees
 * (rsyncdconf.h): those may be another repository's, or tests'.
 */
#ifndef RSYNCSWAP_READERS_H
#define RSYNCSWAP_READERS_H

#include <sys/types.h>

#include <stddef.h>

#include "rsyncswap/state/state.h"

/* One process inside one revision. */
struct reader {
	pid_t			pid;
	pid_t			nspid;	/* its pid in its own PID namespace */
	unsigned long long	sockino;	/* its first socket's inode; 0 */
	char			name[STATE_NAME_MAX];	/* the revision */
};

/* The outcome of one scan. */
struct readers_scan {
	struct reader	*r;
	size_t		 n, cap;
	int		 rsync_seen;	/* processes named rsync */
	int		 daemons;	/* of those, running rsync --daemon */
	int		 serving;	/* of those, configured with a module
					   in the rsync directory */
	int		 conf_unknown;	/* of those, configuration unread */
	int		 denied;	/* rsync processes we could not inspect */
	pid_t		 denied_pid;	/* the first of those */
	int		 error;		/* errno of a scan that did not run */
	long long	 started;	/* when it started (epoch seconds) */
};

/*
 * Scans /proc for processes inside the revisions of the directory whose
 * real path is rsync_real, skipping the processes skip[0..nskip); each one
 * found is passed to emit (which returns 0, or -1 to stop). Fills the
 * counters of sum (its r list untouched). Returns 0, or -1 when /proc
 * could not be read (sum->error set).
 */
int	readers_scan_proc(const char *rsync_real, const pid_t *skip,
	    size_t nskip, int (*emit)(const struct reader *, void *),
	    void *arg, struct readers_scan *sum);

/* Appends rd to s's list. Returns 0, or -1 (out of memory, or full). */
int	readers_add(struct readers_scan *s, const struct reader *rd);

/* Runs a scan in this process into s (zeroed first). Returns 0 or -1. */
int	readers_scan_here(const char *rsync_dir, struct readers_scan *s);

/*
 * Returns why the scan s cannot tell which revisions are served (a
 * sentence), or NULL when it can.
 */
const char *readers_unusable(const struct readers_scan *s, char *buf,
	    size_t bufsz);

/*
 * Returns 1 if pid is a process of s inside a revision, by its pid or by its
 * pid in its own PID namespace (as rsyncd there logs it); 0 otherwise.
 */
int	readers_has_pid(const struct readers_scan *s, long pid);

/* Returns the number of processes of s inside revision name. */
int	readers_count(const struct readers_scan *s, const char *name);

/*
 * Writes the remote address of the TCP socket with inode sockino (from
 * /proc/net/tcp and tcp6) into buf as "ADDR port PORT". Returns 0, or -1
 * when it is not found.
 */
int	readers_peer(unsigned long long sockino, char *buf, size_t bufsz);

void	readers_free(struct readers_scan *s);

#endif
