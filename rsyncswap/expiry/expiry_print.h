/*
 * Expiry watch reports, shared by `rsyncswap expiry` and `rsyncswap
 * status`: text and JSON.
 */
#ifndef RSYNCSWAP_EXPIRY_PRINT_H
#define RSYNCSWAP_EXPIRY_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "rsyncswap/expiry/expiry.h"

/*
 * Prints sum as judged at now with a warning window of warn seconds, as
 * lines each starting with indent: the counts, the earliest expiry and its
 * PP, the EXPIRY_CLOSEST closest PPs not yet expired, the expired PPs and
 * the damaged objects (each list at most MAX_EXPIRY_LISTED long).
 * Returns 0, or -1 on a write error.
 */
int	expiry_print_text(FILE *f, const struct expiry_summary *sum,
	    int64_t now, int64_t warn, const char *indent);

/*
 * Prints the same as one JSON object, without a final newline, so that
 * status can embed it as a member. Returns 0, or -1 on a write error.
 */
int	expiry_print_json(FILE *f, const struct expiry_summary *sum,
	    int64_t now, int64_t warn);

#endif
