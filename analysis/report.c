// SPDX-License-Identifier: GPL-2.0
/*
 * `wqbench report RUN_DIR...`: for each result directory, the figures a
 * kernel developer reads and CI gates on --
 *   summary.json  gains "metrics": one value per group and figure, with its
 *                 unit and which way is better (what `wqbench compare` reads);
 *   report.md     the checks with their evidence, per-group latency and
 *                 throughput, hotplug latencies, PNG plots;
 *   report.html   the same as one self-contained file with SVG plots.
 * Every figure names the file it came from, so a reader can check it.
 */
#include "commands.h"
#include "plot.h"
#include "report.h"
#include "textfmt.h"
#include "tracefig.h"
#include "rundata.h"
#include "suite.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUANTILES 5
static const double quantile_q[QUANTILES] = { 0.50, 0.90, 0.99, 0.999, 1.0 };
static const char *const quantile_name[QUANTILES] = { "p50", "p90", "p99", "p99.9", "max" };

struct group_fig {
	const char *name;
	long long completed;
	double throughput;		/* items/s over the group's elapsed time */
	double lat[QUANTILES], run[QUANTILES];	/* ns; NaN when unknown */
	long long max_conc;
	long long every;		/* instrument=sampled: 1 item in every timed; else 1 */
};

struct report {
	struct rundata rd;
	struct group_fig *g;
	size_t ng;
	json_t *metrics;
	char plots[8][32];		/* names of plots that rendered */
	struct tracefig tf;		/* trace.dat, when there is one */
	size_t nplots;
	char plot_err[256];
};

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

static long long jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void metric(json_t *m, const char *group, const char *name, double v, const char *unit,
		   const char *better)
{
	char key[96];

	if (isnan(v))
		return;
	snprintf(key, sizeof(key), "%s.%s", group, name);
	json_object_set_new(m, key, json_pack("{s:f,s:s,s:s}", "value", v, "unit", unit,
					      "better", better));
}

/* a histogram figure of an instrument=sampled group: one item in every, n of them */
static void metric_sampled(json_t *m, const char *group, const char *name, long long every,
			   uint64_t n)
{
	char key[96];
	json_t *o;

	snprintf(key, sizeof(key), "%s.%s", group, name);
	o = json_object_get(m, key);
	if (!o || every <= 1)
		return;
	json_object_set_new(o, "sampled_every", json_integer(every));
	json_object_set_new(o, "samples", json_integer((json_int_t)n));
}

const char *report_verdict_name(const struct rundata *rd)
{
	const char *v = json_string_value(json_object_get(rd->summary, "verdict"));

	if (rd->damaged[0])
		return "ERROR";
	return !v ? "ERROR" : !strcmp(v, "pass") ? "PASS" : !strcmp(v, "skip") ? "SKIP" : "FAIL";
}

static void gather(struct report *r)
{
	json_t *groups = json_object_get(r->rd.stats, "group"), *g, *hp;
	size_t i;

	r->metrics = json_object();
	r->ng = json_array_size(groups);
	r->g = xcalloc(r->ng ? r->ng : 1, sizeof(*r->g));
	json_array_foreach(groups, i, g) {
		struct group_fig *f = &r->g[i];
		const struct kmod_hist *lat, *run;
		double el = (double)jint(g, "elapsed_ns") / 1e9;

		f->name = jstr(g, "name");
		f->completed = jint(g, "completed");
		/* the measured phase when the module knows it (measure_begin/end) */
		if (json_is_integer(json_object_get(g, "measured_ns")) && jint(g, "measured_ns") > 0)
			f->throughput = (double)jint(g, "measured_completed") * 1e9 /
					(double)jint(g, "measured_ns");
		else
			f->throughput = el > 0 ? (double)f->completed / el : NAN;
		f->max_conc = jint(g, "max_concurrency");
		f->every = !strcmp(jstr(g, "instrument"), "sampled") ? jint(g, "instrument_every") : 1;
		lat = rundata_hist(&r->rd, f->name, "lat");
		run = rundata_hist(&r->rd, f->name, "run");
		for (int q = 0; q < QUANTILES; q++) {
			char nm[32];

			f->lat[q] = q == QUANTILES - 1 ? kmod_hist_max(lat)
						       : kmod_hist_quantile(lat, quantile_q[q]);
			f->run[q] = q == QUANTILES - 1 ? kmod_hist_max(run)
						       : kmod_hist_quantile(run, quantile_q[q]);
			snprintf(nm, sizeof(nm), "lat_%s_ns", quantile_name[q]);
			metric(r->metrics, f->name, nm, f->lat[q], "ns", "lower");
			metric_sampled(r->metrics, f->name, nm, f->every, lat ? lat->total : 0);
			snprintf(nm, sizeof(nm), "run_%s_ns", quantile_name[q]);
			metric(r->metrics, f->name, nm, f->run[q], "ns", "lower");
			metric_sampled(r->metrics, f->name, nm, f->every, run ? run->total : 0);
		}
		metric(r->metrics, f->name, "throughput", f->throughput, "items/s", "higher");
	}
	hp = json_object_get(r->rd.summary, "hotplug");
	if (hp && jint(hp, "offline_ok"))
		metric(r->metrics, "hotplug", "offline_mean_us",
		       (double)jint(hp, "offline_sum_us") / (double)jint(hp, "offline_ok"), "us",
		       "lower");
	if (hp && jint(hp, "online_ok"))
		metric(r->metrics, "hotplug", "online_mean_us",
		       (double)jint(hp, "online_sum_us") / (double)jint(hp, "online_ok"), "us",
		       "lower");
}

/* --- plots ------------------------------------------------------------- */

static FILE *data_file(const char *dir, const char *name)
{
	/* plot data, read once by gnuplot: never written through a symlink */
	char *p = path_join(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	free(p);
	return f;
}

static void add_plot(struct report *r, const char *pdir, const char *name, const char *body)
{
	char err[256];

	if (plot_render(pdir, name, body, err, sizeof(err)) == 0)
		snprintf(r->plots[r->nplots++], sizeof(r->plots[0]), "%s", name);
	else if (!r->plot_err[0])
		snprintf(r->plot_err, sizeof(r->plot_err), "%s", err);
}

/* Queue -> start latency as a CDF per group, from kmod-hist.txt. */
static void plot_latency(struct report *r, const char *pdir)
{
	char *body = xstrdup("set logscale x\nset xlabel 'queue -> start latency (ns)'\n"
			     "set ylabel 'fraction of items'\nset yrange [0:1]\nplot"), *t;
	char lbl[48];
	int n = 0;

	for (size_t i = 0; i < r->ng; i++) {
		const struct kmod_hist *h = rundata_hist(&r->rd, r->g[i].name, "lat");
		char name[32];
		double seen = 0;
		FILE *f;

		if (!h || !h->total)
			continue;
		snprintf(name, sizeof(name), "lat-%zu.dat", i);
		f = data_file(pdir, name);
		if (!f)
			continue;
		for (size_t b = 0; b < h->n; b++) {
			seen += (double)h->count[b];
			fprintf(f, "%llu %.6f\n", (unsigned long long)h->hi[b], seen / (double)h->total);
		}
		fclose(f);
		t = xasprintf("%s%s '%s' using 1:2 with steps lw 2 title '%s'", body, n ? "," : "",
			      name, plot_safe_label(r->g[i].name, lbl, sizeof(lbl)));
		free(body);
		body = t;
		n++;
	}
	if (n)
		add_plot(r, pdir, "latency-cdf", body);
	free(body);
}

/* Runs per CPU per group, from kmod-stats.json. */
static void plot_cpus(struct report *r, const char *pdir)
{
	json_t *c;
	size_t i;
	char *body, *t, lbl[48];

	body = xstrdup("set style data histogram\nset style fill solid 0.8\n"
		       "set xlabel 'CPU'\nset ylabel 'items run'\n"
		       "set yrange [0:*]\nset boxwidth 0.8 relative\nplot");
	for (size_t g = 0; g < r->ng; g++) {
		char name[32];
		FILE *gf;

		snprintf(name, sizeof(name), "cpu-%zu.dat", g);
		gf = data_file(pdir, name);
		if (!gf)
			continue;
		json_array_foreach(json_object_get(r->rd.stats, "cpu"), i, c)
			if (!strcmp(jstr(c, "group"), r->g[g].name))
				fprintf(gf, "%lld %lld\n", jint(c, "cpu"), jint(c, "runs"));
		fclose(gf);
		t = xasprintf("%s%s '%s' using 2:xtic(1) title '%s'", body, g ? "," : "", name,
			      plot_safe_label(r->g[g].name, lbl, sizeof(lbl)));
		free(body);
		body = t;
	}
	if (r->ng)
		add_plot(r, pdir, "cpu-runs", body);
	free(body);
}

/*
 * Throughput over time (the "run,rate" rows of events.csv) with every fault
 * action drawn as a vertical line at its time: red offline, green online,
 * blue cpumask, grey other attributes, dashed when it failed or rolled back.
 */
/* the fault timeline (events.csv) as vertical lines: red offline, green online, blue cpumask */
/* fault lines inside [0, xmax] s: one outside the range is drawn over the key */
static char *fault_arrows(const struct report *r, size_t *rates, double xmax)
{
	char *body = xstrdup(""), *t;

	*rates = 0;
	for (size_t i = 0; i < r->rd.nev; i++) {
		const struct run_event *e = &r->rd.ev[i];
		const char *color;

		if (!strcmp(e->source, "run")) {
			*rates += !strcmp(e->action, "rate");
			continue;
		}
		if (e->t_ms < 0 || (double)e->t_ms / 1000.0 > xmax)
			continue;	/* warmup, or after the plotted range */
		if (!strcmp(e->source, "hotplug"))
			color = !strcmp(e->action, "offline") ? "#cc2222" : "#22aa22";
		else if (!strcmp(e->source, "cpumask"))
			color = "#2244cc";
		else
			color = "#999999";
		t = xasprintf("%sset arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb '%s' dt %d\n",
			      body, (double)e->t_ms / 1000.0, (double)e->t_ms / 1000.0, color,
			      strcmp(e->outcome, "ok") ? 2 : 1);
		free(body);
		body = t;
	}
	return body;
}

static void plot_timeline(struct report *r, const char *pdir)
{
	double end_s = (double)jint(json_object_get(r->rd.meta, "scenario"), "duration_ms") / 1000.0;
	size_t rates;
	char *arrows = fault_arrows(r, &rates, end_s > 0 ? end_s : 1.0), *t, lbl[48];
	char *body = xasprintf("set xlabel 'time since start of measurement (s)'\n"
			       "set ylabel 'items/s'\nset yrange [0:*]\nset xrange [0:%.3f]\n%splot",
			       end_s > 0 ? end_s : 1.0, arrows);
	int n = 0;

	free(arrows);
	if (!rates) {
		free(body);
		return;
	}
	for (size_t g = 0; g < r->ng; g++) {
		char name[32];
		FILE *f;

		snprintf(name, sizeof(name), "rate-%zu.dat", g);
		f = data_file(pdir, name);
		if (!f)
			continue;
		for (size_t i = 0; i < r->rd.nev; i++) {
			const struct run_event *e = &r->rd.ev[i];

			if (!strcmp(e->source, "run") && !strcmp(e->action, "rate") &&
			    !strcmp(e->target, r->g[g].name))
				fprintf(f, "%.3f %s\n", (double)e->t_ms / 1000.0, e->value);
		}
		fclose(f);
		t = xasprintf("%s%s '%s' using 1:2 with linespoints lw 2 title '%s'", body,
			      n ? "," : "", name, plot_safe_label(r->g[g].name, lbl, sizeof(lbl)));
		free(body);
		body = t;
		n++;
	}
	if (n)
		add_plot(r, pdir, "timeline", body);
	free(body);
}

/*
 * Queue->start over time from the trace -- mean and max per bin for each
 * module group -- under the same fault lines, so a spike can be tied to
 * the hotplug or cpumask change that caused it.
 */
static void plot_latency_timeline(struct report *r, const char *pdir)
{
	const struct wqtrace *t = &r->tf.t;
	double end_s = (double)jint(json_object_get(r->rd.meta, "scenario"), "duration_ms") / 1000.0;
	uint64_t t0 = (uint64_t)jint(r->rd.summary, "t0_mono_ns");
	size_t rates;
	char *arrows, *body, *s2, lbl[48];
	int n = 0;

	if (!r->tf.have || !t0)
		return;
	arrows = fault_arrows(r, &rates, end_s > 0 ? end_s : 1.0);
	body = xasprintf("set xlabel 'time since start of measurement (s)'\n"
			 "set ylabel 'queue -> start (us), per %.0f ms'\nset logscale y\n"
			 "set xrange [0:%.3f]\n%splot", (double)t->bin_ns / 1e6,
			 end_s > 0 ? end_s : 1.0, arrows);
	free(arrows);
	for (size_t g = 0; g < r->tf.ng; g++) {
		const struct wqtrace_fn *fn = r->tf.g[g].fn;
		char name[32];
		FILE *f;

		if (!fn || !fn->nlatbins)
			continue;
		snprintf(name, sizeof(name), "latbin-%zu.dat", g);
		f = data_file(pdir, name);
		if (!f)
			continue;
		for (size_t b = 0; b < fn->nlatbins; b++) {
			double mid = ((double)t->first_ts + ((double)b + 0.5) * (double)t->bin_ns -
				      (double)t0) / 1e9;

			if (fn->bin_lat_n[b])
				fprintf(f, "%.3f %.3f %.3f\n", mid,
					fn->bin_lat_sum[b] / fn->bin_lat_n[b] / 1e3,
					(double)fn->bin_lat_max[b] / 1e3);
		}
		fclose(f);
		plot_safe_label(r->tf.g[g].name, lbl, sizeof(lbl));
		s2 = xasprintf("%s%s '%s' using 1:2 with lines lw 2 title '%s mean', '%s' using 1:3 "
			       "with lines dt 3 title '%s max'", body, n ? "," : "", name, lbl, name,
			       lbl);
		free(body);
		body = s2;
		n++;
	}
	if (n)
		add_plot(r, pdir, "latency-timeline", body);
	free(body);
}

/* Where the module's work ran over time: executions per CPU per trace bin. */
static void plot_heatmap(struct report *r, const char *pdir)
{
	const struct wqtrace *t = &r->tf.t;
	size_t nbins = 0;
	uint64_t *sum;
	FILE *f;
	char *body;

	if (!r->tf.have)
		return;
	for (size_t g = 0; g < r->tf.ng; g++)
		if (r->tf.g[g].fn && r->tf.g[g].fn->nbins > nbins)
			nbins = r->tf.g[g].fn->nbins;
	if (!nbins)
		return;
	sum = xcalloc(nbins * t->ncpus, sizeof(*sum));
	for (size_t g = 0; g < r->tf.ng; g++) {
		const struct wqtrace_fn *fn = r->tf.g[g].fn;

		for (size_t i = 0; fn && i < fn->nbins * t->ncpus; i++)
			sum[i] += fn->bins[i];
	}
	f = data_file(pdir, "heatmap.dat");
	if (!f) {
		free(sum);
		return;
	}
	/* gnuplot "with image": x y value, one block per bin */
	for (size_t b = 0; b < nbins; b++) {
		for (unsigned int c = 0; c < t->ncpus; c++)
			fprintf(f, "%.3f %u %llu\n", (double)(b * t->bin_ns) / 1e9 + (double)t->bin_ns / 2e9,
				c, (unsigned long long)sum[b * t->ncpus + c]);
		fputc('\n', f);
	}
	fclose(f);
	free(sum);
	body = xasprintf("set xlabel 'seconds into the trace'\nset ylabel 'CPU'\n"
			 "set ytics 1\nset cblabel 'items started per %.0f ms'\n"
			 "set palette defined (0 'white', 1 '#fee08b', 2 '#fc8d59', 3 '#d73027')\n"
			 "plot 'heatmap.dat' using 1:2:3 with image notitle",
			 (double)t->bin_ns / 1e6);
	add_plot(r, pdir, "heatmap", body);
	free(body);
}

/* --- output ------------------------------------------------------------ */

/* report headings start a new block after a table or a plot in Markdown */
static void o_head(struct textdoc *o, int level, const char *text)
{
	if (!o->html)
		fputc('\n', o->f);
	doc_head(o, level, text);
}

static void o_plot(struct textdoc *o, const char *dir, const char *name, const char *caption)
{
	if (o->html) {
		char *p = xasprintf("%s/plots/%s.svg", dir, name), *svg = read_file(p, NULL);
		char *body = svg ? strstr(svg, "<svg") : NULL;

		fputs("<figure>", o->f);
		if (body)
			fputs(body, o->f);
		fputs("<figcaption>", o->f);
		html_escape(o->f, caption);
		fputs("</figcaption></figure>\n", o->f);
		free(svg);
		free(p);
	} else {
		fprintf(o->f, "![%s](plots/%s.png)\n\n*%s*\n\n", name, name, caption);
	}
}

static bool have_plot(const struct report *r, const char *name)
{
	for (size_t i = 0; i < r->nplots; i++)
		if (!strcmp(r->plots[i], name))
			return true;
	return false;
}

/* "NO" cells of the module-vs-trace table, and groups with unpaired records */
static size_t tracefig_nos(const struct tracefig *tf)
{
	size_t n = tf->disagree;

	for (size_t g = 0; g < tf->ng; g++) {
		n += tf->g[g].unpaired_bad || !tf->g[g].fn;
		for (int k = 0; k < TF_NFIG; k++)
			n += !tf->g[g].not_comparable[k] && !tf->g[g].agree[k];
	}
	return n;
}

/* The trace's own view, its agreement with the module, and the oracles rebuilt from it. */
static void write_trace(struct report *r, struct textdoc *o)
{
	const struct tracefig *tf = &r->tf;
	const struct wqtrace *t = &tf->t;
	char line[768];
	size_t shown = 0;

	o_head(o, 2, "Trace (trace.dat)");
	if (!tf->have) {
		snprintf(line, sizeof(line), "%s", tf->err[0] ? tf->err : "No trace.dat in this run.");
		doc_text(o, line);
		return;
	}
	snprintf(line, sizeof(line),
		 "%" PRIu64 " events over %.3f s on %u CPUs; lost by the ring buffer: %" PRIu64
		 "%s; undecodable: %" PRIu64 "%s%s. Work items: %" PRIu64 " executions, %" PRIu64
		 " paired with their queue_work, %" PRIu64 " queued before the trace, %" PRIu64
		 " queued again while running, %" PRIu64 " pending and %" PRIu64
		 " running at the end; at most %" PRIu64 " items tracked at once.",
		 t->events, (double)(t->last_ts - t->first_ts) / 1e9, t->ncpus, t->missed_events,
		 t->missed_unknown ? " (and pages with an unknown loss)" : "", t->bad_records,
		 t->note[0] ? ": " : "", t->note, t->executed, t->matched, t->unmatched,
		 t->requeued_running, t->pending_at_end, t->running_at_end, t->inflight_max);
	doc_text(o, line);

	o_head(o, 3, "Module and trace agree?");
	snprintf(line, sizeof(line),
		 "Each figure from the module (kmod-stats.json) and, independently, from the trace "
		 "(queue_work → execute_start, execute_start → execute_end). The module stamps "
		 "outside the tracepoints (queue→start) and inside them (run time): items of "
		 "samples.bin paired with their executions in the trace measure those offsets in "
		 "this run, and the module's figure must lie in the band they allow around the "
		 "trace's (docs/trace-analysis.md). Without %d paired items: %.0f%% or %.0f µs; run "
		 "time %.0f%% or %.0f µs, its p99 %.0f µs (marked fixed). Throughput: %.0f%%. %s",
		 TRACEFIG_MIN_PAIRS, TRACEFIG_TOL_PCT, TRACEFIG_TOL_NS / 1e3, TRACEFIG_TOL_RUN_PCT,
		 TRACEFIG_TOL_RUN_NS / 1e3, TRACEFIG_TOL_TAIL_NS / 1e3, TRACEFIG_TOL_PCT,
		 tracefig_nos(tf) ? "DISAGREEMENT: one of the two is wrong for the figures marked NO."
				  : !tf->ng ? "No group to compare: kmod-stats.json has none."
					    : "All figures agree.");
	doc_text(o, line);
	if (tf->pair_note[0])
		doc_text(o, tf->pair_note);
	for (size_t g = 0; g < tf->ng; g++) {
		const struct tracefig_group *G = &tf->g[g];

		if (!G->samples_in_window)
			continue;
		snprintf(line, sizeof(line),
			 "%s: %zu of %" PRIu64 " records of samples.bin inside the trace paired with "
			 "their execution%s", G->name, G->npairs, G->samples_in_window,
			 G->unpaired_bad ? " — NO: the module recorded items the trace does not hold."
					 : ".");
		doc_text(o, line);
	}
	for (size_t g = 0; g < tf->ng; g++) {
		const struct tracefig_group *G = &tf->g[g];
		uint64_t cs = G->fn ? G->fn->censored_starts : 0, ce = G->fn ? G->fn->censored_ends : 0;

		if (!cs && !ce && !t->censored_starts_unknown && !t->censored_ends_unknown)
			continue;
		snprintf(line, sizeof(line),
			 "%s: %" PRIu64 " executions started with their queue_work before the trace "
			 "and %" PRIu64 " ended with their start before it (%" PRIu64 " and %" PRIu64
			 " more of items the trace never saw queued): the module timed them, the "
			 "trace cannot, and they are the long ones, so its bands widen to hold "
			 "whatever they took (\"unbounded\": more than the tail was cut).",
			 G->name, cs, ce, t->censored_starts_unknown, t->censored_ends_unknown);
		doc_text(o, line);
	}
	doc_table(o, true);
	doc_row(o, (const char *[]){ "group", "figure", "module", "trace", "band", "agree" }, 6,
		true, NULL);
	for (size_t g = 0; g < tf->ng; g++) {
		const struct tracefig_group *G = &tf->g[g];

		for (int k = 0; k < TF_NFIG; k++) {
			char a[32], b[32], lo[32], hi[32], band[80];

			if (k == TF_TPUT) {
				snprintf(a, sizeof(a), "%.0f", G->module[k]);
				snprintf(b, sizeof(b), "%.0f", G->trace[k]);
				snprintf(lo, sizeof(lo), "%.0f", G->lo[k]);
				snprintf(hi, sizeof(hi), "%.0f", G->hi[k]);
			} else {
				fmt_ns(a, sizeof(a), G->module[k]);
				fmt_ns(b, sizeof(b), G->trace[k]);
				fmt_ns(lo, sizeof(lo), G->lo[k]);
				fmt_ns(hi, sizeof(hi), G->hi[k]);
			}
			if (isinf(G->hi[k]))	/* tracefig_censor(): the tail was cut */
				snprintf(hi, sizeof(hi), "unbounded");
			if (!G->fn || G->not_comparable[k])
				snprintf(band, sizeof(band), "–");
			else
				snprintf(band, sizeof(band), "%s – %s%s", lo, hi,
					 G->banded[k] ? "" : " (fixed)");
			doc_row(o, (const char *[]){ G->name, tracefig_fig_name[k], a,
						   G->fn ? b : "not in trace", band,
						   G->not_comparable[k] ? G->not_comparable[k] :
						   G->agree[k] ? "yes" : "NO" }, 6, false, NULL);
		}
	}
	doc_table(o, false);

	o_head(o, 3, "Workqueues in the trace");
	doc_text(o, "Per workqueue and function, busiest first (at most 15): queue→activate is time "
		  "held back by max_active, activate→start waiting for a worker; \"away\" counts "
		  "executions on another CPU than the one asked for with queue_work_on.");
	doc_table(o, true);
	doc_row(o, (const char *[]){ "workqueue", "function", "executed", "q→activate p99",
				   "activate→start p99", "q→start p50", "q→start p99", "run p50",
				   "kworkers: PIDs", "away" }, 10, true, NULL);
	while (shown < 15 && shown < t->nfns) {
		const struct wqtrace_fn *best = NULL;
		char v[8][32];

		/* selection by rank: the tables are small */
		for (size_t i = 0; i < t->nfns; i++) {
			size_t rank = 0;

			for (size_t j = 0; j < t->nfns; j++)
				if (t->fns[j]->executed > t->fns[i]->executed ||
				    (t->fns[j]->executed == t->fns[i]->executed && j < i))
					rank++;
			if (rank == shown)
				best = t->fns[i];
		}
		shown++;
		if (!best)
			break;
		snprintf(v[0], 32, "%" PRIu64, best->executed);
		fmt_ns(v[1], 32, best->queue_to_activate.count ?
			(double)loghist_quantile(&best->queue_to_activate, 0.99) : NAN);
		fmt_ns(v[2], 32, best->activate_to_start.count ?
			(double)loghist_quantile(&best->activate_to_start, 0.99) : NAN);
		fmt_ns(v[3], 32, best->queue_to_start.count ?
			(double)loghist_quantile(&best->queue_to_start, 0.50) : NAN);
		fmt_ns(v[4], 32, best->queue_to_start.count ?
			(double)loghist_quantile(&best->queue_to_start, 0.99) : NAN);
		fmt_ns(v[5], 32, best->run.count ? (double)loghist_quantile(&best->run, 0.5) : NAN);
		/* the kworkers themselves: how many, and the first PIDs */
		{
			size_t off = (size_t)snprintf(v[6], 32, "%zu:", best->npids);

			for (size_t k = 0; k < best->npids && off < 24; k++)
				off += (size_t)snprintf(v[6] + off, 32 - off, " %d", best->pids[k]);
			if (best->npids && off >= 24)
				snprintf(v[6] + 24, 8, " ...");
		}
		snprintf(v[7], 32, "%" PRIu64, best->cross_cpu);
		doc_row(o, (const char *[]){ best->workqueue, best->function, v[0], v[1], v[2], v[3],
					   v[4], v[5], v[6], v[7] }, 10, false, NULL);
	}
	doc_table(o, false);
	if (have_plot(r, "latency-timeline"))
		o_plot(o, r->rd.dir, "latency-timeline",
		       "Queue→start over time per group from the trace (mean solid, max dotted), with the fault timeline: a spike next to a line is that fault's effect");
	if (have_plot(r, "heatmap"))
		o_plot(o, r->rd.dir, "heatmap",
		       "Where the module's work ran: items started per CPU and time bin (trace.dat)");

	o_head(o, 3, "Oracles rebuilt from the trace");
	if (r->rd.events_damaged) {
		doc_text(o, "Not judged: events.csv, the fault log the placement and containment "
			 "oracles excuse by, is damaged (see ERROR above).");
		goto hotplug;
	}
	if (tf->groups_err[0]) {
		snprintf(line, sizeof(line),
			 "Not judged: scenario.wqb, which says which groups are unbound, cannot be "
			 "read (%s).", tf->groups_err);
		doc_text(o, line);
		goto hotplug;
	}
	snprintf(line, sizeof(line),
		 "Bound placement: %" PRIu64 " executions queued for a CPU, %" PRIu64
		 " excused (that CPU changed state within %d ms, or the kernel kept the item on "
		 "the pool it was still running on), %" PRIu64 " violations — %s. Unbound containment (masks from "
		 "events.csv): %" PRIu64 " checked after a mask change, %" PRIu64 " in the grace "
		 "window, %" PRIu64 " queued under the old mask or kept on their old pool (non-reentrancy), "
		 "%" PRIu64 " with no CPU of the mask online, %" PRIu64 " on a kworker whose affinity "
		 "the kernel widened (it ran on, or appeared while, a CPU of the mask going offline), "
		 "%" PRIu64 " violations — %s.",
		 tf->bound_checked, tf->bound_excused, TRACEFIG_GRACE_MS, tf->bound_violations,
		 tf->bound_violations ? "FAIL" : "pass", tf->unbound_checked, tf->unbound_grace,
		 tf->unbound_stale, tf->unbound_offline, tf->unbound_widened,
		 tf->unbound_violations, tf->unbound_violations ? "FAIL" : "pass");
	doc_text(o, line);
	if (tf->nbad) {
		doc_text(o, "First offending executions:");
		doc_table(o, true);
		doc_row(o, (const char *[]){ "group", "work", "start (trace s)", "ran on CPU",
					   "asked for", "allowed mask" }, 6, true, NULL);
		for (size_t i = 0; i < tf->nbad; i++) {
			const struct tracefig_offence *b = &tf->bad[i];
			char v[4][32];

			snprintf(v[0], 32, "0x%" PRIx64, b->work);
			snprintf(v[1], 32, "%.6f", (double)b->ts_ns / 1e9);
			snprintf(v[2], 32, "%d", b->cpu);
			snprintf(v[3], 32, "%d", b->req_cpu);
			doc_row(o, (const char *[]){ b->group, v[0], v[1], v[2],
						   b->req_cpu >= 0 && b->req_cpu < 4096 ? v[3] : "-",
						   b->mask[0] ? b->mask : "-" }, 6, false, NULL);
		}
		doc_table(o, false);
	}

hotplug:
	if (t->nhptrans) {
		o_head(o, 3, "Hotplug from cpuhp_enter/exit");
		doc_table(o, true);
		doc_row(o, (const char *[]){ "CPU", "direction", "start (trace s)", "duration",
					   "steps", "failed steps", "complete" }, 7, true, NULL);
		for (size_t i = 0; i < t->nhptrans; i++) {
			const struct wqtrace_hptrans *h = &t->hptrans[i];
			char v[5][32];

			snprintf(v[0], 32, "%d", h->cpu);
			snprintf(v[1], 32, "%.6f", (double)h->start_ts / 1e9);
			fmt_ns(v[2], 32, (double)(h->end_ts - h->start_ts));
			snprintf(v[3], 32, "%u", h->steps);
			snprintf(v[4], 32, "%u", h->failed);
			doc_row(o, (const char *[]){ v[0], h->up ? "online" : "offline", v[1], v[2],
						   v[3], v[4], h->complete ? "yes" : "NO" }, 7, false, NULL);
		}
		doc_table(o, false);
		doc_text(o, "Slowest hotplug states (mean time in the callback, at most 10):");
		doc_table(o, true);
		doc_row(o, (const char *[]){ "direction", "state", "callback", "count", "mean", "max",
					   "failed" }, 7, true, NULL);
		for (size_t k = 0; k < 10 && k < t->nhpstates; k++) {
			const struct wqtrace_hpstate *best = NULL;
			char v[5][32];

			for (size_t i = 0; i < t->nhpstates; i++) {
				size_t rank = 0;
				const struct wqtrace_hpstate *a = &t->hpstates[i];

				for (size_t j = 0; j < t->nhpstates; j++) {
					const struct wqtrace_hpstate *b = &t->hpstates[j];
					double ma = a->count ? (double)a->total_ns / (double)a->count : 0;
					double mb = b->count ? (double)b->total_ns / (double)b->count : 0;

					if (mb > ma || (mb == ma && j < i))
						rank++;
				}
				if (rank == k)
					best = a;
			}
			if (!best)
				break;
			snprintf(v[0], 32, "%d", best->idx);
			snprintf(v[1], 32, "%" PRIu64, best->count);
			fmt_ns(v[2], 32, best->count ? (double)best->total_ns / (double)best->count : NAN);
			fmt_ns(v[3], 32, (double)best->max_ns);
			snprintf(v[4], 32, "%" PRIu64, best->failed);
			doc_row(o, (const char *[]){ best->up ? "online" : "offline", v[0],
						   best->function ? best->function : "?", v[1], v[2],
						   v[3], v[4] }, 7, false, NULL);
		}
		doc_table(o, false);
	}
}

/*
 * "clock tsc (50 ns)": the clocksource every figure was stamped with and its
 * measured resolution (meta.json "clock"; the clock check judges it).
 */
static void clock_text(json_t *meta, char *buf, size_t len)
{
	json_t *clk = json_object_get(meta, "clock");
	json_t *res = json_object_get(clk, "resolution_ns");
	const char *cs = json_string_value(json_object_get(clk, "clocksource"));
	char ns[32];

	if (!clk) {
		snprintf(buf, len, "clock not recorded");
		return;
	}
	if (json_is_integer(res))
		fmt_ns(ns, sizeof(ns), (double)json_integer_value(res));
	else
		snprintf(ns, sizeof(ns), "never advanced");
	snprintf(buf, len, "clock %s (resolution %s)", cs ? cs : "?", ns);
}

/*
 * Which instrumentation each group ran with (instrument=sampled: one item
 * in K timed, and how many were), and whether the run was traced: the
 * figures below depend on both (their cost on the null loop: make bench,
 * docs/kmod.md "Cost of instrumentation").
 */
static void instrument_text(struct report *r, char *buf, size_t len)
{
	json_t *g, *tr = json_object_get(r->rd.summary, "trace");
	size_t i, l;

	snprintf(buf, len, "instrumentation:");
	json_array_foreach(json_object_get(r->rd.stats, "group"), i, g) {
		const char *ins = jstr(g, "instrument");
		const struct kmod_hist *h = rundata_hist(&r->rd, jstr(g, "name"), "lat");

		l = strlen(buf);
		if (!strcmp(ins, "sampled"))
			snprintf(buf + l, len - l, "%s %s sampled (1 item in %lld timed: %llu items)",
				 i ? "," : "", jstr(g, "name"), jint(g, "instrument_every"),
				 (unsigned long long)(h ? h->total : 0));
		else
			snprintf(buf + l, len - l, "%s %s %s", i ? "," : "", jstr(g, "name"), ins);
	}
	l = strlen(buf);
	if (tr) {
		json_t *ev = json_object_get(tr, "events"), *e;
		char sys[256] = "";
		size_t k, nsys = 0;

		snprintf(buf + l, len - l, " · tracing: tracefs instance %s", jstr(tr, "instance"));
		/* the events by system: "workqueue (4), cpuhp (3)" */
		json_array_foreach(ev, k, e) {
			const char *v = json_string_value(e), *c = v ? strchr(v, ':') : NULL;
			size_t sl = c ? (size_t)(c - v) : 0, m = k + 1, sn = strlen(sys);

			if (!c || (k && !strncmp(v, json_string_value(json_array_get(ev, k - 1)), sl + 1)))
				continue;
			while (m < json_array_size(ev) &&
			       !strncmp(json_string_value(json_array_get(ev, m)) ?: "", v, sl + 1))
				m++;
			snprintf(sys + sn, sizeof(sys) - sn, "%s%.*s (%zu)", nsys++ ? ", " : "",
				 (int)sl, v, m - k);
		}
		l = strlen(buf);
		if (nsys)
			snprintf(buf + l, len - l, ", events %s", sys);
		l = strlen(buf);
		if (json_integer_value(json_object_get(tr, "buffer_kb")))
			snprintf(buf + l, len - l, ", %lld KiB per CPU", jint(tr, "buffer_kb"));
		l = strlen(buf);
		snprintf(buf + l, len - l, ", %lld events kept", jint(tr, "entries"));
	} else {
		snprintf(buf + l, len - l, " · tracing: off");
	}
}

/*
 * What instrumentation and tracing cost on this run's kernel: the null
 * loop's throughput under each over bare, from the last `make bench` of
 * that kernel release (results/bench/kmod-overhead-RELEASE.json, written by
 * tests/bench/run-bench), with where and when it was measured.
 */
static void cost_text(struct report *r, char *buf, size_t len)
{
	const char *rel = jstr(json_object_get(r->rd.meta, "kernel"), "release");
	char *name = xasprintf("results/bench/kmod-overhead-%s.json", rel);
	char *p = path_join(wqb_src_dir(), name);
	json_t *b = strchr(rel, '/') ? NULL : json_load_file(p, 0, NULL);
	json_t *f = json_object_get(b, "full_bare"), *s = json_object_get(b, "sampled_bare");
	json_t *t = json_object_get(b, "traced_bare");

	if (!json_is_number(f) || !json_is_number(s) || !json_is_number(t))
		snprintf(buf, len, "cost of instrumentation and tracing: not measured on this kernel "
			 "(no make bench figures for %s in results/bench/)", rel);
	else
		snprintf(buf, len,
			 "cost of instrumentation and tracing on this kernel (make bench, null-work "
			 "loop, throughput over bare, median of %lld rounds; measured %s at host "
			 "load %s, %s): full %.2f, sampled %.2f (1 item in %lld timed), workqueue "
			 "tracepoints into a tracefs instance %.2f",
			 jint(b, "rounds"), jstr(b, "measured_at"), jstr(b, "host_load"), name,
			 json_number_value(f), json_number_value(s), jint(b, "instrument_every"),
			 json_number_value(t));
	json_decref(b);
	free(p);
	free(name);
}

static void write_body(struct report *r, struct textdoc *o)
{
	json_t *meta = r->rd.meta, *sum = r->rd.summary, *c, *guest, *hp;
	char line[640], clk[128];
	size_t i;

	snprintf(line, sizeof(line), "wqbench run: %s — %s", jstr(sum, "scenario"),
		 report_verdict_name(&r->rd));
	o_head(o, 1, line);
	if (r->rd.damaged[0]) {
		char dl[768];

		snprintf(dl, sizeof(dl), "ERROR: damaged input, so neither pass nor fail (figures from "
			 "these files are left out): %s", r->rd.damaged);
		doc_text(o, dl);
	}
	clock_text(meta, clk, sizeof(clk));
	snprintf(line, sizeof(line),
		 "kernel %s · CPUs online %s · %s · measured %.1f s · wqbench %s%s · %s",
		 jstr(json_object_get(meta, "kernel"), "release"),
		 jstr(json_object_get(meta, "cpu"), "online"), clk,
		 (double)jint(json_object_get(meta, "scenario"), "duration_ms") / 1000.0,
		 jstr(json_object_get(meta, "wqbench"), "git_revision"),
		 json_is_true(json_object_get(json_object_get(meta, "wqbench"), "git_dirty")) ?
		 " (dirty)" : "",
		 json_is_false(json_object_get(sum, "complete")) ? "INCOMPLETE run" : "complete run");
	doc_text(o, line);
	instrument_text(r, line, sizeof(line));
	doc_text(o, line);
	cost_text(r, line, sizeof(line));
	doc_text(o, line);
	guest = json_object_get(sum, "guest");
	if (guest) {
		snprintf(line, sizeof(line),
			 "guest: %s, %s%s%s, %lld attempt(s), boot %.1f s (QEMU launch to harness start), "
			 "lifetime %.1f s (launch to exit, shared by every run of its boot)%s%s",
			 jstr(guest, "outcome"), jstr(guest, "accel"),
			 json_string_value(json_object_get(guest, "icount")) ? " -icount " : "",
			 json_string_value(json_object_get(guest, "icount")) ?: "",
			 jint(guest, "attempts"),
			 (double)jint(guest, "boot_ms") / 1e3, (double)jint(guest, "total_ms") / 1e3,
			 *jstr(guest, "reason") ? " — " : "",
			 json_string_value(json_object_get(guest, "reason")) ?: "");
		doc_text(o, line);
	}
	if (r->rd.missing[0]) {
		snprintf(line, sizeof(line), "Missing or unreadable (figures from them are left out): %s",
			 r->rd.missing);
		doc_text(o, line);
	}

	o_head(o, 2, "Checks and oracles (summary.json)");
	json_array_foreach(json_object_get(sum, "reasons"), i, c) {
		snprintf(line, sizeof(line), "failure: %s", json_string_value(c) ?: "?");
		doc_text(o, line);
	}
	doc_table(o, true);
	doc_row(o, (const char *[]){ "check", "result", "evidence" }, 3, true, NULL);
	json_array_foreach(json_object_get(sum, "checks"), i, c)
		doc_row(o, (const char *[]){ jstr(c, "name"), jstr(c, "status"), jstr(c, "detail") },
		      3, false, NULL);
	doc_table(o, false);

	o_head(o, 2, "Work groups (kmod-stats.json, kmod-hist.txt)");
	doc_table(o, true);
	doc_row(o, (const char *[]){ "group", "completed", "items/s", "queue→start p50", "p90",
				   "p99", "p99.9", "max", "run p50", "run p99", "max running" },
	      11, true, NULL);
	for (size_t g = 0; g < r->ng; g++) {
		const struct group_fig *f = &r->g[g];
		char v[11][32];

		if (f->every > 1)	/* its percentiles are of 1 item in every */
			snprintf(v[0], sizeof(v[0]), "%.16s (1/%u)", f->name,
				 (unsigned int)(f->every % 1000001));
		else
			snprintf(v[0], sizeof(v[0]), "%.31s", f->name);
		snprintf(v[1], sizeof(v[1]), "%lld", f->completed);
		snprintf(v[2], sizeof(v[2]), "%.0f", f->throughput);
		for (int q = 0; q < QUANTILES; q++)
			fmt_ns(v[3 + q], sizeof(v[0]), f->lat[q]);
		fmt_ns(v[8], sizeof(v[0]), f->run[0]);
		fmt_ns(v[9], sizeof(v[0]), f->run[2]);
		snprintf(v[10], sizeof(v[10]), "%lld", f->max_conc);
		doc_row(o, (const char *[]){ v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
					   v[9], v[10] }, 11, false, NULL);
	}
	doc_table(o, false);
	if (have_plot(r, "latency-cdf"))
		o_plot(o, r->rd.dir, "latency-cdf",
		       "Queue→start latency per group, cumulative (module histograms, ≤1.6% bucket width)");
	if (have_plot(r, "cpu-runs"))
		o_plot(o, r->rd.dir, "cpu-runs", "Items run on each CPU, per group (kmod-stats.json)");
	if (have_plot(r, "timeline"))
		o_plot(o, r->rd.dir, "timeline",
		       "Throughput per second with the fault timeline (events.csv): red offline, green online, blue cpumask, grey attributes; dashed = failed or rolled back");

	hp = json_object_get(sum, "hotplug");
	if (hp) {
		long long on = jint(hp, "online_ok"), off = jint(hp, "offline_ok");
		char v[2][5][32];

		o_head(o, 2, "CPU hotplug (summary.json, events.csv)");
		doc_table(o, true);
		doc_row(o, (const char *[]){ "direction", "ok/attempts", "min", "mean", "max" }, 5, true, NULL);
		snprintf(v[0][0], 32, "offline");
		snprintf(v[0][1], 32, "%lld/%lld", off, jint(hp, "offline_attempts"));
		fmt_ns(v[0][2], 32, 1e3 * (double)jint(hp, "offline_min_us"));
		fmt_ns(v[0][3], 32, off ? 1e3 * (double)jint(hp, "offline_sum_us") / (double)off : NAN);
		fmt_ns(v[0][4], 32, 1e3 * (double)jint(hp, "offline_max_us"));
		snprintf(v[1][0], 32, "online");
		snprintf(v[1][1], 32, "%lld/%lld", on, jint(hp, "online_attempts"));
		fmt_ns(v[1][2], 32, 1e3 * (double)jint(hp, "online_min_us"));
		fmt_ns(v[1][3], 32, on ? 1e3 * (double)jint(hp, "online_sum_us") / (double)on : NAN);
		fmt_ns(v[1][4], 32, 1e3 * (double)jint(hp, "online_max_us"));
		for (int d = 0; d < 2; d++)
			doc_row(o, (const char *[]){ v[d][0], v[d][1], v[d][2], v[d][3], v[d][4] }, 5,
			      false, NULL);
		doc_table(o, false);
	}
	write_trace(r, o);
	if (r->plot_err[0]) {
		snprintf(line, sizeof(line), "Plots incomplete: %s", r->plot_err);
		doc_text(o, line);
	} else if (!plot_available()) {
		doc_text(o, "Plots left out: gnuplot is not installed (make deps).");
	}
	doc_text(o, "Files: summary.json, meta.json, kmod-stats.json, kmod-hist.txt, events.csv, trace.dat, dmesg.txt, console.log, result.ktap.");
}

static int write_file_with(struct report *r, const char *name, bool html)
{
	char *p = path_join(r->rd.dir, name);
	struct textdoc o = { .html = html };
	struct atomic_file af;
	int rc = 0;

	o.f = atomic_open(&af, p, 0644);
	if (!o.f) {
		wqb_err_write(p, errno);
		free(p);
		return -1;
	}
	if (html)
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		      "<title>wqbench report</title>\n<style>\n"
		      "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}\n"
		      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
		      "padding:3px 8px;font-size:90%}th{background:#f0f0f0}\n"
		      "figure{margin:1em 0}figcaption{font-size:85%;color:#555}\n"
		      "</style></head><body>\n", o.f);
	write_body(r, &o);
	if (html)
		fputs("</body></html>\n", o.f);
	if (atomic_commit(&af) < 0) {
		wqb_err_write(p, errno);
		rc = -1;
	}
	free(p);
	return rc;
}

json_t *report_metrics(const char *dir, char *err, size_t errlen)
{
	struct report r = { 0 };
	json_t *m;

	if (rundata_load(dir, &r.rd, err, errlen) < 0)
		return NULL;
	if (r.rd.damaged[0]) {
		snprintf(err, errlen, "%s: damaged input: %s", dir, r.rd.damaged);
		rundata_free(&r.rd);
		return NULL;
	}
	gather(&r);
	m = r.metrics;
	free(r.g);
	rundata_free(&r.rd);
	return m;
}

/* per group, what the trace alone says: {"GROUP": {"lat_p50_ns": ..., ...}} */
static json_t *trace_figures(const struct tracefig *tf)
{
	static const char *const key[TF_NFIG] = { "lat_p50_ns", "lat_p99_ns", "run_p50_ns",
						  "run_p99_ns", "items_per_sec" };
	json_t *all = json_object();

	for (size_t g = 0; g < tf->ng; g++) {
		json_t *o = json_object();

		for (int k = 0; k < TF_NFIG; k++)
			json_object_set_new(o, key[k], isnan(tf->g[g].trace[k]) ? json_null() :
					    json_real(tf->g[g].trace[k]));
		/* exact, unlike the bucketed quantiles: what [slowdown]'s test needs */
		json_object_set_new(o, "lat_min_ns", tf->g[g].fn &&
				    loghist_count(&tf->g[g].fn->queue_to_start) ?
				    json_integer((json_int_t)loghist_min(&tf->g[g].fn->queue_to_start)) :
				    json_null());
		json_object_set_new(all, tf->g[g].name, o);
	}
	return all;
}

int report_one(const char *dir, bool print)
{
	struct report r = { 0 };
	char err[512], *pdir, *sp;
	int rc = 0;

	if (rundata_load(dir, &r.rd, err, sizeof(err)) < 0) {
		wqb_err("%s", err);
		return 1;
	}
	gather(&r);
	tracefig_load(&r.tf, &r.rd);
	pdir = path_join(dir, "plots");
	if (plot_available() && mkdir_p(pdir, 0755) == 0) {
		plot_latency(&r, pdir);
		plot_cpus(&r, pdir);
		plot_timeline(&r, pdir);
		plot_latency_timeline(&r, pdir);
		plot_heatmap(&r, pdir);
	}
	free(pdir);
	if (r.rd.damaged[0]) {
		/* figures from damaged input never reach compare */
		wqb_err("%s: verdict error, damaged input: %s", dir, r.rd.damaged);
		rc = 1;
	} else {
		/* the metrics go into summary.json, where `wqbench compare` finds them */
		json_object_set(r.rd.summary, "metrics", r.metrics);
		/* the trace's own figures beside them, for tools; never judged by compare */
		if (r.tf.have)
			json_object_set_new(r.rd.summary, "trace_figures", trace_figures(&r.tf));
		sp = path_join(dir, "summary.json");
		if (json_write_atomic(r.rd.summary, sp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0) {
			wqb_err_write(sp, errno);
			rc = 1;
		}
		free(sp);
	}
	if (write_file_with(&r, "report.md", false) < 0 ||
	    write_file_with(&r, "report.html", true) < 0)
		rc = 2;
	if (rc != 2 && print) {
		char *p = path_join(dir, "report.md"), *text = read_file(p, NULL);

		if (text)
			fputs(text, stdout);
		printf("\nreport: %s (and report.html)\n", p);
		free(text);
		free(p);
	} else if (rc != 2 && wqb_verbosity > 0) {
		printf("%s/report.md %s/report.html\n", dir, dir);
	}
	rc = rc ? 1 : 0;
	json_decref(r.metrics);
	free(r.g);
	tracefig_free(&r.tf);
	rundata_free(&r.rd);
	return rc;
}

