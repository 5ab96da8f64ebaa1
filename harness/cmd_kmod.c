// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench kmod build`: its options and usage; the build is
 * harness/kmodbuild.c's (kmod_ensure_built()).
 */
#include "commands.h"
#include "kernel.h"
#include "kmodbuild.h"
#include "util.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_kmod(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "kernel-image", required_argument, NULL, 'i' },
		{ "kernel-build", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *kname = NULL, *kimg = NULL, *kbuild = NULL;
	bool all = false;
	int c, failed = 0, built = 0;

	if (argc < 2 || strcmp(argv[1], "build") != 0) {
		bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));

		fprintf(help ? stdout : stderr,
			"usage: wqbench kmod build [--all | --kernel NAME | --kernel-image PATH --kernel-build DIR]\n");
		return help ? 0 : 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'k': kname = optarg; break;
		case 'i': kimg = optarg; break;
		case 'b': kbuild = optarg; break;
		case 'h':
			printf("usage: wqbench kmod build [--all | --kernel NAME | --kernel-image PATH --kernel-build DIR]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		wqb_err("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (kbuild || kimg || kname) {
		struct wqb_kernel k;
		char *ko;

		/* a kernel of your own first, as --kernel-image/--kernel-build ask */
		if ((kbuild || kimg ? kernel_custom(kimg ? kimg : "/dev/null", kbuild, &k) :
				      kernel_resolve(kname, false, &k)) < 0)
			return 1;
		failed = kmod_ensure_built(&k, &ko) < 0;
		if (!failed)
			printf("%s\n", ko);
		free(ko);
		kernel_free(&k);
		return failed;
	}
	if (!all) {
		wqb_err("say which kernels: --all, --kernel NAME or --kernel-build DIR");
		return 2;
	}
	{
		char **v = kernel_list_cached();
		struct wqb_kernel k;

		for (size_t i = 0; v[i]; i++) {
			char *ko;

			if (kernel_resolve(v[i], false, &k) < 0) {
				failed++;
				continue;
			}
			if (kmod_ensure_built(&k, &ko) < 0)
				failed++;
			else
				printf("%s\n", ko), built++;
			free(ko);
			kernel_free(&k);
		}
		kernel_list_free(v);
		if (kernel_running(&k) == 0) {
			char *ko;

			if (kmod_ensure_built(&k, &ko) < 0)
				failed++;
			else
				printf("%s\n", ko), built++;
			free(ko);
			kernel_free(&k);
		}
	}
	if (!built && !failed)
		wqb_warn("no kernels to build against: run 'wqbench kernel fetch all' first");
	return failed ? 1 : 0;
}
