/* One metric of the Prometheus text format. */
#include <stdio.h>

#include "rsyncswap/obs/prom.h"

#define PFX	"rsyncswap_"
/* Longest help text of a metric that names an option. */
#define HELP_MAX	256

void
prom_metric(FILE *f, const char *name, const char *type, const char *help,
    double v)
{
	fprintf(f, "# HELP " PFX "%s %s\n# TYPE " PFX "%s %s\n" PFX "%s %.15g\n",
	    name, help, name, type, name, v);
}

void
prom_metric_opt(FILE *f, const char *name, const char *type, const char *help,
    enum opt_id id, double v)
{
	char	text[HELP_MAX];

	snprintf(text, sizeof(text), help, opt_name(id));
	prom_metric(f, name, type, text, v);
}
