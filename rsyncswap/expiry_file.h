/*
 * The expiry summary of the served revision, kept in <state-dir>/expiry so
 * that `rsyncswap status` can show it without reading the tree.
 */
#ifndef RSYNCSWAP_EXPIRY_FILE_H
#define RSYNCSWAP_EXPIRY_FILE_H

#include <stddef.h>

#include "rsyncswap/expiry.h"

/* Name of the file below the state directory. */
#define EXPIRY_FILE_NAME	"expiry"

/*
 * Writes sum to <state_dir>/expiry atomically (mkostemp, write, fsync,
 * rename, fsync of the directory), mode 0644. Control characters in paths
 * are written as '?'. Returns 0, or -1 with a message in errbuf.
 */
int	expiry_save(const char *state_dir, const struct expiry_summary *sum,
	    char *errbuf, size_t errsz);

/*
 * Reads <state_dir>/expiry into sum (freed by expiry_summary_free).
 * Bounded: at most MAX_EXPIRY_PPS PPs and MAX_EXPIRY_BAD damaged objects,
 * lines of at most PATH_MAX + 256 octets. Returns 0; 1 if there is no such
 * file; -1 with a message in errbuf if it cannot be read or is damaged
 * (sum is then empty).
 */
int	expiry_load(const char *state_dir, struct expiry_summary *sum,
	    char *errbuf, size_t errsz);

#endif
