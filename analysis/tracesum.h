/* SPDX-License-Identifier: GPL-2.0 */
/* `wqbench trace`'s summary of one trace.dat (analysis/tracesum.c). */
#ifndef WQB_TRACESUM_H
#define WQB_TRACESUM_H

/* The summary of the trace.dat at path on stdout.  Returns the exit status. */
int tracesum_print(const char *path);

#endif /* WQB_TRACESUM_H */
