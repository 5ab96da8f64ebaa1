// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison statistics against textbook values: R's wilcox.test
 * examples, hand-counted exact distributions, Holm by hand, and a brute
 * force enumeration of the Mann-Whitney null distribution.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "stats.h"

#define near(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static void test_quantile(void **state)
{
	double x[] = { 10, 1, 9, 2, 8, 3, 7, 4, 6, 5 };

	(void)state;
	near(stats_quantile(x, 10, 0.9), 9.1, 1e-12);
	near(stats_median(x, 10), 5.5, 1e-12);
	near(stats_quantile(x, 10, 0), 1, 0);
	near(stats_quantile(x, 10, 1), 10, 0);
	near(stats_median(x, 1), 10, 0);
	assert_true(isnan(stats_median(x, 0)));
	/* the input is left alone */
	assert_true(x[0] == 10 && x[9] == 5);
}

static void test_median_ci(void **state)
{
	double x[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, lo, hi;

	(void)state;
	/* n = 10: [x(2), x(9)] covers 97.9%, [x(3), x(8)] only 89% */
	assert_int_equal(stats_median_ci(x, 10, 0.95, &lo, &hi), 0);
	near(lo, 2, 0);
	near(hi, 9, 0);
	/* n = 6: only [min, max] reaches 95% (96.9%) */
	assert_int_equal(stats_median_ci(x, 6, 0.95, &lo, &hi), 0);
	near(lo, 1, 0);
	near(hi, 6, 0);
	/* n = 5: even [min, max] covers only 93.75% */
	assert_int_equal(stats_median_ci(x, 5, 0.95, &lo, &hi), -1);
	near(lo, 1, 0);
	near(hi, 5, 0);
}

static void test_mw_exact_known(void **state)
{
	double a3[] = { 1, 2, 3 }, b3[] = { 4, 5, 6 };
	double a5[] = { 1, 2, 3, 4, 5 }, b5[] = { 6, 7, 8, 9, 10 };
	/* R: wilcox.test(x, y) from ?wilcox.test: W = 35, p = 0.2544 */
	double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	double u;

	(void)state;
	/* fully separated 3 v 3: 2 of the 20 arrangements are this extreme */
	near(stats_mann_whitney(a3, 3, b3, 3, &u), 0.1, 1e-12);
	near(u, 0, 0);
	near(stats_mann_whitney(b3, 3, a3, 3, &u), 0.1, 1e-12);
	near(u, 9, 0);
	near(stats_mann_whitney(a5, 5, b5, 5, &u), 2.0 / 252, 1e-12);
	near(stats_mann_whitney(x, 10, y, 5, &u), 0.2544, 5e-5);
	near(u, 35, 0);
}

/* count arrangements of m a's among m + n with U_a <= u, by brute force */
static void brute(int m, int n, double *cdf)
{
	int total = m + n, umax = m * n;
	double cnt[64] = { 0 }, all = 0;

	for (unsigned int mask = 0; mask < (1u << total); mask++) {
		int ones = __builtin_popcount(mask), U = 0, bs = 0;

		if (ones != m)
			continue;
		/* position p holds an a when bit p is set; U_a counts b's below each a */
		for (int p = 0; p < total; p++) {
			if (mask & (1u << p))
				U += bs;
			else
				bs++;
		}
		cnt[U]++;
		all++;
	}
	for (int k = 0; k <= umax; k++)
		cdf[k] = (k ? cdf[k - 1] : 0) + cnt[k] / all;
}

static void test_mw_exact_vs_brute(void **state)
{
	const int m = 4, n = 5;
	double cdf[64], a[4], b[5], u;

	(void)state;
	brute(m, n, cdf);
	/* every U from 0 to 20: place the a's to make it, compare p */
	for (int target = 0; target <= m * n; target++) {
		/* a[i] sits above k_i of the b's, sum k_i = target */
		int left = target;

		for (int i = 0; i < m; i++) {
			int k = left > n ? n : left;

			a[i] = k + 0.5 + i * 0.01;	/* distinct: no ties */
			left -= k;
		}
		for (int j = 0; j < n; j++)
			b[j] = j + 1;
		double p = stats_mann_whitney(a, m, b, n, &u);
		double lower = cdf[target];
		double upper = 1 - (target ? cdf[target - 1] : 0);
		double want = 2 * fmin(lower, upper);

		near(u, target, 0);
		near(p, fmin(1, want), 1e-12);
	}
}

static void test_mw_ties_and_large(void **state)
{
	double a[60], b[60], u, p1, p2;

	(void)state;
	/* ties: normal approximation, symmetric, within (0, 1] */
	double t1[] = { 1, 1, 2, 2, 3 }, t2[] = { 2, 2, 3, 3, 4 };

	p1 = stats_mann_whitney(t1, 5, t2, 5, &u);
	p2 = stats_mann_whitney(t2, 5, t1, 5, &u);
	assert_true(p1 > 0 && p1 <= 1);
	near(p1, p2, 1e-12);
	/* all equal: no evidence at all */
	near(stats_mann_whitney(t1, 2, t1, 2, &u), 1.0, 0);
	/* 60 v 60, clearly shifted: beyond the exact table, tiny p */
	for (int i = 0; i < 60; i++) {
		a[i] = 100 + i;
		b[i] = 130 + i;
	}
	p1 = stats_mann_whitney(a, 60, b, 60, &u);
	assert_true(p1 < 1e-6);
	/* interleaved: no evidence */
	for (int i = 0; i < 60; i++)
		b[i] = 100.5 + i;
	p1 = stats_mann_whitney(a, 60, b, 60, &u);
	assert_true(p1 > 0.8);
	assert_true(isnan(stats_mann_whitney(a, 0, b, 3, &u)));
}

static void test_hodges_lehmann(void **state)
{
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 11, 12, 13, 14, 15 };
	double s, lo, hi;

	(void)state;
	/* differences 10 + (j - i): the 3rd smallest is 7, the 23rd is 13 */
	assert_int_equal(stats_hodges_lehmann(a, 5, b, 5, 0.95, &s, &lo, &hi), 0);
	near(s, 10, 0);
	near(lo, 7, 0);
	near(hi, 13, 0);
	/* 3 v 3 cannot reach 95%: the full range, and -1 */
	assert_int_equal(stats_hodges_lehmann(a, 3, b, 3, 0.95, &s, &lo, &hi), -1);
	near(s, 10, 0);
	near(lo, 8, 0);
	near(hi, 12, 0);
	/* large samples take the normal critical value; still brackets */
	double x[80], y[80];

	for (int i = 0; i < 80; i++) {
		x[i] = i;
		y[i] = i + 5;
	}
	assert_int_equal(stats_hodges_lehmann(x, 80, y, 60, 0.95, &s, &lo, &hi), 0);
	assert_true(lo <= s && s <= hi && lo < hi);
}

static void test_holm(void **state)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, adj[4];
	double q[] = { NAN, 0.001 }, adj2[2];

	(void)state;
	stats_holm(p, 4, adj);
	near(adj[0], 0.03, 1e-12);
	near(adj[1], 0.06, 1e-12);
	near(adj[2], 0.06, 1e-12);
	near(adj[3], 0.02, 1e-12);
	/* a metric with no p-value counts as 1, and never lowers the others */
	stats_holm(q, 2, adj2);
	near(adj2[1], 0.002, 1e-12);
	near(adj2[0], 1.0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile),
		cmocka_unit_test(test_median_ci),
		cmocka_unit_test(test_mw_exact_known),
		cmocka_unit_test(test_mw_exact_vs_brute),
		cmocka_unit_test(test_mw_ties_and_large),
		cmocka_unit_test(test_hodges_lehmann),
		cmocka_unit_test(test_holm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
