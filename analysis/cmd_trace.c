// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench trace`: its usage and arguments; the summary is
 * analysis/tracesum.c's (tracesum_print()).
 */
#include "commands.h"
#include "tracesum.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int cmd_trace(int argc, char **argv)
{
	int bad = 0, n = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: wqbench trace TRACE.DAT...\n"
			       "  workqueue executions paired per work item, latencies per workqueue\n"
			       "  and function, hotplug transitions (docs/trace-analysis.md)\n");
			return 0;
		}
		if (argv[i][0] == '-') {
			wqb_err("unknown trace option '%s'", argv[i]);
			return 2;
		}
	}
	for (int i = 1; i < argc; i++) {
		n++;
		if (!path_exists(argv[i])) {
			wqb_err("%s: no such file", argv[i]);
			bad++;
			continue;
		}
		bad += tracesum_print(argv[i]);
	}
	if (!n) {
		wqb_err("trace needs a trace.dat");
		return 2;
	}
	return bad ? 1 : 0;
}
