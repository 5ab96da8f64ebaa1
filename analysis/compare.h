/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Before/after comparison of two sets of runs (compare.c judges,
 * compare_write.c writes the formats).  docs/compare.md says how each
 * metric is judged and why.
 */
#ifndef WQB_COMPARE_H
#define WQB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CMP_MIN_RUNS	3

enum cmp_verdict {
	CMP_REGRESSED,
	CMP_IMPROVED,
	CMP_UNCHANGED,
	CMP_NOISY,		/* a shift past the minimum effect, not significant */
	CMP_FEW_RUNS,		/* significance impossible with these run counts, and
				 * the data does not show the metric unchanged */
	CMP_NOT_JUDGED,		/* fewer than CMP_MIN_RUNS a side */
	CMP_INFO,		/* shown, never judged (tail maxima) */
};

/* exit statuses of compare and compare-kernels (docs/compare.md) */
enum cmp_exit {
	CMP_EXIT_PASS = 0,		/* nothing regressed, nothing hidden, no candidate failure */
	CMP_EXIT_REGRESSED = 1,		/* a regression or a candidate failure */
	CMP_EXIT_UNJUDGED = 2,		/* bad input, or nothing could be judged */
	CMP_EXIT_INCONCLUSIVE = 3,	/* too few runs to rule out a regression */
};

struct cmp_side_stat {
	size_t n;
	double *v;
	double median, ci_lo, ci_hi;
	bool ci_ok;		/* ci reaches the level; else it is min..max */
};

struct cmp_metric {
	char *scenario, *key, *unit;
	bool higher_better;
	struct cmp_side_stat s[2];	/* 0 baseline, 1 candidate */
	double pct;		/* HL shift as % of the baseline median; NaN if undefined */
	double shift, shift_lo, shift_hi;	/* Hodges-Lehmann, candidate - baseline */
	bool shift_ci_ok;
	double p, p_adj;	/* Mann-Whitney, Holm-adjusted; NaN if not tested */
	double u;		/* Mann-Whitney U of the baseline; NaN if not tested */
	double p_best;		/* smallest Holm-adjusted p these run counts allow */
	enum cmp_verdict verdict;
	/*
	 * Not judged or too few runs, and the shift's interval does not rule
	 * out a change in the worse direction of at least the minimum effect:
	 * the comparison could not have seen this regression, so it cannot
	 * pass (exit 3).
	 */
	bool may_hide_regression;
	/*
	 * instrument=sampled (the metric's "sampled_every"): per side the
	 * largest K seen (0: every item timed) and the fewest items timed in
	 * one run (its "samples"); the why says so.
	 */
	long long sampled_every[2], samples_min[2];
	char why[320];
};

struct cmp_failure {
	int side;		/* 0 baseline, 1 candidate */
	char *dir, *scenario, *what;
};

struct cmp_side {
	const char *label;	/* "baseline" / "candidate" */
	char **runs;		/* run directories found */
	char **ids;		/* run_identity() of each */
	size_t nruns;
	char *kernels;		/* distinct kernel releases, comma-separated */
	/*
	 * distinct guest clocks, "; "-separated: "host time", or "icount "
	 * and QEMU's -icount value (meta.json vm.icount, `run --icount`)
	 */
	char *clocks;
};

struct comparison {
	double min_effect_pct, alpha, conf;
	char when[32];		/* ISO 8601 UTC */
	struct cmp_side side[2];
	struct cmp_metric *m;
	size_t nm;
	struct cmp_failure *f;
	size_t nf;
	char **notes;		/* things a reader must know (unmatched scenarios, power) */
	size_t nnotes;
	size_t count[CMP_INFO + 1];
	size_t judged;		/* metrics that took part in the Holm family */
	size_t hidden;		/* metrics with may_hide_regression */
	/*
	 * A declared family (--metrics, --metrics-from): only metrics matching
	 * one of these patterns ("KEY" or "SCENARIO:KEY", fnmatch globs) are
	 * judged; the rest are shown.  A smaller family is more power per run:
	 * Holm divides alpha by its size.  None: every metric is judged.
	 */
	char **family;
	size_t nfamily;
	char *family_src;	/* where it came from, for the notes */
};

const char *cmp_verdict_name(enum cmp_verdict v);
bool cmp_candidate_failed(const struct comparison *c);
/* enum cmp_exit: 1 regressed or candidate failure, else 2 nothing judged,
 * else 3 a metric may hide a regression, else 0 */
int cmp_exit_code(const struct comparison *c);
/* one line saying what the exit status means */
const char *cmp_exit_meaning(int rc);

/* compare.c: fill from run directories and judge; -1 with err on bad input */
int compare_build(struct comparison *c, char **base, size_t nbase, char **cand, size_t ncand,
		  char *err, size_t errlen);
/*
 * Declare the family: a comma-separated list of patterns, or the metrics a
 * previous comparison (its compare.json) called regressed -- what ci/bisect
 * judges each step by.  Call before compare_build(), which then refuses a
 * pattern matching no metric of the runs.  0, or -1 with err.
 */
int compare_family_list(struct comparison *c, const char *list, char *err, size_t errlen);
int compare_family_from(struct comparison *c, const char *compare_json, char *err,
			size_t errlen);
/* smallest two-sided exact Mann-Whitney p with na and nb runs: 2 / C(na+nb, na) */
double cmp_min_attainable_p(size_t na, size_t nb);
/* judging alone, over c->m as filled (exposed for the tests and the sensitivity study) */
void compare_judge(struct comparison *c);
void compare_free(struct comparison *c);

/* compare_write.c: every format into dir; 0 or -1 */
int compare_write_all(const struct comparison *c, const char *dir);
int compare_write_md(const struct comparison *c, const char *path);
/* the Markdown of compare.md, to a stream (the commands print it) */
void compare_print_md(const struct comparison *c, FILE *f);

#endif /* WQB_COMPARE_H */
