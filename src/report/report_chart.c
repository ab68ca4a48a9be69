/* The chart builders the report's files share (report_int.h). */
#include "report/report_int.h"

#include <stdlib.h>

/* ---- building charts ------------------------------------------------------ */

struct report_chart *chart_new(struct report *r, const char *id, const char *title)
{
	struct report_chart *c;

	if (r->ncharts == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct report_chart *n = realloc(r->charts, cap * sizeof(*n));

		if (!n) {
			r->oom = true;
			return NULL;
		}
		r->charts = n;
		r->cap = cap;
	}
	c = &r->charts[r->ncharts++];
	memset(c, 0, sizeof(*c));
	copy_str(c->id, sizeof(c->id), id);
	copy_str(c->chart.title, sizeof(c->chart.title), title);
	return c;
}

void chart_clear(struct report_chart *c)
{
	size_t i;

	for (i = 0; i < c->chart.nseries; i++) {
		free(c->chart.series[i].x);
		free(c->chart.series[i].y);
	}
	free(c->chart.series);
	free(c->chart.regions);
	free(c->chart.markers);
	free(c->chart.bars);
	heatmap_free(c->heat);
	memset(c, 0, sizeof(*c));
}

/* Drop the newest chart when it turned out to have nothing to show. */
void chart_drop_if_empty(struct report *r)
{
	struct report_chart *c = &r->charts[r->ncharts - 1];

	if (c->chart.nseries || c->chart.nbars || c->heat)
		return;
	chart_clear(c);
	r->ncharts--;
}

/* Grow an array of count elements of size sz by one; NULL (and oom) on failure. */
void *chart_grow(struct report *r, void *arr, size_t *count, size_t sz, void **slot)
{
	char *n = realloc(arr, (*count + 1) * sz);

	if (!n) {
		r->oom = true;
		*slot = NULL;
		return arr;
	}
	*slot = n + *count * sz;
	memset(*slot, 0, sz);
	(*count)++;
	return n;
}

struct svg_series *add_series(struct report *r, struct report_chart *c, const char *name,
			      size_t cap, enum svg_color color, enum svg_style style)
{
	struct svg_chart *ch = &c->chart;
	void *slot;
	struct svg_series *s;

	ch->series = chart_grow(r, ch->series, &ch->nseries, sizeof(*ch->series), &slot);
	if (!slot)
		return NULL;
	s = slot;
	copy_str(s->name, sizeof(s->name), name);
	s->color = color;
	s->style = style;
	s->x = calloc(cap ? cap : 1, sizeof(double));
	s->y = calloc(cap ? cap : 1, sizeof(double));
	if (!s->x || !s->y) {
		r->oom = true;
		free(s->x);
		free(s->y);
		ch->nseries--;
		return NULL;
	}
	return s;
}

/*
 * A series with no point worth drawing (no positive value) is removed
 * again. Returns whether the series stays.
 */
bool series_keep_if_data(struct report_chart *c)
{
	struct svg_chart *ch = &c->chart;
	struct svg_series *s = &ch->series[ch->nseries - 1];
	size_t i;

	for (i = 0; i < s->n; i++)
		if (isfinite(s->x[i]) && isfinite(s->y[i]) && s->y[i] > 0)
			return true;
	free(s->x);
	free(s->y);
	ch->nseries--;
	return false;
}

void add_marker(struct report *r, struct report_chart *c, double x, const char *label,
		enum svg_color color)
{
	struct svg_chart *ch = &c->chart;
	struct svg_marker *m;
	void *slot;

	ch->markers = chart_grow(r, ch->markers, &ch->nmarkers, sizeof(*ch->markers), &slot);
	if (!slot)
		return;
	m = slot;
	m->x = x;
	m->color = color;
	copy_str(m->label, sizeof(m->label), label);
}

void add_region(struct report *r, struct report_chart *c, double x0, double x1,
		const char *label)
{
	struct svg_chart *ch = &c->chart;
	struct svg_region *g;
	void *slot;

	ch->regions = chart_grow(r, ch->regions, &ch->nregions, sizeof(*ch->regions), &slot);
	if (!slot)
		return;
	g = slot;
	g->x0 = x0;
	g->x1 = x1;
	copy_str(g->label, sizeof(g->label), label);
}

void add_key(struct svg_chart *ch, const char *name, enum svg_color color)
{
	if (ch->nkeys == SVG_MAX_KEYS)
		return;
	copy_str(ch->keys[ch->nkeys].name, sizeof(ch->keys[0].name), name);
	ch->keys[ch->nkeys++].color = color;
}

void caption_add(struct report_chart *c, const char *fmt, ...)
{
	size_t used = strlen(c->caption);
	va_list ap;

	if (used + 1 >= sizeof(c->caption))
		return;
	va_start(ap, fmt);
	vsnprintf(c->caption + used, sizeof(c->caption) - used, fmt, ap);
	va_end(ap);
}

/* "+1.2" with the sign, locale-free. */
void signed_num(double v, int decimals, char *buf, size_t len)
{
	char n[SVG_NUM_MAX - 2];

	svg_fmt_fixed(v, decimals, n, sizeof(n));
	snprintf(buf, len, "%s%s", v > 0 && strcmp(n, "0") ? "+" : "", n);
}
