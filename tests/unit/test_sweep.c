/*
 * Unit tests of rsyncswap/sweep/sweep.c on a real rsync directory: the
 * current target is never removed (not by the time rule, not by the disk
 * budget, not when the history calls it replaced long ago); a replaced
 * revision goes once the cleanup time has passed and its removal is
 * recorded; leftovers of interrupted runs go; a symlink is removed, never
 * followed; names that are neither are left alone; a revision the history
 * does not know is adopted into it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/state/state.h"
#include "rsyncswap/sweep/sweep.h"
#include "tests/unit/tmpdir.h"

#define SESSION	"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define REV1	"session_" SESSION "_serial_1"
#define REV2	"session_" SESSION "_serial_2"
#define REV3	"session_" SESSION "_serial_3"
/* The cleanup time of these tests (the time rule: no reader scan). */
#define KEEP	600

static char		 dir[1024], rsync_dir[PATH_MAX], outside[1024];
static int		 dfd = -1;
static struct state	 st;
static struct cleanup_policy pol;
static long long	 now;

static int
setup(void **unused)
{
	const char *tmp = getenv("TMPDIR");

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/test_sweep.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	snprintf(outside, sizeof(outside), "%s/test_sweep_out.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL || mkdtemp(outside) == NULL)
		return -1;
	snprintf(rsync_dir, sizeof(rsync_dir), "%s/rsync", dir);
	if (mkdir(rsync_dir, 0755) == -1 ||
	    (dfd = open(rsync_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	memset(&st, 0, sizeof(st));
	memset(&pol, 0, sizeof(pol));
	pol.keep_min = pol.time_rule = KEEP;
	pol.keep_max = 10 * KEEP;
	pol.scan = 0;
	pol.rsync_dir = rsync_dir;
	pol.state_dir = dir;
	now = (long long)time(NULL);
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	close(dfd);
	state_free(&st);
	tmpdir_remove(outside);
	return tmpdir_remove(dir);
}

/* Makes the revision directory name with a file and a subdirectory. */
static void
mkrev(const char *name)
{
	char p[PATH_MAX];
	int fd;

	assert_int_equal(mkdirat(dfd, name, 0755), 0);
	snprintf(p, sizeof(p), "%s/repo", name);
	assert_int_equal(mkdirat(dfd, p, 0755), 0);
	snprintf(p, sizeof(p), "%s/repo/o.cer", name);
	assert_true((fd = openat(dfd, p, O_WRONLY | O_CREAT | O_EXCL,
	    0644)) != -1);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

/* Returns 1 if name is in the rsync directory (not following it). */
static int
there(const char *name)
{
	return faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Runs a sweep with current as current's target. Returns its result. */
static int
sweep(const char *current, struct sweep_stats *stats)
{
	return sweep_run(dfd, current, &st, now, &pol, NULL, stats);
}

static void
test_time_rule(void **unused)
{
	struct sweep_stats s;
	struct state_revision *r;

	(void)unused;
	mkrev(REV1);
	mkrev(REV2);
	mkrev(REV3);
	state_history_push(&st, REV1, now - 3 * KEEP);
	state_history_push(&st, REV2, now - 2 * KEEP);	/* REV1 replaced */
	state_history_push(&st, REV3, now - KEEP / 2);	/* REV2 replaced */
	assert_int_equal(sweep(REV3, &s), 0);
	assert_false(there(REV1));
	assert_true(there(REV2));
	assert_true(there(REV3));
	assert_int_equal(s.removed, 1);
	assert_int_equal(s.kept, 1);
	assert_int_equal(s.failed, 0);
	assert_non_null(r = state_history_find(&st, REV1));
	assert_true(r->removed == now);
	assert_non_null(r = state_history_find(&st, REV2));
	assert_true(r->removed == 0);
	/* Later, REV2's cleanup time has passed too. */
	now += KEEP;
	assert_int_equal(sweep(REV3, &s), 0);
	assert_false(there(REV2));
	assert_true(there(REV3));
	assert_int_equal(s.removed, 1);
}

static void
test_never_current(void **unused)
{
	struct sweep_stats s;
	struct state_revision *r;

	(void)unused;
	mkrev(REV1);
	mkrev(REV2);
	/*
	 * The history calls REV1 replaced long ago and REV2 current; current
	 * points to REV1 (a state that lags the disk). The target stays.
	 */
	state_history_push(&st, REV1, now - 10 * KEEP);
	state_history_push(&st, REV2, now - 9 * KEEP);
	assert_int_equal(sweep(REV1, &s), 0);
	assert_true(there(REV1));
	/* REV2 is not current: replaced now, kept the cleanup time. */
	assert_true(there(REV2));
	assert_non_null(r = state_history_find(&st, REV2));
	assert_true(r->until == now);
	/* Long after, REV2 goes, REV1 still not. */
	now += 100 * KEEP;
	assert_int_equal(sweep(REV1, &s), 0);
	assert_true(there(REV1));
	assert_false(there(REV2));
}

static void
test_budget_spares_current(void **unused)
{
	struct sweep_stats s;

	(void)unused;
	mkrev(REV1);
	mkrev(REV2);
	mkrev(REV3);
	state_history_push(&st, REV1, now - 30);
	state_history_push(&st, REV2, now - 20);
	state_history_push(&st, REV3, now - 10);
	/* One revision on disk at most: the two replaced ones go (within
	   their cleanup time), the current one stays. */
	pol.max_revisions = 1;
	assert_int_equal(sweep(REV3, &s), 0);
	assert_false(there(REV1));
	assert_false(there(REV2));
	assert_true(there(REV3));
	assert_int_equal(s.removed, 2);
}

static void
test_budget_current_oldest(void **unused)
{
	struct sweep_stats s;

	(void)unused;
	mkrev(REV1);
	mkrev(REV2);
	mkrev(REV3);
	/* current -> REV1, which the history has as the oldest. */
	state_history_push(&st, REV1, now - 30);
	state_history_push(&st, REV2, now - 20);
	state_history_push(&st, REV3, now - 10);
	pol.max_revisions = 1;
	assert_int_equal(sweep(REV1, &s), 0);
	assert_true(there(REV1));
	assert_false(there(REV2));
	assert_false(there(REV3));
	/* Over a budget that only the current target exceeds: kept. */
	pol.max_revisions = 0;
	pol.max_disk = 1;
	assert_int_equal(sweep(REV1, &s), 0);
	assert_true(there(REV1));
}

static void
test_leftovers_and_others(void **unused)
{
	struct sweep_stats s;
	char p[PATH_MAX];
	int fd;

	(void)unused;
	mkrev(REV1);
	state_history_push(&st, REV1, now - 10);
	/* An interrupted build, a revision moved aside, a current.tmp. */
	mkrev(".tmp-0123456789ab");
	mkrev(".tmp-0123456789ab-old");
	assert_int_equal(symlinkat(REV1, dfd, "current.tmp"), 0);
	/* A leftover that is a symlink to a directory elsewhere. */
	snprintf(p, sizeof(p), "%s/keep", outside);
	assert_true((fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644)) != -1);
	close(fd);
	assert_int_equal(symlinkat(outside, dfd, ".tmp-link"), 0);
	/* Not ours: left alone. */
	mkrev("notes");
	mkrev("session_x_serial_1");
	assert_int_equal(symlinkat(REV1, dfd, "current"), 0);

	assert_int_equal(sweep(REV1, &s), 0);
	assert_int_equal(s.removed, 4);
	assert_false(there(".tmp-0123456789ab"));
	assert_false(there(".tmp-0123456789ab-old"));
	assert_false(there("current.tmp"));
	assert_false(there(".tmp-link"));
	assert_int_equal(access(p, F_OK), 0);
	assert_true(there(REV1));
	assert_true(there("current"));
	assert_true(there("notes/repo/o.cer"));
	assert_true(there("session_x_serial_1"));
}

static void
test_unknown_adopted(void **unused)
{
	struct sweep_stats s;
	struct state_revision *r;

	(void)unused;
	/* On disk, unknown to the history (a lost state). */
	mkrev(REV1);
	mkrev(REV2);
	state_history_push(&st, REV2, now);
	assert_int_equal(sweep(REV2, &s), 0);
	assert_non_null(r = state_history_find(&st, REV1));
	assert_true(r->until > 0 && r->until <= now);
	/* Made just now: dated so, kept the cleanup time. */
	assert_true(there(REV1));
	assert_int_equal(s.kept, 1);
	now += 2 * KEEP;
	assert_int_equal(sweep(REV2, &s), 0);
	assert_false(there(REV1));
	assert_true(there(REV2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_time_rule, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_never_current, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_budget_spares_current,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_current_oldest,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftovers_and_others,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_adopted, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
