/*
 * The canonical mtime of an RPKI object: which time of the object counts
 * (by file name extension and content), read with the small DER reader,
 * and the SHA-256 fallback for everything else.
 */
#include <string.h>

#include <openssl/sha.h>

#include "tsnorm/der.h"
#include "tsnorm/manifest.h"
#include "tsnorm/tsnorm.h"

enum obj_kind {
	KIND_CERT,		/* .cer */
	KIND_CRL,		/* .crl */
	KIND_CMS,		/* RPKI signed objects but manifests */
	KIND_MFT,		/* manifests: signed objects, read for expiry */
	KIND_UNKNOWN,		/* anything else */
};

/* 1.2.840.113549.1.7.2, id-signedData */
static const unsigned char oid_signed_data[] =
    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
/* 1.2.840.113549.1.9.5, id-signingTime */
static const unsigned char oid_signing_time[] =
    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05 };

/*
 * Returns the kind of object named name by its extension. Extensions are
 * matched case-sensitively, as RPKI repositories and RPs do.
 */
static enum obj_kind
obj_kind(const char *name)
{
	static const char	*cms_ext[] = {
		".roa", ".asa", ".gbr", ".tak", ".spl", ".sig",
	};
	const char		*dot;
	size_t			 i;

	if (name == NULL || (dot = strrchr(name, '.')) == NULL ||
	    strchr(dot, '/') != NULL)
		return KIND_UNKNOWN;
	if (strcmp(dot, ".cer") == 0)
		return KIND_CERT;
	if (strcmp(dot, ".crl") == 0)
		return KIND_CRL;
	if (strcmp(dot, ".mft") == 0)
		return KIND_MFT;
	for (i = 0; i < sizeof(cms_ext) / sizeof(cms_ext[0]); i++)
		if (strcmp(dot, cms_ext[i]) == 0)
			return KIND_CMS;
	return KIND_UNKNOWN;
}

/*
 * Reads the Time that is the next element of cur.
 * Returns 1 and sets *t, or 0 if the element is not a valid Time.
 */
static int
next_time(struct der *cur, int64_t *t)
{
	struct der_elem	e;

	if (der_next(cur, &e) != 1)
		return 0;
	return der_time(&e, t);
}

/* What cms_time() found on its way, for the expiry of a manifest. */
struct cms_parts {
	int		shape_ok;	/* SignedData read up to signerInfos */
	struct der_elem	encap;		/* encapContentInfo */
	int		has_certs;
	struct der	certs;		/* certificates [0], unread */
};

/*
 * Reads the Certificate that is the next element of cur and its
 * tbsCertificate.validity.notBefore and, if na is not NULL, notAfter. The
 * outer shape (tbs, algorithm, signature, nothing more) is checked, the
 * rest of tbs is not read.
 * Returns 1 and sets *t (and *na), or 0 if it is not such a certificate.
 */
static int
cert_validity(struct der *cur, int64_t *t, int64_t *na)
{
	struct der	cert, tbs, validity;

	if (!der_enter(cur, DER_SEQUENCE, &cert) ||
	    !der_enter(&cert, DER_SEQUENCE, &tbs) ||
	    !der_expect(&cert, DER_SEQUENCE, NULL) ||
	    !der_expect(&cert, DER_BIT_STRING, NULL) ||
	    !der_empty(&cert))
		return 0;
	if (der_optional(&tbs, DER_CTX0_CONS, NULL) == -1 ||	/* version */
	    !der_expect(&tbs, DER_INTEGER, NULL) ||		/* serial */
	    !der_expect(&tbs, DER_SEQUENCE, NULL) ||		/* signature */
	    !der_expect(&tbs, DER_SEQUENCE, NULL) ||		/* issuer */
	    !der_enter(&tbs, DER_SEQUENCE, &validity))
		return 0;
	if (!next_time(&validity, t))
		return 0;
	return na == NULL || (next_time(&validity, na) && der_empty(&validity));
}

/*
 * Reads a whole-input CertificateList and its tbsCertList.thisUpdate
 * (version is OPTIONAL there, unlike in a certificate). If next is not
 * NULL, also its OPTIONAL nextUpdate: *next is set to it and *next_state to
 * TSNORM_EXPIRY_OK, or *next_state to TSNORM_EXPIRY_NO_NEXTUPDATE if it is
 * absent or TSNORM_EXPIRY_UNREADABLE if it is not a valid Time.
 * Returns 1 and sets *t, or 0 if data is not such a CRL (then *next_state
 * is TSNORM_EXPIRY_UNREADABLE).
 */
static int
crl_times(const unsigned char *data, size_t len, int64_t *t, int64_t *next,
    enum tsnorm_expiry_status *next_state)
{
	struct der	top, crl, tbs;
	struct der_elem	e;
	int		rc;

	if (next != NULL)
		*next_state = TSNORM_EXPIRY_UNREADABLE;
	der_init(&top, data, len);
	if (!der_enter(&top, DER_SEQUENCE, &crl) || !der_empty(&top) ||
	    !der_enter(&crl, DER_SEQUENCE, &tbs) ||
	    !der_expect(&crl, DER_SEQUENCE, NULL) ||
	    !der_expect(&crl, DER_BIT_STRING, NULL) ||
	    !der_empty(&crl))
		return 0;
	if (der_optional(&tbs, DER_INTEGER, NULL) == -1 ||	/* version */
	    !der_expect(&tbs, DER_SEQUENCE, NULL) ||		/* signature */
	    !der_expect(&tbs, DER_SEQUENCE, NULL))		/* issuer */
		return 0;
	if (!next_time(&tbs, t))
		return 0;
	if (next == NULL)
		return 1;
	if ((rc = der_optional(&tbs, DER_UTCTIME, &e)) == 0)
		rc = der_optional(&tbs, DER_GENTIME, &e);
	if (rc == 0)
		*next_state = TSNORM_EXPIRY_NO_NEXTUPDATE;
	else if (rc == 1 && der_time(&e, next))
		*next_state = TSNORM_EXPIRY_OK;
	return 1;
}

/*
 * Looks for the signing-time attribute in the signedAttrs window attrs.
 * Returns 1 and sets *t if found and valid, 0 if there is none, -1 if the
 * attributes or the first signing-time value are malformed.
 */
static int
signing_time(struct der *attrs, int64_t *t)
{
	struct der	attr, values;
	struct der_elem	oid;

	while (!der_empty(attrs)) {
		if (!der_enter(attrs, DER_SEQUENCE, &attr) ||
		    !der_expect(&attr, DER_OID, &oid))
			return -1;
		if (!der_oid_is(&oid, oid_signing_time,
		    sizeof(oid_signing_time)))
			continue;
		if (!der_enter(&attr, DER_SET, &values) ||
		    !next_time(&values, t))
			return -1;
		return 1;
	}
	return 0;
}

/*
 * Reads the first SignerInfo of the SignerInfos window sis and its
 * signing-time. Returns as signing_time(); -1 also if there is no
 * SignerInfo or its start is malformed.
 */
static int
signer_signing_time(struct der *sis, int64_t *t)
{
	struct der	si, attrs;
	struct der_elem	sid;
	int		rc;

	if (!der_enter(sis, DER_SEQUENCE, &si) ||
	    !der_expect(&si, DER_INTEGER, NULL) ||		/* version */
	    der_next(&si, &sid) != 1 ||
	    (sid.tag != DER_SEQUENCE && sid.tag != 0x80) ||
	    !der_expect(&si, DER_SEQUENCE, NULL))		/* digestAlg */
		return -1;
	if ((rc = der_enter_optional(&si, DER_CTX0_CONS, &attrs)) != 1)
		return rc;					/* 0: no attrs */
	return signing_time(&attrs, t);
}

/*
 * Reads a whole-input CMS ContentInfo holding SignedData: the first
 * signer's signing-time, else the first certificate's notBefore.
 * Returns 1 and sets *t and *rule; 0 if data is a ContentInfo of type
 * signedData that cannot be read; -1 if data is not CMS SignedData at all.
 * parts (may be NULL) is filled whatever the result.
 */
static int
cms_time(const unsigned char *data, size_t len, int64_t *t,
    enum tsnorm_rule *rule, struct cms_parts *parts)
{
	struct der	top, ci, content, sd, certs, sis;
	struct der_elem	oid, encap;
	int		has_certs, rc;

	if (parts != NULL)
		parts->shape_ok = 0;
	der_init(&top, data, len);
	if (!der_enter(&top, DER_SEQUENCE, &ci) ||
	    !der_expect(&ci, DER_OID, &oid) ||
	    !der_oid_is(&oid, oid_signed_data, sizeof(oid_signed_data)))
		return -1;
	if (!der_empty(&top) ||
	    !der_enter(&ci, DER_CTX0_CONS, &content) || !der_empty(&ci) ||
	    !der_enter(&content, DER_SEQUENCE, &sd) || !der_empty(&content))
		return 0;
	if (!der_expect(&sd, DER_INTEGER, NULL) ||		/* version */
	    !der_expect(&sd, DER_SET, NULL) ||			/* digestAlgs */
	    !der_expect(&sd, DER_SEQUENCE, &encap))		/* encapContent */
		return 0;
	if ((has_certs = der_enter_optional(&sd, DER_CTX0_CONS, &certs)) == -1)
		return 0;
	if (der_optional(&sd, DER_CTX1_CONS, NULL) == -1 ||	/* crls */
	    !der_enter(&sd, DER_SET, &sis) || !der_empty(&sd))
		return 0;
	if (parts != NULL) {
		parts->shape_ok = 1;
		parts->encap = encap;
		parts->has_certs = has_certs;
		parts->certs = certs;
	}

	if ((rc = signer_signing_time(&sis, t)) == -1)
		return 0;
	if (rc == 1) {
		*rule = TSNORM_CMS_SIGNINGTIME;
		return 1;
	}
	if (!has_certs || !cert_validity(&certs, t, NULL))
		return 0;
	*rule = TSNORM_CMS_EE_NOTBEFORE;
	return 1;
}

/* Returns the hash-rule time of content whose SHA-256 is md. */
static int64_t
hash_time(const unsigned char *md)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < TSNORM_HASH_OCTETS; i++)
		v = (v << 8) | md[i];
	return TSNORM_HASH_BASE + (int64_t)(v % (uint64_t)TSNORM_HASH_SPAN);
}

void
tsnorm_hash_result(const unsigned char *md, const char *name,
    struct tsnorm_result *res)
{
	res->time = hash_time(md);
	res->rule = obj_kind(name) == KIND_UNKNOWN ? TSNORM_HASH_UNKNOWN :
	    TSNORM_HASH_UNPARSEABLE;
}

/*
 * Fills exp with the expiry of a manifest from the parts cms_time() found
 * (parts->shape_ok 0: the SignedData could not be read).
 */
static void
mft_expiry(const struct cms_parts *parts, struct tsnorm_expiry *exp)
{
	struct der	certs = parts->certs;
	int64_t		nb;

	exp->status = TSNORM_EXPIRY_UNREADABLE;
	if (!parts->shape_ok || !parts->has_certs ||
	    !cert_validity(&certs, &nb, &exp->not_after) ||
	    !mft_econtent_times(&parts->encap, &exp->this_update,
	    &exp->next_update)) {
		exp->this_update = exp->next_update = TSNORM_NO_TIME;
		exp->not_after = TSNORM_NO_TIME;
		return;
	}
	exp->status = TSNORM_EXPIRY_OK;
	exp->expiry = exp->next_update < exp->not_after ? exp->next_update :
	    exp->not_after;
}

/* Sets exp to "nothing read" for an object of kind kind. */
static void
expiry_init(struct tsnorm_expiry *exp, enum obj_kind kind)
{
	exp->kind = kind == KIND_MFT ? TSNORM_EXPIRY_MFT :
	    kind == KIND_CRL ? TSNORM_EXPIRY_CRL : TSNORM_EXPIRY_NONE;
	exp->status = exp->kind == TSNORM_EXPIRY_NONE ? TSNORM_EXPIRY_OK :
	    TSNORM_EXPIRY_UNREADABLE;
	exp->this_update = exp->next_update = TSNORM_NO_TIME;
	exp->not_after = exp->expiry = TSNORM_NO_TIME;
}

int
tsnorm_inspect(const unsigned char *data, size_t len, const char *name,
    struct tsnorm_result *res, struct tsnorm_expiry *exp)
{
	static const unsigned char	 empty[1];
	unsigned char			 md[SHA256_DIGEST_LENGTH];
	enum obj_kind			 kind = obj_kind(name);
	enum tsnorm_rule		 rule = TSNORM_HASH_UNPARSEABLE;
	struct cms_parts		 parts;
	struct der			 top;
	int64_t				 t = 0;
	int				 found = 0, rc = -1;

	if (data == NULL)
		len = 0;
	if (exp != NULL)
		expiry_init(exp, kind);
	parts.shape_ok = 0;
	if (len <= TSNORM_MAX_PARSE_SIZE) {
		der_init(&top, data, len);
		if (kind == KIND_CERT && cert_validity(&top, &t, NULL) &&
		    der_empty(&top)) {
			found = 1;
			rule = TSNORM_CERT_NOTBEFORE;
		} else if (kind == KIND_CRL && crl_times(data, len, &t,
		    exp != NULL ? &exp->next_update : NULL,
		    exp != NULL ? &exp->status : NULL)) {
			found = 1;
			rule = TSNORM_CRL_THISUPDATE;
		} else if ((rc = cms_time(data, len, &t, &rule,
		    exp != NULL && kind == KIND_MFT ? &parts : NULL)) == 1)
			found = 1;
	}
	if (exp != NULL && kind == KIND_MFT)
		mft_expiry(&parts, exp);
	else if (exp != NULL && rule == TSNORM_CRL_THISUPDATE) {
		exp->this_update = t;
		if (exp->status == TSNORM_EXPIRY_OK)
			exp->expiry = exp->next_update;
		else
			exp->next_update = TSNORM_NO_TIME;
	}

	if (found && t >= 0 && t < TSNORM_TIME_MAX) {
		res->time = t;
		res->rule = rule;
		return 0;
	}

	/* SHA256() wants a valid pointer even for no data. */
	SHA256(data != NULL ? data : empty, len, md);
	res->time = hash_time(md);
	if (found)
		res->rule = TSNORM_HASH_OUT_OF_RANGE;
	else if (kind == KIND_UNKNOWN && rc == -1)
		res->rule = TSNORM_HASH_UNKNOWN;
	else
		res->rule = TSNORM_HASH_UNPARSEABLE;
	return 0;
}

int
tsnorm_time(const unsigned char *data, size_t len, const char *name,
    struct tsnorm_result *res)
{
	return tsnorm_inspect(data, len, name, res, NULL);
}

const char *
tsnorm_expiry_status_name(enum tsnorm_expiry_status status)
{
	switch (status) {
	case TSNORM_EXPIRY_OK:
		return "ok";
	case TSNORM_EXPIRY_UNREADABLE:
		return "unreadable";
	case TSNORM_EXPIRY_NO_NEXTUPDATE:
		return "no-nextupdate";
	}
	return "unknown";
}

const char *
tsnorm_rule_name(enum tsnorm_rule rule)
{
	switch (rule) {
	case TSNORM_CRL_THISUPDATE:
		return "crl-thisupdate";
	case TSNORM_CERT_NOTBEFORE:
		return "cert-notbefore";
	case TSNORM_CMS_SIGNINGTIME:
		return "cms-signingtime";
	case TSNORM_CMS_EE_NOTBEFORE:
		return "cms-ee-notbefore";
	case TSNORM_HASH_UNPARSEABLE:
		return "hash-unparseable";
	case TSNORM_HASH_UNKNOWN:
		return "hash-unknown";
	case TSNORM_HASH_OUT_OF_RANGE:
		return "hash-out-of-range";
	case TSNORM_DIR:
		return "dir";
	}
	return "unknown";
}
