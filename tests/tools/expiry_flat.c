/*
 * Test tool: writes the expiry summary of a state directory (its base file
 * and the segments on it, read as one) as a single base file, the one a
 * sync that folds the segments writes.
 * Usage:
 *	expiry_flat STATE-DIR OUT-DIR	(writes OUT-DIR/expiry)
 * Exits 0, 1 if there is no summary, 2 if it cannot be read or written.
 * Built by tests/lib.sh (expiry_flat) against $BUILD/librsyncswap.a.
 */
#include <stdio.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_file.h"
#include "rsyncswap/expiry/expiry_read.h"

int
main(int argc, char *argv[])
{
	struct expiry_reader	*r;
	struct expiry_writer	*w;
	struct expiry_record	 rec;
	char			 err[ERR_MAX];
	int			 rc;

	if (argc != 3) {
		fprintf(stderr, "usage: expiry_flat state-dir out-dir\n");
		return 2;
	}
	if ((rc = expiry_reader_open(argv[1], &r, err, sizeof(err))) != 0) {
		fprintf(stderr, "expiry_flat: %s\n", err);
		return rc == 1 ? 1 : 2;
	}
	if ((w = expiry_writer_open(argv[2], expiry_reader_totals(r)->revision,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, "expiry_flat: %s\n", err);
		return 2;
	}
	while ((rc = expiry_reader_next(r, &rec, err, sizeof(err))) == 1)
		expiry_writer_record(w, &rec);
	if (rc == -1) {
		fprintf(stderr, "expiry_flat: %s\n", err);
		expiry_writer_abort(w);
		return 2;
	}
	expiry_writer_newest(w, expiry_reader_totals(r)->newest_update);
	expiry_reader_close(r);
	if (expiry_writer_commit(w, err, sizeof(err)) == -1) {
		fprintf(stderr, "expiry_flat: %s\n", err);
		return 2;
	}
	return 0;
}
