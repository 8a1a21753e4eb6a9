/*
 * The expiry file of a new revision: read in the snapshot's commit, or,
 * after deltas, the previous revision's file with the directories the
 * deltas touched read again from the new revision.
 */
#ifndef RSYNCSWAP_REVEXPIRY_H
#define RSYNCSWAP_REVEXPIRY_H

#include <stddef.h>

#include "rsyncswap/expiry/expiry_read.h"
#include "rsyncswap/expiry/expiry_walk.h"
#include "rsyncswap/tree/revision.h"

/* Directories touched by the deltas of one run. */
struct touched {
	char	**dirs;
	size_t	  n;
	size_t	  cap;
};

/* Records the directory of the object path. Returns 0, or -1 (ENOMEM). */
int	touched_add(struct touched *t, const char *path);
void	touched_free(struct touched *t);

/* The expiry file being made for a new revision. */
struct revexpiry {
	struct expiry_writer	*w;	/* filled by the revision's commit */
	struct expiry_sink	 sink;
	struct expiry_visits	 visits; /* the commit's walk feeds sink */
	int			 walking; /* visits set up */
};

/*
 * Has the commit of rev (built from a snapshot) read its manifests and
 * CRLs, in the walk that sets its directories' times, into a new expiry
 * file of state_dir. If that file cannot be opened, revexpiry_save()
 * reads the tree instead (and logs if that fails too).
 */
void	revexpiry_begin(struct revexpiry *x, const char *state_dir,
	    struct revision *rev, const char *name);

/*
 * Puts <state_dir>/expiry in place for the revision directory name below
 * rsync_dirfd: what its commit read (revexpiry_begin), or, for a revision
 * built from deltas (t: the directories they touched, else NULL), the
 * previous file with the touched directories read again when that file
 * describes prev (the revision the deltas were applied to), or else the
 * tree read one directory at a time. Memory does not grow with the
 * repository. A failure only costs the file: it is removed, and logged.
 */
void	revexpiry_save(struct revexpiry *x, const char *state_dir,
	    int rsync_dirfd, const char *name, const char *prev,
	    struct touched *t);

/* Drops a file begun and not saved (x zeroed is fine). */
void	revexpiry_abort(struct revexpiry *x);

#endif
