/* Telling every hook of a run (sync_hook.h), in the order they were added. */
#include "rsyncswap/sync/sync_hook.h"

/* Each hook h of hs that has the callback cb. */
#define EACH_HOOK(hs, h, cb)						\
	for (size_t i_ = 0; (hs) != NULL && i_ < (hs)->n; i_++)		\
		if (((h) = (hs)->list[i_])->cb != NULL)

int
sync_hooks_add(struct sync_hooks *hs, const struct sync_hook *h)
{
	if (hs->n == SYNC_MAX_HOOKS)
		return -1;
	hs->list[hs->n++] = h;
	return 0;
}

int
hooks_build(const struct sync_hooks *hs, const char *session,
    long long serial, char *err, size_t errsz)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, build)
		if (h->build(h->arg, session, serial, err, errsz) == -1)
			return -1;
	return 0;
}

void
hooks_doc_begin(const struct sync_hooks *hs, enum rrdp_kind kind,
    long long serial)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, doc_begin)
		h->doc_begin(h->arg, kind, serial);
}

void
hooks_doc_write(const struct sync_hooks *hs, const void *buf, size_t len)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, doc_write)
		h->doc_write(h->arg, buf, len);
}

void
hooks_doc_end(const struct sync_hooks *hs, int ok)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, doc_end)
		h->doc_end(h->arg, ok);
}

void
hooks_deltas_failed(const struct sync_hooks *hs)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, deltas_failed)
		h->deltas_failed(h->arg);
}

void
hooks_rev_begin(const struct sync_hooks *hs, int snapshot)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, rev_begin)
		h->rev_begin(h->arg, snapshot);
}

int
hooks_object(const struct sync_hooks *hs, const char *path)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, object)
		if (h->object(h->arg, path) == -1)
			return -1;
	return 0;
}

void
hooks_commit(const struct sync_hooks *hs, struct revision *rev,
    const char *name)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, commit)
		h->commit(h->arg, rev, name);
}

void
hooks_recorded(const struct sync_hooks *hs, int rsync_dirfd,
    const char *name, const char *prev)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, recorded)
		h->recorded(h->arg, rsync_dirfd, name, prev);
}

void
hooks_settled(const struct sync_hooks *hs, const struct sync_view *v)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, settled)
		h->settled(h->arg, v);
}

int
hooks_served(const struct sync_hooks *hs, const struct sync_view *v,
    char *err, size_t errsz)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, served)
		if (h->served(h->arg, v, err, errsz) == -1)
			return -1;
	return 0;
}

void
hooks_swept(const struct sync_hooks *hs, long long cleanup_after,
    const struct privs *privs)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, swept)
		h->swept(h->arg, cleanup_after, privs);
}

void
hooks_end(const struct sync_hooks *hs)
{
	const struct sync_hook *h;

	EACH_HOOK(hs, h, end)
		h->end(h->arg);
}
