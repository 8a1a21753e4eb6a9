#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/sweep/cleanup_file.h"
#include "rsyncswap/tree/swap.h"

#define CLEANUP_FILE	"cleanup"

int
cleanup_file_write(const char *state_dir, const struct cleanup *c,
    const struct cleanup_totals *t)
{
	char path[PATH_MAX], err[ERR_MAX];
	const struct cleanup_rev *v;
	struct atomic_file af;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/" CLEANUP_FILE, state_dir) >=
	    (int)sizeof(path))
		return -1;
	if (atomic_file_open(&af, path, 0644, err, sizeof(err)) == -1) {
		log_warn("%s", err);
		return -1;
	}
	f = af.f;
	fprintf(f, "mode %d\nreason %s\nscan %lld %d\n"
	    "totals %lld %lld %lld %lld %lld %lld\nshort %d %lld\n", t->mode,
	    t->mode == CLEANUP_MODE_FALLBACK ? c->unusable : "",
	    c->scan.started, c->scan.rsync_seen, t->scans, t->scan_failures,
	    t->removed, t->removed_seconds, t->removed_max_seconds, t->hurt,
	    c->short_revisions, c->short_bytes);
	for (size_t i = 0; i < c->n; i++) {
		v = &c->revs[i];
		if (v->remove == 2)
			continue;
		fprintf(f, "rev %s %lld %d %lld %lld %lld %lld %s\n", v->name,
		    v->until, v->readers, v->removable, v->bytes, v->inodes,
		    v->share, v->why[0] != '\0' ? v->why : "-");
	}
	if (atomic_file_commit(&af, err, sizeof(err)) == -1) {
		log_warn("%s", err);
		return -1;
	}
	return 0;
}

/* Parses one "rev" line into v. Returns 0, or -1. */
static int
parse_rev(const char *line, struct cleanup_rev *v)
{
	int off = 0;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "rev %255s %lld %d %lld %lld %lld %lld %n", v->name,
	    &v->until, &v->readers, &v->removable, &v->bytes, &v->inodes,
	    &v->share, &off) != 7 || off == 0 ||
	    !swap_is_served_name(v->name))
		return -1;
	snprintf(v->why, sizeof(v->why), "%s", line + off);
	v->why[strcspn(v->why, "\n")] = '\0';
	if (strcmp(v->why, "-") == 0)
		v->why[0] = '\0';
	return 0;
}

/* Parses one line into f. Returns 0, or -1. */
static int
parse_line(const char *line, struct cleanup_file *f)
{
	struct cleanup_totals *t = &f->t;
	struct cleanup_rev *nr;

	if (strncmp(line, "mode ", 5) == 0)
		return sscanf(line, "mode %d", &f->mode) == 1 ? 0 : -1;
	if (strncmp(line, "reason ", 7) == 0) {
		snprintf(f->reason, sizeof(f->reason), "%s", line + 7);
		f->reason[strcspn(f->reason, "\n")] = '\0';
		return 0;
	}
	if (strncmp(line, "scan ", 5) == 0)
		return sscanf(line, "scan %lld %d", &f->scan_started,
		    &f->rsync_seen) == 2 ? 0 : -1;
	if (strncmp(line, "totals ", 7) == 0)
		return sscanf(line, "totals %lld %lld %lld %lld %lld %lld",
		    &t->scans, &t->scan_failures, &t->removed,
		    &t->removed_seconds, &t->removed_max_seconds,
		    &t->hurt) == 6 ? 0 : -1;
	if (strncmp(line, "short ", 6) == 0)
		return sscanf(line, "short %d %lld", &f->short_revisions,
		    &f->short_bytes) == 2 ? 0 : -1;
	if (strncmp(line, "rev ", 4) != 0 || f->n >= CLEANUP_FILE_MAX_REVS)
		return -1;
	if ((nr = realloc(f->revs, (f->n + 1) * sizeof(*nr))) == NULL)
		return -1;
	f->revs = nr;
	return parse_rev(line, &f->revs[f->n++]);
}

int
cleanup_file_read(const char *state_dir, struct cleanup_file *f)
{
	char path[PATH_MAX], line[1024];
	FILE *fp;
	int fd, rc = 0;

	memset(f, 0, sizeof(*f));
	if (snprintf(path, sizeof(path), "%s/" CLEANUP_FILE, state_dir) >=
	    (int)sizeof(path))
		return -1;
	if ((fd = fs_open_regular(path)) < 0)
		return fd == -1 && errno == ENOENT ? 1 : -1;
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL)
		if (strchr(line, '\n') == NULL || parse_line(line, f) == -1)
			rc = -1;
	fclose(fp);
	if (rc == -1)
		cleanup_file_free(f);
	return rc;
}

const struct cleanup_rev *
cleanup_file_find(const struct cleanup_file *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->revs[i].name, name) == 0)
			return &f->revs[i];
	return NULL;
}

void
cleanup_file_free(struct cleanup_file *f)
{
	free(f->revs);
	memset(f, 0, sizeof(*f));
}
