// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench baseline save` (analysis/cmd_baseline.c): keep what a later comparison
 * needs from a set of runs, small enough to store as a CI artifact or in a
 * repository -- the JSON files, the module's histograms and the fault log,
 * not trace.dat or perf data -- with the metrics computed once into each
 * summary.json, and a baseline.json saying what it holds.  `wqbench
 * compare --baseline DIR` (and ci/nightly) read it like any directory of
 * runs.
 */
#include "baseline.h"
#include "report.h"
#include "rundata.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const kept[] = { "summary.json", "meta.json", "kmod-stats.json",
				    "kmod-stats.txt", "kmod-hist.txt", "events.csv",
				    "scenario.wqb", "result.ktap", "sysstat.json" };

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_run(const char *dir)
{
	char *p = path_join(dir, "summary.json");
	bool yes = path_exists(p);

	free(p);
	return yes;
}

struct bl_run {
	char *src, *id;
	const char *base;	/* folder name inside src, the name it keeps */
};

struct bl {
	struct bl_run *r;
	size_t n;
};

/* one run once, whatever its spelling; 0, or -1 on a name clash */
static int add_run(struct bl *b, char *src)
{
	char *id = run_identity(src), *t;
	const char *base;

	/* "b3/" names b3 */
	while (strlen(src) > 1 && src[strlen(src) - 1] == '/')
		src[strlen(src) - 1] = '\0';
	t = strrchr(src, '/');
	base = t ? t + 1 : src;
	if (!strcmp(base, ".") || !strcmp(base, "..")) {
		char *real = abs_path(src);

		free(src);
		src = real ? real : xstrdup("/");
		t = strrchr(src, '/');
		base = t ? t + 1 : src;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (!strcmp(b->r[i].id, id)) {
			wqb_warn("%s is the run %s again: saved once", src, b->r[i].src);
			free(id);
			free(src);
			return 0;
		}
		if (!strcmp(b->r[i].base, base)) {
			wqb_err("%s and %s are two different runs with one name, %s: a baseline "
				"keeps runs by name; save them into separate baselines",
				b->r[i].src, src, base);
			free(id);
			free(src);
			return -1;
		}
	}
	b->r = xrealloc(b->r, (b->n + 1) * sizeof(*b->r));
	b->r[b->n++] = (struct bl_run){ .src = src, .id = id, .base = base };
	return 0;
}

/* RUN_DIR itself, or the runs directly inside it (not through symlinks) */
static int collect(struct bl *b, const char *arg)
{
	DIR *d;
	struct dirent *e;
	char **subs = NULL;
	size_t ns = 0;
	int rc = 0;

	if (!is_dir(arg)) {
		wqb_err("%s: no such directory", arg);
		return -1;
	}
	if (is_run(arg))
		return add_run(b, xstrdup(arg));
	d = opendir(arg);
	while (d && (e = readdir(d))) {
		char *p = path_join(arg, e->d_name);
		struct stat st;

		if (e->d_name[0] != '.' && lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && is_run(p)) {
			subs = xrealloc(subs, (ns + 1) * sizeof(*subs));
			subs[ns++] = p;
		} else {
			free(p);
		}
	}
	if (d)
		closedir(d);
	if (!ns) {
		wqb_err("%s: neither a run directory nor a directory of runs", arg);
		return -1;
	}
	qsort(subs, ns, sizeof(*subs), cmp_str);
	for (size_t k = 0; k < ns; k++)
		if (rc == 0)
			rc = add_run(b, subs[k]);
		else
			free(subs[k]);
	free(subs);
	return rc;
}

/* copy one run into the staging directory; 0, or -1 with a message */
static int save_run(const struct bl_run *run, const char *stage, json_t *list)
{
	char *dst = path_join(stage, run->base), *sp, err[512];
	json_t *sum = NULL, *metrics;
	int rc = -1;

	/* an unreadable run is never copied: its figures would be missing later */
	metrics = report_metrics(run->src, err, sizeof(err));
	if (!metrics) {
		wqb_err("%s: not saved: %s", run->src, err);
		free(dst);
		return -1;
	}
	if (mkdir(dst, 0755) < 0) {
		wqb_err("cannot create %s: %s", dst, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		char *a = path_join(run->src, kept[i]), *b = path_join(dst, kept[i]);
		int bad = path_exists(a) && copy_file(a, b, 0644) < 0;

		if (bad)
			wqb_err("cannot copy %s: %s", a, strerror(errno));
		free(a);
		free(b);
		if (bad)
			goto out;
	}
	/* the figures, computed now, travel with the baseline */
	sp = path_join(dst, "summary.json");
	sum = json_load_file(sp, 0, NULL);
	if (!json_is_object(sum)) {
		wqb_err("%s: summary.json changed while being saved: not saved", run->src);
		free(sp);
		goto out;
	}
	json_object_set(sum, "metrics", metrics);
	if (json_write_atomic(sum, sp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0) {
		wqb_err_write(sp, errno);
		free(sp);
		goto out;
	}
	free(sp);
	json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "run", run->base, "from", run->src,
					      "scenario",
					      json_string_value(json_object_get(sum, "scenario")) ?: "?"));
	rc = 0;
out:
	json_decref(sum);
	json_decref(metrics);
	free(dst);
	return rc;
}

/* an empty directory, or an earlier baseline, may be replaced; nothing else */
static bool replaceable(const char *dir, bool *empty)
{
	char *m = path_join(dir, "baseline.json");
	bool is_baseline = path_exists(m);
	DIR *d = opendir(dir);
	struct dirent *e;

	free(m);
	*empty = true;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			*empty = false;
	if (d)
		closedir(d);
	return d && (is_baseline || *empty);
}

/* the staged baseline becomes DIR, whole; an earlier one is replaced only then */
static int install(const char *stage, const char *dir)
{
	struct stat st;
	bool empty;
	char *old;

	if (lstat(dir, &st) < 0) {
		if (rename(stage, dir) == 0)
			return 0;
		wqb_err("cannot create %s: %s; nothing was written", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || !replaceable(dir, &empty)) {
		wqb_err("%s exists and is not a baseline: left as it was, nothing written", dir);
		return -1;
	}
	if (empty) {
		if (rmdir(dir) == 0 && rename(stage, dir) == 0)
			return 0;
		wqb_err("cannot replace %s: %s", dir, strerror(errno));
		return -1;
	}
	old = xasprintf("%s.old", stage);
	if (rename(dir, old) < 0) {
		wqb_err("cannot replace %s: %s; the previous baseline is left as it was", dir,
			strerror(errno));
		free(old);
		return -1;
	}
	if (rename(stage, dir) < 0) {
		int e = errno;

		rename(old, dir);
		wqb_err("cannot replace %s: %s; the previous baseline is left as it was", dir,
			strerror(e));
		free(old);
		return -1;
	}
	remove_tree(old);
	free(old);
	return 0;
}

int baseline_save(char *const *runs, size_t nruns, const char *out)
{
	char *dir = NULL, *stage = NULL, *slash, *manifest;
	json_t *list = NULL, *m;
	struct bl b = { 0 };
	int rc = 1;

	for (size_t i = 0; i < nruns; i++)
		if (collect(&b, runs[i]) < 0)
			goto done;
	dir = out ? xstrdup(out) : results_dir_stamped("baseline");
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	/* staged beside DIR (same file system), renamed into place when complete */
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		char *parent = xasprintf("%.*s", (int)(slash - dir), dir);

		if (mkdir_p(parent, 0755) < 0 && !is_dir(parent)) {
			wqb_err("cannot create %s: %s; nothing was written", parent, strerror(errno));
			free(parent);
			goto done;
		}
		free(parent);
	}
	stage = slash ? xasprintf("%.*s/.%s.tmp-XXXXXX", (int)(slash - dir), dir, slash + 1) :
			xasprintf(".%s.tmp-XXXXXX", dir);
	if (!mkdtemp(stage)) {
		wqb_err("cannot create a directory beside %s: %s; nothing was written", dir,
			strerror(errno));
		free(stage);
		stage = NULL;
		goto done;
	}
	list = json_array();
	for (size_t i = 0; i < b.n; i++)
		if (save_run(&b.r[i], stage, list) < 0)
			goto done;
	{
		char when[32];
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		iso8601_utc((uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec, when);
		m = json_pack("{s:i,s:s,s:s,s:b,s:O}", "format", 1, "created", when,
			      "wqbench_revision", WQB_GIT_REV, "wqbench_dirty", WQB_GIT_DIRTY,
			      "runs", list);
	}
	manifest = path_join(stage, "baseline.json");
	if (json_write_atomic(m, manifest, JSON_INDENT(2)) < 0) {
		wqb_err_write(manifest, errno);
		json_decref(m);
		free(manifest);
		goto done;
	}
	json_decref(m);
	free(manifest);
	if (install(stage, dir) < 0)
		goto done;
	if (wqb_verbosity > 0)
		printf("baseline: %zu runs in %s\n", b.n, dir);
	rc = 0;
done:
	if (rc) {
		if (stage)
			remove_tree(stage);
		wqb_err("baseline not saved: nothing was written");
	}
	free(stage);
	json_decref(list);
	for (size_t i = 0; i < b.n; i++) {
		free(b.r[i].src);
		free(b.r[i].id);
	}
	free(b.r);
	free(dir);
	return rc;
}
