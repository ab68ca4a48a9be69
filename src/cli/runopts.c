#include "cli/runopts.h"

#include <sys/random.h>

#include <errno.h>
#include <string.h>

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

int runopts_validate_verdict(const struct run_opts *ro)
{
	char err[512];

	if (ro->gate && compare_gate_check(ro->gate, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

int runopts_validate(const struct run_opts *ro)
{
	struct cpulist cpus;

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
