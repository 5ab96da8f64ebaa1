// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench compare-kernels`: its options and usage; the runs and the
 * judging are harness/compare_kernels.c's (compare_kernels()).
 */
#include "commands.h"
#include "compare.h"
#include "compare_kernels.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wqbench compare-kernels --kernel A --kernel B [options]\n"
		"  A, B            6.1, 6.12, a cached release, or IMAGE:BUILD_DIR (your own build)\n"
		"  --suite S       suite name in workloads/suites or a .suite path (default compare)\n"
		"  --reps N        passes of the suite on each kernel, interleaved A B A B (default 10:\n"
		"                  the fewest at which the per-scenario sensitivity study caught\n"
		"                  anything on the compare suite, docs/compare.md \"Per scenario\")\n"
		"  --out DIR       where runs and the comparison go (default results/compare-kernels-TIME)\n"
		"  --min-effect P  smallest change called a change, percent (default 5)\n"
		"  --metrics LIST  judge only these metrics (as wqbench compare --metrics)\n"
		"or, two revisions of a kernel tree built first (instead of --kernel A --kernel B):\n"
		"  --source DIR    a git kernel tree (never written: builds are O= in the cache)\n"
		"  --base REV      the baseline commit (A)\n"
		"  --candidate REV the candidate commit (B; default: DIR's work tree as it is)\n"
		"  --flavour F     lean (default) or debug: the config both are built with\n"
		"  --name NAME     kernel names NAME-base and NAME-cand (default: DIR's name + -ab)\n"
		"exit: as wqbench compare -- 0 nothing regressed, 1 regression or B failed a check,\n"
		"      2 bad input or nothing could be judged, 3 inconclusive: too few passes\n"
		"      to rule out a regression (raise --reps; not a pass)\n");
}

int cmd_compare_kernels(int argc, char **argv)
{
	const char *kern[2] = { NULL, NULL }, *suite_arg = "compare", *out_arg = NULL;
	const char *source = NULL, *rev[2] = { NULL, NULL }, *flavour = "lean", *kname = NULL;
	const char *metrics = NULL;
	struct comparison c = { .min_effect_pct = 5.0, .alpha = 0.05, .conf = 0.95 };
	/*
	 * 10: the per-scenario sensitivity study (docs/compare.md "Per
	 * scenario", docs/sensitivity-mde.tsv) measured 3, 6 and 10 runs a
	 * side on the compare suite's scenarios in the TCG guest: 3 never
	 * reach alpha, 6 caught no size it made 80% of the time on most of
	 * them, 10 is the fewest that caught anything; Holm over the suite's
	 * 42 metrics keeps its margin there, 2/C(20,10) x 42 = 0.0005
	 */
	unsigned long reps = 10;
	char err[1024];
	int nk = 0, rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--kernel") && has_val) {
			if (nk == 2) {
				wqb_err("compare-kernels takes exactly two --kernel");
				return 2;
			}
			kern[nk++] = argv[++i];
		} else if (!strcmp(a, "--suite") && has_val) {
			suite_arg = argv[++i];
		} else if (!strcmp(a, "--out") && has_val) {
			out_arg = argv[++i];
		} else if (!strcmp(a, "--reps") && has_val) {
			char *end;

			errno = 0;
			reps = strtoul(argv[++i], &end, 10);
			if (errno || *end || reps < 1 || reps > 1000) {
				wqb_err("--reps wants 1..1000, not '%s'", argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--source") && has_val) {
			source = argv[++i];
		} else if (!strcmp(a, "--base") && has_val) {
			rev[0] = argv[++i];
		} else if (!strcmp(a, "--candidate") && has_val) {
			rev[1] = argv[++i];
		} else if (!strcmp(a, "--flavour") && has_val) {
			flavour = argv[++i];
			if (strcmp(flavour, "lean") && strcmp(flavour, "debug")) {
				wqb_err("--flavour is lean or debug, not '%s'", flavour);
				return 2;
			}
		} else if (!strcmp(a, "--name") && has_val) {
			kname = argv[++i];
		} else if (!strcmp(a, "--metrics") && has_val) {
			metrics = argv[++i];
		} else if (!strcmp(a, "--min-effect") && has_val) {
			char *end;

			c.min_effect_pct = strtod(argv[++i], &end);
			if (*end || !(c.min_effect_pct >= 0 && c.min_effect_pct <= 1000)) {
				wqb_err("--min-effect wants 0..1000 percent, not '%s'", argv[i]);
				return 2;
			}
		} else {
			wqb_err("compare-kernels: unknown or incomplete option '%s'", a);
			usage(stderr);
			return 2;
		}
	}
	if (source && nk) {
		wqb_err("give --kernel A --kernel B, or --source DIR --base REV, not both");
		return 2;
	}
	if (!source && (rev[0] || rev[1] || kname)) {
		wqb_err("--base, --candidate and --name go with --source DIR");
		return 2;
	}
	if (source && !rev[0]) {
		wqb_err("--source DIR needs --base REV (the candidate defaults to the work tree)");
		return 2;
	}
	if (!source && nk != 2) {
		wqb_err("compare-kernels needs --kernel A and --kernel B (or --source DIR --base REV)");
		usage(stderr);
		return 2;
	}
	if (metrics && compare_family_list(&c, metrics, err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		return 2;
	}
	if (reps < CMP_MIN_RUNS)
		wqb_warn("%lu repetitions a side: compare refuses to judge below %d", reps,
			 CMP_MIN_RUNS);
	{
		struct ck_opts o = { .kern = { kern[0], kern[1] }, .suite_arg = suite_arg,
				     .out_arg = out_arg, .source = source,
				     .rev = { rev[0], rev[1] }, .flavour = flavour, .kname = kname,
				     .reps = reps };

		rc = compare_kernels(&o, &c);
	}
	compare_free(&c);
	return rc;
}
