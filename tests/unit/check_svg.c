/*
 * The report's SVG writer: escaping, number and unit formatting, tick
 * choice on linear, time, log and percentile axes (nice steps, no label
 * collisions), and rendered charts that never contain "nan" or "inf".
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

START_TEST(test_escape)
{
	struct sbuf b;

	sbuf_init(&b);
	ck_assert_str_eq(sbuf_str(&b), "");
	sbuf_add_escaped(&b, "a<b>&\"c'd\x01" "e");
	ck_assert_str_eq(sbuf_str(&b), "a&lt;b&gt;&amp;&quot;c&#39;d e");
	sbuf_free(&b);

	sbuf_init(&b);
	sbuf_add_escaped(&b, "µs &amp; plain");
	ck_assert_str_eq(sbuf_str(&b), "µs &amp;amp; plain");
	sbuf_free(&b);
}
END_TEST

START_TEST(test_buffer_growth)
{
	char big[5000];
	struct sbuf b;
	int i;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sbuf_init(&b);
	for (i = 0; i < 50; i++)
		sbuf_printf(&b, "%d:%s;", i, i % 10 ? "short" : big);
	ck_assert(!b.failed);
	ck_assert_uint_eq(strlen(sbuf_str(&b)), b.len);
	ck_assert_uint_eq(count(sbuf_str(&b), ";"), 50);
	ck_assert_uint_eq(b.len, 5 * 4999 + 45 * 5 + 10 * 1 + 40 * 2 + 50 * 2);
	sbuf_free(&b);
}
END_TEST

START_TEST(test_fixed)
{
	static const struct {
		double v;
		int decimals;
		const char *want;
	} cases[] = {
		{ 0, 2, "0" }, { 1.5, 2, "1.5" }, { 1.25, 1, "1.3" }, { 2.0, 3, "2" },
		{ -0.001, 2, "0" }, { -2.5, 0, "-3" }, { 1234567.891, 3, "1234567.891" },
		{ 0.1 + 0.2, 6, "0.3" }, { 99.99, 1, "100" }, { -12.345, 2, "-12.35" },
		{ 1e-7, 6, "0" }, { 7, -3, "7" }, { 1.23456789, 9, "1.234568" },
	};
	char buf[SVG_NUM_MAX];
	int i;

	for (i = 0; i < N(cases); i++) {
		svg_fmt_fixed(cases[i].v, cases[i].decimals, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, cases[i].want) == 0, "%g with %d decimals: '%s', want '%s'",
			      cases[i].v, cases[i].decimals, buf, cases[i].want);
	}
}
END_TEST

START_TEST(test_fixed_non_finite)
{
	const double bad[] = { NAN, -NAN, INFINITY, -INFINITY, 1e300, -1e300 };
	char buf[SVG_NUM_MAX];
	int i;

	for (i = 0; i < N(bad); i++) {
		svg_num(bad[i], buf, sizeof(buf));
		ck_assert_msg(!strstr(buf, "nan") && !strstr(buf, "inf") && buf[0],
			      "case %d printed '%s'", i, buf);
		ck_assert_msg(strspn(buf, "-0123456789.") == strlen(buf), "'%s'", buf);
	}
	svg_num(NAN, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0");
}
END_TEST

START_TEST(test_units)
{
	static const struct {
		enum svg_unit unit;
		double v, step;
		const char *want;
	} cases[] = {
		{ SVG_UNIT_NS, 850, 0, "850 ns" },
		{ SVG_UNIT_NS, 12500, 0, "12.5 µs" },
		{ SVG_UNIT_NS, 3e6, 0, "3 ms" },
		{ SVG_UNIT_NS, 1.5e9, 0, "1.5 s" },
		{ SVG_UNIT_NS, 0, 500, "0" },
		{ SVG_UNIT_NS, 1500, 500, "1.5 µs" },
		{ SVG_UNIT_NS, 1000, 500, "1 µs" },
		{ SVG_UNIT_NS, 2.5e5, 2.5e5, "250 µs" },
		{ SVG_UNIT_IOPS, 850, 0, "850" },
		{ SVG_UNIT_IOPS, 12500, 0, "12.5K" },
		{ SVG_UNIT_IOPS, 1.2e6, 0, "1.2M" },
		{ SVG_UNIT_IOPS, 125000, 25000, "125K" },
		{ SVG_UNIT_BPS, 480e6, 0, "480 MB/s" },
		{ SVG_UNIT_BPS, 1.2e9, 0, "1.2 GB/s" },
		{ SVG_UNIT_BPS, 500e3, 0, "500 KB/s" },
		{ SVG_UNIT_BYTES, 1073741824.0, 0, "1 GiB" },
		{ SVG_UNIT_BYTES, 167772160.0, 0, "160 MiB" },
		{ SVG_UNIT_BYTES, 10995116277760.0, 0, "10 TiB" },
		{ SVG_UNIT_SECONDS, 45, 5, "45s" },
		{ SVG_UNIT_SECONDS, 0.25, 0.05, "0.25s" },
		{ SVG_UNIT_SECONDS, 600, 300, "10m" },
		{ SVG_UNIT_SECONDS, 5400, 1800, "1h30m" },
		{ SVG_UNIT_SECONDS, 7200, 3600, "2h" },
		{ SVG_UNIT_SECONDS, -5, 5, "-5s" },
		{ SVG_UNIT_PCT, 10, 5, "+10%" },
		{ SVG_UNIT_PCT, -2.5, 0.5, "-2.5%" },
		{ SVG_UNIT_PCT, 0, 5, "0%" },
		{ SVG_UNIT_NINES, 0, 1, "p0" },
		{ SVG_UNIT_NINES, 1, 1, "p90" },
		{ SVG_UNIT_NINES, 2, 1, "p99" },
		{ SVG_UNIT_NINES, 3, 1, "p99.9" },
		{ SVG_UNIT_NINES, 4, 1, "p99.99" },
		{ SVG_UNIT_NINES, 0.30103, 0, "p50" },
		{ SVG_UNIT_NONE, 42, 1, "42" },
		{ SVG_UNIT_NONE, 0.5, 0.1, "0.5" },
	};
	char buf[SVG_LABEL_MAX];
	int i;

	for (i = 0; i < N(cases); i++) {
		svg_format_value(cases[i].unit, cases[i].v, cases[i].step, buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, cases[i].want) == 0, "case %d (%g): '%s', want '%s'", i,
			      cases[i].v, buf, cases[i].want);
	}
}
END_TEST

/* Is step 1, 2 or 5 times a power of ten? */
static bool is_125(double step)
{
	double e = pow(10.0, floor(log10(step) + 1e-9)), m = step / e;

	return fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6;
}

static double label_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return (double)n * SVG_CHAR_PX;
}

/* The properties every linear axis must have, whatever the data. */
static void check_linear(const struct svg_axis *a, double lo, double hi, bool horizontal,
			 bool want_125)
{
	size_t i;

	ck_assert_msg(a->nticks >= 2 && a->nticks <= SVG_AXIS_MAX_TICKS, "%zu ticks", a->nticks);
	ck_assert_msg(a->lo <= lo + 1e-9 * fabs(lo) + 0.01 * a->step && a->hi >= hi - 0.01 * a->step,
		      "axis [%g, %g] does not cover [%g, %g]", a->lo, a->hi, lo, hi);
	ck_assert_msg(!want_125 || is_125(a->step), "step %g is not 1-2-5", a->step);
	ck_assert(a->tick[0] == a->lo && a->tick[a->nticks - 1] == a->hi);
	for (i = 1; i < a->nticks; i++) {
		double d = a->tick[i] - a->tick[i - 1];
		double px = fabs(svg_axis_map(a, a->tick[i]) - svg_axis_map(a, a->tick[i - 1]));

		ck_assert_msg(fabs(d - a->step) < 1e-9 * a->step, "uneven ticks");
		if (horizontal)
			ck_assert_msg(px >= (label_width(a->label[i]) + label_width(a->label[i - 1])) / 2,
				      "labels '%s' and '%s' overlap (%g px apart)", a->label[i - 1],
				      a->label[i], px);
		else
			ck_assert_msg(px >= SVG_FONT_PX, "labels %g px apart", px);
	}
}

START_TEST(test_linear_ticks)
{
	static const struct {
		double lo, hi, px;
		bool horizontal;
	} cases[] = {
		{ 0, 1000, 1000, true }, { 0, 1000, 100, true }, { 0, 97, 300, false },
		{ -3.2, 7.9, 500, true }, { 0, 0.0031, 400, false }, { 1e6, 1e6 + 5, 800, true },
		{ 0, 123456789, 1100, true }, { 400, 400, 300, false }, { 0, 2.6e9, 1100, true },
	};
	struct svg_axis a;
	int i;

	for (i = 0; i < N(cases); i++) {
		double lo = cases[i].lo, hi = cases[i].hi;

		svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_NONE, lo, hi, 0, cases[i].px,
			      cases[i].horizontal);
		if (lo == hi) {
			ck_assert(a.lo < lo && a.hi > hi);
			lo = a.lo;
			hi = a.hi;
		}
		check_linear(&a, lo, hi, cases[i].horizontal, true);
	}
	/* Narrow: fewer ticks than on a wide axis for the same data. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_IOPS, 0, 123456, 0, 1100, true);
	{
		size_t wide = a.nticks;

		svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_IOPS, 0, 123456, 0, 150, true);
		ck_assert_uint_lt(a.nticks, wide);
		check_linear(&a, 0, 123456, true, true);
	}
}
END_TEST

START_TEST(test_linear_exact_choice)
{
	struct svg_axis a;

	/* 300 px of height: 20 apart (6 ticks, 60 px) fits, 10 apart (30 px) does not. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_NONE, 0, 97, 300, 0, false);
	ck_assert_double_eq(a.step, 20);
	ck_assert_double_eq(a.lo, 0);
	ck_assert_double_eq(a.hi, 100);
	ck_assert_uint_eq(a.nticks, 6);
	ck_assert_str_eq(a.label[5], "100");
	ck_assert_double_eq_tol(svg_axis_map(&a, 0), 300, 1e-9);
	ck_assert_double_eq_tol(svg_axis_map(&a, 100), 0, 1e-9);
	ck_assert_double_eq_tol(svg_axis_map(&a, 50), 150, 1e-9);
	/* Outside the axis: clamped to its ends. */
	ck_assert_double_eq_tol(svg_axis_map(&a, 1000), 0, 1e-9);
	ck_assert_double_eq_tol(svg_axis_map(&a, -1), 300, 1e-9);

	/* Latency on a linear axis: labels in units, 1-2-5 steps. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_NS, 0, 2.4e6, 0, 1000, true);
	check_linear(&a, 0, 2.4e6, true, true);
	ck_assert_str_eq(a.label[0], "0");
	ck_assert_msg(strstr(a.label[a.nticks - 1], " ms"), "last label '%s'",
		      a.label[a.nticks - 1]);

	/* Percent changes around zero keep their signs. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_PCT, -13.3, 7.5, 0, 900, true);
	check_linear(&a, -13.3, 7.5, true, true);
	ck_assert(a.label[0][0] == '-');
	ck_assert(a.label[a.nticks - 1][0] == '+');
}
END_TEST

START_TEST(test_time_ticks)
{
	static const double clock[] = {
		1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
	};
	struct svg_axis a;
	bool found = false;
	size_t i;

	/* A 60 s run sampled every 5 s after a 5 s ramp: interval ends run a bit over. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_SECONDS, -5, 60.00008, 0, 1067, true);
	ck_assert_double_eq(a.lo, -5);
	ck_assert_double_eq(a.hi, 60);
	ck_assert_double_eq(a.step, 5);
	ck_assert_str_eq(a.label[0], "-5s");
	ck_assert_str_eq(a.label[1], "0");
	ck_assert_str_eq(a.label[a.nticks - 1], "60s");

	/* A day: clock steps, labelled in hours. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_SECONDS, 0, 86400, 0, 1100, true);
	check_linear(&a, 0, 86400, true, false);
	for (i = 0; i < sizeof(clock) / sizeof(clock[0]); i++)
		found = found || a.step == clock[i];
	ck_assert_msg(found, "step %g is not a clock step", a.step);
	ck_assert_msg(fmod(a.step, 3600) == 0, "step %g for a day", a.step);
	for (i = 1; i < a.nticks; i++)
		ck_assert_msg(strchr(a.label[i], 'h'), "label '%s'", a.label[i]);

	/* Ten minutes: whole minutes. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_SECONDS, 0, 600, 0, 1100, true);
	check_linear(&a, 0, 600, true, false);
	ck_assert_msg(fmod(a.step, 60) == 0 || a.step == 15 || a.step == 30, "step %g", a.step);
}
END_TEST

/* Log ticks: increasing, inside the axis, apart enough, the range covered. */
static void check_log(const struct svg_axis *a, double lo, double hi, bool horizontal)
{
	size_t i;

	ck_assert_uint_ge(a->nticks, 2);
	ck_assert(a->lo <= lo * (1 + 1e-9) && a->hi >= hi * (1 - 1e-9));
	for (i = 0; i < a->nticks; i++) {
		ck_assert(a->tick[i] >= a->lo * (1 - 1e-9) && a->tick[i] <= a->hi * (1 + 1e-9));
		if (!i)
			continue;
		ck_assert(a->tick[i] > a->tick[i - 1]);
		if (horizontal)
			ck_assert_msg(fabs(svg_axis_map(a, a->tick[i]) - svg_axis_map(a, a->tick[i - 1])) >=
				      (label_width(a->label[i]) + label_width(a->label[i - 1])) / 2,
				      "'%s' and '%s' overlap", a->label[i - 1], a->label[i]);
		else
			ck_assert(fabs(svg_axis_map(a, a->tick[i]) -
				       svg_axis_map(a, a->tick[i - 1])) >= SVG_FONT_PX);
	}
}

START_TEST(test_log_ticks)
{
	static const char *const want[] = {
		"2 µs", "5 µs", "10 µs", "20 µs", "50 µs", "100 µs", "200 µs",
	};
	struct svg_axis a;
	size_t i;

	/* Two decades in 300 px: 1, 2 and 5 in each. */
	svg_axis_init(&a, SVG_LOG, SVG_UNIT_NS, 2284, 135952, 300, 0, false);
	check_log(&a, 2284, 135952, false);
	ck_assert_uint_eq(a.nticks, N(want));
	for (i = 0; i < a.nticks; i++)
		ck_assert_str_eq(a.label[i], want[i]);
	ck_assert_double_eq(a.lo, 2000);
	ck_assert_double_eq(a.hi, 200000);
	ck_assert_double_eq_tol(svg_axis_map(&a, 20000), 150, 1e-6);

	/* Nine decades in 200 px: thinned to every other decade. */
	svg_axis_init(&a, SVG_LOG, SVG_UNIT_NONE, 1, 1e9, 200, 0, false);
	check_log(&a, 1, 1e9, false);
	ck_assert_uint_lt(a.nticks, 10);
	for (i = 0; i < a.nticks; i++) {
		double e = log10(a.tick[i]);

		ck_assert_msg(fabs(e - round(e)) < 1e-9, "tick %g is not a decade", a.tick[i]);
		ck_assert_msg(((long)round(e)) % (long)round(log10(a.tick[1] / a.tick[0])) == 0,
			      "decades not evenly thinned");
	}

	/* Sizes step in powers of two, labelled in binary units. */
	svg_axis_init(&a, SVG_LOG, SVG_UNIT_BYTES, 167772160.0, 10737418240.0, 0, 1100, true);
	check_log(&a, 167772160.0, 10737418240.0, true);
	for (i = 0; i < a.nticks; i++) {
		double e = log2(a.tick[i]);

		ck_assert_msg(fabs(e - round(e)) < 1e-9, "tick %g is not a power of two", a.tick[i]);
		ck_assert_msg(strstr(a.label[i], "iB"), "label '%s'", a.label[i]);
	}
	ck_assert_str_eq(a.label[0], "128 MiB");
	ck_assert_str_eq(a.label[a.nticks - 1], "16 GiB");

	/* Nothing positive: a sane default, still drawable. */
	svg_axis_init(&a, SVG_LOG, SVG_UNIT_NS, -5, 0, 0, 300, false);
	ck_assert(a.lo > 0 && a.hi > a.lo && a.nticks >= 2);
	ck_assert(!svg_axis_drawable(&a, 0));
	ck_assert(!svg_axis_drawable(&a, -1));
	ck_assert(svg_axis_drawable(&a, 1));
}
END_TEST

START_TEST(test_nines_axis)
{
	struct svg_axis a;
	size_t i;
	bool p50 = false;

	/* 2400 samples resolve up to log10(2400) = 3.38. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_NINES, 0, log10(2400), 0, 1050, true);
	ck_assert_double_eq(a.lo, 0);
	ck_assert_double_eq_tol(a.hi, log10(2400), 1e-12);
	ck_assert_str_eq(a.label[0], "p0");
	ck_assert_str_eq(a.label[a.nticks - 1], "p99.9");
	for (i = 0; i < a.nticks; i++)
		p50 = p50 || strcmp(a.label[i], "p50") == 0;
	ck_assert(p50);
	/* Too narrow for p50 next to p0: left out rather than overlapping. */
	svg_axis_init(&a, SVG_LINEAR, SVG_UNIT_NINES, 0, 4, 0, 120, true);
	for (i = 0; i < a.nticks; i++)
		ck_assert_str_ne(a.label[i], "p50");
}
END_TEST

static struct svg_series series_of(const char *name, size_t n, double (*f)(size_t))
{
	struct svg_series s = { .n = n, .style = SVG_STYLE_LINE };
	size_t i;

	snprintf(s.name, sizeof(s.name), "%s", name);
	s.x = calloc(n, sizeof(double));
	s.y = calloc(n, sizeof(double));
	for (i = 0; i < n; i++) {
		s.x[i] = (double)i;
		s.y[i] = f(i);
	}
	return s;
}

static double wave(size_t i)
{
	return i % 7 == 3 ? NAN : 1000 + 500 * sin((double)i / 10);
}

static double ramp_up(size_t i)
{
	return i == 0 ? 0 : (double)i * 1000;
}

START_TEST(test_render_line_chart)
{
	struct svg_series s[2];
	struct svg_marker m[2] = { { .x = 10, .label = "phase <one>" }, { .x = 40, .label = "two" } };
	struct svg_region g = { .x0 = -5, .x1 = 0, .label = "ramp" };
	struct svg_chart c = {
		.title = "Throughput & \"latency\"",
		.x_unit = SVG_UNIT_SECONDS,
		.y_scale = SVG_LOG,
		.y_unit = SVG_UNIT_NS,
		.series = s,
		.nseries = 2,
		.markers = m,
		.nmarkers = 2,
		.regions = &g,
		.nregions = 1,
	};
	struct sbuf b;
	const char *out;

	s[0] = series_of("read", 80, wave);
	s[1] = series_of("write", 80, ramp_up);
	s[1].style = SVG_STYLE_LINE_POINTS;
	sbuf_init(&b);
	ck_assert_int_eq(svg_render(&b, &c, true), 0);
	out = sbuf_str(&b);
	ck_assert(strncmp(out, "<?xml", 5) == 0);
	ck_assert(strstr(out, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	ck_assert(strstr(out, "</svg>\n"));
	ck_assert(strstr(out, "Throughput &amp; &quot;latency&quot;"));
	ck_assert(strstr(out, "phase &lt;one&gt;"));
	ck_assert(!strstr(out, "nan") && !strstr(out, "inf") && !strstr(out, "NaN"));
	ck_assert_uint_eq(count(out, "<path"), 2);
	/* The NaNs break the line: one move per run of drawable points. */
	ck_assert_uint_ge(count(out, "M"), 80 / 7);
	/* Points of the second series, except y = 0 on a log axis. */
	ck_assert_uint_eq(count(out, "<circle"), 79 + 1 /* legend */);
	sbuf_free(&b);

	sbuf_init(&b);
	ck_assert_int_eq(svg_render(&b, &c, false), 0);
	ck_assert(strncmp(sbuf_str(&b), "<svg", 4) == 0);
	sbuf_free(&b);
	free(s[0].x);
	free(s[0].y);
	free(s[1].x);
	free(s[1].y);
}
END_TEST

static double noisy(size_t i)
{
	return 100 + (double)(i * 7919 % 101);
}

START_TEST(test_render_decimates)
{
	struct svg_series s = series_of("iops", 86400, noisy);
	struct svg_chart c = { .title = "a day", .x_unit = SVG_UNIT_SECONDS, .series = &s,
			       .nseries = 1, .y_zero = true };
	struct sbuf b;

	sbuf_init(&b);
	ck_assert_int_eq(svg_render(&b, &c, false), 0);
	/* At most two points per pixel column of a 1160 px chart, ~12 bytes each. */
	ck_assert_msg(b.len < 2 * SVG_DEFAULT_WIDTH * 16 + 20000, "%zu bytes", b.len);
	ck_assert_uint_ge(count(sbuf_str(&b), " L"), 1000);
	sbuf_free(&b);
	free(s.x);
	free(s.y);
}
END_TEST

START_TEST(test_render_bars)
{
	struct svg_bar bars[3] = {
		{ .label = "read IOPS", .value = -2.5, .lo = -6, .hi = 1, .color = SVG_GREY,
		  .note = "-2.5% ok" },
		{ .label = "read p99", .value = 127, .lo = 8, .hi = 198, .color = SVG_RED,
		  .note = "+127% regression" },
		{ .label = "total p50", .value = 7.7, .lo = NAN, .hi = NAN, .color = SVG_GREY,
		  .note = "+7.7% ok" },
	};
	struct svg_marker thr = { .x = 15, .label = "threshold +15%", .color = SVG_RED };
	struct svg_chart c = { .title = "bars", .x_unit = SVG_UNIT_PCT, .bars = bars, .nbars = 3,
			       .markers = &thr, .nmarkers = 1 };
	struct sbuf b;
	const char *out;
	double h3, h6;

	sbuf_init(&b);
	ck_assert_int_eq(svg_render(&b, &c, false), 0);
	out = sbuf_str(&b);
	ck_assert(strstr(out, "+127% regression"));
	ck_assert(strstr(out, svg_color_hex(SVG_RED)));
	/* Two error bars with two caps each: 6 lines with stroke #222222 of width 1.5. */
	ck_assert_uint_eq(count(out, "stroke=\"#222222\" stroke-width=\"1.5\""), 6);
	ck_assert(!strstr(out, "nan") && !strstr(out, "inf"));
	sbuf_free(&b);
	h3 = svg_chart_height(&c);
	c.nbars = 1;
	h6 = svg_chart_height(&c);
	ck_assert_double_eq_tol(h3 - h6, 2 * SVG_BAR_ROW_PX, 1e-9);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("svg");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_buffer_growth);
	tcase_add_test(tc, test_fixed);
	tcase_add_test(tc, test_fixed_non_finite);
	tcase_add_test(tc, test_units);
	tcase_add_test(tc, test_linear_ticks);
	tcase_add_test(tc, test_linear_exact_choice);
	tcase_add_test(tc, test_time_ticks);
	tcase_add_test(tc, test_log_ticks);
	tcase_add_test(tc, test_nines_axis);
	tcase_add_test(tc, test_render_line_chart);
	tcase_add_test(tc, test_render_decimates);
	tcase_add_test(tc, test_render_bars);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
