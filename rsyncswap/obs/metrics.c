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
#include "rsyncswap/base/optname.h"
#include "rsyncswap/base/version.h"
#include "rsyncswap/expiry/expiry_read.h"
#include "rsyncswap/obs/cleanup_metrics.h"
#include "rsyncswap/obs/metrics.h"
#include "rsyncswap/obs/prom.h"
#include "rsyncswap/sync/shrink.h"
#include "rsyncswap/tree/swap.h"

#define PFX	"rsyncswap_"

int
metrics_count_revisions(int rsync_dirfd)
{
	struct dirent *de;
	int n = 0, fd;
	DIR *d;

	if ((fd = fs_reopen_dir(rsync_dirfd)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (swap_is_served_name(de->d_name))
			n++;
	closedir(d);
	return n;
}

/* Prints the expiry metrics of sum at now. */
static void
metrics_expiry(FILE *f, const struct state *st, const struct expiry_summary *sum,
    const struct metrics *m)
{
	const struct state_revision *r = NULL;
	struct expiry_assessment a;
	long long now = time(NULL);

	for (size_t i = 0; i < st->nhistory; i++)
		if (strcmp(st->history[i].name, st->revision) == 0)
			r = &st->history[i];
	prom_metric(f, "origin_last_change_timestamp_seconds", "gauge",
	    "When the origin's serial last moved (the current revision "
	    "became current).", r != NULL ? (double)r->since : 0);
	prom_metric(f, "expiry_summary_known", "gauge",
	    "1 when the current revision's expiry summary is read (the "
	    "expiry metrics follow); 0 when it is missing, damaged or of "
	    "another revision: nothing served is watched for expiry.",
	    sum != NULL);
	if (sum == NULL)
		return;
	expiry_assess(sum, now, m->expiry_warn, &a);
	prom_metric(f, "earliest_expiry_timestamp_seconds", "gauge",
	    "Earliest expiry of a served publication point (manifest or CRL "
	    "nextUpdate, manifest EE notAfter).", a.earliest != NULL ?
	    (double)a.earliest->expiry : 0);
	prom_metric(f, "expiring_publication_points", "gauge",
	    "Publication points expiring within the warning window.",
	    (double)a.expiring);
	prom_metric(f, "expired_publication_points", "gauge",
	    "Publication points already expired.", (double)a.expired);
	prom_metric(f, "damaged_manifests_crls", "gauge",
	    "Served manifests and CRLs that cannot be read.",
	    (double)a.damaged);
}

int
metrics_keep_last_sync(const char *path, struct metrics *m)
{
	char line[256], *end;
	double bytes = -1, secs = -1, v;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		n = strlen(PFX "last_sync_bytes ");
		if (strncmp(line, PFX "last_sync_bytes ", n) != 0) {
			n = strlen(PFX "last_sync_duration_seconds ");
			if (strncmp(line, PFX "last_sync_duration_seconds ",
			    n) != 0)
				continue;
		}
		v = strtod(line + n, &end);
		if (end == line + n || (*end != '\n' && *end != '\0') ||
		    !(v >= 0 && v < 1e15))
			continue;
		if (line[strlen(PFX "last_sync_")] == 'b')
			bytes = v;
		else
			secs = v;
	}
	fclose(f);
	if (bytes < 0 || secs < 0)
		return 0;
	m->last_sync_bytes = (long long)bytes;
	m->last_sync_seconds = secs;
	return 1;
}

int
metrics_update(const char *path, const char *state_dir,
    const char *rsync_dir, const struct metrics *m)
{
	struct expiry_summary sum;
	struct cleanup_file cf;
	struct metrics mc = *m;
	struct state st;
	char err[ERR_MAX];
	int fd, have, rc = -1;

	state_read(state_dir, &st, err, sizeof(err));
	if (cleanup_file_read(state_dir, &cf) == 0)
		mc.cleanup = &cf;
	m = &mc;
	/* A minute of margin: metrics_expiry() reads the clock again. */
	have = expiry_load_brief(state_dir, time(NULL), m->expiry_warn + 60,
	    &sum, err, sizeof(err)) == 0;
	/* Only the served revision's summary speaks for it. */
	if (have && strcmp(sum.revision, st.revision) != 0) {
		expiry_summary_free(&sum);
		have = 0;
	}
	if ((fd = open(rsync_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		rc = metrics_write(path, &st, have ? &sum : NULL, fd, m, err,
		    sizeof(err));
		close(fd);
	}
	if (rc == -1)
		log_warn("%s: %s%s%s", opt_name(OPT_METRICS),
		    fd == -1 ? rsync_dir : err,
		    fd == -1 ? ": " : "", fd == -1 ? strerror(errno) : "");
	if (have)
		expiry_summary_free(&sum);
	cleanup_file_free(&cf);
	state_free(&st);
	return rc;
}

int
metrics_write(const char *path, const struct state *st,
    const struct expiry_summary *sum, int rsync_dirfd,
    const struct metrics *m, char *err, size_t errsz)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct atomic_file af;
	FILE *f;

	if (atomic_file_open(&af, path, 0644, err, errsz) == -1)
		return -1;
	f = af.f;
	fprintf(f, "# HELP " PFX "build_info The version of rsyncswap that "
	    "wrote this file.\n# TYPE " PFX "build_info gauge\n" PFX
	    "build_info{version=\"" RSYNCSWAP_VERSION "\"} 1\n");
	prom_metric(f, "last_success_timestamp_seconds", "gauge",
	    "When the last sync succeeded.", (double)st->last_success);
	prom_metric(f, "last_failure_timestamp_seconds", "gauge",
	    "When the last sync failed.", (double)st->last_failure);
	prom_metric_opt(f, "refused_shrink", "gauge", "1 while the last sync was "
	    SHRINK_REFUSED " (%s; rsyncswap accept-shrink).", OPT_MAX_SHRINK,
	    st->last_failure >= st->last_success && st->last_failure > 0 &&
	    strstr(st->last_error, SHRINK_REFUSED) != NULL ? 1 : 0);
	prom_metric(f, "serial", "gauge", "RRDP serial of the current revision.",
	    (double)st->serial);
	fprintf(f, "# HELP " PFX "session_info RRDP session of the current "
	    "revision.\n# TYPE " PFX "session_info gauge\n" PFX
	    "session_info{session=\"%s\"} 1\n", st->session_id);
	/* Nodes serving one serial show one digest: a fleet compares them. */
	if (st->have_digest && st->revision[0] != '\0')
		fprintf(f, "# HELP " PFX "revision_info Serial and digest of "
		    "the current revision (rsyncswap verify).\n# TYPE " PFX
		    "revision_info gauge\n" PFX "revision_info{session=\"%s\","
		    "serial=\"%lld\",digest=\"%s\"} 1\n", st->session_id,
		    st->serial, digest_hex(&st->digest, hex));
	prom_metric(f, "objects", "gauge", "Objects in the current revision.",
	    (double)st->objects);
	prom_metric(f, "last_sync_bytes", "gauge",
	    "Object bytes written by the last sync.",
	    (double)m->last_sync_bytes);
	prom_metric(f, "last_sync_duration_seconds", "gauge",
	    "Duration of the last sync.",
	    (double)(long long)(m->last_sync_seconds * 1000 + 0.5) / 1000);
	prom_metric(f, "syncs_total", "counter", "Syncs that succeeded.",
	    (double)m->syncs_ok);
	prom_metric(f, "sync_failures_total", "counter", "Syncs that failed.",
	    (double)m->syncs_failed);
	prom_metric(f, "revisions_on_disk", "gauge",
	    "Revision directories in the rsync directory.",
	    (double)metrics_count_revisions(rsync_dirfd));
	prom_metric(f, "sweeps_total", "counter", "Sweeps run.", (double)m->sweeps);
	prom_metric(f, "swept_total", "counter", "Entries removed by sweeps.",
	    (double)m->swept);
	prom_metric(f, "cleanup_after_seconds", "gauge",
	    "Effective time a replaced revision is kept.",
	    (double)m->cleanup_after);
	prom_metric(f, "vanished_files_total", "counter",
	    "\"file has vanished\" lines in the rsyncd log.",
	    (double)m->vanished);
	prom_metric_opt(f, "vanished_files_attributed_total", "counter",
	    "Vanished files of revisions a sweep removed; with reader-aware "
	    "cleanup it should stay 0 (an error in the log: only a removal "
	    "after %s makes one).", OPT_CLEANUP_MAX,
	    (double)m->vanished_ours);
	prom_metric_opt(f, "rsyncd_log_lines_total", "counter",
	    "Lines read from the rsyncd log (%s).", OPT_RSYNCD_LOG,
	    (double)m->rsyncd_lines);
	prom_metric(f, "rsyncd_log_malformed_lines_total", "counter",
	    "Lines of the rsyncd log not in rsyncd's own log format.",
	    (double)m->rsyncd_malformed);
	metrics_expiry(f, st, sum, m);
	if (m->cleanup != NULL)
		cleanup_metrics_print(f, m->cleanup, st->revision);
	return atomic_file_commit(&af, err, errsz);
}
