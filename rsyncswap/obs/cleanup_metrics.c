#include <stdio.h>
#include <string.h>

#include "rsyncswap/base/optname.h"
#include "rsyncswap/obs/cleanup_metrics.h"
#include "rsyncswap/obs/prom.h"

#define PFX	"rsyncswap_"

void
cleanup_metrics_print(FILE *f, const struct cleanup_file *cf,
    const char *current)
{
	const struct cleanup_totals *t = &cf->t;
	const struct cleanup_rev *v;
	long long bytes = 0, inodes = 0;

	prom_metric(f, "cleanup_reader_aware", "gauge", "1 when replaced revisions "
	    "are removed once no rsync process reads them.",
	    cf->mode == CLEANUP_MODE_READERS);
	prom_metric(f, "cleanup_fallback", "gauge", "1 when the reader scan cannot "
	    "run and the time rule applies (see status).",
	    cf->mode == CLEANUP_MODE_FALLBACK);
	prom_metric(f, "reader_scans_total", "counter", "Scans for readers of "
	    "revisions.", (double)t->scans);
	prom_metric(f, "reader_scan_failures_total", "counter", "Scans that could "
	    "not tell which revisions are read.", (double)t->scan_failures);
	fprintf(f, "# HELP " PFX "revision_readers rsync processes whose "
	    "root, working directory or open files lie in the revision.\n"
	    "# TYPE " PFX "revision_readers gauge\n");
	for (size_t i = 0; i < cf->n; i++) {
		v = &cf->revs[i];
		if (v->readers >= 0)
			fprintf(f, PFX "revision_readers{revision=\"%s\","
			    "current=\"%s\"} %d\n", v->name,
			    strcmp(v->name, current) == 0 ? "true" : "false",
			    v->readers);
		bytes += v->share > 0 ? v->share : 0;
		inodes += v->inodes > 0 ? v->inodes : 0;
	}
	prom_metric(f, "revisions_bytes", "gauge", "Disk bytes of the revisions on "
	    "disk (directories, and shared file data once); 0 when not "
	    "measured.", (double)bytes);
	prom_metric(f, "revisions_own_inodes", "gauge", "Inodes only one revision "
	    "holds (its directories and unshared files), summed.",
	    (double)inodes);
	prom_metric(f, "removal_delay_seconds_total", "counter", "Seconds from "
	    "replacement to removal, summed over the removed revisions.",
	    (double)t->removed_seconds);
	prom_metric(f, "revisions_removed_total", "counter", "Replaced revisions "
	    "removed (the count of removal_delay_seconds_total).",
	    (double)t->removed);
	prom_metric(f, "removal_delay_max_seconds", "gauge", "Longest time from "
	    "replacement to removal.", (double)t->removed_max_seconds);
	prom_metric_opt(f, "readers_hurt_total", "counter", "Readers of revisions "
	    "removed after %s.", OPT_CLEANUP_MAX, (double)t->hurt);
	prom_metric_opt(f, "budget_shortfall_revisions", "gauge", "Revisions over "
	    "%s that are read (or not scanned yet).", OPT_MAX_REVISIONS,
	    cf->short_revisions);
	prom_metric_opt(f, "budget_shortfall_bytes", "gauge", "Bytes over %s "
	    "that are read (or not scanned yet).", OPT_MAX_DISK,
	    (double)cf->short_bytes);
}
