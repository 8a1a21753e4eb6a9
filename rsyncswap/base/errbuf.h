/* One-line error messages handed back to a caller in a buffer. */
#ifndef RSYNCSWAP_ERRBUF_H
#define RSYNCSWAP_ERRBUF_H

#include <stddef.h>

/* Writes the formatted message into buf (which may be NULL). */
void	errbuf_set(char *buf, size_t bufsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
