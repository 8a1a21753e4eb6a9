/*
 * The one fd-based walk of a revision tree: a depth-bounded descent with
 * openat(O_NOFOLLOW) that never follows a symlink, optionally setting the
 * times of every directory once its content has been walked (what a
 * revision's commit does, on several threads), and handing the regular
 * files it passes to a visitor (what the expiry summary reads, in the
 * same walk). Memory: one open directory per level of nesting and thread,
 * and at most one per idle thread handed over, whatever the size of the
 * tree.
 */
#ifndef RSYNCSWAP_TREE_WALK_H
#define RSYNCSWAP_TREE_WALK_H

#include <stddef.h>

/*
 * What a walk tells its visitor, one directory at a time. depth is 0 for
 * the top of the walk and at most MAX_TREE_WALK_DEPTH. Every callback may
 * be NULL.
 */
struct tree_visit {
	void	*arg;
	/* Returns 1 if the regular file name is to be given to file. */
	int	(*want)(void *arg, const char *name);
	/*
	 * The directory path (relative to the top, "" for it) is entered.
	 * path is the walk's buffer: it holds this directory's path again
	 * when the directory is left, and is not written by the visitor.
	 */
	void	(*enter)(void *arg, char *path, int depth);
	/* A wanted regular file name of the directory dfd; path is its own. */
	void	(*file)(void *arg, int depth, int dfd, const char *name,
		    const char *path);
	/* The directory entered at depth is done (walked, its times set). */
	void	(*leave)(void *arg, int depth);
};

/*
 * Walks the directory fd (taken over and closed), whose path relative to
 * the top is top ("" for the top itself), giving what it passes to v (may
 * be NULL); below it only if recurse. Returns the count of what was
 * skipped: entries neither regular files nor directories, directories
 * deeper than MAX_TREE_WALK_DEPTH or that cannot be opened, paths longer
 * than PATH_MAX.
 */
size_t	tree_walk(int fd, const char *top, int recurse,
	    const struct tree_visit *v);

/*
 * Sets the access and modification times of every directory below the
 * directory fd (not closed) and of fd itself to t (whole seconds), each
 * once its own entries have been walked, on up to WALK_THREADS_MAX
 * threads (one per online core). Each thread gives what it passes to its
 * own visitor, v[0..nv), as tree_walk() does: one directory's entries all
 * to one visitor, between its enter and leave, but directories in any
 * order and at once, so visitors that share anything lock it. nv == 0
 * (v NULL): times only, on as many threads; else at most nv threads.
 * Returns 0, or -1 with errno set if a directory could not be walked or
 * its times set.
 */
int	tree_walk_times(int fd, const struct tree_visit *const *v, size_t nv,
	    long long t);

#endif
