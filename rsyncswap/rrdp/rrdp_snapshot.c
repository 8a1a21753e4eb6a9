/*
 * RRDP snapshot document (RFC 8182 3.5.2):
 *
 *   <snapshot xmlns version session_id serial>
 *     <publish uri>base64</publish>     any number, no hash attribute
 *   </snapshot>
 */
#include <string.h>

#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/rrdp/rrdp_local.h"

enum snapshot_scope {
	SNAPSHOT_SCOPE_START,
	SNAPSHOT_SCOPE_SNAPSHOT,
	SNAPSHOT_SCOPE_PUBLISH,
	SNAPSHOT_SCOPE_END,
};

static void
snapshot_start(struct rrdp_parser *p, const char *name,
    const xmlChar **attrs, int nattrs)
{
	char session[RRDP_SESSION_LEN + 1];
	long long serial;

	switch (p->scope) {
	case SNAPSHOT_SCOPE_START:
		if (strcmp(name, "snapshot") != 0)
			break;
		if (rrdp_root_attrs(p, name, attrs, nattrs, session,
		    &serial) == -1 ||
		    rrdp_check_root_expected(p, session, serial) == -1)
			return;
		p->scope = SNAPSHOT_SCOPE_SNAPSHOT;
		return;
	case SNAPSHOT_SCOPE_SNAPSHOT:
		if (strcmp(name, "publish") == 0) {
			if (rrdp_object_start(p, name, attrs, nattrs, 0, 0, 0)
			    == 0)
				p->scope = SNAPSHOT_SCOPE_PUBLISH;
			return;
		}
		if (strcmp(name, "withdraw") == 0) {
			rrdp_fail(p, "<withdraw> not allowed in a snapshot");
			return;
		}
		break;
	default:
		break;
	}
	rrdp_fail(p, "unexpected element <%s>", name);
}

static void
snapshot_end(struct rrdp_parser *p, const char *name)
{
	switch (p->scope) {
	case SNAPSHOT_SCOPE_SNAPSHOT:
		p->scope = SNAPSHOT_SCOPE_END;
		break;
	case SNAPSHOT_SCOPE_PUBLISH:
		rrdp_object_end(p);
		p->scope = SNAPSHOT_SCOPE_SNAPSHOT;
		break;
	default:
		rrdp_fail(p, "unexpected end of <%s>", name);
		break;
	}
}

static void
snapshot_text(struct rrdp_parser *p, const char *s, size_t len)
{
	if (p->scope == SNAPSHOT_SCOPE_PUBLISH)
		rrdp_object_text(p, s, len);
	else if (!rrdp_is_space(s, len))
		rrdp_fail(p, "unexpected text in snapshot");
}

static void
snapshot_done(struct rrdp_parser *p)
{
	if (p->scope != SNAPSHOT_SCOPE_END)
		rrdp_fail(p, "incomplete snapshot");
}

const struct rrdp_doc_ops rrdp_snapshot_ops = {
	.start = snapshot_start,
	.end = snapshot_end,
	.text = snapshot_text,
	.done = snapshot_done,
};
