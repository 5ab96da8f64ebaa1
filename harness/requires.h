/* SPDX-License-Identifier: GPL-2.0 */
/*
 * [global] requires: kernel features and tools a scenario cannot run
 * without.  Checked on the machine under test (the guest) before anything
 * is changed; a run that lacks one is a SKIP naming what is missing.
 */
#ifndef WQB_REQUIRES_H
#define WQB_REQUIRES_H

#include <stdbool.h>
#include <stddef.h>

/* the words [global] requires accepts, as a scenario.c choice list */
#define REQUIRES_CHOICES \
	"affinity_scope|wq_bh|hotplug_fail|failslab|fail_page_alloc|dm_crypt|loop|fio|stress_ng|perf|trace_cmd"

/* true when every feature of the comma list is present; else why names the first missing */
bool requires_met(const char *list, char *why, size_t len);

#endif /* WQB_REQUIRES_H */
