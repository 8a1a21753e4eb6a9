#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/sync/sync_pipe.h"

/* One queued publish or withdraw: URI and data in one allocation. */
struct pipe_obj {
	struct pipe_obj	*next;
	int		 withdraw;
	int		 has_hash;
	int		 line;		/* of the document, for the error */
	unsigned char	 hash[32];
	char		*uri;		/* points into the allocation */
	unsigned char	*data;
	size_t		 len;
};

struct pipe {
	struct apply	*a;
	const struct rrdp_parser *parser;	/* for line numbers, or NULL */
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 more;		/* to the writer: queued, or the end */
	pthread_cond_t	 room;		/* to the parser: room, or done */
	struct pipe_obj	*head, *tail;
	size_t		 n, bytes;
	int		 end;		/* no more objects will come */
	int		 drop;		/* discard what is queued */
	int		 writer_waits;	/* for more */
	int		 parser_waits;	/* for room */
	int		 failed;
	char		 err[ERR_MAX];
};

/*
 * Applies one object (the writer thread) as the parser's callback would
 * have. Returns 0, or -1 with err set.
 */
static int
pipe_write(struct pipe *pp, struct pipe_obj *o, char *err, size_t errsz)
{
	const unsigned char *hash = o->has_hash ? o->hash : NULL;

	if (o->withdraw)
		return apply_withdraw(pp->a, o->uri, hash, err, errsz);
	return apply_publish(pp->a, o->uri, hash, o->data, o->len, err,
	    errsz);
}

/*
 * Records the writer's failure as the parser would have (rrdp.c): "line
 * N: " first, one line, without control characters.
 */
static void
pipe_set_err(struct pipe *pp, int line, const char *err)
{
	size_t n;
	char *c;

	if (line > 0)
		snprintf(pp->err, sizeof(pp->err), "line %d: %s", line, err);
	else
		snprintf(pp->err, sizeof(pp->err), "%s", err);
	for (c = pp->err; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	n = strlen(pp->err);
	while (n > 0 && pp->err[n - 1] == ' ')
		pp->err[--n] = '\0';
}

/*
 * The writer thread: takes all that is queued at once (one lock and at
 * most one wake-up per batch, not per object) and applies it in order,
 * until the end.
 */
static void *
pipe_main(void *arg)
{
	struct pipe *pp = arg;
	struct pipe_obj *batch, *o;
	char err[ERR_MAX];
	size_t n, bytes;
	int failed = 0;

	pthread_mutex_lock(&pp->mu);
	for (;;) {
		while (pp->head == NULL && !pp->end && !pp->drop) {
			pp->writer_waits = 1;
			pthread_cond_wait(&pp->more, &pp->mu);
			pp->writer_waits = 0;
		}
		if (pp->drop || pp->head == NULL)
			break;
		batch = pp->head;
		pp->head = pp->tail = NULL;
		pthread_mutex_unlock(&pp->mu);
		n = bytes = 0;
		while ((o = batch) != NULL) {
			batch = o->next;
			err[0] = '\0';
			if (!failed && pipe_write(pp, o, err, sizeof(err)) == -1) {
				failed = 1;
				pipe_set_err(pp, o->line, err[0] != '\0' ? err :
				    "handler failed without a reason");
			}
			n++;
			bytes += o->len;
			free(o);
		}
		pthread_mutex_lock(&pp->mu);
		pp->n -= n;
		pp->bytes -= bytes;
		if (failed) {
			pp->failed = 1;
			break;
		}
		if (pp->parser_waits)
			pthread_cond_signal(&pp->room);
	}
	/* Failed or dropped: what is left is freed by pipe_finish. */
	pp->end = 1;
	pthread_cond_broadcast(&pp->room);
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

struct pipe *
pipe_start(struct apply *a, char *err, size_t errsz)
{
	struct pipe *pp;
	int rc;

	if ((pp = calloc(1, sizeof(*pp))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	pp->a = a;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->more, NULL);
	pthread_cond_init(&pp->room, NULL);
	if ((rc = pthread_create(&pp->thread, NULL, pipe_main, pp)) != 0) {
		snprintf(err, errsz, "cannot start the writer thread: %s",
		    strerror(rc));
		pthread_cond_destroy(&pp->room);
		pthread_cond_destroy(&pp->more);
		pthread_mutex_destroy(&pp->mu);
		free(pp);
		return NULL;
	}
	return pp;
}

/*
 * Queues a copy of one object, waiting while the queue is full. Returns 0,
 * or -1 with the writer's failure in err.
 */
static int
pipe_put(struct pipe *pp, int withdraw, const char *uri,
    const unsigned char *hash, const unsigned char *data, size_t len,
    char *err, size_t errsz)
{
	struct pipe_obj *o;
	size_t ulen = strlen(uri) + 1;

	if ((o = malloc(sizeof(*o) + ulen + len)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	o->next = NULL;
	o->withdraw = withdraw;
	o->line = pp->parser != NULL ? rrdp_parser_line(pp->parser) : 0;
	if ((o->has_hash = hash != NULL))
		memcpy(o->hash, hash, sizeof(o->hash));
	o->uri = (char *)(o + 1);
	memcpy(o->uri, uri, ulen);
	o->data = (unsigned char *)o->uri + ulen;
	if (len > 0)
		memcpy(o->data, data, len);
	o->len = len;

	pthread_mutex_lock(&pp->mu);
	/* Room: under both bounds, or the queue empty (a large object). */
	while (!pp->failed && !pp->end && pp->n > 0 &&
	    (pp->n >= PIPE_MAX_OBJECTS || pp->bytes + len > PIPE_MAX_BYTES)) {
		pp->parser_waits = 1;
		pthread_cond_wait(&pp->room, &pp->mu);
		pp->parser_waits = 0;
	}
	if (pp->failed || pp->end) {
		snprintf(err, errsz, "%s", pp->failed ? pp->err :
		    "the writer thread ended");
		pthread_mutex_unlock(&pp->mu);
		free(o);
		return -1;
	}
	if (pp->tail != NULL)
		pp->tail->next = o;
	else
		pp->head = o;
	pp->tail = o;
	pp->n++;
	pp->bytes += len;
	if (pp->writer_waits)
		pthread_cond_signal(&pp->more);
	pthread_mutex_unlock(&pp->mu);
	return 0;
}

void
pipe_set_parser(struct pipe *pp, const struct rrdp_parser *p)
{
	if (pp != NULL)
		pp->parser = p;
}

int
pipe_publish(void *arg, const char *uri, const unsigned char *hash,
    const unsigned char *data, size_t len, char *err, size_t errsz)
{
	return pipe_put(arg, 0, uri, hash, data, len, err, errsz);
}

int
pipe_withdraw(void *arg, const char *uri, const unsigned char *hash,
    char *err, size_t errsz)
{
	return pipe_put(arg, 1, uri, hash, NULL, 0, err, errsz);
}

int
pipe_finish(struct pipe *pp, int ok, char *err, size_t errsz)
{
	struct pipe_obj *o;
	int failed;

	if (pp == NULL)
		return 0;
	pthread_mutex_lock(&pp->mu);
	pp->end = 1;
	if (!ok)
		pp->drop = 1;
	pthread_cond_signal(&pp->more);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(pp->thread, NULL);
	while ((o = pp->head) != NULL) {
		pp->head = o->next;
		free(o);
	}
	failed = pp->failed;
	if (failed)
		snprintf(err, errsz, "%s", pp->err);
	pthread_cond_destroy(&pp->room);
	pthread_cond_destroy(&pp->more);
	pthread_mutex_destroy(&pp->mu);
	free(pp);
	return failed ? -1 : 0;
}
