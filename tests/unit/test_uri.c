/* Unit tests of rsyncswap/base/uri.c: every rejection reason of a hostile URI. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/base/uri.h"

#define BUFSZ	(MAX_URI_LENGTH + 64)

/* Maps uri; returns the result and leaves path, host and reason behind. */
static char	path[BUFSZ], host[BUFSZ];
static const char *why;

static int
map(const char *uri, int include_host)
{
	why = NULL;
	return uri_rsync_to_path(uri, include_host, path, sizeof(path), host,
	    sizeof(host), &why);
}

static void
accept_one(const char *uri, int include_host, const char *want_path,
    const char *want_host)
{
	if (map(uri, include_host) != 0)
		fail_msg("%s refused: %s", uri, why);
	assert_string_equal(path, want_path);
	assert_string_equal(host, want_host);
}

static void
refuse_one(const char *uri, const char *want_reason)
{
	if (map(uri, 0) == 0)
		fail_msg("%s accepted as %s", uri, path);
	assert_non_null(why);
	assert_string_equal(why, want_reason);
	assert_string_equal(path, "");
	/* Same with the host in the path. */
	assert_int_equal(map(uri, 1), -1);
	assert_string_equal(path, "");
}

static void
test_rsync_valid(void **unused)
{
	(void)unused;
	accept_one("rsync://rpki.example.net/repo/a/b.roa", 0, "repo/a/b.roa",
	    "rpki.example.net");
	accept_one("rsync://rpki.example.net/repo/a/b.roa", 1,
	    "rpki.example.net/repo/a/b.roa", "rpki.example.net");
	accept_one("RSYNC://RPKI.Example.NET:873/Repo/X.cer", 1,
	    "rpki.example.net/Repo/X.cer", "rpki.example.net");
	accept_one("rsync://10.0.0.1:10873/m/f", 0, "m/f", "10.0.0.1");
	accept_one("rsync://[2001:DB8::1]:873/m/f.crl", 1,
	    "[2001:db8::1]/m/f.crl", "[2001:db8::1]");
	/* Names that only look odd are fine. */
	accept_one("rsync://h/m/.hidden/..x/x../a.b.c-_~+=@,;!$&'()*", 0,
	    "m/.hidden/..x/x../a.b.c-_~+=@,;!$&'()*", "h");
	accept_one("rsync://h/m/%2e%2e/f", 0, "m/%2e%2e/f", "h");
	/* NULL host buffer and NULL reason are allowed. */
	assert_int_equal(uri_rsync_to_path("rsync://h/m/f", 0, path,
	    sizeof(path), NULL, 0, NULL), 0);
	assert_string_equal(path, "m/f");
}

static void
test_rsync_scheme(void **unused)
{
	(void)unused;
	refuse_one("https://h/m/f", "not an rsync:// URI");
	refuse_one("rsync:/h/m/f", "not an rsync:// URI");
	refuse_one("rsync:h/m/f", "not an rsync:// URI");
	refuse_one("rsyncx://h/m/f", "not an rsync:// URI");
	refuse_one("/etc/passwd", "not an rsync:// URI");
	refuse_one(" rsync://h/m/f", "not an rsync:// URI");
	refuse_one("", "empty URI");
	assert_int_equal(map(NULL, 0), -1);
	assert_string_equal(why, "empty URI");
}

static void
test_rsync_host(void **unused)
{
	(void)unused;
	refuse_one("rsync:///m/f", "missing host");
	refuse_one("rsync://user@h/m/f", "bad character in host");
	refuse_one("rsync://h_x/m/f", "bad character in host");
	refuse_one("rsync://h%2f/m/f", "bad character in host");
	refuse_one("rsync://h\\x/m/f", "bad character in host");
	refuse_one("rsync://h?x/m/f", "bad character in host");
	refuse_one("rsync://h#x/m/f", "bad character in host");
	refuse_one("rsync://h\n/m/f", "bad character in host");
	refuse_one("rsync://./m/f", "bad host name");
	refuse_one("rsync://../m/f", "bad host name");
	refuse_one("rsync://.h/m/f", "bad host name");
	refuse_one("rsync://h./m/f", "bad host name");
	refuse_one("rsync://a..b/m/f", "bad host name");
	refuse_one("rsync://-h/m/f", "bad host name");
	refuse_one("rsync://h-/m/f", "bad host name");
	refuse_one("rsync://[]/m/f", "bad IPv6 host");
	refuse_one("rsync://[:]/m/f", "bad IPv6 host");
	refuse_one("rsync://[1234]/m/f", "bad IPv6 host");
	refuse_one("rsync://[::1/m/f", "bad IPv6 host");
	refuse_one("rsync://[fe80::1%eth0]/m/f", "bad IPv6 host");
	refuse_one("rsync://[::g]/m/f", "bad IPv6 host");
}

static void
test_rsync_port(void **unused)
{
	(void)unused;
	refuse_one("rsync://h:/m/f", "bad port");
	refuse_one("rsync://h:0/m/f", "bad port");
	refuse_one("rsync://h:65536/m/f", "bad port");
	refuse_one("rsync://h:123456/m/f", "bad port");
	refuse_one("rsync://h:99999999999999999999/m/f", "bad port");
	refuse_one("rsync://h:-1/m/f", "bad port");
	refuse_one("rsync://h:+873/m/f", "bad port");
	refuse_one("rsync://h:87a/m/f", "bad character in host");
	refuse_one("rsync://h:873:873/m/f", "bad character in host");
	accept_one("rsync://h:65535/m/f", 0, "m/f", "h");
}

static void
test_rsync_module_and_file(void **unused)
{
	(void)unused;
	refuse_one("rsync://h", "missing module");
	refuse_one("rsync://h/", "missing module");
	refuse_one("rsync://h:873", "missing module");
	refuse_one("rsync://h/m", "missing file name");
	refuse_one("rsync://h/m/", "trailing \"/\"");
	refuse_one("rsync://h/m/d/", "trailing \"/\"");
	refuse_one("rsync://h//f", "empty path segment");
	refuse_one("rsync://h/m//f", "empty path segment");
	refuse_one("rsync://h/m/d//", "empty path segment");
}

static void
test_rsync_dots(void **unused)
{
	(void)unused;
	refuse_one("rsync://h/m/../f", "\".\" or \"..\" path segment");
	refuse_one("rsync://h/m/./f", "\".\" or \"..\" path segment");
	refuse_one("rsync://h/m/..", "\".\" or \"..\" path segment");
	refuse_one("rsync://h/m/.", "\".\" or \"..\" path segment");
	refuse_one("rsync://h/../f", "\".\" or \"..\" path segment");
	refuse_one("rsync://h/./f", "\".\" or \"..\" path segment");
	refuse_one("rsync://h/m/a/../../../etc/passwd",
	    "\".\" or \"..\" path segment");
}

static void
test_rsync_characters(void **unused)
{
	static const char *bad[] = {
		"rsync://h/m/a\nb", "rsync://h/m/a\rb", "rsync://h/m/a\tb",
		"rsync://h/m/a\x01", "rsync://h/m/a\x1b[31m", "rsync://h/m/a\x7f",
		"rsync://h/m/a\x80", "rsync://h/m/\xc3\xa9", "rsync://h/m/\xff",
		"rsync://h/m/a b", "rsync://h/m\n/f",
	};
	size_t	i;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse_one(bad[i], "control, space or non-ASCII character");
	refuse_one("rsync://h/m/a\\b", "backslash");
	refuse_one("rsync://h/m/..\\..\\x", "backslash");
	refuse_one("rsync://h/m\\/f", "backslash");
}

static void
test_rsync_lengths(void **unused)
{
	char	uri[BUFSZ + MAX_URI_LENGTH], seg[MAX_FN_LENGTH + 2];
	size_t	i;
	int	n;

	(void)unused;
	/* A name of MAX_FN_LENGTH bytes is fine, one more is not. */
	memset(seg, 'a', MAX_FN_LENGTH);
	seg[MAX_FN_LENGTH] = '\0';
	snprintf(uri, sizeof(uri), "rsync://h/m/%s", seg);
	assert_int_equal(map(uri, 0), 0);
	snprintf(uri, sizeof(uri), "rsync://h/m/%sa", seg);
	refuse_one(uri, "path segment too long");
	snprintf(uri, sizeof(uri), "rsync://h/m%s/f", seg);
	refuse_one(uri, "path segment too long");

	/* A host longer than a file name cannot be a directory. */
	snprintf(uri, sizeof(uri), "rsync://%sa/m/f", seg);
	refuse_one(uri, "host name too long");

	/* MAX_PATH_DEPTH segments below the module, not more. */
	n = snprintf(uri, sizeof(uri), "rsync://h/m");
	for (i = 0; i < MAX_PATH_DEPTH; i++)
		n += snprintf(uri + n, sizeof(uri) - n, "/d");
	assert_int_equal(map(uri, 0), 0);
	snprintf(uri + n, sizeof(uri) - n, "/d");
	refuse_one(uri, "path too deep");

	/* MAX_URI_LENGTH bytes in all, not more. */
	n = snprintf(uri, sizeof(uri), "rsync://h/m/");
	memset(uri + n, 'z', MAX_URI_LENGTH - n);
	for (i = n + 200; i < MAX_URI_LENGTH - 1; i += 200)
		uri[i] = '/';
	uri[MAX_URI_LENGTH] = '\0';
	assert_int_equal(map(uri, 0), 0);
	assert_int_equal(strlen(path), MAX_URI_LENGTH - 10);
	uri[MAX_URI_LENGTH] = 'z';
	uri[MAX_URI_LENGTH + 1] = '\0';
	refuse_one(uri, "URI too long");
}

static void
test_rsync_small_buffers(void **unused)
{
	char		 p[8], h[2];
	const char	*r = NULL;

	(void)unused;
	assert_int_equal(uri_rsync_to_path("rsync://h/m/abcdef", 0, p,
	    sizeof(p), NULL, 0, &r), -1);
	assert_string_equal(r, "path too long");
	assert_string_equal(p, "");
	assert_int_equal(uri_rsync_to_path("rsync://h/m/abcd", 0, p,
	    sizeof(p), NULL, 0, &r), 0);
	assert_string_equal(p, "m/abcd");
	assert_int_equal(uri_rsync_to_path("rsync://hhhh/m/f", 1, p,
	    sizeof(p), NULL, 0, &r), -1);
	assert_string_equal(r, "path too long");
	assert_int_equal(uri_rsync_to_path("rsync://hh/m/f", 0, p,
	    sizeof(p), h, sizeof(h), &r), -1);
	assert_string_equal(r, "host name too long");
}

static void
test_valid_http(void **unused)
{
	char	uri[MAX_URI_LENGTH + 2];

	(void)unused;
	assert_true(uri_valid_http("https://rrdp.example.net/notification.xml",
	    0));
	assert_true(uri_valid_http("HTTPS://rrdp.example.net:8443/a/b.xml", 0));
	assert_true(uri_valid_http("https://[::1]/n.xml", 0));
	assert_true(uri_valid_http("https://h", 0));
	assert_true(uri_valid_http("https://h/n.xml?x=1#y", 0));
	assert_false(uri_valid_http("http://h/n.xml", 0));
	assert_true(uri_valid_http("http://h/n.xml", 1));
	assert_false(uri_valid_http("ftp://h/n.xml", 1));
	assert_false(uri_valid_http("rsync://h/n.xml", 1));
	assert_false(uri_valid_http("file:///etc/passwd", 1));
	assert_false(uri_valid_http("https://", 0));
	assert_false(uri_valid_http("https:///n.xml", 0));
	assert_false(uri_valid_http("https://user:pw@h/n.xml", 0));
	assert_false(uri_valid_http("https://h:0/n.xml", 0));
	assert_false(uri_valid_http("https://h:x/n.xml", 0));
	assert_false(uri_valid_http("https://h/a b.xml", 0));
	assert_false(uri_valid_http("https://h/a\r\nHost: evil", 0));
	assert_false(uri_valid_http("https://h/a\x7f", 0));
	assert_false(uri_valid_http("https://h/\xc3\xa9", 0));
	assert_false(uri_valid_http("", 0));
	assert_false(uri_valid_http(NULL, 0));
	memset(uri, 'a', sizeof(uri));
	memcpy(uri, "https://h/", 10);
	uri[MAX_URI_LENGTH] = '\0';
	assert_true(uri_valid_http(uri, 0));
	uri[MAX_URI_LENGTH] = 'a';
	uri[MAX_URI_LENGTH + 1] = '\0';
	assert_false(uri_valid_http(uri, 0));
}

static void
test_same_origin(void **unused)
{
	(void)unused;
	assert_true(uri_same_origin("https://h/a", "https://h/b/c"));
	assert_true(uri_same_origin("https://H.example/a", "HTTPS://h.EXAMPLE"));
	assert_true(uri_same_origin("https://h/a", "https://h:443/b"));
	assert_true(uri_same_origin("http://h:80/a", "http://h/b"));
	assert_true(uri_same_origin("rsync://h/a", "rsync://h:873/b"));
	assert_true(uri_same_origin("https://h:8443/a", "https://h:8443/b"));
	assert_false(uri_same_origin("https://h/a", "http://h/a"));
	assert_false(uri_same_origin("https://h/a", "https://h:8443/a"));
	assert_false(uri_same_origin("https://h:80/a", "http://h:80/a"));
	assert_false(uri_same_origin("https://h/a", "https://g/a"));
	assert_false(uri_same_origin("https://h/a", "https://h.evil/a"));
	assert_false(uri_same_origin("https://h/a", "https://h@evil/a"));
	assert_false(uri_same_origin("https://h/a", "/local/a"));
	assert_false(uri_same_origin("https://h/a", NULL));
	assert_false(uri_same_origin("://h/a", "://h/a"));
	assert_true(uri_same_origin("x-foo://h:1/a", "X-FOO://h:1/b"));
	assert_false(uri_same_origin("x-foo://h/a", "x-foo://h:1/b"));
}

/* Depth and length limits of uri_below_dir, below the directory of base. */
static void
below_dir_limits(const char *base)
{
	char	uri[2 * MAX_URI_LENGTH];
	size_t	i, off;

	/* MAX_PATH_DEPTH segments pass, one more is refused. */
	off = snprintf(uri, sizeof(uri), "https://h/rrdp/");
	for (i = 0; i < MAX_PATH_DEPTH - 1; i++)
		off += snprintf(uri + off, sizeof(uri) - off, "d/");
	snprintf(uri + off, sizeof(uri) - off, "f.xml");
	assert_non_null(uri_below_dir(uri, base));
	snprintf(uri + off, sizeof(uri) - off, "d/f.xml");
	assert_null(uri_below_dir(uri, base));

	/* A shallow uri longer than MAX_URI_LENGTH is refused. */
	off = snprintf(uri, sizeof(uri), "https://h/rrdp/");
	for (i = 0; i < 9; i++)
		off += snprintf(uri + off, sizeof(uri) - off, "%0250d/", 0);
	snprintf(uri + off, sizeof(uri) - off, "f.xml");
	assert_true(strlen(uri) > MAX_URI_LENGTH);
	assert_null(uri_below_dir(uri, base));
	uri[MAX_URI_LENGTH] = '\0';
	assert_non_null(uri_below_dir(uri, base));
}

static void
test_below_dir(void **unused)
{
	const char	*base = "https://h/rrdp/notification.xml";

	(void)unused;
	assert_string_equal(uri_below_dir("https://h/rrdp/s/1/snapshot.xml",
	    base), "s/1/snapshot.xml");
	/* Equivalent origins (RFC 3986): case of scheme and host, :443. */
	assert_string_equal(uri_below_dir("HTTPS://H:443/rrdp/d.xml", base),
	    "d.xml");
	assert_string_equal(uri_below_dir("https://h/rrdp/d.xml",
	    "https://H:443/rrdp/notification.xml"), "d.xml");
	/* Not equivalent: another port, another host, the path's case. */
	assert_null(uri_below_dir("https://h:8443/rrdp/d.xml", base));
	assert_null(uri_below_dir("https://h2/rrdp/d.xml", base));
	assert_null(uri_below_dir("https://h/RRDP/d.xml", base));
	assert_null(uri_below_dir("http://h/rrdp/d.xml", base));
	assert_string_equal(uri_below_dir("https://h/rrdp/d.xml", base),
	    "d.xml");
	assert_string_equal(uri_below_dir("https://h/rrdp/d.xml",
	    "https://h/rrdp/"), "d.xml");
	assert_string_equal(uri_below_dir("https://h/rrdp/d.xml",
	    "https://h/rrdp/n.xml?a=/b/c"), "d.xml");
	assert_null(uri_below_dir("https://h/other/d.xml", base));
	assert_null(uri_below_dir("https://h/rrdpx/d.xml", base));
	assert_null(uri_below_dir("https://g/rrdp/d.xml", base));
	assert_null(uri_below_dir("https://h/rrdp/", base));
	assert_null(uri_below_dir("https://h/rrdp/s/", base));
	assert_null(uri_below_dir("https://h/rrdp/../etc/passwd", base));
	assert_null(uri_below_dir("https://h/rrdp/s/../../x", base));
	assert_null(uri_below_dir("https://h/rrdp/./d.xml", base));
	assert_null(uri_below_dir("https://h/rrdp/s//d.xml", base));
	assert_null(uri_below_dir("https://h/rrdp//d.xml", base));
	assert_null(uri_below_dir("https://h/rrdp/..", base));
	assert_null(uri_below_dir("https://h/rrdp/a\nb", base));
	assert_null(uri_below_dir("https://h/rrdp/a\\..\\b", base));
	assert_null(uri_below_dir("https://h/rrdp", base));
	assert_null(uri_below_dir("https://h/rrdp/%2e%2e/x", base));
	assert_null(uri_below_dir("https://h/rrdp/%2E./x", base));
	assert_null(uri_below_dir("https://h/rrdp/a%2f..%2F..%2fx", base));
	assert_null(uri_below_dir("https://h/rrdp/a%5c..%5Cx", base));
	assert_null(uri_below_dir("https://h/rrdp/a b", base));
	assert_string_equal(uri_below_dir("https://h/rrdp/a%20b%41", base),
	    "a%20b%41");
	/* The host alone is not a directory. */
	assert_null(uri_below_dir("https://h/d.xml", "https://h"));
	assert_null(uri_below_dir("https://evil/d.xml", "https://h"));
	assert_string_equal(uri_below_dir("https://h/d.xml", "https://h/"),
	    "d.xml");
	assert_null(uri_below_dir("d.xml", "notification.xml"));
	below_dir_limits(base);
	assert_null(uri_below_dir(NULL, base));
	assert_null(uri_below_dir(base, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsync_valid),
		cmocka_unit_test(test_rsync_scheme),
		cmocka_unit_test(test_rsync_host),
		cmocka_unit_test(test_rsync_port),
		cmocka_unit_test(test_rsync_module_and_file),
		cmocka_unit_test(test_rsync_dots),
		cmocka_unit_test(test_rsync_characters),
		cmocka_unit_test(test_rsync_lengths),
		cmocka_unit_test(test_rsync_small_buffers),
		cmocka_unit_test(test_valid_http),
		cmocka_unit_test(test_same_origin),
		cmocka_unit_test(test_below_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
