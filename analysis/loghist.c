// SPDX-License-Identifier: GPL-2.0
/*
 * Log-linear histogram (see loghist.h for the error bound).
 */
#include <math.h>
#include <string.h>

#include "loghist.h"

void loghist_init(struct loghist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int loghist_bucket_of(uint64_t ns)
{
	unsigned int e, shift;

	if (ns < LOGHIST_SUB)
		return (unsigned int)ns;
	e = 63 - (unsigned int)__builtin_clzll(ns);	/* ns >= 64, so e >= 6 */
	if (e >= LOGHIST_MAX_BITS)
		return LOGHIST_NBUCKETS - 1;
	shift = e - LOGHIST_SUB_BITS;
	/* the top bit is implied by the octave: keep the next SUB_BITS bits */
	return LOGHIST_SUB + shift * LOGHIST_SUB +
	       (unsigned int)((ns >> shift) - LOGHIST_SUB);
}

void loghist_bucket_bounds(unsigned int b, uint64_t *lo, uint64_t *hi)
{
	unsigned int shift, sub;

	if (b < LOGHIST_SUB) {
		*lo = *hi = b;
		return;
	}
	shift = (b - LOGHIST_SUB) / LOGHIST_SUB;
	sub = (b - LOGHIST_SUB) % LOGHIST_SUB;
	*lo = (uint64_t)(LOGHIST_SUB + sub) << shift;
	*hi = *lo + ((uint64_t)1 << shift) - 1;
}

void loghist_add(struct loghist *h, uint64_t ns)
{
	h->bucket[loghist_bucket_of(ns)]++;
	h->count++;
	h->sum += (double)ns;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	if (ns >> LOGHIST_MAX_BITS)
		h->over++;
}

void loghist_merge(struct loghist *dst, const struct loghist *src)
{
	unsigned int i;

	if (!src->count)
		return;
	for (i = 0; i < LOGHIST_NBUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum += src->sum;
	dst->over += src->over;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t loghist_min(const struct loghist *h)
{
	return h->count ? h->min : 0;
}

uint64_t loghist_max(const struct loghist *h)
{
	return h->max;
}

double loghist_mean(const struct loghist *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}

uint64_t loghist_quantile(const struct loghist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi, mid;
	unsigned int b;

	if (!h->count)
		return 0;
	if (!(q > 0.0))		/* also NaN */
		return h->min;
	if (q >= 1.0)
		return h->max;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (b = 0; b < LOGHIST_NBUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank)
			break;
	}
	if (b == LOGHIST_NBUCKETS)	/* cannot happen: buckets sum to count */
		return h->max;
	loghist_bucket_bounds(b, &lo, &hi);
	mid = lo + (hi - lo) / 2;
	/* the extreme buckets hold min and max: never step outside them */
	if (mid < h->min)
		mid = h->min;
	if (mid > h->max)
		mid = h->max;
	return mid;
}
