/*
 * Aggregation of rsyncd sessions for `rsyncswap report`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyncswap/report/report_data.h"

/* Slots of the client set: twice the bound keeps probes short. */
#define CLIENT_SLOTS	(2 * REPORT_CLIENTS_MAX)

int
report_data_init(struct report_data *d, const struct state *st)
{
	memset(d, 0, sizeof(*d));
	d->state = st;
	d->stride = 1;
	if ((d->dur_fine = calloc(REPORT_DUR_FINE, sizeof(*d->dur_fine))) ==
	    NULL || (d->dur_coarse = calloc(REPORT_DUR_COARSE + 1,
	    sizeof(*d->dur_coarse))) == NULL ||
	    (d->hours = calloc(REPORT_HOURS_MAX, sizeof(*d->hours))) == NULL ||
	    (d->clients = calloc(CLIENT_SLOTS, sizeof(*d->clients))) == NULL ||
	    (d->points = calloc(REPORT_POINTS_MAX, sizeof(*d->points))) ==
	    NULL) {
		report_data_free(d);
		return -1;
	}
	return 0;
}

void
report_data_free(struct report_data *d)
{
	free(d->dur_fine);
	free(d->dur_coarse);
	free(d->hours);
	free(d->clients);
	free(d->points);
	free(d->vs);
	memset(d, 0, sizeof(*d));
}

/* Returns the hour entry of time t, or NULL when outside the table. */
static struct report_hour *
hour_of(struct report_data *d, long long t)
{
	long long	h = t / 3600;

	if (t <= 0)
		return NULL;
	if (d->nhours == 0) {
		d->first_hour = h;
		d->nhours = 1;
	}
	if (h < d->first_hour || h - d->first_hour >= REPORT_HOURS_MAX) {
		d->hours_dropped++;
		return NULL;
	}
	if ((size_t)(h - d->first_hour) >= d->nhours)
		d->nhours = (size_t)(h - d->first_hour) + 1;
	return &d->hours[h - d->first_hour];
}

/* Adds ip to the client set (marking it affected). */
static void
client_add(struct report_data *d, const char *ip, int affected)
{
	uint32_t	h = 2166136261u;
	size_t		i;
	const char	*p;

	if (ip[0] == '\0')
		return;
	for (p = ip; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = h % CLIENT_SLOTS; d->clients[i].ip[0] != '\0';
	    i = (i + 1) % CLIENT_SLOTS)
		if (strcmp(d->clients[i].ip, ip) == 0)
			break;
	if (d->clients[i].ip[0] == '\0') {
		if (d->nclients == REPORT_CLIENTS_MAX) {
			d->clients_full = 1;
			return;
		}
		snprintf(d->clients[i].ip, sizeof(d->clients[i].ip), "%s", ip);
		d->nclients++;
	}
	if (affected && !d->clients[i].affected) {
		d->clients[i].affected = 1;
		d->clients_affected++;
	}
}

/* Adds a point for the SVG, thinning evenly when the array is full. */
static void
point_add(struct report_data *d, long long t, long long dur, int refused)
{
	size_t	i;

	if (d->tick++ % d->stride != 0)
		return;
	if (d->npoints == REPORT_POINTS_MAX) {
		for (i = 0; i < REPORT_POINTS_MAX / 2; i++)
			d->points[i] = d->points[2 * i];
		d->npoints = REPORT_POINTS_MAX / 2;
		d->stride *= 2;
	}
	d->points[d->npoints].t = t;
	d->points[d->npoints].duration = dur;
	d->points[d->npoints].refused = refused;
	d->npoints++;
}

/* Finds the history entry current at time t; sets *ambiguous. Returns it or -1. */
static int
revision_at(const struct state *st, long long t, int *ambiguous)
{
	size_t	i;

	*ambiguous = 0;
	if (st == NULL || t <= 0)
		return -1;
	for (i = st->nhistory; i-- > 0; ) {
		const struct state_revision *r = &st->history[i];
		if (r->since <= t && (r->until == 0 || t < r->until)) {
			/* Log times are whole seconds: the swap's second. */
			*ambiguous = r->since == t && i > 0;
			return (int)i;
		}
	}
	return -1;
}

/* Records a session with vanished lines. */
static void
vanished_add(struct report_data *d, const struct rsyncd_session *s,
    long long t)
{
	struct report_vanished	*v;
	size_t			 n;

	if (d->nvs == REPORT_VANISHED_MAX) {
		d->vs_more++;
		return;
	}
	if (d->nvs == d->vs_alloc) {
		n = d->vs_alloc == 0 ? 16 : d->vs_alloc * 2;
		if (n > REPORT_VANISHED_MAX)
			n = REPORT_VANISHED_MAX;
		if ((v = reallocarray(d->vs, n, sizeof(*v))) == NULL) {
			d->vs_more++;
			return;
		}
		d->vs = v;
		d->vs_alloc = n;
	}
	v = &d->vs[d->nvs++];
	v->pid = s->pid;
	memcpy(v->ip, s->ip, sizeof(v->ip));
	memcpy(v->module, s->module, sizeof(v->module));
	v->connected = t;
	v->ended = s->ended;
	v->files = s->vanished_files;
	v->dirs = s->vanished_dirs;
	memcpy(v->first, s->first_vanished, sizeof(v->first));
	v->rev = revision_at(d->state, t, &v->ambiguous);
}

/* Adds a finished session's duration to the histogram. */
static void
duration_add(struct report_data *d, long long dur)
{
	long long	i;

	if (dur < 0)
		dur = 0;
	if (dur < REPORT_DUR_FINE)
		d->dur_fine[dur]++;
	else {
		i = (dur - REPORT_DUR_FINE) / REPORT_DUR_STEP;
		d->dur_coarse[i < REPORT_DUR_COARSE ? i : REPORT_DUR_COARSE]++;
	}
	d->ndur++;
	if (dur > d->max_duration)
		d->max_duration = dur;
}

void
report_data_session(const struct rsyncd_session *s, void *arg)
{
	struct report_data	*d = arg;
	struct report_hour	*h;
	long long		 t, dur = -1;
	unsigned long		 nv = s->vanished_files + s->vanished_dirs;

	t = s->connected != 0 ? s->connected : s->started;
	if (t == 0)
		t = s->last;
	client_add(d, s->ip, nv > 0);
	switch (s->outcome) {
	case RSYNCD_SESS_REFUSED:
		point_add(d, t, 0, 1);
		return;		/* counted per line, see report_data_line */
	case RSYNCD_SESS_NOXFER:
		d->noxfer++;
		return;
	case RSYNCD_SESS_EVICTED:
		d->evicted++;
		break;
	case RSYNCD_SESS_LOST:
		d->lost++;
		break;
	case RSYNCD_SESS_END:
	case RSYNCD_SESS_OPEN:
		break;
	}
	if (s->started == 0 && nv == 0)
		return;		/* a connection that never transferred */
	d->sessions++;
	if (s->outcome == RSYNCD_SESS_END) {
		d->finished++;
		dur = s->ended - t;
		duration_add(d, dur);
		d->bytes_sent += (unsigned long long)s->sent;
		d->bytes_received += (unsigned long long)s->received;
	} else {
		d->unfinished++;
		if (d->last - t > d->longest_open)
			d->longest_open = d->last - t;
	}
	if ((h = hour_of(d, t)) != NULL) {
		h->sessions++;
		h->vanished += nv;
		if (dur > h->max_duration)
			h->max_duration = dur;
	}
	point_add(d, t, dur < 0 ? 0 : dur, 0);
	if (nv > 0) {
		d->vanished_sessions++;
		vanished_add(d, s, t);
	}
}

void
report_data_line(struct report_data *d, const struct rsyncd_line *l)
{
	struct report_hour	*h;

	d->kinds[l->kind]++;
	if (d->first == 0 || l->time < d->first)
		d->first = l->time;
	if (l->time > d->last)
		d->last = l->time;
	if (l->kind == RSYNCD_MAXCONN && (h = hour_of(d, l->time)) != NULL)
		h->refusals++;
}

long long
report_data_quantile(const struct report_data *d, double q)
{
	unsigned long long	want, sum = 0;
	long long		i;

	if (d->ndur == 0)
		return -1;
	want = (unsigned long long)(q * (double)d->ndur);
	if ((double)want < q * (double)d->ndur)
		want++;
	if (want == 0)
		want = 1;
	for (i = 0; i < REPORT_DUR_FINE; i++)
		if ((sum += d->dur_fine[i]) >= want)
			return i < d->max_duration ? i : d->max_duration;
	for (i = 0; i <= REPORT_DUR_COARSE; i++)
		if ((sum += d->dur_coarse[i]) >= want) {
			long long up = REPORT_DUR_FINE +
			    (i + 1) * REPORT_DUR_STEP - 1;
			return up < d->max_duration ? up : d->max_duration;
		}
	return d->max_duration;
}

long long
report_data_cleanup(const struct report_data *d, char *reason,
    size_t reasonsz)
{
	long long	twice = (2 * d->max_duration + 59) / 60 * 60;

	if (d->ndur == 0) {
		snprintf(reason, reasonsz, "no finished session in the logs: "
		    "keep the BCP default");
		return CLEANUP_AFTER_DEFAULT;
	}
	if (twice <= CLEANUP_AFTER_DEFAULT) {
		snprintf(reason, reasonsz, "the BCP default; twice the longest "
		    "session (%lld s) rounded up to a minute is %lld s",
		    d->max_duration, twice);
		return CLEANUP_AFTER_DEFAULT;
	}
	snprintf(reason, reasonsz, "twice the longest session (%lld s), "
	    "rounded up to a minute: longer than the BCP default %d s",
	    d->max_duration, CLEANUP_AFTER_DEFAULT);
	return twice;
}
