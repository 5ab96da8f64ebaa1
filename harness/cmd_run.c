// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench run`: its options and usage; the work is harness/run.c's
 * (run_plan(), run_execute()).
 */
#include "commands.h"
#include "run.h"
#include "runcmd.h"
#include "util.h"
#include "vm.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wqbench run [options] SCENARIO.wqb|SUITE.suite\n"
		"  --kernel NAME          guest kernel: 6.1, 6.12 (default) or a cached release\n"
		"  --kernel-image PATH    boot your own bzImage ...\n"
		"  --kernel-build DIR     ... built in this tree\n"
		"  --cpus N, --memory M   guest size (default: the scenario's, else 4 and 1G)\n"
		"  --accel tcg|kvm|auto   QEMU accelerator (default tcg; kvm only if a probe boots)\n"
		"  --icount SHIFT|auto[,sleep=on|off]\n"
		"                         TCG only: the guest's clock counts instructions, 2^SHIFT ns\n"
		"                         each (QEMU -icount), not the host's time: host load leaves\n"
		"                         the guest's timings; recorded in meta.json (docs/compare.md)\n"
		"  --grace S              seconds a guest may take beyond the scenario (default 180)\n"
		"  --duration D           measured phase of every scenario, like 10m or 2h\n"
		"                         (overrides the files: torture runs of any length)\n"
		"  --results DIR          where result directories go (default ./results)\n"
		"  --append ARGS          extra guest kernel command line\n"
		"  --guest-init FILE      use FILE as the guest's /init (failure simulation)\n"
		"  --host                 run on THIS machine's kernel (root; changes CPU hotplug\n"
		"                         and workqueue state, restored afterwards)\n"
		"  --result-dir DIR       exact result directory (with --host)\n"
		"  --kmod PATH            wqbench.ko to load (with --host)\n"
		"  --kernel-config PATH   the running kernel's .config, for meta.json (with --host)\n");
}

/*
 * Options into ro and the file to run into *target.  Returns -1 to go on,
 * else the exit status (0 after --help).
 */
static int run_parse(int argc, char **argv, struct run_opts *ro, const char **target)
{
	static const struct option opts[] = {
		{ "host", no_argument, NULL, 'H' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "kernel-image", required_argument, NULL, 'i' },
		{ "kernel-build", required_argument, NULL, 'b' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "accel", required_argument, NULL, 'a' },
		{ "icount", required_argument, NULL, 'n' },
		{ "grace", required_argument, NULL, 'g' },
		{ "duration", required_argument, NULL, 'D' },
		{ "results", required_argument, NULL, 'r' },
		{ "result-dir", required_argument, NULL, 'd' },
		{ "kmod", required_argument, NULL, 'K' },
		{ "kernel-config", required_argument, NULL, 'C' },
		{ "append", required_argument, NULL, 'A' },
		{ "guest-init", required_argument, NULL, 'I' },
		{ "batch", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static char icount[32];
	uint64_t v;
	int c;

	*target = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H': ro->host = true; break;
		case 'k': ro->kernel = optarg; break;
		case 'i': ro->kernel_image = optarg; break;
		case 'b': ro->kernel_build = optarg; break;
		case 'c':
			if (parse_u64(optarg, &v) || v < 1 || v > 64) {
				wqb_err("--cpus wants 1..64, not '%s'", optarg);
				return 2;
			}
			ro->cpus = (unsigned int)v;
			break;
		case 'm':
			if (parse_mib(optarg, &ro->memory_mib) || ro->memory_mib < 256) {
				wqb_err("--memory wants a size of at least 256M (like 1G), not '%s'",
					optarg);
				return 2;
			}
			break;
		case 'a': ro->accel = optarg; break;
		case 'n':
			if (vm_icount_parse(optarg, icount, sizeof(icount))) {
				wqb_err(VM_ICOUNT_USAGE ", not '%s'", optarg);
				return 2;
			}
			ro->icount = icount;
			break;
		case 'D':
			if (parse_duration_ms(optarg, &ro->duration_ms) || ro->duration_ms < 100 ||
			    ro->duration_ms > 7 * 86400000ull) {
				wqb_err("--duration wants 100ms to 7 days, like 10m or 2h, not '%s'", optarg);
				return 2;
			}
			break;
		case 'g':
			if (parse_u64(optarg, &ro->grace_s) || ro->grace_s > 86400) {
				wqb_err("--grace wants seconds, not '%s'", optarg);
				return 2;
			}
			break;
		case 'r': ro->results_root = optarg; break;
		case 'd': ro->result_dir = optarg; break;
		case 'K': ro->kmod = optarg; break;
		case 'C': ro->kernel_config = optarg; break;
		case 'A': ro->append = optarg; break;
		case 'I': ro->guest_init = optarg; break;
		case 'B': ro->batch = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (ro->batch) {
		if (!ro->host || optind != argc) {
			wqb_err("--batch is the guest side of a suite run: it goes with --host and no scenario");
			return 2;
		}
		if (geteuid() != 0) {
			wqb_err("--host loads a module and changes CPU hotplug and workqueue state: run as root");
			return 2;
		}
		return -1;
	}
	if (optind != argc - 1) {
		wqb_err(optind >= argc ? "run needs one scenario or suite file"
				       : "run takes one scenario or suite file");
		usage(stderr);
		return 2;
	}
	if (strcmp(ro->accel, "tcg") && strcmp(ro->accel, "kvm") && strcmp(ro->accel, "auto")) {
		wqb_err("--accel wants tcg, kvm or auto, not '%s'", ro->accel);
		return 2;
	}
	if (ro->icount && strcmp(ro->accel, "tcg")) {
		wqb_err("--icount counts TCG's instructions: it does not go with --accel %s", ro->accel);
		return 2;
	}
	if (ro->icount && ro->host) {
		wqb_err("--icount is a QEMU guest's clock: it does not go with --host");
		return 2;
	}
	if (!ro->host && (ro->result_dir || ro->kmod)) {
		wqb_err("--result-dir and --kmod go with --host");
		return 2;
	}
	if (ro->host && geteuid() != 0) {
		wqb_err("--host loads a module and changes CPU hotplug and workqueue state: run as root");
		return 2;
	}
	if (!ro->host && !program_in_path("qemu-system-x86_64")) {
		wqb_err("qemu-system-x86_64 not found: install qemu-system-x86 (make deps), or use --host on a test machine");
		return 2;
	}
	*target = argv[optind];
	return -1;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts ro = { .kernel = "6.12", .accel = "tcg", .grace_s = 180 };
	struct run_plan pl = { 0 };
	const char *target;
	int rc;

	rc = run_parse(argc, argv, &ro, &target);
	if (rc >= 0)
		return rc;
	if (ro.batch)
		return run_batch_on_host(&ro, ro.batch);
	rc = run_plan(&ro, target, &pl);
	if (!rc)
		rc = run_execute(&ro, &pl);
	run_plan_free(&pl);
	return rc;
}
