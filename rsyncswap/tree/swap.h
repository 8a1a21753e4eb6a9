/* The <rsync-dir>/current symlink: read it, and swap it atomically. */
#ifndef RSYNCSWAP_SWAP_H
#define RSYNCSWAP_SWAP_H

#include <stddef.h>

#define CURRENT_NAME		"current"
#define CURRENT_TMP_NAME	"current.tmp"

/*
 * Reads the target of current into buf. Returns 0, 1 when there is no
 * current, or -1 when current is not a symlink to a revision name (reason
 * in err).
 */
int	swap_read_current(int rsync_dirfd, char *buf, size_t bufsz, char *err,
	    size_t errsz);

/*
 * Points current at revision name: a relative symlink current.tmp is
 * renamed over current, then the directory is fsynced. Returns 0, or -1
 * with a reason in err (current is then unchanged).
 */
int	swap_current(int rsync_dirfd, const char *name, char *err,
	    size_t errsz);

/*
 * Writes the name of the revision of session and serial,
 * session_<uuid>_serial_<n>, into buf. Returns 0, or -1 if it does not fit.
 */
int	swap_revision_name(char *buf, size_t bufsz, const char *session,
	    long long serial);

/*
 * Returns 1 if name is a revision name session_<uuid>_serial_<n> (n from
 * 1, no leading zero), filling session (UUID_LEN + 1 bytes) and serial
 * when not NULL; else 0.
 */
int	swap_parse_revision_name(const char *name, char *session,
	    long long *serial);

/* Returns 1 if name is a revision name session_<uuid>_serial_<n>. */
int	swap_is_revision_name(const char *name);

/*
 * A revision that was served and is replaced by a new tree of its own
 * name (rebuilt without the state's word for it, or to add a module)
 * keeps a temporary name with this suffix: rsyncd clients may still read
 * it, so the sweep removes it as a replaced revision (readers, the time
 * rule), not at once as what an interrupted run left.
 */
#define REPLACED_SUFFIX		"-replaced"

/* Returns 1 if name is such a replaced revision's. */
int	swap_is_replaced_name(const char *name);

/*
 * Returns 1 if name is a revision's or a replaced revision's: a tree
 * rsyncd may serve, that status lists and the cleanup rule removes.
 */
int	swap_is_served_name(const char *name);

#endif
