/*
 * Work handed to idle threads, the one way the tree's walks use several
 * cores: a thread that finds a piece of work (a directory) offers it, and
 * it is queued only while a thread is idle to take it; otherwise the
 * thread that found it does it itself. So at most as many pieces wait as
 * there are idle threads, whatever the size of the tree, and each thread
 * recurses on its own stack as one thread alone would.
 */
#ifndef RSYNCSWAP_HANDOFF_H
#define RSYNCSWAP_HANDOFF_H

#include <pthread.h>
#include <stddef.h>

#include "rsyncswap/base/limits.h"	/* HANDOFF_THREADS_MAX */

struct handoff {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned char	*slots;		/* HANDOFF_THREADS_MAX items */
	size_t		 size;		/* of one item */
	size_t		 nq;		/* items queued */
	int		 busy;		/* threads doing an item */
	int		 threads;	/* running */
	int		 parallel;	/* set before any thread starts */
	/* Does the item on the thread whose own argument is arg. */
	void		(*work)(void *arg, void *item);
};

/*
 * Makes h hand items of size bytes to work, queued in slots (room for
 * HANDOFF_THREADS_MAX of them, the caller's).
 */
void	handoff_init(struct handoff *h, void *slots, size_t size,
	    void (*work)(void *arg, void *item));

/*
 * Offers a copy of item to an idle thread of the run. Returns 1 when it
 * was queued (a thread will do it), 0 when the caller is to do it itself.
 */
int	handoff_offer(struct handoff *h, const void *item);

/*
 * Returns 1 if the run of h is on more than one thread (an offer may be
 * taken), 0 if the caller does everything itself.
 */
int	handoff_parallel(const struct handoff *h);

/*
 * Does first, and every item offered meanwhile, on up to n threads (at
 * most HANDOFF_THREADS_MAX and the online cores), this one among them:
 * thread i gets args[i]. A thread that cannot be started leaves its share
 * to the others. Returns when all is done: the threads that ran (>= 1).
 */
int	handoff_run(struct handoff *h, void *first, void *const *args,
	    int n);

#endif
