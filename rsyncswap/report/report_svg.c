/*
 * The SVG chart of `rsyncswap report`: sessions at (connect time,
 * duration) on a log-scale duration axis, sessions that fell on one point
 * drawn once with their count, sessions with vanished files as red
 * diamonds, refusals as orange ticks under the time axis, the recommended
 * and the effective cleanup-after as lines, and a legend. Only numbers and
 * times are written: nothing from the log needs XML escaping.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rsyncswap/report/report_out.h"

#define W	980
#define H	440
#define LEFT	70
#define RIGHT	230		/* the legend lives here */
#define TOP	40
#define BOTTOM	60
#define PLOT_R	(W - RIGHT)
#define PLOT_B	(H - BOTTOM)
#define MAX_XTICKS	8
/* Sessions closer than this (pixels) on both axes are one point. */
#define CELL	4
/* A point of this many sessions or more shows their number... */
#define COUNT_MIN	5
/* ... unless the last number in its row is closer (pixels). */
#define COUNT_GAP	24

/* The time axis: t0 .. t1 (seconds), a tick every step from first. */
struct xaxis {
	long long	 t0, t1, step, first;
	const char	*fmt;
};

static double
x_of(const struct xaxis *xa, long long t)
{
	return LEFT + (double)(t - xa->t0) * (PLOT_R - LEFT) /
	    (double)(xa->t1 - xa->t0);
}

/* Returns the y of a duration on the log axis 1 s .. 10^decades s. */
static double
y_of(long long dur, int decades)
{
	double l = dur > 1 ? log10((double)dur) : 0;

	return PLOT_B - l * (PLOT_B - TOP) / decades;
}

/* Returns t's offset from UTC in the local time zone, in seconds. */
static long long
tz_offset(long long t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	return localtime_r(&tt, &tm) != NULL ? (long long)tm.tm_gmtoff : 0;
}

/*
 * Chooses a round tick step for t0 .. t1 (at most MAX_XTICKS ticks, local
 * midnights and hours as the marks) and a label format that tells every
 * tick apart: the date once the span passes a day.
 */
static void
xaxis_init(struct xaxis *xa, long long t0, long long t1)
{
	static const long long steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300,
	    600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
	    2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400 };
	long long off;
	size_t i;

	xa->t0 = t0;
	xa->t1 = t1;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]) - 1; i++)
		if ((t1 - t0) / steps[i] < MAX_XTICKS)
			break;
	xa->step = steps[i];
	while ((t1 - t0) / xa->step >= MAX_XTICKS)
		xa->step *= 2;
	off = tz_offset(t0);
	xa->first = ((t0 + off + xa->step - 1) / xa->step) * xa->step - off;
	if (xa->step >= 86400)
		xa->fmt = "%Y-%m-%d";
	else if (t1 - t0 >= 86400 || xa->step >= 3 * 3600)
		xa->fmt = "%m-%d %H:%M";
	else if (xa->step >= 60)
		xa->fmt = "%H:%M";
	else
		xa->fmt = "%H:%M:%S";
}

/* Draws both axes, their ticks and titles. */
static void
axes(FILE *f, const struct xaxis *xa, int decades)
{
	char		 buf[32], prev[32] = "";
	struct tm	 tm;
	time_t		 tt;
	long long	 t, v;
	int		 i;

	fprintf(f, "<g stroke=\"#444\" stroke-width=\"1\">"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
	    LEFT, PLOT_B, PLOT_R, PLOT_B, LEFT, TOP, LEFT, PLOT_B);
	fprintf(f, "<g class=\"xticks\" font-family=\"sans-serif\" "
	    "font-size=\"11\" fill=\"#222\" text-anchor=\"middle\">\n");
	for (t = xa->first; t <= xa->t1; t += xa->step) {
		tt = (time_t)t;
		if (localtime_r(&tt, &tm) == NULL ||
		    strftime(buf, sizeof(buf), xa->fmt, &tm) == 0)
			snprintf(buf, sizeof(buf), "%lld", t);
		/* A clock change can repeat a local time: draw it once. */
		if (strcmp(buf, prev) == 0)
			continue;
		snprintf(prev, sizeof(prev), "%s", buf);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#444\"/><text x=\"%.1f\" y=\"%d\">%s</text>\n",
		    x_of(xa, t), PLOT_B, x_of(xa, t), PLOT_B + 4, x_of(xa, t),
		    PLOT_B + 16, buf);
	}
	fprintf(f, "</g>\n<g class=\"yticks\" font-family=\"sans-serif\" "
	    "font-size=\"11\" fill=\"#222\" text-anchor=\"end\">\n");
	for (i = 0, v = 1; i <= decades; i++, v *= 10)
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\">%lld s</text>\n",
		    LEFT, y_of(v, decades), PLOT_R, y_of(v, decades), LEFT - 6,
		    y_of(v, decades) + 4, v);
	fprintf(f, "</g>\n<g font-family=\"sans-serif\" font-size=\"11\" "
	    "fill=\"#222\" text-anchor=\"middle\">\n");
	fprintf(f, "<text x=\"%d\" y=\"%d\">connect time (local)</text>\n",
	    (LEFT + PLOT_R) / 2, H - 18);
	fprintf(f, "<text transform=\"translate(16 %d) rotate(-90)\">"
	    "session duration (log scale)</text>\n", (TOP + PLOT_B) / 2);
	fprintf(f, "</g>\n");
}

/* One session as the chart sees it: its cell, and how many share it. */
struct cell {
	int		 cx, cy;
	unsigned	 n;
};

static int
cell_cmp(const void *a, const void *b)
{
	const struct cell *p = a, *q = b;

	if (p->cx != q->cx)
		return p->cx < q->cx ? -1 : 1;
	return p->cy < q->cy ? -1 : p->cy > q->cy;
}

/*
 * Draws the finished sessions, one circle per cell of CELL pixels with
 * the number of sessions in it when COUNT_MIN or more. Returns 0, or -1 when
 * out of memory.
 */
static int
sessions(FILE *f, const struct report_data *d, const struct xaxis *xa,
    int decades)
{
	struct cell	*c;
	int		 last_x[H / CELL + 1];
	size_t		 i, j, n = 0;
	double		 r;

	if ((c = calloc(d->npoints + 1, sizeof(*c))) == NULL)
		return -1;
	for (i = 0; i < d->npoints; i++) {
		if (d->points[i].refused)
			continue;
		c[n].cx = (int)(x_of(xa, d->points[i].t) / CELL);
		c[n].cy = (int)(y_of(d->points[i].duration, decades) / CELL);
		c[n++].n = 1;
	}
	qsort(c, n, sizeof(*c), cell_cmp);
	for (i = 0, j = 0; i < n; i++) {
		if (j > 0 && cell_cmp(&c[j - 1], &c[i]) == 0)
			c[j - 1].n++;
		else
			c[j++] = c[i];
	}
	fprintf(f, "<g class=\"sessions\" fill=\"#2060c0\" "
	    "fill-opacity=\"0.6\">\n");
	for (i = 0; i < j; i++) {
		r = c[i].n == 1 ? 2.5 : c[i].n < 10 ? 4 : c[i].n < 100 ? 5.5 : 7;
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"><title>"
		    "%u session%s</title></circle>\n", (c[i].cx + 0.5) * CELL,
		    (c[i].cy + 0.5) * CELL, r, c[i].n, c[i].n == 1 ? "" : "s");
	}
	/*
	 * A count is written where COUNT_MIN sessions or more share a point,
	 * and only where it does not run into the count before it in its row.
	 */
	for (i = 0; i < H / CELL + 1; i++)
		last_x[i] = -1000;
	fprintf(f, "</g>\n<g class=\"counts\" font-family=\"sans-serif\" "
	    "font-size=\"9\" fill=\"#103060\">\n");
	for (i = 0; i < j; i++) {
		if (c[i].n < COUNT_MIN || c[i].cy < 0 || c[i].cy > H / CELL ||
		    c[i].cx * CELL - last_x[c[i].cy] < COUNT_GAP)
			continue;
		last_x[c[i].cy] = c[i].cx * CELL;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%u</text>\n",
		    (c[i].cx + 0.5) * CELL + 7, (c[i].cy + 0.5) * CELL - 4,
		    c[i].n);
	}
	fprintf(f, "</g>\n");
	free(c);
	return 0;
}

/*
 * Draws a cleanup time as a dashed line across the plot, labelled at its
 * right end just above label_y.
 */
static void
cleanup_line(FILE *f, const char *cls, const char *color, const char *what,
    long long secs, int decades, double label_y)
{
	double y = y_of(secs, decades);

	fprintf(f, "<g class=\"%s\"><line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
	    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
	    "stroke-dasharray=\"6 4\"/><text x=\"%d\" y=\"%.1f\" "
	    "text-anchor=\"end\" font-family=\"sans-serif\" "
	    "font-size=\"11\" fill=\"%s\">%s cleanup-after %lld s</text>"
	    "</g>\n", cls, LEFT, y, PLOT_R, y, color, PLOT_R - 4,
	    label_y - 4, color, what, secs);
}

/* Draws the legend in the right margin. */
static void
legend(FILE *f, int with_effective)
{
	int x = PLOT_R + 16, y = TOP + 20;

	fprintf(f, "<g class=\"legend\" font-family=\"sans-serif\" "
	    "font-size=\"11\" fill=\"#222\">\n");
	fprintf(f, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"#2060c0\"/>"
	    "<text x=\"%d\" y=\"%d\">session (a number: sessions</text>"
	    "<text x=\"%d\" y=\"%d\">at the same point)</text>\n", x, y,
	    x + 12, y + 4, x + 12, y + 17);
	y += 34;
	fprintf(f, "<path d=\"M %d %d l 5 5 l -5 5 l -5 -5 z\" "
	    "fill=\"#d01010\"/><text x=\"%d\" y=\"%d\">vanished files</text>\n",
	    x, y - 5, x + 12, y + 4);
	y += 20;
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#e08000\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">"
	    "refusal (max connections)</text>\n", x, y - 4, x, y + 4, x + 12,
	    y + 4);
	y += 20;
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#108040\" stroke-dasharray=\"6 4\"/><text x=\"%d\" "
	    "y=\"%d\">recommended cleanup-after</text>\n", x - 6, y, x + 6, y,
	    x + 12, y + 4);
	if (with_effective) {
		y += 20;
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#606060\" stroke-dasharray=\"6 4\"/><text "
		    "x=\"%d\" y=\"%d\">effective cleanup-after (state)</text>\n",
		    x - 6, y, x + 6, y, x + 12, y + 4);
	}
	fprintf(f, "</g>\n");
}

int
report_write_svg(FILE *f, const struct report_data *d)
{
	struct xaxis	xa;
	long long	t0 = d->first, t1 = d->last, ymax, rec, eff = 0, v;
	char		reason[256];
	double		x, y, ly1, ly2;
	int		decades;
	size_t		i;

	if (t0 <= 0)
		t0 = t1 = 1;
	if (t1 <= t0)
		t1 = t0 + 1;
	xaxis_init(&xa, t0, t1);
	rec = report_data_cleanup(d, reason, sizeof(reason));
	if (d->state != NULL && d->state->cleanup_after > 0)
		eff = d->state->cleanup_after;
	ymax = d->max_duration > rec ? d->max_duration : rec;
	if (eff > ymax)
		ymax = eff;
	for (i = 0; i < d->nvs; i++)
		if (d->vs[i].ended - d->vs[i].connected > ymax)
			ymax = d->vs[i].ended - d->vs[i].connected;
	for (decades = 1, v = 10; v < ymax && decades < 12; decades++)
		v *= 10;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "<text x=\"%d\" y=\"24\" font-family=\"sans-serif\" "
	    "font-size=\"14\">rsyncd sessions: %llu, with vanished files: "
	    "%llu, refusals: %llu</text>\n", W, H, W, H, LEFT,
	    d->sessions, d->vanished_sessions, d->kinds[RSYNCD_MAXCONN]);
	axes(f, &xa, decades);
	if (sessions(f, d, &xa, decades) == -1)
		return -1;
	fprintf(f, "<g class=\"refusals\" stroke=\"#e08000\" "
	    "stroke-width=\"2\">\n");
	for (i = 0; i < d->npoints; i++) {
		if (!d->points[i].refused)
			continue;
		x = x_of(&xa, d->points[i].t);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n",
		    x, PLOT_B + 22, x, PLOT_B + 30);
	}
	fprintf(f, "</g>\n<g class=\"vanished\" fill=\"#d01010\">\n");
	for (i = 0; i < d->nvs; i++) {
		x = x_of(&xa, d->vs[i].connected);
		y = y_of(d->vs[i].ended > 0 ?
		    d->vs[i].ended - d->vs[i].connected : 0, decades);
		fprintf(f, "<path d=\"M %.1f %.1f l 5 5 l -5 5 l -5 -5 z\">"
		    "<title>pid %ld: %lu files, %lu directories vanished"
		    "</title></path>\n", x, y - 5, d->vs[i].pid,
		    d->vs[i].files, d->vs[i].dirs);
	}
	fprintf(f, "</g>\n");
	/* Two labels closer than a line apart: the lower goes below. */
	ly1 = y_of(rec, decades);
	ly2 = y_of(eff, decades);
	if (eff > 0 && ly2 - ly1 < 14 && ly1 - ly2 < 14) {
		if (eff >= rec)
			ly1 = ly2 + 16;
		else
			ly2 = ly1 + 16;
	}
	cleanup_line(f, "cleanup-recommended", "#108040", "recommended", rec,
	    decades, ly1);
	if (eff > 0)
		cleanup_line(f, "cleanup-effective", "#606060", "effective", eff,
		    decades, ly2);
	legend(f, eff > 0);
	fprintf(f, "</svg>\n");
	return ferror(f) ? -1 : 0;
}
