/*
 * RRDP notification document (RFC 8182 3.5.1):
 *
 *   <notification xmlns version session_id serial>
 *     <snapshot uri hash/>          exactly one
 *     <delta serial uri hash/>      any number, unique serials
 *   </notification>
 *
 * The deltas are returned sorted by ascending serial.
 */
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/rrdp/rrdp_local.h"

enum notification_scope {
	NOTIFICATION_SCOPE_START,
	NOTIFICATION_SCOPE_NOTIFICATION,
	NOTIFICATION_SCOPE_SNAPSHOT,
	NOTIFICATION_SCOPE_DELTA,
	NOTIFICATION_SCOPE_END,
};

static void
start_notification(struct rrdp_parser *p, const char *name,
    const xmlChar **attrs, int nattrs)
{
	if (rrdp_root_attrs(p, name, attrs, nattrs, p->nt.session_id,
	    &p->nt.serial) == -1)
		return;
	p->scope = NOTIFICATION_SCOPE_NOTIFICATION;
}

static void
start_snapshot(struct rrdp_parser *p, const char *name,
    const xmlChar **attrs, int nattrs)
{
	struct rrdp_attr a[] = { { .name = "uri" }, { .name = "hash" } };
	char uri[MAX_URI_LENGTH + 1];

	if (p->have_snapshot) {
		rrdp_fail(p, "more than one <snapshot>");
		return;
	}
	if (rrdp_attrs_get(p, name, attrs, nattrs, a, 2) == -1 ||
	    rrdp_attr_require(p, name, &a[0]) == -1 ||
	    rrdp_attr_require(p, name, &a[1]) == -1 ||
	    rrdp_attr_uri(p, &a[0], uri, sizeof(uri)) == -1 ||
	    rrdp_attr_hash(p, &a[1], p->nt.snapshot_hash) == -1)
		return;
	if ((p->nt.snapshot_uri = strdup(uri)) == NULL) {
		rrdp_fail(p, "out of memory");
		return;
	}
	p->have_snapshot = 1;
	p->scope = NOTIFICATION_SCOPE_SNAPSHOT;
}

static void
start_delta(struct rrdp_parser *p, const char *name, const xmlChar **attrs,
    int nattrs)
{
	struct rrdp_attr a[] = {
		{ .name = "serial" }, { .name = "uri" }, { .name = "hash" },
	};
	struct rrdp_delta_ref d, *nd;
	char uri[MAX_URI_LENGTH + 1];
	size_t ncap;

	if (rrdp_attrs_get(p, name, attrs, nattrs, a, 3) == -1 ||
	    rrdp_attr_require(p, name, &a[0]) == -1 ||
	    rrdp_attr_require(p, name, &a[1]) == -1 ||
	    rrdp_attr_require(p, name, &a[2]) == -1 ||
	    rrdp_attr_serial(p, &a[0], &d.serial) == -1 ||
	    rrdp_attr_uri(p, &a[1], uri, sizeof(uri)) == -1 ||
	    rrdp_attr_hash(p, &a[2], d.hash) == -1)
		return;
	if (d.serial > p->nt.serial) {
		rrdp_fail(p, "delta serial %lld above notification serial "
		    "%lld", d.serial, p->nt.serial);
		return;
	}
	if (p->nt.ndeltas >= MAX_NOTIFICATION_DELTAS) {
		rrdp_fail(p, "more than %d deltas", MAX_NOTIFICATION_DELTAS);
		return;
	}
	if (p->nt.ndeltas == p->deltas_cap) {
		ncap = p->deltas_cap == 0 ? 16 : p->deltas_cap * 2;
		if (ncap > MAX_NOTIFICATION_DELTAS)
			ncap = MAX_NOTIFICATION_DELTAS;
		nd = reallocarray(p->nt.deltas, ncap, sizeof(*nd));
		if (nd == NULL) {
			rrdp_fail(p, "out of memory");
			return;
		}
		p->nt.deltas = nd;
		p->deltas_cap = ncap;
	}
	if ((d.uri = strdup(uri)) == NULL) {
		rrdp_fail(p, "out of memory");
		return;
	}
	p->nt.deltas[p->nt.ndeltas++] = d;
	p->scope = NOTIFICATION_SCOPE_DELTA;
}

static void
notification_start(struct rrdp_parser *p, const char *name,
    const xmlChar **attrs, int nattrs)
{
	switch (p->scope) {
	case NOTIFICATION_SCOPE_START:
		if (strcmp(name, "notification") == 0) {
			start_notification(p, name, attrs, nattrs);
			return;
		}
		break;
	case NOTIFICATION_SCOPE_NOTIFICATION:
		if (strcmp(name, "snapshot") == 0) {
			start_snapshot(p, name, attrs, nattrs);
			return;
		}
		if (strcmp(name, "delta") == 0) {
			start_delta(p, name, attrs, nattrs);
			return;
		}
		break;
	default:
		break;
	}
	rrdp_fail(p, "unexpected element <%s>", name);
}

static void
notification_end(struct rrdp_parser *p, const char *name)
{
	(void)name;
	/* libxml2 has checked that end tags match their start tags. */
	switch (p->scope) {
	case NOTIFICATION_SCOPE_NOTIFICATION:
		p->scope = NOTIFICATION_SCOPE_END;
		break;
	case NOTIFICATION_SCOPE_SNAPSHOT:
	case NOTIFICATION_SCOPE_DELTA:
		p->scope = NOTIFICATION_SCOPE_NOTIFICATION;
		break;
	default:
		rrdp_fail(p, "unexpected end of <%s>", name);
		break;
	}
}

static void
notification_text(struct rrdp_parser *p, const char *s, size_t len)
{
	if (!rrdp_is_space(s, len))
		rrdp_fail(p, "unexpected text in notification");
}

static int
delta_cmp(const void *a, const void *b)
{
	const struct rrdp_delta_ref *da = a, *db = b;

	if (da->serial < db->serial)
		return -1;
	return da->serial > db->serial;
}

static void
notification_done(struct rrdp_parser *p)
{
	size_t i;

	if (p->scope != NOTIFICATION_SCOPE_END) {
		rrdp_fail(p, "incomplete notification");
		return;
	}
	if (!p->have_snapshot) {
		rrdp_fail(p, "notification without <snapshot>");
		return;
	}
	if (p->nt.ndeltas > 0)
		qsort(p->nt.deltas, p->nt.ndeltas, sizeof(p->nt.deltas[0]),
		    delta_cmp);
	for (i = 1; i < p->nt.ndeltas; i++) {
		if (p->nt.deltas[i].serial == p->nt.deltas[i - 1].serial) {
			rrdp_fail_noline(p, "duplicate delta serial %lld",
			    p->nt.deltas[i].serial);
			return;
		}
	}
}

const struct rrdp_doc_ops rrdp_notification_ops = {
	.start = notification_start,
	.end = notification_end,
	.text = notification_text,
	.done = notification_done,
};
