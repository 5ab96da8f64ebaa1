/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /sys/devices/virtual/workqueue: the global unbound cpumask and the
 * attributes of WQ_SYSFS workqueues.  Every write is read back: the kernel
 * silently replaces a per-queue mask that does not overlap the global one,
 * so what was written is not necessarily what is in effect.
 */
#ifndef WQB_WQSYSFS_H
#define WQB_WQSYSFS_H

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

#endif /* WQB_WQSYSFS_H */
