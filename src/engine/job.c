#include "engine/job.h"

unsigned stream_worker_depth(const struct stream_spec *st, unsigned index)
{
	if (st->total_depth) {
		uint64_t base = st->total_depth / st->workers;

		return (unsigned)(base + (index < st->total_depth % st->workers));
	}
	return st->iodepth;
}

unsigned job_total_workers(const struct job *job)
{
	unsigned i, n = 0;

	for (i = 0; i < job->nstreams; i++)
		n += job->streams[i].workers;
	return n;
}

uint64_t job_total_depth(const struct job *job)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < job->nstreams; i++)
		n += job->streams[i].total_depth ? job->streams[i].total_depth :
			(uint64_t)job->streams[i].workers * job->streams[i].iodepth;
	return n;
}

uint32_t job_max_bs(const struct job *job)
{
	uint32_t m = 0;
	unsigned i, j;

	for (i = 0; i < job->nstreams; i++)
		for (j = 0; j < job->streams[i].nbs; j++)
			if (job->streams[i].bs[j].bs > m)
				m = job->streams[i].bs[j].bs;
	return m;
}
