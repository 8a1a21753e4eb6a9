/*
 * RRDP driver: a libxml2 SAX2 push parser fed chunk by chunk, each chunk
 * hashed in the same pass. The SAX callbacks check the namespace and hand
 * elements to the parser of the document kind (rrdp_notification.c,
 * rrdp_snapshot.c, rrdp_delta.c). Everything that could make libxml2 read
 * another file, expand an entity or print is switched off or made to fail.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <openssl/evp.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/rrdp/rrdp_local.h"

/* Bytes handed to xmlParseChunk at once: bounds the work after an error. */
#define RRDP_PARSE_SLICE	(64 * 1024)

/*
 * Records the first error as one line, "line N: " first when line > 0.
 * Does not stop the parser.
 */
static void
rrdp_verr(struct rrdp_parser *p, int line, const char *fmt, va_list ap)
{
	size_t n = 0;
	char *c;

	if (p->failed)
		return;
	p->failed = 1;
	if (line > 0)
		n = (size_t)snprintf(p->err, sizeof(p->err), "line %d: ", line);
	vsnprintf(p->err + n, sizeof(p->err) - n, fmt, ap);
	/* One line: hostile input must not break the caller's log line. */
	for (c = p->err; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	n = strlen(p->err);
	while (n > 0 && p->err[n - 1] == ' ')
		p->err[--n] = '\0';
}

static void
rrdp_vfail(struct rrdp_parser *p, int with_line, const char *fmt, va_list ap)
{
	int line = 0;

	if (with_line && p->xml != NULL)
		line = xmlSAX2GetLineNumber(p->xml);
	rrdp_verr(p, line, fmt, ap);
	if (p->xml != NULL)
		xmlStopParser(p->xml);
}

static void
rrdp_err_at(struct rrdp_parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rrdp_verr(p, line, fmt, ap);
	va_end(ap);
}

/* Records the first error, prefixed with the current line; stops parsing. */
void
rrdp_fail(struct rrdp_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rrdp_vfail(p, 1, fmt, ap);
	va_end(ap);
}

/* Records the first error (no line number); stops parsing. */
void
rrdp_fail_noline(struct rrdp_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rrdp_vfail(p, 0, fmt, ap);
	va_end(ap);
}

static void
sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct rrdp_parser *p = ctx;

	(void)prefix;
	(void)nns;
	(void)ns;
	(void)ndefaulted;
	if (p->failed)
		return;
	/* xmlns may be repeated on every element; what counts is the URI. */
	if (uri == NULL) {
		rrdp_fail(p, "element <%s> has no namespace, want %s",
		    localname, RRDP_XMLNS);
		return;
	}
	if (strcmp((const char *)uri, RRDP_XMLNS) != 0) {
		rrdp_fail(p, "element <%s> has namespace %s, want %s",
		    localname, uri, RRDP_XMLNS);
		return;
	}
	p->ops->start(p, (const char *)localname, attrs, nattrs);
}

static void
sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct rrdp_parser *p = ctx;

	(void)prefix;
	(void)uri;
	if (p->failed)
		return;
	p->ops->end(p, (const char *)localname);
}

static void
sax_text(void *ctx, const xmlChar *s, int len)
{
	struct rrdp_parser *p = ctx;

	if (p->failed || len <= 0)
		return;
	p->ops->text(p, (const char *)s, (size_t)len);
}

static void
sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	(void)eid;
	(void)sid;
	rrdp_fail(ctx, "DOCTYPE %s not allowed", name);
}

static void
sax_external_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	(void)eid;
	(void)sid;
	rrdp_fail(ctx, "external DTD %s not allowed", name);
}

static void
sax_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *pid, const xmlChar *sid, xmlChar *content)
{
	(void)type;
	(void)pid;
	(void)sid;
	(void)content;
	rrdp_fail(ctx, "entity declaration %s not allowed", name);
}

static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	rrdp_fail(ctx, "entity &%s; not allowed", name);
	return NULL;
}

static void
sax_reference(void *ctx, const xmlChar *name)
{
	rrdp_fail(ctx, "entity reference &%s; not allowed", name);
}

static xmlParserInputPtr
sax_resolve_entity(void *ctx, const xmlChar *pid, const xmlChar *sid)
{
	(void)pid;
	rrdp_fail(ctx, "external entity %s not allowed",
	    sid != NULL ? (const char *)sid : "?");
	return NULL;
}

/* Processing instructions have no meaning in RRDP: reject them all. */
static void
sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)data;
	rrdp_fail(ctx, "processing instruction <?%s?> not allowed", target);
}

/* Returns the first bytes of the document in buf, non-ASCII as '?'. */
static const char *
printable_head(const struct rrdp_parser *p, char *buf, size_t sz)
{
	size_t i, n = 0;

	for (i = 0; i < p->nhead && n + 1 < sz; i++) {
		unsigned char c = (unsigned char)p->head[i];
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		buf[n++] = c == '"' ? '\'' : c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	buf[n] = '\0';
	return buf;
}

/* libxml2's own messages: keep the first error, never print. */
static void
sax_xml_error(void *ctx, xmlErrorPtr e)
{
	struct rrdp_parser *p = ctx;
	char head[RRDP_HEAD_LEN + 1];

	if (e == NULL || e->level < XML_ERR_ERROR || p->failed)
		return;
	/*
	 * Only record here: libxml2 is in the middle of its own work, so the
	 * parser is stopped by the driver once xmlParseChunk returns.
	 */
	/* "Document is empty" for bytes that are there: say what they are. */
	if (e->code == XML_ERR_DOCUMENT_EMPTY && p->nhead > 0) {
		rrdp_err_at(p, 0, "not an XML document: it begins \"%s\"",
		    printable_head(p, head, sizeof(head)));
		return;
	}
	rrdp_err_at(p, e->line > 0 ? e->line : 1, "%s",
	    e->message != NULL ? e->message : "malformed XML");
}

static void
xml_silent(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static xmlSAXHandler rrdp_sax = {
	.initialized = XML_SAX2_MAGIC,
	.startElementNs = sax_start,
	.endElementNs = sax_end,
	.characters = sax_text,
	.cdataBlock = sax_text,
	.ignorableWhitespace = sax_text,
	.internalSubset = sax_internal_subset,
	.externalSubset = sax_external_subset,
	.entityDecl = sax_entity_decl,
	.getEntity = sax_get_entity,
	.getParameterEntity = sax_get_entity,
	.reference = sax_reference,
	.resolveEntity = sax_resolve_entity,
	.processingInstruction = sax_pi,
	.serror = sax_xml_error,
	.warning = xml_silent,
	.error = xml_silent,
	.fatalError = xml_silent,
};

/*
 * Returns a parser for one document of the given kind, or NULL when out of
 * memory (or when called with impossible arguments).
 */
struct rrdp_parser *
rrdp_parser_new(enum rrdp_kind kind, const char *expect_session,
    long long expect_serial, size_t max_object_size,
    const struct rrdp_handler *h)
{
	struct rrdp_parser *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->kind = kind;
	p->expect_serial = expect_serial;
	p->max_object_size = max_object_size;
	if (h != NULL)
		p->h = *h;
	switch (kind) {
	case RRDP_NOTIFICATION:
		p->ops = &rrdp_notification_ops;
		p->max_doc = MAX_NOTIFICATION_SIZE;
		break;
	case RRDP_SNAPSHOT:
	case RRDP_DELTA:
		p->ops = kind == RRDP_SNAPSHOT ? &rrdp_snapshot_ops :
		    &rrdp_delta_ops;
		p->max_doc = MAX_DOCUMENT_SIZE;
		if (expect_session == NULL ||
		    strlen(expect_session) != RRDP_SESSION_LEN)
			goto fail;
		memcpy(p->expect_session, expect_session,
		    RRDP_SESSION_LEN + 1);
		break;
	default:
		goto fail;
	}
	if ((p->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(p->md, EVP_sha256(), NULL) != 1)
		goto fail;

	xmlInitParser();
	/* Errors raised without a parser context would go here: silence. */
	xmlSetGenericErrorFunc(NULL, xml_silent);
	p->xml = xmlCreatePushParserCtxt(&rrdp_sax, p, NULL, 0, NULL);
	if (p->xml == NULL)
		goto fail;
	/* No network, no entity substitution, no DTD loading or defaults. */
	xmlCtxtUseOptions(p->xml, XML_PARSE_NONET | XML_PARSE_NOWARNING);
	p->xml->replaceEntities = 0;
	p->xml->loadsubset = 0;
	p->xml->validate = 0;
	return p;
 fail:
	rrdp_parser_free(p);
	return NULL;
}

static void
rrdp_parse(struct rrdp_parser *p, const char *buf, int len, int terminate)
{
	int rc;

	rc = xmlParseChunk(p->xml, buf, len, terminate);
	if (p->failed) {
		xmlStopParser(p->xml);
		return;
	}
	if (rc != 0 || !p->xml->wellFormed)
		rrdp_fail(p, "malformed XML (libxml2 error %d)", rc);
}

/* Feeds len bytes. Returns 0, or -1 on error (see rrdp_parser_error). */
int
rrdp_parser_feed(struct rrdp_parser *p, const void *buf, size_t len)
{
	const char *b = buf;
	size_t n;

	if (p->failed)
		return -1;
	if (p->finished) {
		rrdp_fail_noline(p, "data after the end of the document");
		return -1;
	}
	if (len > p->max_doc - p->nfed) {
		rrdp_fail_noline(p, "document larger than %llu bytes",
		    p->max_doc);
		return -1;
	}
	p->nfed += len;
	for (n = 0; p->nhead < RRDP_HEAD_LEN && n < len; n++)
		p->head[p->nhead++] = b[n];
	if (EVP_DigestUpdate(p->md, buf, len) != 1) {
		rrdp_fail_noline(p, "SHA-256 failed");
		return -1;
	}
	while (len > 0 && !p->failed) {
		n = len < RRDP_PARSE_SLICE ? len : RRDP_PARSE_SLICE;
		rrdp_parse(p, b, (int)n, 0);
		b += n;
		len -= n;
	}
	return p->failed ? -1 : 0;
}

/*
 * Ends the document. Returns 0 when the whole document was well-formed,
 * valid and matched want_hash (if not NULL); -1 otherwise. On success a
 * notification is moved into *out; on failure *out is zeroed.
 */
int
rrdp_parser_finish(struct rrdp_parser *p, const unsigned char *want_hash,
    struct rrdp_notification *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char want[RRDP_HASH_LEN * 2 + 1], got[RRDP_HASH_LEN * 2 + 1];
	char why[ERR_MAX];
	int failed_before;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (p->finished && !p->failed) {
		rrdp_fail_noline(p, "document finished twice");
		return -1;
	}
	p->finished = 1;
	failed_before = p->failed;
	if (!p->failed)
		rrdp_parse(p, NULL, 0, 1);
	if (!p->failed)
		p->ops->done(p);
	if (failed_before)
		return -1;
	/* Every byte was fed: the digest is the whole document's. */
	if (EVP_DigestFinal_ex(p->md, md, &mdlen) != 1 ||
	    mdlen != RRDP_HASH_LEN) {
		if (!p->failed)
			rrdp_fail_noline(p, "SHA-256 failed");
		return -1;
	}
	if (want_hash != NULL && memcmp(md, want_hash, RRDP_HASH_LEN) != 0) {
		rrdp_hex(want_hash, RRDP_HASH_LEN, want);
		rrdp_hex(md, RRDP_HASH_LEN, got);
		/*
		 * A truncated or replaced document also ends badly as XML:
		 * the hash is the cause that names it, the parser's words a
		 * detail.
		 */
		if (p->failed) {
			snprintf(why, sizeof(why), "%s", p->err);
			snprintf(p->err, sizeof(p->err), "hash mismatch: "
			    "expected %s, got %s (truncated or another "
			    "document; as XML: %s)", want, got, why);
		} else
			rrdp_fail_noline(p, "hash mismatch: expected %s, got "
			    "%s", want, got);
		return -1;
	}
	if (p->failed)
		return -1;
	if (p->kind == RRDP_NOTIFICATION && out != NULL) {
		*out = p->nt;
		memset(&p->nt, 0, sizeof(p->nt));
		p->deltas_cap = 0;
	}
	return 0;
}

int
rrdp_parser_line(const struct rrdp_parser *p)
{
	return p->xml != NULL ? xmlSAX2GetLineNumber(p->xml) : 0;
}

/* Returns the reason of the first error (one line), or "" if none. */
const char *
rrdp_parser_error(const struct rrdp_parser *p)
{
	return p->err;
}

void
rrdp_parser_free(struct rrdp_parser *p)
{
	if (p == NULL)
		return;
	if (p->xml != NULL) {
		xmlFreeParserCtxt(p->xml);
		p->xml = NULL;
	}
	EVP_MD_CTX_free(p->md);
	rrdp_object_free(&p->obj);
	rrdp_notification_free(&p->nt);
	free(p);
}

void
rrdp_notification_free(struct rrdp_notification *nt)
{
	size_t i;

	if (nt == NULL)
		return;
	for (i = 0; i < nt->ndeltas; i++)
		free(nt->deltas[i].uri);
	free(nt->deltas);
	free(nt->snapshot_uri);
	memset(nt, 0, sizeof(*nt));
}
