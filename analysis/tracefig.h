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

struct tracefig_group {
	const char *name;		/* module group */
	char workqueue[48];		/* wqb_NAME */
	const struct wqtrace_fn *fn;	/* NULL: not in the trace */
	bool unbound;
	double module[TF_NFIG], trace[TF_NFIG];
	bool agree[TF_NFIG];
	/* why a figure is not compared (NULL: it is) */
	const char *not_comparable[TF_NFIG];
};

struct tracefig_offence {
	uint64_t work, ts_ns;		/* start, trace clock */
	int cpu, req_cpu;
	char group[24], mask[40];
};

struct tracefig {
	bool have;			/* trace.dat read */
	char err[256];			/* why not, when it exists */
	struct wqtrace t;
	struct tracefig_group *g;
	size_t ng;
	size_t disagree;		/* figures outside the tolerance */
	/* rebuilt oracles */
	uint64_t bound_checked, bound_excused, bound_violations;
	uint64_t unbound_checked, unbound_grace, unbound_stale, unbound_offline,
		unbound_violations;
	struct tracefig_offence bad[TRACEFIG_EVIDENCE * 2];
	size_t nbad;
};

/* Read rd->dir/trace.dat if there is one; ->have says whether it worked. */
void tracefig_load(struct tracefig *tf, const struct rundata *rd);
void tracefig_free(struct tracefig *tf);

#endif /* WQB_TRACEFIG_H */
