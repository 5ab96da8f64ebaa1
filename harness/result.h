/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's result directory and its verdict (layout: results/README.md).
 *
 * Files are written as they are produced, so a crash loses at most the
 * phase in flight.  The verdict is a list of named checks, each pass, fail
 * or skip with a detail line; it is rendered both as summary.json and as
 * KTAP v1 (result.ktap).
 */
#ifndef WQB_RESULT_H
#define WQB_RESULT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum check_status { CHECK_PASS, CHECK_FAIL, CHECK_SKIP };

struct run_check {
	char *name;		/* KTAP test name: [a-z0-9_] */
	enum check_status status;
	char *detail;		/* one line: evidence or reason */
};

struct run_result {
	char *dir;		/* absolute result directory */
	uint64_t t0_ns;		/* CLOCK_MONOTONIC at start of measurement */
	FILE *events;		/* events.csv, flushed at phase boundaries */
	char *events_buf;	/* its stdio buffer (see result_open) */
	struct run_check *checks;
	size_t nchecks;
	json_t *extra;		/* merged into summary.json */
	bool skipped;		/* the run could not start: verdict "skip" */
};

/* exit status of a run that was skipped ([global] requires not met) */
#define WQB_RC_SKIP 4

int result_open(struct run_result *r, const char *dir);
void result_close(struct run_result *r);

/* Record a check; fmt is the detail line. */
void result_check(struct run_result *r, const char *name, enum check_status st,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool result_failed(const struct run_result *r);

/*
 * One row of events.csv:
 * t_ms,source,action,target,value,outcome,latency_us,detail
 * t_ms is relative to the start of measurement (negative during warmup).
 */
void result_event(struct run_result *r, const char *source, const char *action,
		  const char *target, const char *value, const char *outcome,
		  int64_t latency_us, const char *detail);

/*
 * Checks a scenario expects to fail (a self-test that makes an oracle fire,
 * injected rollbacks): a failure becomes a pass marked "expected failure",
 * and a pass becomes a failure -- the thing provoked did not happen.
 */
void result_apply_expected(struct run_result *r, const char *const *names, size_t n);

/* Push buffered events.csv rows to the file (at phase boundaries). */
void result_flush(struct run_result *r);

/* Write summary.json and result.ktap from the checks (and r->extra). */
int result_write_verdict(struct run_result *r, const char *scenario, bool complete);

/* Write a json document into the result directory. */
int result_write_json(const struct run_result *r, const char *name, json_t *j);

/* Point <results>/latest at dir (relative link). */
void result_update_latest(const char *results_root, const char *dir);

/* A fresh run id: <yyyymmdd-hhmmss>-<scenario>-<kernel>-<rand4>. */
char *result_new_run_id(const char *scenario, const char *kernel);

#endif /* WQB_RESULT_H */
