// SPDX-License-Identifier: GPL-2.0
/*
 * wqbench.ko tests.  Runs INSIDE a guest as root (wqbench guest exec):
 *
 *   test_kmod /path/to/wqbench.ko
 *
 * Each kind of work, placement and load shape; every oracle passing on a
 * healthy kernel and firing under its self-test knob; a table of bad
 * writes and their errors; rmmod in every state; and 50 rounds of load ->
 * start mixed groups with delayed requeue -> CPU hotplug -> rmmod, with
 * the kernel log checked for Oops/WARN/BUG at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "wqbench_uapi.h"

#define DIR_ "/sys/kernel/debug/wqbench/"

static const char *ko;
static int kmsg_fd = -1;
static bool have_bh;

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int load(void)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = (int)syscall(SYS_finit_module, fd, "", 0);
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int unload(void)
{
	for (int i = 0; i < 100; i++) {
		if (syscall(SYS_delete_module, "wqbench", O_NONBLOCK) == 0)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return -errno;
		msleep(20);
	}
	return -EBUSY;
}

/* One write(); returns 0 or -errno. */
static int put_n(const char *file, const char *buf, size_t len)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC), r;
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, buf, len);
	r = w < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int put(const char *file, const char *text)
{
	return put_n(file, text, strlen(text));
}

static char *slurp(const char *file)
{
	static char buf[1 << 20];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* key=value from the stats line "group name=<g> ..." (or "cpu group=<g> cpu=<c>"). */
static long long stat_of(const char *group, const char *key)
{
	char *text = slurp(DIR_ "stats"), *line, *save = NULL, want[64], k[80];

	snprintf(want, sizeof(want), "group name=%s ", group);
	snprintf(k, sizeof(k), " %s=", key);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p;

		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		p = strstr(line, k);
		return p ? strtoll(p + strlen(k), NULL, 10) : -999999;
	}
	return -999999;
}

static long long cpu_runs(const char *group, int cpu)
{
	char *text = slurp(DIR_ "stats"), want[64], *p;

	snprintf(want, sizeof(want), "cpu group=%s cpu=%d runs=", group, cpu);
	p = strstr(text, want);
	return p ? strtoll(p + strlen(want), NULL, 10) : 0;
}

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static void set_online(int cpu, bool on)
{
	char p[64];

	snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/online", cpu);
	assert_int_equal(put(p, on ? "1" : "0"), 0);
}

/* set_online(), told to the module as the harness tells it */
static void told_set_online(int cpu, bool on)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "hotplug_begin %d", cpu);
	assert_int_equal(put(DIR_ "control", cmd), 0);
	set_online(cpu, on);
	snprintf(cmd, sizeof(cmd), "hotplug_end %d", cpu);
	assert_int_equal(put(DIR_ "control", cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	if (load() != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return unload();
}

/*
 * Wait while the groups run until group `name` has counted at least min of
 * `key`; ten minutes at most: far beyond any host, short of the guest's
 * time limit.
 */
static void wait_for(const char *name, const char *key, long long min)
{
	for (int waited = 0; stat_of(name, key) < min && waited < 600000; waited += 50)
		msleep(50);
}

/*
 * Define groups, run for ms, and on until group `name` has counted at least
 * min of `key` (NULL: no such condition), then stop.  A test that needs N
 * events waits for them rather than expecting them in a fixed time: a
 * guest on a slower or busier host does less in the same time.
 */
static void run_groups_until(const char *const *defs, int ms, const char *name,
			     const char *key, long long min)
{
	for (size_t i = 0; defs[i]; i++) {
		int r = put(DIR_ "group", defs[i]);

		if (r)
			print_error("define '%s': %s\n", defs[i], strerror(-r));
		assert_int_equal(r, 0);
	}
	assert_int_equal(put(DIR_ "control", "start"), 0);
	msleep(ms);
	/*
	 * A guest on a loaded host (CI, or make reliability next to make test)
	 * can see a group not run at all in ms: give every group up to 20 s
	 * to complete one item before stopping.
	 */
	for (int waited = 0; waited < 20000; waited += 50) {
		bool all = true;

		for (size_t i = 0; defs[i] && all; i++) {
			char g[32];

			if (sscanf(defs[i], "name=%31s", g) == 1 && stat_of(g, "completed") <= 0)
				all = false;
		}
		if (all)
			break;
		msleep(50);
	}
	if (key)
		wait_for(name, key, min);
	assert_int_equal(put(DIR_ "control", "stop"), 0);
}

static void run_groups(const char *const *defs, int ms)
{
	run_groups_until(defs, ms, NULL, NULL, 0);
}

static void run1(const char *def, int ms)
{
	const char *defs[] = { def, NULL };

	run_groups(defs, ms);
}

static void clear(void)
{
	assert_int_equal(put(DIR_ "control", "clear"), 0);
}

static void assert_healthy(const char *g)
{
	if (stat_of(g, "eo_ok") != 1)
		print_error("%s: %s\n", g, slurp(DIR_ "stats"));
	assert_int_equal(stat_of(g, "eo_ok"), 1);
	assert_true(stat_of(g, "completed") > 0);
	assert_int_equal(stat_of(g, "bound_violations"), 0);
	assert_int_equal(stat_of(g, "unbound_violations"), 0);
}

static void test_version_and_modes(void **state)
{
	char *v = slurp(DIR_ "version");
	struct stat st;

	(void)state;
	assert_non_null(strstr(v, "wqbench-kmod 1\n"));
	have_bh = strstr(v, " bh") != NULL;
	/* root only: no group or other access to any control file */
	assert_int_equal(stat(DIR_ "group", &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	assert_int_equal(stat(DIR_ "control", &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
}

static void test_kinds(void **state)
{
	static const char *const defs[] = {
		"name=k_cpu kind=cpu work_us=20",
		"name=k_cpu_rs kind=cpu work_us=200 resched=1",
		"name=k_sleep kind=sleep work_us=500",
		"name=k_msleep kind=sleep work_us=25000 inflight=2",
		"name=k_rq_imm kind=requeue requeue=immediate work_us=10",
		"name=k_rq_del kind=requeue requeue=delayed requeue_delay_us=2000",
		"name=k_rq_hop kind=requeue requeue=hop work_us=10",
		"name=k_mixed kind=mixed mix=cpu:50,sleep:30,requeue:20 work_us=50 jitter_pct=50 seed=7",
		"name=k_hog kind=hog hog_ms=5 inflight=1",
		NULL
	};

	(void)state;
	run_groups(defs, 600);
	for (size_t i = 0; defs[i]; i++) {
		char name[32];

		sscanf(defs[i], "name=%31s", name);
		assert_healthy(name);
	}
	/* hop hands off between CPUs: more than one CPU must have run it */
	{
		int used = 0;

		for (int c = 0; c < online_cpus(); c++)
			used += cpu_runs("k_rq_hop", c) > 0;
		assert_true(used >= 2);
	}
	/* run time of sleep work is at least its sleep */
	assert_true(stat_of("k_sleep", "run_p50_ns") >= 500000);
	assert_true(stat_of("k_msleep", "run_p50_ns") >= 25000000);
	clear();
}

static void test_placements(void **state)
{
	static const char *const defs[] = {
		"name=p_local placement=local work_us=10",
		"name=p_cpu placement=cpu cpu=1 work_us=10",
		"name=p_cpus placement=cpus cpus=1-2 work_us=10",
		"name=p_rr placement=rr work_us=10",
		"name=p_node flags=unbound placement=node node=0 work_us=10",
		NULL
	};
	int n = online_cpus(), used = 0;

	(void)state;
	run_groups(defs, 500);
	for (size_t i = 0; defs[i]; i++) {
		char name[32];

		sscanf(defs[i], "name=%31s", name);
		assert_healthy(name);
	}
	/* queue_work_on(1): every run on CPU 1, and the oracle checked them all */
	assert_int_equal(cpu_runs("p_cpu", 1), stat_of("p_cpu", "completed"));
	assert_int_equal(stat_of("p_cpu", "bound_checked"), stat_of("p_cpu", "completed"));
	assert_int_equal(cpu_runs("p_cpus", 1) + cpu_runs("p_cpus", 2),
			 stat_of("p_cpus", "completed"));
	assert_true(cpu_runs("p_cpus", 1) > 0 && cpu_runs("p_cpus", 2) > 0);
	for (int c = 0; c < n; c++)
		used += cpu_runs("p_rr", c) > 0;
	assert_int_equal(used, n);
	clear();
}

/*
 * The non-reentrancy excuse (wqb_still_running()).  An item requeued from
 * inside its function is still running: the kernel keeps it on its pool
 * whatever rr asked for, and every such run must be excused, none a
 * violation.  Null items handed between partners on rr: the partner's
 * function has usually returned, and the module decides from its own record
 * whether the kernel may still see it running -- a wrong "no" would show as
 * bound violations here.
 */
static void test_nonreentrant(void **state)
{
	static const char *const defs[] = {
		"name=nr_self kind=requeue requeue=immediate placement=rr work_us=0",
		"name=nr_pair kind=cpu placement=rr work_us=0 inflight=16",
		NULL
	};

	(void)state;
	if (online_cpus() < 2)
		skip();
	run_groups_until(defs, 1000, "nr_pair", "bound_checked", 1001);
	assert_healthy("nr_self");
	assert_healthy("nr_pair");
	assert_true(stat_of("nr_self", "bound_nonreentrant") > 0);
	assert_int_equal(stat_of("nr_self", "bound_checked"), stat_of("nr_self", "completed"));
	assert_true(stat_of("nr_pair", "bound_checked") > 1000);
	clear();
}

static void test_shapes(void **state)
{
	static const char *const defs[] = {
		"name=s_closed shape=closed inflight=3 kind=sleep work_us=1000",
		"name=s_open shape=open rate=2000 kind=cpu work_us=10",
		"name=s_items shape=closed inflight=4 max_items=100 work_us=10",
		"name=s_ms shape=closed inflight=2 max_ms=100 kind=sleep work_us=1000",
		NULL
	};
	long long open_arrivals, open_ns;

	(void)state;
	run_groups(defs, 600);
	/* closed loop: never more than K in flight */
	assert_true(stat_of("s_closed", "max_concurrency") <= 3);
	assert_true(stat_of("s_closed", "max_concurrency") >= 1);
	/*
	 * open loop: arrivals (run or dropped for want of a free item) follow
	 * the rate over the group's own elapsed time -- however long this run
	 * took on this host -- with slack for TCG timer coarseness
	 */
	open_arrivals = stat_of("s_open", "completed") + stat_of("s_open", "open_dropped");
	open_ns = stat_of("s_open", "elapsed_ns");
	print_message("open loop: %lld arrivals in %lld ms at 2000/s\n", open_arrivals,
		      open_ns / 1000000);
	assert_true(open_ns > 0);
	assert_true(open_arrivals * 1e9 / (double)open_ns > 0.5 * 2000 &&
		    open_arrivals * 1e9 / (double)open_ns < 1.25 * 2000);
	assert_int_equal(stat_of("s_items", "completed"), 100);
	/* time limit: 100 ms of ~1 ms sleeps on 2 slots: far fewer than 600 ms worth */
	assert_true(stat_of("s_ms", "completed") < 300);
	for (size_t i = 0; defs[i]; i++) {
		char name[32];

		sscanf(defs[i], "name=%31s", name);
		assert_int_equal(stat_of(name, "eo_ok"), 1);
	}
	clear();
}

static void test_workqueue_flags(void **state)
{
	static const char *const defs[] = {
		"name=f_unbound flags=unbound work_us=10",
		"name=f_ordered flags=ordered inflight=4 work_us=10",
		"name=f_highpri flags=highpri work_us=10",
		"name=f_intensive flags=cpu_intensive work_us=200",
		"name=f_reclaim flags=mem_reclaim work_us=10",
		"name=f_freeze flags=freezable,power_efficient work_us=10",
		"name=f_max flags=unbound max_active=2 inflight=8 kind=sleep work_us=2000",
		"name=f_sys wq=system work_us=10",
		"name=f_sys_hi wq=system_highpri work_us=10",
		"name=f_sys_long wq=system_long work_us=10",
		"name=f_sys_unb wq=system_unbound work_us=10",
		NULL
	};
	struct stat st;

	(void)state;
	run_groups(defs, 500);
	for (size_t i = 0; defs[i]; i++) {
		char name[32];

		sscanf(defs[i], "name=%31s", name);
		assert_healthy(name);
	}
	/* WQ_SYSFS on unbound queues, not on ordered or bound ones */
	assert_int_equal(stat("/sys/devices/virtual/workqueue/wqb_f_unbound/cpumask", &st), 0);
	assert_int_not_equal(stat("/sys/devices/virtual/workqueue/wqb_f_ordered", &st), 0);
	assert_int_not_equal(stat("/sys/devices/virtual/workqueue/wqb_f_highpri", &st), 0);
	/* ordered: one at a time; max_active=2: at most two */
	assert_int_equal(stat_of("f_ordered", "max_concurrency"), 1);
	assert_true(stat_of("f_max", "max_concurrency") <= 2);
	clear();
	if (have_bh) {
		run1("name=f_bh flags=bh,highpri work_us=5", 300);
		assert_healthy("f_bh");
		clear();
	} else {
		assert_int_equal(put(DIR_ "group", "name=f_bh flags=bh"), -EINVAL);
	}
}

static void test_oracles_fire(void **state)
{
	(void)state;
	run1("name=o_lose work_us=10 selftest=lose", 200);
	assert_int_equal(stat_of("o_lose", "eo_ok"), 0);
	assert_int_equal(stat_of("o_lose", "eo_lost"), 1);
	clear();
	run1("name=o_dup work_us=10 selftest=dup", 200);
	assert_int_equal(stat_of("o_dup", "eo_ok"), 0);
	assert_true(stat_of("o_dup", "eo_dup") >= 1);
	clear();
	run1("name=o_mis placement=cpu cpu=1 work_us=10 selftest=misplace", 200);
	assert_int_equal(stat_of("o_mis", "bound_violations"), 1);
	clear();
	/* containment: told mask 0x1 long enough ago, pretend one escaped */
	assert_int_equal(put(DIR_ "group", "name=o_esc flags=unbound work_us=10 grace_ms=0 selftest=escape"), 0);
	assert_int_equal(put(DIR_ "control", "cpumask o_esc f"), 0);
	assert_int_equal(put(DIR_ "control", "start"), 0);
	msleep(200);
	wait_for("o_esc", "unbound_checked", 1);
	assert_int_equal(put(DIR_ "control", "stop"), 0);
	assert_int_equal(stat_of("o_esc", "unbound_violations"), 1);
	assert_int_equal(stat_of("o_esc", "eo_ok"), 1);
	clear();
}

static void test_containment_healthy(void **state)
{
	(void)state;
	/* the queue's mask is CPU 1; the oracle is told; nothing may escape */
	assert_int_equal(put(DIR_ "group", "name=c_unb flags=unbound work_us=20 grace_ms=50"), 0);
	assert_int_equal(put("/sys/devices/virtual/workqueue/wqb_c_unb/cpumask", "2"), 0);
	assert_int_equal(put(DIR_ "control", "cpumask c_unb 2"), 0);
	assert_int_equal(put(DIR_ "control", "start"), 0);
	msleep(500);
	wait_for("c_unb", "unbound_checked", 1);
	assert_int_equal(put(DIR_ "control", "stop"), 0);
	assert_true(stat_of("c_unb", "unbound_checked") > 0);
	assert_int_equal(stat_of("c_unb", "unbound_violations"), 0);
	assert_int_equal(cpu_runs("c_unb", 1), stat_of("c_unb", "completed"));
	clear();
}

struct bad_write {
	const char *file, *text;
	int err;
};

static const struct bad_write bad_writes[] = {
	{ DIR_ "group", "kind=cpu", -EINVAL },			/* no name */
	{ DIR_ "group", "name=Bad", -EINVAL },
	{ DIR_ "group", "name=averyveryverylongname", -EINVAL },
	{ DIR_ "group", "name=a kind=disk", -EINVAL },
	{ DIR_ "group", "name=a work_us=-1", -EINVAL },
	{ DIR_ "group", "name=a work_us=99999999999999999999999", -EINVAL },
	{ DIR_ "group", "name=a work_us=", -EINVAL },
	{ DIR_ "group", "name=a =5", -EINVAL },
	{ DIR_ "group", "name=a justaword", -EINVAL },
	{ DIR_ "group", "name=a bogus=1", -EINVAL },
	{ DIR_ "group", "name=a flags=unbound,nonsense", -EINVAL },
	{ DIR_ "group", "name=a mix=cpu", -EINVAL },
	{ DIR_ "group", "name=a mix=disk:4", -EINVAL },
	{ DIR_ "group", "name=a cpu=100000", -EINVAL },
	{ DIR_ "group", "name=a cpus=", -EINVAL },
	{ DIR_ "group", "name=a cpus=0-99999", -EINVAL },
	{ DIR_ "group", "name=a placement=node", -EINVAL },	/* bound queue */
	{ DIR_ "group", "name=a placement=cpus", -EINVAL },	/* no cpus= */
	{ DIR_ "group", "name=a shape=open", -EINVAL },		/* no rate= */
	{ DIR_ "group", "name=a kind=hog", -EINVAL },		/* no hog_ms */
	{ DIR_ "group", "name=a hog_ms=600000", -EINVAL },
	{ DIR_ "group", "name=a wq=system flags=unbound", -EINVAL },
	{ DIR_ "group", "name=a flags=ordered max_active=4", -EINVAL },
	{ DIR_ "group", "name=a max_active=100000", -EINVAL },
	{ DIR_ "group", "name=a inflight=0", -EINVAL },
	{ DIR_ "group", "name=a inflight=5000", -EINVAL },
	{ DIR_ "group", "name=a selftest=explode", -EINVAL },
	{ DIR_ "group", "name=a instrument=some", -EINVAL },
	{ DIR_ "group", "name=a flags=bh kind=sleep", -EINVAL },
	{ DIR_ "group", "name=a alloc_bytes=65537", -EINVAL },	/* > 16 pages */
	{ DIR_ "group", "name=a alloc_bytes=-1", -EINVAL },
	{ DIR_ "control", "bogus", -EINVAL },
	{ DIR_ "control", "cpumask nosuchgroup f", -EINVAL },
	{ DIR_ "control", "start", -EINVAL },			/* no groups */
	{ DIR_ "control", "", -EINVAL },
	{ DIR_ "control", "inject", -EINVAL },
	{ DIR_ "control", "inject nowhere 1000 1", -EINVAL },
	{ DIR_ "control", "inject pickup 0 1", -EINVAL },
	{ DIR_ "control", "inject pickup 10000001 1", -EINVAL },	/* > 10 ms */
	{ DIR_ "control", "inject pickup 1000 0", -EINVAL },
	{ DIR_ "control", "inject pickup 1000", -EINVAL },
	{ DIR_ "control", "inject pickup 1000 1 nosuchgroup", -EINVAL },
	{ DIR_ "control", "inject pickup 1000 1 g extra", -EINVAL },
	{ DIR_ "control", "inject queue -5 1", -EINVAL },
};

static void test_bad_writes(void **state)
{
	char big[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_writes) / sizeof(bad_writes[0]); i++) {
		int r = put(bad_writes[i].file, bad_writes[i].text);

		if (r != bad_writes[i].err)
			print_error("'%s' to %s: got %d, want %d\n", bad_writes[i].text,
				    bad_writes[i].file, r, bad_writes[i].err);
		assert_int_equal(r, bad_writes[i].err);
	}
	/* a NUL inside a definition */
	assert_int_equal(put_n(DIR_ "group", "name=a\0kind=cpu", 15), -EINVAL);
	/* too long */
	memset(big, 'a', sizeof(big));
	assert_int_equal(put_n(DIR_ "group", big, sizeof(big)), -E2BIG);
	assert_int_equal(put_n(DIR_ "control", big, 1000), -E2BIG);
	/* duplicates, too many groups, busy while running */
	assert_int_equal(put(DIR_ "group", "name=dup work_us=10"), 0);
	assert_int_equal(put(DIR_ "group", "name=dup"), -EINVAL);
	for (int i = 1; i < 32; i++) {
		char d[64];

		snprintf(d, sizeof(d), "name=g%d work_us=1 inflight=1", i);
		assert_int_equal(put(DIR_ "group", d), 0);
	}
	assert_int_equal(put(DIR_ "group", "name=g33"), -E2BIG);
	assert_int_equal(put(DIR_ "control", "start"), 0);
	assert_int_equal(put(DIR_ "control", "start"), -EBUSY);
	assert_int_equal(put(DIR_ "control", "clear"), -EBUSY);
	assert_int_equal(put(DIR_ "group", "name=late"), -EBUSY);	/* running first */
	assert_int_equal(put(DIR_ "control", "stop"), 0);
	assert_int_equal(put(DIR_ "control", "stop"), 0);		/* idempotent */
	clear();
	assert_int_equal(put(DIR_ "group", "name=late work_us=1"), 0);
	assert_int_equal(put(DIR_ "control", "start"), 0);
	assert_int_equal(put(DIR_ "group", "name=later"), -EBUSY);
	assert_int_equal(put(DIR_ "control", "stop"), 0);
	clear();
}

static void test_samples_and_hist(void **state)
{
	struct wqbench_sample s[64];
	int fd;
	ssize_t n;
	long long got = 0;

	(void)state;
	run1("name=smp work_us=10 sample_every=1 max_items=500 inflight=2", 400);
	fd = open(DIR_ "samples", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* a read smaller than one record is refused, not split */
	assert_int_equal(read(fd, s, 10), -1);
	assert_int_equal(errno, EINVAL);
	while ((n = read(fd, s, sizeof(s))) > 0) {
		assert_int_equal(n % (ssize_t)sizeof(s[0]), 0);
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(s[0]); i++) {
			assert_true(s[i].t_start_ns >= s[i].t_queue_ns - 1000000);
			assert_true(s[i].t_end_ns >= s[i].t_start_ns);
		}
		got += n / (ssize_t)sizeof(s[0]);
	}
	close(fd);
	assert_int_equal(got, 500);
	assert_non_null(strstr(slurp(DIR_ "hist"), "hist group=smp cpu=all metric=lat"));
	assert_non_null(strstr(slurp(DIR_ "stats"), "samples produced=500 dropped=0"));
	clear();
}

/*
 * measure_begin/measure_end: only between them do the histograms fill and
 * measured_completed count; out of order they are refused.
 */
static void test_measured_phase(void **state)
{
	long long c0, c1, m1, lat0, lat1;

	(void)state;
	/* not running yet */
	assert_int_equal(put(DIR_ "control", "measure_begin"), -EINVAL);
	assert_int_equal(put(DIR_ "group", "name=mph work_us=20"), 0);
	assert_int_equal(put(DIR_ "control", "start"), 0);
	assert_int_equal(put(DIR_ "control", "measure_end"), -EINVAL);
	msleep(200);
	/* before measure_begin: the whole run so far */
	assert_true(stat_of("mph", "measured_completed") > 0);
	assert_int_equal(put(DIR_ "control", "measure_begin"), 0);
	assert_int_equal(put(DIR_ "control", "measure_begin"), -EINVAL);
	assert_non_null(strstr(slurp(DIR_ "stats"), "measure=on"));
	msleep(300);
	assert_int_equal(put(DIR_ "control", "measure_end"), 0);
	c0 = stat_of("mph", "completed");
	m1 = stat_of("mph", "measured_completed");
	lat0 = stat_of("mph", "lat_max_ns");
	assert_true(m1 > 0 && m1 < c0);
	msleep(300);
	c1 = stat_of("mph", "completed");
	lat1 = stat_of("mph", "lat_max_ns");
	/* work goes on, the measured figures stay */
	assert_true(c1 > c0);
	assert_int_equal(stat_of("mph", "measured_completed"), m1);
	assert_int_equal(lat1, lat0);
	assert_true(stat_of("mph", "measured_ns") >= 250000000LL);
	assert_non_null(strstr(slurp(DIR_ "stats"), "measure=done"));
	assert_int_equal(put(DIR_ "control", "stop"), 0);
	assert_int_equal(stat_of("mph", "eo_ok"), 1);
	clear();
}

/* "inject KEY=" of the stats' inject line */
static long long inject_stat(const char *key)
{
	char *p = strstr(slurp(DIR_ "stats"), "\ninject "), k[40];

	snprintf(k, sizeof(k), " %s=", key);
	p = p ? strstr(p, k) : NULL;
	return p ? strtoll(p + strlen(k), NULL, 10) : -999999;
}

/*
 * Injected delays: at each place every slowed item of the named group
 * waits at least the delay by the module's clock, the other group none;
 * off detaches; unloading with a probe attached is clean.
 */
static void test_inject(void **state)
{
	static const char *const places[] = { "queue", "pickup", "pool" };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char cmd[64];
		long long applied, slowed_starts;

		assert_int_equal(put(DIR_ "group", "name=i_slow work_us=10 inflight=2"), 0);
		assert_int_equal(put(DIR_ "group", "name=i_ref work_us=10 inflight=2"), 0);
		snprintf(cmd, sizeof(cmd), "inject %s 50000 2 i_slow", places[i]);
		assert_int_equal(put(DIR_ "control", cmd), 0);
		assert_int_equal(put(DIR_ "control", "start"), 0);
		msleep(200);
		for (int waited = 0; inject_stat("applied") < 20 && waited < 600000; waited += 50)
			msleep(50);
		assert_int_equal(put(DIR_ "control", "stop"), 0);
		applied = inject_stat("applied");
		slowed_starts = stat_of("i_slow", "started");
		print_message("inject %s: %lld of %lld items of i_slow waited, %lld ns in all\n",
			      places[i], applied, slowed_starts, inject_stat("spent_ns"));
		assert_true(applied >= 20);
		/* one in two of i_slow's items, none of i_ref's */
		assert_true(applied <= slowed_starts / 2 + 4);
		assert_true(inject_stat("spent_ns") >= applied * 50000);
		assert_int_equal(stat_of("i_slow", "eo_ok"), 1);
		assert_int_equal(put(DIR_ "control", "inject off"), 0);
		assert_non_null(strstr(slurp(DIR_ "stats"), "inject where=off"));
		clear();
	}
	/* unload with a probe attached */
	assert_int_equal(put(DIR_ "group", "name=i_u work_us=10"), 0);
	assert_int_equal(put(DIR_ "control", "inject pool 1000 1"), 0);
	assert_int_equal(put(DIR_ "control", "start"), 0);
	msleep(50);
	assert_int_equal(unload(), 0);
	assert_int_equal(load(), 0);
}

static void test_bare(void **state)
{
	(void)state;
	run1("name=bare work_us=0 instrument=bare", 300);
	assert_int_equal(stat_of("bare", "eo_ok"), 1);
	assert_true(stat_of("bare", "completed") > 0);
	/* nothing timed */
	assert_null(strstr(slurp(DIR_ "stats"), "lat_p50_ns"));
	clear();
}

/*
 * instrument=sampled: every item counted by the oracles, one queueing in
 * K of each item timed -- histograms and raw records from those only.
 */
static void test_sampled(void **state)
{
	const char *st, *p;
	long long produced;

	(void)state;
	run1("name=smp2 work_us=0 placement=rr inflight=4 max_items=800 instrument=sampled instrument_every=8 sample_every=1",
	     400);
	assert_int_equal(stat_of("smp2", "eo_ok"), 1);
	assert_int_equal(stat_of("smp2", "completed"), 800);
	/* placement is checked on every item, not on the timed ones */
	assert_int_equal(stat_of("smp2", "bound_checked"), 800);
	assert_int_equal(stat_of("smp2", "instrument_every"), 8);
	st = slurp(DIR_ "stats");
	assert_non_null(strstr(st, "instrument=sampled"));
	assert_non_null(strstr(st, "lat_p50_ns"));
	/* 8 items, each timed once in 8 of its queueings: 100, +-1 an item */
	p = strstr(st, "samples produced=");
	assert_non_null(p);
	produced = atoll(p + strlen("samples produced="));
	assert_true(produced >= 92 && produced <= 108);
	clear();
}

/*
 * instrument=sampled across CPU hotplug: an untimed item's queue time is 0
 * until the first hotplug transition (wqb_oracle_clock()), the coarse
 * clock after.  Items queued with queue_work_on() to the CPU going away
 * run elsewhere and must all be excused -- the CPU offline or unstable,
 * or non-reentrancy -- and none be a violation.  The module is loaded
 * fresh, so the first transition is this test's.  What it catches is an
 * excuse refused (a false violation); a queue time later than the real
 * one mostly hides here behind "offline at the start", and was tried as
 * a mutant that passed: the sampled torture runs of docs/kmod.md are the
 * check for that.
 */
static void test_sampled_hotplug(void **state)
{
	int hp = online_cpus() - 1;

	(void)state;
	if (hp < 1)
		skip();
	assert_int_equal(put(DIR_ "group",
			     "name=smp_hp work_us=0 placement=rr inflight=16 instrument=sampled instrument_every=16"), 0);
	assert_int_equal(put(DIR_ "control", "start"), 0);
	wait_for("smp_hp", "completed", 2000);
	for (int round = 0; round < 8; round++) {
		told_set_online(hp, round % 2);
		msleep(50);
	}
	assert_int_equal(put(DIR_ "control", "stop"), 0);
	assert_int_equal(stat_of("smp_hp", "eo_ok"), 1);
	assert_int_equal(stat_of("smp_hp", "bound_violations"), 0);
	assert_int_equal(stat_of("smp_hp", "bound_checked"), stat_of("smp_hp", "completed"));
	assert_true(stat_of("smp_hp", "bound_offline") + stat_of("smp_hp", "bound_nonreentrant") > 0);
	clear();
}

/*
 * alloc_bytes: every execution allocates (and frees) once, from a slab
 * cache up to two pages and from the page allocator above; with no fault
 * injection armed none fails.  The largest size allowed is taken.
 */
static void test_alloc(void **state)
{
	static const char *const defs[] = {
		"name=a_slab alloc_bytes=1024 work_us=10 placement=rr",
		"name=a_page alloc_bytes=16384 work_us=10",
		"name=a_max alloc_bytes=65536 kind=sleep work_us=100 inflight=2",
		"name=a_none work_us=10",
		NULL
	};

	(void)state;
	run_groups(defs, 400);
	for (size_t i = 0; defs[i]; i++) {
		char name[32];

		sscanf(defs[i], "name=%31s", name);
		assert_healthy(name);
		/* stopped: one allocation per execution, started == completed */
		assert_int_equal(stat_of(name, "allocs"),
				 strcmp(name, "a_none") ? stat_of(name, "completed") : 0);
		assert_int_equal(stat_of(name, "alloc_failed"), 0);
	}
	assert_int_equal(stat_of("a_page", "alloc_bytes"), 16384);
	clear();
}

/* rmmod while running, with delayed requeue timers armed, open-loop timers running */
static void test_rmmod_every_state(void **state)
{
	static const char *const states[] = {
		"name=r1 work_us=10",
		"name=r2 kind=requeue requeue=delayed requeue_delay_us=200000",
		"name=r3 shape=open rate=5000 work_us=10",
		"name=r4 kind=sleep work_us=30000 flags=unbound",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		assert_int_equal(load(), 0);
		assert_int_equal(put(DIR_ "group", states[i]), 0);
		assert_int_equal(put(DIR_ "control", "start"), 0);
		msleep(50);
		assert_int_equal(unload(), 0);
	}
	/* defined but never started, and freshly loaded */
	assert_int_equal(load(), 0);
	assert_int_equal(put(DIR_ "group", "name=r5"), 0);
	assert_int_equal(unload(), 0);
	assert_int_equal(load(), 0);
	assert_int_equal(unload(), 0);
}

/* load -> start -> hotplug -> rmmod rounds: 50, or argv[2] (make reliability: 100) */
static int unload_rounds = 50;

static void test_hotplug_rmmod_loop(void **state)
{
	int hp = online_cpus() - 1;	/* the last CPU comes and goes */

	(void)state;
	printf("# %d load -> start -> hotplug -> rmmod rounds\n", unload_rounds);
	for (int round = 0; round < unload_rounds; round++) {
		assert_int_equal(load(), 0);
		assert_int_equal(put(DIR_ "group", "name=m1 kind=mixed mix=cpu:40,sleep:30,requeue:30 requeue=delayed requeue_delay_us=3000 work_us=100 placement=rr"), 0);
		assert_int_equal(put(DIR_ "group", "name=m2 flags=unbound kind=requeue requeue=delayed requeue_delay_us=1000"), 0);
		assert_int_equal(put(DIR_ "group", "name=m3 kind=requeue requeue=hop work_us=20"), 0);
		assert_int_equal(put(DIR_ "control", "start"), 0);
		msleep(20);
		set_online(hp, false);
		msleep(10);
		if (round % 2)
			set_online(hp, true);
		assert_int_equal(unload(), 0);
		if (!(round % 2))
			set_online(hp, true);
	}
}

static void test_dmesg_clean(void **state)
{
	static const char *const bad[] = { "Oops", "WARNING:", "BUG:", "Call Trace:", "ODEBUG",
					   "UBSAN", "general protection", NULL };
	char rec[8192];
	int found = 0;
	ssize_t n;

	(void)state;
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		for (size_t i = 0; bad[i]; i++)
			if (strstr(rec, bad[i])) {
				print_error("kernel log: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
				found++;
				break;
			}
	}
	assert_int_equal(found, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_placements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonreentrant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workqueue_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oracles_fire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_containment_healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_samples_and_hist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_measured_phase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sampled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sampled_hotplug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inject, setup, teardown),
		cmocka_unit_test(test_rmmod_every_state),
		cmocka_unit_test(test_hotplug_rmmod_loop),
		cmocka_unit_test(test_dmesg_clean),
	};

	ko = argc > 1 ? argv[1] : getenv("WQB_KMOD");
	if (!ko) {
		fprintf(stderr, "usage: test_kmod WQBENCH.ko [UNLOAD_ROUNDS]\n");
		return 2;
	}
	if (argc > 2)
		unload_rounds = atoi(argv[2]) > 0 ? atoi(argv[2]) : 50;
	if (online_cpus() < 3) {
		fprintf(stderr, "test_kmod needs at least 3 online CPUs\n");
		return 2;
	}
	/* the kernel log from here on is judged by the last test */
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	return cmocka_run_group_tests_name("wqbench.ko", tests, NULL, NULL);
}
