#include "result/result_text.h"

#include <string.h>

#include "result/cost.h"

void format_count(double v, char *buf, size_t len)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

void format_ns(double ns, char *buf, size_t len)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.2fs", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else
		snprintf(buf, len, "%.0fns", ns);
}

static void print_dir(FILE *f, const char *name, const struct dir_result *d, double dur,
		      const char *indent)
{
	char iops[32], p[5][16], mn[16], mean[16], mx[16];
	static const double pct[] = { 50, 90, 99, 99.9, 99.99 };
	double bw;
	int i;

	if (!d->ops) {
		fprintf(f, "%s%-6s: no I/O\n", indent, name);
		return;
	}
	format_count(dur > 0 ? (double)d->ops / dur : 0, iops, sizeof(iops));
	bw = dur > 0 ? (double)d->bytes / dur : 0;
	fprintf(f, "%s%-6s: IOPS=%s, BW=%.1fMiB/s (%.1fMB/s), %llu ops, %.1fMiB\n",
		indent, name, iops, bw / 1048576.0, bw / 1e6, (unsigned long long)d->ops,
		(double)d->bytes / 1048576.0);
	format_ns((double)d->hist.min, mn, sizeof(mn));
	format_ns(hist_mean(&d->hist), mean, sizeof(mean));
	format_ns((double)d->hist.max, mx, sizeof(mx));
	for (i = 0; i < 5; i++)
		format_ns((double)hist_percentile(&d->hist, pct[i]), p[i], sizeof(p[i]));
	/* An open-loop stream: lat is the service time, resp the response time. */
	fprintf(f, "%s        %s: min=%s mean=%s max=%s\n", indent,
		d->resp.buckets ? "service" : "lat", mn, mean, mx);
	fprintf(f, "%s        p50=%s p90=%s p99=%s p99.9=%s p99.99=%s\n", indent,
		p[0], p[1], p[2], p[3], p[4]);
	if (d->resp.buckets && d->resp.count) {
		char late[16];

		format_ns(hist_mean(&d->resp), mean, sizeof(mean));
		format_ns((double)d->resp.max, mx, sizeof(mx));
		for (i = 0; i < 5; i++)
			format_ns((double)hist_percentile(&d->resp, pct[i]), p[i], sizeof(p[i]));
		format_ns((double)d->late.max_ns, late, sizeof(late));
		fprintf(f, "%s        response (from when due): mean=%s max=%s\n", indent, mean, mx);
		fprintf(f, "%s        p50=%s p90=%s p99=%s p99.9=%s p99.99=%s\n", indent,
			p[0], p[1], p[2], p[3], p[4]);
		fprintf(f, "%s        late starts: %llu (the latest %s late)", indent,
			(unsigned long long)d->late.count, late);
		if (d->late.dropped)
			fprintf(f, ", %llu arrivals dropped", (unsigned long long)d->late.dropped);
		fprintf(f, "\n");
	}
}

/* Flushes and discards, when the workload issued any. */
static void print_flush_discard(FILE *f, const struct dir_result *dir, double dur,
				const char *indent)
{
	if (dir[DIR_FLUSH].ops)
		print_dir(f, "flush", &dir[DIR_FLUSH], dur, indent);
	if (dir[DIR_DISCARD].ops)
		print_dir(f, "trim", &dir[DIR_DISCARD], dur, indent);
}

static void print_errors(FILE *f, const struct err_stats *e, const char *indent)
{
	unsigned i;

	if (!err_stats_total(e)) {
		fprintf(f, "%serrors: none\n", indent);
		return;
	}
	fprintf(f, "%serrors: io=%llu short=%llu verify=%llu", indent,
		(unsigned long long)e->io, (unsigned long long)e->short_io,
		(unsigned long long)e->verify);
	for (i = 1; i < ERRNO_SLOTS; i++)
		if (e->by_errno[i])
			fprintf(f, " %s=%llu", strerrorname_np((int)i),
				(unsigned long long)e->by_errno[i]);
	fprintf(f, "\n");
	for (i = 0; i < e->nlist && i < 5; i++)
		fprintf(f, "%s  %s of %u bytes at offset %llu: %s\n", indent,
			e->list[i].op == 2 ? "flush" : e->list[i].op == 3 ? "discard" :
			e->list[i].write ? "write" : "read", e->list[i].len,
			(unsigned long long)e->list[i].off,
			e->list[i].err ? strerror(e->list[i].err) : "short transfer");
	if (e->nlist > 5)
		fprintf(f, "%s  ... (%u listed in the JSON result)\n", indent, e->nlist);
}

void run_result_print(FILE *f, const struct run_result *r)
{
	print_dir(f, "read", &r->dir[0], r->duration_s, "  ");
	print_dir(f, "write", &r->dir[1], r->duration_s, "  ");
	print_flush_discard(f, r->dir, r->duration_s, "  ");
	if (r->dropped)
		fprintf(f, "  open loop: %llu arrivals dropped (the backlog passed one second "
			"of arrivals)\n", (unsigned long long)r->dropped);
	print_errors(f, &r->errors, "  ");
	fprintf(f, "  concurrency: %u workers, %u per worker, %llu in flight targeted, "
		"mean %.0f, max %llu\n", r->conc.workers, r->conc.iodepth_per_worker,
		(unsigned long long)r->conc.inflight_target, r->conc.inflight_mean,
		(unsigned long long)r->conc.inflight_max);
	if (r->conc.submit_limit)
		fprintf(f, "  submit limit: %llu in the kernel at once, mean %.0f, max %llu; "
			"the rest waited in the workers\n",
			(unsigned long long)r->conc.submit_limit, r->conc.kernel_inflight_mean,
			(unsigned long long)r->conc.kernel_inflight_max);
	if (r->verify_enabled) {
		unsigned i;

		fprintf(f, "  verify: %llu blocks of %u written, %llu checked, %llu bad, %llu read "
			"unverified (never written); %.3fs CPU checksumming\n",
			(unsigned long long)r->verify.blocks_written, r->verify_block_size,
			(unsigned long long)r->verify.blocks_checked,
			(unsigned long long)r->verify.bad,
			(unsigned long long)r->verify.blocks_unverified,
			(double)r->verify.cpu_ns / 1e9);
		for (i = 0; i < r->verify.nlist && i < 5; i++) {
			const struct verify_bad *b = &r->verify.list[i];

			fprintf(f, "    bad block at offset %llu: %s differs", (unsigned long long)b->off,
				vblock_field_name(b->field));
			if (b->field == VB_GENERATION)
				fprintf(f, " (expected generation %u, found %u)", b->expected, b->found);
			else if (b->field == VB_OFFSET)
				fprintf(f, " (holds the block of offset %llu)",
					(unsigned long long)b->found_off);
			fprintf(f, "\n");
		}
	}
	cost_print(f, r, "  ");
	fprintf(f, "  measured %.2fs, %zu intervals%s\n", r->duration_s, r->nintervals,
		r->error_stop ? "; stopped: errors exceeded --max-errors" : "");
}

void run_result_print_streams(FILE *f, const struct run_result *r)
{
	unsigned i;

	if (r->nstreams < 2)
		return;
	for (i = 0; i < r->nstreams; i++) {
		const struct stream_result *s = &r->streams[i];

		fprintf(f, "  stream %s (%u workers x %u):\n", s->name, s->workers, s->iodepth);
		print_dir(f, "read", &s->dir[0], r->duration_s, "    ");
		print_dir(f, "write", &s->dir[1], r->duration_s, "    ");
		print_flush_discard(f, s->dir, r->duration_s, "    ");
	}
}
