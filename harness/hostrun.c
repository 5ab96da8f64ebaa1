// SPDX-License-Identifier: GPL-2.0
/*
 * One scenario on the running kernel, phase by phase:
 *
 *   save state -> [kparam] -> load module -> define groups -> set up tracing ->
 *   start work -> [warmup] -> measured phase with the fault schedule ->
 *   stop work -> collect stats, trace -> restore state -> unload ->
 *   judge dmesg -> verdict
 *
 * Each phase is an init and an undo (run_phases[] below, the shape of
 * kernel/torture.c's torture_*_init()/torture_*_cleanup() pairs): inits in
 * order, and the undos of those that succeeded in reverse, so state is
 * restored whatever happened.  Each phase records a check.
 */
#include "hostrun.h"
#include "background.h"
#include "dmesg.h"
#include "faults.h"
#include "hotplug.h"
#include "kmodctl.h"
#include "kparam.h"
#include "meta.h"
#include "perfstat.h"
#include "phases.h"
#include "progress.h"
#include "requires.h"
#include "result.h"
#include "samples.h"
#include "state.h"
#include "sysstat.h"
#include "tracing.h"
#include "util.h"
#include "wqsysfs.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
/* set at the end of the measured phase (or on a signal): fault sources stop */
static volatile sig_atomic_t frun_stop;

static void on_signal(int sig)
{
	stop_signal = sig;
	frun_stop = 1;
}

/*
 * Test hooks, for proving that failures are caught.  On the guest kernel
 * command line they reach the harness as environment variables:
 *   wqbench_stall=<phase>	the harness hangs at that phase;
 *   wqbench_panic=<scenario>	the guest kernel panics (sysrq) in the
 *				measured phase of that scenario -- only ever
 *				inside a wqbench guest.
 */
static void maybe_stall(const char *phase)
{
	const char *want = getenv("wqbench_stall");

	if (!want || strcmp(want, phase) != 0)
		return;
	wqb_warn("stalling at phase %s on request (wqbench_stall)", phase);
	for (;;)
		pause();
}

static void maybe_panic(const struct wqb_scenario *s)
{
	const char *want = getenv("wqbench_panic");

	if (!want || strcmp(want, s->name) != 0 || !getenv("WQBENCH_IN_GUEST"))
		return;
	wqb_warn("crashing the guest kernel on request (wqbench_panic=%s)", want);
	sync();
	write_file_str("/proc/sysrq-trigger", "c");
}

static void sleep_until(uint64_t deadline_ns)
{
	while (!stop_signal) {
		uint64_t now = now_mono_ns();
		struct timespec ts;
		uint64_t left;

		if (now >= deadline_ns)
			return;
		left = deadline_ns - now;
		if (left > 100000000ull)
			left = 100000000ull;	/* wake up for signals and progress */
		ts.tv_sec = (time_t)(left / 1000000000ull);
		ts.tv_nsec = (long)(left % 1000000000ull);
		nanosleep(&ts, NULL);
	}
}

/*
 * The group definition as the module gets it.  A traced run has the module
 * keep raw records of one item in WQB_TRACE_PAIR_EVERY (unless the
 * scenario says how many it wants): analysis pairs them with the same
 * items in trace.dat to measure, in this run, how far the module's stamps
 * sit outside the tracepoints -- the offset its module-vs-trace check must
 * allow (analysis/tracefig.c, docs/trace-analysis.md).  Bare groups take
 * no stamps and get nothing.
 */
#define WQB_TRACE_PAIR_EVERY	16

static bool group_pairs_added(const struct wqb_scenario *s, const struct wqb_group *g)
{
	return s->trace.enabled && !group_given(g, WQBENCH_GK_SAMPLE_EVERY) &&
	       g->val[WQBENCH_GK_INSTRUMENT] != WQBENCH_INSTR_BARE;
}

static char *group_def_for_run(const struct wqb_scenario *s, const struct wqb_group *g)
{
	if (!group_pairs_added(s, g))
		return xstrdup(g->def);
	return xasprintf("%s sample_every=%d", g->def, WQB_TRACE_PAIR_EVERY);
}

/*
 * [slowdown]: the module waits delay_ns for one item in `every` at the
 * chosen place (docs/kmod.md "Injected delays").  A kernel where the place
 * cannot be probed is a SKIP of the run's slowdown, never a silent
 * unslowed run: the run stops there.
 */
static int arm_slowdown(struct run_result *res, const struct wqb_scenario *s)
{
	const struct wqb_slowdown *d = &s->slowdown;
	char cmd[128];
	int r;

	snprintf(cmd, sizeof(cmd), "inject %s %llu %u%s%s", d->where,
		 (unsigned long long)d->delay_ns, d->every, d->group ? " " : "",
		 d->group ? d->group : "");
	r = kmodctl_write("control", cmd);
	if (r < 0) {
		result_check(res, "slowdown", r == -ENOENT ? CHECK_SKIP : CHECK_FAIL,
			     "the module cannot slow %s here (%s): see dmesg", d->where,
			     strerror(-r));
		return -1;
	}
	return 0;
}

/* the slowdown was really applied, and the waits were on average as long as asked */
static void judge_slowdown(struct run_result *res, const struct wqb_scenario *s, json_t *stats)
{
	json_t *in = json_array_get(json_object_get(stats, "inject"), 0);
	long long applied = json_integer_value(json_object_get(in, "applied"));
	long long spent = json_integer_value(json_object_get(in, "spent_ns"));
	double mean = applied > 0 ? (double)spent / (double)applied : 0;
	bool ok = in && applied > 0 && mean >= (double)s->slowdown.delay_ns;

	result_check(res, "slowdown", ok ? CHECK_PASS : CHECK_FAIL,
		     "%lld items slowed at %s%s%s, 1 in %u, by %llu ns asked, %.0f ns on average",
		     applied, s->slowdown.where, s->slowdown.group ? " in group " : "",
		     s->slowdown.group ? s->slowdown.group : "", s->slowdown.every,
		     (unsigned long long)s->slowdown.delay_ns, mean);
}

static long long gi(json_t *g, const char *k)
{
	return json_integer_value(json_object_get(g, k));
}

/*
 * Once a second: the progress line, and each group's completions over the
 * last second as a "run,rate" row of events.csv, so reports can draw
 * throughput over time under the fault timeline without a trace.
 */
static void progress(const struct wqb_scenario *s, const struct fault_plan *plan,
		     struct run_result *res, uint64_t t_ms, long long *last_done,
		     uint64_t *last_ms, long long *last_group)
{
	char *text = kmodctl_read("stats");
	json_t *st = text ? kmodctl_parse_stats(text) : NULL, *g;
	struct progress p = { .phase = "measure" };
	size_t i;

	json_array_foreach(json_object_get(st, "group"), i, g) {
		long long done = gi(g, "completed");
		char v[32];

		if (i >= WQB_MAX_GROUPS || t_ms <= *last_ms)
			break;
		snprintf(v, sizeof(v), "%.0f",
			 (double)(done - last_group[i]) * 1000.0 / (double)(t_ms - *last_ms));
		result_event(res, "run", "rate", json_string_value(json_object_get(g, "name")), v,
			     "ok", -1, "items/s over the last interval");
		last_group[i] = done;
	}

	p.items = st ? kmodctl_stat_sum(st, "group", "completed") : -1;
	if (p.items >= 0 && t_ms > *last_ms)
		p.rate = (double)(p.items - *last_done) * 1000.0 / (double)(t_ms - *last_ms);
	p.t = (double)t_ms / 1000.0;
	p.total = (double)s->duration_ms / 1000.0;
	faults_counts(plan, &p.hotplug, &p.errors);
	progress_emit(&p);
	*last_done = p.items;
	*last_ms = t_ms;
	json_decref(st);
	free(text);
}

/*
 * [global] until = items: has every group run its max_items?  (The module
 * issues exactly max_items per group; each ends completed or cancelled.)
 */
static bool items_done(const struct wqb_scenario *s)
{
	char *text = kmodctl_read("stats");
	json_t *st = text ? kmodctl_parse_stats(text) : NULL, *g;
	size_t i, ndone = 0;
	bool done;

	json_array_foreach(json_object_get(st, "group"), i, g) {
		const char *name = json_string_value(json_object_get(g, "name"));

		for (size_t k = 0; k < s->ngroups; k++)
			if (name && !strcmp(name, s->groups[k].name) &&
			    (uint64_t)(gi(g, "completed") + gi(g, "cancelled")) >=
			    scenario_group_max_items(&s->groups[k]))
				ndone++;
	}
	done = st && ndone == s->ngroups;
	json_decref(st);
	free(text);
	return done;
}

/*
 * The module's oracles, judged after stop (field names: docs/kmod.md).
 * The first offending group is named in the detail.
 */
static void judge_module(struct run_result *res, json_t *stats)
{
	json_t *groups = json_object_get(stats, "group"), *g;
	char eo_bad[256] = "", bound_bad[256] = "", unb_bad[256] = "", ran_on[1024] = "";
	long long completed = 0, cancelled = 0, bchk = 0, boff = 0, bnre = 0, uchk = 0;
	long long ugrace = 0, ustale = 0, uoff = 0, uwide = 0, maxconc = 0, allocs = 0;
	long long afailed = 0;
	char alloc_note[128] = "";
	int ncpus = 0;
	size_t i;

	json_array_foreach(groups, i, g) {
		const char *name = json_string_value(json_object_get(g, "name"));

		completed += gi(g, "completed");
		cancelled += gi(g, "cancelled");
		bchk += gi(g, "bound_checked");
		boff += gi(g, "bound_offline");
		bnre += gi(g, "bound_nonreentrant");
		uchk += gi(g, "unbound_checked");
		ugrace += gi(g, "unbound_grace");
		ustale += gi(g, "unbound_stale");
		uoff += gi(g, "unbound_offline");
		uwide += gi(g, "unbound_widened");
		allocs += gi(g, "allocs");
		afailed += gi(g, "alloc_failed");
		if (gi(g, "max_concurrency") > maxconc)
			maxconc = gi(g, "max_concurrency");
		if (gi(g, "eo_ok") != 1 && !eo_bad[0])
			snprintf(eo_bad, sizeof(eo_bad),
				 "group %s: inserted=%lld started=%lld completed=%lld cancelled=%lld lost=%lld run-twice=%lld",
				 name ? name : "?", gi(g, "inserted"), gi(g, "started"),
				 gi(g, "completed"), gi(g, "cancelled"), gi(g, "eo_lost"),
				 gi(g, "eo_dup"));
		if (gi(g, "bound_violations") && !bound_bad[0])
			snprintf(bound_bad, sizeof(bound_bad),
				 "group %s: %lld of %lld items queued with queue_work_on() ran on another CPU while theirs was online",
				 name ? name : "?", gi(g, "bound_violations"), gi(g, "bound_checked"));
		if (gi(g, "unbound_violations") && !unb_bad[0])
			snprintf(unb_bad, sizeof(unb_bad),
				 "group %s: %lld of %lld unbound items ran outside the effective cpumask after the grace window",
				 name ? name : "?", gi(g, "unbound_violations"), gi(g, "unbound_checked"));
	}
	if (eo_bad[0])
		result_check(res, "exactly_once", CHECK_FAIL, "%s", eo_bad);
	else
		result_check(res, "exactly_once", CHECK_PASS,
			     "%zu groups: %lld completed + %lld cancelled at stop = inserted, none run twice",
			     json_array_size(groups), completed, cancelled);
	if (!bchk)
		result_check(res, "bound_placement", CHECK_SKIP,
			     "no group queued bound work with queue_work_on()");
	else
		result_check(res, "bound_placement", bound_bad[0] ? CHECK_FAIL : CHECK_PASS, "%s%s%lld checked, %lld excused (CPU offline or going down), %lld kept on their pool by non-reentrancy",
			     bound_bad, bound_bad[0] ? "; " : "", bchk, boff, bnre);
	if (!uchk)
		result_check(res, "unbound_containment", CHECK_SKIP,
			     "no unbound group with a known effective cpumask");
	else
		result_check(res, "unbound_containment", unb_bad[0] ? CHECK_FAIL : CHECK_PASS, "%s%s%lld checked, %lld in the grace window, %lld queued under the previous mask or kept on their old pool (non-reentrancy), %lld excused (no CPU of the mask online), %lld on kworkers the kernel let run on every CPU after a CPU of the mask began going offline (docs/kmod.md)",
			     unb_bad, unb_bad[0] ? "; " : "", uchk, ugrace, ustale, uoff, uwide);
	{
		/* the module gives one row per group and CPU: add them up by CPU */
		long long maxcpu = -1, *per;

		json_array_foreach(json_object_get(stats, "cpu"), i, g)
			if (gi(g, "cpu") > maxcpu && gi(g, "cpu") < 65536)
				maxcpu = gi(g, "cpu");
		per = xcalloc((size_t)(maxcpu + 2), sizeof(*per));
		json_array_foreach(json_object_get(stats, "cpu"), i, g)
			if (gi(g, "cpu") >= 0 && gi(g, "cpu") <= maxcpu && gi(g, "runs") > 0)
				per[gi(g, "cpu")] += gi(g, "runs");
		for (long long c = 0; c <= maxcpu; c++) {
			size_t l = strlen(ran_on);

			if (!per[c])
				continue;
			ncpus++;
			snprintf(ran_on + l, sizeof(ran_on) - l, "%scpu%lld=%lld", l ? " " : "", c,
				 per[c]);
		}
		free(per);
	}
	json_object_set_new(res->extra, "items_completed", json_integer(completed));
	json_object_set_new(res->extra, "cpus_used", json_integer(ncpus));
	json_object_set_new(res->extra, "max_concurrency", json_integer(maxconc));
	/* alloc_bytes: what fault injection could fail, and did */
	json_object_set_new(res->extra, "allocs", json_integer(allocs));
	json_object_set_new(res->extra, "alloc_failed", json_integer(afailed));
	if (allocs)
		snprintf(alloc_note, sizeof(alloc_note), "; %lld allocations, %lld failed",
			 allocs, afailed);
	result_check(res, "work_ran", completed > 0 ? CHECK_PASS : CHECK_FAIL,
		     "%lld items completed on %d CPUs (%s), at most %lld running at once%s",
		     completed, ncpus, ran_on, maxconc, alloc_note);
}

/*
 * Can the clock measured at the start (meta.json "clock") resolve the
 * figures just collected?  A kernel that fell back to jiffies counts every
 * latency in whole ticks and would otherwise pass (docs/kmod.md).
 */
static void judge_clock(struct run_result *res, json_t *stats)
{
	char why[512];
	enum check_status st = meta_clock_check(meta_last_clock(), stats, why, sizeof(why));

	result_check(res, "clock", st, "%s", why);
}

/* The run cannot happen on this kernel: a SKIP naming why, nothing changed. */
static int skip_run(struct run_result *res, const struct wqb_scenario *s, const char *check,
		    const char *why, struct wqb_phases *ph)
{
	json_t *pj;

	res->skipped = true;
	result_check(res, check, CHECK_SKIP, "%s", why);
	json_object_set_new(res->extra, "skip_reason", json_string(why));
	phases_enter(ph, PH_REPORT, now_mono_ns());
	result_write_verdict(res, s->name, true);
	phases_end(ph, now_mono_ns());
	pj = phases_json(ph);
	result_write_json(res, "phases.json", pj);
	json_decref(pj);
	wqb_info("%s: SKIP: %s (%s)", s->name, why, res->dir);
	result_close(res);
	return WQB_RC_SKIP;
}

/*
 * The run as phases.  Everything one run holds lives in a struct run_ctx;
 * every phase is a pair in run_phases[]: init does its step and returns
 * -1 on failure (having recorded the failed check and undone its own half
 * work), undo puts back what init changed and collects what it produced.
 * hostrun_execute() does the inits in order and, whatever happened, the
 * undos of the phases whose init succeeded, in reverse: after a failure
 * what is undone is exactly the list above the failing row.  Inside the
 * measured phase the collectors and fault sources are a second such table,
 * measure_steps[], started in order and stopped in reverse around the
 * measurement loop.  A new fault source or collector is one new pair.
 */
struct run_ctx {
	const struct wqb_scenario *s;
	const struct hostrun_opts *o;
	struct run_result res;
	struct wqb_phases ph;
	struct dmesg_capture dm;
	struct wqb_tracer tr;
	struct fault_plan plan;
	struct fault_run frun;
	struct background bg;
	struct perfstat ps;
	struct samples_drain drain;
	bool want_samples;		/* a group keeps raw records: drain them */
	bool on_before[WQB_MAX_CPUS];	/* CPUs online before any change */
	json_t *stats;			/* the module's stats after stop */
	json_t *sys_before;		/* /proc snapshot at the start of measurement */
};

struct run_phase {
	const char *name;
	int (*init)(struct run_ctx *c);
	void (*undo)(struct run_ctx *c);
};

/* dmesg from here on is the run's; judged last, after restore */
static int dmesg_init(struct run_ctx *c)
{
	int r = dmesg_begin(&c->dm);

	if (r < 0)
		wqb_warn("cannot read /dev/kmsg: %s; dmesg will not be judged", strerror(-r));
	return 0;
}

static void dmesg_undo(struct run_ctx *c)
{
	const struct wqb_scenario *s = c->s;
	struct run_result *res = &c->res;
	char *path, *text;
	json_t *findings = NULL;
	size_t bad;

	phases_enter(&c->ph, PH_JUDGING, now_mono_ns());
	if (c->dm.fd < 0)
		return;
	path = path_join(res->dir, "dmesg.txt");
	dmesg_collect(&c->dm, path);
	dmesg_end(&c->dm);
	text = read_file(path, NULL);
	bad = dmesg_judge(text, (const char *const *)s->expect.dmesg, &findings);
	/* what the scenario provokes on purpose must really show up */
	for (size_t i = 0; i < s->expect.ndmesg; i++)
		result_check(res, "expected_dmesg",
			     text && strstr(text, s->expect.dmesg[i]) ? CHECK_PASS : CHECK_FAIL,
			     "'%s' %s", s->expect.dmesg[i],
			     text && strstr(text, s->expect.dmesg[i]) ? "seen as expected"
								      : "expected but not seen");
	if (bad) {
		json_t *f, *f0 = NULL;
		size_t i;

		/* the first unexpected one: expected lines are findings too */
		json_array_foreach(findings, i, f)
			if (!f0 && !json_is_true(json_object_get(f, "expected")))
				f0 = f;
		result_check(res, "dmesg", CHECK_FAIL, "%zu bad lines, first: %s", bad,
			     f0 ? json_string_value(json_object_get(f0, "line")) : "?");
	} else if (s->expect.ndmesg) {
		result_check(res, "dmesg", CHECK_PASS,
			     "nothing but what [expect] dmesg names, with the dumps of those reports");
	} else {
		result_check(res, "dmesg", CHECK_PASS, "no warnings, oopses or lockups");
	}
	json_object_set_new(res->extra, "dmesg_findings", findings);
	free(text);
	free(path);
}

/* nothing is changed before the state file is safely written */
static int state_init(struct run_ctx *c)
{
	maybe_stall("setup");
	if (state_save(NULL) < 0) {
		result_check(&c->res, "state_saved", CHECK_FAIL,
			     "could not save system state to %s", state_file_path());
		return -1;
	}
	state_note("result_dir", c->res.dir);
	cpus_online(c->on_before);
	return 0;
}

static void state_undo(struct run_ctx *c)
{
	bool on_after[WQB_MAX_CPUS];
	json_t *rep = NULL;
	int r;

	phases_enter(&c->ph, PH_RESTORE, now_mono_ns());
	/* this run writes its own verdict; restore need not mark it */
	state_note("result_dir", "");
	r = state_restore(&rep);
	cpus_online(on_after);
	if (r == 0 && memcmp(c->on_before, on_after, sizeof(on_after)) == 0)
		result_check(&c->res, "state_restored", CHECK_PASS,
			     "CPUs online and cpumasks as before the run");
	else
		result_check(&c->res, "state_restored", CHECK_FAIL,
			     "restore incomplete; run 'wqbench restore'");
	json_object_set_new(c->res.extra, "restore", rep);
}

/* [kparam]: each saved in the state file, then written; the state's restore puts it back */
static int kparam_init(struct run_ctx *c)
{
	return kparam_apply(c->s, &c->res) < 0 ? -1 : 0;
}

static int module_init(struct run_ctx *c)
{
	const char *ko_path = c->o->ko_path;
	char *p;
	int r;

	if (kmodctl_loaded()) {
		result_check(&c->res, "module_load", CHECK_FAIL,
			     "wqbench is already loaded: unload it (rmmod wqbench) first");
		return -1;
	}
	phases_enter(&c->ph, PH_MODULE_LOAD, now_mono_ns());
	r = kmodctl_load(ko_path);
	if (r < 0) {
		result_check(&c->res, "module_load", CHECK_FAIL, "finit_module(%s): %s", ko_path,
			     strerror(-r));
		return -1;
	}
	state_note("kmod_loaded", ko_path);
	p = kmodctl_read("version");
	result_check(&c->res, "module_load", CHECK_PASS, "%s loaded (%s)", ko_path,
		     p ? str_trim(p) : "no version file");
	free(p);
	return 0;
}

/* before restore: restore unloads a module its run loaded (for killed runs) */
static void module_undo(struct run_ctx *c)
{
	int r;

	phases_enter(&c->ph, PH_UNLOAD, now_mono_ns());
	r = kmodctl_unload();
	result_check(&c->res, "module_unload", r ? CHECK_FAIL : CHECK_PASS, "rmmod wqbench: %s",
		     r ? strerror(-r) : "ok");
	if (!r)
		state_note("kmod_loaded", "");
}

/* the groups go with the module: no undo of their own */
static int groups_init(struct run_ctx *c)
{
	const struct wqb_scenario *s = c->s;

	phases_enter(&c->ph, PH_GROUP_DEFINITION, now_mono_ns());
	for (size_t i = 0; i < s->ngroups; i++) {
		char *def = group_def_for_run(s, &s->groups[i]);
		int r = kmodctl_write("group", def);

		/* raw records: asked for, or added above for a traced run */
		if (s->groups[i].val[WQBENCH_GK_SAMPLE_EVERY] ||
		    group_pairs_added(s, &s->groups[i]))
			c->want_samples = true;
		free(def);
		if (r < 0) {
			result_check(&c->res, "groups_defined", CHECK_FAIL,
				     "%s:%d: the module refused group %s (%s): %s", s->path,
				     s->groups[i].line, s->groups[i].name, strerror(-r),
				     s->groups[i].def);
			return -1;
		}
		if (s->groups[i].unbound) {
			char wq[64];

			snprintf(wq, sizeof(wq), "wqb_%s", s->groups[i].name);
			state_add_wq(wq);
		}
	}
	result_check(&c->res, "groups_defined", CHECK_PASS, "%zu groups", s->ngroups);
	return 0;
}

/*
 * The fault sources: told the groups' cpumasks here; planned and run in
 * the measured phase (measure_steps[]); each source's check after the
 * trace is saved, before the module goes.
 */
static int faults_init(struct run_ctx *c)
{
	faults_notify_masks(c->s);
	return 0;
}

static void faults_undo(struct run_ctx *c)
{
	phases_enter(&c->ph, PH_JUDGING, now_mono_ns());
	if (c->plan.n)
		faults_report(&c->plan, &c->res);
}

/* [slowdown]: armed in the module, gone with it; judged from its stats */
static int slowdown_init(struct run_ctx *c)
{
	return c->s->slowdown.enabled && arm_slowdown(&c->res, c->s) < 0 ? -1 : 0;
}

static int trace_init(struct run_ctx *c)
{
	char *err = NULL;

	phases_enter(&c->ph, PH_TRACE_START, now_mono_ns());
	if (!c->s->trace.enabled)
		return 0;
	if (tracer_setup(&c->s->trace, &c->tr, &err) < 0) {
		result_check(&c->res, "trace", CHECK_FAIL, "%s", err);
		free(err);
		tracer_destroy(&c->tr);
		return -1;
	}
	return 0;
}

/* trace.dat, after the work stopped */
static void trace_undo(struct run_ctx *c)
{
	char *dat, *err = NULL;
	json_t *tst = NULL;

	if (!c->tr.inst)
		return;
	dat = path_join(c->res.dir, "trace.dat");
	phases_enter(&c->ph, PH_TRACE_EXTRACTION, now_mono_ns());
	if (tracer_save(&c->tr, dat, &tst, &err) < 0) {
		result_check(&c->res, "trace", CHECK_FAIL, "%s", err);
		free(err);
	} else {
		long long ov = json_integer_value(json_object_get(tst, "overrun"));
		long long dr = json_integer_value(json_object_get(tst, "dropped"));
		long long en = json_integer_value(json_object_get(tst, "entries"));

		/* lost events are reported; analysis says what they affect */
		result_check(&c->res, "trace", CHECK_PASS,
			     "trace.dat: %lld events kept, %lld overwritten, %lld dropped", en, ov,
			     dr);
	}
	if (tst)
		json_object_set_new(c->res.extra, "trace", tst);
	tracer_destroy(&c->tr);
	free(dat);
}

/* the module's work: the raw-record drain first, then control start */
static int work_init(struct run_ctx *c)
{
	int r;

	phases_enter(&c->ph, PH_WARMUP, now_mono_ns());
	if (c->want_samples && (r = samples_drain_start(&c->drain, c->res.dir)) < 0)
		result_check(&c->res, "samples", CHECK_FAIL, "cannot drain samples: %s",
			     strerror(-r));
	r = kmodctl_write("control", "start");
	if (r < 0) {
		result_check(&c->res, "work_started", CHECK_FAIL, "control start: %s",
			     strerror(-r));
		return -1;
	}
	return 0;
}

/* stop the work, then read and judge what the module counted */
static void work_undo(struct run_ctx *c)
{
	struct run_result *res = &c->res;
	char *text, *p;
	int r;

	r = kmodctl_write("control", "stop");
	if (r < 0)
		result_check(res, "work_stopped", CHECK_FAIL, "control stop: %s", strerror(-r));
	if (c->drain.running) {
		samples_drain_stop(&c->drain);
		result_check(res, "samples", c->drain.error ? CHECK_FAIL : CHECK_PASS,
			     "%llu records in samples.bin%s%s",
			     (unsigned long long)c->drain.records, c->drain.error ? ": " : "",
			     c->drain.error ? strerror(c->drain.error) : "");
	}
	text = kmodctl_read("stats");
	c->stats = text ? kmodctl_parse_stats(text) : NULL;
	if (text) {
		p = path_join(res->dir, "kmod-stats.txt");
		write_file_atomic(p, text, strlen(text), 0644);
		free(p);
	}
	if (c->stats) {
		result_write_json(res, "kmod-stats.json", c->stats);
		phases_enter(&c->ph, PH_JUDGING, now_mono_ns());
		judge_module(res, c->stats);
		judge_clock(res, c->stats);
		if (c->s->slowdown.enabled)
			judge_slowdown(res, c->s, c->stats);
		phases_enter(&c->ph, PH_STOP, now_mono_ns());
	} else {
		result_check(res, "work_ran", CHECK_FAIL, "module stats unreadable");
	}
	free(text);
	text = kmodctl_read("hist");
	if (text) {
		p = path_join(res->dir, "kmod-hist.txt");
		write_file_atomic(p, text, strlen(text), 0644);
		free(p);
		free(text);
	}
}

/* stress-ng, fio: for warmup and measurement */
static int background_init(struct run_ctx *c)
{
	background_start(c->s, c->res.dir, c->s->warmup_ms + c->s->duration_ms, &c->bg);
	return 0;
}

/* the first to stop */
static void background_undo(struct run_ctx *c)
{
	background_stop(&c->bg, &c->res);
}

static int warmup_init(struct run_ctx *c)
{
	if (c->s->warmup_ms) {
		wqb_info("%s: warmup %llu ms", c->s->name, (unsigned long long)c->s->warmup_ms);
		sleep_until(now_mono_ns() + c->s->warmup_ms * 1000000ull);
	}
	return 0;
}

/*
 * The measured phase, step by step: each step's start in order before
 * the measurement loop, its stop in reverse after it.  Steps do not fail.
 */
struct measure_step {
	const char *name;
	void (*start)(struct run_ctx *c);
	void (*stop)(struct run_ctx *c);
};

static void sysstat_start_step(struct run_ctx *c)
{
	c->sys_before = sysstat_snapshot();
}

static void sysstat_stop_step(struct run_ctx *c)
{
	json_t *after = sysstat_snapshot(), *d = sysstat_delta(c->sys_before, after);

	result_write_json(&c->res, "sysstat.json", d);
	json_decref(d);
	json_decref(after);
}

static void tracer_start_step(struct run_ctx *c)
{
	if (c->tr.inst)
		tracer_on(&c->tr);
}

static void tracer_stop_step(struct run_ctx *c)
{
	if (c->tr.inst)
		tracer_off(&c->tr);
}

/* the module's histograms and measured_* figures cover this phase only */
static void window_start_step(struct run_ctx *c)
{
	if (kmodctl_write("control", "measure_begin") < 0)
		wqb_warn("the module refused measure_begin: its figures include the warmup");
	c->res.t0_ns = now_mono_ns();
	phases_enter(&c->ph, PH_MEASUREMENT, c->res.t0_ns);
	/* events.csv counts from here; trace.dat and samples.bin use the same clock */
	json_object_set_new(c->res.extra, "t0_mono_ns", json_integer((json_int_t)c->res.t0_ns));
	result_event(&c->res, "run", "measure", c->s->name, "", "ok", -1,
		     "start of measurement");
	c->frun.res = &c->res;
	c->frun.stop = &frun_stop;
	c->frun.t0_ns = c->res.t0_ns;
}

static void window_stop_step(struct run_ctx *c)
{
	result_event(&c->res, "run", "measure", c->s->name, "",
		     stop_signal ? "interrupted" : "ok", -1, "end of measurement");
	result_flush(&c->res);
	if (kmodctl_write("control", "measure_end") < 0)
		wqb_warn("the module refused measure_end: its figures include the teardown");
}

/* perf's start-up (seconds under TCG) before the measured phase, not in it */
static void perf_ready_step(struct run_ctx *c)
{
	if (c->s->perf.enabled)
		perfstat_start(&c->ps, c->res.dir, c->s->perf.events);
}

static void perf_start_step(struct run_ctx *c)
{
	if (!c->s->perf.enabled)
		return;
	perfstat_begin(&c->ps, c->res.t0_ns);
	c->frun.after_hotplug = perfstat_split;
	c->frun.after_hotplug_ctx = &c->ps;
}

static void perf_stop_step(struct run_ctx *c)
{
	if (c->s->perf.enabled)
		perfstat_stop(&c->ps, &c->res);
}

static void faults_start_step(struct run_ctx *c)
{
	faults_start(&c->plan, &c->frun);
}

/* sources stop at the end of the phase; the last restore of each runs */
static void faults_stop_step(struct run_ctx *c)
{
	frun_stop = 1;
	faults_join(&c->plan);
	progress_done();
}

static const struct measure_step measure_steps[] = {
	{ "perf-ready", perf_ready_step, NULL },
	{ "sysstat", sysstat_start_step, sysstat_stop_step },
	{ "trace", tracer_start_step, tracer_stop_step },
	{ "window", window_start_step, window_stop_step },
	{ "perf", perf_start_step, perf_stop_step },
	{ "faults", faults_start_step, faults_stop_step },
};

/* Until the duration, the end of the fault plans or the item count; once a second progress. */
static void measure_loop(struct run_ctx *c)
{
	const struct wqb_scenario *s = c->s;
	uint64_t t0 = c->res.t0_ns, end = t0 + s->duration_ms * 1000000ull;
	uint64_t next_ms = 1000, last_ms = 0;
	long long last_done = 0, last_group[WQB_MAX_GROUPS];
	char *first = kmodctl_read("stats");
	json_t *st0 = first ? kmodctl_parse_stats(first) : NULL, *g0;
	size_t gi0;

	/* warmup completions are not this phase's throughput */
	memset(last_group, 0, sizeof(last_group));
	json_array_foreach(json_object_get(st0, "group"), gi0, g0)
		if (gi0 < WQB_MAX_GROUPS)
			last_group[gi0] = gi(g0, "completed");
	json_decref(st0);
	free(first);

	while (!stop_signal && now_mono_ns() < end &&
	       !(s->until_faults && faults_done(&c->plan)) &&
	       !(s->until_items && items_done(s))) {
		uint64_t wake = t0 + next_ms * 1000000ull, nap = wake;

		/* until = items: look five times a second, the phase ends close to the count */
		if (s->until_items && now_mono_ns() + 200000000ull < nap)
			nap = now_mono_ns() + 200000000ull;
		sleep_until(nap < end ? nap : end);
		if (now_mono_ns() >= wake && !stop_signal) {
			progress(s, &c->plan, &c->res, next_ms, &last_done, &last_ms, last_group);
			next_ms += 1000;
		}
	}
}

static int measure_init(struct run_ctx *c)
{
	size_t n = ARRAY_SIZE(measure_steps);

	maybe_stall("measure");
	maybe_panic(c->s);
	faults_plan(c->s, c->on_before, &c->plan);
	for (size_t i = 0; i < n; i++)
		measure_steps[i].start(c);
	measure_loop(c);
	phases_enter(&c->ph, PH_STOP, now_mono_ns());
	while (n--)
		if (measure_steps[n].stop)
			measure_steps[n].stop(c);
	return 0;
}

/*
 * The run's phases, in order.  Undo runs in reverse for each phase whose
 * init succeeded: background load stops, the work stops and is judged,
 * trace.dat is extracted, the fault sources are judged, the module is
 * unloaded, the saved state is restored (module unload before restore),
 * and dmesg is judged last.
 */
static const struct run_phase run_phases[] = {
	{ "dmesg", dmesg_init, dmesg_undo },
	{ "state", state_init, state_undo },
	{ "kparam", kparam_init, NULL },
	{ "module", module_init, module_undo },
	{ "groups", groups_init, NULL },
	{ "faults", faults_init, faults_undo },
	{ "slowdown", slowdown_init, NULL },
	{ "trace", trace_init, trace_undo },
	{ "work", work_init, work_undo },
	{ "background", background_init, background_undo },
	{ "warmup", warmup_init, NULL },
	{ "measure", measure_init, NULL },
};

/*
 * Before any phase: the result directory, meta.json and the scenario, and
 * what the kernel lacks -- a feature of [global] requires, a [kparam]
 * parameter -- as a SKIP before any change.  Returns -1 to go on, else the
 * run's exit status.
 */
static int run_open(struct run_ctx *c)
{
	const struct wqb_scenario *s = c->s;
	struct sigaction sa = { .sa_handler = on_signal };
	json_t *meta;
	char *p;

	if (geteuid() != 0) {
		wqb_err("--host runs load a module, hotplug CPUs and write sysfs: run as root");
		return 2;
	}
	if (result_open(&c->res, c->o->result_dir) < 0)
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	stop_signal = 0;
	frun_stop = 0;

	meta = meta_collect(s, c->o->ko_path, c->o->kernel_config);
	result_write_json(&c->res, "meta.json", meta);
	json_decref(meta);
	p = path_join(c->res.dir, "scenario.wqb");
	write_file_atomic(p, s->text, strlen(s->text), 0644);
	free(p);

	if (s->requires) {
		char why[256];

		if (!requires_met(s->requires, why, sizeof(why)))
			return skip_run(&c->res, s, "requires", why, &c->ph);
		result_check(&c->res, "requires", CHECK_PASS, "%s: present", s->requires);
	}
	if (s->nkparams) {
		char why[512];

		if (!kparam_present(s, why, sizeof(why)))
			return skip_run(&c->res, s, "kparam", why, &c->ph);
	}
	return -1;
}

/* After the last undo: expected failures, the verdict, phases.json. */
static int run_close(struct run_ctx *c)
{
	const struct wqb_scenario *s = c->s;
	bool complete;
	json_t *pj;
	int rc;

	result_apply_expected(&c->res, (const char *const *)s->expect.checks, s->expect.nchecks);
	complete = !stop_signal;
	if (stop_signal)
		result_check(&c->res, "interrupted", CHECK_FAIL, "stopped by signal %d",
			     (int)stop_signal);
	phases_enter(&c->ph, PH_REPORT, now_mono_ns());
	result_write_verdict(&c->res, s->name, complete);
	phases_end(&c->ph, now_mono_ns());
	/* the last file: its wall time includes writing the verdict */
	pj = phases_json(&c->ph);
	result_write_json(&c->res, "phases.json", pj);
	json_decref(pj);
	rc = result_failed(&c->res) || !complete ? 1 : 0;
	wqb_info("%s: verdict %s (%s)", s->name, rc ? "FAIL" : "pass", c->res.dir);
	json_decref(c->stats);
	json_decref(c->sys_before);
	faults_free(&c->plan);
	result_close(&c->res);
	return rc;
}

int hostrun_execute(const struct wqb_scenario *s, const struct hostrun_opts *o)
{
	struct run_ctx *c = xcalloc(1, sizeof(*c));
	size_t done;
	int rc;

	c->s = s;
	c->o = o;
	c->dm.fd = -1;
	/* the run's wall time starts here: phases.json (results/README.md) */
	phases_init(&c->ph, now_mono_ns());
	phases_enter(&c->ph, PH_SETUP, now_mono_ns());
	rc = run_open(c);
	if (rc >= 0) {
		free(c);
		return rc;
	}
	for (done = 0; done < ARRAY_SIZE(run_phases); done++)
		if (run_phases[done].init(c) < 0)
			break;
	phases_enter(&c->ph, PH_STOP, now_mono_ns());
	while (done--)
		if (run_phases[done].undo)
			run_phases[done].undo(c);
	rc = run_close(c);
	free(c);
	return rc;
}
