/*
 * libFuzzer target for the expiry summary reader (rsyncswap/expiry/expiry_read.c):
 * each input becomes <tmpdir>/expiry and is read whole, briefly and by its
 * head. A file that is accepted must survive expiry_save and read back to
 * the same summary (compared as the JSON status prints), name the same
 * revision by its head, and a brief read must assess it as the whole one.
 *
 *   built by scripts/fuzz, linked with the library objects
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_print.h"
#include "rsyncswap/expiry/expiry_read.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	dir[PATH_MAX / 2], file[PATH_MAX];

static void
cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

/* Returns the JSON of sum at a fixed time, malloc'ed. */
static char *
as_json(const struct expiry_summary *sum)
{
	char	*buf = NULL;
	size_t	 sz = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &sz)) == NULL)
		abort();
	expiry_print_json(f, sum, 1700000000, 8 * 3600);
	fclose(f);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expiry_summary	 a, b, brief;
	struct expiry_assessment x, y;
	char			 err[ERR_MAX], rev[EXPIRY_REVISION_MAX];
	char			*ja, *jb;
	FILE			*f;
	int			 rc;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/fuzz_expiry.XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(file, sizeof(file), "%s/expiry", dir);
		atexit(cleanup);
	}
	if ((f = fopen(file, "w")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();

	(void)expiry_file_revision(dir, rev, sizeof(rev));
	rc = expiry_load(dir, &a, err, sizeof(err));
	if (rc == -1) {
		if (a.npps != 0 || a.pps != NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (rc != 0)
		abort();
	if (strcmp(rev, a.revision) != 0)
		abort();		/* the head names another revision */
	if (expiry_load_brief(dir, 1700000000, 8 * 3600, &brief, err,
	    sizeof(err)) != 0)
		abort();
	expiry_assess(&a, 1700000000, 8 * 3600, &x);
	expiry_assess(&brief, 1700000000, 8 * 3600, &y);
	if (x.expired != y.expired || x.expiring != y.expiring ||
	    x.damaged != y.damaged || (x.earliest == NULL) !=
	    (y.earliest == NULL) || (x.earliest != NULL &&
	    x.earliest->expiry != y.earliest->expiry))
		abort();
	expiry_summary_free(&brief);
	if (expiry_save(dir, &a, err, sizeof(err)) != 0 ||
	    expiry_load(dir, &b, err, sizeof(err)) != 0)
		abort();
	ja = as_json(&a);
	jb = as_json(&b);
	if (strcmp(ja, jb) != 0 || strcmp(a.revision, b.revision) != 0) {
		fprintf(stderr, "read:  %s\nagain: %s\n", ja, jb);
		abort();
	}
	free(ja);
	free(jb);
	expiry_summary_free(&a);
	expiry_summary_free(&b);
	return 0;
}
