/*
 * Unit tests of rsyncswap/state/state.c on real files in a temporary directory:
 * round trip, damaged and hostile files, history, the lock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/state/state.h"
#include "tests/unit/tmpdir.h"

#define SESSION	"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define HEADER	"rsyncswap-state 1\n"
#define Z16	"0000000000000000"
#define HASH0	Z16 Z16 Z16 Z16		/* 64 hex digits */

static char	dir[1024], statefile[PATH_MAX];

static int
setup(void **unused)
{
	const char *tmp = getenv("TMPDIR");

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/test_state.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(statefile, sizeof(statefile), "%s/state", dir);
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	return tmpdir_remove(dir);
}

/* Writes len bytes of s as the state file. */
static void
put_file(const char *s, size_t len)
{
	FILE	*f;

	assert_non_null(f = fopen(statefile, "w"));
	assert_int_equal(fwrite(s, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
put_str(const char *s)
{
	put_file(s, strlen(s));
}

/* Reads the state file into a static buffer; returns its length. */
static char	filebuf[1 << 16];

static size_t
get_file(void)
{
	FILE	*f;
	size_t	 n;

	assert_non_null(f = fopen(statefile, "r"));
	n = fread(filebuf, 1, sizeof(filebuf) - 1, f);
	fclose(f);
	filebuf[n] = '\0';
	return n;
}

/* Asserts that the state file text s is damaged and st is left empty. */
static void
assert_damaged(const char *s)
{
	struct state	st;
	char		err[ERR_MAX] = "";

	put_str(s);
	if (state_read(dir, &st, err, sizeof(err)) != -1)
		fail_msg("accepted: \"%s\"", s);
	assert_non_null(strstr(err, statefile));
	assert_string_equal(st.session_id, "");
	assert_null(st.deltas);
	assert_int_equal(st.ndeltas, 0);
	assert_int_equal(st.nhistory, 0);
}

/* Fills st with one of everything, including hostile strings. */
static void
fill(struct state *st)
{
	size_t	i, j;

	memset(st, 0, sizeof(*st));
	strcpy(st->session_id, SESSION);
	st->serial = 4711;
	strcpy(st->revision, "session_" SESSION "_serial_4711");
	strcpy(st->etag, "W/\"a b%20c\" \xc3\xa9");
	strcpy(st->last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
	st->ndeltas = 3;
	assert_non_null(st->deltas = calloc(3, sizeof(*st->deltas)));
	for (i = 0; i < 3; i++) {
		st->deltas[i].serial = 4709 + i;
		for (j = 0; j < RRDP_HASH_LEN; j++)
			st->deltas[i].hash[j] = (unsigned char)(i * 37 + j * 11);
	}
	state_history_push(st, "session_" SESSION "_serial_4709", 1000);
	state_history_push(st, "session_" SESSION "_serial_4711", 2000);
	st->last_success = 2000;
	st->last_failure = 1500;
	strcpy(st->last_error, "fetch https://h/n.xml: 100% broken");
	st->have_digest = 1;
	for (i = 0; i < DIGEST_LEN; i++)
		st->digest.sum[i] = (unsigned char)(i * 7 + 1);
	st->digest.entries = 440;
}

static void
assert_same(const struct state *a, const struct state *b)
{
	size_t	i;

	assert_string_equal(a->session_id, b->session_id);
	assert_int_equal(a->serial, b->serial);
	assert_string_equal(a->revision, b->revision);
	assert_string_equal(a->etag, b->etag);
	assert_string_equal(a->last_modified, b->last_modified);
	assert_int_equal(a->ndeltas, b->ndeltas);
	for (i = 0; i < a->ndeltas; i++) {
		assert_int_equal(a->deltas[i].serial, b->deltas[i].serial);
		assert_memory_equal(a->deltas[i].hash, b->deltas[i].hash,
		    RRDP_HASH_LEN);
	}
	assert_int_equal(a->nhistory, b->nhistory);
	for (i = 0; i < a->nhistory; i++) {
		assert_string_equal(a->history[i].name, b->history[i].name);
		assert_int_equal(a->history[i].since, b->history[i].since);
		assert_int_equal(a->history[i].until, b->history[i].until);
	}
	assert_int_equal(a->last_success, b->last_success);
	assert_int_equal(a->last_failure, b->last_failure);
	assert_string_equal(a->last_error, b->last_error);
	assert_int_equal(a->have_digest, b->have_digest);
	if (a->have_digest)
		assert_true(digest_equal(&a->digest, &b->digest));
}

static void
test_missing(void **unused)
{
	struct state	st;
	char		err[ERR_MAX];

	(void)unused;
	assert_int_equal(state_read(dir, &st, err, sizeof(err)), 1);
	assert_string_equal(st.session_id, "");
	assert_null(st.deltas);
}

static void
test_round_trip(void **unused)
{
	struct state	 a, b;
	struct stat	 sb;
	char		 err[ERR_MAX] = "";
	DIR		*d;
	struct dirent	*de;
	int		 entries = 0;

	(void)unused;
	fill(&a);
	assert_int_equal(state_write(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(state_read(dir, &b, err, sizeof(err)), 0);
	assert_same(&a, &b);
	state_free(&b);

	/* Rewriting replaces the file; no temporary file stays behind. */
	a.serial = 4712;
	assert_int_equal(state_write(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(state_read(dir, &b, err, sizeof(err)), 0);
	assert_int_equal(b.serial, 4712);
	state_free(&b);
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strncmp(de->d_name, ".state",
		    6) == 0)
			entries++;
	closedir(d);
	assert_int_equal(entries, 1);
	assert_int_equal(stat(statefile, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);

	/* The format is what the documentation says. */
	get_file();
	assert_int_equal(strncmp(filebuf, HEADER, strlen(HEADER)), 0);
	assert_non_null(strstr(filebuf, "\nserial 4712\n"));
	assert_non_null(strstr(filebuf, "\netag W/\"a%20b%2520c\"%20%C3%A9\n"));
	assert_non_null(strstr(filebuf, "\nhistory session_" SESSION
	    "_serial_4709 1000 2000 0\n"));
	assert_non_null(strstr(filebuf, "\ndigest 01080f161d242b32"));
	assert_non_null(strstr(filebuf, " 440\n"));
	assert_int_equal(strcmp(filebuf + strlen(filebuf) - 5, "\nend\n"), 0);
	state_free(&a);
	assert_null(a.deltas);
}

static void
test_round_trip_empty(void **unused)
{
	struct state	a, b;
	char		err[ERR_MAX];

	(void)unused;
	memset(&a, 0, sizeof(a));
	assert_int_equal(state_write(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(state_read(dir, &b, err, sizeof(err)), 0);
	assert_same(&a, &b);
	assert_null(b.deltas);
}

static void
test_injected_newline(void **unused)
{
	struct state	a, b;
	char		err[ERR_MAX];

	(void)unused;
	fill(&a);
	strcpy(a.etag, "\"x\"\nserial 1\nsession 00000000-0000-0000-0000-"
	    "000000000000\nend\n");
	strcpy(a.last_error, "boom\r\nlast-success 0\x1b[2J\x7f");
	assert_int_equal(state_write(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(state_read(dir, &b, err, sizeof(err)), 0);
	/* Control characters come back as '?', nothing else changed. */
	assert_string_equal(b.etag, "\"x\"?serial 1?session 00000000-0000-"
	    "0000-0000-000000000000?end?");
	assert_string_equal(b.last_error, "boom??last-success 0?[2J?");
	assert_string_equal(b.session_id, SESSION);
	assert_int_equal(b.serial, 4711);
	assert_int_equal(b.last_success, 2000);
	state_free(&a);
	state_free(&b);

	/* A file where a newline did get in is refused, not obeyed. */
	assert_damaged(HEADER "serial 5\netag \"x\"\nserial 1\nend\n");
	assert_damaged(HEADER "etag \"x\"\nend\n\nend\n");
	assert_damaged(HEADER "etag \"x\"\rserial 1\nend\n");
}

static void
test_truncated(void **unused)
{
	struct state	a, b;
	char		err[ERR_MAX], *full;
	size_t		len, i;

	(void)unused;
	fill(&a);
	assert_int_equal(state_write(dir, &a, err, sizeof(err)), 0);
	len = get_file();
	assert_non_null(full = strdup(filebuf));
	/* Every proper prefix of a good file is damaged. */
	for (i = 0; i < len; i++) {
		put_file(full, i);
		if (state_read(dir, &b, err, sizeof(err)) != -1)
			fail_msg("prefix of %zu bytes accepted", i);
		assert_null(b.deltas);
	}
	put_file(full, len);
	assert_int_equal(state_read(dir, &b, err, sizeof(err)), 0);
	state_free(&b);
	put_file(full, len - 1);
	assert_int_equal(state_read(dir, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "damaged"));
	free(full);
	state_free(&a);
}

static void
test_forward_compatible(void **unused)
{
	struct state	st;
	char		err[ERR_MAX];

	(void)unused;
	put_str(HEADER "serial 7\nfuture-key some value\nbare\n"
	    "rrdp-dir x%zz\nsession " SESSION "\n"
	    "delta 5 " HASH0 "\ndelta 6 " HASH0 "\nend\n");
	assert_int_equal(state_read(dir, &st, err, sizeof(err)), 0);
	assert_int_equal(st.serial, 7);
	assert_string_equal(st.session_id, SESSION);
	assert_int_equal(st.ndeltas, 2);
	state_free(&st);

	/* Empty values of string keys are fine. */
	put_str(HEADER "etag\nlast-error \nend\n");
	assert_int_equal(state_read(dir, &st, err, sizeof(err)), 0);
	assert_string_equal(st.etag, "");
}

static void
test_damaged_framing(void **unused)
{
	char	big[300 + 64];

	(void)unused;
	assert_damaged("");
	assert_damaged("\n");
	assert_damaged("end\n");
	assert_damaged(HEADER);
	assert_damaged(HEADER "serial 5\n");
	assert_damaged(HEADER "end");
	assert_damaged(HEADER "end\nserial 5\n");
	assert_damaged(HEADER "end\n\n");
	assert_damaged("rsyncswap-state 2\nend\n");
	assert_damaged("rsyncswap-state 1 \nend\n");
	assert_damaged("RSYNCSWAP-STATE 1\nend\n");
	assert_damaged(" " HEADER "end\n");
	assert_damaged(HEADER "etag a\xc3\xa9\nend\n");
	assert_damaged(HEADER "etag a\tb\nend\n");
	assert_damaged(HEADER "end\r\n");
	/* A NUL in the middle of the file. */
	put_file(HEADER "etag a\0b\nend\n", sizeof(HEADER "etag a\0b\nend\n")
	    - 1);
	{
		struct state	st;
		char		err[ERR_MAX];

		assert_int_equal(state_read(dir, &st, err, sizeof(err)), -1);
	}
	/* A value longer than its field. */
	snprintf(big, sizeof(big), HEADER "etag %0300d\nend\n", 0);
	assert_damaged(big);
}

static void
test_damaged_keys(void **unused)
{
	static const char *bad[] = {
		"serial", "serial ", "serial abc", "serial -1", "serial +1",
		"serial 1x", "serial 1 2", "serial 99999999999999999999",
		"serial 0x10", "session", "session xyz",
		"session 9df4b597-af9e-4dca-bdda-719cce2c4e2",
		"session 9df4b597-af9e-4dca-bdda-719cce2c4e288",
		"session 9df4b597xaf9e-4dca-bdda-719cce2c4e28",
		"session 9df4b597-af9e-4dca-bdda-719cce2c4e2g",
		"revision", "revision a/b", "revision ..", "revision .",
		"revision %2F", "revision a%20b", "revision %0A",
		"etag %", "etag %4", "etag %zz", "etag a%g0",
		"last-modified %", "last-error %x", "last-success",
		"last-success -5", "last-failure x",
		"delta", "delta 5", "delta 5 ", "delta x 00",
		"delta 5 " Z16 Z16 Z16 "000000000000000",
		"delta 5 " HASH0 "0", "delta 5 " HASH0 " ",
		"delta 5 " Z16 Z16 Z16 "000000000000000g",
		"delta -5 " HASH0, "delta 5  " HASH0, "delta 5 " HASH0 " x",
		"history", "history a", "history a 1", "history a 1 x",
		"history a 1 2 3 4", "history a 1 2 x", "history a -1 2", "history ../x 1 2",
		"history a/b 1 2", "history .. 1 2", "history %2e%2e%2fx 1 2",
		"digest", "digest " HASH0, "digest " HASH0 " ", "digest x 1",
		"digest " HASH0 " -1", "digest " HASH0 " 1 2",
		"digest " Z16 Z16 Z16 "000000000000000A 1",
		"digest " Z16 Z16 Z16 "000000000000000 1",
	};
	char	text[512];
	size_t	i;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), HEADER "%s\nend\n", bad[i]);
		assert_damaged(text);
	}
	/* Repeated singular keys. */
	assert_damaged(HEADER "serial 1\nserial 1\nend\n");
	assert_damaged(HEADER "session " SESSION "\nsession " SESSION
	    "\nend\n");
	assert_damaged(HEADER "etag a\netag a\nend\n");
	assert_damaged(HEADER "last-error a\nlast-error b\nend\n");
	assert_damaged(HEADER "digest " HASH0 " 1\ndigest " HASH0 " 1\nend\n");
	/* Deltas must stay ascending and unique. */
	assert_damaged(HEADER "delta 6 " HASH0 "\ndelta 5 " HASH0 "\nend\n");
	assert_damaged(HEADER "delta 5 " HASH0 "\ndelta 5 " HASH0 "\nend\n");
}

static void
test_damaged_files(void **unused)
{
	struct state	 st;
	char		 err[ERR_MAX], other[PATH_MAX];
	int		 fd;

	(void)unused;
	/* Over the size bound (sparse). */
	assert_true((fd = open(statefile, O_WRONLY | O_CREAT, 0644)) != -1);
	assert_int_equal(ftruncate(fd, MAX_STATE_FILE_SIZE + 1), 0);
	close(fd);
	assert_int_equal(state_read(dir, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	unlink(statefile);

	/* A symlink is not followed, a directory is not a state file. */
	snprintf(other, sizeof(other), "%s/other", dir);
	put_str(HEADER "end\n");
	assert_int_equal(rename(statefile, other), 0);
	assert_int_equal(symlink("other", statefile), 0);
	assert_int_equal(state_read(dir, &st, err, sizeof(err)), -1);
	unlink(statefile);
	assert_int_equal(mkdir(statefile, 0755), 0);
	assert_int_equal(state_read(dir, &st, err, sizeof(err)), -1);
	rmdir(statefile);
}

static void
test_history_cap(void **unused)
{
	struct state	 a, b;
	char		 name[STATE_NAME_MAX], err[ERR_MAX];
	char		 text[MAX_HISTORY * 64 + 64];
	size_t		 i, off;
	int		 n;

	(void)unused;
	memset(&a, 0, sizeof(a));
	for (i = 0; i < MAX_HISTORY + 10; i++) {
		snprintf(name, sizeof(name), "rev_%zu", i);
		state_history_push(&a, name, 100 + i);
	}
	assert_int_equal(a.nhistory, MAX_HISTORY);
	assert_string_equal(a.history[0].name, "rev_10");
	assert_int_equal(a.history[0].since, 110);
	assert_int_equal(a.history[0].until, 111);
	snprintf(name, sizeof(name), "rev_%d", MAX_HISTORY + 9);
	assert_string_equal(a.history[MAX_HISTORY - 1].name, name);
	assert_int_equal(a.history[MAX_HISTORY - 1].until, 0);
	assert_null(state_history_find(&a, "rev_9"));
	assert_int_equal(state_write(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(state_read(dir, &b, err, sizeof(err)), 0);
	assert_same(&a, &b);

	/* A file with more entries (a later version) keeps the newest. */
	off = snprintf(text, sizeof(text), HEADER);
	for (i = 0; i < MAX_HISTORY + 3; i++) {
		n = snprintf(text + off, sizeof(text) - off,
		    "history r%zu %zu 0\n", i, i);
		off += n;
	}
	snprintf(text + off, sizeof(text) - off, "end\n");
	put_file(text, strlen(text));
	assert_int_equal(state_read(dir, &b, err, sizeof(err)), 0);
	assert_int_equal(b.nhistory, MAX_HISTORY);
	assert_string_equal(b.history[0].name, "r3");
	snprintf(name, sizeof(name), "r%d", MAX_HISTORY + 2);
	assert_string_equal(b.history[MAX_HISTORY - 1].name, name);
}

static void
test_history_push_find(void **unused)
{
	struct state		 st;
	struct state_revision	*r;

	(void)unused;
	memset(&st, 0, sizeof(st));
	assert_null(state_history_find(&st, "a"));
	state_history_push(&st, "a", 10);
	state_history_push(&st, "b", 20);
	assert_int_equal(st.nhistory, 2);
	assert_non_null(r = state_history_find(&st, "a"));
	assert_int_equal(r->since, 10);
	assert_int_equal(r->until, 20);
	assert_non_null(r = state_history_find(&st, "b"));
	assert_int_equal(r->since, 20);
	assert_int_equal(r->until, 0);

	/* The current one again: nothing changes. */
	state_history_push(&st, "b", 30);
	assert_int_equal(st.nhistory, 2);
	assert_int_equal(state_history_find(&st, "b")->since, 20);
	assert_int_equal(state_history_find(&st, "b")->until, 0);

	/* An old one again (e.g. restored): it moves to the end, once. */
	state_history_push(&st, "a", 40);
	assert_int_equal(st.nhistory, 2);
	assert_string_equal(st.history[0].name, "b");
	assert_int_equal(st.history[0].until, 40);
	assert_string_equal(st.history[1].name, "a");
	assert_int_equal(st.history[1].since, 40);
	assert_int_equal(st.history[1].until, 0);
	assert_null(state_history_find(&st, "c"));
}

static void
test_history_adopt(void **unused)
{
	struct state		 st;
	struct state_revision	*r;
	char			 name[STATE_NAME_MAX];
	int			 i;

	(void)unused;
	memset(&st, 0, sizeof(st));
	state_history_push(&st, "a", 10);
	state_history_push(&st, "cur", 20);
	/* An unknown revision goes before the open (current) entry, closed. */
	assert_non_null(r = state_history_adopt(&st, "lost", 15));
	assert_string_equal(r->name, "lost");
	assert_int_equal(r->since, 15);
	assert_int_equal(r->until, 15);
	assert_int_equal(st.nhistory, 3);
	assert_string_equal(st.history[2].name, "cur");
	assert_int_equal(st.history[2].until, 0);
	assert_ptr_equal(state_history_find(&st, "lost"), r);
	/* A known one is returned as it is: a name appears once. */
	assert_ptr_equal(state_history_adopt(&st, "a", 99),
	    state_history_find(&st, "a"));
	assert_int_equal(state_history_find(&st, "a")->until, 20);
	assert_int_equal(st.nhistory, 3);
	/* Full: the oldest goes, the open entry stays last. */
	for (i = 0; st.nhistory < MAX_HISTORY; i++) {
		snprintf(name, sizeof(name), "old_%d", i);
		state_history_adopt(&st, name, 5);
	}
	assert_non_null(state_history_adopt(&st, "one_more", 7));
	assert_int_equal(st.nhistory, MAX_HISTORY);
	assert_null(state_history_find(&st, "a"));
	assert_string_equal(st.history[MAX_HISTORY - 1].name, "cur");
	assert_string_equal(st.history[MAX_HISTORY - 2].name, "one_more");
}

static void
test_set_deltas(void **unused)
{
	struct rrdp_delta_ref		refs[3];
	struct rrdp_notification	n;
	struct state			st;
	size_t				i;

	(void)unused;
	memset(&st, 0, sizeof(st));
	memset(&n, 0, sizeof(n));
	memset(refs, 0, sizeof(refs));
	for (i = 0; i < 3; i++) {
		refs[i].serial = 20 + i;
		refs[i].hash[5] = (unsigned char)i + 1;
	}
	n.deltas = refs;
	n.ndeltas = 3;
	assert_int_equal(state_set_deltas(&st, &n), 0);
	assert_int_equal(st.ndeltas, 3);
	assert_int_equal(st.deltas[2].serial, 22);
	assert_int_equal(st.deltas[2].hash[5], 3);
	n.ndeltas = 1;
	assert_int_equal(state_set_deltas(&st, &n), 0);
	assert_int_equal(st.ndeltas, 1);
	n.ndeltas = 0;
	assert_int_equal(state_set_deltas(&st, &n), 0);
	assert_int_equal(st.ndeltas, 0);
	assert_null(st.deltas);
	n.ndeltas = MAX_NOTIFICATION_DELTAS + 1;
	assert_int_equal(state_set_deltas(&st, &n), -1);
	state_free(&st);
	state_free(&st);
}

static void
test_write_refuses(void **unused)
{
	struct state	st;
	char		err[ERR_MAX], sub[PATH_MAX];

	(void)unused;
	memset(&st, 0, sizeof(st));
	strcpy(st.session_id, "not-a-session");
	assert_int_equal(state_write(dir, &st, err, sizeof(err)), -1);
	memset(&st, 0, sizeof(st));
	st.serial = -1;
	assert_int_equal(state_write(dir, &st, err, sizeof(err)), -1);
	memset(&st, 0, sizeof(st));
	strcpy(st.revision, "../x");
	assert_int_equal(state_write(dir, &st, err, sizeof(err)), -1);
	memset(&st, 0, sizeof(st));
	state_history_push(&st, "a/b", 1);
	assert_int_equal(state_write(dir, &st, err, sizeof(err)), -1);
	assert_int_equal(access(statefile, F_OK), -1);

	snprintf(sub, sizeof(sub), "%s/missing", dir);
	memset(&st, 0, sizeof(st));
	assert_int_equal(state_write(sub, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, sub));
}

static void
test_lock(void **unused)
{
	char	err[ERR_MAX], lockfile[PATH_MAX];
	pid_t	pid;
	int	fd, fd2, status;

	(void)unused;
	fd = state_lock(dir, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Another open file description in this process. */
	assert_int_equal(state_lock(dir, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "lock"));
	/* Another process. */
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(state_lock(dir, err, sizeof(err)) == -2 ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Released on close. */
	close(fd);
	fd2 = state_lock(dir, err, sizeof(err));
	assert_true(fd2 >= 0);
	close(fd2);

	/* A symlink planted as the lock is not followed. */
	snprintf(lockfile, sizeof(lockfile), "%s/lock", dir);
	assert_int_equal(unlink(lockfile), 0);
	assert_int_equal(symlink("elsewhere", lockfile), 0);
	assert_int_equal(state_lock(dir, err, sizeof(err)), -1);
	assert_int_equal(unlink(lockfile), 0);

	snprintf(lockfile, sizeof(lockfile), "%s/missing", dir);
	assert_int_equal(state_lock(lockfile, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_empty, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_injected_newline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_forward_compatible, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_damaged_framing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_damaged_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_damaged_files, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_cap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_push_find, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_adopt, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_set_deltas, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
