/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `wqbench compare-kernels` as a library (harness/compare_kernels.c): a
 * suite interleaved on two kernels (or two revisions built first), judged
 * by analysis/compare.c.  Options and usage: harness/cmd_compare_kernels.c.
 */
#ifndef WQB_COMPARE_KERNELS_H
#define WQB_COMPARE_KERNELS_H

#include "compare.h"

struct ck_opts {
	const char *kern[2];	/* A and B; with source, the built names */
	const char *suite_arg;	/* a suite name or a .suite path */
	const char *out_arg;	/* NULL: results/compare-kernels-TIME */
	const char *source;	/* a git kernel tree, or NULL */
	const char *rev[2];	/* base and candidate revisions (NULL: the work tree) */
	const char *flavour;
	const char *kname;	/* NAME of NAME-base, NAME-cand */
	unsigned long reps;
};

int compare_kernels(const struct ck_opts *o, struct comparison *c);

#endif /* WQB_COMPARE_KERNELS_H */
