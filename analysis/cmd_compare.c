// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench compare`: its usage and options; the judging and the formats
 * are analysis/compare.c's and analysis/compare_write.c's.
 */
#include "commands.h"
#include "compare.h"
#include "report.h"
#include "rundata.h"
#include "sensitivity.h"
#include "stats.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wqbench compare --baseline DIR... --candidate DIR... [options]\n"
		"  DIR is a run directory or a directory of run directories\n"
		"  --min-effect PCT  smallest change called a change (default 5)\n"
		"  --alpha A         significance level after Holm correction (default 0.05)\n"
		"  --metrics LIST    judge only these metrics (KEY or SCENARIO:KEY, globs,\n"
		"                    comma-separated): Holm over fewer metrics needs fewer runs\n"
		"  --metrics-from F  judge only the metrics compare.json F called regressed\n"
		"  --out DIR         where to write compare.{md,html,json}, junit.xml,\n"
		"                    kcidb.json and lava.txt (default results/compare-TIME)\n"
		"  --quiet           do not print the Markdown summary\n"
		"exit: 0 nothing regressed (and the runs were enough to see a regression),\n"
		"      1 a regression or a candidate oracle failure, 2 bad input or nothing\n"
		"      could be judged, 3 inconclusive: too few (or too spread) runs to rule\n"
		"      out a regression (a metric that could not be judged may have got worse)\n");
}

int cmd_compare(int argc, char **argv)
{
	struct comparison c = { .min_effect_pct = 5.0, .alpha = 0.05, .conf = 0.95 };
	char **lists[2] = { xcalloc((size_t)argc, sizeof(char *)),
			    xcalloc((size_t)argc, sizeof(char *)) };
	size_t n[2] = { 0, 0 };
	int cur = -1, rc = 2;
	bool quiet = false;
	char *out = NULL, err[1024];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--baseline")) {
			cur = 0;
		} else if (!strcmp(a, "--candidate")) {
			cur = 1;
		} else if (!strcmp(a, "--min-effect") || !strcmp(a, "--alpha") ||
			   !strcmp(a, "--out") || !strcmp(a, "--metrics") ||
			   !strcmp(a, "--metrics-from")) {
			if (i + 1 >= argc) {
				wqb_err("%s needs a value", a);
				goto out;
			}
			if (!strcmp(a, "--metrics") || !strcmp(a, "--metrics-from")) {
				if (c.nfamily) {
					wqb_err("--metrics and --metrics-from: give one, once");
					goto out;
				}
				if ((!strcmp(a, "--metrics") ? compare_family_list(&c, argv[++i], err,
										   sizeof(err))
							     : compare_family_from(&c, argv[++i], err,
										   sizeof(err))) < 0) {
					wqb_err("%s", err);
					goto out;
				}
			} else if (!strcmp(a, "--out")) {
				free(out);
				out = xstrdup(argv[++i]);
			} else if (!strcmp(a, "--alpha")
					   ? !parse_double_in(argv[++i], 1e-9, 0.5, &c.alpha)
					   : !parse_double_in(argv[++i], 0, 1000, &c.min_effect_pct)) {
				wqb_err("%s: '%s' is not a number in range (%s)", a, argv[i],
					!strcmp(a, "--alpha") ? "0 < alpha <= 0.5"
							      : "0..1000 percent");
				goto out;
			}
			cur = -1;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (a[0] == '-') {
			wqb_err("unknown compare option '%s'", a);
			usage(stderr);
			goto out;
		} else if (cur < 0) {
			wqb_err("'%s': say whether it is --baseline or --candidate", a);
			goto out;
		} else {
			lists[cur][n[cur]++] = argv[i];
		}
	}
	if (!n[0] || !n[1]) {
		wqb_err("compare needs --baseline DIR... and --candidate DIR...");
		usage(stderr);
		goto out;
	}
	if (compare_build(&c, lists[0], n[0], lists[1], n[1], err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		goto out;
	}
	if (!out)
		out = results_dir_stamped("compare");
	if (mkdir_p(out, 0755) < 0 || compare_write_all(&c, out) < 0) {
		wqb_err("cannot write the comparison into %s", out);
		goto out;
	}
	/* --quiet (global, before or after "compare"): no Markdown echo */
	if (!quiet && wqb_verbosity > 0)
		compare_print_md(&c, stdout);
	rc = cmp_exit_code(&c);
	printf("\ncompare: %s/compare.md (.html .json, junit.xml, kcidb.json, lava.txt): "
	       "%zu regressed, %zu improved, %zu unchanged, %zu too noisy, %zu too few runs, "
	       "%zu not judged, %zu oracle failures -> exit %d (%s)\n",
	       out, c.count[CMP_REGRESSED], c.count[CMP_IMPROVED], c.count[CMP_UNCHANGED],
	       c.count[CMP_NOISY], c.count[CMP_FEW_RUNS], c.count[CMP_NOT_JUDGED], c.nf, rc,
	       cmp_exit_meaning(rc));
	{
		char *sens = sens_mde_for(&c);	/* what these run counts catch, measured */

		if (sens)
			printf("%s\n", sens);
		free(sens);
	}
	if (rc == CMP_EXIT_UNJUDGED)
		wqb_err("nothing could be judged: each side needs %d complete runs of the same scenario",
			CMP_MIN_RUNS);
	else if (rc == CMP_EXIT_INCONCLUSIVE)
		wqb_err("inconclusive: %zu metrics may hide a regression that these runs are too few "
			"to see; not a pass (see Notes in compare.md)", c.hidden);
out:
	compare_free(&c);
	free(lists[0]);
	free(lists[1]);
	free(out);
	return rc;
}
