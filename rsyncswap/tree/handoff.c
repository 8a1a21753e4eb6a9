/* Work handed to idle threads (handoff.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/tree/handoff.h"

/* One thread of a run: its hand-off, its own argument, its item. */
struct thread_arg {
	struct handoff	*h;
	void		*arg;
	unsigned char	*item;		/* a copy: the slot is free at once */
};

void
handoff_init(struct handoff *h, void *slots, size_t size,
    void (*work)(void *arg, void *item))
{
	memset(h, 0, sizeof(*h));
	h->slots = slots;
	h->size = size;
	h->work = work;
}

int
handoff_offer(struct handoff *h, const void *item)
{
	int queued = 0;

	if (!h->parallel)
		return 0;
	pthread_mutex_lock(&h->mu);
	/* No more queued than there are idle threads to take them. */
	if (h->nq < HANDOFF_THREADS_MAX &&
	    (int)h->nq < h->threads - h->busy) {
		memcpy(h->slots + h->nq++ * h->size, item, h->size);
		pthread_cond_signal(&h->cv);
		queued = 1;
	}
	pthread_mutex_unlock(&h->mu);
	return queued;
}

int
handoff_parallel(const struct handoff *h)
{
	return h->parallel;
}

/* One thread: does queued items until none is left to come. */
static void *
worker(void *targ)
{
	struct thread_arg	*t = targ;
	struct handoff		*h = t->h;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		if (h->nq > 0) {
			memcpy(t->item, h->slots + --h->nq * h->size, h->size);
			h->busy++;
			pthread_mutex_unlock(&h->mu);
			h->work(t->arg, t->item);
			pthread_mutex_lock(&h->mu);
			h->busy--;
			if (h->nq == 0 && h->busy == 0)
				pthread_cond_broadcast(&h->cv);
			continue;
		}
		/* Nothing queued, and nobody left who could queue more. */
		if (h->busy == 0)
			break;
		pthread_cond_wait(&h->cv, &h->mu);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* Returns how many threads to run: n, at most the online cores. */
static int
thread_count(int n)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (n > HANDOFF_THREADS_MAX)
		n = HANDOFF_THREADS_MAX;
	if (cores >= 1 && n > cores)
		n = (int)cores;
	return n < 1 ? 1 : n;
}

int
handoff_run(struct handoff *h, void *first, void *const *args, int n)
{
	struct thread_arg	 t[HANDOFF_THREADS_MAX];
	pthread_t		 tid[HANDOFF_THREADS_MAX];
	unsigned char		*items;
	int			 i, started = 1;

	n = thread_count(n);
	/* One thread alone needs no copies and no lock. */
	if (n == 1 || (items = calloc((size_t)n, h->size)) == NULL) {
		h->parallel = 0;
		h->work(args[0], first);
		return 1;
	}
	h->parallel = 1;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	memcpy(h->slots, first, h->size);
	h->nq = 1;
	h->busy = 0;
	h->threads = n;
	for (i = 0; i < n; i++)
		t[i] = (struct thread_arg){ h, args[i], items + i * h->size };
	for (i = 1; i < n; i++) {
		if (pthread_create(&tid[started], NULL, worker,
		    &t[started]) != 0)
			break;
		started++;
	}
	pthread_mutex_lock(&h->mu);
	h->threads = started;
	pthread_mutex_unlock(&h->mu);
	(void)worker(&t[0]);
	for (i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(items);
	return started;
}
