/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving wqbench.ko: loading and unloading it, and its debugfs control
 * files under /sys/kernel/debug/wqbench/ (format: docs/kmod.md).
 */
#ifndef WQB_KMODCTL_H
#define WQB_KMODCTL_H

#include <jansson.h>

/* finit_module(2) of the .ko at path.  Returns 0 or -errno. */
int kmodctl_load(const char *ko_path);
/* The path of the .ko kmodctl_load() last loaded, NULL before (trace.dat's symbols). */
const char *kmodctl_ko_path(void);
/* delete_module(2), retrying briefly while busy.  Returns 0 or -errno. */
int kmodctl_unload(void);
/* True when the module is loaded (its debugfs directory exists). */
int kmodctl_loaded(void);

/* One write of text to a control file.  Returns 0 or -errno. */
int kmodctl_write(const char *file, const char *text);
/* Read a control file (malloc'd) or NULL with errno set. */
char *kmodctl_read(const char *file);

/*
 * Parse the `stats` text ("# wqbench-stats 1", then "<type> k=v ...") into
 * {"version":1, "<type>": [ {k: v, ...}, ... ], ...}; numbers become JSON
 * integers.  Returns NULL when the text is not stats format.
 */
json_t *kmodctl_parse_stats(const char *text);

/* Sum of key over all objects of type in parsed stats. */
long long kmodctl_stat_sum(json_t *stats, const char *type, const char *key);

#endif /* WQB_KMODCTL_H */
