// SPDX-License-Identifier: GPL-2.0
/*
 * Distribution-free statistics for before/after comparison (stats.h).
 *
 * The exact Mann-Whitney distribution is built by the textbook
 * recurrence f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u), one row of
 * m at a time, in doubles: every step is an addition of non-negative
 * counts, so there is no cancellation, and C(100, 50) ~ 1e29 fits with
 * the relative precision of a double.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define EXACT_MAX	50

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

static double quantile_sorted(const double *s, size_t n, double q)
{
	double h, frac;
	size_t lo;

	if (q <= 0)
		return s[0];
	if (q >= 1)
		return s[n - 1];
	h = q * (double)(n - 1);
	lo = (size_t)floor(h);
	frac = h - (double)lo;
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double stats_quantile(const double *x, size_t n, double q)
{
	double *s, v;

	if (!n || isnan(q))
		return NAN;
	s = sorted_copy(x, n);
	if (!s)
		return NAN;
	v = quantile_sorted(s, n, q);
	free(s);
	return v;
}

/* P(Bin(n, 1/2) <= k) */
static double binom_half_cdf(size_t n, size_t k)
{
	double term = pow(0.5, (double)n), sum = 0;
	size_t i;

	for (i = 0; i <= k && i <= n; i++) {
		sum += term;
		term = term * (double)(n - i) / (double)(i + 1);
	}
	return sum;
}

int stats_median_ci(const double *x, size_t n, double conf, double *lo, double *hi)
{
	double *s;
	size_t k, best = 0;

	if (!n) {
		*lo = *hi = NAN;
		return -1;
	}
	s = sorted_copy(x, n);
	if (!s) {
		*lo = *hi = NAN;
		return -1;
	}
	/* widest-first: the largest k (1-based) whose coverage holds */
	for (k = 1; k <= (n + 1) / 2; k++) {
		if (1.0 - 2.0 * binom_half_cdf(n, k - 1) >= conf)
			best = k;
		else
			break;
	}
	if (!best) {
		*lo = s[0];
		*hi = s[n - 1];
		free(s);
		return -1;
	}
	*lo = s[best - 1];
	*hi = s[n - best];
	free(s);
	return 0;
}

/*
 * cdf[u] = P(U <= u) under the null for sample sizes m and n (no ties),
 * u = 0 .. m * n.  Caller frees.  NULL when too big or out of memory.
 */
static double *mw_exact_cdf(size_t m, size_t n)
{
	size_t umax = m * n, i, j, u, w = umax + 1;
	double *prev, *cur, *cdf = NULL, total = 0;

	if (m > EXACT_MAX || n > EXACT_MAX)
		return NULL;
	prev = calloc((n + 1) * w, sizeof(double));
	cur = calloc((n + 1) * w, sizeof(double));
	if (!prev || !cur)
		goto out;
	/* f(0, j, u) = [u == 0] */
	for (j = 0; j <= n; j++)
		prev[j * w] = 1;
	for (i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * w * sizeof(double));
		cur[0] = 1;			/* f(i, 0, 0) = 1 */
		for (j = 1; j <= n; j++)
			for (u = 0; u <= i * j; u++)
				cur[j * w + u] = (u >= j ? prev[j * w + u - j] : 0) +
						 cur[(j - 1) * w + u];
		memcpy(prev, cur, (n + 1) * w * sizeof(double));
	}
	cdf = malloc(w * sizeof(double));
	if (!cdf)
		goto out;
	for (u = 0; u <= umax; u++)
		total += prev[n * w + u];
	for (u = 0; u <= umax; u++)
		cdf[u] = (u ? cdf[u - 1] : 0) + prev[n * w + u] / total;
out:
	free(prev);
	free(cur);
	return cdf;
}

double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u)
{
	size_t n = na + nb, i, j, k;
	double *all, tie = 0, U, mu, var, z, p;
	bool ties = false;

	if (u)
		*u = NAN;
	if (!na || !nb)
		return NAN;
	all = malloc(n * sizeof(*all));
	if (!all)
		return NAN;
	/* U_a by direct count: robust and cheap for benchmark sample sizes */
	U = 0;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			U += a[i] > b[j] ? 1.0 : a[i] == b[j] ? 0.5 : 0.0;
	if (u)
		*u = U;
	/* tie groups over the pooled sample, for the variance correction */
	memcpy(all, a, na * sizeof(*all));
	memcpy(all + na, b, nb * sizeof(*all));
	qsort(all, n, sizeof(*all), cmp_double);
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && all[k] == all[i]; k++)
			;
		if (k - i > 1) {
			double t = (double)(k - i);

			ties = true;
			tie += t * t * t - t;
		}
	}
	free(all);

	if (!ties && na <= EXACT_MAX && nb <= EXACT_MAX) {
		double *cdf = mw_exact_cdf(na, nb);

		if (cdf) {
			size_t ui = (size_t)U;
			double lower = cdf[ui];
			double upper = 1.0 - (ui ? cdf[ui - 1] : 0.0);

			free(cdf);
			p = 2.0 * (lower < upper ? lower : upper);
			return p > 1.0 ? 1.0 : p;
		}
	}
	mu = (double)na * (double)nb / 2.0;
	var = (double)na * (double)nb / 12.0 *
	      (((double)n + 1.0) - tie / ((double)n * ((double)n - 1.0)));
	if (var <= 0)
		return 1.0;	/* every value the same */
	z = fabs(U - mu) - 0.5;
	if (z < 0)
		z = 0;
	z /= sqrt(var);
	p = erfc(z / M_SQRT2);
	return p > 1.0 ? 1.0 : p;
}

/* inverse of the standard normal CDF (Acklam's rational approximation,
 * relative error < 1.2e-9: plenty for a critical value) */
static double norm_ppf(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
		-1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r;

	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - 0.02425)
		return -norm_ppf(1 - p);
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

int stats_hodges_lehmann(const double *a, size_t na, const double *b, size_t nb,
			 double conf, double *shift, double *lo, double *hi)
{
	size_t m = na * nb, i, j, k = 0, qu = 0;
	double *d, alpha = 1.0 - conf;
	int rc = 0;

	*shift = *lo = *hi = NAN;
	if (!na || !nb)
		return -1;
	d = malloc(m * sizeof(*d));
	if (!d)
		return -1;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			d[k++] = b[j] - a[i];
	qsort(d, m, sizeof(*d), cmp_double);
	*shift = quantile_sorted(d, m, 0.5);

	/*
	 * qu: the smallest u with P(U <= u) >= alpha / 2; the interval
	 * [d(qu), d(m - qu + 1)] (1-based) then covers with probability
	 * 1 - 2 P(U <= qu - 1) >= conf.  qu == 0 means no interval narrower
	 * than everything reaches the coverage.
	 */
	if (na <= EXACT_MAX && nb <= EXACT_MAX) {
		double *cdf = mw_exact_cdf(na, nb);

		if (!cdf) {
			free(d);
			return -1;
		}
		while (qu <= m && cdf[qu] < alpha / 2)
			qu++;
		free(cdf);
	} else {
		double mu = (double)m / 2.0;
		double sd = sqrt((double)m * (double)(na + nb + 1) / 12.0);
		double c = floor(mu + norm_ppf(alpha / 2) * sd);

		qu = c > 0 ? (size_t)c : 0;
	}
	if (qu == 0) {
		*lo = d[0];
		*hi = d[m - 1];
		rc = -1;
	} else {
		*lo = d[qu - 1];
		*hi = d[m - qu];
	}
	free(d);
	return rc;
}

/* a metric without a p-value is no evidence: p = 1 */
static double p_or_1(double p)
{
	return isnan(p) ? 1.0 : p;
}

void stats_holm(const double *p, size_t n, double *adjusted)
{
	size_t *order, i, j;
	double run = 0;

	if (!n)
		return;
	order = malloc(n * sizeof(*order));
	if (!order) {
		/* Bonferroni is never less strict than Holm */
		for (i = 0; i < n; i++)
			adjusted[i] = fmin(1.0, p[i] * (double)n);
		return;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	/* insertion sort by p: n is the number of metrics, tens at most */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && p_or_1(p[order[j]]) < p_or_1(p[order[j - 1]]); j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		double adj = fmin(1.0, p_or_1(p[order[i]]) * (double)(n - i));

		if (adj > run)
			run = adj;
		adjusted[order[i]] = run;
	}
	free(order);
}
