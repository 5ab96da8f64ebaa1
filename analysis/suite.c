// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench report --suite ROOT`: one page for a suite run -- every run
 * directly inside ROOT with its verdict (ERROR, FAIL, SKIP, PASS: the ones
 * needing a person first), its headline figures per group (throughput,
 * queue->start p50 and p99), its failed checks and the reasons, and a
 * link to its own report -- as ROOT/suite.md and ROOT/suite.html, written
 * whole or not at all.  Figures come from report_metrics(), so a run with
 * damaged files shows none and is an ERROR (rundata.h).
 */
#include "report.h"
#include "rundata.h"
#include "suite.h"
#include "textfmt.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct suite_run {
	char *name;		/* folder name inside ROOT */
	char *scenario;
	const char *verdict;	/* ERROR FAIL SKIP PASS */
	int rank;		/* order on the page: 0 = ERROR first */
	char *problems;		/* damaged files, failed checks, reasons: "; "-separated */
	char *figures;		/* "g: 51651 items/s, q→s p50 59.6 µs, p99 554.1 µs" per group */
	bool has_html;
};

static void append(char **s, const char *sep, const char *add)
{
	char *n = *s ? xasprintf("%s%s%s", *s, sep, add) : xstrdup(add);

	free(*s);
	*s = n;
}

static int verdict_rank(const char *v)
{
	return !strcmp(v, "ERROR") ? 0 : !strcmp(v, "FAIL") ? 1 : !strcmp(v, "SKIP") ? 2 : 3;
}

/* "g: 51651 items/s, queue→start p50 59.6 µs, p99 554.1 µs" per group, from metrics */
static char *headline(json_t *metrics)
{
	const char *key;
	json_t *v;
	char *out = NULL;

	json_object_foreach(metrics, key, v) {
		const char *dot = strrchr(key, '.');
		char *group, *p50k, *p99k, *line, a[32], b[32];
		double tput, p50, p99;

		if (!dot || strcmp(dot, ".throughput"))
			continue;
		group = xasprintf("%.*s", (int)(dot - key), key);
		p50k = xasprintf("%s.lat_p50_ns", group);
		p99k = xasprintf("%s.lat_p99_ns", group);
		tput = json_number_value(json_object_get(v, "value"));
		p50 = json_is_number(json_object_get(json_object_get(metrics, p50k), "value")) ?
		      json_number_value(json_object_get(json_object_get(metrics, p50k), "value")) : NAN;
		p99 = json_is_number(json_object_get(json_object_get(metrics, p99k), "value")) ?
		      json_number_value(json_object_get(json_object_get(metrics, p99k), "value")) : NAN;
		fmt_ns(a, sizeof(a), p50);
		fmt_ns(b, sizeof(b), p99);
		line = xasprintf("%s: %.0f items/s, queue→start p50 %s, p99 %s", group, tput, a, b);
		append(&out, "; ", line);
		free(line);
		free(group);
		free(p50k);
		free(p99k);
	}
	return out ? out : xstrdup("–");
}

static void load_one(struct suite_run *r, const char *root, const char *name)
{
	char *dir = path_join(root, name), err[600], *p;
	struct rundata rd;
	json_t *c, *metrics;
	size_t i;

	r->name = xstrdup(name);
	p = path_join(dir, "report.html");
	r->has_html = path_exists(p);
	free(p);
	if (rundata_load(dir, &rd, err, sizeof(err)) < 0) {
		r->scenario = xstrdup("?");
		r->verdict = "ERROR";
		r->problems = xstrdup(err);
		r->figures = xstrdup("–");
		goto out;
	}
	r->scenario = xstrdup(json_string_value(json_object_get(rd.summary, "scenario")) ?: "?");
	r->verdict = report_verdict_name(&rd);
	if (rd.damaged[0])
		append(&r->problems, "; ", rd.damaged);
	json_array_foreach(json_object_get(rd.summary, "checks"), i, c) {
		const char *st = json_string_value(json_object_get(c, "status"));

		if (st && !strcmp(st, "fail")) {
			char *t = xasprintf("%s: %s",
					    json_string_value(json_object_get(c, "name")) ?: "?",
					    json_string_value(json_object_get(c, "detail")) ?: "");

			append(&r->problems, "; ", t);
			free(t);
		}
	}
	json_array_foreach(json_object_get(rd.summary, "reasons"), i, c)
		if (json_is_string(c) && (!r->problems || !strstr(r->problems, json_string_value(c))))
			append(&r->problems, "; ", json_string_value(c));
	metrics = rd.damaged[0] ? NULL : report_metrics(dir, err, sizeof(err));
	r->figures = metrics ? headline(metrics) : xstrdup("–");
	json_decref(metrics);
	rundata_free(&rd);
out:
	r->rank = verdict_rank(r->verdict);
	free(dir);
}

static int run_order(const void *x, const void *y)
{
	const struct suite_run *a = x, *b = y;

	return a->rank != b->rank ? a->rank - b->rank : strcmp(a->name, b->name);
}

/* the runs directly inside root (not through symlinks such as latest) */
static struct suite_run *load_runs(const char *root, size_t *n)
{
	DIR *d = opendir(root);
	struct dirent *e;
	struct suite_run *v = NULL;

	*n = 0;
	while (d && (e = readdir(d))) {
		char *p = path_join(root, e->d_name), *s = path_join(p, "summary.json");
		struct stat st;

		if (e->d_name[0] != '.' && lstat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
		    path_exists(s)) {
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			memset(&v[*n], 0, sizeof(*v));
			load_one(&v[(*n)++], root, e->d_name);
		}
		free(s);
		free(p);
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), run_order);
	return v;
}

static void write_page(FILE *f, bool html, const char *root, const struct suite_run *v, size_t n)
{
	size_t count[4] = { 0 };
	char line[512];
	struct textdoc d = { .f = f, .html = html };

	for (size_t i = 0; i < n; i++)
		count[v[i].rank]++;
	if (html)
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		      "<title>wqbench suite</title>\n<style>\n"
		      "body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}\n"
		      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
		      "padding:3px 8px;font-size:90%;vertical-align:top}th{background:#f0f0f0}\n"
		      "tr.ERROR td:first-child{background:#fbb;font-weight:bold}"
		      "tr.FAIL td:first-child{background:#fdd;font-weight:bold}"
		      "tr.SKIP td:first-child{background:#eee}tr.PASS td:first-child{background:#dfd}\n"
		      "</style></head><body>\n", f);
	snprintf(line, sizeof(line), "wqbench suite: %zu run%s — %zu error, %zu failed, %zu skipped, "
		 "%zu passed", n, n == 1 ? "" : "s", count[0], count[1], count[2], count[3]);
	doc_head(&d, 1, line);
	snprintf(line, sizeof(line), "Results directory %s. Runs needing a look come first (ERROR: a result file is "
		 "damaged; FAIL: a check failed). Figures per work group: throughput over the "
		 "measured phase, queue→start p50 and p99 from the module's histograms.", root);
	doc_text(&d, line);
	{
		static const char *const head[] = { "verdict", "scenario", "headline figures",
						    "failed checks and reasons", "report" };

		doc_table(&d, true);
		doc_row(&d, head, 5, true, NULL);
		for (size_t i = 0; i < n; i++) {
			char *report = v[i].has_html ? NULL : xasprintf("%s (not reported)", v[i].name);
			char *href = v[i].has_html ? xasprintf("%s/report.%s", v[i].name,
							       html ? "html" : "md") : NULL;
			const char *cells[] = { v[i].verdict, v[i].scenario, v[i].figures,
						v[i].problems ? v[i].problems : "–",
						report ? report : v[i].name };

			doc_row_link(&d, cells, 5, v[i].verdict, 4, href);
			free(report);
			free(href);
		}
		doc_table(&d, false);
	}
	if (html)
		fputs("</body></html>\n", f);
}

int report_suite(const char *root, bool print)
{
	size_t n;
	struct suite_run *v;
	int rc = 0;

	if (!is_dir(root)) {
		wqb_err("%s: no such results directory", root);
		return 1;
	}
	v = load_runs(root, &n);
	if (!n) {
		wqb_err("%s: no run directories in it (each has a summary.json)", root);
		return 1;
	}
	for (int html = 0; html < 2; html++) {
		char *p = path_join(root, html ? "suite.html" : "suite.md");
		struct atomic_file af;
		FILE *f = atomic_open(&af, p, 0644);

		if (!f) {
			wqb_err_write(p, errno);
			rc = 1;
		} else {
			write_page(f, html, root, v, n);
			if (atomic_commit(&af) < 0) {
				wqb_err_write(p, errno);
				rc = 1;
			}
		}
		free(p);
	}
	if (!rc && print) {
		write_page(stdout, false, root, v, n);
		printf("\nsuite: %s/suite.md (and suite.html)\n", root);
	} else if (!rc && wqb_verbosity > 0) {
		printf("%s/suite.md %s/suite.html\n", root, root);
	}
	for (size_t i = 0; i < n; i++) {
		/* as report: damaged input is exit 1; a FAIL is a verdict, not an error */
		if (v[i].rank == 0)
			rc = 1;
		free(v[i].name);
		free(v[i].scenario);
		free(v[i].problems);
		free(v[i].figures);
	}
	free(v);
	return rc;
}
