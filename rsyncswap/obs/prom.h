/* One metric of the Prometheus text format, as the metrics file has them. */
#ifndef RSYNCSWAP_PROM_H
#define RSYNCSWAP_PROM_H

#include <stdio.h>

#include "rsyncswap/base/optname.h"

/*
 * Prints the metric rsyncswap_NAME with its HELP and TYPE lines and value
 * v (15 significant digits: a duration reads 1.2, not 1.2000000000000002).
 */
void	prom_metric(FILE *f, const char *name, const char *type,
	    const char *help, double v);

/* The same, help's %s being the spelling of option id. */
void	prom_metric_opt(FILE *f, const char *name, const char *type,
	    const char *help, enum opt_id id, double v)
	    __attribute__((format(printf, 4, 0)));

#endif
