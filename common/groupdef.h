/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The [group NAME] sections of a scenario file, read with the module's own
 * key table (kmod/wqbench_uapi.h): for readers of a result directory's
 * scenario.wqb (analysis/tracefig.c) that need a group's keys -- is it
 * unbound, does it requeue delayed -- without the harness's whole
 * scenario parser.  The file was checked when the run was made: a key
 * that does not parse keeps its default.
 */
#ifndef WQB_GROUPDEF_H
#define WQB_GROUPDEF_H

#include <stdbool.h>
#include <stddef.h>

#include "wqbench_uapi.h"

#define WQB_GROUPDEF_MAX	32	/* = WQB_MAX_GROUPS of harness/scenario.h */
#define WQB_GROUPDEF_NAME_MAX	16

struct wqb_groupdef {
	char name[WQB_GROUPDEF_NAME_MAX + 1];
	__u64 val[WQBENCH_GK_NR];	/* by WQBENCH_GK_*, defaults where not given */
	bool unbound;			/* flags=unbound or wq=system_unbound */
};

/* Up to max groups of the file at path into g; the count, or -1 when unreadable. */
int groupdefs_read(const char *path, struct wqb_groupdef *g, size_t max);

#endif /* WQB_GROUPDEF_H */
