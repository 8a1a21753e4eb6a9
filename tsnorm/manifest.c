/*
 * A manifest's thisUpdate and nextUpdate, from its CMS eContent.
 *
 *	Manifest ::= SEQUENCE {
 *	    version	[0] EXPLICIT INTEGER DEFAULT 0,
 *	    manifestNumber	INTEGER,
 *	    thisUpdate	GeneralizedTime,
 *	    nextUpdate	GeneralizedTime,
 *	    fileHashAlg	OBJECT IDENTIFIER,
 *	    fileList	SEQUENCE OF FileAndHash }
 *
 * The whole shape is checked (what follows nextUpdate too), the file list's
 * entries are not read.
 */
#include <stdlib.h>
#include <string.h>

#include "tsnorm/manifest.h"

/* 1.2.840.113549.1.9.16.1.26, id-ct-rpkiManifest */
static const unsigned char oid_rpki_manifest[] =
    { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x1a };

/*
 * Reads a GeneralizedTime (RFC 9286 wants no UTCTime here) as the next
 * element of cur. Returns 1 and sets *t, or 0.
 */
static int
next_gentime(struct der *cur, int64_t *t)
{
	struct der_elem	e;

	return der_expect(cur, DER_GENTIME, &e) && der_time(&e, t);
}

/*
 * Parses the DER Manifest in data[0..len). Returns 1 and sets the times,
 * or 0 if it is not a whole Manifest.
 */
static int
mft_times(const unsigned char *data, size_t len, int64_t *this_update,
    int64_t *next_update)
{
	struct der	top, mft, version;
	int		rc;

	der_init(&top, data, len);
	if (!der_enter(&top, DER_SEQUENCE, &mft) || !der_empty(&top))
		return 0;
	if ((rc = der_enter_optional(&mft, DER_CTX0_CONS, &version)) == -1)
		return 0;
	if (rc == 1 && (!der_expect(&version, DER_INTEGER, NULL) ||
	    !der_empty(&version)))
		return 0;
	return der_expect(&mft, DER_INTEGER, NULL) &&	/* manifestNumber */
	    next_gentime(&mft, this_update) &&
	    next_gentime(&mft, next_update) &&
	    der_expect(&mft, DER_OID, NULL) &&		/* fileHashAlg */
	    der_expect(&mft, DER_SEQUENCE, NULL) &&	/* fileList */
	    der_empty(&mft);
}

/*
 * Joins the primitive OCTET STRING segments in the window segs into a new
 * buffer (caller frees). Returns it and sets *len, or NULL if a segment is
 * not a primitive OCTET STRING, the encoding is bad or memory is short.
 * The result is never longer than segs, which lies inside the object.
 */
static unsigned char *
join_segments(struct der *segs, size_t *len)
{
	struct der	 scan = *segs;
	struct der_elem	 e;
	unsigned char	*buf;
	size_t		 total = 0;
	int		 rc;

	while ((rc = der_next(&scan, &e)) == 1) {
		if (e.tag != DER_OCTET_STRING)
			return NULL;
		total += e.len;
	}
	if (rc == -1 || (buf = malloc(total > 0 ? total : 1)) == NULL)
		return NULL;
	*len = 0;
	while (der_next(segs, &e) == 1) {
		memcpy(buf + *len, e.val, e.len);
		*len += e.len;
	}
	return buf;
}

int
mft_econtent_times(const struct der_elem *encap, int64_t *this_update,
    int64_t *next_update)
{
	struct der	 top, eci, explicit, segs;
	struct der_elem	 oid, oct;
	unsigned char	*joined;
	size_t		 len;
	int		 ok;

	if (encap->tag != DER_SEQUENCE)
		return 0;
	der_init(&top, encap->val, encap->len);
	eci = top;
	if (!der_expect(&eci, DER_OID, &oid) ||
	    !der_oid_is(&oid, oid_rpki_manifest, sizeof(oid_rpki_manifest)) ||
	    !der_enter(&eci, DER_CTX0_CONS, &explicit) || !der_empty(&eci))
		return 0;
	if (der_optional(&explicit, DER_OCTET_STRING, &oct) == 1)
		return der_empty(&explicit) &&
		    mft_times(oct.val, oct.len, this_update, next_update);
	if (!der_enter(&explicit, DER_OCTET_STRING_CONS, &segs) ||
	    !der_empty(&explicit) || (joined = join_segments(&segs, &len)) ==
	    NULL)
		return 0;
	ok = mft_times(joined, len, this_update, next_update);
	free(joined);
	return ok;
}
