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
	/* the broken row makes the whole file damaged: nothing is half used */
	assert_true(rd.events_damaged);
	assert_non_null(strstr(rd.damaged, "events.csv: line 4 is not an event"));
	assert_int_equal(rd.nev, 0);
	rundata_free(&rd);
	remove_tree(dir);
	free(dir);
	dir = mkrun("{\"verdict\":\"pass\"}",
		    "t_ms,source,action,target,value,outcome,latency_us,detail\n"
		    "12,hotplug,offline,cpu3,0,ok,4000,\n"
		    "30,hotplug,offline,cpu2,0,rolled-back,90,\"failed, at state 188\"\n"
		    "-5,run,rate,g,123,ok,,\"items/s \"\"quoted\"\"\"\n",
		    NULL);
	assert_int_equal(rundata_load(dir, &rd, err, sizeof(err)), 0);
	assert_string_equal(rd.damaged, "");
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

/*
 * Each reader against damaged copies of a real run (tests/data/run-smoke):
 * one file replaced per case; the damage is named ("FILE: what"), the
 * file's content is dropped whole, and the figures are refused.
 */
struct damage {
	const char *file, *content, *want;
};

static const struct damage damages[] = {
	/* summary.json: wrong shapes a report would show as a PASS */
	{ "summary.json", "{\"verdict\":\"pass\",\"checks\":{\"a\":1}}", "summary.json: \"checks\" is not a list" },
	{ "summary.json", "{\"checks\":[]}", "summary.json: it has no \"verdict\"" },
	{ "summary.json", "{\"verdict\":\"great\"}", "verdict \"great\" is not pass, fail or skip" },
	{ "summary.json", "{\"verdict\":7}", "\"verdict\" is not a string" },
	{ "summary.json", "{\"verdict\":\"pass\",\"checks\":[{\"name\":\"x\",\"status\":1}]}", "checks[0] \"status\" is not a string" },
	{ "summary.json", "{\"verdict\":\"pass\",\"checks\":[\"x\"]}", "checks[0] is not an object" },
	{ "summary.json", "{\"verdict\":\"pass\",\"reasons\":[3]}", "reasons[0] is not a string" },
	{ "summary.json", "{\"verdict\":\"pass\",\"guest\":{\"total_ms\":\"long\"}}", "guest \"total_ms\" is not an integer" },
	{ "summary.json", "{\"verdict\":\"pass\",\"hotplug\":[]}", "\"hotplug\" is not an object" },
	{ "summary.json", "{\"verdict\":\"pass\",\"metrics\":{\"g.throughput\":{\"value\":\"9\"}}}", "metrics \"g.throughput\" has no numeric value" },
	{ "summary.json", "{\"verdict\":\"pass\",\"complete\":\"yes\"}", "\"complete\" is not true or false" },
	/* meta.json */
	{ "meta.json", "{\"kernel\":", "meta.json: not JSON" },
	{ "meta.json", "[1]", "meta.json: not a JSON object" },
	{ "meta.json", "{\"kernel\":{\"release\":6}}", "meta.json: kernel \"release\" is not a string" },
	{ "meta.json", "{\"scenario\":{\"duration_ms\":\"5s\"}}", "scenario \"duration_ms\" is not an integer" },
	{ "meta.json", "{\"clock\":{\"resolution_ns\":\"fast\"}}", "\"resolution_ns\" is not an integer or null" },
	/* kmod-stats.json: what became '?' and 'nan' */
	{ "kmod-stats.json", "{\"cpu\":[]}", "kmod-stats.json: it has no \"group\"" },
	{ "kmod-stats.json", "{\"group\":{}}", "\"group\" is not a list" },
	{ "kmod-stats.json", "{\"group\":[{\"name\":\"g\",\"completed\":\"many\"}]}", "group[0] \"completed\" is not an integer" },
	{ "kmod-stats.json", "{\"group\":[{\"name\":5,\"completed\":1}]}", "group[0] \"name\" is not a string" },
	{ "kmod-stats.json", "{\"group\":[{\"name\":\"g\",\"completed\":1,\"elapsed_ns\":1.5}]}", "\"elapsed_ns\" is not an integer" },
	{ "kmod-stats.json", "{\"group\":[],\"cpu\":[{\"cpu\":0,\"group\":\"g\",\"runs\":\"x\"}]}", "cpu[0] \"runs\" is not an integer" },
	{ "kmod-stats.json", "{\"group\":[{\"name\":\"g\",\"completed\":1,\"lat_p99_ns\":\"x\"}]}", "\"lat_p99_ns\" is not a number" },
	/* kmod-hist.txt */
	{ "kmod-hist.txt", "hist group=g cpu=all metric=lat lo_ns=9 hi_ns=1 count=1\n", "kmod-hist.txt: a line is not a histogram bucket" },
	{ "kmod-hist.txt", "\x01\x02garbage", "kmod-hist.txt: a line is not a histogram bucket" },
	/* events.csv: what became a false placement FAIL */
	{ "events.csv", "t_ms,source,action,target,value,outcome,latency_us,detail\n\"unterminated,x\n", "events.csv: not CSV" },
	{ "events.csv", "t_ms,source,action,target,value,outcome,latency_us,detail\n1,hotplug,offline\n", "events.csv: line 2 is not an event" },
	{ "events.csv", "t_ms,source,action,target,value,outcome,latency_us,detail\nx,hotplug,offline,cpu1,0,ok,5,\n", "events.csv: line 2 is not an event" },
	{ "events.csv", "t_ms,source,action,target,value,outcome,latency_us,detail\n1,hotplug,offline,cpu1,0,ok,slow,\n", "events.csv: line 2 is not an event" },
	{ "events.csv", "t_ms,source,action,target,value,outcome,latency_us,detail\n1,a,b,c,d,e,1,f,g,h\n", "events.csv: line 2 is not an event" },
	{ "events.csv", "time,what\n1,x\n", "events.csv: line 1 is not its header" },
	{ "events.csv", "\xa7\x13\xff\xfe\x80,\x9c\n\x91\x22\x7f", "events.csv:" },
};

static char *fixture_copy(void)
{
	static const char *const files[] = { "summary.json", "meta.json", "kmod-stats.json",
					     "kmod-hist.txt", "events.csv" };
	char tmpl[] = "/tmp/wqb-rundata-XXXXXX", *dir;

	assert_non_null(mkdtemp(tmpl));
	dir = xstrdup(tmpl);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *src = xasprintf("%s/tests/data/run-smoke/%s", WQB_SRC, files[i]);
		char *dst = path_join(dir, files[i]);
		size_t len;
		char *text = read_file(src, &len);

		assert_non_null(text);
		assert_int_equal(write_file_atomic(dst, text, len, 0644), 0);
		free(text);
		free(src);
		free(dst);
	}
	return dir;
}

static void test_fixture_is_whole(void **state)
{
	char *dir = fixture_copy(), err[256];
	struct rundata rd;

	(void)state;
	assert_int_equal(rundata_load(dir, &rd, err, sizeof(err)), 0);
	assert_string_equal(rd.damaged, "");
	assert_false(rd.events_damaged);
	assert_non_null(rd.stats);
	assert_non_null(rd.meta);
	assert_true(rd.nhist > 0);
	assert_true(rd.nev > 0);
	rundata_free(&rd);
	remove_tree(dir);
	free(dir);
}

static void test_damaged_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		const struct damage *d = &damages[i];
		char *dir = fixture_copy(), *p = path_join(dir, d->file), err[256];
		struct rundata rd;

		assert_int_equal(write_file_atomic(p, d->content, strlen(d->content), 0644), 0);
		assert_int_equal(rundata_load(dir, &rd, err, sizeof(err)), 0);
		if (!strstr(rd.damaged, d->want))
			fail_msg("case %zu (%s): want \"%s\" in \"%s\"", i, d->file, d->want,
				 rd.damaged);
		/* a damaged file is dropped whole, never half used */
		if (!strcmp(d->file, "kmod-stats.json"))
			assert_null(rd.stats);
		if (!strcmp(d->file, "meta.json"))
			assert_null(rd.meta);
		if (!strcmp(d->file, "kmod-hist.txt"))
			assert_int_equal(rd.nhist, 0);
		if (!strcmp(d->file, "events.csv")) {
			assert_true(rd.events_damaged);
			assert_int_equal(rd.nev, 0);
		}
		rundata_free(&rd);
		remove_tree(dir);
		free(p);
		free(dir);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_quantiles),
		cmocka_unit_test(test_hist_bad_lines),
		cmocka_unit_test(test_load_events_quoted),
		cmocka_unit_test(test_load_refuses_non_runs),
		cmocka_unit_test(test_fixture_is_whole),
		cmocka_unit_test(test_damaged_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
