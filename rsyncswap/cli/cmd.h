/*
 * The subcommands: what each one runs once the command line (cli.h) is
 * parsed.
 */
#ifndef RSYNCSWAP_CMD_H
#define RSYNCSWAP_CMD_H

/*
 * Runs `rsyncswap argv[1] ...`. Returns the exit code: 0 success, 1
 * failure (one line on stderr), 2 usage error, 75 locked.
 */
int	cmd_main(int argc, char *argv[]);

#endif
