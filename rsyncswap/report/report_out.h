/* Output of `rsyncswap report`: text, JSON (schema in README.md), SVG. */
#ifndef RSYNCSWAP_REPORT_OUT_H
#define RSYNCSWAP_REPORT_OUT_H

#include <stdio.h>

#include "rsyncswap/report/report_data.h"

/* The inputs, for the output's header. */
struct report_inputs {
	char		**logs;
	int		  nlogs;
	const char	 *state_dir;	/* NULL: no attribution */
};

void	report_print_text(FILE *f, const struct report_data *d,
	    const struct report_inputs *in);
void	report_print_json(FILE *f, const struct report_data *d,
	    const struct report_inputs *in);
/* Writes the SVG chart to f. Returns 0, or -1 when writing failed. */
int	report_write_svg(FILE *f, const struct report_data *d);

#endif
