#include "engine/zipf.h"

#include <math.h>

/* log1p(x)/x, continuous at 0. */
static double helper1(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x / 3.0);
}

/* expm1(x)/x, continuous at 0. */
static double helper2(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0);
}

/* The density h(x) = x^-theta. */
static double h(const struct zipf *z, double x)
{
	return exp(-z->theta * log(x));
}

/* H(x), an antiderivative of h; valid for theta == 1 through helper2. */
static double H(const struct zipf *z, double x)
{
	double lx = log(x);

	return helper2((1.0 - z->theta) * lx) * lx;
}

static double H_inv(const struct zipf *z, double x)
{
	double t = x * (1.0 - z->theta);

	if (t < -1.0)
		t = -1.0;  /* guard rounding at the far tail */
	return exp(helper1(t) * x);
}

void zipf_init(struct zipf *z, uint64_t n, double theta)
{
	z->n = n ? n : 1;
	z->theta = theta;
	z->h_x1 = H(z, 1.5) - 1.0;
	z->h_n = H(z, (double)z->n + 0.5);
	z->s = 2.0 - H_inv(z, H(z, 2.5) - h(z, 2.0));
}

uint64_t zipf_next(const struct zipf *z, struct prng *r)
{
	for (;;) {
		double u = z->h_n + prng_unit(r) * (z->h_x1 - z->h_n);
		double x = H_inv(z, u);
		double kd = floor(x + 0.5);
		uint64_t k;

		if (kd < 1.0)
			kd = 1.0;
		else if (kd > (double)z->n)
			kd = (double)z->n;
		k = (uint64_t)kd;
		if (kd - x <= z->s || u >= H(z, kd + 0.5) - h(z, kd))
			return k;
	}
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

void scatter_init(struct scatter *sc, uint64_t n, uint64_t seed)
{
	uint64_t x = seed;

	sc->n = n ? n : 1;
	sc->mult = (splitmix64(&x) % sc->n) | 1;
	while (sc->n > 1 && gcd(sc->mult, sc->n) != 1)
		sc->mult += 2;
	if (sc->n == 1)
		sc->mult = 1;
	sc->add = splitmix64(&x) % sc->n;
}
