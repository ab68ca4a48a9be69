#include "cli/options.h"

#include <errno.h>
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

static int store_value(const struct opt *o, const char *arg)
{
	char opt[64], allowed[256];
	uint64_t v = 0;
	int rc;

	snprintf(opt, sizeof(opt), "--%s", o->name);
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
		if (t->type != OPT_GROUP && strlen(t->name) == len &&
		    strncmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

static const struct opt *find_short(const struct opt *t, char c)
{
	for (; t->type != OPT_END; t++)
		if (t->type != OPT_GROUP && t->short_name == c)
			return t;
	return NULL;
}

/* One line: the bad option and where the allowed ones are listed. */
static void unknown_option(const char *shown, const struct opt_usage *u)
{
	if (u->command)
		log_error("unknown option '%s' (see 'dmremap-bench %s --help' for the allowed ones)",
			  shown, u->command);
	else
		log_error("unknown option '%s' (see 'dmremap-bench --help')", shown);
}

int opts_parse(int argc, char **argv, const struct opt *table,
	       const struct opt_usage *usage, char **positional,
	       int max_positional, int *npositional)
{
	int i, npos = 0, only_positional = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o;
		const char *val = NULL;
		char shown[64];

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
			unknown_option(shown, usage);
			return OPTS_ERROR;
		}
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
			if (store_value(o, val))
				return OPTS_ERROR;
		}
		if (o->set)
			*o->set = true;
	}
	if (npositional)
		*npositional = npos;
	return OPTS_OK;
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
		char left[64];

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
		if (strlen(left) > 26)
			printf("  %s\n  %-26s  %s\n", left, "", t->help);
		else
			printf("  %-26s  %s\n", left, t->help);
	}
	printf("  %-26s  %s\n", "-h, --help", "show this help and exit");
}
