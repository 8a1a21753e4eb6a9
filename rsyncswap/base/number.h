/* Bounded decimal numbers from text: options, the state file. */
#ifndef RSYNCSWAP_NUMBER_H
#define RSYNCSWAP_NUMBER_H

/*
 * Parses s, which must be all decimal digits (no sign, no space) of a
 * number in [min, max], into *out. Returns 0, or -1 (*out untouched).
 */
int	number_parse(const char *s, long long min, long long max,
	    long long *out);

#endif
