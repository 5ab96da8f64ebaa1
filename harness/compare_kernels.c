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
#include "compare.h"
#include "compare_kernels.h"
#include "runcmd.h"
#include "sensitivity.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/*
 * The suite o->reps times on each kernel, interleaved, then judged into c
 * (options and family set by the caller).  Returns the exit status.
 */
int compare_kernels(const struct ck_opts *o, struct comparison *c)
{
	const char *kern[2] = { o->kern[0], o->kern[1] };
	char *built[2] = { NULL, NULL };
	char *suite = NULL, *out = NULL, *side[2] = { NULL, NULL }, *self = NULL, err[1024];
	int rc = 2;

	suite = strchr(o->suite_arg, '/') || str_ends_with(o->suite_arg, ".suite")
			? xstrdup(o->suite_arg)
			: xasprintf("%s/workloads/suites/%s.suite", wqb_src_dir(), o->suite_arg);
	if (!path_exists(suite)) {
		wqb_err("%s: no such suite", suite);
		goto out;
	}
	out = o->out_arg ? xstrdup(o->out_arg) : results_dir_stamped("compare-kernels");
	side[0] = path_join(out, "A");
	side[1] = path_join(out, "B");
	if (mkdir_p(side[0], 0755) < 0 || mkdir_p(side[1], 0755) < 0) {
		wqb_err("cannot create %s: %s", out, strerror(errno));
		goto out;
	}
	self = abs_path("/proc/self/exe");
	if (o->source) {
		char *abs = abs_path(o->source), *base;

		if (!abs || !is_dir(abs)) {
			wqb_err("--source %s: not a directory", o->source);
			free(abs);
			goto out;
		}
		base = strrchr(abs, '/') + 1;
		for (int s = 0; s < 2; s++) {
			built[s] = o->kname ? xasprintf("%s-%s", o->kname, s ? "cand" : "base")
					 : xasprintf("%s%s-ab-%s", isalpha((unsigned char)*base) ? "" : "k",
						     *base ? base : "src", s ? "cand" : "base");
			if (build_rev(self ? self : "wqbench", abs, o->rev[s], o->flavour, built[s]) < 0) {
				free(abs);
				goto out;
			}
			kern[s] = built[s];
		}
		free(abs);
	}
	for (unsigned long r = 0; r < o->reps; r++) {
		for (int s = 0; s < 2; s++) {
			struct argv_buf a = { 0 };
			char *log = xasprintf("%s/%s-rep%lu.log", out, s ? "B" : "A", r + 1);
			struct spawn_opts so = { .stdout_path = log, .stderr_to_stdout = true,
						 .append = true };
			struct spawn_result sr;
			int x;

			run_argv(&a, self ? self : "wqbench", kern[s], side[s], suite);
			printf("[%lu/%lu] %s = %s: %s\n", r + 1, o->reps, s ? "B" : "A", kern[s], suite);
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
	if (compare_build(c, &side[0], 1, &side[1], 1, err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		goto out;
	}
	if (compare_write_all(c, out) < 0)
		goto out;
	compare_print_md(c, stdout);
	rc = cmp_exit_code(c);
	printf("\ncompare-kernels: A = %s, B = %s, %lu passes each; %zu regressed, %zu improved, "
	       "%zu unchanged, %zu too noisy, %zu too few runs, %zu not judged, "
	       "%zu oracle failures -> exit %d (%s)\n"
	       "report: %s/compare.md (.html .json, junit.xml, kcidb.json, lava.txt)\n",
	       kern[0], kern[1], o->reps, c->count[CMP_REGRESSED], c->count[CMP_IMPROVED],
	       c->count[CMP_UNCHANGED], c->count[CMP_NOISY], c->count[CMP_FEW_RUNS],
	       c->count[CMP_NOT_JUDGED], c->nf, rc, cmp_exit_meaning(rc), out);
	{
		char *sens = sens_mde_for(c);	/* docs/sensitivity-mde.tsv: what N runs catch */

		if (sens)
			printf("%s\n", sens);
		free(sens);
	}
	if (rc == CMP_EXIT_INCONCLUSIVE)
		wqb_err("inconclusive: %lu passes a side are too few to rule out a regression on %zu "
			"metrics (Notes in %s/compare.md say how many would do)", o->reps, c->hidden, out);
out:
	free(suite);
	free(out);
	free(side[0]);
	free(side[1]);
	free(built[0]);
	free(built[1]);
	free(self);
	return rc;
}
