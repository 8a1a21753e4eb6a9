/*
 * Unit tests of rsyncswap/tree/digest.c: the entry and the sum as README.md
 * defines them (expected values from Python's hashlib), order
 * independence, and that a delta's take-away undoes an add.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/evp.h>

#include "rsyncswap/tree/digest.h"

/* SHA-256("one"), SHA-256("two") and a hash of all ones. */
static unsigned char h1[DIGEST_LEN], h2[DIGEST_LEN], h3[DIGEST_LEN];

static int
setup(void **unused)
{
	(void)unused;
	EVP_Digest("one", 3, h1, NULL, EVP_sha256(), NULL);
	EVP_Digest("two", 3, h2, NULL, EVP_sha256(), NULL);
	memset(h3, 0xff, sizeof(h3));
	return 0;
}

static void
add3(struct digest *d, int order)
{
	static const char *paths[] = { "repo/a.cer", "repo/b c.roa", "host/x" };
	static const long long times[] = { 1600000000, 946684800, 0 };
	const unsigned char *hashes[] = { h1, h2, h3 };
	int i, k;

	for (i = 0; i < 3; i++) {
		k = order ? 2 - i : i;
		assert_int_equal(digest_entry(d, 1, paths[k], hashes[k],
		    times[k]), 0);
	}
}

static void
test_values(void **unused)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct digest d;

	(void)unused;
	digest_init(&d);
	assert_string_equal(digest_hex(&d, hex), "0000000000000000000000000000"
	    "000000000000000000000000000000000000");
	/* One entry: SHA-256 of "H M P\n". */
	assert_int_equal(digest_entry(&d, 1, "repo/a.cer", h1, 1600000000), 0);
	assert_string_equal(digest_hex(&d, hex), "d6ee3ce30d1974648bc0f8a9857e"
	    "298821169a3d02b5bd596b819c1baa2e9344");
	assert_int_equal(d.entries, 1);
	/* Three: their sum modulo 2^256 (it wraps). */
	digest_init(&d);
	add3(&d, 0);
	assert_string_equal(digest_hex(&d, hex), "9d102b7e2207be482f0e35c261ed"
	    "1ee8efca2bce2cf7d40acb3c88f7fc29de8c");
	assert_int_equal(d.entries, 3);
}

static void
test_order_and_undo(void **unused)
{
	struct digest a, b, zero;

	(void)unused;
	digest_init(&a);
	digest_init(&b);
	digest_init(&zero);
	add3(&a, 0);
	add3(&b, 1);
	assert_true(digest_equal(&a, &b));
	/* A replace: the old entry out, the new one in. */
	assert_int_equal(digest_entry(&b, -1, "repo/a.cer", h1, 1600000000), 0);
	assert_false(digest_equal(&a, &b));
	assert_int_equal(digest_entry(&b, 1, "repo/a.cer", h2, 1600000000), 0);
	assert_false(digest_equal(&a, &b));
	assert_int_equal(b.entries, 3);
	/* Each field counts: another mtime, another path. */
	assert_int_equal(digest_entry(&b, -1, "repo/a.cer", h2, 1600000000), 0);
	assert_int_equal(digest_entry(&b, 1, "repo/a.cer", h1, 1600000001), 0);
	assert_false(digest_equal(&a, &b));
	assert_int_equal(digest_entry(&b, -1, "repo/a.cer", h1, 1600000001), 0);
	assert_int_equal(digest_entry(&b, 1, "repo/a.ce", h1, 1600000000), 0);
	assert_false(digest_equal(&a, &b));
	assert_int_equal(digest_entry(&b, -1, "repo/a.ce", h1, 1600000000), 0);
	assert_int_equal(digest_entry(&b, 1, "repo/a.cer", h1, 1600000000), 0);
	assert_true(digest_equal(&a, &b));
	/* Withdrawing everything, in another order, gives the empty digest. */
	assert_int_equal(digest_entry(&a, -1, "host/x", h3, 0), 0);
	assert_int_equal(digest_entry(&a, -1, "repo/a.cer", h1, 1600000000), 0);
	assert_int_equal(digest_entry(&a, -1, "repo/b c.roa", h2,
	    946684800), 0);
	assert_true(digest_equal(&a, &zero));
}

static void
test_parse(void **unused)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct digest a, b;

	(void)unused;
	digest_init(&a);
	digest_init(&b);
	add3(&a, 0);
	assert_int_equal(digest_parse(&b, digest_hex(&a, hex)), 0);
	assert_memory_equal(a.sum, b.sum, DIGEST_LEN);
	assert_int_equal(digest_parse(&b, "00"), -1);
	hex[5] = 'A';
	assert_int_equal(digest_parse(&b, hex), -1);
	hex[5] = 'g';
	assert_int_equal(digest_parse(&b, hex), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_order_and_undo),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
