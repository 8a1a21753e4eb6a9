/*
 * The expiry summary of a revision built from deltas, without reading the
 * whole tree: the previous revision's summary, with the directories the
 * deltas touched read again from the new revision.
 */
#ifndef RSYNCSWAP_REVEXPIRY_H
#define RSYNCSWAP_REVEXPIRY_H

#include <stddef.h>

#include "rsyncswap/expiry.h"

/* Directories touched by the deltas of one run. */
struct touched {
	char	**dirs;
	size_t	  n;
	size_t	  cap;
};

/* Records the directory of the object path. Returns 0, or -1 (ENOMEM). */
int	touched_add(struct touched *t, const char *path);
void	touched_free(struct touched *t);

/*
 * Fills sum for the revision directory revfd from prev (the summary of the
 * revision the deltas were applied to) and the touched directories.
 */
void	revexpiry_from_deltas(const struct expiry_summary *prev, int revfd,
	    struct touched *t, struct expiry_summary *sum);

#endif
