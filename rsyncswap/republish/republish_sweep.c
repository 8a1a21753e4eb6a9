/*
 * The sweep of the RRDP output directory: document directories
 * SESSION/SERIAL/H that the notification no longer lists are removed once
 * the cleanup time has passed since it stopped listing them (the commit
 * sets the directory's time then), by an unprivileged child.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/atomic_file.h"
#include "rsyncswap/base/fsutil.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/uri.h"
#include "rsyncswap/republish/republish.h"
#include "rsyncswap/sweep/sweep.h"

/* Document directories removed by one sweep; the rest wait. */
#define RRDP_SWEEP_MAX	4096

struct rrdp_sweep {
	char	*dirs[RRDP_SWEEP_MAX];	/* "SESSION/SERIAL/H" */
	int	 n;
};

/* Returns 1 if the document directory rel holds a listed document. */
static int
listed(const struct rrdp_notification *n, const struct rrdpout_config *c,
    const char *rel)
{
	const char *r;
	size_t len = strlen(rel);

	if ((r = uri_below_dir(n->snapshot_uri, c->base_uri)) != NULL &&
	    strncmp(r, rel, len) == 0 && r[len] == '/')
		return 1;
	for (size_t i = 0; i < n->ndeltas; i++)
		if ((r = uri_below_dir(n->deltas[i].uri, c->base_uri)) !=
		    NULL && strncmp(r, rel, len) == 0 && r[len] == '/')
			return 1;
	return 0;
}

/*
 * Collects the unlisted document directories older than cutoff, and old
 * temporary files of interrupted runs.
 */
static void
collect(struct rrdp_sweep *sw, const struct rrdpout_config *c,
    const struct rrdp_notification *n, long long cutoff)
{
	char p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX], rel[PATH_MAX];
	struct dirent *d1, *d2, *d3;
	struct stat sb;
	DIR *s, *t, *u;

	if ((s = opendir(c->dir)) == NULL)
		return;
	while ((d1 = readdir(s)) != NULL && sw->n < RRDP_SWEEP_MAX) {
		if (strncmp(d1->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
			/* Left by an interrupted run. */
			snprintf(p1, sizeof(p1), "%s/%s", c->dir, d1->d_name);
			if (lstat(p1, &sb) == 0 && sb.st_mtime <= cutoff &&
			    (sw->dirs[sw->n] = strdup(d1->d_name)) != NULL)
				sw->n++;
			continue;
		}
		if (d1->d_name[0] == '.')
			continue;
		snprintf(p1, sizeof(p1), "%s/%s", c->dir, d1->d_name);
		if (lstat(p1, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
		    (t = opendir(p1)) == NULL)
			continue;
		while ((d2 = readdir(t)) != NULL) {
			if (d2->d_name[0] == '.')
				continue;
			snprintf(p2, sizeof(p2), "%s/%s", p1, d2->d_name);
			if (lstat(p2, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
			    (u = opendir(p2)) == NULL)
				continue;
			while ((d3 = readdir(u)) != NULL &&
			    sw->n < RRDP_SWEEP_MAX) {
				if (d3->d_name[0] == '.')
					continue;
				snprintf(p3, sizeof(p3), "%s/%s", p2,
				    d3->d_name);
				snprintf(rel, sizeof(rel), "%s/%s/%s",
				    d1->d_name, d2->d_name, d3->d_name);
				if (lstat(p3, &sb) == -1 ||
				    sb.st_mtime > cutoff ||
				    (n != NULL && listed(n, c, rel)))
					continue;
				if ((sw->dirs[sw->n] = strdup(rel)) != NULL)
					sw->n++;
			}
			closedir(u);
		}
		closedir(t);
	}
	closedir(s);
}

/* Opens the directory name below dirfd without following a symlink. */
static int
open_dir(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

/* In the child: removes the collected directories. Returns failures. */
static int
remove_dirs(int dirfd, void *arg)
{
	struct rrdp_sweep *sw = arg;
	char buf[PATH_MAX], *b, *h;
	struct stat sb;
	int failed = 0, sfd, nfd;

	if (fstat(dirfd, &sb) == -1)
		return sw->n;
	for (int i = 0; i < sw->n; i++) {
		snprintf(buf, sizeof(buf), "%s", sw->dirs[i]);
		if ((b = strchr(buf, '/')) == NULL) {
			if (fs_remove_tree(dirfd, buf, sb.st_dev) == -1)
				failed++;
			continue;
		}
		if ((h = strchr(b + 1, '/')) == NULL)
			continue;
		*b++ = '\0';
		*h++ = '\0';
		sfd = open_dir(dirfd, buf);
		nfd = sfd == -1 ? -1 : open_dir(sfd, b);
		if (nfd == -1 || fs_remove_tree(nfd, h, sb.st_dev) == -1)
			failed++;
		/* Emptied serial and session directories go too. */
		if (sfd != -1 && unlinkat(sfd, b, AT_REMOVEDIR) == 0)
			unlinkat(dirfd, buf, AT_REMOVEDIR);
		if (nfd != -1)
			close(nfd);
		if (sfd != -1)
			close(sfd);
	}
	return failed;
}

int
rrdpout_sweep(const struct rrdpout_config *c, long long cleanup_after,
    const struct privs *privs)
{
	struct rrdp_notification n;
	struct rrdp_sweep sw;
	int have, fd, rc = 0;

	memset(&sw, 0, sizeof(sw));
	have = rrdpout_read_notification(c, &n) == 0;
	if (cleanup_after < RRDP_OUT_KEEP_UNLISTED)
		cleanup_after = RRDP_OUT_KEEP_UNLISTED;
	collect(&sw, c, have ? &n : NULL, (long long)time(NULL) -
	    cleanup_after);
	if (have)
		rrdp_notification_free(&n);
	if (sw.n == 0)
		return 0;
	if ((fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		rc = -1;
	else if (sweep_in_child(fd, remove_dirs, &sw, privs) != 0) {
		log_warn("%s: some old RRDP files could not be removed",
		    c->dir);
		rc = -1;
	} else
		log_info("%s: removed %d old RRDP documents", c->dir, sw.n);
	if (fd != -1)
		close(fd);
	for (int i = 0; i < sw.n; i++)
		free(sw.dirs[i]);
	return rc;
}
