// SPDX-License-Identifier: GPL-2.0
/*
 * wqbench compare on made-up run directories with known answers: a clear
 * regression and a clear improvement are called, identical sides are not,
 * tail figures are never judged, too few runs refuse to judge, candidate
 * oracle failures fail the comparison, and every output file is written.
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
	assert_int_equal(cmp_exit_code(&c), 0);
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
	assert_int_equal(find(&c, "g.throughput")->verdict, CMP_NOISY);
	assert_int_equal(c.nnotes, 1);
	assert_non_null(strstr(c.notes[0], "smallest possible p-value is 0.1"));
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
		cmocka_unit_test(test_noisy),
		cmocka_unit_test(test_too_few_runs),
		cmocka_unit_test(test_oracle_failures),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
