/* Expiry watch over a repository tree on disk (any tree, not only ours). */
#ifndef RSYNCSWAP_EXPIRY_WALK_H
#define RSYNCSWAP_EXPIRY_WALK_H

#include <pthread.h>
#include <stddef.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry.h"
#include "rsyncswap/tree/walk.h"

/*
 * Reads every regular file named *.mft or *.crl below dir with
 * tsnorm_inspect() and fills sum (freed by expiry_summary_free). dir itself
 * may be a symlink (e.g. <rsync-dir>/current); nothing below it is
 * followed: symlinks, other non-regular files, directories deeper than
 * MAX_TREE_WALK_DEPTH and paths longer than PATH_MAX are skipped and
 * counted in *skipped (may be NULL). A manifest or CRL that cannot be read
 * is listed as damaged. Memory: one object at a time (at most
 * MAX_OBJECT_SIZE_LIMIT) plus the accumulator's bound (the summary).
 * Returns 0, or -1 with a message in errbuf if dir cannot be opened.
 */
int	expiry_walk(const char *dir, struct expiry_summary *sum,
	    size_t *skipped, char *errbuf, size_t errsz);

/*
 * Walks the directory fd (taken over and closed) like expiry_walk(), giving
 * each directory with manifests or CRLs to sink once, when it is done.
 * Memory does not depend on the size of the tree. Returns the count of
 * what was skipped.
 */
size_t	expiry_walk_fd(int fd, struct expiry_sink *sink);

/*
 * What a tree walk (tree/walk.h) passes, read for the expiry summary: the
 * manifests and CRLs of each directory, given to sink once the directory
 * is done. A revision's commit walks its tree with v to set directory
 * times and fill the summary in one read of the tree.
 */
struct expiry_visit {
	struct tree_visit	 v;		/* what the walk is given */
	struct expiry_sink	*sink;
	unsigned char		*buf;		/* one object; freed at the end */
	size_t			 bufsz;
	size_t			 skipped;	/* not regular when opened */
	struct expiry_dir	 dirs[MAX_TREE_WALK_DEPTH + 1];	/* per level */
};

/* Makes x a visitor feeding sink. */
void	expiry_visit_init(struct expiry_visit *x, struct expiry_sink *sink);

/*
 * The visitors of a commit's walk on several threads (tree_walk_times()):
 * one per thread, all feeding one sink under a lock.
 */
struct expiry_visits {
	struct expiry_visit	 x[WALK_THREADS_MAX];
	const struct tree_visit	*v[WALK_THREADS_MAX];	/* &x[i].v */
	struct expiry_sink	 locked;	/* what each of x feeds */
	struct expiry_sink	*sink;
	pthread_mutex_t		 mu;
};

/* Makes xs visitors feeding sink (one thread at a time). */
void	expiry_visits_init(struct expiry_visits *xs, struct expiry_sink *sink);

/* Frees what the visitors of xs hold. */
void	expiry_visits_free(struct expiry_visits *xs);

/*
 * Reads the manifests and CRLs of the one directory dir (relative to
 * topfd, "" for topfd itself; nothing below it) and gives it to sink.
 * A directory that does not exist (any more) gives nothing.
 */
void	expiry_scan_dir(int topfd, const char *dir, struct expiry_sink *sink);

#endif
