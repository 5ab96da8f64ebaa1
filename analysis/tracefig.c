// SPDX-License-Identifier: GPL-2.0
/*
 * The trace's view of a run, checked against the module's (tracefig.h).
 *
 * Agreement.  The module and the trace time the same items at different
 * points: the module's queue stamp comes before queue_work_on() -- before
 * the pool lock and the queue_work tracepoint -- and its start stamp after
 * execute_start, so its queue->start holds the trace's plus an offset;
 * its run time lies inside execute_start..execute_end.  How big that
 * offset is depends on the host's speed and on contention for the pool
 * lock, so no fixed tolerance fits every host.  A traced run keeps raw
 * records of one item in 16 (harness/hostrun.c); each is paired with its
 * execution in the trace (same group and CPU, the module's stamps inside
 * the trace's, the nearest), which measures the offset per item in this
 * run, and the module's percentile must lie in the band that the trace's
 * histogram and those offsets allow (tracefig_band(): a bound that holds
 * whatever the offsets' distribution), widened for the executions the
 * trace's start cut (tracefig_censor()).  A record inside the trace's window
 * with no execution to pair is itself a disagreement.  Without enough
 * pairs the fixed TRACEFIG_TOL_* apply, and the report says so.
 * Throughput is a count over the phase on both sides: TRACEFIG_TOL_PCT.
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
#include "groupdef.h"
#include "util.h"
#include "wqbench_uapi.h"

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
	/*
	 * a transition that did not end where it was going (an injected
	 * failure rolled back, or an error): the CPU's state is as before, but
	 * it went part of the way -- a rolled-back offline has deactivated it
	 * and moved its work away -- so it was unstable for the window
	 */
	bool transient;
};

/* one record of samples.bin, waiting for its execution in the trace */
struct pair_smp {
	uint64_t tq, ts, te;	/* the module's queue, start and end stamps */
	int cpu;
	bool used;
};

struct ctx {
	struct tracefig *tf;
	const struct rundata *rd;
	uint64_t t0_ns;
	struct mask_change *mc;
	size_t nmc;
	struct hp_change *hc;
	size_t nhc;
	/* samples.bin per group (tf->g order), by start stamp */
	struct pair_smp *smp[WQB_GROUPDEF_MAX];
	size_t nsmp[WQB_GROUPDEF_MAX];
	/* each kworker of an unbound group: when it first started one on each CPU */
	struct pid_seen *seen;
	size_t nseen, seen_cap;
	/* each item of an unbound group: where and when its last run ended */
	struct work_seen *works;
	size_t nworks, works_cap;
};

struct work_seen {
	uint64_t work;
	uint64_t start_ts, end_ts;
	int cpu, pid;
};

static struct work_seen *work_of(struct ctx *c, uint64_t work)
{
	size_t lo = 0, hi = c->nworks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->works[mid].work == work)
			return &c->works[mid];
		if (c->works[mid].work < work)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (c->nworks == c->works_cap) {
		size_t cap = c->works_cap ? c->works_cap * 2 : 64;
		struct work_seen *v = realloc(c->works, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->works = v;
		c->works_cap = cap;
	}
	memmove(&c->works[lo + 1], &c->works[lo], (c->nworks - lo) * sizeof(*c->works));
	c->nworks++;
	c->works[lo] = (struct work_seen){ .work = work, .cpu = -1, .pid = -1 };
	return &c->works[lo];
}

#define SEEN_CPUS 64
struct pid_seen {
	int pid;
	int64_t first_ms[SEEN_CPUS];	/* INT64_MIN: never on that CPU */
	int64_t first_any_ms;		/* its first start anywhere */
	uint64_t last_work;		/* the work of its last execution, any queue */
};

static struct pid_seen *seen_of(struct ctx *c, int pid)
{
	size_t lo = 0, hi = c->nseen;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->seen[mid].pid == pid)
			return &c->seen[mid];
		if (c->seen[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (c->nseen == c->seen_cap) {
		size_t cap = c->seen_cap ? c->seen_cap * 2 : 64;
		struct pid_seen *v = realloc(c->seen, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->seen = v;
		c->seen_cap = cap;
	}
	memmove(&c->seen[lo + 1], &c->seen[lo], (c->nseen - lo) * sizeof(*c->seen));
	c->nseen++;
	c->seen[lo].pid = pid;
	for (size_t i = 0; i < SEEN_CPUS; i++)
		c->seen[lo].first_ms[i] = INT64_MIN;
	c->seen[lo].first_any_ms = INT64_MIN;
	c->seen[lo].last_work = 0;
	return &c->seen[lo];
}

/*
 * The module's wqb_worker_widened() asks the worker's affinity, which the
 * trace does not hold.  Its signature in the trace: a CPU of the mask
 * began going offline (any attempt, rolled back or not) before this
 * execution, and this kworker either had run on that CPU before, or first
 * appears while the CPU was going or within the grace window after (a
 * worker created then is given the mask and woken where it cannot run).
 * Either way the scheduler's fallback widened it to every CPU, and an
 * offline rolled back before the workqueue's own hotplug state never
 * narrows it again (docs/kmod.md, "Unbound containment").
 */
static bool pid_widened(const struct ctx *c, const struct pid_seen *ps, uint64_t mask, int64_t t)
{
	if (!ps)
		return false;
	for (size_t i = 0; i < c->nhc; i++) {
		int cpu = c->hc[i].cpu;

		if (c->hc[i].online || cpu < 0 || cpu >= SEEN_CPUS || !(mask >> cpu & 1) ||
		    c->hc[i].t0_ms > t)
			continue;
		if (ps->first_ms[cpu] != INT64_MIN && ps->first_ms[cpu] <= c->hc[i].t0_ms)
			return true;
		if (ps->first_any_ms >= c->hc[i].t0_ms &&
		    ps->first_any_ms <= c->hc[i].t1_ms + TRACEFIG_GRACE_MS)
			return true;
	}
	return false;
}

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
		if (c->hc[i].cpu < 0 || c->hc[i].cpu >= 64 || c->hc[i].transient)
			continue;
		if (c->hc[i].online)
			on |= 1ULL << c->hc[i].cpu;
		else
			on &= ~(1ULL << c->hc[i].cpu);
	}
	return on;
}

/*
 * CPUs of mask online at t and untouched by hotplug from `since` to t --
 * the module's wqb_mask_had_online(): a CPU that has just come back
 * still has the unbound pool's workers re-affined to it, and work queued
 * while it was away may have gone elsewhere.
 */
static uint64_t stable_online(const struct ctx *c, uint64_t mask, int64_t since, int64_t t)
{
	uint64_t m = mask & online_at(c, t);

	for (size_t i = 0; i < c->nhc; i++)
		if (c->hc[i].cpu >= 0 && c->hc[i].cpu < 64 && c->hc[i].t1_ms >= since &&
		    c->hc[i].t0_ms <= t)
			m &= ~(1ULL << c->hc[i].cpu);
	return m;
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

/* one paired item's offsets; the arrays grow together */
static void push_pair(struct tracefig_group *g, double lat, double run, double start)
{
	if (g->npairs == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 256;
		g->off_lat = xrealloc(g->off_lat, g->cap * sizeof(*g->off_lat));
		g->off_run = xrealloc(g->off_run, g->cap * sizeof(*g->off_run));
		g->off_start = xrealloc(g->off_start, g->cap * sizeof(*g->off_start));
	}
	g->off_lat[g->npairs] = lat;
	g->off_run[g->npairs] = run;
	g->off_start[g->npairs++] = start;
}

/*
 * Pair one execution with the module's record of it: same group and CPU,
 * the module's stamps inside the trace's (queue stamp before queue_work,
 * start after execute_start, end before execute_end), the one nearest the
 * tracepoints.  Executions on one CPU nest but never interleave their
 * starts and ends, and an inner one ends (and claims its record) first,
 * so the nearest unclaimed record inside the window is this execution's.
 * Delayed work: the module's queue stamp is the nominal expiry, so only
 * start and end are paired.
 */
static void pair_exec(struct ctx *c, size_t gi, const struct wqtrace_exec *x)
{
	struct tracefig_group *g = &c->tf->g[gi];
	struct pair_smp *v = c->smp[gi], *best = NULL;
	bool lat = !g->not_comparable[TF_LAT_P50];
	size_t lo = 0, hi = c->nsmp[gi];
	uint64_t best_off = UINT64_MAX;

	if (!x->end_ts || !x->queue_ts)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].ts < x->start_ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->nsmp[gi] && v[i].ts <= x->end_ts; i++) {
		uint64_t off;

		if (v[i].used || v[i].cpu != x->cpu || v[i].te > x->end_ts || v[i].te < v[i].ts ||
		    (lat && v[i].tq > x->queue_ts))
			continue;
		off = (v[i].ts - x->start_ts) + (lat ? x->queue_ts - v[i].tq : 0);
		if (off < best_off) {
			best_off = off;
			best = &v[i];
		}
	}
	if (!best)
		return;
	best->used = true;
	push_pair(g, lat ? (double)best_off : NAN,
		  (double)((best->ts - x->start_ts) + (x->end_ts - best->te)),
		  (double)(best->ts - x->start_ts));
}

static int cmp_smp(const void *a, const void *b)
{
	const struct pair_smp *x = a, *y = b;

	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* samples.bin by group; a file that is not whole records is left unpaired */
static void load_samples(struct ctx *c)
{
	char *path = path_join(c->rd->dir, "samples.bin"), *buf;
	size_t len = 0, n;
	const struct wqbench_sample *r;

	buf = read_file(path, &len);
	free(path);
	if (!buf)
		return;
	if (len % sizeof(*r)) {
		snprintf(c->tf->pair_note, sizeof(c->tf->pair_note),
			 "samples.bin is not whole records (%zu bytes): not paired", len);
		free(buf);
		return;
	}
	n = len / sizeof(*r);
	r = (const struct wqbench_sample *)buf;
	for (size_t i = 0; i < n; i++) {
		size_t gi = r[i].group;
		struct pair_smp *p;

		if (gi >= c->tf->ng || gi >= WQB_GROUPDEF_MAX)
			continue;
		c->smp[gi] = xrealloc(c->smp[gi], (c->nsmp[gi] + 1) * sizeof(**c->smp));
		p = &c->smp[gi][c->nsmp[gi]++];
		p->tq = r[i].t_queue_ns;
		p->ts = r[i].t_start_ns;
		p->te = r[i].t_end_ns;
		p->cpu = r[i].cpu;
		p->used = false;
	}
	for (size_t gi = 0; gi < c->tf->ng && gi < WQB_GROUPDEF_MAX; gi++)
		if (c->nsmp[gi])
			qsort(c->smp[gi], c->nsmp[gi], sizeof(**c->smp), cmp_smp);
	free(buf);
}

/*
 * Non-reentrancy, unbound: the kernel queues an item back to the pool of
 * the worker still executing it -- its current_work, which the worker
 * clears only after execute_end, a cond_resched() and the pool lock; on a
 * loaded host that was 15 ms, and 140 ms.  Seen from the trace, the item
 * was queued while its previous run still ran; or that run was on an old
 * pool -- it ended outside the mask, or it started before the mask change
 * returned (prev_before_change: it may be on a CPU of both masks -- seen
 * on 6.1, the previous run on CPU 2 while the mask went from {2,3} to {2},
 * the next on CPU 3 on the same worker) -- and either the item came back within the grace window, or
 * it came back to that very worker having run nothing since
 * (worker_stayed: the worker had not moved on, however long it took).
 * prev_end_ts: the previous run's end (0: none seen), prev_cpu its CPU.
 */
bool tracefig_kept_on_old_pool(const struct wqtrace_exec *x, uint64_t prev_end_ts, int prev_cpu,
			       bool prev_before_change, bool worker_stayed, uint64_t eff)
{
	if (x->queued_running)
		return true;
	if (!prev_end_ts || x->queue_ts < prev_end_ts || prev_cpu < 0 || prev_cpu >= 64)
		return false;
	if ((eff >> prev_cpu & 1) && !prev_before_change)
		return false;	/* its last pool is one of this mask */
	return worker_stayed ||
	       x->queue_ts - prev_end_ts < (uint64_t)TRACEFIG_GRACE_MS * 1000000;
}

static void on_exec(const struct wqtrace_exec *x, void *arg)
{
	struct ctx *c = arg;
	struct tracefig *tf = c->tf;
	struct tracefig_group *g = NULL;
	struct pid_seen *ps = x->start_ts ? seen_of(c, x->pid) : NULL;
	uint64_t pid_last_work = ps ? ps->last_work : 0;
	size_t gi = 0;

	/* every execution, of any queue: has a worker moved on from an item? */
	if (ps)
		ps->last_work = x->work;
	if (!x->matched || !x->start_ts)
		return;
	for (size_t i = 0; i < tf->ng; i++)
		if (!strcmp(tf->g[i].workqueue, x->workqueue)) {
			g = &tf->g[i];
			gi = i;
		}
	if (!g)
		return;
	if (gi < WQB_GROUPDEF_MAX && c->nsmp[gi])
		pair_exec(c, gi, x);
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
		struct work_seen *ws = work_of(c, x->work), prev = ws ? *ws : (struct work_seen){ 0 };
		bool widened, stayed = prev.pid == x->pid && pid_last_work == x->work;

		/* on_exec() comes at each execution's end: this one is the next's previous */
		if (ws && x->end_ts) {
			ws->start_ts = x->start_ts;
			ws->end_ts = x->end_ts;
			ws->cpu = x->cpu;
			ws->pid = x->pid;
		}

		if (ps && ps->first_any_ms == INT64_MIN)
			ps->first_any_ms = t;
		widened = pid_widened(c, ps, eff, t);

		if (ps && x->cpu >= 0 && x->cpu < SEEN_CPUS && ps->first_ms[x->cpu] == INT64_MIN)
			ps->first_ms[x->cpu] = t;
		if (changed == INT64_MIN)
			return;		/* no mask ever changed: nothing to contain */
		tf->unbound_checked++;
		if (x->cpu >= 0 && x->cpu < 64 && (eff >> x->cpu & 1))
			return;
		if (t < changed + TRACEFIG_GRACE_MS)
			tf->unbound_grace++;
		else if (rel_ms(c, x->queue_ts) < changed ||
			 tracefig_kept_on_old_pool(x, prev.end_ts, prev.cpu,
						   prev.end_ts && rel_ms(c, prev.start_ts) < changed,
						   stayed, eff))
			tf->unbound_stale++;
		else if (!stable_online(c, eff, rel_ms(c, x->queue_ts) - TRACEFIG_GRACE_MS, t))
			tf->unbound_offline++;
		else if (widened)
			tf->unbound_widened++;
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

		if (strcmp(e->outcome, "ok") &&
		    !(!strcmp(e->source, "hotplug") && (!strcmp(e->outcome, "rolled-back") ||
							 !strcmp(e->outcome, "not-rolled-back") ||
							 !strcmp(e->outcome, "error"))))
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
			h->transient = strcmp(e->outcome, "ok") != 0;
			h->t1_ms = e->t_ms;
			h->t0_ms = e->t_ms - (e->latency_us > 0 ? e->latency_us / 1000 : 0);
		}
	}
	qsort(c->mc, c->nmc, sizeof(*c->mc), cmp_mc);
}

/* the fixed tolerance around the trace's figure, where no offsets were measured */
static void fixed_band(struct tracefig_group *g, int fig)
{
	bool run = fig == TF_RUN_P50 || fig == TF_RUN_P99;
	double pct = run ? TRACEFIG_TOL_RUN_PCT : TRACEFIG_TOL_PCT;
	double abs = fig == TF_TPUT ? 0.0 : fig == TF_RUN_P99 ? TRACEFIG_TOL_TAIL_NS :
		     run ? TRACEFIG_TOL_RUN_NS : TRACEFIG_TOL_NS;
	double tol = fmax(fabs(g->module[fig]) * pct / 100.0, abs);

	g->lo[fig] = g->trace[fig] - tol;
	g->hi[fig] = g->trace[fig] + tol;
	g->banded[fig] = false;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* the value at 1-based rank r of sorted v[n], r clamped to [1, n] */
static double at_rank(const double *v, size_t n, double r)
{
	size_t i = r < 1 ? 0 : r > (double)n ? n - 1 : (size_t)r - 1;

	return v[i];
}

/*
 * Lower and upper confidence values of the a-quantile of sorted v[n]: order
 * statistics TRACEFIG_Z binomial standard deviations below and above rank
 * n*a, so a band built from them is not narrowed by the few items paired.
 */
#define TRACEFIG_Z	3.0

static double q_below(const double *v, size_t n, double a)
{
	return at_rank(v, n, floor(n * a - TRACEFIG_Z * sqrt(n * a * (1 - a))));
}

static double q_above(const double *v, size_t n, double a)
{
	return at_rank(v, n, ceil(n * a + TRACEFIG_Z * sqrt(n * a * (1 - a))));
}

/*
 * The band the module's q-quantile must lie in, from the trace's histogram
 * L and the per-item offsets D of the paired items (sorted d[n]).  Per
 * item the module sees M = L + D (queue->start: its stamps sit outside the
 * tracepoints) or M = L - D (run time: inside them).  For any a in (0, q)
 * and (0, 1 - q), whatever the dependence of L and D,
 *	Q_q(L + D) >= Q_{q-a}(L) + Q_a(D)  and  Q_q(L + D) <= Q_{q+a}(L) + Q_{1-a}(D)
 * (at most a fraction a of items can have D below Q_a(D), so at least q of
 * them sit above Q_{q-a}(L) + Q_a(D)), and so for L - D with the offsets'
 * quantiles swapped.  Every a gives a valid band: take the tightest over
 * a few.  Then widen by each histogram's bucket (1/64 of the value, on
 * both sides).
 *
 * The offsets of the lower bound (dl) and of the upper (dh) may differ:
 * a sampled item's end offset also holds the module pushing its record,
 * which unsampled items never pay, so for run time the upper bound takes
 * the start offset alone -- no larger than any item's whole offset, so
 * the band stays valid, only wider.
 */
void tracefig_band(const struct loghist *L, double q, int sign, const double *dl,
		   const double *dh, size_t n, double *lo, double *hi)
{
	static const double as[] = { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3 };
	double l = -INFINITY, h = INFINITY;

	for (size_t i = 0; i < sizeof(as) / sizeof(as[0]); i++) {
		double a = as[i];

		if (q - a > 0) {
			double ql = (double)loghist_quantile(L, q - a);

			l = fmax(l, sign > 0 ? ql + q_below(dl, n, a) : ql - q_above(dl, n, 1 - a));
		}
		if (q + a <= 1) {
			double qh = (double)loghist_quantile(L, q + a);

			h = fmin(h, sign > 0 ? qh + q_above(dh, n, 1 - a) : qh - q_below(dh, n, a));
		}
	}
	*lo = fmax(0, l * (1 - 2.0 / LOGHIST_SUB));
	*hi = h * (1 + 2.0 / LOGHIST_SUB);
}

double tracefig_sampling_slack(unsigned int every, uint64_t timed, double q)
{
	if (every <= 1)
		return 0;
	if (!timed)
		return 1;	/* nothing timed: any value */
	return TRACEFIG_Z * sqrt(q * (1 - q) / (double)timed);
}

/*
 * Executions the trace's start cut (wqtrace_fn.censored_*): the module
 * timed them, the trace's histogram of n lacks them, and they are the
 * long ones.  With u of them in the module's n + u, its q-quantile is at
 * rank q(n + u): at most the histogram's value at that rank were they all
 * longer than everything in it, at least the value at rank q(n + u) - u
 * were they all shorter.  So the band is taken from the histogram's
 * quantiles (q(n + u) - u) / n and q(n + u) / n, which hold whatever the
 * cut executions took; above 1 nothing bounds it from above (*open_top).
 */
void tracefig_censor(uint64_t n, uint64_t u, double *ql, double *qh, bool *open_top)
{
	double N;

	if (!u || !n)
		return;
	N = (double)(n + u);
	*ql = fmax((*ql * N - (double)u) / (double)n, 0.0005);
	*qh = *qh * N / (double)n;
	if (*qh > 1.0) {
		*qh = 1.0;
		*open_top = true;
	}
}

static uint64_t tf_censored_lat(const struct tracefig *tf, const struct wqtrace_fn *f)
{
	return f->censored_starts + tf->t.censored_starts_unknown;
}

/* an execution cut at its start is in neither run histogram of this group */
static uint64_t tf_censored_run(const struct tracefig *tf, const struct wqtrace_fn *f)
{
	return f->censored_starts + f->censored_ends + tf->t.censored_starts_unknown +
	       tf->t.censored_ends_unknown;
}

/* every figure of one group in the trace: its band, and whether the module's lies in it */
static void judge_group(struct tracefig *tf, struct tracefig_group *g)
{
	const struct wqtrace_fn *f = g->fn;
	size_t n = g->npairs, nl = 0;

	if (n) {
		/* delayed work pairs no queue offset: those are NaN, sorted last */
		qsort(g->off_run, n, sizeof(double), cmp_double);
		qsort(g->off_start, n, sizeof(double), cmp_double);
		for (size_t i = 0; i < n; i++)
			if (!isnan(g->off_lat[i]))
				g->off_lat[nl++] = g->off_lat[i];
		qsort(g->off_lat, nl, sizeof(double), cmp_double);
	}
	for (int k = 0; k < TF_NFIG; k++) {
		bool lat = k == TF_LAT_P50 || k == TF_LAT_P99;
		double q = k == TF_LAT_P50 || k == TF_RUN_P50 ? 0.50 : 0.99;

		double e = k == TF_TPUT ? 0 : tracefig_sampling_slack(g->every, g->timed, q);
		double ql = fmax(q - e, 0.0005), qh = fmin(q + e, 1.0), x;
		bool open_top = false;

		if (k != TF_TPUT)
			tracefig_censor(lat ? loghist_count(&f->queue_to_start) : loghist_count(&f->run),
					lat ? tf_censored_lat(tf, f) : tf_censored_run(tf, f), &ql, &qh,
					&open_top);

		if (k != TF_TPUT && (lat ? nl : n) >= TRACEFIG_MIN_PAIRS) {
			/* sampled: the lower bound at q - e, the upper at q + e */
			if (lat) {
				tracefig_band(&f->queue_to_start, ql, 1, g->off_lat, g->off_lat, nl,
					      &g->lo[k], &x);
				tracefig_band(&f->queue_to_start, qh, 1, g->off_lat, g->off_lat, nl,
					      &x, &g->hi[k]);
			} else {
				tracefig_band(&f->run, ql, -1, g->off_run, g->off_start, n,
					      &g->lo[k], &x);
				tracefig_band(&f->run, qh, -1, g->off_run, g->off_start, n, &x,
					      &g->hi[k]);
			}
			g->banded[k] = true;
		} else {
			fixed_band(g, k);
			if (ql < q || qh > q) {
				const struct loghist *L = lat ? &f->queue_to_start : &f->run;

				g->lo[k] = fmin(g->lo[k], (double)loghist_quantile(L, ql) -
							  (g->trace[k] - g->lo[k]));
				g->hi[k] = fmax(g->hi[k], (double)loghist_quantile(L, qh) +
							  (g->hi[k] - g->trace[k]));
			}
		}
		if (open_top)
			g->hi[k] = INFINITY;
		g->agree[k] = g->not_comparable[k] ||
			      (!isnan(g->module[k]) && !isnan(g->trace[k]) &&
			       g->module[k] >= g->lo[k] && g->module[k] <= g->hi[k]);
		if (!g->agree[k])
			tf->disagree++;
	}
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

void tracefig_load(struct tracefig *tf, const struct rundata *rd)
{
	char *path = path_join(rd->dir, "trace.dat"), *sp = path_join(rd->dir, "scenario.wqb");
	struct wqb_groupdef s[WQB_GROUPDEF_MAX];
	struct ctx c = { .tf = tf, .rd = rd };
	struct wqtrace_opts o = { .on_exec = on_exec, .arg = &c };
	json_t *groups = json_object_get(rd->stats, "group"), *jg;
	int ns;
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
		if (!strcmp(json_string_value(json_object_get(jg, "instrument")) ?: "", "sampled")) {
			const struct kmod_hist *h = rundata_hist(rd, g->name, "lat");

			g->every = (unsigned int)json_integer_value(json_object_get(jg,
									 "instrument_every"));
			g->timed = h ? h->total : 0;
		}
	}
	/* the groups' keys the module's stats do not repeat (common/groupdef.c) */
	ns = groupdefs_read(sp, s, WQB_GROUPDEF_MAX, tf->groups_err, sizeof(tf->groups_err));
	if (ns > 0) {
		for (i = 0; i < tf->ng; i++)
			for (int k = 0; k < ns; k++) {
				struct tracefig_group *g = &tf->g[i];

				if (strcmp(s[k].name, g->name))
					continue;
				g->unbound = s[k].unbound;
				/*
				 * Not the same quantity on both sides: say so rather
				 * than compare.  Delayed work: the module times from
				 * the nominal expiry, the trace from the timer's
				 * queue_work (jiffy rounding apart).
				 */
				if (s[k].val[WQBENCH_GK_REQUEUE] == WQBENCH_RQ_DELAYED) {
					g->not_comparable[TF_LAT_P50] = g->not_comparable[TF_LAT_P99] =
						"delayed work: module from nominal expiry, trace from the timer's queue_work";
				}
			}
	}
	fault_log(&c);
	load_samples(&c);
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
		if (i < WQB_GROUPDEF_MAX)
			for (size_t j = 0; j < c.nsmp[i]; j++) {
				const struct pair_smp *m = &c.smp[i][j];

				/* delayed work's queue stamp is the nominal expiry */
				if ((g->not_comparable[TF_LAT_P50] || m->tq >= tf->t.first_ts) &&
				    m->ts >= tf->t.first_ts && m->te <= tf->t.last_ts)
					g->samples_in_window++;
			}
		if (!f) {
			/* a group the trace never saw is a disagreement, not a pass */
			for (int k = 0; k < TF_NFIG; k++) {
				g->trace[k] = NAN;
				g->agree[k] = false;
			}
			tf->disagree++;
			continue;
		}
		g->trace[TF_LAT_P50] = (double)loghist_quantile(&f->queue_to_start, 0.50);
		g->trace[TF_LAT_P99] = (double)loghist_quantile(&f->queue_to_start, 0.99);
		g->trace[TF_RUN_P50] = (double)loghist_quantile(&f->run, 0.50);
		g->trace[TF_RUN_P99] = (double)loghist_quantile(&f->run, 0.99);
		g->trace[TF_TPUT] = span > 0 ? (double)f->completed / span : NAN;
		judge_group(tf, g);
		/*
		 * Every record stamped inside the trace's window is an execution
		 * the trace must hold; two records of slack for the edges.
		 */
		if (g->samples_in_window > g->npairs &&
		    (double)(g->samples_in_window - g->npairs) >
			    2 + g->samples_in_window * TRACEFIG_UNPAIRED_PCT / 100) {
			g->unpaired_bad = true;
			tf->disagree++;
		}
	}
out:
	/* on_exec ran inside wqtrace_read: the fault log is no longer needed */
	free(c.mc);
	free(c.hc);
	free(c.seen);
	free(c.works);
	for (i = 0; i < WQB_GROUPDEF_MAX; i++)
		free(c.smp[i]);
	free(path);
	free(sp);
}

void tracefig_free(struct tracefig *tf)
{
	if (tf->have)
		wqtrace_free(&tf->t);
	for (size_t i = 0; i < tf->ng; i++) {
		free(tf->g[i].off_lat);
		free(tf->g[i].off_run);
		free(tf->g[i].off_start);
	}
	free(tf->g);
	memset(tf, 0, sizeof(*tf));
}
