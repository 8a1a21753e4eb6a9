/*
 * tsnorm_inspect(): the expiry times of manifests and CRLs.
 * Small objects built here field by field (CRL with and without nextUpdate,
 * manifest with and without version, UTCTime where GeneralizedTime is
 * required, BER segmented eContent), then a cross-check against OpenSSL on
 * every .mft and .crl of tests/data/objects and tests/data/bbn-conformance:
 * where OpenSSL reads the times, tsnorm must read the same ones; where it
 * cannot, tsnorm must call the object unreadable. tsnorm_inspect() must
 * always give the same mtime as tsnorm_time().
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

#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/x509.h>

#include "tsnorm/tsnorm.h"

#define BLOB_MAX	4096
#define MAX_TEST_FILE	(1024 * 1024)
#define MAX_FTW_FDS	32

/* ---- a tiny DER builder ---- */

struct blob {
	unsigned char	d[BLOB_MAX];
	size_t		n;
};

/* Returns the blob of the octets s[0..n). */
static struct blob
raw(const void *s, size_t n)
{
	struct blob	b;

	assert_true(n <= BLOB_MAX);
	memcpy(b.d, s, n);
	b.n = n;
	return b;
}

/* Returns the element tag with the concatenation of nparts blobs. */
static struct blob
tlv(unsigned char tag, int nparts, ...)
{
	struct blob	 b, *p;
	size_t		 len = 0, off;
	va_list		 ap;
	int		 i;
	unsigned char	 c[BLOB_MAX];

	va_start(ap, nparts);
	for (i = 0; i < nparts; i++) {
		p = va_arg(ap, struct blob *);
		assert_true(len + p->n <= sizeof(c));
		memcpy(c + len, p->d, p->n);
		len += p->n;
	}
	va_end(ap);
	b.d[0] = tag;
	if (len < 0x80) {
		b.d[1] = (unsigned char)len;
		off = 2;
	} else if (len < 0x100) {
		b.d[1] = 0x81;
		b.d[2] = (unsigned char)len;
		off = 3;
	} else {
		b.d[1] = 0x82;
		b.d[2] = (unsigned char)(len >> 8);
		b.d[3] = (unsigned char)len;
		off = 4;
	}
	assert_true(off + len <= BLOB_MAX);
	memcpy(b.d + off, c, len);
	b.n = off + len;
	return b;
}

/* Returns a primitive element with the string s as contents. */
static struct blob
prim(unsigned char tag, const char *s)
{
	struct blob	v = raw(s, strlen(s));

	return tlv(tag, 1, &v);
}

static const unsigned char oid_sha256wrsa[] = { 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x01, 0x0b };
static const unsigned char oid_signed_data[] = { 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const unsigned char oid_manifest[] = { 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x1a };
static const unsigned char oid_roa[] = { 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x18 };

/* Returns an AlgorithmIdentifier-like SEQUENCE { OID }. */
static struct blob
alg(void)
{
	struct blob	o = raw(oid_sha256wrsa, sizeof(oid_sha256wrsa));

	o = tlv(0x06, 1, &o);
	return tlv(0x30, 1, &o);
}

/* Returns a CRL; next may be NULL (no nextUpdate). */
static struct blob
make_crl(int with_version, const char *this, struct blob *next)
{
	struct blob	ver = raw("\x02\x01\x01", 3), a = alg(), name,
			tu = prim(0x17, this), tbs, bits = raw("\x03\x01\x00", 3),
			empty = raw("", 0);

	name = tlv(0x30, 0);
	tbs = tlv(0x30, 5, with_version ? &ver : &empty, &a, &name, &tu,
	    next != NULL ? next : &empty);
	return tlv(0x30, 3, &tbs, &a, &bits);
}

/* Returns a certificate with the given validity times. */
static struct blob
make_cert(const char *nb, const char *na)
{
	struct blob	v = raw("\x02\x01\x02", 3), ver, serial, a = alg(),
			name = tlv(0x30, 0), t1 = prim(0x17, nb),
			t2 = prim(0x17, na), validity, spki, tbs,
			bits = raw("\x03\x01\x00", 3);

	ver = tlv(0xa0, 1, &v);
	serial = raw("\x02\x01\x05", 3);
	validity = tlv(0x30, 2, &t1, &t2);
	spki = tlv(0x30, 2, &a, &bits);
	tbs = tlv(0x30, 7, &ver, &serial, &a, &name, &validity, &name, &spki);
	return tlv(0x30, 3, &tbs, &a, &bits);
}

/* Returns a Manifest eContent with the given times and time tag. */
static struct blob
make_mft_content(int with_version, unsigned char ttag, const char *this,
    const char *next)
{
	struct blob	v = raw("\x02\x01\x00", 3), ver, num, t1, t2, hash,
			list, empty = raw("", 0), o;

	ver = tlv(0xa0, 1, &v);
	num = raw("\x02\x01\x07", 3);
	t1 = prim(ttag, this);
	t2 = prim(ttag, next);
	o = raw(oid_sha256wrsa, sizeof(oid_sha256wrsa));
	hash = tlv(0x06, 1, &o);
	list = tlv(0x30, 0);
	return tlv(0x30, 6, with_version ? &ver : &empty, &num, &t1, &t2,
	    &hash, &list);
}

/*
 * Returns a CMS SignedData around content (the eContent octets) of type
 * oid; segmented: the eContent as a BER constructed OCTET STRING of two
 * segments with indefinite length.
 */
static struct blob
make_cms(const unsigned char *oid, size_t oidlen, const struct blob *content,
    int segmented, const struct blob *cert)
{
	struct blob	o, type, oct, expl, encap, ver = raw("\x02\x01\x03", 3),
			digests, certs, sid, si, sis, sd, sdx, ci, seg1, seg2, a;
	size_t		half = content->n / 2;

	o = raw(oid, oidlen);
	type = tlv(0x06, 1, &o);
	if (segmented) {
		seg1 = raw(content->d, half);
		seg1 = tlv(0x04, 1, &seg1);
		seg2 = raw(content->d + half, content->n - half);
		seg2 = tlv(0x04, 1, &seg2);
		oct.d[0] = 0x24;
		oct.d[1] = 0x80;
		memcpy(oct.d + 2, seg1.d, seg1.n);
		memcpy(oct.d + 2 + seg1.n, seg2.d, seg2.n);
		oct.n = 2 + seg1.n + seg2.n;
		oct.d[oct.n++] = 0;
		oct.d[oct.n++] = 0;
	} else
		oct = tlv(0x04, 1, content);
	expl = tlv(0xa0, 1, &oct);
	encap = tlv(0x30, 2, &type, &expl);
	a = alg();
	digests = tlv(0x31, 1, &a);
	certs = tlv(0xa0, 1, cert);
	sid = raw("\x80\x01\x01", 3);
	oct = prim(0x04, "sig");
	si = tlv(0x30, 5, &ver, &sid, &a, &a, &oct);
	sis = tlv(0x31, 1, &si);
	sd = tlv(0x30, 5, &ver, &digests, &encap, &certs, &sis);
	sdx = tlv(0xa0, 1, &sd);
	o = raw(oid_signed_data, sizeof(oid_signed_data));
	type = tlv(0x06, 1, &o);
	ci = tlv(0x30, 2, &type, &sdx);
	return ci;
}

static void	ref_crl(const unsigned char *, size_t, struct tsnorm_expiry *);
static void	ref_mft(const unsigned char *, size_t, struct tsnorm_expiry *);

/*
 * Returns 1 if exp agrees with OpenSSL's reading ref of the object named
 * name (.mft or .crl), 0 otherwise.
 */
static int
agree(const char *name, const struct tsnorm_expiry *exp,
    const struct tsnorm_expiry *ref)
{
	const char	*dot = strrchr(name, '.');

	if (exp->status != ref->status)
		return 0;
	if (ref->status != TSNORM_EXPIRY_OK)
		return 1;
	return exp->this_update == ref->this_update &&
	    exp->next_update == ref->next_update &&
	    exp->expiry == ref->expiry && (strcmp(dot, ".crl") == 0 ||
	    exp->not_after == ref->not_after);
}

/*
 * Runs tsnorm_inspect on b named name; checks that the mtime is the one of
 * tsnorm_time and, for a .mft or .crl, that OpenSSL reads the same.
 */
static void
inspect(const struct blob *b, const char *name, struct tsnorm_expiry *exp)
{
	struct tsnorm_result	 r1, r2;
	struct tsnorm_expiry	 ref;
	const char		*dot = strrchr(name, '.');

	tsnorm_inspect(b->d, b->n, name, &r1, exp);
	tsnorm_time(b->d, b->n, name, &r2);
	assert_int_equal(r1.time, r2.time);
	assert_int_equal(r1.rule, r2.rule);
	memset(&ref, 0, sizeof(ref));
	if (strcmp(dot, ".crl") == 0)
		ref_crl(b->d, b->n, &ref);
	else if (strcmp(dot, ".mft") == 0)
		ref_mft(b->d, b->n, &ref);
	else
		return;
	if (!agree(name, exp, &ref))
		fail_msg("%s of %zu octets: openssl %s, tsnorm %s", name,
		    b->n, tsnorm_expiry_status_name(ref.status),
		    tsnorm_expiry_status_name(exp->status));
}

/* 2023-02-13T13:49:29Z and neighbours. */
#define T_THIS	1676296169LL
#define T_NEXT	1676384429LL	/* 2023-02-14T14:20:29Z */
#define T_NA	1676470829LL	/* 2023-02-15T14:20:29Z */

static void
test_crl_next_update(void **state)
{
	struct tsnorm_expiry	exp;
	struct blob		next = prim(0x17, "230214142029Z"), crl;
	struct blob		gnext = prim(0x18, "20230214142029Z");
	struct blob		bad = prim(0x17, "230231142029Z");

	(void)state;
	crl = make_crl(1, "230213134929Z", &next);
	inspect(&crl, "x.crl", &exp);
	assert_int_equal(exp.kind, TSNORM_EXPIRY_CRL);
	assert_int_equal(exp.status, TSNORM_EXPIRY_OK);
	assert_int_equal(exp.this_update, T_THIS);
	assert_int_equal(exp.next_update, T_NEXT);
	assert_int_equal(exp.expiry, T_NEXT);
	assert_true(exp.not_after == TSNORM_NO_TIME);

	/* GeneralizedTime is a valid Time too, and version is optional. */
	crl = make_crl(0, "230213134929Z", &gnext);
	inspect(&crl, "x.crl", &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_OK);
	assert_int_equal(exp.next_update, T_NEXT);

	/* Absent: readable (the mtime is thisUpdate), but no expiry. */
	crl = make_crl(1, "230213134929Z", NULL);
	inspect(&crl, "x.crl", &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_NO_NEXTUPDATE);
	assert_int_equal(exp.this_update, T_THIS);
	assert_true(exp.next_update == TSNORM_NO_TIME);
	assert_true(exp.expiry == TSNORM_NO_TIME);

	/* February 31st. */
	crl = make_crl(1, "230213134929Z", &bad);
	inspect(&crl, "x.crl", &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_UNREADABLE);

	/* Truncated by one octet. */
	crl = make_crl(1, "230213134929Z", &next);
	crl.n--;
	inspect(&crl, "x.crl", &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_UNREADABLE);

	/* Not a .crl: nothing is read. */
	crl = make_crl(1, "230213134929Z", &next);
	inspect(&crl, "x.cer", &exp);
	assert_int_equal(exp.kind, TSNORM_EXPIRY_NONE);
	assert_true(exp.expiry == TSNORM_NO_TIME);
}

static void
test_mft_times(void **state)
{
	struct tsnorm_expiry	exp;
	struct blob		cert = make_cert("230213134929Z",
				    "230215142029Z"), c, cms;
	int			ver, seg;

	(void)state;
	for (ver = 0; ver <= 1; ver++)
		for (seg = 0; seg <= 1; seg++) {
			c = make_mft_content(ver, 0x18, "20230213134929Z",
			    "20230214142029Z");
			cms = make_cms(oid_manifest, sizeof(oid_manifest), &c,
			    seg, &cert);
			inspect(&cms, "a/b.mft", &exp);
			assert_int_equal(exp.kind, TSNORM_EXPIRY_MFT);
			assert_int_equal(exp.status, TSNORM_EXPIRY_OK);
			assert_int_equal(exp.this_update, T_THIS);
			assert_int_equal(exp.next_update, T_NEXT);
			assert_int_equal(exp.not_after, T_NA);
			assert_int_equal(exp.expiry, T_NEXT);
		}

	/* An EE certificate expiring first decides. */
	cert = make_cert("230213134929Z", "230214000000Z");
	c = make_mft_content(0, 0x18, "20230213134929Z", "20230214142029Z");
	cms = make_cms(oid_manifest, sizeof(oid_manifest), &c, 0, &cert);
	inspect(&cms, "b.mft", &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_OK);
	assert_int_equal(exp.expiry, 1676332800LL);

	/* The same CMS under another name is not read for expiry. */
	inspect(&cms, "b.roa", &exp);
	assert_int_equal(exp.kind, TSNORM_EXPIRY_NONE);
}

static void
test_mft_bad(void **state)
{
	struct tsnorm_expiry	exp;
	struct blob		cert = make_cert("230213134929Z",
				    "230215142029Z"), c, cms;
	static const char	*bad_times[] = {
		"20230230142029Z",	/* February 30th */
		"20230214142029",	/* no Z */
		"20230214142029.5Z",	/* fraction */
		"20230214142060Z",	/* second 60 */
		"2023021414202Z",	/* too short */
		"20230214142029+0100",	/* offset */
	};
	size_t			i;

	(void)state;
	/* UTCTime where RFC 9286 requires GeneralizedTime. */
	c = make_mft_content(0, 0x17, "230213134929Z", "230214142029Z");
	cms = make_cms(oid_manifest, sizeof(oid_manifest), &c, 0, &cert);
	inspect(&cms, "x.mft", &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_UNREADABLE);
	assert_true(exp.expiry == TSNORM_NO_TIME);

	for (i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		c = make_mft_content(0, 0x18, "20230213134929Z",
		    bad_times[i]);
		cms = make_cms(oid_manifest, sizeof(oid_manifest), &c, i & 1,
		    &cert);
		inspect(&cms, "x.mft", &exp);
		assert_int_equal(exp.status, TSNORM_EXPIRY_UNREADABLE);
	}

	/* A ROA's content type in a .mft. */
	c = make_mft_content(0, 0x18, "20230213134929Z", "20230214142029Z");
	cms = make_cms(oid_roa, sizeof(oid_roa), &c, 0, &cert);
	inspect(&cms, "x.mft", &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_UNREADABLE);

	/* Something after fileList. */
	c.d[1] += 3;
	memcpy(c.d + c.n, "\x02\x01\x00", 3);
	c.n += 3;
	cms = make_cms(oid_manifest, sizeof(oid_manifest), &c, 0, &cert);
	inspect(&cms, "x.mft", &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_UNREADABLE);

	/* Empty, garbage, and every truncation of a good one. */
	c = make_mft_content(1, 0x18, "20230213134929Z", "20230214142029Z");
	cms = make_cms(oid_manifest, sizeof(oid_manifest), &c, 1, &cert);
	for (i = 0; i < cms.n; i++) {
		struct blob	t = raw(cms.d, i);

		inspect(&t, "x.mft", &exp);
		assert_int_equal(exp.status, TSNORM_EXPIRY_UNREADABLE);
	}
	tsnorm_inspect(NULL, 0, "x.mft", &(struct tsnorm_result){ 0 }, &exp);
	assert_int_equal(exp.status, TSNORM_EXPIRY_UNREADABLE);
}

/* ---- cross-check against OpenSSL ---- */

typedef struct {
	ASN1_INTEGER		*version;
	ASN1_INTEGER		*number;
	ASN1_GENERALIZEDTIME	*this_update;
	ASN1_GENERALIZEDTIME	*next_update;
	ASN1_OBJECT		*hash_alg;
	STACK_OF(ASN1_TYPE)	*files;
} Manifest;

DECLARE_ASN1_ITEM(Manifest)

ASN1_SEQUENCE(Manifest) = {
	ASN1_EXP_OPT(Manifest, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(Manifest, number, ASN1_INTEGER),
	ASN1_SIMPLE(Manifest, this_update, ASN1_GENERALIZEDTIME),
	ASN1_SIMPLE(Manifest, next_update, ASN1_GENERALIZEDTIME),
	ASN1_SIMPLE(Manifest, hash_alg, ASN1_OBJECT),
	ASN1_SEQUENCE_OF(Manifest, files, ASN1_ANY),
} ASN1_SEQUENCE_END(Manifest)

static struct {
	int	files, ok, no_next, unreadable, mismatches;
	char	buf[MAX_TEST_FILE];
} st;

/*
 * Returns 1 and sets *t if at is an RFC 5280 Time (UTCTime of 13 or
 * GeneralizedTime of 15 octets, digits then Z) that OpenSSL converts.
 */
static int
strict_time(const ASN1_TIME *at, int64_t *t)
{
	const unsigned char	*s;
	struct tm		 tm;
	int			 len, i;

	if (at == NULL)
		return 0;
	s = ASN1_STRING_get0_data(at);
	len = ASN1_STRING_length(at);
	if (!((ASN1_STRING_type(at) == V_ASN1_UTCTIME && len == 13) ||
	    (ASN1_STRING_type(at) == V_ASN1_GENERALIZEDTIME && len == 15)))
		return 0;
	for (i = 0; i < len - 1; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	memset(&tm, 0, sizeof(tm));
	if (s[len - 1] != 'Z' || !ASN1_TIME_to_tm(at, &tm))
		return 0;
	*t = (int64_t)timegm(&tm);
	return 1;
}

/* OpenSSL's reading of a CRL: fills ref (status and times). */
static void
ref_crl(const unsigned char *data, size_t len, struct tsnorm_expiry *ref)
{
	const unsigned char	*p = data;
	X509_CRL		*crl;
	int64_t			 t;

	ref->status = TSNORM_EXPIRY_UNREADABLE;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	if (crl == NULL || p != data + len ||
	    !strict_time(X509_CRL_get0_lastUpdate(crl), &ref->this_update))
		goto out;
	if (X509_CRL_get0_nextUpdate(crl) == NULL)
		ref->status = TSNORM_EXPIRY_NO_NEXTUPDATE;
	else if (strict_time(X509_CRL_get0_nextUpdate(crl), &t)) {
		ref->status = TSNORM_EXPIRY_OK;
		ref->next_update = ref->expiry = t;
	}
 out:
	X509_CRL_free(crl);
}

/* OpenSSL's reading of a manifest: fills ref (status and times). */
static void
ref_mft(const unsigned char *data, size_t len, struct tsnorm_expiry *ref)
{
	const unsigned char	 *p = data;
	CMS_ContentInfo		 *cms;
	ASN1_OCTET_STRING	**os;
	STACK_OF(X509)		 *certs = NULL;
	Manifest		 *mft = NULL;

	ref->status = TSNORM_EXPIRY_UNREADABLE;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (cms == NULL || p != data + len ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_id_ct_rpkiManifest)
		goto out;
	if ((os = CMS_get0_content(cms)) == NULL || *os == NULL)
		goto out;
	p = ASN1_STRING_get0_data(*os);
	mft = (Manifest *)ASN1_item_d2i(NULL, &p, ASN1_STRING_length(*os),
	    ASN1_ITEM_rptr(Manifest));
	if (mft == NULL || p != ASN1_STRING_get0_data(*os) +
	    ASN1_STRING_length(*os))
		goto out;
	if (!strict_time(mft->this_update, &ref->this_update) ||
	    !strict_time(mft->next_update, &ref->next_update))
		goto out;
	certs = CMS_get1_certs(cms);
	if (certs == NULL || sk_X509_num(certs) < 1 ||
	    !strict_time(X509_get0_notAfter(sk_X509_value(certs, 0)),
	    &ref->not_after))
		goto out;
	ref->status = TSNORM_EXPIRY_OK;
	ref->expiry = ref->next_update < ref->not_after ? ref->next_update :
	    ref->not_after;
 out:
	sk_X509_pop_free(certs, X509_free);
	ASN1_item_free((ASN1_VALUE *)mft, ASN1_ITEM_rptr(Manifest));
	CMS_ContentInfo_free(cms);
}

static int
check_file(const char *path, const struct stat *sb, int type,
    struct FTW *ftw)
{
	struct tsnorm_expiry	 exp, ref;
	struct tsnorm_result	 r1, r2;
	const char		*name = path + ftw->base, *dot;
	size_t			 len;
	FILE			*f;
	int			 ok;

	(void)sb;
	dot = strrchr(name, '.');
	if (type != FTW_F || dot == NULL ||
	    (strcmp(dot, ".mft") != 0 && strcmp(dot, ".crl") != 0))
		return 0;
	if ((f = fopen(path, "rb")) == NULL) {
		st.mismatches++;
		return 0;
	}
	len = fread(st.buf, 1, sizeof(st.buf), f);
	fclose(f);
	st.files++;

	tsnorm_inspect((unsigned char *)st.buf, len, name, &r1, &exp);
	tsnorm_time((unsigned char *)st.buf, len, name, &r2);
	if (r1.time != r2.time || r1.rule != r2.rule) {
		print_error("%s: tsnorm_inspect and tsnorm_time differ\n",
		    path);
		st.mismatches++;
	}
	memset(&ref, 0, sizeof(ref));
	if (strcmp(dot, ".crl") == 0)
		ref_crl((unsigned char *)st.buf, len, &ref);
	else
		ref_mft((unsigned char *)st.buf, len, &ref);

	ok = agree(name, &exp, &ref);
	st.ok += exp.status == TSNORM_EXPIRY_OK;
	st.no_next += exp.status == TSNORM_EXPIRY_NO_NEXTUPDATE;
	st.unreadable += exp.status == TSNORM_EXPIRY_UNREADABLE;
	if (!ok) {
		print_error("%s: openssl %s next %lld, tsnorm %s next %lld\n",
		    path, tsnorm_expiry_status_name(ref.status),
		    (long long)ref.next_update,
		    tsnorm_expiry_status_name(exp.status),
		    (long long)exp.next_update);
		st.mismatches++;
	}
	return 0;
}

/* Checks every .mft and .crl under $RSYNCSWAP_TOP/rel. */
static void
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
	print_message("%s: %d manifests and CRLs: %d ok, %d without "
	    "nextUpdate, %d unreadable, as OpenSSL\n", rel, st.files, st.ok,
	    st.no_next, st.unreadable);
	assert_int_equal(st.mismatches, 0);
}

static void
test_openssl_objects(void **state)
{
	(void)state;
	check_tree("tests/data/objects");
	assert_true(st.files >= 17);
	assert_true(st.ok >= 15);
}

static void
test_openssl_bbn(void **state)
{
	(void)state;
	check_tree("tests/data/bbn-conformance");
	assert_true(st.files >= 100);
	assert_true(st.ok >= 80);
	assert_true(st.unreadable >= 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crl_next_update),
		cmocka_unit_test(test_mft_times),
		cmocka_unit_test(test_mft_bad),
		cmocka_unit_test(test_openssl_objects),
		cmocka_unit_test(test_openssl_bbn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
