/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear histogram of durations in nanoseconds, for the user-space
 * analysis of traces (the module keeps its own).
 *
 * Values below 64 ns get a bucket each; above, every power of two is cut
 * into 64 equal buckets, so a bucket is at most 1/64 of its lower bound
 * wide and its midpoint is within 1/128 (0.8%) of any value in it.  That
 * holds from 64 ns up to 2^40 ns (about 18 minutes), which covers the
 * 100 ns .. 10 s that matters with room to spare; larger values land in
 * the last bucket and are counted in ->over (->max stays exact).
 *
 * Memory is fixed: one struct, no allocation, ~18 KB.  Everything is
 * plain integer arithmetic, so two histograms fed the same values in any
 * order are identical, and merge() equals adding both sets.
 */
#ifndef WQB_LOGHIST_H
#define WQB_LOGHIST_H

#include <stdint.h>

#define LOGHIST_SUB_BITS	6
#define LOGHIST_SUB		(1u << LOGHIST_SUB_BITS)
#define LOGHIST_MAX_BITS	40
#define LOGHIST_NBUCKETS	(LOGHIST_SUB + (LOGHIST_MAX_BITS - LOGHIST_SUB_BITS) * LOGHIST_SUB)

struct loghist {
	uint64_t count;
	uint64_t min;		/* UINT64_MAX while empty */
	uint64_t max;
	uint64_t over;		/* values >= 2^LOGHIST_MAX_BITS */
	double sum;		/* for the mean; a double does not overflow */
	uint64_t bucket[LOGHIST_NBUCKETS];
};

void loghist_init(struct loghist *h);
void loghist_add(struct loghist *h, uint64_t ns);
void loghist_merge(struct loghist *dst, const struct loghist *src);

static inline uint64_t loghist_count(const struct loghist *h)
{
	return h->count;
}

/* 0 when empty */
uint64_t loghist_min(const struct loghist *h);
uint64_t loghist_max(const struct loghist *h);
double loghist_mean(const struct loghist *h);

/*
 * The q-quantile, 0 <= q <= 1, nearest-rank: the value at rank
 * ceil(q * count) (rank 1 for q == 0) of the sorted values, as the
 * midpoint of its bucket clamped to [min, max].  q <= 0 gives min, q >= 1
 * gives max, both exact.  0 when empty.
 */
uint64_t loghist_quantile(const struct loghist *h, double q);

/* Bucket index of a value and the bounds [lo, hi] of a bucket (tests). */
unsigned int loghist_bucket_of(uint64_t ns);
void loghist_bucket_bounds(unsigned int b, uint64_t *lo, uint64_t *hi);

#endif
