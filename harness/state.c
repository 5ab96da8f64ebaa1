// SPDX-License-Identifier: GPL-2.0
/*
 * Save and restore of everything a run may change, and `wqbench restore`.
 */
#include "state.h"
#include "commands.h"
#include "hotplug.h"
#include "kmodctl.h"
#include "util.h"
#include "wqsysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Per-workqueue attributes worth saving, where the kernel has them. */
static const char *const wq_attrs[] = { "cpumask", "max_active", "nice", "affinity_scope",
					"affinity_strict", NULL };

const char *state_file_path(void)
{
	const char *e = getenv("WQBENCH_STATE");

	return e && *e ? e : "/run/wqbench/state.json";
}

static int write_state(json_t *j)
{
	const char *path = state_file_path();
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	char *s;
	int r;

	if (slash) {
		*slash = '\0';
		mkdir_p(dir, 0700);
	}
	free(dir);
	s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	r = write_file_atomic(path, s, strlen(s), 0600);
	if (r < 0)
		wqb_err("cannot write state file %s: %s", path, strerror(errno));
	free(s);
	return r;
}

static json_t *wq_snapshot(const char *wq)
{
	json_t *o = json_object();

	for (size_t i = 0; wq_attrs[i]; i++) {
		char *v = wqsysfs_read(wq, wq_attrs[i]);

		if (v) {
			/* affinity_scope reads "default (cache)": keep the word */
			if (strcmp(wq_attrs[i], "affinity_scope") == 0)
				v[strcspn(v, " ")] = '\0';
			json_object_set_new(o, wq_attrs[i], json_string(v));
		}
		free(v);
	}
	return o;
}

int state_save(const char *const *wqs)
{
	bool online[WQB_MAX_CPUS];
	json_t *j, *w;
	char *list, *mask;
	int r;

	if (path_exists(state_file_path())) {
		wqb_err("state file %s exists: an earlier run did not restore; run 'wqbench restore' first",
			state_file_path());
		return -1;
	}
	if (cpus_online(online) < 0) {
		wqb_err("cannot read the online CPU list");
		return -1;
	}
	list = cpulist_format(online, WQB_MAX_CPUS);
	mask = wqsysfs_read(NULL, "cpumask");
	j = json_object();
	w = json_object();
	json_object_set_new(j, "version", json_integer(1));
	json_object_set_new(j, "cpus_online", json_string(list));
	if (mask)
		json_object_set_new(j, "global_cpumask", json_string(mask));
	for (size_t i = 0; wqs && wqs[i]; i++)
		json_object_set_new(w, wqs[i], wq_snapshot(wqs[i]));
	json_object_set_new(j, "workqueues", w);
	r = write_state(j);
	json_decref(j);
	free(list);
	free(mask);
	return r;
}

int state_note(const char *key, const char *value)
{
	json_error_t e;
	json_t *j = json_load_file(state_file_path(), 0, &e), *notes;
	int r;

	if (!j)
		return -1;
	notes = json_object_get(j, "notes");
	if (!notes) {
		notes = json_object();
		json_object_set_new(j, "notes", notes);
	}
	json_object_set_new(notes, key, json_string(value));
	r = write_state(j);
	json_decref(j);
	return r;
}

/*
 * A run killed outright never wrote its verdict: leave one that says so,
 * so the directory is intact, marked incomplete and not mistaken for a
 * pass or silently dropped.
 */
static void mark_incomplete(const char *dir, json_t *rep)
{
	char *sp = path_join(dir, "summary.json"), *kp = path_join(dir, "result.ktap");
	json_t *j;

	if (!is_dir(dir) || path_exists(sp)) {
		free(sp);
		free(kp);
		return;
	}
	j = json_pack("{s:s,s:b,s:[s],s:[]}", "verdict", "fail", "complete", 0, "reasons",
		      "run incomplete: the harness was killed; state put back by wqbench restore",
		      "checks");
	if (json_write_atomic(j, sp, JSON_INDENT(2)) == 0) {
		static const char ktap[] = "KTAP version 1\n1..1\n# the harness was killed before it finished\nnot ok 1 complete\n";

		write_file_atomic(kp, ktap, sizeof(ktap) - 1, 0644);
		json_array_append_new(rep, json_sprintf("%s: marked incomplete", dir));
	}
	json_decref(j);
	free(sp);
	free(kp);
}

int state_add_wq(const char *wq)
{
	json_error_t e;
	json_t *j = json_load_file(state_file_path(), 0, &e), *w;
	int r;

	if (!j)
		return -1;
	w = json_object_get(j, "workqueues");
	if (!json_object_get(w, wq))
		json_object_set_new(w, wq, wq_snapshot(wq));
	r = write_state(j);
	json_decref(j);
	return r;
}

int state_add_file(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(state_file_path(), 0, &e), *files;
	char *v;
	int r;

	if (!j)
		return -1;
	files = json_object_get(j, "files");
	if (!files) {
		files = json_object();
		json_object_set_new(j, "files", files);
	}
	if (json_object_get(files, path)) {
		json_decref(j);
		return 0;
	}
	v = read_file_trim(path);
	if (!v) {
		json_decref(j);
		return -1;
	}
	json_object_set_new(files, path, json_string(v));
	free(v);
	r = write_state(j);
	json_decref(j);
	return r;
}

int state_restore(json_t **report)
{
	json_error_t e;
	json_t *j = json_load_file(state_file_path(), 0, &e), *rep = json_array();
	const char *list, *mask, *wq;
	bool want[WQB_MAX_CPUS], now[WQB_MAX_CPUS];
	json_t *attrs;
	int bad = 0;

	if (report)
		*report = rep;
	if (!j) {
		if (!path_exists(state_file_path())) {
			json_array_append_new(rep, json_string("no state file: nothing to restore"));
			if (!report)
				json_decref(rep);
			return 0;
		}
		wqb_err("state file %s unreadable: %s", state_file_path(), e.text);
		if (!report)
			json_decref(rep);
		return -1;
	}
	/* a module this run loaded: stop its work and unload it first */
	{
		json_t *notes = json_object_get(j, "notes");

		const char *ko = json_string_value(json_object_get(notes, "kmod_loaded"));

		if (ko && *ko && kmodctl_loaded()) {
			int r;

			kmodctl_write("control", "stop");
			r = kmodctl_unload();
			json_array_append_new(rep, json_sprintf("rmmod wqbench: %s",
								r ? strerror(-r) : "ok"));
			if (r)
				bad++;
		}
	}
	/* CPUs first: masks written while CPUs are offline may be refused */
	list = json_string_value(json_object_get(j, "cpus_online"));
	if (list && cpulist_parse(list, want, WQB_MAX_CPUS) >= 0 && cpus_online(now) >= 0) {
		for (int c = 0; c < WQB_MAX_CPUS; c++) {
			int64_t us;
			int r;

			if (want[c] == now[c])
				continue;
			r = cpu_set_online(c, want[c], &us);
			json_array_append_new(rep, json_sprintf("cpu%d %s: %s", c,
								want[c] ? "online" : "offline",
								r ? strerror(-r) : "ok"));
			if (r)
				bad++;
		}
	}
	mask = json_string_value(json_object_get(j, "global_cpumask"));
	if (mask) {
		char *cur = wqsysfs_read(NULL, "cpumask");
		char *a = cur ? cpumask_normalise(cur) : NULL, *b = cpumask_normalise(mask);

		if (!a || strcmp(a, b) != 0) {
			int r = wqsysfs_write(NULL, "cpumask", mask, NULL);

			json_array_append_new(rep, json_sprintf("global cpumask %s: %s", mask,
								r ? strerror(-r) : "ok"));
			if (r)
				bad++;
		}
		free(a);
		free(b);
		free(cur);
	}
	json_object_foreach(json_object_get(j, "workqueues"), wq, attrs) {
		const char *attr;
		json_t *v;

		json_object_foreach(attrs, attr, v) {
			char *cur = wqsysfs_read(wq, attr);
			int r;

			if (!cur)
				continue;	/* the workqueue is gone with its module */
			if (strncmp(cur, json_string_value(v), strlen(json_string_value(v))) == 0) {
				free(cur);
				continue;
			}
			free(cur);
			r = wqsysfs_write(wq, attr, json_string_value(v), NULL);
			json_array_append_new(rep, json_sprintf("%s/%s %s: %s", wq, attr,
								json_string_value(v),
								r ? strerror(-r) : "ok"));
			if (r)
				bad++;
		}
	}
	{
		const char *path;
		json_t *v;

		json_object_foreach(json_object_get(j, "files"), path, v) {
			char *cur = read_file_trim(path);
			int r;

			if (!cur)
				continue;	/* the task or file is gone */
			if (strcmp(cur, json_string_value(v)) == 0) {
				free(cur);
				continue;
			}
			free(cur);
			r = write_file_str(path, json_string_value(v)) < 0 ? -errno : 0;
			json_array_append_new(rep, json_sprintf("%s %s: %s", path,
								json_string_value(v),
								r ? strerror(-r) : "ok"));
			if (r)
				bad++;
		}
	}
	{
		const char *dir = json_string_value(json_object_get(json_object_get(j, "notes"),
								    "result_dir"));

		if (dir && *dir)
			mark_incomplete(dir, rep);
	}
	json_decref(j);
	if (!bad)
		unlink(state_file_path());
	if (!report)
		json_decref(rep);
	return bad ? -1 : 0;
}

