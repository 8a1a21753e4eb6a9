/*
 * Reading <state-dir>/expiry (its format: expiry_file.c) record by record,
 * and into a summary in memory.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/errbuf.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_journal.h"
#include "rsyncswap/expiry/expiry_read.h"

/*
 * Parses a time field at *s (a number or "-") followed by a space.
 * Returns 1 and advances *s, or 0.
 */
static int
get_time(char **s, int64_t *t)
{
	char		*end;
	long long	 v;

	if ((*s)[0] == '-' && (*s)[1] == ' ') {
		*t = TSNORM_NO_TIME;
		*s += 2;
		return 1;
	}
	errno = 0;
	v = strtoll(*s, &end, 10);
	if (end == *s || *end != ' ' || errno != 0)
		return 0;
	*t = v;
	*s = end + 1;
	return 1;
}

/*
 * Parses an unsigned decimal at *s followed by a space (or the end of the
 * line if last). Returns 1 and advances *s, or 0.
 */
static int
get_size(char **s, size_t *n, int last)
{
	char		*end;
	unsigned long	 v;

	if (**s < '0' || **s > '9')
		return 0;
	errno = 0;
	v = strtoul(*s, &end, 10);
	if (errno != 0 || (last ? *end != '\0' : *end != ' '))
		return 0;
	*n = v;
	*s = last ? end : end + 1;
	return 1;
}

/* Parses a count "NAME N". Returns 1 and sets *n, or 0. */
static int
get_count(char *line, const char *name, size_t *n)
{
	size_t	len = strlen(name);
	char	*s = line + len + 1;

	if (strncmp(line, name, len) != 0 || line[len] != ' ')
		return 0;
	return get_size(&s, n, 1);
}

/*
 * Returns the path field s ("." is the top, ""), or NULL when it holds a
 * control character, which the writer never writes.
 */
static const char *
get_path(const char *s)
{
	for (const char *c = s; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return NULL;
	return strcmp(s, ".") == 0 ? "" : s;
}

/* Parses a "pp" line (after "pp ") into rec. Returns 0, or -1. */
static int
parse_pp(char *s, struct expiry_record *rec)
{
	struct expiry_pp	*pp = &rec->pp;

	if (!get_time(&s, &pp->expiry) || !get_time(&s, &pp->mft_next_update) ||
	    !get_time(&s, &pp->mft_not_after) ||
	    !get_time(&s, &pp->crl_next_update) ||
	    !get_time(&s, &pp->mft_this_update) ||
	    !get_size(&s, &pp->objects, 0) || *s == '\0')
		return -1;
	if ((pp->dir = (char *)get_path(s)) == NULL)
		return -1;
	rec->kind = EXPIRY_REC_PP;
	return 0;
}

/* Parses an "other" line (after "other ") into rec. Returns 0, or -1. */
static int
parse_other(char *s, struct expiry_record *rec)
{
	memset(&rec->pp, 0, sizeof(rec->pp));
	if (!get_size(&s, &rec->pp.objects, 0) || *s == '\0')
		return -1;
	if ((rec->pp.dir = (char *)get_path(s)) == NULL)
		return -1;
	rec->kind = EXPIRY_REC_OTHER;
	return 0;
}

/* Parses a "bad" line (after "bad ") into rec. Returns 0, or -1. */
static int
parse_bad(char *s, struct expiry_record *rec)
{
	static const enum expiry_bad_reason	reasons[] = {
		EXPIRY_BAD_UNREADABLE, EXPIRY_BAD_NO_NEXTUPDATE,
		EXPIRY_BAD_IO, EXPIRY_BAD_TOO_LARGE,
	};
	const char	*name;
	size_t		 i, len;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		name = expiry_bad_reason_name(reasons[i]);
		len = strlen(name);
		if (strncmp(s, name, len) == 0 && s[len] == ' ' &&
		    s[len + 1] != '\0')
			break;
	}
	if (i == sizeof(reasons) / sizeof(reasons[0]))
		return -1;
	rec->kind = EXPIRY_REC_BAD;
	rec->reason = reasons[i];
	if ((rec->path = get_path(s + len + 1)) == NULL)
		return -1;
	return 0;
}

/*
 * Parses the line "newest-update T" of length len (newline cut, so
 * line[len - 1] is free). Returns 0, or -1.
 */
static int
parse_newest(char *line, size_t len, int64_t *t)
{
	char	*s = line + strlen("newest-update ");

	if (strncmp(line, "newest-update ", strlen("newest-update ")) != 0)
		return -1;
	line[len - 1] = ' ';	/* get_time() wants a space after the time */
	return get_time(&s, t) && *s == '\0' ? 0 : -1;
}

/* Where a reader is: in the lists, or at a line of the totals. */
enum reader_at {
	AT_LISTS,
	AT_DAMAGED,		/* "objects" read */
	AT_DROPPED,
	AT_NEWEST,
	AT_END,
	AT_DONE,		/* "end" read */
};

/* One file: the base, or a segment (expiry_journal.h). */
struct file_reader {
	FILE			*f;
	char			 path[PATH_MAX];
	char			 line[EXPIRY_LINE_MAX];
	size_t			 lineno;
	size_t			 nbad_listed;
	int			 segment;
	enum reader_at		 at;
	struct expiry_summary	 totals;	/* revision: its head's */
	char			 base[EXPIRY_REVISION_MAX];	/* segment */
	char			 prev[EXPIRY_REVISION_MAX];	/* segment */
};

/*
 * Reads the next line into r->line without its newline. Returns its
 * length plus one (the newline's place), 0 at the end of the file, or -1
 * if it is too long, has no newline or the read failed.
 */
static ssize_t
reader_line(struct file_reader *r)
{
	size_t	len;

	if (fgets(r->line, sizeof(r->line), r->f) == NULL)
		return ferror(r->f) ? -1 : 0;
	r->lineno++;
	len = strlen(r->line);
	if (len == 0 || r->line[len - 1] != '\n')
		return -1;
	r->line[len - 1] = '\0';
	return (ssize_t)len;
}

/* Copies the value of the line "NAME VALUE" of r into buf. Returns 0, or -1. */
static int
head_value(struct file_reader *r, const char *name, char *buf, size_t bufsz)
{
	size_t	len = strlen(name);

	if (reader_line(r) <= 0 || strncmp(r->line, name, len) != 0 ||
	    r->line[len] != ' ' || strlen(r->line + len + 1) >= bufsz)
		return -1;
	snprintf(buf, bufsz, "%s", r->line + len + 1);
	return 0;
}

/*
 * Returns 1 if the file fd ends with its "end" line, as a whole file does
 * (a cheap check of what reading it to the end checks).
 */
static int
ends_complete(int fd)
{
	struct stat	st;
	char		tail[5];

	return fstat(fd, &st) == 0 && st.st_size >= 5 &&
	    pread(fd, tail, sizeof(tail), st.st_size - 5) == 5 &&
	    memcmp(tail, "\nend\n", 5) == 0;
}

/*
 * Opens the file fd (taken over) as r and reads its head: the magic and
 * revision of a base, or of a segment also its base and prev. Returns 0,
 * or -1 with a message in errbuf (fd closed) if the head is damaged or
 * the file does not end with its "end" line.
 */
/*
 * Says in errbuf why the first line of r (n: what reader_line() returned
 * for it) is not magic: the file is empty, another version of rsyncswap
 * wrote it, or it is none of ours.
 */
static void
head_mismatch(struct file_reader *r, ssize_t n, const char *magic,
    char *errbuf, size_t errsz)
{
	size_t	word = (size_t)(strrchr(magic, ' ') - magic) + 1;

	if (n == 0)
		errbuf_set(errbuf, errsz, "%s: empty", r->path);
	else if (n > 0 && strncmp(r->line, magic, word) == 0)
		errbuf_set(errbuf, errsz, "%s: written by another version of "
		    "rsyncswap (\"%.40s\"; this one reads \"%s\")", r->path,
		    log_scrub(r->line), magic);
	else
		errbuf_set(errbuf, errsz, "%s: not an expiry summary (its "
		    "first line is not \"%s\")", r->path, magic);
}

static int
file_open(struct file_reader *r, int fd, const char *path, int segment,
    char *errbuf, size_t errsz)
{
	const char	*magic = segment ? EXPIRY_SEGMENT_MAGIC :
			    EXPIRY_FILE_MAGIC;
	ssize_t		 n;

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->segment = segment;
	r->totals.newest_update = TSNORM_NO_TIME;
	if ((r->f = fdopen(fd, "r")) == NULL)
		err(1, NULL);
	if ((n = reader_line(r)) <= 0 || strcmp(r->line, magic) != 0) {
		head_mismatch(r, n, magic, errbuf, errsz);
		fclose(r->f);
		r->f = NULL;
		return -1;
	}
	if (!ends_complete(fd)) {
		errbuf_set(errbuf, errsz, "%s: truncated (no \"end\" line)",
		    r->path);
		fclose(r->f);
		r->f = NULL;
		return -1;
	}
	if ((segment && (head_value(r, "base", r->base, sizeof(r->base)) ||
	    head_value(r, "prev", r->prev, sizeof(r->prev)))) ||
	    head_value(r, "revision", r->totals.revision,
	    sizeof(r->totals.revision)) == -1) {
		errbuf_set(errbuf, errsz, "%s: line %zu: damaged", r->path,
		    r->lineno);
		fclose(r->f);
		r->f = NULL;
		return -1;
	}
	return 0;
}

static void
file_close(struct file_reader *r)
{
	if (r->f != NULL)
		fclose(r->f);
	r->f = NULL;
}

/* Parses a totals line of r, as expected at r->at. Returns 0, or -1. */
static int
reader_total(struct file_reader *r, size_t len)
{
	struct expiry_summary	*t = &r->totals;

	switch (r->at) {
	case AT_LISTS:
		return get_count(r->line, "objects", &t->objects) ? 0 : -1;
	case AT_DAMAGED:
		return get_count(r->line, "damaged", &t->nbad) &&
		    r->nbad_listed <= t->nbad ? 0 : -1;
	case AT_DROPPED:
		return get_count(r->line, "dropped", &t->dropped) ? 0 : -1;
	case AT_NEWEST:
		return parse_newest(r->line, len, &t->newest_update);
	case AT_END:
		return strcmp(r->line, "end") == 0 ? 0 : -1;
	case AT_DONE:
		break;
	}
	return -1;
}

/*
 * Reads the next record of the file r into rec (of a segment also its
 * "touched" lines). Returns 1, 0 at its valid end (its totals are then
 * known), or -1 with a message in errbuf if it is damaged or truncated.
 */
static int
file_next(struct file_reader *r, struct expiry_record *rec, char *errbuf,
    size_t errsz)
{
	const char	*dir;
	ssize_t		 len;
	int		 rc;

	for (;;) {
		if ((len = reader_line(r)) == 0) {
			if (r->at == AT_DONE)
				return 0;
			errbuf_set(errbuf, errsz, "%s: truncated after line %zu",
			    r->path, r->lineno);
			return -1;
		}
		if (len == -1 || r->at == AT_DONE)
			break;
		if (r->at == AT_LISTS && strncmp(r->line, "pp ", 3) == 0)
			rc = parse_pp(r->line + 3, rec) == 0 ? 1 : -1;
		else if (r->at == AT_LISTS &&
		    strncmp(r->line, "other ", 6) == 0)
			rc = parse_other(r->line + 6, rec) == 0 ? 1 : -1;
		else if (r->at == AT_LISTS &&
		    strncmp(r->line, "bad ", 4) == 0) {
			rc = parse_bad(r->line + 4, rec) == 0 &&
			    ++r->nbad_listed <= MAX_EXPIRY_BAD ? 1 : -1;
		} else if (r->segment && r->at == AT_LISTS &&
		    strncmp(r->line, "touched ", 8) == 0) {
			if ((dir = get_path(r->line + 8)) == NULL)
				break;
			memset(rec, 0, sizeof(*rec));
			rec->kind = EXPIRY_REC_TOUCHED;
			rec->pp.dir = (char *)dir;
			rc = 1;
		} else if ((rc = reader_total(r, (size_t)len)) == 0)
			r->at++;
		if (rc == -1)
			break;
		if (rc == 1)
			return 1;
	}
	errbuf_set(errbuf, errsz, "%s: line %zu: damaged", r->path, r->lineno);
	return -1;
}

/* Returns the size of the file f, or 0 if unknown. */
static off_t
file_size(FILE *f)
{
	struct stat	st;

	return fstat(fileno(f), &st) == 0 ? st.st_size : 0;
}

/* A directory some segment read again, and the last one that did. */
struct touched_dir {
	char	*dir;
	size_t	 seg;		/* 1: the first segment of the chain */
};

/*
 * The summary as the base and the chain of segments on it say: the base's
 * records but those of directories a segment read again, then each
 * segment's records but those a later one read again.
 */
struct expiry_reader {
	struct file_reader	 file;		/* the base, then a segment */
	char			 state_dir[PATH_MAX];
	size_t			 cur;		/* 0: the base; i: segment i */
	int			*fds;		/* the chain's segments, open */
	size_t			 nseg;
	struct touched_dir	*touched;	/* sorted by dir */
	size_t			 ntouched;
	size_t			 nbad_listed;
	size_t			 base_objects, base_bad;	/* left out */
	size_t			 seg_objects, seg_bad;		/* given */
	int64_t			 seg_newest;
	off_t			 base_bytes, seg_bytes;
	struct expiry_summary	 base;		/* the base's totals */
	struct expiry_summary	 totals;
};

static int
touched_cmp(const void *a, const void *b)
{
	const struct touched_dir *x = a, *y = b;
	int c = strcmp(x->dir, y->dir);

	/* The same directory: the later segment first. */
	return c != 0 ? c : x->seg > y->seg ? -1 : x->seg < y->seg;
}

/* Returns the last segment that read dir again, or 0 if none did. */
static size_t
touched_by(const struct expiry_reader *r, const char *dir)
{
	size_t	lo = 0, hi = r->ntouched, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(dir, r->touched[mid].dir)) == 0)
			return r->touched[mid].seg;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* Returns the directory of rec: a record's, or a damaged object's. */
static const char *
record_dir(const struct expiry_record *rec, char *buf, size_t bufsz)
{
	const char	*slash;

	if (rec->kind != EXPIRY_REC_BAD)
		return rec->pp.dir;
	slash = strrchr(rec->path, '/');
	snprintf(buf, bufsz, "%.*s", slash != NULL ? (int)(slash - rec->path) :
	    0, rec->path);
	return buf;
}

/* Records dir as read again by segment seg. Returns 0, or -1 (ENOMEM). */
static int
touched_add(struct expiry_reader *r, const char *dir, size_t seg,
    size_t *cap)
{
	struct touched_dir	*n;

	if (r->ntouched == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		if ((n = reallocarray(r->touched, *cap, sizeof(*n))) == NULL)
			return -1;
		r->touched = n;
	}
	if ((r->touched[r->ntouched].dir = strdup(dir)) == NULL)
		return -1;
	r->touched[r->ntouched++].seg = seg;
	return 0;
}

/*
 * Reads the segments of state_dir that apply, in a chain, to the base
 * (r->base.revision): their touched directories, revision and newest
 * update; keeps them open. A segment that does not apply ends the chain
 * (it is of another base, or left by an interrupted run). Returns 0, or
 * -1 with a message in errbuf if one that applies is damaged.
 */
static int
read_chain(struct expiry_reader *r, const char *state_dir, char *errbuf,
    size_t errsz)
{
	struct expiry_journal	 j;
	struct file_reader	 seg;
	struct expiry_record	 rec;
	char			 path[PATH_MAX];
	size_t			 i, k, cap = 0;
	int			 fd, rc;

	if (expiry_journal_list(state_dir, &j, errbuf, errsz) == -1)
		return -1;
	if (j.n > 0 && (r->fds = calloc(j.n, sizeof(*r->fds))) == NULL)
		err(1, NULL);
	rc = 0;
	for (i = 0; i < j.n && rc == 0; i++) {
		/* The chain goes 1, 2, ...: a gap ends it. */
		if (j.seq[i] != r->nseg + 1 || expiry_segment_path(state_dir,
		    j.seq[i], path, sizeof(path)) == -1 ||
		    (fd = fs_open_regular(path)) < 0)
			break;
		if ((r->fds[r->nseg] = dup(fd)) == -1)
			err(1, NULL);
		if (file_open(&seg, fd, path, 1, errbuf, errsz) == -1) {
			close(r->fds[r->nseg]);
			rc = -1;
			break;
		}
		if (strcmp(seg.base, r->base.revision) != 0 ||
		    strcmp(seg.prev, r->totals.revision) != 0) {
			file_close(&seg);
			close(r->fds[r->nseg]);
			break;
		}
		while ((rc = file_next(&seg, &rec, errbuf, errsz)) == 1) {
			if (rec.kind == EXPIRY_REC_TOUCHED &&
			    touched_add(r, rec.pp.dir, r->nseg + 1, &cap) == -1)
				err(1, NULL);
		}
		if (rc == 0) {
			r->nseg++;
			r->seg_bytes += file_size(seg.f);
			snprintf(r->totals.revision, sizeof(r->totals.revision),
			    "%s", seg.totals.revision);
			/* Each holds the newest update of its directories. */
			if (seg.totals.newest_update != TSNORM_NO_TIME &&
			    (r->seg_newest == TSNORM_NO_TIME ||
			    seg.totals.newest_update > r->seg_newest))
				r->seg_newest = seg.totals.newest_update;
		} else
			close(r->fds[r->nseg]);
		file_close(&seg);
	}
	expiry_journal_free(&j);
	if (rc == -1)
		return -1;
	/* Sorted by dir, the later segment first; then one entry per dir. */
	if (r->ntouched > 0)
		qsort(r->touched, r->ntouched, sizeof(r->touched[0]),
		    touched_cmp);
	for (i = k = 0; i < r->ntouched; i++) {
		if (k > 0 && strcmp(r->touched[k - 1].dir,
		    r->touched[i].dir) == 0) {
			free(r->touched[i].dir);
			continue;
		}
		r->touched[k++] = r->touched[i];
	}
	r->ntouched = k;
	return 0;
}

int
expiry_reader_open(const char *state_dir, struct expiry_reader **rp,
    char *errbuf, size_t errsz)
{
	struct expiry_reader	*r;
	char			 path[PATH_MAX];
	int			 fd, saved;

	*rp = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir,
	    EXPIRY_FILE_NAME) >= sizeof(path)) {
		errbuf_set(errbuf, errsz, "%s/%s: path too long", state_dir,
		    EXPIRY_FILE_NAME);
		return -1;
	}
	if ((fd = fs_open_regular(path)) < 0) {
		saved = fd == -2 ? 0 : errno;
		errbuf_set(errbuf, errsz, "%s: %s", path, fd == -2 ?
		    "not a regular file" : strerror(saved));
		return saved == ENOENT ? 1 : -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		err(1, NULL);
	snprintf(r->state_dir, sizeof(r->state_dir), "%s", state_dir);
	r->seg_newest = TSNORM_NO_TIME;
	if (file_open(&r->file, fd, path, 0, errbuf, errsz) == -1) {
		free(r);
		return -1;
	}
	r->base_bytes = file_size(r->file.f);
	snprintf(r->base.revision, sizeof(r->base.revision), "%s",
	    r->file.totals.revision);
	snprintf(r->totals.revision, sizeof(r->totals.revision), "%s",
	    r->file.totals.revision);
	r->totals.newest_update = TSNORM_NO_TIME;
	if (read_chain(r, state_dir, errbuf, errsz) == -1) {
		expiry_reader_close(r);
		return -1;
	}
	*rp = r;
	return 0;
}

/* Ends the reading: the totals of the base and segments together. */
static void
reader_finish(struct expiry_reader *r)
{
	struct expiry_summary	*t = &r->totals;

	t->objects = (r->base.objects > r->base_objects ? r->base.objects -
	    r->base_objects : 0) + r->seg_objects;
	t->nbad = (r->base.nbad > r->base_bad ? r->base.nbad - r->base_bad :
	    0) + r->seg_bad;
	t->dropped = r->base.dropped;
	t->newest_update = r->base.newest_update;
	if (r->seg_newest != TSNORM_NO_TIME && (t->newest_update ==
	    TSNORM_NO_TIME || r->seg_newest > t->newest_update))
		t->newest_update = r->seg_newest;
}

int
expiry_reader_next(struct expiry_reader *r, struct expiry_record *rec,
    char *errbuf, size_t errsz)
{
	char		 dirbuf[PATH_MAX], path[PATH_MAX];
	const char	*dir;
	size_t		 by;
	int		 rc, fd;

	for (;;) {
		if (r->cur > r->nseg)
			return 0;
		if ((rc = file_next(&r->file, rec, errbuf, errsz)) == -1)
			return -1;
		if (rc == 0) {
			/* The end of a file: on to the next segment. */
			if (r->cur == 0)
				r->base = r->file.totals;
			file_close(&r->file);
			if (++r->cur > r->nseg) {
				reader_finish(r);
				return 0;
			}
			fd = r->fds[r->cur - 1];
			r->fds[r->cur - 1] = -1;
			(void)expiry_segment_path(r->state_dir, r->cur, path,
			    sizeof(path));
			if (lseek(fd, 0, SEEK_SET) == -1) {
				errbuf_set(errbuf, errsz, "%s: %s", path,
				    strerror(errno));
				close(fd);
				return -1;
			}
			if (file_open(&r->file, fd, path, 1, errbuf,
			    errsz) == -1)
				return -1;
			continue;
		}
		if (rec->kind == EXPIRY_REC_TOUCHED)
			continue;
		dir = record_dir(rec, dirbuf, sizeof(dirbuf));
		by = touched_by(r, dir);
		if (by != r->cur) {
			/* Read again by a (later) segment. */
			if (r->cur == 0 && rec->kind == EXPIRY_REC_BAD)
				r->base_bad++;
			else if (r->cur == 0)
				r->base_objects += rec->pp.objects;
			continue;
		}
		if (rec->kind == EXPIRY_REC_BAD) {
			if (r->cur > 0)
				r->seg_bad++;
			if (r->nbad_listed >= MAX_EXPIRY_BAD)
				continue;	/* counted, not listed */
			r->nbad_listed++;
		} else if (r->cur > 0)
			r->seg_objects += rec->pp.objects;
		return 1;
	}
}

const struct expiry_summary *
expiry_reader_totals(const struct expiry_reader *r)
{
	return &r->totals;
}

size_t
expiry_reader_chain(const struct expiry_reader *r, const char **base,
    off_t *base_bytes, off_t *segment_bytes)
{
	*base = r->base.revision;
	*base_bytes = r->base_bytes;
	*segment_bytes = r->seg_bytes;
	return r->nseg;
}

void
expiry_reader_close(struct expiry_reader *r)
{
	if (r == NULL)
		return;
	file_close(&r->file);
	for (size_t i = 0; i < r->nseg; i++)
		if (r->fds[i] != -1)
			close(r->fds[i]);
	free(r->fds);
	for (size_t i = 0; i < r->ntouched; i++)
		free(r->touched[i].dir);
	free(r->touched);
	free(r);
}

/* Returns a copy of s; exits on out-of-memory. */
static char *
copy(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		err(1, NULL);
	return p;
}

/* Appends a copy of pp to sum (beyond MAX_EXPIRY_PPS: dropped). */
static void
add_pp(struct expiry_summary *sum, const struct expiry_pp *pp, size_t *cap)
{
	struct expiry_pp	*n;

	if (sum->npps >= MAX_EXPIRY_PPS) {
		sum->dropped++;
		return;
	}
	if (sum->npps == *cap) {
		*cap = *cap == 0 ? 1024 : 2 * *cap;
		if ((n = reallocarray(sum->pps, *cap, sizeof(*n))) == NULL)
			err(1, NULL);
		sum->pps = n;
	}
	sum->pps[sum->npps] = *pp;
	sum->pps[sum->npps++].dir = copy(pp->dir);
}

/* Returns 1 if a comes before b in a summary (expiry, then dir). */
static int
pp_before(const struct expiry_pp *a, const struct expiry_pp *b)
{
	if (a->expiry != b->expiry)
		return a->expiry < b->expiry;
	return strcmp(a->dir, b->dir) < 0;
}

/*
 * Reads <state_dir>/expiry into sum: every PP, or if brief only those that
 * expire before limit and the earliest of the others. Returns as
 * expiry_load().
 */
static int
load(const char *state_dir, int brief, int64_t limit,
    struct expiry_summary *sum, char *errbuf, size_t errsz)
{
	struct expiry_reader		*r;
	struct expiry_record		 rec;
	struct expiry_pp		 next;
	const struct expiry_summary	*t;
	size_t				 cap = 0;
	int				 rc;

	memset(sum, 0, sizeof(*sum));
	next.dir = NULL;
	if ((rc = expiry_reader_open(state_dir, &r, errbuf, errsz)) != 0)
		return rc;
	while ((rc = expiry_reader_next(r, &rec, errbuf, errsz)) == 1) {
		if (rec.kind == EXPIRY_REC_BAD) {
			if (sum->bad == NULL && (sum->bad = calloc(
			    MAX_EXPIRY_BAD, sizeof(*sum->bad))) == NULL)
				err(1, NULL);
			sum->bad[sum->nbad_listed].reason = rec.reason;
			sum->bad[sum->nbad_listed++].path = copy(rec.path);
		} else if (rec.kind == EXPIRY_REC_OTHER)
			continue;	/* counted in the totals */
		else if (!brief || rec.pp.expiry < limit)
			add_pp(sum, &rec.pp, &cap);
		else if (next.dir == NULL || pp_before(&rec.pp, &next)) {
			free(next.dir);
			next = rec.pp;
			next.dir = copy(rec.pp.dir);
		}
	}
	if (rc == 0 && next.dir != NULL)
		add_pp(sum, &next, &cap);
	free(next.dir);
	if (rc == -1) {
		expiry_reader_close(r);
		expiry_summary_free(sum);
		return -1;
	}
	t = expiry_reader_totals(r);
	snprintf(sum->revision, sizeof(sum->revision), "%s", t->revision);
	sum->objects = t->objects;
	sum->nbad = t->nbad;
	sum->dropped += t->dropped;
	sum->newest_update = t->newest_update;
	expiry_reader_close(r);
	expiry_summary_sort(sum);
	return 0;
}

int
expiry_file_revision(const char *state_dir, char *buf, size_t bufsz)
{
	struct expiry_reader	*r;
	char			 err[ERR_MAX];
	int			 rc;

	buf[0] = '\0';
	if ((rc = expiry_reader_open(state_dir, &r, err, sizeof(err))) != 0)
		return rc;
	snprintf(buf, bufsz, "%s", r->totals.revision);
	expiry_reader_close(r);
	return 0;
}

int
expiry_repaired_by_sync(const char *state_dir)
{
	char		path[PATH_MAX], rev[EXPIRY_REVISION_MAX];
	struct stat	st;

	snprintf(path, sizeof(path), "%s/%s", state_dir, EXPIRY_FILE_NAME);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return 0;
	return expiry_file_revision(state_dir, rev, sizeof(rev)) != 0;
}

int
expiry_load(const char *state_dir, struct expiry_summary *sum,
    char *errbuf, size_t errsz)
{
	return load(state_dir, 0, INT64_MAX, sum, errbuf, errsz);
}

int
expiry_load_brief(const char *state_dir, int64_t now, int64_t warn,
    struct expiry_summary *sum, char *errbuf, size_t errsz)
{
	if (warn < 0)
		warn = 0;
	return load(state_dir, 1, now > INT64_MAX - warn - 1 ? INT64_MAX :
	    now + warn + 1, sum, errbuf, errsz);
}
