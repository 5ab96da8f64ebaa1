/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a run's trace.dat says, next to what the module says: per group the
 * trace's own latency, run time and throughput and whether they agree with
 * the module's, and the placement oracles rebuilt from the trace and the
 * fault log (events.csv) with the first offending items as evidence.
 */
#ifndef WQB_TRACEFIG_H
#define WQB_TRACEFIG_H

#include "rundata.h"
#include "wqtrace.h"

#include <stdbool.h>

/* tolerance of the module/trace agreement: 10% or 5 µs, whichever is larger */
#define TRACEFIG_TOL_PCT	10.0
#define TRACEFIG_TOL_NS		5000.0
/*
 * Run time: execute_start -> execute_end also holds the module's own
 * histogram and sample bookkeeping after its end stamp, µs to tens of µs
 * under TCG on a busy host: 25% or 10 µs.
 */
#define TRACEFIG_TOL_RUN_PCT	25.0
#define TRACEFIG_TOL_RUN_NS	10000.0
/*
 * Run time p99 of near-empty work (a few µs): the tracepoints' own cost
 * and an interrupt between a stamp and its tracepoint decide the tail
 * under TCG -- seen 20 µs by the module, 51 µs by the trace: 50 µs.
 */
#define TRACEFIG_TOL_TAIL_NS	50000.0
#define TRACEFIG_GRACE_MS	100
#define TRACEFIG_EVIDENCE	5

enum { TF_LAT_P50, TF_LAT_P99, TF_RUN_P50, TF_RUN_P99, TF_TPUT, TF_NFIG };
extern const char *const tracefig_fig_name[TF_NFIG];

/*
 * Fewest paired items for a measured band (below it: the fixed tolerance).
 * The band's quantiles of the offset need a few items beyond their rank.
 */
#define TRACEFIG_MIN_PAIRS	20
#define TRACEFIG_UNPAIRED_PCT	1.0

struct tracefig_group {
	const char *name;		/* module group */
	char workqueue[48];		/* wqb_NAME */
	const struct wqtrace_fn *fn;	/* NULL: not in the trace */
	bool unbound;
	double module[TF_NFIG], trace[TF_NFIG];
	bool agree[TF_NFIG];
	/* why a figure is not compared (NULL: it is) */
	const char *not_comparable[TF_NFIG];
	/*
	 * The band the module's figure must lie in ([lo, hi], ns or items/s)
	 * and whether it was measured from paired items (banded) or is the
	 * fixed tolerance around the trace's figure.
	 */
	double lo[TF_NFIG], hi[TF_NFIG];
	bool banded[TF_NFIG];
	/*
	 * instrument=sampled: the module's percentiles come from one item in
	 * `every`, `timed` of them (its histogram's count), the trace's from
	 * all: the band is widened by that sample's own uncertainty.
	 */
	unsigned int every;		/* 0 or 1: every item timed */
	uint64_t timed;
	/*
	 * Items of samples.bin paired with their execution in the trace: how
	 * far outside the tracepoints the module's stamps sat, per item --
	 * queue->start: (queue_work - module's queue stamp) + (module's start
	 * stamp - execute_start); run: (module's start - execute_start) +
	 * (execute_end - module's end); start: the first term alone.  Sorted
	 * once read.
	 */
	double *off_lat, *off_run, *off_start;
	size_t npairs, cap;
	uint64_t samples_in_window;	/* records whose stamps lie inside the trace */
	/*
	 * More than TRACEFIG_UNPAIRED_PCT of those found no execution of the
	 * trace that holds them: the two sides saw different items.
	 */
	bool unpaired_bad;
};

struct tracefig_offence {
	uint64_t work, ts_ns;		/* start, trace clock */
	int cpu, req_cpu;
	char group[24], mask[40];
};

struct tracefig {
	bool have;			/* trace.dat read */
	char err[256];			/* why not, when it exists */
	char groups_err[256];		/* scenario.wqb unreadable: placement not judged */
	char pair_note[128];		/* why samples.bin could not be paired */
	struct wqtrace t;
	struct tracefig_group *g;
	size_t ng;
	size_t disagree;		/* figures outside the tolerance */
	/* rebuilt oracles */
	uint64_t bound_checked, bound_excused, bound_violations;
	uint64_t unbound_checked, unbound_grace, unbound_stale, unbound_offline,
		unbound_widened, unbound_violations;
	struct tracefig_offence bad[TRACEFIG_EVIDENCE * 2];
	size_t nbad;
};

/*
 * instrument=sampled: how far (in quantile) the module's q-quantile of its
 * `timed` items may stray from the q-quantile of all items -- 3 binomial
 * standard deviations of a sample of that size; 0 when every item was
 * timed (every <= 1), 1 (any value) when none was.  The band is then
 * tracefig_band()'s lower bound at q - slack and its upper at q + slack.
 */
double tracefig_sampling_slack(unsigned int every, uint64_t timed, double q);
/*
 * The quantiles [*ql, *qh] of a trace histogram of n executions that bound
 * the module's quantile when u more of its executions were cut by the
 * trace's start; *open_top when nothing bounds it from above.
 */
void tracefig_censor(uint64_t n, uint64_t u, double *ql, double *qh, bool *open_top);

/*
 * The band [*lo, *hi] the module's q-quantile must lie in, given the
 * trace's histogram L of the same items and the sorted per-item offsets of
 * n paired items: sign > 0 when the module's interval holds the trace's
 * (M = L + D), < 0 when the trace's holds the module's (M = L - D).  dl
 * feeds the lower bound, dh the upper (the same array, or for run time
 * the start offsets alone).  tracefig.c says why it holds.
 */
void tracefig_band(const struct loghist *L, double q, int sign, const double *dl,
		   const double *dh, size_t n, double *lo, double *hi);

/* Read rd->dir/trace.dat if there is one; ->have says whether it worked. */
void tracefig_load(struct tracefig *tf, const struct rundata *rd);
/*
 * Unbound containment: was execution x, outside the effective mask eff,
 * put on its old pool by non-reentrancy?  Queued while its previous run
 * still ran; or that run (ended at prev_end_ts, 0: none seen, on
 * prev_cpu) was on an old pool -- it ended outside eff, or it started
 * before the mask change returned (prev_before_change) -- and x was
 * queued within the grace window after, or x ran on the same worker,
 * which had run nothing since (worker_stayed).
 */
bool tracefig_kept_on_old_pool(const struct wqtrace_exec *x, uint64_t prev_end_ts, int prev_cpu,
			       bool prev_before_change, bool worker_stayed, uint64_t eff);
void tracefig_free(struct tracefig *tf);

#endif /* WQB_TRACEFIG_H */
