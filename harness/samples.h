/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Draining the module's binary `samples` file into samples.bin while the
 * run goes on, so the bounded buffer in the module does not overflow.
 */
#ifndef WQB_SAMPLES_H
#define WQB_SAMPLES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct samples_drain {
	pthread_t thread;
	bool running;
	volatile bool stop;
	int out_fd;
	uint64_t records;	/* records written to samples.bin */
	int error;		/* errno of a failed read/write, 0 if none */
};

/* Start draining into <result_dir>/samples.bin.  Returns 0 or -errno. */
int samples_drain_start(struct samples_drain *d, const char *result_dir);
/* Stop, after draining what is left. */
void samples_drain_stop(struct samples_drain *d);

#endif /* WQB_SAMPLES_H */
