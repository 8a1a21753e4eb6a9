/*
 * Cross-check of tsnorm's DER reader against OpenSSL on every file of
 * tests/data/objects and tests/data/bbn-conformance: where OpenSSL parses
 * the whole object and finds the time the rules ask for, tsnorm must give
 * the same time and rule; where that time is not an RFC 5280 Time or out
 * of range, tsnorm must use a hash rule. Every file must be handled
 * without a crash (ASan in the SANITIZE=1 build).
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/x509.h>

#include "tsnorm/tsnorm.h"

/* Largest test object read; the data set's largest is ~20 KB. */
#define MAX_TEST_FILE	(1024 * 1024)
#define MAX_FTW_FDS	32

enum ref_state {
	REF_NONE,	/* OpenSSL could not parse it as the rules need */
	REF_TIME,	/* a valid time, in ref_time */
	REF_BADTIME,	/* parsed, but the time is not strict RFC 5280 */
};

struct ref {
	enum ref_state		state;
	enum tsnorm_rule	rule;
	int64_t			time;
};

static struct {
	int	files;		/* files seen */
	int	compared;	/* files with a REF_TIME compared */
	int	badtime;	/* files with a REF_BADTIME */
	int	mismatches;
	char	buf[MAX_TEST_FILE];
} st;

/* Returns 1 if the extension of name is ext. */
static int
has_ext(const char *name, const char *ext)
{
	const char	*dot = strrchr(name, '.');

	return dot != NULL && strcmp(dot, ext) == 0;
}

/*
 * Sets ref from the ASN1_TIME at: REF_TIME if it is an RFC 5280 Time
 * (UTCTime of 13 or GeneralizedTime of 15 octets ending in Z) that
 * OpenSSL converts, else REF_BADTIME.
 */
static void
ref_from_time(const ASN1_TIME *at, enum tsnorm_rule rule, struct ref *ref)
{
	const unsigned char	*s;
	struct tm		 tm;
	int			 len, i;

	ref->rule = rule;
	ref->state = REF_BADTIME;
	if (at == NULL)
		return;
	s = ASN1_STRING_get0_data(at);
	len = ASN1_STRING_length(at);
	if (!((ASN1_STRING_type(at) == V_ASN1_UTCTIME && len == 13) ||
	    (ASN1_STRING_type(at) == V_ASN1_GENERALIZEDTIME && len == 15)))
		return;
	for (i = 0; i < len - 1; i++)
		if (s[i] < '0' || s[i] > '9')
			return;
	if (s[len - 1] != 'Z')
		return;
	memset(&tm, 0, sizeof(tm));
	if (!ASN1_TIME_to_tm(at, &tm))
		return;
	ref->time = (int64_t)timegm(&tm);
	ref->state = REF_TIME;
}

/* Reads CMS SignedData with OpenSSL, as the rules ask. */
static void
ref_cms(const unsigned char *data, size_t len, struct ref *ref)
{
	const unsigned char		*p = data;
	CMS_ContentInfo			*cms;
	STACK_OF(CMS_SignerInfo)	*sis;
	STACK_OF(X509)			*certs;
	X509_ATTRIBUTE			*attr;
	ASN1_TYPE			*v;
	int				 idx;

	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (cms == NULL || p != data + len ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
		goto out;
	sis = CMS_get0_SignerInfos(cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) < 1)
		goto out;
	idx = CMS_signed_get_attr_by_NID(sk_CMS_SignerInfo_value(sis, 0),
	    NID_pkcs9_signingTime, -1);
	if (idx >= 0) {
		attr = CMS_signed_get_attr(sk_CMS_SignerInfo_value(sis, 0),
		    idx);
		v = X509_ATTRIBUTE_get0_type(attr, 0);
		if (v != NULL && (ASN1_TYPE_get(v) == V_ASN1_UTCTIME ||
		    ASN1_TYPE_get(v) == V_ASN1_GENERALIZEDTIME))
			ref_from_time(v->value.utctime, TSNORM_CMS_SIGNINGTIME,
			    ref);
		else
			ref_from_time(NULL, TSNORM_CMS_SIGNINGTIME, ref);
		goto out;
	}
	certs = CMS_get1_certs(cms);
	if (certs != NULL && sk_X509_num(certs) > 0)
		ref_from_time(X509_get0_notBefore(sk_X509_value(certs, 0)),
		    TSNORM_CMS_EE_NOTBEFORE, ref);
	sk_X509_pop_free(certs, X509_free);
 out:
	CMS_ContentInfo_free(cms);
}

/* Computes OpenSSL's reading of the object name with data[0..len). */
static void
ref_time(const unsigned char *data, size_t len, const char *name,
    struct ref *ref)
{
	const unsigned char	*p;
	X509			*x;
	X509_CRL		*crl;

	ref->state = REF_NONE;
	if (has_ext(name, ".cer")) {
		p = data;
		x = d2i_X509(NULL, &p, (long)len);
		if (x != NULL && p == data + len)
			ref_from_time(X509_get0_notBefore(x),
			    TSNORM_CERT_NOTBEFORE, ref);
		X509_free(x);
	} else if (has_ext(name, ".crl")) {
		p = data;
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (crl != NULL && p == data + len)
			ref_from_time(X509_CRL_get0_lastUpdate(crl),
			    TSNORM_CRL_THISUPDATE, ref);
		X509_CRL_free(crl);
	}
	if (ref->state == REF_NONE)
		ref_cms(data, len, ref);
}

/* Returns 1 if rule is one of the hash rules. */
static int
is_hash(enum tsnorm_rule rule)
{
	return rule == TSNORM_HASH_UNPARSEABLE ||
	    rule == TSNORM_HASH_UNKNOWN || rule == TSNORM_HASH_OUT_OF_RANGE;
}

static int
check_file(const char *path, const struct stat *sb, int type,
    struct FTW *ftw)
{
	struct tsnorm_result	 res;
	struct ref		 ref;
	const char		*name = path + ftw->base;
	size_t			 len;
	FILE			*f;
	int			 ok;

	(void)sb;
	if (type != FTW_F)
		return 0;
	if ((f = fopen(path, "rb")) == NULL) {
		print_error("cannot open %s\n", path);
		st.mismatches++;
		return 0;
	}
	len = fread(st.buf, 1, sizeof(st.buf), f);
	fclose(f);
	st.files++;

	assert_int_equal(tsnorm_time((unsigned char *)st.buf, len, name,
	    &res), 0);
	ref_time((unsigned char *)st.buf, len, name, &ref);

	switch (ref.state) {
	case REF_TIME:
		st.compared++;
		if (ref.time < 0 || ref.time >= TSNORM_TIME_MAX)
			ok = res.rule == TSNORM_HASH_OUT_OF_RANGE;
		else
			ok = res.rule == ref.rule && res.time == ref.time;
		break;
	case REF_BADTIME:
		st.badtime++;
		ok = res.rule == TSNORM_HASH_UNPARSEABLE;
		break;
	default:
		/* Not readable by OpenSSL: any answer, but a defined one. */
		ok = !is_hash(res.rule) || (res.time >= TSNORM_HASH_BASE &&
		    res.time < TSNORM_HASH_BASE + TSNORM_HASH_SPAN);
		break;
	}
	if (!ok) {
		print_error("%s: openssl %s %lld, tsnorm %s %lld\n", path,
		    ref.state == REF_NONE ? "-" : tsnorm_rule_name(ref.rule),
		    ref.state == REF_TIME ? (long long)ref.time : -1LL,
		    tsnorm_rule_name(res.rule), (long long)res.time);
		st.mismatches++;
	}
	return 0;
}

/* Checks every file under top()/rel; returns the number of files. */
static int
check_tree(const char *rel)
{
	const char	*top = getenv("RSYNCSWAP_TOP");
	char		 dir[4096];

	if (top == NULL || *top == '\0')
		top = ".";
	snprintf(dir, sizeof(dir), "%s/%s", top, rel);
	memset(&st, 0, sizeof(st));
	if (nftw(dir, check_file, MAX_FTW_FDS, FTW_PHYS) == -1)
		fail_msg("cannot walk %s", dir);
	print_message("%s: %d files, %d compared with OpenSSL, %d with "
	    "a non-RFC 5280 time\n", rel, st.files, st.compared, st.badtime);
	assert_int_equal(st.mismatches, 0);
	return st.files;
}

static void
test_objects(void **state)
{
	(void)state;
	assert_true(check_tree("tests/data/objects") >= 100);
	assert_true(st.compared >= 90);
}

static void
test_bbn_conformance(void **state)
{
	(void)state;
	assert_true(check_tree("tests/data/bbn-conformance") >= 480);
	assert_true(st.compared >= 400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_bbn_conformance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
