#include <stdio.h>
#include <string.h>

#include "result/cost.h"
#include "result/fleet.h"
#include "result/outliers.h"
#include "result/result_text.h"

static double jnum(json_t *o, const char *a, const char *b)
{
	json_t *x = json_object_get(o, a);

	return json_number_value(b ? json_object_get(x, b) : x);
}

static void row(FILE *f, const char *label, const char *what, json_t *res, const char *extra)
{
	json_t *t = json_object_get(res, "total"), *e = json_object_get(res, "errors");
	char iops[16], p50[16], p99[16];

	format_count(jnum(t, "iops", NULL), iops, sizeof(iops));
	format_ns(jnum(t, "lat_ns", "p50"), p50, sizeof(p50));
	format_ns(jnum(t, "lat_ns", "p99"), p99, sizeof(p99));
	fprintf(f, "  %-20.20s %-22.22s %10s %9.1f %9s %9s %7.0f%s%s\n", label, what, iops,
		jnum(t, "bw_bytes_per_s", NULL) / 1e6, p50, p99,
		jnum(e, "io", NULL) + jnum(e, "short", NULL) + jnum(e, "verify", NULL),
		extra[0] ? "  " : "", extra);
}

void fleet_print(FILE *f, json_t *doc)
{
	json_t *hosts = json_object_get(doc, "hosts"), *h, *d, *p = json_object_get(doc, "params");
	json_t *out = json_object_get(doc, "outliers"), *st = json_object_get(doc, "start");
	size_t i, k, ndev = 0;
	bool many = false;
	char off[32], lbl[64], line[512];

	fprintf(f, "fleet: %zu hosts, %s %s, bs %lld, %.0f s (merged %s)\n",
		json_array_size(hosts), json_string_value(json_object_get(doc, "command")) ?: "?",
		json_string_value(json_object_get(p, "rw")) ?: "",
		(long long)json_integer_value(json_object_get(p, "bs")),
		jnum(p, "duration_s", NULL),
		json_string_value(json_object_get(json_object_get(doc, "environment"),
						  "merged_at")) ?: "");
	if (json_is_object(st)) {
		format_ns(jnum(st, "spread_ns", NULL), off, sizeof(off));
		fprintf(f, "  the hosts began within %s of each other\n", off);
	}
	fprintf(f, "  %-20s %-22s %10s %9s %9s %9s %7s  %s\n", "host", "target", "IOPS", "MB/s",
		"p50", "p99", "errors", "start vs --start-at");
	json_array_foreach(hosts, i, h) {
		json_t *devs = json_object_get(h, "devices");
		char what[64];

		if (json_is_integer(json_object_get(h, "start_offset_ns"))) {
			double o = jnum(h, "start_offset_ns", NULL);

			format_ns(o < 0 ? -o : o, off + 1, sizeof(off) - 1);
			off[0] = o < 0 ? '-' : '+';
		} else {
			snprintf(off, sizeof(off), "-");
		}
		if (json_array_size(devs)) {
			snprintf(what, sizeof(what), "%zu devices", json_array_size(devs));
			many = true;
		} else {
			snprintf(what, sizeof(what), "%s", json_string_value(json_object_get(
				json_object_get(h, "target"), "path")) ?: "?");
		}
		row(f, json_string_value(json_object_get(h, "hostname")) ?: "?", what,
		    json_object_get(h, "results"), off);
		json_array_foreach(devs, k, d) {
			snprintf(lbl, sizeof(lbl), "  device %zu", k + 1);
			row(f, lbl, json_string_value(json_object_get(json_object_get(d, "target"),
								      "path")) ?: "?",
			    json_object_get(d, "results"), "");
			ndev++;
		}
	}
	row(f, "fleet", "", json_object_get(doc, "results"), "");
	/* Every host's CPU added up (merge: only when every host measured it). */
	cost_line(json_object_get(doc, "results"), line, sizeof(line));
	if (line[0])
		fprintf(f, "  cost, all hosts: %s\n", line);
	if (json_object_get(out, "hosts"))
		outliers_print(f, json_object_get(out, "hosts"), "hosts", "  ");
	if (many && json_object_get(out, "devices"))
		outliers_print(f, json_object_get(out, "devices"), "devices of the fleet", "  ");
	if (json_array_size(json_object_get(doc, "workload_mismatches")))
		json_array_foreach(json_object_get(doc, "workload_mismatches"), i, d)
			fprintf(f, "  merged anyway: %s\n", json_string_value(d));
	(void)ndev;
}
