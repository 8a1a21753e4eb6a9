/*
 * The privileged helper: a process forked before any input is read, when
 * rsyncswap starts as root with --user. It runs as that user and keeps
 * only CAP_CHOWN (the chown of current.tmp to root, which rsyncd's `use
 * chroot = no` needs), CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (reading
 * rsyncd's /proc/PID/root, cwd and fd of another user). It answers two
 * fixed-size requests over a socketpair, reads no other input, has no
 * network, and exits when its parent does. The parent keeps no capability.
 */
#ifndef RSYNCSWAP_PRIVHELPER_H
#define RSYNCSWAP_PRIVHELPER_H

#include <sys/types.h>

#include <stddef.h>

#include "rsyncswap/readers/readers.h"
#include "rsyncswap/sweep/privs.h"

/*
 * Forks the helper for p's user and the rsync directory rsync_dir (which
 * must exist). Only when we are root and p has a user; otherwise does
 * nothing. Returns 0, or -1 with the reason in err.
 */
int	privhelper_start(const struct privs *p, const char *rsync_dir,
	    char *err, size_t errsz);

/* Returns the helper's pid, or 0 when there is none. */
pid_t	privhelper_pid(void);

/*
 * Has the helper chown <rsync-dir>/current.tmp (a symlink) to root.
 * Returns 0, or -1 with the reason in err.
 */
int	privhelper_chown_current(char *err, size_t errsz);

/*
 * Has the helper scan /proc for readers of the revisions into s (zeroed
 * first). Returns 0, or -1 when the helper did not answer (s->error set).
 */
int	privhelper_scan(struct readers_scan *s);

#endif
