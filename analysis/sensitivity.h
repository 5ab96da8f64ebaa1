/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sensitivity study of `wqbench compare` (issue 15): pools of runs of
 * one scenario -- a baseline and candidates slowed by a calibrated amount
 * -- and detection rates estimated by drawing n runs a side from the
 * pools, without replacement, many times, each draw judged by
 * compare_judge() exactly as `wqbench compare` judges.  Also the small
 * table the study publishes (docs/sensitivity-mde.tsv: the minimum
 * detectable effect per run count) and its reader, which compare-kernels
 * uses to say what its comparison could have caught.
 *
 * tests/sensitivity/ holds the command and its driver; docs/compare.md
 * the figures and what they do and do not claim.
 */
#ifndef WQB_SENSITIVITY_H
#define WQB_SENSITIVITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SENS_FAMILIES	2	/* 0: every metric in Holm, 1: the declared family */
#define SENS_LEVEL	0.8	/* the detection rate the MDE is read at */

struct sens_metric {
	char *key, *unit;
	bool higher_better;
};

struct sens_pool {
	char *scenario;		/* the scenario name its runs carry */
	double nominal;		/* nominal size in % (baseline: 0) */
	size_t nruns;
	char **dirs;
	double *v;		/* nruns x study nm, row-major; NaN: the run lacks it */
	size_t nexcluded;	/* failed or incomplete runs, left out */
	char **excluded;	/* "DIR: why" */
	/*
	 * the A/A pool drawn from the baseline itself: added under the
	 * baseline's scenario name (nominal 0), it holds no runs; a draw of
	 * n a side takes 2n distinct baseline runs and splits them, the full
	 * comparison splits the baseline pool interleaved (odd against even
	 * runs, in the order they ran)
	 */
	bool split;
};

/* outcomes of the draws of one candidate pool at one n, one family */
struct sens_cell {
	bool done;		/* n fits both pools */
	size_t draws;
	size_t detected;	/* the primary metric called regressed */
	size_t any_regressed;	/* some metric called regressed (exit 1) */
	size_t any_flagged;	/* some metric called regressed or improved */
	size_t exit_class[4];	/* by enum cmp_exit */
};

struct sens_full {		/* the full candidate pool against the full baseline pool */
	double pct;		/* primary: HL shift, % of the baseline median */
	double effect;		/* pct in the worse direction (+ = worse) */
	double lo_pct, hi_pct;	/* effect's 95% interval (Moses), worse direction */
	const char *verdict;	/* primary, every metric in Holm */
	size_t nregressed;	/* metrics called regressed, every metric in Holm */
};

struct sens_study {
	/* set by the caller */
	double alpha, min_effect_pct;
	const char *primary;	/* metric key of the primary metric */
	const char *family;	/* the declared family (compare --metrics), or NULL */
	size_t *n;		/* run counts a side */
	size_t nn;
	size_t draws;
	uint64_t seed;
	/* filled */
	struct sens_metric *m;
	size_t nm;
	size_t primary_idx;
	struct sens_pool *pool;	/* pool[0] the baseline */
	size_t npool;
	size_t judged[SENS_FAMILIES];	/* metrics in each Holm family (full pools) */
	struct sens_full *full;	/* per pool (index 0 unused) */
	struct sens_cell *cell;	/* [pool][n][family], pool 0 unused */
	double *mde;		/* [n][family], effect % at SENS_LEVEL, at least the
				 * minimum effect; NaN: not reached */
};

/* splitmix64: the study's only source of randomness, same on every host */
uint64_t sens_rng(uint64_t *state);
/* n distinct indices of 0..pool-1 into out (partial Fisher-Yates); n <= pool */
void sens_draw(uint64_t *state, size_t pool, size_t n, size_t *out);

/* add a pool (baseline first; a later pool named as the baseline is its
 * split, the A/A pool); returns its index */
size_t sens_pool_add(struct sens_study *s, const char *scenario, double nominal);
/* a metric (before any run is pushed: each run's row has room for all) */
size_t sens_metric_add(struct sens_study *s, const char *key, const char *unit,
		       bool higher_better);
/* a run's values, vals[i] for the metric keys[i]; unknown keys are added */
void sens_pool_push(struct sens_study *s, size_t pool, const char *dir, const char *const *keys,
		    const char *const *units, const bool *higher_better, const double *vals,
		    size_t k);
/*
 * Every run directory in roots (a run, a directory of runs, or of
 * directories of runs) whose scenario is a pool's goes to that pool, its
 * metrics read as `wqbench compare` reads them; a run with a failed check
 * or incomplete is left out and listed.  0, or -1 with err.
 */
int sens_load(struct sens_study *s, char **roots, size_t nroots, char *err, size_t errlen);

/* the draws, the full-pool shifts and the MDE; 0, or -1 with err (no primary, bad family) */
int sens_run(struct sens_study *s, char *err, size_t errlen);
static inline struct sens_cell *sens_cell_at(const struct sens_study *s, size_t pool, size_t ni,
					     int fam)
{
	return &s->cell[(pool * s->nn + ni) * SENS_FAMILIES + (size_t)fam];
}

/*
 * The effect at which the detection rate first reaches level, by linear
 * interpolation between consecutive sizes (effect[i], rate[i]), sizes in
 * increasing nominal order, negative effects taken as 0.  NaN when no size
 * reaches it.
 */
double sens_mde(const double *effect, const double *rate, size_t k, double level);

/* the per-item delay in ns making a throughput T (the median of a pool) drop
 * by pct% on cpus CPUs: cost cpus/T, times pct/(100-pct) */
double sens_calibrate_delay_ns(double throughput, unsigned cpus, double pct);
/*
 * The same for the queue->start latency of a closed loop with m items in
 * flight per CPU, slowed at pickup: an item waits for the m-1 ahead of it,
 * each d longer, and for its own d, so latency (m-1)c grows by m*d:
 * d = latency * pct/100 / m.
 */
double sens_calibrate_latency_delay_ns(double latency_ns, double m, double pct);

/* OUT/sensitivity.json, OUT/sensitivity.md, OUT/mde.tsv, OUT/sensitivity.{svg,png}
 * (the plot only when gnuplot is there); info: "key=value" lines of the study
 * (date, host, command) carried into every file.  0 or -1 with err. */
int sens_write(const struct sens_study *s, const char *dir, char **info, size_t ninfo,
	       char *err, size_t errlen);

void sens_free(struct sens_study *s);
/*
 * gnuplot NAME.gp in dir (where its data files are), through spawn_run(),
 * no shell: NAME.svg and NAME.png as the script says.  0, or -1 with err
 * naming the script and its log (dir/NAME.gnuplot.log, kept on failure).
 */
int sens_gnuplot(const char *dir, const char *name, char *err, size_t errlen);

/* --- docs/sensitivity-mde.tsv, read back --------------------------------- */

struct sens_mde_row {
	size_t n;
	double mde[SENS_FAMILIES];	/* NaN: not reached; -INFINITY: nothing can be called */
	char *scenario;			/* the scenario studied; NULL: a one-study table */
	char *metric;
	size_t judged[SENS_FAMILIES];
};

/*
 * Two formats: one study (metric and judged lines, then RUNS EVERY
 * DECLARED rows), or the suite study's rows, one per scenario, metric and
 * run count: "mde SCENARIO METRIC JUDGED_EVERY JUDGED_DECLARED RUNS EVERY
 * DECLARED".  metric and judged: the one study's, or those of a table
 * narrowed by sens_mde_select(); scenario: the narrowed table's.
 */
struct sens_mde_table {
	char *date, *host, *metric, *family, *scenario;
	size_t judged[SENS_FAMILIES];
	struct sens_mde_row *row;
	size_t nrows;
};

int sens_mde_read(const char *path, struct sens_mde_table *t, char *err, size_t errlen);
/*
 * One sentence: what a comparison with n runs on its smaller side and
 * n_other on the other catches 80% of the time, by the table's row for n
 * (more runs on one side only help: "at most") -- the declared-family
 * column when declared -- or "not measured for n", with the neighbouring
 * rows when n lies between two; judged is the comparison's own Holm family
 * size, said beside the study's.  Malloc'd.
 */
char *sens_mde_sentence(const struct sens_mde_table *t, size_t n, size_t n_other, bool declared,
			size_t judged);
void sens_mde_free(struct sens_mde_table *t);
/*
 * The rows of t for scenario and metric (metric NULL: the first metric t
 * has for that scenario; scenario NULL: a one-study table's rows) into
 * out, a table of its own (sens_mde_free it).  0, or -1 when t has none.
 */
int sens_mde_select(const struct sens_mde_table *t, const char *scenario, const char *metric,
		    struct sens_mde_table *out);

struct comparison;
/* the published table: $WQBENCH_SRC/docs/sensitivity-mde.tsv */
char *sens_mde_path(void);
/*
 * The sentences for comparison c by the published table, or NULL when there
 * is none.  A table of the suite study: one line per scenario of c the
 * table has, by that scenario's rows (its queue->start p50 and p90), n the
 * run count a side (the smaller) of that metric in c; the scenarios of c
 * the study did not measure named in one more line.  A one-study table:
 * one line, n of the study's metric when c has it, else the smallest of
 * c's judged metrics.
 */
char *sens_mde_for(const struct comparison *c);
/*
 * The table's run counts and what each catches, for advice ("6 runs a side
 * catch 25% of M 80% of the time, 10 catch 12%, ..."), or NULL.
 */
char *sens_mde_advice(bool declared);

#endif /* WQB_SENSITIVITY_H */
