#include "validate/evidence.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const ev_io_names[EV_NIO] = { "flush", "write", "read", "latency" };

static void verdict(struct ev_verdict *out, enum check_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void verdict(struct ev_verdict *out, enum check_status st, const char *fmt, ...)
{
	va_list ap;

	out->status = st;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* ---- remap_counters ----------------------------------------------------------- */

void ev_remap_counters(const struct ev_remap_counters *in, struct ev_verdict *out)
{
	/* Every bad block was sent to the spare at least once; every completed I/O on one was. */
	uint64_t need_ios = in->ok_bad_ios > in->bad_blocks ? in->ok_bad_ios : in->bad_blocks;
	bool sectors_ok, ios_ok;
	char seen[256];

	if (!in->have_status) {
		verdict(out, EV_NOT_CHECKED, "%s", in->no_status ? in->no_status :
			"no status of the target");
		return;
	}
	if (in->counters_reset) {
		verdict(out, EV_NOT_CHECKED, "a counter of the target went down during the run "
			"(cleared, or a new device): its deltas mean nothing");
		return;
	}
	snprintf(seen, sizeof(seen), "remapped_sectors %+lld for %llu bad sector%s, "
		 "remapped_ios %+lld for %llu I/O%s completed on the %llu block%s holding them, "
		 "remaps %+lld; active_mappings %+lld", (long long)in->remapped_sectors,
		 (unsigned long long)in->bad_sectors, plural(in->bad_sectors),
		 (long long)in->remapped_ios, (unsigned long long)in->ok_bad_ios,
		 plural(in->ok_bad_ios), (unsigned long long)in->bad_blocks, plural(in->bad_blocks),
		 (long long)in->remaps, (long long)in->active_mappings);
	if (!in->bad_sectors) {
		verdict(out, EV_NOT_CHECKED, "no bad sector: nothing to remap (%s)", seen);
		return;
	}
	sectors_ok = in->remapped_sectors >= 0 && (uint64_t)in->remapped_sectors >= in->bad_sectors;
	ios_ok = in->remapped_ios >= 0 && (uint64_t)in->remapped_ios >= need_ios;
	if (sectors_ok && ios_ok)
		verdict(out, EV_PASS, "%s", seen);
	else
		verdict(out, EV_FAIL, "%s: %s%s%s (active_mappings counts entries, pending ones "
			"too, not remaps performed)", seen,
			sectors_ok ? "" : "fewer sectors remapped than bad",
			!sectors_ok && !ios_ok ? ", and " : "",
			ios_ok ? "" : "not every block holding a bad sector, nor every I/O completed "
			"on one, was sent to the spare");
}

/* ---- errors_accounted --------------------------------------------------------- */

void ev_errors_accounted(const struct ev_errors *in, struct ev_verdict *out)
{
	uint64_t total = 0;
	char parts[160];
	size_t len = 0;
	int i;

	if (!in->have_status) {
		verdict(out, EV_NOT_CHECKED, "%s", in->no_status ? in->no_status :
			"no status of the target");
		return;
	}
	if (in->counters_reset) {
		verdict(out, EV_NOT_CHECKED, "a counter of the target went down during the run "
			"(cleared, or a new device): its deltas mean nothing");
		return;
	}
	parts[0] = '\0';
	for (i = 0; i < EV_NIO; i++) {
		total += in->failed[i];
		len += (size_t)snprintf(parts + len, sizeof(parts) - len, "%s%llu %s",
					i ? ", " : "", (unsigned long long)in->failed[i],
					ev_io_names[i]);
		if (len >= sizeof(parts))
			len = sizeof(parts) - 1;
	}
	if (!total && !in->errors)
		verdict(out, EV_NOT_CHECKED, "no I/O failed and errors +0: nothing to account");
	else if (in->errors >= 0 && (uint64_t)in->errors == total)
		verdict(out, EV_PASS, "errors %+lld for the %llu failed I/O%s the tool saw (%s)",
			(long long)in->errors, (unsigned long long)total, plural(total), parts);
	else
		verdict(out, EV_FAIL, "errors %+lld; the tool saw %llu failed I/O%s (%s)",
			(long long)in->errors, (unsigned long long)total, plural(total), parts);
}

/* ---- remap_penalty ------------------------------------------------------------ */

void ev_remap_penalty(const struct ev_penalty *in, struct ev_verdict *out)
{
	uint64_t unproven = in->probed_ok - in->proven;
	uint64_t bad_reads = in->reads - in->reads_from_spare;

	if (!in->probed_ok) {
		verdict(out, EV_NOT_CHECKED, "nothing was remapped: none of the %llu block%s "
			"holding a bad sector reads back", (unsigned long long)in->bad_blocks,
			plural(in->bad_blocks));
		return;
	}
	if (!in->spare_observable) {
		verdict(out, EV_NOT_CHECKED, "%llu block%s holding a bad sector read back, but "
			"nothing shows whether the spare served %s: %s",
			(unsigned long long)in->probed_ok, plural(in->probed_ok),
			in->probed_ok == 1 ? "it" : "them",
			in->spare_why ? in->spare_why : "the spare's counters cannot be read");
		return;
	}
	if (unproven) {
		verdict(out, EV_FAIL, "%llu of the %llu block%s holding a bad sector that read "
			"back %s not remapped: %llu read%s moved the spare's read counters by a "
			"block, %llu returned the bytes written (%llu never written)",
			(unsigned long long)unproven, (unsigned long long)in->probed_ok,
			plural(in->probed_ok), unproven == 1 ? "was" : "were",
			(unsigned long long)in->probe_from_spare, plural(in->probe_from_spare),
			(unsigned long long)in->probe_right_data,
			(unsigned long long)in->probe_unwritten);
		return;
	}
	if (bad_reads) {
		verdict(out, EV_FAIL, "%llu of %llu reads of the %llu remapped block%s were not "
			"served from the spare (%llu failed)", (unsigned long long)bad_reads,
			(unsigned long long)in->reads, (unsigned long long)in->proven,
			plural(in->proven), (unsigned long long)in->reads_failed);
		return;
	}
	if (!in->reads || !in->normal_reads) {
		verdict(out, EV_NOT_CHECKED, "%llu remapped block%s, but no timed read of %s "
			"succeeded: nothing to compare", (unsigned long long)in->proven,
			plural(in->proven), in->reads ? "another block" : "them");
		return;
	}
	verdict(out, EV_PASS, "%llu remapped block%s (each read of them served from the spare, "
		"with the bytes written): p50 %.1f us, p99 %.1f us; others p50 %.1f us, p99 %.1f us "
		"(%+.1f%% at p50)%s", (unsigned long long)in->proven, plural(in->proven),
		in->p50_remapped_us, in->p99_remapped_us, in->p50_normal_us, in->p99_normal_us,
		in->p50_normal_us > 0 ? (in->p50_remapped_us - in->p50_normal_us) /
		in->p50_normal_us * 100 : 0.0,
		in->probe_failed ? "; blocks holding a bad sector that never read back are not "
		"in it" : "");
}

/* ---- flush_passthrough, fua_passthrough --------------------------------------- */

/* "3" or "2..5": the range of per-op counts. */
static void span(const uint64_t *x, unsigned n, char *buf, size_t len)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		lo = x[i] < lo ? x[i] : lo;
		hi = x[i] > hi ? x[i] : hi;
	}
	if (!n)
		snprintf(buf, len, "none");
	else if (lo == hi)
		snprintf(buf, len, "%llu", (unsigned long long)lo);
	else
		snprintf(buf, len, "%llu to %llu", (unsigned long long)lo, (unsigned long long)hi);
}

static unsigned count_below(const uint64_t *x, unsigned n, uint64_t min)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++)
		k += x[i] < min;
	return k;
}

/* Whether main's counters can show a flush arriving; else the not_checked verdict. */
static bool observable(const struct ev_flush *in, struct ev_verdict *out)
{
	if (!in->main_stat) {
		verdict(out, EV_NOT_CHECKED, "%s", in->main_why ? in->main_why :
			"the main device's kernel counters cannot be read");
		return false;
	}
	if (in->main_cache && !strcmp(in->main_cache, "write through")) {
		verdict(out, EV_NOT_CHECKED, "the main device has no volatile write cache "
			"(queue/write_cache: write through): the block layer completes a flush to "
			"it at once without counting it, so whether flushes reach it cannot be "
			"seen (and a flush has nothing to do there)");
		return false;
	}
	if (!in->calib_ok) {
		verdict(out, EV_NOT_CHECKED, "a flush or FUA write sent to the main device itself "
			"failed: nothing to compare with");
		return false;
	}
	if (!in->calib_flush) {
		verdict(out, EV_NOT_CHECKED, "a flush sent to the main device itself left its "
			"flush counter unchanged: its driver does not count flushes");
		return false;
	}
	return true;
}

static const char *top_note(const struct ev_flush *in)
{
	if (in->top_cache && !strcmp(in->top_cache, "write through"))
		return "; the top device advertises no write cache (write through), so the "
		       "kernel completes flushes to it at once";
	return "";
}

void ev_flush_passthrough(const struct ev_flush *in, struct ev_verdict *out)
{
	char counts[48];
	unsigned shortn;

	if (!observable(in, out))
		return;
	if (!in->nflush) {
		verdict(out, EV_NOT_CHECKED, "no flush was sent");
		return;
	}
	span(in->flush_main, in->nflush, counts, sizeof(counts));
	if (in->flush_failed) {
		verdict(out, EV_FAIL, "%u of %u flushes (fdatasync) of the top device failed",
			in->flush_failed, in->nflush);
		return;
	}
	shortn = count_below(in->flush_main, in->nflush, in->calib_flush);
	if (shortn)
		verdict(out, EV_FAIL, "%u of %u flushes sent to the top device did not reach the "
			"main device: it counted %s flush%s for each, %llu for one sent to it "
			"directly%s", shortn, in->nflush, counts, strcmp(counts, "1") ? "es" : "",
			(unsigned long long)in->calib_flush, top_note(in));
	else
		verdict(out, EV_PASS, "each of the %u flushes sent to the top device reached the "
			"main device: it counted %s flush%s for each, %llu for one sent to it "
			"directly", in->nflush, counts, strcmp(counts, "1") ? "es" : "",
			(unsigned long long)in->calib_flush);
}

void ev_fua_passthrough(const struct ev_flush *in, struct ev_verdict *out)
{
	uint64_t fan = 0, fua_part;
	char counts[48];
	unsigned i, shortn;

	if (!observable(in, out))
		return;
	if (in->calib_fua <= in->calib_flush) {
		verdict(out, EV_NOT_CHECKED, "a FUA write sent to the main device itself adds no "
			"flush to its count (%llu, as for a flush%s): one that arrives cannot be "
			"told from one that lost its FUA flag", (unsigned long long)in->calib_fua,
			in->main_fua ? "; the device does FUA itself" : "");
		return;
	}
	if (!in->nfua) {
		verdict(out, EV_NOT_CHECKED, "no FUA write was sent");
		return;
	}
	span(in->fua_main, in->nfua, counts, sizeof(counts));
	if (in->fua_failed) {
		verdict(out, EV_FAIL, "%u of %u FUA writes (RWF_DSYNC) to the top device failed",
			in->fua_failed, in->nfua);
		return;
	}
	shortn = count_below(in->fua_main, in->nfua, in->calib_fua);
	if (shortn) {
		verdict(out, EV_FAIL, "%u of %u FUA writes (RWF_DSYNC) sent to the top device did "
			"not reach the main device as FUA writes: it counted %s flushes for each, "
			"%llu for one sent to it directly%s", shortn, in->nfua, counts,
			(unsigned long long)in->calib_fua, top_note(in));
		return;
	}
	/*
	 * The write's own flush comes on top of the flush(es) of its sync: with
	 * flushes fanning out below the top device (a flush to each segment of
	 * the failing disk), only a count above the largest fan-out seen plus
	 * that one flush tells.
	 */
	for (i = 0; i < in->nflush; i++)
		fan = in->flush_main[i] > fan ? in->flush_main[i] : fan;
	if (fan < in->calib_flush)
		fan = in->calib_flush;
	fua_part = in->calib_fua - in->calib_flush;
	shortn = count_below(in->fua_main, in->nfua, fan + fua_part);
	if (shortn)
		verdict(out, EV_NOT_CHECKED, "flushes fan out below the top device (up to %llu "
			"counted for one), so the count of %u of %u FUA writes (%s) cannot be told "
			"from that of a plain write and a flush", (unsigned long long)fan, shortn,
			in->nfua, counts);
	else
		verdict(out, EV_PASS, "each of the %u FUA writes sent to the top device reached the "
			"main device as one: it counted %s flushes for each, %llu for one sent to "
			"it directly, %llu for a flush through the stack", in->nfua, counts,
			(unsigned long long)in->calib_fua, (unsigned long long)fan);
}
