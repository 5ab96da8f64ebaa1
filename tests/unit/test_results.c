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
#include "vm.h"
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

/* a 6.12 lockup report as the watchdog prints it, unwound across an IRQ */
static const char lockup[] =
	"[   27.661975] BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 1s!\n"
	"[   27.666332] Showing busy workqueues and worker pools:\n"
	"[   27.666468] workqueue mm_percpu_wq: flags=0x8\n"
	"[   27.666844]   pwq 6: cpus=1 node=0 flags=0x0 nice=0 active=1 refcnt=2\n"
	"[   27.667169]     pending: vmstat_update\n"
	"[   27.667680] workqueue wqb_hog: flags=0x0\n"
	"[   27.667734]     in-flight: 47:wqb_work_fn [wqbench]\n"
	"[   27.668236]     pending: 2*wqb_work_fn [wqbench]\n"
	"[   27.668300]     inactive: wqb_work_fn [wqbench]\n"
	"[   27.668502] pool 6: cpus=1 node=0 flags=0x0 nice=0 hung=1s workers=4 idle: 24 82 83\n"
	"[   27.668775] Showing backtraces of running workers in stalled CPU-bound worker pools:\n"
	"[   27.669115] pool 6:\n"
	"[   27.669416] task:kworker/1:1     state:R  running task     stack:0     pid:47    tgid:47    ppid:2      flags:0x00004000\n"
	"[   27.669989] Workqueue: wqb_hog wqb_work_fn [wqbench]\n"
	"[   27.670145] Call Trace:\n"
	"[   27.670200]  <IRQ>\n"
	"[   27.670210]  ? show_cpu_pools_hogs+0x5a/0x90\n"
	"[   27.670220]  </IRQ>\n"
	"[   27.670306]  <TASK>\n"
	"[   27.670310] RIP: 0010:wqb_busy+0x2e/0x50 [wqbench]\n"
	"[   27.670311] Code: 48 89 c3 e8 00 00 00 00 48 29 e8 48 39 d8 72 ef 5b 5d c3\n"
	"[   27.670312] RSP: 0018:ffffc90000163e30 EFLAGS: 00000293\n"
	"[   27.670313] RAX: 0000000003a4bd1b RBX: 00000000ee6b2800 RCX: 0000000000000000\n"
	"[   27.670314] R10: 0000000000000000 R11: 0000000000000000 R12: ffff888003b2a000\n"
	"[   27.670447]  ? trace_event_raw_event_workqueue_execute_start+0x3d/0x80\n"
	"[   27.670630]  ? process_one_work+0x1ff/0x5d0\n"
	"[   27.670725]  ret_from_fork_asm+0x11/0x20\n"
	"[   27.671440]  </TASK>\n";

static size_t judge_with(const char *tail, const char *const *expected, json_t **f)
{
	char *text = xasprintf("%s%s", lockup, tail);
	size_t bad = dmesg_judge(text, expected, f);

	free(text);
	return bad;
}

static void test_dmesg_lockup_dump(void **state)
{
	const char *const lockup_expected[] = { "BUG: workqueue lockup", NULL };
	const char *const other_expected[] = { "hogged CPU for", NULL };
	json_t *f = NULL, *last;

	(void)state;
	/* expected: the report and its whole dump are one expected report */
	assert_int_equal(judge_with("", lockup_expected, &f), 0);
	assert_int_equal(json_array_size(f), 2);	/* the report, its Call Trace */
	last = json_array_get(f, 1);
	assert_string_equal(json_string_value(json_object_get(last, "pattern")), "Call Trace:");
	assert_true(json_is_true(json_object_get(last, "expected")));
	assert_string_equal(json_string_value(json_object_get(last, "part_of")),
			    "BUG: workqueue lockup");
	json_decref(f);
	/* not expected: the report and its Call Trace are both failures */
	assert_int_equal(judge_with("", NULL, NULL), 2);
	assert_int_equal(judge_with("", other_expected, NULL), 2);
	/* a second pool's report and a second dump, a quiet line in between */
	assert_int_equal(judge_with("[   28.0] smpboot: CPU 3 is now offline\n"
				    "[   28.1] BUG: workqueue lockup - pool cpus=2 node=0 flags=0x0 nice=0 stuck for 2s!\n"
				    "[   28.2] Call Trace:\n", lockup_expected, NULL), 0);
	/* a warning after the dump ends it: it and its own stack are failures */
	assert_int_equal(judge_with("[   28.0] WARNING: CPU: 1 PID: 9 at kernel/workqueue.c:1 f+0x1/0x2\n"
				    "[   28.1] Call Trace:\n"
				    "[   28.2]  <TASK>\n", lockup_expected, &f), 2);
	/* and the first unexpected finding is the warning */
	last = json_array_get(f, 2);
	assert_false(json_is_true(json_object_get(last, "expected")));
	assert_non_null(strstr(json_string_value(json_object_get(last, "line")), "WARNING: CPU: 1"));
	json_decref(f);
	/* the same stack lines with no report before them are not muted */
	assert_int_equal(dmesg_judge("[    5.0] Call Trace:\n[    5.1]  <TASK>\n", lockup_expected, NULL),
			 1);
	/* nor long after the report: a dump is printed at once */
	assert_int_equal(judge_with("[   60.0] Call Trace:\n", lockup_expected, NULL), 1);
	/* a line of another shape inside the dump window is judged as ever */
	assert_int_equal(judge_with("[   28.0] Oops: general protection fault\n", lockup_expected, NULL),
			 1);
	/* lines without timestamps (console text) work the same */
	assert_int_equal(dmesg_judge("BUG: workqueue lockup - pool cpus=1 stuck for 3s!\n"
				     "Showing busy workqueues and worker pools:\n"
				     "Call Trace:\n", lockup_expected, NULL), 0);
}

/* lockdep's own report headers are failures (kernel/locking/lockdep.c) */
static void test_dmesg_lockdep(void **state)
{
	static const char *const lines[] = {
		"WARNING: possible recursive locking detected",
		"WARNING: possible circular locking dependency detected",
		"WARNING: inconsistent lock state",
		"WARNING: possible irq lock inversion dependency detected",
		"WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected",
		"WARNING: suspicious RCU usage",
		"WARNING: bad unlock balance detected!",
		"WARNING: held lock freed!",
		"WARNING: kworker/1:1/47 still has locks held!",
		"WARNING: lock held when returning to user space!",
		"WARNING: Nested lock was not taken",
		"DEBUG_LOCKS_WARN_ON(lockdep_hardirqs_enabled())",
		"BUG: sleeping function called from invalid context at kernel/workqueue.c:1",
		"BUG: MAX_LOCKDEP_ENTRIES too low!",
		NULL
	};

	(void)state;
	for (size_t i = 0; lines[i]; i++) {
		char *t = xasprintf("[    9.5] %s\n", lines[i]);

		if (dmesg_judge(t, NULL, NULL) != 1) {
			print_error("not judged bad: %s\n", lines[i]);
			fail();
		}
		free(t);
	}
}

/* the host's console check: a report the scenario provokes is no oops */
static void test_console_expected_oops(void **state)
{
	const char *const want[] = { "BUG: workqueue lockup", NULL };
	const char *con =
		"[   27.6] BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 1s!\n"
		"WQBENCH-GUEST: run-end 0\n";

	(void)state;
	assert_true(vm_text_has_unexpected_oops(con, NULL));
	assert_false(vm_text_has_unexpected_oops(con, want));
	assert_true(vm_text_has_unexpected_oops("[ 3.1] Oops: general protection fault\n", want));
	/* an expected line does not excuse another one */
	assert_true(vm_text_has_unexpected_oops(
		"BUG: workqueue lockup - pool cpus=1\nWARNING: CPU: 1 PID: 2 at x.c:1\n", want));
	assert_false(vm_text_has_unexpected_oops("all quiet\nno newline at the end", NULL));
	assert_false(vm_text_has_unexpected_oops("", NULL));
	/* the console's crashes are dmesg.c's patterns marked so: one list */
	assert_true(dmesg_is_crash("[ 1.0] kernel BUG: unable to handle page fault"));
	assert_true(dmesg_is_crash("WARNING: CPU: 0 PID: 1 at kernel/workqueue.c:1"));
	assert_true(dmesg_is_crash("Oops: 0000 [#1] SMP"));
	assert_false(dmesg_is_crash("workqueue: foo hogged CPU for >10000us 4 times"));
	assert_false(dmesg_is_crash("Call Trace:"));
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
		cmocka_unit_test(test_dmesg_lockup_dump),
		cmocka_unit_test(test_dmesg_lockdep),
		cmocka_unit_test(test_console_expected_oops),
		cmocka_unit_test(test_stats_parse),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
