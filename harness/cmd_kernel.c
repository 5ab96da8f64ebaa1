// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench kernel fetch|build|source|list`: the subcommands and usage;
 * fetching and the cache are harness/kernel.c's, `kernel build` and
 * `kernel source` harness/kernelbuild.c's (cmd_kernel_build(),
 * cmd_kernel_source(): their options are parsed there, with the build).
 */
#include "commands.h"
#include "kernel.h"
#include "kernelbuild.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int cmd_kernel(int argc, char **argv)
{
	bool help = false;

	/* -h and --help of every kernel subcommand (build's is its own) */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
	if (help && argc > 1 && !strcmp(argv[1], "build"))
		return cmd_kernel_build(argc - 1, argv + 1);
	if (argc < 2 || help) {
		fprintf(argc < 2 ? stderr : stdout,
		       "usage: wqbench kernel fetch [6.1|6.12|all]\n"
		       "       wqbench kernel build (--debian 6.12|6.1 | --source DIR [--rev REV]) [--flavour lean|debug] [--name NAME]\n"
		       "       wqbench kernel source 6.12|6.1   (Debian's source tree, unpacked; prints its path)\n"
		       "       wqbench kernel list\n"
		       "Kernels are cached in %s (set WQBENCH_CACHE to move it).\n",
		       wqb_cache_dir());
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "list") == 0)
		return kernel_list_print();
	if (strcmp(argv[1], "build") == 0)
		return cmd_kernel_build(argc - 1, argv + 1);
	if (strcmp(argv[1], "source") == 0)
		return cmd_kernel_source(argc - 1, argv + 1);
	if (strcmp(argv[1], "fetch") == 0) {
		const char *what = argc > 2 ? argv[2] : "all";
		int r = 0;

		if (argc > 3) {
			wqb_err("kernel fetch takes one kernel name (6.1, 6.12 or all)");
			return 2;
		}
		if (strcmp(what, "all") == 0) {
			for (size_t i = 0; wqb_kernel_series[i]; i++)
				if (kernel_fetch(wqb_kernel_series[i]) < 0)
					r = 1;
			return r;
		}
		return kernel_fetch(what) < 0 ? 1 : 0;
	}
	wqb_err("unknown kernel subcommand '%s': use fetch, build, source or list", argv[1]);
	return 2;
}
