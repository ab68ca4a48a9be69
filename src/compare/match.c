#include "compare/match.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "util/log.h"
#include "util/utf8.h"

/* The workload of one side, as far as fio and dmremap-bench share it. */
struct workload {
	char rw[48];              /* "randrw"; "(unset)" when unknown */
	long long rwmix;          /* read percent of a mixed rw, else -1 */
	long long bs;             /* bytes, -1 when unknown */
	char bs_text[64];
	long long inflight;       /* I/Os in flight, -1 when unknown */
	/*
	 * fio: the options as written, for what could not be read as one size
	 * or one depth (bssplit, bsrange, a size fio knows and we do not): two
	 * fio jobs that wrote the same options ran the same block sizes and
	 * depths, read or not.
	 */
	bool fio;
	char bs_spec[256], depth_spec[128];
};

static bool is_mixed(const char *rw)
{
	return strcmp(rw, "rw") == 0 || strcmp(rw, "randrw") == 0;
}

/* A whole number of at most 1e15; -1 when s is not one. */
static long long whole(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno || *end || v > 1000000000000000ULL ? -1 : (long long)v;
}

/* fio's sizes: 4096, 4k, 4K, 4KiB, 64m (kb_base 1024, fio's default); else -1. */
static long long fio_size(const char *s)
{
	static const char units[] = "kmgt";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > (1ULL << 40))
		return -1;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		shift = 10 * (int)(u - units + 1);
		end++;
		if (strcasecmp(end, "ib") == 0 || strcasecmp(end, "b") == 0)
			end += strlen(end);
	} else if (strcasecmp(end, "b") == 0) {
		end++;
	}
	/* 2^40 units of at most 2^40 bytes: far beyond any block size, and no overflow. */
	return *end || v > (1ULL << (62 - shift)) ? -1 : (long long)(v << shift);
}

/* a x b for counts of at most 1e9 each; -1 for anything else. */
static long long product(long long a, long long b)
{
	return a >= 0 && b >= 0 && a <= 1000000000 && b <= 1000000000 ? a * b : -1;
}

static const char *fio_opt(const struct metric_set *s, const char *key)
{
	const char *v = json_string_value(json_object_get(json_object_get(s->fio_job,
									    "job options"), key));

	return v ? v : json_string_value(json_object_get(s->fio_global, key));
}

static void from_fio(const struct metric_set *s, struct workload *w)
{
	const char *rw = fio_opt(s, "rw") ?: fio_opt(s, "readwrite") ?: "read";
	const char *bs = fio_opt(s, "bs") ?: fio_opt(s, "blocksize");
	const char *mixr = fio_opt(s, "rwmixread"), *mixw = fio_opt(s, "rwmixwrite");
	long long depth = fio_opt(s, "iodepth") ? whole(fio_opt(s, "iodepth")) : 1;
	long long jobs = fio_opt(s, "numjobs") ? whole(fio_opt(s, "numjobs")) : 1;

	snprintf(w->rw, sizeof(w->rw), "%s", strcmp(rw, "readwrite") == 0 ? "rw" : rw);
	w->rwmix = !is_mixed(w->rw) ? -1 : mixr ? whole(mixr) :
		mixw && whole(mixw) >= 0 && whole(mixw) <= 100 ? 100 - whole(mixw) : 50;
	/* bs=4k,8k (reads, writes) is one size only when both are the same. */
	if (bs && strchr(bs, ',')) {
		size_t n = (size_t)(strchr(bs, ',') - bs);

		w->bs = strncmp(bs, bs + n + 1, n) == 0 && bs[2 * n + 1] == '\0' ?
			fio_size(bs + n + 1) : -1;
	} else {
		w->bs = bs ? fio_size(bs) : 4096;
	}
	if (fio_opt(s, "bssplit") || fio_opt(s, "bsrange"))
		w->bs = -1;
	snprintf(w->bs_text, sizeof(w->bs_text), "%s", w->bs >= 0 ? "" :
		 fio_opt(s, "bssplit") ? "bssplit" : fio_opt(s, "bsrange") ? "bsrange" :
		 bs ? bs : "?");
	w->inflight = product(depth, jobs);
	w->fio = true;
	snprintf(w->bs_spec, sizeof(w->bs_spec), "bs=%s bssplit=%s bsrange=%s", bs ? bs : "",
		 fio_opt(s, "bssplit") ?: "", fio_opt(s, "bsrange") ?: "");
	snprintf(w->depth_spec, sizeof(w->depth_spec), "iodepth=%s numjobs=%s",
		 fio_opt(s, "iodepth") ?: "", fio_opt(s, "numjobs") ?: "");
}

/* Known and equal, or two fio jobs with the very same options for it. */
static bool same(long long a, long long b, bool fio, const char *spec_a, const char *spec_b)
{
	return a >= 0 ? a == b : b < 0 && fio && strcmp(spec_a, spec_b) == 0;
}

static void from_ours(const struct metric_set *s, struct workload *w)
{
	json_t *p = s->params;
	const char *rw = json_string_value(json_object_get(p, "rw"));
	json_t *ops = json_object_get(p, "ops"), *workers = json_object_get(p, "workers");
	json_t *depth = json_object_get(p, "iodepth");

	snprintf(w->rw, sizeof(w->rw), "%s", rw ? rw : "(unset)");
	w->rwmix = rw && is_mixed(rw) && json_is_integer(json_object_get(p, "rwmix_read")) ?
		json_integer_value(json_object_get(p, "rwmix_read")) : -1;
	w->bs = json_is_integer(json_object_get(p, "bs")) ?
		json_integer_value(json_object_get(p, "bs")) : -1;
	snprintf(w->bs_text, sizeof(w->bs_text), "(unset)");
	/* concurrency: ops in flight; the others: workers x iodepth. */
	w->inflight = json_is_integer(ops) ? json_integer_value(ops) :
		json_is_integer(workers) && json_is_integer(depth) ?
		product(json_integer_value(workers), json_integer_value(depth)) : -1;
}

static void workload_of(const struct metric_set *s, struct workload *w)
{
	memset(w, 0, sizeof(*w));
	if (s->fio_job)
		from_fio(s, w);
	else
		from_ours(s, w);
	utf8_trim_partial(w->rw);
	utf8_trim_partial(w->bs_text);
}

static void add_line(json_t *out, unsigned *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_line(json_t *out, unsigned *n, const char *fmt, ...)
{
	char line[300], quoted[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	utf8_trim_partial(line);
	log_quote(quoted, sizeof(quoted), line);
	json_array_append_new(out, json_string(quoted));
	(*n)++;
}

static void num_text(long long v, const char *unknown, char *buf, size_t len)
{
	if (v >= 0)
		snprintf(buf, len, "%lld", v);
	else
		snprintf(buf, len, "%s", unknown);
}

unsigned match_fio_params(const struct metric_set *base, const struct metric_set *run,
			  json_t *out)
{
	struct workload a, b;
	char x[80], y[80];
	unsigned n = 0;

	workload_of(base, &a);
	workload_of(run, &b);
	if (strcmp(a.rw, b.rw) || strcmp(a.rw, "(unset)") == 0)
		add_line(out, &n, "rw: baseline %s, run %s", a.rw, b.rw);
	else if (a.rwmix != b.rwmix) {
		num_text(a.rwmix, "(unset)", x, sizeof(x));
		num_text(b.rwmix, "(unset)", y, sizeof(y));
		add_line(out, &n, "rwmix_read: baseline %s, run %s", x, y);
	}
	if (!same(a.bs, b.bs, a.fio && b.fio, a.bs_spec, b.bs_spec)) {
		num_text(a.bs, a.bs_text, x, sizeof(x));
		num_text(b.bs, b.bs_text, y, sizeof(y));
		add_line(out, &n, "bs: baseline %s, run %s", x, y);
	}
	if (!same(a.inflight, b.inflight, a.fio && b.fio, a.depth_spec, b.depth_spec)) {
		num_text(a.inflight, "(unset)", x, sizeof(x));
		num_text(b.inflight, "(unset)", y, sizeof(y));
		add_line(out, &n, "iodepth: baseline %s in flight, run %s (fio: iodepth x numjobs; "
			 "dmremap-bench: ops, or workers x iodepth)", x, y);
	}
	return n;
}

int match_dirs(const struct metric_set *s, char *rw, size_t len)
{
	struct workload w;

	workload_of(s, &w);
	snprintf(rw, len, "%s", w.rw);
	if (w.rwmix >= 0)
		snprintf(rw + strlen(rw), len - strlen(rw), " (%lld%% reads)", w.rwmix);
	if (!strcmp(w.rw, "read") || !strcmp(w.rw, "randread"))
		return MATCH_READ;
	if (!strcmp(w.rw, "write") || !strcmp(w.rw, "randwrite"))
		return MATCH_WRITE;
	if (is_mixed(w.rw))
		return w.rwmix == 100 ? MATCH_READ : w.rwmix == 0 ? MATCH_WRITE :
			MATCH_READ | MATCH_WRITE;
	return MATCH_DIRS_UNKNOWN;
}

/* Whether the first n metrics of s have one of group (in dir, unless NULL) but errors. */
static bool has_io(const struct metric_set *s, size_t n, const char *group, const char *dir)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s->m[i].kind != MK_ERRORS && !strcmp(s->m[i].group, group) &&
		    (!dir || !strcmp(s->m[i].dir, dir)))
			return true;
	return false;
}

static bool has_group(const struct metric_set *s, const char *group)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->m[i].group, group))
			return true;
	return false;
}

int match_missing(struct comparison *c, char *err, size_t elen)
{
	size_t i, nbase = c->base.n, nrun = c->run.n;
	char brw[96], rrw[96];
	int run_dirs = match_dirs(&c->run, rrw, sizeof(rrw));

	match_dirs(&c->base, brw, sizeof(brw));
	for (i = 0; i < nbase; i++) {
		const struct metric *b = &c->base.m[i];
		int bit = !strcmp(b->dir, "read") ? MATCH_READ : !strcmp(b->dir, "write") ?
			MATCH_WRITE : 0;

		if (b->kind == MK_ERRORS || metrics_find(&c->run, b->group, b->dir, b->name))
			continue;
		if (!has_group(&c->run, b->group)) {
			if (c->cfg.allow_mismatch)
				continue;  /* another structure, compared where it agrees */
			snprintf(err, elen, "the baseline has the group '%s' and the run has not "
				 "(--allow-mismatch compares the groups both have)", b->group);
			return -1;
		}
		if (has_io(&c->run, nrun, b->group, b->dir))
			continue;  /* a figure one side lacks (fio without percentiles) */
		/* fio has no total of both directions: read and write are compared. */
		if (!bit && c->run.fio_job)
			continue;
		if (bit && run_dirs != MATCH_DIRS_UNKNOWN && !(run_dirs & bit)) {
			snprintf(err, elen, "the baseline has %s I/O and the run's workload does "
				 "none: it differs (baseline rw %s, run rw %s), so the loss of every "
				 "%s cannot be told from a change of workload", b->dir, brw, rrw, b->dir);
			return -1;
		}
		/* The same workload did no I/O in this direction: a throughput of 0. */
		if (b->kind == MK_THROUGHPUT &&
		    !metrics_add(&c->run, b->group, b->dir, b->name, b->kind, b->better, 0)) {
			snprintf(err, elen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int match_nothing_compared(const struct comparison *c, char *err, size_t elen)
{
	size_t i;

	for (i = 0; i < c->nrows; i++)
		if (c->rows[i].base->kind != MK_ERRORS)
			return 0;
	if (!has_io(&c->base, c->base.n, "all", NULL))
		snprintf(err, elen, "nothing to compare: the baseline %s has no I/O in any "
			 "direction", c->base_label);
	else
		snprintf(err, elen, "nothing to compare: the baseline %s and the run have no "
			 "throughput or latency figure in common", c->base_label);
	return -1;
}
