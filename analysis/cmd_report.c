// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench report`: its usage and arguments; the reports are
 * analysis/report.c's (report_one()) and analysis/suite.c's.
 */
#include "commands.h"
#include "plot.h"
#include "report.h"
#include "rundata.h"
#include "suite.h"
#include "textfmt.h"
#include "tracefig.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_report(int argc, char **argv)
{
	bool print = false, suite = false;
	int bad = 0, n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--print") == 0) {
			print = true;
		} else if (strcmp(argv[i], "--suite") == 0) {
			suite = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: wqbench report [--print] RUN_DIR...\n"
			       "       wqbench report --suite [--print] RESULTS_DIR...\n"
			       "  writes report.md, report.html and plots/ into each run directory\n"
			       "  and adds \"metrics\" to its summary.json; exit 1 when a run's files\n"
			       "  are damaged (verdict ERROR)\n"
			       "  --suite: suite.md and suite.html in a suite's results directory:\n"
			       "  every run in it, failed first, with its headline figures and a link\n");
			return 0;
		} else if (argv[i][0] == '-') {
			wqb_err("unknown report option '%s'", argv[i]);
			return 2;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		n++;
		if (!is_dir(argv[i])) {
			wqb_err("%s: no such result directory", argv[i]);
			bad++;
			continue;
		}
		bad += suite ? report_suite(argv[i], print) : report_one(argv[i], print);
	}
	if (!n) {
		wqb_err("report needs at least one result directory");
		return 2;
	}
	return bad ? 1 : 0;
}
