#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/limits.h"
#include "rsyncswap/revexpiry.h"
#include "tsnorm/tsnorm.h"

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

/* Returns 1 if name ends in ext. */
static int
has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcmp(name + n - e, ext) == 0;
}

/* Reads the manifests and CRLs of directory dir below revfd into acc. */
static void
rescan_dir(struct expiry_acc *acc, int revfd, const char *dir)
{
	unsigned char *buf;
	char path[MAX_URI_LENGTH + 2];
	struct tsnorm_result tr;
	struct tsnorm_expiry exp;
	struct dirent *de;
	struct stat sb;
	ssize_t r;
	DIR *d;
	int dfd, fd;

	if ((dfd = openat(revfd, dir[0] != '\0' ? dir : ".", O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;		/* every object of it was withdrawn */
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!has_ext(de->d_name, ".mft") && !has_ext(de->d_name, ".crl"))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", dir, dir[0] ? "/" : "",
		    de->d_name);
		fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1 || fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    sb.st_size > MAX_OBJECT_SIZE_LIMIT ||
		    (buf = malloc((size_t)sb.st_size + 1)) == NULL) {
			expiry_acc_add_bad(acc, path, fd != -1 &&
			    sb.st_size > MAX_OBJECT_SIZE_LIMIT ?
			    EXPIRY_BAD_TOO_LARGE : EXPIRY_BAD_IO);
			if (fd != -1)
				close(fd);
			continue;
		}
		r = read(fd, buf, (size_t)sb.st_size);
		close(fd);
		if (r != sb.st_size)
			expiry_acc_add_bad(acc, path, EXPIRY_BAD_IO);
		else {
			tsnorm_inspect(buf, (size_t)r, de->d_name, &tr, &exp);
			expiry_acc_add(acc, path, &exp);
		}
		free(buf);
	}
	closedir(d);
}

/* Feeds what prev knows of the untouched publication point pp into acc. */
static void
carry_pp(struct expiry_acc *acc, const struct expiry_pp *pp)
{
	struct tsnorm_expiry e;
	char path[MAX_URI_LENGTH + 16];

	memset(&e, 0, sizeof(e));
	e.kind = TSNORM_EXPIRY_MFT;
	e.status = TSNORM_EXPIRY_OK;
	e.this_update = pp->mft_this_update;
	e.next_update = pp->mft_next_update;
	e.not_after = pp->mft_not_after;
	e.expiry = e.next_update < e.not_after ? e.next_update : e.not_after;
	snprintf(path, sizeof(path), "%s%s.mft", pp->dir, pp->dir[0] ? "/" : "");
	expiry_acc_add(acc, path, &e);
	if (pp->crl_next_update == TSNORM_NO_TIME)
		return;
	e.kind = TSNORM_EXPIRY_CRL;
	e.this_update = TSNORM_NO_TIME;
	e.next_update = e.expiry = pp->crl_next_update;
	e.not_after = TSNORM_NO_TIME;
	snprintf(path, sizeof(path), "%s%s.crl", pp->dir, pp->dir[0] ? "/" : "");
	expiry_acc_add(acc, path, &e);
}

void
revexpiry_from_deltas(const struct expiry_summary *prev, int revfd,
    struct touched *t, struct expiry_summary *sum)
{
	struct expiry_acc *acc = expiry_acc_new();
	char dir[MAX_URI_LENGTH + 1];
	const char *slash;
	size_t i, k;

	qsort(t->dirs, t->n, sizeof(t->dirs[0]), str_cmp);
	for (i = k = 0; i < t->n; i++) {
		if (k > 0 && strcmp(t->dirs[k - 1], t->dirs[i]) == 0) {
			free(t->dirs[i]);
			continue;
		}
		t->dirs[k++] = t->dirs[i];
	}
	t->n = k;
	for (i = 0; i < prev->npps; i++)
		if (!is_touched(t, prev->pps[i].dir))
			carry_pp(acc, &prev->pps[i]);
	for (i = 0; i < prev->nbad_listed; i++) {
		slash = strrchr(prev->bad[i].path, '/');
		snprintf(dir, sizeof(dir), "%.*s", slash != NULL ?
		    (int)(slash - prev->bad[i].path) : 0, prev->bad[i].path);
		if (!is_touched(t, dir))
			expiry_acc_add_bad(acc, prev->bad[i].path,
			    prev->bad[i].reason);
	}
	for (i = 0; i < t->n; i++)
		rescan_dir(acc, revfd, t->dirs[i]);
	expiry_acc_finish(acc, sum);
	expiry_acc_free(acc);
	if (prev->newest_update != TSNORM_NO_TIME &&
	    (sum->newest_update == TSNORM_NO_TIME ||
	    prev->newest_update > sum->newest_update))
		sum->newest_update = prev->newest_update;
}
