/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A baseline: the files of a set of runs that a later comparison needs
 * (analysis/baseline.c), saved whole or not at all.
 */
#ifndef WQB_BASELINE_H
#define WQB_BASELINE_H

#include <stddef.h>

/*
 * Save the runs (run directories, or directories of them) into out (NULL:
 * results/baseline-TIME).  Every run is checked first; a directory holding
 * an earlier baseline is replaced only on success.  0, or 1 with nothing
 * written and the reason printed.
 */
int baseline_save(char *const *runs, size_t nruns, const char *out);

#endif /* WQB_BASELINE_H */
