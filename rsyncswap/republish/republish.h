/*
 * RRDP re-publication (--rrdp-dir): this node's own notification, snapshot
 * and delta files for a public https front end, with the origin's session
 * and serial. Deltas and origin snapshots are the origin's bytes, teed as
 * they are parsed; a snapshot for a serial reached by deltas is written
 * from the revision. Each document lives at SESSION/SERIAL/H/{snapshot,
 * delta}.xml where H is derived from its SHA-256: unguessable before it
 * exists (a CDN never caches a 404 for a future file) and the same on every
 * node that holds the same bytes. The notification is written last (temp +
 * rename) and only when something changed.
 */
#ifndef RSYNCSWAP_RRDPOUT_H
#define RSYNCSWAP_RRDPOUT_H

#include <stddef.h>

#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/sweep/privs.h"

struct rrdpout_config {
	const char	*dir;		/* --rrdp-dir */
	const char	*base_uri;	/* public URI of dir, ending in '/' */
	long long	 notify_delay;	/* seconds before the notification */
	size_t		 max_deltas;	/* --rrdp-max-deltas */
	long long	 min_delta_age;	/* --rrdp-min-delta-age */
};

struct rrdpout;

/*
 * Opens the output for session/serial. Returns it, or NULL with a reason in
 * err.
 */
struct rrdpout	*rrdpout_open(const struct rrdpout_config *c,
		    const char *session, long long serial, char *err,
		    size_t errsz);

/*
 * Reads the notification in the output dir into n. Returns 0, or -1 when
 * there is none or it cannot be used.
 */
int		 rrdpout_read_notification(const struct rrdpout_config *c,
		    struct rrdp_notification *n);

/* Returns 1 when the notification in the output dir already lists serial. */
int		 rrdpout_is_current(const struct rrdpout_config *c,
		    const char *session, long long serial);

/* Starts teeing a document of kind (snapshot or delta) of serial. */
int		 rrdpout_doc_begin(struct rrdpout *, enum rrdp_kind kind,
		    long long serial);

/* Appends bytes of the current document. Returns 0, or -1. */
int		 rrdpout_doc_write(struct rrdpout *, const void *buf,
		    size_t len);

/*
 * Ends the current document: kept when ok (it parsed and its hash matched),
 * discarded otherwise. Returns 0, or -1 with a reason in err.
 */
int		 rrdpout_doc_end(struct rrdpout *, int ok, char *err,
		    size_t errsz);

/*
 * Writes a snapshot of the revision directory revfd (below it MODULE/PATH,
 * or HOST/MODULE/PATH when host is NULL), in sorted order so that every
 * node writes the same bytes. Returns 0, or -1 with a reason in err.
 */
int		 rrdpout_snapshot_from_tree(struct rrdpout *, int revfd,
		    const char *host, char *err, size_t errsz);

/* Returns 1 when a snapshot of the serial was written in this run. */
int		 rrdpout_has_snapshot(const struct rrdpout *);

/*
 * Drops the deltas teed so far (they did not lead to this serial).
 */
void		 rrdpout_forget_deltas(struct rrdpout *);

/*
 * Writes the notification: the snapshot and the contiguous deltas newest
 * first (this run's and the previous notification's), no more than fit in
 * the snapshot's size (RFC 8182), and beyond max_deltas only deltas younger
 * than min_delta_age. Every document the previous notification listed and
 * this one does not has its directory's time set to now first, so that the
 * sweep counts from when it was unlisted. Waits notify_delay seconds
 * before the notification. Returns 0, or -1 with a reason in err. Frees
 * the output either way.
 */
int		 rrdpout_commit(struct rrdpout *, char *err, size_t errsz);

/* Discards everything not committed and frees the output. */
void		 rrdpout_abort(struct rrdpout *);

/*
 * Removes, in an unprivileged child, document directories that the
 * notification does not list and that it stopped listing more than
 * cleanup_after seconds ago (RRDP_OUT_KEEP_UNLISTED at least). Returns 0,
 * or -1.
 */
int		 rrdpout_sweep(const struct rrdpout_config *c,
		    long long cleanup_after, const struct privs *privs);

#endif
