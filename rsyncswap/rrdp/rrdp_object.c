/*
 * <publish> and <withdraw> elements of snapshots and deltas. The base64
 * content of a publish is decoded as libxml2 hands over the text, into a
 * buffer that never exceeds max_object_size; the handler gets the object
 * at the end tag. Whitespace is dropped and padding checked (RFC 4648)
 * here; whole quanta are decoded by OpenSSL's EVP_DecodeBlock, several
 * times faster than EVP_DecodeUpdate, whose line handling RRDP does not
 * need.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/rrdp/rrdp_local.h"

/* Base64 characters decoded at once (whole quanta). */
#define RRDP_B64_SLICE		4096

/* First buffer size for an object; it doubles up to max_object_size. */
#define RRDP_OBJECT_MINBUF	4096

/*
 * Opens a publish (withdraw == 0) or withdraw element: checks and keeps
 * uri and hash. Returns 0, or -1 with the error recorded.
 */
int
rrdp_object_start(struct rrdp_parser *p, const char *elem,
    const xmlChar **attrs, int nattrs, int withdraw, int hash_allowed,
    int hash_required)
{
	struct rrdp_object *o = &p->obj;
	struct rrdp_attr a[] = { { .name = "uri" }, { .name = "hash" } };

	if (rrdp_attrs_get(p, elem, attrs, nattrs, a, hash_allowed ? 2 : 1)
	    == -1 || rrdp_attr_require(p, elem, &a[0]) == -1)
		return -1;
	if (hash_required && rrdp_attr_require(p, elem, &a[1]) == -1)
		return -1;
	if (rrdp_attr_uri(p, &a[0], o->uri, sizeof(o->uri)) == -1)
		return -1;
	o->has_hash = a[1].value != NULL;
	if (o->has_hash && rrdp_attr_hash(p, &a[1], o->hash) == -1)
		return -1;
	o->withdraw = withdraw;
	o->len = 0;
	o->b64_ended = o->b64_pad = 0;
	o->b64_nq = 0;
	return 0;
}

/* What a byte is in base64 content: 0 invalid. */
enum { B64_BAD, B64_SPACE, B64_DATA, B64_PAD };

/* The class of every byte; a table keeps this cheaper than the decoding. */
static const unsigned char b64_class[256] = {
	['\t'] = B64_SPACE, ['\n'] = B64_SPACE, ['\r'] = B64_SPACE,
	[' '] = B64_SPACE, ['='] = B64_PAD,
	['+'] = B64_DATA, ['/'] = B64_DATA,
	['0'] = B64_DATA, ['1'] = B64_DATA, ['2'] = B64_DATA, ['3'] = B64_DATA,
	['4'] = B64_DATA, ['5'] = B64_DATA, ['6'] = B64_DATA, ['7'] = B64_DATA,
	['8'] = B64_DATA, ['9'] = B64_DATA,
	['A'] = B64_DATA, ['B'] = B64_DATA, ['C'] = B64_DATA, ['D'] = B64_DATA,
	['E'] = B64_DATA, ['F'] = B64_DATA, ['G'] = B64_DATA, ['H'] = B64_DATA,
	['I'] = B64_DATA, ['J'] = B64_DATA, ['K'] = B64_DATA, ['L'] = B64_DATA,
	['M'] = B64_DATA, ['N'] = B64_DATA, ['O'] = B64_DATA, ['P'] = B64_DATA,
	['Q'] = B64_DATA, ['R'] = B64_DATA, ['S'] = B64_DATA, ['T'] = B64_DATA,
	['U'] = B64_DATA, ['V'] = B64_DATA, ['W'] = B64_DATA, ['X'] = B64_DATA,
	['Y'] = B64_DATA, ['Z'] = B64_DATA,
	['a'] = B64_DATA, ['b'] = B64_DATA, ['c'] = B64_DATA, ['d'] = B64_DATA,
	['e'] = B64_DATA, ['f'] = B64_DATA, ['g'] = B64_DATA, ['h'] = B64_DATA,
	['i'] = B64_DATA, ['j'] = B64_DATA, ['k'] = B64_DATA, ['l'] = B64_DATA,
	['m'] = B64_DATA, ['n'] = B64_DATA, ['o'] = B64_DATA, ['p'] = B64_DATA,
	['q'] = B64_DATA, ['r'] = B64_DATA, ['s'] = B64_DATA, ['t'] = B64_DATA,
	['u'] = B64_DATA, ['v'] = B64_DATA, ['w'] = B64_DATA, ['x'] = B64_DATA,
	['y'] = B64_DATA, ['z'] = B64_DATA,
};

/*
 * Makes room for n more decoded bytes in the object, plus slack bytes
 * that do not count (at most 2). Returns 0, or -1 with the error recorded.
 */
static int
object_reserve(struct rrdp_parser *p, size_t n, size_t slack)
{
	struct rrdp_object *o = &p->obj;
	unsigned char *nb;
	size_t ncap;

	if (n > p->max_object_size - o->len) {
		rrdp_fail(p, "object too large (over %zu bytes): %s",
		    p->max_object_size, o->uri);
		return -1;
	}
	if (o->len + n + slack > o->cap) {
		ncap = o->cap == 0 ? RRDP_OBJECT_MINBUF : o->cap;
		while (ncap < o->len + n + slack)
			ncap *= 2;
		if (ncap > p->max_object_size + 2)
			ncap = p->max_object_size + 2;
		if ((nb = realloc(o->buf, ncap)) == NULL) {
			rrdp_fail(p, "out of memory");
			return -1;
		}
		o->buf = nb;
		o->cap = ncap;
	}
	return 0;
}

/*
 * Decodes the whole quanta q[0..n) (n a multiple of 4; '=' only as the
 * checked padding of the last one, pad of them) into the object. Returns
 * 0, or -1 with the error recorded.
 */
static int
object_decode(struct rrdp_parser *p, const unsigned char *q, size_t n,
    int pad)
{
	struct rrdp_object *o = &p->obj;
	size_t out = n / 4 * 3;
	int r;

	if (n == 0)
		return 0;
	/* The padding's zero bytes are decoded too: room for them. */
	if (object_reserve(p, out - (size_t)pad, (size_t)pad) == -1)
		return -1;
	r = EVP_DecodeBlock(o->buf + o->len, q, (int)n);
	if (r < 0 || (size_t)r != out) {
		rrdp_fail(p, "invalid base64 in <publish> %s", o->uri);
		return -1;
	}
	o->len += out - (size_t)pad;
	return 0;
}

/* Text inside a publish (base64) or withdraw (whitespace only). */
void
rrdp_object_text(struct rrdp_parser *p, const char *s, size_t len)
{
	struct rrdp_object *o = &p->obj;
	unsigned char q[RRDP_B64_SLICE];
	size_t i, n;

	if (o->withdraw) {
		if (!rrdp_is_space(s, len))
			rrdp_fail(p, "unexpected text in <withdraw>");
		return;
	}
	/* q holds the open quantum, then whole quanta as they come. */
	memcpy(q, o->b64_q, o->b64_nq);
	n = o->b64_nq;
	for (i = 0; i < len; i++) {
		switch (b64_class[(unsigned char)s[i]]) {
		case B64_SPACE:
			continue;
		case B64_DATA:
			/* After '=' only '=' may complete the quantum. */
			if (o->b64_ended || o->b64_pad > 0)
				goto bad;
			break;
		case B64_PAD:
			/* "xx==" or "xxx=": at the third or fourth place. */
			if (o->b64_ended || n % 4 < 2)
				goto bad;
			o->b64_pad++;
			break;
		default:
			goto bad;
		}
		q[n++] = (unsigned char)s[i];
		if (n % 4 == 0 && o->b64_pad > 0)
			o->b64_ended = 1;
		if (n == sizeof(q) || o->b64_ended) {
			if (object_decode(p, q, n, o->b64_ended ?
			    o->b64_pad : 0) == -1)
				return;
			n = 0;
		}
	}
	if (object_decode(p, q, n - n % 4, 0) == -1)
		return;
	o->b64_nq = n % 4;
	memcpy(o->b64_q, q + n - o->b64_nq, o->b64_nq);
	return;
bad:
	rrdp_fail(p, "invalid base64 in <publish> %s", o->uri);
}

/* Closes the element: hands the object to the handler. */
void
rrdp_object_end(struct rrdp_parser *p)
{
	struct rrdp_object *o = &p->obj;
	const unsigned char *hash = o->has_hash ? o->hash : NULL;
	char err[ERR_MAX];
	int rc = 0;

	err[0] = '\0';
	if (o->withdraw) {
		if (p->h.withdraw != NULL)
			rc = p->h.withdraw(p->h.arg, o->uri, hash, err,
			    sizeof(err));
	} else {
		if (o->b64_nq != 0) {
			rrdp_fail(p, "invalid base64 in <publish> %s "
			    "(incomplete)", o->uri);
			return;
		}
		if (o->len == 0) {
			rrdp_fail(p, "empty <publish> %s", o->uri);
			return;
		}
		if (p->h.publish != NULL)
			rc = p->h.publish(p->h.arg, o->uri, hash, o->buf,
			    o->len, err, sizeof(err));
	}
	if (rc != 0)
		rrdp_fail(p, "%s", err[0] != '\0' ? err :
		    "handler failed without a reason");
}

void
rrdp_object_free(struct rrdp_object *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}
