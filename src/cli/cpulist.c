#include "cli/cpulist.h"

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A decimal CPU number below CPULIST_MAX at *p; advances p. */
static int parse_cpu(const char **p, unsigned *out)
{
	const char *s = *p;
	unsigned v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned)(*s - '0');
		if (v >= CPULIST_MAX)
			return -1;
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

int cpulist_parse(const char *s, struct cpulist *out, const char **bad, size_t *badlen)
{
	bool seen[CPULIST_MAX] = { false };
	const char *item = s;
	unsigned c;

	out->n = 0;
	for (;;) {
		const char *p = item, *end = strchr(item, ',');
		unsigned lo, hi;

		if (!end)
			end = item + strlen(item);
		if (parse_cpu(&p, &lo))
			goto fail;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) || hi < lo)
				goto fail;
		}
		if (p != end)
			goto fail;
		for (c = lo; c <= hi; c++)
			seen[c] = true;
		if (!*end)
			break;
		item = end + 1;
	}
	for (c = 0; c < CPULIST_MAX; c++)
		if (seen[c])
			out->cpu[out->n++] = (uint16_t)c;
	return 0;
fail:
	*bad = item;
	*badlen = strcspn(item, ",");
	return -1;
}

void cpulist_format(const struct cpulist *cl, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i = 0;

	if (len)
		buf[0] = '\0';
	while (i < cl->n && used < len) {
		unsigned j = i;
		int w;

		while (j + 1 < cl->n && cl->cpu[j + 1] == cl->cpu[j] + 1)
			j++;
		if (j > i)
			w = snprintf(buf + used, len - used, "%s%u-%u", i ? "," : "",
				     cl->cpu[i], cl->cpu[j]);
		else
			w = snprintf(buf + used, len - used, "%s%u", i ? "," : "", cl->cpu[i]);
		if (w < 0)
			break;
		used += (size_t)w;
		i = j + 1;
	}
}

int cpulist_allowed(struct cpulist *out)
{
	cpu_set_t set;
	unsigned c;

	out->n = 0;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (c = 0; c < CPULIST_MAX; c++)
		if (CPU_ISSET(c, &set))
			out->cpu[out->n++] = (uint16_t)c;
	return out->n ? 0 : -1;
}
