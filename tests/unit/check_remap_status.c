/*
 * The dm-remap-v4 status parser, the deadline runner behind every dm call,
 * and the name/UUID helpers: everything of src/dm that needs no kernel.
 */
#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dm/deadline.h"
#include "dm/dm.h"
#include "dm/remap_status.h"
#include "util/timeutil.h"

/* Recorded from the real module on a fresh 64 MiB device (6.12 kernel). */
#define RECORDED "0 131072 dm-remap-v4 v4.0-phase1.4 /dev/ram0 /dev/ram1 0 0 0 0 0 0 0 0 0 " \
		 "512 131072 0 0 0 0 0 0 0 0 0 100 0 0 operational real"
#define RECORDED_PARAMS (RECORDED + strlen("0 131072 dm-remap-v4 "))

/* A status with every number different: field k (4..26) holds 1000 + k. */
static void numbered_line(char *buf, size_t len, const char *prefix, const char *tail)
{
	size_t used;
	int k;

	used = (size_t)snprintf(buf, len, "%sv4.0-phase1.4 /dev/loop7 /dev/loop8", prefix);
	for (k = 4; k <= 26; k++)
		used += (size_t)snprintf(buf + used, len - used, " %d", 1000 + k);
	snprintf(buf + used, len - used, " %s", tail);
}

/* ---- the parser ------------------------------------------------------------ */

static void check_recorded_fields(const struct remap_status *st)
{
	struct remap_field f[REMAP_STATUS_NNUMBERS];
	int i;

	ck_assert(st->parsed);
	ck_assert_str_eq(st->reason, "");
	ck_assert_str_eq(st->format, "v4.0-phase1.4");
	ck_assert_str_eq(st->main_device, "/dev/ram0");
	ck_assert_str_eq(st->spare_device, "/dev/ram1");
	ck_assert_uint_eq(st->sector_size, 512);
	ck_assert_uint_eq(st->spare_device_sectors, 131072);
	ck_assert_uint_eq(st->health_score, 100);
	ck_assert_str_eq(st->state, "operational");
	ck_assert_str_eq(st->mode, "real");
	/* Every other number is zero on a fresh device. */
	remap_status_numbers(st, f);
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++) {
		if (!strcmp(f[i].name, "sector_size") || !strcmp(f[i].name, "spare_device_sectors") ||
		    !strcmp(f[i].name, "health_score"))
			continue;
		ck_assert_msg(f[i].value == 0, "%s is %llu", f[i].name,
			      (unsigned long long)f[i].value);
	}
}

START_TEST(recorded_with_prefix)
{
	struct remap_status st;

	ck_assert_int_eq(remap_status_parse(RECORDED, &st), 0);
	check_recorded_fields(&st);
	ck_assert(st.has_prefix);
	ck_assert_uint_eq(st.start, 0);
	ck_assert_uint_eq(st.length, 131072);
	ck_assert_str_eq(st.target_type, "dm-remap-v4");
	ck_assert_str_eq(st.raw, RECORDED);
	remap_status_free(&st);
	remap_status_free(&st);  /* twice is harmless */
}
END_TEST

START_TEST(recorded_without_prefix)
{
	struct remap_status st;

	ck_assert_int_eq(remap_status_parse(RECORDED_PARAMS, &st), 0);
	check_recorded_fields(&st);
	ck_assert(!st.has_prefix);
	ck_assert_str_eq(st.target_type, "");
	ck_assert_str_eq(st.raw, RECORDED_PARAMS);
	remap_status_free(&st);
}
END_TEST

START_TEST(every_field_in_its_place)
{
	static const char *const order[] = {
		"reads", "writes", "remaps", "errors", "active_mappings", "io_ops",
		"total_time_ns", "avg_latency_ns", "throughput_bps", "sector_size",
		"spare_device_sectors", "total_ios", "normal_ios", "remapped_ios",
		"remapped_sectors", "cache_hits", "cache_misses", "fast_path_hits",
		"slow_path_hits", "health_scans", "health_score", "hotspot_count",
		"cache_hit_rate",
	};
	struct remap_field f[REMAP_STATUS_NNUMBERS];
	struct remap_status st;
	char line[512];
	int i;

	numbered_line(line, sizeof(line), "", "maintenance demo");
	ck_assert_int_eq(remap_status_parse(line, &st), 0);
	ck_assert_msg(st.parsed, "%s", st.reason);
	ck_assert_str_eq(st.main_device, "/dev/loop7");
	ck_assert_str_eq(st.spare_device, "/dev/loop8");
	ck_assert_uint_eq(st.reads, 1004);
	ck_assert_uint_eq(st.writes, 1005);
	ck_assert_uint_eq(st.remaps, 1006);
	ck_assert_uint_eq(st.errors, 1007);
	ck_assert_uint_eq(st.active_mappings, 1008);
	ck_assert_uint_eq(st.sector_size, 1013);
	ck_assert_uint_eq(st.total_ios, 1015);
	ck_assert_uint_eq(st.slow_path_hits, 1022);
	ck_assert_uint_eq(st.cache_hit_rate, 1026);
	ck_assert_str_eq(st.state, "maintenance");
	ck_assert_str_eq(st.mode, "demo");
	remap_status_numbers(&st, f);
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++) {
		ck_assert_str_eq(f[i].name, order[i]);
		ck_assert_uint_eq(f[i].value, (uint64_t)(1004 + i));
	}
	remap_status_free(&st);
}
END_TEST

START_TEST(blanks_and_newline)
{
	struct remap_status st;
	char line[600];
	size_t i;

	/* Tabs and runs of spaces between tokens, a newline at the end. */
	snprintf(line, sizeof(line), "  %s\n", RECORDED);
	for (i = 0; line[i]; i++)
		if (line[i] == ' ' && i % 7 == 0)
			line[i] = '\t';
	ck_assert_int_eq(remap_status_parse(line, &st), 0);
	check_recorded_fields(&st);
	ck_assert(st.raw[strlen(st.raw) - 1] != '\n');
	remap_status_free(&st);
}
END_TEST

START_TEST(largest_number)
{
	struct remap_status st;
	char line[600];

	snprintf(line, sizeof(line), "v4.0-phase1.4 /a /b 18446744073709551615 0 0 0 0 0 0 0 "
		 "0 512 131072 0 0 0 0 0 0 0 0 0 100 0 0 operational real");
	ck_assert_int_eq(remap_status_parse(line, &st), 0);
	ck_assert(st.parsed);
	ck_assert_uint_eq(st.reads, UINT64_MAX);
	remap_status_free(&st);
}
END_TEST

static const struct {
	const char *line;
	const char *reason;  /* a piece of the reason */
} bad_lines[] = {
	{ "", "empty" },
	{ "   \n", "empty" },
	{ "0 131072 dm-remap-v4", "no fields" },
	{ "0 131072 dm-remap-v4 v4.1-phase2.0 /dev/ram0 /dev/ram1 0 0 0 0 0 0 0 0 0 512 131072 0 0 0 "
	  "0 0 0 0 0 0 100 0 0 operational real", "unknown format tag 'v4.1-phase2.0'" },
	{ "0 131072 remap 1 /dev/sda /dev/sdb", "unknown format tag '1'" },
	{ "hello world", "unknown format tag 'hello'" },
	{ "\x01\x02\x03 \xff", "unknown format tag" },
	/* 27 and 29 tokens */
	{ "v4.0-phase1.4 /dev/ram0 /dev/ram1 0 0 0 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 0 0 0 100 0 "
	  "operational real", "found 27" },
	{ "0 8 dm-remap-v4 v4.0-phase1.4 /dev/ram0 /dev/ram1 0 0 0 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 "
	  "0 0 0 100 0 0 operational real extra", "found 29" },
	{ "v4.0-phase1.4", "found 1" },
	/* a word where a number belongs, a sign, an overflow */
	{ "v4.0-phase1.4 /a /b 0 0 abc 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 0 0 0 100 0 0 "
	  "operational real", "field 6 (remaps) is not a number: 'abc'" },
	{ "v4.0-phase1.4 /a /b -1 0 0 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 0 0 0 100 0 0 "
	  "operational real", "field 4 (reads)" },
	{ "v4.0-phase1.4 /a /b 18446744073709551616 0 0 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 0 0 0 "
	  "100 0 0 operational real", "field 4 (reads)" },
	{ "v4.0-phase1.4 /a /b 0 0 0 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 0 0 0 100 0 0x1 "
	  "operational real", "field 26 (cache_hit_rate)" },
	{ "v4.0-phase1.4 /a /b 0 0 0 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 0 0 0 100 0 0 "
	  "broken real", "field 27 is 'broken'" },
	{ "v4.0-phase1.4 /a /b 0 0 0 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 0 0 0 100 0 0 "
	  "operational fake", "field 28 is 'fake'" },
};

START_TEST(unparsed_lines)
{
	struct remap_status st;
	json_t *j;

	ck_assert_int_eq(remap_status_parse(bad_lines[_i].line, &st), 0);
	ck_assert_msg(!st.parsed, "'%s' parsed", bad_lines[_i].line);
	ck_assert_msg(strstr(st.reason, bad_lines[_i].reason), "reason '%s' lacks '%s'",
		      st.reason, bad_lines[_i].reason);
	ck_assert_ptr_nonnull(st.raw);
	/* Nothing half-parsed is left behind. */
	ck_assert_ptr_null(st.main_device);
	ck_assert_uint_eq(st.reads, 0);
	ck_assert_str_eq(st.state, "");
	j = remap_status_json(&st);
	ck_assert(json_is_false(json_object_get(j, "parsed")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "reason")), st.reason);
	ck_assert_ptr_nonnull(json_object_get(j, "raw"));
	ck_assert_ptr_null(json_object_get(j, "reads"));
	json_decref(j);
	remap_status_free(&st);
}
END_TEST

START_TEST(null_and_huge)
{
	struct remap_status st;
	char *line;
	size_t i;

	ck_assert_int_eq(remap_status_parse(NULL, &st), 0);
	ck_assert(!st.parsed);
	ck_assert_str_eq(st.raw, "");
	remap_status_free(&st);
	/* Far more tokens than any status has. */
	line = malloc(20001);
	ck_assert_ptr_nonnull(line);
	for (i = 0; i < 10000; i++)
		memcpy(line + 2 * i, "7 ", 2);
	line[20000] = '\0';
	ck_assert_int_eq(remap_status_parse(line, &st), 0);
	ck_assert(!st.parsed);
	ck_assert_msg(strstr(st.reason, "found"), "%s", st.reason);
	ck_assert_uint_eq(strlen(st.raw), 19999);
	remap_status_free(&st);
	free(line);
}
END_TEST

/*
 * Mutations of the recorded line (a token replaced, dropped or doubled):
 * never a crash, and "parsed" only for 28 well-formed fields.
 */
START_TEST(mutations)
{
	static const char *const junk[] = {
		"x", "-1", "", "0", "99999999999999999999", "v4.0-phase1.4", "maintenance",
		"demo", "\t", "1e3", "/dev/ram9",
	};
	char *tok[40], line[1024], work[1024];
	unsigned seed = 12345;
	int iter, parsed = 0;

	for (iter = 0; iter < 3000; iter++) {
		struct remap_status st;
		size_t n = 0, i, used = 0;
		unsigned r, pos;
		char *save = NULL, *t;
		json_t *j;

		snprintf(work, sizeof(work), "%s", RECORDED);
		for (t = strtok_r(work, " ", &save); t; t = strtok_r(NULL, " ", &save))
			tok[n++] = t;
		seed = seed * 1103515245 + 12345;
		r = (seed >> 8) % 3;
		pos = (seed >> 12) % n;
		line[0] = '\0';
		for (i = 0; i < n; i++) {
			const char *w = tok[i];

			if (i == pos && r == 0)
				w = junk[(seed >> 20) % (sizeof(junk) / sizeof(junk[0]))];
			if (i == pos && r == 1)
				continue;
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s",
						 used ? " " : "", w);
			if (i == pos && r == 2)
				used += (size_t)snprintf(line + used, sizeof(line) - used, " %s", w);
		}
		ck_assert_int_eq(remap_status_parse(line, &st), 0);
		if (st.parsed) {
			parsed++;
			ck_assert_ptr_nonnull(st.main_device);
			ck_assert(!strcmp(st.mode, "real") || !strcmp(st.mode, "demo"));
		} else {
			ck_assert_str_ne(st.reason, "");
		}
		j = remap_status_json(&st);
		ck_assert_ptr_nonnull(j);
		ck_assert_ptr_nonnull(json_object_get(j, "raw"));
		json_decref(j);
		remap_status_free(&st);
	}
	/* Some mutations keep the line valid (a 0 for a 0, a path for a path). */
	ck_assert_int_gt(parsed, 0);
	ck_assert_int_lt(parsed, 3000);
}
END_TEST

START_TEST(json_not_utf8)
{
	struct remap_status st;
	json_t *j;

	ck_assert_int_eq(remap_status_parse("tag\xff\xfe /dev/r\xe9 x", &st), 0);
	ck_assert(!st.parsed);
	ck_assert_str_eq(st.raw, "tag\xff\xfe /dev/r\xe9 x");  /* the bytes, unchanged */
	j = remap_status_json(&st);
	ck_assert_str_eq(json_string_value(json_object_get(j, "raw")), "tag?? /dev/r? x");
	ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "reason")));
	json_decref(j);
	remap_status_free(&st);
}
END_TEST

START_TEST(json_every_field)
{
	struct remap_field f[REMAP_STATUS_NNUMBERS];
	struct remap_status st;
	char line[512];
	json_t *j;
	int i;

	numbered_line(line, sizeof(line), "0 2048 dm-remap-v4 ", "operational real");
	ck_assert_int_eq(remap_status_parse(line, &st), 0);
	ck_assert(st.parsed);
	j = remap_status_json(&st);
	ck_assert(json_is_true(json_object_get(j, "parsed")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "raw")), line);
	ck_assert_str_eq(json_string_value(json_object_get(j, "format")), "v4.0-phase1.4");
	ck_assert_str_eq(json_string_value(json_object_get(j, "main_device")), "/dev/loop7");
	ck_assert_str_eq(json_string_value(json_object_get(j, "spare_device")), "/dev/loop8");
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "operational");
	ck_assert_str_eq(json_string_value(json_object_get(j, "mode")), "real");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "length")), 2048);
	ck_assert_str_eq(json_string_value(json_object_get(j, "target_type")), "dm-remap-v4");
	remap_status_numbers(&st, f);
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		ck_assert_int_eq(json_integer_value(json_object_get(j, f[i].name)), 1004 + i);
	/* parsed, raw, start, length, target_type, format, 2 paths, 23 numbers, 2 words */
	ck_assert_uint_eq(json_object_size(j), 33);
	json_decref(j);
	remap_status_free(&st);
}
END_TEST

/* ---- deltas ---------------------------------------------------------------- */

static void parse_ok(const char *line, struct remap_status *st)
{
	ck_assert_int_eq(remap_status_parse(line, st), 0);
	ck_assert_msg(st->parsed, "%s: %s", line, st->reason);
}

START_TEST(delta_counts)
{
	struct remap_status a, b;
	struct remap_delta d;
	json_t *j;

	parse_ok(RECORDED, &a);
	/* After 15 failed I/Os to 2 bad sectors, as observed: 15 pending, 0 remaps. */
	parse_ok("v4.0-phase1.4 /dev/ram0 /dev/ram1 40 25 0 0 15 65 9000 138 2000 512 131072 65 "
		 "65 0 0 3 1 2 0 0 100 2 75 operational real", &b);
	ck_assert_int_eq(remap_status_delta(&a, &b, &d), 0);
	ck_assert(d.valid);
	ck_assert(!d.counters_reset);
	ck_assert_int_eq(d.reads, 40);
	ck_assert_int_eq(d.writes, 25);
	ck_assert_int_eq(d.remaps, 0);
	ck_assert_int_eq(d.errors, 0);
	ck_assert_int_eq(d.active_mappings, 15);
	ck_assert_int_eq(d.io_ops, 65);
	ck_assert_int_eq(d.cache_hits, 3);
	ck_assert_int_eq(d.hotspot_count, 2);
	ck_assert_int_eq(d.sector_size, 0);
	j = remap_delta_json(&d);
	ck_assert(json_is_true(json_object_get(j, "valid")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "active_mappings")), 15);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "reads")), 40);
	ck_assert(json_is_false(json_object_get(j, "counters_reset")));
	/* Gauges are not deltas worth showing. */
	ck_assert_ptr_null(json_object_get(j, "sector_size"));
	ck_assert_ptr_null(json_object_get(j, "health_score"));
	json_decref(j);

	/* Backwards: clear_stats happened in between. */
	ck_assert_int_eq(remap_status_delta(&b, &a, &d), 0);
	ck_assert_int_eq(d.reads, -40);
	ck_assert_int_eq(d.active_mappings, -15);
	ck_assert(d.counters_reset);
	remap_status_free(&a);
	remap_status_free(&b);
}
END_TEST

START_TEST(delta_refused)
{
	struct remap_status a, b, c;
	struct remap_delta d;
	json_t *j;

	parse_ok(RECORDED, &a);
	parse_ok("v4.0-phase1.4 /dev/ram2 /dev/ram1 0 0 0 0 0 0 0 0 0 512 131072 0 0 0 0 0 0 0 0 0 "
		 "100 0 0 operational real", &b);
	ck_assert_int_eq(remap_status_parse("garbage", &c), 0);
	ck_assert_int_eq(remap_status_delta(&a, &b, &d), -1);
	ck_assert(!d.valid);
	ck_assert_msg(strstr(d.reason, "different devices"), "%s", d.reason);
	ck_assert_int_eq(remap_status_delta(&a, &c, &d), -1);
	ck_assert_msg(strstr(d.reason, "later"), "%s", d.reason);
	ck_assert_int_eq(remap_status_delta(&c, &a, &d), -1);
	ck_assert_msg(strstr(d.reason, "earlier"), "%s", d.reason);
	j = remap_delta_json(&d);
	ck_assert(json_is_false(json_object_get(j, "valid")));
	ck_assert_ptr_null(json_object_get(j, "reads"));
	json_decref(j);
	remap_status_free(&a);
	remap_status_free(&b);
	remap_status_free(&c);
}
END_TEST

/* ---- the deadline runner --------------------------------------------------- */

struct payload {
	size_t len;
	int rc;
};

static int send_pattern(struct deadline_child *c, void *arg)
{
	const struct payload *p = arg;
	char *buf = malloc(p->len);
	size_t i;

	for (i = 0; i < p->len; i++)
		buf[i] = (char)('a' + i % 26);
	deadline_stage(c, "writing");
	deadline_write(c, buf, p->len / 2);
	deadline_write(c, buf + p->len / 2, p->len - p->len / 2);
	free(buf);
	return p->rc;
}

START_TEST(deadline_delivers)
{
	/* 1 MiB: more than a pipe holds, so the parent must read as it waits. */
	struct payload p = { .len = 1 << 20, .rc = 7 };
	struct deadline_result r;
	size_t i;

	ck_assert_int_eq(deadline_run(send_pattern, &p, 5000, 0, &r), DEADLINE_DONE);
	ck_assert_int_eq(r.child_rc, 7);
	ck_assert_uint_eq(r.len, p.len);
	for (i = 0; i < r.len; i++)
		if (r.data[i] != (char)('a' + i % 26))
			ck_abort_msg("byte %zu differs", i);
	ck_assert_int_eq(r.data[r.len], '\0');
	ck_assert_str_eq(r.stage, "writing");
	ck_assert_int_eq(r.left_behind, 0);
	deadline_result_free(&r);
}
END_TEST

static int sleep_long(struct deadline_child *c, void *arg)
{
	(void)arg;
	deadline_stage(c, "sleeping");
	sleep(30);
	deadline_write(c, "late", 4);
	return 0;
}

START_TEST(deadline_hangs)
{
	struct deadline_result r;
	uint64_t t0 = now_ns(), took_ms;
	int reaped = 0, i;

	ck_assert_int_eq(deadline_run(sleep_long, NULL, 200, DEADLINE_NULL_STDIO, &r), DEADLINE_HUNG);
	took_ms = (now_ns() - t0) / NSEC_PER_MSEC;
	ck_assert_msg(took_ms >= 190 && took_ms < 1500, "returned after %llu ms",
		      (unsigned long long)took_ms);
	ck_assert_str_eq(r.stage, "sleeping");
	ck_assert_uint_eq(r.len, 0);
	ck_assert_int_gt(r.pid, 0);
	ck_assert_msg(strstr(r.what, "pid "), "what: '%s'", r.what);
	/* It was sent SIGKILL: a sleeping child goes soon, and is reaped without waiting. */
	for (i = 0; i < 200 && !reaped; i++) {
		reaped = deadline_reap(r.pid);
		if (!reaped)
			usleep(10000);
	}
	ck_assert(reaped);
	deadline_result_free(&r);
}
END_TEST

START_TEST(deadline_zero_timeout)
{
	struct deadline_result r;
	uint64_t t0 = now_ns();

	ck_assert_int_eq(deadline_run(sleep_long, NULL, 0, 0, &r), DEADLINE_HUNG);
	ck_assert_uint_lt((now_ns() - t0) / NSEC_PER_MSEC, 1000);
	while (!deadline_reap(r.pid))
		usleep(10000);
	deadline_result_free(&r);
}
END_TEST

static int die_by_signal(struct deadline_child *c, void *arg)
{
	(void)arg;
	deadline_write(c, "partial", 7);
	kill(getpid(), SIGKILL);
	return 0;
}

static int exit_early(struct deadline_child *c, void *arg)
{
	(void)c;
	(void)arg;
	_exit(3);
}

START_TEST(deadline_child_dies)
{
	struct deadline_result r;

	ck_assert_int_eq(deadline_run(die_by_signal, NULL, 5000, 0, &r), DEADLINE_FAILED);
	ck_assert_int_eq(r.term_signal, SIGKILL);
	ck_assert_int_eq(r.left_behind, 0);
	deadline_result_free(&r);
	ck_assert_int_eq(deadline_run(exit_early, NULL, 5000, 0, &r), DEADLINE_FAILED);
	ck_assert_int_eq(r.term_signal, 0);
	deadline_result_free(&r);
}
END_TEST

/* Reports, for fd 1 and the fd given, whether it is open and is /dev/null. */
static int look_at_fds(struct deadline_child *c, void *arg)
{
	int fds[2] = { 1, *(int *)arg }, i;
	char line[64];
	struct stat st;

	for (i = 0; i < 2; i++) {
		int open_ = fstat(fds[i], &st) == 0;
		int null = open_ && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);

		snprintf(line, sizeof(line), "%d:%d%d ", fds[i], open_, null);
		deadline_write(c, line, strlen(line));
	}
	return 0;
}

START_TEST(deadline_child_inherits_nothing)
{
	struct deadline_result r;
	int fd = open("/proc/self/stat", O_RDONLY), p[2], saved = dup(1);
	char want[64];

	ck_assert_int_ge(fd, 3);
	/* Without flags the child has what the parent has. */
	ck_assert_int_eq(deadline_run(look_at_fds, &fd, 5000, 0, &r), DEADLINE_DONE);
	snprintf(want, sizeof(want), " %d:10 ", fd);
	ck_assert_msg(strstr(r.data, want), "%s", r.data);
	deadline_result_free(&r);
	/* stdout a pipe someone reads to EOF: the child must not keep it open. */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(dup2(p[1], 1), 1);
	close(p[1]);
	ck_assert_int_eq(deadline_run(look_at_fds, &fd, 5000, DEADLINE_CLOSE_FDS |
				      DEADLINE_NULL_STDIO | DEADLINE_NULL_STDERR, &r),
			 DEADLINE_DONE);
	dup2(saved, 1);
	close(saved);
	close(p[0]);
	snprintf(want, sizeof(want), "1:11 %d:00 ", fd);
	ck_assert_str_eq(r.data, want);
	deadline_result_free(&r);
	close(fd);
}
END_TEST

START_TEST(deadline_describe_self)
{
	char buf[160];

	deadline_describe(getpid(), buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "pid ") && strstr(buf, "state R"), "%s", buf);
	deadline_describe(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

/* ---- names, UUIDs, hints ----------------------------------------------------- */

START_TEST(names)
{
	char out[200], longname[200];

	ck_assert_int_eq(dmw_make_name("x", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "dmrb-x");
	ck_assert_int_eq(dmw_make_name("dmrb-x", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "dmrb-x");
	ck_assert_int_eq(dmw_make_name("ram0.a#b+c:d=e@f_g-h", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "dmrb-ram0.a#b+c:d=e@f_g-h");
	ck_assert_int_eq(dmw_make_name("", out, sizeof(out)), -1);
	ck_assert_int_eq(dmw_make_name("dmrb-", out, sizeof(out)), -1);
	ck_assert_int_eq(dmw_make_name("..", out, sizeof(out)), -1);
	ck_assert_int_eq(dmw_make_name("a/b", out, sizeof(out)), -1);
	ck_assert_msg(strstr(out, "'/'"), "%s", out);
	ck_assert_int_eq(dmw_make_name("a b", out, sizeof(out)), -1);
	/* The longest name keeps the UUID within 128 characters. */
	memset(longname, 'n', DMW_NAME_MAX - 5);
	longname[DMW_NAME_MAX - 5] = '\0';
	ck_assert_int_eq(dmw_make_name(longname, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), DMW_NAME_MAX);
	strcat(longname, "n");
	ck_assert_int_eq(dmw_make_name(longname, out, sizeof(out)), -1);
	/* Too small an output buffer is an error, not a truncated name. */
	ck_assert_int_eq(dmw_make_name("abcdef", out, 8), -1);
	ck_assert(dmw_name_is_ours("dmrb-x"));
	ck_assert(!dmw_name_is_ours("dmrb-"));
	ck_assert(!dmw_name_is_ours("vg-lv"));
	ck_assert(!dmw_name_is_ours(NULL));
}
END_TEST

START_TEST(uuids)
{
	char name[200], uuid[DMW_UUID_MAX + 1];

	dmw_uuid_for("dmrb-x", uuid, sizeof(uuid));
	ck_assert_str_eq(uuid, "DMRB-dmrb-x");
	ck_assert(dmw_uuid_is_ours(uuid));
	ck_assert(!dmw_uuid_is_ours("LVM-abc"));
	ck_assert(!dmw_uuid_is_ours("dmrb-x"));
	ck_assert(!dmw_uuid_is_ours("DMRB-"));
	ck_assert(!dmw_uuid_is_ours(""));
	ck_assert(!dmw_uuid_is_ours(NULL));
	memset(name, 'n', DMW_NAME_MAX);
	name[DMW_NAME_MAX] = '\0';
	dmw_uuid_for(name, uuid, sizeof(uuid));
	ck_assert_uint_le(strlen(uuid), DMW_UUID_MAX);
	ck_assert_str_eq(uuid + strlen(DMW_UUID_PREFIX), name);
}
END_TEST

START_TEST(hints)
{
	char buf[128];

	dmw_target_hint("dm-remap-v4", buf, sizeof(buf));
	ck_assert_str_eq(buf, "modprobe dm-bufio && modprobe dm_remap");
	dmw_target_hint("flakey", buf, sizeof(buf));
	ck_assert_str_eq(buf, "modprobe dm-flakey");
	dmw_target_hint("linear", buf, sizeof(buf));
	ck_assert_str_eq(buf, "modprobe dm-mod");
	dmw_target_hint("thin-pool", buf, sizeof(buf));
	ck_assert_str_eq(buf, "modprobe dm-thin-pool");
	ck_assert_str_eq(dmw_err_name(DMW_ERR_HUNG), "hung");
	ck_assert_str_eq(dmw_err_name(99), "unknown");
}
END_TEST

/* Without device-mapper every call fails at once, with the way out. */
START_TEST(no_device_mapper)
{
	struct dmw_segment seg = { 0, 2048, "linear", "/dev/null 0" };
	struct dmw d;
	FILE *f;
	char line[128];
	bool misc = false;

	f = fopen("/proc/misc", "r");
	while (f && fgets(line, sizeof(line), f))
		misc |= strstr(line, " device-mapper") != NULL;
	if (f)
		fclose(f);
	dmw_init(&d);
	if (access("/dev/mapper/control", F_OK) == 0 || misc) {
		ck_assert_int_eq(dmw_available(&d), DMW_OK);
	} else {
		uint64_t t0 = now_ns();

		ck_assert_int_eq(dmw_available(&d), DMW_ERR_NODM);
		ck_assert_msg(strstr(d.err, "modprobe dm-mod"), "%s", d.err);
		ck_assert_int_eq(dmw_create(&d, "dmrb-unit", NULL, &seg, 1, NULL), DMW_ERR_NODM);
		ck_assert_int_eq(dmw_remove(&d, "dmrb-unit"), DMW_ERR_NODM);
		ck_assert_uint_lt((now_ns() - t0) / NSEC_PER_MSEC, 1000);
	}
	dmw_close(&d);
}
END_TEST

static Suite *dm_suite(void)
{
	Suite *s = suite_create("dm");
	TCase *tc;

	tc = tcase_create("remap_status");
	tcase_add_test(tc, recorded_with_prefix);
	tcase_add_test(tc, recorded_without_prefix);
	tcase_add_test(tc, every_field_in_its_place);
	tcase_add_test(tc, blanks_and_newline);
	tcase_add_test(tc, largest_number);
	tcase_add_loop_test(tc, unparsed_lines, 0, sizeof(bad_lines) / sizeof(bad_lines[0]));
	tcase_add_test(tc, null_and_huge);
	tcase_add_test(tc, json_every_field);
	tcase_add_test(tc, json_not_utf8);
	tcase_add_test(tc, mutations);
	tcase_add_test(tc, delta_counts);
	tcase_add_test(tc, delta_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("deadline");
	tcase_add_test(tc, deadline_delivers);
	tcase_add_test(tc, deadline_hangs);
	tcase_add_test(tc, deadline_zero_timeout);
	tcase_add_test(tc, deadline_child_dies);
	tcase_add_test(tc, deadline_child_inherits_nothing);
	tcase_add_test(tc, deadline_describe_self);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, names);
	tcase_add_test(tc, uuids);
	tcase_add_test(tc, hints);
	tcase_add_test(tc, no_device_mapper);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
