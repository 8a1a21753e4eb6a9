/*
 * Which option a message is about, for the parts below cli/: they name it
 * by its id and opt_name() gives the spelling the user types. The
 * spellings are in cli/'s one option table (cli/opts.c) and nowhere else.
 */
#ifndef RSYNCSWAP_OPTNAME_H
#define RSYNCSWAP_OPTNAME_H

/* Every option; those with a short form are their letter. */
enum opt_id {
	OPT_STATE_DIR = 's', OPT_RSYNC_DIR = 'r', OPT_VERBOSE = 'v',
	OPT_QUIET = 'q', OPT_HELP = 'h', OPT_VERSION = 'V',
	OPT_SOURCE = 256, OPT_INSECURE, OPT_INCLUDE_HOST, OPT_CLEANUP_AFTER,
	OPT_MAX_DELTAS, OPT_MAX_OBJECT_SIZE, OPT_MIN_OBJECTS, OPT_CA_FILE,
	OPT_USER, OPT_METRICS, OPT_INTERVAL, OPT_CLEANUP_MAX, OPT_SYSLOG,
	OPT_RSYNCD_LOG, OPT_JSON, OPT_RRDP_DIR, OPT_RRDP_BASE, OPT_RRDP_DELAY,
	OPT_RRDP_MAX_DELTAS, OPT_EXPIRY_WARN, OPT_ORIGIN_QUIET, OPT_SVG,
	OPT_STALE_AFTER, OPT_MODULE,
	OPT_WARN, OPT_CHECK, OPT_FLAT, OPT_RSYNC_DISABLE, OPT_FETCH_TIMEOUT,
	OPT_STALL_TIMEOUT, OPT_RRDP_MIN_DELTA_AGE, OPT_MAX_SHRINK, OPT_BTRFS,
	OPT_NO_READER_SCAN, OPT_MAX_REVISIONS, OPT_MAX_DISK,
	OPT_ID_END	/* not an option: one past the last long-only id */
};

/*
 * Returns the option's spelling as typed, with its dashes
 * ("--min-objects"); never NULL. Defined in cli/opts.c, a table that
 * links nothing but itself.
 */
const char	*opt_name(enum opt_id id);

#endif
