/*
 * The RRDP parser's rules, one small document each (RFC 8182 and the
 * limits of rsyncswap/base/limits.h), fed in chunks of 1 to 8 bytes so that
 * every token is split; and libxml2 must never print.
 */
#include "tests/unit/rrdp_test.h"

#define NS	"xmlns=\"http://www.ripe.net/rpki/rrdp\""
#define SESS	"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define H64	"0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789abcdefABCD"
#define NROOT(serial)	"<notification " NS " version=\"1\" session_id=\"" \
			SESS "\" serial=\"" serial "\">"
#define NSNAP		"<snapshot uri=\"https://x/s.xml\" hash=\"" H64 "\"/>"
#define NEND		"</notification>"
#define NOTIF(body)	NROOT("3") body NEND
#define SNAP(body)	"<snapshot " NS " version=\"1\" session_id=\"" SESS \
			"\" serial=\"2\">" body "</snapshot>"
#define DELTA(body)	"<delta " NS " version=\"1\" session_id=\"" SESS \
			"\" serial=\"2\">" body "</delta>"
#define PUB(attrs, body) "<publish uri=\"rsync://x/a.cer\"" attrs ">" body \
			"</publish>"

/* Small documents for every rule; want NULL means it must parse. */
static const struct {
	enum rrdp_kind	 kind;
	const char	*doc;
	const char	*want;
} synthetic[] = {
#define N RRDP_NOTIFICATION,
#define S RRDP_SNAPSHOT,
#define D RRDP_DELTA,
	{ N "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- licence -->\n"
	    NOTIF("\n  " NSNAP "\n") "\n<!-- end -->\n", NULL },
	{ N "<r:notification xmlns:r=\"http://www.ripe.net/rpki/rrdp\" "
	    "version=\"1\" session_id=\"" SESS "\" serial=\"3\"><r:snapshot "
	    "uri=\"https://x/s.xml?a=1&amp;b=2\" hash=\"" H64 "\"/>"
	    "</r:notification>", NULL },
	{ N NOTIF("<snapshot " NS " uri=\"https://x/s\" hash=\"" H64 "\"/>"),
	    NULL },
	{ N NROOT("9223372036854775807") NSNAP NEND, NULL },
	{ N NROOT("03") NSNAP NEND, NULL },
	{ N "<?xml version=\"1.0\"?><?foo bar?>" NOTIF(NSNAP),
	    "processing instruction <?foo?> not allowed" },
	{ N "<!DOCTYPE notification>" NOTIF(NSNAP), "DOCTYPE notification" },
	{ N NOTIF(NSNAP "&foo;"), "entity &foo; not allowed" },
	{ N NOTIF(""), "line 1: notification without <snapshot>" },
	{ N NOTIF(NSNAP NSNAP), "more than one <snapshot>" },
	{ N NOTIF("<snapshot uri=\"https://x/s\"/>"),
	    "missing attribute hash in <snapshot>" },
	{ N NOTIF("<snapshot uri=\"a\" hash=\"" H64 "\" foo=\"1\"/>"),
	    "unexpected attribute foo in <snapshot>" },
	{ N NOTIF("<snapshot uri=\"a\" uri=\"b\" hash=\"" H64 "\"/>"),
	    "redefined" },
	{ N NOTIF("<snapshot xmlns:x=\"urn:x\" x:uri=\"a\" hash=\"" H64
	    "\"/>"), "unexpected namespaced attribute uri in <snapshot>" },
	{ N NOTIF("<snapshot xmlns=\"urn:x\" uri=\"a\" hash=\"" H64 "\"/>"),
	    "element <snapshot> has namespace urn:x" },
	{ N NOTIF("x" NSNAP), "unexpected text in notification" },
	{ N NOTIF(NSNAP "<publish uri=\"a\">TQ==</publish>"),
	    "unexpected element <publish>" },
	{ N NOTIF("<snapshot uri=\"a\" hash=\"" H64 "\"><delta serial=\"1\" "
	    "uri=\"b\" hash=\"" H64 "\"/></snapshot>"),
	    "unexpected element <delta>" },
	{ N NOTIF(NSNAP "<snapshot") , "" },
	{ N NOTIF(NSNAP) NOTIF(NSNAP), "Extra content" },
	{ N NROOT("+3") NSNAP NEND, "invalid serial \"+3\"" },
	{ N NROOT(" 3") NSNAP NEND, "invalid serial \" 3\"" },
	{ N NROOT("3 ") NSNAP NEND, "invalid serial \"3 \"" },
	{ N NROOT("0") NSNAP NEND, "invalid serial \"0\"" },
	{ N NROOT("") NSNAP NEND, "invalid serial \"\"" },
	{ N NROOT("9223372036854775808") NSNAP NEND, "invalid serial" },
	{ N NOTIF(NSNAP "<delta serial=\"4\" uri=\"a\" hash=\"" H64 "\"/>"),
	    "delta serial 4 above notification serial 3" },
	{ N NOTIF(NSNAP "<delta serial=\"2\" uri=\"a\" hash=\"" H64 "\"/>"
	    "<delta serial=\"2\" uri=\"b\" hash=\"" H64 "\"/>"),
	    "duplicate delta serial 2" },
	{ N NOTIF(NSNAP "<delta uri=\"a\" hash=\"" H64 "\"/>"),
	    "missing attribute serial in <delta>" },
	{ N NOTIF("<snapshot uri=\"a\" hash=\"" H64 "0\"/>"), "invalid hash" },
	{ N NOTIF("<snapshot uri=\"a\" hash=\"\"/>"), "invalid hash \"\"" },
	{ N NOTIF("<snapshot uri=\"a&#9;b\" hash=\"" H64 "\"/>"),
	    "control character in uri" },
	{ N NOTIF("<snapshot uri=\"\" hash=\"" H64 "\"/>"), "empty uri" },
	{ N "<notification " NS " version=\"1\" session_id=\"" SESS "\">"
	    NSNAP NEND, "missing attribute serial in <notification>" },
	{ N "<notification " NS " version=\"1.0\" session_id=\"" SESS
	    "\" serial=\"1\">" NSNAP NEND, "unsupported version \"1.0\"" },
	{ N "<notification " NS " version=\"1\" session_id=\"" SESS "x\" "
	    "serial=\"1\">" NSNAP NEND, "invalid session_id" },
	{ N "<notification " NS " version=\"1\" session_id=\"9df4b597-af9e-"
	    "4dca-bdda+719cce2c4e28\" serial=\"1\">" NSNAP NEND,
	    "invalid session_id" },
	{ N SNAP(""), "unexpected element <snapshot>" },
	{ N "", "" },

	{ S SNAP("\n" PUB("", "\n  TWFu\n  TWE=\n") "\n"), NULL },
	{ S SNAP(PUB("", "T W F u T W E =")), NULL },
	{ S SNAP(PUB("", "<![CDATA[TWFu]]>TWE=")), NULL },
	{ S SNAP(PUB("", "TWFu&#x54;WE=")), NULL },
	{ S "<snapshot " NS " version=\"1\" session_id=\"9DF4B597-AF9E-4DCA-"
	    "BDDA-719CCE2C4E28\" serial=\"2\">" PUB("", "TQ==") "</snapshot>",
	    NULL },
	{ S SNAP(""), NULL },
	{ S SNAP(PUB(" hash=\"" H64 "\"", "TQ==")),
	    "unexpected attribute hash in <publish>" },
	{ S SNAP("<withdraw uri=\"rsync://x/a\" hash=\"" H64 "\"/>"),
	    "<withdraw> not allowed in a snapshot" },
	{ S SNAP(PUB("", "  \n ")), "empty <publish> rsync://x/a.cer" },
	{ S SNAP("<publish uri=\"rsync://x/a\"/>"), "empty <publish>" },
	{ S SNAP(PUB("", "TQ=")), "invalid base64" },
	{ S SNAP(PUB("", "TWE")), "invalid base64" },
	{ S SNAP(PUB("", "TQ==TQ==")), "invalid base64" },
	{ S SNAP(PUB("", "TQ== TQ==")), "invalid base64" },
	{ S SNAP(PUB("", "T-Q==")), "invalid base64" },
	{ S SNAP(PUB("", "TQ==-")), "invalid base64" },
	{ S SNAP(PUB("", "T===")), "invalid base64" },
	{ S SNAP(PUB("", "TQ=A")), "invalid base64" },
	{ S SNAP(PUB("", "=TQ=")), "invalid base64" },
	{ S SNAP(PUB("", "TWFu=")), "invalid base64" },
	{ S SNAP(PUB("", "TWE=\n =")), "invalid base64" },
	{ S SNAP(PUB("", "TW\r\nFu TWE=\n\t")), NULL },
	{ S SNAP(PUB("", " T W F u T Q = = ")), NULL },
	{ S SNAP(PUB("", "TQ==<foo/>")), "unexpected element <foo>" },
	{ S SNAP("x" PUB("", "TQ==")), "unexpected text in snapshot" },
	{ S SNAP("<publish uri=\"refuse:me\">TQ==</publish>"),
	    "line 1: refused refuse:me" },
	{ S "<snapshot " NS " version=\"1\" session_id=\"" SESS "\" serial="
	    "\"3\"/>", "serial 3 does not match notification's 2" },
	{ S "<snapshot " NS " session_id=\"" SESS "\" serial=\"2\"/>",
	    "missing attribute version in <snapshot>" },
	{ S DELTA(""), "unexpected element <delta>" },

	{ D DELTA(PUB(" hash=\"" H64 "\"", "TQ==") PUB("", "TQ==")
	    "<withdraw uri=\"rsync://x/b\" hash=\"" H64 "\">\n</withdraw>"),
	    NULL },
	{ D DELTA(""), NULL },
	{ D DELTA("<withdraw uri=\"rsync://x/b\"/>"),
	    "missing attribute hash in <withdraw>" },
	{ D DELTA("<withdraw uri=\"rsync://x/b\" hash=\"" H64 "\">TQ=="
	    "</withdraw>"), "unexpected text in <withdraw>" },
	{ D DELTA(PUB(" hash=\"" H64 "\"", "")), "empty <publish>" },
	{ D DELTA(PUB(" hash=\"" H64 "\"", "TQ==") "<publish/>"),
	    "missing attribute uri in <publish>" },
	{ D DELTA("<withdraw uri=\"rsync://x/b\" hash=\"xyz\"/>"),
	    "invalid hash \"xyz\"" },
	{ D DELTA(PUB("", "TQ==") "<snapshot/>"),
	    "unexpected element <snapshot>" },
#undef N
#undef S
#undef D
};

static void
test_synthetic(void **state)
{
	struct rrdp_notification nt;
	struct seen s;
	char err[ERR_MAX];
	size_t i, len;
	unsigned int seed;
	int rc;

	(void)state;
	chunk_max = 8;
	for (i = 0; i < sizeof(synthetic) / sizeof(synthetic[0]); i++) {
		len = strlen(synthetic[i].doc);
		free(rd_data);
		rd_data = strdup(synthetic[i].doc);
		assert_non_null(rd_data);
		for (seed = 0; seed < 3; seed++) {
			seen_init(&s);
			/* Chunks of 1..8 bytes to split every token. */
			rc = parse_mem(synthetic[i].kind, len, SESS, 2, NULL,
			    MAX_OBJECT_SIZE_DEFAULT, seed, &s, &nt, err,
			    sizeof(err));
			if (rc == 0)
				rrdp_notification_free(&nt);
			seen_free(&s);
			if (synthetic[i].want == NULL && rc != 0)
				fail_msg("case %zu: %s", i, err);
			if (synthetic[i].want != NULL && (rc == 0 ||
			    strstr(err, synthetic[i].want) == NULL))
				fail_msg("case %zu: got \"%s\", want \"%s\"", i,
				    err, synthetic[i].want);
		}
	}
	chunk_max = 4096;
}

/* A notification's session_id is returned in lowercase. */
static void
test_session_lowercase(void **state)
{
	static const char doc[] = "<notification " NS " version=\"1\" "
	    "session_id=\"9DF4B597-AF9E-4DCA-BDDA-719CCE2C4E28\" serial=\"3\">"
	    NSNAP NEND;
	struct rrdp_notification nt;
	struct seen s;
	char err[ERR_MAX];

	(void)state;
	free(rd_data);
	rd_data = strdup(doc);
	seen_init(&s);
	assert_int_equal(parse_mem(RRDP_NOTIFICATION, strlen(doc), NULL, -1,
	    NULL, MAX_OBJECT_SIZE_DEFAULT, 0, &s, &nt, err, sizeof(err)), 0);
	assert_string_equal(nt.session_id, SESS);
	assert_string_equal(nt.snapshot_uri, "https://x/s.xml");
	assert_int_equal(nt.snapshot_hash[0], 0x01);
	assert_int_equal(nt.snapshot_hash[31], 0xcd);
	rrdp_notification_free(&nt);
	seen_free(&s);
}

/* At most MAX_NOTIFICATION_DELTAS deltas; a URI at most MAX_URI_LENGTH. */
static void
test_notification_limits(void **state)
{
	static const char dfmt[] = "<delta serial=\"%d\" uri=\"u\" hash=\""
	    H64 "\"/>\n";
	struct rrdp_notification nt;
	struct seen s;
	char err[ERR_MAX];
	size_t cap, len;
	int i, n;

	(void)state;
	for (n = MAX_NOTIFICATION_DELTAS; n <= MAX_NOTIFICATION_DELTAS + 1;
	    n++) {
		cap = (size_t)(n + 2) * (sizeof(dfmt) + 16) + 1024;
		free(rd_data);
		rd_data = malloc(cap);
		assert_non_null(rd_data);
		len = (size_t)snprintf(rd_data, cap, "%s%s",
		    NROOT("999999"), NSNAP);
		for (i = 1; i <= n; i++)
			len += (size_t)snprintf(rd_data + len, cap - len, dfmt,
			    n + 1 - i);
		len += (size_t)snprintf(rd_data + len, cap - len, NEND);
		seen_init(&s);
		if (n == MAX_NOTIFICATION_DELTAS) {
			assert_int_equal(parse_mem(RRDP_NOTIFICATION, len,
			    NULL, -1, NULL, 1, 0, &s, &nt, err, sizeof(err)),
			    0);
			assert_int_equal(nt.ndeltas, n);
			assert_sorted(&nt);
			rrdp_notification_free(&nt);
		} else {
			assert_int_equal(parse_mem(RRDP_NOTIFICATION, len,
			    NULL, -1, NULL, 1, 0, &s, &nt, err, sizeof(err)),
			    -1);
			assert_non_null(strstr(err, "more than"));
		}
		seen_free(&s);
	}

	for (n = MAX_URI_LENGTH; n <= MAX_URI_LENGTH + 1; n++) {
		cap = (size_t)n + 1024;
		free(rd_data);
		rd_data = malloc(cap);
		assert_non_null(rd_data);
		len = (size_t)snprintf(rd_data, cap, "%s<snapshot uri=\"%0*d\" "
		    "hash=\"" H64 "\"/>" NEND, NROOT("3"), n, 0);
		seen_init(&s);
		memset(&nt, 0, sizeof(nt));
		assert_int_equal(parse_mem(RRDP_NOTIFICATION, len, NULL, -1,
		    NULL, 1, 0, &s, &nt, err, sizeof(err)),
		    n == MAX_URI_LENGTH ? 0 : -1);
		if (n == MAX_URI_LENGTH)
			assert_int_equal(strlen(nt.snapshot_uri), n);
		else
			assert_non_null(strstr(err, "uri longer than"));
		rrdp_notification_free(&nt);
		seen_free(&s);
	}
}

/* libxml2 must not print: errors only come back through the parser. */
static void
test_silent(void **state)
{
	FILE *tmp = tmpfile();
	int saved;
	long size;

	(void)state;
	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	test_synthetic(state);
	parse_bad(RRDP_NOTIFICATION, "rrdp/rpki-client-regress/xxe.xml", NULL,
	    -1, NULL, "DOCTYPE");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	size = ftell(tmp);
	fclose(tmp);
	assert_int_equal(size, 0);
}

/* What the publish handler of test_base64 got. */
struct got {
	unsigned char	data[600];
	size_t		len;
};

static int
got_publish(void *arg, const char *uri, const unsigned char *hash,
    const unsigned char *data, size_t len, char *err, size_t errsz)
{
	struct got *g = arg;

	(void)uri, (void)hash, (void)err, (void)errsz;
	assert_true(len <= sizeof(g->data));
	memcpy(g->data, data, len);
	g->len = len;
	return 0;
}

/*
 * Objects of every length 1..512 (so every padding), encoded by OpenSSL
 * with a line break every 64 characters and spaces, fed in chunks of 1 to
 * 7 bytes so that quanta and padding are split: decoded exactly.
 */
static void
test_base64(void **state)
{
	static char		 doc[4096];
	unsigned char		 raw[512], b64[700];
	struct rrdp_handler	 h = { got_publish, NULL, NULL };
	struct rrdp_parser	*p;
	struct got		 g;
	size_t			 len, off, i, n, chunk;
	int			 b;

	(void)state;
	h.arg = &g;
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i * 131 + 7);
	for (len = 1; len <= sizeof(raw); len++) {
		b = EVP_EncodeBlock(b64, raw, (int)len);
		off = (size_t)snprintf(doc, sizeof(doc), "%s",
		    SNAP("<publish uri=\"rsync://x/a.cer\">"));
		off -= strlen("</snapshot>");
		for (i = 0; i < (size_t)b; i++) {
			if (i > 0 && i % 64 == 0)
				doc[off++] = '\n';
			if (i % 7 == 3)
				doc[off++] = ' ';
			doc[off++] = (char)b64[i];
		}
		off += (size_t)snprintf(doc + off, sizeof(doc) - off,
		    "\r\n</publish></snapshot>");
		assert_non_null(p = rrdp_parser_new(RRDP_SNAPSHOT, SESS, 2,
		    MAX_OBJECT_SIZE_LIMIT, &h));
		g.len = 0;
		chunk = 1 + len % 7;
		for (i = 0; i < off; i += n) {
			n = off - i < chunk ? off - i : chunk;
			assert_int_equal(rrdp_parser_feed(p, doc + i, n), 0);
		}
		assert_int_equal(rrdp_parser_finish(p, NULL, NULL), 0);
		rrdp_parser_free(p);
		assert_int_equal(g.len, len);
		assert_memory_equal(g.data, raw, len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_session_lowercase),
		cmocka_unit_test(test_notification_limits),
		cmocka_unit_test(test_silent),
		cmocka_unit_test(test_base64),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(rd_data);
	return rc;
}
