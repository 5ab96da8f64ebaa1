/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf stat over the measured phase.
 *
 * `perf stat -a` stops counting a CPU once it goes offline and never picks
 * it up again, so a single perf stat across hotplug undercounts from the
 * first offline on.  wqbench therefore counts in segments: perf is
 * restarted after every hotplug transition, each segment saved with its
 * time span and the CPUs online during it, and the totals are the sums of
 * the valid segments, with the time they cover (counted_ms).
 */
#ifndef WQB_PERFSTAT_H
#define WQB_PERFSTAT_H

#include "result.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct perfstat {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool thread_started;
	char *dir;		/* <result>/perf/ */
	char *events;
	uint64_t t0_ns;
	/* under lock: */
	unsigned int split_gen;	/* bumped by every hotplug transition */
	bool stopping;
	/* the counting thread's own: */
	pid_t pid;		/* current segment's perf, 0 = none */
	int ctl_fd, ack_fd;	/* its --control fifos, -1 = none */
	char fifo_dir[64];	/* where the fifos live */
	unsigned int seg;
	uint64_t seg_start_ms, counted_ms;
	char *seg_online;
	json_t *segments;
	char error[200];
};

/*
 * Start counting in a thread of its own.  perf takes seconds to start under
 * TCG, and neither the measured phase nor the fault sources wait for it:
 * a segment counts from when perf acknowledges "enable".  A segment during
 * which a hotplug transition happened before perf was counting is marked
 * invalid and left out of the totals.  Returns 0, or -1 with ps->error set.
 */
int perfstat_start(struct perfstat *ps, const char *result_dir, const char *events, uint64_t t0_ns);
/* A hotplug transition happened: end the segment, start the next.  Never blocks on perf. */
void perfstat_split(void *ps);
/* End the last segment; write perf-stat.json; record the check. */
void perfstat_stop(struct perfstat *ps, struct run_result *res);

/* Parse one segment file of `perf stat -j` (a JSON object per line). */
json_t *perfstat_parse(const char *text);

#endif /* WQB_PERFSTAT_H */
