/*
 * The one option table: every option's spelling, argument, the
 * subcommands that take it and its --help line. Data and opt_name() only,
 * so that what names an option links nothing more.
 */
#include <stddef.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/cli/opts.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

/* The subcommands, as bits: which ones take an option. */
#define S	CLI_SCOPE(CMD_SYNC)
#define W	CLI_SCOPE(CMD_WATCH)
#define P	CLI_SCOPE(CMD_SWEEP)
#define T	CLI_SCOPE(CMD_STATUS)
#define R	CLI_SCOPE(CMD_REPORT)
#define E	CLI_SCOPE(CMD_EXPIRY)
#define K	CLI_SCOPE(CMD_KRILL_SYNC)
#define A	CLI_SCOPE(CMD_ACCEPT_SHRINK)
#define Y	CLI_SCOPE(CMD_VERIFY)
#define ALL	(S | W | P | T | R | E | K | A | Y)

/*
 * Every option, in the order --help lists them. An alias (a peer's
 * spelling) has help NULL: it is accepted, and listed once under the
 * option it stands for.
 */
static const struct cli_opt opts[] = {
	{ "--state-dir", OPT_STATE_DIR, "DIR", S | W | P | T | R | A | Y,
	    "state file and lock (default " DEFAULT_STATE_DIR ")" },
	{ "--rsync-dir", OPT_RSYNC_DIR, "DIR", S | W | P | T | Y,
	    "revisions and current (default STATE-DIR/rsync)" },
	{ "--source-uri-base", OPT_SOURCE, "BASE", S | W,
	    "read the notification's directory from BASE: a local\n"
	    "directory or an http(s) URI (default: the public URI)" },
	{ "--source_uri_base", OPT_SOURCE, "BASE", S | W, NULL },
	{ "--insecure", OPT_INSECURE, NULL, S | W,
	    "allow http and https that does not verify" },
	{ "--ca-file", OPT_CA_FILE, "FILE", S | W,
	    "trust the CA certificates in FILE (PEM) for https" },
	{ "--fetch-timeout", OPT_FETCH_TIMEOUT, "SECS", S | W,
	    "give up a document that takes longer (default "
	    STR(FETCH_TIMEOUT) ")" },
	{ "--stall-timeout", OPT_STALL_TIMEOUT, "SECS", S | W,
	    "give up a transfer that sends nothing for this long (default "
	    STR(FETCH_LOW_SPEED_TIME) ")" },
	{ "--include-host", OPT_INCLUDE_HOST, NULL, S | W,
	    "revisions hold HOST/MODULE/PATH (default MODULE/PATH)" },
	{ "--rsync-include-host", OPT_INCLUDE_HOST, NULL, S | W, NULL },
	{ "--flat", OPT_FLAT, NULL, S | W,
	    "revisions hold PATH without MODULE/, as krill-sync writes\n"
	    "them (one module only; krill-sync's layout)" },
	{ "--btrfs", OPT_BTRFS, "WHEN", S | W | K,
	    "revisions as btrfs subvolumes, deltas as snapshots: auto\n"
	    "(when RSYNC-DIR is on btrfs), yes or no (default auto)" },
	{ "--rsync-disable", OPT_RSYNC_DISABLE, NULL, K,
	    "krill-sync's RRDP-only node: the RRDP output is written as\n"
	    "always; the revisions it is made from stay in --rsync-dir,\n"
	    "for no rsyncd to serve" },
	{ "--cleanup-after", OPT_CLEANUP_AFTER, "SECS", S | W | P,
	    "keep a replaced revision (default " STR(CLEANUP_AFTER_DEFAULT)
	    "): at least\nthis long, or this long without a reader scan" },
	{ "--cleanup-max", OPT_CLEANUP_MAX, "SECS", S | W | P,
	    "remove a replaced revision after this long even while it\n"
	    "is read; bound of the tuned cleanup time (default "
	    STR(CLEANUP_MAX_DEFAULT) ")" },
	{ "--no-reader-scan", OPT_NO_READER_SCAN, NULL, S | W | P,
	    "remove by time alone, without looking which revisions\n"
	    "rsync processes read" },
	{ "--max-revisions", OPT_MAX_REVISIONS, "N", S | W | P,
	    "disk budget: at most N revisions on disk, the current one\n"
	    "included; the oldest unread go first (default 0: none)" },
	{ "--max-disk", OPT_MAX_DISK, "SIZE", S | W | P,
	    "disk budget: revisions' bytes (K, M, G, T suffixes; shared\n"
	    "file data once); the oldest unread go first (default 0: none)" },
	{ "--max-deltas", OPT_MAX_DELTAS, "N", S | W,
	    "take the snapshot when more deltas are needed (default "
	    STR(MAX_DELTAS_DEFAULT) ")" },
	{ "--max-object-size", OPT_MAX_OBJECT_SIZE, "BYTES", S | W,
	    "largest object accepted (default "
	    STR(MAX_OBJECT_SIZE_DEFAULT) ")" },
	{ "--module", OPT_MODULE, "URI", S | W | K,
	    "rsync://HOST/MODULE/ exists in every revision, even before\n"
	    "it has objects (repeat for more; default: the modules seen)" },
	{ "--min-objects", OPT_MIN_OBJECTS, "N", S | W,
	    "refuse a revision with fewer objects (default 0)" },
	{ "--max-shrink", OPT_MAX_SHRINK, "PCT", S | W,
	    "refuse a revision with more than PCT percent fewer objects\n"
	    "than the served one, until `rsyncswap accept-shrink` (default "
	    STR(MAX_SHRINK_DEFAULT) "; 100: off)" },
	{ "--user", OPT_USER, "USER", S | W | P,
	    "started as root: run as USER with no capability; a helper\n"
	    "keeps CAP_CHOWN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH\n"
	    "(default: stay who we are)" },
	{ "--metrics-file", OPT_METRICS, "FILE", S | W | P,
	    "Prometheus textfile, rewritten after each run (default none)" },
	{ "--interval", OPT_INTERVAL, "SECS", W,
	    "check the origin this often (default "
	    STR(WATCH_INTERVAL_DEFAULT) ")" },
	{ "--rsyncd-log", OPT_RSYNCD_LOG, "FILE", W,
	    "follow rsyncd's log to tune the cleanup time and to check\n"
	    "that the reader scan sees its sessions (default none)" },
	{ "--syslog", OPT_SYSLOG, NULL, W,
	    "log to syslog (facility daemon) instead of stderr" },
	{ "--expiry-warn", OPT_EXPIRY_WARN, "HOURS", S | W | P | T,
	    "warning window for manifest and CRL expiry (default "
	    STR(EXPIRY_WARN_WATCH_HOURS) ")" },
	{ "--origin-quiet", OPT_ORIGIN_QUIET, "HOURS", W,
	    "warn when the origin has not changed for this long while\n"
	    "expiry approaches (default " STR(ORIGIN_QUIET_HOURS) ")" },
	{ "--rrdp-dir", OPT_RRDP_DIR, "DIR", S | W | P,
	    "also write RRDP files for an https front end (default none)" },
	{ "--rrdp-base-uri", OPT_RRDP_BASE, "URI", S | W | P,
	    "their public URI (default: the notification's directory)" },
	{ "--rrdp-notify-delay", OPT_RRDP_DELAY, "SECS", S | W,
	    "wait this long before writing the notification (default 0)" },
	{ "--rrdp-max-deltas", OPT_RRDP_MAX_DELTAS, "N", S | W,
	    "deltas listed at most, unless younger than\n"
	    "--rrdp-min-delta-age (default "
	    STR(RRDP_OUT_MAX_DELTAS_DEFAULT) ")" },
	{ "--stale-after", OPT_STALE_AFTER, "SECS", T,
	    "call the node stale when the last success is older\n"
	    "(default " STR(STALE_AFTER_DEFAULT) ")" },
	{ "--rrdp-min-delta-age", OPT_RRDP_MIN_DELTA_AGE, "SECS", S | W,
	    "list deltas younger than this even beyond --rrdp-max-deltas\n"
	    "(default " STR(RRDP_OUT_MIN_DELTA_AGE) ": the BCP's 4 hours)" },
	{ "--svg", OPT_SVG, "FILE", R,
	    "also draw the sessions as an SVG chart into FILE" },
	{ "--warn", OPT_WARN, "HOURS", E,
	    "warning window (default " STR(EXPIRY_WARN_DEFAULT_HOURS) ")" },
	{ "--check", OPT_CHECK, NULL, E,
	    "exit 1 when a publication point has expired or expires\n"
	    "within the window, a manifest or CRL is damaged, or no\n"
	    "manifest is found" },
	{ "--json", OPT_JSON, NULL, T | R | E,
	    "machine-readable output" },
	{ "--verbose", OPT_VERBOSE, NULL, S | W | P | T | A | Y,
	    "more log lines (twice: debug)" },
	{ "--quiet", OPT_QUIET, NULL, S | W | P | T | A | Y,
	    "errors only, no summary line" },
	{ "--help", OPT_HELP, NULL, ALL, "this text" },
	{ "--version", OPT_VERSION, NULL, ALL, "print the version" },
};

const struct cli_opt *const cli_opts = opts;
const size_t cli_nopts = sizeof(opts) / sizeof(opts[0]);
_Static_assert(sizeof(opts) / sizeof(opts[0]) <= CLI_OPTS_MAX,
    "CLI_OPTS_MAX is too small for opts[]");

/* How options whose default differs read in `rsyncswap krill-sync --help`. */
static const struct {
	int		 id;
	const char	*help;
} krill_help[] = {
	{ OPT_STATE_DIR,
	    "state file and lock (default " KRILL_SYNC_STATE_DIR ")" },
	{ OPT_INCLUDE_HOST,
	    "revisions hold HOST/MODULE/PATH (default PATH, as --flat)" },
	{ OPT_RRDP_DIR,
	    "also write RRDP files for an https front end (default "
	    "STATE-DIR/rrdp)" },
};

/* -s as `rsyncswap report --help` shows it: there it has no default. */
static const char report_state_help[] =
    "attribute vanished files to the revisions of the state in\n"
    "DIR (default: no attribution)";

const char *
cli_opt_help(enum cli_cmd cmd, const struct cli_opt *o)
{
	size_t i;

	if (cmd == CMD_REPORT && o->id == OPT_STATE_DIR)
		return report_state_help;
	for (i = 0; cmd == CMD_KRILL_SYNC &&
	    i < sizeof(krill_help) / sizeof(krill_help[0]); i++)
		if (krill_help[i].id == o->id)
			return krill_help[i].help;
	return o->help;
}

const char *
opt_name(enum opt_id id)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].id == (int)id && opts[i].help != NULL)
			return opts[i].name;
	return "--?";
}
