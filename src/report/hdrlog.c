#include "report/hdrlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "result/hist_json.h"

/* ---- one histogram -------------------------------------------------------------- */

/* HdrHistogram's significant digits d and the bits of our layout that equals it. */
static const struct {
	int digits;
	unsigned bits;
} layouts[] = { { 1, 4 }, { 2, 7 }, { 3, 10 }, { 4, 14 }, { 5, 17 } };

int hdr_layout(unsigned bits, int *digits, unsigned *hdr_bits, bool *exact)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].bits >= bits) {
			*digits = layouts[i].digits;
			*hdr_bits = layouts[i].bits;
			*exact = layouts[i].bits == bits;
			return 0;
		}
	return -1;
}

struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* ZigZag, then LEB128 of at most 9 bytes, the ninth holding 8 bits (HdrHistogram's LEB128-64b9B). */
static void put_zigzag(struct bytes *b, int64_t value)
{
	uint64_t v = ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
	int k;

	for (k = 0; k < 8; k++) {
		if (!(v >> 7)) {
			b->p[b->len++] = (unsigned char)v;
			return;
		}
		b->p[b->len++] = (unsigned char)((v & 0x7f) | 0x80);
		v >>= 7;
	}
	b->p[b->len++] = (unsigned char)v;
}

/* The uncompressed V2 encoding of counts[0..n) (n >= 1); NULL when out of memory. */
static unsigned char *encode_v2(const uint64_t *counts, uint32_t n, int digits, size_t *len)
{
	struct bytes b = { .cap = 40 + (size_t)n * 9 };
	double ratio = 1.0;
	uint64_t ratio_bits;
	uint32_t i = 0;

	b.p = malloc(b.cap);
	if (!b.p)
		return NULL;
	b.len = 40;
	while (i < n) {
		uint64_t c = counts[i++];
		int64_t zeros = 0;

		if (c == 0) {
			zeros = 1;
			while (i < n && counts[i] == 0) {
				zeros++;
				i++;
			}
		}
		put_zigzag(&b, zeros > 1 ? -zeros : (int64_t)(c > INT64_MAX ? INT64_MAX : c));
	}
	memcpy(&ratio_bits, &ratio, sizeof(ratio_bits));
	put_be32(b.p, HDR_COOKIE_V2);
	put_be32(b.p + 4, (uint32_t)(b.len - 40));
	put_be32(b.p + 8, 0);                   /* normalizing index offset */
	put_be32(b.p + 12, (uint32_t)digits);
	put_be64(b.p + 16, 1);                  /* lowest discernible value: 1 ns */
	put_be64(b.p + 24, HDR_HIGHEST_TRACKABLE);
	put_be64(b.p + 32, ratio_bits);         /* integer to double conversion ratio */
	*len = b.len;
	return b.p;
}

static char *base64(const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
		*o++ = tab[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);

		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *hdr_encode_base64(const struct hist *h, bool *exact)
{
	struct hist t = { 0 };
	const uint64_t *counts = h->buckets;
	unsigned char *raw = NULL, *z = NULL;
	uLongf zlen;
	size_t rawlen;
	uint32_t n = h->nbuckets, last = 0, i;
	unsigned tb;
	char *text = NULL;
	int digits;

	if (hdr_layout(h->bits, &digits, &tb, exact))
		return NULL;
	if (!*exact) {
		/* Each count into the finer bucket that holds the middle of its own. */
		if (hist_init(&t, tb))
			return NULL;
		for (i = 0; i < h->nbuckets; i++)
			if (h->buckets[i]) {
				uint64_t lo, width;

				hist_bucket_range(h, i, &lo, &width);
				t.buckets[hist_index(&t, lo + (width - 1) / 2)] += h->buckets[i];
			}
		counts = t.buckets;
		n = t.nbuckets;
	}
	for (i = 0; i < n; i++)
		if (counts[i])
			last = i;
	raw = encode_v2(counts, last + 1, digits, &rawlen);
	if (!raw)
		goto out;
	zlen = compressBound((uLong)rawlen);
	z = malloc(8 + zlen);
	if (!z || compress2(z + 8, &zlen, raw, (uLong)rawlen, Z_BEST_COMPRESSION) != Z_OK)
		goto out;
	put_be32(z, HDR_COOKIE_V2_COMPRESSED);
	put_be32(z + 4, (uint32_t)zlen);
	text = base64(z, 8 + zlen);
out:
	free(raw);
	free(z);
	hist_free(&t);
	return text;
}

/* ---- the log -------------------------------------------------------------------- */

enum { H_TOTAL, H_READ, H_WRITE, H_N };

struct entry {
	double start_s, len_s;    /* after BaseTime */
	struct hist h[H_N];       /* an empty one has count 0 (and maybe no buckets) */
};

struct entries {
	struct entry *e;
	size_t n, cap;
	bool any;                 /* a histogram was found */
	bool inexact;
	unsigned inexact_bits;
};

static void entries_free(struct entries *es)
{
	size_t i, k;

	for (i = 0; i < es->n; i++)
		for (k = 0; k < H_N; k++)
			hist_free(&es->e[i].h[k]);
	free(es->e);
}

static struct entry *entry_new(struct entries *es, double start, double len)
{
	struct entry *e;

	if (es->n == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 16;
		struct entry *n = realloc(es->e, cap * sizeof(*n));

		if (!n)
			return NULL;
		es->e = n;
		es->cap = cap;
	}
	e = &es->e[es->n++];
	memset(e, 0, sizeof(*e));
	e->start_s = start;
	e->len_s = len;
	return e;
}

/* A direction's histogram (lat_hist, with lat_ns for schema 1); 1 when it has none. */
static int dir_hist(json_t *dir, struct hist *h, char *err, size_t elen)
{
	json_t *lh = json_object_get(dir, "lat_hist");

	if (!lh)
		return 1;
	return hist_from_json(lh, json_object_get(dir, "lat_ns"), h, err, elen) ? -1 : 0;
}

/* The histograms of a node: read, write, and total (its own, else their merge). */
static int node_hists(struct entries *es, struct entry *e, json_t *read, json_t *write,
		      json_t *total, char *err, size_t elen)
{
	json_t *src[H_N] = { total, read, write };
	int k, rc;

	for (k = 0; k < H_N; k++) {
		rc = src[k] ? dir_hist(src[k], &e->h[k], err, elen) : 1;
		if (rc < 0)
			return -1;
		if (rc == 0)
			es->any = true;
	}
	if (!e->h[H_TOTAL].buckets && e->h[H_READ].buckets) {
		if (hist_init(&e->h[H_TOTAL], e->h[H_READ].bits)) {
			snprintf(err, elen, "out of memory");
			return -1;
		}
		hist_merge(&e->h[H_TOTAL], &e->h[H_READ]);
		if (e->h[H_WRITE].buckets && e->h[H_WRITE].bits == e->h[H_READ].bits)
			hist_merge(&e->h[H_TOTAL], &e->h[H_WRITE]);
	}
	for (k = 0; k < H_N; k++) {
		int d;
		unsigned tb;
		bool exact = true;

		if (e->h[k].buckets && !hdr_layout(e->h[k].bits, &d, &tb, &exact) && !exact) {
			es->inexact = true;
			es->inexact_bits = e->h[k].bits;
		}
	}
	return 0;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* Seconds since the epoch of a UTC "YYYY-MM-DDTHH:MM:SSZ", or -1. */
static double iso_seconds(const char *s)
{
	struct tm tm = { 0 };
	const char *end;

	if (!s)
		return -1;
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	return (double)timegm(&tm);
}

/* The intervals' own histograms, when every interval has them. 0 done, 1 not there, -1. */
static int from_intervals(struct entries *es, json_t *doc, double base, char *err, size_t elen)
{
	json_t *ivs = json_object_get(json_object_get(doc, "results"), "intervals"), *iv;
	double ramp = num(json_object_get(doc, "params"), "ramp_s");
	size_t i;

	if (!json_array_size(ivs))
		return 1;
	json_array_foreach(ivs, i, iv)
		if (!json_is_object(json_object_get(json_object_get(iv, "lat_hist"), "read")))
			return 1;
	json_array_foreach(ivs, i, iv) {
		json_t *lh = json_object_get(iv, "lat_hist"), *tns = json_object_get(iv, "t_ns");
		double len = num(iv, "len_s");
		double start = json_is_integer(tns) ?
			(double)json_integer_value(tns) / 1e9 - base - len :
			ramp + num(iv, "t_s") - len;
		struct entry *e = entry_new(es, start, len);
		json_t *r, *w;

		if (!e) {
			snprintf(err, elen, "out of memory");
			return -1;
		}
		r = json_pack("{s:O}", "lat_hist", json_object_get(lh, "read"));
		w = json_object_get(lh, "write") ?
			json_pack("{s:O}", "lat_hist", json_object_get(lh, "write")) : NULL;
		if (node_hists(es, e, r, w, NULL, err, elen)) {
			json_decref(r);
			json_decref(w);
			return -1;
		}
		json_decref(r);
		json_decref(w);
	}
	return 0;
}

/* One run's results: an interval per step or phase in the order they ran, else one. */
static int from_run(struct entries *es, json_t *results, double start, char *err, size_t elen)
{
	json_t *parts = json_object_get(results, "steps"), *p;
	size_t i;

	if (!json_array_size(parts))
		parts = json_object_get(results, "phases");
	if (!json_array_size(parts)) {
		struct entry *e = entry_new(es, start, num(results, "duration_s"));

		if (!e) {
			snprintf(err, elen, "out of memory");
			return -1;
		}
		return node_hists(es, e, json_object_get(results, "read"),
				  json_object_get(results, "write"), json_object_get(results, "total"),
				  err, elen);
	}
	json_array_foreach(parts, i, p) {
		struct entry *e = entry_new(es, start, num(p, "duration_s"));

		if (!e) {
			snprintf(err, elen, "out of memory");
			return -1;
		}
		if (node_hists(es, e, json_object_get(p, "read"), json_object_get(p, "write"),
			       json_object_get(p, "total"), err, elen))
			return -1;
		start += num(p, "duration_s");
	}
	return 0;
}

static int collect(struct entries *es, json_t *doc, double base, const char **what, char *err,
		   size_t elen)
{
	json_t *runs = json_object_get(doc, "runs"), *r;
	double start = num(json_object_get(doc, "params"), "ramp_s");
	size_t i;
	int rc = from_intervals(es, doc, base, err, elen);

	if (rc <= 0) {
		*what = "one interval per interval of the time series";
		return rc;
	}
	*what = json_array_size(json_object_get(json_object_get(doc, "results"), "steps")) ?
		"one interval per step" :
		json_array_size(json_object_get(json_object_get(doc, "results"), "phases")) ?
		"one interval per phase" : "one interval per run";
	if (json_array_size(runs) < 2)
		return from_run(es, json_object_get(doc, "results"), start, err, elen);
	json_array_foreach(runs, i, r) {
		json_t *t = json_object_get(r, "start_time_ns");
		size_t before = es->n, k;

		if (json_is_integer(t) && base > 0)
			start = (double)json_integer_value(t) / 1e9 - base;
		if (from_run(es, json_object_get(r, "results"), start, err, elen))
			return -1;
		for (k = before; k < es->n; k++)
			start = es->e[k].start_s + es->e[k].len_s;
	}
	return 0;
}

static void time_line(struct sbuf *out, const char *what, double t, bool date)
{
	char when[64] = "";
	time_t s = (time_t)t;
	struct tm tm;

	if (date && gmtime_r(&s, &tm))
		strftime(when, sizeof(when), ", %a %b %d %H:%M:%S UTC %Y", &tm);
	sbuf_printf(out, "#[%s: %.3f (seconds since epoch)%s]\n", what, t, when);
}

static int put_line(struct sbuf *out, const char *tag, const struct entry *e, const struct hist *h)
{
	bool exact;
	char *b64 = hdr_encode_base64(h, &exact);

	if (!b64)
		return -1;
	sbuf_printf(out, "%s%s%s%.3f,%.3f,%.3f,%s\n", tag ? "Tag=" : "", tag ? tag : "",
		    tag ? "," : "",
		    e->start_s < 0 ? 0 : e->start_s, e->len_s,
		    h->count ? (double)h->max / 1e6 : 0.0, b64);
	free(b64);
	return 0;
}

int hdr_log(json_t *doc, const char *source, struct sbuf *out, char *err, size_t elen)
{
	json_t *env = json_object_get(doc, "environment"), *sns = json_object_get(env, "start_time_ns");
	json_t *runs = json_object_get(doc, "runs");
	struct entries es = { 0 };
	double base = json_is_integer(sns) ? (double)json_integer_value(sns) / 1e9 :
		iso_seconds(json_string_value(json_object_get(env, "start_time")));
	const char *what = "";
	size_t i;
	char src[256];
	int rc = -1;

	if (base < 0 && json_is_integer(json_object_get(json_array_get(runs, 0), "start_time_ns")))
		base = (double)json_integer_value(json_object_get(json_array_get(runs, 0),
								  "start_time_ns")) / 1e9;
	if (collect(&es, doc, base, &what, err, elen))
		goto out;
	if (!es.any) {
		snprintf(err, elen, "holds no latency histogram (lat_hist) to write as an "
			 "HdrHistogram log");
		goto out;
	}
	/* The file's name, printable, for the first comment. */
	for (i = 0; source[i] && i < sizeof(src) - 1; i++)
		src[i] = (unsigned char)source[i] < 0x20 || source[i] == ']' ? '?' : source[i];
	src[i] = '\0';
	sbuf_printf(out, "#[Logged with dmremap-bench %s from %s: %s; values in ns, "
		    "Interval_Max in ms; untagged: reads and writes, Tag=read, Tag=write]\n",
		    PACKAGE_VERSION, src, what);
	sbuf_printf(out, "#[Histogram log format version %s]\n", HDR_LOG_VERSION);
	if (base >= 0) {
		time_line(out, "StartTime", base, true);
		time_line(out, "BaseTime", base, false);
	}
	if (es.inexact) {
		int d = 0;
		unsigned tb = 0;
		bool exact;

		hdr_layout(es.inexact_bits, &d, &tb, &exact);
		sbuf_printf(out, "#[dmremap-bench: %u-bit histograms written with %d significant "
			    "digits (%u bits): each count in the bucket that holds the middle of "
			    "its own]\n", es.inexact_bits, d, tb);
	}
	sbuf_add(out, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
		 "\"Interval_Compressed_Histogram\"\n");
	for (i = 0; i < es.n; i++) {
		struct entry *e = &es.e[i];

		if (e->h[H_TOTAL].buckets && put_line(out, NULL, e, &e->h[H_TOTAL]))
			goto oom;
		if (e->h[H_READ].count && put_line(out, "read", e, &e->h[H_READ]))
			goto oom;
		if (e->h[H_WRITE].count && put_line(out, "write", e, &e->h[H_WRITE]))
			goto oom;
	}
	if (!sbuf_str(out))
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(err, elen, "out of memory");
out:
	entries_free(&es);
	return rc;
}
