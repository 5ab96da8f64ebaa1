// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench baseline save [--out DIR] RUN...`: keep what a later comparison
 * needs from a set of runs, small enough to store as a CI artifact or in a
 * repository -- the JSON files, the module's histograms and the fault log,
 * not trace.dat or perf data -- with the metrics computed once into each
 * summary.json, and a baseline.json saying what it holds.  `wqbench
 * compare --baseline DIR` (and ci/nightly) read it like any directory of
 * runs.
 */
#include "commands.h"
#include "report.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const kept[] = { "summary.json", "meta.json", "kmod-stats.json",
				    "kmod-stats.txt", "kmod-hist.txt", "events.csv",
				    "scenario.wqb", "result.ktap", "sysstat.json" };

static bool is_run(const char *dir)
{
	char *p = path_join(dir, "summary.json");
	bool yes = path_exists(p);

	free(p);
	return yes;
}

/* copy one run; 0, or -1 with a message */
static int save_run(const char *src, const char *dst_root, json_t *list)
{
	const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	char *dst = path_join(dst_root, base), *sp, err[512];
	json_t *sum, *metrics;
	int rc = 0;

	if (mkdir_p(dst, 0755) < 0) {
		wqb_err("cannot create %s: %s", dst, strerror(errno));
		free(dst);
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		char *a = path_join(src, kept[i]), *b = path_join(dst, kept[i]);

		if (path_exists(a) && copy_file(a, b, 0644) < 0) {
			wqb_err("cannot copy %s: %s", a, strerror(errno));
			rc = -1;
		}
		free(a);
		free(b);
	}
	/* the figures, computed now, travel with the baseline */
	sp = path_join(dst, "summary.json");
	sum = json_load_file(sp, 0, NULL);
	metrics = report_metrics(src, err, sizeof(err));
	if (sum && metrics) {
		json_object_set(sum, "metrics", metrics);
		if (json_dump_file(sum, sp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
			rc = -1;
	}
	json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "run", base, "from", src,
					      "scenario",
					      json_string_value(json_object_get(sum, "scenario")) ?: "?"));
	json_decref(sum);
	json_decref(metrics);
	free(sp);
	free(dst);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_baseline(int argc, char **argv)
{
	const char *out = NULL;
	char *dir = NULL, *manifest;
	json_t *list = json_array(), *m;
	int first = 2, bad = 0, n = 0;

	if (argc < 2 || strcmp(argv[1], "save")) {
		fprintf(argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
			"usage: wqbench baseline save [--out DIR] RUN_DIR...\n"
			"  RUN_DIR is a run directory or a directory of them; DIR defaults to\n"
			"  results/baseline-TIME\n");
		json_decref(list);
		return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	if (argc > 3 && !strcmp(argv[2], "--out")) {
		out = argv[3];
		first = 4;
	}
	if (first >= argc) {
		wqb_err("baseline save needs at least one run directory");
		json_decref(list);
		return 2;
	}
	dir = out ? xstrdup(out) : results_dir_stamped("baseline");
	for (int i = first; i < argc; i++) {
		if (!is_dir(argv[i])) {
			wqb_err("%s: no such directory", argv[i]);
			bad++;
			continue;
		}
		if (is_run(argv[i])) {
			bad += save_run(argv[i], dir, list) < 0;
			n++;
			continue;
		}
		/* a directory of runs: each one directly inside, not through symlinks */
		{
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			char **subs = NULL;
			size_t ns = 0;

			while (d && (e = readdir(d))) {
				char *p = path_join(argv[i], e->d_name);
				struct stat st;

				if (e->d_name[0] != '.' && lstat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
				    is_run(p)) {
					subs = xrealloc(subs, (ns + 1) * sizeof(*subs));
					subs[ns++] = p;
				} else {
					free(p);
				}
			}
			if (d)
				closedir(d);
			if (!ns) {
				wqb_err("%s: neither a run directory nor a directory of runs", argv[i]);
				bad++;
			}
			if (ns)
				qsort(subs, ns, sizeof(*subs), cmp_str);
			for (size_t k = 0; k < ns; k++) {
				bad += save_run(subs[k], dir, list) < 0;
				n++;
				free(subs[k]);
			}
			free(subs);
		}
	}
	if (!n) {
		free(dir);
		json_decref(list);
		return 2;
	}
	{
		char when[32];
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		iso8601_utc((uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec, when);
		m = json_pack("{s:i,s:s,s:s,s:b,s:o}", "format", 1, "created", when,
			      "wqbench_revision", WQB_GIT_REV, "wqbench_dirty", WQB_GIT_DIRTY,
			      "runs", list);
	}
	manifest = path_join(dir, "baseline.json");
	if (mkdir_p(dir, 0755) < 0 || json_dump_file(m, manifest, JSON_INDENT(2)) < 0) {
		wqb_err("cannot write %s", manifest);
		bad++;
	}
	printf("baseline: %d runs in %s\n", n, dir);
	json_decref(m);
	free(manifest);
	free(dir);
	return bad ? 1 : 0;
}
