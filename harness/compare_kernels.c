// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench compare-kernels --kernel A --kernel B [--suite compare] [--reps N]`:
 * the before/after job in one command.  The suite runs once per
 * repetition on each kernel, interleaved -- A B A B ... -- so slow drift
 * of the host (thermal, other tenants, page cache) falls on both sides
 * alike instead of on one.  Each run is a child `wqbench run` (one guest
 * boot per suite pass); the runs land in OUT/A and OUT/B and are judged by
 * the same code as `wqbench compare` (analysis/compare.c), whose exit
 * status this returns -- 3 included: too few passes to rule out a
 * regression is not a pass.
 *
 * A kernel is a Debian release name (6.1, 6.12, or one `wqbench kernel
 * list` shows) or a build of your own as IMAGE:BUILD_DIR (a bzImage and
 * the tree it was built in, as for `run --kernel-image/--kernel-build`).
 *
 * Or the kernel developer's loop: `--source DIR --base REV [--candidate
 * REV]` builds two revisions of one git tree -- the candidate defaults to
 * the work tree as it is, uncommitted changes included -- with the same
 * flavour's config (`wqbench kernel build`, harness/kernelbuild.c: O= and
 * ccache under the cache, the tree never written), as NAME-base and
 * NAME-cand, and compares those.  Building under the same names again
 * rebuilds only what changed.
 */
#include "commands.h"
#include "compare.h"
#include "runcmd.h"
#include "sensitivity.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wqbench compare-kernels --kernel A --kernel B [options]\n"
		"  A, B            6.1, 6.12, a cached release, or IMAGE:BUILD_DIR (your own build)\n"
		"  --suite S       suite name in workloads/suites or a .suite path (default compare)\n"
		"  --reps N        passes of the suite on each kernel, interleaved A B A B (default 8:\n"
		"                  the sensitivity study's margin for the compare suite's family,\n"
		"                  docs/compare.md \"How small a regression does it catch?\")\n"
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

/* argv for one child `wqbench run` of the suite on kernel k into dir */
static void run_argv(struct argv_buf *a, const char *self, const char *k, const char *dir,
		     const char *suite)
{
	const char *colon = strchr(k, ':');

	argv_add(a, self);
	argv_add(a, "--quiet");
	argv_add(a, "run");
	if (colon && strchr(k, '/')) {
		char *img = xasprintf("%.*s", (int)(colon - k), k);

		argv_add(a, "--kernel-image");
		argv_add(a, img);
		argv_add(a, "--kernel-build");
		argv_add(a, colon + 1);
		free(img);
	} else {
		argv_add(a, "--kernel");
		argv_add(a, k);
	}
	argv_add(a, "--results");
	argv_add(a, dir);
	argv_add(a, suite);
}

/*
 * Build revision rev (NULL: the work tree) of the tree src as kernel name
 * with `wqbench kernel build`; its output goes to the terminal.  0 or -1.
 */
static int build_rev(const char *self, const char *src, const char *rev, const char *flavour,
		     const char *name)
{
	struct argv_buf a = { 0 };
	struct spawn_opts so = { 0 };
	struct spawn_result sr;
	int x;

	argv_add(&a, self);
	argv_add(&a, "kernel");
	argv_add(&a, "build");
	argv_add(&a, "--source");
	argv_add(&a, src);
	if (rev) {
		argv_add(&a, "--rev");
		argv_add(&a, rev);
	}
	argv_add(&a, "--flavour");
	argv_add(&a, flavour);
	argv_add(&a, "--name");
	argv_add(&a, name);
	printf("building %s: %s of %s (%s)\n", name, rev ? rev : "the work tree", src, flavour);
	fflush(stdout);
	x = spawn_run(a.v, &so, 0, &sr);
	argv_free(&a);
	if (x) {
		wqb_err("building %s of %s failed (exit %d): nothing to compare", rev ? rev : "the work tree",
			src, x);
		return -1;
	}
	return 0;
}

int cmd_compare_kernels(int argc, char **argv)
{
	const char *kern[2] = { NULL, NULL }, *suite_arg = "compare", *out_arg = NULL;
	const char *source = NULL, *rev[2] = { NULL, NULL }, *flavour = "lean", *kname = NULL;
	const char *metrics = NULL;
	char *built[2] = { NULL, NULL };
	struct comparison c = { .min_effect_pct = 5.0, .alpha = 0.05, .conf = 0.95 };
	/*
	 * 8: the smallest count a side at which Holm over the compare suite's
	 * 42 metrics (6 groups x 7) has at least the margin to alpha that the
	 * sensitivity study's 7 metrics had at 6 a side, 2/C(12,6) x 7 = 0.015,
	 * where it caught a 7% shift of queue->start p50 in 80% of draws:
	 * 2/C(16,8) x 42 = 0.0065, while 7 a side gives 0.024 and 6 cannot
	 * reach alpha at all (docs/compare.md, docs/sensitivity-mde.tsv)
	 */
	unsigned long reps = 8;
	char *suite = NULL, *out = NULL, *side[2] = { NULL, NULL }, *self = NULL, err[1024];
	int nk = 0, rc = 2;

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
	suite = strchr(suite_arg, '/') || str_ends_with(suite_arg, ".suite")
			? xstrdup(suite_arg)
			: xasprintf("%s/workloads/suites/%s.suite", wqb_src_dir(), suite_arg);
	if (!path_exists(suite)) {
		wqb_err("%s: no such suite", suite);
		goto out;
	}
	out = out_arg ? xstrdup(out_arg) : results_dir_stamped("compare-kernels");
	side[0] = path_join(out, "A");
	side[1] = path_join(out, "B");
	if (mkdir_p(side[0], 0755) < 0 || mkdir_p(side[1], 0755) < 0) {
		wqb_err("cannot create %s: %s", out, strerror(errno));
		goto out;
	}
	self = abs_path("/proc/self/exe");
	if (source) {
		char *abs = abs_path(source), *base;

		if (!abs || !is_dir(abs)) {
			wqb_err("--source %s: not a directory", source);
			free(abs);
			goto out;
		}
		base = strrchr(abs, '/') + 1;
		for (int s = 0; s < 2; s++) {
			built[s] = kname ? xasprintf("%s-%s", kname, s ? "cand" : "base")
					 : xasprintf("%s%s-ab-%s", isalpha((unsigned char)*base) ? "" : "k",
						     *base ? base : "src", s ? "cand" : "base");
			if (build_rev(self ? self : "wqbench", abs, rev[s], flavour, built[s]) < 0) {
				free(abs);
				goto out;
			}
			kern[s] = built[s];
		}
		free(abs);
	}
	for (unsigned long r = 0; r < reps; r++) {
		for (int s = 0; s < 2; s++) {
			struct argv_buf a = { 0 };
			char *log = xasprintf("%s/%s-rep%lu.log", out, s ? "B" : "A", r + 1);
			struct spawn_opts so = { .stdout_path = log, .stderr_to_stdout = true,
						 .append = true };
			struct spawn_result sr;
			int x;

			run_argv(&a, self ? self : "wqbench", kern[s], side[s], suite);
			printf("[%lu/%lu] %s = %s: %s\n", r + 1, reps, s ? "B" : "A", kern[s], suite);
			fflush(stdout);
			x = spawn_run(a.v, &so, 0, &sr);
			if (x == 2 || x < 0) {
				/* bad kernel name, missing module: nothing later will work */
				wqb_err("run on %s failed to start (exit %d): see %s", kern[s], x, log);
				argv_free(&a);
				free(log);
				goto out;
			}
			if (x)
				wqb_warn("a run on %s failed its checks (see %s): the comparison lists it first",
					 kern[s], log);
			argv_free(&a);
			free(log);
		}
	}
	if (compare_build(&c, &side[0], 1, &side[1], 1, err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		goto out;
	}
	if (compare_write_all(&c, out) < 0)
		goto out;
	compare_print_md(&c, stdout);
	rc = cmp_exit_code(&c);
	printf("\ncompare-kernels: A = %s, B = %s, %lu passes each; %zu regressed, %zu improved, "
	       "%zu unchanged, %zu too noisy, %zu too few runs, %zu not judged, "
	       "%zu oracle failures -> exit %d (%s)\n"
	       "report: %s/compare.md (.html .json, junit.xml, kcidb.json, lava.txt)\n",
	       kern[0], kern[1], reps, c.count[CMP_REGRESSED], c.count[CMP_IMPROVED],
	       c.count[CMP_UNCHANGED], c.count[CMP_NOISY], c.count[CMP_FEW_RUNS],
	       c.count[CMP_NOT_JUDGED], c.nf, rc, cmp_exit_meaning(rc), out);
	{
		char *sens = sens_mde_for(&c);	/* docs/sensitivity-mde.tsv: what N runs catch */

		if (sens)
			printf("%s\n", sens);
		free(sens);
	}
	if (rc == CMP_EXIT_INCONCLUSIVE)
		wqb_err("inconclusive: %lu passes a side are too few to rule out a regression on %zu "
			"metrics (Notes in %s/compare.md say how many would do)", reps, c.hidden, out);
out:
	compare_free(&c);
	free(suite);
	free(out);
	free(side[0]);
	free(side[1]);
	free(built[0]);
	free(built[1]);
	free(self);
	return rc;
}
