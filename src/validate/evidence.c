#include "validate/evidence.h"

#include <stdarg.h>
#include <stdio.h>

const char *const ev_io_names[EV_NIO] = { "write", "read", "latency" };

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
			ios_ok ? "" : "fewer I/Os redirected to the spare than completed on bad blocks");
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
