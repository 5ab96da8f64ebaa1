// SPDX-License-Identifier: GPL-2.0
/*
 * Assertions on the result directory of a real smoke.wqb run in a guest:
 *
 *   check_smoke RUN_DIR KERNEL_RELEASE
 *
 * - the verdict is pass and every result file named by the foundation issue
 *   is there (meta.json, console.log, dmesg.txt, trace.dat, kmod-stats.json,
 *   summary.json, result.ktap);
 * - the run happened on the kernel asked for;
 * - the module ran items on more than one CPU;
 * - the hotplug cycle happened (offline and online logged in events.csv) and
 *   every CPU was back online afterwards;
 * - trace.dat, read with libtracecmd, holds workqueue_execute_start events
 *   whose function is one of the module's work functions;
 * - meta.json records the clocksource and the clock's measured resolution,
 *   and the clock check passed (the clock resolves the run's figures).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util.h"

#include <event-parse.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <trace-cmd.h>

static const char *run_dir;
static const char *want_release;

static json_t *load(const char *name)
{
	char *p = path_join(run_dir, name);
	json_error_t e;
	json_t *j = json_load_file(p, 0, &e);

	if (!j)
		print_error("%s: %s\n", p, e.text);
	free(p);
	return j;
}

static void test_files_and_verdict(void **state)
{
	static const char *const files[] = { "meta.json", "console.log", "dmesg.txt", "trace.dat",
					     "kmod-stats.json", "summary.json", "result.ktap",
					     "events.csv", NULL };
	json_t *sum;

	(void)state;
	for (size_t i = 0; files[i]; i++) {
		char *p = path_join(run_dir, files[i]);

		if (!path_exists(p))
			print_error("missing %s\n", p);
		assert_true(path_exists(p));
		free(p);
	}
	sum = load("summary.json");
	assert_non_null(sum);
	if (strcmp(json_string_value(json_object_get(sum, "verdict")), "pass") != 0) {
		char *s = json_dumps(json_object_get(sum, "reasons"), 0);

		print_error("verdict is not pass: %s\n", s);
		free(s);
		fail();
	}
	json_decref(sum);
}

static void test_kernel(void **state)
{
	json_t *meta = load("meta.json");

	(void)state;
	assert_non_null(meta);
	assert_string_equal(json_string_value(json_object_get(json_object_get(meta, "kernel"),
							      "release")),
			    want_release);
	assert_true(json_is_true(json_object_get(meta, "in_guest")));
	json_decref(meta);
}

static void test_ran_on_several_cpus(void **state)
{
	json_t *st = load("kmod-stats.json"), *c;
	int cpus = 0;
	size_t i;

	(void)state;
	assert_non_null(st);
	json_array_foreach(json_object_get(st, "cpu"), i, c)
		if (json_integer_value(json_object_get(c, "runs")) > 0)
			cpus++;
	if (cpus < 2)
		print_error("items ran on %d CPU(s)\n", cpus);
	assert_true(cpus >= 2);
	json_decref(st);
}

static void test_hotplug_cycle(void **state)
{
	char *p = path_join(run_dir, "events.csv");
	char *text = read_file(p, NULL);
	json_t *meta = load("meta.json"), *sum = load("summary.json");
	const char *before, *after;
	json_t *c;
	size_t i;
	bool restored = false;

	(void)state;
	assert_non_null(text);
	assert_non_null(strstr(text, ",hotplug,offline,cpu3,0,ok,"));
	assert_non_null(strstr(text, ",hotplug,online,cpu3,1,ok,"));
	assert_non_null(strstr(text, ",cpumask,set,global,3,ok,"));
	assert_non_null(strstr(text, ",cpumask,restore,global,"));
	json_array_foreach(json_object_get(sum, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), "state_restored") == 0)
			restored = strcmp(json_string_value(json_object_get(c, "status")), "pass") == 0;
	assert_true(restored);
	before = json_string_value(json_object_get(json_object_get(meta, "cpu"), "online"));
	after = json_string_value(json_object_get(json_object_get(meta, "cpu"), "possible"));
	/* the guest boots with all possible CPUs online; restore brought cpu3 back */
	assert_string_equal(before, after);
	json_decref(meta);
	json_decref(sum);
	free(text);
	free(p);
}

static void test_clock(void **state)
{
	json_t *meta = load("meta.json"), *sum = load("summary.json"), *clk, *c;
	const char *cs, *status = NULL, *detail = NULL;
	size_t i;

	(void)state;
	assert_non_null(meta);
	assert_non_null(sum);
	clk = json_object_get(meta, "clock");
	assert_true(json_is_object(clk));
	cs = json_string_value(json_object_get(clk, "clocksource"));
	assert_non_null(cs);
	assert_true(json_is_array(json_object_get(clk, "available")));
	assert_true(json_array_size(json_object_get(clk, "available")) >= 1);
	assert_true(json_integer_value(json_object_get(clk, "resolution_ns")) > 0);
	assert_true(json_integer_value(json_object_get(clk, "getres_ns")) > 0);
	assert_true(json_integer_value(json_object_get(clk, "reads")) >= 2);
	assert_non_null(json_object_get(clk, "repeats"));
	assert_non_null(json_object_get(clk, "tsc_unstable"));
	json_array_foreach(json_object_get(sum, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), "clock") == 0) {
			status = json_string_value(json_object_get(c, "status"));
			detail = json_string_value(json_object_get(c, "detail"));
		}
	print_message("clock: %s %s\n", status ? status : "missing", detail ? detail : "");
	assert_non_null(status);
	assert_string_equal(status, "pass");
	assert_non_null(strstr(detail, cs));
	json_decref(meta);
	json_decref(sum);
}

struct trace_count {
	long exec_start, module_exec_start;
};

static int count_event(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct trace_count *tc = data;
	struct tep_handle *tep = tracecmd_get_tep(h);
	struct tep_event *ev = tep_find_event_by_record(tep, rec);
	unsigned long long fn;
	const char *name;

	(void)cpu;
	if (!ev || strcmp(ev->name, "workqueue_execute_start") != 0)
		return 0;
	tc->exec_start++;
	if (tep_get_field_val(NULL, ev, "function", rec, &fn, 0) < 0)
		return 0;
	name = tep_find_function(tep, fn);
	if (name && strncmp(name, "wqb", 3) == 0)
		tc->module_exec_start++;
	return 0;
}

static void test_trace_has_module_work(void **state)
{
	char *p = path_join(run_dir, "trace.dat");
	struct tracecmd_input *h = tracecmd_open(p, 0);
	struct trace_count tc = { 0 };

	(void)state;
	assert_non_null(h);
	tracecmd_iterate_events(h, NULL, 0, count_event, &tc);
	for (int i = 0; i < tracecmd_buffer_instances(h); i++) {
		struct tracecmd_input *ih = tracecmd_buffer_instance_handle(h, i);

		if (ih) {
			tracecmd_iterate_events(ih, NULL, 0, count_event, &tc);
			tracecmd_close(ih);
		}
	}
	print_message("trace.dat: %ld execute_start events, %ld of them wqbench work\n",
		      tc.exec_start, tc.module_exec_start);
	assert_true(tc.module_exec_start > 0);
	tracecmd_close(h);
	free(p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_and_verdict),
		cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_ran_on_several_cpus),
		cmocka_unit_test(test_hotplug_cycle),
		cmocka_unit_test(test_trace_has_module_work),
		cmocka_unit_test(test_clock),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: check_smoke RUN_DIR KERNEL_RELEASE\n");
		return 2;
	}
	run_dir = argv[1];
	want_release = argv[2];
	tracecmd_set_loglevel(TEP_LOG_ERROR);
	return cmocka_run_group_tests_name("smoke", tests, NULL, NULL);
}
