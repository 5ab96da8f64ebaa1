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
 *   sensitivity --gather DIR SCENARIO...
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
 *
 * The third form gathers the suite study (tests/sensitivity/run-suite-
 * sensitivity): DIR/SCENARIO/{p50,p90}/sensitivity.json, each the first
 * form's output for one scenario and primary metric, into DIR/mde.tsv
 * (the published table's suite format: a row per scenario, metric and run
 * count, read by sens_mde_read()) and DIR/table.md (the per-scenario table
 * of docs/compare.md), and the plot of every scenario's detection rates,
 * DIR/plot.svg and DIR/plot.png (gnuplot, when installed).
 * Exit: 0 done, 2 bad input.
 */
#include "compare.h"
#include "plot.h"
#include "runcmd.h"
#include "sensitivity.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
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
		"                   --sizes PCT,PCT,... [--in-flight-per-cpu M]\n"
		"       sensitivity --gather DIR SCENARIO...\n");
}

/* --- --gather ------------------------------------------------------------- */

static const char *jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "?";
}

/* an MDE cell of sensitivity.json ("every"/"declared"): a number or a word */
static void mde_cell(json_t *row, const char *fam, char *buf, size_t len, bool pct)
{
	json_t *v = json_object_get(row, fam);

	if (json_is_number(v))
		snprintf(buf, len, pct ? "%.1f%%" : "%.1f", json_number_value(v));
	else
		snprintf(buf, len, "%s", json_is_string(v) ? json_string_value(v) : "-");
}

/* the cell of pool at n a side, family fam ("every"/"declared"), or NULL */
static json_t *cell_of(json_t *pool, size_t n, const char *fam)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(pool, "cells"), i, c)
		if ((size_t)json_integer_value(json_object_get(c, "n")) == n &&
		    !strcmp(jstr(c, "family"), fam))
			return c;
	return NULL;
}

static void rate_cell(char *buf, size_t len, json_t *c, const char *what)
{
	json_t *v = c ? json_object_get(c, what) : NULL;

	if (json_is_number(v))
		snprintf(buf, len, "%.2f", json_number_value(v));
	else
		snprintf(buf, len, "-");
}

/* --- the suite study's plot ------------------------------------------------ */

struct panel {
	char title[160];
	double lo, hi;		/* its shifts' range, 0 included */
	size_t first;		/* its first data block */
	size_t nlines;
	size_t n[8];		/* run count of each line */
};

/*
 * a pool's point on the plot's axis: the A/A split (and any nominal 0) at
 * 0, a slowdown at the shift it made -- below 0 too, unlike the MDE's
 * axis (mde_x()), so that a slowdown that sped things up shows as such
 */
static double pool_x(json_t *pl)
{
	if (json_is_true(json_object_get(pl, "split_of_baseline")) ||
	    json_number_value(json_object_get(pl, "nominal_pct")) == 0)
		return 0;
	return json_number_value(json_object_get(pl, "effect_pct"));
}

/* a tic step of 1, 2 or 5 times a power of ten giving about 4 tics over span */
static double tic_step(double span)
{
	double raw = span > 0 ? span / 4 : 1, p = pow(10, floor(log10(raw)));

	return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

/*
 * DIR/plot.svg and .png from DIR/S/{p50,p90}/sensitivity.json: per
 * scenario and metric a panel, the rate at which the declared family
 * called the metric regressed against the shift each pool made (the
 * A/A split at 0: its false alarms), one line per run count.  Data go
 * through DIR/plot.dat; the script (DIR/plot.gp) holds no string of a
 * result file but scenario names made safe (plot_safe_label()).
 */
static int suite_plot(const char *dir, char **scen, size_t nscen)
{
	static const char *const q[] = { "p50", "p90" };
	char *dat = path_join(dir, "plot.dat"), *gp = path_join(dir, "plot.gp");
	struct atomic_file ad, ag;
	FILE *d = atomic_open(&ad, dat, 0644), *g = NULL;
	struct panel *pn = xcalloc(2 * nscen, sizeof(*pn));
	size_t npn = 0, blocks = 0, cols, rows;
	char err[1024];
	int rc = 2;

	if (!d) {
		wqb_err("cannot write %s: %s", dat, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < nscen; i++)
		for (size_t k = 0; k < 2; k++) {
			char *path = xasprintf("%s/%s/%s/sensitivity.json", dir, scen[i], q[k]);
			json_t *j = json_load_file(path, 0, NULL), *pl, *nv;
			struct panel *p = &pn[npn];
			char safe[96];
			size_t pi, ni;

			free(path);
			if (!j)
				continue;
			snprintf(p->title, sizeof(p->title), "%s queue-start %s",
				 plot_safe_label(scen[i], safe, sizeof(safe)), q[k]);
			{
				json_t *cv = json_object_get(json_object_get(j, "baseline_spread"),
							     "robust_cv_pct");

				if (json_is_number(cv))
					snprintf(p->title + strlen(p->title),
						 sizeof(p->title) - strlen(p->title), " (CV %.0f%%)",
						 json_number_value(cv));
			}
			p->first = blocks;
			json_array_foreach(json_object_get(j, "n"), ni, nv) {
				size_t n = (size_t)json_integer_value(nv), np = 0;
				double x[16], y[16];

				json_array_foreach(json_object_get(j, "pools"), pi, pl) {
					json_t *c = cell_of(pl, n, "declared"), *v;

					if (json_is_true(json_object_get(pl, "baseline")) || !c ||
					    np >= 16)
						continue;
					v = json_object_get(c, "detected");
					if (!json_is_number(v))
						continue;
					x[np] = pool_x(pl);
					y[np] = json_number_value(v);
					/* in order of the shift: insertion */
					for (size_t a = np++; a > 0 && x[a - 1] > x[a]; a--) {
						double tx = x[a], ty = y[a];

						x[a] = x[a - 1];
						y[a] = y[a - 1];
						x[a - 1] = tx;
						y[a - 1] = ty;
					}
				}
				if (!np || p->nlines >= 8)
					continue;
				fprintf(d, "# %s n=%zu: measured shift %%, detection rate\n", p->title, n);
				for (size_t a = 0; a < np; a++) {
					fprintf(d, "%.3f %.4f\n", x[a], y[a]);
					p->lo = fmin(p->lo, x[a]);
					p->hi = fmax(p->hi, x[a]);
				}
				fprintf(d, "\n\n");
				p->n[p->nlines++] = n;
				blocks++;
			}
			json_decref(j);
			if (p->nlines)
				npn++;
		}
	if (atomic_commit(&ad)) {
		d = NULL;
		wqb_err("cannot write %s: %s", dat, strerror(errno));
		goto out;
	}
	d = NULL;
	if (!npn) {
		wqb_err("%s: no detection rate to plot", dir);
		goto out;
	}
	cols = npn < 4 ? npn : 4;
	rows = (npn + cols - 1) / cols;
	g = atomic_open(&ag, gp, 0644);
	if (!g) {
		wqb_err("cannot write %s: %s", gp, strerror(errno));
		goto out;
	}
	for (int t = 0; t < 2; t++) {
		if (t)
			fprintf(g, "set terminal pngcairo size %zu,%zu font 'sans,9'\nset output 'plot.png'\n",
				300 * cols, 270 * rows + 60);
		else
			fprintf(g, "set encoding utf8\nset terminal svg size %zu,%zu dynamic font 'sans,10' "
				"background '#ffffff'\nset output 'plot.svg'\n", 300 * cols, 270 * rows + 60);
		fprintf(g, "set grid lc rgb '#dddddd'\nset key outside bottom center horizontal maxrows 1 font ',8'\n"
			"set yrange [0:1.02]\nset ylabel 'detected'\n"
			"set arrow 1 from 10, graph 0 to 10, graph 1 nohead dt 3 lc rgb '#aa0000'\n"
			"set multiplot layout %zu,%zu title \"queue-start regressions caught: share of draws (y)\\n"
			"against the shift measured between the full pools, %% (x)\\n"
			"declared family p50+p90 in Holm; A/A at 0; dotted: 10%%\" noenhanced\n", rows, cols);
		for (size_t i = 0; i < npn; i++) {
			double step = tic_step(pn[i].hi - pn[i].lo);

			fprintf(g, "set title '%s' noenhanced\nset xrange [%g:%g]\nset xtics %g\n"
				"plot 0.8 with lines dt 2 lc rgb '#888888' notitle", pn[i].title,
				floor(pn[i].lo / step) * step, fmax(ceil(pn[i].hi / step) * step, step),
				step);
			for (size_t l = 0; l < pn[i].nlines; l++)
				fprintf(g, ", 'plot.dat' index %zu with linespoints lw 2 pt 7 ps 0.6 "
					"title 'n=%zu'", pn[i].first + l, pn[i].n[l]);
			fprintf(g, "\n");
		}
		fprintf(g, "unset multiplot\nunset output\n");
	}
	if (atomic_commit(&ag)) {
		g = NULL;
		wqb_err("cannot write %s: %s", gp, strerror(errno));
		goto out;
	}
	g = NULL;
	if (sens_gnuplot(dir, "plot", err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		goto out;
	}
	rc = 0;
out:
	if (d)
		atomic_discard(&ad);
	if (g)
		atomic_discard(&ag);
	free(pn);
	free(dat);
	free(gp);
	return rc;
}

static int gather(const char *dir, char **scen, size_t nscen)
{
	static const char *const q[] = { "p50", "p90" };
	char *tsv_path = path_join(dir, "mde.tsv"), *md_path = path_join(dir, "table.md");
	struct atomic_file at, am;
	FILE *t = atomic_open(&at, tsv_path, 0644), *m = t ? atomic_open(&am, md_path, 0644) : NULL;
	bool head = false;
	int rc = 2;

	if (!t || !m) {
		wqb_err("cannot write %s or %s: %s", tsv_path, md_path, strerror(errno));
		goto out;
	}
	fprintf(t, "# wqbench sensitivity study of the quick and compare suites\n"
		"# (tests/sensitivity/run-suite-sensitivity, docs/compare.md): per scenario, the\n"
		"# shift of METRIC in its worse direction, in %%, that RUNS runs a side call\n"
		"# regressed in 80%% of draws, every metric of the scenario in Holm (JUDGED_EVERY)\n"
		"# or the declared family (JUDGED_DECLARED) -- 'never': no p(Holm) below alpha is\n"
		"# possible, 'none': not reached at the largest size measured, '-': not measured.\n"
		"# Generated; read by compare, compare-kernels and ci/nightly (the rows of the\n"
		"# scenario compared).  Do not edit by hand.\n");
	fprintf(m, "| scenario | metric | baseline: median, robust CV | measured shift (runs) at nominal");
	for (size_t i = 0; i < nscen; i++) {
		for (size_t k = 0; k < 2; k++) {
			char *p = xasprintf("%s/%s/%s/sensitivity.json", dir, scen[i], q[k]);
			json_error_t je;
			json_t *j = json_load_file(p, 0, &je), *info, *pools, *pl, *row, *base = NULL;
			json_t *aa = NULL;
			const char *metric;
			size_t pi, ri;
			char *id;

			if (!j) {
				wqb_err("%s: %s", p, je.text);
				free(p);
				goto out;
			}
			free(p);
			info = json_object_get(j, "info");
			metric = jstr(j, "primary");
			pools = json_object_get(j, "pools");
			json_array_foreach(pools, pi, pl) {
				if (json_is_true(json_object_get(pl, "baseline")))
					base = pl;
				else if (json_is_true(json_object_get(pl, "split_of_baseline")))
					aa = pl;
			}
			/* the scenario's own name, as compare sees it: its file's
			 * stem, the directory's name (the pools carry S_base) */
			id = xstrdup(scen[i]);
			if (!head) {
				fprintf(t, "# %s\ndate\t%s\nhost\t%s\nfamily\t%s\n",
					jstr(info, "command"), jstr(info, "date"), jstr(info, "host"),
					jstr(j, "family"));
				fprintf(t, "# mde SCENARIO METRIC JUDGED_EVERY JUDGED_DECLARED RUNS "
					"EVERY_METRIC DECLARED_FAMILY\n");
				json_array_foreach(pools, pi, pl)
					if (!json_is_true(json_object_get(pl, "baseline")) &&
					    !json_is_true(json_object_get(pl, "split_of_baseline")))
						fprintf(m, " %g%% |",
							json_number_value(json_object_get(pl, "nominal_pct")));
				fprintf(m, " MDE n=3 | n=6 | n=10 | n=16 | A/A n=6: any metric "
					"regressed / this metric | A/A n=10 |\n|---|---|");
				json_array_foreach(pools, pi, pl)
					if (!json_is_true(json_object_get(pl, "baseline")) &&
					    !json_is_true(json_object_get(pl, "split_of_baseline")))
						fprintf(m, "---|");
				fprintf(m, "---|---|---|---|---|---|---|\n");
				head = true;
			}
			json_array_foreach(json_object_get(j, "mde_pct"), ri, row) {
				char e[32], d[32];

				mde_cell(row, "every", e, sizeof(e), false);
				mde_cell(row, "declared", d, sizeof(d), false);
				fprintf(t, "mde\t%s\t%s\t%lld\t%lld\t%lld\t%s\t%s\n", id, metric,
					(long long)json_integer_value(json_object_get(j, "judged_every")),
					(long long)json_integer_value(json_object_get(j, "judged_declared")),
					(long long)json_integer_value(json_object_get(row, "n")), e, d);
			}
			/* the study's trace (study.env trace=, run-suite-sensitivity
			 * --trace): studies before it have none and say nothing */
			fprintf(m, "| %s (baseline %zu runs%s%s) | `%s` |", id,
				base ? json_array_size(json_object_get(base, "runs")) : 0,
				json_object_get(info, "trace") ? ", trace " : "",
				json_object_get(info, "trace") ? jstr(info, "trace") : "", metric);
			{
				json_t *sp = json_object_get(j, "baseline_spread");
				json_t *md = json_object_get(sp, "median"), *cv = json_object_get(sp, "robust_cv_pct");

				if (json_is_number(md) && json_is_number(cv))
					fprintf(m, " %.1f µs, %.0f%% |", json_number_value(md) / 1000,
						json_number_value(cv));
				else
					fprintf(m, " - |");
			}
			json_array_foreach(pools, pi, pl)
				if (!json_is_true(json_object_get(pl, "baseline")) &&
				    !json_is_true(json_object_get(pl, "split_of_baseline"))) {
					json_t *ef = json_object_get(pl, "effect_pct");

					if (json_is_number(ef))
						fprintf(m, " %+.1f%% (%zu) |", json_number_value(ef),
							json_array_size(json_object_get(pl, "runs")));
					else
						fprintf(m, " - |");
				}
			json_array_foreach(json_object_get(j, "mde_pct"), ri, row) {
				char e[32], d[32];

				mde_cell(row, "every", e, sizeof(e), true);
				mde_cell(row, "declared", d, sizeof(d), true);
				fprintf(m, " %s / %s |", e, d);
			}
			for (size_t n = 6; n <= 10; n += 4) {
				char a[16], b[16], c2[16], d2[16];

				rate_cell(a, sizeof(a), aa ? cell_of(aa, n, "every") : NULL,
					  "any_regressed");
				rate_cell(b, sizeof(b), aa ? cell_of(aa, n, "every") : NULL, "detected");
				rate_cell(c2, sizeof(c2), aa ? cell_of(aa, n, "declared") : NULL,
					  "any_regressed");
				rate_cell(d2, sizeof(d2), aa ? cell_of(aa, n, "declared") : NULL,
					  "detected");
				fprintf(m, " %s / %s (declared %s / %s) |", a, b, c2, d2);
			}
			fprintf(m, "\n");
			free(id);
			json_decref(j);
		}
	}
	{
		int c1 = atomic_commit(&at), c2 = atomic_commit(&am);

		t = m = NULL;
		if (c1 || c2) {
			wqb_err("cannot write %s or %s: %s", tsv_path, md_path, strerror(errno));
			goto out;
		}
	}
	/* the plot, where gnuplot is (make deps installs it) */
	rc = program_in_path("gnuplot") ? suite_plot(dir, scen, nscen) : 0;
out:
	if (t)
		atomic_discard(&at);
	if (m)
		atomic_discard(&am);
	free(tsv_path);
	free(md_path);
	return rc;
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
		} else if (!strcmp(a, "--gather") && val) {
			rc = gather(argv[i + 1], argv + i + 2, (size_t)(argc - i - 2));
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
