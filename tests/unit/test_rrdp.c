/*
 * The RRDP parser on real files from tests/data/rrdp and
 * tests/data/krill-sync-benchmark: valid documents parse with the right
 * counts and hashes, fed whole and in random-sized chunks; hostile and
 * malformed ones fail with a sensible one-line reason.
 */
#include "tests/unit/rrdp_test.h"

/* Returns tests/data path of a krill-sync document named by its URI. */
static const char *
krill_local(const char *dir, const char *uri, const char *host)
{
	static char buf[1024];

	assert_int_equal(strncmp(uri, host, strlen(host)), 0);
	snprintf(buf, sizeof(buf), "%s%s", dir, uri + strlen(host));
	return buf;
}

/*
 * Follows a notification: its snapshot and every delta must parse, match
 * the announced hash, and hold objects that are DER.
 */
static void
follow_notification(const char *dir, const char *name, const char *host,
    long long serial, size_t ndeltas, int snapshot_objects)
{
	struct rrdp_notification nt;
	struct seen s;
	char rel[512];

	snprintf(rel, sizeof(rel), "%s%s", dir, name);
	seen_init(&s);
	parse_ok(RRDP_NOTIFICATION, rel, NULL, -1, NULL, &s, &nt);
	assert_int_equal(nt.serial, serial);
	assert_int_equal(nt.ndeltas, ndeltas);
	assert_sorted(&nt);
	if (ndeltas > 0)
		assert_int_equal(nt.deltas[ndeltas - 1].serial, serial);

	parse_ok(RRDP_SNAPSHOT, krill_local(dir, nt.snapshot_uri, host),
	    nt.session_id, nt.serial, nt.snapshot_hash, &s, NULL);
	assert_int_equal(s.npublish, snapshot_objects);
	assert_int_equal(s.nnotder, 0);
	for (size_t i = 0; i < nt.ndeltas; i++) {
		parse_ok(RRDP_DELTA, krill_local(dir, nt.deltas[i].uri, host),
		    nt.session_id, nt.deltas[i].serial, nt.deltas[i].hash, &s,
		    NULL);
		assert_true(s.npublish + s.nwithdraw > 0);
		assert_int_equal(s.nnotder, 0);
	}
	seen_free(&s);
	rrdp_notification_free(&nt);
}

static void
test_krill_sequences(void **state)
{
	(void)state;
	follow_notification(KRILL_2656, "notification.xml", KRILL_HOST, 2656,
	    5, 440);
	follow_notification(KRILL_2658, "notification.xml", KRILL_HOST, 2658,
	    5, 441);
	follow_notification("rrdp/krill-sync/rrdp-rev2-session-reset/",
	    "notifyerthingy.xml", KRILL_HOST, 2, 2, 441);
	follow_notification("rrdp/krill-sync/rrdp-empty-snapshot/",
	    "notification.xml", KRILL_HOST, 1, 0, 0);
	follow_notification("krill-sync-benchmark/rrdp/", "notification.xml",
	    "https://localhost:3000/rrdp/", 3, 1, 135);
}

/*
 * Snapshot 2656 + deltas 2657 and 2658 must give snapshot 2658: checks
 * that decoding is byte-exact and that delta hashes name the objects.
 */
static void
test_krill_delta_chain(void **state)
{
	struct seen s, snap;
	const char *d = KRILL_2658 KRILL_SESS "/";
	char rel[512];
	int i, j;

	(void)state;
	seen_init(&s);
	parse_ok(RRDP_SNAPSHOT, KRILL_2656 KRILL_SESS "/2656/snapshot.xml",
	    KRILL_SESS, 2656, NULL, &s, NULL);
	s.check_hashes = 1;
	snprintf(rel, sizeof(rel), "%s2657/rnd-d/delta.xml", d);
	parse_ok(RRDP_DELTA, rel, KRILL_SESS, 2657, NULL, &s, NULL);
	snprintf(rel, sizeof(rel), "%s2658/rnd-d/delta.xml", d);
	parse_ok(RRDP_DELTA, rel, KRILL_SESS, 2658, NULL, &s, NULL);
	assert_int_equal(s.npublish, 440 + 3 + 3);

	seen_init(&snap);
	snprintf(rel, sizeof(rel), "%s2658/rnd-sn/snapshot.xml", d);
	parse_ok(RRDP_SNAPSHOT, rel, KRILL_SESS, 2658, NULL, &snap, NULL);
	for (i = 0, j = 0; i < s.nobjs; i++) {
		if (s.uri[i] == NULL)
			continue;
		j++;
		int k = find_obj(&snap, s.uri[i]);
		assert_true(k >= 0);
		assert_memory_equal(s.sha[i], snap.sha[k], SHA256_DIGEST_LENGTH);
	}
	assert_int_equal(j, snap.nobjs);
	seen_free(&s);
	seen_free(&snap);
}

static void
test_rpki_client_regress(void **state)
{
	struct rrdp_notification nt;
	struct seen s;

	(void)state;
	seen_init(&s);
	parse_ok(RRDP_SNAPSHOT, "rrdp/rpki-client-regress/snapshot.xml",
	    "7e7d2563-5bbb-40b0-8723-6a2e90c85d9e", 28483, NULL, &s, NULL);
	assert_int_equal(s.npublish, 3);
	assert_int_equal(s.nwithdraw, 0);
	parse_ok(RRDP_DELTA, "rrdp/rpki-client-regress/delta.xml",
	    "9b3f7e31-4979-4f8c-9818-73e4dadc3e6b", 13755, NULL, &s, NULL);
	assert_int_equal(s.npublish, 3);
	assert_int_equal(s.nwithdraw, 1);
	parse_ok(RRDP_NOTIFICATION, "rrdp/rpki-client-regress/notification.xml",
	    NULL, -1, NULL, &s, &nt);
	assert_string_equal(nt.session_id,
	    "8fe05c2e-047d-49e7-8398-cd4250a572b1");
	assert_int_equal(nt.serial, 50550);
	assert_int_equal(nt.ndeltas, 101);
	assert_sorted(&nt);
	assert_int_equal(nt.deltas[0].serial, 50450);
	rrdp_notification_free(&nt);
	seen_free(&s);
}

static void
test_ripe_notifications(void **state)
{
	struct rrdp_notification a, b;
	struct seen s;

	(void)state;
	seen_init(&s);
	parse_ok(RRDP_NOTIFICATION, "rrdp/rpki-rs/ripe-notification.xml",
	    NULL, -1, NULL, &s, &a);
	parse_ok(RRDP_NOTIFICATION,
	    "rrdp/rpki-rs/ripe-notification-unsorted.xml", NULL, -1, NULL, &s,
	    &b);
	assert_int_equal(a.ndeltas, 91);
	assert_int_equal(b.ndeltas, 91);
	assert_sorted(&a);
	/* Uppercase hex decodes like lowercase; unsorted input gets sorted. */
	assert_int_equal(a.snapshot_hash[0], 0xc0);
	assert_int_equal(a.snapshot_hash[31], 0x7c);
	for (size_t i = 0; i < a.ndeltas; i++) {
		assert_int_equal(a.deltas[i].serial, b.deltas[i].serial);
		assert_string_equal(a.deltas[i].uri, b.deltas[i].uri);
		assert_memory_equal(a.deltas[i].hash, b.deltas[i].hash,
		    RRDP_HASH_LEN);
	}
	rrdp_notification_free(&a);
	rrdp_notification_free(&b);
	parse_ok(RRDP_NOTIFICATION,
	    "rrdp/rpki-rs/ripe-notification-with-gaps.xml", NULL, -1, NULL, &s,
	    &a);
	assert_int_equal(a.ndeltas, 90);
	assert_sorted(&a);
	rrdp_notification_free(&a);
	seen_free(&s);
}

static void
test_other_valid(void **state)
{
	static const struct {
		enum rrdp_kind	 kind;
		const char	*rel;
		const char	*session;
		long long	 serial;
		int		 npublish, nwithdraw, nhash;
	} t[] = {
	{ RRDP_DELTA, "rrdp/fort-validator/docs/sample/delta.xml",
	    "66b09eea-03c7-435f-bb29-5bee810bd657", 18378, 2, 0, 2 },
	{ RRDP_SNAPSHOT, "rrdp/rpki-publication-server/valid-snapshot.xml",
	    "9df4b597-af9e-4dca-bdda-719cce2c4e28", 5932, 3, 0, 0 },
	{ RRDP_SNAPSHOT, "rrdp/rpki-rrdp-tools-py/sample-snapshot.xml",
	    "1c33ba5d-4e16-448d-9a22-b12599ef1cba", 46832, 33, 0, 0 },
	{ RRDP_DELTA, "rrdp/rpki-rrdp-tools-py/rrdp-content/26291.xml",
	    "f62e1519-f2e4-4d57-80bc-56c3699ba88e", 26291, 2, 1, 2 },
	{ RRDP_SNAPSHOT, "rrdp/rpki-validator-3/snapshot2.xml",
	    "a4a2b27b-2fac-4b1f-a9e8-9e931449ba11", 3442, 3, 0, 0 },
	{ RRDP_SNAPSHOT, "rrdp/rpki-validator-3/snapshot1.xml",
	    "9DF4B597-AF9E-4DCA-BDDA-719CCE2C4E28", 1, 1, 0, 0 },
	/* Two publishes of one URI: the tree builder refuses, not us. */
	{ RRDP_SNAPSHOT, "rrdp/rpki-monitoring/ripe-snapshot-collision.xml",
	    "a2d845c4-5b91-4015-a2b7-988c03ce232a", 1742, 2, 0, 0 },
	};
	static const struct {
		const char	*rel;
		long long	 serial;
		size_t		 ndeltas;
	} n[] = {
	{ "rrdp/fort-validator/test/resources/rrdp/notif-ok.xml", 3, 2 },
	{ "rrdp/fort-validator/test/resources/rrdp/notif-0deltas.xml", 3, 0 },
	{ "rrdp/fort-validator/test/xml/notification.xml", 1510, 5 },
	{ "rrdp/rpki-publication-server/notification-valid.xml", 2, 2 },
	{ "rrdp/rpki-rrdp-tools-py/rrdp-content/notification.xml", 26298,
	    100 },
	{ "rrdp/rpki-monitoring/ripe-notification.xml", 1742, 0 },
	{ "rrdp/krill-sync/rrdp-rev2658-no-delta/notification.xml", 2658, 1 },
	/* URI checks are the uri module's: these parse. */
	{ "rrdp/fort-validator/test/resources/rrdp/notif-bad-uri-1.xml", 3, 0 },
	{ "rrdp/fort-validator/test/resources/rrdp/notif-bad-uri-2.xml", 3, 0 },
	{ "rrdp/fort-validator/test/resources/rrdp/notif-bad-uri-3.xml", 3, 0 },
	{ "rrdp/fort-validator/test/resources/rrdp/notif-bad-uri-4.xml", 3, 0 },
	};
	struct rrdp_notification nt;
	struct seen s;
	size_t i;

	(void)state;
	seen_init(&s);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		parse_ok(t[i].kind, t[i].rel, t[i].session, t[i].serial, NULL,
		    &s, NULL);
		assert_int_equal(s.npublish, t[i].npublish);
		assert_int_equal(s.nwithdraw, t[i].nwithdraw);
		assert_int_equal(s.nhash, t[i].nhash);
	}
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		parse_ok(RRDP_NOTIFICATION, n[i].rel, NULL, -1, NULL, &s, &nt);
		assert_int_equal(nt.serial, n[i].serial);
		assert_int_equal(nt.ndeltas, n[i].ndeltas);
		assert_sorted(&nt);
		rrdp_notification_free(&nt);
	}
	seen_free(&s);
}

static void
test_hostile_files(void **state)
{
	static const struct {
		enum rrdp_kind	 kind;
		const char	*rel;
		const char	*session;
		long long	 serial;
		const char	*want;
	} t[] = {
#define N RRDP_NOTIFICATION, "rrdp/"
#define FORT "fort-validator/test/resources/rrdp/"
	{ N "rpki-client-regress/xxe.xml", NULL, -1, "DOCTYPE foo" },
	{ N "rpki-client-regress/billion_lol.xml", NULL, -1, "DOCTYPE lolz" },
	{ N "rpki-rs/lolz-notification.xml", NULL, -1, "DOCTYPE lolz" },
	{ N "rpki-client-regress/notification_xmlns.xml", NULL, -1,
	    "has namespace http://www.example.com/rpki/rrdp" },
	{ N FORT "notif-bad-hash.xml", NULL, -1, "line 8: invalid hash" },
	{ N FORT "notif-bad-serial.xml", NULL, -1, "invalid serial \"-1\"" },
	{ N FORT "notif-bad-session-id.xml", NULL, -1, "invalid session_id" },
	{ N FORT "notif-bad-version.xml", NULL, -1, "unsupported version" },
	{ N FORT "notif-bad-xmlns.xml", NULL, -1, "has namespace" },
	{ N FORT "notif-large-serial.xml", NULL, -1,
	    "invalid serial \"999999999999999999999999\"" },
	{ N "rpki-rs/ripe-notification-duplicates.xml", NULL, -1,
	    "duplicate delta serial 1685" },
	/* "HTTP://" is another namespace (XML compares names exactly). */
	{ N "rpki-validator-2/test4/broken_notification1.xml", NULL, -1,
	    "has namespace HTTP://" },
	{ N "rpki-validator-3/repo1/notification.xml", NULL, -1,
	    "has namespace HTTP://" },
	{ N "dragonresearch-rpki.net/ca/tests/rrdp-samples.xml", NULL, -1,
	    "has no namespace" },
#undef N
	{ RRDP_SNAPSHOT, "rrdp/" FORT "snapshot-bad-publish.xml",
	    "9df4b597-af9e-4dca-bdda-719cce2c4e28", 2, "invalid base64" },
	{ RRDP_SNAPSHOT, "rrdp/rpki-publication-server/"
	    "snapshot-with-invalid-tag.xml",
	    "9df4b597-af9e-4dca-bdda-719cce2c4e28", 5932,
	    "line 28: unexpected element <foo>" },
	{ RRDP_SNAPSHOT, "rrdp/rpki-monitoring/"
	    "ripe-snapshot-session-mismatch.xml",
	    "a2d845c4-5b91-4015-a2b7-988c03ce232a", 1742,
	    "session_id 666f76d3-6770-4bed-9262-e11d92455658 does not match "
	    "notification's a2d845c4-5b91-4015-a2b7-988c03ce232a" },
	{ RRDP_SNAPSHOT, "rrdp/rpki-client-regress/snapshot.xml",
	    "7e7d2563-5bbb-40b0-8723-6a2e90c85d9e", 28484,
	    "serial 28483 does not match notification's 28484" },
	/* Empty <publish> elements (rpki-rs trimmed RIPE data). */
	{ RRDP_SNAPSHOT, "rrdp/rpki-monitoring/ripe-snapshot.xml",
	    "a2d845c4-5b91-4015-a2b7-988c03ce232a", 1742, "empty <publish>" },
	{ RRDP_DELTA, "rrdp/rpki-rs/ripe-delta.xml",
	    "a2d845c4-5b91-4015-a2b7-988c03ce232a", 1739, "empty <publish>" },
	{ RRDP_DELTA, "rrdp/rpki-client-regress/snapshot.xml",
	    "7e7d2563-5bbb-40b0-8723-6a2e90c85d9e", 28483,
	    "unexpected element <snapshot>" },
#undef FORT
	};
	unsigned char h[RRDP_HASH_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		parse_bad(t[i].kind, t[i].rel, t[i].session, t[i].serial, NULL,
		    t[i].want);

	/* A document that does not match the notification's hash. */
	memset(h, 0xab, sizeof(h));
	parse_bad(RRDP_SNAPSHOT, KRILL_2656 KRILL_SESS "/2656/snapshot.xml",
	    KRILL_SESS, 2656, h, "hash mismatch: expected abababab");
	parse_bad(RRDP_NOTIFICATION, "rrdp/krill-sync/rrdp-rev2656/"
	    "notification.xml", NULL, -1, h, "got 23edd694");
}

/* Every prefix of a valid document fails; the whole one does not. */
static void
test_truncated(void **state)
{
	static const struct {
		enum rrdp_kind	 kind;
		const char	*rel;
		const char	*session;
		long long	 serial;
	} t[] = {
	{ RRDP_NOTIFICATION, KRILL_2656 "notification.xml", NULL, -1 },
	{ RRDP_SNAPSHOT, "rrdp/rpki-client-regress/snapshot.xml",
	    "7e7d2563-5bbb-40b0-8723-6a2e90c85d9e", 28483 },
	{ RRDP_DELTA, "rrdp/rpki-client-regress/delta.xml",
	    "9b3f7e31-4979-4f8c-9818-73e4dadc3e6b", 13755 },
	};
	struct rrdp_notification nt;
	struct seen s;
	char err[ERR_MAX];
	size_t i, cut, end;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		slurp(t[i].rel);
		/* The last byte may be a newline after the root's end tag. */
		end = rd_len;
		while (end > 0 && rd_data[end - 1] != '>')
			end--;
		for (cut = 0; cut < end; cut += cut < 64 ? 1 : 97) {
			seen_init(&s);
			if (parse_mem(t[i].kind, cut, t[i].session,
			    t[i].serial, NULL, MAX_OBJECT_SIZE_DEFAULT,
			    (unsigned int)cut, &s, &nt, err, sizeof(err)) == 0)
				fail_msg("%s cut at %zu parsed", t[i].rel, cut);
			seen_free(&s);
		}
		seen_init(&s);
		assert_int_equal(parse_mem(t[i].kind, rd_len / 2,
		    t[i].session, t[i].serial, NULL, MAX_OBJECT_SIZE_DEFAULT, 0,
		    &s, &nt, err, sizeof(err)), -1);
		seen_free(&s);
	}
}

static void
test_object_too_large(void **state)
{
	struct rrdp_notification nt;
	struct seen s;
	char err[ERR_MAX];
	size_t max;

	(void)state;
	seen_init(&s);
	parse_ok(RRDP_SNAPSHOT, KRILL_2656 KRILL_SESS "/2656/snapshot.xml",
	    KRILL_SESS, 2656, NULL, &s, NULL);
	max = s.maxlen;
	seen_free(&s);
	assert_true(max > 1000);
	seen_init(&s);
	assert_int_equal(parse_mem(RRDP_SNAPSHOT, rd_len, KRILL_SESS, 2656,
	    NULL, max, 12345, &s, &nt, err, sizeof(err)), 0);
	seen_free(&s);
	seen_init(&s);
	assert_int_equal(parse_mem(RRDP_SNAPSHOT, rd_len, KRILL_SESS, 2656,
	    NULL, max - 1, 12345, &s, &nt, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "object too large"));
	seen_free(&s);
	seen_init(&s);
	assert_int_equal(parse_mem(RRDP_SNAPSHOT, rd_len, KRILL_SESS, 2656,
	    NULL, 1, 0, &s, &nt, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "object too large"));
	seen_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_krill_sequences),
		cmocka_unit_test(test_krill_delta_chain),
		cmocka_unit_test(test_rpki_client_regress),
		cmocka_unit_test(test_ripe_notifications),
		cmocka_unit_test(test_other_valid),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_object_too_large),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(rd_data);
	return rc;
}
