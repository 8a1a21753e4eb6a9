/*
 * Unit tests of rsyncswap/rsyncd/rsyncdlog.c and rsyncswap/rsyncd/rsyncdsess.c: every
 * line of the real rsync 3.5.0 logs in tests/data/rsyncd parses, with the
 * counts those runs produced (see capture.sh there); each message kind field
 * by field; malformed lines; boundary lengths; the session table's
 * outcomes and its eviction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rsyncswap/rsyncd/rsyncdlog.h"
#include "rsyncswap/rsyncd/rsyncdsess.h"

#define P	"2026/11/25 14:50:52 [11135] "

static struct rsyncd_line	L;

/* Parses the NUL-terminated s; returns the parser's result. */
static int
parse(const char *s)
{
	return rsyncd_parse_line(s, strlen(s), &L);
}

static void
test_connect_start_end(void **unused)
{
	struct tm	tm;
	time_t		t;

	(void)unused;
	assert_int_equal(parse(P "connect from localhost (127.0.0.1)\n"), 0);
	assert_int_equal(L.kind, RSYNCD_CONNECT);
	assert_int_equal(L.pid, 11135);
	assert_string_equal(L.host, "localhost");
	assert_string_equal(L.ip, "127.0.0.1");
	t = (time_t)L.time;
	assert_non_null(localtime_r(&t, &tm));
	assert_int_equal(tm.tm_year, 126);
	assert_int_equal(tm.tm_mon, 10);
	assert_int_equal(tm.tm_mday, 25);
	assert_int_equal(tm.tm_hour, 14);
	assert_int_equal(tm.tm_min, 50);
	assert_int_equal(tm.tm_sec, 52);

	assert_int_equal(parse(P "rsync allowed access on module repo from "
	    "localhost (127.0.0.1)"), 0);
	assert_int_equal(L.kind, RSYNCD_ACCESS);
	assert_string_equal(L.module, "repo");

	assert_int_equal(parse(P "rsync on repo/a/f1.roa from UNKNOWN "
	    "(2001:db8::1%eth0)\r\n"), 0);
	assert_int_equal(L.kind, RSYNCD_START);
	assert_string_equal(L.module, "repo");
	assert_string_equal(L.host, "UNKNOWN");
	assert_string_equal(L.ip, "2001:db8::1%eth0");

	assert_int_equal(parse(P "sent 1053725 bytes  received 3840 bytes  "
	    "total size 4000000"), 0);
	assert_int_equal(L.kind, RSYNCD_END);
	assert_int_equal(L.sent, 1053725);
	assert_int_equal(L.received, 3840);
	assert_int_equal(L.total, 4000000);
}

static void
test_vanished_refused_error(void **unused)
{
	(void)unused;
	assert_int_equal(parse(P "file has vanished: \"a/f146.roa\" (in repo)"), 0);
	assert_int_equal(L.kind, RSYNCD_VANISHED_FILE);
	assert_string_equal(L.path, "a/f146.roa");
	assert_string_equal(L.module, "repo");
	/* A quote and " (in " inside the name: the last one ends it. */
	assert_int_equal(parse(P "file has vanished: \"/x\" (in y\" (in m)"), 0);
	assert_string_equal(L.path, "/x\" (in y");
	assert_string_equal(L.module, "m");
	assert_int_equal(parse(P "directory has vanished: \"/d250\" (in repo)"), 0);
	assert_int_equal(L.kind, RSYNCD_VANISHED_DIR);
	assert_string_equal(L.path, "/d250");
	assert_int_equal(parse(P "file has vanished: \"/d250/f\""), 0);
	assert_string_equal(L.module, "");

	assert_int_equal(parse(P "max connections (200) reached"), 0);
	assert_int_equal(L.kind, RSYNCD_MAXCONN);
	assert_int_equal(L.number, 200);

	assert_int_equal(parse(P "rsync error: error in rsync protocol data "
	    "stream (code 12) at io.c(285) [sender=3.5.0]"), 0);
	assert_int_equal(L.kind, RSYNCD_ERROR);
	assert_int_equal(L.number, 12);

	assert_int_equal(parse(P "module-list request from h (10.0.0.1)"), 0);
	assert_int_equal(L.kind, RSYNCD_NOXFER);
	assert_int_equal(parse(P "unknown module 'x y' tried from h (10.0.0.1)"), 0);
	assert_int_equal(L.kind, RSYNCD_NOXFER);
	assert_int_equal(parse(P "auth failed on module repo from h (10.0.0.1): "
	    "password mismatch"), 0);
	assert_int_equal(L.kind, RSYNCD_NOXFER);
	assert_string_equal(L.ip, "10.0.0.1");
	assert_int_equal(parse(P "building file list"), 0);
	assert_int_equal(L.kind, RSYNCD_OTHER);
}

static void
test_malformed(void **unused)
{
	static const char *bad[] = {
		"",
		"\n",
		"2026/11/25 14:50:52",
		"2026/11/25 14:50:52 [11135]",
		"2026/11/25 14:50:52 11135 connect from h (1.2.3.4)",
		"2026/13/25 14:50:52 [1] x",
		"2026/11/00 14:50:52 [1] x",
		"2026/11/25 24:50:52 [1] x",
		"2026/11/25 14:60:52 [1] x",
		"2026-11-25 14:50:52 [1] x",
		"1969/11/25 14:50:52 [1] x",
		"2026/11/25 14:50:52 [0] x",
		"2026/11/25 14:50:52 [] x",
		"2026/11/25 14:50:52 [99999999999] x",
		"2026/11/25 14:50:52 [-1] x",
		"2026/1a/25 14:50:52 [1] x",
		P "connect from localhost",
		P "connect from localhost (127.0.0.1",
		P "connect from  (127.0.0.1)",
		P "connect from local host (127.0.0.1)",
		P "connect from h (1.2.3.4; rm)",
		P "connect from h ()",
		P "rsync on repo/ from h",
		P "rsync on  from h (1.2.3.4)",
		P "file has vanished: a/f",
		P "file has vanished: \"\" (in repo)",
		P "file has vanished: \"a/f\" (in )",
		P "file has vanished: \"a/f (in repo)",
		P "sent 1 bytes  received 2 bytes",
		P "sent 1 bytes  received 2 bytes  total size 3 extra",
		P "sent x bytes  received 2 bytes  total size 3",
		P "sent 1234567890123456789 bytes  received 2 bytes  total size 3",
		P "max connections (2) reached!",
		P "max connections () reached",
	};
	size_t	i;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i]) != -1)
			fail_msg("accepted: \"%s\"", bad[i]);
	/* A NUL or a newline inside, and bytes beyond len, are not read. */
	assert_int_equal(rsyncd_parse_line(P "connect from h (1.2.3.4)\0x",
	    sizeof(P "connect from h (1.2.3.4)\0x") - 1, &L), -1);
	assert_int_equal(rsyncd_parse_line(P "x\ny", strlen(P "x\ny"), &L), -1);
	assert_int_equal(rsyncd_parse_line(P "connect from h (1.2.3.4)XYZ",
	    strlen(P "connect from h (1.2.3.4)"), &L), 0);
}

/* Builds P + pre + n times c + post into a static buffer; returns it. */
static const char *
build(const char *pre, size_t n, char c, const char *post)
{
	static char	b[RSYNCD_LINE_MAX * 2];

	snprintf(b, sizeof(b), "%s%s", P, pre);
	memset(b + strlen(b), c, n);
	b[strlen(P) + strlen(pre) + n] = '\0';
	strcat(b, post);
	return b;
}

static void
test_boundaries(void **unused)
{
	(void)unused;
	assert_int_equal(parse(build("connect from ", RSYNCD_HOST_MAX, 'h',
	    " (1.2.3.4)")), 0);
	assert_int_equal(strlen(L.host), RSYNCD_HOST_MAX);
	assert_int_equal(parse(build("connect from ", RSYNCD_HOST_MAX + 1, 'h',
	    " (1.2.3.4)")), -1);
	assert_int_equal(parse(build("connect from h (", RSYNCD_IP_MAX, '1',
	    ")")), 0);
	assert_int_equal(parse(build("connect from h (", RSYNCD_IP_MAX + 1, '1',
	    ")")), -1);
	assert_int_equal(parse(build("rsync on ", RSYNCD_MODULE_MAX, 'm',
	    "/ from h (1.2.3.4)")), 0);
	assert_int_equal(strlen(L.module), RSYNCD_MODULE_MAX);
	assert_int_equal(parse(build("rsync on ", RSYNCD_MODULE_MAX + 1, 'm',
	    "/ from h (1.2.3.4)")), -1);
	assert_int_equal(parse(build("file has vanished: \"", RSYNCD_PATH_MAX,
	    'p', "\" (in repo)")), 0);
	assert_int_equal(strlen(L.path), RSYNCD_PATH_MAX);
	assert_int_equal(parse(build("file has vanished: \"", RSYNCD_PATH_MAX + 1,
	    'p', "\" (in repo)")), -1);
	/* The whole line: RSYNCD_LINE_MAX bytes is the longest accepted. */
	assert_int_equal(parse(build("x", RSYNCD_LINE_MAX - strlen(P) - 1, 'x',
	    "")), 0);
	assert_int_equal(parse(build("x", RSYNCD_LINE_MAX - strlen(P), 'x',
	    "")), -1);
}

/* Counts of one real log. */
struct counts {
	unsigned	kinds[RSYNCD_OTHER + 1];
	unsigned	malformed;
	unsigned	outcomes[RSYNCD_SESS_OPEN + 1];
	unsigned long	vanished;	/* files + dirs of completed sessions */
	unsigned	vanished_sessions;
	char		first[RSYNCD_PATH_MAX + 1];
};

static void
on_session(const struct rsyncd_session *s, void *arg)
{
	struct counts	*c = arg;

	c->outcomes[s->outcome]++;
	if (s->vanished_files + s->vanished_dirs > 0) {
		c->vanished += s->vanished_files + s->vanished_dirs;
		c->vanished_sessions++;
		snprintf(c->first, sizeof(c->first), "%s", s->first_vanished);
	}
	if (s->outcome == RSYNCD_SESS_END) {
		assert_true(s->connected > 0);
		assert_true(s->started >= s->connected);
		assert_true(s->ended >= s->started);
		assert_string_equal(s->ip, "127.0.0.1");
		assert_string_equal(s->module, "repo");
	}
}

/* Reads tests/data/rsyncd/name line by line into c. */
static void
read_log(const char *name, struct counts *c)
{
	struct rsyncd_sessions	*t;
	const char		*top = getenv("RSYNCSWAP_TOP");
	char			 path[1024], line[RSYNCD_LINE_MAX + 2];
	FILE			*f;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/tests/data/rsyncd/%s",
	    top != NULL ? top : ".", name);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(t = rsyncd_sessions_new(0, on_session, c));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (rsyncd_parse_line(line, strlen(line), &L) == -1) {
			c->malformed++;
			continue;
		}
		c->kinds[L.kind]++;
		rsyncd_sessions_add(t, &L);
	}
	rsyncd_sessions_flush(t, 0);
	rsyncd_sessions_free(t);
	fclose(f);
}

static void
test_real_nochroot(void **unused)
{
	struct counts	c;

	(void)unused;
	read_log("nochroot.log", &c);
	assert_int_equal(c.malformed, 0);
	assert_int_equal(c.kinds[RSYNCD_CONNECT], 8);
	assert_int_equal(c.kinds[RSYNCD_START], 5);
	assert_int_equal(c.kinds[RSYNCD_VANISHED_FILE], 100);
	assert_int_equal(c.kinds[RSYNCD_VANISHED_DIR], 0);
	assert_int_equal(c.kinds[RSYNCD_MAXCONN], 1);
	assert_int_equal(c.kinds[RSYNCD_END], 6);	/* 5 + the daemon's exit */
	assert_int_equal(c.kinds[RSYNCD_NOXFER], 2);
	assert_int_equal(c.kinds[RSYNCD_ERROR], 1);
	assert_int_equal(c.outcomes[RSYNCD_SESS_END], 5);
	assert_int_equal(c.outcomes[RSYNCD_SESS_REFUSED], 1);
	assert_int_equal(c.outcomes[RSYNCD_SESS_NOXFER], 2);
	assert_int_equal(c.outcomes[RSYNCD_SESS_OPEN], 0);
	assert_int_equal(c.vanished, 100);
	assert_int_equal(c.vanished_sessions, 2);
	assert_string_equal(c.first, "d125/f1.roa");
}

static void
test_real_chroot(void **unused)
{
	struct counts	c;

	(void)unused;
	read_log("chroot.log", &c);
	assert_int_equal(c.malformed, 0);
	assert_int_equal(c.kinds[RSYNCD_CONNECT], 3);
	assert_int_equal(c.kinds[RSYNCD_VANISHED_FILE], 28);
	assert_int_equal(c.kinds[RSYNCD_VANISHED_DIR], 45);
	assert_int_equal(c.outcomes[RSYNCD_SESS_END], 2);
	assert_int_equal(c.outcomes[RSYNCD_SESS_REFUSED], 1);
	assert_int_equal(c.vanished_sessions, 1);
	assert_int_equal(c.vanished, 73);
	assert_string_equal(c.first, "/d250");	/* chroot: leading "/" */
}

/* Records completed pids in order. */
struct seen {
	long			pid[64];
	enum rsyncd_outcome	out[64];
	size_t			n;
};

static void
on_seen(const struct rsyncd_session *s, void *arg)
{
	struct seen	*sn = arg;

	assert_true(sn->n < 64);
	sn->pid[sn->n] = s->pid;
	sn->out[sn->n++] = s->outcome;
}

/* Feeds "[pid] msg" at time t. */
static int
feed(struct rsyncd_sessions *t, long pid, const char *msg)
{
	char	b[256];

	snprintf(b, sizeof(b), "2026/11/25 14:50:52 [%ld] %s", pid, msg);
	assert_int_equal(parse(b), 0);
	return rsyncd_sessions_add(t, &L);
}

static void
test_sessions_eviction(void **unused)
{
	struct rsyncd_sessions_stats	 st;
	struct rsyncd_sessions		*t;
	struct seen			 sn;
	long				 pid;

	(void)unused;
	memset(&sn, 0, sizeof(sn));
	assert_non_null(t = rsyncd_sessions_new(4, on_seen, &sn));
	/* 4 open sessions fit; pid 1 is then touched, so 2 is the oldest. */
	for (pid = 1; pid <= 4; pid++)
		assert_int_equal(feed(t, pid, "connect from h (1.2.3.4)"), 0);
	assert_int_equal(feed(t, 1, "building file list"), 0);
	assert_int_equal(feed(t, 5, "connect from h (1.2.3.4)"), 1);
	assert_int_equal(sn.pid[0], 2);
	assert_int_equal(sn.out[0], RSYNCD_SESS_EVICTED);
	assert_int_equal(feed(t, 6, "connect from h (1.2.3.4)"), 1);
	assert_int_equal(sn.pid[1], 3);
	/* An end closes, a refusal closes, a reused pid is LOST. */
	assert_int_equal(feed(t, 1, "sent 1 bytes  received 2 bytes  total size 3"), 1);
	assert_int_equal(sn.out[2], RSYNCD_SESS_END);
	assert_int_equal(feed(t, 5, "max connections (1) reached"), 1);
	assert_int_equal(sn.out[3], RSYNCD_SESS_REFUSED);
	assert_int_equal(feed(t, 4, "connect from h (1.2.3.4)"), 1);
	assert_int_equal(sn.out[4], RSYNCD_SESS_LOST);
	/* An end line of an unknown pid is an orphan, not a session. */
	assert_int_equal(feed(t, 99, "sent 0 bytes  received 0 bytes  total size 0"), 0);
	rsyncd_sessions_stats(t, &st);
	assert_int_equal(st.evicted, 2);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.orphans, 1);
	assert_int_equal(st.open, 2);
	assert_int_equal(rsyncd_sessions_flush(t, 0), 2);
	rsyncd_sessions_stats(t, &st);
	assert_int_equal(st.open, 0);
	assert_int_equal(st.completed, 7);
	rsyncd_sessions_free(t);
}

/* Many pids through a small table: every session completes exactly once. */
static void
test_sessions_churn(void **unused)
{
	struct rsyncd_sessions_stats	 st;
	struct rsyncd_sessions		*t;
	long				 pid;

	(void)unused;
	assert_non_null(t = rsyncd_sessions_new(16, NULL, NULL));
	for (pid = 1; pid <= 20000; pid++) {
		feed(t, pid, "connect from h (1.2.3.4)");
		if (pid % 3 != 0)
			feed(t, pid, "sent 1 bytes  received 2 bytes  total size 3");
		if (pid > 8 && (pid - 8) % 3 == 0)
			feed(t, pid - 8, "sent 1 bytes  received 2 bytes  total size 3");
	}
	rsyncd_sessions_flush(t, 0);
	rsyncd_sessions_stats(t, &st);
	assert_int_equal(st.completed, 20000);
	assert_int_equal(st.evicted, 0);
	assert_int_equal(st.open, 0);
	rsyncd_sessions_free(t);
}

/* Returns the CPU time of this process in seconds. */
static double
cpu_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A log of sessions that never end costs per line about what a log of
 * finished ones costs: eviction of the least recent of RSYNCD_SESSIONS_MAX
 * open sessions is O(1), not a scan of the table (which made such a log
 * 17 to 30 times slower per line). CPU time, both measured here.
 */
static void
test_sessions_eviction_cost(void **unused)
{
	struct rsyncd_sessions_stats	 st;
	struct rsyncd_sessions		*t;
	double				 t0, fin, unfin;
	long				 pid, n = 100000;

	(void)unused;
	assert_non_null(t = rsyncd_sessions_new(0, NULL, NULL));
	t0 = cpu_now();
	for (pid = 1; pid <= n; pid++) {
		feed(t, pid, "connect from h (1.2.3.4)");
		feed(t, pid, "sent 1 bytes  received 2 bytes  total size 3");
	}
	fin = (cpu_now() - t0) / (2.0 * (double)n);
	rsyncd_sessions_stats(t, &st);
	assert_int_equal(st.evicted, 0);
	t0 = cpu_now();
	for (pid = n + 1; pid <= 3 * n; pid++)
		feed(t, pid, "connect from h (1.2.3.4)");
	unfin = (cpu_now() - t0) / (2.0 * (double)n);
	rsyncd_sessions_stats(t, &st);
	assert_int_equal(st.evicted, 2 * n - RSYNCD_SESSIONS_MAX);
	rsyncd_sessions_free(t);
	print_message("per line: %.0f ns finished, %.0f ns unfinished "
	    "(%.1fx)\n", fin * 1e9, unfin * 1e9, unfin / fin);
	assert_true(unfin < 4 * fin);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_start_end),
		cmocka_unit_test(test_vanished_refused_error),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_real_nochroot),
		cmocka_unit_test(test_real_chroot),
		cmocka_unit_test(test_sessions_eviction),
		cmocka_unit_test(test_sessions_churn),
		cmocka_unit_test(test_sessions_eviction_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
