/*
 * Reading <state-dir>/expiry (its format: expiry_file.c) record by record,
 * and into a summary in memory.
 */
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
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
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

struct expiry_reader {
	FILE			*f;
	char			 path[PATH_MAX];
	char			 line[EXPIRY_LINE_MAX];
	size_t			 lineno;
	size_t			 nbad_listed;
	enum reader_at		 at;
	struct expiry_summary	 totals;
};

int
expiry_reader_open(const char *state_dir, struct expiry_reader **rp,
    char *errbuf, size_t errsz)
{
	struct expiry_reader	*r;
	int			 fd, saved;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		err(1, NULL);
	if ((size_t)snprintf(r->path, sizeof(r->path), "%s/%s", state_dir,
	    EXPIRY_FILE_NAME) >= sizeof(r->path)) {
		errbuf_set(errbuf, errsz, "%s/%s: path too long", state_dir,
		    EXPIRY_FILE_NAME);
		free(r);
		return -1;
	}
	if ((fd = fs_open_regular(r->path)) < 0) {
		saved = fd == -2 ? 0 : errno;
		errbuf_set(errbuf, errsz, "%s: %s", r->path, fd == -2 ?
		    "not a regular file" : strerror(saved));
		free(r);
		return saved == ENOENT ? 1 : -1;
	}
	if ((r->f = fdopen(fd, "r")) == NULL)
		err(1, NULL);
	r->totals.newest_update = TSNORM_NO_TIME;
	*rp = r;
	return 0;
}

/*
 * Reads the next line into r->line without its newline. Returns its
 * length plus one (the newline's place), 0 at the end of the file, or -1
 * if it is too long, has no newline or the read failed.
 */
static ssize_t
reader_line(struct expiry_reader *r)
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

/* Parses a totals line of r, as expected at r->at. Returns 0, or -1. */
static int
reader_total(struct expiry_reader *r, size_t len)
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

int
expiry_reader_next(struct expiry_reader *r, struct expiry_record *rec,
    char *errbuf, size_t errsz)
{
	ssize_t	len;
	int	rc;

	for (;;) {
		if ((len = reader_line(r)) == 0) {
			if (r->at == AT_DONE && r->lineno > 0)
				return 0;
			errbuf_set(errbuf, errsz, "%s: truncated after line %zu",
			    r->path, r->lineno);
			return -1;
		}
		if (len == -1 || r->at == AT_DONE)
			break;
		if (r->lineno == 1) {
			if (strcmp(r->line, EXPIRY_FILE_MAGIC) != 0)
				break;
			continue;
		}
		if (r->lineno == 2) {
			if (strncmp(r->line, "revision ", 9) != 0 ||
			    strlen(r->line + 9) >= sizeof(r->totals.revision))
				break;
			snprintf(r->totals.revision,
			    sizeof(r->totals.revision), "%s", r->line + 9);
			continue;
		}
		if (r->at == AT_LISTS && strncmp(r->line, "pp ", 3) == 0)
			rc = parse_pp(r->line + 3, rec) == 0 ? 1 : -1;
		else if (r->at == AT_LISTS &&
		    strncmp(r->line, "other ", 6) == 0)
			rc = parse_other(r->line + 6, rec) == 0 ? 1 : -1;
		else if (r->at == AT_LISTS &&
		    strncmp(r->line, "bad ", 4) == 0) {
			rc = parse_bad(r->line + 4, rec) == 0 &&
			    ++r->nbad_listed <= MAX_EXPIRY_BAD ? 1 : -1;
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

const struct expiry_summary *
expiry_reader_totals(const struct expiry_reader *r)
{
	return &r->totals;
}

void
expiry_reader_close(struct expiry_reader *r)
{
	if (r == NULL)
		return;
	fclose(r->f);
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
	struct expiry_record	 rec;
	char			 err[ERR_MAX];
	int			 rc;

	buf[0] = '\0';
	if ((rc = expiry_reader_open(state_dir, &r, err, sizeof(err))) != 0)
		return rc;
	/* The first record (or the end) comes after the revision line. */
	rc = expiry_reader_next(r, &rec, err, sizeof(err));
	if (rc != -1)
		snprintf(buf, bufsz, "%s", r->totals.revision);
	expiry_reader_close(r);
	return rc == -1 ? -1 : 0;
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
