// SPDX-License-Identifier: GPL-2.0
/*
 * The sensitivity study's subsampler (analysis/sensitivity.c) on pools
 * with known answers: draws are distinct, seeded and cover the pool; a
 * large shift is caught in every draw of 6 a side and never with 3 (no p
 * can be significant); pools of the same distribution raise false alarms
 * at most about alpha; the MDE is interpolated between sizes; the
 * calibration's delay; run directories are sorted into pools by scenario
 * and failed runs left out; the published table reads back into the
 * sentence compare-kernels prints; the A/A pool split from the baseline;
 * the suite study's table, whose rows are the scenario's being compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compare.h"
#include "sensitivity.h"
#include "util.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *keys[] = { "g.throughput", "g.lat_p50_ns", "g.run_p50_ns" };
static const char *units[] = { "items/s", "ns", "ns" };
static const bool hb[] = { true, false, false };

/* a normal-ish deviate from the study's own generator (sum of uniforms) */
static double noise(uint64_t *st)
{
	double z = 0;

	for (int i = 0; i < 12; i++)
		z += (double)(sens_rng(st) >> 11) / 9007199254740992.0;
	return z - 6.0;
}

/* n runs, throughput tput and latency lat, each +-cv (relative sd) */
static void fill(struct sens_study *s, size_t pool, size_t n, double tput, double lat, double cv,
		 uint64_t *st)
{
	for (size_t i = 0; i < n; i++) {
		double v[3] = { tput * (1 + cv * noise(st)), lat * (1 + cv * noise(st)),
				100000 * (1 + cv * noise(st)) };
		char *dir = xasprintf("%s-run%02zu", s->pool[pool].scenario, i);

		sens_pool_push(s, pool, dir, keys, units, hb, v, 3);
		free(dir);
	}
}

static size_t ns[] = { 3, 6, 10 };

static void study_init(struct sens_study *s, size_t draws)
{
	memset(s, 0, sizeof(*s));
	s->alpha = 0.05;
	s->min_effect_pct = 5;
	s->primary = "g.throughput";
	s->family = "*.throughput,*.lat_p50_ns";
	s->n = ns;
	s->nn = 3;
	s->draws = draws;
	s->seed = 42;
}

static void test_draw(void **state)
{
	uint64_t a = 7, b = 7;
	size_t x[10], y[10], seen[24] = { 0 };

	(void)state;
	for (int r = 0; r < 200; r++) {
		sens_draw(&a, 24, 10, x);
		sens_draw(&b, 24, 10, y);
		assert_memory_equal(x, y, sizeof(x));	/* seeded: the same */
		for (int i = 0; i < 10; i++) {
			assert_true(x[i] < 24);
			for (int j = 0; j < i; j++)
				assert_true(x[i] != x[j]);	/* without replacement */
			seen[x[i]]++;
		}
	}
	/* 2000 picks over 24 runs: each about 83 times */
	for (int i = 0; i < 24; i++)
		assert_true(seen[i] > 50 && seen[i] < 120);
	sens_draw(&a, 5, 5, x);	/* the whole pool: a permutation */
	assert_int_equal(x[0] + x[1] + x[2] + x[3] + x[4], 10);
}

static void test_large_shift(void **state)
{
	struct sens_study s;
	uint64_t st = 1;
	char err[256];
	size_t c;

	(void)state;
	study_init(&s, 50);
	sens_pool_add(&s, "base", 0);
	c = sens_pool_add(&s, "slow", 30);
	fill(&s, 0, 20, 10000, 300000, 0.01, &st);
	fill(&s, c, 20, 7000, 420000, 0.01, &st);	/* -30%: far outside 1% noise */
	assert_int_equal(sens_run(&s, err, sizeof(err)), 0);
	assert_int_equal(s.judged[0], 3);
	assert_int_equal(s.judged[1], 2);
	assert_true(fabs(s.full[c].effect - 30) < 1.5);
	for (int fam = 0; fam < SENS_FAMILIES; fam++) {
		const struct sens_cell *n3 = sens_cell_at(&s, c, 0, fam);
		const struct sens_cell *n6 = sens_cell_at(&s, c, 1, fam);

		/* 3 a side: smallest p 0.1, nothing can be called: inconclusive */
		assert_true(n3->done);
		assert_int_equal(n3->detected, 0);
		assert_int_equal(n3->exit_class[CMP_EXIT_INCONCLUSIVE], 50);
		/* 6 a side, complete separation: every draw */
		assert_int_equal(n6->draws, 50);
		assert_int_equal(n6->detected, 50);
		assert_int_equal(n6->exit_class[CMP_EXIT_REGRESSED], 50);
		/* the only size reaches 80%: the MDE is its shift */
		assert_true(isnan(s.mde[0 * SENS_FAMILIES + fam]));
		assert_true(fabs(s.mde[1 * SENS_FAMILIES + fam] - s.full[c].effect) < 1e-9);
	}
	sens_free(&s);
}

static void test_same_distribution(void **state)
{
	struct sens_study s;
	uint64_t st = 99;
	char err[256];
	size_t c;

	(void)state;
	study_init(&s, 400);
	sens_pool_add(&s, "base", 0);
	c = sens_pool_add(&s, "same", 0);
	fill(&s, 0, 30, 10000, 300000, 0.05, &st);
	fill(&s, c, 30, 10000, 300000, 0.05, &st);
	assert_int_equal(sens_run(&s, err, sizeof(err)), 0);
	for (size_t ni = 1; ni < 3; ni++)
		for (int fam = 0; fam < SENS_FAMILIES; fam++) {
			const struct sens_cell *cl = sens_cell_at(&s, c, ni, fam);

			/* Holm keeps any false alarm near alpha; bounded with room for
			 * the pools' own accidents and the draws' overlap */
			assert_true((double)cl->any_flagged / (double)cl->draws <= 0.12);
			assert_true(cl->any_regressed <= cl->any_flagged);
			assert_true(cl->detected <= cl->any_regressed);
		}
	sens_free(&s);
}

/* the A/A pool split from the baseline: 2n distinct runs a draw, halved */
static void test_split_aa(void **state)
{
	struct sens_study s;
	uint64_t st = 7;
	char err[256];
	size_t c, slow;

	(void)state;
	study_init(&s, 300);
	s.primary = "g.lat_p50_ns";
	sens_pool_add(&s, "base", 0);
	c = sens_pool_add(&s, "base", 0);	/* the baseline's own name: its split */
	slow = sens_pool_add(&s, "slow", 20);
	assert_true(s.pool[c].split);
	assert_false(s.pool[slow].split);
	fill(&s, 0, 20, 10000, 300000, 0.03, &st);
	fill(&s, slow, 12, 10000, 360000, 0.03, &st);
	assert_int_equal(s.pool[c].nruns, 0);
	assert_int_equal(sens_run(&s, err, sizeof(err)), 0);
	/* 3 and 6 a side fit 2n into 20 runs, 10 too; the split's shift is small */
	assert_true(sens_cell_at(&s, c, 1, 0)->done);
	assert_true(sens_cell_at(&s, c, 2, 0)->done);
	assert_true(fabs(s.full[c].effect) < 5);
	for (size_t ni = 1; ni < 3; ni++) {
		const struct sens_cell *cl = sens_cell_at(&s, c, ni, 1);

		assert_true((double)cl->any_flagged / (double)cl->draws <= 0.12);
		assert_true(sens_cell_at(&s, slow, ni, 1)->detected == cl->draws);
	}
	sens_free(&s);
	/* 2n beyond the baseline: not done; fewer than 2 x 3 runs: refused */
	study_init(&s, 10);
	sens_pool_add(&s, "base", 0);
	c = sens_pool_add(&s, "base", 0);
	fill(&s, 0, 14, 10000, 300000, 0.03, &st);
	assert_int_equal(sens_run(&s, err, sizeof(err)), 0);
	assert_true(sens_cell_at(&s, c, 1, 0)->done);		/* 12 of 14 */
	assert_false(sens_cell_at(&s, c, 2, 0)->done);		/* 20 of 14 */
	sens_free(&s);
	study_init(&s, 10);
	sens_pool_add(&s, "base", 0);
	sens_pool_add(&s, "base", 0);
	fill(&s, 0, 5, 10000, 300000, 0.03, &st);
	assert_int_equal(sens_run(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "split"));
	sens_free(&s);
}

/* a comparison of scenario sc's metrics k (n a side), as compare_judge leaves it */
static void fake_cmp(struct comparison *c, const char *const *sc, const char *const *k, size_t nk,
		     size_t n)
{
	memset(c, 0, sizeof(*c));
	c->m = xcalloc(nk, sizeof(*c->m));
	c->nm = nk;
	c->judged = nk;
	for (size_t i = 0; i < nk; i++) {
		c->m[i].scenario = xstrdup(sc[i]);
		c->m[i].key = xstrdup(k[i]);
		c->m[i].s[0].n = c->m[i].s[1].n = n;
		c->m[i].p = 0.5;
	}
}

static void free_cmp(struct comparison *c)
{
	for (size_t i = 0; i < c->nm; i++) {
		free(c->m[i].scenario);
		free(c->m[i].key);
	}
	free(c->m);
}

/* the suite study's table: each scenario compared by its own rows */
static const char table[] =
	"# test\ndate\t2026-12-01\nhost\ttest host\nfamily\t*.lat_p50_ns,*.lat_p90_ns\n"
	"mde\tfast\ta.lat_p50_ns\t7\t2\t3\tnever\tnever\n"
	"mde\tfast\ta.lat_p50_ns\t7\t2\t6\t8.5\t7.5\n"
	"mde\tfast\ta.lat_p50_ns\t7\t2\t10\t6.1\t5.9\n"
	"mde\tfast\ta.lat_p90_ns\t7\t2\t6\t12.0\t11.0\n"
	"mde\tfast\ta.lat_p90_ns\t7\t2\t10\t9.0\t8.0\n"
	"mde\tslow\tb.lat_p50_ns\t7\t2\t6\tnone\tnone\n"
	"mde\tslow\tb.lat_p50_ns\t7\t2\t10\t48.0\t41.0\n";

static void test_suite_table(void **state)
{
	char tmpl[] = "/tmp/wqb-sens-suite-XXXXXX";
	char *root = mkdtemp(tmpl), *docs = path_join(root, "docs");
	char *tsv = path_join(docs, "sensitivity-mde.tsv"), err[256], *line;
	struct sens_mde_table t, v;
	struct comparison c;
	const char *sc[] = { "fast", "fast", "slow", "slow", "other" };
	const char *k[] = { "a.lat_p50_ns", "a.lat_p90_ns", "b.lat_p50_ns", "b.lat_p90_ns",
			    "c.throughput" };

	(void)state;
	assert_int_equal(mkdir_p(docs, 0755), 0);
	assert_int_equal(write_file_atomic(tsv, table, strlen(table), 0644), 0);
	assert_int_equal(sens_mde_read(tsv, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nrows, 7);
	assert_string_equal(t.row[6].scenario, "slow");
	assert_int_equal(t.row[6].judged[0], 7);
	/* narrowed: the scenario's first metric, or the one asked */
	assert_int_equal(sens_mde_select(&t, "fast", NULL, &v), 0);
	assert_string_equal(v.metric, "a.lat_p50_ns");
	assert_int_equal(v.nrows, 3);
	assert_int_equal(v.judged[1], 2);
	line = sens_mde_sentence(&v, 10, 10, false, 5);
	assert_non_null(strstr(line, "sensitivity: fast: with 10 runs a side this comparison "
				     "catches a regression of 6% of a.lat_p50_ns"));
	free(line);
	sens_mde_free(&v);
	assert_int_equal(sens_mde_select(&t, "fast", "a.lat_p90_ns", &v), 0);
	assert_int_equal(v.nrows, 2);
	sens_mde_free(&v);
	assert_int_equal(sens_mde_select(&t, "other", NULL, &v), -1);
	assert_int_equal(sens_mde_select(&t, NULL, NULL, &v), -1);	/* no one-study rows */
	sens_mde_free(&t);

	/* sens_mde_for: the published table under $WQBENCH_SRC, a line per scenario */
	setenv("WQBENCH_SRC", root, 1);
	fake_cmp(&c, sc, k, 5, 10);
	line = sens_mde_for(&c);
	assert_non_null(line);
	assert_non_null(strstr(line, "sensitivity: fast: with 10 runs a side this comparison "
				     "catches a regression of 6% of a.lat_p50_ns 80% of the time"));
	assert_non_null(strstr(line, "; a.lat_p90_ns: 9%"));
	assert_non_null(strstr(line, "\nsensitivity: slow: with 10 runs a side this comparison "
				     "catches a regression of 48% of b.lat_p50_ns"));
	assert_non_null(strstr(line, "\nsensitivity: not measured for other (the study measured "
				     "fast, slow"));
	assert_null(strstr(line, "fast: with 10 runs a side this comparison catches a "
				 "regression of 48%"));
	free(line);
	free_cmp(&c);
	/* the advice of a comparison with too few runs: each scenario at its largest count */
	line = sens_mde_advice(false);
	assert_non_null(line);
	assert_non_null(strstr(line, "10 runs a side catch, 80% of the time: fast 6% of "
				     "a.lat_p50_ns, slow 48% of b.lat_p50_ns."));
	free(line);
	/* 6 a side: slow's row says none */
	fake_cmp(&c, sc + 2, k + 2, 2, 6);
	line = sens_mde_for(&c);
	assert_non_null(strstr(line, "sensitivity: slow: with 6 runs a side this comparison does "
				     "not catch even the largest"));
	assert_null(strstr(line, "fast"));
	free(line);
	free_cmp(&c);
	assert_int_equal(remove_tree(root), 0);
	free(tsv);
	free(docs);
}

static void test_n_beyond_pool(void **state)
{
	struct sens_study s;
	uint64_t st = 3;
	char err[256];

	(void)state;
	study_init(&s, 10);
	sens_pool_add(&s, "base", 0);
	sens_pool_add(&s, "slow", 20);
	fill(&s, 0, 8, 10000, 300000, 0.01, &st);
	fill(&s, 1, 8, 8000, 300000, 0.01, &st);
	assert_int_equal(sens_run(&s, err, sizeof(err)), 0);
	assert_true(sens_cell_at(&s, 1, 1, 0)->done);
	assert_false(sens_cell_at(&s, 1, 2, 0)->done);	/* 10 from 8: not measured */
	assert_true(isnan(s.mde[2 * SENS_FAMILIES]));
	sens_free(&s);
}

static void test_bad_input(void **state)
{
	struct sens_study s;
	uint64_t st = 3;
	char err[256];

	(void)state;
	study_init(&s, 10);
	sens_pool_add(&s, "base", 0);
	sens_pool_add(&s, "slow", 20);
	fill(&s, 0, 8, 10000, 300000, 0.01, &st);
	fill(&s, 1, 8, 8000, 300000, 0.01, &st);
	s.primary = "g.nothing";
	assert_int_equal(sens_run(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "g.nothing"));
	s.primary = "g.run_p50_ns";	/* not in the declared family */
	assert_int_equal(sens_run(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not in the declared family"));
	s.primary = "g.throughput";
	s.family = "*.nomatch";
	assert_int_equal(sens_run(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "matches no metric"));
	sens_free(&s);
}

static void test_mde(void **state)
{
	double x[] = { 0, 5, 10, 20 }, y[] = { 0.02, 0.2, 0.6, 1.0 };
	double yn[] = { 0, 0.1, 0.3, 0.5 }, y0[] = { 0.9, 1, 1, 1 };
	double xneg[] = { -3, 5 }, yneg[] = { 0, 1 }, ynan[] = { NAN, 0.9 };

	(void)state;
	assert_true(fabs(sens_mde(x, y, 4, 0.8) - 15) < 1e-9);	/* halfway 10..20 */
	assert_true(fabs(sens_mde(x, y, 4, 0.6) - 10) < 1e-9);	/* exactly at a size */
	assert_true(isnan(sens_mde(x, yn, 4, 0.8)));		/* never reached */
	assert_true(fabs(sens_mde(x, y0, 4, 0.8)) < 1e-9);	/* the first size already */
	/* a negative measured shift counts as none: 0..5, 80% at 4 */
	assert_true(fabs(sens_mde(xneg, yneg, 2, 0.8) - 4) < 1e-9);
	assert_true(fabs(sens_mde(xneg, ynan, 2, 0.8) - 5) < 1e-9);
}

static void test_calibrate(void **state)
{
	(void)state;
	/* 2 CPUs at 20000 items/s: 100 us an item; -50% throughput = +100 us */
	assert_true(fabs(sens_calibrate_delay_ns(20000, 2, 50) - 100000) < 1e-6);
	assert_true(fabs(sens_calibrate_delay_ns(20000, 2, 20) - 25000) < 1e-6);
	assert_true(sens_calibrate_delay_ns(20000, 2, 0) == 0);
	assert_true(isnan(sens_calibrate_delay_ns(0, 2, 10)));
	assert_true(isnan(sens_calibrate_delay_ns(20000, 2, 100)));
	/* 4 in flight a CPU, 300 us queue->start: +20% = 60 us over 4 waits */
	assert_true(fabs(sens_calibrate_latency_delay_ns(300000, 4, 20) - 15000) < 1e-6);
	assert_true(sens_calibrate_latency_delay_ns(300000, 4, 0) == 0);
	assert_true(isnan(sens_calibrate_latency_delay_ns(0, 4, 10)));
}

/* a fake run directory with three metrics, or a failed check */
static void fake_run(const char *root, const char *name, const char *scenario, double tput,
		     bool fail)
{
	char *dir = path_join(root, name), *p = path_join(dir, "summary.json");
	json_t *j;

	assert_int_equal(mkdir_p(dir, 0755), 0);
	j = json_pack("{s:s,s:s,s:b,s:[],s:[{s:s,s:s,s:s}],s:{s:{s:f,s:s,s:s},s:{s:f,s:s,s:s},"
		      "s:{s:f,s:s,s:s}}}",
		      "scenario", scenario, "verdict", fail ? "fail" : "pass", "complete", 1,
		      "reasons", "checks", "name", "slowdown",
		      "status", fail ? "fail" : "pass", "detail", "x", "metrics", "g.throughput",
		      "value", tput, "unit", "items/s", "better", "higher", "g.lat_p50_ns", "value",
		      3e5, "unit", "ns", "better", "lower", "g.run_p50_ns", "value", 1e5, "unit",
		      "ns", "better", "lower");
	assert_int_equal(json_dump_file(j, p, 0), 0);
	json_decref(j);
	free(p);
	free(dir);
}

static void test_load_write_read(void **state)
{
	char tmpl[] = "/tmp/wqb-sens-XXXXXX", err[512];
	char *root = mkdtemp(tmpl), *boot1, *boot2, *out, *tsv, *line;
	char *roots[1];
	struct sens_study s;
	struct sens_mde_table t;

	(void)state;
	assert_non_null(root);
	boot1 = path_join(root, "boot1");
	boot2 = path_join(root, "boot2");
	for (int i = 0; i < 8; i++) {
		char *b = xasprintf("2026-%02d-sens_base", i), *c = xasprintf("2026-%02d-sens_c20", i);

		fake_run(i % 2 ? boot1 : boot2, b, "sens_base", 10000 + 10 * i, false);
		fake_run(i % 2 ? boot1 : boot2, c, "sens_c20", 8000 + 10 * i, i == 7);
		free(b);
		free(c);
	}
	fake_run(boot1, "2026-99-other", "other", 1, false);
	study_init(&s, 20);
	sens_pool_add(&s, "sens_base", 0);
	sens_pool_add(&s, "sens_c20", 20);
	roots[0] = root;
	assert_int_equal(sens_load(&s, roots, 1, err, sizeof(err)), 0);
	assert_int_equal(s.pool[0].nruns, 8);
	assert_int_equal(s.pool[1].nruns, 7);	/* the failed one left out */
	assert_int_equal(s.pool[1].nexcluded, 1);
	assert_non_null(strstr(s.pool[1].excluded[0], "slowdown"));
	assert_int_equal(s.nm, 3);
	assert_int_equal(sens_run(&s, err, sizeof(err)), 0);
	out = path_join(root, "out");
	{
		char *info[] = { "date=2026-12-01", "host=test host", "command=unit test" };

		assert_int_equal(sens_write(&s, out, info, 3, err, sizeof(err)), 0);
	}
	tsv = path_join(out, "mde.tsv");
	assert_int_equal(sens_mde_read(tsv, &t, err, sizeof(err)), 0);
	assert_string_equal(t.metric, "g.throughput");
	assert_string_equal(t.date, "2026-12-01");
	assert_int_equal(t.nrows, 3);
	assert_int_equal(t.judged[0], 3);
	assert_true(t.row[0].mde[0] == -INFINITY);	/* 3 a side: never */
	assert_true(fabs(t.row[1].mde[0] - s.mde[SENS_FAMILIES]) < 0.05);
	assert_true(isnan(t.row[2].mde[0]));		/* 10 from 7 runs: not measured */
	line = sens_mde_sentence(&t, 6, 6, false, 3);
	assert_non_null(strstr(line, "with 6 runs a side this comparison catches a regression of"));
	assert_non_null(strstr(line, "measured 2026-12-01 on test host"));
	free(line);
	line = sens_mde_sentence(&t, 6, 12, false, 3);	/* more on one side: at most */
	assert_non_null(strstr(line, "with 6 against 12 runs this comparison catches a regression "
				     "of at most"));
	free(line);
	line = sens_mde_sentence(&t, 8, 8, true, 2);
	assert_non_null(strstr(line, "not measured for 8 runs a side"));
	free(line);
	line = sens_mde_sentence(&t, 3, 3, false, 40);
	assert_non_null(strstr(line, "cannot call any regression"));
	assert_non_null(strstr(line, "expect a larger regression"));
	free(line);
	line = sens_mde_sentence(&t, 3, 7, false, 3);	/* 3 against 7 can be significant */
	assert_non_null(strstr(line, "not measured for 3 against 7 runs"));
	free(line);
	/* between two measured rows: both named */
	t.row[2].n = 10;
	t.row[2].mde[0] = 9.5;
	line = sens_mde_sentence(&t, 8, 8, false, 3);
	assert_non_null(strstr(line, "not measured for 8 runs a side; the study's neighbours: 6 runs"));
	assert_non_null(strstr(line, "10 catch 10%"));
	free(line);
	sens_mde_free(&t);
	assert_int_equal(sens_mde_read(boot1, &t, err, sizeof(err)), -1);
	sens_free(&s);
	assert_int_equal(remove_tree(root), 0);
	free(tsv);
	free(out);
	free(boot1);
	free(boot2);
}

/*
 * The tables under docs/ are generated, but committed: each must read back
 * (run from the top of the tree, as make check does), the per-scenario one
 * with a row per scenario, the one-template one with rows of no scenario.
 */
static void test_published_tables(void **state)
{
	struct sens_mde_table t, v;
	char err[256];

	(void)state;
	assert_int_equal(sens_mde_read("docs/sensitivity-mde.tsv", &t, err, sizeof(err)), 0);
	assert_true(t.nrows > 0);
	assert_non_null(t.row[0].scenario);
	assert_int_equal(sens_mde_select(&t, t.row[0].scenario, NULL, &v), 0);
	sens_mde_free(&v);
	sens_mde_free(&t);
	assert_int_equal(sens_mde_read("docs/sensitivity-template-mde.tsv", &t, err, sizeof(err)),
			 0);
	assert_true(t.nrows > 0);
	assert_int_equal(sens_mde_select(&t, NULL, NULL, &v), 0);
	sens_mde_free(&v);
	sens_mde_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: wqb_src_dir() keeps the $WQBENCH_SRC it first sees */
		cmocka_unit_test(test_suite_table),
		cmocka_unit_test(test_draw),
		cmocka_unit_test(test_large_shift),
		cmocka_unit_test(test_same_distribution),
		cmocka_unit_test(test_n_beyond_pool),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_mde),
		cmocka_unit_test(test_calibrate),
		cmocka_unit_test(test_load_write_read),
		cmocka_unit_test(test_split_aa),
		cmocka_unit_test(test_published_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
