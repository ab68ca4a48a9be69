/*
 * A run against a baseline: per metric, the change, its confidence
 * interval, a significance test over the interval samples and the verdict
 * (method in dmremap-bench-compare(1)); workload parameter mismatches and
 * environment differences.
 */
#ifndef DMRB_COMPARE_H
#define DMRB_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "compare/metrics.h"
#include "stats/verdict.h"

struct compare_cfg {
	double threshold_throughput_pct;   /* default 10: -10% is a regression */
	double threshold_latency_pct;      /* default 15 */
	double alpha;                      /* default 0.05 */
	bool allow_mismatch;
};

struct compare_row {
	const struct metric *base, *run;
	struct metric_verdict v;
};

struct comparison {
	struct metric_set base, run;
	struct compare_row *rows;
	size_t nrows;
	json_t *mismatches;        /* array of strings: workload parameters that differ */
	json_t *env_diffs;         /* array of strings: environment that differs */
	unsigned nmismatches, nenv_diffs;
	unsigned regressions, improvements;
	bool refused;              /* mismatched parameters and no allow_mismatch */
	struct compare_cfg cfg;
	char base_label[512];
};

void compare_cfg_defaults(struct compare_cfg *cfg);
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
/* 0 no regression, 1 regression, 2 refused (mismatch). */
int comparison_exit_status(const struct comparison *c);

#endif
