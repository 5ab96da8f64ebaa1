// SPDX-License-Identifier: GPL-2.0
/*
 * wqbench: benchmark and torture the Linux workqueue subsystem.
 *
 * One command with git-style subcommands; each subcommand lives in the file
 * named in the table below.
 */
#include "commands.h"
#include "util.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "run", cmd_run, "run a scenario or suite (in a QEMU guest, or --host)" },
	{ "check", cmd_check, "validate scenario or suite files without running" },
	{ "report", cmd_report, "summarise result directories" },
	{ "compare", cmd_compare, "judge candidate runs against baseline runs" },
	{ "compare-kernels", cmd_compare_kernels, "run a suite on two kernels, interleaved, and compare" },
	{ "baseline", cmd_baseline, "save runs as a baseline for later comparisons" },
	{ "trace", cmd_trace, "summarise a trace.dat: workqueue latencies, hotplug steps" },
	{ "restore", cmd_restore, "put back system state saved by an interrupted --host run" },
	{ "kernel", cmd_kernel, "fetch and list guest kernels" },
	{ "kmod", cmd_kmod, "build wqbench.ko against kernels" },
	{ "guest", cmd_guest, "boot a guest kernel and run one command in it" },
	{ "version", cmd_version, "print version" },
};

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: wqbench version\n  prints wqbench's git revision\n");
		return 0;
	}
	printf("wqbench %s%s\n", WQB_GIT_REV, WQB_GIT_DIRTY ? "-dirty" : "");
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: wqbench [--quiet|--verbose] <command> [args]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(f, "  %-16s %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "\n'wqbench <command> --help' describes each command.\n");
}

/*
 * One convention for every subcommand: -h and --help anywhere before "--"
 * ask for its usage (on stdout, exit 0: each subcommand handles --help);
 * --quiet and --verbose are global, before or after the command name, and
 * refused together.  Returns the new argc of the subcommand's arguments
 * (the global flags taken out), or -1 on a contradiction.
 */
static int common_flags(int argc, char **argv, bool *quiet, bool *verbose)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--quiet")) {
			*quiet = true;
			continue;
		}
		if (!strcmp(argv[i], "--verbose")) {
			*verbose = true;
			continue;
		}
		if (!strcmp(argv[i], "-h"))
			argv[i] = "--help";
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	/*
	 * Asked for help: the command gets just that ("CMD --help", or
	 * "CMD SUB --help" for kernel, kmod, guest and baseline), so no
	 * other argument is read as a file or kernel name first.
	 */
	for (int i = 1; i < out && strcmp(argv[i], "--"); i++) {
		bool nested = !strcmp(argv[0], "kernel") || !strcmp(argv[0], "kmod") ||
			      !strcmp(argv[0], "guest") || !strcmp(argv[0], "baseline");

		if (strcmp(argv[i], "--help"))
			continue;
		out = 1;
		if (nested && i > 1 && argv[1][0] != '-')
			out = 2;
		argv[out++] = "--help";
		argv[out] = NULL;
		break;
	}
	if (*quiet && *verbose) {
		wqb_err("--quiet and --verbose contradict each other: give one");
		return -1;
	}
	return out;
}

int main(int argc, char **argv)
{
	bool quiet = false, verbose = false;
	int i = 1;

	/* past a file-size limit a write fails (EFBIG) and is reported; no kill */
	signal(SIGXFSZ, SIG_IGN);
	json_seed_without_blocking();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			quiet = true;
		} else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			return cmd_version(0, NULL);
		} else {
			wqb_err("unknown option '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		if (quiet && verbose) {
			wqb_err("--quiet and --verbose contradict each other: give one");
			return 2;
		}
		usage(stderr);
		return 2;
	}
	{
		int n = common_flags(argc - i, argv + i, &quiet, &verbose);

		if (n < 0)
			return 2;
		argc = i + n;
	}
	wqb_verbosity = quiet ? 0 : verbose ? 2 : 1;
	/* stdout may be a pipe to CI logs: keep lines whole and in order */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t c = 0; c < ARRAY_SIZE(subcommands); c++)
		if (strcmp(argv[i], subcommands[c].name) == 0)
			return subcommands[c].fn(argc - i, argv + i);
	wqb_err("unknown command '%s'", argv[i]);
	usage(stderr);
	return 2;
}
