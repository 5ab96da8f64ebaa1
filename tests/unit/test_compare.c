// SPDX-License-Identifier: GPL-2.0
/*
 * wqbench compare on made-up run directories with known answers: a clear
 * regression and a clear improvement are called, identical sides are not,
 * tail figures are never judged, too few runs refuse to judge, candidate
 * oracle failures fail the comparison, and every output file is written.
 * Issue 15: a slowdown too few runs cannot make significant is "too few
 * runs" and exit 3, never "too noisy" and a pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compare.h"
#include "util.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmpl[] = "/tmp/wqb-cmp-XXXXXX";
static char *root;

/* one fake run: throughput and p99 latency of group g, and its checks */
static char *make_run(const char *side, int i, double tput, double p99, double pmax,
		      bool fail_check, bool complete)
{
	char *dir = xasprintf("%s/%s/run%02d", root, side, i), *p;
	json_t *j;

	assert_int_equal(mkdir_p(dir, 0755), 0);
	j = json_pack("{s:s,s:s,s:b,s:[],s:[{s:s,s:s,s:s}],s:{s:{s:f,s:s,s:s},s:{s:f,s:s,s:s},"
		      "s:{s:f,s:s,s:s}}}",
		      "scenario", "fake", "verdict", fail_check ? "fail" : "pass", "complete",
		      complete, "reasons", "checks", "name", "exactly-once", "status",
		      fail_check ? "fail" : "pass", "detail", fail_check ? "g: 1 lost" : "ok",
		      "metrics", "g.throughput", "value", tput, "unit", "items/s", "better",
		      "higher", "g.lat_p99_ns", "value", p99, "unit", "ns", "better", "lower",
		      "g.lat_max_ns", "value", pmax, "unit", "ns", "better", "lower");
	p = path_join(dir, "summary.json");
	assert_int_equal(json_dump_file(j, p, 0), 0);
	json_decref(j);
	free(p);
	j = json_pack("{s:{s:s}}", "kernel", "release", side[0] == 'b' ? "6.1.0-x" : "6.12.0-y");
	p = path_join(dir, "meta.json");
	assert_int_equal(json_dump_file(j, p, 0), 0);
	json_decref(j);
	free(p);
	return dir;
}

/* a run's meta.json saying its guest ran under QEMU's -icount VALUE */
static void set_icount(const char *dir, const char *value)
{
	char *p = path_join(dir, "meta.json");
	json_t *j = json_pack("{s:{s:s},s:{s:s,s:s}}", "kernel", "release", "6.12.0-y", "vm",
			      "accel", "tcg", "icount", value);

	assert_int_equal(json_dump_file(j, p, 0), 0);
	json_decref(j);
	free(p);
}

/* small deterministic jitter, +-1% */
static double jit(int i)
{
	static const double d[] = { -0.8, 0.3, 0.9, -0.2, 0.5, -0.6, 0.1, 0.7, -0.4, -0.1 };

	return 1.0 + d[i % 10] / 100.0;
}

static const struct cmp_metric *find(const struct comparison *c, const char *key)
{
	for (size_t i = 0; i < c->nm; i++)
		if (!strcmp(c->m[i].key, key))
			return &c->m[i];
	fail_msg("metric %s missing", key);
	return NULL;
}

static void build(struct comparison *c, const char *b, const char *cand)
{
	char *bd = path_join(root, b), *cd = path_join(root, cand), err[512];
	char *bl[] = { bd }, *cl[] = { cd };

	memset(c, 0, sizeof(*c));
	c->min_effect_pct = 5;
	c->alpha = 0.05;
	c->conf = 0.95;
	if (compare_build(c, bl, 1, cl, 1, err, sizeof(err)) < 0)
		fail_msg("compare_build: %s", err);
	free(bd);
	free(cd);
}

static void test_regression_and_improvement(void **state)
{
	struct comparison c;
	const struct cmp_metric *m;

	(void)state;
	for (int i = 0; i < 8; i++) {
		free(make_run("b1", i, 1000 * jit(i), 50000 * jit(i + 3), 900000 * jit(i), false, true));
		/* candidate: throughput +20% (better), p99 +30% (worse), max wildly worse */
		free(make_run("c1", i, 1200 * jit(i + 5), 65000 * jit(i + 1), 5e6, false, true));
	}
	build(&c, "b1", "c1");
	m = find(&c, "g.throughput");
	assert_int_equal(m->verdict, CMP_IMPROVED);
	assert_true(fabs(m->pct - 20) < 2);
	assert_int_equal(m->s[0].n, 8);
	m = find(&c, "g.lat_p99_ns");
	assert_int_equal(m->verdict, CMP_REGRESSED);
	assert_true(m->p_adj < 0.05);
	/* a max is shown, never judged, however bad */
	assert_int_equal(find(&c, "g.lat_max_ns")->verdict, CMP_INFO);
	assert_int_equal(c.judged, 2);
	assert_int_equal(cmp_exit_code(&c), 1);

	/* every format is written, and the JSON says the same */
	char *out = path_join(root, "out1"), *p;
	json_t *j;

	assert_int_equal(mkdir_p(out, 0755), 0);
	assert_int_equal(compare_write_all(&c, out), 0);
	p = path_join(out, "compare.json");
	j = json_load_file(p, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"),
							     "regressed")), 1);
	json_decref(j);
	free(p);
	p = path_join(out, "lava.txt");
	char *lava = read_file(p, NULL);

	assert_non_null(lava);
	assert_non_null(strstr(lava, "wqbench-compare-fake-g_lat_p99_ns --result fail --measurement"));
	assert_non_null(strstr(lava, "wqbench-compare-fake-g_throughput --result pass"));
	free(lava);
	free(p);
	p = path_join(out, "compare.md");
	char *md = read_file(p, NULL);

	assert_non_null(md);
	assert_non_null(strstr(md, "Verdict: REGRESSED"));
	assert_non_null(strstr(md, "(n=8)"));
	/* regressions are listed before improvements */
	assert_true(strstr(md, "| regressed |") < strstr(md, "| improved |"));
	free(md);
	free(p);
	free(out);
	compare_free(&c);
}

static void test_same_is_unchanged(void **state)
{
	struct comparison c;

	(void)state;
	for (int i = 0; i < 8; i++) {
		free(make_run("b2", i, 1000 * jit(i), 50000 * jit(i + 1), 1e6, false, true));
		free(make_run("c2", i, 1000 * jit(i + 4), 50000 * jit(i + 6), 1e6, false, true));
	}
	build(&c, "b2", "c2");
	assert_int_equal(find(&c, "g.throughput")->verdict, CMP_UNCHANGED);
	assert_int_equal(find(&c, "g.lat_p99_ns")->verdict, CMP_UNCHANGED);
	assert_int_equal(cmp_exit_code(&c), 0);
	assert_int_equal(c.nf, 0);
	compare_free(&c);
}

/* instrument=sampled figures keep their mark and sample count through compare */
/* runs of two clocks, host time and -icount, are compared with a note saying so */
static void test_clocks_differ(void **state)
{
	struct comparison c;
	bool noted = false;

	(void)state;
	for (int i = 0; i < 6; i++) {
		char *d = make_run("cc", i, 1000 * jit(i + 2), 5000 * jit(i + 3), 9000, false, true);

		set_icount(d, "shift=3,sleep=off");
		free(d);
		d = make_run("cc2", i, 1000 * jit(i + 4), 5000 * jit(i + 5), 9000, false, true);
		set_icount(d, "shift=3,sleep=off");
		free(d);
		free(make_run("cb", i, 1000 * jit(i), 5000 * jit(i + 1), 9000, false, true));
	}
	build(&c, "cb", "cc");
	assert_string_equal(c.side[0].clocks, "host time");
	assert_string_equal(c.side[1].clocks, "icount shift=3,sleep=off");
	for (size_t i = 0; i < c.nnotes; i++)
		noted |= strstr(c.notes[i], "the guest clocks differ (baseline: host time; "
					    "candidate: icount shift=3,sleep=off)") != NULL;
	assert_true(noted);
	compare_free(&c);
	/* one clock on both sides: no such note */
	build(&c, "cc", "cc2");
	for (size_t i = 0; i < c.nnotes; i++)
		assert_null(strstr(c.notes[i], "guest clocks differ"));
	compare_free(&c);
}

static void test_sampled_marked(void **state)
{
	struct comparison c;

	(void)state;
	for (int i = 0; i < 8; i++) {
		char *d = make_run("bs", i, 1000 * jit(i), 50000 * jit(i + 1), 1e6, false, true);
		char *p = path_join(d, "summary.json");
		json_t *j = json_load_file(p, 0, NULL);
		json_t *m = json_object_get(json_object_get(j, "metrics"), "g.lat_p99_ns");

		json_object_set_new(m, "sampled_every", json_integer(16));
		json_object_set_new(m, "samples", json_integer(2000 + i));
		assert_int_equal(json_dump_file(j, p, 0), 0);
		json_decref(j);
		free(p);
		free(d);
		free(make_run("cs", i, 1000 * jit(i + 4), 50000 * jit(i + 6), 1e6, false, true));
	}
	build(&c, "bs", "cs");
	assert_non_null(strstr(find(&c, "g.lat_p99_ns")->why,
				"baseline sampled, 1 item in 16 timed (at least 2000 a run)"));
	assert_null(strstr(find(&c, "g.lat_p99_ns")->why, "candidate sampled"));
	assert_null(strstr(find(&c, "g.throughput")->why, "sampled"));
	assert_int_equal(find(&c, "g.lat_p99_ns")->verdict, CMP_UNCHANGED);
	compare_free(&c);
}

static void test_noisy(void **state)
{
	struct comparison c;
	/* candidate 10% slower on the median but the runs overlap widely */
	static const double b[] = { 100, 140, 80, 120, 95, 130 };
	static const double k[] = { 110, 150, 85, 135, 70, 160 };

	(void)state;
	for (int i = 0; i < 6; i++) {
		free(make_run("b3", i, b[i], 5e4, 1e6, false, true));
		free(make_run("c3", i, k[i] * 0.85, 5e4, 1e6, false, true));
	}
	build(&c, "b3", "c3");
	assert_int_equal(find(&c, "g.throughput")->verdict, CMP_NOISY);
	/* a worse 5% is inside its interval: these runs cannot pass it */
	assert_true(find(&c, "g.throughput")->may_hide_regression);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_INCONCLUSIVE);
	compare_free(&c);
}

static void test_too_few_runs(void **state)
{
	struct comparison c;

	(void)state;
	for (int i = 0; i < 2; i++) {
		free(make_run("b4", i, 1000, 5e4, 1e6, false, true));
		free(make_run("c4", i, 2000, 9e4, 1e6, false, true));
	}
	build(&c, "b4", "c4");
	assert_int_equal(find(&c, "g.throughput")->verdict, CMP_NOT_JUDGED);
	assert_non_null(strstr(find(&c, "g.throughput")->why, "has 2 and 2"));
	assert_int_equal(c.judged, 0);
	assert_int_equal(cmp_exit_code(&c), 2);
	compare_free(&c);

	/* 3 a side is judged, and the note says why no verdict can come of it */
	free(make_run("b4", 2, 1000, 5e4, 1e6, false, true));
	free(make_run("c4", 2, 2000, 9e4, 1e6, false, true));
	build(&c, "b4", "c4");
	assert_int_equal(c.judged, 2);
	/* p >= 0.1 whatever the data: too few runs, not too noisy, and no pass */
	assert_int_equal(find(&c, "g.throughput")->verdict, CMP_FEW_RUNS);
	assert_true(find(&c, "g.throughput")->may_hide_regression);
	assert_int_equal(c.hidden, 2);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_INCONCLUSIVE);
	assert_int_equal(c.nnotes, 2);
	assert_non_null(strstr(c.notes[0], "smallest possible p-value is 0.1"));
	assert_non_null(strstr(c.notes[0], "Not even one metric alone"));
	assert_non_null(strstr(c.notes[1], "may hide a regression"));
	compare_free(&c);
}

/*
 * A scenario of NMET judged latency metrics (lower is better), plus one
 * tail maximum: metric k of run i is base_k * scale * (1 + dev[i] / 100).
 */
#define NMET 14
static void make_run_n(const char *side, int i, double scale, const double *dev)
{
	char *dir = xasprintf("%s/%s/run%02d", root, side, i), *p;
	json_t *metrics = json_object(), *j;

	assert_int_equal(mkdir_p(dir, 0755), 0);
	for (int k = 0; k < NMET; k++) {
		char key[32];

		snprintf(key, sizeof(key), "m%02d.lat_p50_ns", k);
		json_object_set_new(metrics, key,
				    json_pack("{s:f,s:s,s:s}", "value",
					      (1000.0 + 100 * k) * scale * (1 + dev[(i + k) % 16] / 100),
					      "unit", "ns", "better", "lower"));
	}
	json_object_set_new(metrics, "m00.lat_max_ns",
			    json_pack("{s:f,s:s,s:s}", "value", 1e6 * scale, "unit", "ns",
				      "better", "lower"));
	j = json_pack("{s:s,s:s,s:b,s:[],s:[],s:o}", "scenario", "many", "verdict", "pass",
		      "complete", 1, "reasons", "checks", "metrics", metrics);
	p = path_join(dir, "summary.json");
	assert_int_equal(json_dump_file(j, p, 0), 0);
	json_decref(j);
	free(p);
	free(dir);
}

/* +-1% jitter, and +-30% spread */
static const double tight[16] = { -0.8, 0.3, 0.9, -0.2, 0.5, -0.6, 0.1, 0.7,
				   -0.4, -0.1, 0.6, -0.9, 0.2, -0.3, 0.8, -0.5 };
static const double wide[16] = { -30, 12, 25, -8, 3, -22, 18, -15,
				 28, -3, 9, -27, 21, -12, 6, 15 };

static void build_n(struct comparison *c, const char *b, int nb, double sb, const double *db,
		    const char *k, int nk, double sk, const double *dk)
{
	for (int i = 0; i < nb; i++)
		make_run_n(b, i, sb, db);
	for (int i = 0; i < nk; i++)
		make_run_n(k, i + 3, sk, dk);	/* other jitter than the baseline's */
	build(c, b, k);
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *q = hay; (q = strstr(q, needle)); q += strlen(needle))
		n++;
	return n;
}

/*
 * Issue 15, exactly: queue->start ten times longer, every candidate run
 * beyond every baseline run on all 14 metrics, 3 candidate runs against
 * 12 baseline runs.  Exact Mann-Whitney gives p = 2/455 = 0.0044 at best,
 * and Holm over 14 metrics makes that 0.0615 >= 0.05: no metric can be
 * called regressed -- but the comparison must not pass (exit 3), must not
 * call it "too noisy", and must say how many runs would do.
 */
static void test_issue15_too_few_runs(void **state)
{
	struct comparison c;
	const struct cmp_metric *m;
	char *out, *p, *txt;
	json_t *j;

	(void)state;
	build_n(&c, "b6", 12, 1, tight, "c6", 3, 10, tight);
	assert_int_equal(c.judged, NMET);
	assert_int_equal(c.count[CMP_FEW_RUNS], NMET);
	assert_int_equal(c.count[CMP_NOISY], 0);
	assert_int_equal(c.count[CMP_REGRESSED], 0);
	assert_int_equal(c.count[CMP_INFO], 1);
	assert_int_equal(c.hidden, NMET);
	m = find(&c, "m05.lat_p50_ns");
	assert_int_equal(m->verdict, CMP_FEW_RUNS);
	assert_true(m->may_hide_regression);
	assert_true(fabs(m->pct - 900) < 20);
	assert_true(fabs(m->p - 2.0 / 455) < 1e-9);
	assert_true(fabs(m->p_best - 14 * 2.0 / 455) < 1e-9);
	assert_true(m->p_adj >= 0.05);
	assert_non_null(strstr(m->why, "every candidate run above every baseline run"));
	assert_non_null(strstr(m->why, "12 baseline and 3 candidate runs"));
	assert_non_null(strstr(m->why, "4 candidate runs, or 6 a side, would allow significance"));
	assert_string_equal(cmp_verdict_name(m->verdict), "too few runs");
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_INCONCLUSIVE);
	assert_int_equal(CMP_EXIT_INCONCLUSIVE, 3);
	/* the note names the Holm limit and the primary-family way out, unbuilt */
	assert_non_null(strstr(c.notes[0], "at most 11 primary metrics"));

	out = path_join(root, "out6");
	assert_int_equal(mkdir_p(out, 0755), 0);
	assert_int_equal(compare_write_all(&c, out), 0);
	p = path_join(out, "compare.md");
	txt = read_file(p, NULL);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "Verdict: INCONCLUSIVE: too few runs to rule out a regression (exit 3)"));
	assert_null(strstr(txt, "no regression"));
	assert_null(strstr(txt, "| unchanged |"));
	assert_null(strstr(txt, "| too noisy |"));
	assert_int_equal(count_str(txt, "| too few runs |"), NMET);
	free(txt);
	free(p);
	p = path_join(out, "compare.json");
	j = json_load_file(p, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "may_hide_regression")), NMET);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"),
							     "too few runs")), NMET);
	json_decref(j);
	free(p);
	/* KCIDB: ERROR (state of the code unknown), never PASS, never FAIL */
	p = path_join(out, "kcidb.json");
	txt = read_file(p, NULL);
	assert_non_null(txt);
	assert_int_equal(count_str(txt, "\"ERROR\""), NMET);
	assert_null(strstr(txt, "\"PASS\""));
	assert_null(strstr(txt, "\"FAIL\""));
	free(txt);
	free(p);
	/* JUnit: an <error> per metric, no <failure>: not a pass, not a proven fault */
	p = path_join(out, "junit.xml");
	txt = read_file(p, NULL);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "failures=\"0\" errors=\"14\" skipped=\"0\""));
	assert_int_equal(count_str(txt, "<error type=\"inconclusive\" message=\"too few runs"), NMET);
	assert_null(strstr(txt, "<failure"));
	free(txt);
	free(p);
	/* LAVA: unknown per metric, and the gate fails */
	p = path_join(out, "lava.txt");
	txt = read_file(p, NULL);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "wqbench-compare-many-m05_lat_p50_ns --result unknown"));
	assert_non_null(strstr(txt, "wqbench-compare-verdict --result fail\n"));
	assert_null(strstr(txt, "p50_ns --result pass"));
	free(txt);
	free(p);
	free(out);
	compare_free(&c);

	/* one candidate run more and the same slowdown is called regressed */
	make_run_n("c6", 6, 10, tight);
	build(&c, "b6", "c6");
	assert_int_equal(c.count[CMP_REGRESSED], NMET);
	assert_int_equal(c.hidden, 0);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_REGRESSED);
	compare_free(&c);
}

/* 6 v 6, complete separation on 14 metrics: p 2/924, x14 = 0.030, regressed as before */
static void test_six_a_side_regressed(void **state)
{
	struct comparison c;

	(void)state;
	build_n(&c, "b7", 6, 1, tight, "c7", 6, 1.5, tight);
	assert_int_equal(c.judged, NMET);
	assert_int_equal(c.count[CMP_REGRESSED], NMET);
	assert_int_equal(c.count[CMP_FEW_RUNS], 0);
	assert_true(fabs(find(&c, "m03.lat_p50_ns")->p_adj - 14 * 2.0 / 924) < 1e-9);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_REGRESSED);
	compare_free(&c);
}

/* compare_build with a declared family; returns compare_build's status */
static int build_family(struct comparison *c, const char *b, const char *k, const char *list,
			const char *from, char *err, size_t errlen)
{
	char *bd = path_join(root, b), *kd = path_join(root, k);
	char *bl[] = { bd }, *kl[] = { kd };
	int r;

	memset(c, 0, sizeof(*c));
	c->min_effect_pct = 5;
	c->alpha = 0.05;
	c->conf = 0.95;
	r = list ? compare_family_list(c, list, err, errlen)
		 : compare_family_from(c, from, err, errlen);
	if (r == 0)
		r = compare_build(c, bl, 1, kl, 1, err, errlen);
	free(bd);
	free(kd);
	return r;
}

/*
 * Issue 15's case again (12 against 3, ten times longer), with a declared
 * family of one metric: 2/455 needs no Holm division, so it is regressed;
 * the other 13 are shown, not judged, and hide nothing.  Then the family
 * taken from that comparison's compare.json (what ci/bisect does), a
 * pattern matching nothing, and damaged files: errors, never a verdict.
 */
static void test_declared_family(void **state)
{
	struct comparison c;
	char err[512], *out, *cj, *bad;
	FILE *f;

	(void)state;
	build_n(&c, "bfam", 12, 1, tight, "cfam", 3, 10, tight);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_INCONCLUSIVE);
	compare_free(&c);

	assert_int_equal(build_family(&c, "bfam", "cfam", "m05.lat_p50_ns", NULL, err, sizeof(err)), 0);
	assert_int_equal(c.judged, 1);
	assert_int_equal(find(&c, "m05.lat_p50_ns")->verdict, CMP_REGRESSED);
	assert_true(fabs(find(&c, "m05.lat_p50_ns")->p_adj - 2.0 / 455) < 1e-9);
	assert_int_equal(find(&c, "m06.lat_p50_ns")->verdict, CMP_INFO);
	assert_int_equal(c.hidden, 0);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_REGRESSED);
	out = path_join(root, "fam-out");
	assert_int_equal(mkdir_p(out, 0755), 0);
	assert_int_equal(compare_write_all(&c, out), 0);
	compare_free(&c);

	/* globs and scenario:key; two metrics, 2/455 * 2 still < 0.05 */
	assert_int_equal(build_family(&c, "bfam", "cfam", "many:m0[12].lat_p50_ns", NULL, err,
				      sizeof(err)), 0);
	assert_int_equal(c.judged, 2);
	assert_int_equal(c.count[CMP_REGRESSED], 2);
	compare_free(&c);

	/* the family of an earlier comparison: its one regressed metric */
	cj = path_join(out, "compare.json");
	assert_int_equal(build_family(&c, "bfam", "cfam", NULL, cj, err, sizeof(err)), 0);
	assert_int_equal(c.judged, 1);
	assert_int_equal(find(&c, "m05.lat_p50_ns")->verdict, CMP_REGRESSED);
	compare_free(&c);

	/* a typo is an error naming it, not a comparison of nothing */
	assert_int_equal(build_family(&c, "bfam", "cfam", "m05.lat_p05_ns", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'m05.lat_p05_ns'"));
	compare_free(&c);
	assert_int_equal(build_family(&c, "bfam", "cfam", " , ", NULL, err, sizeof(err)), -1);
	compare_free(&c);

	/* a comparison that called nothing regressed gives no family */
	build_n(&c, "bfam2", 6, 1, tight, "cfam2", 6, 1, tight);
	assert_int_equal(compare_write_all(&c, out), 0);
	compare_free(&c);
	assert_int_equal(build_family(&c, "bfam", "cfam", NULL, cj, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "called no metric regressed"));
	compare_free(&c);

	/* damaged: cut short, and a metric without its verdict */
	bad = path_join(root, "damaged.json");
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("{\"metrics\": [{\"scenario\": \"many\", \"metric\": \"m05", f);
	fclose(f);
	assert_int_equal(build_family(&c, "bfam", "cfam", NULL, bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "damaged.json"));
	compare_free(&c);
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("{\"metrics\": [{\"scenario\": \"many\", \"metric\": \"m05.lat_p50_ns\"}]}", f);
	fclose(f);
	assert_int_equal(build_family(&c, "bfam", "cfam", NULL, bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "damaged file"));
	compare_free(&c);
	free(bad);
	free(cj);
	free(out);
}

/*
 * Enough runs to be significant, but spread: "too noisy" -- and not a pass,
 * since an interval this wide does not rule out a worse 5% (an 8% slowdown
 * of the real kind, too spread to confirm, once passed as "no regression").
 */
static void test_noisy_with_enough_runs(void **state)
{
	struct comparison c;
	const struct cmp_metric *m;

	(void)state;
	build_n(&c, "b8", 10, 1, wide, "c8", 10, 1.08, wide);
	m = find(&c, "m07.lat_p50_ns");
	assert_true(m->p_best < 0.05);
	assert_int_equal(c.count[CMP_NOISY] + c.count[CMP_UNCHANGED], NMET);
	assert_true(c.count[CMP_NOISY] > 0);
	assert_int_equal(c.count[CMP_FEW_RUNS], 0);
	assert_true(c.hidden >= c.count[CMP_NOISY]);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_INCONCLUSIVE);
	for (size_t i = 0; i < c.nm; i++)
		if (c.m[i].verdict == CMP_NOISY) {
			assert_non_null(strstr(c.m[i].why, "runs too spread to tell"));
			assert_non_null(strstr(c.m[i].why, "does not rule out a worse"));
		}
	compare_free(&c);
}

/*
 * No change with few runs: unchanged and a pass only when the shift's
 * interval rules out the minimum effect (3 v 12, +-1% jitter); with 3 v 3
 * no interval reaches 95%, so nothing is ruled out: too few runs, exit 3.
 * A large improvement with 3 v 12 rules a regression out: no verdict on
 * it, but a pass.
 */
static void test_no_shift_few_runs(void **state)
{
	struct comparison c;
	const struct cmp_metric *m;

	(void)state;
	build_n(&c, "b9", 12, 1, tight, "c9", 3, 1, tight);
	m = find(&c, "m02.lat_p50_ns");
	assert_true(m->p_best >= 0.05);
	assert_int_equal(m->verdict, CMP_UNCHANGED);
	assert_non_null(strstr(m->why, "the interval rules out a 5.0% change"));
	assert_int_equal(c.count[CMP_UNCHANGED], NMET);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_PASS);
	compare_free(&c);

	build_n(&c, "b10", 3, 1, tight, "c10", 3, 1, tight);
	m = find(&c, "m02.lat_p50_ns");
	assert_false(m->shift_ci_ok);
	assert_int_equal(m->verdict, CMP_FEW_RUNS);
	assert_true(m->may_hide_regression);
	assert_non_null(strstr(m->why, "does not rule out a worse 5.0%"));
	assert_int_equal(c.count[CMP_FEW_RUNS], NMET);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_INCONCLUSIVE);
	compare_free(&c);

	build_n(&c, "b11", 12, 1, tight, "c11", 3, 0.5, tight);
	m = find(&c, "m02.lat_p50_ns");
	assert_int_equal(m->verdict, CMP_FEW_RUNS);
	assert_false(m->may_hide_regression);
	assert_non_null(strstr(m->why, "every candidate run below every baseline run"));
	assert_non_null(strstr(m->why, "(a worse 5.0% is ruled out)"));
	assert_int_equal(c.hidden, 0);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_PASS);
	compare_free(&c);
}

/* a scenario with 2 runs on a side beside one that is judged: it may hide one */
static void test_not_judged_hides(void **state)
{
	struct comparison c;

	(void)state;
	for (int i = 0; i < 8; i++) {
		free(make_run("b12", i, 1000 * jit(i), 50000 * jit(i + 3), 1e6, false, true));
		free(make_run("c12", i, 1000 * jit(i + 5), 50000 * jit(i + 1), 1e6, false, true));
	}
	for (int i = 0; i < 8; i++)
		make_run_n("b12", 20 + i, 1, tight);
	for (int i = 0; i < 2; i++)
		make_run_n("c12", 20 + i, 3, tight);
	build(&c, "b12", "c12");
	assert_int_equal(find(&c, "g.throughput")->verdict, CMP_UNCHANGED);
	assert_int_equal(find(&c, "m01.lat_p50_ns")->verdict, CMP_NOT_JUDGED);
	assert_true(find(&c, "m01.lat_p50_ns")->may_hide_regression);
	assert_int_equal(c.hidden, NMET);
	assert_int_equal(cmp_exit_code(&c), CMP_EXIT_INCONCLUSIVE);
	compare_free(&c);
}

static void test_oracle_failures(void **state)
{
	struct comparison c;

	(void)state;
	for (int i = 0; i < 4; i++) {
		free(make_run("b5", i, 1000 * jit(i), 5e4 * jit(i), 1e6, i == 1, true));
		free(make_run("c5", i, 1000 * jit(i + 2), 5e4 * jit(i + 3), 1e6, i == 3, i != 2));
	}
	build(&c, "b5", "c5");
	/* b5 run01 failed a check; c5 run02 is incomplete and run03 failed */
	assert_int_equal(c.nf, 3);
	assert_int_equal(c.f[0].side, 0);
	assert_non_null(strstr(c.f[0].what, "exactly-once: g: 1 lost"));
	assert_int_equal(c.f[1].side, 1);
	assert_non_null(strstr(c.f[1].what, "run incomplete"));
	/* the incomplete run's figures are left out */
	assert_int_equal(find(&c, "g.throughput")->s[1].n, 3);
	assert_true(cmp_candidate_failed(&c));
	assert_int_equal(cmp_exit_code(&c), 1);
	compare_free(&c);
}

static void test_bad_input(void **state)
{
	struct comparison c = { 0 };
	char err[512], *empty = path_join(root, "empty");
	char *bl[] = { empty }, *cl[] = { "/nonexistent/wqb" };

	(void)state;
	assert_int_equal(mkdir_p(empty, 0755), 0);
	assert_int_equal(compare_build(&c, bl, 1, cl, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no summary.json"));
	compare_free(&c);
	bl[0] = "/nonexistent/wqb";
	assert_int_equal(compare_build(&c, bl, 1, cl, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such directory"));
	compare_free(&c);
	free(empty);
}

static int setup(void **state)
{
	(void)state;
	root = mkdtemp(tmpl);
	return root ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return remove_tree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regression_and_improvement),
		cmocka_unit_test(test_same_is_unchanged),
		cmocka_unit_test(test_clocks_differ),
		cmocka_unit_test(test_sampled_marked),
		cmocka_unit_test(test_noisy),
		cmocka_unit_test(test_too_few_runs),
		cmocka_unit_test(test_issue15_too_few_runs),
		cmocka_unit_test(test_six_a_side_regressed),
		cmocka_unit_test(test_declared_family),
		cmocka_unit_test(test_noisy_with_enough_runs),
		cmocka_unit_test(test_no_shift_few_runs),
		cmocka_unit_test(test_not_judged_hides),
		cmocka_unit_test(test_oracle_failures),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
