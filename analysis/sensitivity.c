// SPDX-License-Identifier: GPL-2.0
/*
 * The sensitivity study of `wqbench compare` (see sensitivity.h): pools,
 * draws judged by compare_judge(), the minimum detectable effect, the
 * outputs, and the published table read back.
 */
#include "sensitivity.h"
#include "compare.h"
#include "plot.h"
#include "runcmd.h"
#include "stats.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t sens_rng(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in 0..bound-1, without modulo bias */
static size_t rng_below(uint64_t *state, size_t bound)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % bound, r;

	do
		r = sens_rng(state);
	while (r >= lim);
	return (size_t)(r % bound);
}

void sens_draw(uint64_t *state, size_t pool, size_t n, size_t *out)
{
	size_t *perm = xmalloc((pool ? pool : 1) * sizeof(*perm));

	for (size_t i = 0; i < pool; i++)
		perm[i] = i;
	for (size_t i = 0; i < n && i < pool; i++) {
		size_t j = i + rng_below(state, pool - i), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
		out[i] = perm[i];
	}
	free(perm);
}

size_t sens_pool_add(struct sens_study *s, const char *scenario, double nominal)
{
	struct sens_pool *p;

	s->pool = xrealloc(s->pool, (s->npool + 1) * sizeof(*s->pool));
	p = &s->pool[s->npool];
	memset(p, 0, sizeof(*p));
	p->scenario = xstrdup(scenario);
	p->nominal = nominal;
	p->split = s->npool > 0 && !strcmp(s->pool[0].scenario, scenario);
	return s->npool++;
}

static size_t metric_find(const struct sens_study *s, const char *key)
{
	for (size_t i = 0; i < s->nm; i++)
		if (!strcmp(s->m[i].key, key))
			return i;
	return SIZE_MAX;
}

size_t sens_metric_add(struct sens_study *s, const char *key, const char *unit, bool higher_better)
{
	size_t i = metric_find(s, key);

	if (i != SIZE_MAX)
		return i;
	s->m = xrealloc(s->m, (s->nm + 1) * sizeof(*s->m));
	s->m[s->nm].key = xstrdup(key);
	s->m[s->nm].unit = xstrdup(unit ? unit : "");
	s->m[s->nm].higher_better = higher_better;
	/* every run's row grows by one value, missing so far */
	for (size_t p = 0; p < s->npool; p++) {
		struct sens_pool *pl = &s->pool[p];
		double *v = xmalloc((pl->nruns ? pl->nruns : 1) * (s->nm + 1) * sizeof(*v));

		for (size_t r = 0; r < pl->nruns; r++) {
			memcpy(&v[r * (s->nm + 1)], &pl->v[r * s->nm], s->nm * sizeof(*v));
			v[r * (s->nm + 1) + s->nm] = NAN;
		}
		free(pl->v);
		pl->v = v;
	}
	return s->nm++;
}

void sens_pool_push(struct sens_study *s, size_t pool, const char *dir, const char *const *keys,
		    const char *const *units, const bool *higher_better, const double *vals,
		    size_t k)
{
	struct sens_pool *p = &s->pool[pool];
	double *row;

	for (size_t i = 0; i < k; i++)
		sens_metric_add(s, keys[i], units ? units[i] : "", higher_better[i]);
	p->v = xrealloc(p->v, (p->nruns + 1) * (s->nm ? s->nm : 1) * sizeof(*p->v));
	row = &p->v[p->nruns * s->nm];
	for (size_t i = 0; i < s->nm; i++)
		row[i] = NAN;
	for (size_t i = 0; i < k; i++)
		row[metric_find(s, keys[i])] = vals[i];
	p->dirs = xrealloc(p->dirs, (p->nruns + 1) * sizeof(*p->dirs));
	p->dirs[p->nruns++] = xstrdup(dir);
}

static bool has_summary(const char *dir)
{
	char *p = path_join(dir, "summary.json");
	bool yes = path_exists(p);

	free(p);
	return yes;
}

static void add_path(char ***v, size_t *n, const char *p)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(p);
}

/* run directories at dir, below it, or two levels below (never via symlinks) */
static void collect_runs(const char *dir, int depth, char ***v, size_t *n)
{
	DIR *d;
	struct dirent *e;

	if (has_summary(dir)) {
		add_path(v, n, dir);
		return;
	}
	if (depth >= 2 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		struct stat st;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = path_join(dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			collect_runs(p, depth + 1, v, n);
		free(p);
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *scenario_of(const char *dir)
{
	char *p = path_join(dir, "summary.json");
	json_t *j = json_load_file(p, 0, NULL);
	const char *sc = j ? json_string_value(json_object_get(j, "scenario")) : NULL;
	char *out = sc ? xstrdup(sc) : NULL;

	json_decref(j);
	free(p);
	return out;
}

/* one run's metrics, read by compare's own code (compare_build on it alone) */
static int load_one(struct sens_study *s, size_t pool, const char *dir, char *err, size_t errlen)
{
	struct comparison c = { .min_effect_pct = 5.0, .alpha = 0.05, .conf = 0.95 };
	char *dirs[1] = { (char *)dir };
	struct sens_pool *p = &s->pool[pool];

	if (compare_build(&c, dirs, 1, NULL, 0, err, errlen) < 0) {
		compare_free(&c);
		return -1;
	}
	if (c.nf) {
		p->excluded = xrealloc(p->excluded, (p->nexcluded + 1) * sizeof(*p->excluded));
		p->excluded[p->nexcluded++] = xasprintf("%s: %s", dir, c.f[0].what);
	} else {
		const char **keys = xcalloc(c.nm + 1, sizeof(*keys));
		const char **units = xcalloc(c.nm + 1, sizeof(*units));
		bool *hb = xcalloc(c.nm + 1, sizeof(*hb));
		double *vals = xcalloc(c.nm + 1, sizeof(*vals));
		size_t k = 0;

		for (size_t i = 0; i < c.nm; i++) {
			if (c.m[i].s[0].n != 1)
				continue;
			keys[k] = c.m[i].key;
			units[k] = c.m[i].unit;
			hb[k] = c.m[i].higher_better;
			vals[k++] = c.m[i].s[0].v[0];
		}
		sens_pool_push(s, pool, dir, keys, units, hb, vals, k);
		free(keys);
		free(units);
		free(hb);
		free(vals);
	}
	compare_free(&c);
	return 0;
}

int sens_load(struct sens_study *s, char **roots, size_t nroots, char *err, size_t errlen)
{
	char **runs = NULL;
	size_t nruns = 0;
	int rc = 0;

	for (size_t i = 0; i < nroots; i++) {
		if (!is_dir(roots[i])) {
			snprintf(err, errlen, "%s: no such directory", roots[i]);
			return -1;
		}
		collect_runs(roots[i], 0, &runs, &nruns);
	}
	/* run directories are named by their start time: this is the order they ran */
	qsort(runs, nruns, sizeof(*runs), cmp_str);
	for (size_t i = 0; i < nruns && !rc; i++) {
		char *sc = scenario_of(runs[i]);

		for (size_t p = 0; sc && p < s->npool; p++)
			if (!strcmp(s->pool[p].scenario, sc)) {
				rc = load_one(s, p, runs[i], err, errlen);
				break;
			}
		free(sc);
	}
	for (size_t i = 0; i < nruns; i++)
		free(runs[i]);
	free(runs);
	return rc;
}

/* compare's pattern rule: KEY or SCENARIO:KEY, fnmatch globs */
static bool pattern_hits_key(const char *pat, const char *key)
{
	const char *colon = strchr(pat, ':');

	return fnmatch(colon ? colon + 1 : pat, key, 0) == 0;
}

/* the comparison of rows bi of the baseline against rows ci of pool cand, judged */
static void judge(const struct sens_study *s, struct comparison *c, size_t cand, const size_t *bi,
		  size_t nb, const size_t *ci, size_t nc, int fam)
{
	const struct sens_pool *pb = &s->pool[0];
	/* the A/A split draws both sides from the baseline's rows */
	const struct sens_pool *pc = s->pool[cand].split ? pb : &s->pool[cand];
	char err[256];

	memset(c, 0, sizeof(*c));
	c->min_effect_pct = s->min_effect_pct;
	c->alpha = s->alpha;
	c->conf = 0.95;
	if (fam == 1 && s->family)
		compare_family_list(c, s->family, err, sizeof(err));
	c->m = xcalloc(s->nm ? s->nm : 1, sizeof(*c->m));
	c->nm = s->nm;
	for (size_t j = 0; j < s->nm; j++) {
		struct cmp_metric *m = &c->m[j];

		m->scenario = xstrdup(pb->scenario);
		m->key = xstrdup(s->m[j].key);
		m->unit = xstrdup(s->m[j].unit);
		m->higher_better = s->m[j].higher_better;
		m->s[0].v = xmalloc((nb ? nb : 1) * sizeof(double));
		m->s[1].v = xmalloc((nc ? nc : 1) * sizeof(double));
		for (size_t i = 0; i < nb; i++) {
			double v = pb->v[bi[i] * s->nm + j];

			if (!isnan(v))
				m->s[0].v[m->s[0].n++] = v;
		}
		for (size_t i = 0; i < nc; i++) {
			double v = pc->v[ci[i] * s->nm + j];

			if (!isnan(v))
				m->s[1].v[m->s[1].n++] = v;
		}
	}
	compare_judge(c);
}

double sens_mde(const double *effect, const double *rate, size_t k, double level)
{
	for (size_t i = 0; i < k; i++) {
		double x1 = fmax(0, effect[i]), x0, y0;

		if (isnan(rate[i]) || rate[i] < level)
			continue;
		if (i == 0 || isnan(rate[i - 1]))
			return x1;
		x0 = fmax(0, effect[i - 1]);
		y0 = rate[i - 1];
		return x0 + (level - y0) * (x1 - x0) / (rate[i] - y0);
	}
	return NAN;
}

double sens_calibrate_delay_ns(double throughput, unsigned cpus, double pct)
{
	double cost = (double)cpus * 1e9 / throughput;

	if (!(throughput > 0) || !(pct >= 0 && pct < 100))
		return NAN;
	return cost * pct / (100.0 - pct);
}

double sens_calibrate_latency_delay_ns(double latency_ns, double m, double pct)
{
	if (!(latency_ns > 0) || !(m >= 1) || !(pct >= 0))
		return NAN;
	return latency_ns * pct / 100.0 / m;
}

static size_t *iota(size_t n)
{
	size_t *v = xmalloc((n ? n : 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = i;
	return v;
}

/* pools in increasing nominal size order (indices into s->pool, baseline left out) */
static size_t *by_size(const struct sens_study *s)
{
	size_t *o = xmalloc((s->npool ? s->npool : 1) * sizeof(*o)), k = 0;

	for (size_t p = 1; p < s->npool; p++) {
		size_t j = k++;

		while (j > 0 && s->pool[o[j - 1]].nominal > s->pool[p].nominal) {
			o[j] = o[j - 1];
			j--;
		}
		o[j] = p;
	}
	return o;
}

/* the shift a pool stands for on the MDE's axis: none for nominal 0, else measured */
static double mde_x(const struct sens_study *s, size_t p)
{
	return s->pool[p].nominal == 0 ? 0 : fmax(0, s->full[p].effect);
}

/*
 * candidate pools in increasing order of the shift they made (mde_x): the
 * MDE is a function of the measured shift, and on noisy scenarios the
 * measured shifts need not rise with the nominal sizes
 */
static size_t *by_effect(const struct sens_study *s)
{
	size_t *o = by_size(s), k = s->npool ? s->npool - 1 : 0;

	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && mde_x(s, o[j - 1]) > mde_x(s, o[j]); j--) {
			size_t t = o[j];

			o[j] = o[j - 1];
			o[j - 1] = t;
		}
	return o;
}

int sens_run(struct sens_study *s, char *err, size_t errlen)
{
	size_t *o, cap = 0;

	if (s->npool < 2) {
		snprintf(err, errlen, "a baseline pool and at least one candidate pool are needed");
		return -1;
	}
	s->primary_idx = metric_find(s, s->primary);
	if (s->primary_idx == SIZE_MAX) {
		snprintf(err, errlen, "primary metric '%s' is in no run of the pools (%zu metrics%s%s)",
			 s->primary, s->nm, s->nm ? ", e.g. " : "", s->nm ? s->m[0].key : "");
		return -1;
	}
	for (size_t p = 0; p < s->npool; p++)
		if (s->pool[p].split ? s->pool[0].nruns < 2 * CMP_MIN_RUNS
				     : s->pool[p].nruns < CMP_MIN_RUNS) {
			snprintf(err, errlen, "pool %s%s has %zu usable runs: at least %d are needed",
				 s->pool[p].scenario, s->pool[p].split ? " (split A/A)" : "",
				 s->pool[0].nruns * !!s->pool[p].split + s->pool[p].nruns,
				 s->pool[p].split ? 2 * CMP_MIN_RUNS : CMP_MIN_RUNS);
			return -1;
		}
	if (s->family) {
		struct comparison c = { 0 };
		bool primary_in = false;

		if (compare_family_list(&c, s->family, err, errlen) < 0) {
			compare_free(&c);
			return -1;
		}
		for (size_t f = 0; f < c.nfamily; f++) {
			bool hit = false;

			for (size_t j = 0; j < s->nm; j++)
				hit |= pattern_hits_key(c.family[f], s->m[j].key);
			primary_in |= pattern_hits_key(c.family[f], s->primary);
			if (!hit) {
				snprintf(err, errlen, "family pattern '%s' matches no metric of the pools",
					 c.family[f]);
				compare_free(&c);
				return -1;
			}
		}
		compare_free(&c);
		if (!primary_in) {
			snprintf(err, errlen, "the primary metric %s is not in the declared family %s",
				 s->primary, s->family);
			return -1;
		}
	}
	for (size_t p = 0; p < s->npool; p++)
		cap = s->pool[p].nruns > cap ? s->pool[p].nruns : cap;
	free(s->full);
	free(s->cell);
	free(s->mde);
	memset(s->judged, 0, sizeof(s->judged));
	s->full = xcalloc(s->npool, sizeof(*s->full));
	s->cell = xcalloc(s->npool * s->nn * SENS_FAMILIES, sizeof(*s->cell));
	s->mde = xcalloc(s->nn * SENS_FAMILIES, sizeof(*s->mde));

	/* the full pools: the shift each size really made, and the families' sizes */
	for (size_t p = 1; p < s->npool; p++) {
		size_t nb = s->pool[0].nruns, nc = s->pool[p].nruns;
		size_t *bi = iota(nb), *ci = iota(nc);
		struct sens_full *f = &s->full[p];

		if (s->pool[p].split) {	/* interleaved halves: odd runs against even */
			free(ci);
			ci = xmalloc((nb / 2 + 1) * sizeof(*ci));
			for (size_t i = 0; i < nb / 2; i++) {
				bi[i] = 2 * i;
				ci[i] = 2 * i + 1;
			}
			nb = nc = nb / 2;
		}
		for (int fam = 0; fam < SENS_FAMILIES; fam++) {
			struct comparison c;

			if (fam == 1 && !s->family)
				continue;
			judge(s, &c, p, bi, nb, ci, nc, fam);
			if (p == 1)
				s->judged[fam] = c.judged;
			if (fam == 0) {
				const struct cmp_metric *m = &c.m[s->primary_idx];
				double med = fabs(m->s[0].median);

				double lo = med > 0 ? 100.0 * m->shift_lo / med : NAN;
				double hi = med > 0 ? 100.0 * m->shift_hi / med : NAN;

				/* all three in the worse direction: + is a regression */
				f->pct = m->pct;
				f->effect = m->higher_better ? -m->pct : m->pct;
				f->lo_pct = m->higher_better ? -hi : lo;
				f->hi_pct = m->higher_better ? -lo : hi;
				f->verdict = cmp_verdict_name(m->verdict);
				f->nregressed = c.count[CMP_REGRESSED];
			}
			compare_free(&c);
		}
		free(bi);
		free(ci);
	}

	/* the draws: the same sequence at each n for every pool (common random numbers) */
	for (size_t ni = 0; ni < s->nn; ni++) {
		size_t n = s->n[ni];
		size_t *bi = xmalloc(cap * sizeof(*bi) + 1), *ci = xmalloc(cap * sizeof(*ci) + 1);

		for (size_t p = 1; p < s->npool; p++) {
			uint64_t st = s->seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(n + 1));
			bool split = s->pool[p].split;

			if (n < 1 || (split ? 2 * n > s->pool[0].nruns
					    : n > s->pool[0].nruns || n > s->pool[p].nruns))
				continue;
			for (size_t d = 0; d < s->draws; d++) {
				if (split) {	/* 2n distinct baseline runs, halved */
					sens_draw(&st, s->pool[0].nruns, 2 * n, bi);
					memcpy(ci, bi + n, n * sizeof(*ci));
				} else {
					sens_draw(&st, s->pool[0].nruns, n, bi);
					sens_draw(&st, s->pool[p].nruns, n, ci);
				}
				for (int fam = 0; fam < SENS_FAMILIES; fam++) {
					struct sens_cell *cl = sens_cell_at(s, p, ni, fam);
					struct comparison c;
					int x;

					if (fam == 1 && !s->family)
						continue;
					judge(s, &c, p, bi, n, ci, n, fam);
					cl->done = true;
					cl->draws++;
					cl->detected += c.m[s->primary_idx].verdict == CMP_REGRESSED;
					cl->any_regressed += c.count[CMP_REGRESSED] > 0;
					cl->any_flagged += c.count[CMP_REGRESSED] + c.count[CMP_IMPROVED] > 0;
					x = cmp_exit_code(&c);
					if (x >= 0 && x < 4)
						cl->exit_class[x]++;
					compare_free(&c);
				}
			}
		}
		free(bi);
		free(ci);
	}

	/* the MDE per n and family, read off the sizes in order of their shift */
	o = by_effect(s);
	for (size_t ni = 0; ni < s->nn; ni++)
		for (int fam = 0; fam < SENS_FAMILIES; fam++) {
			size_t k = s->npool - 1;
			double *x = xcalloc(k, sizeof(*x)), *y = xcalloc(k, sizeof(*y));

			for (size_t i = 0; i < k; i++) {
				const struct sens_cell *cl = sens_cell_at(s, o[i], ni, fam);

				x[i] = mde_x(s, o[i]);
				y[i] = cl->done && cl->draws ? (double)cl->detected / (double)cl->draws
							     : NAN;
			}
			/*
			 * a shift below the minimum effect is never called regressed,
			 * so no interpolation can put the MDE below it
			 */
			double v = sens_mde(x, y, k, SENS_LEVEL);

			s->mde[ni * SENS_FAMILIES + (size_t)fam] = isnan(v) ? NAN
									: fmax(s->min_effect_pct, v);
			free(x);
			free(y);
		}
	free(o);
	return 0;
}

/* --- outputs ---------------------------------------------------------------- */

/*
 * the baseline pool's spread of the primary metric: median, robust
 * coefficient of variation (1.4826 MAD / median, in %), min and max --
 * the run-to-run noise every size has to rise above
 */
static void base_spread(const struct sens_study *s, double out[4])
{
	const struct sens_pool *b = &s->pool[0];
	double *v = xcalloc(b->nruns + 1, sizeof(*v)), *d = xcalloc(b->nruns + 1, sizeof(*d));
	size_t n = 0;

	out[0] = out[1] = out[2] = out[3] = NAN;
	for (size_t r = 0; r < b->nruns; r++)
		if (!isnan(b->v[r * s->nm + s->primary_idx]))
			v[n++] = b->v[r * s->nm + s->primary_idx];
	if (n) {
		out[0] = stats_median(v, n);
		out[2] = out[3] = v[0];
		for (size_t i = 0; i < n; i++) {
			d[i] = fabs(v[i] - out[0]);
			out[2] = fmin(out[2], v[i]);
			out[3] = fmax(out[3], v[i]);
		}
		out[1] = out[0] ? 100 * 1.4826 * stats_median(d, n) / fabs(out[0]) : NAN;
	}
	free(v);
	free(d);
}

static double rate(const struct sens_cell *c, size_t what)
{
	return c->done && c->draws ? (double)what / (double)c->draws : NAN;
}

/* "never": no data can be called regressed with n a side under this family */
static bool hopeless(const struct sens_study *s, size_t n, int fam)
{
	return s->judged[fam] && cmp_min_attainable_p(n, n) * (double)s->judged[fam] >= s->alpha;
}

static bool has_split(const struct sens_study *s)
{
	for (size_t p = 1; p < s->npool; p++)
		if (s->pool[p].split)
			return true;
	return false;
}

static bool n_done(const struct sens_study *s, size_t ni)
{
	for (size_t p = 1; p < s->npool; p++)
		if (!sens_cell_at(s, p, ni, 0)->done)
			return false;
	return true;
}

static const char *fam_name(const struct sens_study *s, int fam, char *buf, size_t len)
{
	if (fam == 0)
		snprintf(buf, len, "every metric in Holm (%zu)", s->judged[0]);
	else
		snprintf(buf, len, "declared family `%s` (%zu)", s->family, s->judged[1]);
	return buf;
}

static const char *info_get(char **info, size_t ninfo, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; i < ninfo; i++)
		if (!strncmp(info[i], key, len) && info[i][len] == '=')
			return info[i] + len + 1;
	return NULL;
}

/* the measured sizes the 80% crossing lies between: " (5.1%..10.3%)", or "" */
static void bracket(char *buf, size_t len, const struct sens_study *s, size_t ni, int fam)
{
	size_t *o = by_effect(s);
	double lo = 0;

	buf[0] = 0;
	for (size_t i = 0; i + 1 < s->npool; i++) {
		const struct sens_cell *c = sens_cell_at(s, o[i], ni, fam);
		double e = mde_x(s, o[i]);

		if (c->done && c->draws && (double)c->detected / (double)c->draws >= SENS_LEVEL) {
			snprintf(buf, len, " (between %.1f%% and %.1f%%)", lo, e);
			break;
		}
		lo = e;
	}
	free(o);
}

static void fmt_mde(char *buf, size_t len, const struct sens_study *s, size_t ni, int fam,
		    bool tsv)
{
	double v = s->mde[ni * SENS_FAMILIES + (size_t)fam];
	char br[96];

	if (!n_done(s, ni))
		snprintf(buf, len, tsv ? "-" : "not measured (pools too small)");
	else if (hopeless(s, s->n[ni], fam))
		snprintf(buf, len, tsv ? "never" : "none: no p(Holm) below alpha possible");
	else if (isnan(v))
		snprintf(buf, len, tsv ? "none" : "not reached at the largest size");
	else if (tsv)
		snprintf(buf, len, "%.1f", v);
	else {
		bracket(br, sizeof(br), s, ni, fam);
		snprintf(buf, len, "%.1f%%%s", v, br);
	}
}

static int write_md(const struct sens_study *s, const char *path, char **info, size_t ninfo)
{
	struct atomic_file af;
	FILE *f = atomic_open(&af, path, 0644);
	size_t *o = by_size(s);
	char fb[256], b[128];
	int nfam = s->family ? 2 : 1;

	if (!f) {
		free(o);
		return -1;
	}
	fprintf(f, "# How small a regression does `wqbench compare` catch?\n\n");
	for (size_t i = 0; i < ninfo; i++)
		fprintf(f, "- %s\n", info[i]);
	fprintf(f, "- primary metric `%s`; %zu draws per cell, seed %llu; alpha %.3g after Holm, "
		"minimum effect %.1f%%\n", s->primary, s->draws, (unsigned long long)s->seed,
		s->alpha, s->min_effect_pct);
	{
		double sp[4];

		base_spread(s, sp);
		fprintf(f, "- baseline pool `%s`: %zu runs (%zu left out); `%s` median %.4g, robust "
			"CV %.1f%%, range %.4g..%.4g\n\n", s->pool[0].scenario, s->pool[0].nruns,
			s->pool[0].nexcluded, s->primary, sp[0], sp[1], sp[2], sp[3]);
	}

	fprintf(f, "## Sizes: nominal and measured\n\n"
		"Nominal: the delay was set to slow `%s` by that much from the calibrated per-item "
		"cost. Measured: the Hodges-Lehmann shift between the full pools, in the worse "
		"direction, with its 95%% interval, as compare computes it.\n\n"
		"| nominal | pool | runs (left out) | measured shift | 95%% interval | full pools: "
		"verdict of `%s` | metrics regressed |\n|---|---|---|---|---|---|---|\n",
		s->primary, s->primary);
	for (size_t i = 0; i + 1 < s->npool; i++) {
		const struct sens_pool *p = &s->pool[o[i]];
		const struct sens_full *fu = &s->full[o[i]];

		if (p->split)
			fprintf(f, "| %g%% | %s, split (A/A) | %zu against %zu | %+.1f%% | "
				"[%+.1f%%, %+.1f%%] | %s | %zu of %zu |\n", p->nominal, p->scenario,
				s->pool[0].nruns / 2, s->pool[0].nruns / 2, fu->effect, fu->lo_pct,
				fu->hi_pct, fu->verdict, fu->nregressed, s->judged[0]);
		else
			fprintf(f, "| %g%% | %s | %zu (%zu) | %+.1f%% | [%+.1f%%, %+.1f%%] | %s | "
				"%zu of %zu |\n", p->nominal, p->scenario, p->nruns, p->nexcluded,
				fu->effect, fu->lo_pct, fu->hi_pct, fu->verdict, fu->nregressed,
				s->judged[0]);
	}

	for (int fam = 0; fam < nfam; fam++) {
		fprintf(f, "\n## Detection rate, %s\n\nShare of draws in which `%s` was called "
			"regressed.\n\n| nominal | measured |", fam_name(s, fam, fb, sizeof(fb)),
			s->primary);
		for (size_t ni = 0; ni < s->nn; ni++)
			fprintf(f, " n=%zu |", s->n[ni]);
		fprintf(f, "\n|---|---|");
		for (size_t ni = 0; ni < s->nn; ni++)
			fprintf(f, "---|");
		fprintf(f, "\n");
		for (size_t i = 0; i + 1 < s->npool; i++) {
			fprintf(f, "| %g%% | %+.1f%% |", s->pool[o[i]].nominal, s->full[o[i]].effect);
			for (size_t ni = 0; ni < s->nn; ni++) {
				const struct sens_cell *c = sens_cell_at(s, o[i], ni, fam);

				if (c->done)
					fprintf(f, " %.2f |", rate(c, c->detected));
				else
					fprintf(f, " - |");
			}
			fprintf(f, "\n");
		}
	}

	fprintf(f, "\n## Minimum detectable effect (80%% detection)\n\n"
		"The measured shift of `%s` (worse direction) at which the detection rate "
		"reaches %.0f%%, interpolated linearly between the two measured sizes it lies "
		"between (in brackets; sizes in order of the shift they made, size 0 at 0), and "
		"never below the minimum effect (%.1f%%): a smaller shift is never called.\n\n| n a side |",
		s->primary, 100 * SENS_LEVEL, s->min_effect_pct);
	for (int fam = 0; fam < nfam; fam++)
		fprintf(f, " %s |", fam_name(s, fam, fb, sizeof(fb)));
	fprintf(f, "\n|---|%s\n", nfam == 2 ? "---|---|" : "---|");
	for (size_t ni = 0; ni < s->nn; ni++) {
		fprintf(f, "| %zu |", s->n[ni]);
		for (int fam = 0; fam < nfam; fam++) {
			fmt_mde(b, sizeof(b), s, ni, fam, false);
			fprintf(f, " %s |", b);
		}
		fprintf(f, "\n");
	}

	for (size_t i = 0; i + 1 < s->npool; i++) {
		size_t p = o[i];

		if (s->pool[p].nominal != 0)
			continue;
		fprintf(f, "\n## False alarms: `%s`%s (nothing slowed) against the baseline\n\n"
			"| n a side | family | any metric regressed (exit 1) | any metric regressed "
			"or improved | `%s` regressed |\n|---|---|---|---|---|\n",
			s->pool[p].scenario,
			s->pool[p].split ? ", 2n distinct baseline runs split in two" : "",
			s->primary);
		for (size_t ni = 0; ni < s->nn; ni++)
			for (int fam = 0; fam < nfam; fam++) {
				const struct sens_cell *c = sens_cell_at(s, p, ni, fam);

				if (!c->done)
					continue;
				fprintf(f, "| %zu | %s | %.3f | %.3f | %.3f |\n", s->n[ni],
					fam ? "declared" : "every metric", rate(c, c->any_regressed),
					rate(c, c->any_flagged), rate(c, c->detected));
			}
	}

	fprintf(f, "\n## Exit status of the draws (pass 0 / regressed 1 / inconclusive 3)\n\n"
		"| nominal | n a side | every metric | declared |\n|---|---|---|---|\n");
	for (size_t i = 0; i + 1 < s->npool; i++)
		for (size_t ni = 0; ni < s->nn; ni++) {
			fprintf(f, "| %g%% | %zu |", s->pool[o[i]].nominal, s->n[ni]);
			for (int fam = 0; fam < 2; fam++) {
				const struct sens_cell *c = sens_cell_at(s, o[i], ni, fam);

				if (!c->done)
					fprintf(f, " - |");
				else
					fprintf(f, " %.2f / %.2f / %.2f |",
						rate(c, c->exit_class[CMP_EXIT_PASS]),
						rate(c, c->exit_class[CMP_EXIT_REGRESSED]),
						rate(c, c->exit_class[CMP_EXIT_INCONCLUSIVE]));
			}
			fprintf(f, "\n");
		}

	fprintf(f, "\n## Overlap of the draws\n\nDraws of n runs from a pool of N share n/N of "
		"their runs with each other on average, so the draws of a cell are correlated and "
		"its rate is less certain than %zu independent comparisons would make it:\n\n",
		s->draws);
	for (size_t ni = 0; ni < s->nn; ni++) {
		size_t nmin = SIZE_MAX;

		for (size_t p = 0; p < s->npool; p++)
			if (!s->pool[p].split)
				nmin = s->pool[p].nruns < nmin ? s->pool[p].nruns : nmin;
		fprintf(f, "- n=%zu: %.0f%% of the smallest pool (%zu runs)%s\n", s->n[ni],
			100.0 * (double)s->n[ni] / (double)nmin, nmin,
			has_split(s) ? "; the A/A split takes 2n of the baseline's" : "");
	}
	for (size_t p = 0; p < s->npool; p++)
		for (size_t i = 0; i < s->pool[p].nexcluded; i++) {
			if (!i)
				fprintf(f, "\n## Runs left out of %s\n\n", s->pool[p].scenario);
			fprintf(f, "- %s\n", s->pool[p].excluded[i]);
		}
	free(o);
	return atomic_commit(&af);
}

static json_t *jnum(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}


static int write_json(const struct sens_study *s, const char *path, char **info, size_t ninfo)
{
	json_t *j = json_object(), *ji = json_object(), *jp = json_array(), *jn = json_array();
	json_t *jm = json_array();
	int rc;

	for (size_t i = 0; i < ninfo; i++) {
		char *eq = strchr(info[i], '=');

		if (eq) {
			char *k = xasprintf("%.*s", (int)(eq - info[i]), info[i]);

			json_object_set_new(ji, k, json_string(eq + 1));
			free(k);
		}
	}
	json_object_set_new(j, "info", ji);
	json_object_set_new(j, "primary", json_string(s->primary));
	{
		double sp[4];

		base_spread(s, sp);
		json_object_set_new(j, "baseline_spread",
				    json_pack("{s:o,s:o,s:o,s:o}", "median", jnum(sp[0]),
					      "robust_cv_pct", jnum(sp[1]), "min", jnum(sp[2]),
					      "max", jnum(sp[3])));
	}
	json_object_set_new(j, "family", s->family ? json_string(s->family) : json_null());
	json_object_set_new(j, "judged_every", json_integer((json_int_t)s->judged[0]));
	json_object_set_new(j, "judged_declared", json_integer((json_int_t)s->judged[1]));
	json_object_set_new(j, "alpha", json_real(s->alpha));
	json_object_set_new(j, "min_effect_pct", json_real(s->min_effect_pct));
	json_object_set_new(j, "draws", json_integer((json_int_t)s->draws));
	json_object_set_new(j, "seed", json_integer((json_int_t)s->seed));
	json_object_set_new(j, "level", json_real(SENS_LEVEL));
	for (size_t ni = 0; ni < s->nn; ni++)
		json_array_append_new(jn, json_integer((json_int_t)s->n[ni]));
	json_object_set_new(j, "n", jn);
	for (size_t p = 0; p < s->npool; p++) {
		const struct sens_pool *pl = &s->pool[p];
		json_t *o = json_object(), *runs = json_array(), *ex = json_array(), *cells = json_array();

		json_object_set_new(o, "scenario", json_string(pl->scenario));
		json_object_set_new(o, "baseline", json_boolean(p == 0));
		json_object_set_new(o, "split_of_baseline", json_boolean(pl->split));
		json_object_set_new(o, "nominal_pct", json_real(pl->nominal));
		for (size_t r = 0; r < pl->nruns; r++)
			json_array_append_new(runs, json_string(pl->dirs[r]));
		for (size_t r = 0; r < pl->nexcluded; r++)
			json_array_append_new(ex, json_string(pl->excluded[r]));
		json_object_set_new(o, "runs", runs);
		json_object_set_new(o, "excluded", ex);
		if (p > 0) {
			const struct sens_full *fu = &s->full[p];

			json_object_set_new(o, "shift_pct", jnum(fu->pct));
			json_object_set_new(o, "shift_lo_pct", jnum(fu->lo_pct));
			json_object_set_new(o, "shift_hi_pct", jnum(fu->hi_pct));
			json_object_set_new(o, "effect_pct", jnum(fu->effect));
			json_object_set_new(o, "verdict_full", json_string(fu->verdict));
			json_object_set_new(o, "regressed_full", json_integer((json_int_t)fu->nregressed));
			for (size_t ni = 0; ni < s->nn; ni++)
				for (int fam = 0; fam < SENS_FAMILIES; fam++) {
					const struct sens_cell *c = sens_cell_at(s, p, ni, fam);
					json_t *jc;

					if (!c->done)
						continue;
					jc = json_object();
					json_object_set_new(jc, "n", json_integer((json_int_t)s->n[ni]));
					json_object_set_new(jc, "family", json_string(fam ? "declared" : "every"));
					json_object_set_new(jc, "draws", json_integer((json_int_t)c->draws));
					json_object_set_new(jc, "detected", jnum(rate(c, c->detected)));
					json_object_set_new(jc, "any_regressed", jnum(rate(c, c->any_regressed)));
					json_object_set_new(jc, "any_flagged", jnum(rate(c, c->any_flagged)));
					json_object_set_new(jc, "exit_pass",
							    jnum(rate(c, c->exit_class[CMP_EXIT_PASS])));
					json_object_set_new(jc, "exit_regressed",
							    jnum(rate(c, c->exit_class[CMP_EXIT_REGRESSED])));
					json_object_set_new(jc, "exit_inconclusive",
							    jnum(rate(c, c->exit_class[CMP_EXIT_INCONCLUSIVE])));
					json_array_append_new(cells, jc);
				}
			json_object_set_new(o, "cells", cells);
		} else {
			json_decref(cells);
		}
		json_array_append_new(jp, o);
	}
	json_object_set_new(j, "pools", jp);
	for (size_t ni = 0; ni < s->nn; ni++) {
		json_t *o = json_object();
		char b[64];

		json_object_set_new(o, "n", json_integer((json_int_t)s->n[ni]));
		for (int fam = 0; fam < SENS_FAMILIES; fam++) {
			fmt_mde(b, sizeof(b), s, ni, fam, true);
			json_object_set_new(o, fam ? "declared" : "every",
					    isdigit((unsigned char)b[0]) ? json_real(strtod(b, NULL))
									 : json_string(b));
		}
		json_array_append_new(jm, o);
	}
	json_object_set_new(j, "mde_pct", jm);
	rc = json_write_atomic(j, path, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(j);
	return rc;
}

static int write_tsv(const struct sens_study *s, const char *path, char **info, size_t ninfo)
{
	struct atomic_file af;
	FILE *f = atomic_open(&af, path, 0644);
	const char *d = info_get(info, ninfo, "date"), *h = info_get(info, ninfo, "host");
	const char *cmd = info_get(info, ninfo, "command");
	char a[64], b[64];

	if (!f)
		return -1;
	fprintf(f, "# wqbench sensitivity study (tests/sensitivity/run-sensitivity, docs/compare.md):\n"
		"# the shift of METRIC in its worse direction, in %%, that RUNS runs a side call\n"
		"# regressed in 80%% of draws -- 'never': no p(Holm) below alpha is possible,\n"
		"# 'none': not reached at the largest size measured, '-': not measured.\n"
		"# Generated; read by compare-kernels and ci/nightly.  Do not edit by hand.\n");
	if (cmd)
		fprintf(f, "# %s\n", cmd);
	fprintf(f, "date\t%s\nhost\t%s\nmetric\t%s\nfamily\t%s\njudged\t%zu\t%zu\n", d ? d : "?",
		h ? h : "?", s->primary, s->family ? s->family : "-", s->judged[0], s->judged[1]);
	fprintf(f, "runs\tevery_metric\tdeclared_family\n");
	for (size_t ni = 0; ni < s->nn; ni++) {
		fmt_mde(a, sizeof(a), s, ni, 0, true);
		fmt_mde(b, sizeof(b), s, ni, 1, true);
		fprintf(f, "%zu\t%s\t%s\n", s->n[ni], a, s->family ? b : "-");
	}
	return atomic_commit(&af);
}

/* sensitivity.dat and a script rendering sensitivity.svg and .png; no result string enters it */
static int write_plot(const struct sens_study *s, const char *dir, char *err, size_t errlen)
{
	char *dat = path_join(dir, "sensitivity.dat"), *gp = path_join(dir, "sensitivity.gp");
	struct atomic_file af;
	FILE *f = atomic_open(&af, dat, 0644);
	size_t *o = by_effect(s);
	int nfam = s->family ? 2 : 1, rc = -1;
	char label[128];

	if (!f)
		goto out;
	for (int fam = 0; fam < nfam; fam++)
		for (size_t ni = 0; ni < s->nn; ni++) {
			fprintf(f, "# family %d n %zu: measured shift %%, detection rate\n", fam, s->n[ni]);
			for (size_t i = 0; i + 1 < s->npool; i++) {
				const struct sens_cell *c = sens_cell_at(s, o[i], ni, fam);

				if (c->done)
					fprintf(f, "%.3f %.4f\n", mde_x(s, o[i]),
						rate(c, c->detected));
			}
			fprintf(f, "\n\n");
		}
	if (atomic_commit(&af))
		goto out;
	f = atomic_open(&af, gp, 0644);
	if (!f)
		goto out;
	for (int t = 0; t < 2; t++) {
		fprintf(f, t ? "set terminal pngcairo size 1000,420 font 'sans,9'\nset output 'sensitivity.png'\n"
			     : "set encoding utf8\nset terminal svg size 1000,420 dynamic font 'sans,11' background '#ffffff'\nset output 'sensitivity.svg'\n");
		fprintf(f, "set grid lc rgb '#dddddd'\nset key bottom right\nset yrange [0:1.02]\n"
			"set xrange [0:*]\nset ylabel 'detection rate'\n"
			"set xlabel 'measured slowdown of %s (%%, full pools)' noenhanced\n"
			"set multiplot layout 1,%d\n",
			plot_safe_label(s->primary, label, sizeof(label)), nfam);
		for (int fam = 0; fam < nfam; fam++) {
			fprintf(f, "set title '%s (%zu metrics in Holm)'\nplot %.2f with lines dt 2 lc rgb '#888888' title '80%%'",
				fam ? "declared family" : "every metric", s->judged[fam], SENS_LEVEL);
			for (size_t ni = 0; ni < s->nn; ni++)
				if (n_done(s, ni))
					fprintf(f, ", 'sensitivity.dat' index %zu with linespoints lw 2 pt 7 title 'n=%zu'",
						(size_t)fam * s->nn + ni, s->n[ni]);
			fprintf(f, "\n");
		}
		fprintf(f, "unset multiplot\nunset output\n");
	}
	if (atomic_commit(&af))
		goto out;
	if (sens_gnuplot(dir, "sensitivity", err, errlen) < 0)
		goto out;
	rc = 0;
out:
	if (rc && !err[0])
		snprintf(err, errlen, "cannot write %s or %s", dat, gp);
	free(o);
	free(dat);
	free(gp);
	return rc;
}

int sens_gnuplot(const char *dir, const char *name, char *err, size_t errlen)
{
	char *gp = xasprintf("%s.gp", name), *log = xasprintf("%s/%s.gnuplot.log", dir, name);
	/* gnuplot runs in dir, where its data files are: no path enters the script */
	char *argv[] = { "gnuplot", gp, NULL };
	struct spawn_opts so = { .cwd = dir, .stdout_path = log, .stderr_to_stdout = true };
	struct spawn_result sr;
	int rc = 0;

	if (spawn_run(argv, &so, 60000, &sr) < 0 || sr.exit_code != 0) {
		snprintf(err, errlen, "gnuplot failed on %s/%s (see %s)", dir, gp, log);
		rc = -1;
	} else {
		unlink(log);
	}
	free(gp);
	free(log);
	return rc;
}

int sens_write(const struct sens_study *s, const char *dir, char **info, size_t ninfo, char *err,
	       size_t errlen)
{
	char *md = path_join(dir, "sensitivity.md"), *js = path_join(dir, "sensitivity.json");
	char *tsv = path_join(dir, "mde.tsv");
	int rc = 0;

	err[0] = 0;
	if (mkdir_p(dir, 0755) < 0 || write_md(s, md, info, ninfo) < 0 ||
	    write_json(s, js, info, ninfo) < 0 || write_tsv(s, tsv, info, ninfo) < 0) {
		snprintf(err, errlen, "cannot write into %s: %s", dir, strerror(errno));
		rc = -1;
	} else if (program_in_path("gnuplot")) {
		rc = write_plot(s, dir, err, errlen);
	}
	free(md);
	free(js);
	free(tsv);
	return rc;
}

void sens_free(struct sens_study *s)
{
	for (size_t i = 0; i < s->nm; i++) {
		free(s->m[i].key);
		free(s->m[i].unit);
	}
	free(s->m);
	for (size_t p = 0; p < s->npool; p++) {
		struct sens_pool *pl = &s->pool[p];

		free(pl->scenario);
		for (size_t r = 0; r < pl->nruns; r++)
			free(pl->dirs[r]);
		free(pl->dirs);
		free(pl->v);
		for (size_t r = 0; r < pl->nexcluded; r++)
			free(pl->excluded[r]);
		free(pl->excluded);
	}
	free(s->pool);
	free(s->full);
	free(s->cell);
	free(s->mde);
	s->m = NULL;
	s->pool = NULL;
	s->full = NULL;
	s->cell = NULL;
	s->mde = NULL;
	s->nm = s->npool = 0;
}

/* --- the published table ------------------------------------------------------ */

static double parse_mde(const char *s)
{
	char *end;
	double v;

	if (!strcmp(s, "never"))
		return -INFINITY;
	if (!strcmp(s, "none"))
		return INFINITY;
	errno = 0;
	v = strtod(s, &end);
	return errno || end == s || *end ? NAN : v;
}

int sens_mde_read(const char *path, struct sens_mde_table *t, char *err, size_t errlen)
{
	char *text = read_file(path, NULL), *save = NULL;

	memset(t, 0, sizeof(*t));
	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[8] = { 0 }, *fs = NULL;
		int nf = 0;

		if (line[0] == '#' || !line[0])
			continue;
		for (char *x = strtok_r(line, "\t", &fs); x && nf < 8; x = strtok_r(NULL, "\t", &fs))
			f[nf++] = x;
		if (nf >= 2 && !strcmp(f[0], "date"))
			t->date = xstrdup(f[1]);
		else if (nf >= 2 && !strcmp(f[0], "host"))
			t->host = xstrdup(f[1]);
		else if (nf >= 2 && !strcmp(f[0], "metric"))
			t->metric = xstrdup(f[1]);
		else if (nf >= 2 && !strcmp(f[0], "family"))
			t->family = xstrdup(f[1]);
		else if (nf >= 3 && !strcmp(f[0], "judged")) {
			t->judged[0] = strtoul(f[1], NULL, 10);
			t->judged[1] = strtoul(f[2], NULL, 10);
		} else if (nf >= 3 && isdigit((unsigned char)f[0][0])) {
			struct sens_mde_row *r;

			t->row = xrealloc(t->row, (t->nrows + 1) * sizeof(*t->row));
			r = &t->row[t->nrows++];
			memset(r, 0, sizeof(*r));
			r->n = strtoul(f[0], NULL, 10);
			r->mde[0] = parse_mde(f[1]);
			r->mde[1] = parse_mde(f[2]);
		} else if (nf == 8 && !strcmp(f[0], "mde") && isdigit((unsigned char)f[5][0])) {
			/* "mde SCENARIO METRIC JUDGED_EVERY JUDGED_DECLARED RUNS EVERY DECLARED" */
			struct sens_mde_row *r;

			t->row = xrealloc(t->row, (t->nrows + 1) * sizeof(*t->row));
			r = &t->row[t->nrows++];
			r->scenario = xstrdup(f[1]);
			r->metric = xstrdup(f[2]);
			r->judged[0] = strtoul(f[3], NULL, 10);
			r->judged[1] = strtoul(f[4], NULL, 10);
			r->n = strtoul(f[5], NULL, 10);
			r->mde[0] = parse_mde(f[6]);
			r->mde[1] = parse_mde(f[7]);
		}
	}
	free(text);
	for (size_t i = 0; i < t->nrows; i++)	/* a one-study table's rows: its metric */
		if (!t->row[i].metric && t->metric) {
			t->row[i].metric = xstrdup(t->metric);
			memcpy(t->row[i].judged, t->judged, sizeof(t->judged));
		}
	for (size_t i = 0; i < t->nrows; i++)
		if (!t->row[i].metric) {
			snprintf(err, errlen, "%s: a row without a metric: not a sensitivity table",
				 path);
			sens_mde_free(t);
			return -1;
		}
	if (!t->nrows) {
		snprintf(err, errlen, "%s: no rows: not a sensitivity table", path);
		sens_mde_free(t);
		return -1;
	}
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int sens_mde_select(const struct sens_mde_table *t, const char *scenario, const char *metric,
		    struct sens_mde_table *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < t->nrows; i++) {
		const struct sens_mde_row *r = &t->row[i];
		struct sens_mde_row *o;

		if (scenario ? !r->scenario || strcmp(r->scenario, scenario) : r->scenario != NULL)
			continue;
		if (!metric)
			metric = r->metric;
		if (strcmp(r->metric, metric))
			continue;
		out->row = xrealloc(out->row, (out->nrows + 1) * sizeof(*out->row));
		o = &out->row[out->nrows++];
		*o = *r;
		o->scenario = dup_or_null(r->scenario);
		o->metric = xstrdup(r->metric);
		if (out->nrows == 1)
			memcpy(out->judged, r->judged, sizeof(out->judged));
	}
	if (!out->nrows)
		return -1;
	out->date = dup_or_null(t->date);
	out->host = dup_or_null(t->host);
	out->family = dup_or_null(t->family);
	out->metric = xstrdup(metric);
	out->scenario = dup_or_null(scenario);
	return 0;
}

/* the row for exactly n runs a side, or NULL */
static const struct sens_mde_row *row_for(const struct sens_mde_table *t, size_t n)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (t->row[i].n == n)
			return &t->row[i];
	return NULL;
}

static bool finite_mde(const struct sens_mde_row *r, int fam)
{
	return r && isfinite(r->mde[fam]);
}

char *sens_mde_sentence(const struct sens_mde_table *t, size_t n, size_t n_other, bool declared,
			size_t judged)
{
	int fam = declared ? 1 : 0;
	const char *d = t->date ? t->date : "?", *h = t->host ? t->host : "?";
	char *ns = xstrdup(""), *fam_s, *out, *runs;
	const struct sens_mde_row *r = row_for(t, n), *below = NULL, *above = NULL;

	for (size_t i = 0; i < t->nrows; i++) {
		char *x = xasprintf("%s%s%zu", ns, i ? ", " : "", t->row[i].n);

		free(ns);
		ns = x;
		if (finite_mde(&t->row[i], fam) && t->row[i].n < n &&
		    (!below || t->row[i].n > below->n))
			below = &t->row[i];
		if (finite_mde(&t->row[i], fam) && t->row[i].n > n &&
		    (!above || t->row[i].n < above->n))
			above = &t->row[i];
	}
	runs = n_other > n ? xasprintf("%zu against %zu runs", n, n_other)
			   : xasprintf("%zu runs a side", n);

	fam_s = declared ? xasprintf("the study's declared family %s, %zu metrics in Holm; this "
				     "comparison's %zu", t->family ? t->family : "?", t->judged[1],
				     judged)
			 : xasprintf("Holm over the study's %zu metrics; this comparison judged %zu%s",
				     t->judged[0], judged,
				     judged > t->judged[0] ? ": expect a larger regression" : "");
	if ((!r || isnan(r->mde[fam])) && below && above)
		out = xasprintf("sensitivity: not measured for %s; the study's neighbours: %zu runs "
				"a side catch a regression of %.0f%% of %s 80%% of the time, %zu catch "
				"%.0f%% (docs/compare.md, measured %s on %s; %s)", runs, below->n,
				below->mde[fam], t->metric, above->n, above->mde[fam], d, h, fam_s);
	else if (!r || isnan(r->mde[fam]) || (r->mde[fam] == -INFINITY && n_other > n))
		out = xasprintf("sensitivity: not measured for %s (the study measured %s runs a side: "
				"docs/compare.md)", runs, ns);
	else if (r->mde[fam] == -INFINITY)
		out = xasprintf("sensitivity: with %s this comparison cannot call any regression of "
				"%s (no p(Holm) below alpha is possible; docs/compare.md, measured %s on "
				"%s; %s)", runs, t->metric, d, h, fam_s);
	else if (r->mde[fam] == INFINITY)
		out = xasprintf("sensitivity: with %s this comparison does not catch even the largest "
				"regression of %s the study made 80%% of the time (docs/compare.md, "
				"measured %s on %s; %s)", runs, t->metric, d, h, fam_s);
	else
		out = xasprintf("sensitivity: with %s this comparison catches a regression of %s%.0f%% "
				"of %s 80%% of the time (docs/compare.md, measured %s on %s; %s)", runs,
				n_other > n ? "at most " : "", r->mde[fam], t->metric, d, h, fam_s);
	free(runs);
	free(ns);
	free(fam_s);
	if (t->scenario) {	/* "sensitivity: SCENARIO: ..." */
		char *x = xasprintf("sensitivity: %s: %s", t->scenario,
				    out + strlen("sensitivity: "));

		free(out);
		out = x;
	}
	return out;
}

void sens_mde_free(struct sens_mde_table *t)
{
	free(t->date);
	free(t->host);
	free(t->metric);
	free(t->family);
	free(t->scenario);
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->row[i].scenario);
		free(t->row[i].metric);
	}
	free(t->row);
	memset(t, 0, sizeof(*t));
}

char *sens_mde_path(void)
{
	return path_join(wqb_src_dir(), "docs/sensitivity-mde.tsv");
}

/* the smaller and larger run count a side of c's judged metric key of scenario; false: none */
static bool runs_of(const struct comparison *c, const char *scenario, const char *key, size_t *n,
		    size_t *other)
{
	*n = SIZE_MAX;
	for (size_t i = 0; i < c->nm; i++) {
		const struct cmp_metric *m = &c->m[i];
		size_t k = m->s[0].n < m->s[1].n ? m->s[0].n : m->s[1].n;

		if (isnan(m->p) || strcmp(m->scenario, scenario) || strcmp(m->key, key) || k >= *n)
			continue;
		*n = k;
		*other = m->s[0].n < m->s[1].n ? m->s[1].n : m->s[0].n;
	}
	return *n != SIZE_MAX;
}

static char *append_line(char *out, char *line)
{
	char *x;

	if (!out)
		return line;
	x = xasprintf("%s\n%s", out, line);
	free(out);
	free(line);
	return x;
}

/*
 * The suite study's table: a line per scenario of c it has, by that
 * scenario's first metric (queue->start p50) -- p90 beside it -- and the
 * scenarios of c it has not.
 */
static char *mde_for_scenarios(const struct comparison *c, const struct sens_mde_table *t)
{
	char *out = NULL, *missing = NULL, *measured = NULL;

	for (size_t i = 0; i < c->nm; i++) {
		const char *sc = c->m[i].scenario;
		struct sens_mde_table v, v2;
		size_t n, other, n2, other2;
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(c->m[j].scenario, sc);
		if (seen)
			continue;
		if (sens_mde_select(t, sc, NULL, &v) < 0) {
			char *x = xasprintf("%s%s%s", missing ? missing : "", missing ? ", " : "", sc);

			free(missing);
			missing = x;
			continue;
		}
		if (runs_of(c, sc, v.metric, &n, &other)) {
			char *line = sens_mde_sentence(&v, n, other, c->nfamily > 0, c->judged);

			/* the scenario's other metric (p90), in brief */
			for (size_t r = 0; r < t->nrows; r++) {
				const struct sens_mde_row *row = &t->row[r];

				if (!row->scenario || strcmp(row->scenario, sc) ||
				    !strcmp(row->metric, v.metric))
					continue;
				if (sens_mde_select(t, sc, row->metric, &v2) == 0) {
					if (runs_of(c, sc, v2.metric, &n2, &other2)) {
						const struct sens_mde_row *w = NULL;
						int fam = c->nfamily > 0;

						for (size_t k = 0; k < v2.nrows; k++)
							if (v2.row[k].n == n2)
								w = &v2.row[k];
						if (w && isfinite(w->mde[fam])) {
							char *x = xasprintf("%s; %s: %s%.0f%%", line,
									    v2.metric,
									    other2 > n2 ? "at most " : "",
									    w->mde[fam]);

							free(line);
							line = x;
						}
					}
					sens_mde_free(&v2);
				}
				break;
			}
			out = append_line(out, line);
		}
		sens_mde_free(&v);
	}
	if (missing) {
		for (size_t r = 0; r < t->nrows; r++) {
			const char *sc = t->row[r].scenario;
			bool seen = false;

			for (size_t j = 0; j < r && !seen; j++)
				seen = !strcmp(t->row[j].scenario, sc);
			if (!seen) {
				char *x = xasprintf("%s%s%s", measured ? measured : "",
						    measured ? ", " : "", sc);

				free(measured);
				measured = x;
			}
		}
		out = append_line(out, xasprintf("sensitivity: not measured for %s (the study measured "
						  "%s: docs/compare.md)", missing,
						  measured ? measured : "none"));
	}
	free(missing);
	free(measured);
	return out;
}

char *sens_mde_for(const struct comparison *c)
{
	struct sens_mde_table t;
	char *path = sens_mde_path(), err[512], *out = NULL;
	size_t n = SIZE_MAX, nstudy = SIZE_MAX, other = 0, other_study = 0;

	if (sens_mde_read(path, &t, err, sizeof(err)) < 0) {
		free(path);
		return NULL;
	}
	if (t.row[0].scenario) {	/* the suite study: per scenario */
		out = mde_for_scenarios(c, &t);
		sens_mde_free(&t);
		free(path);
		return out;
	}
	for (size_t i = 0; i < c->nm; i++) {
		const struct cmp_metric *m = &c->m[i];
		size_t k = m->s[0].n < m->s[1].n ? m->s[0].n : m->s[1].n;
		size_t o = m->s[0].n < m->s[1].n ? m->s[1].n : m->s[0].n;

		if (isnan(m->p))	/* not in the Holm family: not judged */
			continue;
		if (!strcmp(m->key, t.metric) && k < nstudy) {
			nstudy = k;
			other_study = o;
		}
		if (k < n) {
			n = k;
			other = o;
		}
	}
	if (nstudy != SIZE_MAX) {
		n = nstudy;
		other = other_study;
	}
	if (n != SIZE_MAX)
		out = sens_mde_sentence(&t, n, other, c->nfamily > 0, c->judged);
	sens_mde_free(&t);
	free(path);
	return out;
}

/*
 * the suite study's advice: per scenario, what its largest measured run
 * count a side catches of its first metric (queue->start p50)
 */
static char *advice_by_scenario(const struct sens_mde_table *t, int fam)
{
	char *list = NULL, *out = NULL;
	size_t nmax = 0;

	for (size_t r = 0; r < t->nrows; r++)
		if (!isnan(t->row[r].mde[fam]) && t->row[r].mde[fam] != -INFINITY &&
		    t->row[r].n > nmax)
			nmax = t->row[r].n;
	for (size_t r = 0; r < t->nrows && nmax; r++) {
		const char *sc = t->row[r].scenario;
		struct sens_mde_table v;
		bool seen = false;

		for (size_t j = 0; j < r && !seen; j++)
			seen = !strcmp(t->row[j].scenario, sc);
		if (seen || sens_mde_select(t, sc, NULL, &v) < 0)
			continue;
		for (size_t k = 0; k < v.nrows; k++) {
			double x = v.row[k].mde[fam];
			char *y;

			if (v.row[k].n != nmax)
				continue;
			y = isfinite(x) ? xasprintf("%s%s%s %.0f%% of %s", list ? list : "",
						    list ? ", " : "", sc, x, v.metric)
					: xasprintf("%s%s%s nothing it was given", list ? list : "",
						    list ? ", " : "", sc);
			free(list);
			list = y;
		}
		sens_mde_free(&v);
	}
	if (list)
		out = xasprintf("The per-scenario sensitivity study (docs/compare.md \"Per scenario\", "
				"%s, measured %s on %s) found that %zu runs a side catch, 80%% of the "
				"time: %s.", fam ? "its declared family" : "every metric in Holm",
				t->date ? t->date : "?", t->host ? t->host : "?", nmax, list);
	free(list);
	return out;
}

char *sens_mde_advice(bool declared)
{
	struct sens_mde_table t;
	char *path = sens_mde_path(), err[512], *list = NULL, *out = NULL;
	int fam = declared ? 1 : 0;

	if (sens_mde_read(path, &t, err, sizeof(err)) < 0) {
		free(path);
		return NULL;
	}
	if (t.row[0].scenario) {
		out = advice_by_scenario(&t, fam);
		sens_mde_free(&t);
		free(path);
		return out;
	}
	for (size_t i = 0; i < t.nrows; i++) {
		double v = t.row[i].mde[fam];
		char *x;

		if (isnan(v))
			continue;
		x = v == -INFINITY ? xasprintf("%s%s%zu runs a side catch nothing", list ? list : "",
					       list ? ", " : "", t.row[i].n)
		    : v == INFINITY ? xasprintf("%s%s%zu do not reach 80%%", list ? list : "",
						list ? ", " : "", t.row[i].n)
				    : xasprintf("%s%s%zu catch %.0f%%", list ? list : "",
						list ? ", " : "", t.row[i].n, v);
		free(list);
		list = x;
	}
	if (list)
		out = xasprintf("The sensitivity study (docs/compare.md; one scenario, %s, measured %s "
				"on %s) found, for a regression of %s 80%% of the time: %s.",
				declared ? "its declared family" : "every metric in Holm",
				t.date ? t.date : "?", t.host ? t.host : "?", t.metric, list);
	free(list);
	sens_mde_free(&t);
	free(path);
	return out;
}
