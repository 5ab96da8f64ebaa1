// SPDX-License-Identifier: GPL-2.0
/*
 * Is this kernel able to run the scenario?  Each feature is probed the way
 * the harness will use it, never by version number alone, so a distro
 * backport counts and a stripped config does not.
 */
#include "requires.h"
#include "runcmd.h"
#include "util.h"

#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

static bool any_glob(const char *pattern)
{
	glob_t g;
	bool yes = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;

	globfree(&g);
	return yes;
}

/* kernel release at least major.minor */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > major || (a == major && b >= minor);
}

struct feature {
	const char *name;
	bool (*probe)(void);
	const char *why;	/* said when it is missing */
};

static bool p_scope(void)
{
	/* every WQ_SYSFS queue has it from 6.6 on: writeback always exists */
	return any_glob("/sys/devices/virtual/workqueue/*/affinity_scope");
}

static bool p_bh(void)
{
	return kernel_at_least(6, 9);
}

static bool p_hpfail(void)
{
	return any_glob("/sys/devices/system/cpu/cpu[1-9]*/hotplug/fail");
}

static bool p_failslab(void)
{
	return path_exists("/sys/kernel/debug/failslab");
}

static bool p_failpage(void)
{
	return path_exists("/sys/kernel/debug/fail_page_alloc");
}

static bool p_dmcrypt(void)
{
	return path_exists("/sys/module/dm_crypt") && program_in_path("dmsetup");
}

static bool p_loop(void)
{
	return path_exists("/dev/loop-control") && program_in_path("losetup");
}

static bool p_fio(void)
{
	return program_in_path("fio");
}

static bool p_stress(void)
{
	return program_in_path("stress-ng");
}

static bool p_perf(void)
{
	return program_in_path("perf");
}

static bool p_tracecmd(void)
{
	return program_in_path("trace-cmd");
}

static const struct feature features[] = {
	{ "affinity_scope", p_scope, "no workqueue affinity scopes (Linux 6.6+)" },
	{ "wq_bh", p_bh, "no BH workqueues (Linux 6.9+)" },
	{ "hotplug_fail", p_hpfail, "no cpuN/hotplug/fail (CONFIG_CPU_HOTPLUG_STATE_CONTROL)" },
	{ "failslab", p_failslab, "no /sys/kernel/debug/failslab (CONFIG_FAILSLAB)" },
	{ "fail_page_alloc", p_failpage,
	  "no /sys/kernel/debug/fail_page_alloc (CONFIG_FAIL_PAGE_ALLOC)" },
	{ "dm_crypt", p_dmcrypt, "dm-crypt is not loaded, or dmsetup is not installed" },
	{ "loop", p_loop, "no loop devices (/dev/loop-control), or losetup is not installed" },
	{ "fio", p_fio, "fio is not installed" },
	{ "stress_ng", p_stress, "stress-ng is not installed" },
	{ "perf", p_perf, "perf is not installed" },
	{ "trace_cmd", p_tracecmd, "trace-cmd is not installed" },
};

bool requires_met(const char *list, char *why, size_t len)
{
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ",");

		for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
			if (strlen(features[i].name) != n || strncmp(p, features[i].name, n))
				continue;
			if (!features[i].probe()) {
				snprintf(why, len, "requires %s: %s", features[i].name, features[i].why);
				return false;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}
