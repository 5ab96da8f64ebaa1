/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The [group NAME] sections of a scenario file, read with the module's own
 * key table (kmod/wqbench_uapi.h): for readers of a result directory's
 * scenario.wqb (analysis/tracefig.c) that need a group's keys -- is it
 * unbound, does it requeue delayed -- without the harness's whole
 * scenario parser.  The file was checked when the run was made, so a
 * group key that is unknown or does not parse, or a line that is not INI,
 * means the copy was damaged since: the whole file is refused, never read
 * in part (a group taken for bound that was unbound would be judged by the
 * wrong oracle).
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

/*
 * Up to max groups of the file at path into g; the count, or -1 with why
 * in err when it is unreadable or damaged.
 */
int groupdefs_read(const char *path, struct wqb_groupdef *g, size_t max, char *err,
		   size_t errlen);

#endif /* WQB_GROUPDEF_H */
