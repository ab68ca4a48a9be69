#include "result/cost.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "result/result_text.h"

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static long user_hz(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return hz > 0 ? hz : 100;
}

json_t *cost_cpu_json(const struct run_result *r)
{
	const struct cpu_acct *a = &r->cpu;
	struct cpu_figures f;
	json_t *j, *sys = json_null();
	unsigned k;

	if (!a->window_ns)
		return NULL;
	cpu_acct_figures(a, run_result_total_ops(r), user_hz(), &f);
	if (f.have_system) {
		char key[32];

		sys = json_object();
		for (k = 0; k < CT_KINDS; k++) {
			snprintf(key, sizeof(key), "%s_s", cpu_tick_names[k]);
			json_object_set_new(sys, key, json_real(f.sys_s[k]));
		}
		json_object_set_new(sys, "busy_s", json_real(f.busy_s));
		json_object_set_new(sys, "cpus", json_integer(a->cpus));
	}
	j = json_pack("{s:f, s:I, s:{s:f, s:f, s:I, s:I, s:o}, s:o, s:{s:o, s:o}, s:o, s:o, s:o}",
		      "window_s", f.window_s,
		      "cpus", (json_int_t)a->cpus,
		      "tool",
		      "user_s", f.tool_user_s,
		      "system_s", f.tool_system_s,
		      "voluntary_ctxt", (json_int_t)a->tool_vcsw,
		      "involuntary_ctxt", (json_int_t)a->tool_ivcsw,
		      "pct", real_or_null(f.tool_pct),
		      "system", sys,
		      "per_io_ns",
		      "tool", real_or_null(f.per_io_tool_ns),
		      "system", real_or_null(f.per_io_system_ns),
		      "busy_pct", real_or_null(f.busy_pct),
		      "interrupts", f.have_system ? json_integer((json_int_t)a->interrupts) :
				    json_null(),
		      "context_switches", f.have_system ?
				    json_integer((json_int_t)a->context_switches) : json_null());
	return j;
}

static const struct {
	const char *key;
	enum devstat_field f;
	bool ms;
} dev_fields[] = {
	{ "reads_completed", DS_RD_IOS, false }, { "reads_merged", DS_RD_MERGES, false },
	{ "sectors_read", DS_RD_SECTORS, false }, { "read_ticks_ms", DS_RD_TICKS, true },
	{ "writes_completed", DS_WR_IOS, false }, { "writes_merged", DS_WR_MERGES, false },
	{ "sectors_written", DS_WR_SECTORS, false }, { "write_ticks_ms", DS_WR_TICKS, true },
	{ "io_ticks_ms", DS_IO_TICKS, true }, { "time_in_queue_ms", DS_TIME_IN_QUEUE, true },
	{ "discards_completed", DS_DISCARD_IOS, false },
	{ "discards_merged", DS_DISCARD_MERGES, false },
	{ "sectors_discarded", DS_DISCARD_SECTORS, false },
	{ "discard_ticks_ms", DS_DISCARD_TICKS, true },
	{ "flushes_completed", DS_FLUSH_IOS, false }, { "flush_ticks_ms", DS_FLUSH_TICKS, true },
};

json_t *cost_devices_json(const struct run_result *r)
{
	json_t *o;
	unsigned i;
	size_t k;

	if (!r->devs.n)
		return NULL;
	o = json_object();
	for (i = 0; i < r->devs.n; i++) {
		const struct dev_acct *d = &r->devs.d[i];
		json_t *j = json_pack("{s:s, s:I, s:f}", "role", dev_role_names[d->role],
				      "depth", (json_int_t)d->depth,
				      "window_s", (double)d->window_ns / 1e9);

		for (k = 0; k < sizeof(dev_fields) / sizeof(dev_fields[0]); k++)
			if ((unsigned)dev_fields[k].f < d->nfields)
				json_object_set_new(j, dev_fields[k].key,
						    json_integer((json_int_t)d->delta[dev_fields[k].f]));
		json_object_set_new(j, "util_pct", real_or_null(dev_acct_util_pct(d)));
		json_object_set_new(j, "in_flight_max", json_integer((json_int_t)d->inflight_max));
		json_object_set_new(j, "in_flight_mean", d->inflight_samples ?
				    json_real(d->inflight_sum / (double)d->inflight_samples) :
				    json_null());
		json_object_set_new(o, d->name, j);
	}
	return o;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Up to 4 devices worth a word: the target, main, spare, a file's filesystem. */
static void devices_words(json_t *devs, char *buf, size_t len)
{
	static const char *const roles[] = { "target", "main", "spare", "filesystem" };
	size_t r, used = 0;
	const char *name;
	json_t *d;

	buf[0] = '\0';
	for (r = 0; r < sizeof(roles) / sizeof(roles[0]); r++)
		json_object_foreach(devs, name, d) {
			const char *role = json_string_value(json_object_get(d, "role"));
			double u = num(d, "util_pct");

			if (!role || strcmp(role, roles[r]) || !isfinite(u) || used + 1 >= len)
				continue;
			used += (size_t)snprintf(buf + used, len - used, "%s%s %s %.0f%% busy",
						 used ? ", " : "", role, name, u);
			if (used >= len)
				used = len - 1;
		}
}

void cost_line(json_t *results, char *buf, size_t len)
{
	json_t *cpu = json_object_get(results, "cpu"), *per = json_object_get(cpu, "per_io_ns");
	double busy = num(cpu, "busy_pct"), sys = num(per, "system"), tool = num(per, "tool");
	double cpus = num(cpu, "cpus"), tool_pct = num(json_object_get(cpu, "tool"), "pct");
	char a[16], b[16], devs[256];
	size_t used;

	buf[0] = '\0';
	if (!json_is_object(cpu) || !len)
		return;
	format_ns(isfinite(tool) ? tool : 0, b, sizeof(b));
	if (isfinite(busy) && isfinite(sys)) {
		format_ns(sys, a, sizeof(a));
		used = (size_t)snprintf(buf, len, "the system used %.0f%% of %.0f CPU%s, %s of "
					"CPU per I/O (%s of it the tool's)", busy, cpus,
					cpus == 1 ? "" : "s", a, isfinite(tool) ? b : "-");
	} else {
		/* No /proc/stat: the tool's own figures only. */
		used = (size_t)snprintf(buf, len, "the tool used %.0f%% of %.0f CPU%s, %s of CPU "
					"per I/O", isfinite(tool_pct) ? tool_pct : 0, cpus,
					cpus == 1 ? "" : "s", isfinite(tool) ? b : "-");
	}
	devices_words(json_object_get(results, "device_stats"), devs, sizeof(devs));
	if (devs[0] && used < len)
		snprintf(buf + used, len - used, "; %s", devs);
}

void cost_print(FILE *f, const struct run_result *r, const char *indent)
{
	json_t *res = json_object(), *cpu = cost_cpu_json(r), *devs = cost_devices_json(r);
	char line[512];

	if (cpu)
		json_object_set_new(res, "cpu", cpu);
	if (devs)
		json_object_set_new(res, "device_stats", devs);
	cost_line(res, line, sizeof(line));
	if (line[0])
		fprintf(f, "%scost: %s\n", indent, line);
	json_decref(res);
}

void cost_add_process(json_t *results)
{
	json_t *cpu = json_object_get(results, "cpu");
	double user, sys;

	if (!json_is_object(cpu))
		return;
	acct_process_cpu(&user, &sys);
	json_object_set_new(cpu, "process", json_pack("{s:f, s:f}", "user_s", user,
						      "system_s", sys));
}
