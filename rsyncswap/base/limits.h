/*
 * The limits on what rsyncswap takes in (documents, objects, URIs, paths,
 * logs, the state) and the defaults and bounds of its options, in one
 * place. Each is checked before anything is allocated or written. A bound
 * of one module's own work (a walk's depth, the entries of one sweep, a
 * timer) is a named constant at the top of that module's .c file; the size
 * of one structure's field is in that structure's header.
 */
#ifndef RSYNCSWAP_LIMITS_H
#define RSYNCSWAP_LIMITS_H

/* Largest decoded object accepted by default (as rpki-client). */
#define MAX_OBJECT_SIZE_DEFAULT	8000000
/* Upper bound for --max-object-size: an object is held in memory once. */
#define MAX_OBJECT_SIZE_LIMIT	(64 * 1024 * 1024)
/* Longest URI accepted anywhere (RRDP and rsync). */
#define MAX_URI_LENGTH		2048
/* Longest single path segment (file or directory name). */
#define MAX_FN_LENGTH		255
/* Deepest path below the module (segments), to bound directory creation. */
#define MAX_PATH_DEPTH		32
/* Deepest directory of a revision: host, module and the path's directories. */
#define MAX_REV_DIR_DEPTH	(MAX_PATH_DEPTH + 1)
/*
 * Objects, and bytes of them, queued between the parser and the thread
 * that writes them (sync_pipe.c); an object larger than the byte bound
 * passes alone.
 */
#define PIPE_MAX_OBJECTS	1024
#define PIPE_MAX_BYTES		(1024 * 1024)
/*
 * Threads one walk of a tree runs on at most (tree/handoff.h), and so
 * directories waiting for one at most: a directory is handed over only to
 * an idle thread.
 */
#define HANDOFF_THREADS_MAX	4
/*
 * Threads that hard-link a revision from deltas (at most one per online
 * core): mkdir and link of each entry is kernel time, and on ext4 two
 * threads link 300000 files in 0.6 x the time of one.
 */
#define LINK_THREADS_MAX	HANDOFF_THREADS_MAX
/*
 * Threads of a snapshot's commit walk (at most one per online core): it
 * sets every directory's times and reads every manifest and CRL for the
 * expiry summary, 100000 files at 300000 objects, all in the page cache.
 */
#define WALK_THREADS_MAX	HANDOFF_THREADS_MAX
/* Deltas applied in one run before a snapshot is cheaper (as rpki-client). */
#define MAX_DELTAS_DEFAULT	300
/* Deltas listed in one notification (rpki-client allows any; bound memory). */
#define MAX_NOTIFICATION_DELTAS	100000
/* Largest notification document. */
#define MAX_NOTIFICATION_SIZE	(64 * 1024 * 1024)
/* Largest snapshot or delta document (the RIPE NCC snapshot is ~1 GB). */
#define MAX_DOCUMENT_SIZE	(16LL * 1024 * 1024 * 1024)
/*
 * --max-shrink: a revision with more than this percent fewer objects than
 * the served one is refused until accepted (README: "The shrink guard").
 */
#define MAX_SHRINK_DEFAULT	50
/* Seconds a revision stays on disk after it stopped being current. */
#define CLEANUP_AFTER_DEFAULT	7200
/* Seconds a sweeper child may take before it is killed. */
#define SWEEP_CHILD_TIMEOUT	3600
/* Revisions remembered in the state file's history. */
#define MAX_HISTORY		512
/* --module given at most this often. */
#define MAX_MODULES		64
/*
 * Seconds one HTTP transfer may take (--fetch-timeout), may stall without
 * data (--stall-timeout), and may wait for a connection, before it fails.
 */
#define FETCH_TIMEOUT		1800
#define FETCH_LOW_SPEED_TIME	60
#define FETCH_CONNECT_TIMEOUT	30
/* Deltas listed in our own notification (--rrdp-max-deltas default). */
#define RRDP_OUT_MAX_DELTAS_DEFAULT	100
/*
 * Deltas younger than this stay in our notification even beyond
 * --rrdp-max-deltas (publication-server BCP -07: "at least 4 hours").
 */
#define RRDP_OUT_MIN_DELTA_AGE	14400
/*
 * Seconds an RRDP file stays on disk after our notification stopped
 * listing it, at least (BCP -07: "two hours after they have become
 * unreferenced"); a longer --cleanup-after counts instead.
 */
#define RRDP_OUT_KEEP_UNLISTED	7200
/* Largest state file read (MAX_NOTIFICATION_DELTAS lines of ~91 bytes fit). */
#define MAX_STATE_FILE_SIZE	(16 * 1024 * 1024)
/* Length of an error message built for the user (one line). */
#define ERR_MAX			1024
/*
 * Publication points (directories with a manifest) the expiry watch tracks:
 * one entry of ~64 bytes plus its path each, so at most ~100 MB; the RIPE
 * NCC repository has ~40000. PPs beyond are counted, not tracked.
 */
#define MAX_EXPIRY_PPS		262144
/* Damaged manifests and CRLs listed by path (all of them are counted). */
#define MAX_EXPIRY_BAD		1000
/*
 * The expiry summary of a revision built from deltas is the base file and
 * a segment per revision since (expiry_journal.h): the segments are folded
 * into a new base once there are EXPIRY_SEGMENTS_MAX of them, or once they
 * hold more than half the base's bytes or EXPIRY_JOURNAL_MAX bytes (what a
 * reader keeps of them in memory is their directory names).
 */
#define EXPIRY_SEGMENTS_MAX	128
#define EXPIRY_JOURNAL_MAX	(4 * 1024 * 1024)
/* PPs listed as closest to expiry, and expired PPs listed by a report. */
#define EXPIRY_CLOSEST		10
#define MAX_EXPIRY_LISTED	100
/*
 * Deepest directory below the top of a tree the tree walk (tree/walk.c:
 * the commit's directory times, the expiry summary) enters.
 */
#define MAX_TREE_WALK_DEPTH	(MAX_PATH_DEPTH + 2)
/* Default warning window of `rsyncswap expiry --warn` (hours). */
#define EXPIRY_WARN_DEFAULT_HOURS	6
/* Default warning window of --expiry-warn in watch, status, metrics. */
#define EXPIRY_WARN_WATCH_HOURS	8
/*
 * A thisUpdate later than now by more than this is warned about: the
 * origin's clock or ours is wrong (five minutes of skew are tolerated).
 */
#define EXPIRY_FUTURE_SLACK	300
/* Default --origin-quiet (hours). */
#define ORIGIN_QUIET_HOURS	2

/* ---- reader-aware cleanup (readers, privhelper) ---- */
/* Processes looked at by one scan of /proc, and open files per process. */
#define READERS_MAX_PROCS	1000000
#define READERS_MAX_FDS		65536
/*
 * Bytes of /proc/PID/cmdline read to find "--daemon" (rsyncd's own command
 * line is short), and of /proc/PID/status to find NSpid.
 */
#define READERS_CMDLINE_MAX	4096
#define READERS_STATUS_MAX	4096
/*
 * Octets of an rsync daemon's configuration file read to find its module
 * paths, and of one line of it.
 */
#define RSYNCD_CONF_MAX		(1024 * 1024)
#define RSYNCD_CONF_LINE_MAX	4096
/* The file an rsync daemon reads without --config (rsyncd.conf(5)). */
#define RSYNCD_CONF_DEFAULT	"/etc/rsyncd.conf"
/* (process, revision) pairs one scan reports. */
#define READERS_MAX		65536
/*
 * Seconds after a replacement before a scan counts: rsyncd resolves
 * `current` when a client connects, and the replacement time is whole
 * seconds.
 */
#define READERS_GRACE		1
/* Revisions listed in <state-dir>/cleanup that status and metrics read. */
#define CLEANUP_FILE_MAX_REVS	65536
/* Pause between sweeps while a replaced revision waits for readers (ms). */
#define READERS_SWEEP_MS	1000

/* Differences `rsyncswap verify` lists one by one (all are counted). */
#define VERIFY_MAX_LISTED	20

/* ---- defaults of the command line ---- */
#define DEFAULT_STATE_DIR	"/var/lib/rsyncswap"
/* The state directory of `rsyncswap krill-sync` (krill-sync's default). */
#define KRILL_SYNC_STATE_DIR	"/var/lib/krill-sync"
/* Seconds between two checks of the origin by watch (--interval). */
#define WATCH_INTERVAL_DEFAULT	30
/* Upper bound of the tuned cleanup time (--cleanup-max). */
#define CLEANUP_MAX_DEFAULT	86400
/*
 * status --stale-after: a node whose last successful sync is older is
 * stale (an hour: sixty cron runs or 120 watch checks have failed).
 */
#define STALE_AFTER_DEFAULT	3600

/* ---- rsyncd log (rsyncdlog, rsyncdsess, logtail, report) ---- */
/* Longest rsyncd log line handled; a longer one is cut and counted malformed. */
#define RSYNCD_LINE_MAX		8192
/* Longest vanished path kept (rsync's MAXPATHLEN). */
#define RSYNCD_PATH_MAX		4096
/* Longest module name, client host name and client address in a log line. */
#define RSYNCD_MODULE_MAX	255
#define RSYNCD_HOST_MAX		255
#define RSYNCD_IP_MAX		63
/* Largest pid accepted in a log line (INT_MAX: any Unix pid_t). */
#define RSYNCD_PID_MAX		2147483647L
/* Open rsyncd sessions tracked (~5 KB each); beyond, the oldest is evicted. */
#define RSYNCD_SESSIONS_MAX	1024
/*
 * Lines read without one in rsyncd's own format after which watch says the
 * log is not rsyncd's (a syslog-format log gives no tuning).
 */
#define LOGWATCH_FORMAT_LINES	20
/*
 * Seconds a session may lie before we began to follow the log, or after
 * now, before it is taken for a bogus line and not tuned from.
 */
#define LOGWATCH_TIME_SLACK	300
/*
 * Sessions of the rsyncd log remembered between two reader scans, to check
 * that the next scan sees each (more are not checked by that scan).
 */
#define LOGWATCH_CHECKS_MAX	256
/* Rotated-away log files still read for late lines of their sessions. */
#define LOGTAIL_DRAIN_MAX	4
/* Seconds a rotated-away log file is read after its last growth. */
#define LOGTAIL_DRAIN_IDLE	86400
/* Milliseconds between re-checks of the log path when no event arrives. */
#define LOGTAIL_RECHECK_MS	1000
/* report: distinct client addresses counted exactly (more: "at least"). */
#define REPORT_CLIENTS_MAX	65536
/* report: sessions with vanished lines listed one by one. */
#define REPORT_VANISHED_MAX	1000
/* report: hours in the per-hour table (92 days). */
#define REPORT_HOURS_MAX	(24 * 92)
/* report: session points kept for the SVG (thinned evenly beyond). */
#define REPORT_POINTS_MAX	50000

#endif
