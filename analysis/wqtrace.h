/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wqtrace: one streaming pass over a trace.dat (every buffer merged in time
 * order), the workqueue events paired per work item and aggregated per
 * (workqueue, function), and CPU hotplug steps timed per state and per
 * transition.  docs/trace-analysis.md says what is computed, from which
 * fields, and the limits.
 *
 * Memory grows with the work items in flight and the distinct
 * (workqueue, function) pairs, hotplug states and time bins -- never with
 * the number of events.
 *
 * The pairing engine (wqtrace_init/feed/finish) takes normalised events,
 * so the tests can feed it hand-made sequences; wqtrace_read()
 * (wqtrace_read.c) decodes a file into them with libtracecmd/libtraceevent
 * in a decoder child process, finding every field by name (6.1 and 6.12
 * lay the events out differently).
 */
#ifndef WQB_WQTRACE_H
#define WQB_WQTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loghist.h"

#define WQTRACE_NO_CPU		INT32_MIN
/* workqueue of an item whose queue_work is not in the trace */
#define WQTRACE_UNKNOWN		"?"

/* One execution, handed to opts->on_exec when it ends (end_ts == 0: still
 * running when the trace ended).  0 timestamps were not seen. */
struct wqtrace_exec {
	uint64_t work;
	const char *workqueue;
	const char *function;
	uint64_t queue_ts, activate_ts, start_ts, end_ts;
	int req_cpu;		/* from queue_work; WQTRACE_NO_CPU if not seen */
	int pool_cpu;		/* queue_work's cpu: the pool the kernel chose */
	int cpu;		/* CPU the execute_start was recorded on */
	int pid;		/* the kworker */
	bool matched;		/* its queue_work is in the trace */
	bool queued_running;	/* queued while its previous run still ran: the
				 * kernel keeps it on that pool (non-reentrancy) */
};

struct wqtrace_opts {
	uint64_t bin_ns;	/* heatmap bin width; 0: 100 ms */
	unsigned int max_bins;	/* bins kept per (workqueue, function); 0: 100000 */
	void (*on_exec)(const struct wqtrace_exec *x, void *arg);
	void *arg;
	/* decode in this process, after a probe child opened the file once,
	 * instead of in a decoder child (wqtrace_read.c): for the fuzzer, so
	 * the sanitizers watch the decoder too */
	bool in_process;
};

/* One (workqueue, function) pair. */
struct wqtrace_fn {
	const char *workqueue;
	const char *function;	/* symbol, or 0x<address> */
	uint64_t queued;	/* queue_work events */
	uint64_t executed;	/* execute_start events */
	uint64_t matched;	/* executions whose queue_work is in the trace */
	uint64_t completed;	/* executions whose execute_end is in the trace */
	uint64_t cross_cpu;	/* queued for a CPU (req_cpu < ncpus), ran on another */
	uint64_t unbound;	/* matched executions queued WORK_CPU_UNBOUND */
	/*
	 * Executions the trace's start cut, attributed here by the item's
	 * next queue_work: started with no queue_work in the trace (their
	 * queue->start is unknown, and they count under the unknown
	 * workqueue), ended with no start in it (run time unknown).  They
	 * are missing from the histograms below, and not at random: the
	 * longer an execution, the likelier the start cuts it.
	 */
	uint64_t censored_starts, censored_ends;
	struct loghist queue_to_activate;	/* held back by max_active */
	struct loghist activate_to_start;	/* waiting for a worker */
	struct loghist queue_to_start;
	struct loghist run;			/* execute_start -> execute_end */
	uint64_t *per_cpu;	/* [ncpus] executions by CPU */
	int *pids;		/* [npids] kworker PIDs that ran it, ascending */
	size_t npids;
	/* [nbins][ncpus] executions started per bin and CPU; bin i starts at
	 * first_ts + i * bin_ns */
	uint32_t *bins;
	size_t nbins;
	/* per bin (by start time) of matched executions: queue->start sum, max, count */
	double *bin_lat_sum;
	uint64_t *bin_lat_max;
	uint32_t *bin_lat_n;
	size_t nlatbins;
	size_t pid_cap, bin_cap, lat_cap;	/* private */
};

/* Time in one hotplug state callback (enter -> exit on the same cpu and idx). */
struct wqtrace_hpstate {
	int idx;
	bool up;		/* bring-up (idx <= target) or teardown */
	const char *function;	/* callback named by the first enter */
	uint64_t count, failed;	/* failed: exits with ret != 0 */
	uint64_t total_ns, min_ns, max_ns;
};

/* One CPU's hotplug transition: first enter to last exit of consecutive
 * steps in one direction (teardown's two phases are one transition). */
struct wqtrace_hptrans {
	int cpu;
	bool up;
	uint64_t start_ts, end_ts;
	unsigned int steps, failed;
	bool complete;		/* every enter got its exit */
};

struct wqtrace_evcount {
	const char *name;
	uint64_t count;
};

struct wqtrace_priv;

struct wqtrace {
	uint64_t events;
	uint64_t first_ts, last_ts;
	unsigned int ncpus;
	uint64_t bin_ns;
	struct wqtrace_evcount *types;	/* per event name, sorted */
	size_t ntypes;

	uint64_t missed_events;	/* what the ring buffer said it lost */
	uint64_t missed_unknown;	/* records after a loss of unknown size */
	uint64_t bad_records;	/* undecodable, or time going back */
	char note[256];		/* the first reason for bad_records or a missing field */

	/* pairing, over all (workqueue, function) */
	uint64_t executed, matched;
	uint64_t unmatched;		/* execute_start with no queue_work before it */
	uint64_t ends_unmatched;	/* execute_end with no execute_start before it */
	uint64_t activate_unmatched;	/* activate_work with no queue_work before it */
	uint64_t requeued_running;	/* queue_work of an item while it ran */
	uint64_t pending_replaced;	/* queue_work of an item already pending */
	uint64_t ends_missing;		/* execute_start of an item still running */
	uint64_t pending_at_end, running_at_end;
	/* censored executions of items never queued again in the trace */
	uint64_t censored_starts_unknown, censored_ends_unknown;
	uint64_t inflight_max;		/* most work items tracked at once */
	uint64_t bins_overflow;		/* executions past max_bins */

	struct wqtrace_fn **fns;	/* by workqueue, then function */
	size_t nfns;
	struct wqtrace_hpstate *hpstates;	/* teardown first, then by idx */
	size_t nhpstates;
	struct wqtrace_hptrans *hptrans;	/* by start time */
	size_t nhptrans;
	uint64_t hp_unmatched_exit;

	struct wqtrace_priv *priv;
};

/* Read a trace.dat: 0 with *out filled, or -1 with err set.  Either way
 * wqtrace_free(out).  opts may be NULL. */
int wqtrace_read(const char *path, const struct wqtrace_opts *opts, struct wqtrace *out,
		 char *err, size_t errlen);
void wqtrace_free(struct wqtrace *t);

const struct wqtrace_fn *wqtrace_find(const struct wqtrace *t, const char *workqueue,
				      const char *function);
uint64_t wqtrace_count(const struct wqtrace *t, const char *event);

/* ---- the pairing engine ---------------------------------------------- */

enum wqtrace_kind {
	WQTRACE_EV_OTHER,	/* only counted */
	WQTRACE_EV_QUEUE,
	WQTRACE_EV_ACTIVATE,
	WQTRACE_EV_START,
	WQTRACE_EV_END,
	WQTRACE_EV_HP_ENTER,	/* cpuhp_enter, cpuhp_multi_enter */
	WQTRACE_EV_HP_EXIT,
	WQTRACE_EV_BAD,		/* a record that could not be decoded */
};

/* One event, normalised.  The engine copies the strings it keeps. */
struct wqtrace_event {
	enum wqtrace_kind kind;
	const char *name;	/* event name, for the per-type counts */
	uint64_t ts;
	int cpu;		/* CPU that recorded it */
	int pid;
	int64_t missed;		/* the record's missed_events: 0, a count, or -1 */
	uint64_t work;
	const char *function;	/* NULL when the event has none */
	const char *workqueue;	/* queue_work */
	int req_cpu;		/* queue_work; WQTRACE_NO_CPU when absent */
	int pool_cpu;		/* queue_work's cpu field; WQTRACE_NO_CPU when absent */
	int hp_cpu, hp_target, hp_idx, hp_ret;
};

/* ncpus sizes the per-CPU tables; a req_cpu at or above it is
 * WORK_CPU_UNBOUND. */
int wqtrace_init(struct wqtrace *t, const struct wqtrace_opts *opts, unsigned int ncpus);
/* events in time order; 0, or -1 when out of memory */
int wqtrace_feed(struct wqtrace *t, const struct wqtrace_event *ev);
/* closes what is still open, sorts the tables */
int wqtrace_finish(struct wqtrace *t);
/* the engine's copy of s: pointer-comparable; NULL when out of memory */
const char *wqtrace_intern(struct wqtrace *t, const char *s);

/* a 64-bit mix (murmur3's finaliser) for the open-addressing tables of
 * the engine and the reader: addresses and pointers spread over the slots */
static inline uint64_t wqtrace_hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

#endif /* WQB_WQTRACE_H */
