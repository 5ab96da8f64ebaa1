/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running one scenario against the running kernel (`wqbench run --host`):
 * inside the QEMU guest this is what the guest init starts; on a real test
 * machine the user opts in with --host.
 */
#ifndef WQB_HOSTRUN_H
#define WQB_HOSTRUN_H

#include "scenario.h"

/*
 * Execute s, writing everything into result_dir.  ko_path is the module
 * built for the running kernel.  Returns 0 when the verdict is pass, 1 when
 * it is fail, 2 when the run could not be carried out at all.
 */
int hostrun_execute(const struct wqb_scenario *s, const char *result_dir, const char *ko_path);

#endif /* WQB_HOSTRUN_H */
