/*
 * The parser of the option table (opts.c) and the --help texts made from
 * it.
 */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/base/number.h"
#include "rsyncswap/base/optname.h"
#include "rsyncswap/base/version.h"
#include "rsyncswap/cli/cli.h"
#include "rsyncswap/cli/opts.h"
#include "rsyncswap/sync/sync.h"
#include "rsyncswap/tree/tree.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

/* The subcommands that take what krill-sync takes. */
#define KRILL_SCOPE	(CLI_SCOPE(CMD_SYNC) | CLI_SCOPE(CMD_KRILL_SYNC))

static const struct {
	const char	*name;
	const char	*synopsis;
	const char	*what;
} cmds[CMD_COUNT] = {
	[CMD_SYNC] = { "sync", "[OPTIONS] NOTIFICATION-URI",
	    "One run, for cron: fetch the notification, build the new\n"
	    "revision, swap current, remove expired revisions." },
	[CMD_WATCH] = { "watch", "[OPTIONS] NOTIFICATION-URI",
	    "The sidecar daemon: sync whenever the origin changes, sweep on a\n"
	    "timer, tune the cleanup time from rsyncd's log." },
	[CMD_SWEEP] = { "sweep", "[OPTIONS]",
	    "Remove the replaced revisions whose cleanup time has passed." },
	[CMD_STATUS] = { "status", "[OPTIONS]",
	    "Show the current revision, the revisions on disk and when each\n"
	    "may be removed, the last success and failure." },
	[CMD_REPORT] = { "report", "[OPTIONS] LOG...",
	    "Analyse rsyncd logs, oldest first (gzip is read too): sessions,\n"
	    "clients, durations, vanished files, the cleanup time they call for." },
	[CMD_EXPIRY] = { "expiry", "[OPTIONS] DIR",
	    "When the manifests and CRLs of the repository tree DIR go stale." },
	[CMD_KRILL_SYNC] = { "krill-sync", "[OPTIONS] NOTIFICATION-URI",
	    "Sync with krill-sync's defaults, for its cron lines: state in\n"
	    "/var/lib/krill-sync, revisions without MODULE/ (--flat) unless\n"
	    "--rsync-include-host, RRDP output in STATE-DIR/rrdp, silent on\n"
	    "success (-v: the summary line)." },
	[CMD_ACCEPT_SHRINK] = { "accept-shrink", "[OPTIONS]",
	    "Let the next revision that replaces the one served now have\n"
	    "more than --max-shrink percent fewer objects, once (works while\n"
	    "watch runs)." },
	[CMD_VERIFY] = { "verify", "[OPTIONS]",
	    "Check that the served revision is what was written: every\n"
	    "path, its SHA-256 and mtime (the digest recorded when it was\n"
	    "built), no extra file, directory times. Differences go to\n"
	    "stderr.\n"
	    "Exit: 0 as written, 1 a difference, no digest recorded, or an\n"
	    "error; 2 usage." },
};

#define EXIT_LINE \
	"Exit: 0 ok, 1 failure (current untouched), 2 usage, 75 locked.\n"

/* Width of the option column and of a whole --help line. */
#define HELP_LEFT	26
#define HELP_WIDTH	79

/* Prints one option's line(s) of --help, its text wrapped at words. */
static void
help_option(FILE *f, const struct cli_opt *o, const char *help)
{
	char		 left[64];
	const char	*p, *end, *brk;
	size_t		 room = HELP_WIDTH - 2 - HELP_LEFT - 1;
	int		 first = 1;

	if (o->id < 256)
		snprintf(left, sizeof(left), "-%c, %s%s%s", o->id, o->name,
		    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    %s%s%s", o->name,
		    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
	if (strlen(left) > HELP_LEFT) {
		fprintf(f, "  %s\n", left);
		first = 0;
	}
	for (p = help; *p != '\0'; p = end) {
		while (*p == ' ' || *p == '\n')
			p++;
		end = p + strlen(p);
		if ((size_t)(end - p) > room) {
			for (brk = p + room; brk > p && *brk != ' ' &&
			    *brk != '\n'; brk--)
				;
			if (brk > p)
				end = brk;
		}
		fprintf(f, "  %-*s ", HELP_LEFT, first ? left : "");
		for (brk = p; brk < end; brk++)
			fputc(*brk == '\n' ? ' ' : *brk, f);
		fputc('\n', f);
		first = 0;
	}
}

void
cli_help(FILE *f, enum cli_cmd cmd)
{
	const struct cli_opt *o;
	unsigned bit;
	size_t i, j;

	if (cmd == CMD_COUNT) {
		fprintf(f, "usage: rsyncswap COMMAND [OPTIONS] ...\n\n");
		for (i = 0; i < CMD_COUNT; i++)
			fprintf(f, "  rsyncswap %-6s %s\n", cmds[i].name,
			    cmds[i].synopsis);
		fprintf(f, "\nrsyncswap COMMAND --help lists the options of "
		    "COMMAND; man 8 rsyncswap.\n" EXIT_LINE "status: 0 serving, "
		    "1 no state, 3 not serving, 4 stale, 5 expired,\n"
		    "6 expiry unknown.\n");
		return;
	}
	fprintf(f, "usage: rsyncswap %s %s\n%s\n\n", cmds[cmd].name,
	    cmds[cmd].synopsis, cmds[cmd].what);
	bit = cmd == CMD_KRILL_SYNC ? KRILL_SCOPE : CLI_SCOPE(cmd);
	for (i = 0; i < cli_nopts; i++) {
		o = &cli_opts[i];
		if (o->help == NULL || !(o->scope & bit))
			continue;
		help_option(f, o, cli_opt_help(cmd, o));
		for (j = 0; j < cli_nopts; j++)
			if (cli_opts[j].help == NULL &&
			    cli_opts[j].id == o->id &&
			    (cli_opts[j].scope & bit))
				fprintf(f, "  %-*s (also %s, as "
				    "krill-sync)\n", HELP_LEFT, "",
				    cli_opts[j].name);
	}
	if (cmd <= CMD_SWEEP || cmd == CMD_KRILL_SYNC)
		fprintf(f, "\n" EXIT_LINE);
	if (cmd == CMD_STATUS)
		fprintf(f, "\nExit: 0 serving, 1 no state (missing or damaged), "
		    "2 usage,\n3 not serving, 4 stale, 5 expired, 6 expiry "
		    "unknown.\n");
}

int
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%srsyncswap%s%s: ", log_prefix(LOG_LVL_ERROR),
	    c->cmd_name != NULL ? " " : "",
	    c->cmd_name != NULL ? c->cmd_name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see rsyncswap %s%s--help)\n",
	    c->cmd_name != NULL ? c->cmd_name : "",
	    c->cmd_name != NULL ? " " : "");
	return EXIT_USAGE;
}

/* Bounds of each numeric option, and what its unit is called. */
static const struct {
	int		 id;
	long long	 min, max;
	const char	*unit;
} bounds[] = {
	{ OPT_CLEANUP_AFTER, 0, 365LL * 86400, "seconds (0 to one year)" },
	{ OPT_CLEANUP_MAX, 0, 365LL * 86400, "seconds (0 to one year)" },
	{ OPT_MAX_REVISIONS, 0, MAX_HISTORY, "a number of revisions (0 to "
	    STR(MAX_HISTORY) ")" },
	{ OPT_INTERVAL, 1, 86400, "seconds (1 to 86400)" },
	{ OPT_FETCH_TIMEOUT, 1, 86400, "seconds (1 to 86400)" },
	{ OPT_STALL_TIMEOUT, 1, 3600, "seconds (1 to 3600)" },
	{ OPT_MAX_DELTAS, 0, MAX_NOTIFICATION_DELTAS, "a number of deltas "
	    "(0 to " STR(MAX_NOTIFICATION_DELTAS) ")" },
	{ OPT_MAX_OBJECT_SIZE, 1, MAX_OBJECT_SIZE_LIMIT, "bytes (1 to 64 MiB)" },
	{ OPT_MIN_OBJECTS, 0, LLONG_MAX, "a number of objects" },
	{ OPT_MAX_SHRINK, 0, 100, "a percentage (0 to 100)" },
	{ OPT_EXPIRY_WARN, 0, 24 * 365, "hours (0 to 8760)" },
	{ OPT_ORIGIN_QUIET, 0, 24 * 365, "hours (0 to 8760)" },
	{ OPT_WARN, 0, 24 * 365, "hours (0 to 8760)" },
	{ OPT_RRDP_DELAY, 0, 3600, "seconds (0 to 3600)" },
	{ OPT_STALE_AFTER, 1, 365LL * 86400, "seconds (1 to one year)" },
	{ OPT_RRDP_MAX_DELTAS, 0, MAX_NOTIFICATION_DELTAS, "a number of "
	    "deltas (0 to " STR(MAX_NOTIFICATION_DELTAS) ")" },
	{ OPT_RRDP_MIN_DELTA_AGE, 0, 30LL * 86400, "seconds (0 to 30 days)" },
};

/*
 * Parses a size: decimal digits with an optional K, M, G or T (powers of
 * 1024), at most 2^60 bytes. Returns 0 with the bytes in *out, or -1.
 */
static int
size_parse(const char *s, long long *out)
{
	static const char units[] = "KMGT";
	char digits[32];
	const char *u;
	size_t len = strlen(s);
	long long v, shift = 0;

	if (len == 0 || len >= sizeof(digits))
		return -1;
	memcpy(digits, s, len + 1);
	if ((u = strchr(units, s[len - 1])) != NULL && s[len - 1] != '\0') {
		shift = 10 * (u - units + 1);
		digits[len - 1] = '\0';
	}
	if (number_parse(digits, 0, (1LL << 60) >> shift, &v) == -1)
		return -1;
	*out = v << shift;
	return 0;
}

/*
 * Parses the argument of a numeric option o. Returns -1 and the value in
 * *n, 0 when o is not numeric, or EXIT_USAGE.
 */
static int
number_arg(const struct cli *c, const struct cli_opt *o, long long *n)
{
	size_t i;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		if (bounds[i].id != o->id)
			continue;
		if (number_parse(optarg, bounds[i].min, bounds[i].max,
		    n) == -1)
			return cli_usage_error(c, "%s: \"%s\" is not %s",
			    o->name, optarg, bounds[i].unit);
		return -1;
	}
	return 0;
}

/* Stores option o. Returns -1 to go on, or an exit code. */
static int
set_option(struct cli *c, const struct cli_opt *o)
{
	struct sync_options	*so = &c->w.sync;
	long long		 n = 0;
	int			 rc;

	if (o->arg != NULL && optarg[0] == '\0')
		return cli_usage_error(c, "%s: empty %s", o->name, o->arg);
	if ((rc = number_arg(c, o, &n)) != -1 && rc != 0)
		return rc;
	switch (o->id) {
	case 's': so->state_dir = optarg; c->state_dir_set = 1; break;
	case 'r': so->rsync_dir = optarg; c->rsync_dir_set = 1; break;
	case OPT_SOURCE: so->fetch.source_base = optarg; break;
	case OPT_INSECURE: so->fetch.insecure = 1; break;
	case OPT_CA_FILE: so->fetch.ca_file = optarg; break;
	case OPT_INCLUDE_HOST:
	case OPT_FLAT:
		if (c->layout_set)
			return cli_usage_error(c, "--include-host and --flat "
			    "exclude each other");
		c->layout_set = 1;
		so->layout = o->id == OPT_FLAT ? LAYOUT_FLAT : LAYOUT_HOST;
		break;
	case OPT_BTRFS:
		if (tree_mode_parse(optarg, &so->tree) == -1)
			return cli_usage_error(c, "--btrfs: \"%s\" is not "
			    "auto, yes or no", optarg);
		break;
	case OPT_RSYNC_DISABLE:
		/* RRDP output is made from a revision: nothing to turn off. */
		break;
	case OPT_USER: c->user = optarg; break;
	case OPT_METRICS: c->w.metrics_file = optarg; break;
	case OPT_RSYNCD_LOG: c->w.rsyncd_log = optarg; break;
	case OPT_SYSLOG: c->syslog = 1; break;
	case OPT_JSON: c->json = 1; break;
	case OPT_SVG: c->svg = optarg; break;
	case OPT_CHECK: c->check = 1; break;
	case OPT_RRDP_DIR: c->rrdp.dir = optarg; break;
	case OPT_RRDP_BASE: c->rrdp.base_uri = optarg; break;
	case OPT_RRDP_DELAY:
		c->rrdp.notify_delay = n;
		c->rrdp_opts = o->name;
		break;
	case OPT_RRDP_MAX_DELTAS:
		c->rrdp.max_deltas = (size_t)n;
		c->rrdp_opts = o->name;
		break;
	case OPT_RRDP_MIN_DELTA_AGE:
		c->rrdp.min_delta_age = n;
		c->rrdp_opts = o->name;
		break;
	case OPT_CLEANUP_AFTER: so->cleanup_after = n; break;
	case OPT_CLEANUP_MAX: c->w.cleanup_max = so->cleanup_max = n; break;
	case OPT_NO_READER_SCAN: so->no_reader_scan = 1; break;
	case OPT_MAX_REVISIONS: so->max_revisions = n; break;
	case OPT_MAX_DISK:
		if (size_parse(optarg, &so->max_disk) == -1)
			return cli_usage_error(c, "--max-disk: \"%s\" is not a "
			    "size (bytes, or a number with K, M, G or T)",
			    optarg);
		break;
	case OPT_EXPIRY_WARN: c->w.expiry_warn = n * 3600; break;
	case OPT_STALE_AFTER: c->stale_after = n; break;
	case OPT_ORIGIN_QUIET: c->w.origin_quiet = n * 3600; break;
	case OPT_WARN: c->warn = n * 3600; break;
	case OPT_INTERVAL: c->w.interval = (long)n; break;
	case OPT_FETCH_TIMEOUT: so->fetch.timeout = (long)n; break;
	case OPT_STALL_TIMEOUT: so->fetch.stall_timeout = (long)n; break;
	case OPT_MAX_DELTAS: so->max_deltas = (size_t)n; break;
	case OPT_MAX_OBJECT_SIZE: so->max_object_size = (size_t)n; break;
	case OPT_MIN_OBJECTS: so->min_objects = (size_t)n; break;
	case OPT_MODULE:
		if (so->nmodules == MAX_MODULES)
			return cli_usage_error(c, "--module: more than %d",
			    MAX_MODULES);
		so->modules[so->nmodules++] = optarg;
		break;
	case OPT_MAX_SHRINK: so->max_shrink = n; break;
	case 'v': c->verbosity++; c->saw_verbose = 1; break;
	case 'q': c->verbosity = 0; so->quiet = 1; c->saw_quiet = 1; break;
	case 'h': cli_help(stdout, c->cmd); return EXIT_OK;
	case 'V': printf("rsyncswap %s\n", RSYNCSWAP_VERSION); return EXIT_OK;
	}
	return -1;
}

/* Fills the defaults of every option. */
static void
defaults(struct cli *c)
{
	struct sync_options *o = &c->w.sync;
	enum cli_cmd cmd = c->cmd;

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	o->state_dir = DEFAULT_STATE_DIR;
	o->cleanup_after = CLEANUP_AFTER_DEFAULT;
	o->max_deltas = MAX_DELTAS_DEFAULT;
	o->max_object_size = MAX_OBJECT_SIZE_DEFAULT;
	o->max_shrink = MAX_SHRINK_DEFAULT;
	o->fetch.timeout = FETCH_TIMEOUT;
	o->fetch.stall_timeout = FETCH_LOW_SPEED_TIME;
	c->w.interval = WATCH_INTERVAL_DEFAULT;
	c->w.cleanup_max = o->cleanup_max = CLEANUP_MAX_DEFAULT;
	c->w.expiry_warn = EXPIRY_WARN_WATCH_HOURS * 3600;
	c->w.origin_quiet = ORIGIN_QUIET_HOURS * 3600;
	c->rrdp.max_deltas = RRDP_OUT_MAX_DELTAS_DEFAULT;
	c->rrdp.min_delta_age = RRDP_OUT_MIN_DELTA_AGE;
	c->warn = EXPIRY_WARN_DEFAULT_HOURS * 3600;
	c->stale_after = STALE_AFTER_DEFAULT;
	c->verbosity = 1;
	if (c->cmd == CMD_KRILL_SYNC) {
		o->state_dir = KRILL_SYNC_STATE_DIR;
		o->layout = LAYOUT_FLAT;
	}
}

/* Returns the option that getopt_long's answer stands for, or NULL. */
static const struct cli_opt *
find_option(int ret, int longindex)
{
	size_t i;

	if (longindex >= 0 && (size_t)longindex < cli_nopts)
		return &cli_opts[longindex];
	for (i = 0; i < cli_nopts; i++)
		if (cli_opts[i].id == ret && ret < 256)
			return &cli_opts[i];
	return NULL;
}

int
cli_parse(int argc, char *argv[], struct cli *c)
{
	static struct option	 lo[CLI_OPTS_MAX + 1];
	char			 so[2 * CLI_OPTS_MAX + 2];
	const struct cli_opt	*o;
	size_t			 i, n = 0;
	int			 ret, li, rc;

	/* Until the command is known, only what an error message needs. */
	memset(c, 0, sizeof(*c));
	if (argc < 2) {
		cli_help(stderr, CMD_COUNT);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cli_help(stdout, CMD_COUNT), EXIT_OK;
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
		return printf("rsyncswap %s\n", RSYNCSWAP_VERSION), EXIT_OK;
	if (strcmp(argv[1], "help") == 0) {
		for (c->cmd = 0; argc > 2 && c->cmd < CMD_COUNT; c->cmd++)
			if (strcmp(argv[2], cmds[c->cmd].name) == 0)
				break;
		if (argc > 2 && c->cmd == CMD_COUNT)
			return cli_usage_error(c, "help: unknown command "
			    "\"%s\"", argv[2]);
		cli_help(stdout, argc > 2 ? c->cmd : CMD_COUNT);
		return EXIT_OK;
	}
	for (c->cmd = 0; c->cmd < CMD_COUNT; c->cmd++)
		if (strcmp(argv[1], cmds[c->cmd].name) == 0)
			break;
	if (c->cmd == CMD_COUNT && argv[1][0] == '-')
		return cli_usage_error(c, "\"%s\" before the command: options "
		    "go after it (rsyncswap COMMAND [OPTIONS])", argv[1]);
	if (c->cmd == CMD_COUNT)
		return cli_usage_error(c, "unknown command \"%s\"", argv[1]);
	defaults(c);	/* they depend on the command */
	c->cmd_name = cmds[c->cmd].name;

	so[n++] = ':';	/* a missing argument is told apart */
	for (i = 0; i < cli_nopts; i++) {
		/* getopt_long wants the name without its dashes. */
		lo[i].name = cli_opts[i].name + 2;
		lo[i].has_arg = cli_opts[i].arg != NULL ? required_argument :
		    no_argument;
		lo[i].flag = NULL;
		lo[i].val = cli_opts[i].id;
		if (cli_opts[i].id < 256) {
			so[n++] = (char)cli_opts[i].id;
			if (cli_opts[i].arg != NULL)
				so[n++] = ':';
		}
	}
	so[n] = '\0';
	memset(&lo[cli_nopts], 0, sizeof(lo[cli_nopts]));

	argc--, argv++;
	optind = 0;	/* GNU: start over, whatever parsed argv before */
	opterr = 0;
	for (;;) {
		li = -1;
		if ((ret = getopt_long(argc, argv, so, lo, &li)) == -1)
			break;
		if (ret == '?')
			return cli_usage_error(c, "unknown option \"%s\"",
			    optopt != 0 && optopt < 256 ?
			    (char[]){ '-', (char)optopt, '\0' } :
			    argv[optind - 1]);
		if (ret == ':')
			return cli_usage_error(c, "option \"%s\" needs an "
			    "argument", argv[optind - 1]);
		if ((o = find_option(ret, li)) == NULL)
			return cli_usage_error(c, "bad option");
		if (!(o->scope & (c->cmd == CMD_KRILL_SYNC ? KRILL_SCOPE :
		    CLI_SCOPE(c->cmd))))
			return cli_usage_error(c, "%s does not take %s",
			    c->cmd_name, o->name);
		if ((rc = set_option(c, o)) != -1)
			return rc;
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	if (c->saw_quiet && c->saw_verbose)
		return cli_usage_error(c, "-q and -v exclude each other");
	/* The longest a read revision is kept cannot be under the shortest. */
	if (c->w.sync.cleanup_max < c->w.sync.cleanup_after)
		return cli_usage_error(c, "--cleanup-max %lld is shorter than "
		    "--cleanup-after %lld", c->w.sync.cleanup_max,
		    c->w.sync.cleanup_after);
	for (i = 0; i < c->w.sync.nmodules; i++) {
		char dir[MAX_URI_LENGTH + 1];
		const char *why;

		if (uri_module_dir(c->w.sync.modules[i], c->w.sync.layout, dir,
		    sizeof(dir), NULL, 0, &why) == -1)
			return cli_usage_error(c, "--module \"%s\": %s",
			    c->w.sync.modules[i], why);
	}
	if (c->rrdp.dir == NULL && c->rrdp_opts != NULL &&
	    c->cmd != CMD_KRILL_SYNC)
		return cli_usage_error(c, "%s needs --rrdp-dir", c->rrdp_opts);
	if (c->cmd == CMD_KRILL_SYNC && c->rrdp.dir == NULL) {
		snprintf(c->rrdp_dir, sizeof(c->rrdp_dir), "%s/rrdp",
		    c->w.sync.state_dir);
		c->rrdp.dir = c->rrdp_dir;
	}
	return -1;
}
