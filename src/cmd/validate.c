/*
 * validate: does dm-remap do what it is for? A "failing disk" (a dm table
 * of linear segments with error segments at the bad sectors) goes under a
 * dm-remap-v4 device; every block is written and read back in the verify
 * format, each failed I/O retried; then the target's counters are compared
 * with what userspace saw, and the latency of remapped blocks with that of
 * the others. Each check ends pass, fail or not checked; only a run where
 * every check passed exits 0.
 *
 * With --inject message there are no error segments: the target's
 * test_remap message adds the remaps instead (dm-remap returns no reply).
 *
 * Synchronous O_DIRECT pread/pwrite, one block at a time: the point is the
 * outcome of each I/O, not throughput.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cli/units.h"
#include "cmd/commands.h"
#include "dm/dm.h"
#include "dm/remap_status.h"
#include "dm/stack.h"
#include "engine/prng.h"
#include "result/atomic_file.h"
#include "stats/hist.h"
#include "target/safety.h"
#include "util/env.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/timeutil.h"
#include "verify/block.h"
#include "verify/crc32c.h"

#define MAX_RANGES 256               /* bad ranges, each up to two table segments */
#define MAX_BAD_SECTORS 65536
#define MAX_LISTED 64                /* I/Os and blocks listed one by one in the result */
#define SPARE_MSG_BASE 2048          /* --inject message: past dm-remap's metadata (1280) */
#define DATA_GENERATION 1

enum inject_mode { INJECT_TABLE, INJECT_MESSAGE };
static const char *const inject_names[] = { "table", "message", NULL };

enum check_status { CK_PASS, CK_FAIL, CK_NOT_CHECKED };
static const char *const check_status_names[] = { "pass", "fail", "not_checked" };

/* Exit statuses of validate (documented in dmremap-bench-validate(1)). */
#define EXIT_CHECK_FAILED EXIT_IO          /* 3: a check failed */
#define EXIT_NOT_CHECKED EXIT_RUNTIME      /* 4: none failed, but one could not be made */

struct range {
	uint64_t start, len;                 /* 512-byte sectors */
};

struct validate_args {
	const char *main_dev, *spare_dev, *bad_list, *type, *params, *name_opt, *output;
	unsigned bad_count, retries, latency_reads;
	bool bad_count_set, seed_set, quiet, force;
	uint64_t seed, retry_delay_ns, bs, timeout_ns;
	int inject, output_format;
	struct range given[MAX_RANGES];      /* --bad-sectors, parsed */
	unsigned ngiven;
	char name[DMW_NAME_MAX + 8];
	char default_name[PATH_MAX + 16];
};

/* One I/O that failed at first: listed in the result. */
struct io_note {
	uint64_t off;
	bool write, bad;                     /* bad: the block holds a bad sector */
	unsigned attempts;
	int first_err, last_err;
	bool recovered;
};

struct pass_stats {
	uint64_t blocks, ok_first, recovered, never, attempts, failed_attempts;
	uint64_t bad_blocks, bad_failed_first;
	struct io_note notes[MAX_LISTED];
	unsigned nnotes;
};

struct wrong_block {
	uint64_t off;
	enum vblock_field field;
	uint64_t found_off, found_gen;
	bool bad;
};

struct check {
	const char *name;
	enum check_status status;
	char detail[512];
};

#define NCHECKS 8

struct validate {
	struct validate_args *a;
	char start_time[32];
	/* the failing disk */
	struct dmstack_member disk_main;
	struct dmw disk_d;
	char disk_name[DMW_NAME_MAX + 16];
	struct dmw_info disk_info;
	bool disk_created;
	char *disk_table;
	struct range bad[MAX_RANGES];
	unsigned nbad;
	uint64_t bad_sectors;
	/* the device on top */
	struct dmstack top;
	bool top_built;
	char *top_table, *status_before, *status_after;
	json_t *module_params;
	bool demo_mode;
	unsigned msgs_ok, msgs_failed;
	char msg_err[1024], msg_reply[256];
	/* the I/O */
	int fd;
	uint64_t size, nblocks, data_seed;
	uint32_t bs, lbs;
	uint64_t *bad_blocks;                /* sorted block indices */
	size_t nbad_blocks;
	uint8_t *unwritten;                  /* bitmap: the write never succeeded */
	struct pass_stats wr, rd;
	uint64_t checked, wrong, unreadable, unchecked;
	struct wrong_block wrongs[MAX_LISTED];
	unsigned nwrongs;
	struct hist lat_normal, lat_remapped;
	uint64_t remapped_blocks;            /* bad blocks readable at the end */
	int signal;
	/* the end */
	bool teardown_ok, teardown_hung;
	struct check checks[NCHECKS];
	unsigned nchecks;
	int rc;
};

/* ---- options ----------------------------------------------------------------- */

static int add_range(struct validate_args *a, uint64_t s, uint64_t e)
{
	if (a->ngiven == MAX_RANGES) {
		log_error("--bad-sectors: more than %d ranges", MAX_RANGES);
		return -1;
	}
	a->given[a->ngiven++] = (struct range){ s, e - s + 1 };
	return 0;
}

/* "1000,2048-2055": sectors and inclusive ranges of sectors. */
static int parse_bad_list(struct validate_args *a, const char *list)
{
	const char *p = list;
	uint64_t total = 0;

	while (*p) {
		char *end;
		unsigned long long s, e;

		errno = 0;
		if (*p < '0' || *p > '9')
			goto bad;
		s = strtoull(p, &end, 10);
		e = s;
		if (errno)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			e = strtoull(p, &end, 10);
			if (errno || e < s)
				goto bad;
		}
		total += e - s + 1;
		if (e - s + 1 > MAX_BAD_SECTORS || total > MAX_BAD_SECTORS) {
			log_error("--bad-sectors: more than %d sectors", MAX_BAD_SECTORS);
			return -1;
		}
		if (add_range(a, s, e))
			return -1;
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (a->ngiven)
		return 0;
bad:
	opts_bad_value("--bad-sectors", list, "sectors and ranges of sectors, e.g. 1000,2048-2055");
	return -1;
}

/* Options and their checks, no I/O: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct validate_args *a)
{
	static const struct opt_usage usage = {
		.command = "validate",
		.synopsis = "--main DEV --spare DEV (--bad-sectors LIST | --bad-count N) [options]",
		.summary = "Build a failing disk (error segments at the bad sectors) under a\n"
			   "dm-remap-v4 device, write and read back every block with retries, and\n"
			   "check the remaps, the data and the target's counters. Destroys the\n"
			   "contents of the main and the spare device. Needs root.",
	};
	int npos = 0, rc;

	memset(a, 0, sizeof(*a));
	a->type = DMSTACK_REMAP_TYPE;
	a->retries = 3;
	a->retry_delay_ns = 100 * NSEC_PER_MSEC;
	a->bs = 4096;
	a->latency_reads = 32;
	a->timeout_ns = DMW_DEFAULT_TIMEOUT_MS * NSEC_PER_MSEC;
	{
		const struct opt table[] = {
			{ .type = OPT_GROUP, .help = "Devices" },
			{ .type = OPT_STRING, .name = "main", .value = &a->main_dev, .argh = "DEV",
			  .help = "the device that becomes the failing disk (overwritten)" },
			{ .type = OPT_STRING, .name = "spare", .value = &a->spare_dev, .argh = "DEV",
			  .help = "the spare device (overwritten)" },
			{ .type = OPT_STRING, .name = "target-type", .value = &a->type,
			  .argh = "TYPE", .help = "the device on top: dm-remap-v4 (default), linear, "
			  "error, zero, or any with --params" },
			{ .type = OPT_STRING, .name = "params", .value = &a->params, .argh = "STRING",
			  .help = "its table parameters, verbatim (the failing disk is "
				  "/dev/mapper/<name>-disk)" },
			{ .type = OPT_STRING, .name = "name", .value = &a->name_opt, .argh = "NAME",
			  .help = "device name ('dmrb-' is added; default dmrb-validate-<main>)" },
			{ .type = OPT_BOOL, .name = "force", .value = &a->force,
			  .help = "use devices that carry a filesystem or partition signature" },
			{ .type = OPT_DURATION, .name = "timeout", .value = &a->timeout_ns,
			  .argh = "T", .min = NSEC_PER_SEC, .max = 3600 * NSEC_PER_SEC,
			  .help = "give up on a device-mapper call after T (default 10s)" },
			{ .type = OPT_GROUP, .help = "Bad sectors" },
			{ .type = OPT_STRING, .name = "bad-sectors", .value = &a->bad_list,
			  .argh = "LIST", .help = "512-byte sectors that fail: 1000,2048-2055" },
			{ .type = OPT_UINT, .name = "bad-count", .value = &a->bad_count, .argh = "N",
			  .min = 1, .max = MAX_RANGES, .set = &a->bad_count_set,
			  .help = "N random bad sectors, spread over the device (see --seed)" },
			{ .type = OPT_U64, .name = "seed", .value = &a->seed, .argh = "N",
			  .max = (1ULL << 63) - 1, .set = &a->seed_set,
			  .help = "seed of --bad-count (default: random, recorded)" },
			{ .type = OPT_CHOICE, .name = "inject", .value = &a->inject, .argh = "HOW",
			  .choices = inject_names,
			  .help = "table (error segments, default) or message (test_remap)" },
			{ .type = OPT_GROUP, .help = "I/O" },
			{ .type = OPT_SIZE, .name = "bs", .value = &a->bs, .argh = "SIZE",
			  .min = 512, .max = 1 << 20, .help = "block size (default 4k)" },
			{ .type = OPT_UINT, .name = "retries", .value = &a->retries, .argh = "N",
			  .max = 100, .help = "retries of a failed I/O (default 3)" },
			{ .type = OPT_DURATION, .name = "retry-delay", .value = &a->retry_delay_ns,
			  .argh = "T", .max = 60 * NSEC_PER_SEC,
			  .help = "pause before each retry (default 100ms)" },
			{ .type = OPT_UINT, .name = "latency-reads", .value = &a->latency_reads,
			  .argh = "N", .min = 1, .max = 100000,
			  .help = "reads of each remapped block for the remap penalty (default 32)" },
			{ .type = OPT_GROUP, .help = "Output" },
			{ .type = OPT_STRING, .name = "output", .short_name = 'o', .value = &a->output,
			  .argh = "FILE", .help = "write the result to FILE (atomically)" },
			{ .type = OPT_CHOICE, .name = "output-format", .value = &a->output_format,
			  .argh = "FMT", .choices = out_format_names,
			  .help = "normal or json (json goes to stdout without --output)" },
			{ .type = OPT_BOOL, .name = "quiet", .short_name = 'q', .value = &a->quiet,
			  .help = "no report on stdout" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, NULL, 0, &npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	log_set_quiet(a->quiet);
	if (!a->main_dev) {
		log_error("--main: missing (the device that becomes the failing disk)");
		return EXIT_USAGE;
	}
	if (!a->spare_dev) {
		log_error("--spare: missing (the spare device of the target)");
		return EXIT_USAGE;
	}
	if (!!a->bad_list == a->bad_count_set) {
		log_error("--bad-sectors: give either --bad-sectors LIST or --bad-count N");
		return EXIT_USAGE;
	}
	if (a->bad_list && parse_bad_list(a, a->bad_list))
		return EXIT_USAGE;
	if (!a->params && !dmstack_known_type(a->type)) {
		log_error("--target-type: give the table parameters of %s with --params "
			  "(dmremap-bench knows those of dm-remap-v4, linear, error and zero)",
			  a->type);
		return EXIT_USAGE;
	}
	if (a->bs & (a->bs - 1)) {
		opts_bad_value("--bs", "not a power of two", "512, 1k, 2k, 4k ... 1M");
		return EXIT_USAGE;
	}
	if (!a->name_opt) {
		const char *b = strrchr(a->main_dev, '/');

		snprintf(a->default_name, sizeof(a->default_name), "validate-%s",
			 b ? b + 1 : a->main_dev);
		a->name_opt = a->default_name;
	}
	if (dmw_make_name(a->name_opt, a->name, sizeof(a->name))) {
		log_error("--name: %s", a->name);
		return EXIT_USAGE;
	}
	if (strlen(a->name) > DMW_NAME_MAX - 8) {
		log_error("--name: at most %d characters (a suffix is added for the disk below)",
			  DMW_NAME_MAX - 8);
		return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(validate, struct validate_args, parse)

/* ---- the bad sectors and the failing disk ------------------------------------ */

static int cmp_range(const void *x, const void *y)
{
	const struct range *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Given or random, aligned to the logical block, sorted, merged, inside the device. */
static int pick_bad(struct validate *v, uint64_t sectors, uint32_t lbs)
{
	const struct validate_args *a = v->a;
	uint64_t align = lbs / 512 ? lbs / 512 : 1;
	unsigned i, n = 0;

	if (a->bad_list) {
		for (i = 0; i < a->ngiven; i++)
			if (a->given[i].start + a->given[i].len > sectors) {
				log_error("--bad-sectors: sector %llu is past the end of %s (%llu "
					  "sectors)", (unsigned long long)(a->given[i].start +
					  a->given[i].len - 1), a->main_dev,
					  (unsigned long long)sectors);
				return EXIT_USAGE;
			}
		memcpy(v->bad, a->given, a->ngiven * sizeof(v->bad[0]));
		n = a->ngiven;
	} else {
		/* One in each of N equal zones: spread, and the same for the same seed. */
		uint64_t zone = sectors / a->bad_count;
		struct prng r;

		prng_seed(&r, a->seed, 0x6261642d73656374ULL);
		for (i = 0; i < a->bad_count; i++)
			v->bad[i] = (struct range){ i * zone + prng_below(&r, zone), 1 };
		n = a->bad_count;
	}
	for (i = 0; i < n; i++) {
		uint64_t s = v->bad[i].start / align * align;
		uint64_t e = (v->bad[i].start + v->bad[i].len + align - 1) / align * align;

		v->bad[i] = (struct range){ s, e - s };
	}
	qsort(v->bad, n, sizeof(v->bad[0]), cmp_range);
	v->nbad = 0;
	for (i = 0; i < n; i++) {
		struct range *last = v->nbad ? &v->bad[v->nbad - 1] : NULL;

		if (last && v->bad[i].start <= last->start + last->len) {
			uint64_t e = v->bad[i].start + v->bad[i].len;

			if (e > last->start + last->len)
				last->len = e - last->start;
		} else {
			v->bad[v->nbad++] = v->bad[i];
		}
	}
	v->bad_sectors = 0;
	for (i = 0; i < v->nbad; i++)
		v->bad_sectors += v->bad[i].len;
	return 0;
}

/* linear segments around error segments (table), or one linear segment (message). */
static int build_disk(struct validate *v)
{
	struct dmw_segment seg[2 * MAX_RANGES + 1];
	char uuid[DMW_UUID_MAX + 1];
	uint64_t pos = 0, end = v->disk_main.sectors;
	size_t n = 0;
	unsigned i;
	int rc;

	snprintf(v->disk_name, sizeof(v->disk_name), "%.*s-disk", DMW_NAME_MAX - 8, v->a->name);
	for (i = 0; v->a->inject == INJECT_TABLE && i < v->nbad; i++) {
		if (v->bad[i].start > pos)
			seg[n++] = (struct dmw_segment){ pos, v->bad[i].start - pos, "linear", NULL };
		seg[n++] = (struct dmw_segment){ v->bad[i].start, v->bad[i].len, "error", "" };
		pos = v->bad[i].start + v->bad[i].len;
	}
	if (pos < end)
		seg[n++] = (struct dmw_segment){ pos, end - pos, "linear", NULL };
	/* linear needs its own offset: "<dev> <start>" where the segment begins. */
	{
		char (*lp)[PATH_MAX + 32] = calloc(n, sizeof(*lp));

		if (!lp) {
			log_error("out of memory");
			return EXIT_RUNTIME;
		}
		for (i = 0; i < n; i++)
			if (!seg[i].params) {
				snprintf(lp[i], sizeof(lp[i]), "%s %llu", v->disk_main.path,
					 (unsigned long long)seg[i].start);
				seg[i].params = lp[i];
			}
		dmw_uuid_for(v->disk_name, uuid, sizeof(uuid));
		rc = dmw_create(&v->disk_d, v->disk_name, uuid, seg, n, &v->disk_info);
		if (rc == DMW_OK) {
			struct dmw_table t = { .n = n, .seg = seg };

			v->disk_created = true;
			v->disk_table = dmstack_lines(&t);
		}
		free(lp);
	}
	if (rc) {
		log_error("the failing disk: %s", v->disk_d.err);
		return rc == DMW_ERR_EXIST ? EXIT_USAGE : EXIT_RUNTIME;
	}
	return 0;
}

/* test_remap <bad> <spare> for every bad sector; no reply is the normal answer. */
static void inject_messages(struct validate *v)
{
	char msg[96], reply[256];
	uint64_t k = 0, s;
	unsigned i;

	for (i = 0; i < v->nbad; i++)
		for (s = v->bad[i].start; s < v->bad[i].start + v->bad[i].len; s++, k++) {
			snprintf(msg, sizeof(msg), "test_remap %llu %llu", (unsigned long long)s,
				 (unsigned long long)(SPARE_MSG_BASE + k * (v->bs / 512)));
			if (dmw_message(&v->top.d, v->top.name, 0, msg, reply, sizeof(reply))) {
				if (!v->msgs_failed)
					snprintf(v->msg_err, sizeof(v->msg_err), "%s", v->top.d.err);
				v->msgs_failed++;
				continue;
			}
			v->msgs_ok++;
			if (reply[0] && !v->msg_reply[0])
				snprintf(v->msg_reply, sizeof(v->msg_reply), "%s", reply);
		}
}

/* ---- setting up and tearing down --------------------------------------------- */

static char *status_lines(struct validate *v)
{
	struct dmw_table t;
	char *l;

	if (dmw_get_status(&v->top.d, v->top.name, &t)) {
		log_warn("cannot read the status of %s: %s", v->top.name, v->top.d.err);
		return NULL;
	}
	l = dmstack_lines(&t);
	dmw_table_free(&t);
	return l;
}

static int setup(struct validate *v)
{
	const struct validate_args *a = v->a;
	char why[1024];
	int rc;

	/* Both are written: refused when read-only, before any other look. */
	rc = dmstack_member_precheck("--main", a->main_dev, true);
	if (!rc)
		rc = dmstack_member_precheck("--spare", a->spare_dev, true);
	if (rc)
		return rc;
	/* Nothing is built unless the target type is there and the names are free. */
	rc = dmstack_check_kernel(&v->top, a->type, a->name, "--name");
	if (rc)
		return rc;
	v->disk_main = (struct dmstack_member){ .opt = "--main", .given = a->main_dev, .fd = -1,
						.loop_fd = -1 };
	rc = dmstack_member_resolve(&v->disk_main, a->name, "main");
	if (rc)
		return rc;
	if (!a->force && safety_has_signature(v->disk_main.path, why, sizeof(why))) {
		log_error("--main: %s carries %s; validate overwrites all of it (pass --force to "
			  "use it anyway)", v->disk_main.path, why);
		return EXIT_USAGE;
	}
	rc = pick_bad(v, v->disk_main.sectors, v->disk_main.lbs);
	if (!rc)
		rc = build_disk(v);
	/* The disk holds the loop device now, if there is one. */
	dmstack_member_release(&v->disk_main, v->disk_created);
	if (rc)
		return rc;
	rc = dmstack_build(&v->top, &(struct dmstack_spec){
		.main = v->disk_info.devnode, .spare = a->spare_dev, .main_fd = -1, .spare_fd = -1,
		.type = a->type, .params = a->params, .name = a->name, .name_opt = "--name",
		.force = a->force, .kernel_checked = true,
	});
	if (rc)
		return rc;
	v->top_built = true;
	if (asprintf(&v->top_table, "0 %llu %s%s%s", (unsigned long long)v->top.sectors,
		     v->top.type, v->top.params[0] ? " " : "", v->top.params) < 0)
		v->top_table = NULL;
	if (!strcmp(a->type, DMSTACK_REMAP_TYPE))
		v->module_params = dmstack_module_params_json(&v->demo_mode);
	v->status_before = status_lines(v);
	if (a->inject == INJECT_MESSAGE) {
		uint64_t need = SPARE_MSG_BASE + v->bad_sectors * (a->bs / 512);

		if (v->top.have_spare && need > v->top.spare.sectors) {
			log_error("--inject message: the remaps would reach spare sector %llu, past "
				  "the end of %s (%llu sectors)", (unsigned long long)need,
				  v->top.spare.path, (unsigned long long)v->top.spare.sectors);
			return EXIT_USAGE;
		}
		inject_messages(v);
	}
	return 0;
}

static void teardown(struct validate *v)
{
	bool hung = false;

	v->teardown_ok = true;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	if (v->top_built && dmstack_teardown(&v->top))
		v->teardown_ok = false;
	hung = v->top.hung;
	if (v->disk_created) {
		if (hung)
			log_error("%s is left in place under the hung %s", v->disk_name, v->top.name);
		else if (dmstack_remove(&v->disk_d, v->disk_name, &hung) == 0)
			v->disk_created = false;
		if (v->disk_created)
			v->teardown_ok = false;
	}
	v->teardown_hung = hung;
}

/* ---- the I/O ------------------------------------------------------------------ */

static bool block_is_bad(const struct validate *v, uint64_t blk, size_t *cursor)
{
	while (*cursor < v->nbad_blocks && v->bad_blocks[*cursor] < blk)
		(*cursor)++;
	return *cursor < v->nbad_blocks && v->bad_blocks[*cursor] == blk;
}

/* The blocks that hold a bad sector, in order. */
static int list_bad_blocks(struct validate *v)
{
	uint64_t spb = v->bs / 512, b, last = UINT64_MAX;
	unsigned i;

	v->bad_blocks = calloc(v->bad_sectors ? v->bad_sectors : 1, sizeof(uint64_t));
	if (!v->bad_blocks)
		return -1;
	for (i = 0; i < v->nbad; i++)
		for (b = v->bad[i].start / spb; b <= (v->bad[i].start + v->bad[i].len - 1) / spb;
		     b++)
			if (b != last && b < v->nblocks)
				v->bad_blocks[v->nbad_blocks++] = last = b;
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NSEC_PER_SEC),
			       .tv_nsec = (long)(ns % NSEC_PER_SEC) };

	nanosleep(&ts, NULL);
}

/*
 * One block, retried: 0 when an attempt succeeded (*lat its latency), -1
 * when none did or a stop signal came.
 */
static int block_io(struct validate *v, bool write, uint64_t blk, void *buf, bool bad,
		    struct pass_stats *ps, uint64_t *lat)
{
	uint64_t off = blk * v->bs;
	unsigned attempt;
	int first = 0, last = 0;
	bool ok = false;

	if (v->signal)
		return -1;  /* stopping: the block is neither tried nor counted */
	for (attempt = 0; attempt <= v->a->retries && !v->signal; attempt++) {
		uint64_t t0;
		ssize_t n;

		if (attempt)
			sleep_ns(v->a->retry_delay_ns);
		t0 = now_ns();
		n = write ? pwrite(v->fd, buf, v->bs, (off_t)off) :
			pread(v->fd, buf, v->bs, (off_t)off);
		*lat = now_ns() - t0;
		ps->attempts++;
		if (n == (ssize_t)v->bs) {
			ok = true;
			break;
		}
		last = n < 0 ? errno : EIO;
		if (!first)
			first = last;
		ps->failed_attempts++;
		v->signal = signals_pending();
	}
	ps->blocks++;
	ps->bad_blocks += bad;
	if (ok && attempt == 0) {
		ps->ok_first++;
		return 0;
	}
	if (bad && first)
		ps->bad_failed_first++;
	if (ok)
		ps->recovered++;
	else
		ps->never++;
	if (first && ps->nnotes < MAX_LISTED)
		ps->notes[ps->nnotes++] = (struct io_note){
			.off = off, .write = write, .bad = bad, .attempts = attempt + ok,
			.first_err = first, .last_err = ok ? 0 : last, .recovered = ok,
		};
	return ok ? 0 : -1;
}

static void write_pass(struct validate *v, void *buf)
{
	size_t cur = 0;
	uint64_t blk, lat;

	for (blk = 0; blk < v->nblocks && !v->signal; blk++) {
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		vblock_fill(buf, v->bs, blk * v->bs, DATA_GENERATION, v->data_seed, 0,
			    (uint64_t)rt.tv_sec * NSEC_PER_SEC + (uint64_t)rt.tv_nsec);
		if (block_io(v, true, blk, buf, block_is_bad(v, blk, &cur), &v->wr, &lat))
			v->unwritten[blk / 8] |= (uint8_t)(1u << (blk % 8));
		v->signal = v->signal ? v->signal : signals_pending();
	}
}

static void read_pass(struct validate *v, void *buf)
{
	size_t cur = 0;
	uint64_t blk, lat;

	for (blk = 0; blk < v->nblocks && !v->signal; blk++) {
		bool bad = block_is_bad(v, blk, &cur);
		struct vblock_mismatch mm;
		enum vblock_field f;

		if (block_io(v, false, blk, buf, bad, &v->rd, &lat)) {
			v->unreadable++;
			continue;
		}
		if (v->unwritten[blk / 8] & (1u << (blk % 8))) {
			v->unchecked++;  /* never written: nothing to expect */
			continue;
		}
		v->checked++;
		f = vblock_check(buf, v->bs, blk * v->bs, DATA_GENERATION, v->data_seed, &mm);
		if (f == VB_OK)
			continue;
		v->wrong++;
		if (v->nwrongs < MAX_LISTED)
			v->wrongs[v->nwrongs++] = (struct wrong_block){
				.off = blk * v->bs, .field = f, .found_off = mm.found_offset,
				.found_gen = mm.found_generation, .bad = bad,
			};
		v->signal = v->signal ? v->signal : signals_pending();
	}
}

/*
 * The remap penalty: latency_reads reads of each bad block that reads
 * back, against as many reads of random good blocks.
 */
static void latency_pass(struct validate *v, void *buf)
{
	struct prng r;
	size_t i, cur;
	unsigned k;

	prng_seed(&r, v->data_seed, 0x6c6174656e6379ULL);
	for (i = 0; i < v->nbad_blocks && !v->signal; i++) {
		uint64_t blk = v->bad_blocks[i];
		ssize_t n = pread(v->fd, buf, v->bs, (off_t)(blk * v->bs));

		if (n != (ssize_t)v->bs)
			continue;
		v->remapped_blocks++;
		for (k = 0; k < v->a->latency_reads && !v->signal; k++) {
			uint64_t t0 = now_ns(), good;

			if (pread(v->fd, buf, v->bs, (off_t)(blk * v->bs)) == (ssize_t)v->bs)
				hist_record(&v->lat_remapped, now_ns() - t0);
			/* A good block, drawn until one is not bad. */
			do {
				good = prng_below(&r, v->nblocks);
				cur = 0;
			} while (block_is_bad(v, good, &cur));
			t0 = now_ns();
			if (pread(v->fd, buf, v->bs, (off_t)(good * v->bs)) == (ssize_t)v->bs)
				hist_record(&v->lat_normal, now_ns() - t0);
			v->signal = signals_pending();
		}
	}
}

static int open_top(struct validate *v)
{
	int lbs = 0;

	v->fd = open(v->top.info.devnode, O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
	if (v->fd < 0) {
		log_error("cannot open %s: %s", v->top.info.devnode, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (ioctl(v->fd, BLKSSZGET, &lbs) || lbs <= 0)
		lbs = 512;
	v->lbs = (uint32_t)lbs;
	v->size = v->top.sectors * 512;
	v->bs = (uint32_t)v->a->bs;
	if (v->bs % v->lbs) {
		log_error("--bs: %u is not a multiple of the logical block size %u of %s", v->bs,
			  v->lbs, v->top.info.devnode);
		return EXIT_USAGE;
	}
	v->nblocks = v->size / v->bs;
	v->unwritten = calloc(v->nblocks / 8 + 1, 1);
	if (!v->unwritten || list_bad_blocks(v)) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	return 0;
}

/* ---- the checks ---------------------------------------------------------------- */

static void add_check(struct validate *v, const char *name, enum check_status st,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_check(struct validate *v, const char *name, enum check_status st,
		      const char *fmt, ...)
{
	struct check *c = &v->checks[v->nchecks++];
	/* After a stop signal only the teardown is a finished fact. */
	bool cut = v->signal && strcmp(name, "teardown");
	va_list ap;

	c->name = name;
	c->status = cut ? CK_NOT_CHECKED : st;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	if (cut) {
		size_t l = strlen(c->detail);

		snprintf(c->detail + l, sizeof(c->detail) - l, " [the run was interrupted]");
	}
}

static void check_inject(struct validate *v)
{
	if (v->a->inject == INJECT_TABLE)
		add_check(v, "inject", CK_PASS, "%llu bad sectors in %u error segments of %s, "
			  "under %s", (unsigned long long)v->bad_sectors, v->nbad, v->disk_name,
			  v->top.name);
	else if (!v->msgs_failed)
		add_check(v, "inject", CK_PASS, "%u test_remap messages accepted, %s", v->msgs_ok,
			  v->msg_reply[0] ? v->msg_reply : "no reply (as the module never gives one)");
	else
		add_check(v, "inject", CK_FAIL, "%u of %u test_remap messages rejected: %s",
			  v->msgs_failed, v->msgs_failed + v->msgs_ok, v->msg_err);
	if (v->a->inject == INJECT_MESSAGE)
		add_check(v, "errors_injected", CK_NOT_CHECKED, "no error segments with --inject "
			  "message");
	else if (!v->wr.bad_blocks)
		add_check(v, "errors_injected", CK_NOT_CHECKED, "no block holding a bad sector "
			  "was written");
	else if (v->wr.bad_failed_first == v->wr.bad_blocks)
		add_check(v, "errors_injected", CK_PASS, "each of the %llu blocks holding a bad "
			  "sector failed at its first write", (unsigned long long)v->wr.bad_blocks);
	else
		add_check(v, "errors_injected", CK_FAIL, "%llu of %llu blocks holding a bad sector "
			  "were written at the first attempt: the failing disk did not fail",
			  (unsigned long long)(v->wr.bad_blocks - v->wr.bad_failed_first),
			  (unsigned long long)v->wr.bad_blocks);
}

static void check_io(struct validate *v)
{
	uint64_t failed = v->wr.recovered + v->wr.never + v->rd.recovered + v->rd.never;
	uint64_t never = v->wr.never + v->rd.never;

	if (!failed)
		add_check(v, "retry_recovers", CK_NOT_CHECKED, "no I/O failed: nothing to recover");
	else if (!never)
		add_check(v, "retry_recovers", CK_PASS, "all %llu I/Os that failed succeeded on a "
			  "retry (%llu writes, %llu reads)", (unsigned long long)failed,
			  (unsigned long long)v->wr.recovered, (unsigned long long)v->rd.recovered);
	else
		add_check(v, "retry_recovers", CK_FAIL, "%llu of %llu I/Os that failed never "
			  "succeeded in %u attempts (%llu writes, %llu reads)",
			  (unsigned long long)never, (unsigned long long)failed, v->a->retries + 1,
			  (unsigned long long)v->wr.never, (unsigned long long)v->rd.never);
	if (!v->checked)
		add_check(v, "data_integrity", CK_NOT_CHECKED, "no written block could be read back");
	else if (!v->wrong)
		add_check(v, "data_integrity", CK_PASS, "%llu blocks read back with the right data "
			  "(%llu unreadable, %llu never written)", (unsigned long long)v->checked,
			  (unsigned long long)v->unreadable, (unsigned long long)v->unchecked);
	else
		add_check(v, "data_integrity", CK_FAIL, "%llu of %llu blocks read back wrong data "
			  "(the first at byte %llu: %s)", (unsigned long long)v->wrong,
			  (unsigned long long)v->checked, (unsigned long long)v->wrongs[0].off,
			  vblock_field_name(v->wrongs[0].field));
}

/* The module's counters against what userspace did and saw. */
static void check_counters(struct validate *v)
{
	uint64_t failed = v->wr.failed_attempts + v->rd.failed_attempts;
	struct remap_status b, a;
	struct remap_delta d;
	bool ok = false;

	if (strcmp(v->a->type, DMSTACK_REMAP_TYPE)) {
		add_check(v, "remap_counters", CK_NOT_CHECKED, "%s has no remap counters (only "
			  "dm-remap-v4 reports them)", v->a->type);
		add_check(v, "errors_accounted", CK_NOT_CHECKED, "%s has no error counter",
			  v->a->type);
		return;
	}
	if (v->status_before && v->status_after && remap_status_parse(v->status_before, &b) == 0) {
		if (remap_status_parse(v->status_after, &a) == 0) {
			ok = b.parsed && a.parsed && remap_status_delta(&b, &a, &d) == 0;
			remap_status_free(&a);
		}
		remap_status_free(&b);
	}
	if (!ok) {
		add_check(v, "remap_counters", CK_NOT_CHECKED, "the status could not be read or "
			  "parsed before and after");
		add_check(v, "errors_accounted", CK_NOT_CHECKED, "the status could not be read or "
			  "parsed before and after");
		return;
	}
	add_check(v, "remap_counters", d.active_mappings == (int64_t)v->bad_sectors ? CK_PASS :
		  CK_FAIL, "active_mappings %+lld, remaps %+lld, remapped_sectors %+lld for %llu "
		  "bad sectors", (long long)d.active_mappings, (long long)d.remaps,
		  (long long)d.remapped_sectors, (unsigned long long)v->bad_sectors);
	add_check(v, "errors_accounted", d.errors == (int64_t)failed ? CK_PASS : CK_FAIL,
		  "errors %+lld; userspace saw %llu failed I/Os", (long long)d.errors,
		  (unsigned long long)failed);
}

static void check_penalty_and_teardown(struct validate *v)
{
	if (!v->remapped_blocks || !v->lat_remapped.count || !v->lat_normal.count) {
		add_check(v, "remap_penalty", CK_NOT_CHECKED, "nothing was remapped: no block "
			  "holding a bad sector reads back");
	} else {
		double p50n = (double)hist_percentile(&v->lat_normal, 50);
		double p50r = (double)hist_percentile(&v->lat_remapped, 50);

		add_check(v, "remap_penalty", CK_PASS, "remapped blocks p50 %.1f us, p99 %.1f us; "
			  "others p50 %.1f us, p99 %.1f us (%+.1f%% at p50)", p50r / 1e3,
			  hist_percentile(&v->lat_remapped, 99) / 1e3, p50n / 1e3,
			  hist_percentile(&v->lat_normal, 99) / 1e3,
			  p50n > 0 ? (p50r - p50n) / p50n * 100 : 0.0);
	}
	if (v->teardown_ok)
		add_check(v, "teardown", CK_PASS, "%s and %s removed", v->top.name, v->disk_name);
	else
		add_check(v, "teardown", CK_FAIL, "%s", v->teardown_hung ? "a removal hung in the "
			  "kernel; the device may need a reboot to clear" :
			  "a device could not be removed (see the messages above)");
}

static void run_checks(struct validate *v)
{
	unsigned i;
	bool failed = false, unchecked = false;

	check_inject(v);
	check_io(v);
	check_counters(v);
	check_penalty_and_teardown(v);
	for (i = 0; i < v->nchecks; i++) {
		failed |= v->checks[i].status == CK_FAIL;
		unchecked |= v->checks[i].status == CK_NOT_CHECKED;
	}
	v->rc = v->signal ? signals_exit_status(v->signal) : failed ? EXIT_CHECK_FAILED :
		unchecked ? EXIT_NOT_CHECKED : EXIT_OK;
}

/* ---- the result ---------------------------------------------------------------- */

static json_t *errno_json(int e)
{
	const char *n = e ? strerrorname_np(e) : NULL;

	return n ? json_string(n) : e ? json_integer(e) : json_null();
}

static json_t *pass_json(const struct pass_stats *ps)
{
	json_t *notes = json_array();
	unsigned i;

	for (i = 0; i < ps->nnotes; i++) {
		const struct io_note *n = &ps->notes[i];

		json_array_append_new(notes, json_pack("{s:I, s:b, s:i, s:o, s:o, s:b}",
			"offset", (json_int_t)n->off, "bad_sector", n->bad,
			"attempts", (int)n->attempts, "first_error", errno_json(n->first_err),
			"last_error", errno_json(n->last_err), "recovered", n->recovered));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "blocks", (json_int_t)ps->blocks, "ok_first", (json_int_t)ps->ok_first,
			 "recovered_on_retry", (json_int_t)ps->recovered,
			 "never", (json_int_t)ps->never, "attempts", (json_int_t)ps->attempts,
			 "failed_attempts", (json_int_t)ps->failed_attempts,
			 "bad_blocks", (json_int_t)ps->bad_blocks,
			 "bad_blocks_failed_first", (json_int_t)ps->bad_failed_first,
			 "failed_ios", notes);
}

static json_t *lat_json(const struct hist *h)
{
	if (!h->count)
		return json_null();
	return json_pack("{s:I, s:f, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)h->count,
			 "mean", hist_mean(h), "min", (json_int_t)h->min,
			 "p50", (json_int_t)hist_percentile(h, 50),
			 "p99", (json_int_t)hist_percentile(h, 99),
			 "p99.9", (json_int_t)hist_percentile(h, 99.9), "max", (json_int_t)h->max);
}

static json_t *latency_json(const struct validate *v)
{
	json_t *pen = json_null();

	if (v->lat_remapped.count && v->lat_normal.count) {
		double n50 = (double)hist_percentile(&v->lat_normal, 50);
		double n99 = (double)hist_percentile(&v->lat_normal, 99);
		double nm = hist_mean(&v->lat_normal);

		pen = json_pack("{s:f, s:f, s:f}",
			"p50", n50 > 0 ? ((double)hist_percentile(&v->lat_remapped, 50) - n50) / n50 * 100 : 0,
			"p99", n99 > 0 ? ((double)hist_percentile(&v->lat_remapped, 99) - n99) / n99 * 100 : 0,
			"mean", nm > 0 ? (hist_mean(&v->lat_remapped) - nm) / nm * 100 : 0);
	}
	return json_pack("{s:I, s:i, s:o, s:o, s:o}",
			 "remapped_blocks", (json_int_t)v->remapped_blocks,
			 "reads_per_block", (int)v->a->latency_reads,
			 "remapped_ns", lat_json(&v->lat_remapped), "normal_ns", lat_json(&v->lat_normal),
			 "penalty_pct", pen);
}

static json_t *verify_json(const struct validate *v)
{
	json_t *w = json_array();
	unsigned i;

	for (i = 0; i < v->nwrongs; i++) {
		const struct wrong_block *b = &v->wrongs[i];

		json_array_append_new(w, json_pack("{s:I, s:s, s:I, s:I, s:b}",
			"offset", (json_int_t)b->off, "field", vblock_field_name(b->field),
			"found_offset", (json_int_t)b->found_off,
			"found_generation", (json_int_t)b->found_gen, "bad_sector", b->bad));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:o}", "blocks_checked", (json_int_t)v->checked,
			 "wrong", (json_int_t)v->wrong, "unreadable", (json_int_t)v->unreadable,
			 "never_written", (json_int_t)v->unchecked, "wrong_blocks", w);
}

static json_t *target_json(const struct validate *v)
{
	const char *type = v->a->type;
	json_t *dm, *delta, *bad = json_array();
	unsigned i;

	for (i = 0; i < v->nbad; i++)
		json_array_append_new(bad, json_pack("{s:I, s:I}", "start",
			(json_int_t)v->bad[i].start, "length", (json_int_t)v->bad[i].len));
	dm = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:o, s:o}",
		       "name", v->top.name, "uuid", v->top.uuid, "target_type", type,
		       "table", v->top_table, "main", v->top.main.path, "spare", v->top.spare.path,
		       "status_before", dmstack_status_json(type, v->status_before),
		       "status_after", dmstack_status_json(type, v->status_after));
	delta = dmstack_status_delta_json(type, v->status_before, v->status_after);
	json_object_set_new(dm, "status_delta", delta ? delta : json_null());
	if (!strcmp(type, DMSTACK_REMAP_TYPE)) {
		json_object_set_new(dm, "module_params", v->module_params ?
				    json_incref(v->module_params) : json_object());
		json_object_set_new(dm, "demo_mode", json_boolean(v->demo_mode));
	}
	return json_pack("{s:s, s:s, s:I, s:I, s:o, s:{s:s, s:s, s:s?, s:o}}",
			 "path", v->top.info.devnode, "kind", "dm",
			 "size_bytes", (json_int_t)v->size, "logical_block_size", (json_int_t)v->lbs,
			 "dm", dm, "failing_disk", "name", v->disk_name,
			 "main", v->disk_main.path, "table", v->disk_table, "bad_ranges", bad);
}

static json_t *params_json(const struct validate *v)
{
	const struct validate_args *a = v->a;

	return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?, s:I, s:I, s:I, s:i, s:f, s:I, s:i, "
			 "s:f, s:b, s:s, s:s}",
			 "main", a->main_dev, "spare", a->spare_dev, "target_type", a->type,
			 "params", a->params,
			 "inject", inject_names[a->inject], "bad_sectors", a->bad_list,
			 "bad_count", (json_int_t)(a->bad_count_set ? a->bad_count : 0),
			 "seed", (json_int_t)a->seed, "bs", (json_int_t)a->bs,
			 "retries", (int)a->retries, "retry_delay_s", (double)a->retry_delay_ns / 1e9,
			 "data_seed", (json_int_t)v->data_seed,
			 "latency_reads", (int)a->latency_reads,
			 "timeout_s", (double)a->timeout_ns / 1e9, "force", a->force,
			 "name", a->name, "output_format", out_format_names[a->output_format]);
}

static json_t *document(const struct validate *v)
{
	json_t *checks = json_array();
	unsigned i;

	for (i = 0; i < v->nchecks; i++)
		json_array_append_new(checks, json_pack("{s:s, s:s, s:s}",
			"name", v->checks[i].name, "status", check_status_names[v->checks[i].status],
			"detail", v->checks[i].detail));
	return json_pack("{s:i, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, "
			 "s:{s:b, s:b}, s:s, s:b}",
			 "schema_version", 1, "tool", "dmremap-bench", "version", PACKAGE_VERSION,
			 "command", "validate", "params", params_json(v), "target", target_json(v),
			 "environment", env_json(v->start_time), "checks", checks,
			 "io", "write", pass_json(&v->wr), "read", pass_json(&v->rd),
			 "verify", verify_json(v), "latency", latency_json(v),
			 "teardown", "ok", v->teardown_ok, "hung", v->teardown_hung,
			 "verdict", v->rc == EXIT_OK ? "pass" : v->rc == EXIT_CHECK_FAILED ? "fail" :
			 v->rc == EXIT_NOT_CHECKED ? "not_checked" : "interrupted",
			 "interrupted", v->signal != 0);
}

static void print_pass(FILE *f, const char *what, const struct pass_stats *ps, unsigned tries)
{
	fprintf(f, "  %-7s %llu blocks: %llu at once, %llu on a retry, %llu never (%u attempts "
		"each); %llu failed attempts\n", what, (unsigned long long)ps->blocks,
		(unsigned long long)ps->ok_first, (unsigned long long)ps->recovered,
		(unsigned long long)ps->never, tries, (unsigned long long)ps->failed_attempts);
}

static void print_report(FILE *f, const struct validate *v)
{
	static const char *const labels[] = { "PASS", "FAIL", "NOT CHECKED" };
	unsigned i;

	fprintf(f, "validate: %s over %s, a failing disk of %s with %llu bad sectors (%s), "
		"spare %s; bs %u, seed %llu%s\n", v->a->type, v->disk_name, v->disk_main.path,
		(unsigned long long)v->bad_sectors, inject_names[v->a->inject],
		v->top.spare.path, v->bs, (unsigned long long)v->a->seed,
		v->signal ? " [interrupted]" : "");
	fprintf(f, "  bad sectors:");
	for (i = 0; i < v->nbad && i < 16; i++)
		fprintf(f, v->bad[i].len > 1 ? " %llu-%llu" : " %llu", (unsigned long long)v->bad[i].start,
			(unsigned long long)(v->bad[i].start + v->bad[i].len - 1));
	fprintf(f, "%s\n", v->nbad > 16 ? " ..." : "");
	print_pass(f, "writes:", &v->wr, v->a->retries + 1);
	print_pass(f, "reads:", &v->rd, v->a->retries + 1);
	fprintf(f, "  data:   %llu blocks checked, %llu wrong, %llu unreadable, %llu never "
		"written\n", (unsigned long long)v->checked, (unsigned long long)v->wrong,
		(unsigned long long)v->unreadable, (unsigned long long)v->unchecked);
	fprintf(f, "checks:\n");
	for (i = 0; i < v->nchecks; i++)
		fprintf(f, "  %-11s  %-16s %s\n", labels[v->checks[i].status], v->checks[i].name,
			v->checks[i].detail);
	fprintf(f, "result: %s (exit status %d)\n", v->rc == EXIT_OK ? "PASS" :
		v->rc == EXIT_CHECK_FAILED ? "FAIL" : v->rc == EXIT_NOT_CHECKED ?
		"NOT VALIDATED (a check could not be made)" : "INTERRUPTED", v->rc);
}

/* JSON or the report where --output and --output-format say; EXIT_RUNTIME on failure. */
static int emit(const struct validate *v)
{
	const struct validate_args *a = v->a;
	json_t *doc = document(v);
	char *data = NULL;
	size_t len = 0;
	int rc = 0;

	if (a->output_format == OUT_JSON) {
		data = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		len = data ? strlen(data) : 0;
	} else {
		FILE *m = open_memstream(&data, &len);

		if (m) {
			print_report(m, v);
			fclose(m);
		}
	}
	json_decref(doc);
	if (!data) {
		log_error("out of memory for the result");
		return EXIT_RUNTIME;
	}
	if (a->output) {
		if (atomic_write_file(a->output, data, len)) {
			log_error("--output: cannot write %s: %s", a->output, strerror(errno));
			rc = EXIT_RUNTIME;
		}
		if (!a->quiet || rc)
			print_report(stdout, v);
	} else if (a->output_format == OUT_JSON) {
		fputs(data, stdout);
		fputc('\n', stdout);
	} else if (!a->quiet) {
		fputs(data, stdout);
	}
	fflush(stdout);
	free(data);
	return rc;
}

/* ---- the command --------------------------------------------------------------- */

static void free_validate(struct validate *v)
{
	dmstack_close(&v->top);
	dmw_close(&v->disk_d);
	free(v->disk_table);
	free(v->top_table);
	free(v->status_before);
	free(v->status_after);
	json_decref(v->module_params);
	free(v->bad_blocks);
	free(v->unwritten);
	hist_free(&v->lat_normal);
	hist_free(&v->lat_remapped);
}

static int run_io(struct validate *v)
{
	void *buf;

	if (posix_memalign(&buf, 4096, v->bs)) {
		log_error("out of memory for a %u-byte buffer", v->bs);
		return EXIT_RUNTIME;
	}
	write_pass(v, buf);
	read_pass(v, buf);
	latency_pass(v, buf);
	free(buf);
	return 0;
}

int cmd_validate(int argc, char **argv)
{
	struct validate_args a;
	struct validate *v;
	int rc = parse(argc, argv, &a);
	unsigned ms;

	if (rc != PARSE_CONTINUE)
		return rc;
	if (geteuid() != 0) {
		log_error("validate needs root (it creates device-mapper devices)");
		return EXIT_USAGE;
	}
	v = calloc(1, sizeof(*v));
	if (!v || hist_init(&v->lat_normal, HIST_BITS_PRECISE) ||
	    hist_init(&v->lat_remapped, HIST_BITS_PRECISE)) {
		log_error("out of memory");
		if (v)
			hist_free(&v->lat_normal);
		free(v);
		return EXIT_RUNTIME;
	}
	v->a = &a;
	v->fd = -1;
	if (!a.seed_set) {
		struct run_opts ro = { .seed_set = false };

		runopts_resolve(&ro);
		a.seed = ro.seed;
	}
	/* Fresh data every run: a lost write cannot pass on an earlier run's bytes. */
	{
		uint64_t x = now_ns() ^ ((uint64_t)getpid() << 32);

		v->data_seed = splitmix64(&x) >> 1;
	}
	iso8601_now(v->start_time, sizeof(v->start_time));
	crc32c_init();
	ms = (unsigned)(a.timeout_ns / NSEC_PER_MSEC);
	dmstack_init(&v->top, ms);
	dmw_init(&v->disk_d);
	v->disk_d.timeout_ms = v->disk_d.remove_timeout_ms = ms;
	rc = setup(v);
	if (!rc)
		rc = open_top(v);
	if (!rc)
		rc = run_io(v);
	if (v->top_built)
		v->status_after = status_lines(v);
	teardown(v);
	if (!rc) {
		int erc;

		run_checks(v);
		erc = emit(v);
		rc = v->rc ? v->rc : erc;
	} else if (!v->teardown_ok) {
		log_error("the devices could not all be removed ('dmremap-bench teardown' tries "
			  "again)");
	}
	free_validate(v);
	free(v);
	return rc;
}
