/*
 * The command line: one table of options for every subcommand (opts.h),
 * the parser, and each subcommand's --help, all derived from that table;
 * the exit codes. cli/ is the only place that knows option spellings,
 * defaults and exit codes.
 */
#ifndef RSYNCSWAP_CLI_H
#define RSYNCSWAP_CLI_H

#include <stdio.h>

#include "rsyncswap/daemon/watch.h"
#include "rsyncswap/republish/republish.h"

/*
 * The exit codes, the command line's contract (man page, EXIT STATUS):
 * what each subcommand's result is made into in cmd.c.
 */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* current untouched; one line on stderr */
#define EXIT_USAGE	2
#define EXIT_LOCKED	75	/* another instance holds the lock */
/* `rsyncswap status` beyond 0 (serving) and 1 (no state). */
#define STATUS_EXIT_NOT_SERVING	3
#define STATUS_EXIT_STALE	4
#define STATUS_EXIT_EXPIRED	5
#define STATUS_EXIT_EXPIRY_UNKNOWN	6

enum cli_cmd {
	CMD_SYNC, CMD_WATCH, CMD_SWEEP, CMD_STATUS, CMD_REPORT, CMD_EXPIRY,
	CMD_KRILL_SYNC,		/* sync with krill-sync's defaults */
	CMD_ACCEPT_SHRINK,	/* let the next revision shrink, once */
	CMD_VERIFY,
	CMD_COUNT
};

/* What the command line asked for, with every default filled in. */
struct cli {
	enum cli_cmd		 cmd;
	const char		*cmd_name;
	struct watch_options	 w;	/* w.sync: the sync options */
	struct rrdpout_config	 rrdp;	/* used when rrdp.dir is set */
	const char		*user;
	const char		*svg;		/* report --svg */
	int			 state_dir_set;	/* -s given (report) */
	int			 rsync_dir_set;	/* -r given */
	int			 json;
	int			 check;		/* expiry --check */
	long long		 warn;		/* expiry --warn, seconds */
	long long		 stale_after;	/* status --stale-after */
	int			 syslog;
	int			 layout_set;	/* --include-host or --flat */
	int			 saw_quiet, saw_verbose;
	const char		*rrdp_opts;	/* an --rrdp-* option given */
	char			 rrdp_dir[4096];	/* krill-sync's default */
	int			 verbosity;
	char			**args;		/* operands */
	int			 nargs;
};

/*
 * Parses argv (argv[1] is the subcommand) into c. Returns -1 to go on, or
 * the exit code to end with: EXIT_OK after --help or --version (printed on
 * stdout), EXIT_USAGE after one line on stderr naming the bad input.
 */
int	cli_parse(int argc, char *argv[], struct cli *c);

/* Prints a usage error naming the subcommand; returns EXIT_USAGE. */
int	cli_usage_error(const struct cli *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Prints the --help text of cmd (CMD_COUNT: the overview) on f. */
void	cli_help(FILE *f, enum cli_cmd cmd);

#endif
