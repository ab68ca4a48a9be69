#include "hdr_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- HdrHistogram's layout (AbstractHistogram.init, countsArrayIndex) ----------- */

static unsigned ceil_log2(uint64_t x)
{
	unsigned m = 0;

	while ((1ULL << m) < x)
		m++;
	return m;
}

static unsigned sub_bucket_count_magnitude(int digits)
{
	uint64_t largest = 2;
	int i;

	for (i = 0; i < digits; i++)
		largest *= 10;
	return ceil_log2(largest);
}

size_t hdr_counts_length(int digits, uint64_t highest)
{
	unsigned mag = sub_bucket_count_magnitude(digits);
	uint64_t smallest_untrackable = 1ULL << mag;
	size_t buckets = 1;

	while (smallest_untrackable <= highest) {
		if (smallest_untrackable > (uint64_t)INT64_MAX / 2) {
			buckets++;
			break;
		}
		smallest_untrackable <<= 1;
		buckets++;
	}
	return (buckets + 1) * ((1ULL << mag) / 2);
}

size_t hdr_index(int digits, uint64_t v)
{
	unsigned mag = sub_bucket_count_magnitude(digits);
	uint64_t count = 1ULL << mag, half = count / 2;
	int bucket = 64 - (int)mag - __builtin_clzll(v | (count - 1));
	uint64_t sub = v >> bucket;

	return (((size_t)bucket + 1) << (mag - 1)) + sub - half;
}

/* ---- bytes ------------------------------------------------------------------------ */

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static unsigned char *b64_decode(const char *s, size_t n, size_t *len)
{
	unsigned char *out = malloc(n / 4 * 3 + 3);
	size_t i, o = 0;

	if (!out || n % 4) {
		free(out);
		return NULL;
	}
	for (i = 0; i < n; i += 4) {
		int a = b64_value(s[i]), b = b64_value(s[i + 1]);
		int c = s[i + 2] == '=' ? 0 : b64_value(s[i + 2]);
		int d = s[i + 3] == '=' ? 0 : b64_value(s[i + 3]);
		uint32_t v;

		if (a < 0 || b < 0 || c < 0 || d < 0) {
			free(out);
			return NULL;
		}
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (unsigned char)(v >> 16);
		if (s[i + 2] != '=')
			out[o++] = (unsigned char)(v >> 8);
		if (s[i + 3] != '=')
			out[o++] = (unsigned char)v;
	}
	*len = o;
	return out;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* ---- one histogram ------------------------------------------------------------------ */

static int decode_histogram(const char *b64, size_t n, struct hdr_interval *iv, char *err,
			    size_t elen)
{
	size_t clen, plen, i, idx = 0;
	unsigned char *c = b64_decode(b64, n, &clen), *raw = NULL;
	uLongf rawlen = 1 << 16;
	uint64_t ratio_bits;
	int zrc;

	if (!c || clen < 8) {
		snprintf(err, elen, "not base64, or too short");
		goto bad;
	}
	if (be32(c) != 0x1c849314u || be32(c + 4) != clen - 8) {
		snprintf(err, elen, "compressed cookie %08x or length %u wrong", be32(c), be32(c + 4));
		goto bad;
	}
	for (;;) {
		raw = realloc(raw, rawlen);
		if (!raw) {
			snprintf(err, elen, "out of memory");
			goto bad;
		}
		zrc = uncompress(raw, &rawlen, c + 8, (uLong)(clen - 8));
		if (zrc != Z_BUF_ERROR)
			break;
		rawlen *= 4;
	}
	if (zrc != Z_OK || rawlen < 40) {
		snprintf(err, elen, "inflate failed (%d)", zrc);
		goto bad;
	}
	if (be32(raw) != 0x1c849313u) {
		snprintf(err, elen, "encoding cookie %08x is not V2", be32(raw));
		goto bad;
	}
	plen = be32(raw + 4);
	if (plen != rawlen - 40 || be32(raw + 8) != 0) {
		snprintf(err, elen, "payload length %zu of %lu, or a normalizing offset", plen,
			 (unsigned long)rawlen);
		goto bad;
	}
	iv->digits = (int)be32(raw + 12);
	iv->lowest = be64(raw + 16);
	iv->highest = be64(raw + 24);
	ratio_bits = be64(raw + 32);
	memcpy(&iv->ratio, &ratio_bits, sizeof(iv->ratio));
	if (iv->digits < 0 || iv->digits > 5 || iv->lowest != 1 || iv->highest < 2) {
		snprintf(err, elen, "header: digits %d, lowest %llu, highest %llu", iv->digits,
			 (unsigned long long)iv->lowest, (unsigned long long)iv->highest);
		goto bad;
	}
	iv->ncounts = hdr_counts_length(iv->digits, iv->highest);
	iv->counts = calloc(iv->ncounts, sizeof(uint64_t));
	if (!iv->counts) {
		snprintf(err, elen, "out of memory");
		goto bad;
	}
	for (i = 40; i < rawlen;) {
		uint64_t v = 0;
		int64_t value;
		int k;

		for (k = 0; k < 8; k++) {
			unsigned char b = raw[i++];

			v |= (uint64_t)(b & 0x7f) << (7 * k);
			if (!(b & 0x80))
				break;
			if (i >= rawlen) {
				snprintf(err, elen, "a number runs past the payload");
				goto bad;
			}
		}
		if (k == 8)
			v |= (uint64_t)raw[i++] << 56;
		value = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
		if (value < 0) {
			idx += (size_t)-value;
		} else {
			if (idx >= iv->ncounts) {
				snprintf(err, elen, "more counts than the layout's %zu", iv->ncounts);
				goto bad;
			}
			iv->counts[idx++] = (uint64_t)value;
			iv->total += (uint64_t)value;
		}
	}
	free(c);
	free(raw);
	return 0;
bad:
	free(c);
	free(raw);
	return -1;
}

/* ---- the log ------------------------------------------------------------------------- */

int hdr_decode_log(const char *text, struct hdr_log *log, char *err, size_t elen)
{
	const char *line = text;
	size_t lineno = 0;

	memset(log, 0, sizeof(*log));
	log->start_time = log->base_time = -1;
	while (*line) {
		const char *end = strchr(line, '\n'), *p = line, *f[4];
		size_t len = end ? (size_t)(end - line) : strlen(line), k;
		struct hdr_interval *iv;
		char sub[256];

		lineno++;
		if (line[0] == '#') {
			size_t used = strlen(log->comments);

			if (used + len + 2 < sizeof(log->comments)) {
				memcpy(log->comments + used, line, len);
				log->comments[used + len] = '\n';
				log->comments[used + len + 1] = '\0';
			}
			if (!strncmp(line, "#[StartTime: ", 13))
				log->start_time = strtod(line + 13, NULL);
			else if (!strncmp(line, "#[BaseTime: ", 12))
				log->base_time = strtod(line + 12, NULL);
			else if (!strncmp(line, "#[Histogram log format version ", 31))
				sscanf(line + 31, "%15[0-9.]", log->version);
		} else if (line[0] == '"' || !strncmp(line, "StartTimestamp", 14)) {
			/* the legend */
		} else if (len) {
			log->iv = realloc(log->iv, (log->n + 1) * sizeof(*log->iv));
			if (!log->iv) {
				snprintf(err, elen, "out of memory");
				return -1;
			}
			iv = &log->iv[log->n++];
			memset(iv, 0, sizeof(*iv));
			if (!strncmp(p, "Tag=", 4)) {
				const char *c = memchr(p, ',', len);

				if (!c || (size_t)(c - p - 4) >= sizeof(iv->tag)) {
					snprintf(err, elen, "line %zu: a bad tag", lineno);
					return -1;
				}
				memcpy(iv->tag, p + 4, (size_t)(c - p - 4));
				p = c + 1;
			}
			for (k = 0; k < 4; k++) {
				f[k] = p;
				if (k < 3) {
					p = memchr(p, ',', len - (size_t)(p - line));
					if (!p) {
						snprintf(err, elen, "line %zu: fewer than four fields", lineno);
						return -1;
					}
					p++;
				}
			}
			iv->start_s = strtod(f[0], NULL);
			iv->len_s = strtod(f[1], NULL);
			iv->max = strtod(f[2], NULL);
			if (decode_histogram(f[3], len - (size_t)(f[3] - line), iv, sub, sizeof(sub))) {
				snprintf(err, elen, "line %zu: %s", lineno, sub);
				return -1;
			}
		}
		line = end ? end + 1 : line + len;
	}
	return 0;
}

void hdr_log_free(struct hdr_log *log)
{
	size_t i;

	for (i = 0; i < log->n; i++)
		free(log->iv[i].counts);
	free(log->iv);
	memset(log, 0, sizeof(*log));
}
