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
 * without significance is "too noisy" when significance was within reach
 * of these run counts, and "too few runs" when it was not (the smallest
 * p-value the exact test can give, Holm-adjusted as if every metric gave
 * its smallest, is not below alpha); anything smaller is unchanged -- but
 * where significance was out of reach only if the shift's interval rules
 * out a change of the minimum effect either way.  A metric that could not
 * be judged for lack of runs and whose interval does not rule out a worse
 * change of the minimum effect "may hide a regression": the comparison
 * then cannot pass (exit 3), because it could not have seen one.
 * Fewer than CMP_MIN_RUNS runs on a side: not judged, and we say so.
 *
 * Oracle failures (failed checks, dmesg findings, incomplete runs) are
 * collected first: they matter more than any speed figure.
 */
#include "commands.h"
#include "compare.h"
#include "report.h"
#include "rundata.h"
#include "sensitivity.h"
#include "stats.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
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

static void family_add(struct comparison *c, const char *pat)
{
	c->family = xrealloc(c->family, (c->nfamily + 1) * sizeof(*c->family));
	c->family[c->nfamily++] = xstrdup(pat);
}

int compare_family_list(struct comparison *c, const char *list, char *err, size_t errlen)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (*t)
			family_add(c, t);
	}
	free(copy);
	if (!c->nfamily) {
		snprintf(err, errlen, "--metrics '%s' names no metric", list);
		return -1;
	}
	free(c->family_src);
	c->family_src = xstrdup("--metrics");
	return 0;
}

int compare_family_from(struct comparison *c, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je), *ms, *m;
	size_t i, before = c->nfamily;

	if (!j) {
		snprintf(err, errlen, "--metrics-from %s: %s (line %d)", path, je.text, je.line);
		return -1;
	}
	ms = json_object_get(j, "metrics");
	if (!json_is_array(ms)) {
		snprintf(err, errlen, "--metrics-from %s: no \"metrics\" array: not a compare.json",
			 path);
		json_decref(j);
		return -1;
	}
	json_array_foreach(ms, i, m) {
		const char *sc = json_string_value(json_object_get(m, "scenario"));
		const char *key = json_string_value(json_object_get(m, "metric"));
		const char *v = json_string_value(json_object_get(m, "verdict"));
		char *pat;

		if (!sc || !key || !v) {
			snprintf(err, errlen, "--metrics-from %s: metric %zu lacks scenario, metric "
				 "or verdict: damaged file", path, i);
			json_decref(j);
			return -1;
		}
		if (strcmp(v, "regressed"))
			continue;
		/* exact names: escape nothing, a metric key holds no glob characters */
		pat = xasprintf("%s:%s", sc, key);
		family_add(c, pat);
		free(pat);
	}
	json_decref(j);
	if (c->nfamily == before) {
		snprintf(err, errlen, "--metrics-from %s: that comparison called no metric "
			 "regressed: there is nothing to judge by", path);
		return -1;
	}
	free(c->family_src);
	c->family_src = xasprintf("the metrics %s called regressed", path);
	return 0;
}

static bool pattern_matches(const char *pat, const struct cmp_metric *m)
{
	const char *colon = strchr(pat, ':');

	if (!colon)
		return fnmatch(pat, m->key, 0) == 0;
	{
		char *sc = xasprintf("%.*s", (int)(colon - pat), pat);
		bool ok = fnmatch(sc, m->scenario, 0) == 0 && fnmatch(colon + 1, m->key, 0) == 0;

		free(sc);
		return ok;
	}
}

static bool in_family(const struct comparison *c, const struct cmp_metric *m)
{
	if (!c->nfamily)
		return true;
	for (size_t i = 0; i < c->nfamily; i++)
		if (pattern_matches(c->family[i], m))
			return true;
	return false;
}

const char *cmp_verdict_name(enum cmp_verdict v)
{
	static const char *const names[] = { "regressed", "improved", "unchanged",
					     "too noisy", "too few runs", "not judged", "info" };

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
		return CMP_EXIT_REGRESSED;
	if (!c->judged)
		return CMP_EXIT_UNJUDGED;
	if (c->hidden)
		return CMP_EXIT_INCONCLUSIVE;
	return CMP_EXIT_PASS;
}

const char *cmp_exit_meaning(int rc)
{
	switch (rc) {
	case CMP_EXIT_PASS:
		return "no regression found, and these runs could have shown one";
	case CMP_EXIT_REGRESSED:
		return "a regression or a candidate failure";
	case CMP_EXIT_UNJUDGED:
		return "bad input or nothing could be judged";
	case CMP_EXIT_INCONCLUSIVE:
		return "inconclusive: too few (or too spread) runs to rule out a regression";
	default:
		return "?";
	}
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

/*
 * One run once, whatever its spelling (b3, ./b3, b3/, an absolute path, or
 * a root holding it): a second naming on the same side is a note and is
 * not counted; the same run on both sides is an error (it would be
 * compared with itself).
 */
static int add_run(struct comparison *c, int side, char *dir, char *err, size_t errlen)
{
	struct cmp_side *s = &c->side[side];
	char *id = run_identity(dir);

	for (int o = 0; o < 2; o++)
		for (size_t i = 0; i < c->side[o].nruns; i++) {
			if (strcmp(c->side[o].ids[i], id))
				continue;
			if (o != side) {
				snprintf(err, errlen, "%s is the run %s already given as a %s run: "
					 "a run cannot be on both sides", dir, c->side[o].runs[i],
					 c->side[o].label);
				free(id);
				free(dir);
				return -1;
			}
			add_note(c, xasprintf("%s run %s named again as %s: counted once",
					      s->label, s->runs[i], dir));
			wqb_warn("%s is the %s run %s again: counted once", dir, s->label,
				 s->runs[i]);
			free(id);
			free(dir);
			return 0;
		}
	s->runs = xrealloc(s->runs, (s->nruns + 1) * sizeof(*s->runs));
	s->ids = xrealloc(s->ids, (s->nruns + 1) * sizeof(*s->ids));
	s->runs[s->nruns] = dir;
	s->ids[s->nruns++] = id;
	return 0;
}

/* DIR itself if it is a run, else the runs directly inside it (not via symlinks) */
static int find_runs(struct comparison *c, int side, const char *dir, char *err, size_t errlen)
{
	char **found = NULL;
	size_t nfound = 0;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (!is_dir(dir)) {
		snprintf(err, errlen, "%s: no such directory", dir);
		return -1;
	}
	if (is_run_dir(dir))
		return add_run(c, side, xstrdup(dir), err, errlen);
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
			found = xrealloc(found, (nfound + 1) * sizeof(*found));
			found[nfound++] = p;
		} else {
			free(p);
		}
	}
	closedir(d);
	if (!nfound) {
		snprintf(err, errlen, "%s: neither a run directory nor a directory of runs (no summary.json)",
			 dir);
		return -1;
	}
	qsort(found, nfound, sizeof(*found), cmp_str);
	for (size_t i = 0; i < nfound; i++)
		if (rc == 0)
			rc = add_run(c, side, found[i], err, errlen);
		else
			free(found[i]);
	free(found);
	return rc;
}

static json_t *load_json(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	json_t *j = json_load_file(p, 0, NULL);

	free(p);
	return j;
}

/* v into *list, sep-separated, unless it is there already */
static void add_distinct(char **list, const char *v, const char *sep)
{
	size_t len = strlen(v), sl = strlen(sep);
	const char *k = *list;

	while (k && *k) {
		if (!strncmp(k, v, len) && (!strncmp(k + len, sep, sl) || !k[len]))
			return;
		k = strstr(k, sep);
		k = k ? k + sl : NULL;
	}
	if (!*list) {
		*list = xstrdup(v);
	} else {
		char *n = xasprintf("%s%s%s", *list, sep, v);

		free(*list);
		*list = n;
	}
}

static void add_kernel(struct cmp_side *s, const char *release)
{
	add_distinct(&s->kernels, release, ",");
}

/*
 * The guest clock a run was measured with: QEMU's -icount (meta.json's
 * vm.icount, else summary.json's guest.icount) or the host's time --
 * also for runs from before --icount existed, which had no other.
 */
static void add_clock(struct cmp_side *s, json_t *meta, json_t *sum)
{
	const char *ic = json_string_value(json_object_get(json_object_get(meta, "vm"), "icount"));
	char *v;

	if (!ic)
		ic = json_string_value(json_object_get(json_object_get(sum, "guest"), "icount"));
	v = ic ? xasprintf("icount %s", ic) : xstrdup("host time");
	add_distinct(&s->clocks, v, "; ");
	free(v);
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
	add_clock(&c->side[side], meta, sum);

	/* every file of the run read and checked: damaged input is an error, never figures */
	{
		struct rundata rd;
		char why[600];

		if (rundata_load(dir, &rd, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s", why);
			json_decref(meta);
			json_decref(sum);
			return -1;
		}
		if (rd.damaged[0]) {
			add_failure(c, side, dir, scenario,
				    xasprintf("verdict error, damaged input (%s): its figures are left out",
					      rd.damaged));
			rundata_free(&rd);
			goto out;
		}
		rundata_free(&rd);
	}
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
		if (json_integer_value(json_object_get(v, "sampled_every")) > 1) {
			long long k = json_integer_value(json_object_get(v, "sampled_every"));
			long long n = json_integer_value(json_object_get(v, "samples"));

			if (k > m->sampled_every[side])
				m->sampled_every[side] = k;
			if (!m->samples_min[side] || n < m->samples_min[side])
				m->samples_min[side] = n;
		}
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

double cmp_min_attainable_p(size_t na, size_t nb)
{
	return min_attainable_p(na, nb);
}

/*
 * The fewest runs on the growing side, from `from` on, that let a family of
 * `family` metrics reach significance beside `other` runs on the other
 * side (other == 0: the same number on both sides); 0 if none up to 1000.
 */
static size_t runs_needed(size_t from, size_t other, size_t family, double alpha)
{
	for (size_t k = from < 1 ? 1 : from; k <= 1000; k++)
		if (min_attainable_p(k, other ? other : k) * (double)family < alpha)
			return k;
	return 0;
}

/*
 * How far the shift's interval reaches in the worse (or the better)
 * direction, in % of the baseline median -- in the metric's unit when that
 * median is 0 -- and whether that stays short of the minimum effect, i.e.
 * the interval rules out a change that large in that direction.  An
 * interval that does not reach its level (too few runs) rules out nothing.
 */
static bool rules_out(const struct comparison *c, const struct cmp_metric *m, bool worse)
{
	double med = fabs(m->s[0].median), end;
	bool up = worse != m->higher_better;

	if (!m->shift_ci_ok || isnan(m->shift_lo) || isnan(m->shift_hi))
		return false;
	end = up ? m->shift_hi : -m->shift_lo;
	if (med == 0 || isnan(med))
		return end <= 0;	/* no scale: any change is a change ("big") */
	return 100.0 * end / med < c->min_effect_pct;
}

/* the shift's interval in % of the baseline median, for a why */
static void fmt_interval(char *buf, size_t len, const struct cmp_metric *m)
{
	double med = fabs(m->s[0].median);

	if (isnan(m->shift_lo) || med == 0 || isnan(med))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "[%+.1f%%, %+.1f%%]%s", 100.0 * m->shift_lo / med,
			 100.0 * m->shift_hi / med, m->shift_ci_ok ? "" : "*");
}

__attribute__((format(printf, 2, 3)))
static void why_add(struct cmp_metric *m, const char *fmt, ...)
{
	size_t used = strlen(m->why);
	va_list ap;

	if (used + 1 >= sizeof(m->why))
		return;
	va_start(ap, fmt);
	vsnprintf(m->why + used, sizeof(m->why) - used, fmt, ap);
	va_end(ap);
}

/*
 * Significance was out of reach for this metric (m->p_best >= alpha):
 * unchanged if its interval rules out the minimum effect both ways, else
 * "too few runs", and it may hide a regression unless the interval rules
 * out the worse direction.
 */
static void judge_few_runs(struct comparison *c, struct cmp_metric *m, bool big, size_t nj)
{
	const struct cmp_side_stat *a = &m->s[0], *b = &m->s[1];
	bool no_worse = rules_out(c, m, true), no_better = rules_out(c, m, false);
	size_t small = a->n < b->n ? a->n : b->n, large = a->n < b->n ? b->n : a->n;
	size_t more = runs_needed(small + 1, large, nj, c->alpha);
	size_t each = runs_needed(small, 0, nj, c->alpha);
	char ci[64];

	fmt_interval(ci, sizeof(ci), m);
	m->why[0] = 0;
	if (!big && no_worse && no_better) {
		m->verdict = CMP_UNCHANGED;
		why_add(m, "shift %+.1f%% %s: no p(Holm) below %.3g possible with %zu and %zu runs, "
			"but the interval rules out a %.1f%% change",
			m->pct, ci, c->alpha, a->n, b->n, c->min_effect_pct);
		return;
	}
	m->verdict = CMP_FEW_RUNS;
	m->may_hide_regression = !no_worse;
	if (big) {
		why_add(m, "shift %+.1f%% %s", m->pct, ci);
		if (m->u == 0 || m->u == (double)(a->n * b->n))
			why_add(m, ", every candidate run %s every baseline run",
				m->u == 0 ? "above" : "below");
	} else {
		why_add(m, "shift %+.1f%% %s, below %.1f%% but the interval does not rule out a %s "
			"%.1f%%", m->pct, ci, c->min_effect_pct, no_worse ? "better" : "worse",
			c->min_effect_pct);
	}
	why_add(m, "; with %zu baseline and %zu candidate runs the best p(Holm) is %.3g >= %.3g",
		a->n, b->n, m->p_best, c->alpha);
	if (more && each)
		why_add(m, ": %zu %s runs, or %zu a side, would allow significance", more,
			a->n < b->n ? "baseline" : "candidate", each);
	if (big && !m->may_hide_regression)
		why_add(m, " (a worse %.1f%% is ruled out)", c->min_effect_pct);
}

void compare_judge(struct comparison *c)
{
	size_t cap = c->nm ? c->nm : 1;
	double *p = xcalloc(cap, sizeof(*p)), *adj = xcalloc(cap, sizeof(*adj));
	double *pmin = xcalloc(cap, sizeof(*pmin)), *best = xcalloc(cap, sizeof(*best));
	size_t *idx = xcalloc(cap, sizeof(*idx));
	size_t nj = 0, min_na = SIZE_MAX, min_nb = SIZE_MAX;

	memset(c->count, 0, sizeof(c->count));
	c->hidden = 0;
	for (size_t i = 0; i < c->nm; i++) {
		struct cmp_metric *m = &c->m[i];
		struct cmp_side_stat *a = &m->s[0], *b = &m->s[1];

		side_stats(a, c->conf);
		side_stats(b, c->conf);
		m->p = m->p_adj = m->p_best = m->u = NAN;
		m->pct = m->shift = m->shift_lo = m->shift_hi = NAN;
		m->shift_ci_ok = false;
		m->may_hide_regression = false;
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
		if (!in_family(c, m)) {
			m->verdict = CMP_INFO;
			snprintf(m->why, sizeof(m->why),
				 "outside the declared family: shown, not judged");
			continue;
		}
		if (a->n < CMP_MIN_RUNS || b->n < CMP_MIN_RUNS) {
			m->verdict = CMP_NOT_JUDGED;
			snprintf(m->why, sizeof(m->why), "needs %d runs a side, has %zu and %zu",
				 CMP_MIN_RUNS, a->n, b->n);
			/* measured on both sides, yet too few to judge: it may hide one */
			if (a->n && b->n && !rules_out(c, m, true)) {
				m->may_hide_regression = true;
				why_add(m, "; the interval does not rule out a worse %.1f%%",
					c->min_effect_pct);
			}
			continue;
		}
		m->p = stats_mann_whitney(a->v, a->n, b->v, b->n, &m->u);
		p[nj] = m->p;
		pmin[nj] = min_attainable_p(a->n, b->n);
		idx[nj++] = i;
		if (a->n < min_na)
			min_na = a->n;
		if (b->n < min_nb)
			min_nb = b->n;
	}
	stats_holm(p, nj, adj);
	/*
	 * Holm is monotone in every p-value, so the best any data could do is
	 * every metric at its smallest attainable p: what that gives a metric
	 * is the smallest adjusted p it could ever get with these run counts.
	 */
	stats_holm(pmin, nj, best);
	c->judged = nj;
	for (size_t j = 0; j < nj; j++) {
		struct cmp_metric *m = &c->m[idx[j]];
		bool significant, big, worse;

		m->p_adj = adj[j];
		m->p_best = best[j];
		significant = m->p_adj < c->alpha;
		big = isnan(m->pct) ? m->shift != 0 : fabs(m->pct) >= c->min_effect_pct;
		worse = m->higher_better ? m->shift < 0 : m->shift > 0;
		if (significant && big) {
			m->verdict = worse ? CMP_REGRESSED : CMP_IMPROVED;
			snprintf(m->why, sizeof(m->why), "shift %+.1f%% >= %.1f%%, p(Holm) %.3g < %.3g",
				 m->pct, c->min_effect_pct, m->p_adj, c->alpha);
		} else if (m->p_best >= c->alpha) {
			judge_few_runs(c, m, big, nj);
		} else if (!big) {
			m->verdict = CMP_UNCHANGED;
			snprintf(m->why, sizeof(m->why), "shift %+.1f%% below the %.1f%% minimum%s",
				 m->pct, c->min_effect_pct,
				 significant ? " (significant, too small to matter)" : "");
		} else {
			m->verdict = CMP_NOISY;
			snprintf(m->why, sizeof(m->why),
				 "shift %+.1f%% but p(Holm) %.3g >= %.3g: runs too spread to tell "
				 "(%.3g was possible)",
				 m->pct, m->p_adj, c->alpha, m->p_best);
			/*
			 * A shift of the minimum effect the runs cannot confirm,
			 * whose interval still reaches a worse change of that
			 * size: these runs could not have told a regression
			 * from noise, so they cannot pass either.
			 */
			if (!rules_out(c, m, true)) {
				char ci[64];

				m->may_hide_regression = true;
				fmt_interval(ci, sizeof(ci), m);
				why_add(m, "; the interval %s does not rule out a worse %.1f%%", ci,
					c->min_effect_pct);
			}
		}
	}
	for (size_t i = 0; i < c->nm; i++) {
		struct cmp_metric *m = &c->m[i];

		c->count[m->verdict]++;
		if (m->may_hide_regression)
			c->hidden++;
		/* a figure of one item in K says so, with its sample */
		for (int side = 0; side < 2; side++)
			if (m->sampled_every[side] > 1)
				why_add(m, "; %s sampled, 1 item in %lld timed (at least %lld a run)",
					side ? "candidate" : "baseline", m->sampled_every[side],
					m->samples_min[side]);
	}
	/* say when no verdict was possible at all, instead of a silent "unchanged" */
	if (nj) {
		double pm = min_attainable_p(min_na, min_nb);

		if (pm * (double)nj >= c->alpha) {
			size_t n = runs_needed(CMP_MIN_RUNS, 0, nj, c->alpha);
			size_t fam = pm < c->alpha ? (size_t)ceil(c->alpha / pm) - 1 : 0;
			char *family;

			if (fam)
				family = xasprintf(" A declared family of at most %zu primary metrics "
						   "(--metrics) would bring %.3g within "
						   "reach at these run counts; alpha and the minimum "
						   "effect are not loosened to get there.",
						   fam, pm);
			else
				family = xasprintf(" Not even one metric alone could be significant "
						   "with these run counts.");
			size_t small = min_na < min_nb ? min_na : min_nb;
			size_t large = min_na < min_nb ? min_nb : min_na;
			size_t more = runs_needed(small + 1, large, nj, c->alpha);
			char *beside = more ? xasprintf(" (or %zu %s runs beside the %zu)", more,
							min_na < min_nb ? "baseline" : "candidate",
							large)
					    : xstrdup("");
			/* what run counts catch, measured: docs/sensitivity-mde.tsv */
			char *advice = sens_mde_advice(c->nfamily > 0);

			add_note(c, xasprintf("with %zu and %zu runs a side the smallest possible "
					      "p-value is %.3g, and Holm over %zu metrics needs "
					      "below %.3g: nothing can be called regressed or "
					      "improved. Use at least %zu runs a side%s.%s%s%s",
					      min_na, min_nb, pm, nj, c->alpha / (double)nj, n,
					      beside, family, advice ? " " : "", advice ? advice : ""));
			free(advice);
			free(beside);
			free(family);
		}
	}
	if (c->hidden)
		add_note(c, xasprintf("%zu metric%s could not be told from noise (too few runs, or "
				      "runs too spread) and may hide a regression (a worse change "
				      "of %.1f%% is not ruled out): the comparison could not have "
				      "seen it, so it is inconclusive, exit %d, not a pass. More "
				      "runs decide it.",
				      c->hidden, c->hidden == 1 ? "" : "s", c->min_effect_pct,
				      CMP_EXIT_INCONCLUSIVE));
	free(p);
	free(adj);
	free(pmin);
	free(best);
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
			if (find_runs(c, s, dirs[s][i], err, errlen) < 0)
				return -1;
		for (size_t i = 0; i < c->side[s].nruns; i++)
			if (load_run(c, s, c->side[s].runs[i], err, errlen) < 0)
				return -1;
	}
	if (c->nm)	/* c->m is NULL when no run had a metric */
		qsort(c->m, c->nm, sizeof(*c->m), cmp_metric_order);
	/* a declared metric that matches nothing is a typo, never a silent pass */
	for (size_t f = 0; f < c->nfamily; f++) {
		bool hit = false;

		for (size_t i = 0; i < c->nm && !hit; i++)
			hit = pattern_matches(c->family[f], &c->m[i]);
		if (!hit) {
			snprintf(err, errlen, "metric '%s' (%s) matches no metric of these runs%s%s%s%s",
				 c->family[f], c->family_src, c->nm ? " (they have e.g. '" : "",
				 c->nm ? c->m[0].scenario : "", c->nm ? ":" : "",
				 c->nm ? c->m[0].key : "");
			if (c->nm)
				strncat(err, "')", errlen - strlen(err) - 1);
			return -1;
		}
	}
	if (c->nfamily) {
		size_t in = 0;

		for (size_t i = 0; i < c->nm; i++)
			in += !metric_is_info(c->m[i].key) && in_family(c, &c->m[i]);
		add_note(c, xasprintf("declared family (%s): %zu of the metrics are judged, Holm "
				      "over them alone; the others are shown, not judged", c->family_src,
				      in));
	}
	/*
	 * runs under QEMU's -icount count instructions, the others the host's
	 * time: their timings are different measures, whatever the kernels
	 */
	if (c->side[0].clocks && c->side[1].clocks &&
	    (strcmp(c->side[0].clocks, c->side[1].clocks) || strstr(c->side[0].clocks, "; ") ||
	     strstr(c->side[1].clocks, "; ")))
		add_note(c, xasprintf("the guest clocks differ (baseline: %s; candidate: %s): "
				      "under QEMU's -icount time counts instructions, not the "
				      "host's time, so timings of the two do not compare "
				      "(docs/compare.md, the icount experiment)",
				      c->side[0].clocks, c->side[1].clocks));
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
	for (size_t i = 0; i < c->nfamily; i++)
		free(c->family[i]);
	free(c->family);
	free(c->family_src);
	for (size_t i = 0; i < c->nnotes; i++)
		free(c->notes[i]);
	free(c->notes);
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < c->side[s].nruns; i++) {
			free(c->side[s].runs[i]);
			free(c->side[s].ids[i]);
		}
		free(c->side[s].runs);
		free(c->side[s].ids);
		free(c->side[s].kernels);
		free(c->side[s].clocks);
	}
	memset(c, 0, sizeof(*c));
}

