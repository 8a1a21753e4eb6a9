/*
 * The expiry file of a revision built from deltas, streamed from the
 * previous revision's file: memory is the touched directories, not the
 * repository.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/expiry_walk.h"
#include "rsyncswap/revexpiry.h"

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

int
revexpiry_from_deltas(struct expiry_reader *prev, int revfd,
    struct touched *t, struct expiry_writer *w, char *errbuf, size_t errsz)
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
