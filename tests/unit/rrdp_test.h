/*
 * Helpers shared by the RRDP parser tests (test_rrdp.c: real files,
 * test_rrdp_rules.c: one small document per rule): a handler that counts
 * and hashes what it is given, and functions that feed a document whole
 * or in random-sized chunks.
 */
#ifndef RSYNCSWAP_TESTS_RRDP_TEST_H
#define RSYNCSWAP_TESTS_RRDP_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rrdp/rrdp.h"

#define RT_UNUSED	__attribute__((unused))
#define SHA256_DIGEST_LENGTH	32

#define KRILL_2656	"rrdp/krill-sync/rrdp-rev2656/"
#define KRILL_2658	"rrdp/krill-sync/rrdp-rev2658/"
#define KRILL_SESS	"e9be21e7-c537-4564-b742-64700978c6b4"
#define KRILL_HOST	"https://krill-ui-dev.do.nlnetlabs.nl/rrdp/"
#define MAX_OBJECTS	1024

/* What the handler saw: counts, and uri -> SHA-256 of the object. */
struct seen {
	int		 npublish;
	int		 nwithdraw;
	int		 nhash;		/* publishes carrying a hash */
	int		 nnotder;	/* objects not starting with SEQUENCE */
	size_t		 maxlen;
	EVP_MD_CTX	*all;		/* over every uri and object, in order */
	int		 check_hashes;	/* a delta's hashes must be in objs */
	int		 nobjs;
	char		*uri[MAX_OBJECTS];
	unsigned char	 sha[MAX_OBJECTS][SHA256_DIGEST_LENGTH];
};

static char	*rd_data RT_UNUSED;
static size_t	 rd_len RT_UNUSED;
static size_t	 chunk_max RT_UNUSED = 4096;	/* largest random chunk fed */

static RT_UNUSED const char *
path_of(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("RSYNCSWAP_TOP");

	snprintf(buf, sizeof(buf), "%s/tests/data/%s", top ? top : ".", rel);
	return buf;
}

/* Reads tests/data/<rel> into rd_data/rd_len. */
static RT_UNUSED void
slurp(const char *rel)
{
	FILE *f = fopen(path_of(rel), "rb");
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path_of(rel));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	free(rd_data);
	rd_data = malloc((size_t)n + 1);
	assert_non_null(rd_data);
	assert_int_equal(fread(rd_data, 1, (size_t)n, f), (size_t)n);
	rd_len = (size_t)n;
	fclose(f);
}

static RT_UNUSED int
find_obj(struct seen *s, const char *uri)
{
	for (int i = 0; i < s->nobjs; i++)
		if (s->uri[i] != NULL && strcmp(s->uri[i], uri) == 0)
			return i;
	return -1;
}

/* Checks a delta's hash against the object it replaces or removes. */
static RT_UNUSED int
check_hash(struct seen *s, const char *uri, const unsigned char *hash,
    char *err, size_t errsz)
{
	int i = find_obj(s, uri);

	if (hash == NULL && i >= 0) {
		snprintf(err, errsz, "%s exists, publish has no hash", uri);
		return -1;
	}
	if (hash != NULL && (i < 0 ||
	    memcmp(s->sha[i], hash, SHA256_DIGEST_LENGTH) != 0)) {
		snprintf(err, errsz, "%s: hash does not match", uri);
		return -1;
	}
	return i;
}

static RT_UNUSED int
on_publish(void *arg, const char *uri, const unsigned char *hash,
    const unsigned char *data, size_t len, char *err, size_t errsz)
{
	struct seen *s = arg;
	int i = -1;

	if (strncmp(uri, "refuse:", 7) == 0) {
		snprintf(err, errsz, "refused %s", uri);
		return -1;
	}
	if (s->check_hashes && (i = check_hash(s, uri, hash, err, errsz)) ==
	    -1 && hash != NULL)
		return -1;
	if (i < 0) {
		if (s->nobjs == MAX_OBJECTS) {
			snprintf(err, errsz, "too many objects");
			return -1;
		}
		i = s->nobjs++;
		s->uri[i] = strdup(uri);
	}
	assert_int_equal(EVP_Digest(data, len, s->sha[i], NULL, EVP_sha256(),
	    NULL), 1);
	s->npublish++;
	s->nhash += hash != NULL;
	s->nnotder += data[0] != 0x30;
	if (len > s->maxlen)
		s->maxlen = len;
	EVP_DigestUpdate(s->all, uri, strlen(uri) + 1);
	EVP_DigestUpdate(s->all, data, len);
	return 0;
}

static RT_UNUSED int
on_withdraw(void *arg, const char *uri, const unsigned char *hash,
    char *err, size_t errsz)
{
	struct seen *s = arg;
	int i;

	assert_non_null(hash);
	s->nwithdraw++;
	if (s->check_hashes) {
		if ((i = check_hash(s, uri, hash, err, errsz)) < 0)
			return -1;
		free(s->uri[i]);
		s->uri[i] = NULL;
	}
	return 0;
}

static RT_UNUSED void
seen_init(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->all = EVP_MD_CTX_new();
	assert_non_null(s->all);
	assert_int_equal(EVP_DigestInit_ex(s->all, EVP_sha256(), NULL), 1);
}

static RT_UNUSED void
seen_free(struct seen *s)
{
	for (int i = 0; i < s->nobjs; i++)
		free(s->uri[i]);
	s->nobjs = 0;
	EVP_MD_CTX_free(s->all);
	s->all = NULL;
}

/*
 * Parses rd_data[0..len) as one document, whole (seed 0) or in chunks of
 * 1..4096 random bytes. Returns the result of rrdp_parser_finish; the
 * error is copied to err.
 */
static RT_UNUSED int
parse_mem(enum rrdp_kind kind, size_t len, const char *session,
    long long serial, const unsigned char *want, size_t maxobj,
    unsigned int seed, struct seen *s, struct rrdp_notification *nt,
    char *err, size_t errsz)
{
	struct rrdp_handler h = { on_publish, on_withdraw, s };
	struct rrdp_parser *p;
	size_t off = 0, n;
	int rc = 0;

	p = rrdp_parser_new(kind, session, serial, maxobj, &h);
	assert_non_null(p);
	while (off < len && rc == 0) {
		n = len - off;
		if (seed != 0) {
			seed = seed * 1103515245 + 12345;
			n = (seed >> 8) % chunk_max + 1;
			if (n > len - off)
				n = len - off;
		}
		rc = rrdp_parser_feed(p, rd_data + off, n);
		off += n;
	}
	if (rc == 0)
		rc = rrdp_parser_finish(p, want, nt);
	snprintf(err, errsz, "%s", rrdp_parser_error(p));
	assert_true(rc == 0 ? err[0] == '\0' : err[0] != '\0');
	assert_null(strchr(err, '\n'));
	rrdp_parser_free(p);
	return rc;
}

/*
 * Parses tests/data/<rel> whole and in random chunks; both must succeed
 * and see the same objects. Leaves the result of the chunked run in *s
 * and *nt (nt may be NULL).
 */
static RT_UNUSED void
parse_ok(enum rrdp_kind kind, const char *rel, const char *session,
    long long serial, const unsigned char *want, struct seen *s,
    struct rrdp_notification *nt)
{
	unsigned char d1[SHA256_DIGEST_LENGTH], d2[SHA256_DIGEST_LENGTH];
	struct rrdp_notification tmp;
	struct seen whole;
	char err[ERR_MAX];
	int check = s->check_hashes;

	slurp(rel);
	seen_init(&whole);
	if (parse_mem(kind, rd_len, session, serial, want,
	    MAX_OBJECT_SIZE_DEFAULT, 0, &whole, &tmp, err, sizeof(err)) != 0)
		fail_msg("%s: %s", rel, err);
	rrdp_notification_free(&tmp);
	EVP_DigestFinal_ex(whole.all, d1, NULL);
	seen_free(&whole);

	if (!check) {
		seen_free(s);
		seen_init(s);
	}
	if (parse_mem(kind, rd_len, session, serial, want,
	    MAX_OBJECT_SIZE_DEFAULT, (unsigned int)rd_len, s, nt ? nt : &tmp,
	    err, sizeof(err)) != 0)
		fail_msg("%s (chunked): %s", rel, err);
	if (nt == NULL)
		rrdp_notification_free(&tmp);
	EVP_DigestFinal_ex(s->all, d2, NULL);
	EVP_DigestInit_ex(s->all, EVP_sha256(), NULL);
	if (!check) {
		assert_int_equal(whole.npublish, s->npublish);
		assert_memory_equal(d1, d2, sizeof(d1));
	}
}

/* Parses tests/data/<rel>; it must fail with an error containing want. */
static RT_UNUSED void
parse_bad(enum rrdp_kind kind, const char *rel, const char *session,
    long long serial, const unsigned char *hash, const char *want)
{
	struct rrdp_notification nt;
	struct seen s;
	char err[ERR_MAX];
	unsigned int seed;

	slurp(rel);
	for (seed = 0; seed < 2; seed++) {
		seen_init(&s);
		if (parse_mem(kind, rd_len, session, serial, hash,
		    MAX_OBJECT_SIZE_DEFAULT, seed * 7919, &s, &nt, err,
		    sizeof(err)) == 0)
			fail_msg("%s parsed, should fail with \"%s\"", rel,
			    want);
		seen_free(&s);
		if (strstr(err, want) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", rel, err, want);
	}
}

static RT_UNUSED void
assert_sorted(const struct rrdp_notification *nt)
{
	for (size_t i = 1; i < nt->ndeltas; i++)
		assert_true(nt->deltas[i - 1].serial < nt->deltas[i].serial);
}

#endif
