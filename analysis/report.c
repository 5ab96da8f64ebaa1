// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench report RUN_DIR...`: report.md from a result directory's
 * summary.json, kmod-stats.json and meta.json.
 *
 * It reads only what the harness wrote and prints every figure with the
 * file it came from, so a reader can check it.
 */
#include "commands.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *load(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	json_t *j = json_load_file(p, 0, NULL);

	free(p);
	return j;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

static long long jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void write_groups(FILE *f, json_t *stats, double seconds)
{
	json_t *g;
	size_t i;

	fprintf(f, "\n## Work groups (kmod-stats.json)\n\n");
	if (!stats) {
		fprintf(f, "kmod-stats.json is missing: the module's counters were not collected.\n");
		return;
	}
	fprintf(f, "| group | completed | items/s | queue→start p50 | p99 | run p50 | max concurrency |\n");
	fprintf(f, "|---|---:|---:|---:|---:|---:|---:|\n");
	json_array_foreach(json_object_get(stats, "group"), i, g) {
		long long done = jint(g, "completed");
		char p50[32] = "-", p99[32] = "-", r50[32] = "-";

		if (json_object_get(g, "lat_p50_ns"))
			snprintf(p50, sizeof(p50), "%.1f µs", jint(g, "lat_p50_ns") / 1000.0);
		if (json_object_get(g, "lat_p99_ns"))
			snprintf(p99, sizeof(p99), "%.1f µs", jint(g, "lat_p99_ns") / 1000.0);
		if (json_object_get(g, "run_p50_ns"))
			snprintf(r50, sizeof(r50), "%.1f µs", jint(g, "run_p50_ns") / 1000.0);
		fprintf(f, "| %s | %lld | %.0f | %s | %s | %s | %lld |\n", jstr(g, "name"), done,
			seconds > 0 ? (double)done / seconds : 0.0, p50, p99, r50,
			jint(g, "max_concurrency"));
	}
	fprintf(f, "\nRuns per CPU:");
	json_array_foreach(json_object_get(stats, "cpu"), i, g)
		fprintf(f, " cpu%lld=%lld", jint(g, "cpu"), jint(g, "runs"));
	fprintf(f, "\n");
}

static int report_one(const char *dir, bool print)
{
	json_t *sum = load(dir, "summary.json"), *meta = load(dir, "meta.json");
	json_t *stats = load(dir, "kmod-stats.json"), *c, *hp, *guest;
	char *rp = path_join(dir, "report.md");
	double seconds;
	size_t i;
	FILE *f;

	if (!sum) {
		wqb_err("%s: no readable summary.json: not a wqbench result directory, or the run died before writing one",
			dir);
		json_decref(meta);
		json_decref(stats);
		free(rp);
		return 1;
	}
	f = fopen(rp, "w");
	if (!f) {
		wqb_err("cannot write %s: %s", rp, strerror(errno));
		json_decref(sum);
		json_decref(meta);
		json_decref(stats);
		free(rp);
		return 1;
	}
	seconds = jint(json_object_get(meta, "scenario"), "duration_ms") / 1000.0;
	fprintf(f, "# wqbench run: %s — %s\n\n", jstr(sum, "scenario"),
		strcmp(jstr(sum, "verdict"), "pass") == 0 ? "PASS" : "FAIL");
	fprintf(f, "- kernel: %s\n", jstr(json_object_get(meta, "kernel"), "release"));
	fprintf(f, "- CPUs online: %s\n", jstr(json_object_get(meta, "cpu"), "online"));
	fprintf(f, "- measured: %.1f s\n", seconds);
	fprintf(f, "- wqbench: %s%s\n", jstr(json_object_get(meta, "wqbench"), "git_revision"),
		json_is_true(json_object_get(json_object_get(meta, "wqbench"), "git_dirty")) ?
		" (dirty)" : "");
	guest = json_object_get(sum, "guest");
	if (guest)
		fprintf(f, "- guest: %s, %s, boot %lld ms, %lld attempt(s)\n", jstr(guest, "outcome"),
			jstr(guest, "accel"), jint(guest, "boot_ms"), jint(guest, "attempts"));
	fprintf(f, "\n## Checks (summary.json)\n\n| check | result | detail |\n|---|---|---|\n");
	json_array_foreach(json_object_get(sum, "checks"), i, c)
		fprintf(f, "| %s | %s | %s |\n", jstr(c, "name"), jstr(c, "status"),
			jstr(c, "detail"));
	json_array_foreach(json_object_get(sum, "reasons"), i, c)
		fprintf(f, "%s- failure: %s\n", i ? "" : "\n", json_string_value(c));
	write_groups(f, stats, seconds);
	hp = json_object_get(sum, "hotplug");
	if (hp) {
		long long on = jint(hp, "online_ok"), off = jint(hp, "offline_ok");

		fprintf(f, "\n## CPU hotplug (summary.json, events.csv)\n\n");
		fprintf(f, "| direction | ok/attempts | min | mean | max |\n|---|---|---:|---:|---:|\n");
		fprintf(f, "| offline | %lld/%lld | %lld µs | %lld µs | %lld µs |\n", off,
			jint(hp, "offline_attempts"), jint(hp, "offline_min_us"),
			off ? jint(hp, "offline_sum_us") / off : 0, jint(hp, "offline_max_us"));
		fprintf(f, "| online | %lld/%lld | %lld µs | %lld µs | %lld µs |\n", on,
			jint(hp, "online_attempts"), jint(hp, "online_min_us"),
			on ? jint(hp, "online_sum_us") / on : 0, jint(hp, "online_max_us"));
	}
	fprintf(f, "\nFiles: summary.json, meta.json, kmod-stats.json, events.csv, trace.dat, dmesg.txt, console.log, result.ktap.\n");
	fclose(f);
	if (print) {
		char *text = read_file(rp, NULL);

		if (text)
			fputs(text, stdout);
		free(text);
		printf("\nreport: %s\n", rp);
	} else {
		printf("%s\n", rp);
	}
	json_decref(sum);
	json_decref(meta);
	json_decref(stats);
	free(rp);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	bool print = false;
	int bad = 0, n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--print") == 0) {
			print = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: wqbench report [--print] RUN_DIR...\n");
			return 0;
		} else if (argv[i][0] == '-') {
			wqb_err("unknown report option '%s'", argv[i]);
			return 2;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		n++;
		if (!is_dir(argv[i])) {
			wqb_err("%s: no such result directory", argv[i]);
			bad++;
			continue;
		}
		bad += report_one(argv[i], print);
	}
	if (!n) {
		wqb_err("report needs at least one result directory");
		return 2;
	}
	return bad ? 1 : 0;
}
