/*
 * Zipf-distributed ranks 1..n with exponent theta (theta > 0, theta != 1
 * handled as well as theta == 1) by rejection-inversion (Hormann and
 * Derflinger, 1996): O(1) time and memory whatever n is, so a 10 TiB span
 * costs no table.
 */
#ifndef DMRB_ZIPF_H
#define DMRB_ZIPF_H

#include <stdint.h>

#include "engine/prng.h"

struct zipf {
	uint64_t n;
	double theta;
	double h_x1;        /* H(1.5) - 1 */
	double h_n;         /* H(n + 0.5) */
	double s;           /* squeeze threshold */
};

void zipf_init(struct zipf *z, uint64_t n, double theta);
/* A rank in [1, n]; rank 1 is the most frequent. */
uint64_t zipf_next(const struct zipf *z, struct prng *r);

/*
 * A bijection of [0, n) used to scatter ranks over the span, so the hot
 * blocks are not all at the start of the device.
 */
struct scatter {
	uint64_t n;
	uint64_t mult;
	uint64_t add;
};

void scatter_init(struct scatter *sc, uint64_t n, uint64_t seed);
static inline uint64_t scatter_map(const struct scatter *sc, uint64_t i)
{
	return (uint64_t)(((unsigned __int128)i * sc->mult + sc->add) % sc->n);
}

#endif
