// SPDX-License-Identifier: GPL-2.0
/*
 * The formats a comparison is written in, all from one struct comparison:
 *   compare.md / compare.html  for people: failures first, then changes;
 *   compare.json               everything, for tools (NaN written as null);
 *   junit.xml                  Jenkins, GitLab: a regression is a <failure>;
 *   kcidb.json                 KernelCI KCIDB v5.3 (tests/data holds the schema);
 *   lava.txt                   lava-test-case argument lines for a LAVA job.
 * Verdict to status: regressed FAIL/fail, improved and unchanged PASS/pass,
 * too noisy DONE/unknown, not judged SKIP/skip; candidate oracle failures
 * FAIL.  A metric that may hide a regression (too few runs, or not judged,
 * with a worse change of the minimum effect not ruled out) is ERROR in
 * KCIDB, <error> in JUnit and unknown in LAVA: the state of the kernel is
 * unknown because the test was too small -- neither a pass nor evidence of
 * a fault.  Too few runs that rule the regression out: DONE/<skipped>/skip.
 * lava.txt ends with one gate line, wqbench-compare-verdict, pass only at
 * exit 0: LAVA does not look at a test step's exit status.  Baseline oracle
 * failures appear in the human formats, JSON and JUnit (as <error>): they
 * describe the baseline, not the build under test.
 */
#include "compare.h"
#include "textfmt.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* order of the change table: what needs attention first */
static const enum cmp_verdict table_order[] = { CMP_REGRESSED, CMP_FEW_RUNS, CMP_IMPROVED,
						CMP_NOISY, CMP_UNCHANGED, CMP_NOT_JUDGED,
						CMP_INFO };

static void fmt_val(char *buf, size_t len, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!strcmp(unit, "ns"))
		fmt_ns(buf, len, v);
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.0f %s", v, unit);
	else
		snprintf(buf, len, "%.3g %s", v, unit);
}

static void fmt_side(char *buf, size_t len, const struct cmp_side_stat *s, const char *unit)
{
	char m[32], lo[32], hi[32];

	if (!s->n) {
		snprintf(buf, len, "- (n=0)");
		return;
	}
	fmt_val(m, sizeof(m), s->median, unit);
	fmt_val(lo, sizeof(lo), s->ci_lo, unit);
	fmt_val(hi, sizeof(hi), s->ci_hi, unit);
	snprintf(buf, len, "%s [%s, %s]%s (n=%zu)", m, lo, hi, s->ci_ok ? "" : "*", s->n);
}

static void fmt_change(char *buf, size_t len, const struct cmp_metric *m)
{
	const struct cmp_side_stat *a = &m->s[0];

	if (isnan(m->pct)) {
		snprintf(buf, len, "-");
	} else if (a->median != 0) {
		snprintf(buf, len, "%+.1f%% [%+.1f%%, %+.1f%%]%s", m->pct,
			 100.0 * m->shift_lo / fabs(a->median), 100.0 * m->shift_hi / fabs(a->median),
			 m->shift_ci_ok ? "" : "*");
	} else {
		snprintf(buf, len, "%+.1f%%", m->pct);
	}
}

static void fmt_p(char *buf, size_t len, double p, double padj)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3g (%.3g)", p, padj);
}

static const char *headline(const struct comparison *c)
{
	if (c->count[CMP_REGRESSED] && cmp_candidate_failed(c))
		return "REGRESSED, and the candidate failed checks";
	if (c->count[CMP_REGRESSED])
		return "REGRESSED";
	if (cmp_candidate_failed(c))
		return "candidate FAILED checks";
	if (!c->judged)
		return "NOT JUDGED: too few runs";
	if (c->hidden)
		return "INCONCLUSIVE: too few runs to rule out a regression";
	return "no regression";
}

static void write_doc(const struct comparison *c, struct textdoc *d)
{
	char line[1024];

	if (d->html)
		fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		      "<title>wqbench compare</title><style>"
		      "body{font-family:sans-serif;margin:2em;max-width:80em}"
		      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;"
		      "text-align:left}tr.regressed{background:#fdd}tr.improved{background:#dfd}"
		      "tr.noisy{background:#ffe}tr.fewruns{background:#fec}tr.failure{background:#fbb}"
		      "</style></head><body>\n", d->f);
	doc_head(d, 1, "wqbench compare");
	snprintf(line, sizeof(line), "Verdict: %s (exit %d).", headline(c), cmp_exit_code(c));
	doc_text(d, line);
	for (int s = 0; s < 2; s++) {
		snprintf(line, sizeof(line), "%s: %zu runs of %s", c->side[s].label,
			 c->side[s].nruns, c->side[s].kernels ? c->side[s].kernels : "?");
		doc_text(d, line);
	}
	snprintf(line, sizeof(line),
		 "Minimum effect %.1f%%, alpha %.3g after Holm correction over %zu judged metrics, "
		 "%.0f%% intervals; %s.  %zu regressed, %zu improved, %zu unchanged, "
		 "%zu too noisy, %zu too few runs, %zu not judged, %zu shown only; "
		 "%zu may hide a regression.",
		 c->min_effect_pct, c->alpha, c->judged, c->conf * 100, c->when,
		 c->count[CMP_REGRESSED], c->count[CMP_IMPROVED], c->count[CMP_UNCHANGED],
		 c->count[CMP_NOISY], c->count[CMP_FEW_RUNS], c->count[CMP_NOT_JUDGED],
		 c->count[CMP_INFO], c->hidden);
	doc_text(d, line);

	doc_head(d, 2, "Oracle failures and dmesg findings");
	if (!c->nf) {
		doc_text(d, "None on either side.");
	} else {
		const char *hdr[] = { "side", "scenario", "what", "run" };

		doc_table(d, true);
		doc_row(d, hdr, 4, true, NULL);
		for (size_t i = 0; i < c->nf; i++) {
			const char *row[] = { c->f[i].side ? "candidate" : "baseline",
					      c->f[i].scenario, c->f[i].what, c->f[i].dir };

			doc_row(d, row, 4, false, "failure");
		}
		doc_table(d, false);
	}
	if (c->nnotes) {
		doc_head(d, 2, "Notes");
		for (size_t i = 0; i < c->nnotes; i++)
			doc_text(d, c->notes[i]);
	}
	doc_head(d, 2, "Metrics");
	doc_text(d, "Medians with their 95% confidence interval and the number of runs; the change "
		  "is the Hodges-Lehmann shift (candidate - baseline) relative to the baseline "
		  "median, with its interval; p is Mann-Whitney U, Holm-adjusted in brackets. "
		  "* marks an interval that cannot reach 95% with so few runs: it is the full range. "
		  "\"too few runs\": no data could reach significance with these run counts "
		  "(the smallest exact p, Holm-adjusted); it fails the comparison (exit 3) "
		  "unless its interval rules out a worse change of the minimum effect.");
	{
		const char *hdr[] = { "scenario", "metric", "baseline", "candidate", "change",
				      "p (Holm)", "verdict", "why" };

		doc_table(d, true);
		doc_row(d, hdr, 8, true, NULL);
		for (size_t o = 0; o < sizeof(table_order) / sizeof(table_order[0]); o++)
			for (size_t i = 0; i < c->nm; i++) {
				const struct cmp_metric *m = &c->m[i];
				char a[128], b[128], ch[96], p[48];
				static const char *const cls[] = { "regressed", "improved", NULL,
								   "noisy", "fewruns", NULL, NULL };

				if (m->verdict != table_order[o])
					continue;
				fmt_side(a, sizeof(a), &m->s[0], m->unit);
				fmt_side(b, sizeof(b), &m->s[1], m->unit);
				fmt_change(ch, sizeof(ch), m);
				fmt_p(p, sizeof(p), m->p, m->p_adj);
				const char *row[] = { m->scenario, m->key, a, b, ch, p,
						      cmp_verdict_name(m->verdict), m->why };

				doc_row(d, row, 8, false, cls[m->verdict]);
			}
		doc_table(d, false);
	}
	if (d->html)
		fputs("</body></html>\n", d->f);
}

static int write_doc_file(const struct comparison *c, const char *path, bool html)
{
	struct textdoc d = { .html = html };
	struct atomic_file af;

	d.f = atomic_open(&af, path, 0644);
	if (!d.f)
		return -1;
	write_doc(c, &d);
	return atomic_commit(&af);
}

int compare_write_md(const struct comparison *c, const char *path)
{
	return write_doc_file(c, path, false);
}

void compare_print_md(const struct comparison *c, FILE *f)
{
	struct textdoc d = { .f = f, .html = false };

	write_doc(c, &d);
}

static json_t *jnum(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *side_json(const struct cmp_side_stat *s)
{
	json_t *vals = json_array();

	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(vals, jnum(s->v[i]));
	return json_pack("{s:I,s:o,s:o,s:[o,o],s:b}", "n", (json_int_t)s->n, "values", vals,
			 "median", jnum(s->median), "ci", jnum(s->ci_lo), jnum(s->ci_hi),
			 "ci_level_reached", s->ci_ok);
}

static json_t *compare_json(const struct comparison *c)
{
	json_t *j = json_object(), *metrics = json_array(), *fails = json_array();
	json_t *notes = json_array(), *counts = json_object();

	json_object_set_new(j, "format", json_integer(1));
	json_object_set_new(j, "when", json_string(c->when));
	json_object_set_new(j, "min_effect_pct", json_real(c->min_effect_pct));
	json_object_set_new(j, "alpha", json_real(c->alpha));
	json_object_set_new(j, "confidence", json_real(c->conf));
	json_object_set_new(j, "judged_metrics", json_integer((json_int_t)c->judged));
	json_object_set_new(j, "may_hide_regression", json_integer((json_int_t)c->hidden));
	json_object_set_new(j, "verdict", json_string(headline(c)));
	json_object_set_new(j, "exit_code", json_integer(cmp_exit_code(c)));
	json_object_set_new(j, "exit_meaning", json_string(cmp_exit_meaning(cmp_exit_code(c))));
	for (int s = 0; s < 2; s++) {
		json_t *runs = json_array();

		for (size_t i = 0; i < c->side[s].nruns; i++)
			json_array_append_new(runs, json_string(c->side[s].runs[i]));
		json_object_set_new(j, c->side[s].label,
				    json_pack("{s:o,s:s}", "runs", runs, "kernels",
					      c->side[s].kernels ? c->side[s].kernels : ""));
	}
	for (int v = 0; v <= CMP_INFO; v++)
		json_object_set_new(counts, cmp_verdict_name((enum cmp_verdict)v),
				    json_integer((json_int_t)c->count[v]));
	json_object_set_new(j, "counts", counts);
	for (size_t i = 0; i < c->nf; i++)
		json_array_append_new(fails, json_pack("{s:s,s:s,s:s,s:s}", "side",
						       c->f[i].side ? "candidate" : "baseline",
						       "scenario", c->f[i].scenario, "what",
						       c->f[i].what, "run", c->f[i].dir));
	json_object_set_new(j, "failures", fails);
	for (size_t i = 0; i < c->nnotes; i++)
		json_array_append_new(notes, json_string(c->notes[i]));
	json_object_set_new(j, "notes", notes);
	for (size_t i = 0; i < c->nm; i++) {
		const struct cmp_metric *m = &c->m[i];

		json_array_append_new(
			metrics,
			json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:[o,o],s:b,s:o,s:o,s:o,s:o,s:o,"
				  "s:s,s:b,s:s}",
				  "scenario", m->scenario, "metric", m->key, "unit", m->unit,
				  "better", m->higher_better ? "higher" : "lower", "baseline",
				  side_json(&m->s[0]), "candidate", side_json(&m->s[1]), "shift",
				  jnum(m->shift), "shift_ci", jnum(m->shift_lo), jnum(m->shift_hi),
				  "shift_ci_level_reached", m->shift_ci_ok, "change_pct",
				  jnum(m->pct), "u", jnum(m->u), "p", jnum(m->p), "p_holm",
				  jnum(m->p_adj), "p_holm_best", jnum(m->p_best), "verdict",
				  cmp_verdict_name(m->verdict), "may_hide_regression",
				  m->may_hide_regression, "why", m->why));
	}
	json_object_set_new(j, "metrics", metrics);
	return j;
}

static int dump_json(json_t *j, const char *path)
{
	int rc = json_write_atomic(j, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER), e = errno;

	json_decref(j);
	errno = e;
	return rc;
}

static void xml_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '<')
			fputs("&lt;", f);
		else if (ch == '>')
			fputs("&gt;", f);
		else if (ch == '&')
			fputs("&amp;", f);
		else if (ch == '"')
			fputs("&quot;", f);
		else if (ch < 0x20 && ch != '\t' && ch != '\n')
			fputc(' ', f);	/* not allowed in XML 1.0 */
		else
			fputc(ch, f);
	}
}

/* no verdict, and nothing hidden either */
static bool junit_skipped(const struct cmp_metric *m)
{
	return !m->may_hide_regression &&
	       (m->verdict == CMP_NOT_JUDGED || m->verdict == CMP_FEW_RUNS);
}

static int write_junit(const struct comparison *c, const char *path)
{
	struct atomic_file af;
	FILE *f = atomic_open(&af, path, 0644);
	size_t failures = c->count[CMP_REGRESSED], errors = c->hidden, skipped = 0;

	if (!f)
		return -1;
	for (size_t i = 0; i < c->nf; i++)
		c->f[i].side ? failures++ : errors++;
	for (size_t i = 0; i < c->nm; i++)
		if (junit_skipped(&c->m[i]))
			skipped++;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites>\n<testsuite name=\"wqbench-compare\" tests=\"%zu\" "
		   "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" timestamp=\"%s\">\n",
		c->nm + c->nf, failures, errors, skipped, c->when);
	for (size_t i = 0; i < c->nf; i++) {
		const struct cmp_failure *x = &c->f[i];

		fputs("<testcase classname=\"oracle.", f);
		xml_escape(f, x->side ? "candidate" : "baseline");
		fputs("\" name=\"", f);
		xml_escape(f, x->scenario);
		fprintf(f, "\">\n<%s message=\"", x->side ? "failure" : "error");
		xml_escape(f, x->what);
		fprintf(f, "\">");
		xml_escape(f, x->dir);
		fprintf(f, "</%s>\n</testcase>\n", x->side ? "failure" : "error");
	}
	for (size_t i = 0; i < c->nm; i++) {
		const struct cmp_metric *m = &c->m[i];
		char a[128], b[128], ch[96];

		fmt_side(a, sizeof(a), &m->s[0], m->unit);
		fmt_side(b, sizeof(b), &m->s[1], m->unit);
		fmt_change(ch, sizeof(ch), m);
		fputs("<testcase classname=\"", f);
		xml_escape(f, m->scenario);
		fputs("\" name=\"", f);
		xml_escape(f, m->key);
		fputs("\">\n", f);
		if (m->verdict == CMP_REGRESSED) {
			fputs("<failure message=\"regressed: ", f);
			xml_escape(f, m->why);
			fputs("\"/>\n", f);
		} else if (m->may_hide_regression) {
			/* not a failure of the kernel, not a pass: the test was too small */
			fprintf(f, "<error type=\"inconclusive\" message=\"%s: may hide a regression: ",
				cmp_verdict_name(m->verdict));
			xml_escape(f, m->why);
			fputs("\"/>\n", f);
		} else if (junit_skipped(m)) {
			fprintf(f, "<skipped message=\"%s: ", cmp_verdict_name(m->verdict));
			xml_escape(f, m->why);
			fputs("\"/>\n", f);
		}
		fputs("<system-out>", f);
		fprintf(f, "%s: baseline ", cmp_verdict_name(m->verdict));
		xml_escape(f, a);
		fputs(", candidate ", f);
		xml_escape(f, b);
		fputs(", change ", f);
		xml_escape(f, ch);
		fputs("; ", f);
		xml_escape(f, m->why);
		fputs("</system-out>\n</testcase>\n", f);
	}
	fputs("</testsuite>\n</testsuites>\n", f);
	return atomic_commit(&af);
}

/* a KCIDB path segment or LAVA name: [A-Za-z0-9_-] only */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			*s = '_';
}

static json_t *kcidb_test(const char *id, const char *build_id, const char *path,
			  const char *status, const char *when, json_t *misc)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "id", id, "origin", "wqbench",
			 "build_id", build_id, "path", path, "status", status, "start_time",
			 when, "misc", misc);
}

static int write_kcidb(const struct comparison *c, const char *path)
{
	const char *kern = c->side[1].kernels ? c->side[1].kernels : "unknown";
	char *local = xstrdup(kern), *stamp = xstrdup(c->when);
	char *checkout_id, *build_id;
	json_t *j, *tests = json_array();

	sanitize(local);
	sanitize(stamp);
	checkout_id = xasprintf("wqbench:%s", local);
	build_id = xasprintf("wqbench:%s", local);
	for (size_t i = 0; i < c->nf; i++) {
		char *scen, *id, *p;

		if (!c->f[i].side)
			continue;
		scen = xstrdup(c->f[i].scenario);
		sanitize(scen);
		id = xasprintf("wqbench:%s-oracle-%zu", stamp, i);
		p = xasprintf("wqbench.oracle.%s", scen);
		json_array_append_new(tests, kcidb_test(id, build_id, p, "FAIL", c->when,
							json_pack("{s:s,s:s}", "what", c->f[i].what,
								  "run", c->f[i].dir)));
		free(scen);
		free(id);
		free(p);
	}
	for (size_t i = 0; i < c->nm; i++) {
		const struct cmp_metric *m = &c->m[i];
		/*
		 * KCIDB v5.3: too few runs that rule out the regression produced
		 * a measurement but no status of the code (DONE); one that may
		 * hide a regression is ERROR below -- "the test didn't complete
		 * ..., and the status of the tested code is unknown", ranked
		 * above PASS so a build's summary cannot read as a pass, and not
		 * FAIL, which would say the kernel was found faulty.
		 */
		static const char *const status[] = { "FAIL", "PASS", "PASS", "DONE", "DONE",
						      "SKIP", "DONE" };
		char *scen = xstrdup(m->scenario), *key = xstrdup(m->key), *id, *p;
		json_t *t;

		sanitize(scen);
		sanitize(key);
		id = xasprintf("wqbench:%s-%zu", stamp, i);
		p = xasprintf("wqbench.compare.%s.%s", scen, key);
		t = kcidb_test(id, build_id, p,
			       m->may_hide_regression ? "ERROR" : status[m->verdict], c->when,
			       json_pack("{s:s,s:s,s:o,s:o,s:I,s:I,s:o,s:o,s:s,s:b,s:s}", "metric",
					 m->key, "unit", m->unit, "baseline_median",
					 jnum(m->s[0].median), "candidate_median",
					 jnum(m->s[1].median), "baseline_n", (json_int_t)m->s[0].n,
					 "candidate_n", (json_int_t)m->s[1].n, "p_holm",
					 jnum(m->p_adj), "p_holm_best", jnum(m->p_best), "verdict",
					 cmp_verdict_name(m->verdict), "may_hide_regression",
					 m->may_hide_regression, "why", m->why));
		if (!isnan(m->pct))
			json_object_set_new(t, "number",
					    json_pack("{s:f,s:s}", "value", m->pct, "unit", "%"));
		json_array_append_new(tests, t);
		free(scen);
		free(key);
		free(id);
		free(p);
	}
	j = json_pack("{s:{s:i,s:i},s:[{s:s,s:s,s:{s:s}}],s:[{s:s,s:s,s:s,s:{s:s}}],s:o}",
		      "version", "major", 5, "minor", 3,
		      "checkouts", "id", checkout_id, "origin", "wqbench", "misc", "kernel", kern,
		      "builds", "id", build_id, "origin", "wqbench", "checkout_id", checkout_id,
		      "misc", "kernel", kern, "tests", tests);
	free(local);
	free(stamp);
	free(checkout_id);
	free(build_id);
	return j ? dump_json(j, path) : -1;
}

static int write_lava(const struct comparison *c, const char *path)
{
	struct atomic_file af;
	FILE *f = atomic_open(&af, path, 0644);

	if (!f)
		return -1;
	for (size_t i = 0; i < c->nf; i++) {
		char *scen = xstrdup(c->f[i].scenario);

		sanitize(scen);
		fprintf(f, "wqbench-oracle-%s-%s --result %s\n",
			c->f[i].side ? "candidate" : "baseline", scen,
			c->f[i].side ? "fail" : "unknown");
		free(scen);
	}
	for (size_t i = 0; i < c->nm; i++) {
		const struct cmp_metric *m = &c->m[i];
		static const char *const result[] = { "fail", "pass", "pass", "unknown",
						      "skip", "skip", "pass" };
		char *name = xasprintf("wqbench-compare-%s-%s", m->scenario, m->key);

		sanitize(name);
		fprintf(f, "%s --result %s", name,
			m->may_hide_regression ? "unknown" : result[m->verdict]);
		if (!isnan(m->pct))
			fprintf(f, " --measurement %.3f --units percent", m->pct);
		fputc('\n', f);
		free(name);
	}
	/* the gate: LAVA does not fail a job on a step's exit status */
	fprintf(f, "wqbench-compare-verdict --result %s\n",
		cmp_exit_code(c) == CMP_EXIT_PASS ? "pass" : "fail");
	return atomic_commit(&af);
}

int compare_write_all(const struct comparison *c, const char *dir)
{
	static const char *const names[] = { "compare.md", "compare.html", "compare.json",
					     "junit.xml", "kcidb.json", "lava.txt" };
	int rc = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = path_join(dir, names[i]);
		int r;

		switch (i) {
		case 0: r = write_doc_file(c, p, false); break;
		case 1: r = write_doc_file(c, p, true); break;
		case 2: r = dump_json(compare_json(c), p); break;
		case 3: r = write_junit(c, p); break;
		case 4: r = write_kcidb(c, p); break;
		default: r = write_lava(c, p); break;
		}
		if (r < 0) {
			wqb_err_write(p, errno);
			rc = -1;
		}
		free(p);
	}
	return rc;
}
