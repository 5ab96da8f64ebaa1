/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small-sample statistics for before/after comparison of benchmark runs.
 *
 * Everything here is distribution-free: benchmark figures are skewed and
 * few (3-30 runs a side), so means and t-tests would lie.  All functions
 * are pure, take plain arrays, never modify their input and allocate only
 * scratch memory that they free.
 */
#ifndef WQB_STATS_H
#define WQB_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Quantile q in [0,1] of n values (any order), linear interpolation
 * between order statistics (Hyndman & Fan type 7, R's default). NaN if n == 0. */
double stats_quantile(const double *x, size_t n, double q);

static inline double stats_median(const double *x, size_t n)
{
	return stats_quantile(x, n, 0.5);
}

/*
 * Distribution-free confidence interval for the median from order
 * statistics (binomial): the widest interval [x(k), x(n-k+1)] whose
 * coverage is >= conf.  Returns 0 and fills *lo and *hi, or -1 when n is too
 * small for the requested coverage (then *lo and *hi are the min and max).
 */
int stats_median_ci(const double *x, size_t n, double conf, double *lo, double *hi);

/*
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of a against b.
 * *u gets U for sample a (number of pairs with a > b, ties count 1/2).
 * Exact p-value when there are no ties and na, nb <= 50 (computed by the
 * usual recurrence); otherwise the normal approximation with tie and
 * continuity correction.  Returns the p-value, or NaN if either side is
 * empty.
 */
double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u);

/*
 * Hodges-Lehmann estimate of the shift b - a: the median of all na*nb
 * differences b[j] - a[i], with its distribution-free (Moses) confidence
 * interval at level conf from the Mann-Whitney critical value.  Returns 0,
 * or -1 when the samples are too small for that coverage (then lo/hi are
 * the smallest and largest difference).
 */
int stats_hodges_lehmann(const double *a, size_t na, const double *b, size_t nb,
			 double conf, double *shift, double *lo, double *hi);

/* Holm-Bonferroni step-down: adjusted p-values, same order as p, each <= 1. */
void stats_holm(const double *p, size_t n, double *adjusted);

#endif
