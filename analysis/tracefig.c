// SPDX-License-Identifier: GPL-2.0
/*
 * The trace's view of a run, checked against the module's (tracefig.h).
 *
 * Agreement.  The module stamps queue and start around the kernel's own
 * tracepoints, a few instructions apart, so the two must give the same
 * latency percentiles within TRACEFIG_TOL_PCT or TRACEFIG_TOL_NS (whichever
 * is larger: under TCG a few µs of emulation sit between the stamps) and
 * the same throughput within TRACEFIG_TOL_PCT.  The module stamps the end
 * after requeueing the next item, as the trace sees it, but its histogram
 * and sample bookkeeping still falls after the stamp: run time gets
 * TRACEFIG_TOL_RUN_PCT or _NS.  The
 * trace covers the measured phase only and the module the whole run, which
 * the tolerance absorbs in steady state; a disagreement beyond it means one
 * of the two is wrong, and the report says so.
 *
 * Oracles from the trace.  Bound placement: an execution queued for a CPU
 * (req_cpu) that started elsewhere is excused when that CPU went offline
 * or came back within TRACEFIG_GRACE_MS of the queueing or the start, or
 * when the kernel queued it on another pool because it was still running
 * there (non-reentrancy: queue_work's cpu field differs from req_cpu).  Unbound containment: an execution of an unbound group must start
 * inside the effective mask at that time -- the group's own mask within
 * the global one, or the global one when they do not overlap, rebuilt from
 * the cpumask rows of events.csv (their detail is the mask read back) --
 * excused within TRACEFIG_GRACE_MS of a change, when queued before it, or
 * when no CPU of the mask was online.
 */
#include "tracefig.h"
#include "scenario.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tracefig_fig_name[TF_NFIG] = { "queue→start p50", "queue→start p99",
						 "run p50", "run p99", "items/s" };

/* a cpumask as written in sysfs ("f", "3,00000000"): bits of CPUs 0..63 */
static uint64_t mask_bits(const char *s)
{
	uint64_t v = 0;
	const char *p = s + strlen(s);
	unsigned int shift = 0;

	/* from the right: the last comma-separated word holds CPUs 0..31 */
	while (p > s && shift < 64) {
		const char *q = p;
		uint64_t w = 0;

		while (q > s && q[-1] != ',')
			q--;
		for (const char *c = q; c < p; c++) {
			int d = *c >= '0' && *c <= '9' ? *c - '0' :
				*c >= 'a' && *c <= 'f' ? *c - 'a' + 10 :
				*c >= 'A' && *c <= 'F' ? *c - 'A' + 10 : -1;

			if (d < 0)
				continue;
			w = w << 4 | (uint64_t)d;
		}
		v |= (w & 0xffffffffULL) << shift;
		shift += 32;
		p = q > s ? q - 1 : s;
	}
	return v;
}

struct mask_change {
	int64_t t0_ms, t_ms;	/* the write began, and returned */
	char target[40];	/* "global" or wqb_NAME */
	uint64_t bits;
};

struct hp_change {
	int64_t t0_ms, t1_ms;	/* the write started, and returned */
	int cpu;
	bool online;
};

struct ctx {
	struct tracefig *tf;
	const struct rundata *rd;
	uint64_t t0_ns;
	struct mask_change *mc;
	size_t nmc;
	struct hp_change *hc;
	size_t nhc;
};

static int64_t rel_ms(const struct ctx *c, uint64_t ts)
{
	return ts >= c->t0_ns ? (int64_t)((ts - c->t0_ns) / 1000000) :
				-(int64_t)((c->t0_ns - ts) / 1000000);
}

/*
 * Mask of target at t, and when it last changed (INT64_MIN: never).  The
 * kernel applies a mask before the write returns, so a write counts from
 * its start, and the change "happened" when it returned: an execution
 * during the write is in the grace window either way.
 */
static uint64_t mask_at(const struct ctx *c, const char *target, int64_t t, int64_t *changed)
{
	uint64_t bits = ~0ULL;

	for (size_t i = 0; i < c->nmc && c->mc[i].t0_ms <= t; i++)
		if (!strcmp(c->mc[i].target, target)) {
			bits = c->mc[i].bits;
			if (c->mc[i].t_ms > *changed)
				*changed = c->mc[i].t_ms;
		}
	return bits;
}

/* CPUs online at t: all, minus those an offline had taken and no online returned */
static uint64_t online_at(const struct ctx *c, int64_t t)
{
	unsigned int n = c->tf->t.ncpus;
	uint64_t on = n >= 64 ? ~0ULL : (1ULL << n) - 1;

	for (size_t i = 0; i < c->nhc && c->hc[i].t0_ms <= t; i++) {
		if (c->hc[i].cpu < 0 || c->hc[i].cpu >= 64)
			continue;
		if (c->hc[i].online)
			on |= 1ULL << c->hc[i].cpu;
		else
			on &= ~(1ULL << c->hc[i].cpu);
	}
	return on;
}

/* did cpu change state within the grace window of [a, b]? */
static bool hp_near(const struct ctx *c, int cpu, int64_t a, int64_t b)
{
	for (size_t i = 0; i < c->nhc; i++)
		if (c->hc[i].cpu == cpu && c->hc[i].t1_ms >= a - TRACEFIG_GRACE_MS &&
		    c->hc[i].t0_ms <= b + TRACEFIG_GRACE_MS)
			return true;
	return false;
}

static void offend(struct tracefig *tf, const struct wqtrace_exec *x, const char *group,
		   uint64_t mask)
{
	struct tracefig_offence *o;

	if (tf->nbad >= sizeof(tf->bad) / sizeof(tf->bad[0]))
		return;
	o = &tf->bad[tf->nbad++];
	o->work = x->work;
	o->ts_ns = x->start_ts;
	o->cpu = x->cpu;
	o->req_cpu = x->req_cpu;
	snprintf(o->group, sizeof(o->group), "%s", group);
	if (mask == ~0ULL)
		o->mask[0] = 0;
	else
		snprintf(o->mask, sizeof(o->mask), "%" PRIx64, mask);
}

static void on_exec(const struct wqtrace_exec *x, void *arg)
{
	struct ctx *c = arg;
	struct tracefig *tf = c->tf;
	struct tracefig_group *g = NULL;

	if (!x->matched || !x->start_ts)
		return;
	for (size_t i = 0; i < tf->ng; i++)
		if (!strcmp(tf->g[i].workqueue, x->workqueue))
			g = &tf->g[i];
	if (!g)
		return;
	/* tf->t is initialised before the first event: its ncpus is set */
	if (!g->unbound && x->req_cpu >= 0 && (unsigned int)x->req_cpu < tf->t.ncpus) {
		tf->bound_checked++;
		if (x->cpu == x->req_cpu)
			return;
		/*
		 * queue_work's cpu is the pool the kernel picked: another than the
		 * one asked for means the item was still on that pool's worker
		 * (non-reentrancy) -- its execute_end can precede the requeue.
		 */
		if (x->queued_running || (x->pool_cpu != WQTRACE_NO_CPU && x->pool_cpu != x->req_cpu) ||
		    hp_near(c, x->req_cpu, rel_ms(c, x->queue_ts), rel_ms(c, x->start_ts)))
			tf->bound_excused++;
		else {
			tf->bound_violations++;
			if (tf->bound_violations <= TRACEFIG_EVIDENCE)
				offend(tf, x, g->name, ~0ULL);
		}
	} else if (g->unbound) {
		int64_t t = rel_ms(c, x->start_ts), changed = INT64_MIN;
		uint64_t global = mask_at(c, "global", t, &changed);
		uint64_t own = mask_at(c, g->workqueue, t, &changed);
		uint64_t eff = own & global ? own & global : global;

		if (changed == INT64_MIN)
			return;		/* no mask ever changed: nothing to contain */
		tf->unbound_checked++;
		if (x->cpu >= 0 && x->cpu < 64 && (eff >> x->cpu & 1))
			return;
		if (t < changed + TRACEFIG_GRACE_MS)
			tf->unbound_grace++;
		else if (rel_ms(c, x->queue_ts) < changed)
			tf->unbound_stale++;
		else if (!(eff & online_at(c, t)))
			tf->unbound_offline++;
		else {
			tf->unbound_violations++;
			if (tf->unbound_violations <= TRACEFIG_EVIDENCE)
				offend(tf, x, g->name, eff);
		}
	}
}

static int cmp_mc(const void *a, const void *b)
{
	const struct mask_change *x = a, *y = b;

	return (x->t0_ms > y->t0_ms) - (x->t0_ms < y->t0_ms);
}

static void fault_log(struct ctx *c)
{
	for (size_t i = 0; i < c->rd->nev; i++) {
		const struct run_event *e = &c->rd->ev[i];

		if (strcmp(e->outcome, "ok"))
			continue;
		if (!strcmp(e->source, "cpumask") && e->detail[0]) {
			c->mc = xrealloc(c->mc, (c->nmc + 1) * sizeof(*c->mc));
			c->mc[c->nmc].t_ms = e->t_ms;
			c->mc[c->nmc].t0_ms = e->t_ms - (e->latency_us > 0 ? e->latency_us / 1000 : 0);
			snprintf(c->mc[c->nmc].target, sizeof(c->mc[0].target), "%s", e->target);
			c->mc[c->nmc++].bits = mask_bits(e->detail);
		} else if (!strcmp(e->source, "hotplug") && !strncmp(e->target, "cpu", 3)) {
			struct hp_change *h;

			c->hc = xrealloc(c->hc, (c->nhc + 1) * sizeof(*c->hc));
			h = &c->hc[c->nhc++];
			h->cpu = atoi(e->target + 3);
			h->online = !strcmp(e->action, "online");
			h->t1_ms = e->t_ms;
			h->t0_ms = e->t_ms - (e->latency_us > 0 ? e->latency_us / 1000 : 0);
		}
	}
	qsort(c->mc, c->nmc, sizeof(*c->mc), cmp_mc);
}

static bool close_enough(double a, double b, int fig)
{
	bool run = fig == TF_RUN_P50 || fig == TF_RUN_P99;
	double pct = run ? TRACEFIG_TOL_RUN_PCT : TRACEFIG_TOL_PCT;
	double abs = fig == TF_TPUT ? 0.0 : fig == TF_RUN_P99 ? TRACEFIG_TOL_TAIL_NS :
		     run ? TRACEFIG_TOL_RUN_NS : TRACEFIG_TOL_NS;
	double tol = fmax(fabs(a) * pct / 100.0, abs);

	return !isnan(a) && !isnan(b) && fabs(a - b) <= tol;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

void tracefig_load(struct tracefig *tf, const struct rundata *rd)
{
	char *path = path_join(rd->dir, "trace.dat"), *sp = path_join(rd->dir, "scenario.wqb");
	struct wqb_scenario s;
	struct ctx c = { .tf = tf, .rd = rd };
	struct wqtrace_opts o = { .on_exec = on_exec, .arg = &c };
	char *err = NULL;
	json_t *groups = json_object_get(rd->stats, "group"), *jg;
	size_t i;

	memset(tf, 0, sizeof(*tf));
	if (!path_exists(path))
		goto out;
	c.t0_ns = (uint64_t)json_integer_value(json_object_get(rd->summary, "t0_mono_ns"));
	tf->ng = json_array_size(groups);
	tf->g = xcalloc(tf->ng ? tf->ng : 1, sizeof(*tf->g));
	json_array_foreach(groups, i, jg) {
		struct tracefig_group *g = &tf->g[i];

		g->name = json_string_value(json_object_get(jg, "name")) ?: "?";
		snprintf(g->workqueue, sizeof(g->workqueue), "wqb_%s", g->name);
		g->module[TF_LAT_P50] = num(jg, "lat_p50_ns");
		g->module[TF_LAT_P99] = num(jg, "lat_p99_ns");
		g->module[TF_RUN_P50] = num(jg, "run_p50_ns");
		g->module[TF_RUN_P99] = num(jg, "run_p99_ns");
		g->module[TF_TPUT] = num(jg, "measured_items_per_sec");
		if (isnan(g->module[TF_TPUT]))	/* a module without measure_begin */
			g->module[TF_TPUT] = num(jg, "items_per_sec");
	}
	if (scenario_load(sp, &s, &err) == 0) {
		for (i = 0; i < tf->ng; i++)
			for (size_t k = 0; k < s.ngroups; k++) {
				const char *def = s.groups[k].def ? s.groups[k].def : "";
				struct tracefig_group *g = &tf->g[i];

				if (strcmp(s.groups[k].name, g->name))
					continue;
				g->unbound = s.groups[k].unbound;
				/*
				 * Not the same quantity on both sides: say so rather
				 * than compare.  Delayed work: the module times from
				 * the nominal expiry, the trace from the timer's
				 * queue_work (jiffy rounding apart).
				 */
				if (strstr(def, "requeue=delayed")) {
					g->not_comparable[TF_LAT_P50] = g->not_comparable[TF_LAT_P99] =
						"delayed work: module from nominal expiry, trace from the timer's queue_work";
				}
			}
		scenario_free(&s);
	}
	free(err);
	fault_log(&c);
	if (wqtrace_read(path, &o, &tf->t, tf->err, sizeof(tf->err)) < 0) {
		wqtrace_free(&tf->t);
		goto out;
	}
	tf->have = true;
	for (i = 0; i < tf->ng; i++) {
		struct tracefig_group *g = &tf->g[i];
		const struct wqtrace_fn *f = wqtrace_find(&tf->t, g->workqueue, NULL);
		double span = (double)(tf->t.last_ts - tf->t.first_ts) / 1e9;

		g->fn = f;
		if (!f) {
			for (int k = 0; k < TF_NFIG; k++)
				g->trace[k] = NAN;
			continue;
		}
		g->trace[TF_LAT_P50] = (double)loghist_quantile(&f->queue_to_start, 0.50);
		g->trace[TF_LAT_P99] = (double)loghist_quantile(&f->queue_to_start, 0.99);
		g->trace[TF_RUN_P50] = (double)loghist_quantile(&f->run, 0.50);
		g->trace[TF_RUN_P99] = (double)loghist_quantile(&f->run, 0.99);
		g->trace[TF_TPUT] = span > 0 ? (double)f->completed / span : NAN;
		for (int k = 0; k < TF_NFIG; k++) {
			g->agree[k] = g->not_comparable[k] ||
				      close_enough(g->module[k], g->trace[k], k);
			if (!g->agree[k])
				tf->disagree++;
		}
	}
out:
	/* on_exec ran inside wqtrace_read: the fault log is no longer needed */
	free(c.mc);
	free(c.hc);
	free(path);
	free(sp);
}

void tracefig_free(struct tracefig *tf)
{
	if (tf->have)
		wqtrace_free(&tf->t);
	free(tf->g);
	memset(tf, 0, sizeof(*tf));
}
