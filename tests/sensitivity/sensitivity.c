// SPDX-License-Identifier: GPL-2.0
/*
 * build/sensitivity: the subsampler of the sensitivity study (issue 15;
 * analysis/sensitivity.c does the work, tests/sensitivity/run-sensitivity
 * drives it, docs/compare.md has the figures).
 *
 *   sensitivity --baseline SCEN --candidate SCEN:NOMINAL... --primary KEY
 *               [--family LIST] [--n 3,6,10,16] [--draws 200] [--seed 15]
 *               [--alpha 0.05] [--min-effect 5] [--info KEY=VALUE]...
 *               --out DIR ROOT...
 *   sensitivity --calibrate DIR --baseline SCEN --primary KEY --cpus N --sizes 0,5,...
 *               [--in-flight-per-cpu M]
 *
 * The first form: the runs under ROOT whose scenario is SCEN (the
 * baseline) or a candidate's are the pools; for each n, DRAWS times, n
 * runs are drawn from the baseline pool and n from each candidate pool,
 * without replacement, and judged by compare_judge() with every metric in
 * the Holm family and with the declared family LIST; sensitivity.md,
 * sensitivity.json, mde.tsv and the plot go to DIR.
 *
 * The second form prints the per-item cost and the [slowdown] delay of
 * each nominal size from the runs of SCEN under DIR, KEY a throughput
 * (sens_calibrate_delay_ns) or a closed loop's queue->start latency with M
 * items in flight per CPU (sens_calibrate_latency_delay_ns):
 *   cost NS THROUGHPUT    or    latency NS M
 *   size PCT DELAY_NS
 * Exit: 0 done, 2 bad input.
 */
#include "compare.h"
#include "sensitivity.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sensitivity --baseline SCEN --candidate SCEN:NOMINAL... --primary KEY\n"
		"                   [--family LIST] [--n 3,6,10,16] [--draws 200] [--seed 15]\n"
		"                   [--alpha 0.05] [--min-effect 5] [--info KEY=VALUE]...\n"
		"                   --out DIR ROOT...\n"
		"       sensitivity --calibrate DIR --baseline SCEN --primary KEY --cpus N\n"
		"                   --sizes PCT,PCT,... [--in-flight-per-cpu M]\n");
}

/* "3,6,10" into a malloc'd array of values in lo..hi; NULL if malformed */
static double *list(const char *s, double lo, double hi, size_t *n)
{
	char *copy = xstrdup(s), *save = NULL;
	double *v = NULL;

	*n = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		if (!parse_double_in(t, lo, hi, &v[*n])) {
			free(v);
			free(copy);
			return NULL;
		}
		(*n)++;
	}
	free(copy);
	if (!*n) {
		free(v);
		return NULL;
	}
	return v;
}

static int calibrate(const char *dir, const char *scen, const char *primary, double cpus,
		     double per_cpu, const char *sizes)
{
	struct sens_study s = { 0 };
	char err[1024], *roots[1] = { (char *)dir };
	size_t np = 0, idx;
	double *pct = list(sizes, 0, 99, &np), *v, t;
	int rc = 2;

	if (!pct) {
		wqb_err("--sizes wants percentages 0..99, comma-separated, not '%s'", sizes);
		return 2;
	}
	sens_pool_add(&s, scen, 0);
	if (sens_load(&s, roots, 1, err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		goto out;
	}
	idx = SIZE_MAX;
	for (size_t i = 0; i < s.nm; i++)
		if (!strcmp(s.m[i].key, primary))
			idx = i;
	if (idx == SIZE_MAX || !s.pool[0].nruns) {
		wqb_err("%s: no complete run of %s with metric %s", dir, scen, primary);
		goto out;
	}
	v = xcalloc(s.pool[0].nruns, sizeof(*v));
	np = 0;
	for (size_t r = 0; r < s.pool[0].nruns; r++)
		if (!isnan(s.pool[0].v[r * s.nm + idx]))
			v[np++] = s.pool[0].v[r * s.nm + idx];
	t = stats_median(v, np);
	free(v);
	if (!(t > 0)) {
		wqb_err("%s: median %s is %g: no per-item cost to calibrate from", dir, primary, t);
		goto out;
	}
	if (str_ends_with(primary, ".throughput"))
		printf("cost %.0f %.1f\n", cpus * 1e9 / t, t);
	else
		printf("latency %.0f %g\n", t, per_cpu);
	{
		size_t k;
		double *p2 = list(sizes, 0, 99, &k);

		for (size_t i = 0; i < k; i++)
			printf("size %g %.0f\n", p2[i],
			       str_ends_with(primary, ".throughput")
				       ? sens_calibrate_delay_ns(t, (unsigned)cpus, p2[i])
				       : sens_calibrate_latency_delay_ns(t, per_cpu, p2[i]));
		free(p2);
	}
	rc = 0;
out:
	free(pct);
	sens_free(&s);
	return rc;
}

int main(int argc, char **argv)
{
	struct sens_study s = { .alpha = 0.05, .min_effect_pct = 5.0, .draws = 200, .seed = 15 };
	const char *base = NULL, *out = NULL, *cal = NULL, *sizes = NULL, *ns = "3,6,10,16";
	char **cands = xcalloc((size_t)argc, sizeof(char *)), **roots = xcalloc((size_t)argc,
										    sizeof(char *));
	char **info = xcalloc((size_t)argc, sizeof(char *)), err[1024];
	size_t ncand = 0, nroots = 0, ninfo = 0, k;
	double x, cpus = 0, per_cpu = 0, *nv = NULL;
	int rc = 2;

	wqb_progname = "sensitivity";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool val = i + 1 < argc;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (!strcmp(a, "--baseline") && val) {
			base = argv[++i];
		} else if (!strcmp(a, "--candidate") && val) {
			cands[ncand++] = argv[++i];
		} else if (!strcmp(a, "--primary") && val) {
			s.primary = argv[++i];
		} else if (!strcmp(a, "--family") && val) {
			s.family = argv[++i];
		} else if (!strcmp(a, "--n") && val) {
			ns = argv[++i];
		} else if (!strcmp(a, "--out") && val) {
			out = argv[++i];
		} else if (!strcmp(a, "--info") && val) {
			info[ninfo++] = argv[++i];
		} else if (!strcmp(a, "--calibrate") && val) {
			cal = argv[++i];
		} else if (!strcmp(a, "--sizes") && val) {
			sizes = argv[++i];
		} else if (!strcmp(a, "--cpus") && val) {
			if (!parse_double_in(argv[++i], 1, 64, &cpus)) {
				wqb_err("--cpus wants 1..64, not '%s'", argv[i]);
				goto out;
			}
		} else if (!strcmp(a, "--in-flight-per-cpu") && val) {
			if (!parse_double_in(argv[++i], 1, 1e6, &per_cpu)) {
				wqb_err("--in-flight-per-cpu wants a number >= 1, not '%s'", argv[i]);
				goto out;
			}
		} else if (!strcmp(a, "--draws") && val) {
			if (!parse_double_in(argv[++i], 1, 1e6, &x)) {
				wqb_err("--draws wants 1..1000000, not '%s'", argv[i]);
				goto out;
			}
			s.draws = (size_t)x;
		} else if (!strcmp(a, "--seed") && val) {
			if (!parse_double_in(argv[++i], 0, 1e15, &x)) {
				wqb_err("--seed wants a number, not '%s'", argv[i]);
				goto out;
			}
			s.seed = (uint64_t)x;
		} else if (!strcmp(a, "--alpha") && val) {
			if (!parse_double_in(argv[++i], 1e-9, 0.5, &s.alpha)) {
				wqb_err("--alpha wants 0 < alpha <= 0.5, not '%s'", argv[i]);
				goto out;
			}
		} else if (!strcmp(a, "--min-effect") && val) {
			if (!parse_double_in(argv[++i], 0, 1000, &s.min_effect_pct)) {
				wqb_err("--min-effect wants 0..1000, not '%s'", argv[i]);
				goto out;
			}
		} else if (a[0] == '-') {
			wqb_err("unknown or incomplete option '%s'", a);
			usage(stderr);
			goto out;
		} else {
			roots[nroots++] = argv[i];
		}
	}
	if (cal && !str_ends_with(s.primary, ".throughput") && !per_cpu) {
		wqb_err("--calibrate on a latency needs --in-flight-per-cpu M");
		goto out;
	}
	if (!base || !s.primary) {
		wqb_err("--baseline SCEN and --primary KEY are needed");
		usage(stderr);
		goto out;
	}
	if (cal) {
		if (!sizes || !cpus) {
			wqb_err("--calibrate needs --cpus N and --sizes LIST");
			goto out;
		}
		rc = calibrate(cal, base, s.primary, cpus, per_cpu, sizes);
		goto out;
	}
	if (!ncand || !nroots || !out) {
		wqb_err("--candidate SCEN:NOMINAL, --out DIR and at least one ROOT are needed");
		usage(stderr);
		goto out;
	}
	nv = list(ns, 1, 10000, &k);
	if (!nv) {
		wqb_err("--n wants run counts, comma-separated, not '%s'", ns);
		goto out;
	}
	s.n = xcalloc(k, sizeof(*s.n));
	s.nn = k;
	for (size_t i = 0; i < k; i++)
		s.n[i] = (size_t)nv[i];
	sens_pool_add(&s, base, 0);
	for (size_t i = 0; i < ncand; i++) {
		char *colon = strrchr(cands[i], ':'), *name;

		if (!colon || !parse_double_in(colon + 1, 0, 1000, &x)) {
			wqb_err("--candidate wants SCENARIO:NOMINAL_PCT, not '%s'", cands[i]);
			goto out;
		}
		name = xasprintf("%.*s", (int)(colon - cands[i]), cands[i]);
		sens_pool_add(&s, name, x);
		free(name);
	}
	if (sens_load(&s, roots, nroots, err, sizeof(err)) < 0 || sens_run(&s, err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		goto out;
	}
	if (sens_write(&s, out, info, ninfo, err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		goto out;
	}
	{
		char *md = path_join(out, "sensitivity.md"), *text = read_file(md, NULL);

		if (text)
			fputs(text, stdout);
		free(text);
		free(md);
	}
	rc = 0;
out:
	free(nv);
	free(s.n);
	sens_free(&s);
	free(cands);
	free(roots);
	free(info);
	return rc;
}
