// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug primitives.  The sysfs root can be redirected with
 * WQBENCH_SYSFS (unit tests point it at a fake tree).
 */
#include "hotplug.h"
#include "util.h"
#include "wqbench_uapi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *sysroot(void)
{
	const char *r = getenv("WQBENCH_SYSFS");

	return r && *r ? r : "/sys";
}

int cpulist_parse(const char *s, bool *set, int max)
{
	char *copy;
	const char *p;
	__u64 a, b;
	int n = 0, r;

	memset(set, 0, (size_t)max * sizeof(bool));
	if (!s)
		return -1;
	copy = xstrdup(s);
	p = str_trim(copy);
	if (!*p) {
		free(copy);
		return 0;	/* the kernel writes an empty list as "" */
	}
	while ((r = wqbench_cpulist_next(&p, &a, &b)) > 0) {
		if (b >= (__u64)max)
			break;
		for (__u64 c = a; c <= b; c++) {
			if (!set[c])
				n++;
			set[c] = true;
		}
	}
	free(copy);
	return r == 0 ? n : -1;
}

char *cpulist_format(const bool *set, int max)
{
	char *s = xstrdup("");

	for (int i = 0; i < max; i++) {
		int j = i;
		char *t;

		if (!set[i])
			continue;
		while (j + 1 < max && set[j + 1])
			j++;
		if (j == i)
			t = xasprintf("%s%s%d", s, *s ? "," : "", i);
		else
			t = xasprintf("%s%s%d-%d", s, *s ? "," : "", i, j);
		free(s);
		s = t;
		i = j;
	}
	return s;
}

static int read_list(const char *name, bool *set)
{
	char *p = xasprintf("%s/devices/system/cpu/%s", sysroot(), name);
	char *v = read_file_trim(p);
	int n;

	free(p);
	if (!v) {
		memset(set, 0, WQB_MAX_CPUS * sizeof(bool));
		return -1;
	}
	n = cpulist_parse(v, set, WQB_MAX_CPUS);
	free(v);
	return n;
}

int cpus_online(bool *set)
{
	return read_list("online", set);
}

int cpus_possible(bool *set)
{
	return read_list("possible", set);
}

bool cpu_hotpluggable(int cpu)
{
	char *p = xasprintf("%s/devices/system/cpu/cpu%d/online", sysroot(), cpu);
	bool ok = access(p, W_OK) == 0;

	free(p);
	return ok;
}

int cpu_set_online(int cpu, bool online, int64_t *latency_us)
{
	bool set[WQB_MAX_CPUS];
	char *p;
	uint64_t t0;
	int r;

	*latency_us = -1;
	if (cpu < 0 || cpu >= WQB_MAX_CPUS)
		return -EINVAL;
	if (!online) {
		int n = cpus_online(set);

		if (n < 0)
			return -EIO;
		if (!set[cpu])
			return -EALREADY;
		if (n <= 1)
			return -EBUSY;	/* never the last online CPU */
	}
	if (!cpu_hotpluggable(cpu))
		return -EPERM;
	p = xasprintf("%s/devices/system/cpu/cpu%d/online", sysroot(), cpu);
	t0 = now_mono_ns();
	r = write_file_str(p, online ? "1" : "0");
	*latency_us = (int64_t)((now_mono_ns() - t0) / 1000);
	free(p);
	return r < 0 ? -errno : 0;
}
