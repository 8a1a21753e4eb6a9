/*
 * <publish> and <withdraw> elements of snapshots and deltas. The base64
 * content of a publish is decoded with OpenSSL's EVP_Decode* as libxml2
 * hands over the text, into a buffer that never exceeds max_object_size;
 * the handler gets the object at the end tag.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rsyncswap/limits.h"
#include "rsyncswap/rrdp.h"
#include "rsyncswap/rrdp_local.h"

/*
 * Base64 characters decoded at once. EVP_DecodeUpdate keeps up to 64
 * characters pending, so the output of one slice is at most
 * (64 + RRDP_B64_SLICE) / 4 * 3 bytes.
 */
#define RRDP_B64_SLICE		1024
#define RRDP_B64_OUTMAX		((64 + RRDP_B64_SLICE) / 4 * 3)

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
	o->b64_ended = 0;
	if (!withdraw)
		EVP_DecodeInit(o->b64);
	return 0;
}

/*
 * 1 for the bytes that may appear in base64 content (with whitespace).
 * EVP_DecodeUpdate would take '-' as the end of the data, so every byte is
 * checked here first; a table keeps this check cheaper than the decoding.
 */
static const unsigned char b64_chars[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, ['+'] = 1, ['/'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['='] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/* Appends n decoded bytes to the object. Returns 0 or -1. */
static int
object_append(struct rrdp_parser *p, const unsigned char *b, size_t n)
{
	struct rrdp_object *o = &p->obj;
	unsigned char *nb;
	size_t ncap;

	if (n > p->max_object_size - o->len) {
		rrdp_fail(p, "object too large (over %zu bytes): %s",
		    p->max_object_size, o->uri);
		return -1;
	}
	if (o->len + n > o->cap) {
		ncap = o->cap == 0 ? RRDP_OBJECT_MINBUF : o->cap;
		while (ncap < o->len + n)
			ncap *= 2;
		if (ncap > p->max_object_size)
			ncap = p->max_object_size;
		if ((nb = realloc(o->buf, ncap)) == NULL) {
			rrdp_fail(p, "out of memory");
			return -1;
		}
		o->buf = nb;
		o->cap = ncap;
	}
	memcpy(o->buf + o->len, b, n);
	o->len += n;
	return 0;
}

/* Text inside a publish (base64) or withdraw (whitespace only). */
void
rrdp_object_text(struct rrdp_parser *p, const char *s, size_t len)
{
	struct rrdp_object *o = &p->obj;
	unsigned char out[RRDP_B64_OUTMAX];
	size_t i, n;
	int outl, rc;

	if (o->withdraw) {
		if (!rrdp_is_space(s, len))
			rrdp_fail(p, "unexpected text in <withdraw>");
		return;
	}
	for (i = 0; i < len; i++) {
		if (!b64_chars[(unsigned char)s[i]]) {
			rrdp_fail(p, "invalid base64 in <publish> %s", o->uri);
			return;
		}
	}
	while (len > 0) {
		n = len < RRDP_B64_SLICE ? len : RRDP_B64_SLICE;
		if (o->b64_ended && !rrdp_is_space(s, n)) {
			rrdp_fail(p, "invalid base64 in <publish> %s", o->uri);
			return;
		}
		outl = 0;
		rc = EVP_DecodeUpdate(o->b64, out, &outl,
		    (const unsigned char *)s, (int)n);
		if (rc == -1 || outl < 0 || (size_t)outl > sizeof(out)) {
			rrdp_fail(p, "invalid base64 in <publish> %s", o->uri);
			return;
		}
		if (rc == 0)
			o->b64_ended = 1;
		if (outl > 0 && object_append(p, out, (size_t)outl) == -1)
			return;
		s += n;
		len -= n;
	}
}

/* Closes the element: hands the object to the handler. */
void
rrdp_object_end(struct rrdp_parser *p)
{
	struct rrdp_object *o = &p->obj;
	const unsigned char *hash = o->has_hash ? o->hash : NULL;
	unsigned char out[RRDP_B64_OUTMAX];
	char err[ERR_MAX];
	int outl = 0, rc = 0;

	err[0] = '\0';
	if (o->withdraw) {
		if (p->h.withdraw != NULL)
			rc = p->h.withdraw(p->h.arg, o->uri, hash, err,
			    sizeof(err));
	} else {
		if (EVP_DecodeFinal(o->b64, out, &outl) != 1) {
			rrdp_fail(p, "invalid base64 in <publish> %s", o->uri);
			return;
		}
		if (outl > 0 && object_append(p, out, (size_t)outl) == -1)
			return;
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
	EVP_ENCODE_CTX_free(o->b64);
	free(o->buf);
	memset(o, 0, sizeof(*o));
}
