/* `rsyncswap status`: what is served, since when, and what is on disk. */
#ifndef RSYNCSWAP_STATUS_H
#define RSYNCSWAP_STATUS_H

#include <stdio.h>

/*
 * Prints the status of state_dir / rsync_dir to f, as text or JSON, with
 * the expiry of the served revision judged with a window of expiry_warn
 * seconds.
 * Returns 0, or 1 when there is no usable state (printed as such).
 */
int	status_print(FILE *f, const char *state_dir, const char *rsync_dir,
	    int json, long long expiry_warn);

#endif
