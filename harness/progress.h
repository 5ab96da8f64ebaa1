/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress of a run: one live line on a terminal, a plain line every ten
 * seconds when stdout is not one, nothing with --quiet.  Inside the guest
 * the harness prints "WQBENCH-GUEST: progress k=v ..." on the console and
 * the host, which watches the console, shows it.
 */
#ifndef WQB_PROGRESS_H
#define WQB_PROGRESS_H

#include <stdbool.h>

struct progress {
	char phase[16];		/* boot, setup, warmup, measure, collect */
	double t, total;	/* seconds into the phase, and its length */
	long long items;	/* module items completed */
	double rate;		/* items/s over the last second */
	unsigned int hotplug;	/* hotplug transitions done */
	unsigned int errors;	/* fault actions that failed */
};

/* Report progress: as a console marker in the guest, on screen on a host. */
void progress_emit(const struct progress *p);
/* Show progress prefixed by label ("[2/5] smoke on 6.12"). */
void progress_show(const char *label, const struct progress *p);
/* Parse a console marker line; returns 0 when line is one. */
int progress_parse(const char *line, struct progress *p);
/* End a live line (before other output). */
void progress_done(void);

#endif /* WQB_PROGRESS_H */
