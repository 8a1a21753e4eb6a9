/* `rsyncswap expiry [--json] [--warn HOURS] [--check] DIR` */
#ifndef RSYNCSWAP_EXPIRY_CMD_H
#define RSYNCSWAP_EXPIRY_CMD_H

/*
 * Runs the expiry command; argv[0] is "expiry". Walks the repository tree
 * DIR (any tree: Krill's repository directory, an rsync mirror, a revision
 * or <rsync-dir>/current) and prints the expiry report (text, or JSON with
 * --json). Returns 0 when the report is printed; 1 if DIR cannot be read
 * or, with --check, if a publication point has expired or expires within
 * the window or a manifest/CRL is damaged (one line on stderr says which);
 * 2 on a usage error.
 */
int	expiry_main(int argc, char *argv[]);

#endif
