/*
 * The check of a reader scan against the rsyncd log (logwatch_witness_*),
 * on a real log file: a session that began its transfer before the scan
 * and is open after it must be among the scan's readers, by pid or by its
 * pid in its own PID namespace; one that ends during the scan, or began
 * after the scan started, or logged an error, is not held against it; and
 * each session is checked by one scan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/daemon/logwatch.h"
#include "rsyncswap/readers/readers.h"
#include "tests/unit/tmpdir.h"

static char		 dir[1024], logp[PATH_MAX];
static struct logwatch	*lw;
static struct tune	 tn;
static struct metrics	 m;

/* Appends one rsyncd line for pid, stamped now, to the log. */
static void
logline(long pid, const char *msg)
{
	char t[32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	localtime_r(&now, &tm);
	strftime(t, sizeof(t), "%Y/%m/%d %H:%M:%S", &tm);
	assert_non_null(f = fopen(logp, "a"));
	fprintf(f, "%s [%ld] %s\n", t, pid, msg);
	assert_int_equal(fclose(f), 0);
}

/* Begins the transfer of session pid. */
static void
started(long pid)
{
	logline(pid, "connect from localhost (127.0.0.1)");
	logline(pid, "rsync on repo/ from localhost (127.0.0.1)");
}

static void
ended(long pid)
{
	logline(pid, "sent 100 bytes  received 20 bytes  total size 4000");
}

/* A scan that found the processes pids[0..n) (nspid: in their own). */
static void
scan_of(struct readers_scan *s, const long *pids, const long *nspids,
    int n)
{
	struct reader rd;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++) {
		memset(&rd, 0, sizeof(rd));
		rd.pid = (pid_t)pids[i];
		rd.nspid = (pid_t)(nspids != NULL ? nspids[i] : pids[i]);
		snprintf(rd.name, sizeof(rd.name), "session_x_serial_1");
		assert_int_equal(readers_add(s, &rd), 0);
	}
}

/* Runs one checked scan of s. Returns logwatch_witness_after's answer. */
static int
check(struct readers_scan *s, char *why, size_t whysz)
{
	int rc = logwatch_witness_after(s, why, whysz, lw);

	readers_free(s);
	return rc;
}

static int
setup(void **unused)
{
	const char *tmp = getenv("TMPDIR");
	char err[ERR_MAX];
	struct state st;
	FILE *f;

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/test_logwatch.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(logp, sizeof(logp), "%s/rsyncd.log", dir);
	if ((f = fopen(logp, "w")) == NULL || fclose(f) != 0)
		return -1;
	memset(&st, 0, sizeof(st));
	memset(&m, 0, sizeof(m));
	tune_init(&tn, 7200, 86400, &st);
	/* The flat layout: every module is ours, no revision needed. */
	lw = logwatch_open(logp, dir, dir, LAYOUT_FLAT, &tn, &m, err,
	    sizeof(err));
	return lw != NULL ? 0 : -1;
}

static int
teardown(void **unused)
{
	(void)unused;
	logwatch_close(lw);
	lw = NULL;
	tmpdir_remove(dir);
	return 0;
}

static void
test_missed_session(void **unused)
{
	struct readers_scan s;
	char why[256];
	long other = 99;

	(void)unused;
	started(1001);
	logwatch_witness_before(lw);
	scan_of(&s, &other, NULL, 1);
	assert_int_equal(check(&s, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "client 127.0.0.1 (pid 1001)"));
	assert_non_null(strstr(why, "another PID namespace"));
}

static void
test_found_by_pid_or_nspid(void **unused)
{
	struct readers_scan s;
	char why[256];
	long pid = 1001, outer = 52001, inner = 1002;

	(void)unused;
	started(1001);
	logwatch_witness_before(lw);
	scan_of(&s, &pid, NULL, 1);
	assert_int_equal(check(&s, why, sizeof(why)), 0);
	/* rsyncd in a child namespace logs its own pids. */
	started(1002);
	logwatch_witness_before(lw);
	scan_of(&s, &outer, &inner, 1);
	assert_int_equal(check(&s, why, sizeof(why)), 0);
}

static void
test_ended_during_scan(void **unused)
{
	struct readers_scan s;
	char why[256];

	(void)unused;
	started(1001);
	logwatch_witness_before(lw);
	ended(1001);		/* it ended while the scan ran */
	scan_of(&s, NULL, NULL, 0);
	assert_int_equal(check(&s, why, sizeof(why)), 0);
	/* An error line: the process may exit without an end line. */
	started(1003);
	logline(1003, "rsync error: error in socket IO (code 10) at io.c(1) [sender=3.5.0]");
	logwatch_witness_before(lw);
	scan_of(&s, NULL, NULL, 0);
	assert_int_equal(check(&s, why, sizeof(why)), 0);
}

static void
test_begun_after_scan_start(void **unused)
{
	struct readers_scan s;
	char why[256];

	(void)unused;
	logwatch_witness_before(lw);
	started(1001);		/* after the scan began: not this scan's */
	scan_of(&s, NULL, NULL, 0);
	assert_int_equal(check(&s, why, sizeof(why)), 0);
	/* The next scan checks it. */
	logwatch_witness_before(lw);
	scan_of(&s, NULL, NULL, 0);
	assert_int_equal(check(&s, why, sizeof(why)), 1);
}

static void
test_checked_once(void **unused)
{
	struct readers_scan s;
	char why[256];
	long pid = 1001;

	(void)unused;
	started(1001);
	logwatch_witness_before(lw);
	scan_of(&s, &pid, NULL, 1);
	assert_int_equal(check(&s, why, sizeof(why)), 0);
	/* Killed without an end line: not held against later scans. */
	logwatch_witness_before(lw);
	scan_of(&s, NULL, NULL, 0);
	assert_int_equal(check(&s, why, sizeof(why)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missed_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_found_by_pid_or_nspid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ended_during_scan, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_begun_after_scan_start,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_checked_once, setup,
		    teardown),
	};

	log_init("test_logwatch", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
