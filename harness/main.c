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
	(void)argc;
	(void)argv;
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

int main(int argc, char **argv)
{
	int i = 1;

	/* past a file-size limit a write fails (EFBIG) and is reported; no kill */
	signal(SIGXFSZ, SIG_IGN);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			wqb_verbosity = 0;
		} else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
			wqb_verbosity = 2;
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
		usage(stderr);
		return 2;
	}
	/* stdout may be a pipe to CI logs: keep lines whole and in order */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t c = 0; c < ARRAY_SIZE(subcommands); c++)
		if (strcmp(argv[i], subcommands[c].name) == 0)
			return subcommands[c].fn(argc - i, argv + i);
	wqb_err("unknown command '%s'", argv[i]);
	usage(stderr);
	return 2;
}
