#include "cli/runopts.h"

#include <sys/random.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cpulist.h"

#include "dm/dm.h"
#include "engine/ioengine.h"
#include "dm/stack.h"
#include "compare/compare.h"
#include "result/baseline_store.h"
#include "util/env.h"
#include "util/log.h"
#include <time.h>

#include "util/timeutil.h"

const char *const rw_mode_names[] = {
	"read", "write", "randread", "randwrite", "randrw", "rw", NULL,
};

const char *const out_format_names[] = { "normal", "json", NULL };
/* In enum out_format order. */
const char *const run_format_names[] = { "normal", "json", "csv", NULL };
/* In enum reap_mode order. */
const char *const reap_mode_names[] = { "auto", "sleep", "poll", NULL };
/* Every engine there is; ioeng_find() says which this build has. */
const char *const engine_names[] = { "libaio", "io_uring", NULL };

void runopts_defaults(struct run_opts *ro)
{
	*ro = (struct run_opts){
		.size = 1ULL << 30,
		.duration_ns = 60 * NSEC_PER_SEC,
		.interval_ns = NSEC_PER_SEC,
		.bs = 4096,
		.iodepth = 32,
		.rw = RW_RANDRW,
		.rwmix_read = 70,
		.output_format = OUT_NORMAL,
		.threshold_tput = 10,
		.threshold_lat = 15,
		.alpha = 0.05,
		.repeat = 1,
	};
}

bool runopts_interleaved(const struct run_opts *ro)
{
	return ro->reference || ro->compare_linear;
}

uint64_t runopts_slice_ns(const struct run_opts *ro)
{
	uint64_t t = ro->duration_ns / 10;

	if (ro->slice_set)
		return ro->slice_ns;
	if (t < NSEC_PER_SEC)
		t = NSEC_PER_SEC;
	if (t > 10 * NSEC_PER_SEC)
		t = 10 * NSEC_PER_SEC;
	return t < ro->duration_ns ? t : ro->duration_ns;
}

void runopts_pattern(const struct run_opts *ro, unsigned *read_pct, enum access_pattern *acc)
{
	static const struct {
		enum access_pattern acc;
		int read_pct;        /* -1: --rwmix-read */
	} modes[] = {
		[RW_READ] = { ACCESS_SEQUENTIAL, 100 },
		[RW_WRITE] = { ACCESS_SEQUENTIAL, 0 },
		[RW_RANDREAD] = { ACCESS_RANDOM, 100 },
		[RW_RANDWRITE] = { ACCESS_RANDOM, 0 },
		[RW_RANDRW] = { ACCESS_RANDOM, -1 },
		[RW_RW] = { ACCESS_SEQUENTIAL, -1 },
	};

	*acc = modes[ro->rw].acc;
	*read_pct = modes[ro->rw].read_pct < 0 ? ro->rwmix_read : (unsigned)modes[ro->rw].read_pct;
}

void runopts_describe_pattern(const struct run_opts *ro, char *buf, size_t len)
{
	if (ro->rw == RW_RANDRW || ro->rw == RW_RW)
		snprintf(buf, len, "%s (%u%% reads)", rw_mode_names[ro->rw], ro->rwmix_read);
	else
		snprintf(buf, len, "%s", rw_mode_names[ro->rw]);
}

bool runopts_writes(const struct run_opts *ro)
{
	unsigned r;
	enum access_pattern a;

	runopts_pattern(ro, &r, &a);
	return r < 100;
}

void runopts_resolve(struct run_opts *ro)
{
	if (!ro->seed_set) {
		uint64_t s;

		if (getrandom(&s, sizeof(s), 0) != sizeof(s))
			s = (uint64_t)time(NULL) ^ now_ns();
		/* Keep it short enough to retype. */
		ro->seed = s % 1000000000ULL;
	}
}

/* The device-mapper options among themselves and against --target. */
static int validate_dm(const struct run_opts *ro)
{
	const char *type = ro->dm_type ? ro->dm_type : DMSTACK_REMAP_TYPE;
	char name[DMW_NAME_MAX + 8];

	if (ro->target && (ro->dm_main || ro->dm_spare || ro->dm_type || ro->dm_name)) {
		log_error("--target: cannot be combined with --main, --spare, --target-type or "
			  "--dm-name (those build the device the run uses)");
		return -1;
	}
	if (ro->no_dm && (ro->dm_main || ro->dm_spare || ro->dm_type || ro->dm_name ||
			  ro->compare_linear)) {
		log_error("--no-dm: cannot be combined with the device-mapper options");
		return -1;
	}
	if (ro->dm_spare && !ro->dm_main) {
		log_error("--spare: needs --main (the device to map)");
		return -1;
	}
	if (!dmstack_known_type(type)) {
		opts_bad_value("--target-type", type, "dm-remap-v4, linear, error or zero "
			       "(other tables: 'dmremap-bench setup --params', then --target)");
		return -1;
	}
	if (ro->dm_main && !ro->dm_spare && !strcmp(type, DMSTACK_REMAP_TYPE)) {
		log_error("--spare: missing (dm-remap-v4 needs a spare device)");
		return -1;
	}
	if (ro->dm_name && dmw_make_name(ro->dm_name, name, sizeof(name))) {
		log_error("--dm-name: %s", name);
		return -1;
	}
	if (ro->compare_linear && ro->target) {
		log_error("--compare-linear: needs a device-mapper stack built for the run "
			  "(--main and --spare, or no --target), not --target");
		return -1;
	}
	if (ro->compare_linear && ro->verify_only) {
		log_error("--compare-linear: cannot be combined with --verify-only");
		return -1;
	}
	return 0;
}

/* --reference and --slice among themselves and against the rest. */
static int validate_reference(const struct run_opts *ro)
{
	if (ro->repeat_set && ro->repeat > 1 && ro->verify_only) {
		log_error("--repeat: cannot be combined with --verify-only (one read-back checks "
			  "every block)");
		return -1;
	}
	if (ro->compare_linear && ro->verify) {
		log_error("--compare-linear: cannot be combined with --verify (the linear twin "
			  "writes the same blocks without the verify map)");
		return -1;
	}
	if (ro->slice_set && !runopts_interleaved(ro)) {
		log_error("--slice: needs --reference or --compare-linear (it is the length of "
			  "their interleaved slices)");
		return -1;
	}
	if (ro->slice_set && ro->slice_ns > ro->duration_ns) {
		log_error("--slice: %llus is longer than --duration %llus (allowed: at most the "
			  "duration)", (unsigned long long)(ro->slice_ns / NSEC_PER_SEC),
			  (unsigned long long)(ro->duration_ns / NSEC_PER_SEC));
		return -1;
	}
	if (!ro->reference)
		return 0;
	if (!*ro->reference) {
		opts_bad_value("--reference", ro->reference, "a block device or a regular file");
		return -1;
	}
	if (ro->compare_linear) {
		log_error("--reference: cannot be combined with --compare-linear (allowed: one "
			  "reference; --compare-linear makes the linear twin the reference)");
		return -1;
	}
	if (ro->verify || ro->verify_only) {
		log_error("--reference: cannot be combined with --verify or --verify-only (the "
			  "reference is a control, not data to check)");
		return -1;
	}
	if (ro->target && strcmp(ro->target, ro->reference) == 0) {
		log_error("--reference: %s is the target itself (allowed: another device)",
			  ro->reference);
		return -1;
	}
	return 0;
}

int runopts_cpus(const struct run_opts *ro, struct cpulist *out)
{
	struct cpulist allowed;
	char here[256];
	const char *bad;
	size_t badlen;
	unsigned i, j;

	out->n = 0;
	if (!ro->cpus)
		return 0;
	if (cpulist_allowed(&allowed)) {
		log_error("--cpus: cannot read this process's CPU affinity: %s", strerror(errno));
		return -1;
	}
	cpulist_format(&allowed, here, sizeof(here));
	if (cpulist_parse(ro->cpus, out, &bad, &badlen)) {
		log_error("--cpus: invalid item '%.*s' in '%s' (allowed: CPU numbers and ranges "
			  "N-M, comma-separated, of this process's CPUs %s)", (int)badlen, bad,
			  ro->cpus, here);
		return -1;
	}
	/* Both lists ascend: one pass finds a CPU the process may not use. */
	for (i = j = 0; i < out->n; i++) {
		while (j < allowed.n && allowed.cpu[j] < out->cpu[i])
			j++;
		if (j == allowed.n || allowed.cpu[j] != out->cpu[i]) {
			log_error("--cpus: CPU %u is not one this process may run on (allowed: %s)",
				  out->cpu[i], here);
			out->n = 0;
			return -1;
		}
	}
	return 0;
}

unsigned runopts_usable_cpus(const struct run_opts *ro)
{
	struct cpulist cl;
	const char *bad;
	size_t badlen;

	/* Silent: runopts_validate() reports a bad list. */
	if (ro->cpus && cpulist_parse(ro->cpus, &cl, &bad, &badlen) == 0)
		return cl.n;
	if (cpulist_allowed(&cl) == 0)
		return cl.n;
	return env_online_cpus();
}

void runopts_devices_free(struct run_device *d, unsigned n)
{
	unsigned i;

	for (i = 0; d && i < n; i++) {
		free(d[i].target);
		free(d[i].main);
		free(d[i].spare);
	}
	free(d);
}

/*
 * The items of a list option, split at commas, appended to out[*n]
 * (strdup'd; field selects target, main or spare). -1 after one line.
 */
static int split_list(const struct opt_list *l, const char *opt, struct run_device **out,
		      unsigned *n, unsigned *cap, size_t field)
{
	unsigned i, k = 0;

	for (i = 0; i < l->n; i++) {
		const char *p = l->v[i];

		for (;;) {
			size_t len = strcspn(p, ",");
			char **slot;

			if (!len) {
				opts_bad_value(opt, l->v[i], "paths separated by commas, none empty");
				return -1;
			}
			if (k == RUNOPTS_MAX_DEVICES) {
				log_error("%s: more than %d devices (allowed: at most %d in one run)",
					  opt, RUNOPTS_MAX_DEVICES, RUNOPTS_MAX_DEVICES);
				return -1;
			}
			if (k == *n) {
				if (*n == *cap) {
					unsigned c = *cap ? *cap * 2 : 4;
					struct run_device *x = realloc(*out, c * sizeof(*x));

					if (!x)
						goto oom;
					*out = x;
					*cap = c;
				}
				memset(&(*out)[*n], 0, sizeof(**out));
				(*n)++;
			}
			slot = (char **)((char *)&(*out)[k] + field);
			*slot = strndup(p, len);
			if (!*slot)
				goto oom;
			k++;
			if (!p[len])
				break;
			p += len + 1;
			if (!*p) {
				opts_bad_value(opt, l->v[i], "paths separated by commas, none empty");
				return -1;
			}
		}
	}
	return (int)k;
oom:
	log_error("out of memory");
	return -1;
}

static unsigned list_items(const struct opt_list *l)
{
	unsigned i, n = 0;
	const char *p;

	for (i = 0; i < l->n; i++)
		for (p = l->v[i], n++; (p = strchr(p, ',')); p++)
			n++;
	return n;
}

unsigned runopts_device_count(const struct run_opts *ro)
{
	return ro->targets.n ? list_items(&ro->targets) : list_items(&ro->mains);
}

/* What identifies a device or file: the same one under two names is one device. */
static bool same_file(const char *a, const char *b)
{
	struct stat x, y;

	if (!strcmp(a, b))
		return true;
	if (stat(a, &x) || stat(b, &y))
		return false;
	if (S_ISBLK(x.st_mode) && S_ISBLK(y.st_mode))
		return x.st_rdev == y.st_rdev;
	return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int runopts_devices(const struct run_opts *ro, struct run_device **out, unsigned *n)
{
	const char *type = ro->dm_type ? ro->dm_type : DMSTACK_REMAP_TYPE;
	struct run_device *d = NULL;
	unsigned cap = 0, nd = 0, i, j;
	int nt, nm, ns;
	const char *paths[3 * RUNOPTS_MAX_DEVICES], *opts[3 * RUNOPTS_MAX_DEVICES];
	unsigned np = 0;

	*out = NULL;
	*n = 0;
	nt = split_list(&ro->targets, "--target", &d, &nd, &cap,
			offsetof(struct run_device, target));
	if (nt < 0)
		goto bad;
	if (nt && (ro->mains.n || ro->spares.n)) {
		log_error("--target: cannot be combined with --main or --spare (those build the "
			  "device the run uses)");
		goto bad;
	}
	nm = split_list(&ro->mains, "--main", &d, &nd, &cap, offsetof(struct run_device, main));
	if (nm < 0)
		goto bad;
	ns = split_list(&ro->spares, "--spare", &d, &nd, &cap, offsetof(struct run_device, spare));
	if (ns < 0)
		goto bad;
	if (ns > nm) {
		log_error("--spare: %d given for %d --main (allowed: one spare per main, in order)",
			  ns, nm);
		goto bad;
	}
	if (nm && ns != nm && (ns || !strcmp(type, DMSTACK_REMAP_TYPE))) {
		log_error("--spare: %d given for %d --main (%s needs one spare per main, in order)",
			  ns, nm, type);
		goto bad;
	}
	/* One device under two names would be measured twice, by two pools at once. */
	for (i = 0; i < nd; i++) {
		const char *f[3] = { d[i].target, d[i].main, d[i].spare };
		const char *o[3] = { "--target", "--main", "--spare" };

		for (j = 0; j < 3; j++)
			if (f[j]) {
				opts[np] = o[j];
				paths[np++] = f[j];
			}
	}
	if (ro->reference) {
		opts[np] = "--reference";
		paths[np++] = ro->reference;
	}
	for (i = 0; i < np; i++)
		for (j = 0; j < i; j++)
			if (same_file(paths[i], paths[j])) {
				log_error("%s: %s names the same device as %s %s (allowed: each device "
					  "once in a run)", opts[i], paths[i], opts[j], paths[j]);
				goto bad;
			}
	*out = d;
	*n = nd;
	return 0;
bad:
	runopts_devices_free(d, nd);
	return -1;
}

/* Digits with an optional fraction into nanoseconds; -1 when malformed or too big. */
static int parse_seconds_ns(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0, scale = 100000000ULL;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > 9999999999ULL)
			return -1;
		sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			frac += (uint64_t)(*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p)
		return -1;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

int runopts_parse_start_at(const char *s, uint64_t now_wall_ns, uint64_t *out)
{
	struct tm tm = { 0 };
	uint64_t ns = 0;
	const char *p;
	time_t t;

	if (s[0] == '+') {
		if (parse_seconds_ns(s + 1, &ns))
			return -1;
		*out = now_wall_ns + ns;
		return 0;
	}
	if (s[0] == '@')
		return parse_seconds_ns(s + 1, out);
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {
		size_t n = strspn(p + 1, "0123456789");
		char frac[32];

		if (!n || n > 9)
			return -1;
		snprintf(frac, sizeof(frac), "0.%.*s", (int)n, p + 1);
		if (parse_seconds_ns(frac, &ns))
			return -1;
		p += 1 + n;
	}
	if (strcmp(p, "Z"))
		return -1;
	t = timegm(&tm);
	if (t < 0)
		return -1;
	*out = (uint64_t)t * NSEC_PER_SEC + ns;
	return 0;
}

/* --start-at into start_at_ns; the first call decides ("+30" counts from it). */
static int validate_start_at(struct run_opts *ro)
{
	uint64_t now = wall_clock_ns(), at;

	if (!ro->start_at || ro->start_at_ns)
		return 0;
	if (runopts_parse_start_at(ro->start_at, now, &at)) {
		opts_bad_value("--start-at", ro->start_at, "+SECONDS, @SECONDS since the epoch, or "
			       "a UTC time like 2026-12-05T10:00:00Z");
		return -1;
	}
	if (at > now + RUNOPTS_START_AT_MAX_NS) {
		log_error("--start-at: %s is more than 24 hours ahead (allowed: at most 24 hours "
			  "from now)", ro->start_at);
		return -1;
	}
	ro->start_at_ns = at ? at : 1;
	return 0;
}

/*
 * The device lists: the first device into target (or dm_main, dm_spare),
 * and what a run of several devices cannot do (yet).
 */
static int validate_devices(struct run_opts *ro)
{
	struct run_device *d;
	unsigned n;

	if (runopts_devices(ro, &d, &n))
		return -1;
	ro->target = ro->targets.n ? ro->targets.v[0] : NULL;
	ro->dm_main = ro->mains.n ? ro->mains.v[0] : NULL;
	ro->dm_spare = ro->spares.n ? ro->spares.v[0] : NULL;
	runopts_devices_free(d, n);
	if (n < 2)
		return 0;
	if (ro->reference || ro->compare_linear) {
		log_error("%s: cannot be combined with several devices (allowed: one device with "
			  "an interleaved reference)", ro->reference ? "--reference" :
			  "--compare-linear");
		return -1;
	}
	if (ro->verify_only) {
		log_error("--verify-only: reads back one device per run (allowed: one --target or "
			  "--main)");
		return -1;
	}
	if (ro->verify_state) {
		log_error("--verify-state: names one file, and %u devices need one each (allowed: "
			  "leave it out: each device's state goes to its own default path)", n);
		return -1;
	}
	if (ro->dm_name) {
		log_error("--dm-name: names one device, and %u --main build %u (allowed: leave it "
			  "out: each is named after its main device)", n, n);
		return -1;
	}
	return 0;
}

int runopts_validate_verdict(const struct run_opts *ro)
{
	char err[512];

	if (ro->gate && compare_gate_check(ro->gate, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

int runopts_validate(struct run_opts *ro)
{
	struct cpulist cpus;

	if (validate_devices(ro) || validate_start_at(ro))
		return -1;
	if (validate_dm(ro) || validate_reference(ro) || runopts_validate_verdict(ro))
		return -1;
	if (runopts_cpus(ro, &cpus))
		return -1;
	if (!ioeng_find(engine_names[ro->engine])) {
		log_error("--engine: %s is not built in (configure found no liburing: install "
			  "liburing-dev and rebuild; allowed here: libaio)", engine_names[ro->engine]);
		return -1;
	}
	if (ro->csv_rows_set && ro->output_format != OUT_CSV) {
		log_error("--csv-rows: applies to --output-format csv only (allowed: with it, or "
			  "without --csv-rows)");
		return -1;
	}
	if (ro->verify && ro->verify_only) {
		log_error("--verify-only: cannot be combined with --verify (allowed: one of them)");
		return -1;
	}
	if (ro->verify_only && !ro->target && !ro->dm_main) {
		log_error("--verify-only: needs --target or --main (a scratch file is gone after "
			  "its run)");
		return -1;
	}
	if (ro->verify_only && !ro->seed_set && !ro->verify_state) {
		log_error("--verify-only: needs the --seed of the --verify run (or --verify-state FILE)");
		return -1;
	}
	if (ro->size_set && (ro->target || ro->dm_main)) {
		log_error("--size: applies to the scratch file only (allowed: without --target "
			  "and --main; a device or file is used at its own size)");
		return -1;
	}
	if (ro->save_baseline && baseline_name_check(ro->save_baseline)) {
		opts_bad_value("--save-baseline", ro->save_baseline,
			       "1-64 letters, digits, '.', '_' or '-', no '/', no leading dot");
		return -1;
	}
	return 0;
}

void runopts_compare_cfg(const struct run_opts *ro, struct compare_cfg *cfg)
{
	compare_cfg_defaults(cfg);
	if (ro->threshold_set)
		cfg->threshold_throughput_pct = cfg->threshold_latency_pct = ro->threshold;
	if (ro->threshold_tput_set)
		cfg->threshold_throughput_pct = ro->threshold_tput;
	if (ro->threshold_lat_set)
		cfg->threshold_latency_pct = ro->threshold_lat;
	cfg->alpha = ro->alpha;
	cfg->allow_mismatch = ro->allow_mismatch;
	cfg->gate = ro->gate;
}

json_t *runopts_params_json(const struct run_opts *ro)
{
	json_t *limit = ro->submit_limit == 0 ? json_string("auto") :
		ro->submit_limit == UINT32_MAX ? json_string("none") :
		json_integer(ro->submit_limit);
	struct cpulist cl;
	char buf[4096];
	json_t *doc = json_pack("{s:s?, s:I, s:s?, s:b, s:f, s:f, s:f, s:I, s:s, s:I, s:I, s:I, s:I, s:f, s:s, s:s, s:o, s:s}",
			 "target", ro->target,
			 "size_bytes", (json_int_t)ro->size,
			 "scratch_dir", ro->scratch_dir,
			 "force", ro->force,
			 "duration_s", (double)ro->duration_ns / 1e9,
			 "ramp_s", (double)ro->ramp_ns / 1e9,
			 "interval_s", (double)ro->interval_ns / 1e9,
			 "bs", (json_int_t)ro->bs,
			 "rw", rw_mode_names[ro->rw],
			 "rwmix_read", (json_int_t)ro->rwmix_read,
			 "seed", (json_int_t)ro->seed,
			 "max_errors", (json_int_t)ro->max_errors,
			 "rate_iops", (json_int_t)ro->rate_iops,
			 "timeout_s", (double)ro->timeout_ns / 1e9,
			 "output_format", run_format_names[ro->output_format],
			 "reap", reap_mode_names[ro->reap],
			 "submit_limit", limit,
			 "engine", engine_names[ro->engine]);

	if (doc && ro->output_format == OUT_CSV)
		json_object_set_new(doc, "csv_rows", json_string(csv_rows_names[ro->csv_rows]));
	if (doc && ro->repeat > 1)
		json_object_set_new(doc, "repeat", json_integer(ro->repeat));
	if (doc && ro->start_at)
		json_object_set_new(doc, "start_at", json_string(ro->start_at));
	if (doc && runopts_interleaved(ro)) {
		json_object_set_new(doc, "reference", ro->reference ? json_string(ro->reference) :
				    json_string("linear-twin"));
		json_object_set_new(doc, "slice_s", json_real((double)runopts_slice_ns(ro) / 1e9));
	}
	/* Only when given: baselines from before --cpus still compare. */
	if (doc && ro->cpus && runopts_cpus(ro, &cl) == 0) {
		cpulist_format(&cl, buf, sizeof(buf));
		json_object_set_new(doc, "cpus", json_string(buf));
	}
	return doc;
}
