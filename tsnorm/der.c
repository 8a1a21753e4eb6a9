/*
 * Strictly bounded DER reader; see der.h for the guarantees.
 */
#include <string.h>

#include "tsnorm/der.h"

void
der_init(struct der *cur, const unsigned char *data, size_t len)
{
	cur->p = data;
	cur->left = data == NULL ? 0 : len;
	cur->depth = 0;
}

int
der_empty(const struct der *cur)
{
	return cur->left == 0;
}

/*
 * Decodes the identifier and length octets at p[0..left); nest is the
 * number of indefinite-length elements being scanned around p.
 * Returns 1 with *hdr (octets before the contents), *len (contents octets)
 * and *eoc (2 for the end-of-contents octets of the indefinite form, else
 * 0) set, 0 if left is 0, -1 on a bad encoding. The whole element is
 * checked to fit in p[0..left).
 *
 * The indefinite form is BER, not DER, but real RIPE NCC manifests and
 * ROAs use it for their CMS wrapper, so it is accepted for constructed
 * elements. Its end is found by walking its elements, recursing only into
 * nested indefinite ones and at most DER_MAX_DEPTH deep.
 */
static int
der_header_at(const unsigned char *p, size_t left, int nest,
    unsigned char *tag, size_t *hdr, size_t *len, size_t *eoc)
{
	size_t		n, i, l, off, h2, l2, e2;
	unsigned char	t2;

	if (left == 0)
		return 0;
	if (left < 2)
		return -1;
	/* High tag numbers (low five bits all set) never occur in our paths. */
	if ((p[0] & 0x1f) == 0x1f)
		return -1;
	*tag = p[0];
	*eoc = 0;
	if (p[1] < 0x80) {
		*hdr = 2;
		*len = p[1];
		return *len <= left - 2 ? 1 : -1;
	}
	if (p[1] == 0x80) {
		if ((p[0] & 0x20) == 0 || nest >= DER_MAX_DEPTH)
			return -1;
		for (off = 2; ; off += h2 + l2 + e2) {
			if (left - off >= 2 && p[off] == 0 && p[off + 1] == 0)
				break;
			if (der_header_at(p + off, left - off, nest + 1, &t2,
			    &h2, &l2, &e2) != 1)
				return -1;
		}
		*hdr = 2;
		*len = off - 2;
		*eoc = 2;
		return 1;
	}
	n = p[1] & 0x7f;
	if (n > DER_MAX_LEN_OCTETS || n > left - 2)
		return -1;
	/* Minimal encoding: no leading zero, long form only from 128 on. */
	if (p[2] == 0)
		return -1;
	l = 0;
	for (i = 0; i < n; i++)
		l = (l << 8) | p[2 + i];
	if (l < 0x80 || l > left - 2 - n)
		return -1;
	*hdr = 2 + n;
	*len = l;
	return 1;
}

/* As der_header_at, for the next element of cur. */
static int
der_header(const struct der *cur, unsigned char *tag, size_t *hdr,
    size_t *len, size_t *eoc)
{
	return der_header_at(cur->p, cur->left, 0, tag, hdr, len, eoc);
}

int
der_next(struct der *cur, struct der_elem *e)
{
	unsigned char	tag;
	size_t		hdr, len, eoc;
	int		rc;

	if ((rc = der_header(cur, &tag, &hdr, &len, &eoc)) != 1)
		return rc;
	if (e != NULL) {
		e->tag = tag;
		e->val = cur->p + hdr;
		e->len = len;
	}
	cur->p += hdr + len + eoc;
	cur->left -= hdr + len + eoc;
	return 1;
}

int
der_expect(struct der *cur, unsigned char tag, struct der_elem *e)
{
	struct der_elem	tmp;

	if (der_next(cur, &tmp) != 1 || tmp.tag != tag)
		return 0;
	if (e != NULL)
		*e = tmp;
	return 1;
}

int
der_enter(struct der *cur, unsigned char tag, struct der *inner)
{
	struct der_elem	e;

	if (cur->depth >= DER_MAX_DEPTH)
		return 0;
	if (!der_expect(cur, tag, &e))
		return 0;
	inner->p = e.val;
	inner->left = e.len;
	inner->depth = cur->depth + 1;
	return 1;
}

int
der_optional(struct der *cur, unsigned char tag, struct der_elem *e)
{
	unsigned char	t;
	size_t		hdr, len, eoc;
	int		rc;

	if ((rc = der_header(cur, &t, &hdr, &len, &eoc)) != 1)
		return rc;
	if (t != tag)
		return 0;
	return der_next(cur, e);
}

int
der_enter_optional(struct der *cur, unsigned char tag, struct der *inner)
{
	unsigned char	t;
	size_t		hdr, len, eoc;
	int		rc;

	if ((rc = der_header(cur, &t, &hdr, &len, &eoc)) != 1)
		return rc;
	if (t != tag)
		return 0;
	return der_enter(cur, tag, inner) ? 1 : -1;
}

int
der_oid_is(const struct der_elem *e, const unsigned char *oid, size_t oidlen)
{
	return e->tag == DER_OID && e->len == oidlen &&
	    memcmp(e->val, oid, oidlen) == 0;
}

/*
 * Reads n decimal digits at s. Returns their value, or -1 if one of them is
 * not a digit.
 */
static int
digits(const unsigned char *s, int n)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Returns the number of days from 1970-01-01 to y-m-d (proleptic). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	/* Howard Hinnant's algorithm: years start on March 1st. */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Returns the number of days in month m of year y. */
static int
month_days(int y, int m)
{
	static const int	mdays[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return mdays[m - 1];
}

int
der_time(const struct der_elem *e, int64_t *t)
{
	const unsigned char	*s = e->val;
	int			 y, mo, d, h, mi, sec;

	if (e->tag == DER_UTCTIME && e->len == 13) {
		if ((y = digits(s, 2)) == -1)
			return 0;
		y += y < 50 ? 2000 : 1900;
		s += 2;
	} else if (e->tag == DER_GENTIME && e->len == 15) {
		if ((y = digits(s, 4)) == -1)
			return 0;
		s += 4;
	} else
		return 0;

	mo = digits(s, 2);
	d = digits(s + 2, 2);
	h = digits(s + 4, 2);
	mi = digits(s + 6, 2);
	sec = digits(s + 8, 2);
	if (s[10] != 'Z')
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return 0;

	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 1;
}
