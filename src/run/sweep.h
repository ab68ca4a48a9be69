/*
 * A load sweep (dmremap-bench-sweep(1)): one workload measured at a series
 * of loads, each step a full result, and the knee of the curve.
 *
 * The load is the number of I/Os in flight (by depth: a closed loop) or
 * the rate offered (by rate). A rate sweep offers its load through the
 * engine's rate cap on a closed loop of --ops I/Os: a worker waits for a
 * token before it submits, the wait is not in the latency, and a device
 * slower than the rate simply gets less ("closed-loop cap" in the result).
 * An open-loop mode (arrivals on a schedule, latency as response time
 * from when each I/O was due) is the other enum sweep_rate_mode and the
 * one switch in sweep_step_stream() when the engine has it.
 *
 * The knee (sweep_knee_of):
 *   - with an objective (--slo p99=2ms, or p50, p99.9, mean): the highest
 *     load of the steps that meet it before the first that does not
 *     (stats/knee.h knee_slo), bracketed by that step and the first that
 *     fails, with the load where the latency crosses the objective
 *     interpolated on log-log axes;
 *   - without one: Kneedle on throughput against ln(load) (knee_sweep:
 *     where throughput stops growing, from the better-measured of the two
 *     figures; the header of stats/knee.h says why not the maximum of
 *     throughput/latency, which is reported beside it as power_load),
 *     bracketed by the neighbouring steps. A curve already within
 *     SWEEP_FLAT_FRACTION of its peak at the first step, or whose lowest
 *     and highest throughput are within SWEEP_FLAT_RANGE of the peak (a
 *     device that does not scale at all, such as one held to a fixed rate
 *     by a throttle), is saturated there: its knee is the first load
 *     (Kneedle scales the curve to its range and would find a knee in the
 *     noise of a flat one). A curve still growing at the last step has no
 *     knee within the sweep: the last load, "reached": false.
 *
 * Pure functions here (sweep_plan.c); running one is sweep.c.
 */
#ifndef DMRB_SWEEP_H
#define DMRB_SWEEP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWEEP_MIN_STEPS 3
#define SWEEP_MAX_STEPS 32
#define SWEEP_MAX_OPS 10000
#define SWEEP_MAX_RATE 100000000ULL
#define SWEEP_FLAT_FRACTION 0.9
#define SWEEP_FLAT_RANGE 0.2

enum sweep_by { SWEEP_BY_OPS, SWEEP_BY_RATE };
enum sweep_rate_mode { SWEEP_RATE_CLOSED_CAP };

extern const char *const sweep_by_names[];         /* "ops", "rate_iops" (the schema's "by") */
extern const char *const sweep_rate_mode_names[];  /* "closed-loop cap" */

enum sweep_stat { SLO_MEAN, SLO_P50, SLO_P99, SLO_P999 };

struct sweep_slo {
	bool set;
	enum sweep_stat stat;
	uint64_t ns;
};

struct sweep_plan {
	enum sweep_by by;
	enum sweep_rate_mode rate_mode;
	uint64_t load[SWEEP_MAX_STEPS];
	unsigned n;
	unsigned ops;              /* by rate: I/Os in flight at every step */
	struct sweep_slo slo;
};

/*
 * Loads from spec: a list "1,2,4,16", or a range "A..B": with steps > 0,
 * steps loads from A to B spaced geometrically (rounded, repeats dropped);
 * with steps 0, A doubled until B (B itself last). Numbers take k (1000)
 * and M (1e6) suffixes ("10k", "2.5k"). Each within [min, max], strictly
 * increasing, between SWEEP_MIN_STEPS and SWEEP_MAX_STEPS of them.
 * 0, or -1 with what is allowed in err.
 */
int sweep_parse_loads(const char *spec, unsigned steps, uint64_t min, uint64_t max,
		      uint64_t *out, unsigned *n, char *err, size_t elen);
/* "p99=2ms": the statistic (mean, p50, p99, p99.9) and a latency (ns, us, ms, s). */
int sweep_parse_slo(const char *spec, struct sweep_slo *slo, char *err, size_t elen);
/* "p99"; and its key in a result's lat_ns ("p99.9", "mean"). */
const char *sweep_stat_name(enum sweep_stat s);

struct sweep_knee {
	const char *method;        /* "kneedle" or "slo" */
	bool found;                /* a knee load exists (slo: the first step met the objective) */
	bool reached;              /* the curve turned, or the objective was lost, within the sweep */
	bool saturated;            /* kneedle: flat from the first step */
	bool non_monotone;         /* slo: a step after the first failure met it again */
	size_t index;              /* the knee's step, when found */
	double load, low, high;    /* NAN when none (high: none above) */
	double iops, lat_ns;       /* at the knee: throughput, the latency statistic */
	double crossing;           /* slo: the load where the latency meets the objective */
	double power_load;         /* the step with the largest IOPS / latency; NAN */
	struct sweep_slo slo;
};

/*
 * The knee of n steps (load increasing, their IOPS and latency statistic:
 * the objective's, else p99). -1 with errno EINVAL for fewer than
 * SWEEP_MIN_STEPS or values that are not finite.
 */
int sweep_knee_of(const double *load, const double *iops, const double *lat, size_t n,
		  const struct sweep_slo *slo, struct sweep_knee *out);
/* The same from a results object's "steps" (each with "load" and "total"). */
int sweep_knee_of_results(json_t *results, const struct sweep_slo *slo, struct sweep_knee *out);
/* results.knee */
json_t *sweep_knee_json(const struct sweep_knee *k);
/* "knee: depth 16 (between 8 and 32), ..." with the load's word (depth, rate). */
void sweep_knee_describe(const struct sweep_knee *k, enum sweep_by by, char *buf, size_t len);
/*
 * The steps table's mark on the knee's step, as sweep_knee_describe words it:
 * "  <- knee", "  <- knee or beyond" (not reached within the sweep), "  <- knee
 * or below" (saturated from the first step), or "" without one.
 */
const char *sweep_knee_mark(const struct sweep_knee *k);

#endif
