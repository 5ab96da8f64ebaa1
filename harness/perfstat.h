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
	bool ready;		/* the first perf can count, or never will */
	bool begun;		/* perfstat_begin(): the measured phase started */
	/* the counting thread's own: */
	pid_t pid;		/* current segment's perf, 0 = none */
	int ctl_fd, ack_fd;	/* its --control fifos, -1 = none */
	char fifo_dir[64];	/* where the fifos live */
	unsigned int seg;
	uint64_t seg_start_ms, counted_ms;
	char *seg_online;
	json_t *segments;
	/*
	 * The perf the end of the phase found still starting (after a
	 * transition, on a slow or busy host perf can take longer than what
	 * is left of the phase): its segment number, -1 for none, and how
	 * long it had been starting.  Recorded, so that a split the end cut
	 * short is told from one never tried.
	 */
	int cut_short_seg;
	uint64_t cut_short_ms;
	char error[200];
};

/*
 * Start the counting thread and its first perf, and return once that perf
 * is ready to count: perf takes seconds to start under TCG, so this is
 * done before the measured phase, where its start-up neither eats into
 * the measurement nor races the first hotplug transition.  Returns 0, or
 * -1 with ps->error set (perfstat_stop() records it).
 */
int perfstat_start(struct perfstat *ps, const char *result_dir, const char *events);
/*
 * The measured phase begins at t0_ns: the first segment counts from when
 * perf acknowledges "enable".  Later segments start after each hotplug
 * transition, and neither the measurement nor the fault sources wait for
 * them; one during whose start a transition happened is marked invalid
 * and left out of the totals.
 */
void perfstat_begin(struct perfstat *ps, uint64_t t0_ns);
/* A hotplug transition happened: end the segment, start the next.  Never blocks on perf. */
void perfstat_split(void *ps);
/* End the last segment; write perf-stat.json; record the check. */
void perfstat_stop(struct perfstat *ps, struct run_result *res);

/* Parse one segment file of `perf stat -j` (a JSON object per line). */
json_t *perfstat_parse(const char *text);

#endif /* WQB_PERFSTAT_H */
