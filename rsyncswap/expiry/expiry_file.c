/*
 * <state-dir>/expiry: a line-based text file.
 *
 *	rsyncswap-expiry 3
 *	revision NAME
 *	pp EXPIRY MFT-NEXTUPDATE MFT-EE-NOTAFTER CRL-NEXTUPDATE MFT-THISUPDATE
 *	    OBJECTS DIR		(one line)
 *	other OBJECTS DIR
 *	bad REASON PATH
 *	objects N
 *	damaged N
 *	dropped N
 *	newest-update T
 *	end
 *
 * "pp" lines are publication points, with the count of their manifests
 * and CRLs; "other" lines count those of directories without a readable
 * manifest, so that a revision built from deltas, whose file is the
 * previous one with the touched directories read again, gets the same
 * totals as one read whole. "pp", "other" and "bad" lines come in any
 * order (a sync writes them as it walks the tree); the totals follow
 * them, because they are known only then.
 * Times are seconds since the epoch, "-" when absent; DIR and PATH are the
 * rest of the line ("." for the top directory). The final "end" line tells
 * a complete file from a truncated one. NAME is the revision directory the
 * file describes: a file of another revision (a run killed between the
 * state and the summary) is never taken for the served one's.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/errbuf.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_file.h"
#include "rsyncswap/expiry/expiry_journal.h"


/* Prints t, or "-" if absent. */
static void
put_time(FILE *f, int64_t t)
{
	if (t == TSNORM_NO_TIME)
		fputs(" -", f);
	else
		fprintf(f, " %" PRId64, t);
}

/* Prints path, "." if empty, control characters as '?'. */
static void
put_path(FILE *f, const char *path)
{
	const unsigned char	*p = (const unsigned char *)path;

	putc(' ', f);
	if (*p == '\0')
		putc('.', f);
	for (; *p != '\0'; p++)
		putc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
	putc('\n', f);
}

struct expiry_writer {
	struct atomic_file af;			/* <state_dir>/expiry, or a
						   segment */
	char		 state_dir[PATH_MAX];
	int		 segment;
	size_t		 objects;
	size_t		 nbad;
	size_t		 nbad_listed;
	size_t		 dropped;
	int64_t		 newest_update;
};

struct expiry_writer *
expiry_writer_open(const char *state_dir, const char *revision, char *errbuf,
    size_t errsz)
{
	struct expiry_writer	*w;
	char			 path[PATH_MAX];

	if ((w = calloc(1, sizeof(*w))) == NULL)
		err(1, NULL);
	w->newest_update = TSNORM_NO_TIME;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir,
	    EXPIRY_FILE_NAME) >= sizeof(path)) {
		errbuf_set(errbuf, errsz, "%s/%s: path too long", state_dir,
		    EXPIRY_FILE_NAME);
		free(w);
		return NULL;
	}
	snprintf(w->state_dir, sizeof(w->state_dir), "%s", state_dir);
	if (atomic_file_open(&w->af, path, 0644, errbuf, errsz) == -1) {
		free(w);
		return NULL;
	}
	fprintf(w->af.f, "%s\nrevision %s\n", EXPIRY_FILE_MAGIC, revision);
	return w;
}

struct expiry_writer *
expiry_writer_open_segment(const char *state_dir, unsigned long seq,
    const char *base, const char *prev, const char *revision, char *errbuf,
    size_t errsz)
{
	struct expiry_writer	*w;
	char			 path[PATH_MAX];

	if (expiry_segment_path(state_dir, seq, path, sizeof(path)) == -1) {
		errbuf_set(errbuf, errsz, "%s/%s: path too long", state_dir,
		    EXPIRY_JOURNAL_DIR);
		return NULL;
	}
	if (expiry_journal_mkdir(state_dir, errbuf, errsz) == -1)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		err(1, NULL);
	w->newest_update = TSNORM_NO_TIME;
	w->segment = 1;
	snprintf(w->state_dir, sizeof(w->state_dir), "%s", state_dir);
	if (atomic_file_open(&w->af, path, 0644, errbuf, errsz) == -1) {
		free(w);
		return NULL;
	}
	fprintf(w->af.f, "%s\nbase %s\nprev %s\nrevision %s\n",
	    EXPIRY_SEGMENT_MAGIC, base, prev, revision);
	return w;
}

void
expiry_writer_touched(struct expiry_writer *w, const char *dir)
{
	fputs("touched", w->af.f);
	put_path(w->af.f, dir);
}

/* Writes one publication point (pp->objects counts in the total). */
static void
writer_pp(struct expiry_writer *w, const struct expiry_pp *pp)
{
	fputs("pp", w->af.f);
	put_time(w->af.f, pp->expiry);
	put_time(w->af.f, pp->mft_next_update);
	put_time(w->af.f, pp->mft_not_after);
	put_time(w->af.f, pp->crl_next_update);
	put_time(w->af.f, pp->mft_this_update);
	fprintf(w->af.f, " %zu", pp->objects);
	put_path(w->af.f, pp->dir);
	w->objects += pp->objects;
}

void
expiry_writer_newest(struct expiry_writer *w, int64_t t)
{
	if (t != TSNORM_NO_TIME && (w->newest_update == TSNORM_NO_TIME ||
	    t > w->newest_update))
		w->newest_update = t;
}

/* Writes a directory that is no publication point, with its objects. */
static void
writer_other(struct expiry_writer *w, const char *dir, size_t objects)
{
	fprintf(w->af.f, "other %zu", objects);
	put_path(w->af.f, dir);
	w->objects += objects;
}

/* Sink callback: a directory, a "pp" or an "other" line. */
static void
writer_dir(void *arg, const struct expiry_dir *d)
{
	struct expiry_writer	*w = arg;
	struct expiry_pp	 pp;

	expiry_writer_newest(w, d->newest_update);
	if (!d->has_mft) {
		writer_other(w, d->pp.dir, d->objects);
		return;
	}
	pp = d->pp;
	pp.expiry = expiry_dir_expiry(d);
	pp.objects = d->objects;
	writer_pp(w, &pp);
}

/* Sink callback: a damaged object, listed up to MAX_EXPIRY_BAD. */
static void
writer_bad(void *arg, const char *path, enum expiry_bad_reason reason)
{
	struct expiry_writer	*w = arg;

	w->nbad++;
	if (w->nbad_listed >= MAX_EXPIRY_BAD)
		return;
	w->nbad_listed++;
	fprintf(w->af.f, "bad %s", expiry_bad_reason_name(reason));
	put_path(w->af.f, path);
}

void
expiry_writer_record(struct expiry_writer *w, const struct expiry_record *rec)
{
	switch (rec->kind) {
	case EXPIRY_REC_PP:
		writer_pp(w, &rec->pp);
		break;
	case EXPIRY_REC_OTHER:
		writer_other(w, rec->pp.dir, rec->pp.objects);
		break;
	case EXPIRY_REC_BAD:
		writer_bad(w, rec->path, rec->reason);
		break;
	case EXPIRY_REC_TOUCHED:
		expiry_writer_touched(w, rec->pp.dir);
		break;
	}
}

void
expiry_writer_sink(struct expiry_writer *w, struct expiry_sink *sink)
{
	sink->dir = writer_dir;
	sink->bad = writer_bad;
	sink->arg = w;
}

void
expiry_writer_abort(struct expiry_writer *w)
{
	if (w == NULL)
		return;
	atomic_file_abort(&w->af);
	free(w);
}

int
expiry_writer_commit(struct expiry_writer *w, char *errbuf, size_t errsz)
{
	FILE	*f = w->af.f;
	int	 rc;

	fprintf(f, "objects %zu\ndamaged %zu\ndropped %zu\nnewest-update",
	    w->objects, w->nbad, w->dropped);
	put_time(f, w->newest_update);
	fputs("\nend\n", f);
	/* A new base: the segments of the old one go first. */
	if (!w->segment && expiry_journal_trim(w->state_dir, 0, errbuf,
	    errsz) == -1) {
		atomic_file_abort(&w->af);
		free(w);
		return -1;
	}
	rc = atomic_file_commit(&w->af, errbuf, errsz);
	free(w);
	return rc;
}

int
expiry_save(const char *state_dir, const struct expiry_summary *sum,
    char *errbuf, size_t errsz)
{
	struct expiry_writer	*w;
	size_t			 i;

	if ((w = expiry_writer_open(state_dir, sum->revision, errbuf,
	    errsz)) == NULL)
		return -1;
	for (i = 0; i < sum->npps; i++)
		writer_pp(w, &sum->pps[i]);
	for (i = 0; i < sum->nbad_listed; i++)
		writer_bad(w, sum->bad[i].path, sum->bad[i].reason);
	/* The summary's totals are the truth, not the sum of its lists. */
	w->objects = sum->objects;
	w->nbad = sum->nbad;
	w->dropped = sum->dropped;
	w->newest_update = sum->newest_update;
	return expiry_writer_commit(w, errbuf, errsz);
}
