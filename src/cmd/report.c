/*
 * report: a result file as one self-contained HTML page with inline SVG
 * charts (or the charts as .svg files), optionally against a baseline;
 * or its figures for other tools: CSV (result/result_csv.h) and the
 * latency histograms as an HdrHistogram interval log (report/hdrlog.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/options.h"
#include "cmd/commands.h"
#include "report/hdrlog.h"
#include "report/report.h"
#include "result/output.h"
#include "result/baseline_store.h"
#include "result/load.h"
#include "result/result_csv.h"
#include "util/log.h"

enum report_format { FORMAT_HTML, FORMAT_SVG, FORMAT_CSV, FORMAT_HDR };

static const char *const format_names[] = { "html", "svg", "csv", "hdr", NULL };
/* The default output next to the result, per format. */
static const char *const format_suffix[] = { ".html", "-charts", ".csv", ".hlog" };

struct report_opts {
	const char *baseline;
	const char *baseline_dir;
	const char *output;
	int format;
	int csv_rows;
	bool csv_rows_set;
	bool quiet;
};

static json_t *load_result(const char *path)
{
	char err[1024];
	json_t *doc = result_load(path, 0, err, sizeof(err));

	if (!doc)
		log_error("%s", err);
	return doc;
}

/*
 * "run.json" -> "run" + suffix: the default output next to the result.
 * A descriptor (/dev/stdin, /dev/fd/N) is no place to put it next to: that
 * would create /dev/stdin.html. (What else is no result file, the loader
 * refuses.)
 */
static int default_output(const char *input, const char *suffix, char *out, size_t len)
{
	size_t n = strlen(input);

	if (output_descriptor(input) >= 0) {
		log_error("--output: needed, as %s is a descriptor, not a file to put the report "
			  "next to (allowed: -o FILE, or -o - for standard output)", input);
		return -1;
	}
	if (n > 5 && strcmp(input + n - 5, ".json") == 0)
		n -= 5;
	if (snprintf(out, len, "%.*s%s", (int)n, input, suffix) >= (int)len) {
		log_error("--output: the name %s%s is too long", input, suffix);
		return -1;
	}
	return 0;
}

/* One file under the output rule (result/output.h). */
static int write_out(const char *path, const struct sbuf *b, const char *what)
{
	const char *s = sbuf_str(b);
	char why[OUTPUT_WHY_LEN];
	char *data = s ? malloc(b->len + 1) : NULL;

	if (!data) {
		log_error("out of memory while writing %s", path);
		return EXIT_RUNTIME;
	}
	memcpy(data, s, b->len + 1);
	if (output_write(path, data, b->len, what, why, sizeof(why))) {
		log_error("--output: %s", why);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int write_html(const struct report *r, const char *source, const char *path)
{
	struct sbuf b;
	int rc;

	sbuf_init(&b);
	report_html(r, source, &b);
	rc = write_out(path, &b, "the report");
	sbuf_free(&b);
	if (!rc)
		log_info("wrote %s (%zu charts)", path, r->ncharts);
	return rc;
}

static int chart_path(const struct report *r, size_t i, const char *dir, char *path,
		      size_t len)
{
	if (snprintf(path, len, "%s/%02zu-%s.svg", dir, i + 1, r->charts[i].id) >= (int)len) {
		log_error("--output: the path %s is too long", dir);
		return -1;
	}
	return 0;
}

/* One NN-id.svg per chart in dir (created if missing). */
static int write_svgs(const struct report *r, const char *dir)
{
	char path[PATH_MAX], why[OUTPUT_WHY_LEN];
	struct stat st;
	size_t i;
	int rc = EXIT_OK;

	/* Every chart's file under the output rule before the first is written. */
	for (i = 0; i < r->ncharts; i++) {
		if (chart_path(r, i, dir, path, sizeof(path)))
			return EXIT_USAGE;
		if (output_check(path, why, sizeof(why))) {
			log_error("--output: %s", why);
			return EXIT_USAGE;
		}
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		log_error("--output: cannot create the directory %s: %s", dir, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		log_error("--output: %s is not a directory (--format svg writes one file per "
			  "chart into a directory)", dir);
		return EXIT_USAGE;
	}
	for (i = 0; i < r->ncharts && !rc; i++) {
		struct sbuf b;

		if (chart_path(r, i, dir, path, sizeof(path)))
			return EXIT_USAGE;
		sbuf_init(&b);
		report_chart_svg(r, i, &b, true);
		rc = write_out(path, &b, "the chart");
		sbuf_free(&b);
	}
	if (!rc)
		log_info("wrote %zu charts into %s", r->ncharts, dir);
	return rc;
}

/* --format csv or hdr: the result's own figures, no charts. */
static int write_figures(json_t *doc, const char *input, const struct report_opts *o)
{
	char err[1024];
	struct sbuf b;
	int rc;

	sbuf_init(&b);
	if (o->format == FORMAT_HDR) {
		if (hdr_log(doc, input, &b, err, sizeof(err))) {
			log_error("%s %s", input, err);
			sbuf_free(&b);
			return EXIT_USAGE;
		}
	} else {
		char *csv = NULL;

		if (!json_is_object(json_object_get(doc, "results"))) {
			log_error("%s has no \"results\" to write as CSV (a comparison document? "
				  "compare --output-format csv writes its rows)", input);
			sbuf_free(&b);
			return EXIT_USAGE;
		}
		csv = result_csv(doc, (enum csv_rows)o->csv_rows);
		if (csv)
			sbuf_add(&b, csv);
		free(csv);
		if (!csv)
			b.failed = true;
	}
	rc = write_out(o->output, &b, o->format == FORMAT_HDR ? "the histogram log" : "the CSV");
	sbuf_free(&b);
	if (!rc && !output_is_stdout(o->output))
		log_info("wrote %s", o->output);
	return rc;
}

/* Options and their checks: PARSE_CONTINUE, or the exit status. */
static int parse(int argc, char **argv, struct report_opts *o, const char **input)
{
	static const struct opt_usage usage = {
		.command = "report",
		.synopsis = "RESULT.json [--baseline NAME|FILE] [-o PATH] [--format html|svg|csv|hdr]",
		.args_kind = COMPLETE_FILE,
		.summary = "Draw a result as one self-contained HTML page with inline SVG charts:\n"
			   "throughput and latency over time, latency percentiles, drift,\n"
			   "scale steps, phases, and the comparison against a baseline; or write\n"
			   "its figures as CSV, or its latency histograms as an HdrHistogram log.",
	};
	const struct opt table[] = {
		{ .type = OPT_GROUP, .help = "Report" },
		{ .type = OPT_STRING, .name = "baseline", .value = &o->baseline,
		  .argh = "NAME|FILE",
		  .help = "compare against a stored baseline or result file, overlay its curves" },
		{ .type = OPT_STRING, .name = "baseline-dir", .value = &o->baseline_dir,
		  .argh = "DIR", .help = "where baselines live (default: see dmremap-bench-baseline(1))" },
		{ .type = OPT_CHOICE, .name = "format", .value = &o->format, .argh = "FMT",
		  .choices = format_names,
		  .help = "html (one page, default), svg (one file per chart), csv, or hdr "
			  "(HdrHistogram interval log)" },
		{ .type = OPT_CHOICE, .name = "csv-rows", .value = &o->csv_rows, .argh = "ROWS",
		  .choices = csv_rows_names, .set = &o->csv_rows_set,
		  .help = "csv: intervals (one row per interval, default) or summary "
			  "(per run, part, stream)" },
		{ .type = OPT_GROUP, .help = "Output" },
		{ .type = OPT_STRING, .name = "output", .short_name = 'o', .value = &o->output,
		  .argh = "PATH",
		  .help = "the page, - for stdout (default RESULT.html, .csv, .hlog); with "
			  "--format svg a directory (default RESULT-charts); see OUTPUTS in "
			  "dmremap-bench(1)" },
		{ .type = OPT_BOOL, .name = "quiet", .short_name = 'q', .value = &o->quiet,
		  .help = "do not say where the report went" },
		OPT_END_MARK,
	};
	char *pos[1];
	int npos = 0, rc;

	*o = (struct report_opts){ .format = FORMAT_HTML };
	rc = opts_parse(argc, argv, table, &usage, pos, 1, &npos);
	if (rc == OPTS_HELP)
		return EXIT_OK;
	if (rc)
		return EXIT_USAGE;
	if (npos != 1) {
		log_error("expected one result file RESULT.json");
		return EXIT_USAGE;
	}
	if (o->csv_rows_set && o->format != FORMAT_CSV) {
		log_error("--csv-rows: applies to --format csv only (allowed: with it, or without "
			  "--csv-rows)");
		return EXIT_USAGE;
	}
	if (o->baseline && (o->format == FORMAT_CSV || o->format == FORMAT_HDR)) {
		log_error("--baseline: applies to --format html and svg only (the charts; csv and "
			  "hdr write the result's own figures)");
		return EXIT_USAGE;
	}
	*input = pos[0];
	return PARSE_CONTINUE;
}

int parse_report(int argc, char **argv)
{
	struct report_opts o;
	const char *input;
	int rc = parse(argc, argv, &o, &input);

	return rc == PARSE_CONTINUE ? EXIT_OK : rc;
}

int cmd_report(int argc, char **argv)
{
	char where[4096] = "", err[1024], out[PATH_MAX], why[OUTPUT_WHY_LEN];
	json_t *doc, *base = NULL;
	struct report_opts o;
	const char *input;
	struct report r;
	int rc;

	rc = parse(argc, argv, &o, &input);
	if (rc != PARSE_CONTINUE)
		return rc;
	log_set_quiet(o.quiet);
	/* Where the report goes, under the output rule, before anything is read. */
	if (!o.output) {
		if (default_output(input, format_suffix[o.format], out, sizeof(out)))
			return EXIT_USAGE;
		o.output = out;
	}
	if (o.format == FORMAT_SVG ? output_check_dir(o.output, why, sizeof(why)) :
	    output_check(o.output, why, sizeof(why))) {
		log_error("--output: %s", why);
		return EXIT_USAGE;
	}
	doc = load_result(input);
	if (!doc)
		return EXIT_USAGE;
	if (o.format == FORMAT_CSV || o.format == FORMAT_HDR) {
		rc = write_figures(doc, input, &o);
		json_decref(doc);
		return rc;
	}
	if (o.baseline) {
		char dir[PATH_MAX];

		baseline_dir(o.baseline_dir, dir, sizeof(dir));
		base = baseline_load(dir, o.baseline, where, sizeof(where), err, sizeof(err));
		if (!base) {
			log_error("--baseline: %s", err);
			json_decref(doc);
			return EXIT_USAGE;
		}
	}
	if (report_build(&r, doc, base, where, err, sizeof(err))) {
		log_error("%s: %s", input, err);
		rc = EXIT_USAGE;
	} else if (o.format == FORMAT_SVG) {
		rc = write_svgs(&r, o.output);
	} else {
		rc = write_html(&r, input, o.output);
	}
	report_free(&r);
	json_decref(doc);
	json_decref(base);
	return rc;
}
