/* `rsyncswap expiry [--json] [--warn HOURS] [--check] DIR` */
#ifndef RSYNCSWAP_EXPIRY_CMD_H
#define RSYNCSWAP_EXPIRY_CMD_H

/*
 * Runs the expiry command: walks the repository tree dir (any tree:
 * Krill's repository directory, an rsync mirror, a revision or
 * <rsync-dir>/current) and prints the expiry report (text, or JSON with
 * json). Returns 0 when the report is printed; 1 if dir cannot be read or,
 * with check, if a publication point has expired or expires within warn
 * seconds, a manifest/CRL is damaged, or dir holds no manifest at all
 * (one line on stderr says which).
 */
int	expiry_run(const char *dir, int json, long long warn, int check);

#endif
