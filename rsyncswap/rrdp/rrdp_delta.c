/*
 * RRDP delta document (RFC 8182 3.5.3):
 *
 *   <delta xmlns version session_id serial>
 *     <publish uri [hash]>base64</publish>   hash: the object replaced
 *     <withdraw uri hash/>                    hash: the object removed
 *   </delta>
 */
#include <string.h>

#include "rsyncswap/rrdp/rrdp.h"
#include "rsyncswap/rrdp/rrdp_local.h"

enum delta_scope {
	DELTA_SCOPE_START,
	DELTA_SCOPE_DELTA,
	DELTA_SCOPE_PUBLISH,
	DELTA_SCOPE_WITHDRAW,
	DELTA_SCOPE_END,
};

static void
delta_start(struct rrdp_parser *p, const char *name, const xmlChar **attrs,
    int nattrs)
{
	char session[RRDP_SESSION_LEN + 1];
	long long serial;

	switch (p->scope) {
	case DELTA_SCOPE_START:
		if (strcmp(name, "delta") != 0)
			break;
		if (rrdp_root_attrs(p, name, attrs, nattrs, session,
		    &serial) == -1 ||
		    rrdp_check_root_expected(p, session, serial) == -1)
			return;
		p->scope = DELTA_SCOPE_DELTA;
		return;
	case DELTA_SCOPE_DELTA:
		if (strcmp(name, "publish") == 0) {
			if (rrdp_object_start(p, name, attrs, nattrs, 0, 1, 0)
			    == 0)
				p->scope = DELTA_SCOPE_PUBLISH;
			return;
		}
		if (strcmp(name, "withdraw") == 0) {
			if (rrdp_object_start(p, name, attrs, nattrs, 1, 1, 1)
			    == 0)
				p->scope = DELTA_SCOPE_WITHDRAW;
			return;
		}
		break;
	default:
		break;
	}
	rrdp_fail(p, "unexpected element <%s>", name);
}

static void
delta_end(struct rrdp_parser *p, const char *name)
{
	switch (p->scope) {
	case DELTA_SCOPE_DELTA:
		p->scope = DELTA_SCOPE_END;
		break;
	case DELTA_SCOPE_PUBLISH:
	case DELTA_SCOPE_WITHDRAW:
		rrdp_object_end(p);
		p->scope = DELTA_SCOPE_DELTA;
		break;
	default:
		rrdp_fail(p, "unexpected end of <%s>", name);
		break;
	}
}

static void
delta_text(struct rrdp_parser *p, const char *s, size_t len)
{
	if (p->scope == DELTA_SCOPE_PUBLISH || p->scope == DELTA_SCOPE_WITHDRAW)
		rrdp_object_text(p, s, len);
	else if (!rrdp_is_space(s, len))
		rrdp_fail(p, "unexpected text in delta");
}

static void
delta_done(struct rrdp_parser *p)
{
	if (p->scope != DELTA_SCOPE_END)
		rrdp_fail(p, "incomplete delta");
}

const struct rrdp_doc_ops rrdp_delta_ops = {
	.start = delta_start,
	.end = delta_end,
	.text = delta_text,
	.done = delta_done,
};
