/*
 * `rsyncswap expiry`: the expiry report of a repository tree on disk.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rsyncswap/expiry_cmd.h"
#include "rsyncswap/expiry_print.h"
#include "rsyncswap/expiry_walk.h"
#include "rsyncswap/limits.h"

/* Largest --warn accepted, in hours (a year). */
#define EXPIRY_WARN_MAX_HOURS	8760

#define EXPIRY_USAGE \
	"usage: rsyncswap expiry [--json] [--warn HOURS] [--check] DIR\n"

/* Prints a usage error and returns 2. */
static int
usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "rsyncswap expiry: %s%s%s\n" EXPIRY_USAGE, msg,
	    arg != NULL ? ": " : "", arg != NULL ? arg : "");
	return 2;
}

/* Parses HOURS (0..EXPIRY_WARN_MAX_HOURS). Returns 0 and sets *secs, or -1. */
static int
parse_hours(const char *s, long long *secs)
{
	char	*end;
	long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > EXPIRY_WARN_MAX_HOURS)
		return -1;
	*secs = (long long)v * 3600;
	return 0;
}

int
expiry_main(int argc, char *argv[])
{
	static const struct option	 opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "warn",	required_argument,	NULL, 'w' },
		{ "check",	no_argument,		NULL, 'c' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	struct expiry_summary		 sum;
	char				 errbuf[ERR_MAX], line[ERR_MAX];
	long long			 warn = EXPIRY_WARN_DEFAULT;
	size_t				 skipped;
	time_t				 now;
	int				 opt, json = 0, check = 0, rc;

	optind = 0;	/* GNU: start over, whatever parsed argv before */
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'w':
			if (parse_hours(optarg, &warn) == -1)
				return usage_error("--warn wants hours "
				    "(0..8760)", optarg);
			break;
		case 'c':
			check = 1;
			break;
		case 'h':
			fputs(EXPIRY_USAGE, stdout);
			return 0;
		default:
			return usage_error("bad option", NULL);
		}
	}
	if (argc - optind != 1)
		return usage_error("one DIR wanted", NULL);

	if (expiry_walk(argv[optind], &sum, &skipped, errbuf,
	    sizeof(errbuf)) == -1) {
		fprintf(stderr, "rsyncswap expiry: %s\n", errbuf);
		return 1;
	}
	now = time(NULL);
	if (json) {
		expiry_print_json(stdout, &sum, now, warn);
		putchar('\n');
	} else {
		expiry_print_text(stdout, &sum, now, warn, "");
		if (skipped > 0)
			printf("skipped: %zu entries (symlinks, special files, "
			    "too deep)\n", skipped);
	}
	rc = fflush(stdout) == EOF ? 1 : 0;
	if (check && expiry_warning(&sum, now, warn, line, sizeof(line)) > 0) {
		fprintf(stderr, "rsyncswap expiry: %s: %s\n", argv[optind],
		    line);
		rc = 1;
	}
	expiry_summary_free(&sum);
	return rc;
}
