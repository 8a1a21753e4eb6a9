/* rsyncswap: the command line. Everything else lives in its own module. */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/fetch.h"
#include "rsyncswap/limits.h"
#include "rsyncswap/log.h"
#include "rsyncswap/sync.h"
#include "rsyncswap/uri.h"
#include "rsyncswap/version.h"

#define DEFAULT_STATE_DIR	"/var/lib/rsyncswap"

enum {
	OPT_SOURCE = 256, OPT_INSECURE, OPT_INCLUDE_HOST, OPT_CLEANUP_AFTER,
	OPT_MAX_DELTAS, OPT_MAX_OBJECT_SIZE, OPT_MIN_OBJECTS, OPT_CA_FILE,
};

/* Which subcommands take an option. */
#define FOR_SYNC	0x1
#define FOR_SWEEP	0x2

static const struct option long_options[] = {
	{ "state-dir",		required_argument, NULL, 's' },
	{ "rsync-dir",		required_argument, NULL, 'r' },
	{ "source-uri-base",	required_argument, NULL, OPT_SOURCE },
	{ "insecure",		no_argument,	   NULL, OPT_INSECURE },
	{ "ca-file",		required_argument, NULL, OPT_CA_FILE },
	{ "include-host",	no_argument,	   NULL, OPT_INCLUDE_HOST },
	{ "cleanup-after",	required_argument, NULL, OPT_CLEANUP_AFTER },
	{ "max-deltas",		required_argument, NULL, OPT_MAX_DELTAS },
	{ "max-object-size",	required_argument, NULL, OPT_MAX_OBJECT_SIZE },
	{ "min-objects",	required_argument, NULL, OPT_MIN_OBJECTS },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rsyncswap sync [OPTIONS] NOTIFICATION-URI   one run (for cron)\n"
"       rsyncswap sweep [OPTIONS]                    remove expired revisions\n"
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
"  -v, --verbose              more log lines (twice: debug)\n"
"  -q, --quiet                errors only, no summary\n"
"  -h, --help                 this text\n"
"  -V, --version              the version\n"
"\n"
"Exit: 0 ok, 1 failure (current untouched), 2 usage, 75 locked.\n",
	    CLEANUP_AFTER_DEFAULT, MAX_DELTAS_DEFAULT, MAX_OBJECT_SIZE_DEFAULT);
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

/* Returns the bit of the subcommands that take option c. */
static int
option_scope(int c)
{
	switch (c) {
	case 's': case 'r': case OPT_CLEANUP_AFTER:
	case 'v': case 'q': case 'h': case 'V':
		return FOR_SYNC | FOR_SWEEP;
	default:
		return FOR_SYNC;
	}
}

int
main(int argc, char *argv[])
{
	static char rsync_dir[PATH_MAX];
	struct sync_options o;
	struct sync_report rep;
	const char *cmd;
	struct stat sb;
	int c, verbosity = 1, scope, rc;
	long long n;

	memset(&o, 0, sizeof(o));
	o.state_dir = DEFAULT_STATE_DIR;
	o.cleanup_after = CLEANUP_AFTER_DEFAULT;
	o.max_deltas = MAX_DELTAS_DEFAULT;
	o.max_object_size = MAX_OBJECT_SIZE_DEFAULT;

	if (argc < 2)
		return usage(stderr), EXIT_USAGE;
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
		return usage(stdout), EXIT_OK;
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0)
		return printf("rsyncswap %s\n", RSYNCSWAP_VERSION), EXIT_OK;
	if (strcmp(cmd, "sync") == 0)
		scope = FOR_SYNC;
	else if (strcmp(cmd, "sweep") == 0)
		scope = FOR_SWEEP;
	else
		return usage_error("unknown command \"%s\"", cmd);

	argv++, argc--;
	while ((c = getopt_long(argc, argv, "s:r:vqhV", long_options,
	    NULL)) != -1) {
		if (c != '?' && !(option_scope(c) & scope))
			return usage_error("%s does not take this option",
			    cmd);
		switch (c) {
		case 's':
			o.state_dir = optarg;
			break;
		case 'r':
			o.rsync_dir = optarg;
			break;
		case OPT_SOURCE:
			o.fetch.source_base = optarg;
			break;
		case OPT_INSECURE:
			o.fetch.insecure = 1;
			break;
		case OPT_CA_FILE:
			o.fetch.ca_file = optarg;
			break;
		case OPT_INCLUDE_HOST:
			o.include_host = 1;
			break;
		case OPT_CLEANUP_AFTER:
			if (parse_number(optarg, 0, 365LL * 86400, &n) == -1)
				return usage_error("--cleanup-after: \"%s\" is "
				    "not a number of seconds", optarg);
			o.cleanup_after = n;
			break;
		case OPT_MAX_DELTAS:
			if (parse_number(optarg, 0, MAX_NOTIFICATION_DELTAS,
			    &n) == -1)
				return usage_error("--max-deltas: \"%s\" is "
				    "out of range", optarg);
			o.max_deltas = (size_t)n;
			break;
		case OPT_MAX_OBJECT_SIZE:
			if (parse_number(optarg, 1, MAX_OBJECT_SIZE_LIMIT,
			    &n) == -1)
				return usage_error("--max-object-size: \"%s\" "
				    "is out of range", optarg);
			o.max_object_size = (size_t)n;
			break;
		case OPT_MIN_OBJECTS:
			if (parse_number(optarg, 0, LLONG_MAX, &n) == -1)
				return usage_error("--min-objects: \"%s\" is "
				    "not a number", optarg);
			o.min_objects = (size_t)n;
			break;
		case 'v':
			verbosity++;
			break;
		case 'q':
			verbosity = 0;
			o.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("rsyncswap %s\n", RSYNCSWAP_VERSION);
			return EXIT_OK;
		default:
			return usage_error("%s: bad option", cmd);
		}
	}
	argc -= optind;
	argv += optind;
	log_init("rsyncswap", verbosity);

	if (o.rsync_dir == NULL) {
		snprintf(rsync_dir, sizeof(rsync_dir), "%s/rsync", o.state_dir);
		o.rsync_dir = rsync_dir;
	}
	if (scope == FOR_SWEEP) {
		if (argc != 0)
			return usage_error("%s: sweep takes no arguments",
			    argv[0]);
		return sync_sweep_only(&o);
	}

	if (argc != 1)
		return usage_error("%s", "sync needs exactly one "
		    "NOTIFICATION-URI");
	o.notification_uri = argv[0];
	o.fetch.public_uri = argv[0];
	if (!uri_valid_http(o.notification_uri, o.fetch.insecure))
		return usage_error("\"%s\" is not an https URI (http needs "
		    "--insecure)", o.notification_uri);
	if (o.fetch.source_base != NULL) {
		if (strncmp(o.fetch.source_base, "https://", 8) == 0 ||
		    strncmp(o.fetch.source_base, "http://", 7) == 0) {
			if (!uri_valid_http(o.fetch.source_base,
			    o.fetch.insecure))
				return usage_error("--source-uri-base: \"%s\" "
				    "is not a usable URI (http needs "
				    "--insecure)", o.fetch.source_base);
		} else if (stat(o.fetch.source_base, &sb) == -1 ||
		    !S_ISDIR(sb.st_mode))
			return usage_error("--source-uri-base: \"%s\" is "
			    "neither an http(s) URI nor a directory",
			    o.fetch.source_base);
		else
			o.fetch.source_is_dir = 1;
	}
	if (fetch_init() == -1) {
		log_error("cannot initialise libcurl");
		return EXIT_FAIL;
	}
	rc = sync_run(&o, &rep);
	if (rc == EXIT_OK && !o.quiet) {
		printf("session %s serial %lld: %s", rep.session_id, rep.serial,
		    rep.action);
		if (strcmp(rep.action, "deltas") == 0)
			printf(" %lld-%lld", rep.first_delta, rep.last_delta);
		printf(", %zu objects, current -> %s", rep.objects,
		    rep.current);
		if (rep.swept > 0)
			printf(", swept %d", rep.swept);
		printf("\n");
	}
	return rc;
}
