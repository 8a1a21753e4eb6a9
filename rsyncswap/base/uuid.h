/* The one check of a UUID: an RRDP session id, the middle of a revision name. */
#ifndef RSYNCSWAP_UUID_H
#define RSYNCSWAP_UUID_H

#include <stddef.h>

#define UUID_LEN	36		/* 8-4-4-4-12 hex digits */

/* Returns 1 if the len bytes at s are a UUID (either case), else 0. */
int	uuid_valid(const char *s, size_t len);

#endif
