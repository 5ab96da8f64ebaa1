/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /sys/devices/virtual/workqueue: the global unbound cpumask and the
 * attributes of WQ_SYSFS workqueues.  Every write is read back: the kernel
 * silently replaces a per-queue mask that does not overlap the global one,
 * so what was written is not necessarily what is in effect.
 */
#ifndef WQB_WQSYSFS_H
#define WQB_WQSYSFS_H

#include <stdbool.h>

/* Path of a workqueue attribute; wq NULL means the global directory. */
char *wqsysfs_path(const char *wq, const char *attr);

/* Read an attribute (trimmed, malloc'd) or NULL. */
char *wqsysfs_read(const char *wq, const char *attr);

/*
 * Write value, then read back the effective value into *effective (malloc'd,
 * may be NULL on read failure).  Returns 0 or -errno of the write.
 */
int wqsysfs_write(const char *wq, const char *attr, const char *value, char **effective);

/* Normalise a hex cpumask ("0000000f", "f", "0x0f") to lower-case "f". */
char *cpumask_normalise(const char *mask);

/* a & b of two hex masks (normalised); "0" when they do not overlap. */
char *cpumask_and(const char *a, const char *b);

/* Hex mask (normalised) of a CPU set of max entries. */
char *cpumask_from_set(const bool *set, int max);

#endif /* WQB_WQSYSFS_H */
