// SPDX-License-Identifier: GPL-2.0
/*
 * [kparam] against a fake /sys (WQBENCH_SYSFS): a parameter the kernel
 * lacks is found before anything changes; each one is saved in the state
 * file, written, read back and logged; a refused write stops the run with
 * the parameter, the file and the error named; and restore -- the run's
 * own, or `wqbench restore` after a crash -- puts every value back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kparam.h"
#include "result.h"
#include "scenario.h"
#include "state.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64], resdir[64];

static void put(const char *rel, const char *val, mode_t mode)
{
	char *p = path_join(root, rel), *d = xstrdup(p);

	*strrchr(d, '/') = '\0';
	mkdir_p(d, 0755);
	assert_int_equal(write_file_atomic(p, val, strlen(val), mode), 0);
	free(d);
	free(p);
}

static char *get(const char *rel)
{
	char *p = path_join(root, rel), *v = read_file_trim(p);

	free(p);
	return v;
}

static int setup(void **state)
{
	char *sf;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/wqb-kparam-XXXXXX");
	snprintf(resdir, sizeof(resdir), "/tmp/wqb-kparamres-XXXXXX");
	if (!mkdtemp(root) || !mkdtemp(resdir))
		return -1;
	setenv("WQBENCH_SYSFS", root, 1);
	sf = path_join(root, "state.json");
	setenv("WQBENCH_STATE", sf, 1);
	free(sf);
	put("devices/system/cpu/online", "0-3\n", 0644);
	put("module/workqueue/parameters/watchdog_thresh", "30\n", 0644);
	put("module/workqueue/parameters/cpu_intensive_thresh_us", "10000\n", 0644);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("WQBENCH_SYSFS");
	unsetenv("WQBENCH_STATE");
	remove_tree(root);
	remove_tree(resdir);
	return 0;
}

static void load(const char *text, struct wqb_scenario *s)
{
	char *err = NULL;

	if (scenario_load_string("k.wqb", text, s, &err) != 0) {
		print_error("%s\n", err);
		free(err);
		fail();
	}
}

static const struct run_check *check_of(const struct run_result *r, const char *name)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (strcmp(r->checks[i].name, name) == 0)
			return &r->checks[i];
	return NULL;
}

static void test_missing_parameter_found_first(void **state)
{
	struct wqb_scenario s;
	char why[512] = "";

	(void)state;
	load("[group g]\n[kparam]\nworkqueue.cpu_intensive_thresh_us = 20000\n"
	     "workqueue.no_such_knob = 1\n", &s);
	assert_false(kparam_present(&s, why, sizeof(why)));
	assert_non_null(strstr(why, "kparam workqueue.no_such_knob: this kernel has no such parameter (no "));
	assert_non_null(strstr(why, "/module/workqueue/parameters/no_such_knob)"));
	scenario_free(&s);
	load("[group g]\n[kparam]\nworkqueue.watchdog_thresh = 1\n", &s);
	assert_true(kparam_present(&s, why, sizeof(why)));
	scenario_free(&s);
	/* nothing was written by looking */
	{
		char *v = get("module/workqueue/parameters/cpu_intensive_thresh_us");

		assert_string_equal(v, "10000");
		free(v);
	}
}

static void test_apply_and_restore(void **state)
{
	struct wqb_scenario s;
	struct run_result res;
	const struct run_check *c;
	json_t *rep = NULL, *kp;
	char *v;

	(void)state;
	load("[group g]\n[kparam]\nworkqueue.watchdog_thresh = 2\n"
	     "workqueue.cpu_intensive_thresh_us=60000000\n", &s);
	assert_int_equal(state_save(NULL), 0);
	assert_int_equal(result_open(&res, resdir), 0);
	assert_int_equal(kparam_apply(&s, &res), 0);
	v = get("module/workqueue/parameters/watchdog_thresh");
	assert_string_equal(v, "2");
	free(v);
	v = get("module/workqueue/parameters/cpu_intensive_thresh_us");
	assert_string_equal(v, "60000000");
	free(v);
	c = check_of(&res, "kparam");
	assert_non_null(c);
	assert_int_equal(c->status, CHECK_PASS);
	assert_string_equal(c->detail, "workqueue.watchdog_thresh = 2 (was 30), workqueue.cpu_intensive_thresh_us = 60000000 (was 10000); put back after the run");
	kp = json_array_get(json_object_get(res.extra, "kparam"), 1);
	assert_string_equal(json_string_value(json_object_get(kp, "name")),
			    "workqueue.cpu_intensive_thresh_us");
	assert_string_equal(json_string_value(json_object_get(kp, "was")), "10000");
	assert_string_equal(json_string_value(json_object_get(kp, "reads")), "60000000");
	assert_true(json_is_null(json_object_get(kp, "error")));
	/* the run's restore -- or wqbench restore after a crash -- puts both back */
	assert_int_equal(state_restore(&rep), 0);
	json_decref(rep);
	v = get("module/workqueue/parameters/watchdog_thresh");
	assert_string_equal(v, "30");
	free(v);
	v = get("module/workqueue/parameters/cpu_intensive_thresh_us");
	assert_string_equal(v, "10000");
	free(v);
	result_close(&res);
	scenario_free(&s);
}

/* the kernel refuses a write: the run stops there, named; earlier ones go back */
static void test_refused_write(void **state)
{
	struct wqb_scenario s;
	struct run_result res;
	const struct run_check *c;
	json_t *rep = NULL, *kp;
	char *v;

	(void)state;
	/*
	 * A file that reads but refuses writes, even from root (who may write
	 * a 0444 file): /proc/version has no write method, so write() fails.
	 */
	{
		char *p = path_join(root, "module/workqueue/parameters/power_efficient");

		assert_int_equal(symlink("/proc/version", p), 0);
		free(p);
	}
	load("[group g]\n[kparam]\nworkqueue.watchdog_thresh = 5\n"
	     "workqueue.power_efficient = Y\nworkqueue.cpu_intensive_thresh_us = 1\n", &s);
	assert_int_equal(state_save(NULL), 0);
	assert_int_equal(result_open(&res, resdir), 0);
	assert_int_equal(kparam_apply(&s, &res), -1);
	c = check_of(&res, "kparam");
	assert_non_null(c);
	assert_int_equal(c->status, CHECK_FAIL);
	assert_non_null(strstr(c->detail, "k.wqb:4: workqueue.power_efficient = Y: the kernel refused the write to "));
	assert_non_null(strstr(c->detail, "/module/workqueue/parameters/power_efficient: "));
	kp = json_array_get(json_object_get(res.extra, "kparam"), 1);
	assert_non_null(strstr(json_string_value(json_object_get(kp, "error")),
			       "the kernel refused the write to "));
	assert_null(json_array_get(json_object_get(res.extra, "kparam"), 2));
	/* the one after it was never touched */
	v = get("module/workqueue/parameters/cpu_intensive_thresh_us");
	assert_string_equal(v, "10000");
	free(v);
	assert_int_equal(state_restore(&rep), 0);
	json_decref(rep);
	v = get("module/workqueue/parameters/watchdog_thresh");
	assert_string_equal(v, "30");
	free(v);
	result_close(&res);
	scenario_free(&s);
}

/*
 * Under TCG, on a kernel with the CPU-intensive reporter, the harness
 * raises the threshold the emulation would otherwise trip (kparam.c) --
 * unless the scenario sets it, the guest is KVM, or there is no reporter.
 */
static void test_tcg_default(void **state)
{
	struct wqb_scenario s;
	struct run_result res;
	const struct run_check *c;
	json_t *rep = NULL, *kp;
	char *v;

	(void)state;
	load("[group g]\n", &s);
	assert_int_equal(state_save(NULL), 0);
	assert_int_equal(result_open(&res, resdir), 0);
	/* no reporter (cpu_intensive_warning_thresh): nothing */
	setenv("wqbench_accel", "tcg", 1);
	assert_int_equal(kparam_apply(&s, &res), 0);
	assert_null(check_of(&res, "kparam"));
	/* a reporter, but KVM: nothing */
	put("module/workqueue/parameters/cpu_intensive_warning_thresh", "4\n", 0644);
	setenv("wqbench_accel", "kvm", 1);
	assert_int_equal(kparam_apply(&s, &res), 0);
	assert_null(check_of(&res, "kparam"));
	v = get("module/workqueue/parameters/cpu_intensive_thresh_us");
	assert_string_equal(v, "10000");
	free(v);
	/* TCG and a reporter: 1 s, said so, put back */
	setenv("wqbench_accel", "tcg", 1);
	assert_int_equal(kparam_apply(&s, &res), 0);
	c = check_of(&res, "kparam");
	assert_non_null(c);
	assert_int_equal(c->status, CHECK_PASS);
	assert_string_equal(c->detail, "workqueue.cpu_intensive_thresh_us = 1000000 (was 10000; the harness's default under TCG); put back after the run");
	kp = json_array_get(json_object_get(res.extra, "kparam"), 0);
	assert_string_equal(json_string_value(json_object_get(kp, "set_by")), "harness (TCG)");
	assert_int_equal(state_restore(&rep), 0);
	json_decref(rep);
	v = get("module/workqueue/parameters/cpu_intensive_thresh_us");
	assert_string_equal(v, "10000");
	free(v);
	result_close(&res);
	scenario_free(&s);
	/* the scenario's own value wins, and nothing else is added */
	load("[group g]\n[kparam]\nworkqueue.cpu_intensive_thresh_us = 20000\n", &s);
	assert_int_equal(state_save(NULL), 0);
	assert_int_equal(result_open(&res, resdir), 0);
	assert_int_equal(kparam_apply(&s, &res), 0);
	assert_string_equal(check_of(&res, "kparam")->detail,
			    "workqueue.cpu_intensive_thresh_us = 20000 (was 10000); put back after the run");
	assert_int_equal(json_array_size(json_object_get(res.extra, "kparam")), 1);
	assert_int_equal(state_restore(&rep), 0);
	json_decref(rep);
	unsetenv("wqbench_accel");
	result_close(&res);
	scenario_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_parameter_found_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcg_default, setup, teardown),
	};

	return cmocka_run_group_tests_name("kparam", tests, NULL, NULL);
}
