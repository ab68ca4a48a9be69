#include "result/outliers.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "result/result_text.h"
#include "stats/outlier.h"

static const struct {
	const char *key, *label;
	bool latency;
} figures[] = {
	{ "iops", "IOPS", false },
	{ "lat_p99", "p99", true },
};

static double figure_of(json_t *node, bool latency)
{
	json_t *t = json_object_get(json_object_get(node, "results"), "total");
	json_t *v = latency ? json_object_get(json_object_get(t, "lat_ns"), "p99") :
		json_object_get(t, "iops");

	/* A member without I/O has no latency: it is skipped for p99, and its IOPS is 0. */
	if (latency && json_number_value(json_object_get(t, "ops")) <= 0)
		return NAN;
	return json_is_number(v) ? json_number_value(v) : NAN;
}

json_t *outliers_group_json(json_t *nodes, const char *const *names)
{
	size_t n = json_array_size(nodes), i, k;
	double *v = calloc(n ? n : 1, sizeof(double));
	json_t *g = json_pack("{s:I}", "n", (json_int_t)n);

	if (!v || !g) {
		free(v);
		json_decref(g);
		return NULL;
	}
	for (k = 0; k < sizeof(figures) / sizeof(figures[0]); k++) {
		struct outlier o;

		for (i = 0; i < n; i++)
			v[i] = figure_of(json_array_get(nodes, i), figures[k].latency);
		if (outlier_find(v, n, &o))
			continue;
		json_object_set_new(g, figures[k].key, json_pack(
			"{s:I, s:s, s:f, s:f, s:s, s:f, s:s, s:f, s:b}",
			"index", (json_int_t)o.index,
			"name", names[o.index] ? names[o.index] : "",
			"value", o.value,
			"median", o.median,
			"scale", "ln(1+x)",
			"spread", o.spread,
			"spread_kind", o.spread_kind,
			"z", o.z,
			"outlier", o.beyond));
	}
	free(v);
	return g;
}

json_t *outliers_json(void)
{
	return json_pack("{s:s, s:f, s:f}",
			 "method", "modified z-score (Iglewicz-Hoaglin) on the log scale: y = ln(1 + x), "
			 "z = (y - median(y)) / max(1.4826 MAD(y), min_spread) over the group",
			 "threshold_z", OUTLIER_Z, "min_spread", OUTLIER_MIN_SPREAD);
}

static void fmt(double v, bool latency, char *buf, size_t len)
{
	if (latency)
		format_ns(v, buf, len);
	else
		format_count(v, buf, len);
}

void outliers_print(FILE *f, json_t *group, const char *members, const char *indent)
{
	size_t k;
	bool any = false;

	for (k = 0; k < sizeof(figures) / sizeof(figures[0]); k++)
		any |= json_object_get(group, figures[k].key) != NULL;
	if (!any) {
		if (json_integer_value(json_object_get(group, "n")) < OUTLIER_MIN_N)
			fprintf(f, "%soutliers: none to look for among %lld %s (it takes %d)\n", indent,
				(long long)json_integer_value(json_object_get(group, "n")), members,
				OUTLIER_MIN_N);
		else
			fprintf(f, "%soutliers: none (the %s do not differ)\n", indent, members);
		return;
	}
	fprintf(f, "%sfurthest from the others among the %lld %s (modified z-score; |z| > %.1f is "
		"an outlier):\n",
		indent, (long long)json_integer_value(json_object_get(group, "n")), members,
		OUTLIER_Z);
	for (k = 0; k < sizeof(figures) / sizeof(figures[0]); k++) {
		json_t *o = json_object_get(group, figures[k].key);
		char val[24], med[24], spr[24];
		const char *kind;
		double z;

		if (!o)
			continue;
		z = json_number_value(json_object_get(o, "z"));
		fmt(json_number_value(json_object_get(o, "value")), figures[k].latency, val,
		    sizeof(val));
		fmt(json_number_value(json_object_get(o, "median")), figures[k].latency, med,
		    sizeof(med));
		kind = json_string_value(json_object_get(o, "spread_kind")) ?: "MAD";
		/* The spread is on the ln scale (groups printed here are this run's): a share. */
		snprintf(spr, sizeof(spr), "%.1f%%",
			 expm1(json_number_value(json_object_get(o, "spread"))) * 100);
		fprintf(f, "%s  %-5s %s: %s, z %+.1f: %.1f spreads of %s (%s) %s the median %s%s\n",
			indent, figures[k].label, json_string_value(json_object_get(o, "name")), val,
			z, fabs(z), spr, kind,
			z < 0 ? "below" : "above", med,
			json_is_true(json_object_get(o, "outlier")) ? ": OUTLIER" : "");
	}
}
