/*
 * Expiry watch: the accumulator (a hash table of publication points keyed
 * by directory), the summary it produces and the judgement of a summary
 * at a given time. See expiry.h.
 */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry.h"

/* First size of the hash table; it doubles at half load. */
#define ACC_INITIAL_SLOTS	1024

struct acc_entry {
	struct expiry_dir	d;		/* d.pp.dir owned */
	size_t			dirlen;
};

struct expiry_acc {
	struct acc_entry	**slots;	/* open addressing, NULL free */
	size_t			 nslots;	/* a power of two */
	size_t			 nentries;
	struct expiry_bad	*bad;
	size_t			 nbad_listed;
	size_t			 nbad;
	size_t			 objects;
	size_t			 dropped;
	int64_t			 newest_update;
};

/* Returns p, or exits if p is NULL: out of memory is fatal. */
static void *
must(void *p)
{
	if (p == NULL)
		err(1, NULL);
	return p;
}

struct expiry_acc *
expiry_acc_new(void)
{
	struct expiry_acc	*acc = must(calloc(1, sizeof(*acc)));

	acc->nslots = ACC_INITIAL_SLOTS;
	acc->slots = must(calloc(acc->nslots, sizeof(*acc->slots)));
	acc->newest_update = TSNORM_NO_TIME;
	return acc;
}

void
expiry_acc_free(struct expiry_acc *acc)
{
	size_t	i;

	if (acc == NULL)
		return;
	for (i = 0; i < acc->nslots; i++)
		if (acc->slots[i] != NULL) {
			free(acc->slots[i]->d.pp.dir);
			free(acc->slots[i]);
		}
	for (i = 0; i < acc->nbad_listed; i++)
		free(acc->bad[i].path);
	free(acc->bad);
	free(acc->slots);
	free(acc);
}

/* Returns the FNV-1a hash of s[0..len). */
static size_t
hash_dir(const char *s, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)h;
}

/* Doubles the hash table of acc. */
static void
acc_grow(struct expiry_acc *acc)
{
	struct acc_entry	**old = acc->slots, *e;
	size_t			  nold = acc->nslots, i, j;

	acc->nslots *= 2;
	acc->slots = must(calloc(acc->nslots, sizeof(*acc->slots)));
	for (i = 0; i < nold; i++) {
		if ((e = old[i]) == NULL)
			continue;
		j = hash_dir(e->d.pp.dir, e->dirlen) & (acc->nslots - 1);
		while (acc->slots[j] != NULL)
			j = (j + 1) & (acc->nslots - 1);
		acc->slots[j] = e;
	}
	free(old);
}

/*
 * Returns the entry of the directory dir[0..len), created if new, or NULL
 * if it is new and MAX_EXPIRY_PPS entries exist already.
 */
static struct acc_entry *
acc_lookup(struct expiry_acc *acc, const char *dir, size_t len)
{
	struct acc_entry	*e;
	size_t			 j;

	j = hash_dir(dir, len) & (acc->nslots - 1);
	for (; (e = acc->slots[j]) != NULL; j = (j + 1) & (acc->nslots - 1))
		if (e->dirlen == len && memcmp(e->d.pp.dir, dir, len) == 0)
			return e;
	if (acc->nentries >= MAX_EXPIRY_PPS)
		return NULL;
	e = must(calloc(1, sizeof(*e)));
	expiry_dir_init(&e->d, must(strndup(dir, len)));
	e->dirlen = len;
	acc->slots[j] = e;
	if (++acc->nentries * 2 >= acc->nslots)
		acc_grow(acc);
	return e;
}

/* Returns the smaller of a and b. */
static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

void
expiry_acc_add_bad(struct expiry_acc *acc, const char *path,
    enum expiry_bad_reason reason)
{
	acc->nbad++;
	if (acc->nbad_listed >= MAX_EXPIRY_BAD)
		return;
	if (acc->bad == NULL)
		acc->bad = must(calloc(MAX_EXPIRY_BAD, sizeof(*acc->bad)));
	acc->bad[acc->nbad_listed].path = must(strdup(path));
	acc->bad[acc->nbad_listed].reason = reason;
	acc->nbad_listed++;
}

void
expiry_dir_init(struct expiry_dir *d, char *dir)
{
	memset(d, 0, sizeof(*d));
	d->pp.dir = dir;
	d->pp.expiry = d->pp.mft_next_update = TSNORM_NO_TIME;
	d->pp.mft_not_after = d->pp.crl_next_update = TSNORM_NO_TIME;
	d->pp.mft_this_update = d->newest_update = TSNORM_NO_TIME;
}

int
expiry_dir_add(struct expiry_dir *d, const struct tsnorm_expiry *exp,
    enum expiry_bad_reason *reason)
{
	if (exp->kind == TSNORM_EXPIRY_NONE)
		return 0;
	d->objects++;
	if (exp->status != TSNORM_EXPIRY_OK) {
		*reason = exp->status == TSNORM_EXPIRY_NO_NEXTUPDATE ?
		    EXPIRY_BAD_NO_NEXTUPDATE : EXPIRY_BAD_UNREADABLE;
		return -1;
	}
	if (d->newest_update == TSNORM_NO_TIME ||
	    exp->this_update > d->newest_update)
		d->newest_update = exp->this_update;
	if (exp->kind == TSNORM_EXPIRY_CRL) {
		d->pp.crl_next_update = min64(d->pp.crl_next_update,
		    exp->next_update);
		return 1;
	}
	d->has_mft = 1;
	d->pp.mft_next_update = min64(d->pp.mft_next_update,
	    exp->next_update);
	d->pp.mft_not_after = min64(d->pp.mft_not_after, exp->not_after);
	if (d->pp.mft_this_update == TSNORM_NO_TIME ||
	    exp->this_update > d->pp.mft_this_update)
		d->pp.mft_this_update = exp->this_update;
	return 1;
}

int64_t
expiry_dir_expiry(const struct expiry_dir *d)
{
	return min64(min64(d->pp.mft_next_update, d->pp.mft_not_after),
	    d->pp.crl_next_update);
}

/* Raises acc's newest update to t. */
static void
acc_newest(struct expiry_acc *acc, int64_t t)
{
	if (t != TSNORM_NO_TIME && (acc->newest_update == TSNORM_NO_TIME ||
	    t > acc->newest_update))
		acc->newest_update = t;
}

void
expiry_acc_add(struct expiry_acc *acc, const char *path,
    const struct tsnorm_expiry *exp)
{
	struct expiry_dir	 d;
	enum expiry_bad_reason	 why;
	char			 dir[PATH_MAX];
	const char		*slash = strrchr(path, '/');

	/* A directory of one object. */
	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ?
	    (int)(slash - path) : 0, path);
	expiry_dir_init(&d, dir);
	if (expiry_dir_add(&d, exp, &why) == -1)
		expiry_acc_add_bad(acc, path, why);
	expiry_acc_add_dir(acc, &d);
}

void
expiry_acc_add_dir(struct expiry_acc *acc, const struct expiry_dir *d)
{
	struct acc_entry	*e;

	acc->objects += d->objects;
	acc_newest(acc, d->newest_update);
	if (!d->has_mft && d->pp.crl_next_update == TSNORM_NO_TIME)
		return;		/* nothing readable: no entry needed */
	if ((e = acc_lookup(acc, d->pp.dir, strlen(d->pp.dir))) == NULL) {
		acc->dropped++;
		return;
	}
	e->d.has_mft |= d->has_mft;
	e->d.objects += d->objects;
	e->d.pp.mft_next_update = min64(e->d.pp.mft_next_update,
	    d->pp.mft_next_update);
	e->d.pp.mft_not_after = min64(e->d.pp.mft_not_after,
	    d->pp.mft_not_after);
	e->d.pp.crl_next_update = min64(e->d.pp.crl_next_update,
	    d->pp.crl_next_update);
	if (d->pp.mft_this_update != TSNORM_NO_TIME &&
	    (e->d.pp.mft_this_update == TSNORM_NO_TIME ||
	    d->pp.mft_this_update > e->d.pp.mft_this_update))
		e->d.pp.mft_this_update = d->pp.mft_this_update;
}

/* Sink callbacks of an accumulator. */
static void
acc_sink_dir(void *arg, const struct expiry_dir *d)
{
	expiry_acc_add_dir(arg, d);
}

static void
acc_sink_bad(void *arg, const char *path, enum expiry_bad_reason reason)
{
	expiry_acc_add_bad(arg, path, reason);
}

void
expiry_acc_sink(struct expiry_acc *acc, struct expiry_sink *sink)
{
	sink->dir = acc_sink_dir;
	sink->bad = acc_sink_bad;
	sink->arg = acc;
}

/* qsort order of PPs: by expiry, then by directory. */
static int
pp_cmp(const void *a, const void *b)
{
	const struct expiry_pp	*x = a, *y = b;

	if (x->expiry != y->expiry)
		return x->expiry < y->expiry ? -1 : 1;
	return strcmp(x->dir, y->dir);
}

/* qsort order of damaged objects: by path. */
static int
bad_cmp(const void *a, const void *b)
{
	const struct expiry_bad	*x = a, *y = b;

	return strcmp(x->path, y->path);
}

void
expiry_acc_finish(struct expiry_acc *acc, struct expiry_summary *sum)
{
	struct acc_entry	*e;
	size_t			 i;

	memset(sum, 0, sizeof(*sum));
	sum->pps = must(calloc(acc->nentries + 1, sizeof(*sum->pps)));
	for (i = 0; i < acc->nslots; i++) {
		if ((e = acc->slots[i]) == NULL)
			continue;
		acc->slots[i] = NULL;
		if (e->d.has_mft) {
			e->d.pp.expiry = expiry_dir_expiry(&e->d);
			e->d.pp.objects = e->d.objects;
			sum->pps[sum->npps++] = e->d.pp;
		} else
			free(e->d.pp.dir);	/* CRLs without a manifest */
		free(e);
	}
	sum->bad = acc->bad;
	sum->nbad_listed = acc->nbad_listed;
	sum->nbad = acc->nbad;
	sum->objects = acc->objects;
	sum->dropped = acc->dropped;
	sum->newest_update = acc->newest_update;

	acc->nentries = 0;
	acc->bad = NULL;
	acc->nbad_listed = acc->nbad = acc->objects = acc->dropped = 0;
	acc->newest_update = TSNORM_NO_TIME;
	expiry_summary_sort(sum);
}

void
expiry_summary_sort(struct expiry_summary *sum)
{
	if (sum->npps > 0)
		qsort(sum->pps, sum->npps, sizeof(*sum->pps), pp_cmp);
	if (sum->nbad_listed > 0)
		qsort(sum->bad, sum->nbad_listed, sizeof(*sum->bad), bad_cmp);
}

void
expiry_summary_free(struct expiry_summary *sum)
{
	size_t	i;

	for (i = 0; i < sum->npps; i++)
		free(sum->pps[i].dir);
	for (i = 0; i < sum->nbad_listed; i++)
		free(sum->bad[i].path);
	free(sum->pps);
	free(sum->bad);
	memset(sum, 0, sizeof(*sum));
}

enum expiry_source
expiry_pp_source(const struct expiry_pp *pp)
{
	if (pp->expiry == pp->mft_next_update)
		return EXPIRY_SRC_MFT_NEXTUPDATE;
	if (pp->expiry == pp->crl_next_update)
		return EXPIRY_SRC_CRL_NEXTUPDATE;
	return EXPIRY_SRC_MFT_EE_NOTAFTER;
}

const char *
expiry_source_name(enum expiry_source src)
{
	switch (src) {
	case EXPIRY_SRC_MFT_NEXTUPDATE:
		return "manifest-nextupdate";
	case EXPIRY_SRC_MFT_EE_NOTAFTER:
		return "manifest-ee-notafter";
	case EXPIRY_SRC_CRL_NEXTUPDATE:
		return "crl-nextupdate";
	}
	return "unknown";
}

const char *
expiry_bad_reason_name(enum expiry_bad_reason reason)
{
	switch (reason) {
	case EXPIRY_BAD_UNREADABLE:
		return "unreadable";
	case EXPIRY_BAD_NO_NEXTUPDATE:
		return "no-nextupdate";
	case EXPIRY_BAD_IO:
		return "io-error";
	case EXPIRY_BAD_TOO_LARGE:
		return "too-large";
	}
	return "unknown";
}

/* Returns the number of PPs of sum whose expiry is below t. */
static size_t
count_below(const struct expiry_summary *sum, int64_t t)
{
	size_t	lo = 0, hi = sum->npps, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sum->pps[mid].expiry < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
expiry_assess(const struct expiry_summary *sum, int64_t now, int64_t warn,
    struct expiry_assessment *a)
{
	int64_t	limit;

	if (warn < 0)
		warn = 0;
	limit = now > INT64_MAX - warn - 1 ? INT64_MAX : now + warn + 1;
	a->expired = count_below(sum, now);
	a->expiring = count_below(sum, limit) - a->expired;
	a->damaged = sum->nbad;
	a->earliest = sum->npps > 0 ? &sum->pps[0] : NULL;
}

int
expiry_warning(const struct expiry_summary *sum, int64_t now, int64_t warn,
    char *buf, size_t bufsz)
{
	struct expiry_assessment	 a;
	char				 when[32], left[32], win[32], dmg[64];
	char				 fut[128];
	const struct expiry_pp		*first;

	expiry_assess(sum, now, warn, &a);
	buf[0] = dmg[0] = fut[0] = '\0';
	if (a.damaged > 0)
		snprintf(dmg, sizeof(dmg), "; %zu damaged manifest%s/CRLs",
		    a.damaged, a.damaged == 1 ? "" : "s");
	if (sum->newest_update != TSNORM_NO_TIME &&
	    sum->newest_update > now + EXPIRY_FUTURE_SLACK) {
		expiry_fmt_time(sum->newest_update, when, sizeof(when));
		expiry_fmt_duration(sum->newest_update - now, left,
		    sizeof(left));
		snprintf(fut, sizeof(fut), "; the latest thisUpdate (%s) is "
		    "%s in the future: the origin's clock or ours is wrong",
		    when, left);
	}
	if (a.expired == 0 && a.expiring == 0) {
		if (a.damaged > 0)
			snprintf(buf, bufsz, "%zu damaged manifest%s/CRLs "
			    "served%s", a.damaged, a.damaged == 1 ? "" : "s",
			    fut);
		else if (fut[0] != '\0')
			snprintf(buf, bufsz, "%s", fut + 2);
		return buf[0] != '\0';
	}
	expiry_fmt_window(warn, win, sizeof(win));
	first = a.earliest;
	expiry_fmt_time(first->expiry, when, sizeof(when));
	expiry_fmt_duration(first->expiry - now, left, sizeof(left));
	if (a.expired > 0) {
		snprintf(buf, bufsz, "%zu publication point%s expired, %zu "
		    "expire%s within %s; earliest %s at %s (%s, %s)%s%s",
		    a.expired, a.expired == 1 ? "" : "s", a.expiring,
		    a.expiring == 1 ? "s" : "", win,
		    first->dir[0] != '\0' ? first->dir : ".", when, left,
		    expiry_source_name(expiry_pp_source(first)), dmg, fut);
		return 2;
	}
	snprintf(buf, bufsz, "%zu publication point%s expire%s within %s; "
	    "earliest %s at %s (in %s, %s)%s%s", a.expiring,
	    a.expiring == 1 ? "" : "s", a.expiring == 1 ? "s" : "", win,
	    first->dir[0] != '\0' ? first->dir : ".", when, left,
	    expiry_source_name(expiry_pp_source(first)), dmg, fut);
	return 1;
}

void
expiry_fmt_time(int64_t t, char *buf, size_t bufsz)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (t == TSNORM_NO_TIME || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, bufsz, "-");
}

void
expiry_fmt_duration(int64_t secs, char *buf, size_t bufsz)
{
	const char	*sign = secs < 0 ? "-" : "";
	uint64_t	 s = secs < 0 ? -(uint64_t)secs : (uint64_t)secs;

	if (s >= 86400)
		snprintf(buf, bufsz, "%s%llud%lluh", sign,
		    (unsigned long long)(s / 86400),
		    (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, bufsz, "%s%lluh%llum", sign,
		    (unsigned long long)(s / 3600),
		    (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, bufsz, "%s%llum%llus", sign,
		    (unsigned long long)(s / 60),
		    (unsigned long long)(s % 60));
}

const char *
expiry_fmt_window(int64_t secs, char *buf, size_t bufsz)
{
	if (secs % 3600 == 0)
		snprintf(buf, bufsz, "%lld h", (long long)secs / 3600);
	else
		expiry_fmt_duration(secs, buf, bufsz);
	return buf;
}
