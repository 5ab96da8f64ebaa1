// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench baseline save [--out DIR] RUN...`: its usage and arguments; the
 * saving is analysis/baseline.c's (baseline_save()).
 */
#include "baseline.h"
#include "commands.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: wqbench baseline save [--out DIR] RUN_DIR...\n"
		   "  RUN_DIR is a run directory or a directory of them; DIR defaults to\n"
		   "  results/baseline-TIME.  Every run is checked first: an unreadable run,\n"
		   "  or two different runs with one folder name, and nothing is written.\n"
		   "  A DIR holding an earlier baseline is replaced whole, only on success.\n");
}

int cmd_baseline(int argc, char **argv)
{
	const char *out = NULL;
	int first = 2;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
	if (argc < 2 || strcmp(argv[1], "save")) {
		usage(stderr);
		return 2;
	}
	if (argc > 2 && !strcmp(argv[2], "--out")) {
		if (argc < 4) {
			wqb_err("--out needs a directory");
			return 2;
		}
		out = argv[3];
		first = 4;
	}
	for (int i = first; i < argc; i++)
		if (argv[i][0] == '-') {
			wqb_err("unknown baseline save option '%s'", argv[i]);
			return 2;
		}
	if (first >= argc) {
		wqb_err("baseline save needs at least one run directory");
		return 2;
	}
	return baseline_save(argv + first, (size_t)(argc - first), out);
}
