/*
 * `rsyncswap expiry`: the expiry report of a repository tree on disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_cmd.h"
#include "rsyncswap/expiry/expiry_print.h"
#include "rsyncswap/expiry/expiry_walk.h"

int
expiry_run(const char *dir, int json, long long warn, int check)
{
	struct expiry_summary		 sum;
	char				 errbuf[ERR_MAX], line[ERR_MAX];
	size_t				 skipped;
	time_t				 now;
	int				 rc;

	if (expiry_walk(dir, &sum, &skipped, errbuf,
	    sizeof(errbuf)) == -1) {
		fprintf(stderr, "rsyncswap expiry: %s\n", errbuf);
		return 1;
	}
	now = time(NULL);
	if (json) {
		expiry_print_json(stdout, &sum, now, warn);
		putchar('\n');
	} else {
		expiry_print_text(stdout, &sum, now, warn, "");
		if (skipped > 0)
			printf("skipped: %zu entries (symlinks, special files, "
			    "too deep)\n", skipped);
	}
	rc = fflush(stdout) == EOF ? 1 : 0;
	if (check && sum.npps == 0 && sum.dropped == 0) {
		/* A check over nothing must not pass: empty, unmounted? */
		fprintf(stderr, "rsyncswap expiry: %s: no manifest found "
		    "(an empty or unmounted tree?): nothing was checked\n",
		    dir);
		rc = 1;
	} else if (check && expiry_warning(&sum, now, warn, line, sizeof(line)) > 0) {
		fprintf(stderr, "rsyncswap expiry: %s: %s\n", dir,
		    line);
		rc = 1;
	}
	expiry_summary_free(&sum);
	return rc;
}
