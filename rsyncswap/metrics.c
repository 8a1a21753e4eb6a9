#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/metrics.h"
#include "rsyncswap/swap.h"

#define PFX	"rsyncswap_"

int
metrics_count_revisions(int rsync_dirfd)
{
	struct dirent *de;
	int n = 0, fd;
	DIR *d;

	if ((fd = dup(rsync_dirfd)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (swap_is_revision_name(de->d_name))
			n++;
	closedir(d);
	return n;
}

/* Prints one metric with its HELP and TYPE lines. */
static void
metric(FILE *f, const char *name, const char *type, const char *help,
    double v)
{
	fprintf(f, "# HELP " PFX "%s %s\n# TYPE " PFX "%s %s\n" PFX "%s %.17g\n",
	    name, help, name, type, name, v);
}

int
metrics_write(const char *path, const struct state *st, int rsync_dirfd,
    const struct metrics *m, char *err, size_t errsz)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp) ||
	    (fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	fchmod(fd, 0644);
	if ((f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	metric(f, "last_success_timestamp_seconds", "gauge",
	    "When the last sync succeeded.", (double)st->last_success);
	metric(f, "last_failure_timestamp_seconds", "gauge",
	    "When the last sync failed.", (double)st->last_failure);
	metric(f, "serial", "gauge", "RRDP serial of the current revision.",
	    (double)st->serial);
	fprintf(f, "# HELP " PFX "session_info RRDP session of the current "
	    "revision.\n# TYPE " PFX "session_info gauge\n" PFX
	    "session_info{session=\"%s\"} 1\n", st->session_id);
	metric(f, "objects", "gauge", "Objects in the current revision.",
	    (double)st->objects);
	metric(f, "last_sync_bytes", "gauge",
	    "Object bytes written by the last sync.",
	    (double)m->last_sync_bytes);
	metric(f, "last_sync_duration_seconds", "gauge",
	    "Duration of the last sync.", m->last_sync_seconds);
	metric(f, "syncs_total", "counter", "Syncs that succeeded.",
	    (double)m->syncs_ok);
	metric(f, "sync_failures_total", "counter", "Syncs that failed.",
	    (double)m->syncs_failed);
	metric(f, "revisions_on_disk", "gauge",
	    "Revision directories in the rsync directory.",
	    (double)metrics_count_revisions(rsync_dirfd));
	metric(f, "sweeps_total", "counter", "Sweeps run.", (double)m->sweeps);
	metric(f, "swept_total", "counter", "Entries removed by sweeps.",
	    (double)m->swept);
	metric(f, "cleanup_after_seconds", "gauge",
	    "Effective time a replaced revision is kept.",
	    (double)m->cleanup_after);
	metric(f, "vanished_files_total", "counter",
	    "\"file has vanished\" lines in the rsyncd log.",
	    (double)m->vanished);
	metric(f, "vanished_files_attributed_total", "counter",
	    "Vanished files of revisions a sweep removed.",
	    (double)m->vanished_ours);
	if (fflush(f) == EOF || ferror(f) || fsync(fileno(f)) == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) == EOF || rename(tmp, path) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
