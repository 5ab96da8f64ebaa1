// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench kernel fetch|build|source|list`: the subcommands, their options
 * and usage; fetching and the cache are harness/kernel.c's, building and
 * Debian's source trees harness/kernelbuild.c's (kernel_build(),
 * kernel_source()).
 */
#include "commands.h"
#include "kernel.h"
#include "kernelbuild.h"
#include "util.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wqbench kernel build (--debian 6.12|6.1 | --source DIR [--rev REV])\n"
		"                            [--flavour lean|debug] [--name NAME] [--jobs N]\n"
		"  --debian S    Debian's linux-source-S, downloaded and unpacked into the cache once\n"
		"  --source DIR  a kernel tree as it is (never written: the build is out of tree)\n"
		"  --rev REV     a commit of the git tree DIR instead, checked out into the cache\n"
		"  --flavour F   lean (default: close to production) or debug (watchdogs, fault\n"
		"                injection, lockdep, debug objects); fragments in harness/kconfig/\n"
		"  --name NAME   the name --kernel takes later; default src-<series>-<flavour>,\n"
		"                <dir>-<rev>-<flavour> or <dir>-<flavour>; building the same name\n"
		"                again is incremental (ccache in %s/ccache)\n"
		"  --jobs N      make -jN (default: the number of CPUs)\n",
		wqb_cache_dir());
}

/* `wqbench kernel build ...` (argv[0] is "build") */
static int cmd_kernel_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "debian", required_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		{ "rev", required_argument, NULL, 'r' },
		{ "flavour", required_argument, NULL, 'f' },
		{ "flavor", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct kbuild_opts o = { .flavour = "lean" };
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.debian = optarg; break;
		case 's': o.source = optarg; break;
		case 'r': o.rev = optarg; break;
		case 'f': o.flavour = optarg; break;
		case 'n': o.name = optarg; break;
		case 'j':
			if (parse_u64(optarg, &v) || v < 1 || v > 256) {
				wqb_err("--jobs wants 1..256, not '%s'", optarg);
				return 2;
			}
			o.jobs = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		wqb_err("kernel build: unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (!o.debian == !o.source) {
		wqb_err("kernel build needs one source: --debian 6.12|6.1 or --source DIR");
		return 2;
	}
	if (o.debian && !debian_series_ok(o.debian)) {
		wqb_err("--debian '%s': Debian's sources are 6.12 or 6.1", o.debian);
		return 2;
	}
	if (o.rev && !o.source) {
		wqb_err("--rev needs --source DIR (a git tree)");
		return 2;
	}
	if (!kbuild_flavour_ok(o.flavour)) {
		wqb_err("--flavour '%s': use lean or debug", o.flavour);
		return 2;
	}
	if (o.name && !kbuild_name_ok(o.name)) {
		wqb_err("--name '%s': a name starts with a letter and holds letters, digits, '.', '_', '+', '-' (at most 64)",
			o.name);
		return 2;
	}
	return kernel_build(&o);
}

/* `wqbench kernel source SERIES` */
static int cmd_kernel_source(int argc, char **argv)
{
	if (argc != 2 || !debian_series_ok(argv[1])) {
		wqb_err("usage: wqbench kernel source 6.12|6.1");
		return 2;
	}
	return kernel_source(argv[1]);
}

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
