#include "cli/options.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/units.h"
#include "util/log.h"

void opts_bad_value(const char *option, const char *value, const char *allowed)
{
	log_error("%s: invalid value '%s' (allowed: %s)", option, value, allowed);
}

int opts_choice_index(const char *const *choices, const char *const *aliases,
		      const char *word)
{
	int i;

	for (i = 0; choices[i]; i++) {
		if (strcmp(choices[i], word) == 0)
			return i;
		if (aliases && aliases[i] && strcmp(aliases[i], word) == 0)
			return i;
	}
	return -1;
}

static void choice_list(const struct opt *o, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; o->choices[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", o->choices[i]);
}

static void range_text(const struct opt *o, char *buf, size_t len)
{
	char lo[32], hi[32];

	if (o->type == OPT_SIZE) {
		format_size(o->min, lo, sizeof(lo));
		format_size(o->max, hi, sizeof(hi));
	} else if (o->type == OPT_DURATION) {
		format_duration(o->min, lo, sizeof(lo));
		format_duration(o->max, hi, sizeof(hi));
	} else {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)o->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)o->max);
	}
	if (o->max)
		snprintf(buf, len, "%s to %s", lo, hi);
	else
		snprintf(buf, len, "%s or more", lo);
	if (o->special && o->special_max)
		snprintf(buf + strlen(buf), len - strlen(buf), ", %s or %s", o->special,
			 o->special_max);
	else if (o->special || o->special_max)
		snprintf(buf + strlen(buf), len - strlen(buf), " or %s",
			 o->special ? o->special : o->special_max);
}

static bool name_is(const char *name, const char *word, size_t len)
{
	return name && strlen(name) == len && strncmp(name, word, len) == 0;
}

/* name: the spelling given, the option's or its alias (messages name what was typed). */
static int store_value(const struct opt *o, const char *name, const char *arg)
{
	char opt[64], allowed[256];
	uint64_t v = 0;
	int rc;

	snprintf(opt, sizeof(opt), "--%s", name);
	switch (o->type) {
	case OPT_STRING:
		if (!*arg) {
			opts_bad_value(opt, arg, o->help);
			return -1;
		}
		*(const char **)o->value = arg;
		return 0;
	case OPT_LIST: {
		struct opt_list *l = o->value;

		if (!*arg) {
			opts_bad_value(opt, arg, o->help);
			return -1;
		}
		if (l->n == OPT_LIST_MAX) {
			log_error("%s: given more than %d times (allowed: at most %d values)", opt,
				  OPT_LIST_MAX, OPT_LIST_MAX);
			return -1;
		}
		l->v[l->n++] = arg;
		return 0;
	}
	case OPT_CHOICE:
		rc = opts_choice_index(o->choices, o->aliases, arg);
		if (rc < 0) {
			choice_list(o, allowed, sizeof(allowed));
			opts_bad_value(opt, arg, allowed);
			return -1;
		}
		*(int *)o->value = rc;
		return 0;
	case OPT_DOUBLE: {
		char *end;
		double d;

		errno = 0;
		d = strtod(arg, &end);
		if (errno || end == arg || *end || d != d || d < o->dmin || d > o->dmax) {
			snprintf(allowed, sizeof(allowed), "a number from %g to %g", o->dmin, o->dmax);
			opts_bad_value(opt, arg, allowed);
			return -1;
		}
		*(double *)o->value = d;
		return 0;
	}
	case OPT_UINT:
	case OPT_U64:
	case OPT_SIZE:
	case OPT_DURATION:
		break;
	default:
		return -1;
	}

	if (o->special && strcmp(arg, o->special) == 0) {
		v = 0;
	} else if (o->special_max && o->type == OPT_UINT && strcmp(arg, o->special_max) == 0) {
		v = UINT32_MAX;
	} else {
		if (o->type == OPT_SIZE)
			rc = parse_size(arg, &v);
		else if (o->type == OPT_DURATION)
			rc = parse_duration(arg, &v);
		else
			rc = parse_u64(arg, &v);
		range_text(o, allowed, sizeof(allowed));
		if (o->type == OPT_UINT && !o->max)
			snprintf(allowed, sizeof(allowed), "%llu to %u", (unsigned long long)o->min,
				 UINT32_MAX);
		if (rc) {
			const char *kind = o->type == OPT_SIZE ? "a size like 4k, 64K, 1M" :
				o->type == OPT_DURATION ? "a duration like 90, 90s, 5m, 2h" :
				"a whole number";
			log_error("%s: invalid value '%s' (expected %s; allowed: %s)",
				  opt, arg, kind, allowed);
			return -1;
		}
		if (v < o->min || (o->max && v > o->max) ||
		    (o->type == OPT_UINT && v > UINT32_MAX)) {
			log_error("%s: '%s' is out of range (allowed: %s)", opt, arg, allowed);
			return -1;
		}
	}
	if (o->type == OPT_UINT)
		*(unsigned *)o->value = (unsigned)v;
	else
		*(uint64_t *)o->value = v;
	return 0;
}

static const struct opt *find_long(const struct opt *t, const char *name, size_t len)
{
	for (; t->type != OPT_END; t++)
		if (t->type != OPT_GROUP && (name_is(t->name, name, len) ||
					     name_is(t->alias, name, len)))
			return t;
	return NULL;
}

/*
 * Optimal string alignment distance (Levenshtein plus the swap of two
 * neighbours, "iodpeth"), for names of at most 63 characters.
 */
static unsigned edit_distance(const char *a, size_t la, const char *b)
{
	unsigned d[64][64];
	size_t lb = strlen(b), i, j;

	if (la > 63 || lb > 63)
		return UINT32_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *opts_suggest(const struct opt *t, const char *word, size_t len)
{
	/* A typo: one edit in four letters ("--tme", "--duraton", "--iodpeth"), never all of it. */
	unsigned best = (unsigned)(len + 2) / 4, d;
	const char *pick = NULL;

	if (best < 1)
		best = 1;
	if (best >= len)
		best = len ? (unsigned)len - 1 : 0;
	for (; t->type != OPT_END; t++) {
		if (t->type == OPT_GROUP)
			continue;
		if ((d = edit_distance(word, len, t->name)) <= best && (!pick || d < best)) {
			best = d;
			pick = t->name;
		}
		if (t->alias && (d = edit_distance(word, len, t->alias)) <= best &&
		    (!pick || d < best)) {
			best = d;
			pick = t->alias;
		}
	}
	return pick;
}

static const struct opt *find_short(const struct opt *t, char c)
{
	for (; t->type != OPT_END; t++)
		if (t->type != OPT_GROUP && t->short_name == c)
			return t;
	return NULL;
}

/* One line: the bad option, the likely one, and where the allowed ones are listed. */
static void unknown_option(const char *shown, const struct opt *t, const struct opt_usage *u)
{
	const char *near = shown[1] == '-' ? opts_suggest(t, shown + 2, strlen(shown + 2)) : NULL;
	char hint[96] = "";

	if (near)
		snprintf(hint, sizeof(hint), "; did you mean --%s?", near);
	if (u->command)
		log_error("unknown option '%s'%s (see 'dmremap-bench %s --help' for the allowed ones)",
			  shown, hint, u->command);
	else
		log_error("unknown option '%s'%s (see 'dmremap-bench --help')", shown, hint);
}

static opts_table_hook table_hook;
static void *table_hook_arg;

void opts_set_table_hook(opts_table_hook hook, void *arg)
{
	table_hook = hook;
	table_hook_arg = arg;
}

int opts_parse(int argc, char **argv, const struct opt *table,
	       const struct opt_usage *usage, char **positional,
	       int max_positional, int *npositional)
{
	int i, npos = 0, only_positional = 0;

	if (table_hook) {
		table_hook(table, usage, table_hook_arg);
		return OPTS_HELP;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o;
		const char *val = NULL, *used = NULL;
		char shown[80];

		if (only_positional || a[0] != '-' || a[1] == '\0') {
			if (npos >= max_positional) {
				log_error("unexpected argument '%s'", a);
				return OPTS_ERROR;
			}
			positional[npos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			opts_print_help(table, usage);
			return OPTS_HELP;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);

			o = find_long(table, a + 2, len);
			if (o && o->alias && name_is(o->alias, a + 2, len))
				used = o->alias;
			if (eq)
				val = eq + 1;
			snprintf(shown, sizeof(shown), "--%.*s", (int)len, a + 2);
		} else {
			if (a[2] != '\0') {
				/* -n5 style */
				val = a + 2;
			}
			o = find_short(table, a[1]);
			snprintf(shown, sizeof(shown), "-%c", a[1]);
		}
		if (!o) {
			unknown_option(shown, table, usage);
			return OPTS_ERROR;
		}
		if (!used)
			used = o->name;
		if (o->type == OPT_BOOL) {
			if (val) {
				log_error("%s: takes no value (got '%s')", shown, val);
				return OPTS_ERROR;
			}
			*(bool *)o->value = true;
		} else {
			if (!val) {
				if (i + 1 >= argc) {
					log_error("%s: missing value (%s)", shown,
						  o->argh ? o->argh : "argument");
					return OPTS_ERROR;
				}
				val = argv[++i];
			}
			if (store_value(o, used, val))
				return OPTS_ERROR;
		}
		if (o->set)
			*o->set = true;
	}
	if (npositional)
		*npositional = npos;
	return OPTS_OK;
}

enum opt_complete opts_complete_kind(const struct opt *o)
{
	const char *h = o->argh ? o->argh : "";

	if (o->complete != COMPLETE_AUTO)
		return o->complete;
	if (o->type != OPT_STRING)
		return COMPLETE_NONE;
	if (strstr(h, "NAME") && (strstr(h, "FILE") || strstr(h, "PATH")))
		return COMPLETE_BASELINE_FILE;
	if (strstr(h, "FILE") || strstr(h, "PATH"))
		return COMPLETE_FILE;
	if (strstr(h, "DIR"))
		return COMPLETE_DIR;
	if (strstr(h, "DEV"))
		return COMPLETE_DEVICE;
	return COMPLETE_NONE;
}

int opts_default_text(const struct opt *o, char *buf, size_t len)
{
	uint64_t v;
	double d;

	buf[0] = '\0';
	if (o->type == OPT_GROUP || o->type == OPT_BOOL || o->type == OPT_END)
		return -1;
	if (o->def) {
		snprintf(buf, len, "%s", o->def);
		return *o->def ? 0 : -1;
	}
	if ((o->help && strstr(o->help, "default")) || !o->value)
		return -1;
	switch (o->type) {
	case OPT_STRING:
		if (!*(const char *const *)o->value)
			return -1;
		snprintf(buf, len, "%s", *(const char *const *)o->value);
		return 0;
	case OPT_CHOICE:
		snprintf(buf, len, "%s", o->choices[*(const int *)o->value]);
		return 0;
	case OPT_DOUBLE:
		d = *(const double *)o->value;
		if (d < o->dmin || d > o->dmax)
			return -1;
		snprintf(buf, len, "%g", d);
		return 0;
	case OPT_UINT:
		v = *(const unsigned *)o->value;
		if (v == UINT32_MAX && o->special_max) {
			snprintf(buf, len, "%s", o->special_max);
			return 0;
		}
		break;
	default:
		v = *(const uint64_t *)o->value;
		break;
	}
	if (v == 0 && o->special) {
		snprintf(buf, len, "%s", o->special);
		return 0;
	}
	/* Out of range: the value stands for "not given" (no cap, no timeout). */
	if (v < o->min || (o->max && v > o->max))
		return -1;
	if (o->type == OPT_SIZE)
		format_size(v, buf, len);
	else if (o->type == OPT_DURATION)
		format_duration(v, buf, len);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
	return 0;
}

void opts_print_help(const struct opt *t, const struct opt_usage *u)
{
	if (u->command)
		printf("Usage: dmremap-bench %s %s\n", u->command, u->synopsis);
	else
		printf("Usage: dmremap-bench %s\n", u->synopsis);
	if (u->summary)
		printf("\n%s\n", u->summary);
	printf("\n");
	for (; t->type != OPT_END; t++) {
		char left[64], def[64], extra[160] = "";
		int hlen;

		if (t->type == OPT_GROUP) {
			printf("\n%s:\n", t->help);
			continue;
		}
		if (t->type == OPT_BOOL)
			snprintf(left, sizeof(left), "%s%c%s--%s",
				 t->short_name ? "-" : "", t->short_name ? t->short_name : ' ',
				 t->short_name ? ", " : "  ", t->name);
		else
			snprintf(left, sizeof(left), "%s%c%s--%s %s",
				 t->short_name ? "-" : "", t->short_name ? t->short_name : ' ',
				 t->short_name ? ", " : "  ", t->name, t->argh ? t->argh : "VALUE");
		/* " (default 1m; also --runtime)": what the table says, not prose that may drift. */
		hlen = (int)strlen(t->help);
		if (opts_default_text(t, def, sizeof(def)) == 0) {
			snprintf(extra, sizeof(extra), " (default %s%s%s)", def,
				 t->alias ? "; also --" : "", t->alias ? t->alias : "");
		} else if (t->alias && hlen && t->help[hlen - 1] == ')') {
			/* Into the help's own closing parenthesis: "(default: x; also --y)". */
			hlen--;
			snprintf(extra, sizeof(extra), "; also --%s)", t->alias);
		} else if (t->alias) {
			snprintf(extra, sizeof(extra), " (also --%s)", t->alias);
		}
		if (strlen(left) > 26)
			printf("  %s\n  %-26s  %.*s%s\n", left, "", hlen, t->help, extra);
		else
			printf("  %-26s  %.*s%s\n", left, hlen, t->help, extra);
	}
	printf("  %-26s  %s\n", "-h, --help", "show this help and exit");
}
