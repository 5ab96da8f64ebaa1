/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running one scenario against the running kernel (`wqbench run --host`):
 * inside the QEMU guest this is what the guest init starts; on a real test
 * machine the user opts in with --host.
 */
#ifndef WQB_HOSTRUN_H
#define WQB_HOSTRUN_H

#include "scenario.h"

struct hostrun_opts {
	const char *result_dir;
	const char *ko_path;		/* the module built for the running kernel */
	const char *kernel_config;	/* .config of the running kernel, if known */
};

/*
 * Execute s, writing everything into o->result_dir.  Returns 0 when the
 * verdict is pass, 1 when it is fail, 2 when the run could not be carried
 * out at all.
 */
int hostrun_execute(const struct wqb_scenario *s, const struct hostrun_opts *o);

#endif /* WQB_HOSTRUN_H */
