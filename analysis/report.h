/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The figures `wqbench report` derives from one result directory, for the
 * tools that compare runs without writing reports into them.
 */
#ifndef WQB_REPORT_H
#define WQB_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The "metrics" object report writes into summary.json
 * ("GROUP.NAME": {"value", "unit", "better"}), computed afresh from the
 * directory.  New reference, or NULL with err set when dir is not a run.
 */
json_t *report_metrics(const char *dir, char *err, size_t errlen);

struct rundata;
/*
 * A run's verdict as a report states it: PASS, FAIL or SKIP from
 * summary.json, ERROR when any of its files is damaged (rundata.h).
 */
const char *report_verdict_name(const struct rundata *rd);

/*
 * report.md, report.html, plots/ and summary.json "metrics" of one run
 * directory (print: the summary on stdout too).  Returns the exit status.
 */
int report_one(const char *dir, bool print);

#endif /* WQB_REPORT_H */
