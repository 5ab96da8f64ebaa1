/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `wqbench run` as a library (harness/run.c): plan every run of a scenario
 * or suite before any guest boots, then execute the plan.  The options
 * and usage are harness/cmd_run.c's.
 */
#ifndef WQB_RUN_H
#define WQB_RUN_H

#include "kernel.h"
#include "scenario.h"

#include <stdbool.h>
#include <stdint.h>

struct run_opts {
	bool host;
	const char *kernel, *kernel_image, *kernel_build;
	const char *results_root, *result_dir, *kmod, *kernel_config;
	const char *accel;
	const char *icount;		/* QEMU's -icount value (vm_icount_parse()), NULL = none */
	const char *append;		/* extra kernel command line */
	const char *guest_init;		/* another /init: failure simulation */
	const char *batch;		/* guest side of a batch (with --host) */
	unsigned int cpus;		/* 0 = from the scenario */
	uint64_t memory_mib;		/* 0 = from the scenario */
	uint64_t grace_s;
	uint64_t duration_ms;		/* 0 = from the scenario */
};

struct planned_run;

/* What run_plan() makes and run_execute() carries out. */
struct run_plan {
	struct wqb_suite suite;
	struct planned_run *runs;
	size_t total;
	char *results_root;
	struct wqb_kernel k;
	bool have_kernel;
	char *ko;		/* the module for the guest kernel */
};

/*
 * Every run of target (a scenario or a suite), each file checked with the
 * run's --duration, the results directory made, the guest kernel and its
 * module ready.  Returns 0, or 2 with nothing booted.
 */
int run_plan(const struct run_opts *ro, const char *target, struct run_plan *pl);
/* Every planned run; the suite's KTAP stream and tally.  Returns the exit status. */
int run_execute(const struct run_opts *ro, struct run_plan *pl);
void run_plan_free(struct run_plan *pl);
/* The guest side of a suite run (--host --batch LIST).  Returns the exit status. */
int run_batch_on_host(const struct run_opts *ro, const char *list);

#endif /* WQB_RUN_H */
