// SPDX-License-Identifier: GPL-2.0
/*
 * Reading result directories back: the module histogram parser and its
 * quantiles, events.csv through libcsv (quoted fields), and directories
 * with files missing or corrupt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rundata.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_hists(struct kmod_hist *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].lo);
		free(h[i].hi);
		free(h[i].count);
	}
	free(h);
}

static void test_hist_quantiles(void **state)
{
	/* 100 items: 50 in [1000,1016), 40 in [2000,2032), 10 in [4000,4064) */
	const char *text =
		"# wqbench-hist 1 buckets=1856 sub_bits=6\n"
		"hist group=g cpu=all metric=lat lo_ns=1000 hi_ns=1016 count=50\n"
		"hist group=g cpu=all metric=lat lo_ns=2000 hi_ns=2032 count=40\n"
		"hist group=g cpu=all metric=lat lo_ns=4000 hi_ns=4064 count=10\n"
		"hist group=g cpu=1 metric=lat lo_ns=1 hi_ns=2 count=999\n"
		"hist group=g cpu=all metric=run lo_ns=7 hi_ns=8 count=1\n";
	struct kmod_hist *h;
	size_t n;

	(void)state;
	assert_int_equal(kmod_hist_parse(text, &h, &n), 0);
	assert_int_equal(n, 2);	/* per-CPU lines are not summed in */
	assert_string_equal(h[0].metric, "lat");
	assert_int_equal(h[0].total, 100);
	/* rank 50 ends the first bucket; rank 70 is half way through the second */
	assert_true(fabs(kmod_hist_quantile(&h[0], 0.50) - 1016.0) < 1e-9);
	assert_true(fabs(kmod_hist_quantile(&h[0], 0.70) - 2016.0) < 1e-9);
	assert_true(fabs(kmod_hist_quantile(&h[0], 0.95) - 4032.0) < 1e-9);
	assert_true(fabs(kmod_hist_max(&h[0]) - 4064.0) < 1e-9);
	assert_true(fabs(kmod_hist_quantile(&h[1], 0.5) - 7.5) < 1e-9);
	free_hists(h, n);
	assert_true(isnan(kmod_hist_quantile(NULL, 0.5)));
}

static void test_hist_bad_lines(void **state)
{
	static const char *const bad[] = {
		"hist group=g cpu=all metric=lat lo_ns=10 hi_ns=5 count=1\n",	/* hi < lo */
		"hist group=g cpu=all metric=lat lo_ns=x hi_ns=5 count=1\n",
		"hist group=g cpu=all metric=lat lo_ns=1 hi_ns=5\n",		/* no count */
		"garbage\n",
		"hist group=g cpu=all metric=toolongmetric lo_ns=1 hi_ns=5 count=1\n",
	};
	struct kmod_hist *h;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = kmod_hist_parse(bad[i], &h, &n);

		free_hists(h, n);
		assert_int_equal(r, -1);
	}
}

static char *mkrun(const char *summary, const char *events, const char *hist)
{
	char tmpl[] = "/tmp/wqb-rundata-XXXXXX", *dir, *p;

	assert_non_null(mkdtemp(tmpl));
	dir = xstrdup(tmpl);
	if (summary) {
		p = path_join(dir, "summary.json");
		assert_int_equal(write_file_atomic(p, summary, strlen(summary), 0644), 0);
		free(p);
	}
	if (events) {
		p = path_join(dir, "events.csv");
		assert_int_equal(write_file_atomic(p, events, strlen(events), 0644), 0);
		free(p);
	}
	if (hist) {
		p = path_join(dir, "kmod-hist.txt");
		assert_int_equal(write_file_atomic(p, hist, strlen(hist), 0644), 0);
		free(p);
	}
	return dir;
}

static void test_load_events_quoted(void **state)
{
	char *dir = mkrun("{\"verdict\":\"pass\"}",
			  "t_ms,source,action,target,value,outcome,latency_us,detail\n"
			  "12,hotplug,offline,cpu3,0,ok,4000,\n"
			  "30,hotplug,offline,cpu2,0,rolled-back,90,\"failed, at state 188\"\n"
			  "x,broken,row\n"
			  "-5,run,rate,g,123,ok,,\"items/s \"\"quoted\"\"\"\n",
			  NULL);
	struct rundata rd;
	char err[256];

	(void)state;
	assert_int_equal(rundata_load(dir, &rd, err, sizeof(err)), 0);
	assert_int_equal(rd.nev, 3);
	assert_int_equal(rd.ev[0].t_ms, 12);
	assert_int_equal(rd.ev[0].latency_us, 4000);
	assert_string_equal(rd.ev[1].outcome, "rolled-back");
	assert_int_equal(rd.ev[2].t_ms, -5);
	assert_int_equal(rd.ev[2].latency_us, -1);
	assert_string_equal(rd.ev[2].value, "123");
	/* meta, stats and the histograms are absent and said to be */
	assert_non_null(strstr(rd.missing, "meta.json"));
	assert_non_null(strstr(rd.missing, "kmod-hist.txt"));
	rundata_free(&rd);
	remove_tree(dir);
	free(dir);
}

static void test_load_refuses_non_runs(void **state)
{
	char *none = mkrun(NULL, NULL, NULL), *trunc = mkrun("{\"verdict\": ", NULL, NULL);
	char *arr = mkrun("[1,2]", NULL, "hist nonsense\n");
	struct rundata rd;
	char err[256];

	(void)state;
	assert_int_equal(rundata_load(none, &rd, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no readable summary.json"));
	assert_int_equal(rundata_load(trunc, &rd, err, sizeof(err)), -1);
	assert_int_equal(rundata_load(arr, &rd, err, sizeof(err)), -1);
	remove_tree(none);
	remove_tree(trunc);
	remove_tree(arr);
	free(none);
	free(trunc);
	free(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_quantiles),
		cmocka_unit_test(test_hist_bad_lines),
		cmocka_unit_test(test_load_events_quoted),
		cmocka_unit_test(test_load_refuses_non_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
