// SPDX-License-Identifier: GPL-2.0
/*
 * Fault plans: the same seed gives the same schedule, the shapes follow the
 * scenario, CPU 0 and empty masks are never chosen; and a plan executes
 * against a fake sysfs tree with every action logged and the original put
 * back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "faults.h"
#include "scenario.h"
#include "state.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void load(const char *text, struct wqb_scenario *s)
{
	char *err = NULL;

	if (scenario_load_string("t.wqb", text, s, &err) != 0) {
		print_error("%s\n", err);
		free(err);
		fail();
	}
}

static void online_0_to(bool *on, int last)
{
	memset(on, 0, WQB_MAX_CPUS * sizeof(bool));
	for (int c = 0; c <= last; c++)
		on[c] = true;
}

static const char *random_text =
	"[global]\nduration=20s\nseed=%d\n[group g]\nflags=unbound\n"
	"[hotplug]\nmode=random\nstart=1s\ninterval=300ms\nfuzz=100ms\nfail_state=workqueue:online\nfail_every=5\n"
	"[cpumask]\nmasks=random\ncount=12\ninterval=500ms\n";

static void plan_for_seed(int seed, struct wqb_scenario *s, struct fault_plan *p)
{
	char text[512];
	bool on[WQB_MAX_CPUS];

	snprintf(text, sizeof(text), random_text, seed);
	load(text, s);
	online_0_to(on, 7);
	assert_int_equal(faults_plan(s, on, p), 0);
}

static void test_same_seed_same_schedule(void **state)
{
	struct wqb_scenario s1, s2, s3;
	struct fault_plan a, b, c;
	bool differs = false;

	(void)state;
	plan_for_seed(42, &s1, &a);
	plan_for_seed(42, &s2, &b);
	plan_for_seed(43, &s3, &c);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_int_equal(a.src[i].n, b.src[i].n);
		assert_memory_equal(a.src[i].a, b.src[i].a, a.src[i].n * sizeof(*a.src[i].a));
	}
	for (size_t i = 0; i < a.src[0].n && i < c.src[0].n; i++)
		if (a.src[0].a[i].cpu != c.src[0].a[i].cpu || a.src[0].a[i].at_ms != c.src[0].a[i].at_ms)
			differs = true;
	assert_true(differs);
	faults_free(&a);
	faults_free(&b);
	faults_free(&c);
	scenario_free(&s1);
	scenario_free(&s2);
	scenario_free(&s3);
}

static void test_random_hotplug_shape(void **state)
{
	struct wqb_scenario s;
	struct fault_plan p;
	struct fault_source *h;
	size_t injected = 0;

	(void)state;
	plan_for_seed(1, &s, &p);
	h = &p.src[0];
	assert_string_equal(h->name, "hotplug");
	assert_true(h->n > 30);		/* 19 s / ~300 ms */
	for (size_t i = 0; i < h->n; i++) {
		assert_int_equal(h->a[i].kind, FA_CPU_TOGGLE);
		assert_true(h->a[i].cpu >= 1 && h->a[i].cpu <= 7);	/* never CPU 0 */
		assert_true(h->a[i].at_ms < 20000);
		if (i) {
			uint64_t gap = h->a[i].at_ms - h->a[i - 1].at_ms;

			assert_true(gap >= 200 && gap <= 400);		/* 300 +- 100 */
		}
		injected += h->a[i].fail_inject;
		assert_int_equal(h->a[i].fail_inject, (i + 1) % 5 == 0);
	}
	assert_true(injected > 0);
	assert_int_equal(h->a[0].at_ms, 1000);
	faults_free(&p);
	scenario_free(&s);
}

static void test_random_masks_valid(void **state)
{
	struct wqb_scenario s;
	struct fault_plan p;
	struct fault_source *m;

	(void)state;
	plan_for_seed(3, &s, &p);
	m = &p.src[1];
	assert_string_equal(m->name, "cpumask:global");
	assert_int_equal(m->n, 13);		/* 12 changes and the restore */
	for (size_t i = 0; i < 12; i++) {
		unsigned long v = strtoul(m->a[i].value, NULL, 16);

		assert_true(v != 0);		/* never empty */
		assert_true((v & ~0xfful) == 0);	/* only online CPUs 0-7 */
	}
	assert_string_equal(m->a[12].value, "");	/* restore the original */
	faults_free(&p);
	scenario_free(&s);
}

static void test_sequential_and_all_but_one(void **state)
{
	struct wqb_scenario s;
	struct fault_plan p;
	bool on[WQB_MAX_CPUS];
	static const enum fault_kind seq[] = { FA_CPU_OFFLINE, FA_CPU_ONLINE, FA_CPU_OFFLINE,
					       FA_CPU_ONLINE };
	static const int seq_cpu[] = { 2, 2, 3, 3 };
	static const enum fault_kind abo[] = { FA_CPU_OFFLINE, FA_CPU_OFFLINE, FA_CPU_OFFLINE,
					       FA_CPU_ONLINE, FA_CPU_ONLINE, FA_CPU_ONLINE };

	(void)state;
	online_0_to(on, 3);
	load("[group g]\n[hotplug]\nmode=sequential\ncpus=2-3\ninterval=100ms\n", &s);
	faults_plan(&s, on, &p);
	assert_int_equal(p.src[0].n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(p.src[0].a[i].kind, seq[i]);
		assert_int_equal(p.src[0].a[i].cpu, seq_cpu[i]);
		assert_int_equal(p.src[0].a[i].at_ms, i * 100);
	}
	faults_free(&p);
	scenario_free(&s);
	load("[group g]\n[hotplug]\nmode=all_but_one\ninterval=10ms\n", &s);
	faults_plan(&s, on, &p);
	assert_int_equal(p.src[0].n, 6);	/* CPUs 1-3 down, then up */
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(p.src[0].a[i].kind, abo[i]);
	faults_free(&p);
	scenario_free(&s);
}

static char root[64];

static void put(const char *rel, const char *val)
{
	char *p = path_join(root, rel), *d = xstrdup(p);

	*strrchr(d, '/') = '\0';
	mkdir_p(d, 0755);
	write_file_atomic(p, val, strlen(val), 0644);
	free(d);
	free(p);
}

static void test_execute_against_fake_sysfs(void **state)
{
	char resdir[] = "/tmp/wqb-faultres-XXXXXX", *p, *csv, *v, *sf;
	volatile sig_atomic_t stop = 0;
	struct wqb_scenario s;
	struct fault_plan plan;
	struct fault_run fr = { 0 };
	struct run_result res;
	bool on[WQB_MAX_CPUS];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/wqb-fsys-XXXXXX");
	assert_non_null(mkdtemp(root));
	assert_non_null(mkdtemp(resdir));
	setenv("WQBENCH_SYSFS", root, 1);
	setenv("WQBENCH_DEBUGFS", root, 1);	/* no wqbench/ there: module notes are dropped */
	sf = path_join(root, "state.json");
	setenv("WQBENCH_STATE", sf, 1);
	put("devices/system/cpu/online", "0-3\n");
	put("devices/system/cpu/cpu2/online", "1\n");
	put("devices/virtual/workqueue/cpumask", "f\n");
	put("devices/virtual/workqueue/wqb_u/cpumask", "f\n");
	put("devices/virtual/workqueue/wqb_u/nice", "0\n");
	assert_int_equal(state_save(NULL), 0);

	load("[global]\nduration=1s\n[group u]\nflags=unbound\n"
	     "[hotplug]\nmode=sequential\ncpus=2\ninterval=20ms\n"
	     "[cpumask u]\nmasks=3 1\ninterval=20ms\n"
	     "[wqattr n]\ngroup=u\nattr=nice\nvalues=5 -5\ninterval=20ms\n"
	     "[wqattr s]\ngroup=u\nattr=affinity_scope\nvalues=cpu\n"
	     "[faultinject]\ntype=failslab\n", &s);
	online_0_to(on, 3);
	faults_plan(&s, on, &plan);
	assert_int_equal(plan.n, 5);
	assert_int_equal(result_open(&res, resdir), 0);
	fr.res = &res;
	fr.stop = &stop;
	fr.t0_ns = now_mono_ns();
	assert_int_equal(faults_start(&plan, &fr), 0);
	faults_join(&plan);
	faults_report(&plan, &res);
	result_close(&res);

	/* the per-queue mask and nice were swept and put back */
	p = path_join(root, "devices/virtual/workqueue/wqb_u/cpumask");
	v = read_file_trim(p);
	free(p);
	assert_string_equal(v, "f");
	free(v);
	p = path_join(resdir, "events.csv");
	csv = read_file(p, NULL);
	free(p);
	assert_non_null(strstr(csv, ",hotplug,offline,cpu2,0,ok,"));
	assert_non_null(strstr(csv, ",hotplug,online,cpu2,1,ok,"));
	assert_non_null(strstr(csv, ",cpumask,set,wqb_u,3,ok,"));
	assert_non_null(strstr(csv, ",cpumask,set,wqb_u,1,ok,"));
	assert_non_null(strstr(csv, ",cpumask,restore,wqb_u,f,ok,"));
	assert_non_null(strstr(csv, ",wqattr,set,wqb_u,5,ok,"));
	assert_non_null(strstr(csv, ",wqattr,set,wqb_u,-5,ok,"));
	assert_non_null(strstr(csv, ",wqattr,restore,wqb_u,0,ok,"));
	/* no affinity_scope file and no failslab: skipped, with the reason */
	assert_non_null(strstr(csv, ",wqattr:s,skip,,,skipped,,wqb_u/affinity_scope does not exist in this kernel (affinity scopes need 6.6+)"));
	assert_non_null(strstr(csv, ",failslab,skip,,,skipped,,no failslab in debugfs"));
	free(csv);
	faults_free(&plan);
	scenario_free(&s);
	unsetenv("WQBENCH_SYSFS");
	unsetenv("WQBENCH_DEBUGFS");
	unsetenv("WQBENCH_STATE");
	free(sf);
	remove_tree(root);
	remove_tree(resdir);
}

/* --- [faultinject]: failures delivered, counted from `times` ------------ */

struct countdown {
	char *times;		/* the knob */
	long long fail;		/* failures to "deliver" once armed; 0 = none */
	volatile int armed_seen;
	volatile sig_atomic_t *stop;	/* the run's: ends the armed window */
};

/*
 * Play the kernel: wait until the injector has armed (times holds the
 * count it wrote, probability is set), then count `fail` failures down,
 * and only then end the run, so the injector disarms and reads times back
 * after the "kernel" has delivered -- however slowly this host schedules
 * the two threads (a fixed armed window lost the race under ASan on a
 * loaded host).
 */
static void *kernel_countdown(void *arg)
{
	struct countdown *c = arg;

	for (int i = 0; i < 60000; i++) {
		char *t = read_file_trim(c->times);
		char *prob = path_join(root, "failslab/probability"), *pv = read_file_trim(prob);
		bool armed = t && pv && strcmp(pv, "0") != 0;

		free(prob);
		free(pv);
		if (armed) {
			long long v = atoll(t);
			char buf[32];

			c->armed_seen = 1;
			if (c->fail) {
				snprintf(buf, sizeof(buf), "%lld", v - c->fail);
				write_file_atomic(c->times, buf, strlen(buf), 0644);
			}
			free(t);
			*c->stop = 1;
			return NULL;
		}
		free(t);
		usleep(1000);
	}
	*c->stop = 1;	/* never armed: end the run, the test then says so */
	return NULL;
}

/* Run a [faultinject] plan against a fake debugfs; returns the result dir. */
static char *inject_run(const char *scenario, long long fail, struct countdown *c,
			struct run_result *res)
{
	char resdir[] = "/tmp/wqb-injres-XXXXXX", *sf;
	volatile sig_atomic_t stop = 0;
	struct wqb_scenario s;
	struct fault_plan plan;
	struct fault_run fr = { 0 };
	bool on[WQB_MAX_CPUS];
	pthread_t th;

	snprintf(root, sizeof(root), "/tmp/wqb-fdbg-XXXXXX");
	assert_non_null(mkdtemp(root));
	assert_non_null(mkdtemp(resdir));
	setenv("WQBENCH_SYSFS", root, 1);
	setenv("WQBENCH_DEBUGFS", root, 1);
	sf = path_join(root, "state.json");
	setenv("WQBENCH_STATE", sf, 1);
	free(sf);
	put("devices/system/cpu/online", "0-3\n");
	/* the kernel's defaults (FAULT_ATTR_INITIALIZER): times is 1 */
	put("failslab/probability", "0\n");
	put("failslab/interval", "1\n");
	put("failslab/times", "1\n");
	put("failslab/space", "0\n");
	put("failslab/task-filter", "N\n");
	put("failslab/verbose", "2\n");
	assert_int_equal(state_save(NULL), 0);
	c->times = path_join(root, "failslab/times");
	c->fail = fail;
	c->armed_seen = 0;
	c->stop = &stop;
	assert_int_equal(pthread_create(&th, NULL, kernel_countdown, c), 0);

	load(scenario, &s);
	online_0_to(on, 3);
	faults_plan(&s, on, &plan);
	assert_int_equal(plan.n, 1);
	assert_int_equal(result_open(res, resdir), 0);
	fr.res = res;
	fr.stop = &stop;
	fr.t0_ns = now_mono_ns();
	assert_int_equal(faults_start(&plan, &fr), 0);
	faults_join(&plan);
	pthread_join(th, NULL);
	faults_report(&plan, res);
	result_flush(res);
	faults_free(&plan);
	scenario_free(&s);
	return xstrdup(res->dir);
}

static void inject_cleanup(struct countdown *c, struct run_result *res, char *dir)
{
	json_t *rep = NULL;
	char *p, *v;

	/* restore puts every knob back: times and verbose as the kernel had them */
	assert_int_equal(state_restore(&rep), 0);
	json_decref(rep);
	v = read_file_trim(c->times);
	assert_string_equal(v, "1");
	free(v);
	p = path_join(root, "failslab/verbose");
	v = read_file_trim(p);
	assert_string_equal(v, "2");
	free(v);
	free(p);
	free(c->times);
	result_close(res);
	unsetenv("WQBENCH_SYSFS");
	unsetenv("WQBENCH_DEBUGFS");
	unsetenv("WQBENCH_STATE");
	remove_tree(root);
	remove_tree(dir);
	free(dir);
}

static const struct run_check *find_check(const struct run_result *res, const char *name)
{
	for (size_t i = 0; i < res->nchecks; i++)
		if (strcmp(res->checks[i].name, name) == 0)
			return &res->checks[i];
	return NULL;
}

static char *events_of(const char *dir)
{
	char *p = path_join(dir, "events.csv"), *csv = read_file(p, NULL);

	free(p);
	assert_non_null(csv);
	return csv;
}

static void test_inject_counts_delivered(void **state)
{
	struct countdown c;
	struct run_result res;
	const struct run_check *ck;
	json_t *fs;
	char *dir, *csv;

	(void)state;
	dir = inject_run("[global]\nduration=60s\n[group g]\nalloc_bytes=1024\n"
			 "[faultinject]\ntype=failslab\nprobability=20\nkworkers=0\n", 37, &c, &res);
	assert_true(c.armed_seen);
	ck = find_check(&res, "failslab");
	assert_non_null(ck);
	assert_int_equal(ck->status, CHECK_PASS);
	assert_non_null(strstr(ck->detail, "37 failures delivered by failslab"));
	fs = json_object_get(json_object_get(res.extra, "faults"), "failslab");
	assert_int_equal(json_integer_value(json_object_get(fs, "delivered")), 37);
	fs = json_array_get(json_object_get(fs, "arms"), 0);
	/* times = -1 (no limit) is written as a finite count the kernel counts down */
	assert_int_equal(json_integer_value(json_object_get(fs, "times_written")),
			 WQB_INJECT_TIMES);
	assert_int_equal(json_integer_value(json_object_get(fs, "times_left")),
			 WQB_INJECT_TIMES - 37);
	csv = events_of(dir);
	assert_non_null(strstr(csv, ",faultinject,arm,failslab,20,ok,,\"times 1000000000, interval 1, all tasks\""));
	assert_non_null(strstr(csv, ",faultinject,disarm,failslab,0,ok,,\"37 failures delivered (times 1000000000 -> 999999963), all tasks\""));
	free(csv);
	inject_cleanup(&c, &res, dir);
}

/* armed, but nothing failed: the check must say so and fail */
static void test_inject_zero_delivered_fails(void **state)
{
	struct countdown c;
	struct run_result res;
	const struct run_check *ck;
	char *dir;

	(void)state;
	dir = inject_run("[global]\nduration=60s\n[group g]\n"
			 "[faultinject]\ntype=failslab\n", 0, &c, &res);
	assert_true(c.armed_seen);
	ck = find_check(&res, "failslab");
	assert_non_null(ck);
	assert_int_equal(ck->status, CHECK_FAIL);
	assert_non_null(strstr(ck->detail, "failslab armed (probability 10%, interval 1, all tasks) but the kernel delivered 0 failures"));
	inject_cleanup(&c, &res, dir);
}

/* a finite times is written as it is; all of it used up is all of it delivered */
static void test_inject_finite_times(void **state)
{
	struct countdown c;
	struct run_result res;
	const struct run_check *ck;
	json_t *arm;
	char *dir;

	(void)state;
	dir = inject_run("[global]\nduration=60s\n[group g]\n"
			 "[faultinject]\ntype=failslab\ntimes=3\n", 3, &c, &res);
	ck = find_check(&res, "failslab");
	assert_non_null(ck);
	assert_int_equal(ck->status, CHECK_PASS);
	assert_non_null(strstr(ck->detail, "3 failures delivered"));
	arm = json_array_get(json_object_get(json_object_get(json_object_get(res.extra, "faults"),
								   "failslab"), "arms"), 0);
	assert_int_equal(json_integer_value(json_object_get(arm, "times_written")), 3);
	assert_int_equal(json_integer_value(json_object_get(arm, "times_left")), 0);
	inject_cleanup(&c, &res, dir);
}

/* times that cannot be read back (or went up) is no count: the check fails */
static void test_inject_uncountable(void **state)
{
	struct countdown c;
	struct run_result res;
	const struct run_check *ck;
	char *dir, *csv;

	(void)state;
	dir = inject_run("[global]\nduration=60s\n[group g]\n"
			 "[faultinject]\ntype=failslab\n", -5, &c, &res);
	ck = find_check(&res, "failslab");
	assert_non_null(ck);
	assert_int_equal(ck->status, CHECK_FAIL);
	assert_non_null(strstr(ck->detail, "could not be counted"));
	csv = events_of(dir);
	assert_non_null(strstr(csv, "cannot count the failures: failslab/times reads '1000000005' after 1000000000 was written"));
	free(csv);
	inject_cleanup(&c, &res, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_schedule),
		cmocka_unit_test(test_random_hotplug_shape),
		cmocka_unit_test(test_random_masks_valid),
		cmocka_unit_test(test_sequential_and_all_but_one),
		cmocka_unit_test(test_execute_against_fake_sysfs),
		cmocka_unit_test(test_inject_counts_delivered),
		cmocka_unit_test(test_inject_zero_delivered_fails),
		cmocka_unit_test(test_inject_finite_times),
		cmocka_unit_test(test_inject_uncountable),
	};

	return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
