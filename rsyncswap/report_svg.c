/*
 * The SVG chart of `rsyncswap report`: one dot per session at (connect
 * time, duration), sessions with vanished files as red diamonds, refusals
 * as orange ticks under the time axis; both axes labelled. Only numbers and
 * times are written: nothing from the log needs XML escaping.
 */
#include <stdio.h>
#include <time.h>

#include "rsyncswap/report_out.h"

#define W	960
#define H	420
#define LEFT	70
#define RIGHT	20
#define TOP	40
#define BOTTOM	60
#define TICKS	6

static double
x_of(long long t, long long t0, long long t1)
{
	return LEFT + (double)(t - t0) * (W - LEFT - RIGHT) / (double)(t1 - t0);
}

static double
y_of(long long dur, long long ymax)
{
	return H - BOTTOM - (double)dur * (H - TOP - BOTTOM) / (double)ymax;
}

/* Draws both axes with TICKS labels each. */
static void
axes(FILE *f, long long t0, long long t1, long long ymax)
{
	char		 buf[32];
	struct tm	 tm;
	time_t		 tt;
	const char	*fmt;
	int		 i;

	fmt = t1 - t0 > 86400 ? "%m-%d %H:%M" : t1 - t0 > 600 ? "%H:%M" :
	    "%H:%M:%S";
	fprintf(f, "<g stroke=\"#444\" stroke-width=\"1\">"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
	    LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, LEFT, TOP, LEFT,
	    H - BOTTOM);
	fprintf(f, "<g font-family=\"sans-serif\" font-size=\"11\" "
	    "fill=\"#222\">\n");
	for (i = 0; i <= TICKS; i++) {
		long long t = t0 + (t1 - t0) * i / TICKS;
		long long v = ymax * i / TICKS;
		tt = (time_t)t;
		if (localtime_r(&tt, &tm) == NULL ||
		    strftime(buf, sizeof(buf), fmt, &tm) == 0)
			snprintf(buf, sizeof(buf), "%lld", t);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
		    "%s</text>\n", x_of(t, t0, t1), H - BOTTOM + 16, buf);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">"
		    "%lld</text>\n", LEFT - 6, y_of(v, ymax) + 4, v);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
	    "connect time (local)</text>\n", (LEFT + W - RIGHT) / 2, H - 18);
	fprintf(f, "<text transform=\"translate(16 %d) rotate(-90)\" "
	    "text-anchor=\"middle\">session duration (s)</text>\n",
	    (TOP + H - BOTTOM) / 2);
	fprintf(f, "</g>\n");
}

int
report_write_svg(FILE *f, const struct report_data *d)
{
	long long	t0 = d->first, t1 = d->last, ymax;
	double		x, y;
	size_t		i;

	if (t0 <= 0)
		t0 = t1 = 1;
	if (t1 <= t0)
		t1 = t0 + 1;
	ymax = d->max_duration > 0 ? d->max_duration : 1;
	for (i = 0; i < d->nvs; i++)
		if (d->vs[i].ended - d->vs[i].connected > ymax)
			ymax = d->vs[i].ended - d->vs[i].connected;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "<text x=\"%d\" y=\"24\" font-family=\"sans-serif\" "
	    "font-size=\"14\">rsyncd sessions: %llu, vanished in %llu "
	    "(red), refusals %llu (orange)</text>\n", W, H, W, H, LEFT,
	    d->sessions, d->vanished_sessions, d->kinds[RSYNCD_MAXCONN]);
	axes(f, t0, t1, ymax);
	fprintf(f, "<g fill=\"#2060c0\" fill-opacity=\"0.6\">\n");
	for (i = 0; i < d->npoints; i++) {
		if (d->points[i].refused)
			continue;
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>\n",
		    x_of(d->points[i].t, t0, t1),
		    y_of(d->points[i].duration, ymax));
	}
	fprintf(f, "</g>\n<g stroke=\"#e08000\" stroke-width=\"2\">\n");
	for (i = 0; i < d->npoints; i++) {
		if (!d->points[i].refused)
			continue;
		x = x_of(d->points[i].t, t0, t1);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n",
		    x, H - BOTTOM + 22, x, H - BOTTOM + 30);
	}
	fprintf(f, "</g>\n<g fill=\"#d01010\">\n");
	for (i = 0; i < d->nvs; i++) {
		x = x_of(d->vs[i].connected, t0, t1);
		y = y_of(d->vs[i].ended > 0 ?
		    d->vs[i].ended - d->vs[i].connected : 0, ymax);
		fprintf(f, "<path d=\"M %.1f %.1f l 5 5 l -5 5 l -5 -5 z\">"
		    "<title>pid %ld: %lu files, %lu directories vanished"
		    "</title></path>\n", x, y - 5, d->vs[i].pid,
		    d->vs[i].files, d->vs[i].dirs);
	}
	fprintf(f, "</g>\n</svg>\n");
	return ferror(f) ? -1 : 0;
}
