/*
 * Expiry watch library: the accumulator (PP = directory of a manifest,
 * min over manifests and CRLs, order-independent), the judgement at a time
 * (expired / expiring boundaries), the daemon warning line, and the state
 * file (save, load, damaged files refused).
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry.h"
#include "rsyncswap/expiry/expiry_journal.h"
#include "rsyncswap/expiry/expiry_print.h"
#include "rsyncswap/expiry/expiry_read.h"
#include "tests/unit/tmpdir.h"

/* Returns an expiry record of kind kind with the given times. */
static struct tsnorm_expiry
rec(enum tsnorm_expiry_kind kind, enum tsnorm_expiry_status status,
    int64_t this, int64_t next, int64_t na)
{
	struct tsnorm_expiry	e;

	e.kind = kind;
	e.status = status;
	e.this_update = this;
	e.next_update = next;
	e.not_after = na;
	e.expiry = next < na ? next : na;
	return e;
}

/* Feeds a small repository into acc, in the order given by rev. */
static void
feed(struct expiry_acc *acc, int rev)
{
	struct tsnorm_expiry	r[7];
	const char		*p[7] = {
		"m/a/x.mft", "m/a/x.crl", "m/b/y.mft", "m/b/y.crl",
		"m/c/only.crl", "m/a/bad.mft", "m/d/z.roa",
	};
	int			i;

	r[0] = rec(TSNORM_EXPIRY_MFT, TSNORM_EXPIRY_OK, 100, 1000, 5000);
	r[1] = rec(TSNORM_EXPIRY_CRL, TSNORM_EXPIRY_OK, 90, 900,
	    TSNORM_NO_TIME);
	r[2] = rec(TSNORM_EXPIRY_MFT, TSNORM_EXPIRY_OK, 200, 3000, 2500);
	r[3] = rec(TSNORM_EXPIRY_CRL, TSNORM_EXPIRY_NO_NEXTUPDATE, 190,
	    TSNORM_NO_TIME, TSNORM_NO_TIME);
	r[4] = rec(TSNORM_EXPIRY_CRL, TSNORM_EXPIRY_OK, 50, 10, TSNORM_NO_TIME);
	r[5] = rec(TSNORM_EXPIRY_MFT, TSNORM_EXPIRY_UNREADABLE, TSNORM_NO_TIME,
	    TSNORM_NO_TIME, TSNORM_NO_TIME);
	r[6] = rec(TSNORM_EXPIRY_NONE, TSNORM_EXPIRY_OK, TSNORM_NO_TIME,
	    TSNORM_NO_TIME, TSNORM_NO_TIME);
	for (i = 0; i < 7; i++)
		expiry_acc_add(acc, p[rev ? 6 - i : i], &r[rev ? 6 - i : i]);
}

/* Checks the summary of feed(). */
static void
check_fed(const struct expiry_summary *s)
{
	assert_int_equal(s->npps, 2);		/* m/c has no manifest */
	assert_int_equal(s->objects, 6);	/* the .roa is not counted */
	assert_int_equal(s->nbad, 2);
	assert_int_equal(s->nbad_listed, 2);
	assert_string_equal(s->bad[0].path, "m/a/bad.mft");
	assert_int_equal(s->bad[0].reason, EXPIRY_BAD_UNREADABLE);
	assert_string_equal(s->bad[1].path, "m/b/y.crl");
	assert_int_equal(s->bad[1].reason, EXPIRY_BAD_NO_NEXTUPDATE);
	assert_string_equal(s->pps[0].dir, "m/a");
	assert_int_equal(s->pps[0].expiry, 900);
	assert_int_equal(expiry_pp_source(&s->pps[0]),
	    EXPIRY_SRC_CRL_NEXTUPDATE);
	assert_int_equal(s->pps[0].mft_this_update, 100);
	assert_string_equal(s->pps[1].dir, "m/b");
	assert_int_equal(s->pps[1].expiry, 2500);
	assert_int_equal(expiry_pp_source(&s->pps[1]),
	    EXPIRY_SRC_MFT_EE_NOTAFTER);
	assert_true(s->pps[1].crl_next_update == TSNORM_NO_TIME);
	assert_int_equal(s->newest_update, 200);
}

static void
test_accumulate(void **state)
{
	struct expiry_acc	*acc = expiry_acc_new();
	struct expiry_summary	 s;
	int			 rev;

	(void)state;
	for (rev = 0; rev <= 1; rev++) {
		feed(acc, rev);
		expiry_acc_finish(acc, &s);	/* and acc is empty again */
		check_fed(&s);
		expiry_summary_free(&s);
	}
	expiry_acc_free(acc);
}

static void
test_many_pps(void **state)
{
	struct expiry_acc	*acc = expiry_acc_new();
	struct expiry_summary	 s;
	struct tsnorm_expiry	 r;
	char			 path[64];
	int			 i;

	(void)state;
	/* Grows the table many times; the order comes out sorted. */
	for (i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "m/%d/x.mft", i);
		r = rec(TSNORM_EXPIRY_MFT, TSNORM_EXPIRY_OK, 1,
		    100000 - i, 200000);
		expiry_acc_add(acc, path, &r);
	}
	r = rec(TSNORM_EXPIRY_MFT, TSNORM_EXPIRY_OK, 1, 7, 9);
	expiry_acc_add(acc, "top.mft", &r);	/* the top directory */
	expiry_acc_finish(acc, &s);
	assert_int_equal(s.npps, 5001);
	assert_string_equal(s.pps[0].dir, "");
	assert_string_equal(s.pps[1].dir, "m/4999");
	assert_string_equal(s.pps[5000].dir, "m/0");
	for (i = 1; i < 5001; i++)
		assert_true(s.pps[i - 1].expiry <= s.pps[i].expiry);
	expiry_summary_free(&s);
	expiry_acc_free(acc);
}

static void
test_assess_and_warn(void **state)
{
	struct expiry_acc		*acc = expiry_acc_new();
	struct expiry_summary		 s;
	struct expiry_assessment	 a;
	char				 line[512];

	(void)state;
	feed(acc, 0);
	expiry_acc_finish(acc, &s);
	/* PPs expire at 900 and 2500. */
	expiry_assess(&s, 100, 799, &a);
	assert_int_equal(a.expired, 0);
	assert_int_equal(a.expiring, 0);
	expiry_assess(&s, 100, 800, &a);	/* 900 <= 100 + 800 */
	assert_int_equal(a.expiring, 1);
	expiry_assess(&s, 900, 0, &a);		/* at expiry: not yet */
	assert_int_equal(a.expired, 0);
	assert_int_equal(a.expiring, 1);
	expiry_assess(&s, 901, 1599, &a);
	assert_int_equal(a.expired, 1);
	assert_int_equal(a.expiring, 1);
	assert_int_equal(a.damaged, 2);
	assert_string_equal(a.earliest->dir, "m/a");
	expiry_assess(&s, 0, INT64_MAX, &a);	/* no overflow */
	assert_int_equal(a.expiring, 2);

	assert_int_equal(expiry_warning(&s, 100, 10, line, sizeof(line)), 1);
	assert_string_equal(line, "2 damaged manifests/CRLs served");
	assert_int_equal(expiry_warning(&s, 100, 800, line, sizeof(line)), 1);
	assert_non_null(strstr(line, "1 publication point expires within "
	    "13m20s; earliest m/a at 1970-01-01T00:15:00Z (in 13m20s, "
	    "crl-nextupdate); 2 damaged"));
	assert_int_equal(expiry_warning(&s, 100, 7200, line, sizeof(line)), 1);
	assert_non_null(strstr(line, "2 publication points expire within "
	    "2 h;"));
	assert_int_equal(expiry_warning(&s, 1000, 0, line, sizeof(line)), 2);
	assert_non_null(strstr(line, "1 publication point expired, 0 expire "
	    "within"));
	expiry_summary_free(&s);

	memset(&s, 0, sizeof(s));
	assert_int_equal(expiry_warning(&s, 100, 800, line, sizeof(line)), 0);
	assert_string_equal(line, "");
	/* A thisUpdate in the future is a warning; within the slack not. */
	s.newest_update = 100 + EXPIRY_FUTURE_SLACK;
	assert_int_equal(expiry_warning(&s, 100, 800, line, sizeof(line)), 0);
	s.newest_update = 100 + 7200;
	assert_int_equal(expiry_warning(&s, 100, 800, line, sizeof(line)), 1);
	assert_non_null(strstr(line, "the latest thisUpdate "
	    "(1970-01-01T02:01:40Z) is 2h0m in the future"));
	expiry_acc_free(acc);
}

/* Writes text to dir/expiry. */
static void
put_file(const char *dir, const char *text)
{
	char	 path[4200];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/expiry", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_file(void **state)
{
	struct expiry_acc	*acc = expiry_acc_new();
	struct expiry_summary	 s, l;
	char			 dir[] = "/tmp/test_expiry.XXXXXX", err[256],
				 *buf = NULL, path[4200];
	struct tsnorm_expiry	 r;
	size_t			 sz = 0;
	FILE			*mem;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), 1);

	feed(acc, 0);
	r = rec(TSNORM_EXPIRY_MFT, TSNORM_EXPIRY_OK, 1, 7, 9);
	expiry_acc_add(acc, "top.mft", &r);
	r = rec(TSNORM_EXPIRY_MFT, TSNORM_EXPIRY_OK, 1, 8, 9);
	expiry_acc_add(acc, "a dir/with space/x.mft", &r);
	expiry_acc_finish(acc, &s);
	snprintf(s.revision, sizeof(s.revision), "session_x_serial_1");
	assert_int_equal(expiry_save(dir, &s, err, sizeof(err)), 0);
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), 0);
	assert_string_equal(l.revision, "session_x_serial_1");
	{
		char rev[EXPIRY_REVISION_MAX];

		assert_int_equal(expiry_file_revision(dir, rev, sizeof(rev)),
		    0);
		assert_string_equal(rev, "session_x_serial_1");
	}

	/* What was saved prints exactly as what was loaded. */
	mem = open_memstream(&buf, &sz);
	expiry_print_json(mem, &s, 1000, 3600);
	fputc('\n', mem);
	expiry_print_json(mem, &l, 1000, 3600);
	fclose(mem);
	assert_non_null(strchr(buf, '\n'));
	assert_int_equal(strncmp(buf, strchr(buf, '\n') + 1,
	    (size_t)(strchr(buf, '\n') - buf)), 0);
	assert_string_equal(l.pps[0].dir, "");
	assert_string_equal(l.pps[1].dir, "a dir/with space");
	assert_int_equal(l.nbad, 2);
	assert_int_equal(l.objects, s.objects);
	free(buf);
	expiry_summary_free(&l);

	/* Damaged files are refused, whole. */
	put_file(dir, "rsyncswap-expiry 3\nrevision r\npp 5 5 - - 1 1 m/a\nobjects 1\n"
	    "damaged 0\ndropped 0\nnewest-update -\n");	/* no "end" */
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	assert_int_equal(l.npps, 0);
	put_file(dir, "rsyncswap-expiry 1\nobjects 1\ndamaged 0\ndropped 0\n"
	    "newest-update -\npp 5 5 - - 1 m/a\nend\n");	/* old format */
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	/* Format 2 named no revision: refused, so it is read again. */
	put_file(dir, "rsyncswap-expiry 2\nobjects 0\ndamaged 0\ndropped 0\n"
	    "newest-update -\nend\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	put_file(dir, "rsyncswap-expiry 3\nobjects 0\ndamaged 0\ndropped 0\n"
	    "newest-update -\nend\n");	/* no revision line */
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	put_file(dir, "rsyncswap-expiry 3\nrevision r\npp 5 x - - 1 1 m/a\nobjects 1\n"
	    "damaged 0\ndropped 0\nnewest-update -\nend\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	put_file(dir, "rsyncswap-expiry 3\nrevision r\npp 5 5 - - 1 m/a\nobjects 1\n"
	    "damaged 0\ndropped 0\nnewest-update -\nend\n");	/* no count */
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	put_file(dir, "rsyncswap-expiry 3\nrevision r\nbad weird m/a.mft\nobjects 1\n"
	    "damaged 1\ndropped 0\nnewest-update -\nend\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	put_file(dir, "rsyncswap-expiry 3\nrevision r\nobjects 1\npp 5 5 - - 1 1 m/a\n"
	    "damaged 0\ndropped 0\nnewest-update -\nend\n");	/* order */
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	put_file(dir, "rsyncswap-expiry 3\nrevision r\nbad io-error m/b.crl\nobjects 1\n"
	    "damaged 0\ndropped 0\nnewest-update -\nend\n");	/* 1 > 0 */
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	put_file(dir, "rsyncswap-expiry 3\nrevision r\npp 9 9 - - 1 1 m/z\n"
	    "other 3 m/c\npp 5 5 - - 1 2 m/a\nbad io-error m/b.crl\n"
	    "objects 6\ndamaged 1\ndropped 0\nnewest-update 12\nend\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), 0);
	assert_int_equal(l.newest_update, 12);
	assert_int_equal(l.objects, 6);
	assert_int_equal(l.npps, 2);		/* "other" is no PP */
	assert_string_equal(l.pps[0].dir, "m/a");	/* sorted on load */
	assert_int_equal(l.pps[0].objects, 2);
	assert_int_equal(l.bad[0].reason, EXPIRY_BAD_IO);
	expiry_summary_free(&l);

	expiry_summary_free(&s);
	expiry_acc_free(acc);
	snprintf(path, sizeof(path), "%s/expiry", dir);
	tmpdir_remove(dir);
}

/*
 * expiry_load_brief() judges a file exactly as expiry_load() does, while
 * keeping only the PPs within the window and the next one.
 */
static void
test_load_brief(void **state)
{
	struct expiry_summary		 full, brief;
	struct expiry_assessment	 af, ab;
	char				 dir[] = "/tmp/test_expiry.XXXXXX",
					 err[256], path[4200], lf[512], lb[512];
	static const int64_t		 at[][2] = {
		{ 0, 0 }, { 5, 0 }, { 6, 0 }, { 8, 1 }, { 9, 100 },
		{ 150, 50 }, { 300, 0 }, { 0, INT64_MAX },
	};
	FILE				*f;
	size_t				 i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/expiry", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("rsyncswap-expiry 3\nrevision r\n", f);
	for (i = 0; i < 500; i++)	/* most far away, in no order */
		fprintf(f, "pp %zu - - - - 1 far/%zu\n", 1000 + (i * 7919) % 500,
		    i);
	fputs("pp 200 200 - - 1 2 m/d\npp 9 9 - - 1 2 m/b\n"
	    "pp 5 5 - - 1 2 m/a\npp 100 100 - - 1 2 m/c\n"
	    "pp 9 9 - - 1 2 m/a2\npp - - - - - 0 n/a\npp - - - - - 0 n/b\n"
	    "bad io-error m/x.crl\n"
	    "objects 510\ndamaged 1\ndropped 0\nnewest-update 3\nend\n", f);
	fclose(f);

	assert_int_equal(expiry_load(dir, &full, err, sizeof(err)), 0);
	assert_int_equal(full.npps, 507);	/* also the two without time */
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		assert_int_equal(expiry_load_brief(dir, at[i][0], at[i][1],
		    &brief, err, sizeof(err)), 0);
		expiry_assess(&full, at[i][0], at[i][1], &af);
		expiry_assess(&brief, at[i][0], at[i][1], &ab);
		assert_int_equal(ab.expired, af.expired);
		assert_int_equal(ab.expiring, af.expiring);
		assert_int_equal(ab.damaged, af.damaged);
		assert_string_equal(ab.earliest->dir, af.earliest->dir);
		assert_int_equal(expiry_warning(&brief, at[i][0], at[i][1], lb,
		    sizeof(lb)), expiry_warning(&full, at[i][0], at[i][1], lf,
		    sizeof(lf)));
		assert_string_equal(lb, lf);
		assert_int_equal(brief.objects, 510);
		if (at[i][1] < 1000)
			assert_true(brief.npps < 10);	/* not the far ones */
		expiry_summary_free(&brief);
	}
	expiry_summary_free(&full);
	tmpdir_remove(dir);
}


/* Writes text to DIR/expiry.d/NAME. */
static void
put_segment(const char *dir, const char *name, const char *text)
{
	char	path[4200];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/expiry.d", dir);
	(void)mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/expiry.d/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* Returns the PP of l at dir, or NULL. */
static const struct expiry_pp *
pp_at(const struct expiry_summary *l, const char *dir)
{
	for (size_t i = 0; i < l->npps; i++)
		if (strcmp(l->pps[i].dir, dir) == 0)
			return &l->pps[i];
	return NULL;
}

/*
 * The base and the chain of segments on it read as one: a directory a
 * segment read again counts as that segment (the last one) says; a
 * segment of another base, after a gap, or of another prev is not read; a
 * damaged one that fits is an error.
 */
static void
test_segments(void **state)
{
	struct expiry_summary	 l;
	char			 dir[4096], err[512], rev[EXPIRY_REVISION_MAX];

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "test_expiry_seg"), 0);
	put_file(dir, "rsyncswap-expiry 3\nrevision r1\n"
	    "pp 10 10 - - 1 2 a\npp 20 20 - - 1 2 b\npp 30 30 - - 1 2 c\n"
	    "bad io-error b/x.crl\nother 1 e\n"
	    "objects 7\ndamaged 1\ndropped 0\nnewest-update 5\nend\n");
	/* 2: b read again (now 40, its bad object gone), d added. */
	put_segment(dir, "000001", "rsyncswap-expiry-segment 1\nbase r1\n"
	    "prev r1\nrevision r2\ntouched b\ntouched d\n"
	    "pp 40 40 - - 1 3 b\npp 50 50 - - 1 1 d\n"
	    "objects 4\ndamaged 0\ndropped 0\nnewest-update 7\nend\n");
	/* 3: b again (45), a emptied, e damaged. */
	put_segment(dir, "000002", "rsyncswap-expiry-segment 1\nbase r1\n"
	    "prev r2\nrevision r3\ntouched a\ntouched b\ntouched e\n"
	    "pp 45 45 - - 1 2 b\nbad unreadable e/y.mft\n"
	    "objects 2\ndamaged 1\ndropped 0\nnewest-update 6\nend\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), 0);
	assert_string_equal(l.revision, "r3");
	assert_int_equal(l.npps, 3);
	assert_null(pp_at(&l, "a"));
	assert_int_equal(pp_at(&l, "b")->expiry, 45);
	assert_int_equal(pp_at(&l, "c")->expiry, 30);
	assert_int_equal(pp_at(&l, "d")->expiry, 50);
	assert_int_equal(l.objects, 2 + 2 + 1);	/* c, b (3), d */
	assert_int_equal(l.nbad, 1);
	assert_int_equal(l.nbad_listed, 1);
	assert_string_equal(l.bad[0].path, "e/y.mft");
	assert_int_equal(l.newest_update, 7);
	expiry_summary_free(&l);
	assert_int_equal(expiry_file_revision(dir, rev, sizeof(rev)), 0);
	assert_string_equal(rev, "r3");

	/* After a gap, nothing more is read. */
	put_segment(dir, "000004", "rsyncswap-expiry-segment 1\nbase r1\n"
	    "prev r3\nrevision r4\ntouched c\n"
	    "objects 0\ndamaged 0\ndropped 0\nnewest-update -\nend\n");
	assert_int_equal(expiry_file_revision(dir, rev, sizeof(rev)), 0);
	assert_string_equal(rev, "r3");
	/* Nor a segment of another prev: it ends the chain. */
	put_segment(dir, "000003", "rsyncswap-expiry-segment 1\nbase r1\n"
	    "prev r2\nrevision r9\ntouched c\n"
	    "objects 0\ndamaged 0\ndropped 0\nnewest-update -\nend\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), 0);
	assert_string_equal(l.revision, "r3");
	assert_int_equal(pp_at(&l, "c")->expiry, 30);
	expiry_summary_free(&l);
	/* One that fits: 4 follows; c is gone. */
	put_segment(dir, "000003", "rsyncswap-expiry-segment 1\nbase r1\n"
	    "prev r3\nrevision r3b\n"
	    "objects 0\ndamaged 0\ndropped 0\nnewest-update -\nend\n");
	put_segment(dir, "000004", "rsyncswap-expiry-segment 1\nbase r1\n"
	    "prev r3b\nrevision r4\ntouched c\n"
	    "objects 0\ndamaged 0\ndropped 0\nnewest-update -\nend\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), 0);
	assert_string_equal(l.revision, "r4");
	assert_null(pp_at(&l, "c"));
	assert_int_equal(l.npps, 2);
	expiry_summary_free(&l);

	/* A damaged segment of the chain: the summary is damaged. */
	put_segment(dir, "000004", "rsyncswap-expiry-segment 1\nbase r1\n"
	    "prev r3b\nrevision r4\ntouched c\nobjects 0\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "000004: truncated"));
	assert_int_equal(expiry_file_revision(dir, rev, sizeof(rev)), -1);

	/* A new base removes every segment first. */
	put_file(dir, "rsyncswap-expiry 3\nrevision r1\nobjects 0\ndamaged 0\n"
	    "dropped 0\nnewest-update -\nend\n");
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), -1);
	memset(&l, 0, sizeof(l));
	snprintf(l.revision, sizeof(l.revision), "r5");
	assert_int_equal(expiry_save(dir, &l, err, sizeof(err)), 0);
	assert_int_equal(expiry_load(dir, &l, err, sizeof(err)), 0);
	assert_string_equal(l.revision, "r5");
	expiry_summary_free(&l);
	{
		struct expiry_journal j;

		assert_int_equal(expiry_journal_list(dir, &j, err,
		    sizeof(err)), 0);
		assert_int_equal(j.n, 0);
		expiry_journal_free(&j);
	}
	tmpdir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accumulate),
		cmocka_unit_test(test_many_pps),
		cmocka_unit_test(test_assess_and_warn),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_load_brief),
		cmocka_unit_test(test_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
