/*
 * Numbers and axes for the SVG writer (svg.h): locale-free number
 * formatting, values in units people read, "nice" ticks on linear and log
 * axes, and the mapping of values to pixels.
 */
#include "report/svg.h"
#include "report/svg_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- numbers -------------------------------------------------------------- */

static const double pow10_tab[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };

/*
 * Integer arithmetic only: printf's %f would follow LC_NUMERIC and print
 * "nan"; this prints digits and a '.', always.
 */
void svg_fmt_fixed(double v, int decimals, char *buf, size_t len)
{
	long long scaled, ip, fp, p;
	double limit;
	bool neg;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	if (!isfinite(v))
		v = 0;
	limit = 1e15 / pow10_tab[decimals];
	if (v > limit)
		v = limit;
	if (v < -limit)
		v = -limit;
	scaled = llround(v * pow10_tab[decimals]);
	neg = scaled < 0;
	if (neg)
		scaled = -scaled;
	p = (long long)pow10_tab[decimals];
	ip = scaled / p;
	fp = scaled % p;
	if (fp == 0) {
		snprintf(buf, len, "%s%lld", neg ? "-" : "", ip);
	} else {
		char frac[8];
		int d = decimals;

		while (fp % 10 == 0) {
			fp /= 10;
			d--;
		}
		snprintf(frac, sizeof(frac), "%0*lld", d, fp);
		snprintf(buf, len, "%s%lld.%s", neg ? "-" : "", ip, frac);
	}
}

void svg_num(double v, char *buf, size_t len)
{
	svg_fmt_fixed(v, 2, buf, len);
}

/* Digits needed to tell neighbours step apart (step already in the prefix's unit). */
static int step_decimals(double step, double v)
{
	int d;

	if (!(step > 0) || !isfinite(step)) {
		double a = fabs(v);

		return a >= 100 ? 0 : a >= 10 ? 1 : 2;
	}
	for (d = 0; d < 3; d++) {
		double s = step * pow10_tab[d];

		if (fabs(s - round(s)) < 1e-6 * (s > 1 ? s : 1) && s >= 0.999)
			break;
	}
	return d;
}

struct prefix {
	double div;
	const char *suffix;
};

static void fmt_prefixed(const struct prefix *px, size_t n, double v, double step,
			 char *buf, size_t len)
{
	const struct prefix *p = &px[0];
	char num[SVG_NUM_MAX];
	size_t i;

	for (i = 1; i < n; i++)
		if (fabs(v) >= px[i].div * 0.9995)
			p = &px[i];
	svg_fmt_fixed(v / p->div, step_decimals(step / p->div, v / p->div), num, sizeof(num));
	snprintf(buf, len, "%s%s", num, p->suffix);
}

static void fmt_time(double v, double step, char *buf, size_t len)
{
	char num[SVG_NUM_MAX];
	long long m, h;
	bool neg = v < 0;

	if (step >= 60 || (step <= 0 && fabs(v) >= 60)) {
		m = llround(fabs(v) / 60);
		h = m / 60;
		m %= 60;
		if (h && m)
			snprintf(buf, len, "%s%lldh%02lldm", neg ? "-" : "", h, m);
		else if (h)
			snprintf(buf, len, "%s%lldh", neg ? "-" : "", h);
		else
			snprintf(buf, len, "%s%lldm", neg && m ? "-" : "", m);
		return;
	}
	svg_fmt_fixed(v, step_decimals(step, v), num, sizeof(num));
	snprintf(buf, len, "%ss", num);
}

void svg_format_value(enum svg_unit unit, double v, double step, char *buf, size_t len)
{
	static const struct prefix ns[] = {
		{ 1, " ns" }, { 1e3, " µs" }, { 1e6, " ms" }, { 1e9, " s" },
	};
	static const struct prefix iops[] = {
		{ 1, "" }, { 1e3, "K" }, { 1e6, "M" }, { 1e9, "G" },
	};
	static const struct prefix bps[] = {
		{ 1, " B/s" }, { 1e3, " KB/s" }, { 1e6, " MB/s" }, { 1e9, " GB/s" }, { 1e12, " TB/s" },
	};
	static const struct prefix bytes[] = {
		{ 1, " B" }, { 1024.0, " KiB" }, { 1048576.0, " MiB" }, { 1073741824.0, " GiB" },
		{ 1099511627776.0, " TiB" }, { 1125899906842624.0, " PiB" },
	};
	char num[SVG_NUM_MAX];

	if (!isfinite(v))
		v = 0;
	switch (unit) {
	case SVG_UNIT_NS:
	case SVG_UNIT_BPS:
	case SVG_UNIT_BYTES:
		if (v == 0) {
			snprintf(buf, len, "0");
			return;
		}
		if (unit == SVG_UNIT_NS)
			fmt_prefixed(ns, 4, v, step, buf, len);
		else if (unit == SVG_UNIT_BPS)
			fmt_prefixed(bps, 5, v, step, buf, len);
		else
			fmt_prefixed(bytes, 6, v, step, buf, len);
		return;
	case SVG_UNIT_IOPS:
		fmt_prefixed(iops, 4, v, step, buf, len);
		return;
	case SVG_UNIT_SECONDS:
		if (v == 0) {
			snprintf(buf, len, "0");
			return;
		}
		fmt_time(v, step, buf, len);
		return;
	case SVG_UNIT_PCT:
		svg_fmt_fixed(v, step_decimals(step, v), num, sizeof(num));
		snprintf(buf, len, "%s%s%%", v > 0 && strcmp(num, "0") ? "+" : "", num);
		return;
	case SVG_UNIT_NINES: {
		int d = v < 1 ? 0 : (int)ceil(v - 1e-9) - 1;

		if (v <= 0) {
			snprintf(buf, len, "p0");
			return;
		}
		svg_fmt_fixed(100.0 * (1.0 - pow(10.0, -v)), d, num, sizeof(num));
		snprintf(buf, len, "p%s", num);
		return;
	}
	case SVG_UNIT_NONE:
	default:
		svg_fmt_fixed(v, step_decimals(step, v), buf, len);
		return;
	}
}

/* ---- axes ----------------------------------------------------------------- */

double svg_label_px(const char *s)
{
	size_t n = 0;

	/* Count characters, not bytes: "µ" is two bytes of UTF-8. */
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return (double)n * SVG_CHAR_PX;
}

/* Whether neighbouring labels keep apart: widths for x, a line height for y. */
static bool labels_fit(const struct svg_axis *a, bool horizontal)
{
	size_t i;

	for (i = 1; i < a->nticks; i++) {
		double d = fabs(svg_axis_map(a, a->tick[i]) - svg_axis_map(a, a->tick[i - 1]));
		double need = horizontal ?
			(svg_label_px(a->label[i]) + svg_label_px(a->label[i - 1])) / 2 + 24 :
			SVG_FONT_PX + 22;

		if (d < need)
			return false;
	}
	return true;
}

static void make_labels(struct svg_axis *a)
{
	size_t i;

	for (i = 0; i < a->nticks; i++)
		svg_format_value(a->unit, a->tick[i], a->step, a->label[i], SVG_LABEL_MAX);
}

/* The nice step above step: 1-2-5 decades, or clock steps for time. */
static double next_step(enum svg_unit unit, double step)
{
	static const double clock[] = {
		1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
		43200, 86400,
	};
	double e, m;
	size_t i;

	if (unit == SVG_UNIT_SECONDS && step >= 1 - 1e-9) {
		for (i = 0; i < sizeof(clock) / sizeof(clock[0]); i++)
			if (clock[i] > step * (1 + 1e-9))
				return clock[i];
		return step * 2;
	}
	if (unit == SVG_UNIT_NINES && step < 1)
		return 1;
	e = pow(10.0, floor(log10(step) + 1e-9));
	m = step / e;
	if (m < 1.5)
		return 2 * e;
	if (m < 3.5)
		return 5 * e;
	return 10 * e;
}

/* The smallest nice step that is at least s. */
static double nice_step_at_least(enum svg_unit unit, double s)
{
	double e = pow(10.0, floor(log10(s)));
	double step = e;

	while (step < s * (1 - 1e-9))
		step = next_step(unit, step);
	if (unit == SVG_UNIT_NINES && step < 1)
		step = 1;  /* whole nines: p90, p99, p99.9 */
	return step;
}

static void linear_ticks(struct svg_axis *a, double lo, double hi, bool horizontal)
{
	double step = nice_step_at_least(a->unit, (hi - lo) / (SVG_AXIS_MAX_TICKS - 1));
	int guard;

	for (guard = 0; guard < 64; guard++, step = next_step(a->unit, step)) {
		/* Interval ends drift a little past whole seconds: 60.00008 ends at 60. */
		double tlo = floor(lo / step + 0.01) * step;
		double thi = ceil(hi / step - 0.01) * step;
		size_t n = (size_t)llround((thi - tlo) / step) + 1, i;

		if (n > SVG_AXIS_MAX_TICKS)
			continue;
		if (n < 2) {
			thi = tlo + step;
			n = 2;
		}
		a->lo = tlo;
		a->hi = thi;
		a->step = step;
		a->nticks = n;
		for (i = 0; i < n; i++) {
			double v = tlo + (double)i * step;

			a->tick[i] = fabs(v) < step * 1e-9 ? 0 : v;
		}
		make_labels(a);
		if (labels_fit(a, horizontal) || n <= 2)
			return;
	}
}

/*
 * Largest 1-2-5 value <= v (down) or smallest >= v (up); for sizes, a
 * power of two.
 */
static double log_round(double v, bool up, bool binary)
{
	static const double m[] = { 1, 2, 5, 10 };
	double e;
	int i;

	if (binary)
		return pow(2.0, up ? ceil(log2(v) - 1e-9) : floor(log2(v) + 1e-9));
	e = pow(10.0, floor(log10(v)));
	if (up) {
		for (i = 0; i < 4; i++)
			if (m[i] * e >= v * (1 - 1e-9))
				return m[i] * e;
		return 10 * e;
	}
	for (i = 3; i >= 0; i--)
		if (m[i] * e <= v * (1 + 1e-9))
			return m[i] * e;
	return e;
}

/*
 * Decimal: level 0 marks 1, 2 and 5 in every decade, level 1 every decade,
 * level k > 1 every k-th decade. Binary (sizes): every power of two, then
 * every 2nd, 5th, 10th (KiB, MiB, GiB), 20th ...
 */
static size_t log_level_ticks(const struct svg_axis *a, int level, double *out)
{
	static const double m[] = { 1, 2, 5 };
	static const int bin_every[] = { 1, 2, 5, 10, 20, 30, 40, 50, 60 };
	bool bin = a->unit == SVG_UNIT_BYTES;
	double (*lg)(double) = bin ? log2 : log10;
	int e, e0 = (int)floor(lg(a->lo) + 1e-9), e1 = (int)ceil(lg(a->hi) - 1e-9);
	int every = !bin ? (level > 1 ? level : 1) :
		level < 9 ? bin_every[level] : 10 * (level - 3);
	size_t n = 0;
	int i;

	for (e = e0; e <= e1; e++) {
		if (e % every)
			continue;
		for (i = 0; i < (!bin && level == 0 ? 3 : 1); i++) {
			double v = m[i] * pow(bin ? 2.0 : 10.0, e);

			if (v < a->lo * (1 - 1e-9) || v > a->hi * (1 + 1e-9))
				continue;
			if (n == SVG_AXIS_MAX_TICKS)
				return n + 1;  /* too many: not a candidate */
			out[n++] = v;
		}
	}
	return n;
}

static void log_ticks(struct svg_axis *a, double lo, double hi, bool horizontal)
{
	bool bin = a->unit == SVG_UNIT_BYTES;
	double t[SVG_AXIS_MAX_TICKS];
	int level;

	a->lo = log_round(lo, false, bin);
	a->hi = log_round(hi, true, bin);
	if (a->hi <= a->lo)
		a->hi = log_round(a->lo * 1.5, true, bin);
	a->step = 0;
	for (level = 0; level < 40; level++) {
		size_t n = log_level_ticks(a, level, t);

		if (n > SVG_AXIS_MAX_TICKS)
			continue;
		if (n < 2) {
			if (a->nticks >= 2)
				return;  /* keep the previous level, crowded or not */
			t[0] = a->lo;
			t[1] = a->hi;
			n = 2;
		}
		memcpy(a->tick, t, n * sizeof(double));
		a->nticks = n;
		make_labels(a);
		if (labels_fit(a, horizontal))
			return;
	}
}

/* Percentile axes also mark p50, where there is room for it. */
static void nines_add_median(struct svg_axis *a, bool horizontal)
{
	struct svg_axis b = *a;
	double med = log10(2.0);
	size_t i;

	if (a->lo > med || a->hi < med || a->nticks + 1 > SVG_AXIS_MAX_TICKS)
		return;
	for (i = 0; i < b.nticks && b.tick[i] < med; i++)
		;
	memmove(&b.tick[i + 1], &b.tick[i], (b.nticks - i) * sizeof(double));
	b.tick[i] = med;
	b.nticks++;
	b.step = 0;
	make_labels(&b);
	if (labels_fit(&b, horizontal))
		*a = b;
}

/*
 * A percentile axis ends where the data does (p99.97 when 3000 samples
 * resolve no more), not at the next whole nine, and marks p50 if it can.
 */
static void nines_end(struct svg_axis *a, double hi, bool horizontal)
{
	if (hi > a->lo && hi < a->hi) {
		while (a->nticks > 2 && a->tick[a->nticks - 1] > hi + 1e-9)
			a->nticks--;
		a->hi = hi > a->tick[a->nticks - 1] ? hi : a->tick[a->nticks - 1];
	}
	nines_add_median(a, horizontal);
}

void svg_axis_init(struct svg_axis *a, enum svg_scale scale, enum svg_unit unit, double lo,
		   double hi, double px0, double px1, bool horizontal)
{
	memset(a, 0, sizeof(*a));
	a->scale = scale;
	a->unit = unit;
	a->px0 = px0;
	a->px1 = px1;
	if (!isfinite(lo) || !isfinite(hi) || lo > hi) {
		lo = scale == SVG_LOG ? 1 : 0;
		hi = scale == SVG_LOG ? 10 : 1;
	}
	if (scale == SVG_LOG) {
		if (hi <= 0) {
			lo = 1;
			hi = 10;
		} else if (lo <= 0) {
			lo = hi / 100;
		}
		log_ticks(a, lo, hi, horizontal);
		return;
	}
	if (hi - lo <= fabs(hi) * 1e-12) {
		/* A constant: centre it in a range of its own size. */
		double d = lo != 0 ? fabs(lo) * 0.1 : 1;

		lo -= d;
		hi += d;
	}
	linear_ticks(a, lo, hi, horizontal);
	if (unit == SVG_UNIT_NINES)
		nines_end(a, hi, horizontal);
}

bool svg_axis_drawable(const struct svg_axis *a, double v)
{
	return isfinite(v) && (a->scale != SVG_LOG || v > 0);
}

double svg_axis_map(const struct svg_axis *a, double v)
{
	double f;

	if (a->scale == SVG_LOG) {
		if (!(v > 0))
			v = a->lo;
		f = (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	} else {
		f = (v - a->lo) / (a->hi - a->lo);
	}
	if (!isfinite(f))
		f = 0;
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return a->px0 + f * (a->px1 - a->px0);
}
