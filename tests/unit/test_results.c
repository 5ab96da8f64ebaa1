// SPDX-License-Identifier: GPL-2.0
/*
 * Result writing and judging: KTAP and summary.json from checks, events.csv
 * quoting, dmesg patterns, the module stats parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dmesg.h"
#include "kmodctl.h"
#include "result.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void test_ktap_and_summary(void **state)
{
	char dir[] = "/tmp/wqb-res-XXXXXX";
	struct run_result r;
	char *p, *ktap;
	json_t *j;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(result_open(&r, dir), 0);
	result_check(&r, "module_load", CHECK_PASS, "loaded");
	result_check(&r, "hotplug", CHECK_FAIL, "offline 0/1 ok\nsecond line");
	result_check(&r, "affinity", CHECK_SKIP, "needs 6.6+");
	assert_true(result_failed(&r));
	assert_int_equal(result_write_verdict(&r, "smoke", true), 0);
	p = path_join(dir, "result.ktap");
	ktap = read_file(p, NULL);
	free(p);
	assert_non_null(ktap);
	assert_string_equal(ktap,
			    "KTAP version 1\n1..3\n"
			    "# module_load: loaded\nok 1 module_load\n"
			    "# hotplug: offline 0/1 ok second line\nnot ok 2 hotplug\n"
			    "ok 3 affinity # SKIP needs 6.6+\n");
	free(ktap);
	p = path_join(dir, "summary.json");
	j = json_load_file(p, 0, NULL);
	free(p);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")), "fail");
	assert_int_equal(json_array_size(json_object_get(j, "checks")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "reasons"), 0)),
			    "hotplug: offline 0/1 ok second line");
	json_decref(j);
	result_close(&r);
	remove_tree(dir);
}

static void test_incomplete_is_fail(void **state)
{
	char dir[] = "/tmp/wqb-res-XXXXXX";
	struct run_result r;
	char *p;
	json_t *j;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(result_open(&r, dir), 0);
	result_check(&r, "a", CHECK_PASS, "fine");
	result_write_verdict(&r, "x", false);
	p = path_join(dir, "summary.json");
	j = json_load_file(p, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")), "fail");
	assert_false(json_is_true(json_object_get(j, "complete")));
	json_decref(j);
	free(p);
	result_close(&r);
	remove_tree(dir);
}

static void test_events_csv_quoting(void **state)
{
	char dir[] = "/tmp/wqb-res-XXXXXX";
	struct run_result r;
	char *p, *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(result_open(&r, dir), 0);
	result_event(&r, "cpumask", "set", "global", "3", "replaced", 12, "was \"f\", now 3");
	result_close(&r);
	p = path_join(dir, "events.csv");
	text = read_file(p, NULL);
	assert_non_null(strstr(text, "t_ms,source,action,target,value,outcome,latency_us,detail\n"));
	assert_non_null(strstr(text, ",cpumask,set,global,3,replaced,12,\"was \"\"f\"\", now 3\"\n"));
	free(text);
	free(p);
	remove_tree(dir);
}

static void test_dmesg_judge(void **state)
{
	const char *log =
		"[    1.0] wqbench: loading out-of-tree module taints kernel.\n"
		"[    2.0] smpboot: CPU 3 is now offline\n"
		"[    3.0] workqueue: wqb_hog_fn hogged CPU for >10000us 4 times, consider switching to WQ_UNBOUND\n"
		"[    4.0] WARNING: CPU: 1 PID: 42 at kernel/workqueue.c:1234 foo+0x1/0x2\n";
	const char *const expected[] = { "hogged CPU for", NULL };
	json_t *f = NULL;

	(void)state;
	assert_int_equal(dmesg_judge(log, NULL, &f), 2);
	assert_int_equal(json_array_size(f), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "pattern")),
			    "hogged CPU for");
	json_decref(f);
	assert_int_equal(dmesg_judge(log, expected, NULL), 1);
	assert_int_equal(dmesg_judge("[1.0] all quiet\n", NULL, NULL), 0);
	assert_int_equal(dmesg_judge("", NULL, NULL), 0);
}

static void test_stats_parse(void **state)
{
	const char *text = "# wqbench-stats 1\n"
			   "run state=stopped elapsed_ns=4000000000\n"
			   "group name=a queued=10 completed=10 inflight=0\n"
			   "group name=b queued=5 completed=4 inflight=1\n"
			   "cpu group=a cpu=0 runs=6\n"
			   "cpu group=a cpu=1 runs=4\n";
	json_t *j = kmodctl_parse_stats(text);

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "group")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "run"), 0), "state")),
			    "stopped");
	assert_int_equal(kmodctl_stat_sum(j, "group", "completed"), 14);
	assert_int_equal(kmodctl_stat_sum(j, "cpu", "runs"), 10);
	json_decref(j);
	assert_null(kmodctl_parse_stats("not stats\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ktap_and_summary),
		cmocka_unit_test(test_incomplete_is_fail),
		cmocka_unit_test(test_events_csv_quoting),
		cmocka_unit_test(test_dmesg_judge),
		cmocka_unit_test(test_stats_parse),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
