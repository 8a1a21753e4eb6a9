/*
 * tsnorm: golden times of real objects (derived with the openssl CLI by
 * tests/data/tsnorm-golden.sh), DER reader edge cases, hash rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tsnorm/der.h"
#include "tsnorm/tsnorm.h"

#define MAX_GOLDEN_LINE	1024
#define MAX_TEST_FILE	(1024 * 1024)

static const char *
top(void)
{
	const char	*t = getenv("RSYNCSWAP_TOP");

	return t != NULL && *t != '\0' ? t : ".";
}

/* Returns the contents of top()/rel (caller frees) and sets *len. */
static unsigned char *
load(const char *rel, size_t *len)
{
	char		 path[MAX_GOLDEN_LINE + 256];
	unsigned char	*buf;
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", top(), rel);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	buf = malloc(MAX_TEST_FILE);
	assert_non_null(buf);
	*len = fread(buf, 1, MAX_TEST_FILE, f);
	assert_false(ferror(f));
	fclose(f);
	return buf;
}

static void
test_golden(void **state)
{
	char			 line[MAX_GOLDEN_LINE], rel[MAX_GOLDEN_LINE],
				 rule[64], path[MAX_GOLDEN_LINE + 256];
	struct tsnorm_result	 res;
	unsigned char		*data;
	long long		 want;
	size_t			 len;
	FILE			*f;
	int			 n = 0, bad = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/tsnorm-golden.txt", top());
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%1023s %lld %63s", rel, &want, rule) != 3)
			fail_msg("bad golden line: %s", line);
		data = load(rel, &len);
		assert_int_equal(tsnorm_time(data, len, rel, &res), 0);
		if (res.time != want || strcmp(tsnorm_rule_name(res.rule),
		    rule) != 0) {
			print_error("%s: want %lld %s, got %lld %s\n", rel,
			    want, rule, (long long)res.time,
			    tsnorm_rule_name(res.rule));
			bad++;
		}
		free(data);
		n++;
	}
	fclose(f);
	assert_true(n >= 30);
	assert_int_equal(bad, 0);
}

/* Returns der_next's result on buf[0..len) and the element in *e. */
static int
next(const unsigned char *buf, size_t len, struct der_elem *e)
{
	struct der	cur;

	der_init(&cur, buf, len);
	return der_next(&cur, e);
}

static void
test_der_lengths(void **state)
{
	static const unsigned char	ok[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	static const unsigned char	trunc[] = { 0x30, 0x05, 0x02, 0x01 };
	static const unsigned char	trunc_long[] = { 0x30, 0x82, 0x01 };
	static const unsigned char	huge[] = { 0x30, 0x84, 0xff, 0xff,
					    0xff, 0xff, 0x00 };
	static const unsigned char	too_many[] = { 0x30, 0x88, 0x01, 0, 0,
					    0, 0, 0, 0, 0 };
	static const unsigned char	nonmin[] = { 0x30, 0x81, 0x01, 0x00 };
	static const unsigned char	lead0[] = { 0x30, 0x82, 0x00, 0x81 };
	static const unsigned char	hightag[] = { 0x1f, 0x81, 0x01, 0x00 };
	static const unsigned char	one[] = { 0x30 };
	static const unsigned char	indef_prim[] = { 0x04, 0x80, 0x00,
					    0x00 };
	static const unsigned char	indef_noeoc[] = { 0x30, 0x80, 0x02,
					    0x01, 0x05 };
	static const unsigned char	indef_ok[] = { 0x30, 0x80, 0x02, 0x01,
					    0x05, 0x00, 0x00, 0x01 };
	struct der_elem			e;
	struct der			cur;

	(void)state;
	assert_int_equal(next(ok, sizeof(ok), &e), 1);
	assert_int_equal(e.tag, 0x30);
	assert_int_equal(e.len, 3);
	assert_int_equal(next(ok, 0, &e), 0);
	assert_int_equal(next(NULL, 5, &e), 0);
	assert_int_equal(next(trunc, sizeof(trunc), &e), -1);
	assert_int_equal(next(trunc_long, sizeof(trunc_long), &e), -1);
	assert_int_equal(next(huge, sizeof(huge), &e), -1);
	assert_int_equal(next(too_many, sizeof(too_many), &e), -1);
	assert_int_equal(next(nonmin, sizeof(nonmin), &e), -1);
	assert_int_equal(next(lead0, sizeof(lead0), &e), -1);
	assert_int_equal(next(hightag, sizeof(hightag), &e), -1);
	assert_int_equal(next(one, sizeof(one), &e), -1);
	assert_int_equal(next(indef_prim, sizeof(indef_prim), &e), -1);
	assert_int_equal(next(indef_noeoc, sizeof(indef_noeoc), &e), -1);

	/* BER indefinite length: contents exclude the end-of-contents. */
	der_init(&cur, indef_ok, sizeof(indef_ok));
	assert_int_equal(der_next(&cur, &e), 1);
	assert_int_equal(e.len, 3);
	assert_int_equal(cur.left, 1);

	/* A wrong tag is not consumed by der_optional. */
	der_init(&cur, ok, sizeof(ok));
	assert_int_equal(der_optional(&cur, DER_SET, &e), 0);
	assert_int_equal(cur.left, sizeof(ok));
	assert_int_equal(der_optional(&cur, DER_SEQUENCE, &e), 1);
	assert_true(der_empty(&cur));
}

static void
test_der_depth(void **state)
{
	enum { NEST = 200 };
	unsigned char	buf[4 * NEST];
	struct der	cur, inner;
	int		i, depth;

	(void)state;
	/* 60 definite SEQUENCEs, each holding the next (short lengths). */
	for (i = 0; i < 60; i++) {
		buf[2 * i] = DER_SEQUENCE;
		buf[2 * i + 1] = (unsigned char)(118 - 2 * i);
	}
	der_init(&cur, buf, 120);
	for (depth = 0; der_enter(&cur, DER_SEQUENCE, &inner); depth++)
		cur = inner;
	assert_int_equal(depth, DER_MAX_DEPTH);

	/* NEST nested indefinite SEQUENCEs with all their end-of-contents. */
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < NEST; i++) {
		buf[2 * i] = DER_SEQUENCE;
		buf[2 * i + 1] = 0x80;
	}
	assert_int_equal(next(buf, sizeof(buf), NULL), -1);
	/* DER_MAX_DEPTH of them are fine. */
	assert_int_equal(next(buf + 2 * (NEST - DER_MAX_DEPTH),
	    4 * DER_MAX_DEPTH, NULL), 1);
	assert_int_equal(next(buf + 2 * (NEST - DER_MAX_DEPTH - 1),
	    4 * (DER_MAX_DEPTH + 1), NULL), -1);
}

/* Returns der_time's result for a time string s with tag tag. */
static int
parse_time(unsigned char tag, const char *s, int64_t *t)
{
	struct der_elem	e;

	e.tag = tag;
	e.val = (const unsigned char *)s;
	e.len = strlen(s);
	return der_time(&e, t);
}

static void
test_der_time(void **state)
{
	static const char	*bad_utc[] = {
		"231301000000Z", "230230000000Z", "230100000000Z",
		"230101240000Z", "230101006000Z", "230101000060Z",
		"2301010000000", "230101000000+", "23010100000Z",
		"2301010000000Z", "2301010000 0Z", "-30101000000Z",
		"230229000000Z", "230431000000Z",
	};
	static const char	*bad_gen[] = {
		"20230101000000.5Z", "20230101000000+0000", "202301010000Z",
		"19000229000000Z", "2023010100000Z", "20231232000000Z",
		"2023010100000aZ",
	};
	int64_t			 t;
	size_t			 i;

	(void)state;
	assert_int_equal(parse_time(DER_UTCTIME, "700101000000Z", &t), 1);
	assert_int_equal(t, 0);
	assert_int_equal(parse_time(DER_UTCTIME, "491231235959Z", &t), 1);
	assert_int_equal(t, 2524607999LL);
	assert_int_equal(parse_time(DER_UTCTIME, "500101000000Z", &t), 1);
	assert_int_equal(t, -631152000LL);
	assert_int_equal(parse_time(DER_UTCTIME, "000229000000Z", &t), 1);
	assert_int_equal(t, 951782400LL);
	assert_int_equal(parse_time(DER_GENTIME, "99991231235959Z", &t), 1);
	assert_int_equal(t, 253402300799LL);
	assert_int_equal(parse_time(DER_GENTIME, "00000101000000Z", &t), 1);
	assert_int_equal(t, -62167219200LL);
	assert_int_equal(parse_time(DER_GENTIME, "20230213134929Z", &t), 1);
	assert_int_equal(t, 1676296169LL);
	/* A GeneralizedTime string under the UTCTime tag and vice versa. */
	assert_int_equal(parse_time(DER_UTCTIME, "20230213134929Z", &t), 0);
	assert_int_equal(parse_time(DER_GENTIME, "230213134929Z", &t), 0);
	assert_int_equal(parse_time(DER_OCTET_STRING, "230213134929Z", &t), 0);
	for (i = 0; i < sizeof(bad_utc) / sizeof(bad_utc[0]); i++)
		if (parse_time(DER_UTCTIME, bad_utc[i], &t) != 0)
			fail_msg("UTCTime %s accepted", bad_utc[i]);
	for (i = 0; i < sizeof(bad_gen) / sizeof(bad_gen[0]); i++)
		if (parse_time(DER_GENTIME, bad_gen[i], &t) != 0)
			fail_msg("GeneralizedTime %s accepted", bad_gen[i]);
}

/*
 * Writes a minimal certificate with notBefore (tag, s) to buf and returns
 * its length; trailing adds that many junk octets.
 */
static size_t
mini_cert(unsigned char *buf, unsigned char tag, const char *s, int trailing)
{
	size_t	tl = strlen(s), tbs, n = 0;

	tbs = 5 + 3 + 2 + 2 + (2 + 2 * (2 + tl));
	buf[n++] = DER_SEQUENCE;
	buf[n++] = (unsigned char)(2 + tbs + 2 + 3);
	buf[n++] = DER_SEQUENCE;
	buf[n++] = (unsigned char)tbs;
	memcpy(buf + n, "\xa0\x03\x02\x01\x02" "\x02\x01\x01" "\x30\x00"
	    "\x30\x00", 12);
	n += 12;
	buf[n++] = DER_SEQUENCE;
	buf[n++] = (unsigned char)(2 * (2 + tl));
	buf[n++] = tag;
	buf[n++] = (unsigned char)tl;
	memcpy(buf + n, s, tl);
	n += tl;
	buf[n++] = tag;
	buf[n++] = (unsigned char)tl;
	memcpy(buf + n, s, tl);
	n += tl;
	memcpy(buf + n, "\x30\x00" "\x03\x01\x00", 5);
	n += 5;
	while (trailing-- > 0)
		buf[n++] = 0;
	return n;
}

static void
test_cert_ranges(void **state)
{
	unsigned char		buf[128];
	struct tsnorm_result	res;
	size_t			len;

	(void)state;
	len = mini_cert(buf, DER_UTCTIME, "230213134929Z", 0);
	tsnorm_time(buf, len, "x.cer", &res);
	assert_int_equal(res.rule, TSNORM_CERT_NOTBEFORE);
	assert_int_equal(res.time, 1676296169LL);

	/* Trailing data after the certificate: not a certificate. */
	len = mini_cert(buf, DER_UTCTIME, "230213134929Z", 1);
	tsnorm_time(buf, len, "x.cer", &res);
	assert_int_equal(res.rule, TSNORM_HASH_UNPARSEABLE);

	len = mini_cert(buf, DER_GENTIME, "21991231235959Z", 0);
	tsnorm_time(buf, len, "x.cer", &res);
	assert_int_equal(res.rule, TSNORM_CERT_NOTBEFORE);
	assert_int_equal(res.time, TSNORM_TIME_MAX - 1);

	/* Pre-1970 and year 9999: clamped into the hash range. */
	len = mini_cert(buf, DER_UTCTIME, "690101000000Z", 0);
	tsnorm_time(buf, len, "x.cer", &res);
	assert_int_equal(res.rule, TSNORM_HASH_OUT_OF_RANGE);
	assert_in_range(res.time, TSNORM_HASH_BASE,
	    TSNORM_HASH_BASE + TSNORM_HASH_SPAN - 1);
	len = mini_cert(buf, DER_GENTIME, "99991231235959Z", 0);
	tsnorm_time(buf, len, "x.cer", &res);
	assert_int_equal(res.rule, TSNORM_HASH_OUT_OF_RANGE);
	assert_in_range(res.time, TSNORM_HASH_BASE,
	    TSNORM_HASH_BASE + TSNORM_HASH_SPAN - 1);
	len = mini_cert(buf, DER_GENTIME, "22000101000000Z", 0);
	tsnorm_time(buf, len, "x.cer", &res);
	assert_int_equal(res.rule, TSNORM_HASH_OUT_OF_RANGE);

	/* A bad time makes the object unparseable. */
	len = mini_cert(buf, DER_UTCTIME, "230230134929Z", 0);
	tsnorm_time(buf, len, "x.cer", &res);
	assert_int_equal(res.rule, TSNORM_HASH_UNPARSEABLE);
	/* Same content under an unknown name: not CMS, so unknown. */
	tsnorm_time(buf, len, "x.txt", &res);
	assert_int_equal(res.rule, TSNORM_HASH_UNKNOWN);
}

static void
test_hash_rule(void **state)
{
	unsigned char		 buf[64], md[32];
	struct tsnorm_result	 a, b;
	unsigned char		*cer;
	size_t			 len, i;
	int			 differ = 0;

	(void)state;
	/* SHA-256("") starts e3b0c44298fc1c. */
	tsnorm_time(NULL, 0, NULL, &a);
	assert_int_equal(a.rule, TSNORM_HASH_UNKNOWN);
	assert_int_equal(a.time, TSNORM_HASH_BASE +
	    (int64_t)(0xe3b0c44298fc1cULL % TSNORM_HASH_SPAN));
	tsnorm_time(buf, 0, "empty.roa", &b);
	assert_int_equal(b.rule, TSNORM_HASH_UNPARSEABLE);
	assert_int_equal(b.time, a.time);

	/* Deterministic, name-independent, and content-dependent. */
	memset(buf, 'x', sizeof(buf));
	tsnorm_time(buf, sizeof(buf), "a.roa", &a);
	tsnorm_time(buf, sizeof(buf), "b.mft", &b);
	assert_int_equal(a.time, b.time);
	assert_int_equal(a.rule, TSNORM_HASH_UNPARSEABLE);
	for (i = 0; i < 8; i++) {
		buf[i] ^= 1;
		tsnorm_time(buf, sizeof(buf), "a.roa", &b);
		buf[i] ^= 1;
		assert_in_range(b.time, TSNORM_HASH_BASE,
		    TSNORM_HASH_BASE + TSNORM_HASH_SPAN - 1);
		differ += b.time != a.time;
	}
	assert_int_equal(differ, 8);

	memset(md, 0, sizeof(md));
	tsnorm_hash_result(md, "a.cer", &a);
	assert_int_equal(a.time, TSNORM_HASH_BASE);
	assert_int_equal(a.rule, TSNORM_HASH_UNPARSEABLE);
	tsnorm_hash_result(md, "a", &a);
	assert_int_equal(a.rule, TSNORM_HASH_UNKNOWN);

	/* Every proper prefix of a real certificate is unparseable. */
	cer = load("tests/data/objects/rpki-client-regress/ta/ripe-ncc-ta.cer",
	    &len);
	for (i = 0; i < len; i++) {
		tsnorm_time(cer, i, "ta.cer", &a);
		assert_int_equal(a.rule, TSNORM_HASH_UNPARSEABLE);
	}
	tsnorm_time(cer, len, "ta.cer", &a);
	assert_int_equal(a.rule, TSNORM_CERT_NOTBEFORE);
	free(cer);
}

static void
test_rule_names(void **state)
{
	(void)state;
	assert_string_equal(tsnorm_rule_name(TSNORM_CRL_THISUPDATE),
	    "crl-thisupdate");
	assert_string_equal(tsnorm_rule_name(TSNORM_HASH_OUT_OF_RANGE),
	    "hash-out-of-range");
	assert_string_equal(tsnorm_rule_name(TSNORM_DIR), "dir");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_der_lengths),
		cmocka_unit_test(test_der_depth),
		cmocka_unit_test(test_der_time),
		cmocka_unit_test(test_cert_ranges),
		cmocka_unit_test(test_hash_rule),
		cmocka_unit_test(test_rule_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
