/* rsyncswap: the command line. Everything else lives in its own module. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/expiry_cmd.h"
#include "rsyncswap/fetch.h"
#include "rsyncswap/fsutil.h"
#include "rsyncswap/limits.h"
#include "rsyncswap/log.h"
#include "rsyncswap/metrics.h"
#include "rsyncswap/privs.h"
#include "rsyncswap/report.h"
#include "rsyncswap/status.h"
#include "rsyncswap/sync.h"
#include "rsyncswap/uri.h"
#include "rsyncswap/version.h"
#include "rsyncswap/watch.h"

#define DEFAULT_STATE_DIR	"/var/lib/rsyncswap"
#define DEFAULT_INTERVAL	30
#define DEFAULT_CLEANUP_MAX	86400

enum {
	OPT_SOURCE = 256, OPT_INSECURE, OPT_INCLUDE_HOST, OPT_CLEANUP_AFTER,
	OPT_MAX_DELTAS, OPT_MAX_OBJECT_SIZE, OPT_MIN_OBJECTS, OPT_CA_FILE,
	OPT_USER, OPT_METRICS, OPT_INTERVAL, OPT_CLEANUP_MAX, OPT_SYSLOG,
	OPT_RSYNCD_LOG, OPT_JSON, OPT_RRDP_DIR, OPT_RRDP_BASE, OPT_RRDP_DELAY,
	OPT_RRDP_MAX_DELTAS, OPT_EXPIRY_WARN, OPT_ORIGIN_QUIET,
};

/* The subcommands, as bits: which ones take an option. */
#define C_SYNC		0x1
#define C_WATCH		0x2
#define C_SWEEP		0x4
#define C_STATUS	0x8
#define C_ALL		(C_SYNC | C_WATCH | C_SWEEP | C_STATUS)
#define C_FETCH		(C_SYNC | C_WATCH)

static const struct option long_options[] = {
	{ "state-dir",		required_argument, NULL, 's' },
	{ "rsync-dir",		required_argument, NULL, 'r' },
	{ "source-uri-base",	required_argument, NULL, OPT_SOURCE },
	{ "insecure",		no_argument,	   NULL, OPT_INSECURE },
	{ "ca-file",		required_argument, NULL, OPT_CA_FILE },
	{ "include-host",	no_argument,	   NULL, OPT_INCLUDE_HOST },
	{ "cleanup-after",	required_argument, NULL, OPT_CLEANUP_AFTER },
	{ "cleanup-max",	required_argument, NULL, OPT_CLEANUP_MAX },
	{ "max-deltas",		required_argument, NULL, OPT_MAX_DELTAS },
	{ "max-object-size",	required_argument, NULL, OPT_MAX_OBJECT_SIZE },
	{ "min-objects",	required_argument, NULL, OPT_MIN_OBJECTS },
	{ "user",		required_argument, NULL, OPT_USER },
	{ "metrics-file",	required_argument, NULL, OPT_METRICS },
	{ "interval",		required_argument, NULL, OPT_INTERVAL },
	{ "syslog",		no_argument,	   NULL, OPT_SYSLOG },
	{ "rsyncd-log",		required_argument, NULL, OPT_RSYNCD_LOG },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "expiry-warn",	required_argument, NULL, OPT_EXPIRY_WARN },
	{ "origin-quiet",	required_argument, NULL, OPT_ORIGIN_QUIET },
	{ "rrdp-dir",		required_argument, NULL, OPT_RRDP_DIR },
	{ "rrdp-base-uri",	required_argument, NULL, OPT_RRDP_BASE },
	{ "rrdp-notify-delay",	required_argument, NULL, OPT_RRDP_DELAY },
	{ "rrdp-max-deltas",	required_argument, NULL, OPT_RRDP_MAX_DELTAS },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Returns the subcommands that take option c. */
static int
option_scope(int c)
{
	switch (c) {
	case 's': case 'r': case 'v': case 'q': case 'h': case 'V':
		return C_ALL;
	case OPT_CLEANUP_AFTER: case OPT_USER: case OPT_METRICS:
	case OPT_RRDP_DIR:
		return C_SYNC | C_WATCH | C_SWEEP;
	case OPT_INTERVAL: case OPT_CLEANUP_MAX: case OPT_SYSLOG:
	case OPT_RSYNCD_LOG: case OPT_ORIGIN_QUIET:
		return C_WATCH;
	case OPT_EXPIRY_WARN:
		return C_WATCH | C_STATUS | C_SYNC | C_SWEEP;
	case OPT_JSON:
		return C_STATUS;
	case OPT_RRDP_BASE:
		return C_SYNC | C_WATCH | C_SWEEP;
	default:
		return C_FETCH;
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rsyncswap sync   [OPTIONS] NOTIFICATION-URI  one run (for cron)\n"
"       rsyncswap watch  [OPTIONS] NOTIFICATION-URI  the sidecar daemon\n"
"       rsyncswap sweep  [OPTIONS]                   remove expired revisions\n"
"       rsyncswap status [OPTIONS] [--json]          what is served\n"
"       rsyncswap report [--json] [--svg FILE] [--state-dir DIR] LOG...\n"
"                                                    rsyncd log analysis\n"
"       rsyncswap expiry [--json] [--warn HOURS] DIR when DIR goes stale\n"
"\n"
"  -s, --state-dir DIR        state and lock (default " DEFAULT_STATE_DIR ")\n"
"  -r, --rsync-dir DIR        revisions and the current symlink\n"
"                             (default STATE-DIR/rsync)\n"
"      --source-uri-base BASE read the notification's directory from BASE:\n"
"                             a local directory or an http(s) URI\n"
"      --insecure             allow http and unverified TLS\n"
"      --ca-file FILE         trust the CAs in FILE for https\n"
"      --include-host         revisions hold HOST/MODULE/PATH\n"
"      --cleanup-after SECS   keep replaced revisions this long (default %d)\n"
"      --max-deltas N         take the snapshot beyond N deltas (default %d)\n"
"      --max-object-size B    largest object (default %d)\n"
"      --min-objects N        refuse a revision with fewer objects\n"
"      --user USER            started as root: run as USER (current stays\n"
"                             owned by root)\n"
"      --metrics-file FILE    Prometheus textfile, rewritten after each run\n"
"      --rrdp-dir DIR         also write RRDP files for an https front end\n"
"      --rrdp-base-uri URI    their public URI (default: the notification's\n"
"                             directory)\n"
"      --rrdp-notify-delay S  wait S seconds before the notification (0)\n"
"      --rrdp-max-deltas N    deltas listed at most (default %d)\n"
"  watch only:\n"
"      --interval SECS        check the origin this often (default %d)\n"
"      --cleanup-max SECS     upper bound of the tuned cleanup (default %d)\n"
"      --rsyncd-log FILE      follow rsyncd's log\n"
"      --syslog               log to syslog instead of stderr\n"
"      --origin-quiet HOURS   warn when the origin has not changed for this\n"
"                             long while expiry approaches (default 2)\n"
"  watch, status and metrics:\n"
"      --expiry-warn HOURS    warning window for manifest/CRL expiry (8)\n"
"  status only:\n"
"      --json                 machine-readable output\n"
"  -v, --verbose              more log lines (twice: debug)\n"
"  -q, --quiet                errors only, no summary\n"
"  -h, --help                 this text\n"
"  -V, --version              the version\n"
"\n"
"Exit: 0 ok, 1 failure (current untouched), 2 usage, 75 locked.\n",
	    CLEANUP_AFTER_DEFAULT, MAX_DELTAS_DEFAULT, MAX_OBJECT_SIZE_DEFAULT,
	    RRDP_OUT_MAX_DELTAS_DEFAULT, DEFAULT_INTERVAL, DEFAULT_CLEANUP_MAX);
}

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "rsyncswap: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see rsyncswap --help)\n");
	return EXIT_USAGE;
}

/* Returns 0 and the number in *out if s is a decimal in [min, max]. */
static int
parse_number(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

struct cli {
	struct watch_options	 w;	/* w.sync: the sync options */
	struct rrdpout_config	 rrdp;	/* used when rrdp.dir is set */
	const char		*user;
	int			 json;
	int			 syslog;
	int			 verbosity;
};

/* Parses one option. Returns -1 to go on, or an exit code. */
static int
parse_option(struct cli *c, int opt, const char *cmd)
{
	struct sync_options *o = &c->w.sync;
	long long n;

	switch (opt) {
	case 's': o->state_dir = optarg; break;
	case 'r': o->rsync_dir = optarg; break;
	case OPT_SOURCE: o->fetch.source_base = optarg; break;
	case OPT_INSECURE: o->fetch.insecure = 1; break;
	case OPT_CA_FILE: o->fetch.ca_file = optarg; break;
	case OPT_INCLUDE_HOST: o->include_host = 1; break;
	case OPT_USER: c->user = optarg; break;
	case OPT_METRICS: c->w.metrics_file = optarg; break;
	case OPT_RSYNCD_LOG: c->w.rsyncd_log = optarg; break;
	case OPT_SYSLOG: c->syslog = 1; break;
	case OPT_JSON: c->json = 1; break;
	case OPT_RRDP_DIR: c->rrdp.dir = optarg; break;
	case OPT_RRDP_BASE: c->rrdp.base_uri = optarg; break;
	case OPT_RRDP_DELAY:
		if (parse_number(optarg, 0, 3600, &n) == -1)
			return usage_error("--rrdp-notify-delay: \"%s\" is not "
			    "0 to 3600 seconds", optarg);
		c->rrdp.notify_delay = n;
		break;
	case OPT_RRDP_MAX_DELTAS:
		if (parse_number(optarg, 0, MAX_NOTIFICATION_DELTAS, &n) == -1)
			return usage_error("--rrdp-max-deltas: \"%s\" is out "
			    "of range", optarg);
		c->rrdp.max_deltas = (size_t)n;
		break;
	case 'v': c->verbosity++; break;
	case 'q': c->verbosity = 0; o->quiet = 1; break;
	case 'h': usage(stdout); return EXIT_OK;
	case 'V': printf("rsyncswap %s\n", RSYNCSWAP_VERSION); return EXIT_OK;
	case OPT_CLEANUP_AFTER:
	case OPT_CLEANUP_MAX:
		if (parse_number(optarg, 0, 365LL * 86400, &n) == -1)
			return usage_error("\"%s\" is not a number of seconds "
			    "(0 to one year)", optarg);
		if (opt == OPT_CLEANUP_AFTER)
			o->cleanup_after = n;
		else
			c->w.cleanup_max = n;
		break;
	case OPT_EXPIRY_WARN:
	case OPT_ORIGIN_QUIET:
		if (parse_number(optarg, 0, 24 * 365, &n) == -1)
			return usage_error("\"%s\" is not a number of hours",
			    optarg);
		if (opt == OPT_EXPIRY_WARN)
			c->w.expiry_warn = n * 3600;
		else
			c->w.origin_quiet = n * 3600;
		break;
	case OPT_INTERVAL:
		if (parse_number(optarg, 1, 86400, &n) == -1)
			return usage_error("--interval: \"%s\" is not 1 to "
			    "86400 seconds", optarg);
		c->w.interval = (long)n;
		break;
	case OPT_MAX_DELTAS:
		if (parse_number(optarg, 0, MAX_NOTIFICATION_DELTAS, &n) == -1)
			return usage_error("--max-deltas: \"%s\" is out of "
			    "range", optarg);
		o->max_deltas = (size_t)n;
		break;
	case OPT_MAX_OBJECT_SIZE:
		if (parse_number(optarg, 1, MAX_OBJECT_SIZE_LIMIT, &n) == -1)
			return usage_error("--max-object-size: \"%s\" is out "
			    "of range", optarg);
		o->max_object_size = (size_t)n;
		break;
	case OPT_MIN_OBJECTS:
		if (parse_number(optarg, 0, LLONG_MAX, &n) == -1)
			return usage_error("--min-objects: \"%s\" is not a "
			    "number", optarg);
		o->min_objects = (size_t)n;
		break;
	default:
		return usage_error("%s: bad option", cmd);
	}
	return -1;
}

/* Checks the notification URI and the back-end. Returns -1 or EXIT_USAGE. */
static int
check_source(struct sync_options *o, const char *uri)
{
	struct stat sb;

	o->notification_uri = uri;
	o->fetch.public_uri = uri;
	if (!uri_valid_http(uri, o->fetch.insecure))
		return usage_error("\"%s\" is not an https URI (http needs "
		    "--insecure)", uri);
	if (o->fetch.source_base == NULL)
		return -1;
	if (strncmp(o->fetch.source_base, "https://", 8) == 0 ||
	    strncmp(o->fetch.source_base, "http://", 7) == 0) {
		if (!uri_valid_http(o->fetch.source_base, o->fetch.insecure))
			return usage_error("--source-uri-base: \"%s\" is not "
			    "a usable URI (http needs --insecure)",
			    o->fetch.source_base);
	} else if (stat(o->fetch.source_base, &sb) == -1 ||
	    !S_ISDIR(sb.st_mode))
		return usage_error("--source-uri-base: \"%s\" is neither an "
		    "http(s) URI nor a directory", o->fetch.source_base);
	else
		o->fetch.source_is_dir = 1;
	return -1;
}

/*
 * Completes the --rrdp-dir configuration: the public base URI defaults to
 * the notification's directory. Returns -1, or EXIT_USAGE.
 */
static int
check_rrdp(struct cli *c)
{
	static char base[MAX_URI_LENGTH + 2];
	const char *uri = c->w.sync.notification_uri, *slash;

	if (c->rrdp.dir == NULL) {
		if (c->rrdp.base_uri != NULL)
			return usage_error("%s", "--rrdp-base-uri needs "
			    "--rrdp-dir");
		return -1;
	}
	if (c->rrdp.base_uri == NULL) {
		if (uri == NULL || (slash = strrchr(uri, '/')) == NULL)
			return usage_error("%s", "--rrdp-base-uri is needed");
		snprintf(base, sizeof(base), "%.*s", (int)(slash - uri + 1),
		    uri);
		c->rrdp.base_uri = base;
	}
	if (!uri_valid_http(c->rrdp.base_uri, 1) ||
	    c->rrdp.base_uri[strlen(c->rrdp.base_uri) - 1] != '/')
		return usage_error("--rrdp-base-uri: \"%s\" is not an http(s) "
		    "URI ending in /", c->rrdp.base_uri);
	c->rrdp.max_delta_age = RRDP_OUT_MAX_DELTA_AGE;
	c->w.sync.rrdp = &c->rrdp;
	return -1;
}

/* Creates dir owned by p's user when we are root. Returns 0 or -1. */
static int
prepare_dir(const char *dir, const struct privs *p)
{
	int fd;

	if (fs_mkdir_p(dir) == -1) {
		log_error("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!p->have_user || geteuid() != 0)
		return 0;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fchown(fd, p->uid, p->gid) == -1) {
		log_error("%s: chown to %s: %s", dir, p->name,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Opens what needs root, then drops to --user. Returns 0, or an exit code.
 */
static int
setup_privileges(struct cli *c, struct privs *p, int daemon)
{
	struct sync_options *o = &c->w.sync;
	char err[ERR_MAX];

	memset(p, 0, sizeof(*p));
	if (c->user != NULL && privs_lookup(c->user, p, err,
	    sizeof(err)) == -1)
		return usage_error("%s", err);
	if (prepare_dir(o->state_dir, p) == -1 ||
	    prepare_dir(o->rsync_dir, p) == -1 ||
	    (c->rrdp.dir != NULL && prepare_dir(c->rrdp.dir, p) == -1))
		return EXIT_FAIL;
	if (privs_drop(p, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	o->privs = p;
	if (!privs_can_chown()) {
		if (daemon)
			log_warn("current will be owned by uid %u, not root: "
			    "rsyncd must use `use chroot = yes` (with `use "
			    "chroot = no` it refuses a symlink not owned by "
			    "root)", (unsigned)geteuid());
		else
			log_info("current is owned by uid %u: rsyncd needs "
			    "`use chroot = yes`", (unsigned)geteuid());
	}
	return 0;
}

/* With --metrics-file, writes the metrics of this one run (cron mode). */
static void
write_metrics(const struct cli *c, int rc, int swept,
    const struct sync_report *rep)
{
	struct metrics m;

	if (c->w.metrics_file == NULL)
		return;
	memset(&m, 0, sizeof(m));
	if (rep != NULL) {
		m.syncs_ok = rc == EXIT_OK;
		m.syncs_failed = rc == EXIT_FAIL;
		m.last_sync_bytes = rep->bytes;
	}
	m.sweeps = rc == EXIT_OK;
	m.swept = swept;
	m.cleanup_after = c->w.sync.cleanup_after;
	m.expiry_warn = c->w.expiry_warn;
	metrics_update(c->w.metrics_file, c->w.sync.state_dir,
	    c->w.sync.rsync_dir, &m);
}

static void
print_report(const struct sync_report *rep)
{
	printf("session %s serial %lld: %s", rep->session_id, rep->serial,
	    rep->action);
	if (strcmp(rep->action, "deltas") == 0)
		printf(" %lld-%lld", rep->first_delta, rep->last_delta);
	printf(", %zu objects, current -> %s", rep->objects, rep->current);
	if (rep->swept > 0)
		printf(", swept %d", rep->swept);
	printf("\n");
}

int
main(int argc, char *argv[])
{
	static char rsync_dir[PATH_MAX];
	struct sync_options *o;
	struct sync_report rep;
	struct privs privs;
	struct cli c;
	const char *cmd;
	int opt, scope, rc, swept;

	memset(&c, 0, sizeof(c));
	o = &c.w.sync;
	o->state_dir = DEFAULT_STATE_DIR;
	o->cleanup_after = CLEANUP_AFTER_DEFAULT;
	o->max_deltas = MAX_DELTAS_DEFAULT;
	o->max_object_size = MAX_OBJECT_SIZE_DEFAULT;
	c.w.interval = DEFAULT_INTERVAL;
	c.w.cleanup_max = DEFAULT_CLEANUP_MAX;
	c.rrdp.max_deltas = RRDP_OUT_MAX_DELTAS_DEFAULT;
	c.w.expiry_warn = 8 * 3600;
	c.w.origin_quiet = 2 * 3600;
	c.verbosity = 1;

	if (argc < 2)
		return usage(stderr), EXIT_USAGE;
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
		return usage(stdout), EXIT_OK;
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0)
		return printf("rsyncswap %s\n", RSYNCSWAP_VERSION), EXIT_OK;
	/* Commands with options of their own. */
	if (strcmp(cmd, "report") == 0)
		return report_main(argc - 1, argv + 1);
	if (strcmp(cmd, "expiry") == 0)
		return expiry_main(argc - 1, argv + 1);
	if (strcmp(cmd, "sync") == 0)
		scope = C_SYNC;
	else if (strcmp(cmd, "watch") == 0)
		scope = C_WATCH;
	else if (strcmp(cmd, "sweep") == 0)
		scope = C_SWEEP;
	else if (strcmp(cmd, "status") == 0)
		scope = C_STATUS;
	else
		return usage_error("unknown command \"%s\"", cmd);

	argv++, argc--;
	while ((opt = getopt_long(argc, argv, "s:r:vqhV", long_options,
	    NULL)) != -1) {
		if (opt != '?' && !(option_scope(opt) & scope))
			return usage_error("%s does not take this option",
			    cmd);
		if ((rc = parse_option(&c, opt, cmd)) != -1)
			return rc;
	}
	argc -= optind;
	argv += optind;
	log_init("rsyncswap", c.verbosity);
	if (c.syslog)
		log_use_syslog();
	if (o->rsync_dir == NULL) {
		snprintf(rsync_dir, sizeof(rsync_dir), "%s/rsync",
		    o->state_dir);
		o->rsync_dir = rsync_dir;
	}

	if (scope == C_STATUS || scope == C_SWEEP) {
		if (argc != 0)
			return usage_error("%s: takes no arguments", cmd);
		if (scope == C_STATUS)
			return status_print(stdout, o->state_dir,
			    o->rsync_dir, c.json, c.w.expiry_warn) == 0 ?
			    EXIT_OK : EXIT_FAIL;
		if ((rc = check_rrdp(&c)) != -1 ||
		    (rc = setup_privileges(&c, &privs, 0)) != 0)
			return rc;
		if ((rc = sync_sweep_only(o, &swept)) == EXIT_OK && !o->quiet)
			printf("swept %d entries\n", swept);
		write_metrics(&c, rc, swept, NULL);
		return rc;
	}

	if (argc != 1)
		return usage_error("%s needs exactly one NOTIFICATION-URI",
		    cmd);
	if ((rc = check_source(o, argv[0])) != -1 ||
	    (rc = check_rrdp(&c)) != -1)
		return rc;
	if (fetch_init() == -1) {
		log_error("cannot initialise libcurl");
		return EXIT_FAIL;
	}
	if ((rc = setup_privileges(&c, &privs, scope == C_WATCH)) != 0)
		return rc;
	if (scope == C_WATCH)
		return watch_run(&c.w);
	rc = sync_run(o, &rep);
	if (rc == EXIT_OK && !o->quiet)
		print_report(&rep);
	write_metrics(&c, rc, rep.swept, &rep);
	return rc;
}
