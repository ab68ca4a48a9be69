/*
 * The dm-remap STATUS parser on arbitrary lines: parse, to JSON, the
 * delta of two parses. Besides memory safety it checks that a parsed
 * status prints back to a line that parses to the same fields, and that
 * a status compared with itself is a valid delta of zeros.
 *
 * Input: one status line, or two separated by a NUL byte (before, after).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/remap_status.h"

static void check(int cond)
{
	if (!cond)
		__builtin_trap();
}

static void check_json(json_t *j)
{
	char *text;

	check(j != NULL);
	text = json_dumps(j, JSON_COMPACT);
	check(text != NULL);
	free(text);
	json_decref(j);
}

/* The 28 tokens of a parsed status, printed the way the target prints them. */
static char *reprint(const struct remap_status *st)
{
	struct remap_field f[REMAP_STATUS_NNUMBERS];
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int i;

	check(m != NULL);
	remap_status_numbers(st, f);
	fprintf(m, "%s %s %s", st->format, st->main_device, st->spare_device);
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		fprintf(m, " %" PRIu64, f[i].value);
	fprintf(m, " %s %s", st->state, st->mode);
	fclose(m);
	return buf;
}

static void same_fields(const struct remap_status *a, const struct remap_status *b)
{
	struct remap_field fa[REMAP_STATUS_NNUMBERS], fb[REMAP_STATUS_NNUMBERS];
	int i;

	check(a->parsed && b->parsed);
	check(strcmp(a->format, b->format) == 0);
	check(strcmp(a->main_device, b->main_device) == 0);
	check(strcmp(a->spare_device, b->spare_device) == 0);
	check(strcmp(a->state, b->state) == 0 && strcmp(a->mode, b->mode) == 0);
	remap_status_numbers(a, fa);
	remap_status_numbers(b, fb);
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		check(fa[i].value == fb[i].value && strcmp(fa[i].name, fb[i].name) == 0);
}

static void one_status(const struct remap_status *st)
{
	struct remap_status again;
	struct remap_delta d;
	char *line;

	check(memchr(st->reason, '\0', sizeof(st->reason)) != NULL);
	check(st->parsed == (st->reason[0] == '\0'));
	check_json(remap_status_json(st));
	if (!st->parsed) {
		check(remap_status_delta(st, st, &d) == -1 && !d.valid && d.reason[0]);
		check_json(remap_delta_json(&d));
		return;
	}
	line = reprint(st);
	check(remap_status_parse(line, &again) == 0);
	same_fields(st, &again);
	remap_status_free(&again);
	free(line);

	check(remap_status_delta(st, st, &d) == 0 && d.valid && !d.counters_reset);
	check_json(remap_delta_json(&d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *second;
	struct remap_status a, b;
	struct remap_delta d;

	check(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	/* The parser takes C strings: a NUL ends the first line. */
	second = text + strlen(text);
	second = second < text + size ? second + 1 : NULL;

	check(remap_status_parse(text, &a) == 0);
	one_status(&a);
	if (second) {
		check(remap_status_parse(second, &b) == 0);
		one_status(&b);
		if (remap_status_delta(&a, &b, &d) == 0)
			check(d.valid && a.parsed && b.parsed);
		else
			check(!d.valid && d.reason[0]);
		check_json(remap_delta_json(&d));
		remap_status_free(&b);
	}
	remap_status_free(&a);
	free(text);
	return 0;
}
