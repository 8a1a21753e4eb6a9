/*
 * Attribute handling shared by the RRDP document parsers, and the checks
 * of the values RFC 8182 allows: version, session_id, serial, hash, uri.
 * Every function that can fail records the reason with rrdp_fail.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rsyncswap/base/hex.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/number.h"
#include "rsyncswap/base/uuid.h"
#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/rrdp/rrdp_local.h"

/* Longest attribute value quoted back in an error message. */
#define RRDP_QUOTE_MAX	80

/* Decimal digits of LLONG_MAX (9223372036854775807). */
#define RRDP_SERIAL_DIGITS	19

/* Returns 1 when the len bytes at s are all XML whitespace, else 0. */
int
rrdp_is_space(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\n')
			return 0;
	return 1;
}

/* Writes the 2 * len lowercase hex digits of buf, NUL-terminated, to out. */
void
rrdp_hex(const unsigned char *buf, size_t len, char *out)
{
	hex_encode(buf, len, out);
	out[2 * len] = '\0';
}

/* Returns the attribute value as an int for "%.*s" in messages. */
static int
quote_len(const struct rrdp_attr *a)
{
	return a->len > RRDP_QUOTE_MAX ? RRDP_QUOTE_MAX : (int)a->len;
}

/*
 * Fills want[i].value/len from the element's attributes; absent ones stay
 * NULL. Returns 0, or -1 on an unknown, namespaced or repeated attribute.
 */
int
rrdp_attrs_get(struct rrdp_parser *p, const char *elem,
    const xmlChar **attrs, int nattrs, struct rrdp_attr *want, size_t nwant)
{
	const char *name;
	size_t i;
	int a;

	for (i = 0; i < nwant; i++) {
		want[i].value = NULL;
		want[i].len = 0;
	}
	/* SAX2: localname, prefix, URI, value, end for each attribute. */
	for (a = 0; a < nattrs; a++) {
		name = (const char *)attrs[5 * a];
		if (attrs[5 * a + 1] != NULL || attrs[5 * a + 2] != NULL) {
			rrdp_fail(p, "unexpected namespaced attribute %s in "
			    "<%s>", name, elem);
			return -1;
		}
		for (i = 0; i < nwant; i++)
			if (strcmp(name, want[i].name) == 0)
				break;
		if (i == nwant) {
			rrdp_fail(p, "unexpected attribute %s in <%s>", name,
			    elem);
			return -1;
		}
		if (want[i].value != NULL) {
			rrdp_fail(p, "repeated attribute %s in <%s>", name,
			    elem);
			return -1;
		}
		want[i].value = (const char *)attrs[5 * a + 3];
		want[i].len = (size_t)(attrs[5 * a + 4] - attrs[5 * a + 3]);
	}
	return 0;
}

/* Returns 0 when the attribute is present, else -1 (error recorded). */
int
rrdp_attr_require(struct rrdp_parser *p, const char *elem,
    const struct rrdp_attr *a)
{
	if (a->value != NULL)
		return 0;
	rrdp_fail(p, "missing attribute %s in <%s>", a->name, elem);
	return -1;
}

/*
 * Parses a serial: 1 to 19 decimal digits, no sign or space, value in
 * 1..LLONG_MAX. Returns 0 with *out set, or -1.
 */
int
rrdp_attr_serial(struct rrdp_parser *p, const struct rrdp_attr *a,
    long long *out)
{
	char buf[RRDP_SERIAL_DIGITS + 1];

	if (a->len > 0 && a->len <= RRDP_SERIAL_DIGITS &&
	    memchr(a->value, '\0', a->len) == NULL) {
		memcpy(buf, a->value, a->len);
		buf[a->len] = '\0';
		if (number_parse(buf, 1, LLONG_MAX, out) == 0)
			return 0;
	}
	rrdp_fail(p, "invalid %s \"%.*s\"", a->name, quote_len(a), a->value);
	return -1;
}

/* Decodes 64 hex digits (either case) into out. Returns 0 or -1. */
int
rrdp_attr_hash(struct rrdp_parser *p, const struct rrdp_attr *a,
    unsigned char *out)
{
	if (a->len == 2 * RRDP_HASH_LEN &&
	    hex_decode(a->value, RRDP_HASH_LEN, out) == 0)
		return 0;
	rrdp_fail(p, "invalid %s \"%.*s\"", a->name, quote_len(a), a->value);
	return -1;
}

/*
 * libxml2, which replaces no entities for us, hands every '&' of an
 * attribute value on as the character reference "&#38;" (and decodes
 * everything else): a raw '&' never comes, so this is its one spelling.
 */
#define AMP_REF		"&#38;"
#define AMP_REF_LEN	(sizeof(AMP_REF) - 1)

/*
 * Copies a URI into out (outsz bytes), "&#38;" decoded to '&'. Only its
 * length and the absence of control characters are checked here; what a
 * URI may map to is decided by the uri module. Returns 0 or -1.
 */
int
rrdp_attr_uri(struct rrdp_parser *p, const struct rrdp_attr *a, char *out,
    size_t outsz)
{
	size_t i, n = 0;

	if (a->len == 0) {
		rrdp_fail(p, "empty %s", a->name);
		return -1;
	}
	for (i = 0; i < a->len; i++) {
		if ((unsigned char)a->value[i] < 0x20 || a->value[i] == 0x7f) {
			rrdp_fail(p, "control character in %s \"%.*s\"",
			    a->name, quote_len(a), a->value);
			return -1;
		}
		if (n >= MAX_URI_LENGTH || n + 1 >= outsz) {
			rrdp_fail(p, "%s longer than %d bytes", a->name,
			    MAX_URI_LENGTH);
			return -1;
		}
		out[n++] = a->value[i];
		if (a->value[i] == '&' && a->len - i >= AMP_REF_LEN &&
		    memcmp(a->value + i, AMP_REF, AMP_REF_LEN) == 0)
			i += AMP_REF_LEN - 1;	/* the '&' is written */
	}
	out[n] = '\0';
	return 0;
}

/* Returns 1 when the value is a UUID, 8-4-4-4-12 hex digits, else 0. */
static int
valid_session(const struct rrdp_attr *a)
{
	return uuid_valid(a->value, a->len);
}

/*
 * Parses the attributes every RRDP root element has: xmlns (seen by the
 * driver), version="1", session_id and serial. The session_id is stored
 * in lowercase in session (RRDP_SESSION_LEN + 1 bytes). Returns 0 or -1.
 */
int
rrdp_root_attrs(struct rrdp_parser *p, const char *elem,
    const xmlChar **attrs, int nattrs, char *session, long long *serial)
{
	struct rrdp_attr a[] = {
		{ .name = "version" },
		{ .name = "session_id" },
		{ .name = "serial" },
	};
	size_t i;

	if (rrdp_attrs_get(p, elem, attrs, nattrs, a, 3) == -1)
		return -1;
	for (i = 0; i < 3; i++)
		if (rrdp_attr_require(p, elem, &a[i]) == -1)
			return -1;
	if (a[0].len != 1 || a[0].value[0] != '1') {
		rrdp_fail(p, "unsupported version \"%.*s\"", quote_len(&a[0]),
		    a[0].value);
		return -1;
	}
	if (!valid_session(&a[1])) {
		rrdp_fail(p, "invalid session_id \"%.*s\"", quote_len(&a[1]),
		    a[1].value);
		return -1;
	}
	for (i = 0; i < RRDP_SESSION_LEN; i++)
		session[i] = (char)tolower((unsigned char)a[1].value[i]);
	session[RRDP_SESSION_LEN] = '\0';
	return rrdp_attr_serial(p, &a[2], serial);
}

/*
 * Checks a snapshot's or delta's session and serial against what the
 * notification announced (session_id compared case-insensitively).
 * Returns 0 or -1.
 */
int
rrdp_check_root_expected(struct rrdp_parser *p, const char *session,
    long long serial)
{
	if (strcasecmp(session, p->expect_session) != 0) {
		rrdp_fail(p, "session_id %s does not match notification's %s",
		    session, p->expect_session);
		return -1;
	}
	if (serial != p->expect_serial) {
		rrdp_fail(p, "serial %lld does not match notification's %lld",
		    serial, p->expect_serial);
		return -1;
	}
	return 0;
}
