/*
 * tsnorm benchmark: loads the files named on the command line into memory,
 * then computes their canonical times over and over on one core for about
 * BENCH_SECONDS and prints objects per second: first with tsnorm_inspect()
 * (mtime and expiry in one parse, what rsyncswap calls for every object),
 * then with tsnorm_time() alone. Built and run by scripts/bench-tsnorm;
 * scripts/bench reads the first figure.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsnorm/tsnorm.h"

#define BENCH_SECONDS	3.0
#define MAX_BENCH_FILE	(8 * 1024 * 1024)

struct obj {
	unsigned char	*data;
	size_t		 len;
	const char	*name;
};

/* Returns the monotonic time in seconds. */
static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Runs one pass over objs[0..nobj) for about BENCH_SECONDS, with expiry
 * (tsnorm_inspect) or without (tsnorm_time), and prints the rate.
 */
static void
run(const struct obj *objs, int nobj, int expiry)
{
	struct tsnorm_result	 res;
	struct tsnorm_expiry	 exp;
	unsigned long long	 n = 0, hashed = 0, expiries = 0;
	double			 start, el;
	int			 i;

	start = now();
	do {
		for (i = 0; i < nobj; i++) {
			if (expiry) {
				tsnorm_inspect(objs[i].data, objs[i].len,
				    objs[i].name, &res, &exp);
				expiries += exp.kind != TSNORM_EXPIRY_NONE &&
				    exp.status == TSNORM_EXPIRY_OK;
			} else
				tsnorm_time(objs[i].data, objs[i].len,
				    objs[i].name, &res);
			hashed += res.rule == TSNORM_HASH_UNPARSEABLE ||
			    res.rule == TSNORM_HASH_UNKNOWN ||
			    res.rule == TSNORM_HASH_OUT_OF_RANGE;
		}
		n += nobj;
	} while ((el = now() - start) < BENCH_SECONDS);

	printf("%s: %d objects, %llu calls in %.2f s (%.1f%% by hash rule, "
	    "%.1f%% with an expiry): %.0f objects/second\n",
	    expiry ? "tsnorm_inspect" : "tsnorm_time", nobj, n, el,
	    100.0 * hashed / n, 100.0 * expiries / n, n / el);
}

int
main(int argc, char *argv[])
{
	struct obj	*objs;
	int		 i, nobj = argc - 1;
	FILE		*f;

	if (nobj < 1)
		errx(2, "usage: bench_tsnorm FILE...");
	if ((objs = calloc(nobj, sizeof(*objs))) == NULL)
		err(1, NULL);
	for (i = 0; i < nobj; i++) {
		if ((f = fopen(argv[i + 1], "rb")) == NULL)
			err(1, "%s", argv[i + 1]);
		if ((objs[i].data = malloc(MAX_BENCH_FILE)) == NULL)
			err(1, NULL);
		objs[i].len = fread(objs[i].data, 1, MAX_BENCH_FILE, f);
		objs[i].name = argv[i + 1];
		fclose(f);
	}

	run(objs, nobj, 1);
	run(objs, nobj, 0);
	for (i = 0; i < nobj; i++)
		free(objs[i].data);
	free(objs);
	return 0;
}
