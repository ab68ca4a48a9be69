/*
 * status: the table and status of one device-mapper device, or of every
 * device dmremap-bench created; dm-remap-v4 status fields by name; and the
 * devices stuck in the kernel (dm/state.h), which make it exit 4.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/runopts.h"
#include "cmd/commands.h"
#include "dm/dm.h"
#include "dm/remap_status.h"
#include "dm/state.h"
#include "util/log.h"
#include "util/timeutil.h"

#define REMAP_TYPE "dm-remap-v4"

static json_t *segments_json(const struct dmw_table *t)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < t->n; i++) {
		json_t *s = json_object();

		json_object_set_new(s, "start", json_integer((json_int_t)t->seg[i].start));
		json_object_set_new(s, "length", json_integer((json_int_t)t->seg[i].len));
		json_object_set_new(s, "type", json_string(t->seg[i].type));
		json_object_set_new(s, "params", json_string(t->seg[i].params));
		json_array_append_new(a, s);
	}
	return a;
}

static void print_segments(const char *what, const struct dmw_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		printf("  %-7s %llu %llu %s%s%s\n", i ? "" : what,
		       (unsigned long long)t->seg[i].start, (unsigned long long)t->seg[i].len,
		       t->seg[i].type, t->seg[i].params[0] ? " " : "", t->seg[i].params);
	if (!t->n)
		printf("  %-7s (no table loaded)\n", what);
}

static void print_remap(const struct remap_status *st)
{
	struct remap_field f[REMAP_STATUS_NNUMBERS];
	size_t i;

	printf("    %-22s %s\n", "format", st->format);
	printf("    %-22s %s\n", "main_device", st->main_device);
	printf("    %-22s %s\n", "spare_device", st->spare_device);
	remap_status_numbers(st, f);
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		printf("    %-22s %llu\n", f[i].name, (unsigned long long)f[i].value);
	printf("    %-22s %s\n", "state", st->state);
	printf("    %-22s %s\n", "mode", st->mode);
}

/* The dm-remap-v4 segments of a status, parsed into the JSON (and printed). */
static void remap_fields(const char *name, const struct dmw_table *status, json_t *segs,
			 bool text)
{
	size_t i;

	for (i = 0; i < status->n; i++) {
		struct remap_status st;

		if (strcmp(status->seg[i].type, REMAP_TYPE))
			continue;
		if (remap_status_parse(status->seg[i].params, &st)) {
			log_error("out of memory");
			continue;
		}
		json_object_set_new(json_array_get(segs, i), "remap", remap_status_json(&st));
		if (!st.parsed)
			log_warn("%s: the %s status is not understood (%s); shown raw", name,
				 REMAP_TYPE, st.reason);
		else if (text)
			print_remap(&st);
		if (st.parsed && strcmp(st.mode, "demo") == 0)
			log_warn("%s: dm-remap runs in demo mode (no real I/O)", name);
		remap_status_free(&st);
	}
}

static bool uses_type(const struct dmw_table *t, const char *type)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->seg[i].type, type) == 0)
			return true;
	return false;
}

/* One device into devices[]; 0, or EXIT_RUNTIME after saying why. */
static int report_device(struct dmw *d, const char *name, json_t *devices, bool text,
			 bool *remap_seen)
{
	struct dmw_table table, status;
	struct dmw_info info;
	json_t *o = json_object();
	int rc;

	json_object_set_new(o, "name", json_string(name));
	json_array_append_new(devices, o);
	rc = dmw_info(d, name, &info);
	if (!rc && !info.exists) {
		snprintf(d->err, sizeof(d->err), "%s disappeared while being looked at", name);
		rc = DMW_ERR_NOENT;
	}
	if (!rc && (rc = dmw_get_table(d, name, &table)) == 0 &&
	    (rc = dmw_get_status(d, name, &status)) != 0)
		dmw_table_free(&table);
	if (rc) {
		log_error("%s", d->err);
		json_object_set_new(o, "error", json_string(d->err));
		return EXIT_RUNTIME;
	}
	json_object_set_new(o, "uuid", json_string(info.uuid));
	json_object_set_new(o, "path", json_string(info.devnode));
	json_object_set_new(o, "sysname", json_string(info.sysname));
	json_object_set_new(o, "major", json_integer(info.major));
	json_object_set_new(o, "minor", json_integer(info.minor));
	json_object_set_new(o, "open_count", json_integer(info.open_count));
	json_object_set_new(o, "suspended", json_boolean(info.suspended));
	json_object_set_new(o, "ours", json_boolean(dmw_uuid_is_ours(info.uuid)));
	json_object_set_new(o, "table", segments_json(&table));
	json_object_set_new(o, "status", segments_json(&status));
	if (text) {
		printf("%s: %s (%s, %u:%u), open count %d%s, uuid %s\n", name, info.devnode,
		       info.sysname, info.major, info.minor, info.open_count,
		       info.suspended ? ", SUSPENDED" : "", info.uuid[0] ? info.uuid : "(none)");
		print_segments("table", &table);
		print_segments("status", &status);
	}
	if (uses_type(&status, REMAP_TYPE)) {
		*remap_seen = true;
		remap_fields(name, &status, json_object_get(o, "status"), text);
	}
	dmw_table_free(&table);
	dmw_table_free(&status);
	return 0;
}

/* The target's version and the module's parameters, as the results record them. */
static json_t *remap_module_json(struct dmw *d, bool text)
{
	json_t *o = json_object(), *params = json_object();
	const char *dir = "/sys/module/dm_remap/parameters";
	unsigned v[3];
	char ver[48] = "";
	struct dirent *de;
	DIR *dd;

	if (dmw_target_version(d, REMAP_TYPE, &v[0], &v[1], &v[2]) == DMW_OK) {
		snprintf(ver, sizeof(ver), "%u.%u.%u", v[0], v[1], v[2]);
		json_object_set_new(o, "target_version", json_string(ver));
	}
	dd = opendir(dir);
	while (dd && (de = readdir(dd))) {
		char val[128];

		if (de->d_name[0] == '.' ||
		    dmw_module_param("dm_remap", de->d_name, val, sizeof(val)))
			continue;
		json_object_set_new(params, de->d_name, json_string(val));
	}
	if (dd)
		closedir(dd);
	json_object_set_new(o, "parameters", params);
	if (text) {
		const char *key;
		json_t *val;

		printf("%s target %s; module parameters:", REMAP_TYPE, ver[0] ? ver : "(unknown)");
		json_object_foreach(params, key, val)
			printf(" %s=%s", key, json_string_value(val));
		printf("%s\n", json_object_size(params) ? "" : " (none readable)");
	}
	return o;
}

/* NAME as given, else with the prefix. 0 and the name, or an exit status. */
static int find_named(struct dmw *d, const char *given, char *name, size_t len)
{
	char prefixed[DMW_NAME_MAX + 8];
	struct dmw_info info;

	if (dmw_info(d, given, &info)) {
		log_error("%s", d->err);
		return EXIT_RUNTIME;
	}
	if (info.exists) {
		snprintf(name, len, "%s", given);
		return 0;
	}
	if (dmw_make_name(given, prefixed, sizeof(prefixed)) == 0 && strcmp(prefixed, given)) {
		if (dmw_info(d, prefixed, &info)) {
			log_error("%s", d->err);
			return EXIT_RUNTIME;
		}
		if (info.exists) {
			snprintf(name, len, "%s", prefixed);
			return 0;
		}
	}
	log_error("no device-mapper device named %s", given);
	return EXIT_USAGE;
}

/* The stuck device a NAME (or dmrb-NAME) refers to, or -1. */
static long stuck_named(const struct dmstate_review *rv, const char *given)
{
	char prefixed[DMW_NAME_MAX + 8];
	size_t i;

	if (dmw_make_name(given, prefixed, sizeof(prefixed)))
		prefixed[0] = '\0';
	for (i = 0; i < rv->n; i++)
		if (rv->v[i].recorded && (!strcmp(rv->v[i].rec.name, given) ||
					  !strcmp(rv->v[i].rec.name, prefixed)))
			return (long)i;
	return -1;
}

/* Stuck devices into stuck[] (and printed): from, or only one when which >= 0. */
static void report_stuck(const struct dmstate_review *rv, long which, json_t *stuck, bool text)
{
	long long now = (long long)time(NULL);
	char block[4096];
	size_t i;

	for (i = 0; i < rv->n; i++) {
		if (which >= 0 && (size_t)which != i)
			continue;
		json_array_append_new(stuck, dmstate_stuck_json(&rv->v[i], now));
		if (text) {
			dmstate_stuck_block(&rv->v[i], now, block, sizeof(block));
			printf("\n%s", block);
		}
	}
}

static int report(struct dmw *d, const char *given, bool text, json_t *doc)
{
	json_t *devices = json_array(), *stuck = json_array();
	struct dmstate_review rv;
	bool remap_seen = false;
	char name[256];
	size_t nstuck = 0;
	long which = -1;
	int rc = 0;

	json_object_set_new(doc, "devices", devices);
	json_object_set_new(doc, "stuck", stuck);
	/* What earlier removals left stuck; records of what is gone are deleted. */
	dmstate_review_now(d, true, &rv);
	dmstate_say_cleared(&rv);
	if (given) {
		which = stuck_named(&rv, given);
		if (which >= 0 && rv.v[which].live != DMSTATE_PRESENT) {
			if (text)
				printf("%s: no such device in device-mapper's list; stuck in the "
				       "kernel:\n", given);
		} else {
			rc = find_named(d, given, name, sizeof(name));
			if (rc) {
				dmstate_review_free(&rv);
				return rc;
			}
			rc = report_device(d, name, devices, text, &remap_seen);
		}
		if (which >= 0) {
			report_stuck(&rv, which, stuck, text);
			nstuck = 1;
		}
	} else {
		struct dmw_list l;
		size_t i;

		if (dmw_list(d, true, &l)) {
			log_error("%s", d->err);
			dmstate_review_free(&rv);
			return EXIT_RUNTIME;
		}
		if (!l.n && text && !rv.n)
			printf("no dmremap-bench devices\n");
		else if (!l.n && text)
			printf("device-mapper lists no dmremap-bench device, but %zu %s stuck in "
			       "the kernel:\n", rv.n, rv.n == 1 ? "is" : "are");
		for (i = 0; i < l.n; i++) {
			if (text && i)
				printf("\n");
			if (report_device(d, l.dev[i].name, devices, text, &remap_seen))
				rc = EXIT_RUNTIME;
		}
		dmw_list_free(&l);
		report_stuck(&rv, -1, stuck, text);
		nstuck = rv.n;
	}
	if (remap_seen) {
		if (text)
			printf("\n");
		json_object_set_new(doc, "dm_remap", remap_module_json(d, text));
	}
	if (nstuck) {
		log_error("%zu device%s stuck in the kernel (%s); %s a reboot to clear", nstuck,
			  nstuck == 1 ? " is" : "s are", text ? "above" : "\"stuck\"",
			  nstuck == 1 ? "it needs" : "each needs");
		rc = EXIT_RUNTIME;
	}
	dmstate_review_free(&rv);
	return rc;
}

struct status_args {
	int format;
	uint64_t timeout_ns;
	char *pos[1];
	int npos;
};

/* Options, no I/O: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct status_args *a)
{
	static const struct opt_usage usage = {
		.command = "status",
		.synopsis = "[NAME] [--output-format normal|json] [--timeout T]",
		.args_kind = COMPLETE_DM,
		.summary = "Show the table and status of a device-mapper device, or of every device\n"
			   "dmremap-bench created; dm-remap-v4 status fields by name. Devices whose\n"
			   "removal is stuck in the kernel are shown too (exit status 4).",
	};
	int rc;

	memset(a, 0, sizeof(*a));
	a->format = OUT_NORMAL;
	a->timeout_ns = DMW_DEFAULT_TIMEOUT_MS * NSEC_PER_MSEC;
	{
		const struct opt table[] = {
			{ .type = OPT_CHOICE, .name = "output-format", .value = &a->format,
			  .argh = "FMT", .choices = out_format_names,
			  .help = "normal or json" },
			{ .type = OPT_DURATION, .name = "timeout", .value = &a->timeout_ns,
			  .argh = "T", .min = NSEC_PER_SEC, .max = 3600 * NSEC_PER_SEC,
			  .help = "give up on a device-mapper call after T (default 10s)" },
			OPT_END_MARK,
		};

		rc = opts_parse(argc, argv, table, &usage, a->pos, 1, &a->npos);
		if (rc == OPTS_HELP)
			return EXIT_OK;
		if (rc)
			return EXIT_USAGE;
	}
	return PARSE_CONTINUE;
}

DEFINE_PARSE_ONLY(status, struct status_args, parse)

int cmd_status(int argc, char **argv)
{
	struct status_args a;
	struct dmw d;
	char err[512];
	json_t *doc;
	int rc = parse(argc, argv, &a);

	if (rc != PARSE_CONTINUE)
		return rc;
	if (geteuid() != 0) {
		log_error("status needs root (device-mapper queries do)");
		return EXIT_USAGE;
	}
	if (!dmstate_dir(err, sizeof(err))) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	dmw_init(&d);
	d.timeout_ms = d.remove_timeout_ms = (unsigned)(a.timeout_ns / NSEC_PER_MSEC);
	if (dmw_available(&d)) {
		log_error("%s", d.err);
		dmw_close(&d);
		return EXIT_USAGE;
	}
	doc = json_object();
	rc = report(&d, a.npos ? a.pos[0] : NULL, a.format == OUT_NORMAL, doc);
	if (a.format == OUT_JSON && rc != EXIT_USAGE) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
	}
	json_decref(doc);
	dmw_close(&d);
	return rc;
}
