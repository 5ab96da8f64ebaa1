/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU hotplug through /sys/devices/system/cpu: which CPUs exist and are
 * online, and taking one offline or bringing it back with the time it took.
 * The last online CPU and CPUs without an `online` file (CPU 0 on x86) are
 * never taken offline.
 */
#ifndef WQB_HOTPLUG_H
#define WQB_HOTPLUG_H

#include <stdbool.h>
#include <stdint.h>

#define WQB_MAX_CPUS 1024

/* Parse a kernel CPU list ("0-3,5") into a bitmap of WQB_MAX_CPUS bits. */
int cpulist_parse(const char *s, bool *set, int max);
/* Render a bitmap as a kernel CPU list into a malloc'd string. */
char *cpulist_format(const bool *set, int max);

/* Read /sys/devices/system/cpu/{online,possible}; count returned, -1 on error. */
int cpus_online(bool *set);
int cpus_possible(bool *set);
/* True when cpuN has an online file (can be hot-unplugged at all). */
bool cpu_hotpluggable(int cpu);

/*
 * Set cpu online (1) or offline (0).  Returns 0, or -errno.  *latency_us gets
 * the duration of the sysfs write.  Refuses (-EBUSY) to offline the last
 * online CPU.
 */
int cpu_set_online(int cpu, bool online, int64_t *latency_us);

#endif /* WQB_HOTPLUG_H */
