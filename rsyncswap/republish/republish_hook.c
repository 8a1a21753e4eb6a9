/* The RRDP output's hook into a sync (republish_hook.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/uri.h"
#include "rsyncswap/republish/republish_hook.h"

/* Opens the output for the revision to be built. Returns 0, or -1. */
static int
hook_build(void *arg, const char *session, long long serial, char *err,
    size_t errsz)
{
	struct republish_hook *h = arg;

	if ((h->out = rrdpout_open(h->c, session, serial, err,
	    errsz)) == NULL)
		return -1;
	return 0;
}

/* Starts the copy of a fetched snapshot or delta. */
static void
hook_doc_begin(void *arg, enum rrdp_kind kind, long long serial)
{
	struct republish_hook *h = arg;

	if (h->out != NULL)
		rrdpout_doc_begin(h->out, kind, serial);
}

/* Copies bytes of the document; a failed copy is told by rrdpout_doc_end. */
static void
hook_doc_write(void *arg, const void *buf, size_t len)
{
	struct republish_hook *h = arg;

	if (h->out != NULL)
		rrdpout_doc_write(h->out, buf, len);
}

/* Ends the copy of a document; a failure is kept for the end of the run. */
static void
hook_doc_end(void *arg, int ok)
{
	struct republish_hook *h = arg;
	char err[ERR_MAX];

	if (h->out != NULL && rrdpout_doc_end(h->out, ok, err,
	    sizeof(err)) == -1 && h->out_err[0] == '\0')
		snprintf(h->out_err, sizeof(h->out_err), "%s", err);
}

/* The deltas copied did not lead to the serial: they are not listed. */
static void
hook_deltas_failed(void *arg)
{
	struct republish_hook *h = arg;

	if (h->out != NULL)
		rrdpout_forget_deltas(h->out);
}

/*
 * Brings the --rrdp-dir output to the current revision: completes this
 * run's documents with a snapshot written from the revision when none was
 * copied, then the notification; or, when nothing was copied and the
 * output lags (new or emptied output directory), writes both anew.
 * Returns 0, or -1 with the reason in rerr.
 */
static int
hook_served(void *arg, const struct sync_view *v, char *rerr, size_t rerrsz)
{
	struct republish_hook *h = arg;
	char err[ERR_MAX];
	int revfd, rc;

	if (h->out == NULL) {
		if (v->current == NULL || v->session_id[0] == '\0' ||
		    rrdpout_is_current(h->c, v->session_id, v->serial))
			return 0;
		if ((h->out = rrdpout_open(h->c, v->session_id, v->serial, err,
		    sizeof(err))) == NULL)
			goto fail;
	}
	if (h->out_err[0] != '\0') {
		snprintf(err, sizeof(err), "%s", h->out_err);
		goto fail;
	}
	if (!rrdpout_has_snapshot(h->out)) {
		revfd = openat(v->rsync_dirfd, v->current, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = revfd == -1 ? -1 : rrdpout_snapshot_from_tree(h->out,
		    revfd, v->layout == LAYOUT_HOST ? NULL : v->host, err,
		    sizeof(err));
		if (revfd == -1)
			snprintf(err, sizeof(err), "%s: %s", v->current,
			    strerror(errno));
		else
			close(revfd);
		if (rc == -1)
			goto fail;
	}
	rc = rrdpout_commit(h->out, err, sizeof(err));
	h->out = NULL;
	if (rc == 0)
		return 0;
fail:
	snprintf(rerr, rerrsz, "RRDP output: %s (the rsync revision is "
	    "served)", err);
	return -1;
}

/* Removes the documents unlisted longer than the revisions' cleanup time. */
static void
hook_swept(void *arg, long long cleanup_after, const struct privs *privs)
{
	struct republish_hook *h = arg;

	rrdpout_sweep(h->c, cleanup_after, privs);
}

/* Discards what was not committed. */
static void
hook_end(void *arg)
{
	struct republish_hook *h = arg;

	rrdpout_abort(h->out);
	h->out = NULL;
	h->out_err[0] = '\0';
}

void
republish_hook_init(struct republish_hook *h, const struct rrdpout_config *c)
{
	memset(h, 0, sizeof(*h));
	h->c = c;
	h->hook.arg = h;
	h->hook.build = hook_build;
	h->hook.doc_begin = hook_doc_begin;
	h->hook.doc_write = hook_doc_write;
	h->hook.doc_end = hook_doc_end;
	h->hook.deltas_failed = hook_deltas_failed;
	h->hook.served = hook_served;
	h->hook.swept = hook_swept;
	h->hook.end = hook_end;
}
