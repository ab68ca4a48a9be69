/*
 * A run against a baseline: per metric, the change, its confidence
 * interval, a test over RUNS (never over the intervals of one run), what
 * the comparison could have detected, and the verdict (method in
 * dmremap-bench-compare(1)); workload parameter mismatches and environment
 * differences.
 *
 * Per metric, with the baseline's runs (a history: result/history.h) and
 * the run's (--repeat):
 *   - "runs": the exact Mann-Whitney test over runs with the
 *     Hodges-Lehmann ratio and its confidence interval on the log scale
 *     (stats/runcmp.h), so a change is a ratio and its interval never goes
 *     below -100%;
 *   - "sessions": when the history holds runs saved in 3 or more sessions
 *     and they differ from session to session (an intraclass correlation
 *     of at least COMPARE_ICC_SESSIONS), the session is the unit: the run's
 *     session against the history's sessions by the prediction test
 *     (stats/ttest.h), which tolerates the drift of a machine between
 *     sessions that a test over pooled runs would call a change;
 *   - "untested": when the sizes cannot reach p < alpha at all (1 run
 *     against 1, 3 against 3, a fio figure): reported with its change and
 *     the runs a test would need, never failing the gate.
 * A metric REGRESSES when it is worse by at least its threshold and
 * significant; the p-values of the gate's metrics are adjusted together
 * (Holm) so that a check's chance of any false alarm stays below alpha.
 * Every row says the smallest change it could detect (stats/mde.h: power
 * 0.8 at the baseline's run-to-run spread), and whether it gates.
 */
#ifndef DMRB_COMPARE_H
#define DMRB_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "compare/metrics.h"

#define COMPARE_ICC_SESSIONS 0.2   /* session-to-session share of the variance */
#define COMPARE_POWER 0.8          /* of the detectable change */
#define COMPARE_GATE_MAX 32

struct compare_cfg {
	double threshold_throughput_pct;   /* default 10: -10% is a regression */
	double threshold_latency_pct;      /* default 15 */
	double alpha;                      /* default 0.05 */
	bool allow_mismatch;
	const char *gate;                  /* --gate LIST; NULL: the default set */
};

enum verdict {
	VERDICT_OK,
	VERDICT_IMPROVED,
	VERDICT_REGRESSED,
	VERDICT_NOISE,       /* beyond the threshold, not significant */
	VERDICT_UNTESTED,    /* too few runs for any test: never fails the gate */
};

struct row_stats {
	double base_median, run_median;    /* of the runs' values */
	double change_pct;                 /* the estimate: the HL ratio (or of the medians) */
	double ci_low_pct, ci_high_pct;    /* NAN when untested */
	double p_value, p_adjusted;        /* NAN when untested; adjusted over the gate */
	size_t base_n, run_n;              /* runs (sessions, for "sessions") */
	const char *method;                /* "runs", "sessions", "untested", "errors" */
	double spread_pct;                 /* the baseline's run-to-run sd, percent; NAN */
	double detect_up_pct, detect_down_pct;  /* the smallest change it could detect */
	size_t runs_needed;                /* for a test, when untested (0: unknown) */
	double p_floor;                    /* the smallest p the exact test can give (runs) */
	bool tested;
	enum verdict verdict;
	char reason[200];
};

struct compare_row {
	const struct metric *base, *run;
	struct row_stats v;
	bool gate;                         /* decides the exit status */
};

struct comparison {
	struct metric_set base, run;
	struct compare_row *rows;
	size_t nrows;
	json_t *mismatches;        /* array of strings: workload parameters that differ */
	json_t *env_diffs;         /* array of strings: environment that differs */
	unsigned nmismatches, nenv_diffs;
	unsigned regressions, improvements, untested;
	unsigned gate_regressions; /* those that fail the check */
	bool refused;              /* mismatched parameters and no allow_mismatch */
	bool gate_on_ref;          /* the default gate took the ratios to the reference */
	struct compare_cfg cfg;
	char base_label[512];
};

void compare_cfg_defaults(struct compare_cfg *cfg);
/*
 * Check a --gate list: comma-separated [GROUP/]DIR.METRIC items, GROUP one
 * of all (the default), ref, "phase N", "step N", "stream NAME"; DIR read,
 * write or total; METRIC iops, bw, lat_mean, lat_p50, lat_p99, lat_p99.9.
 * 0, or -1 with one line in err naming the bad item.
 */
int compare_gate_check(const char *list, char *err, size_t elen);
/*
 * Compare run_doc (candidate) against base_doc. Returns 0 (see
 * c->refused, c->regressions), or -1 with a message in err when a document
 * cannot be compared at all. Keep both documents alive until comparison_free.
 */
int compare_docs(json_t *base_doc, json_t *run_doc, const char *base_label,
		 const struct compare_cfg *cfg, struct comparison *c, char *err, size_t elen);
json_t *comparison_json(const struct comparison *c);
void comparison_print(FILE *f, const struct comparison *c);
void comparison_free(struct comparison *c);
/* 0 no regression of a gate metric, 1 regression, 2 refused (mismatch). */
int comparison_exit_status(const struct comparison *c);

#endif
