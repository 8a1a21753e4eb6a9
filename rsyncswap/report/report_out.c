/*
 * Text and JSON output of `rsyncswap report`. The JSON schema is documented
 * in README.md ("rsyncswap report"); keys are only ever added.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rsyncswap/base/json.h"
#include "rsyncswap/base/log.h"
#include "rsyncswap/report/report_out.h"

/* Formats epoch t as local time with fmt into buf ("-" for 0). Returns buf. */
static const char *
local(long long t, const char *fmt, char *buf, size_t sz)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(buf, sz, "-");
	else
		strftime(buf, sz, fmt, &tm);
	return buf;
}

/* Formats t as HH:MM:SS, or with the date when it is another day than ref. */
static const char *
clock_of(long long t, long long ref, char *buf, size_t sz)
{
	char	a[16], b[16];

	local(t, "%Y-%m-%d", a, sizeof(a));
	local(ref, "%Y-%m-%d", b, sizeof(b));
	return local(t, strcmp(a, b) == 0 ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S",
	    buf, sz);
}

static void
print_attribution(FILE *f, const struct report_data *d,
    const struct report_vanished *v)
{
	const struct state_revision	*r;
	char				 a[32], b[32], c[32];
	char				 ip[sizeof(v->ip)], first[sizeof(v->first)];

	/* Text from the log reaches a terminal: no control characters. */
	snprintf(ip, sizeof(ip), "%s", v->ip);
	snprintf(first, sizeof(first), "%s", v->first);
	log_scrub(ip);
	log_scrub(first);
	fprintf(f, "  pid %ld from %s connected %s", v->pid, ip,
	    local(v->connected, "%Y-%m-%d %H:%M:%S", a, sizeof(a)));
	if (d->state != NULL && v->rev >= 0) {
		r = &d->state->history[v->rev];
		fprintf(f, " to %s (", r->name);
		if (r->until != 0)
			fprintf(f, "replaced %s, ",
			    clock_of(r->until, v->connected, b, sizeof(b)));
		else
			fprintf(f, "still current, ");
		if (r->removed != 0)
			fprintf(f, "removed %s)",
			    clock_of(r->removed, v->connected, c, sizeof(c)));
		else
			fprintf(f, "not removed)");
		if (v->ambiguous)
			fprintf(f, " [or the revision before: swapped in that "
			    "second]");
	} else if (d->state != NULL)
		fprintf(f, " to a revision not in the state's history");
	fprintf(f, ": %lu vanished file%s", v->files, v->files == 1 ? "" : "s");
	if (v->dirs > 0)
		fprintf(f, ", %lu vanished director%s", v->dirs,
		    v->dirs == 1 ? "y" : "ies");
	fprintf(f, " (first \"%s\")\n", first);
}

void
report_print_text(FILE *f, const struct report_data *d,
    const struct report_inputs *in)
{
	char		a[32], b[32], reason[256];
	long long	rec;
	size_t		i;

	fprintf(f, "logs: %d file%s, %llu lines, %llu malformed, %s .. %s\n",
	    in->nlogs, in->nlogs == 1 ? "" : "s", d->lines, d->malformed,
	    local(d->first, "%Y-%m-%d %H:%M:%S", a, sizeof(a)),
	    local(d->last, "%Y-%m-%d %H:%M:%S", b, sizeof(b)));
	fprintf(f, "connections: %llu\n", d->kinds[RSYNCD_CONNECT]);
	fprintf(f, "sessions: %llu (%llu finished, %llu unfinished)\n",
	    d->sessions, d->finished, d->unfinished);
	fprintf(f, "refusals (max connections): %llu\n",
	    d->kinds[RSYNCD_MAXCONN]);
	fprintf(f, "clients: %s%zu\n", d->clients_full ? "at least " : "",
	    d->nclients);
	if (d->ndur > 0)
		fprintf(f, "duration (s): p50 %lld, p90 %lld, p99 %lld, "
		    "p99.9 %lld, max %lld\n", report_data_quantile(d, 0.5),
		    report_data_quantile(d, 0.9), report_data_quantile(d, 0.99),
		    report_data_quantile(d, 0.999), d->max_duration);
	else
		fprintf(f, "duration (s): no finished session\n");
	fprintf(f, "bytes sent: %llu (received %llu)\n", d->bytes_sent,
	    d->bytes_received);
	fprintf(f, "vanished lines: %llu (%llu files, %llu directories)\n",
	    d->kinds[RSYNCD_VANISHED_FILE] + d->kinds[RSYNCD_VANISHED_DIR],
	    d->kinds[RSYNCD_VANISHED_FILE], d->kinds[RSYNCD_VANISHED_DIR]);
	fprintf(f, "vanished sessions: %llu, clients affected: %zu\n",
	    d->vanished_sessions, d->clients_affected);
	if (d->unfinished > 0 || d->evicted > 0 || d->lost > 0)
		fprintf(f, "unfinished sessions: %llu (longest open %lld s, "
		    "%llu evicted, %llu lost)\n", d->unfinished,
		    d->longest_open, d->evicted, d->lost);
	fprintf(f, "\nper hour:\n  %-16s %9s %9s %9s %13s\n", "hour",
	    "sessions", "vanished", "refusals", "max-duration");
	for (i = 0; i < d->nhours; i++) {
		const struct report_hour *h = &d->hours[i];
		if (h->sessions == 0 && h->refusals == 0)
			continue;
		fprintf(f, "  %-16s %9lld %9lld %9lld %13lld\n",
		    local((d->first_hour + (long long)i) * 3600,
		    "%Y-%m-%d %H:00", a, sizeof(a)), h->sessions, h->vanished,
		    h->refusals, h->max_duration);
	}
	if (d->hours_dropped > 0)
		fprintf(f, "  (%llu events beyond %d hours not in the table)\n",
		    d->hours_dropped, REPORT_HOURS_MAX);
	rec = report_data_cleanup(d, reason, sizeof(reason));
	fprintf(f, "\nrecommended cleanup-after: %lld s (%s)\n", rec, reason);
	if (d->state != NULL && d->state->cleanup_after > 0 &&
	    d->state->cleanup_after < rec)
		fprintf(f, "  the state's cleanup-after is %lld s: shorter\n",
		    d->state->cleanup_after);
	if (d->nvs > 0) {
		fprintf(f, "\nsessions with vanished files:\n");
		for (i = 0; i < d->nvs; i++)
			print_attribution(f, d, &d->vs[i]);
		if (d->vs_more > 0)
			fprintf(f, "  ... and %llu more\n", d->vs_more);
	}
}

/* Prints t as a number, or null for 0. */
static void
json_time(FILE *f, long long t)
{
	if (t > 0)
		fprintf(f, "%lld", t);
	else
		fputs("null", f);
}

static void
json_vanished(FILE *f, const struct report_data *d,
    const struct report_vanished *v)
{
	const struct state_revision *r = NULL;

	if (d->state != NULL && v->rev >= 0)
		r = &d->state->history[v->rev];
	fprintf(f, "{\"pid\": %ld, \"ip\": ", v->pid);
	json_str(f, v->ip);
	fputs(", \"module\": ", f);
	json_str(f, v->module);
	fputs(", \"connected\": ", f);
	json_time(f, v->connected);
	fputs(", \"ended\": ", f);
	json_time(f, v->ended);
	fprintf(f, ", \"files\": %lu, \"directories\": %lu, \"first_path\": ",
	    v->files, v->dirs);
	json_str(f, v->first);
	fputs(", \"revision\": ", f);
	if (r != NULL)
		json_str(f, r->name);
	else
		fputs("null", f);
	fputs(", \"replaced\": ", f);
	json_time(f, r != NULL ? r->until : 0);
	fputs(", \"removed\": ", f);
	json_time(f, r != NULL ? r->removed : 0);
	fprintf(f, ", \"ambiguous\": %s}", v->ambiguous ? "true" : "false");
}

void
report_print_json(FILE *f, const struct report_data *d,
    const struct report_inputs *in)
{
	static const struct { const char *name; double q; } qs[] = {
		{ "p50", 0.5 }, { "p90", 0.9 }, { "p99", 0.99 },
		{ "p999", 0.999 } };
	char		reason[256];
	long long	rec;
	size_t		i;
	int		k;

	fputs("{\"schema\": \"rsyncswap-report/1\", \"logs\": [", f);
	for (k = 0; k < in->nlogs; k++) {
		fputs(k > 0 ? ", " : "", f);
		json_str(f, in->logs[k]);
	}
	fprintf(f, "],\n \"lines\": %llu, \"malformed_lines\": %llu, "
	    "\"first\": ", d->lines, d->malformed);
	json_time(f, d->first);
	fputs(", \"last\": ", f);
	json_time(f, d->last);
	fprintf(f, ",\n \"connections\": %llu, \"sessions\": %llu, "
	    "\"sessions_finished\": %llu, \"sessions_unfinished\": %llu, "
	    "\"sessions_evicted\": %llu, \"refusals\": %llu, "
	    "\"clients\": %zu, \"clients_exact\": %s,\n",
	    d->kinds[RSYNCD_CONNECT], d->sessions, d->finished, d->unfinished,
	    d->evicted, d->kinds[RSYNCD_MAXCONN], d->nclients,
	    d->clients_full ? "false" : "true");
	fputs(" \"duration_seconds\": {", f);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		if (d->ndur > 0)
			fprintf(f, "\"%s\": %lld, ", qs[i].name,
			    report_data_quantile(d, qs[i].q));
		else
			fprintf(f, "\"%s\": null, ", qs[i].name);
	}
	if (d->ndur > 0)
		fprintf(f, "\"max\": %lld},\n", d->max_duration);
	else
		fputs("\"max\": null},\n", f);
	fprintf(f, " \"bytes_sent\": %llu, \"bytes_received\": %llu,\n",
	    d->bytes_sent, d->bytes_received);
	fprintf(f, " \"vanished\": {\"lines\": %llu, \"files\": %llu, "
	    "\"directories\": %llu, \"sessions\": %llu, \"clients\": %zu},\n",
	    d->kinds[RSYNCD_VANISHED_FILE] + d->kinds[RSYNCD_VANISHED_DIR],
	    d->kinds[RSYNCD_VANISHED_FILE], d->kinds[RSYNCD_VANISHED_DIR],
	    d->vanished_sessions, d->clients_affected);
	fputs(" \"hours\": [", f);
	for (i = 0, k = 0; i < d->nhours; i++) {
		const struct report_hour *h = &d->hours[i];
		if (h->sessions == 0 && h->refusals == 0)
			continue;
		fprintf(f, "%s\n  {\"start\": %lld, \"sessions\": %lld, "
		    "\"vanished\": %lld, \"refusals\": %lld, "
		    "\"max_duration\": %lld}", k++ > 0 ? "," : "",
		    (d->first_hour + (long long)i) * 3600, h->sessions,
		    h->vanished, h->refusals, h->max_duration);
	}
	rec = report_data_cleanup(d, reason, sizeof(reason));
	fprintf(f, "],\n \"recommended_cleanup_after\": %lld, "
	    "\"recommendation\": ", rec);
	json_str(f, reason);
	fputs(",\n \"vanished_sessions\": [", f);
	for (i = 0; i < d->nvs; i++) {
		fputs(i > 0 ? ",\n  " : "\n  ", f);
		json_vanished(f, d, &d->vs[i]);
	}
	fprintf(f, "],\n \"vanished_sessions_not_listed\": %llu}\n",
	    d->vs_more);
}
