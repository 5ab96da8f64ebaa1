/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Background load during a run: stress-ng and fio, started before warmup,
 * stopped at the end of the measured phase under a hard time limit, their
 * output saved in the result directory.  A tool that fails, or has to be
 * killed, fails its check: a run whose load did not happen is not a
 * measurement of that load.
 */
#ifndef WQB_BACKGROUND_H
#define WQB_BACKGROUND_H

#include "result.h"
#include "scenario.h"

#include <stdint.h>
#include <sys/types.h>

struct bg_proc {
	const char *name;	/* "stress-ng" / "fio" */
	pid_t pid;		/* 0 = not running */
	uint64_t started_ns;
	char skip[160];		/* why it did not start (SKIP) */
	char error[160];	/* why it could not start (FAIL) */
};

struct background {
	struct bg_proc stressng, fio;
	/* [fio] layer: the device set up under fio, torn down after it */
	char layer[16];		/* "", "loop", "dmcrypt" */
	char layer_dev[64];	/* /dev/loopN, /dev/mapper/wqbench_crypt */
};

/*
 * Start what the scenario asks for; run_ms is how long it must last
 * (warmup + measured phase).  The fio scratch disk is $WQBENCH_SCRATCH_DISK
 * (the guest's virtio disk) for target=disk.
 */
void background_start(const struct wqb_scenario *s, const char *result_dir, uint64_t run_ms,
		      struct background *bg);

/* Stop everything (SIGTERM, then SIGKILL after 10 s) and record checks. */
void background_stop(struct background *bg, struct run_result *res);

/* The guest's scratch disk for fio, or NULL. */
char *background_find_scratch_disk(void);

#endif /* WQB_BACKGROUND_H */
