/*
 * `rsyncswap report [--json] [--svg FILE] [--state-dir DIR] LOG...`:
 * sessions, clients, durations, vanished files and refusals of rsyncd logs,
 * and the --cleanup-after they call for (README.md, "rsyncswap report").
 */
#ifndef RSYNCSWAP_REPORT_H
#define RSYNCSWAP_REPORT_H

/*
 * Runs the report; argv[0] is "report". LOGs are read in the order given,
 * which must be oldest first (rsyncd.log.2.gz rsyncd.log.1 rsyncd.log):
 * a session that spans a rotation is then seen whole. Plain and gzip files
 * are both read (zlib). Returns the exit code: 0 done, 1 an input could not
 * be read (one line on stderr), 2 usage error.
 */
int	report_main(int argc, char *argv[]);

#endif
