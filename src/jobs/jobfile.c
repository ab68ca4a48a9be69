/*
 * The job file parser. libinih (Debian's libinih-dev) reads the INI
 * syntax; this file gives fio's options their meaning. Debian builds
 * libinih without INI_HANDLER_LINENO and without a call per new section,
 * so the line reader below counts lines and sees section headers itself:
 * the handler then knows the line of every option, and a section with no
 * options (a job that takes everything from [global]) is still a job.
 */
#include "jobs/jobfile.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/units.h"
#include "util/timeutil.h"

#define INI_LINE_MAX 1024

/* ---- errors ----------------------------------------------------------- */

/* The first error wins: it is the one a user fixes first. */
int jobfile_fail(struct jobfile *jf, const char *fmt, ...)
{
	char msg[JOBFILE_ERR_MAX - 64];
	va_list ap;

	if (jf->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(jf->err, sizeof(jf->err), "%.200s:%u: %.280s", jf->name, jf->line, msg);
	jf->failed = true;
	return -1;
}

/* ---- values ----------------------------------------------------------- */

static int parse_uint_range(const char *v, unsigned min, unsigned max, unsigned *out)
{
	uint64_t x;

	if (!v || parse_u64(v, &x) || x < min || x > max)
		return -1;
	*out = (unsigned)x;
	return 0;
}

/* fio's booleans: a bare option, 1/0, true/false, yes/no, on/off. */
static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on", NULL };
	static const char *const no[] = { "0", "false", "no", "off", NULL };
	int i;

	if (!v) {
		*out = true;
		return 0;
	}
	for (i = 0; yes[i]; i++)
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
	for (i = 0; no[i]; i++)
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	return -1;
}

/* A percentage "25%" or "93.75%" (0-100); -1 when v is no percentage. */
static int parse_pct(const char *v, double *out)
{
	size_t n = strlen(v);
	char *end;
	double x;

	if (n < 2 || v[n - 1] != '%' || !isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	x = strtod(v, &end);
	if (errno || end != v + n - 1 || x < 0 || x > 100)
		return -2;
	*out = x;
	return 0;
}

/* A size or a percentage of the target: *pct < 0 for a size. */
static int parse_size_or_pct(const char *v, uint64_t *bytes, double *pct)
{
	int rc;

	if (!v)
		return -1;
	rc = parse_pct(v, pct);
	if (rc == 0)
		return 0;
	if (rc == -2)
		return -1;
	*pct = -1;
	return parse_size(v, bytes);
}

/*
 * A time as fio takes it: a bare number is in default_unit_ns (seconds
 * for runtime, microseconds for thinktime); "us", "ms", "s", "m", "h", "d"
 * name the unit.
 */
static int parse_time(const char *v, uint64_t default_unit_ns, uint64_t *out)
{
	uint64_t x;
	size_t n;

	if (!v || !*v)
		return -1;
	if (parse_u64(v, &x) == 0) {
		if (x > UINT64_MAX / default_unit_ns)
			return -1;
		*out = x * default_unit_ns;
		return 0;
	}
	n = strlen(v);
	if (n > 2 && strcmp(v + n - 2, "us") == 0) {
		char num[32];

		if (n - 2 >= sizeof(num))
			return -1;
		memcpy(num, v, n - 2);
		num[n - 2] = '\0';
		if (parse_u64(num, &x) || x > UINT64_MAX / 1000)
			return -1;
		*out = x * 1000;
		return 0;
	}
	return parse_duration(v, out);
}

/* ---- the options ------------------------------------------------------ */

/* What a job's rw= sets. */
struct rw_kind {
	const char *name;
	enum access_pattern access;
	int read_pct;          /* -1: rwmixread decides */
	unsigned discard_pct;
	bool trim_then_write;
};

static const struct rw_kind rw_kinds[] = {
	{ "read", ACCESS_SEQUENTIAL, 100, 0, false },
	{ "write", ACCESS_SEQUENTIAL, 0, 0, false },
	{ "randread", ACCESS_RANDOM, 100, 0, false },
	{ "randwrite", ACCESS_RANDOM, 0, 0, false },
	{ "rw", ACCESS_SEQUENTIAL, -1, 0, false },
	{ "readwrite", ACCESS_SEQUENTIAL, -1, 0, false },
	{ "randrw", ACCESS_RANDOM, -1, 0, false },
	{ "trim", ACCESS_SEQUENTIAL, 0, 100, false },
	{ "randtrim", ACCESS_RANDOM, 0, 100, false },
	{ "trimwrite", ACCESS_SEQUENTIAL, 0, 100, true },
	{ "randtrimwrite", ACCESS_RANDOM, 0, 100, true },
	{ NULL, 0, 0, 0, false },
};

typedef int (*opt_fn)(struct jobfile *jf, struct job_section *j, const char *name,
		      const char *v);

static int bad_value(struct jobfile *jf, const char *name, const char *v, const char *allowed)
{
	return jobfile_fail(jf, "%s=%s: %s", name, v ? v : "", allowed);
}

static int opt_name(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	if (!v || !*v || strlen(v) >= sizeof(j->spec.name))
		return bad_value(jf, name, v, "a name of 1 to 31 characters");
	snprintf(j->spec.name, sizeof(j->spec.name), "%s", v);
	return 0;
}

static int opt_description(struct jobfile *jf, struct job_section *j, const char *name,
			   const char *v)
{
	(void)j;
	(void)name;
	if (v && !jf->description[0])
		snprintf(jf->description, sizeof(jf->description), "%s", v);
	return 0;
}

static int opt_bs(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	uint64_t bs;

	if (v && (strchr(v, ',') || strchr(v, '-') || strchr(v, ':')))
		return bad_value(jf, name, v, "one block size; separate read/write sizes "
				 "and ranges are not supported (use bssplit)");
	if (!v || parse_size(v, &bs) || bs < 512 || bs > (64 << 20) || bs % 512)
		return bad_value(jf, name, v, "a size from 512 to 64M, a multiple of 512");
	j->spec.bs[0] = (struct bs_weight){ (uint32_t)bs, 1 };
	j->spec.nbs = 1;
	return 0;
}

/* bssplit=4k/10:16k/40:64k/ (an empty share takes an equal part of the rest). */
static int opt_bssplit(struct jobfile *jf, struct job_section *j, const char *name,
		       const char *v)
{
	char buf[INI_LINE_MAX], *save = NULL, *tok;
	struct bs_weight w[STREAM_MAX_BS];
	unsigned n = 0, sum = 0, empty = 0, i;

	if (!v || strlen(v) >= sizeof(buf))
		return bad_value(jf, name, v, "SIZE/PCT:SIZE/PCT...");
	if (strchr(v, ','))
		return bad_value(jf, name, v, "one split for all directions; separate "
				 "read/write splits are not supported");
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		char *slash = strchr(tok, '/');
		uint64_t bs;
		unsigned pct = 0;

		if (n == STREAM_MAX_BS)
			return bad_value(jf, name, v, "at most 8 block sizes");
		if (slash)
			*slash = '\0';
		if (parse_size(tok, &bs) || bs < 512 || bs > (64 << 20) || bs % 512)
			return bad_value(jf, name, v, "sizes from 512 to 64M, multiples of 512");
		if (slash && slash[1] && parse_uint_range(slash + 1, 0, 100, &pct))
			return bad_value(jf, name, v, "shares are whole percents, 0-100");
		if (!slash || !slash[1])
			empty++;
		w[n++] = (struct bs_weight){ (uint32_t)bs, pct };
		sum += pct;
	}
	if (!n || sum > 100 || (!empty && sum != 100))
		return bad_value(jf, name, v, "shares that add up to 100");
	for (i = 0; i < n; i++)
		if (w[i].weight == 0 && empty)
			w[i].weight = (100 - sum) / empty;
	/* Shares of 0 with no empty one: fio skips them; so does the split. */
	j->spec.nbs = 0;
	for (i = 0; i < n; i++)
		if (w[i].weight)
			j->spec.bs[j->spec.nbs++] = w[i];
	if (!j->spec.nbs)
		return bad_value(jf, name, v, "at least one share above 0");
	return 0;
}

static int opt_rw(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	int i;

	if (v && strchr(v, ':'))
		return bad_value(jf, name, v, "no ':' modifier (the sequential skip is not "
				 "supported)");
	for (i = 0; v && rw_kinds[i].name; i++)
		if (strcmp(v, rw_kinds[i].name) == 0) {
			j->rw = i;
			return 0;
		}
	return bad_value(jf, name, v, "read, write, randread, randwrite, rw, readwrite, "
			 "randrw, trim, randtrim, trimwrite or randtrimwrite");
}

static int opt_rwmix(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	unsigned pct;

	if (parse_uint_range(v, 0, 100, &pct))
		return bad_value(jf, name, v, "a whole percent, 0-100");
	j->rwmixread = strcmp(name, "rwmixwrite") == 0 ? 100 - pct : pct;
	return 0;
}

static int opt_rwmixtrim(struct jobfile *jf, struct job_section *j, const char *name,
			 const char *v)
{
	if (parse_uint_range(v, 0, 100, &j->spec.discard_pct))
		return bad_value(jf, name, v, "a whole percent of all I/Os, 0-100");
	return 0;
}

static int opt_uint(struct jobfile *jf, const char *name, const char *v, unsigned min,
		    unsigned max, unsigned *out)
{
	if (parse_uint_range(v, min, max, out)) {
		char allowed[64];

		snprintf(allowed, sizeof(allowed), "a whole number from %u to %u", min, max);
		return bad_value(jf, name, v, allowed);
	}
	return 0;
}

static int opt_iodepth(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	return opt_uint(jf, name, v, 1, 65536, &j->spec.iodepth);
}

static int opt_numjobs(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	j->numjobs_per = 0;
	return opt_uint(jf, name, v, 1, 1024, &j->spec.workers);
}

static int opt_numjobs_per(struct jobfile *jf, struct job_section *j, const char *name,
			   const char *v)
{
	return opt_uint(jf, name, v, 1, 1024, &j->numjobs_per);
}

static int opt_region(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	uint64_t bytes = 0;
	double pct;

	if (parse_size_or_pct(v, &bytes, &pct))
		return bad_value(jf, name, v, "a size (1G) or a percentage of the target (25%)");
	if (strcmp(name, "offset") == 0) {
		j->offset = bytes;
		j->offset_pct = pct;
	} else if (strcmp(name, "size") == 0) {
		if (pct == 0 || (pct < 0 && !bytes))
			return bad_value(jf, name, v, "more than 0");
		j->size = bytes;
		j->size_pct = pct;
	} else {
		j->incr = bytes;
		j->incr_pct = pct;
		j->incr_set = pct > 0 || bytes > 0;
	}
	return 0;
}

static int opt_clone_slices(struct jobfile *jf, struct job_section *j, const char *name,
			    const char *v)
{
	bool b;

	if (parse_bool(v, &b))
		return bad_value(jf, name, v, "0 or 1");
	j->spec.slice_per_worker = b;
	return 0;
}

/* random_distribution=random | zipf:THETA | pareto:H | normal:DEV[:CENTER] */
static int opt_distribution(struct jobfile *jf, struct job_section *j, const char *name,
			    const char *v)
{
	const char *arg = v ? strchr(v, ':') : NULL;
	char *end, *end2;
	double x, c = 0.5;

	if (v && strcmp(v, "random") == 0) {
		j->dist = -1;
		return 0;
	}
	if (!v || !arg)
		goto bad;
	errno = 0;
	x = strtod(arg + 1, &end);
	if (errno || end == arg + 1)
		goto bad;
	if (strncmp(v, "zipf:", 5) == 0 && !*end && x > 0 && x < 100 && x != 1.0) {
		j->dist = ACCESS_ZIPF;
		j->spec.zipf_theta = x;
		return 0;
	}
	if (strncmp(v, "pareto:", 7) == 0 && !*end && x > 0 && x < 1) {
		j->dist = ACCESS_PARETO;
		j->spec.pareto_h = x;
		return 0;
	}
	if ((strncmp(v, "normal:", 7) == 0 || strncmp(v, "gauss:", 6) == 0) && x > 0 && x <= 100) {
		if (*end == ':') {
			c = strtod(end + 1, &end2);
			if (end2 == end + 1 || *end2 || c < 0 || c > 1)
				goto bad;
		} else if (*end) {
			goto bad;
		}
		j->dist = ACCESS_NORMAL;
		j->spec.normal_dev_pct = x;
		j->spec.normal_center = c;
		return 0;
	}
bad:
	return bad_value(jf, name, v, "random, zipf:THETA (THETA > 0, not 1), pareto:H "
			 "(0 < H < 1) or normal:DEV[:CENTER] (DEV a percent, CENTER 0-1); "
			 "zoned distributions and centers for zipf/pareto are not supported");
}

/* sequential_runs=BLOCKS:PCT (dmremap-bench only): PCT% of I/Os in runs of BLOCKS. */
static int opt_seq_runs(struct jobfile *jf, struct job_section *j, const char *name,
			const char *v)
{
	char buf[64], *colon;

	if (!v || strlen(v) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", v);
	colon = strchr(buf, ':');
	if (!colon)
		goto bad;
	*colon = '\0';
	if (parse_uint_range(buf, 2, 1 << 20, &j->spec.run_blocks) ||
	    parse_uint_range(colon + 1, 1, 100, &j->spec.run_pct))
		goto bad;
	j->seq_runs_set = true;
	return 0;
bad:
	return bad_value(jf, name, v, "BLOCKS:PCT, runs of 2 or more I/Os making up 1-100%");
}

static int opt_rate_iops(struct jobfile *jf, struct job_section *j, const char *name,
			 const char *v)
{
	uint64_t r;

	if (v && strchr(v, ','))
		return bad_value(jf, name, v, "one rate for all directions; separate "
				 "read/write rates are not supported");
	if (!v || parse_u64(v, &r) || r < 1 || r > 100000000ULL)
		return bad_value(jf, name, v, "a whole number of I/Os per second, 1-100000000");
	j->spec.rate_iops = r;
	return 0;
}

static int opt_rate_process(struct jobfile *jf, struct job_section *j, const char *name,
			    const char *v)
{
	if (v && strcmp(v, "linear") == 0) {
		if (j->spec.arrival == ARRIVAL_POISSON)
			j->spec.arrival = ARRIVAL_CLOSED;
		return 0;
	}
	if (v && strcmp(v, "poisson") == 0) {
		j->spec.arrival = ARRIVAL_POISSON;
		return 0;
	}
	return bad_value(jf, name, v, "linear or poisson");
}

static int opt_open_loop(struct jobfile *jf, struct job_section *j, const char *name,
			 const char *v)
{
	bool b;

	if (parse_bool(v, &b))
		return bad_value(jf, name, v, "0 or 1");
	if (b && j->spec.arrival == ARRIVAL_CLOSED)
		j->spec.arrival = ARRIVAL_FIXED;
	else if (!b)
		j->spec.arrival = ARRIVAL_CLOSED;
	return 0;
}

static int opt_fsync(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	if (opt_uint(jf, name, v, 0, 1 << 30, &j->spec.flush_every))
		return -1;
	j->spec.flush_full = strcmp(name, "fsync") == 0;
	return 0;
}

static int opt_flush_interval(struct jobfile *jf, struct job_section *j, const char *name,
			      const char *v)
{
	if (parse_time(v, NSEC_PER_SEC, &j->spec.flush_interval_ns) ||
	    j->spec.flush_interval_ns > 3600 * NSEC_PER_SEC)
		return bad_value(jf, name, v, "a time up to 1h: 10ms, 1s");
	return 0;
}

static int opt_sync(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	if (v && (strcmp(v, "1") == 0 || strcmp(v, "sync") == 0 || strcmp(v, "dsync") == 0)) {
		j->spec.fua = true;
		return 0;
	}
	if (v && (strcmp(v, "0") == 0 || strcmp(v, "none") == 0)) {
		j->spec.fua = false;
		return 0;
	}
	return bad_value(jf, name, v, "0, 1, none, sync or dsync");
}

static int opt_thinktime(struct jobfile *jf, struct job_section *j, const char *name,
			 const char *v)
{
	if (parse_time(v, 1000, &j->spec.think_ns) || j->spec.think_ns > 60 * NSEC_PER_SEC)
		return bad_value(jf, name, v, "a time up to 60s (a bare number is in "
				 "microseconds, as fio's)");
	return 0;
}

static int opt_thinktime_blocks(struct jobfile *jf, struct job_section *j, const char *name,
				const char *v)
{
	unsigned n;

	(void)j;
	if (parse_uint_range(v, 1, 1, &n))
		return bad_value(jf, name, v, "1 only (a pause after each completion)");
	return 0;
}

static int opt_direct(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	bool b;

	(void)j;
	if (parse_bool(v, &b) || !b)
		return bad_value(jf, name, v, "1 (dmremap-bench always uses O_DIRECT)");
	return 0;
}

static int opt_flag(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	bool b;

	(void)j;
	if (parse_bool(v, &b) || !b)
		return bad_value(jf, name, v, "1 (what it asks for is what dmremap-bench "
				 "always does)");
	return 0;
}

/* The run's options: every job that sets one must agree with the others. */
static int opt_runtime(struct jobfile *jf, struct job_section *j, const char *name, const char *v)
{
	uint64_t t;

	(void)j;
	if (parse_time(v, NSEC_PER_SEC, &t) || t > 7 * 86400 * NSEC_PER_SEC ||
	    (strcmp(name, "runtime") == 0 && t < NSEC_PER_SEC))
		return bad_value(jf, name, v, strcmp(name, "runtime") == 0 ?
				 "a time from 1s to 7 days (a bare number is in seconds)" :
				 "a time up to 7 days (a bare number is in seconds)");
	if (strcmp(name, "runtime") == 0) {
		if (jf->runtime_set && jf->runtime_ns != t)
			return jobfile_fail(jf, "runtime=%s: another job set a different runtime; one "
				    "run has one duration", v);
		jf->runtime_ns = t;
		jf->runtime_set = true;
	} else {
		if (jf->ramp_set && jf->ramp_ns != t)
			return jobfile_fail(jf, "ramp_time=%s: another job set a different ramp_time; "
				    "one run has one ramp", v);
		jf->ramp_ns = t;
		jf->ramp_set = true;
	}
	return 0;
}

static int opt_time_based(struct jobfile *jf, struct job_section *j, const char *name,
			  const char *v)
{
	bool b;

	if (parse_bool(v, &b))
		return bad_value(jf, name, v, "0 or 1");
	(void)j;
	if (jf->time_based_set && jf->time_based != b)
		return jobfile_fail(jf, "time_based: another job set it differently; one run is "
			    "either time based or not");
	jf->time_based = b;
	jf->time_based_set = true;
	return 0;
}

static int opt_filename(struct jobfile *jf, struct job_section *j, const char *name,
			const char *v)
{
	(void)j;
	if (!v || !*v || strlen(v) >= sizeof(jf->filename))
		return bad_value(jf, name, v, "a path");
	if (strchr(v, ':'))
		return bad_value(jf, name, v, "one file or device (several, separated by ':', "
				 "are not supported)");
	if (jf->filename_set && strcmp(jf->filename, v) != 0)
		return jobfile_fail(jf, "filename=%s: another job names %s; one run drives one target",
			    v, jf->filename);
	snprintf(jf->filename, sizeof(jf->filename), "%s", v);
	jf->filename_set = true;
	return 0;
}

static int opt_ioengine(struct jobfile *jf, struct job_section *j, const char *name,
			const char *v)
{
	int e = v && strcmp(v, "libaio") == 0 ? 0 : v && strcmp(v, "io_uring") == 0 ? 1 : -1;

	(void)j;
	if (e < 0)
		return bad_value(jf, name, v, "libaio or io_uring");
	if (jf->ioengine >= 0 && jf->ioengine != e)
		return jobfile_fail(jf, "ioengine=%s: another job chose a different engine; one run "
			    "has one", v);
	jf->ioengine = e;
	return 0;
}

static const struct {
	const char *name;
	opt_fn fn;
} options[] = {
	{ "name", opt_name },
	{ "description", opt_description },
	{ "bs", opt_bs },
	{ "blocksize", opt_bs },
	{ "bssplit", opt_bssplit },
	{ "rw", opt_rw },
	{ "readwrite", opt_rw },
	{ "rwmixread", opt_rwmix },
	{ "rwmixwrite", opt_rwmix },
	{ "rwmixtrim", opt_rwmixtrim },
	{ "iodepth", opt_iodepth },
	{ "numjobs", opt_numjobs },
	{ "numjobs_per", opt_numjobs_per },
	{ "size", opt_region },
	{ "offset", opt_region },
	{ "offset_increment", opt_region },
	{ "clone_slices", opt_clone_slices },
	{ "random_distribution", opt_distribution },
	{ "sequential_runs", opt_seq_runs },
	{ "rate_iops", opt_rate_iops },
	{ "rate_process", opt_rate_process },
	{ "open_loop", opt_open_loop },
	{ "fsync", opt_fsync },
	{ "fdatasync", opt_fsync },
	{ "flush_interval", opt_flush_interval },
	{ "sync", opt_sync },
	{ "thinktime", opt_thinktime },
	{ "thinktime_blocks", opt_thinktime_blocks },
	{ "runtime", opt_runtime },
	{ "ramp_time", opt_runtime },
	{ "time_based", opt_time_based },
	{ "filename", opt_filename },
	{ "ioengine", opt_ioengine },
	{ "direct", opt_direct },
	{ "norandommap", opt_flag },
	{ "group_reporting", opt_flag },
	{ NULL, NULL },
};

/* ---- sections --------------------------------------------------------- */

struct parse_ctx {
	struct jobfile *jf;
	/* The line reader. */
	FILE *f;
	const char *text;
	size_t pos;
};

static void section_defaults(struct job_section *j)
{
	memset(j, 0, sizeof(*j));
	/* fio's defaults: 4k sequential reads, one job, depth 1, the whole target. */
	j->spec.workers = 1;
	j->spec.iodepth = 1;
	j->spec.bs[0] = (struct bs_weight){ 4096, 1 };
	j->spec.nbs = 1;
	j->spec.normal_center = 0.5;
	j->offset_pct = -1;
	j->size_pct = -1;
	j->incr_pct = -1;
	j->rw = -1;
	j->rwmixread = 50;
	j->dist = -1;
}

/* A [name] header at the reader's current line. */
static void begin_section(struct parse_ctx *c, const char *name, size_t len)
{
	struct jobfile *jf = c->jf;
	struct job_section *j;

	if (len == 6 && strncmp(name, "global", 6) == 0) {
		jf->section = -2;
		return;
	}
	if (jf->njobs == JOBFILE_MAX_JOBS) {
		jobfile_fail(jf, "more than %d jobs", JOBFILE_MAX_JOBS);
		return;
	}
	if (len == 0 || len >= STREAM_NAME_MAX) {
		jobfile_fail(jf, "[%.*s]: a job name of 1 to %d characters", (int)(len > 64 ? 64 : len),
		     name, STREAM_NAME_MAX - 1);
		return;
	}
	j = &jf->jobs[jf->njobs];
	*j = jf->global;
	memcpy(j->spec.name, name, len);
	j->spec.name[len] = '\0';
	j->line = jf->line;
	jf->section = (int)jf->njobs++;
}

/* inih's reader: one line, counted; section headers seen here (see the top). */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	struct jobfile *jf = c->jf;
	size_t n = 0;
	const char *p;
	int ch = 0;

	if (jf->failed)
		return NULL;
	if (c->f) {
		while (n + 1 < (size_t)num && (ch = fgetc(c->f)) != EOF) {
			str[n++] = (char)ch;
			if (ch == '\n')
				break;
		}
		if (n == 0 && ch == EOF)
			return NULL;
		if (str[n - 1] != '\n' && ch != EOF && n + 1 >= (size_t)num) {
			jf->line++;
			jobfile_fail(jf, "a line longer than %d characters", num - 2);
			return NULL;
		}
	} else {
		if (!c->text[c->pos])
			return NULL;
		while (n + 1 < (size_t)num && c->text[c->pos]) {
			str[n++] = c->text[c->pos];
			if (c->text[c->pos++] == '\n')
				break;
		}
		if (str[n - 1] != '\n' && c->text[c->pos]) {
			jf->line++;
			jobfile_fail(jf, "a line longer than %d characters", num - 2);
			return NULL;
		}
	}
	str[n] = '\0';
	jf->line++;
	for (p = str; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '[') {
		const char *end = strchr(p, ']');

		if (end)
			begin_section(c, p + 1, (size_t)(end - p - 1));
	}
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	struct jobfile *jf = c->jf;
	struct job_section *j;
	int i;

	(void)section;
	if (jf->failed)
		return 0;
	if (jf->section == -1) {
		jobfile_fail(jf, "option '%s' before any [section] (start with [global] or a [job])",
		     name);
		return 0;
	}
	j = jf->section == -2 ? &jf->global : &jf->jobs[jf->section];
	for (i = 0; options[i].name; i++)
		if (strcmp(name, options[i].name) == 0)
			return options[i].fn(jf, j, name, value) == 0;
	jobfile_fail(jf, "option '%s' is not supported by dmremap-bench (dmremap-bench-run(1) lists "
	     "the fio options it takes)", name);
	return 0;
}

/* The spec of each job, once its options are all in. */
static int finish_job(struct jobfile *jf, struct job_section *j)
{
	const struct rw_kind *rw = &rw_kinds[j->rw >= 0 ? j->rw : 0];
	unsigned rwmix = j->rwmixread;

	jf->line = j->line;
	j->spec.access = rw->access;
	if (rw->discard_pct) {
		if (j->spec.discard_pct)
			return jobfile_fail(jf, "[%s]: rwmixtrim with rw=%s (its trims are fixed)",
				    j->spec.name, rw->name);
		j->spec.discard_pct = rw->discard_pct;
		j->spec.trim_then_write = rw->trim_then_write;
	}
	j->spec.read_pct = rw->read_pct >= 0 ? (unsigned)rw->read_pct : rwmix;
	if (j->spec.access == ACCESS_RANDOM && j->dist >= 0)
		j->spec.access = (enum access_pattern)j->dist;
	if (j->dist >= 0 && j->spec.access == ACCESS_SEQUENTIAL)
		return jobfile_fail(jf, "[%s]: random_distribution needs a random rw= (randread, "
			    "randwrite, randrw, randtrim)", j->spec.name);
	if (j->seq_runs_set) {
		if (j->spec.access != ACCESS_RANDOM)
			return jobfile_fail(jf, "[%s]: sequential_runs needs a uniform random rw= (its "
				    "runs start at random places)", j->spec.name);
		j->spec.access = ACCESS_SEQ_RUNS;
	}
	if (j->spec.access != ACCESS_RANDOM && j->spec.access != ACCESS_SEQUENTIAL &&
	    j->spec.access != ACCESS_SEQ_RUNS && j->spec.nbs > 1)
		return jobfile_fail(jf, "[%s]: zipf, pareto and normal take one block size (bs), not "
			    "a bssplit", j->spec.name);
	if (j->spec.trim_then_write && j->spec.nbs > 1)
		return jobfile_fail(jf, "[%s]: rw=%s takes one block size", j->spec.name, rw->name);
	if (j->spec.discard_pct && j->spec.discard_pct + 0 > 100)
		return jobfile_fail(jf, "[%s]: rwmixtrim above 100", j->spec.name);
	if (j->spec.arrival != ARRIVAL_CLOSED && !j->spec.rate_iops)
		return jobfile_fail(jf, "[%s]: %s needs rate_iops (the arrival rate)", j->spec.name,
			    j->spec.arrival == ARRIVAL_POISSON ? "rate_process=poisson" :
			    "open_loop");
	if (j->spec.arrival != ARRIVAL_CLOSED && j->spec.think_ns)
		return jobfile_fail(jf, "[%s]: thinktime with open-loop arrivals (the arrival rate "
			    "sets the pace; thinktime is for closed loops)", j->spec.name);
	if (j->numjobs_per && jf->jobs == j)
		return jobfile_fail(jf, "[%s]: numjobs_per in the first job (it divides the first "
			    "job's numjobs)", j->spec.name);
	if (j->spec.slice_per_worker && j->incr_set)
		return jobfile_fail(jf, "[%s]: clone_slices and offset_increment both place the "
			    "clones; give one", j->spec.name);
	return 0;
}

static void init(struct jobfile *jf, const char *name)
{
	memset(jf, 0, sizeof(*jf));
	snprintf(jf->name, sizeof(jf->name), "%s", name);
	jf->section = -1;
	jf->ioengine = -1;
	section_defaults(&jf->global);
}

static int parse(struct jobfile *jf, struct parse_ctx *c)
{
	unsigned i;
	int rc;

	jf->jobs = calloc(JOBFILE_MAX_JOBS, sizeof(*jf->jobs));
	if (!jf->jobs) {
		snprintf(jf->err, sizeof(jf->err), "%.400s: out of memory", jf->name);
		return -1;
	}
	/* fio's syntax: ';' and '#' comments, bare options, no continuation lines. */
	ini_allow_no_value = true;
	ini_allow_multiline = false;
	ini_allow_inline_comments = true;
	ini_inline_comment_prefixes = (char *)";#";
	ini_start_comment_prefixes = (char *)";#";
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = INI_LINE_MAX;
	ini_stop_on_first_error = true;
	rc = ini_parse_stream(read_line, c, handler, c);
	if (rc > 0 && !jf->failed) {
		jf->line = (unsigned)rc;
		jobfile_fail(jf, "not an option, a [section] or a comment");
	} else if (rc < 0 && !jf->failed) {
		snprintf(jf->err, sizeof(jf->err), "%.400s: cannot read it", jf->name);
		jf->failed = true;
	}
	if (!jf->failed && !jf->njobs) {
		jf->line = jf->line ? jf->line : 1;
		jobfile_fail(jf, "no job: a job file needs at least one [job] section");
	}
	for (i = 0; i < jf->njobs && !jf->failed; i++)
		finish_job(jf, &jf->jobs[i]);
	return jf->failed ? -1 : 0;
}

int jobfile_parse_file(struct jobfile *jf, const char *path)
{
	struct parse_ctx c = { .jf = jf };
	int rc;

	init(jf, path);
	c.f = fopen(path, "re");
	if (!c.f) {
		snprintf(jf->err, sizeof(jf->err), "%.400s: %s", path, strerror(errno));
		jf->failed = true;
		return -1;
	}
	rc = parse(jf, &c);
	fclose(c.f);
	return rc;
}

int jobfile_parse_string(struct jobfile *jf, const char *text, const char *name)
{
	struct parse_ctx c = { .jf = jf, .text = text };

	init(jf, name);
	return parse(jf, &c);
}

void jobfile_free(struct jobfile *jf)
{
	free(jf->jobs);
	jf->jobs = NULL;
	jf->njobs = 0;
}
