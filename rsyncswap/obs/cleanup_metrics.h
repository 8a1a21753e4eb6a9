/* The reader-aware cleanup's metrics, from <state-dir>/cleanup. */
#ifndef RSYNCSWAP_CLEANUP_METRICS_H
#define RSYNCSWAP_CLEANUP_METRICS_H

#include <stdio.h>

#include "rsyncswap/sweep/cleanup_file.h"

/* Prints the metrics of cf (the current revision is current) to f. */
void	cleanup_metrics_print(FILE *f, const struct cleanup_file *cf,
	    const char *current);

#endif
