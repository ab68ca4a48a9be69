#include "compare/history_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "compare/metrics.h"
#include "result/history.h"
#include "result/result_text.h"
#include "stats/changepoint.h"
#include "stats/spread.h"
#include "util/log.h"

#define VIEW_RUNS_MAX 1000

static double fig(json_t *node, const char *dir, const char *path)
{
	json_t *d = json_object_get(json_object_get(node, "results"), dir);

	if (!strcmp(path, "iops"))
		return json_number_value(json_object_get(d, "iops"));
	return json_number_value(json_object_get(json_object_get(d, "lat_ns"), path));
}

static void print_workload(FILE *f, json_t *params)
{
	const char *key;
	json_t *v;
	int n = 0;

	fprintf(f, "  workload:");
	json_object_foreach(params, key, v) {
		char *s, q[128];

		if (!result_param_is_workload(key) || json_is_null(v) || json_is_array(v) ||
		    json_is_object(v))
			continue;
		s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		log_quote(q, sizeof(q), s ? s : "?");
		fprintf(f, "%s %s=%s", n++ % 6 == 5 ? "\n   " : "", key, q);
		free(s);
	}
	fputc('\n', f);
}

static void print_runs(FILE *f, json_t *nodes)
{
	json_t *n;
	size_t i;

	fprintf(f, "  %-4s %-21s %-28s %10s %10s %10s\n", "run", "saved", "kernel", "IOPS", "p50",
		"p99");
	json_array_foreach(nodes, i, n) {
		char a[16], b[16], c[16], saved[64], kernel[64];

		log_quote(saved, sizeof(saved),
			  json_string_value(json_object_get(n, "saved_at")) ?: "-");
		log_quote(kernel, sizeof(kernel), json_string_value(json_object_get(
			json_object_get(n, "environment"), "kernel")) ?: "-");
		format_count(fig(n, "total", "iops"), a, sizeof(a));
		format_ns(fig(n, "total", "p50"), b, sizeof(b));
		format_ns(fig(n, "total", "p99"), c, sizeof(c));
		fprintf(f, "  %-4zu %-21.21s %-28.28s %10s %10s %10s\n", i + 1, saved, kernel, a, b, c);
	}
}

/* The spread of a metric's runs, and how much of it is between sessions. */
static void print_spread(FILE *f, const struct metric *m)
{
	struct spread_est sp;
	struct var_components vc;
	double *l;
	size_t *g, i;

	if (m->nruns < 2 || spread_log(m->runs, m->nruns, &sp))
		return;
	fprintf(f, "  %-5s %-6s %-10s %7.1f%% %7.1f%%", m->group, m->dir, m->name, sp.sd_pct,
		sp.mad_pct);
	l = calloc(m->nruns, sizeof(*l));
	g = calloc(m->nruns, sizeof(*g));
	if (l && g && m->nsessions >= 2) {
		for (i = 0; i < m->nruns; i++) {
			l[i] = log(m->runs[i]);
			g[i] = m->session[i];
		}
		if (var_components(l, g, m->nruns, &vc) == 0 && isfinite(vc.icc))
			fprintf(f, " %9.1f%% %9.1f%% %6.2f", expm1(vc.sd_within) * 100,
				expm1(vc.sd_between) * 100, vc.icc);
	}
	fputc('\n', f);
	free(l);
	free(g);
}

/*
 * Change points of a metric's runs: on the logs (changepoint.h asks for
 * them: a step is a ratio, whatever the level), medians and the change as
 * ratios back on the figure's own scale.
 */
static void print_changes(FILE *f, const struct metric *m, json_t *nodes)
{
	struct cp_point pts[8];
	struct cp_result res;
	struct cp_cfg cfg;
	double *l;
	size_t i;

	cp_cfg_default(&cfg);
	if (m->nruns < 2 * cfg.min_size || m->nruns > CP_MAX_N)
		return;
	l = calloc(m->nruns, sizeof(*l));
	if (!l)
		return;
	for (i = 0; i < m->nruns; i++)
		l[i] = log(m->runs[i] > 0 ? m->runs[i] : 1e-300);
	if (cp_ediv(l, m->nruns, &cfg, pts, 8, &res)) {
		free(l);
		return;
	}
	for (i = 0; i < res.count; i++) {
		const char *at = json_string_value(json_object_get(json_array_get(nodes,
								pts[i].index), "saved_at"));
		char q[64];

		log_quote(q, sizeof(q), at ? at : "-");
		fprintf(f, "  %s %s %s: a step at run %zu (saved %s): median %.4g -> %.4g, "
			"%+.1f%% (geometric means), p = %.3g\n", m->group, m->dir, m->name,
			pts[i].index + 1, q, exp(pts[i].median_before), exp(pts[i].median_after),
			expm1(pts[i].mean_after - pts[i].mean_before) * 100, pts[i].p);
	}
	if (!res.count)
		fprintf(f, "  %s %s %s: no step (the strongest candidate had p = %.3g)\n", m->group,
			m->dir, m->name, res.p_next);
	free(l);
}

int history_print(FILE *f, json_t *doc, const char *name, const char *where, char *err,
		  size_t elen)
{
	static const char *const names[] = { "iops", "lat_p50", "lat_p99" };
	struct metric_set ms;
	json_t *nodes;
	char q[128];
	size_t i, k;

	if (metrics_from_doc(doc, &ms, err, elen))
		return -1;
	log_quote(q, sizeof(q), name);
	fprintf(f, "baseline %s: %s, %zu runs in %u sessions%s (%s)\n", q,
		ms.command[0] ? ms.command : "?", ms.nruns, ms.nsessions,
		history_is(doc) ? "" : ", stored as a single result", where);
	if (!strcmp(ms.source, "fio")) {
		json_t *rep = json_object_get(json_object_get(doc, "dmremap-bench"),
					      "fio_status_reports");

		if (json_integer_value(rep) > 1)
			fprintf(f, "  fio --status-interval output: %" JSON_INTEGER_FORMAT " reports, the "
				"last is the result, their differences its intervals\n",
				json_integer_value(rep));
		fprintf(f, "  fio output: one run; a comparison against it is untested\n");
		metrics_free(&ms);
		return 0;
	}
	print_workload(f, ms.params);
	nodes = history_run_nodes(history_is(doc) ? doc : ms.owned ? ms.owned : doc);
	if (nodes && json_array_size(nodes) <= VIEW_RUNS_MAX)
		print_runs(f, nodes);
	fprintf(f, "  spread from run to run (sd and MAD of the log values, as %%; with "
		"sessions, the\n  within- and between-session sd and the share of the variance "
		"between sessions):\n");
	fprintf(f, "  %-5s %-6s %-10s %8s %8s %10s %10s %6s\n", "group", "dir", "metric", "sd", "MAD",
		"within", "between", "ICC");
	for (i = 0; i < ms.n; i++)
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strcmp(ms.m[i].name, names[k]) && (!strcmp(ms.m[i].group, "all") ||
								 !strcmp(ms.m[i].group, "ref")))
				print_spread(f, &ms.m[i]);
	if (ms.nsessions >= 3)
		fprintf(f, "  compare tests sessions when their ICC is %.2g or more, runs below\n",
			COMPARE_ICC_SESSIONS);
	else
		fprintf(f, "  %u session%s: compare tests runs (session-to-session drift is not "
			"measured until 3 sessions)\n", ms.nsessions, ms.nsessions == 1 ? "" : "s");
	fprintf(f, "  change points (E-divisive means, permutation test):\n");
	for (i = 0; i < ms.n; i++)
		if ((!strcmp(ms.m[i].name, "iops") || !strcmp(ms.m[i].name, "lat_p99")) &&
		    !strcmp(ms.m[i].dir, "total") && (!strcmp(ms.m[i].group, "all") ||
						      !strcmp(ms.m[i].group, "ref")))
			print_changes(f, &ms.m[i], nodes);
	json_decref(nodes);
	metrics_free(&ms);
	return 0;
}
