#include "run/live.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/units.h"
#include "result/appender.h"
#include "result/output.h"
#include "result/result_text.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Status lines that may wait for standard error before new ones are dropped. */
#define STATUS_MAX_QUEUE 4096

int live_init(struct live *l, uint64_t status_ns, bool tty, const char *label,
	      const char *metrics_path)
{
	memset(l, 0, sizeof(*l));
	l->status_s = (double)status_ns / 1e9;
	l->next_status_s = l->status_s;
	l->tty = tty;
	l->label = label;
	l->metrics_path = metrics_path;
	if (hist_init(&l->s_lat, HIST_BITS_PRECISE) || hist_init(&l->cum[0], HIST_BITS_PRECISE) ||
	    hist_init(&l->cum[1], HIST_BITS_PRECISE) ||
	    hist_init(&l->last[0], HIST_BITS_PRECISE) || hist_init(&l->last[1], HIST_BITS_PRECISE))
		goto nomem;
	l->ms.drift_iops.change_ratio = l->ms.drift_p99.change_ratio = NAN;
	l->ms.dir[0].p99_s = l->ms.dir[1].p99_s = NAN;
	l->ms.dir[0].lat = &l->cum[0];
	l->ms.dir[1].lat = &l->cum[1];
	l->ms.running = true;
	if (status_ns && !(l->status = output_appender_fd(STDERR_FILENO, STATUS_MAX_QUEUE))) {
		log_error("--status-interval: cannot start the thread that prints the lines");
		goto fail;
	}
	if (metrics_path && !(l->metrics = output_writer_start(metrics_path))) {
		log_error("--metrics-file: cannot start the thread that writes %s", metrics_path);
		goto fail;
	}
	return 0;
nomem:
	log_error("out of memory for the live status");
fail:
	live_finish(l);
	return -1;
}

bool live_active(const struct live *l)
{
	return l->status || l->metrics;
}

bool live_status_due(const struct live *l, double measured_end_s)
{
	return l->status && measured_end_s >= l->next_status_s;
}

/* "1h02m10s", "2m05s", "42s" */
static void hms(double s, char *buf, size_t len)
{
	unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%luh%02lum%02lus", t / 3600, t / 60 % 60, t % 60);
	else if (t >= 60)
		snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(buf, len, "%lus", t);
}

static void latency(double ns, char *buf, size_t len)
{
	if (!(ns > 0))
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.0fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
}

static void drift_words(const struct drift *d, const char *what, char *buf, size_t len)
{
	if (!d || !d->valid || !isfinite(d->tr.change_pct))
		snprintf(buf, len, "%s: too few intervals", what);
	else
		snprintf(buf, len, "%s %+.1f%% [%+.1f%%, %+.1f%%] %s", what, d->tr.change_pct,
			 d->tr.change_low_pct, d->tr.change_high_pct,
			 d->drifting ? "drifting" : "no evidence of drift");
}

static void status_line(struct live *l, const struct drift *iops, const struct drift *p99)
{
	char el[32], p[32], cnt[16], di[96], dp[96], line[512];
	double len = l->s_len > 0 ? l->s_len : 1;
	int n;

	hms(l->measured_s, el, sizeof(el));
	format_count((double)l->s_ops / len, cnt, sizeof(cnt));
	latency((double)hist_percentile(&l->s_lat, 99.0), p, sizeof(p));
	drift_words(iops, "IOPS", di, sizeof(di));
	drift_words(p99, "p99", dp, sizeof(dp));
	n = snprintf(line, sizeof(line), "%s%s: %s  IOPS %s  MB/s %.1f  p99 %s  errors %llu  "
		     "drift %s, %s\n", l->tty ? "\r\033[K" : "", l->label, el, cnt,
		     (double)l->s_bytes / len / 1e6, p, (unsigned long long)l->ms.errors, di, dp);
	if (n > 0)
		output_appender_post(l->status, line, (size_t)n < sizeof(line) ? (size_t)n :
				     sizeof(line) - 1);
	l->s_ops = l->s_bytes = l->s_errors = 0;
	l->s_len = 0;
	hist_reset(&l->s_lat);
}

/* On the monitor thread: nothing here prints (standard error may block); live_finish() says. */
static void post_metrics(struct live *l)
{
	size_t len = 0;
	char *text;

	l->ms.now_s = (double)wall_clock_ns() / 1e9;
	text = metrics_text(&l->ms, &len);
	if (text)
		output_writer_post(l->metrics, text, len);
}

/* dst += a - b, bucket by bucket (b is a part of a). */
static void hist_add_diff(struct hist *dst, const struct hist *a, const struct hist *b)
{
	uint32_t i;

	for (i = 0; i < dst->nbuckets; i++)
		dst->buckets[i] += a->buckets[i] - (b ? b->buckets[i] : 0);
	dst->count += a->count - (b ? b->count : 0);
	dst->sum += a->sum - (b ? b->sum : 0);
	/* No extremes are known for intervals (engine/job.h). */
	dst->min = 0;
	dst->max = UINT64_MAX;
}

void live_interval(struct live *l, const struct interval_sample *s,
		   const struct interval_view *v, double measured_end_s,
		   const struct drift *iops, const struct drift *p99, unsigned run)
{
	const struct interval_sample *prev = v->replaces_last ? &l->last_s : NULL;
	uint64_t ops[2] = { s->read_ops, s->write_ops }, bytes[2] = { s->read_bytes, s->write_bytes };
	uint64_t pops[2] = { 0, 0 }, pbytes[2] = { 0, 0 }, perr = 0;
	double plen = 0;
	int d;

	if (prev) {
		pops[0] = prev->read_ops;
		pops[1] = prev->write_ops;
		pbytes[0] = prev->read_bytes;
		pbytes[1] = prev->write_bytes;
		perr = prev->errors;
		plen = prev->len_s;
	}
	for (d = 0; d < 2; d++) {
		struct metrics_dir *x = &l->ms.dir[d];

		x->ops += ops[d] - pops[d];
		x->bytes += bytes[d] - pbytes[d];
		x->iops = s->len_s > 0 ? (double)ops[d] / s->len_s : 0;
		x->bw = s->len_s > 0 ? (double)bytes[d] / s->len_s : 0;
		x->p99_s = s->lat[d].p99_ns ? (double)s->lat[d].p99_ns / 1e9 : NAN;
		hist_add_diff(&l->cum[d], v->lat[d], prev ? &l->last[d] : NULL);
		hist_add_diff(&l->s_lat, v->lat[d], prev ? &l->last[d] : NULL);
		memcpy(l->last[d].buckets, v->lat[d]->buckets, l->last[d].nbuckets *
		       sizeof(*l->last[d].buckets));
		l->last[d].count = v->lat[d]->count;
		l->last[d].sum = v->lat[d]->sum;
	}
	l->ms.errors += s->errors - perr;
	l->s_ops += s->read_ops + s->write_ops - pops[0] - pops[1];
	l->s_bytes += s->read_bytes + s->write_bytes - pbytes[0] - pbytes[1];
	l->s_len += s->len_s - plen;
	l->last_s = *s;
	l->measured_s = measured_end_s;
	l->ms.measured_s = measured_end_s;
	l->ms.run = run;
	if (iops) {
		l->ms.drift_iops.valid = iops->valid;
		l->ms.drift_iops.drifting = iops->drifting;
		l->ms.drift_iops.change_ratio = iops->valid ? iops->tr.change_pct / 100 : NAN;
	}
	if (p99) {
		l->ms.drift_p99.valid = p99->valid;
		l->ms.drift_p99.drifting = p99->drifting;
		l->ms.drift_p99.change_ratio = p99->valid ? p99->tr.change_pct / 100 : NAN;
	}
	if (live_status_due(l, measured_end_s)) {
		status_line(l, iops, p99);
		/* The next at least T later; a late interval does not make up for lost lines. */
		while (l->next_status_s <= measured_end_s)
			l->next_status_s += l->status_s;
	}
	if (l->metrics)
		post_metrics(l);
}

void live_end(struct live *l)
{
	l->ms.running = false;
	if (l->metrics)
		post_metrics(l);
}

int live_finish(struct live *l)
{
	char why[OUTPUT_WHY_LEN];
	int rc = 0;

	if (l->status) {
		struct appender_stats st;

		output_appender_stats(l->status, &st);
		l->lines_dropped = st.lines_dropped;
		output_appender_finish(l->status, false, "the status", why, sizeof(why));
		l->status = NULL;
	}
	if (l->metrics) {
		size_t len = 0;
		char *text;

		if (output_writer_failed(l->metrics, why, sizeof(why)))
			log_warn("--metrics-file: not replaced during the run: %s", why);
		l->ms.now_s = (double)wall_clock_ns() / 1e9;
		text = metrics_text(&l->ms, &len);
		if (output_writer_finish(l->metrics, text, text ? len : 0, "the metrics", why,
					 sizeof(why))) {
			log_error("--metrics-file: %s", why);
			rc = -1;
		}
		l->metrics = NULL;
	}
	hist_free(&l->s_lat);
	hist_free(&l->cum[0]);
	hist_free(&l->cum[1]);
	hist_free(&l->last[0]);
	hist_free(&l->last[1]);
	return rc;
}
