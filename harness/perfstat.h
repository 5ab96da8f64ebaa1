/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf stat over the measured phase.
 *
 * `perf stat -a` stops counting a CPU once it goes offline and never picks
 * it up again, so a single perf stat across hotplug undercounts from the
 * first offline on.  wqbench therefore counts in segments: perf is
 * restarted after every hotplug transition, each segment saved with its
 * time span and the CPUs online during it, and the totals are the sums of
 * the segments.
 */
#ifndef WQB_PERFSTAT_H
#define WQB_PERFSTAT_H

#include "result.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

struct perfstat {
	pthread_mutex_t lock;
	char *dir;		/* <result>/perf/ */
	char *events;
	uint64_t t0_ns;
	pid_t pid;		/* current segment's perf, 0 = none */
	unsigned int seg;
	uint64_t seg_start_ms;
	char *seg_online;
	json_t *segments;
	char error[200];
};

/* Start segment 0.  Returns 0, or -1 with ps->error set. */
int perfstat_start(struct perfstat *ps, const char *result_dir, const char *events, uint64_t t0_ns);
/* End the current segment and start the next (after a hotplug transition). */
void perfstat_split(void *ps);
/* End the last segment; write perf-stat.json; record the check. */
void perfstat_stop(struct perfstat *ps, struct run_result *res);

/* Parse one segment file of `perf stat -j` (a JSON object per line). */
json_t *perfstat_parse(const char *text);

#endif /* WQB_PERFSTAT_H */
