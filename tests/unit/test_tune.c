/* Adaptive cleanup: raises, bounds, attribution and decay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rsyncswap/daemon/tune.h"

static struct rsyncd_session
session(long long connected, long long ended, unsigned long vanished)
{
	struct rsyncd_session s;

	memset(&s, 0, sizeof(s));
	s.pid = 42;
	s.outcome = RSYNCD_SESS_END;
	s.connected = connected;
	s.ended = ended;
	s.last = ended;
	s.vanished_files = vanished;
	strcpy(s.ip, "192.0.2.1");
	return s;
}

static struct state_revision
revision(long long since, long long until, long long removed)
{
	struct state_revision r;

	memset(&r, 0, sizeof(r));
	strcpy(r.name, "session_cd613e30-d8f1-4adf-91b7-584a2265b1f5_serial_1");
	r.since = since;
	r.until = until;
	r.removed = removed;
	return r;
}

static void
test_vanished_ours_doubles(void **unused)
{
	struct rsyncd_session s = session(1000, 1010, 3);
	struct state_revision r = revision(900, 1002, 1005);
	struct tune t;
	char why[512];

	(void)unused;
	tune_init(&t, 100, 10000, NULL);
	assert_int_equal(tune_vanished_ours(&s, &r), 1);
	assert_int_equal(tune_session(&t, &s, &r, 2000, why, sizeof(why)), 1);
	assert_int_equal(t.effective, 200);
	assert_non_null(strstr(why, "192.0.2.1"));
	assert_non_null(strstr(why, r.name));
	assert_int_equal(t.changed, 2000);
}

static void
test_bounded_by_max(void **unused)
{
	struct rsyncd_session s = session(1000, 1010, 1);
	struct state_revision r = revision(900, 1002, 1005);
	struct tune t;
	char why[512];

	(void)unused;
	tune_init(&t, 100, 150, NULL);
	tune_session(&t, &s, &r, 2000, why, sizeof(why));
	assert_int_equal(t.effective, 150);
	/* At the bound: no further change reported. */
	assert_int_equal(tune_session(&t, &s, &r, 2001, why, sizeof(why)), 0);
}

static void
test_not_ours(void **unused)
{
	/* Vanished, but the revision was not removed (or after the end). */
	struct rsyncd_session s = session(1000, 1010, 2);
	struct state_revision kept = revision(900, 1002, 0);
	struct state_revision late = revision(900, 1002, 1020);
	struct tune t;
	char why[512];

	(void)unused;
	assert_int_equal(tune_vanished_ours(&s, &kept), 0);
	assert_int_equal(tune_vanished_ours(&s, &late), 0);
	assert_int_equal(tune_vanished_ours(&s, NULL), 0);
	tune_init(&t, 100, 10000, NULL);
	assert_int_equal(tune_session(&t, &s, &kept, 2000, why, sizeof(why)),
	    0);
	assert_int_equal(t.effective, 100);
}

static void
test_long_session_margin(void **unused)
{
	/* A 300 s session needs 2 x 300 + 60 s. */
	struct rsyncd_session s = session(1000, 1300, 0);
	struct tune t;
	char why[512];

	(void)unused;
	tune_init(&t, 100, 10000, NULL);
	assert_int_equal(tune_session(&t, &s, NULL, 2000, why, sizeof(why)), 1);
	assert_int_equal(t.effective, 660);
	assert_int_equal(t.longest, 300);
}

static void
test_decay_after_quiet(void **unused)
{
	struct rsyncd_session s = session(1000, 1010, 1);
	struct state_revision r = revision(900, 1002, 1005);
	struct tune t;
	char why[512];
	long long prev;

	(void)unused;
	tune_init(&t, 100, 100000, NULL);
	for (int i = 0; i < 5; i++)
		tune_session(&t, &s, &r, 2000, why, sizeof(why));
	assert_int_equal(t.effective, 3200);
	/* Not yet quiet for a day. */
	assert_int_equal(tune_decay(&t, 2000 + 3600, why, sizeof(why)), 0);
	prev = t.effective;
	assert_int_equal(tune_decay(&t, 2000 + 86400, why, sizeof(why)), 1);
	assert_true(t.effective < prev && t.effective > 100);
	/* Slowly, day by day, never below the configured value. */
	for (int d = 2; d < 60; d++)
		tune_decay(&t, 2000 + d * 86400LL, why, sizeof(why));
	assert_true(t.effective >= 100 && t.effective <= 100 + 2 * 10 + 60);
}

static void
test_restored_from_state(void **unused)
{
	struct state st;
	struct tune t;

	(void)unused;
	memset(&st, 0, sizeof(st));
	st.cleanup_after = 5000;
	st.tune_changed = 1234;
	st.tune_longest = 77;
	tune_init(&t, 100, 3000, &st);
	assert_int_equal(t.effective, 3000);	/* bounded by a lower max */
	assert_int_equal(t.longest, 77);
	st.tune_changed = 0;			/* never tuned */
	tune_init(&t, 100, 3000, &st);
	assert_int_equal(t.effective, 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vanished_ours_doubles),
		cmocka_unit_test(test_bounded_by_max),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_long_session_margin),
		cmocka_unit_test(test_decay_after_quiet),
		cmocka_unit_test(test_restored_from_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
