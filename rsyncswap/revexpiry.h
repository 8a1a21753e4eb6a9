/*
 * The expiry file of a revision built from deltas, without reading the
 * whole tree: the previous revision's file, with the directories the
 * deltas touched read again from the new revision.
 */
#ifndef RSYNCSWAP_REVEXPIRY_H
#define RSYNCSWAP_REVEXPIRY_H

#include <stddef.h>

#include "rsyncswap/expiry_read.h"

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
 * Writes to w the expiry of the revision directory revfd: what prev (the
 * file of the revision the deltas were applied to, read to its end) says
 * of the directories the deltas did not touch, and the touched ones (t,
 * sorted here) read again. Returns 0, or -1 with a message in errbuf if
 * prev is damaged.
 */
int	revexpiry_from_deltas(struct expiry_reader *prev, int revfd,
	    struct touched *t, struct expiry_writer *w, char *errbuf,
	    size_t errsz);

#endif
