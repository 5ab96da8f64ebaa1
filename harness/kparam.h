/* SPDX-License-Identifier: GPL-2.0 */
/*
 * [kparam]: kernel module parameters (/sys/module/MODULE/parameters/PARAM)
 * set for one run and put back after it.  Each file is saved in the state
 * file before it is written (state_add_file), so the end of the run, a
 * signal and `wqbench restore` after a crash all put the old value back.
 */
#ifndef WQB_KPARAM_H
#define WQB_KPARAM_H

#include "result.h"
#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>

/* /sys/module/MODULE/parameters/PARAM ($WQBENCH_SYSFS instead of /sys in tests) */
char *kparam_path(const char *module, const char *param);

/*
 * Does this kernel have every parameter of s?  When one is missing, why
 * names it: the run is then a SKIP, as for [global] requires.  Touches
 * nothing.
 */
bool kparam_present(const struct wqb_scenario *s, char *why, size_t len);

/*
 * Save, write and read back every parameter of s, in file order, then
 * the harness's own defaults the scenario leaves unset (in a TCG guest of
 * a kernel with CONFIG_WQ_CPU_INTENSIVE_REPORT: the CPU-intensive
 * threshold, see kparam.c): one
 * check, "kparam", and summary.json "kparam" (name, value, was, reads,
 * error for each).  Stops at the first the kernel refuses and returns -1
 * (the check fails, naming it and the error); what was written before is
 * put back by state_restore().
 */
int kparam_apply(const struct wqb_scenario *s, struct run_result *res);

#endif /* WQB_KPARAM_H */
