#include "sys/acct.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/timeutil.h"

const char *const dev_role_names[] = {
	[DEV_ROLE_TARGET] = "target", [DEV_ROLE_MAIN] = "main", [DEV_ROLE_SPARE] = "spare",
	[DEV_ROLE_SLAVE] = "slave", [DEV_ROLE_FILESYSTEM] = "filesystem",
};

/* ---- sums ------------------------------------------------------------------ */

void cpu_acct_add(struct cpu_acct *to, const struct cpu_acct *from)
{
	unsigned k;

	if (!from->window_ns)
		return;
	/* The system's figures mean something only when every window has them. */
	to->have_system = (to->window_ns ? to->have_system : true) && from->have_system;
	to->window_ns += from->window_ns;
	to->windows += from->windows;
	to->tool_user_ns += from->tool_user_ns;
	to->tool_system_ns += from->tool_system_ns;
	to->tool_vcsw += from->tool_vcsw;
	to->tool_ivcsw += from->tool_ivcsw;
	for (k = 0; k < CT_KINDS; k++)
		to->ticks[k] += from->ticks[k];
	to->interrupts += from->interrupts;
	to->context_switches += from->context_switches;
	if (from->cpus > to->cpus)
		to->cpus = from->cpus;
}

static bool unique_role(enum dev_role r)
{
	return r == DEV_ROLE_TARGET || r == DEV_ROLE_MAIN || r == DEV_ROLE_SPARE;
}

static struct dev_acct *dev_match(struct dev_accts *to, const struct dev_acct *d)
{
	unsigned i;

	for (i = 0; i < to->n; i++)
		if (unique_role(d->role) ? to->d[i].role == d->role :
		    to->d[i].role == d->role && !strcmp(to->d[i].name, d->name))
			return &to->d[i];
	return NULL;
}

void dev_accts_add(struct dev_accts *to, const struct dev_accts *from)
{
	unsigned i, k;

	for (i = 0; i < from->n; i++) {
		const struct dev_acct *d = &from->d[i];
		struct dev_acct *t = dev_match(to, d);

		if (!t) {
			if (to->n == ACCT_DEV_MAX)
				continue;
			t = &to->d[to->n++];
			memset(t, 0, sizeof(*t));
			t->role = d->role;
			t->depth = d->depth;
			t->nfields = d->nfields;
		}
		/* The latest name (a device created again has a new one). */
		memcpy(t->name, d->name, sizeof(t->name));
		if (d->nfields < t->nfields)
			t->nfields = d->nfields;
		for (k = 0; k < DEVSTAT_FIELDS; k++)
			t->delta[k] += d->delta[k];
		t->window_ns += d->window_ns;
		if (d->inflight_max > t->inflight_max)
			t->inflight_max = d->inflight_max;
		t->inflight_sum += d->inflight_sum;
		t->inflight_samples += d->inflight_samples;
	}
}

void cpu_acct_figures(const struct cpu_acct *a, uint64_t ops, long hz, struct cpu_figures *out)
{
	unsigned k;

	memset(out, 0, sizeof(*out));
	out->window_s = (double)a->window_ns / 1e9;
	out->tool_user_s = (double)a->tool_user_ns / 1e9;
	out->tool_system_s = (double)a->tool_system_ns / 1e9;
	out->tool_s = out->tool_user_s + out->tool_system_s;
	out->have_system = a->have_system && hz > 0;
	for (k = 0; k < CT_KINDS && out->have_system; k++) {
		out->sys_s[k] = (double)a->ticks[k] / (double)hz;
		out->total_s += out->sys_s[k];
	}
	out->busy_s = out->sys_s[CT_USER] + out->sys_s[CT_NICE] + out->sys_s[CT_SYSTEM] +
		      out->sys_s[CT_IRQ] + out->sys_s[CT_SOFTIRQ];
	out->busy_pct = out->total_s > 0 ? out->busy_s / out->total_s * 100 : NAN;
	/* The tool's share of the machine: of the CPUs' time over the window. */
	out->tool_pct = out->total_s > 0 ? out->tool_s / out->total_s * 100 :
		a->cpus && out->window_s > 0 ? out->tool_s / (out->window_s * a->cpus) * 100 : NAN;
	out->per_io_tool_ns = ops ? out->tool_s * 1e9 / (double)ops : NAN;
	out->per_io_system_ns = ops && out->have_system ? out->busy_s * 1e9 / (double)ops : NAN;
}

double dev_acct_util_pct(const struct dev_acct *d)
{
	if (!d->window_ns || d->nfields <= DS_IO_TICKS)
		return NAN;
	return (double)d->delta[DS_IO_TICKS] * 1e6 / (double)d->window_ns * 100;
}

/* ---- the probe ------------------------------------------------------------- */

void acct_probe_init(struct acct_probe *p)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->target_name = "";
	for (i = 0; i < ACCT_DEV_MAX; i++)
		p->dev[i].fd = -1;
}

void acct_probe_reset(struct acct_probe *p)
{
	unsigned i;

	for (i = 0; i < ACCT_DEV_MAX; i++) {
		if (p->dev[i].fd >= 0)
			close(p->dev[i].fd);
		p->dev[i].fd = -1;
	}
	p->ndev = 0;
	p->open = false;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * NSEC_PER_USEC;
}

static void rusage_now(uint64_t *user, uint64_t *sys, uint64_t *vcsw, uint64_t *ivcsw)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru)) {
		*user = *sys = *vcsw = *ivcsw = 0;
		return;
	}
	*user = tv_ns(&ru.ru_utime);
	*sys = tv_ns(&ru.ru_stime);
	*vcsw = (uint64_t)ru.ru_nvcsw;
	*ivcsw = (uint64_t)ru.ru_nivcsw;
}

static bool same_dev(const unsigned d[2], const struct blk_node *n)
{
	return (d[0] || d[1]) && d[0] == n->major && d[1] == n->minor;
}

/* The stat of device i through its open file (or by name when it has none). */
static int dev_stat(struct acct_probe *p, unsigned i, struct devstat *s)
{
	char buf[512];
	ssize_t n;

	if (p->dev[i].fd < 0)
		return blk_read_stat(p->sysroot, p->dev[i].node.name, s);
	do
		n = pread(p->dev[i].fd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return devstat_parse(buf, s);
}

/* Add the tree of name, its root with role root_role, one level below depth0. */
static void add_tree(struct acct_probe *p, const char *name, enum dev_role root_role,
		     unsigned depth0)
{
	struct blk_node nodes[ACCT_DEV_MAX];
	int n = blk_tree(p->sysroot, name, nodes, ACCT_DEV_MAX - p->ndev);
	int i;

	for (i = 0; i < n && p->ndev < ACCT_DEV_MAX; i++) {
		unsigned k = p->ndev, j;
		char path[4200];
		bool dup = false;

		for (j = 0; j < p->ndev; j++)
			dup |= !strcmp(p->dev[j].node.name, nodes[i].name);
		if (dup)
			continue;
		p->dev[k].node = nodes[i];
		p->dev[k].node.depth += depth0;
		p->dev[k].role = nodes[i].depth == 0 ? root_role :
			same_dev(p->main_dev, &nodes[i]) ? DEV_ROLE_MAIN :
			same_dev(p->spare_dev, &nodes[i]) ? DEV_ROLE_SPARE : DEV_ROLE_SLAVE;
		blk_stat_path(p->sysroot, nodes[i].name, path, sizeof(path));
		p->dev[k].fd = open(path, O_RDONLY | O_CLOEXEC);
		p->dev[k].inflight_max = p->dev[k].samples = 0;
		p->dev[k].inflight_sum = 0;
		p->ndev++;
	}
}

void acct_probe_begin(struct acct_probe *p)
{
	unsigned i;

	acct_probe_reset(p);
	if (p->target_name && p->target_name[0])
		add_tree(p, p->target_name, DEV_ROLE_TARGET, 0);
	if (p->fs_dev[0]) {
		char name[BLK_NAME_MAX];

		if (blk_name_of(p->sysroot, p->fs_dev[0], p->fs_dev[1], name, sizeof(name)) == 0)
			add_tree(p, name, DEV_ROLE_FILESYSTEM, 1);
	}
	p->t0_ns = p->last_sample_ns = now_ns();
	rusage_now(&p->ru_user_ns, &p->ru_system_ns, &p->ru_vcsw, &p->ru_ivcsw);
	p->have_ct0 = procstat_read(p->procroot, &p->ct0) == 0;
	for (i = 0; i < p->ndev; i++)
		p->dev[i].ok = dev_stat(p, i, &p->dev[i].s0) == 0;
	p->open = true;
}

void acct_probe_sample(struct acct_probe *p)
{
	uint64_t t = now_ns();
	struct devstat s;
	unsigned i;

	if (!p->open || t - p->last_sample_ns < ACCT_SAMPLE_NS)
		return;
	p->last_sample_ns = t;
	for (i = 0; i < p->ndev; i++) {
		uint64_t v;

		if (!p->dev[i].ok || dev_stat(p, i, &s) || s.n <= DS_IN_FLIGHT)
			continue;
		v = s.v[DS_IN_FLIGHT];
		if (v > p->dev[i].inflight_max)
			p->dev[i].inflight_max = v;
		p->dev[i].inflight_sum += (double)v;
		p->dev[i].samples++;
	}
}

void acct_probe_end(struct acct_probe *p, struct cpu_acct *cpu, struct dev_accts *devs)
{
	uint64_t user, sys, vcsw, ivcsw, t1;
	struct cpu_ticks ct1;
	bool have_ct1;
	unsigned i, k;

	memset(cpu, 0, sizeof(*cpu));
	memset(devs, 0, sizeof(*devs));
	if (!p->open)
		return;
	/* The devices first, in the order begin read them last: the window is symmetric. */
	for (i = 0; i < p->ndev; i++) {
		struct dev_acct *d;
		struct devstat s1;

		if (!p->dev[i].ok || dev_stat(p, i, &s1))
			continue;
		d = &devs->d[devs->n++];
		snprintf(d->name, sizeof(d->name), "%s", p->dev[i].node.name);
		d->role = p->dev[i].role;
		d->depth = p->dev[i].node.depth;
		d->nfields = s1.n < p->dev[i].s0.n ? s1.n : p->dev[i].s0.n;
		for (k = 0; k < DEVSTAT_FIELDS; k++)
			if (k != DS_IN_FLIGHT)
				d->delta[k] = devstat_delta(&p->dev[i].s0, &s1, k);
		d->inflight_max = p->dev[i].inflight_max;
		d->inflight_sum = p->dev[i].inflight_sum;
		d->inflight_samples = p->dev[i].samples;
	}
	have_ct1 = procstat_read(p->procroot, &ct1) == 0;
	rusage_now(&user, &sys, &vcsw, &ivcsw);
	t1 = now_ns();
	cpu->window_ns = t1 > p->t0_ns ? t1 - p->t0_ns : 1;
	cpu->windows = 1;
	cpu->tool_user_ns = user - p->ru_user_ns;
	cpu->tool_system_ns = sys - p->ru_system_ns;
	cpu->tool_vcsw = vcsw - p->ru_vcsw;
	cpu->tool_ivcsw = ivcsw - p->ru_ivcsw;
	cpu->have_system = p->have_ct0 && have_ct1;
	if (cpu->have_system) {
		for (k = 0; k < CT_KINDS; k++)
			cpu->ticks[k] = ct1.t[k] >= p->ct0.t[k] ? ct1.t[k] - p->ct0.t[k] : 0;
		cpu->interrupts = ct1.intr - p->ct0.intr;
		cpu->context_switches = ct1.ctxt - p->ct0.ctxt;
		cpu->cpus = ct1.cpus;
	}
	if (!cpu->cpus) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		cpu->cpus = n > 0 ? (unsigned)n : 1;
	}
	for (i = 0; i < devs->n; i++)
		devs->d[i].window_ns = cpu->window_ns;
	acct_probe_reset(p);
}

void acct_process_cpu(double *user_s, double *system_s)
{
	struct rusage self, kids;

	*user_s = *system_s = 0;
	if (getrusage(RUSAGE_SELF, &self) == 0) {
		*user_s += (double)tv_ns(&self.ru_utime) / 1e9;
		*system_s += (double)tv_ns(&self.ru_stime) / 1e9;
	}
	if (getrusage(RUSAGE_CHILDREN, &kids) == 0) {
		*user_s += (double)tv_ns(&kids.ru_utime) / 1e9;
		*system_s += (double)tv_ns(&kids.ru_stime) / 1e9;
	}
}
