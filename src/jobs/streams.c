/*
 * A parsed job file's streams over a given target: regions resolved from
 * percentages, clones split into streams, the overrides of the commands.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/jobfile.h"

/* ---- streams ---------------------------------------------------------- */

static unsigned job_workers(const struct jobfile *jf, const struct job_section *j,
			    const struct jobfile_overrides *ov)
{
	unsigned first = ov && ov->workers ? ov->workers : jf->jobs[0].spec.workers;

	if (j == jf->jobs)
		return first;
	if (j->numjobs_per)
		return first / j->numjobs_per ? first / j->numjobs_per : 1;
	return j->spec.workers;
}

/* Clones placed by offset_increment or clone_slices become a stream each. */
static bool split_clones(const struct job_section *j)
{
	return j->incr_set || j->spec.slice_per_worker;
}

unsigned jobfile_nstreams(const struct jobfile *jf, const struct jobfile_overrides *ov)
{
	unsigned i, n = 0;

	for (i = 0; i < jf->njobs; i++)
		n += split_clones(&jf->jobs[i]) ? job_workers(jf, &jf->jobs[i], ov) : 1;
	return n;
}

/* size x pct / 100, exactly for the percentages people write (up to 6 decimals). */
static uint64_t pct_of(uint64_t size, double pct)
{
	uint64_t micro = (uint64_t)llround(pct * 1e6);

	return (uint64_t)((unsigned __int128)size * micro / 100000000ULL);
}

static uint32_t spec_max_bs(const struct stream_spec *s)
{
	uint32_t m = 0;
	unsigned i;

	for (i = 0; i < s->nbs; i++)
		if (s->bs[i].bs > m)
			m = s->bs[i].bs;
	return m;
}

int jobfile_streams(struct jobfile *jf, uint64_t size, const struct jobfile_overrides *ov,
		    struct stream_spec **out, unsigned *n)
{
	unsigned total = jobfile_nstreams(jf, ov), i, k, ns = 0;
	struct stream_spec *s;

	if (total > JOBFILE_MAX_JOBS) {
		jf->line = jf->jobs[0].line;
		jobfile_fail(jf, "%u streams (numjobs clones with offset_increment or clone_slices "
		     "count each); at most %d", total, JOBFILE_MAX_JOBS);
		return -1;
	}
	s = calloc(total, sizeof(*s));
	if (!s) {
		snprintf(jf->err, sizeof(jf->err), "%.400s: out of memory", jf->name);
		return -1;
	}
	for (i = 0; i < jf->njobs; i++) {
		const struct job_section *j = &jf->jobs[i];
		uint32_t align = spec_max_bs(&j->spec);
		unsigned w = job_workers(jf, j, ov);
		uint64_t off, end, len;

		jf->line = j->line;
		/*
		 * The region [offset, offset + size), aligned to the job's
		 * largest block: a region whose percentages reach 100% ends
		 * at the target's end.
		 */
		off = j->offset_pct >= 0 ? pct_of(size, j->offset_pct) : j->offset;
		if (j->size_pct >= 0)
			end = (j->offset_pct >= 0 && j->offset_pct + j->size_pct >= 100) ||
				j->size_pct >= 100 ? size : off + pct_of(size, j->size_pct);
		else
			end = j->size ? off + j->size : size;
		off = off / align * align;
		if (end > size && !j->incr_set) {
			free(s);
			return jobfile_fail(jf, "[%s]: the region ends at byte %llu, beyond the target "
				    "(%llu bytes)", j->spec.name, (unsigned long long)end,
				    (unsigned long long)size);
		}
		len = end > off ? (end - off) / align * align : 0;
		if (len < align) {
			free(s);
			return jobfile_fail(jf, "[%s]: the region holds no %u-byte block", j->spec.name,
				    align);
		}
		if (!split_clones(j)) {
			s[ns] = j->spec;
			s[ns].workers = w;
			s[ns].slice_per_worker = false;
			if (ov && ov->iodepth)
				s[ns].iodepth = ov->iodepth;
			/* fio's rate_iops is each clone's. */
			s[ns].rate_iops = j->spec.rate_iops * w;
			s[ns].span_off = off;
			s[ns].span_len = len;
			s[ns].one_pass = !jf->time_based;
			ns++;
			continue;
		}
		for (k = 0; k < w; k++) {
			struct stream_spec *c = &s[ns++];
			uint64_t coff, clen;

			if (j->spec.slice_per_worker) {
				clen = len / w / align * align;
				coff = off + clen * k;
			} else {
				uint64_t incr = j->incr_pct >= 0 ? pct_of(size, j->incr_pct) : j->incr;

				incr = incr / align * align;
				coff = off + incr * k;
				clen = len;
				if (coff + clen > size) {
					free(s);
					return jobfile_fail(jf, "[%s]: clone %u's region ends beyond the "
						    "target", j->spec.name, k);
				}
			}
			if (clen < align) {
				free(s);
				return jobfile_fail(jf, "[%s]: %u clones leave no %u-byte block each",
					    j->spec.name, w, align);
			}
			*c = j->spec;
			snprintf(c->name, sizeof(c->name), "%.*s%u", STREAM_NAME_MAX - 12,
				 j->spec.name, k % 100000000u);
			c->workers = 1;
			c->slice_per_worker = false;
			if (ov && ov->iodepth)
				c->iodepth = ov->iodepth;
			c->span_off = coff;
			c->span_len = clen;
			c->one_pass = !jf->time_based;
		}
	}
	*out = s;
	*n = ns;
	return 0;
}

unsigned jobfile_block_sizes(const struct jobfile *jf, uint32_t *out, unsigned max)
{
	unsigned i, k, n = 0;

	for (i = 0; i < jf->njobs; i++)
		for (k = 0; k < jf->jobs[i].spec.nbs && n < max; k++)
			out[n++] = jf->jobs[i].spec.bs[k].bs;
	return n;
}

bool jobfile_writes(const struct jobfile *jf)
{
	unsigned i;

	for (i = 0; i < jf->njobs; i++) {
		const struct stream_spec *s = &jf->jobs[i].spec;

		if (s->read_pct < 100 || s->discard_pct || s->flush_every || s->flush_interval_ns)
			return true;
	}
	return false;
}
