/*
 * A small, strictly bounded DER reader: just enough to find a few times in
 * certificates, CRLs and CMS signed objects without OpenSSL's d2i.
 *
 * A struct der is a window over the contents of one constructed element.
 * Every length is checked against what remains of that window, only
 * definite minimal-length encodings and low tag numbers are accepted, and
 * entering a nested element counts against DER_MAX_DEPTH, so no input can
 * make the reader read outside data[0..len) or go deeper than the bound.
 */
#ifndef TSNORM_DER_H
#define TSNORM_DER_H

#include <stddef.h>
#include <stdint.h>

/* Deepest nesting der_enter() allows; our deepest path (CMS) needs 9. */
#define DER_MAX_DEPTH		16

/* Longest length encoding accepted: 4 octets, lengths below 4 GiB. */
#define DER_MAX_LEN_OCTETS	4

/* Universal and context tags (class and constructed bits included). */
#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OCTET_STRING	0x04
#define DER_OCTET_STRING_CONS	0x24	/* BER constructed OCTET STRING */
#define DER_OID			0x06
#define DER_UTCTIME		0x17
#define DER_GENTIME		0x18
#define DER_SEQUENCE		0x30
#define DER_SET			0x31
#define DER_CTX0_CONS		0xa0	/* [0] constructed */
#define DER_CTX1_CONS		0xa1	/* [1] constructed */

struct der {
	const unsigned char	*p;	/* next unread octet */
	size_t			 left;	/* octets left in this window */
	int			 depth;	/* nesting level of this window */
};

struct der_elem {
	unsigned char		 tag;	/* the identifier octet */
	const unsigned char	*val;	/* contents octets */
	size_t			 len;	/* number of contents octets */
};

/* Sets cur to the whole of data[0..len) at depth 0. */
void	der_init(struct der *cur, const unsigned char *data, size_t len);

/* Returns 1 if no octet is left in cur, 0 otherwise. */
int	der_empty(const struct der *cur);

/*
 * Reads the next element of cur into e and moves past it.
 * Returns 1 on success, 0 if cur is empty, -1 if the encoding is bad
 * (truncated, indefinite or non-minimal length, high tag number).
 */
int	der_next(struct der *cur, struct der_elem *e);

/*
 * Reads the next element of cur, which must have tag tag.
 * Returns 1 if it does (its value in e), 0 otherwise (bad encoding, other
 * tag or nothing left); cur has then moved in an unspecified way.
 */
int	der_expect(struct der *cur, unsigned char tag, struct der_elem *e);

/*
 * Like der_expect, but opens the element as the window inner, one level
 * deeper than cur. Returns 1 on success, 0 on a bad element or if
 * DER_MAX_DEPTH would be exceeded.
 */
int	der_enter(struct der *cur, unsigned char tag, struct der *inner);

/*
 * If the next element of cur has tag tag, reads it into e and returns 1;
 * if it has another tag or cur is empty, leaves cur alone and returns 0;
 * returns -1 on a bad encoding.
 */
int	der_optional(struct der *cur, unsigned char tag, struct der_elem *e);

/*
 * Like der_enter for an OPTIONAL element: returns 1 if the next element of
 * cur has tag tag and was entered as inner; 0 if it has another tag or cur
 * is empty (cur untouched); -1 on a bad encoding or too deep a nesting.
 */
int	der_enter_optional(struct der *cur, unsigned char tag,
	    struct der *inner);

/*
 * Returns 1 if e is an OBJECT IDENTIFIER whose contents octets are
 * oid[0..oidlen), 0 otherwise.
 */
int	der_oid_is(const struct der_elem *e, const unsigned char *oid,
	    size_t oidlen);

/*
 * Parses a Time (RFC 5280 4.1.2.5): a UTCTime YYMMDDHHMMSSZ (years 50..99
 * are 19xx, 00..49 are 20xx) or a GeneralizedTime YYYYMMDDHHMMSSZ, no
 * fractions, no offsets, every field in range (leap years included).
 * Returns 1 and sets *t to seconds since the epoch (may be negative), or 0
 * if e is not such a time.
 */
int	der_time(const struct der_elem *e, int64_t *t);

#endif
