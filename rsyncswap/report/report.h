/*
 * `rsyncswap report [--json] [--svg FILE] [--state-dir DIR] LOG...`:
 * sessions, clients, durations, vanished files and refusals of rsyncd logs,
 * and the --cleanup-after they call for (README.md, "rsyncswap report").
 */
#ifndef RSYNCSWAP_REPORT_H
#define RSYNCSWAP_REPORT_H

/*
 * Runs the report over logs[0..nlogs) (at least one), with the state of
 * state_dir (NULL: none) for context, as JSON or text on stdout, and an SVG
 * chart into svg unless NULL. The logs are read in the order given,
 * which must be oldest first (rsyncd.log.2.gz rsyncd.log.1 rsyncd.log):
 * a session that spans a rotation is then seen whole. Plain and gzip files
 * are both read (zlib). Returns 0 when done, 1 when an input could not be
 * read (one line on stderr).
 */
int	report_run(const char *state_dir, const char *svg, int json,
	    char **logs, int nlogs);

#endif
