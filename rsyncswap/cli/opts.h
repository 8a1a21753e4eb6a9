/*
 * The one option table (opts.c), read by the parser and --help (cli.c)
 * and, through opt_name() (base/optname.h), by the parts that name an
 * option in a message.
 */
#ifndef RSYNCSWAP_OPTS_H
#define RSYNCSWAP_OPTS_H

#include <stddef.h>

#include "rsyncswap/cli/cli.h"

/* Most entries the table may have (the parser's getopt arrays). */
#define CLI_OPTS_MAX	64

/* The bit of a subcommand in cli_opt.scope. */
#define CLI_SCOPE(cmd)	(1u << (cmd))

struct cli_opt {
	const char	*name;		/* as typed: "--state-dir" */
	int		 id;		/* enum opt_id: a letter or OPT_* */
	const char	*arg;		/* NULL: takes no argument */
	unsigned	 scope;		/* CLI_SCOPE() of each taker */
	const char	*help;		/* one line, default included */
};

/* Every option, in the order --help lists them: cli_nopts entries. */
extern const struct cli_opt *const	cli_opts;
extern const size_t			cli_nopts;

/*
 * Returns the --help text of o under `rsyncswap cmd`: o->help, or where
 * the default differs (krill-sync's, report's -s) the text saying so.
 */
const char	*cli_opt_help(enum cli_cmd cmd, const struct cli_opt *o);

#endif
