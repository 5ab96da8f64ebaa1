/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A result directory read back for analysis: the JSON files, the module's
 * histograms (kmod-hist.txt) and events.csv.  Every file is optional; what
 * is missing is listed in ->missing so a report can say so and still give
 * the rest.
 */
#ifndef WQB_RUNDATA_H
#define WQB_RUNDATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One metric of one group from kmod-hist.txt: buckets of [lo, hi) ns. */
struct kmod_hist {
	char group[40];
	char metric[8];		/* "lat" (queue -> start) or "run" */
	size_t n;
	uint64_t *lo, *hi, *count;
	uint64_t total;
};

struct run_event {
	int64_t t_ms;
	char source[24], action[24], target[40], value[72], outcome[24];
	int64_t latency_us;
	char detail[80];	/* cpumask rows: the effective mask read back */
};

struct rundata {
	char *dir;
	json_t *meta, *summary, *stats;
	struct kmod_hist *hist;		/* cpu=all histograms only */
	size_t nhist;
	struct run_event *ev;
	size_t nev;
	char missing[256];		/* space-separated names of absent files */
	/*
	 * Files that are there but truncated, unreadable or of the wrong shape
	 * ("FILE: what is wrong", "; "-separated): the run's verdict is then
	 * "error".  A damaged meta.json, kmod-stats.json, kmod-hist.txt or
	 * events.csv is dropped whole (NULL / empty), never half used.
	 */
	char damaged[512];
	bool events_damaged;
};

/* Returns 0, or -1 when the directory has no summary.json (not a run). */
int rundata_load(const char *dir, struct rundata *rd, char *err, size_t errlen);
void rundata_free(struct rundata *rd);
/*
 * What a run is, whatever it is called: "run_id:ID" from meta.json's
 * run_id when it has one, else "path:" and the resolved path (so b3, ./b3,
 * b3/ and /abs/b3 are one run).  Allocated.
 */
char *run_identity(const char *dir);

/* Parse kmod-hist.txt text (exposed for tests).  Returns -1 on a bad line. */
int kmod_hist_parse(const char *text, struct kmod_hist **out, size_t *n);
const struct kmod_hist *rundata_hist(const struct rundata *rd, const char *group,
				     const char *metric);
/*
 * Quantile q of a histogram, interpolated inside its bucket (buckets are at
 * most 1.6% wide, so this is the module's resolution).  NaN when empty.
 */
double kmod_hist_quantile(const struct kmod_hist *h, double q);
/* Largest value seen: the upper bound of the last non-empty bucket. */
double kmod_hist_max(const struct kmod_hist *h);

#endif /* WQB_RUNDATA_H */
