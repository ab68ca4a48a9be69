/*
 * The knee of a load sweep (issue 20): given steps sorted by load (queue
 * depth or offered rate), with their throughput and p99 latency, where does
 * the device stop scaling?
 *
 * knee_slo(): with a service objective (p99 <= slo): the highest load of
 * the passing prefix, i.e. the step before the first step whose latency
 * exceeds the objective. Its uncertainty is the step interval around the
 * crossing, [load_low, load_high] = [last passing load, first failing
 * load]; `crossing` interpolates the load at which the latency meets the
 * objective, linearly in log(load) and log(latency) (latency curves are
 * close to straight lines on log-log axes near the knee; linear in both
 * when a value is not positive). A later step that meets the objective
 * again is flagged (non_monotone) and ignored: the knee is where the
 * objective is first lost, which is what a capacity plan must use. When
 * the first step already fails there is no knee (any_within = false,
 * load_high = the first load); when no step fails the objective is not
 * reached within the sweep (violated = false, load_high = INFINITY).
 *
 * kneedle(): without an objective, the knee by Kneedle (Satopaa, Albrecht,
 * Irwin & Raghavan, "Finding a 'Kneedle' in a Haystack: Detecting Knee
 * Points in System Behavior", ICDCS Workshops 2011). Both axes are scaled
 * to [0, 1] (x by its first and last value, y by its range), the curve is
 * mirrored so that it is concave and increasing (convex decreasing: y ->
 * 1 - y; concave decreasing: x -> 1 - x; convex increasing: both), and the
 * difference curve d = y - x measures how far it bulges above the chord. A
 * local maximum of d (d_i > d_{i-1}, d_i >= d_{i+1}) becomes the knee when d
 * falls below d_max - S / (n - 1) (S the sensitivity, 1 as the paper
 * recommends; 1/(n-1) the mean x spacing after scaling) before the next
 * local maximum; a local minimum first abandons that candidate (the
 * paper's "reset the threshold"). The first knee found is returned (the
 * offline algorithm). No smoothing: sweeps have few points, and a spline
 * through 10 noisy points invents curvature. Why Kneedle and not the
 * maximum of throughput/latency (Kleinrock's "power", vdbench's curve): the
 * power maximum is an optimal operating point, which sits well before
 * saturation by construction (at 50% utilisation for an M/M/1 queue) and
 * moves with whichever latency percentile is chosen (a p99 from log-bucket
 * histograms is quantised and noisy), while Kneedle on the throughput curve
 * finds where throughput stops growing, from the throughput alone, which
 * is the better-measured quantity. knee_power() gives the power maximum
 * too, for the report.
 *
 * knee_sweep(): the recommended call for a sweep: Kneedle on throughput
 * against ln(load), concave increasing, S = 1. The log axis because sweeps
 * are geometric (1, 2, 4 .. 1024): on a linear axis the first six of
 * eleven steps sit in the first 3% of the x range, the scaled curve is a
 * step, and the knee lands on whatever point follows the step (a device
 * saturating at depth 32 gets its knee at 64 on a linear axis, at 32 on
 * the log axis). A device that is still scaling at the last step has no knee (the
 * difference never drops): found = false says "not reached".
 *
 * Each knee comes with the steps either side as its uncertainty
 * (x_low, x_high: the neighbouring loads, the point itself at an end).
 *
 * Pure and deterministic; no I/O, no globals. Errors: -1 with errno EINVAL
 * (fewer points than needed: 1 for knee_slo and knee_power, 3 for
 * kneedle; load/x not strictly increasing; a non-finite value; load <= 0
 * for knee_sweep; slo or S <= 0; a bad shape).
 */
#ifndef DMRB_KNEE_H
#define DMRB_KNEE_H

#include <stdbool.h>
#include <stddef.h>

struct knee_slo_result {
	bool any_within;	/* load[0] meets the objective */
	bool violated;		/* some step exceeds it */
	bool non_monotone;	/* a step after the first violation meets it again */
	size_t index;		/* last step of the passing prefix (if any_within) */
	double load;		/* load[index]; NAN if !any_within */
	double load_low;	/* the crossing lies in [load_low, load_high]; NAN if !any_within */
	double load_high;	/* INFINITY if !violated */
	double crossing;	/* interpolated load at lat == slo; NAN if not bracketed */
};

int knee_slo(const double *load, const double *lat, size_t n, double slo,
	     struct knee_slo_result *out);

enum knee_shape {
	KNEE_CONCAVE_INC,	/* throughput against load */
	KNEE_CONVEX_INC,	/* latency against load: the elbow */
	KNEE_CONCAVE_DEC,
	KNEE_CONVEX_DEC,	/* e.g. an error curve */
};

struct kneedle_result {
	bool found;
	size_t index;		/* the knee's step */
	double x, y;		/* its values as given */
	double x_low, x_high;	/* the neighbouring steps' x */
	double diff;		/* the scaled difference curve there */
	size_t maxima;		/* local maxima of the difference curve */
};

int kneedle(const double *x, const double *y, size_t n, enum knee_shape shape, double s,
	    struct kneedle_result *out);

/* Kneedle on (ln load, throughput), concave increasing, S = 1; x, x_low,
 * x_high are reported as loads (not logs). */
int knee_sweep(const double *load, const double *tput, size_t n, struct kneedle_result *out);

struct knee_power_result {
	size_t index;		/* step with the largest tput / lat */
	double load, power;
	double load_low, load_high;	/* neighbouring loads */
};

/* Steps with lat <= 0 are skipped; none left: EINVAL. */
int knee_power(const double *load, const double *tput, const double *lat, size_t n,
	       struct knee_power_result *out);

#endif
