// SPDX-License-Identifier: GPL-2.0
/*
 * The module-vs-trace band (tracefig_band) against brute force: items
 * with a trace-side duration L and a per-item stamp offset D are made up
 * (constant, uniform, heavy-tailed and L-correlated offsets), the trace's
 * histogram is built from L, one item in 16 is "paired" as the harness's
 * sampling does, and the module's true quantile -- of L + D for
 * queue->start, of L - D for run time -- must lie in the band, for the
 * median and the p99.  A module figure far off the truth must fall
 * outside it, so the band is not a blanket.  instrument=sampled: the
 * module's quantile of one item in K must lie in the band widened by
 * tracefig_sampling_slack().  Executions the trace's start cut widen
 * the band by tracefig_censor().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tracefig.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N	40000
#define EVERY	16

static uint64_t rng = 88172645463325252ULL;

static double uni(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* nearest rank, as the histograms report */
static double quantile(double *v, size_t n, double q)
{
	size_t r = (size_t)ceil(q * (double)n);

	qsort(v, n, sizeof(*v), cmp_double);
	return v[r ? r - 1 : 0];
}

enum shape { D_CONST, D_UNIFORM, D_TAIL, D_CORRELATED };

static double offset(enum shape sh, double l)
{
	switch (sh) {
	case D_CONST:
		return 11700;			/* the gap seen on a slow host */
	case D_UNIFORM:
		return 2000 + 20000 * uni();
	case D_TAIL:
		return uni() < 0.02 ? 50000 + 500000 * uni() : 3000 + 1000 * uni();
	default:
		return 0.2 * l + 1000 * uni();	/* contention grows with the wait */
	}
}

/* trace-side duration: mostly a few µs to tens of µs, a long tail */
static double duration(void)
{
	double u = uni();

	return u < 0.9 ? 4000 + 30000 * uni() : 100000 + 20e6 * uni() * uni();
}

struct world {
	struct loghist L;
	double *m;		/* the module's per-item value */
	double *dl, *dh;	/* offsets of the paired items */
	size_t n;
};

static void make_world(struct world *w, enum shape sh, int sign)
{
	loghist_init(&w->L);
	w->m = calloc(N, sizeof(double));
	w->dl = calloc(N / EVERY + 1, sizeof(double));
	w->dh = calloc(N / EVERY + 1, sizeof(double));
	w->n = 0;
	for (size_t i = 0; i < N; i++) {
		double l = duration(), d = offset(sh, l), start = d * uni();

		if (sign < 0 && d > l)	/* the module's interval lies inside the trace's */
			d = l;
		if (start > d)
			start = d;
		loghist_add(&w->L, (uint64_t)l);
		w->m[i] = sign > 0 ? l + d : l - d;
		if (i % EVERY == 0) {
			/* a sampled run-time item also pays for pushing its record */
			w->dl[w->n] = sign > 0 ? d : d + 1500;
			w->dh[w->n++] = sign > 0 ? d : start;
		}
	}
	qsort(w->dl, w->n, sizeof(double), cmp_double);
	qsort(w->dh, w->n, sizeof(double), cmp_double);
}

static void free_world(struct world *w)
{
	free(w->m);
	free(w->dl);
	free(w->dh);
}

static void check(enum shape sh, int sign, double q)
{
	struct world w;
	double lo, hi, truth;

	make_world(&w, sh, sign);
	tracefig_band(&w.L, q, sign, w.dl, w.dh, w.n, &lo, &hi);
	truth = quantile(w.m, N, q);
	if (!(truth >= lo && truth <= hi))
		fail_msg("shape %d sign %d q %.2f: module %.0f ns outside the band %.0f..%.0f",
			 sh, sign, q, truth, lo, hi);
	free_world(&w);
}

/* the unbound non-reentrancy excuse of the trace's containment oracle */
static void test_kept_on_old_pool(void **state)
{
	const uint64_t ms = 1000000, cpu1 = 1 << 1;
	struct wqtrace_exec x = { .queue_ts = 1000 * ms };

	(void)state;
	/* the trace saw the requeue before the end: kept, wherever */
	x.queued_running = true;
	assert_true(tracefig_kept_on_old_pool(&x, 0, -1, false, false, cpu1));
	x.queued_running = false;
	/* 15 ms after its run on CPU 2 ended, mask CPU 1 (the case of 2026-12-01) */
	assert_true(tracefig_kept_on_old_pool(&x, 985 * ms, 2, false, false, cpu1));
	/* its previous run was inside the mask: that pool is the current one */
	assert_false(tracefig_kept_on_old_pool(&x, 985 * ms, 1, false, false, cpu1));
	assert_false(tracefig_kept_on_old_pool(&x, 985 * ms, 1, false, true, cpu1));
	/* long after, on another worker: that worker had let go of it */
	assert_false(tracefig_kept_on_old_pool(&x, 1000 * ms - TRACEFIG_GRACE_MS * ms, 2, false, false,
					       cpu1));
	/* long after (140 ms), back on the worker that ran nothing since (the second case) */
	assert_true(tracefig_kept_on_old_pool(&x, 860 * ms, 2, false, true, cpu1));
	/*
	 * Its previous run on CPU 1, inside the mask, but begun before the
	 * change returned: on the old pool, whose CPUs were {1, 2} (6.1, the
	 * case of 2026-12-01 evening: requeued 59 ms after, same worker)
	 */
	assert_true(tracefig_kept_on_old_pool(&x, 941 * ms, 1, true, false, cpu1));
	assert_true(tracefig_kept_on_old_pool(&x, 700 * ms, 1, true, true, cpu1));
	assert_false(tracefig_kept_on_old_pool(&x, 700 * ms, 1, true, false, cpu1));
	/* no previous run seen, or one that ended after this queueing */
	assert_false(tracefig_kept_on_old_pool(&x, 0, 2, false, true, cpu1));
	assert_false(tracefig_kept_on_old_pool(&x, 1001 * ms, 2, false, true, cpu1));
}

static void test_band_holds(void **state)
{
	(void)state;
	for (int sh = D_CONST; sh <= D_CORRELATED; sh++)
		for (int rep = 0; rep < 5; rep++) {
			check(sh, 1, 0.50);
			check(sh, 1, 0.99);
			check(sh, -1, 0.50);
			check(sh, -1, 0.99);
		}
}

/* a module off by a third at the median is caught when the offset is steady */
static void test_band_is_not_a_blanket(void **state)
{
	struct world w;
	double lo, hi, truth;

	(void)state;
	make_world(&w, D_CONST, 1);
	tracefig_band(&w.L, 0.5, 1, w.dl, w.dh, w.n, &lo, &hi);
	truth = quantile(w.m, N, 0.5);
	assert_true(truth * 1.33 > hi);
	assert_true(truth * 0.67 < lo);
	/* and the offset is accounted for: the trace's own median is below the band */
	assert_true((double)loghist_quantile(&w.L, 0.5) < lo);
	free_world(&w);
}

/*
 * instrument=sampled: the module's percentile comes from one item in K
 * (each offset of the countdown), and must lie in the band taken at
 * q -/+ the sampling slack; the slack is 0 when every item is timed.
 */
static void test_sampled(void **state)
{
	static const unsigned int ks[] = { 16, 64 };

	(void)state;
	assert_true(tracefig_sampling_slack(1, 1000, 0.5) == 0);
	assert_true(tracefig_sampling_slack(0, 0, 0.5) == 0);
	assert_true(tracefig_sampling_slack(16, 0, 0.5) == 1);
	assert_true(fabs(tracefig_sampling_slack(16, 2500, 0.5) - 0.03) < 1e-12);
	for (int sh = D_CONST; sh <= D_CORRELATED; sh++)
		for (int sign = -1; sign <= 1; sign += 2)
			for (size_t ki = 0; ki < 2; ki++) {
				unsigned int k = ks[ki];
				struct world w;
				double *sub = calloc(N / k + 1, sizeof(double));

				make_world(&w, sh, sign);
				for (unsigned int first = 0; first < k; first += 5) {
					size_t n = 0;

					for (size_t i = first; i < N; i += k)
						sub[n++] = w.m[i];
					for (int qi = 0; qi < 2; qi++) {
						double q = qi ? 0.99 : 0.50, lo, hi, x;
						double e = tracefig_sampling_slack(k, n, q);
						double got = quantile(sub, n, q);

						tracefig_band(&w.L, fmax(q - e, 0.0005), sign, w.dl, w.dh,
							      w.n, &lo, &x);
						tracefig_band(&w.L, fmin(q + e, 1.0), sign, w.dl, w.dh,
							      w.n, &x, &hi);
						if (!(got >= lo && got <= hi))
							fail_msg("shape %d sign %d 1/%u from %u q %.2f: %.0f outside %.0f..%.0f",
								 sh, sign, k, first, q, got, lo, hi);
					}
				}
				free(sub);
				free_world(&w);
			}
}

/* few pairs: the order statistics widen the band, it still holds */
static void test_few_pairs(void **state)
{
	struct world w;
	double lo, hi, truth;

	(void)state;
	make_world(&w, D_UNIFORM, 1);
	w.n = TRACEFIG_MIN_PAIRS;
	for (size_t i = 0; i < w.n; i++)
		w.dl[i] = w.dh[i] = 2000 + 20000 * (double)i / (double)(w.n - 1);
	tracefig_band(&w.L, 0.5, 1, w.dl, w.dh, w.n, &lo, &hi);
	truth = quantile(w.m, N, 0.5);
	assert_true(truth >= lo && truth <= hi);
	assert_true(lo >= 0 && isfinite(hi));
	free_world(&w);
}

/*
 * Executions cut by the trace's start are missing from its histogram, and
 * they are the long ones.  Whatever u of n + u were cut, the full set's
 * quantile must lie between the kept ones' quantiles tracefig_censor()
 * names; with the longest cut, the uncorrected p99 would not.
 */
static void test_censored(void **state)
{
	static double all[N], kept[N];
	const size_t u = 200;	/* 0.5%: the p99 is still bounded above */

	(void)state;
	for (size_t i = 0; i < N; i++)
		all[i] = duration();
	for (int worst = 0; worst < 2; worst++) {
		for (int k = 0; k < 2; k++) {
			double q = k ? 0.99 : 0.5, ql = q, qh = q, truth, lo, hi;
			bool open_top = false;
			size_t n = N - u;

			qsort(all, N, sizeof(*all), cmp_double);
			truth = all[(size_t)ceil(q * N) - 1];
			/* worst case up: the u longest cut; down: the u shortest */
			memcpy(kept, worst ? all : all + u, n * sizeof(*kept));
			tracefig_censor(n, u, &ql, &qh, &open_top);
			assert_false(open_top);
			assert_true(ql <= q && qh >= q);
			lo = quantile(kept, n, ql);
			hi = quantile(kept, n, qh);
			assert_true(truth >= lo && truth <= hi);
			if (worst && k)	/* the longest cut: the plain p99 is short */
				assert_true(quantile(kept, n, q) < truth);
		}
	}
	/* more cut than the top holds: nothing bounds the p99 from above */
	{
		double ql = 0.99, qh = 0.99;
		bool open_top = false;

		tracefig_censor(1000, 20, &ql, &qh, &open_top);
		assert_true(open_top);
		assert_true(qh == 1.0);
		assert_true(fabs(ql - (0.99 * 1020 - 20) / 1000) < 1e-12);
	}
	/* none cut: unchanged */
	{
		double ql = 0.5, qh = 0.5;
		bool open_top = false;

		tracefig_censor(1000, 0, &ql, &qh, &open_top);
		assert_true(ql == 0.5 && qh == 0.5 && !open_top);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_on_old_pool),
		cmocka_unit_test(test_band_holds),
		cmocka_unit_test(test_sampled),
		cmocka_unit_test(test_band_is_not_a_blanket),
		cmocka_unit_test(test_few_pairs),
		cmocka_unit_test(test_censored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
