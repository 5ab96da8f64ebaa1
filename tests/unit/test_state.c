// SPDX-License-Identifier: GPL-2.0
/*
 * Save/restore of system state against a fake sysfs tree (WQBENCH_SYSFS),
 * plus the CPU-list and cpumask helpers it relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hotplug.h"
#include "state.h"
#include "util.h"
#include "wqsysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[64];
static char statefile[128];

static void put(const char *rel, const char *val)
{
	char *p = path_join(root, rel), *d = xstrdup(p);

	*strrchr(d, '/') = '\0';
	assert_int_equal(mkdir_p(d, 0755), 0);
	assert_int_equal(write_file_atomic(p, val, strlen(val), 0644), 0);
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
	(void)state;
	snprintf(root, sizeof(root), "/tmp/wqb-sysfs-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(statefile, sizeof(statefile), "%s/state.json", root);
	setenv("WQBENCH_SYSFS", root, 1);
	setenv("WQBENCH_STATE", statefile, 1);
	put("devices/system/cpu/online", "0-3\n");
	put("devices/system/cpu/possible", "0-3\n");
	for (int c = 1; c < 4; c++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%d/online", c);
		put(rel, "1\n");
	}
	put("devices/virtual/workqueue/cpumask", "f\n");
	put("devices/virtual/workqueue/wqb_u/cpumask", "f\n");
	put("devices/virtual/workqueue/wqb_u/max_active", "256\n");
	put("devices/virtual/workqueue/wqb_u/affinity_scope", "default (cache)\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(root);
	unsetenv("WQBENCH_SYSFS");
	unsetenv("WQBENCH_STATE");
	return 0;
}

static void test_cpulist(void **state)
{
	bool set[WQB_MAX_CPUS];
	char *s;

	(void)state;
	assert_int_equal(cpulist_parse("0-3,8,10-11\n", set, WQB_MAX_CPUS), 7);
	assert_true(set[0] && set[3] && set[8] && set[11]);
	assert_false(set[4] || set[9]);
	s = cpulist_format(set, WQB_MAX_CPUS);
	assert_string_equal(s, "0-3,8,10-11");
	free(s);
	assert_int_equal(cpulist_parse("3-1", set, WQB_MAX_CPUS), -1);
	assert_int_equal(cpulist_parse("x", set, WQB_MAX_CPUS), -1);
	assert_int_equal(cpulist_parse("5000", set, WQB_MAX_CPUS), -1);
	/* the one CPU-list parser (kmod/wqbench_uapi.h): decimal, no empty entry */
	assert_int_equal(cpulist_parse("01", set, WQB_MAX_CPUS), -1);
	assert_int_equal(cpulist_parse("0x1", set, WQB_MAX_CPUS), -1);
	assert_int_equal(cpulist_parse("0,", set, WQB_MAX_CPUS), -1);
	assert_int_equal(cpulist_parse("0,,2", set, WQB_MAX_CPUS), -1);
	assert_int_equal(cpulist_parse("", set, WQB_MAX_CPUS), 0);
}

static void test_cpumask_normalise(void **state)
{
	char *a = cpumask_normalise("0000000f"), *b = cpumask_normalise("0x0F");
	char *c = cpumask_normalise("00000001,00000000"), *d = cpumask_normalise("0");

	(void)state;
	assert_string_equal(a, "f");
	assert_string_equal(b, "f");
	assert_string_equal(c, "100000000");
	assert_string_equal(d, "0");
	free(a);
	free(b);
	free(c);
	free(d);
}

static void test_never_offline_last_cpu(void **state)
{
	int64_t us;

	(void)state;
	put("devices/system/cpu/online", "2\n");
	assert_int_equal(cpu_set_online(2, false, &us), -EBUSY);
	put("devices/system/cpu/online", "0-3\n");
	/* no online file: CPU 0 on x86 */
	assert_int_equal(cpu_set_online(0, false, &us), -EPERM);
}

static void test_save_and_restore(void **state)
{
	const char *const wqs[] = { "wqb_u", NULL };
	json_t *rep = NULL;
	char *v;

	(void)state;
	assert_int_equal(state_save(wqs), 0);
	assert_true(path_exists(statefile));
	/* a second save must refuse: the first file holds the true original */
	assert_int_equal(state_save(wqs), -1);

	/* the "run" changes things */
	put("devices/system/cpu/online", "0-2\n");
	put("devices/system/cpu/cpu3/online", "0\n");
	put("devices/virtual/workqueue/cpumask", "3\n");
	put("devices/virtual/workqueue/wqb_u/cpumask", "1\n");
	put("devices/virtual/workqueue/wqb_u/max_active", "4\n");

	assert_int_equal(state_restore(&rep), 0);
	assert_true(json_array_size(rep) >= 4);
	json_decref(rep);
	v = get("devices/system/cpu/cpu3/online");
	assert_string_equal(v, "1");
	free(v);
	v = get("devices/virtual/workqueue/cpumask");
	assert_string_equal(v, "f");
	free(v);
	v = get("devices/virtual/workqueue/wqb_u/cpumask");
	assert_string_equal(v, "f");
	free(v);
	v = get("devices/virtual/workqueue/wqb_u/max_active");
	assert_string_equal(v, "256");
	free(v);
	/* restored: the state file is gone, a second restore is a no-op */
	assert_false(path_exists(statefile));
	assert_int_equal(state_restore(NULL), 0);
}

static void test_restore_failure_keeps_file(void **state)
{
	json_t *rep = NULL;
	char *p;

	(void)state;
	put("devices/virtual/workqueue/cpumask", "f\n");
	assert_int_equal(state_save(NULL), 0);
	put("devices/virtual/workqueue/cpumask", "3\n");
	/* make the global cpumask unwritable: restore must fail and keep the file */
	p = path_join(root, "devices/virtual/workqueue/cpumask");
	unlink(p);
	assert_int_equal(mkdir_p(p, 0755), 0);
	assert_int_equal(state_restore(&rep), -1);
	json_decref(rep);
	assert_true(path_exists(statefile));
	rmdir(p);
	put("devices/virtual/workqueue/cpumask", "3\n");
	assert_int_equal(state_restore(NULL), 0);
	assert_false(path_exists(statefile));
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_cpumask_normalise),
		cmocka_unit_test_setup_teardown(test_never_offline_last_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_failure_keeps_file, setup, teardown),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
