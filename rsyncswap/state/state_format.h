/*
 * The text format of <state-dir>/state, for state.c (and its tests).
 */
#ifndef RSYNCSWAP_STATE_FORMAT_H
#define RSYNCSWAP_STATE_FORMAT_H

#include <stddef.h>
#include <stdio.h>

#include "rsyncswap/state/state.h"

/*
 * Parses the whole file buf[len] (NUL-terminated by the caller) into st,
 * which the caller zeroed. Returns 0, or -1 with the reason in err; st may
 * then hold deltas to free.
 */
int	state_parse(char *buf, size_t len, struct state *st, char *err,
	    size_t errsz);

/* Writes st in the format to f. Returns 0, or -1 on a write error. */
int	state_print(FILE *f, const struct state *st);

/*
 * Returns 0 if st can be written so that state_parse accepts it again,
 * or -1 with the reason in err.
 */
int	state_check(const struct state *st, char *err, size_t errsz);

#endif
