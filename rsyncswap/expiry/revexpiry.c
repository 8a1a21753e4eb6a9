/*
 * The expiry summary of a new revision: read by the snapshot's commit, or
 * after deltas a segment of the directories they touched on the previous
 * revision's summary (now and then folded into a new base, streamed:
 * memory is the touched directories, not the repository), or read from
 * the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/expiry/expiry_journal.h"
#include "rsyncswap/expiry/expiry_walk.h"
#include "rsyncswap/expiry/revexpiry.h"

int
touched_add(struct touched *t, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash != NULL ? (size_t)(slash - path) : 0;
	char **nd;

	/* Deltas come grouped by directory: most repeats are the last one. */
	if (t->n > 0 && strlen(t->dirs[t->n - 1]) == len &&
	    strncmp(t->dirs[t->n - 1], path, len) == 0)
		return 0;
	if (t->n == t->cap) {
		nd = reallocarray(t->dirs, t->cap ? 2 * t->cap : 64,
		    sizeof(*nd));
		if (nd == NULL)
			return -1;
		t->dirs = nd;
		t->cap = t->cap ? 2 * t->cap : 64;
	}
	if ((t->dirs[t->n] = strndup(path, len)) == NULL)
		return -1;
	t->n++;
	return 0;
}

void
touched_free(struct touched *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->dirs[i]);
	free(t->dirs);
	memset(t, 0, sizeof(*t));
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns 1 if dir is one of the sorted touched directories. */
static int
is_touched(const struct touched *t, const char *dir)
{
	return bsearch(&dir, t->dirs, t->n, sizeof(t->dirs[0]), str_cmp) !=
	    NULL;
}

/* Sorts the touched directories and removes repeats. */
static void
touched_sort(struct touched *t)
{
	size_t	i, k;

	qsort(t->dirs, t->n, sizeof(t->dirs[0]), str_cmp);
	for (i = k = 0; i < t->n; i++) {
		if (k > 0 && strcmp(t->dirs[k - 1], t->dirs[i]) == 0) {
			free(t->dirs[i]);
			continue;
		}
		t->dirs[k++] = t->dirs[i];
	}
	t->n = k;
}

/* Returns 1 if the directory of the object path is touched. */
static int
is_touched_object(const struct touched *t, const char *path)
{
	char		 dir[PATH_MAX];
	const char	*slash = strrchr(path, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ?
	    (int)(slash - path) : 0, path);
	return is_touched(t, dir);
}

/*
 * Writes to w the expiry of the revision directory revfd: what prev (the
 * file of the revision the deltas were applied to, read to its end) says
 * of the directories the deltas did not touch, and the touched ones (t,
 * sorted here) read again. Returns 0, or -1 with a message in errbuf if
 * prev is damaged.
 */
static int
from_deltas(struct expiry_reader *prev, int revfd, struct touched *t,
    struct expiry_writer *w, char *errbuf, size_t errsz)
{
	struct expiry_record	rec;
	struct expiry_sink	sink;
	size_t			i;
	int			rc;

	touched_sort(t);
	expiry_writer_sink(w, &sink);
	while ((rc = expiry_reader_next(prev, &rec, errbuf, errsz)) == 1) {
		if (rec.kind == EXPIRY_REC_BAD ?
		    !is_touched_object(t, rec.path) :
		    !is_touched(t, rec.pp.dir))
			expiry_writer_record(w, &rec);
	}
	if (rc == -1)
		return -1;
	expiry_writer_newest(w, expiry_reader_totals(prev)->newest_update);
	for (i = 0; i < t->n; i++)
		expiry_scan_dir(revfd, t->dirs[i], &sink);
	return 0;
}

void
revexpiry_begin(struct revexpiry *x, const char *state_dir,
    struct revision *rev, const char *name)
{
	char	err[ERR_MAX];

	/* revexpiry_save() reads the tree, and logs if that fails too. */
	if ((x->w = expiry_writer_open(state_dir, name, err,
	    sizeof(err))) == NULL) {
		log_debug("expiry summary: %s (read from the tree later)", err);
		return;
	}
	expiry_writer_sink(x->w, &x->sink);
	expiry_visits_init(&x->visits, &x->sink);
	x->walking = 1;
	revision_set_visit(rev, x->visits.v, WALK_THREADS_MAX);
}

/* Frees the visitors of the commit's walk, if any. */
static void
end_walk(struct revexpiry *x)
{
	if (x->walking)
		expiry_visits_free(&x->visits);
	x->walking = 0;
}

/*
 * Returns 1 if the summary under prev (of the revision the deltas were
 * applied to) takes one more segment, 0 if it is to be folded into a new
 * base: EXPIRY_SEGMENTS_MAX segments, or their bytes over half the base's
 * or EXPIRY_JOURNAL_MAX.
 */
static int
takes_segment(const struct expiry_reader *prev)
{
	const char	*base;
	off_t		 base_bytes, seg_bytes;
	size_t		 n;

	n = expiry_reader_chain(prev, &base, &base_bytes, &seg_bytes);
	return n < EXPIRY_SEGMENTS_MAX && seg_bytes <= base_bytes / 2 &&
	    seg_bytes <= EXPIRY_JOURNAL_MAX;
}

/*
 * Writes the segment of the revision name (made by the deltas, t sorted
 * here, applied to prev_name) on the chain of prev, reading the touched
 * directories of revfd. Returns 0, or -1 with a message in errbuf.
 */
static int
to_segment(const char *state_dir, struct expiry_reader *prev, int revfd,
    const char *name, const char *prev_name, struct touched *t,
    char *errbuf, size_t errsz)
{
	struct expiry_writer	*w;
	struct expiry_sink	 sink;
	const char		*base;
	off_t			 base_bytes, seg_bytes;
	size_t			 n, i;

	n = expiry_reader_chain(prev, &base, &base_bytes, &seg_bytes);
	/* What is beyond the chain was left by an interrupted run. */
	if (expiry_journal_trim(state_dir, n, errbuf, errsz) == -1)
		return -1;
	if ((w = expiry_writer_open_segment(state_dir, n + 1, base, prev_name,
	    name, errbuf, errsz)) == NULL)
		return -1;
	touched_sort(t);
	for (i = 0; i < t->n; i++)
		expiry_writer_touched(w, t->dirs[i]);
	expiry_writer_sink(w, &sink);
	for (i = 0; i < t->n; i++)
		expiry_scan_dir(revfd, t->dirs[i], &sink);
	return expiry_writer_commit(w, errbuf, errsz);
}

/*
 * Writes the expiry summary of the revision directory revfd (taken over
 * and closed), named name: when t is not NULL and the summary is good and
 * of prev_name, a segment on it, or that summary folded into a new base;
 * else (and when the segment cannot be written) a new base read from the
 * tree. Returns 0, or -1 with a message in
 * errbuf.
 */
static int
from_revision(const char *state_dir, int revfd, const char *name,
    const char *prev_name, struct touched *t, char *errbuf, size_t errsz)
{
	struct expiry_reader	*prev = NULL;
	struct expiry_writer	*w = NULL;
	struct expiry_sink	 sink;
	int			 ok = 0, rc;

	/* The summary counts only if it is the previous revision's. */
	if (t != NULL && prev_name != NULL &&
	    expiry_reader_open(state_dir, &prev, errbuf, errsz) == 0 &&
	    strcmp(expiry_reader_totals(prev)->revision, prev_name) == 0) {
		if (takes_segment(prev)) {
			rc = to_segment(state_dir, prev, revfd, name,
			    prev_name, t, errbuf, errsz);
			expiry_reader_close(prev);
			if (rc == 0) {
				close(revfd);
				return 0;
			}
			/* No segment: a new base, read from the tree. */
			log_debug("expiry summary: %s", errbuf);
			prev = NULL;
		} else if ((w = expiry_writer_open(state_dir, name, errbuf,
		    errsz)) == NULL) {
			expiry_reader_close(prev);
			close(revfd);
			return -1;
		} else if (from_deltas(prev, revfd, t, w, errbuf, errsz) == 0)
			ok = 1;
	}
	expiry_reader_close(prev);
	if (!ok) {
		/* Start again from the tree. */
		expiry_writer_abort(w);
		if ((w = expiry_writer_open(state_dir, name, errbuf,
		    errsz)) == NULL) {
			close(revfd);
			return -1;
		}
		expiry_writer_sink(w, &sink);
		(void)expiry_walk_fd(revfd, &sink);
	} else
		close(revfd);
	return expiry_writer_commit(w, errbuf, errsz);
}

void
revexpiry_save(struct revexpiry *x, const char *state_dir, int rsync_dirfd,
    const char *name, const char *prev, struct touched *t)
{
	char	err[ERR_MAX], path[PATH_MAX];
	int	revfd, rc;

	end_walk(x);
	if (x->w != NULL) {
		rc = expiry_writer_commit(x->w, err, sizeof(err));
		x->w = NULL;
	} else if ((revfd = openat(rsync_dirfd, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(err, sizeof(err), "%s: %s", name, strerror(errno));
		rc = -1;
	} else
		rc = from_revision(state_dir, revfd, name, prev, t, err,
		    sizeof(err));
	if (rc == -1) {
		/* No summary is better than one of another revision. */
		snprintf(path, sizeof(path), "%s/%s", state_dir,
		    EXPIRY_FILE_NAME);
		unlink(path);
		(void)expiry_journal_trim(state_dir, 0, path, sizeof(path));
		log_warn("expiry summary: %s", err);
	}
}

void
revexpiry_abort(struct revexpiry *x)
{
	end_walk(x);
	expiry_writer_abort(x->w);
	x->w = NULL;
}
