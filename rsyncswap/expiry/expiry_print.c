/*
 * Expiry watch reports: text for people, JSON for programs. Both list the
 * same things in the same order (see expiry_print.h).
 */
#include <stdio.h>
#include <string.h>

#include "rsyncswap/base/json.h"
#include "rsyncswap/base/limits.h"
#include "rsyncswap/expiry/expiry_print.h"

/* Returns the state word of pp at now with window warn. */
static const char *
pp_state(const struct expiry_pp *pp, int64_t now, int64_t warn)
{
	if (pp->expiry < now)
		return "expired";
	if (pp->expiry - now <= warn)
		return "expiring";
	return "ok";
}

/* Returns the directory of pp for display: "." for the top. */
static const char *
pp_dir(const struct expiry_pp *pp)
{
	return pp->dir[0] != '\0' ? pp->dir : ".";
}

/* Prints one PP line of the text report. */
static void
text_pp(FILE *f, const struct expiry_pp *pp, int64_t now, int64_t warn,
    const char *indent)
{
	char	when[32], left[32];

	expiry_fmt_time(pp->expiry, when, sizeof(when));
	expiry_fmt_duration(pp->expiry - now, left, sizeof(left));
	fprintf(f, "%s  %-8s %s %8s  %s (%s)\n", indent,
	    pp_state(pp, now, warn), when, left, pp_dir(pp),
	    expiry_source_name(expiry_pp_source(pp)));
}

int
expiry_print_text(FILE *f, const struct expiry_summary *sum, int64_t now,
    int64_t warn, const char *indent)
{
	struct expiry_assessment	 a;
	char				 when[32], left[32], win[32];
	size_t				 i, n;

	expiry_assess(sum, now, warn, &a);
	expiry_fmt_duration(warn, win, sizeof(win));
	fprintf(f, "%spublication points: %zu (%zu manifests and CRLs, %zu "
	    "damaged%s)\n", indent, sum->npps, sum->objects, sum->nbad,
	    sum->dropped > 0 ? ", more PPs than tracked" : "");
	if (a.earliest != NULL) {
		expiry_fmt_time(a.earliest->expiry, when, sizeof(when));
		if (a.earliest->expiry < now) {
			expiry_fmt_duration(now - a.earliest->expiry, left,
			    sizeof(left));
			strncat(left, " ago", sizeof(left) - strlen(left) - 1);
		} else
			expiry_fmt_duration(a.earliest->expiry - now, left,
			    sizeof(left));
		fprintf(f, "%searliest expiry: %s (%s%s) %s (%s)\n", indent,
		    when, a.earliest->expiry < now ? "expired " : "in ", left,
		    pp_dir(a.earliest),
		    expiry_source_name(expiry_pp_source(a.earliest)));
	} else
		fprintf(f, "%searliest expiry: none\n", indent);
	fprintf(f, "%sexpired: %zu, expiring within %s: %zu\n", indent,
	    a.expired, win, a.expiring);
	if (sum->newest_update != TSNORM_NO_TIME) {
		expiry_fmt_time(sum->newest_update, when, sizeof(when));
		if (sum->newest_update > now + EXPIRY_FUTURE_SLACK) {
			expiry_fmt_duration(sum->newest_update - now, left,
			    sizeof(left));
			fprintf(f, "%slatest thisUpdate: %s (%s in the future: "
			    "warning, the origin's clock or ours is wrong)\n",
			    indent, when, left);
		} else {
			expiry_fmt_duration(now - sum->newest_update, left,
			    sizeof(left));
			fprintf(f, "%slatest thisUpdate: %s (%s ago)\n", indent,
			    when, left);
		}
	}
	if (a.expired < sum->npps)
		fprintf(f, "%sclosest to expiry:\n", indent);
	for (i = a.expired, n = 0; i < sum->npps && n < EXPIRY_CLOSEST;
	    i++, n++)
		text_pp(f, &sum->pps[i], now, warn, indent);
	if (a.expired > 0)
		fprintf(f, "%sexpired:\n", indent);
	for (i = 0; i < a.expired && i < MAX_EXPIRY_LISTED; i++)
		text_pp(f, &sum->pps[i], now, warn, indent);
	if (a.expired > MAX_EXPIRY_LISTED)
		fprintf(f, "%s  ... and %zu more\n", indent,
		    a.expired - MAX_EXPIRY_LISTED);
	if (sum->nbad > 0)
		fprintf(f, "%sdamaged:\n", indent);
	for (i = 0; i < sum->nbad_listed && i < MAX_EXPIRY_LISTED; i++)
		fprintf(f, "%s  %-13s %s\n", indent,
		    expiry_bad_reason_name(sum->bad[i].reason),
		    sum->bad[i].path);
	if (sum->nbad > i)
		fprintf(f, "%s  ... and %zu more\n", indent, sum->nbad - i);
	return ferror(f) ? -1 : 0;
}

/* Prints t as a JSON string (ISO 8601), or null if absent. */
static void
json_time(FILE *f, int64_t t)
{
	char	buf[32];

	if (t == TSNORM_NO_TIME) {
		fputs("null", f);
		return;
	}
	expiry_fmt_time(t, buf, sizeof(buf));
	json_str(f, buf);
}

/* Prints one PP as a JSON object. */
static void
json_pp(FILE *f, const struct expiry_pp *pp, int64_t now, int64_t warn)
{
	fputs("{\"dir\":", f);
	json_str(f, pp_dir(pp));
	fputs(",\"expiry\":", f);
	json_time(f, pp->expiry);
	fprintf(f, ",\"expiry_epoch\":%lld,\"seconds_left\":%lld,"
	    "\"state\":\"%s\",\"source\":\"%s\",\"manifest_next_update\":",
	    (long long)pp->expiry, (long long)(pp->expiry - now),
	    pp_state(pp, now, warn), expiry_source_name(expiry_pp_source(pp)));
	json_time(f, pp->mft_next_update);
	fputs(",\"manifest_ee_not_after\":", f);
	json_time(f, pp->mft_not_after);
	fputs(",\"crl_next_update\":", f);
	json_time(f, pp->crl_next_update);
	fputs(",\"manifest_this_update\":", f);
	json_time(f, pp->mft_this_update);
	putc('}', f);
}

/* Prints the JSON array of the PPs pps[from..to). */
static void
json_pps(FILE *f, const struct expiry_summary *sum, size_t from, size_t to,
    int64_t now, int64_t warn)
{
	size_t	i;

	putc('[', f);
	for (i = from; i < to; i++) {
		if (i > from)
			putc(',', f);
		json_pp(f, &sum->pps[i], now, warn);
	}
	putc(']', f);
}

int
expiry_print_json(FILE *f, const struct expiry_summary *sum, int64_t now,
    int64_t warn)
{
	struct expiry_assessment	a;
	size_t				i, to;

	expiry_assess(sum, now, warn, &a);
	fputs("{\"now\":", f);
	json_time(f, now);
	fprintf(f, ",\"warn_seconds\":%lld,\"publication_points\":%zu,"
	    "\"objects\":%zu,\"damaged\":%zu,\"dropped\":%zu,\"expired\":%zu,"
	    "\"expiring\":%zu,\"newest_update\":", (long long)warn, sum->npps,
	    sum->objects, sum->nbad, sum->dropped, a.expired, a.expiring);
	json_time(f, sum->newest_update);
	fputs(",\"earliest\":", f);
	if (a.earliest != NULL)
		json_pp(f, a.earliest, now, warn);
	else
		fputs("null", f);
	fputs(",\"closest\":", f);
	to = a.expired + EXPIRY_CLOSEST;
	json_pps(f, sum, a.expired, to < sum->npps ? to : sum->npps, now,
	    warn);
	fputs(",\"expired_list\":", f);
	json_pps(f, sum, 0, a.expired < MAX_EXPIRY_LISTED ? a.expired :
	    MAX_EXPIRY_LISTED, now, warn);
	fputs(",\"damaged_list\":[", f);
	for (i = 0; i < sum->nbad_listed && i < MAX_EXPIRY_LISTED; i++) {
		if (i > 0)
			putc(',', f);
		fputs("{\"path\":", f);
		json_str(f, sum->bad[i].path);
		fprintf(f, ",\"reason\":\"%s\"}",
		    expiry_bad_reason_name(sum->bad[i].reason));
	}
	fputs("]}", f);
	return ferror(f) ? -1 : 0;
}
