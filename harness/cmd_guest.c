// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench guest exec`: its options and usage; the boot is harness/vm.c's
 * (vm_run()).
 */
#include "commands.h"
#include "kernel.h"
#include "util.h"
#include "vm.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * `wqbench guest exec`: boot a kernel and run one command in it.  Used by the
 * in-guest tests (module, harness) and handy for poking at a kernel by hand.
 * Exit status is the command's, or 125 when the guest itself failed.
 */
int cmd_guest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "kernel-image", required_argument, NULL, 'i' },
		{ "kernel-build", required_argument, NULL, 'b' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "accel", required_argument, NULL, 'a' },
		{ "icount", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "console", required_argument, NULL, 'o' },
		{ "append", required_argument, NULL, 'A' },
		{ "init", required_argument, NULL, 'I' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "share", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *kname = "6.12", *kimg = NULL, *kbuild = NULL, *console = NULL;
	const char *keep_share = NULL;
	struct vm_opts o = { .cpus = 4, .memory_mib = 1024, .accel = "tcg", .echo_console = wqb_verbosity > 0 };
	struct wqb_kernel k;
	struct vm_result res;
	uint64_t timeout_s = 600, v;
	char icount[32];
	char tmpl[] = "/tmp/wqbench-guest-XXXXXX";
	char *share, *log = NULL;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "exec") != 0) {
		bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));

		fprintf(help ? stdout : stderr,
			"usage: wqbench guest exec [--kernel K] [--cpus N] [--memory M] [--accel A] [--icount SHIFT|auto] [--timeout S] [--console FILE] -- CMD [ARG...]\n");
		return help ? 0 : 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kname = optarg; break;
		case 'i': kimg = optarg; break;
		case 'b': kbuild = optarg; break;
		case 'c':
			if (parse_u64(optarg, &v) || v < 1 || v > 64) {
				wqb_err("--cpus wants 1..64, not '%s'", optarg);
				return 2;
			}
			o.cpus = (int)v;
			break;
		case 'm':
			if (parse_mib(optarg, &o.memory_mib) || o.memory_mib < 256) {
				wqb_err("--memory wants a size of at least 256M, not '%s'", optarg);
				return 2;
			}
			break;
		case 'a': o.accel = optarg; break;
		case 'n':
			if (vm_icount_parse(optarg, icount, sizeof(icount))) {
				wqb_err(VM_ICOUNT_USAGE ", not '%s'", optarg);
				return 2;
			}
			o.icount = icount;
			break;
		case 't':
			if (parse_u64(optarg, &timeout_s) || !timeout_s) {
				wqb_err("--timeout wants seconds, not '%s'", optarg);
				return 2;
			}
			break;
		case 'o': console = optarg; break;
		case 'A': o.extra_cmdline = optarg; break;
		case 'I': o.init_override = optarg; break;
		case 'q': o.echo_console = false; break;
		case 's':
			if (!is_dir(optarg)) {
				wqb_err("--share %s: not a directory", optarg);
				return 2;
			}
			keep_share = optarg;
			break;
		case 'h':
			printf("usage: wqbench guest exec [--kernel K] [--cpus N] [--memory M] [--timeout S] [--console FILE]\n"
			       "                          [--accel tcg|kvm|auto] [--icount SHIFT|auto[,sleep=on|off]]\n"
			       "                          [--share DIR] -- CMD [ARG...]\n"
			       "  --icount     TCG only: the guest's clock counts instructions (QEMU -icount), as wqbench run\n"
			       "  --share DIR  the guest's writable /run/wqbench/results (kept); default a temporary one\n");
			return 0;
		default:
			return 2;
		}
	}
	if (o.icount && strcmp(o.accel, "tcg")) {
		wqb_err("--icount counts TCG's instructions: it does not go with --accel %s", o.accel);
		return 2;
	}
	if (optind >= argc) {
		wqb_err("guest exec needs a command after --");
		return 2;
	}
	if (kimg || kbuild ? kernel_custom(kimg, kbuild, &k) : kernel_resolve(kname, true, &k))
		return 2;
	share = keep_share ? (char *)keep_share : mkdtemp(tmpl);
	if (!share) {
		wqb_err("mkdtemp: %s", strerror(errno));
		kernel_free(&k);
		return 2;
	}
	log = console ? xstrdup(console) : path_join(share, "console.log");
	unlink(log);
	o.kernel = &k;
	o.share_dir = share;
	o.guest_argv = &argv[optind];
	o.console_log = log;
	o.run_timeout_ms = timeout_s * 1000;
	if (vm_run(&o, &res) < 0) {
		rc = 125;
	} else if (res.outcome != VM_OK) {
		wqb_err("guest failed: %s (console: %s)", res.reason, log);
		rc = 125;
	} else {
		rc = res.harness_rc;
	}
	/* a --share directory is the caller's: what the guest wrote stays */
	if (!keep_share && !console)
		remove_tree(share);
	else if (!keep_share)
		rmdir(share);
	free(log);
	kernel_free(&k);
	return rc;
}
