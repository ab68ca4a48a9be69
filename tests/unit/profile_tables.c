/*
 * The production profiles as they were compiled into dmremap-bench before
 * they became the job files of jobs/: kept here as the reference that
 * check_profiles tests the shipped files against (and whose generators it
 * checks against what dmremap-bench-workload(1) documents).
 */
#include "profile_tables.h"

#include <stdio.h>
#include <string.h>


/* OLTP: hot-spotted 8k data pages, and a sequential 4k log in its own area. */
static const struct stream_template database_streams[] = {
	{
		.name = "data", .rule = WORKERS_BASE, .read_pct = 70,
		.bs = { { 8192, 1 } }, .nbs = 1,
		.access = ACCESS_ZIPF, .zipf_theta = 1.2,
		.region_start16 = 0, .region_len16 = 15,
	},
	{
		.name = "log", .rule = WORKERS_ONE_PER, .ratio = 8, .read_pct = 0,
		.bs = { { 4096, 1 } }, .nbs = 1,
		.access = ACCESS_SEQUENTIAL,
		.region_start16 = 15, .region_len16 = 1,
	},
};

/* Mixed sizes, half in sequential runs of 16 blocks, mostly reads. */
static const struct stream_template file_server_streams[] = {
	{
		.name = "files", .rule = WORKERS_BASE, .read_pct = 80,
		.bs = { { 4096, 10 }, { 16384, 20 }, { 65536, 40 }, { 262144, 30 } }, .nbs = 4,
		.access = ACCESS_SEQ_RUNS, .run_blocks = 16, .run_pct = 50,
		.region_start16 = 0, .region_len16 = 16,
	},
};

/* One stream per VM, each confined to its own slice of the target. */
static const struct stream_template virtualization_streams[] = {
	{
		.name = "vm", .rule = WORKERS_BASE, .stream_per_worker = true, .read_pct = 60,
		.bs = { { 4096, 50 }, { 16384, 25 }, { 65536, 25 } }, .nbs = 3,
		.access = ACCESS_RANDOM,
		.region_start16 = 0, .region_len16 = 16,
	},
};


const struct workload_profile workload_profiles[WL_COUNT] = {
	[WL_DATABASE] = { "database", "OLTP database: zipf-hot 8k data, sequential 4k log",
			  4, database_streams, 2, NULL, 0 },
	[WL_FILE_SERVER] = { "file_server", "file server: mixed sizes, sequential runs",
			     3, file_server_streams, 1, NULL, 0 },
	[WL_VIRTUALIZATION] = { "virtualization", "virtual machines, each in its own slice",
				5, virtualization_streams, 1, NULL, 0 },
	[WL_MIXED] = { "mixed", "database, file_server and virtualization phases in turn",
		       4, NULL, 0, mixed_phases, 3 },
};

static unsigned template_workers(const struct stream_template *t, unsigned first,
				 unsigned base, unsigned factor, const struct workload_overrides *ov)
{
	unsigned n;

	if (t->rule == WORKERS_ONE_PER) {
		n = first / t->ratio;
		return n ? n : 1;
	}
	n = ov && ov->workers ? ov->workers : base * factor;
	return n;
}

unsigned workload_max_streams(enum workload_type type, unsigned intensity,
			      unsigned base_workers, const struct workload_overrides *ov)
{
	const struct workload_profile *p = &workload_profiles[type];
	unsigned i, n = 0, first = 0;

	for (i = 0; i < p->nstreams; i++) {
		unsigned w = template_workers(&p->streams[i], first, base_workers,
					      intensity_levels[intensity].factor, ov);

		if (i == 0)
			first = w;
		n += p->streams[i].stream_per_worker ? w : 1;
	}
	return n;
}

static void fill_stream(struct stream_spec *s, const struct stream_template *t,
			const char *name, unsigned workers, unsigned iodepth,
			uint64_t off, uint64_t len)
{
	*s = (struct stream_spec){
		.workers = workers,
		.iodepth = iodepth,
		.read_pct = t->read_pct,
		.nbs = t->nbs,
		.access = t->access,
		.zipf_theta = t->zipf_theta,
		.run_blocks = t->run_blocks,
		.run_pct = t->run_pct,
		.span_off = off,
		.span_len = len,
	};
	snprintf(s->name, sizeof(s->name), "%s", name);
	memcpy(s->bs, t->bs, sizeof(s->bs));
}

static uint32_t template_max_bs(const struct stream_template *t)
{
	uint32_t m = 0;
	unsigned i;

	for (i = 0; i < t->nbs; i++)
		if (t->bs[i].bs > m)
			m = t->bs[i].bs;
	return m;
}

int workload_build(enum workload_type type, unsigned intensity, unsigned base_workers,
		   const struct workload_overrides *ov, uint64_t size,
		   struct stream_spec *out, unsigned max)
{
	const struct workload_profile *p = &workload_profiles[type];
	unsigned factor = intensity_levels[intensity].factor;
	unsigned depth = ov && ov->iodepth ? ov->iodepth : intensity_levels[intensity].iodepth;
	unsigned i, j, n = 0, first = 0, total_workers = 0;

	for (i = 0; i < p->nstreams; i++) {
		const struct stream_template *t = &p->streams[i];
		unsigned w = template_workers(t, first, base_workers, factor, ov);
		uint32_t align = template_max_bs(t);
		/* Regions aligned to the stream's largest block. */
		uint64_t off = size / 16 * t->region_start16 / align * align;
		uint64_t end = t->region_start16 + t->region_len16 >= 16 ? size :
			size / 16 * (t->region_start16 + t->region_len16);
		uint64_t len = (end - off) / align * align;

		if (i == 0)
			first = w;
		if (!t->stream_per_worker) {
			if (n >= max)
				return -1;
			fill_stream(&out[n++], t, t->name, w, depth, off, len);
			total_workers += w;
			continue;
		}
		for (j = 0; j < w; j++) {
			uint64_t slice = len / w / align * align;
			char name[STREAM_NAME_MAX];

			if (n >= max)
				return -1;
			snprintf(name, sizeof(name), "%s%u", t->name, j);
			fill_stream(&out[n++], t, name, 1, depth, off + slice * j, slice);
			total_workers++;
		}
	}
	if (ov && ov->rate_iops) {
		/* The cap is shared by workers: each stream gets its workers' share. */
		for (i = 0; i < n; i++) {
			out[i].rate_iops = ov->rate_iops * out[i].workers / total_workers;
			if (!out[i].rate_iops)
				out[i].rate_iops = 1;
		}
	}
	return (int)n;
}
