// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench compare --baseline DIR... --candidate DIR...`: is the candidate
 * slower, faster or the same, metric by metric, and can we tell?
 *
 * Each side is several runs of the same scenarios (a run directory, or a
 * directory holding run directories).  Per scenario and metric the runs
 * give one value each; the two samples are compared without assuming any
 * distribution:
 *   - median of each side with its binomial 95% confidence interval;
 *   - Hodges-Lehmann shift (candidate - baseline) with its Moses interval,
 *     as a percentage of the baseline median: the change we report;
 *   - Mann-Whitney U p-value, Holm-adjusted over every judged metric, so
 *     comparing forty metrics does not buy forty chances of a false alarm.
 * A metric regressed (or improved) only when the adjusted p-value is below
 * alpha AND the shift is at least the minimum effect; a shift that large
 * without significance is "too noisy"; anything smaller is unchanged.
 * Fewer than CMP_MIN_RUNS runs on a side: not judged, and we say so.
 *
 * Oracle failures (failed checks, dmesg findings, incomplete runs) are
 * collected first: they matter more than any speed figure.
 */
#include "commands.h"
#include "compare.h"
#include "report.h"
#include "stats.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/*
 * Tail maxima and p99.9 of a few thousand items are set by one or two
 * outliers per run; judging them would turn noise into verdicts.  They
 * are shown, never judged.
 */
static bool metric_is_info(const char *key)
{
	return str_ends_with(key, "_max_ns") || str_ends_with(key, "_p99.9_ns");
}

const char *cmp_verdict_name(enum cmp_verdict v)
{
	static const char *const names[] = { "regressed", "improved", "unchanged",
					     "too noisy", "not judged", "info" };

	return v <= CMP_INFO ? names[v] : "?";
}

bool cmp_candidate_failed(const struct comparison *c)
{
	for (size_t i = 0; i < c->nf; i++)
		if (c->f[i].side == 1)
			return true;
	return false;
}

int cmp_exit_code(const struct comparison *c)
{
	if (c->count[CMP_REGRESSED] || cmp_candidate_failed(c))
		return 1;
	if (!c->judged)
		return 2;
	return 0;
}

static void add_note(struct comparison *c, char *note)
{
	c->notes = xrealloc(c->notes, (c->nnotes + 1) * sizeof(*c->notes));
	c->notes[c->nnotes++] = note;
}

static void add_failure(struct comparison *c, int side, const char *dir, const char *scenario,
			char *what)
{
	struct cmp_failure *f;

	c->f = xrealloc(c->f, (c->nf + 1) * sizeof(*c->f));
	f = &c->f[c->nf++];
	f->side = side;
	f->dir = xstrdup(dir);
	f->scenario = xstrdup(scenario);
	f->what = what;
}

static struct cmp_metric *metric_get(struct comparison *c, const char *scenario, const char *key,
				     const char *unit, bool higher_better)
{
	struct cmp_metric *m;

	for (size_t i = 0; i < c->nm; i++)
		if (!strcmp(c->m[i].scenario, scenario) && !strcmp(c->m[i].key, key))
			return &c->m[i];
	c->m = xrealloc(c->m, (c->nm + 1) * sizeof(*c->m));
	m = &c->m[c->nm++];
	memset(m, 0, sizeof(*m));
	m->scenario = xstrdup(scenario);
	m->key = xstrdup(key);
	m->unit = xstrdup(unit);
	m->higher_better = higher_better;
	return m;
}

static void push_value(struct cmp_side_stat *s, double v)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = v;
}

static bool is_run_dir(const char *dir)
{
	char *p = path_join(dir, "summary.json");
	bool yes = path_exists(p);

	free(p);
	return yes;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* DIR itself if it is a run, else the runs directly inside it (not via symlinks) */
static int find_runs(struct cmp_side *s, const char *dir, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *e;
	size_t before = s->nruns;

	if (!is_dir(dir)) {
		snprintf(err, errlen, "%s: no such directory", dir);
		return -1;
	}
	if (is_run_dir(dir)) {
		s->runs = xrealloc(s->runs, (s->nruns + 1) * sizeof(*s->runs));
		s->runs[s->nruns++] = xstrdup(dir);
		return 0;
	}
	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		struct stat st;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = path_join(dir, e->d_name);
		/* results/latest is a symlink to a run already in the list */
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && is_run_dir(p)) {
			s->runs = xrealloc(s->runs, (s->nruns + 1) * sizeof(*s->runs));
			s->runs[s->nruns++] = p;
		} else {
			free(p);
		}
	}
	closedir(d);
	if (s->nruns == before) {
		snprintf(err, errlen, "%s: neither a run directory nor a directory of runs (no summary.json)",
			 dir);
		return -1;
	}
	qsort(s->runs + before, s->nruns - before, sizeof(*s->runs), cmp_str);
	return 0;
}

static json_t *load_json(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	json_t *j = json_load_file(p, 0, NULL);

	free(p);
	return j;
}

static void add_kernel(struct cmp_side *s, const char *release)
{
	size_t len = strlen(release);
	const char *k = s->kernels;

	while (k && *k) {
		if (!strncmp(k, release, len) && (k[len] == ',' || !k[len]))
			return;
		k = strchr(k, ',');
		k = k ? k + 1 : NULL;
	}
	if (!s->kernels) {
		s->kernels = xstrdup(release);
	} else {
		char *n = xasprintf("%s,%s", s->kernels, release);

		free(s->kernels);
		s->kernels = n;
	}
}

static int load_run(struct comparison *c, int side, const char *dir, char *err, size_t errlen)
{
	json_t *sum = load_json(dir, "summary.json"), *meta, *metrics, *checks, *ck, *v;
	const char *scenario, *key, *release = NULL;
	size_t i;
	bool complete;

	if (!sum) {
		snprintf(err, errlen, "%s/summary.json: not readable JSON", dir);
		return -1;
	}
	scenario = json_string_value(json_object_get(sum, "scenario"));
	if (!scenario) {
		snprintf(err, errlen, "%s/summary.json: no \"scenario\"", dir);
		json_decref(sum);
		return -1;
	}
	meta = load_json(dir, "meta.json");
	if (meta)
		release = json_string_value(json_object_get(json_object_get(meta, "kernel"),
							    "release"));
	if (!release)
		release = json_string_value(json_object_get(json_object_get(sum, "guest"),
							    "kernel"));
	add_kernel(&c->side[side], release ? release : "unknown");

	complete = json_is_true(json_object_get(sum, "complete"));
	checks = json_object_get(sum, "checks");
	json_array_foreach(checks, i, ck) {
		const char *st = json_string_value(json_object_get(ck, "status"));

		if (st && !strcmp(st, "fail"))
			add_failure(c, side, dir, scenario,
				    xasprintf("%s: %s",
					      json_string_value(json_object_get(ck, "name")) ?: "?",
					      json_string_value(json_object_get(ck, "detail")) ?: ""));
	}
	if (!complete) {
		json_t *reasons = json_object_get(sum, "reasons");
		const char *why = json_string_value(json_array_get(reasons,
								    json_array_size(reasons) - 1));

		add_failure(c, side, dir, scenario,
			    xasprintf("run incomplete (%s): its figures are left out",
				      why ? why : "no reason recorded"));
		goto out;
	}
	/* figures of a run report has not seen yet are computed the same way */
	metrics = json_incref(json_object_get(sum, "metrics"));
	if (!metrics)
		metrics = report_metrics(dir, err, errlen);
	if (!metrics) {
		json_decref(meta);
		json_decref(sum);
		return -1;
	}
	json_object_foreach(metrics, key, v) {
		json_t *val = json_object_get(v, "value");
		const char *unit = json_string_value(json_object_get(v, "unit"));
		const char *better = json_string_value(json_object_get(v, "better"));
		struct cmp_metric *m;

		if (!json_is_number(val))
			continue;
		m = metric_get(c, scenario, key, unit ? unit : "",
			       better && !strcmp(better, "higher"));
		push_value(&m->s[side], json_number_value(val));
	}
	json_decref(metrics);
out:
	json_decref(meta);
	json_decref(sum);
	return 0;
}

static void side_stats(struct cmp_side_stat *s, double conf)
{
	if (!s->n) {
		s->median = s->ci_lo = s->ci_hi = NAN;
		return;
	}
	s->median = stats_median(s->v, s->n);
	s->ci_ok = stats_median_ci(s->v, s->n, conf, &s->ci_lo, &s->ci_hi) == 0;
}

/* smallest two-sided exact p-value possible with na and nb runs: 2 / C(na+nb, na) */
static double min_attainable_p(size_t na, size_t nb)
{
	double c = 1;

	for (size_t i = 1; i <= na; i++)
		c = c * (double)(nb + i) / (double)i;
	return fmin(1.0, 2.0 / c);
}

void compare_judge(struct comparison *c)
{
	double *p = xcalloc(c->nm ? c->nm : 1, sizeof(*p));
	double *adj = xcalloc(c->nm ? c->nm : 1, sizeof(*adj));
	size_t *idx = xcalloc(c->nm ? c->nm : 1, sizeof(*idx));
	size_t nj = 0, min_na = SIZE_MAX, min_nb = SIZE_MAX;

	memset(c->count, 0, sizeof(c->count));
	for (size_t i = 0; i < c->nm; i++) {
		struct cmp_metric *m = &c->m[i];
		struct cmp_side_stat *a = &m->s[0], *b = &m->s[1];
		double u;

		side_stats(a, c->conf);
		side_stats(b, c->conf);
		m->p = m->p_adj = m->pct = m->shift = m->shift_lo = m->shift_hi = NAN;
		if (a->n && b->n) {
			m->shift_ci_ok = stats_hodges_lehmann(a->v, a->n, b->v, b->n, c->conf,
							      &m->shift, &m->shift_lo,
							      &m->shift_hi) == 0;
			if (a->median != 0)
				m->pct = 100.0 * m->shift / fabs(a->median);
			else if (m->shift == 0)
				m->pct = 0;
		}
		if (metric_is_info(m->key)) {
			m->verdict = CMP_INFO;
			snprintf(m->why, sizeof(m->why), "tail figure: shown, not judged");
			continue;
		}
		if (a->n < CMP_MIN_RUNS || b->n < CMP_MIN_RUNS) {
			m->verdict = CMP_NOT_JUDGED;
			snprintf(m->why, sizeof(m->why), "needs %d runs a side, has %zu and %zu",
				 CMP_MIN_RUNS, a->n, b->n);
			continue;
		}
		m->p = stats_mann_whitney(a->v, a->n, b->v, b->n, &u);
		p[nj] = m->p;
		idx[nj++] = i;
		if (a->n < min_na)
			min_na = a->n;
		if (b->n < min_nb)
			min_nb = b->n;
	}
	stats_holm(p, nj, adj);
	c->judged = nj;
	for (size_t j = 0; j < nj; j++) {
		struct cmp_metric *m = &c->m[idx[j]];
		bool significant, big, worse;

		m->p_adj = adj[j];
		significant = m->p_adj < c->alpha;
		big = isnan(m->pct) ? m->shift != 0 : fabs(m->pct) >= c->min_effect_pct;
		worse = m->higher_better ? m->shift < 0 : m->shift > 0;
		if (significant && big) {
			m->verdict = worse ? CMP_REGRESSED : CMP_IMPROVED;
			snprintf(m->why, sizeof(m->why), "shift %+.1f%% >= %.1f%%, p(Holm) %.3g < %.3g",
				 m->pct, c->min_effect_pct, m->p_adj, c->alpha);
		} else if (!big) {
			m->verdict = CMP_UNCHANGED;
			snprintf(m->why, sizeof(m->why), "shift %+.1f%% below the %.1f%% minimum%s",
				 m->pct, c->min_effect_pct,
				 significant ? " (significant, too small to matter)" : "");
		} else {
			m->verdict = CMP_NOISY;
			snprintf(m->why, sizeof(m->why),
				 "shift %+.1f%% but p(Holm) %.3g >= %.3g: runs too spread to tell",
				 m->pct, m->p_adj, c->alpha);
		}
	}
	for (size_t i = 0; i < c->nm; i++)
		c->count[c->m[i].verdict]++;
	/* say when no verdict was possible at all, instead of a silent "unchanged" */
	if (nj) {
		double best = min_attainable_p(min_na, min_nb) * (double)nj;

		if (best >= c->alpha) {
			size_t n = CMP_MIN_RUNS;

			while (min_attainable_p(n, n) * (double)nj >= c->alpha && n < 1000)
				n++;
			add_note(c, xasprintf("with %zu and %zu runs a side the smallest possible "
					      "p-value is %.3g, and Holm over %zu metrics needs "
					      "below %.3g: nothing can be called regressed or "
					      "improved. Use at least %zu runs a side.",
					      min_na, min_nb, min_attainable_p(min_na, min_nb), nj,
					      c->alpha / (double)nj, n));
		}
	}
	free(p);
	free(adj);
	free(idx);
}

static int cmp_metric_order(const void *x, const void *y)
{
	const struct cmp_metric *a = x, *b = y;
	int r = strcmp(a->scenario, b->scenario);

	return r ? r : strcmp(a->key, b->key);
}

int compare_build(struct comparison *c, char **base, size_t nbase, char **cand, size_t ncand,
		  char *err, size_t errlen)
{
	char **dirs[2] = { base, cand };
	size_t ndirs[2] = { nbase, ncand };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	iso8601_utc((uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec, c->when);
	c->side[0].label = "baseline";
	c->side[1].label = "candidate";
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < ndirs[s]; i++)
			if (find_runs(&c->side[s], dirs[s][i], err, errlen) < 0)
				return -1;
		for (size_t i = 0; i < c->side[s].nruns; i++)
			if (load_run(c, s, c->side[s].runs[i], err, errlen) < 0)
				return -1;
	}
	qsort(c->m, c->nm, sizeof(*c->m), cmp_metric_order);
	/* scenarios present on one side only cannot be compared: say which */
	for (size_t i = 0; i < c->nm; i++) {
		struct cmp_metric *m = &c->m[i];

		if ((!m->s[0].n || !m->s[1].n) &&
		    (i == 0 || strcmp(c->m[i - 1].scenario, m->scenario)))
			add_note(c, xasprintf("scenario %s has runs on the %s side only",
					      m->scenario, m->s[0].n ? "baseline" : "candidate"));
	}
	compare_judge(c);
	return 0;
}

void compare_free(struct comparison *c)
{
	for (size_t i = 0; i < c->nm; i++) {
		free(c->m[i].scenario);
		free(c->m[i].key);
		free(c->m[i].unit);
		free(c->m[i].s[0].v);
		free(c->m[i].s[1].v);
	}
	free(c->m);
	for (size_t i = 0; i < c->nf; i++) {
		free(c->f[i].dir);
		free(c->f[i].scenario);
		free(c->f[i].what);
	}
	free(c->f);
	for (size_t i = 0; i < c->nnotes; i++)
		free(c->notes[i]);
	free(c->notes);
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < c->side[s].nruns; i++)
			free(c->side[s].runs[i]);
		free(c->side[s].runs);
		free(c->side[s].kernels);
	}
	memset(c, 0, sizeof(*c));
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wqbench compare --baseline DIR... --candidate DIR... [options]\n"
		"  DIR is a run directory or a directory of run directories\n"
		"  --min-effect PCT  smallest change called a change (default 5)\n"
		"  --alpha A         significance level after Holm correction (default 0.05)\n"
		"  --out DIR         where to write compare.{md,html,json}, junit.xml,\n"
		"                    kcidb.json and lava.txt (default results/compare-TIME)\n"
		"  --quiet           do not print the Markdown summary\n"
		"exit: 0 nothing regressed, 1 a regression or a candidate oracle failure,\n"
		"      2 bad input or nothing could be judged\n");
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

int cmd_compare(int argc, char **argv)
{
	struct comparison c = { .min_effect_pct = 5.0, .alpha = 0.05, .conf = 0.95 };
	char **lists[2] = { xcalloc((size_t)argc, sizeof(char *)),
			    xcalloc((size_t)argc, sizeof(char *)) };
	size_t n[2] = { 0, 0 };
	int cur = -1, rc = 2;
	bool quiet = false;
	char *out = NULL, err[1024];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--baseline")) {
			cur = 0;
		} else if (!strcmp(a, "--candidate")) {
			cur = 1;
		} else if (!strcmp(a, "--min-effect") || !strcmp(a, "--alpha") ||
			   !strcmp(a, "--out")) {
			if (i + 1 >= argc) {
				wqb_err("%s needs a value", a);
				goto out;
			}
			if (!strcmp(a, "--out")) {
				free(out);
				out = xstrdup(argv[++i]);
			} else if (!strcmp(a, "--alpha")
					   ? !parse_double(argv[++i], 1e-9, 0.5, &c.alpha)
					   : !parse_double(argv[++i], 0, 1000, &c.min_effect_pct)) {
				wqb_err("%s: '%s' is not a number in range (%s)", a, argv[i],
					!strcmp(a, "--alpha") ? "0 < alpha <= 0.5"
							      : "0..1000 percent");
				goto out;
			}
			cur = -1;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (a[0] == '-') {
			wqb_err("unknown compare option '%s'", a);
			usage(stderr);
			goto out;
		} else if (cur < 0) {
			wqb_err("'%s': say whether it is --baseline or --candidate", a);
			goto out;
		} else {
			lists[cur][n[cur]++] = argv[i];
		}
	}
	if (!n[0] || !n[1]) {
		wqb_err("compare needs --baseline DIR... and --candidate DIR...");
		usage(stderr);
		goto out;
	}
	if (compare_build(&c, lists[0], n[0], lists[1], n[1], err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		goto out;
	}
	if (!out)
		out = results_dir_stamped("compare");
	if (mkdir_p(out, 0755) < 0 || compare_write_all(&c, out) < 0) {
		wqb_err("cannot write the comparison into %s", out);
		goto out;
	}
	if (!quiet)
		compare_print_md(&c, stdout);
	rc = cmp_exit_code(&c);
	printf("\ncompare: %s/compare.md (.html .json, junit.xml, kcidb.json, lava.txt): "
	       "%zu regressed, %zu improved, %zu unchanged, %zu too noisy, %zu not judged, "
	       "%zu oracle failures -> exit %d\n",
	       out, c.count[CMP_REGRESSED], c.count[CMP_IMPROVED], c.count[CMP_UNCHANGED],
	       c.count[CMP_NOISY], c.count[CMP_NOT_JUDGED], c.nf, rc);
	if (rc == 2)
		wqb_err("nothing could be judged: each side needs %d complete runs of the same scenario",
			CMP_MIN_RUNS);
out:
	compare_free(&c);
	free(lists[0]);
	free(lists[1]);
	free(out);
	return rc;
}
