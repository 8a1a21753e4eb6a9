/* Unit tests of rsyncswap/sync/decide.c: every branch of the sync decision. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rsyncswap/sync/decide.h"

#define SESSION_A	"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define SESSION_B	"0b3a1d3c-5a55-4b4b-8a2e-1f0e2d3c4b5a"
#define NDELTAS_MAX	32

static struct rrdp_delta_ref	ndeltas[NDELTAS_MAX];
static struct state_delta	sdeltas[NDELTAS_MAX];
static struct rrdp_notification	n;
static struct state		st;

/* The hash of a delta: one byte of the serial and a "version". */
static void
hash_of(unsigned char *h, long long serial, int version)
{
	memset(h, 0, RRDP_HASH_LEN);
	h[0] = (unsigned char)serial;
	h[1] = (unsigned char)version;
}

/* A notification of SESSION_A at serial, listing deltas from..serial. */
static void
notification(const char *session, long long serial, long long from)
{
	long long	s;

	memset(&n, 0, sizeof(n));
	snprintf(n.session_id, sizeof(n.session_id), "%s", session);
	n.serial = serial;
	n.deltas = ndeltas;
	for (s = from; s <= serial && from > 0; s++) {
		ndeltas[n.ndeltas].serial = s;
		hash_of(ndeltas[n.ndeltas].hash, s, 0);
		n.ndeltas++;
	}
}

/* Local state at serial, remembering deltas from..serial. */
static void
state_at(const char *session, long long serial, long long from)
{
	long long	s;

	memset(&st, 0, sizeof(st));
	snprintf(st.session_id, sizeof(st.session_id), "%s", session);
	st.serial = serial;
	st.deltas = sdeltas;
	for (s = from; s <= serial && from > 0; s++) {
		sdeltas[st.ndeltas].serial = s;
		hash_of(sdeltas[st.ndeltas].hash, s, 0);
		st.ndeltas++;
	}
}

static void
test_no_state(void **unused)
{
	struct decision	d;

	(void)unused;
	notification(SESSION_A, 10, 5);
	state_at(SESSION_A, 9, 5);
	assert_int_equal(decide(&st, 0, &n, 300, &d), ACTION_SNAPSHOT);
	assert_int_equal(d.action, ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "no local state");
	assert_int_equal(decide(NULL, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "no local state");
	st.session_id[0] = '\0';
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "no local state");
}

static void
test_new_session(void **unused)
{
	struct decision	d;

	(void)unused;
	notification(SESSION_B, 10, 1);
	state_at(SESSION_A, 9, 1);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "new session " SESSION_B " (was "
	    SESSION_A ")");
	/* Even at the same serial. */
	state_at(SESSION_A, 10, 1);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_non_null(strstr(d.reason, "new session"));
}

static void
test_up_to_date(void **unused)
{
	struct decision	d;

	(void)unused;
	notification(SESSION_A, 10, 5);
	state_at(SESSION_A, 10, 5);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_UP_TO_DATE);
	assert_string_equal(d.reason, "up to date at serial 10");
	assert_int_equal(d.count, 0);
	/* No deltas listed at all is fine when nothing is needed. */
	notification(SESSION_A, 10, 0);
	assert_int_equal(decide(&st, 1, &n, 0, &d), ACTION_UP_TO_DATE);
}

static void
test_serial_back(void **unused)
{
	struct decision	d;

	(void)unused;
	notification(SESSION_A, 7, 1);
	state_at(SESSION_A, 10, 1);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_REFUSE);
	assert_non_null(strstr(d.reason, "serial went back from 10 to 7"));
}

static void
test_deltas(void **unused)
{
	struct decision	d;

	(void)unused;
	/* Listed 3..12, local at 8: apply 9..12, indexes 6..9. */
	notification(SESSION_A, 12, 3);
	state_at(SESSION_A, 8, 3);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_DELTAS);
	assert_int_equal(d.first, 6);
	assert_int_equal(d.count, 4);
	assert_int_equal(n.deltas[d.first].serial, 9);
	assert_int_equal(n.deltas[d.first + d.count - 1].serial, 12);
	assert_string_equal(d.reason, "4 deltas from serial 9 to 12");

	/* One delta, exactly max_deltas. */
	state_at(SESSION_A, 11, 0);
	assert_int_equal(decide(&st, 1, &n, 1, &d), ACTION_DELTAS);
	assert_int_equal(d.first, 9);
	assert_int_equal(d.count, 1);
	assert_string_equal(d.reason, "1 delta from serial 12 to 12");

	/* Local state remembers no deltas: nothing to compare, fine. */
	state_at(SESSION_A, 2, 0);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_DELTAS);
	assert_int_equal(d.first, 0);
	assert_int_equal(d.count, 10);
}

static void
test_gap(void **unused)
{
	struct decision	d;

	(void)unused;
	/* The first needed delta is no longer listed. */
	notification(SESSION_A, 12, 5);
	state_at(SESSION_A, 3, 1);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "delta gap: delta 4 is not listed "
	    "(local serial 3, notification serial 12)");

	/* A hole in the middle. */
	notification(SESSION_A, 12, 5);
	memmove(&ndeltas[3], &ndeltas[4], 4 * sizeof(ndeltas[0]));
	n.ndeltas--;	/* 5 6 7 9 10 11 12 */
	state_at(SESSION_A, 5, 1);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "delta gap: delta 8 is not listed "
	    "(local serial 5, notification serial 12)");

	/* The last needed delta is missing. */
	notification(SESSION_A, 12, 5);
	n.ndeltas--;	/* 5 .. 11 */
	state_at(SESSION_A, 9, 1);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "delta gap: delta 12 is not listed "
	    "(local serial 9, notification serial 12)");

	/* No deltas at all. */
	notification(SESSION_A, 12, 0);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_non_null(strstr(d.reason, "delta gap: delta 10"));
}

static void
test_too_many(void **unused)
{
	struct decision	d;

	(void)unused;
	notification(SESSION_A, 20, 1);
	state_at(SESSION_A, 5, 1);
	assert_int_equal(decide(&st, 1, &n, 15, &d), ACTION_DELTAS);
	assert_int_equal(decide(&st, 1, &n, 14, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "15 deltas needed, more than the "
	    "maximum of 14");
	assert_int_equal(decide(&st, 1, &n, 0, &d), ACTION_SNAPSHOT);
}

static void
test_hash_changed(void **unused)
{
	struct decision	d;

	(void)unused;
	notification(SESSION_A, 12, 3);
	state_at(SESSION_A, 8, 1);
	hash_of(ndeltas[2].hash, 5, 1);		/* serial 5 rewritten */
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "delta 5 changed its hash");

	/* Deltas we remember that are no longer listed do not matter. */
	notification(SESSION_A, 12, 6);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_DELTAS);

	/* A remembered delta above our serial (odd, but compared too). */
	notification(SESSION_A, 12, 3);
	state_at(SESSION_A, 8, 3);
	sdeltas[st.ndeltas].serial = 11;
	hash_of(sdeltas[st.ndeltas].hash, 11, 7);
	st.ndeltas++;
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_string_equal(d.reason, "delta 11 changed its hash");
}

static void
test_big_serials(void **unused)
{
	struct decision	d;

	(void)unused;
	/* A jump too far to list must not overflow or loop for long. */
	notification(SESSION_A, 0x7fffffffffffffffLL, 0);
	ndeltas[0].serial = 11;
	n.ndeltas = 1;
	state_at(SESSION_A, 10, 0);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_SNAPSHOT);
	assert_non_null(strstr(d.reason, "delta gap: delta 12"));
	state_at(SESSION_A, 0, 0);
	notification(SESSION_A, 3, 1);
	assert_int_equal(decide(&st, 1, &n, 300, &d), ACTION_DELTAS);
	assert_int_equal(d.count, 3);
}

/*
 * A damaged state says nothing, but the served revision's name does: a
 * lower serial of the same session is refused against it.
 */
static void
test_served_regress(void **unused)
{
	struct decision d;

	(void)unused;
	notification(SESSION_A, 2, 1);
	assert_int_equal(decide_served("session_" SESSION_A "_serial_3", &n,
	    &d), 1);
	assert_int_equal(d.action, ACTION_REFUSE);
	assert_non_null(strstr(d.reason, "from 3"));
	/* Same or lower served serial, another session, no name: no say. */
	assert_int_equal(decide_served("session_" SESSION_A "_serial_2", &n,
	    &d), 0);
	assert_int_equal(decide_served("session_" SESSION_A "_serial_1", &n,
	    &d), 0);
	assert_int_equal(decide_served("session_" SESSION_B "_serial_9", &n,
	    &d), 0);
	assert_int_equal(decide_served(NULL, &n, &d), 0);
	assert_int_equal(decide_served("session_" SESSION_A "_serial_", &n,
	    &d), 0);
	assert_int_equal(decide_served("session_" SESSION_A "_serial_3x", &n,
	    &d), 0);
	assert_int_equal(decide_served("session_" SESSION_A
	    "_serial_99999999999999999999", &n, &d), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_state),
		cmocka_unit_test(test_new_session),
		cmocka_unit_test(test_up_to_date),
		cmocka_unit_test(test_serial_back),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_hash_changed),
		cmocka_unit_test(test_big_serials),
		cmocka_unit_test(test_served_regress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
