/*
 * The objects of a snapshot or delta applied on a second thread: the
 * parser (read, XML, base64, SHA-256 of the document) goes on while the
 * writer thread applies the objects before (apply_publish/apply_withdraw:
 * file creation, the kernel's share). Only the writer touches the apply
 * state and the revision until pipe_finish, in document order, so the
 * result and the first failure are those of the callbacks called
 * directly. A bounded queue between the two (PIPE_MAX_OBJECTS objects and
 * PIPE_MAX_BYTES bytes; one larger object passes alone) keeps memory flat.
 */
#ifndef RSYNCSWAP_SYNC_PIPE_H
#define RSYNCSWAP_SYNC_PIPE_H

#include <stddef.h>

#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/sync/sync_apply.h"

struct pipe;

/*
 * Starts the writer thread for the document being applied to a.
 * Returns the pipe, or NULL with a reason in err (nothing started).
 */
struct pipe	*pipe_start(struct apply *a, char *err, size_t errsz);

/*
 * Has the pipe take line numbers for its errors from parser p (the one
 * that calls its callbacks). pp may be NULL.
 */
void		 pipe_set_parser(struct pipe *pp, const struct rrdp_parser *p);

/*
 * The callbacks (struct rrdp_handler, arg the pipe): queue a copy of the
 * object, waiting while the queue is full. Return 0, or -1 with the reason
 * in err when the writer failed on an earlier object.
 */
int		 pipe_publish(void *pipe, const char *uri,
		    const unsigned char *hash, const unsigned char *data,
		    size_t len, char *err, size_t errsz);
int		 pipe_withdraw(void *pipe, const char *uri,
		    const unsigned char *hash, char *err, size_t errsz);

/*
 * Ends the pipe: with ok set, waits until every queued object is written;
 * otherwise drops what is queued. Joins the thread and frees the pipe.
 * Returns 0, or -1 with the writer's failure in err (the first one, which
 * precedes in document order whatever failed the parse after it).
 */
int		 pipe_finish(struct pipe *, int ok, char *err, size_t errsz);

#endif
